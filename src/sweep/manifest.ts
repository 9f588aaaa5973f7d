/**
 * The sweep manifest (sweep.json): everything a shard needs to compute its rows on any machine, and everything
 * a merge needs to check that the shards belong together. Shard i of a manifest covers rows (patients)
 * [i * shardSize, min(patients, (i + 1) * shardSize)); its file is shards/shard-<i, 5 digits>.parquet beside
 * sweep.json. The scenario travels as text (with its sha256), so a cluster job needs only this file.
 *
 * The plan key (planKey) is the hash of what determines the rows (kind, scenario, seed, patients, spec, model and
 * parameter hashes, schema, exoniche version) and nothing that depends on the split (shard size, count) or on
 * the moment (createdAt): it is written into every Parquet file of the sweep, and two plans with the same key
 * give the same results.parquet byte for byte.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../io/atomic-write.js';
import { canonicalJson, sha256 } from '../io/manifest.js';
import { VERSION } from '../version.js';
import type { ColumnSpec, ColumnType } from './columns.js';
import type { JobDescription } from './jobs.js';

export const SWEEP_MANIFEST_FILE = 'sweep.json';
export const SHARDS_DIR = 'shards';
/** Patients per shard when neither a size nor a count is given: a few seconds to minutes of work each. */
export const DEFAULT_SHARD_SIZE = 100;
/** Shard indices are written with at least this many digits (shard-00042.parquet sorts as a name). */
const INDEX_DIGITS = 5;

export interface SweepManifest {
  readonly version: 1;
  /** exoniche version that planned the sweep; shards refuse to run under another (results could differ). */
  readonly exonicheVersion: string;
  /** Job kind: 'cohort', or 'test-job' (see jobs.ts). */
  readonly kind: string;
  readonly scenario: {
    readonly name: string;
    /** The scenario text as given. */
    readonly text: string;
    readonly sha256: string;
    /** The file it was read from (provenance only; workers use `text`). */
    readonly file?: string;
  };
  /** Run seed (decimal, < 2^64). */
  readonly seed: string;
  readonly patients: number;
  readonly shards: number;
  readonly shardSize: number;
  readonly modelHash: string;
  readonly parameterHash: string;
  /** Kind-specific settings (cohort: seed override; test-job: work per row, failure injection). */
  readonly spec: Readonly<Record<string, unknown>>;
  /** Columns of every shard and of results.parquet, in order (for cohorts: OUTCOME_COLUMNS). */
  readonly outputSchema: readonly ColumnSpec[];
  /** When the plan was made (ISO). Never written into a Parquet file. */
  readonly createdAt: string;
}

export class SweepManifestError extends Error {
  override name = 'SweepManifestError';
  constructor(
    message: string,
    /** 'missing': no such file; 'invalid': unreadable or not a sweep manifest. */
    readonly reason: 'missing' | 'invalid',
  ) {
    super(message);
  }
}

export interface PlanInput extends JobDescription {
  readonly kind: string;
  readonly scenarioText: string;
  readonly scenarioFile?: string;
}

/** Split: a shard count (rows spread evenly, the last shard shorter) or a shard size; default DEFAULT_SHARD_SIZE. */
export interface SplitOptions {
  readonly shards?: number;
  readonly shardSize?: number;
}

/** The manifest of a sweep over `input` split as asked. Pure (createdAt aside). Throws RangeError on a bad split. */
export function planSweep(input: PlanInput, split: SplitOptions = {}, createdAt?: string): SweepManifest {
  const n = input.patients;
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`patients: expected an integer >= 1, got ${n}`);
  if (split.shards !== undefined && split.shardSize !== undefined)
    throw new RangeError('give either a shard count or a shard size, not both');
  let shardSize: number;
  if (split.shards !== undefined) {
    const k = split.shards;
    if (!Number.isSafeInteger(k) || k < 1) throw new RangeError(`shards: expected an integer >= 1, got ${k}`);
    if (k > n) throw new RangeError(`shards: ${k} shards for ${n} patients (at most one shard per patient)`);
    shardSize = Math.ceil(n / k);
  } else {
    shardSize = split.shardSize ?? DEFAULT_SHARD_SIZE;
    if (!Number.isSafeInteger(shardSize) || shardSize < 1)
      throw new RangeError(`shard size: expected an integer >= 1, got ${shardSize}`);
    shardSize = Math.min(shardSize, n);
  }
  return {
    version: 1,
    exonicheVersion: VERSION,
    kind: input.kind,
    scenario: {
      name: input.scenarioName,
      text: input.scenarioText,
      sha256: sha256(input.scenarioText),
      ...(input.scenarioFile !== undefined ? { file: input.scenarioFile } : {}),
    },
    seed: input.seed,
    patients: n,
    shards: Math.ceil(n / shardSize),
    shardSize,
    modelHash: input.modelHash,
    parameterHash: input.parameterHash,
    spec: input.spec,
    outputSchema: input.columns.map((c) => ({
      name: c.name,
      type: c.type,
      ...(c.units !== undefined ? { units: c.units } : {}),
    })),
    createdAt: createdAt ?? new Date().toISOString(),
  };
}

/** The hash of what determines the rows (see the file comment). */
export function planKey(m: SweepManifest): string {
  return sha256(
    canonicalJson({
      version: m.version,
      exonicheVersion: m.exonicheVersion,
      kind: m.kind,
      scenarioSha256: m.scenario.sha256,
      seed: m.seed,
      patients: m.patients,
      modelHash: m.modelHash,
      parameterHash: m.parameterHash,
      spec: m.spec,
      outputSchema: m.outputSchema.map((c) => [c.name, c.type]),
    }),
  );
}

