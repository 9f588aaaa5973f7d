/**
 * Scaled error norms shared by every method: component i is weighted by atol_i + rtol * max(|y_i|, |yNew_i|),
 * so a norm <= 1 means every component satisfies |err_i| <= atol_i + rtol * |y_i| (Hairer, Norsett and Wanner,
 * Solving ODEs I, sec. II.4).
 */
import type { OdeRhs } from './problem.js';
import type { Tolerances } from './stepper.js';

/** Root-mean-square of err_i / (atol_i + rtol * max(|y_i|, |yNew_i|)). */
export function errorNormRms(
  err: Float64Array,
  y: Float64Array,
  yNew: Float64Array,
  tol: Tolerances,
): number {
  const n = err.length;
  const { rtol, atol } = tol;
  let sum = 0;
  if (typeof atol === 'number') {
    for (let i = 0; i < n; i++) {
      const sc = atol + rtol * Math.max(Math.abs(y[i]), Math.abs(yNew[i]));
      // a component that is exactly zero with atol = 0 has no error to weigh (0/0)
      const r = err[i] === 0 ? 0 : err[i] / sc;
      sum += r * r;
    }
  } else {
    for (let i = 0; i < n; i++) {
      const sc = atol[i] + rtol * Math.max(Math.abs(y[i]), Math.abs(yNew[i]));
      const r = err[i] === 0 ? 0 : err[i] / sc;
      sum += r * r;
    }
  }
  return n === 0 ? 0 : Math.sqrt(sum / n);
}

/** Max over components of |err_i| / (atol_i + rtol * max(|y_i|, |yNew_i|)). */
export function errorNormMax(
  err: Float64Array,
  y: Float64Array,
  yNew: Float64Array,
  tol: Tolerances,
): number {
  const n = err.length;
  const { rtol, atol } = tol;
  let m = 0;
  for (let i = 0; i < n; i++) {
    const a = typeof atol === 'number' ? atol : atol[i];
    const r = err[i] === 0 ? 0 : Math.abs(err[i]) / (a + rtol * Math.max(Math.abs(y[i]), Math.abs(yNew[i])));
    if (r > m || Number.isNaN(r)) m = r;
  }
  return m;
}

/**
 * Starting step size (Hairer, Norsett and Wanner, Solving ODEs I, sec. II.4, "Starting step size"):
 * balances |h| * |f| and |h|^2 * |f'| against the tolerance for a method of the given order.
 * `f0` holds f(t0, y0); `work1` and `work2` are scratch vectors of length n. Costs one f evaluation.
 */
export function initialStepSize(
  f: OdeRhs,
  t0: number,
  y0: Float64Array,
  f0: Float64Array,
  direction: 1 | -1,
  order: number,
  tol: Tolerances,
  hmax: number,
  work1: Float64Array,
  work2: Float64Array,
): number {
  const n = y0.length;
  const { rtol, atol } = tol;
  let d0 = 0;
  let d1 = 0;
  for (let i = 0; i < n; i++) {
    const sc = (typeof atol === 'number' ? atol : atol[i]) + rtol * Math.abs(y0[i]);
    d0 += (y0[i] / sc) ** 2;
    d1 += (f0[i] / sc) ** 2;
  }
  d0 = Math.sqrt(d0 / Math.max(n, 1));
  d1 = Math.sqrt(d1 / Math.max(n, 1));
  // Never below what t0 + h can resolve: after an event late in a long run (large |t0|, huge |f0|) the
  // estimate can fall under the spacing of doubles and the step would not advance t.
  const hFloor = Math.min(100 * Number.EPSILON * Math.abs(t0), hmax);
  let h0 = d0 < 1e-5 || d1 < 1e-5 ? 1e-6 : 0.01 * (d0 / d1);
  h0 = Math.max(Math.min(h0, hmax), hFloor);
  for (let i = 0; i < n; i++) work1[i] = y0[i] + direction * h0 * f0[i];
  f(t0 + direction * h0, work1, work2);
  let d2 = 0;
  for (let i = 0; i < n; i++) {
    const sc = (typeof atol === 'number' ? atol : atol[i]) + rtol * Math.abs(y0[i]);
    d2 += ((work2[i] - f0[i]) / sc) ** 2;
  }
  d2 = Math.sqrt(d2 / Math.max(n, 1)) / h0;
  const dmax = Math.max(d1, d2);
  const h1 = dmax <= 1e-15 ? Math.max(1e-6, h0 * 1e-3) : (0.01 / dmax) ** (1 / (order + 1));
  return Math.max(Math.min(100 * h0, h1, hmax), hFloor);
}
