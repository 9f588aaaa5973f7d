import { describe, expect, it } from 'vitest';
import { bandedFiniteDifferenceJacobian } from '../../../../src/numerics/ode/rosenbrock/banded-fd-jacobian.js';

const n = 30;
// f_i = sin(y_i) y_{i-2} + y_{i+1}^2 + exp(-y_{i-1}) + t: lower bandwidth 2, upper bandwidth 1.
const at = (y: Float64Array, i: number) => (i >= 0 && i < n ? y[i] : 0);
function f(t: number, y: Float64Array, dy: Float64Array): void {
  for (let i = 0; i < n; i++)
    dy[i] = Math.sin(y[i]) * at(y, i - 2) + at(y, i + 1) ** 2 + Math.exp(-at(y, i - 1)) + t;
}
function exactJ(y: Float64Array): Float64Array {
  const J = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    J[i * n + i] = Math.cos(y[i]) * at(y, i - 2);
    if (i >= 2) J[i * n + i - 2] = Math.sin(y[i]);
    if (i >= 1) J[i * n + i - 1] = -Math.exp(-y[i - 1]);
    if (i + 1 < n) J[i * n + i + 1] = 2 * y[i + 1];
  }
  return J;
}

describe('banded finite-difference Jacobian (column grouping)', () => {
  it('matches the analytic Jacobian to 1e-6 relative with kl + ku + 2 evaluations', () => {
    // Components of order one: the increment sqrt(eps) |y_j| then balances truncation and rounding (~1e-8).
    const y = Float64Array.from({ length: n }, (_, i) => 1 + 0.5 * Math.sin(i));
    let calls = 0;
    let reported = 0;
    const jac = bandedFiniteDifferenceJacobian(
      (t, yy, dy) => {
        calls++;
        f(t, yy, dy);
      },
      n,
      { lower: 2, upper: 1 },
      (c) => {
        reported += c;
      },
    );
    const J = new Float64Array(n * n).fill(Number.NaN);
    jac(0.5, y, J);
    expect(calls).toBe(2 + 1 + 1 + 1);
    expect(reported).toBe(calls);
    const E = exactJ(y);
    for (let k = 0; k < n * n; k++) expect(Math.abs(J[k] - E[k])).toBeLessThan(1e-6 * (1 + Math.abs(E[k])));
  });
});