/** Rows [start, end) of shard `index`. */
export function shardRange(m: SweepManifest, index: number): { start: number; end: number } {
  if (!Number.isSafeInteger(index) || index < 0 || index >= m.shards)
    throw new RangeError(`shard index ${index} is out of range: this sweep has shards 0 to ${m.shards - 1}`);
  const start = index * m.shardSize;
  return { start, end: Math.min(m.patients, start + m.shardSize) };
}

export function shardFileName(index: number): string {
  return `shard-${String(index).padStart(INDEX_DIGITS, '0')}.parquet`;
}

/** Where shard `index` of the manifest at `manifestPath` lives. */
export function shardPath(manifestPath: string, index: number): string {
  return join(dirname(manifestPath), SHARDS_DIR, shardFileName(index));
}

/** The marker a failed shard leaves (JSON: index, message); removed when the shard later succeeds. */
export function shardFailurePath(manifestPath: string, index: number): string {
  return join(dirname(manifestPath), SHARDS_DIR, shardFileName(index).replace(/\.parquet$/, '.failed.json'));
}

export function manifestJson(m: SweepManifest): string {
  return `${JSON.stringify(m, null, 2)}\n`;
}

/** Write `dir`/sweep.json atomically; returns its path. */
export function writeSweepManifest(dir: string, m: SweepManifest): string {
  const path = join(dir, SWEEP_MANIFEST_FILE);
  writeFileAtomic(path, manifestJson(m));
  return path;
}

const TYPES: readonly ColumnType[] = ['int32', 'float64', 'utf8', 'bool'];

/** Read and check a sweep manifest; every problem names the file and the field. */
export function readSweepManifest(path: string): SweepManifest {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new SweepManifestError(`${path}: no such file`, 'missing');
    if (code === 'EISDIR')
      throw new SweepManifestError(
        `${path}: is a directory, expected a sweep manifest (sweep.json)`,
        'missing',
      );
    throw new SweepManifestError(`${path}: cannot read (${code ?? String(err)})`, 'missing');
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new SweepManifestError(`${path}: not valid JSON (${(err as Error).message})`, 'invalid');
  }
  const bad = (field: string, expected: string, got?: unknown): never => {
    throw new SweepManifestError(
      `${path}: ${field}: expected ${expected}${got === undefined ? '' : `, got ${JSON.stringify(got)}`}`,
      'invalid',
    );
  };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) bad('(top level)', 'a JSON object');
  const m = raw as Record<string, unknown>;
  if (m.version !== 1) bad('version', '1 (a sweep manifest of this exoniche)', m.version);
  const str = (field: string): string => {
    const v = m[field];
    if (typeof v !== 'string' || v === '') bad(field, 'a non-empty string', v);
    return v as string;
  };
  const int = (field: string, min: number): number => {
    const v = m[field];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) bad(field, `an integer >= ${min}`, v);
    return v as number;
  };
  str('exonicheVersion');
  str('kind');
  str('createdAt');
  if (!/^\d+$/.test(str('seed'))) bad('seed', 'a non-negative integer as a decimal string', m.seed);
  const hex = /^[0-9a-f]{64}$/;
  if (!hex.test(str('modelHash'))) bad('modelHash', 'a sha256 (64 hex digits)', m.modelHash);
  if (!hex.test(str('parameterHash'))) bad('parameterHash', 'a sha256 (64 hex digits)', m.parameterHash);
  const patients = int('patients', 1);
  const shardSize = int('shardSize', 1);
  const shards = int('shards', 1);
  if (shards !== Math.ceil(patients / shardSize))
    bad('shards', `ceil(patients / shardSize) = ${Math.ceil(patients / shardSize)}`, shards);
  const sc = m.scenario as Record<string, unknown> | undefined;
  if (typeof sc !== 'object' || sc === null || Array.isArray(sc)) bad('scenario', '{ name, text, sha256 }');
  const s = sc as Record<string, unknown>;
  if (typeof s.name !== 'string') bad('scenario.name', 'a string', s.name);
  if (typeof s.text !== 'string') bad('scenario.text', 'the scenario text', s.text);
  if (s.file !== undefined && typeof s.file !== 'string') bad('scenario.file', 'a string', s.file);
  if (s.sha256 !== sha256(s.text as string))
    bad('scenario.sha256', 'the sha256 of scenario.text (was the text edited?)', s.sha256);
  if (typeof m.spec !== 'object' || m.spec === null || Array.isArray(m.spec))
    bad('spec', 'an object', m.spec);
  if (!Array.isArray(m.outputSchema) || m.outputSchema.length === 0)
    bad('outputSchema', 'a non-empty list of { name, type }');
  (m.outputSchema as unknown[]).forEach((c, i) => {
    const col = c as Record<string, unknown>;
    if (typeof col !== 'object' || col === null || typeof col.name !== 'string' || col.name === '')
      bad(`outputSchema[${i}].name`, 'a column name', col?.name);
    if (!TYPES.includes(col.type as ColumnType))
      bad(`outputSchema[${i}].type`, `one of ${TYPES.join(', ')}`, col.type);
  });
  return m as unknown as SweepManifest;
}
