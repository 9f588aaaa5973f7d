/**
 * `test-job`: a deterministic stand-in for a cohort, for testing the sweep engine without a model. Row k draws
 * from the keyed Philox stream (seed, patient k, purpose 'test-job'), so it depends on (seed, k) only, exactly
 * as a virtual patient does; every column type is exercised, including NaN. Spec:
 *   work     extra uniform draws summed per row (makes rows slow enough to interrupt a run; default 0)
 *   failAt   a row index whose computation throws (tests failed shards; default none)
 *   delayMs  wall-clock pause per row in ms (interruption tests on a busy machine; results do not depend on it)
 * The scenario text is only hashed: any text will do.
 */
import { canonicalJson, sha256 } from '../../io/manifest.js';
import { streamFor } from '../../numerics/random/index.js';
import type { ColumnSpec, ColumnValues } from '../columns.js';
import type { JobDescription, JobKind, JobPlanInput, PreparedJob } from '../jobs.js';
import type { SweepManifest } from '../manifest.js';

export const TEST_JOB_COLUMNS: readonly ColumnSpec[] = [
  { name: 'patient', type: 'int32', units: '' },
  { name: 'u', type: 'float64', units: '' },
  { name: 'word', type: 'int32', units: '' },
  { name: 'sum', type: 'float64', units: '' },
  { name: 'maybe', type: 'float64', units: '' },
  { name: 'label', type: 'utf8', units: '' },
  { name: 'odd', type: 'bool', units: '' },
];

interface TestSpec {
  readonly work: number;
  readonly failAt?: number;
  readonly delayMs: number;
}

function readSpec(spec: Readonly<Record<string, unknown>> | undefined): TestSpec {
  const work = spec?.work ?? 0;
  const delayMs = spec?.delayMs ?? 0;
  const failAt = spec?.failAt;
  if (typeof work !== 'number' || !Number.isSafeInteger(work) || work < 0)
    throw new RangeError(`test-job: work must be an integer >= 0, got ${String(work)}`);
  if (typeof delayMs !== 'number' || !(delayMs >= 0))
    throw new RangeError(`test-job: delayMs must be >= 0, got ${String(delayMs)}`);
  if (failAt !== undefined && (typeof failAt !== 'number' || !Number.isSafeInteger(failAt)))
    throw new RangeError(`test-job: failAt must be an integer, got ${String(failAt)}`);
  return { work, delayMs, ...(failAt !== undefined ? { failAt } : {}) };
}

/** The values of row k, in TEST_JOB_COLUMNS order (exported so tests can compute expected rows directly). */
export function testJobRow(
  seed: bigint,
  k: number,
  work: number,
): [number, number, number, number, number, string, boolean] {
  const s = streamFor(seed, ['patient', k], ['purpose', 'test-job']);
  const u = s.nextFloat64();
  const word = s.nextUint32() | 0;
  let sum = 0;
  for (let i = 0; i < work; i++) sum += s.nextFloat64();
  const maybe = u < 0.25 ? Number.NaN : u * 100;
  return [k, u, word, sum, maybe, `p${k}-${(word >>> 0).toString(16)}`, (k & 1) === 1];
}

/** Busy-wait (Atomics.wait would need a SharedArrayBuffer per call; a few ms per row is all tests need). */
function pause(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // spin
  }
}

export const testJob: JobKind = {
  name: 'test-job',
  async describe(input: JobPlanInput): Promise<JobDescription> {
    const spec = readSpec(input.spec);
    const seed = input.seed ?? '1';
    if (!/^\d+$/.test(seed))
      throw new RangeError(`test-job: seed must be a non-negative integer, got '${seed}'`);
    return {
      scenarioName: 'test-job',
      patients: input.patients ?? 10,
      seed,
      modelHash: sha256('exoniche test-job v1'),
      parameterHash: sha256(canonicalJson({ work: spec.work })),
      columns: TEST_JOB_COLUMNS,
      spec: { ...spec },
    };
  },
  async prepare(m: SweepManifest): Promise<PreparedJob> {
    const spec = readSpec(m.spec);
    const seed = BigInt(m.seed);
    return {
      rows(start: number, end: number, out: ColumnValues[]): void {
        for (let k = start; k < end; k++) {
          if (spec.delayMs > 0) pause(spec.delayMs);
          if (k === spec.failAt) throw new Error(`test-job: injected failure at patient ${k}`);
          const row = testJobRow(seed, k, spec.work);
          const i = k - start;
          (out[0] as Int32Array)[i] = row[0];
          (out[1] as Float64Array)[i] = row[1];
          (out[2] as Int32Array)[i] = row[2];
          (out[3] as Float64Array)[i] = row[3];
          (out[4] as Float64Array)[i] = row[4];
          (out[5] as string[])[i] = row[5];
          (out[6] as boolean[])[i] = row[6];
        }
      },
    };
  },
  async finalize(_m, values) {
    const u = values[1] as Float64Array;
    let mean = 0;
    for (let i = 0; i < u.length; i++) mean += u[i];
    return { summary: { rows: u.length, meanU: u.length > 0 ? mean / u.length : Number.NaN } };
  },
};
