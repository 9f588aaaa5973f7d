import { describe, expect, it } from 'vitest';
import type { OdeProblem } from '../../../../src/numerics/ode/problem.js';
import { solve } from '../../../../src/numerics/ode/solve.js';
import { brusselator1d, brusselator2d } from './brusselator.js';

function endState(problem: OdeProblem, method: string, rtol = 1e-6, atol = 1e-8) {
  const sol = solve(problem, { method, rtol, atol, saveat: [problem.tspan[1]] });
  expect(sol.retcode).toBe('Success');
  return { y: sol.state(sol.t.length - 1), stats: sol.stats };
}

function maxDiff(a: Float64Array, b: Float64Array): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

describe.each(['BDF', 'Rodas5P'])(
  '%s on Brusselator reaction-diffusion with sparse linear algebra',
  (method) => {
    it('1D, N = 100 (n = 200, t in [0, 10]): dense, banded and sparse LU give the same solution', () => {
      const runs = (['dense', 'banded', 'sparse'] as const).map((ls) =>
        endState(brusselator1d(100, 10, { linearSolver: ls }).problem, method),
      );
      // Same Jacobian values, different elimination orders: identical step sequences, results equal to rounding.
      for (const r of runs.slice(1)) {
        expect(r.stats.steps).toBe(runs[0].stats.steps);
        expect(r.stats.luDecomps).toBe(runs[0].stats.luDecomps);
        expect(maxDiff(r.y, runs[0].y)).toBeLessThan(1e-11);
      }
      // 'auto' picks banded here (band declared and narrow); same result.
      const auto = endState(brusselator1d(100, 10).problem, method);
      expect(maxDiff(auto.y, runs[1].y)).toBe(0);
    });

    it('1D without a Jacobian: coloured differences (4 colours, f(t, y) reused) agree with the analytic runs', () => {
      const exact = endState(brusselator1d(100, 10, { linearSolver: 'sparse' }).problem, method);
      for (const ls of ['dense', 'banded', 'sparse'] as const) {
        const fd = endState(brusselator1d(100, 10, { linearSolver: ls, withJac: false }).problem, method);
        // The interleaved u/v pattern needs 4 colours (rows touch 4 of the 5 band columns).
        expect(fd.stats.fEvals - exact.stats.fEvals).toBe(4 * fd.stats.jacEvals);
        expect(maxDiff(fd.y, exact.y)).toBeLessThan(1e-8);
      }
      // Band declared, no pattern: grouped banded differences, kl + ku + 1 = 5 evaluations per Jacobian.
      const banded = endState(brusselator1d(100, 10, { withJac: false, pattern: false }).problem, method);
      expect(banded.stats.fEvals - exact.stats.fEvals).toBe(5 * banded.stats.jacEvals);
      expect(maxDiff(banded.y, exact.y)).toBeLessThan(1e-8);
    });

    it('2D (BRUSS-2D), N = 8 (n = 128, t in [0, 1.5]): dense and sparse LU agree, and both match a tight reference', () => {
      const dense = endState(brusselator2d(8, 1.5, { linearSolver: 'dense' }).problem, method);
      const sparse = endState(brusselator2d(8, 1.5, { linearSolver: 'sparse' }).problem, method);
      const auto = endState(brusselator2d(8, 1.5).problem, method); // auto: pattern declared, n >= 40, sparse
      expect(sparse.stats.steps).toBe(dense.stats.steps);
      expect(maxDiff(sparse.y, dense.y)).toBeLessThan(1e-11);
      expect(maxDiff(auto.y, sparse.y)).toBe(0);
      const ref = endState(brusselator2d(8, 1.5).problem, 'Rodas5P', 1e-11, 1e-11);
      // Without any Jacobian: coloured differences on the sparse path (for BDF J only steers Newton, so the
      // result moves within the tolerance rather than to rounding).
      const fd = endState(brusselator2d(8, 1.5, { withJac: false }).problem, method);
      // Global error at rtol 1e-6: per component within 100 (atol + rtol |y|).
      for (let i = 0; i < ref.y.length; i++) {
        const tol = 100 * (1e-8 + 1e-6 * Math.abs(ref.y[i]));
        expect(Math.abs(sparse.y[i] - ref.y[i])).toBeLessThan(tol);
        expect(Math.abs(fd.y[i] - ref.y[i])).toBeLessThan(tol);
      }
    });
  },
);
