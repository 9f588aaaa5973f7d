/**
 * Run manifests: what was run, with what, by which version, so that any result can be reproduced and any two
 * results compared. Parameter hashes are over a canonical JSON form (sorted keys), so equal parameter sets
 * hash equally whatever their order.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

export interface RunManifest {
  readonly tool: 'exoniche';
  readonly version: string;
  readonly command: string;
  readonly createdAt: string;
  readonly node: string;
  readonly inputs: readonly { readonly path: string; readonly sha256: string }[];
  readonly parameters: Readonly<Record<string, number>>;
  readonly parameterHash: string;
  readonly seed?: number;
  readonly settings: Readonly<Record<string, unknown>>;
  readonly outputs: readonly string[];
  readonly timings: Readonly<Record<string, number>>;
  readonly result: Readonly<Record<string, unknown>>;
}

/** JSON with object keys sorted at every level: a stable text for hashing. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) =>
    v && typeof v === 'object' && !Array.isArray(v) && !ArrayBuffer.isView(v)
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, (v as Record<string, unknown>)[k]]),
        )
      : v,
  );
}

export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export function fileSha256(path: string): string {
  return sha256(readFileSync(path));
}

export function parameterHash(parameters: Readonly<Record<string, number>>): string {
  return sha256(canonicalJson(parameters));
}
