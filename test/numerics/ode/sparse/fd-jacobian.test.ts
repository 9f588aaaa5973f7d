import { describe, expect, it } from 'vitest';
import { bandedPattern } from '../../../../src/numerics/linalg/csr.js';
import { bandedDifferenceJacobian } from '../../../../src/numerics/ode/banded-fd-jacobian.js';
import {
  createJacobianEvaluator,
  denseDifferenceJacobian,
  errorWeights,
  finiteDifferenceJacobian,
  increment,
  minIncrement,
  sparseDifferenceJacobian,
} from '../../../../src/numerics/ode/fd-jacobian.js';
import { brusselator1d, brusselator2d } from './brusselator.js';

/** Perturbed state so that no Jacobian entry is accidentally symmetric or zero. */
function state(y0: Float64Array): Float64Array {
  return Float64Array.from(y0, (v, i) => v * (1 + 0.1 * Math.sin(i)) + 0.05 * Math.cos(3 * i));
}

describe('difference Jacobians with CVODE increments', () => {
  it('coloured (Curtis-Powell-Reid) differences match the analytic sparse Jacobian with #colours evaluations', () => {
    const { problem, pattern, jacDense } = brusselator2d(8, 1);
    const n = problem.y0.length;
    const y = state(problem.y0);
    const fy = new Float64Array(n);
    problem.f(0, y, fy);
    const ewt = new Float64Array(n);
    // atol at the scale of the solution (|y| ~ 1..5): the increments are then ~sqrt(eps) |y| or larger.
    errorWeights(y, 1e-6, 1e-6, ewt);
    let reported = 0;
    let calls = 0;
    const fd = sparseDifferenceJacobian(
      (t, yy, dy) => {
        calls++;
        problem.f(t, yy, dy);
      },
      n,
      pattern,
      (c) => {
        reported += c;
      },
    );
    const values = new Float64Array(pattern.colIdx.length);
    fd(0, y, fy, 1e-3, ewt, values);
    // 2D periodic grid, interleaved u/v: the column intersection graph needs only a handful of colours.
    expect(fd.colors).toBeLessThanOrEqual(16);
    expect(calls).toBe(fd.colors);
    expect(reported).toBe(fd.colors);
    const J = new Float64Array(n * n);
    jacDense(0, y, J);
    let maxErr = 0;
    for (let i = 0; i < n; i++) {
      let rowScale = 0;
      for (let k = pattern.rowPtr[i]; k < pattern.rowPtr[i + 1]; k++) {
        rowScale = Math.max(rowScale, Math.abs(J[i * n + pattern.colIdx[k]]));
      }
      for (let k = pattern.rowPtr[i]; k < pattern.rowPtr[i + 1]; k++) {
        maxErr = Math.max(maxErr, Math.abs(values[k] - J[i * n + pattern.colIdx[k]]) / rowScale);
      }
    }
    // Components near zero (|y_j| ~ 1e-3) get CVODE's floor minInc / w_j ~ 1e-10, so the rounding error
    // eps |f_i| / inc_j of their columns reaches ~1e-5 of the row scale; other columns are accurate to ~1e-7.
    expect(maxErr).toBeLessThan(1e-4);
  });

  it('dense and banded differences reuse f(t, y): n and kl + ku + 1 evaluations, and agree with the analytic J', () => {
    const { problem, jacDense } = brusselator1d(30, 1);
    const n = problem.y0.length;
    const y = state(problem.y0);
    const fy = new Float64Array(n);
    problem.f(0, y, fy);
    const ewt = new Float64Array(n);
    errorWeights(y, 1e-6, 1e-8, ewt);
    const exact = new Float64Array(n * n);
    jacDense(0, y, exact);
    for (const [name, build, cost] of [
      ['dense', (cb: (c: number) => void) => denseDifferenceJacobian(problem.f, n, cb), n],
      [
        'banded',
        (cb: (c: number) => void) => bandedDifferenceJacobian(problem.f, n, { lower: 2, upper: 2 }, cb),
        5,
      ],
    ] as const) {
      let count = 0;
      const J = new Float64Array(n * n);
      build((c) => {
        count += c;
      })(0, y, fy, 1e-3, ewt, J);
      expect(count, name).toBe(cost);
      let maxErr = 0;
      let scale = 0;
      for (let i = 0; i < n * n; i++) {
        maxErr = Math.max(maxErr, Math.abs(J[i] - exact[i]));
        scale = Math.max(scale, Math.abs(exact[i]));
      }
      expect(maxErr / scale, name).toBeLessThan(1e-6);
    }
  });

  it('gives components near zero with a tiny atol an increment at their own scale', () => {
    // f_0 = -y_0^2 / (K + y_0) with K = 1e-14 at y_0 = 1e-14 (a Michaelis-Menten-like sink of a trace species):
    // d f_0 / d y_0 = -0.75. With atol_0 = 1e-20 the CVODE increment is ~1e-27, tiny against y_0; the
    // scale-free floor sqrt(eps) * 1e-5 = 1.5e-13 is 15 y_0 and ruins the derivative.
    const K = 1e-14;
    const f = (_t: number, y: Float64Array, dy: Float64Array): void => {
      dy[0] = -(y[0] * y[0]) / (K + y[0]);
      dy[1] = -y[1];
    };
    const y = Float64Array.from([1e-14, 1]);
    const fy = new Float64Array(2);
    f(0, y, fy);
    const ewt = new Float64Array(2);
    errorWeights(y, 1e-6, Float64Array.from([1e-20, 1e-8]), ewt);
    const minInc = minIncrement(fy, ewt, 1e-3);
    const inc0 = increment(y[0], ewt[0], minInc);
    expect(inc0).toBeLessThan(1e-3 * y[0]);
    expect(inc0).toBeGreaterThan(1e-15 * y[0]);
    const J = new Float64Array(4);
    denseDifferenceJacobian(f, 2)(0, y, fy, 1e-3, ewt, J);
    expect(Math.abs(J[0] + 0.75)).toBeLessThan(1e-3);
    expect(Math.abs(J[3] + 1)).toBeLessThan(1e-7);
    // The scale-free legacy increment is off by tens of percent here.
    const Jold = new Float64Array(4);
    finiteDifferenceJacobian(f, 2)(0, y, Jold);
    expect(Math.abs(Jold[0] + 0.75)).toBeGreaterThan(0.1);
  });

  it('minInc is 1 when f(t, y) = 0 and the increment falls back when the weight is infinite', () => {
    const ewt = Float64Array.from([1, Number.POSITIVE_INFINITY]);
    expect(minIncrement(new Float64Array(2), ewt, 0.1)).toBe(1);
    // atol = 0 and y = 0: weight infinite, CVODE's formula gives 0; the scale-free floor is used.
    expect(increment(0, Number.POSITIVE_INFINITY, 1)).toBeCloseTo(Math.sqrt(Number.EPSILON) * 1e-5, 20);
  });

  it('picks the Jacobian source from the problem and the linear solver', () => {
    const p1 = brusselator1d(30, 1).problem;
    expect(createJacobianEvaluator(p1, 'sparse').source).toBe('analytic-sparse');
    expect(createJacobianEvaluator(p1, 'dense').source).toBe('analytic');
    const noJac = brusselator1d(30, 1, { withJac: false }).problem;
    expect(createJacobianEvaluator(noJac, 'sparse').source).toBe('fd-colored');
    expect(createJacobianEvaluator(noJac, 'banded').source).toBe('fd-colored');
    const bandOnly = brusselator1d(30, 1, { withJac: false, pattern: false }).problem;
    expect(createJacobianEvaluator(bandOnly, 'banded').source).toBe('fd-banded');
    const plain = { ...bandOnly, bandwidth: undefined };
    expect(createJacobianEvaluator(plain, 'dense').source).toBe('fd-dense');
    expect(createJacobianEvaluator(brusselator2d(4, 1).problem, 'dense').source).toBe('analytic-sparse');
    expect(bandedPattern(5, 1, 1).colIdx.length).toBe(13);
  });
});
