/**
 * Running shards. A shard is computed in chunks of rows on the pool, assembled in row order and written as
 * shards/shard-<i>.parquet atomically (temporary file + rename): a shard file is complete or absent, so an
 * interrupted run (kill -9, a preempted cluster job) loses only the shards in flight. A shard file that exists,
 * belongs to the plan (its `exoniche:plan` key), covers exactly its rows and reads back is skipped; one that does
 * not is recomputed. A shard whose rows throw leaves shard-<i>.failed.json (index, rows, message) for merge to
 * report; a later success removes it.
 *
 * `runShards` runs many shards on one pool (the `cohort` command: all of them, on all local cores); `runShard`
 * runs one (a cluster array task). The rows, and therefore the bytes of the merged results, do not depend on the
 * number of workers, the chunking or the order in which shards finish.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { writeFileAtomic } from '../io/atomic-write.js';
import { VERSION } from '../version.js';
import {
  ColumnError,
  type ColumnValues,
  columnsToParquet,
  concatColumns,
  parquetToColumns,
} from './columns.js';
import { checkColumns } from './jobs.js';
import {
  planKey,
  readSweepManifest,
  type SweepManifest,
  shardFailurePath,
  shardPath,
  shardRange,
} from './manifest.js';
import { type ChunkRunner, createChunkRunner } from './pool.js';

export class ShardError extends Error {
  override name = 'ShardError';
  constructor(
    message: string,
    /** 'version': planned by another exoniche; 'failed': the rows threw. */
    readonly reason: 'version' | 'failed',
  ) {
    super(message);
  }
}

export interface RunShardOptions {
  /** Worker threads (default: all cores, os.availableParallelism()); 0 computes in this thread. */
  readonly workers?: number;
  /** Rows done so far among the rows to compute (skipped shards excluded), and that total. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Rows per pool task (default: about a quarter of a shard per thread, 1 to 256). Does not change results. */
  readonly chunkSize?: number;
  /** An existing pool to use (and leave open). */
  readonly runner?: ChunkRunner;
}

export interface ShardOutcome {
  readonly index: number;
  readonly path: string;
  /** The shard file was already there and verified. */
  readonly skipped: boolean;
  /** Why an existing file was not accepted (it was recomputed), if it was not. */
  readonly replaced?: string;
  /** The failure message, if the shard failed (no file was written). */
  readonly error?: string;
}

/**
 * Metadata written into every Parquet file of a sweep: nothing that depends on the split or the moment. One key
 * (`exoniche`, a JSON object with fixed key order), because parquet-wasm stores the key-value pairs in a hash map
 * whose iteration order changes from process to process: several keys would make the bytes vary.
 */
export const METADATA_KEY = 'exoniche';

export function sweepMetadata(m: SweepManifest): Map<string, string> {
  return new Map([
    [
      METADATA_KEY,
      JSON.stringify({
        version: m.exonicheVersion,
        kind: m.kind,
        plan: planKey(m),
        seed: m.seed,
        patients: m.patients,
        modelHash: m.modelHash,
        parameterHash: m.parameterHash,
        columns: m.outputSchema,
      }),
    ],
  ]);
}

