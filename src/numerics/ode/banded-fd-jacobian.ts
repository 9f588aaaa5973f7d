/**
 * Finite-difference Jacobian for a banded right-hand side, with column grouping (Curtis, Powell and Reid,
 * "On the estimation of sparse Jacobian matrices", J. Inst. Maths Applics 13, 1974): columns j and j' with
 * |j - j'| >= kl + ku + 1 touch disjoint rows, so all columns j = g (mod kl + ku + 1) are perturbed in one
 * f evaluation. Cost kl + ku + 1 evaluations (f(t, y) comes from the caller) instead of n. Increments as in
 * fd-jacobian.ts (CVODE's rule). Used by both Rosenbrock and BDF when a band is declared.
 */
import type { DifferenceJacobian } from './fd-jacobian.js';
import { increment, minIncrement } from './fd-jacobian.js';
import type { Bandwidth, OdeJacobian, OdeRhs } from './problem.js';

const SQRT_EPS = Math.sqrt(Number.EPSILON);

/** Writes the dense row-major J (entries outside the band set to zero). */
export function bandedDifferenceJacobian(
  f: OdeRhs,
  n: number,
  bandwidth: Bandwidth,
  onEval?: (count: number) => void,
): DifferenceJacobian {
  const kl = Math.max(0, Math.min(bandwidth.lower, n - 1));
  const ku = Math.max(0, Math.min(bandwidth.upper, n - 1));
  const width = Math.min(kl + ku + 1, n);
  const f1 = new Float64Array(n);
  const yp = new Float64Array(n);
  const inc = new Float64Array(n);
  return (t, y, fy, h, ewt, J) => {
    const minInc = minIncrement(fy, ewt, h);
    J.fill(0);
    yp.set(y);
    for (let g = 0; g < width; g++) {
      for (let j = g; j < n; j += width) {
        const yj = y[j];
        yp[j] = yj + increment(yj, ewt[j], minInc);
        inc[j] = yp[j] - yj; // exactly representable increment
      }
      f(t, yp, f1);
      for (let j = g; j < n; j += width) {
        yp[j] = y[j];
        const inv = 1 / inc[j];
        const i0 = Math.max(0, j - ku);
        const i1 = Math.min(n - 1, j + kl);
        for (let i = i0; i <= i1; i++) J[i * n + j] = (f1[i] - fy[i]) * inv;
      }
    }
    onEval?.(width);
  };
}

/**
 * Self-contained variant (evaluates f(t, y) itself: kl + ku + 2 evaluations) with the scale-free increment
 * sqrt(eps) max(|y_j|, 1e-5), for callers without tolerances; implicit methods use the one above.
 */
export function bandedFiniteDifferenceJacobian(
  f: OdeRhs,
  n: number,
  bandwidth: Bandwidth,
  onEval?: (count: number) => void,
): OdeJacobian {
  const kl = Math.max(0, Math.min(bandwidth.lower, n - 1));
  const ku = Math.max(0, Math.min(bandwidth.upper, n - 1));
  const width = Math.min(kl + ku + 1, n);
  const f0 = new Float64Array(n);
  const f1 = new Float64Array(n);
  const yp = new Float64Array(n);
  const inc = new Float64Array(n);
  return (t, y, J) => {
    f(t, y, f0);
    J.fill(0);
    for (let g = 0; g < width; g++) {
      yp.set(y);
      for (let j = g; j < n; j += width) {
        const yj = y[j];
        yp[j] = yj + SQRT_EPS * Math.max(Math.abs(yj), 1e-5);
        inc[j] = yp[j] - yj;
      }
      f(t, yp, f1);
      for (let j = g; j < n; j += width) {
        const inv = 1 / inc[j];
        const i0 = Math.max(0, j - ku);
        const i1 = Math.min(n - 1, j + kl);
        for (let i = i0; i <= i1; i++) J[i * n + j] = (f1[i] - f0[i]) * inv;
      }
    }
    onEval?.(width + 1);
  };
}
