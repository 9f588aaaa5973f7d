/**
 * Variance-based global sensitivity (Sobol' indices) by the Saltelli pick-and-freeze design.
 *
 * Design (Saltelli et al. 2010, "Variance based sensitivity analysis of model output. Design and estimator for the
 * total sensitivity index", Comput. Phys. Commun. 181:259-270): two independent n x d base matrices A and B and,
 * for each parameter i, the matrix A_B^(i) = A with column i taken from B; n (d + 2) model runs in all.
 * Estimators: first order by Saltelli 2010: V_i = mean_j f(B)_j (f(A_B^i)_j - f(A)_j), with f(B)
 * centred on the sample mean (same limit since E[f(A_B^i) - f(A)] = 0, but without the variance blow-up
 * of an output with a large offset);
 * total order by Jansen (1999, "Analysis of variance designs for model output", Comput. Phys. Commun.
 * 117:35-43): V_Ti = mean_j (f(A)_j - f(A_B^i)_j)^2 / 2; both divided by the variance of f over A and B.
 *
 * Base samples: plain Monte Carlo from a keyed Philox stream, not a scrambled low-discrepancy sequence. Reasons:
 * (1) the bootstrap confidence intervals resample base rows and are only valid when rows are i.i.d., which QMC
 * rows are not; (2) row j of A and B is a pure function of (seed, j, d), so a design of n rows is the prefix of one of
 * 2n rows (a study can be extended without recomputing) and any shard of rows can be regenerated on its own;
 * (3) no direction-number tables to vet. The cost is O(n^-1/2) error instead of nearly O(n^-1); the tests state
 * the n needed for 0.02 accuracy on the Ishigami and G functions.
 */

import { streamFor } from '../../numerics/random/stream.js';
import { checkSpec, fromUnit, type ParameterSpec, ParameterSpecError } from '../transform.js';

/** Parameters of a global analysis: ranges with 'linear' (uniform) or 'log' (log-uniform) scale. */
export type GsaSpec = readonly ParameterSpec[];

export class GsaError extends Error {
  override name = 'GsaError';
}

/** A Saltelli design: the points to evaluate and what is needed to turn their values into indices. */
export interface SobolDesign {
  readonly kind: 'sobol-saltelli';
  readonly names: readonly string[];
  /** Base sample size (rows of A, of B and of each A_B^(i)). */
  readonly n: number;
  /** Number of parameters. */
  readonly d: number;
  readonly seed: number;
  /**
   * Row-major (rows x d) parameter values. Rows [0, n) are A, [n, 2n) are B, [(2 + i) n, (3 + i) n) are A_B^(i).
   * Rows are independent of each other: evaluate them in any order or in shards, and pass values by row index.
   */
  readonly points: Float64Array;
  /** The same rows as positions in the unit hypercube (before the uniform/log-uniform map). */
  readonly unit: Float64Array;
  readonly rows: number;
}

/** Row index in a design of base row j (0 <= j < n) of block 'A', 'B' or parameter i's A_B^(i). */
export function sobolRow(design: SobolDesign, block: 'A' | 'B' | number, j: number): number {
  const b = block === 'A' ? 0 : block === 'B' ? 1 : 2 + block;
  return b * design.n + j;
}

export function checkGsaSpec(spec: GsaSpec): void {
  if (!Array.isArray(spec) || spec.length === 0) throw new GsaError('gsa spec: need at least one parameter');
  const seen = new Set<string>();
  for (const [k, p] of spec.entries()) {
    if (typeof p?.name !== 'string' || p.name === '')
      throw new GsaError(`gsa spec[${k}]: need a non-empty name`);
    if (seen.has(p.name)) throw new GsaError(`gsa spec[${k}]: duplicate parameter name '${p.name}'`);
    seen.add(p.name);
    if (p.scale !== 'linear' && p.scale !== 'log')
      throw new GsaError(
        `gsa spec[${k}] '${p.name}': scale must be 'linear' or 'log', got ${String(p.scale)}`,
      );
    try {
      checkSpec(p);
    } catch (e) {
      if (e instanceof ParameterSpecError) throw new GsaError(`gsa spec[${k}]: ${e.message}`);
      throw e;
    }
  }
}

