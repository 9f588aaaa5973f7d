/**
 * Forward-difference Jacobian for problems without an analytic one. Column j uses the increment
 * sqrt(eps) * max(|y_j|, atol_j / rtol-ish floor), the usual choice that balances truncation and rounding error.
 */
import type { OdeJacobian, OdeRhs } from './problem.js';

const SQRT_EPS = Math.sqrt(Number.EPSILON);

/**
 * Build a dense finite-difference Jacobian with its own scratch buffers.
 * `onEval(k)` is told how many f evaluations each call used (n), for statistics.
 */
export function finiteDifferenceJacobian(f: OdeRhs, n: number, onEval?: (count: number) => void): OdeJacobian {
  const f0 = new Float64Array(n);
  const f1 = new Float64Array(n);
  const yp = new Float64Array(n);
  return (t, y, J) => {
    f(t, y, f0);
    yp.set(y);
    for (let j = 0; j < n; j++) {
      const yj = y[j];
      const dy = SQRT_EPS * Math.max(Math.abs(yj), 1e-5);
      yp[j] = yj + dy;
      const step = yp[j] - yj; // exactly representable increment
      f(t, yp, f1);
      yp[j] = yj;
      const inv = 1 / step;
      for (let i = 0; i < n; i++) J[i * n + j] = (f1[i] - f0[i]) * inv;
    }
    onEval?.(n + 1);
  };
}
