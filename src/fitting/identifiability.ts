/**
 * Local (Fisher information) identifiability at the optimum. With residuals r_i scaled by their standard
 * deviations, the Fisher information of a Gaussian (Gauss-Newton) model is F = J^T J, J the residual Jacobian.
 * Its spectrum shows which parameter combinations the data fix: an eigenvalue that is zero to rounding is a
 * direction along which the model output does not change at all (structural non-identifiability, e.g. only a
 * product a*b enters: null direction (1, -1)/sqrt(2) in (ln a, ln b)); a small one is a poorly determined
 * combination (sloppiness; Gutenkunst et al. 2007, PLoS Comput. Biol. 3:e189). Wald standard errors come from
 * F^-1 (the Cramér-Rao bound); they are only a local approximation, and the profile likelihood (profile.ts; Raue
 * et al. 2009, Bioinformatics 25:1923) decides the verdict when profiles are given.
 *
 * The analysis is done in the parameters' working coordinates (ln p for log-scale specs, p otherwise), in which
 * the knowledge base's ranges are meaningful and relative errors of rate constants are comparable; J is given
 * with respect to the natural values and its columns are scaled by p for log-scale specs (d r / d ln p = p dr/dp).
 * The SVD of J (one-sided Jacobi) is used rather than the eigen-decomposition of J^T J, so the small singular
 * values keep their relative accuracy.
 */
import { svd } from '../numerics/linalg/symmetric-eigen.js';
import type { ParameterProfile } from './profile.js';
import { chiSquare1Quantile } from './profile.js';
import { checkSpec, type ParameterSpec } from './transform.js';

export interface IdentifiabilityReport {
  names: string[];
  /** Eigenvalues of the Fisher information J^T J in working coordinates, ascending. */
  eigenvalues: Float64Array;
  /** Largest over smallest eigenvalue (Infinity when the smallest is 0). */
  conditionNumber: number;
  /** Singular values of J above rankTol times the largest. */
  rank: number;
  /** Wald standard errors in working coordinates (ln units for log specs); Infinity for parameters in a null direction. */
  standardErrors: Float64Array;
  /** n*n row-major correlation matrix of the estimates (NaN in rows/columns of parameters in a null direction). */
  correlation: Float64Array;
  /** Pairs with |r| >= strongCorrelation, and pairs sharing a null direction (r = +-1 from its signs). */
  strongPairs: { a: string; b: string; r: number }[];
  /** Eigenvectors (unit, largest component positive) of the eigenvalues below the rank threshold. */
  nullDirections: { eigenvalue: number; vector: Float64Array }[];
  /** Per parameter: the profile's verdict when a profile is given, else the local one. */
  verdicts: Record<string, string>;
  /** Wald intervals (natural values, clamped to the ranges) at `level`; null for non-identifiable parameters. */
  intervals?: ({ lower: number; upper: number } | null)[];
}

export interface IdentifiabilityOptions {
  /** Singular values below rankTol * s_max count as zero (default 1e-7; finite-difference Jacobians are ~1e-8 accurate). */
  rankTol?: number;
  /** |r| from which a pair is reported (default 0.95). */
  strongCorrelation?: number;
  /** A parameter is in a null direction when its component there exceeds this (default 0.05). */
  nullComponent?: number;
  /** Level of the Wald intervals (default 0.95). */
  level?: number;
  /** Coordinates of J's columns: 'natural' (default) or already 'working'. */
  jacobian?: 'natural' | 'working';
}