export function checkSeed(seed: number, what: string): void {
  if (!Number.isSafeInteger(seed) || seed < 0)
    throw new GsaError(`${what}: seed must be a non-negative safe integer, got ${seed}`);
}

/** Most base rows; n (d + 2) rows of d doubles must fit comfortably in memory. */
const MAX_N = 2 ** 24;

/**
 * The Saltelli design for `spec` with n base rows. Base row j of A then of B is 2d uniforms (4d 32-bit words,
 * from word 4dj) of the keyed stream (seed, ['gsa', 'sobol']): designs with the same seed and growing n share their
 * first rows, and any shard of rows can be regenerated alone by seeking the stream.
 */
export function sobolDesign(spec: GsaSpec, n: number, seed: number): SobolDesign {
  checkGsaSpec(spec);
  if (!Number.isInteger(n) || n < 2 || n > MAX_N)
    throw new GsaError(`sobolDesign: n must be an integer in [2, ${MAX_N}], got ${n}`);
  checkSeed(seed, 'sobolDesign');
  const d = spec.length;
  const rows = n * (d + 2);
  const unit = new Float64Array(rows * d);
  const points = new Float64Array(rows * d);
  const aOff = 0;
  const bOff = n * d;
  const s = streamFor(seed, ['gsa', 'sobol']);
  for (let j = 0; j < n; j++) {
    for (let k = 0; k < d; k++) unit[aOff + j * d + k] = s.nextFloat64();
    for (let k = 0; k < d; k++) unit[bOff + j * d + k] = s.nextFloat64();
  }
  for (let i = 0; i < d; i++) {
    const off = (2 + i) * n * d;
    unit.copyWithin(off, aOff, aOff + n * d);
    for (let j = 0; j < n; j++) unit[off + j * d + i] = unit[bOff + j * d + i] as number;
  }
  for (let r = 0; r < rows; r++)
    for (let k = 0; k < d; k++)
      points[r * d + k] = fromUnit(spec[k] as ParameterSpec, unit[r * d + k] as number);
  return { kind: 'sobol-saltelli', names: spec.map((p) => p.name), n, d, seed, points, unit, rows };
}

export interface SobolOptions {
  /** Bootstrap resamples for the confidence intervals (default 1000; 0 gives no intervals, CI = [NaN, NaN]). */
  readonly bootstrap?: number;
  /** Two-sided confidence level of the percentile intervals (default 0.95). */
  readonly confidence?: number;
  /** Seed of the bootstrap stream (default the design's seed); resamples come from (seed, ['gsa', 'bootstrap']). */
  readonly seed?: number;
}

export interface SobolIndices {
  readonly names: readonly string[];
  readonly first: Float64Array;
  readonly total: Float64Array;
  /** Percentile bootstrap intervals: [lo_0, hi_0, lo_1, hi_1, ...]. */
  readonly firstCI: Float64Array;
  readonly totalCI: Float64Array;
  /** Variance of the output over A and B. */
  readonly variance: number;
}

/**
 * Accumulates the estimators over base rows idx[0..m) (idx null: rows 0..n-1) into first/total (length d).
 * Returns the output variance over A and B (0: indices undefined, first/total untouched).
 */
function estimate(
  values: Float64Array,
  n: number,
  d: number,
  idx: Int32Array | null,
  first: Float64Array,
  total: Float64Array,
): number {
  // One-pass variance about a shift (the first value) against cancellation when the mean is large.
  const shift = values[idx ? (idx[0] as number) : 0] as number;
  let s1 = 0;
  let s2 = 0;
  for (let t = 0; t < n; t++) {
    const j = idx ? (idx[t] as number) : t;
    const a = (values[j] as number) - shift;
    const b = (values[n + j] as number) - shift;
    s1 += a + b;
    s2 += a * a + b * b;
  }
  const m = 2 * n;
  const mean = s1 / m;
  const v = s2 / m - mean * mean;
  const centre = shift + mean;
  if (!(v > 0)) return 0;
  for (let i = 0; i < d; i++) {
    const off = (2 + i) * n;
    let f = 0;
    let tt = 0;
    for (let t = 0; t < n; t++) {
      const j = idx ? (idx[t] as number) : t;
      const fa = values[j] as number;
      const fb = (values[n + j] as number) - centre;
      const fab = values[off + j] as number;
      f += fb * (fab - fa);
      tt += (fa - fab) * (fa - fab);
    }
    first[i] = f / n / v;
    total[i] = tt / (2 * n) / v;
  }
  return v;
}

