/** Two-sample tests for comparing an approximate engine with the exact one (test helper). */
import { chiSquarePValue } from '../random/stat-helpers.js';

/**
 * Two-sample chi-square homogeneity test on integer-valued samples: cells are consecutive values of the
 * pooled sample, merged left to right until each pooled cell holds >= 2*minExpected observations.
 */
export function twoSampleChiSquare(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  minExpected = 5,
): { stat: number; df: number; p: number } {
  const pooled = Float64Array.from([...Array.from(a), ...Array.from(b)]).sort();
  // cell edges: values at which the pooled count reaches the target
  const edges: number[] = [];
  const target = 2 * minExpected * Math.max(1, Math.floor(pooled.length / (40 * 2 * minExpected)));
  let c = 0;
  for (let i = 0; i < pooled.length; i++) {
    c++;
    const last = i === pooled.length - 1 || pooled[i + 1] !== pooled[i];
    if (last && c >= target) {
      edges.push(pooled[i]);
      c = 0;
    }
  }
  if (c > 0 && edges.length > 0) edges.pop(); // fold the short tail into the last cell
  const cell = (v: number): number => {
    let k = 0;
    while (k < edges.length && v > edges[k]) k++;
    return k;
  };
  const K = edges.length + 1;
  const ca = new Float64Array(K);
  const cb = new Float64Array(K);
  for (let i = 0; i < a.length; i++) ca[cell(a[i])]++;
  for (let i = 0; i < b.length; i++) cb[cell(b[i])]++;
  const na = a.length;
  const nb = b.length;
  let stat = 0;
  for (let k = 0; k < K; k++) {
    const tot = ca[k] + cb[k];
    if (tot === 0) continue;
    const ea = (tot * na) / (na + nb);
    const eb = (tot * nb) / (na + nb);
    stat += (ca[k] - ea) ** 2 / ea + (cb[k] - eb) ** 2 / eb;
  }
  const df = Math.max(1, K - 1);
  return { stat, df, p: chiSquarePValue(stat, df) };
}

/** Two-sample Kolmogorov-Smirnov statistic and asymptotic p-value (conservative for discrete data). */
export function twoSampleKs(a: ArrayLike<number>, b: ArrayLike<number>): { d: number; p: number } {
  const x = Float64Array.from(a).sort();
  const y = Float64Array.from(b).sort();
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < x.length && j < y.length) {
    const v = Math.min(x[i], y[j]);
    while (i < x.length && x[i] <= v) i++;
    while (j < y.length && y[j] <= v) j++;
    d = Math.max(d, Math.abs(i / x.length - j / y.length));
  }
  const ne = (x.length * y.length) / (x.length + y.length);
  const sn = Math.sqrt(ne);
  const lambda = (sn + 0.12 + 0.11 / sn) * d;
  if (lambda < 0.2) return { d, p: 1 };
  let p = 0;
  for (let k = 1; k <= 100; k++) p += 2 * (-1) ** (k - 1) * Math.exp(-2 * k * k * lambda * lambda);
  return { d, p: Math.min(1, Math.max(0, p)) };
}

export function meanVar(x: ArrayLike<number>): { mean: number; variance: number } {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  const mean = s / x.length;
  let v = 0;
  for (let i = 0; i < x.length; i++) v += (x[i] - mean) ** 2;
  return { mean, variance: v / (x.length - 1) };
}

/** z for the difference of two sample means (Welch). */
export function zMeans(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const A = meanVar(a);
  const B = meanVar(b);
  const se = Math.sqrt(A.variance / a.length + B.variance / b.length);
  return se > 0 ? (A.mean - B.mean) / se : A.mean === B.mean ? 0 : Number.POSITIVE_INFINITY;
}

/** Ratio of sample variances and its rough two-sided bound at ~4 sigma (normal-theory SE sqrt(2/(n-1)) each). */
export function varianceRatioOk(a: ArrayLike<number>, b: ArrayLike<number>, z = 4): boolean {
  const r = meanVar(a).variance / meanVar(b).variance;
  const se = Math.sqrt(2 / (a.length - 1) + 2 / (b.length - 1));
  return Math.abs(Math.log(r)) < z * se * 1.5; // 1.5: excess kurtosis allowance for skewed counts
}