/** The plan key a sweep's Parquet file carries, if any. */
export function filePlanKey(metadata: ReadonlyMap<string, string>): string | undefined {
  try {
    const j = JSON.parse(metadata.get(METADATA_KEY) ?? 'null') as { plan?: unknown } | null;
    return typeof j?.plan === 'string' ? j.plan : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Read shard `index` and check it belongs to the plan and covers its rows. Returns its columns, or a reason it
 * cannot be used (not there: `undefined` values and reason 'missing').
 */
export async function readShard(
  manifestPath: string,
  m: SweepManifest,
  index: number,
): Promise<{ values?: ColumnValues[]; reason?: string }> {
  const path = shardPath(manifestPath, index);
  if (!existsSync(path)) return { reason: 'missing' };
  const { start, end } = shardRange(m, index);
  try {
    const t = await parquetToColumns(readFileSync(path), m.outputSchema);
    if (filePlanKey(t.metadata) !== planKey(m))
      return { reason: 'written for another plan (its plan key differs)' };
    if (t.rows !== end - start) return { reason: `${t.rows} rows, expected ${end - start}` };
    const patient = t.values[0] as Int32Array;
    for (let i = 0; i < patient.length; i++) {
      if (patient[i] !== start + i)
        return { reason: `row ${i} is patient ${patient[i]}, expected ${start + i}` };
    }
    return { values: t.values };
  } catch (err) {
    if (err instanceof ColumnError) return { reason: err.message };
    throw err;
  }
}

/** Run shard `index` of the sweep at `manifestPath` (skipped if already done). Throws ShardError if it fails. */
export async function runShard(
  manifestPath: string,
  index: number,
  opts: RunShardOptions = {},
): Promise<{ skipped: boolean; path: string; replaced?: string }> {
  const [out] = await runShards(manifestPath, [index], opts);
  if (out.error !== undefined) throw new ShardError(`shard ${index}: ${out.error}`, 'failed');
  return { skipped: out.skipped, path: out.path, ...(out.replaced ? { replaced: out.replaced } : {}) };
}

interface Pending {
  readonly index: number;
  readonly start: number;
  readonly end: number;
  readonly parts: Map<number, ColumnValues[]>;
  remaining: number;
  error?: string;
  replaced?: string;
}

/**
 * Run the shards `indices` (all of them when omitted) on one pool; never throws for a shard that fails (see
 * `error` in its outcome), but does for a bad manifest (SweepManifestError) or another exoniche version (ShardError).
 */
export async function runShards(
  manifestPath: string,
  indices?: readonly number[],
  opts: RunShardOptions = {},
): Promise<ShardOutcome[]> {
  const m = readSweepManifest(manifestPath);
  if (m.exonicheVersion !== VERSION)
    throw new ShardError(
      `${manifestPath}: planned with exoniche ${m.exonicheVersion}, this is ${VERSION}; results could differ, so ` +
        'run the shards with the same version (or plan again)',
      'version',
    );
  checkColumns(m.kind, m.outputSchema);
  const wanted = indices ?? Array.from({ length: m.shards }, (_, i) => i);
  for (const i of wanted) shardRange(m, i); // range check before any work
  const key = planKey(m);

  const outcomes = new Map<number, ShardOutcome>();
  const pending: Pending[] = [];
  const seen = new Set<number>();
  for (const index of wanted) {
    if (seen.has(index)) continue;
    seen.add(index);
    const existing = await readShard(manifestPath, m, index);
    const path = shardPath(manifestPath, index);
    if (existing.values) {
      outcomes.set(index, { index, path, skipped: true });
      continue;
    }
    const { start, end } = shardRange(m, index);
    pending.push({
      index,
      start,
      end,
      parts: new Map(),
      remaining: end - start,
      ...(existing.reason !== 'missing' ? { replaced: existing.reason } : {}),
    });
  }
  if (pending.length > 0) {
    const runner = opts.runner ?? (await createChunkRunner(m.kind, opts.workers));
    try {
      await computePending(manifestPath, m, key, pending, runner, opts);
    } finally {
      if (!opts.runner) await runner.close();
    }
    for (const p of pending) {
      const path = shardPath(manifestPath, p.index);
      outcomes.set(p.index, {
        index: p.index,
        path,
        skipped: false,
        ...(p.replaced ? { replaced: p.replaced } : {}),
        ...(p.error !== undefined ? { error: p.error } : {}),
      });
    }
  }
  return [...seen].map((i) => outcomes.get(i)!);
}

async function computePending(
  manifestPath: string,
  m: SweepManifest,
  key: string,
  pending: Pending[],
  runner: ChunkRunner,
  opts: RunShardOptions,
): Promise<void> {
  const threads = Math.max(1, runner.threads);
  const chunk = opts.chunkSize ?? Math.max(1, Math.min(256, Math.ceil(m.shardSize / (4 * threads))));
  if (!Number.isSafeInteger(chunk) || chunk < 1)
    throw new RangeError(`chunk size: expected >= 1, got ${chunk}`);
  const total = pending.reduce((s, p) => s + (p.end - p.start), 0);
  let done = 0;
  opts.onProgress?.(0, total);

  // chunks in shard order, produced lazily so a million-row sweep does not queue a million promises
  function* chunks(): Generator<{ p: Pending; start: number; end: number }> {
    for (const p of pending) {
      for (let s = p.start; s < p.end; s += chunk) {
        if (p.error !== undefined) break;
        yield { p, start: s, end: Math.min(p.end, s + chunk) };
      }
    }
  }
  const queue = chunks();
  const writes: Promise<void>[] = [];

  const finish = async (p: Pending): Promise<void> => {
    const path = shardPath(manifestPath, p.index);
    const failure = shardFailurePath(manifestPath, p.index);
    if (p.error !== undefined) {
      p.parts.clear();
      writeFileAtomic(
        failure,
        `${JSON.stringify({ index: p.index, start: p.start, end: p.end, message: p.error, at: new Date().toISOString() }, null, 2)}\n`,
      );
      return;
    }
    const parts = [...p.parts.entries()].sort((a, b) => a[0] - b[0]).map((e) => e[1]);
    p.parts.clear();
    const values = concatColumns(m.outputSchema, parts);
    writeFileAtomic(path, await columnsToParquet(m.outputSchema, values, sweepMetadata(m)));
    rmSync(failure, { force: true });
  };

  const lane = async (): Promise<void> => {
    for (let next = queue.next(); !next.done; next = queue.next()) {
      const { p, start, end } = next.value;
      if (p.error !== undefined) continue;
      try {
        const r = await runner.run({ manifest: m, key, start, end });
        if (p.error !== undefined) continue;
        p.parts.set(start, r.values);
        p.remaining -= end - start;
        done += end - start;
        opts.onProgress?.(done, total);
        if (p.remaining === 0) writes.push(finish(p));
      } catch (err) {
        if (p.error === undefined) {
          p.error = String((err as Error)?.message ?? err);
          // the rows this shard will not compute still count as handled for the progress bar
          done += p.remaining;
          p.remaining = -1;
          writes.push(finish(p));
        }
      }
    }
  };
  // two tasks per thread in flight keep every thread busy while results travel back
  await Promise.all(Array.from({ length: 2 * threads }, lane));
  await Promise.all(writes);
  opts.onProgress?.(total, total);
}