/** Linear-interpolated quantile of sorted data (type 7). */
function quantileSorted(x: Float64Array, q: number): number {
  const h = (x.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(x.length - 1, lo + 1);
  return (x[lo] as number) + (h - lo) * ((x[hi] as number) - (x[lo] as number));
}

/**
 * First- and total-order indices from the model values of a design (values[r] = f(row r)), with percentile bootstrap
 * intervals (Efron & Tibshirani 1993): each resample draws n base rows with replacement, keeping the A, B and
 * A_B^(i) rows of a base row together, from the keyed stream (seed, ['gsa', 'bootstrap']).
 */
export function sobolIndices(
  design: SobolDesign,
  values: Float64Array,
  options: SobolOptions = {},
): SobolIndices {
  const { n, d } = design;
  if (design.kind !== 'sobol-saltelli') throw new GsaError('sobolIndices: not a Saltelli design');
  if (!(values instanceof Float64Array) || values.length !== design.rows)
    throw new GsaError(
      `sobolIndices: need ${design.rows} values (n (d + 2) = ${n} x ${d + 2}), got ${values?.length}`,
    );
  for (let r = 0; r < values.length; r++)
    if (!Number.isFinite(values[r]))
      throw new GsaError(`sobolIndices: value of row ${r} is not finite (${values[r]})`);
  const nboot = options.bootstrap ?? 1000;
  const conf = options.confidence ?? 0.95;
  const seed = options.seed ?? design.seed;
  if (!Number.isInteger(nboot) || nboot < 0)
    throw new GsaError(`sobolIndices: bootstrap must be an integer >= 0, got ${nboot}`);
  if (!(conf > 0 && conf < 1)) throw new GsaError(`sobolIndices: confidence must lie in (0, 1), got ${conf}`);
  checkSeed(seed, 'sobolIndices');
  const first = new Float64Array(d);
  const total = new Float64Array(d);
  const v = estimate(values, n, d, null, first, total);
  if (v === 0)
    throw new GsaError('sobolIndices: the output has zero variance over A and B; indices are undefined');
  const firstCI = new Float64Array(2 * d).fill(Number.NaN);
  const totalCI = new Float64Array(2 * d).fill(Number.NaN);
  if (nboot > 0) {
    const s = streamFor(seed, ['gsa', 'bootstrap']);
    const idx = new Int32Array(n);
    const bf = new Float64Array(d);
    const bt = new Float64Array(d);
    const fs = new Float64Array(nboot * d);
    const ts = new Float64Array(nboot * d);
    let kept = 0;
    for (let b = 0; b < nboot; b++) {
      // Multiply-shift index draw: floor(u n) with u a 53-bit uniform; bias < n 2^-53, negligible for n <= 2^24.
      for (let t = 0; t < n; t++) idx[t] = Math.floor(s.nextFloat64() * n);
      if (estimate(values, n, d, idx, bf, bt) === 0) continue;
      for (let i = 0; i < d; i++) {
        fs[i * nboot + kept] = bf[i] as number;
        ts[i * nboot + kept] = bt[i] as number;
      }
      kept++;
    }
    if (kept > 1) {
      const lo = (1 - conf) / 2;
      const hi = 1 - lo;
      for (let i = 0; i < d; i++) {
        const fi = fs.subarray(i * nboot, i * nboot + kept).sort();
        const ti = ts.subarray(i * nboot, i * nboot + kept).sort();
        firstCI[2 * i] = quantileSorted(fi, lo);
        firstCI[2 * i + 1] = quantileSorted(fi, hi);
        totalCI[2 * i] = quantileSorted(ti, lo);
        totalCI[2 * i + 1] = quantileSorted(ti, hi);
      }
    }
  }
  return { names: design.names, first, total, firstCI, totalCI, variance: v };
}