export function identifiability(
  J: Float64Array,
  m: number,
  specs: readonly ParameterSpec[],
  x: Float64Array,
  profiles?: readonly ParameterProfile[],
  options: IdentifiabilityOptions = {},
): IdentifiabilityReport {
  for (const p of specs) checkSpec(p);
  const n = specs.length;
  if (n < 1) throw new RangeError('identifiability: need at least one parameter');
  if (!(Number.isInteger(m) && m >= 1) || J.length !== m * n)
    throw new RangeError(`identifiability: J has ${J.length} entries, expected m*n = ${m}*${n}`);
  if (x.length !== n) throw new RangeError(`identifiability: x has ${x.length} values, expected ${n}`);
  const rankTol = options.rankTol ?? 1e-7;
  const strong = options.strongCorrelation ?? 0.95;
  const nullComponent = options.nullComponent ?? 0.05;
  const names = specs.map((p) => p.name);
  // Working-coordinate Jacobian, padded with zero rows to at least n rows for the thin SVD.
  const rows = Math.max(m, n);
  const Jw = new Float64Array(rows * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      const v = J[i * n + j];
      if (!Number.isFinite(v))
        throw new RangeError(`identifiability: J[${i}, ${j}] (${names[j]}) is not finite: ${v}`);
      Jw[i * n + j] = options.jacobian !== 'working' && specs[j].scale === 'log' ? v * x[j] : v;
    }
  const { s, v } = svd(Jw, rows, n);
  const sMax = s[0];
  let rank = 0;
  for (let k = 0; k < n; k++) if (s[k] > rankTol * sMax && s[k] > 0) rank++;
  // Ascending eigenvalues of F = J^T J and their eigenvectors (columns of V in reverse order).
  const eigenvalues = new Float64Array(n);
  for (let k = 0; k < n; k++) eigenvalues[k] = s[n - 1 - k] ** 2;
  const conditionNumber = eigenvalues[0] > 0 ? eigenvalues[n - 1] / eigenvalues[0] : Number.POSITIVE_INFINITY;
  const nullDirections: { eigenvalue: number; vector: Float64Array }[] = [];
  const inNull = new Uint8Array(n);
  for (let k = rank; k < n; k++) {
    const vec = Float64Array.from({ length: n }, (_, j) => v[j * n + k]);
    let big = 0;
    for (let j = 1; j < n; j++) if (Math.abs(vec[j]) > Math.abs(vec[big])) big = j;
    if (vec[big] < 0) for (let j = 0; j < n; j++) vec[j] = -vec[j];
    for (let j = 0; j < n; j++) if (Math.abs(vec[j]) > nullComponent) inNull[j] = 1;
    nullDirections.push({ eigenvalue: s[k] ** 2, vector: vec });
  }
  // Pseudo-inverse covariance over the identifiable subspace: sum_{k < rank} v_k v_k^T / s_k^2.
  const cov = new Float64Array(n * n);
  for (let k = 0; k < rank; k++) {
    const w = 1 / (s[k] * s[k]);
    for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) cov[a * n + b] += w * v[a * n + k] * v[b * n + k];
  }
  const standardErrors = new Float64Array(n);
  for (let j = 0; j < n; j++)
    standardErrors[j] = inNull[j] ? Number.POSITIVE_INFINITY : Math.sqrt(cov[j * n + j]);
  const correlation = new Float64Array(n * n);
  for (let a = 0; a < n; a++)
    for (let b = 0; b < n; b++)
      correlation[a * n + b] =
        inNull[a] || inNull[b]
          ? a === b
            ? 1
            : Number.NaN
          : a === b
            ? 1
            : cov[a * n + b] / (standardErrors[a] * standardErrors[b]);
  const strongPairs: { a: string; b: string; r: number }[] = [];
  for (let a = 0; a < n; a++)
    for (let b = a + 1; b < n; b++) {
      let r = correlation[a * n + b];
      if (Number.isNaN(r)) {
        // Pairs sharing a null direction are perfectly (anti-)correlated along it.
        const shared = nullDirections.find(
          (d) => Math.abs(d.vector[a]) > nullComponent && Math.abs(d.vector[b]) > nullComponent,
        );
        if (!shared) continue;
        r = Math.sign(shared.vector[a] * shared.vector[b]);
      }
      if (Math.abs(r) >= strong) strongPairs.push({ a: names[a], b: names[b], r });
    }
  const z = Math.sqrt(chiSquare1Quantile(options.level ?? 0.95));
  const verdicts: Record<string, string> = {};
  const intervals: ({ lower: number; upper: number } | null)[] = [];
  for (let j = 0; j < n; j++) {
    const p = specs[j];
    const wx = p.scale === 'log' ? Math.log(x[j]) : x[j];
    const width = p.scale === 'log' ? Math.log(p.hi / p.lo) : p.hi - p.lo;
    const back = (w: number) => Math.min(p.hi, Math.max(p.lo, p.scale === 'log' ? Math.exp(w) : w));
    const se = standardErrors[j];
    intervals.push(Number.isFinite(se) ? { lower: back(wx - z * se), upper: back(wx + z * se) } : null);
    const profile = profiles?.find((q) => q.name === p.name);
    verdicts[p.name] = profile
      ? profile.verdict
      : inNull[j]
        ? 'structurally-non-identifiable'
        : 2 * z * se > width
          ? 'practically-non-identifiable'
          : 'identifiable';
  }
  return {
    names,
    eigenvalues,
    conditionNumber,
    rank,
    standardErrors,
    correlation,
    strongPairs,
    nullDirections,
    verdicts,
    intervals,
  };
}
