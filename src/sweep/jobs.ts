/**
 * Job kinds: what a sweep computes per row. A sweep is (kind, inputs); the kind is resolved by name in the main
 * thread (to plan) and again in each worker thread (to compute), so the engine knows nothing about cohorts and
 * the worker receives only plain data (the manifest). `cohort` runs virtual patients (src/cohort); `test-job` is
 * a tiny deterministic kind (keyed Philox draws per row) that tests the engine without a model.
 *
 * The contract a kind must keep for sweeps to be reproducible: row k is a pure function of (manifest, k), whatever
 * thread computes it, in whatever order and with whatever neighbours; column 0 is `patient` (int32) = k.
 */
import type { ColumnSpec, ColumnValues } from './columns.js';
import type { SweepManifest } from './manifest.js';

/** What the caller gives to plan a sweep. */
export interface JobPlanInput {
  /** The scenario text as given (hashed into the manifest and re-read by every worker). */
  readonly scenarioText: string;
  /** The file it came from (messages, provenance); undefined for the embedded default scenario. */
  readonly scenarioFile?: string;
  /** Rows (patients); the kind's default when absent. */
  readonly patients?: number;
  /** Seed override (decimal string); the scenario's seed when absent. */
  readonly seed?: string;
  /** Kind-specific settings, recorded in the manifest (`spec`) and handed back to `prepare`. */
  readonly spec?: Readonly<Record<string, unknown>>;
}

/** What planning learns from the inputs: the fields of the manifest the kind decides. */
export interface JobDescription {
  readonly scenarioName: string;
  readonly patients: number;
  readonly seed: string;
  readonly modelHash: string;
  readonly parameterHash: string;
  readonly columns: readonly ColumnSpec[];
  readonly spec: Readonly<Record<string, unknown>>;
}

/** A job prepared in a worker thread (once per thread and plan): computes rows. */
export interface PreparedJob {
  /** Fill rows [start, end) into `out` (allocated for end - start rows, one array per column) at offset 0. */
  rows(start: number, end: number, out: ColumnValues[]): void;
}

/** What a finished sweep can add beside results.parquet (cohorts: summary.json and report.html). */
export interface JobFinalOutputs {
  readonly summary: unknown;
  readonly reportHtml?: string;
}

export interface JobKind {
  readonly name: string;
  /** Main thread: read the inputs, resolve defaults and hashes. Throws the domain's errors for bad input. */
  describe(input: JobPlanInput): Promise<JobDescription>;
  /** Worker thread: build what computing rows needs, and check it still matches the manifest's hashes. */
  prepare(manifest: SweepManifest): Promise<PreparedJob>;
  /** Main thread, after the merge: summaries and report from the merged columns (optional). */
  finalize?(
    manifest: SweepManifest,
    values: readonly ColumnValues[],
    meta: { readonly createdAt: string },
  ): Promise<JobFinalOutputs>;
}

export class JobKindError extends Error {
  override name = 'JobKindError';
}

/**
 * Loaded on demand: the cohort kind pulls in the whole model stack, the test kind nothing. (Worker threads do not
 * use this table: each kind has a worker entry in workers/ that imports it statically, see pool.ts.)
 */
const KINDS: Readonly<Record<string, () => Promise<JobKind>>> = {
  cohort: async () => (await import('./jobs/cohort.js')).cohortJob,
  'test-job': async () => (await import('./jobs/test-job.js')).testJob,
  sensitivity: async () => (await import('./jobs/sensitivity.js')).sensitivityJob,
};

export const JOB_KINDS = Object.keys(KINDS);

export async function loadJobKind(name: string): Promise<JobKind> {
  const load = KINDS[name];
  if (!load) throw new JobKindError(`unknown job kind '${name}' (known: ${JOB_KINDS.join(', ')})`);
  return load();
}

/** The shape every kind's columns must have: a `patient` int32 key first, unique names. */
export function checkColumns(kind: string, columns: readonly ColumnSpec[]): void {
  if (columns[0]?.name !== 'patient' || columns[0].type !== 'int32')
    throw new JobKindError(`job kind '${kind}': column 0 must be 'patient' (int32)`);
  const seen = new Set<string>();
  for (const c of columns) {
    if (seen.has(c.name)) throw new JobKindError(`job kind '${kind}': column '${c.name}' appears twice`);
    seen.add(c.name);
  }
}
