import { describe, expect, it } from 'vitest';
import {
  type LeastSquaresProblem,
  type LeastSquaresResult,
  leastSquares,
  leastSquaresWorkspace,
} from '../../src/fitting/least-squares.js';

/**
 * The optional reusable workspace of leastSquares: a reused workspace must give bit-identical results to a fresh
 * one (whatever the previous call left in it), results must not alias it, and misuse must fail clearly.
 */

const T = Float64Array.from({ length: 10 }, (_, i) => 0.5 * i);
/** y = 2 exp(-0.5 t) with a fixed, deterministic wiggle (residual at the optimum not zero). */
const Y = Float64Array.from(T, (t, i) => 2 * Math.exp(-0.5 * t) + 0.01 * Math.sin(3 * i));
const EXACT = Float64Array.from(T, (t) => 2 * Math.exp(-0.5 * t));

function decay(
  y: Float64Array,
  analytic: boolean,
  extra: Partial<LeastSquaresProblem> = {},
): LeastSquaresProblem {
  const m = T.length;
  return {
    n: 2,
    m,
    residuals(b, r) {
      for (let i = 0; i < m; i++) r[i] = b[0] * Math.exp(-b[1] * T[i]) - y[i];
      return true;
    },
    ...(analytic
      ? {
          jacobian(b: Float64Array, J: Float64Array) {
            for (let i = 0; i < m; i++) {
              const e = Math.exp(-b[1] * T[i]);
              J[2 * i] = e;
              J[2 * i + 1] = -b[0] * T[i] * e;
            }
            return true;
          },
        }
      : {}),
    ...extra,
  };
}

const CASES: { name: string; problem: LeastSquaresProblem; x0: number[] }[] = [
  { name: 'exact data, analytic J', problem: decay(EXACT, true), x0: [1, 1] },
  { name: 'noisy data, forward differences', problem: decay(Y, false), x0: [5, 0.1] },
  { name: 'upper bound on b active', problem: decay(Y, true, { lo: [0, 0], hi: [10, 0.3] }), x0: [1, 0.1] },
  {
    name: 'residuals fail for b > 0.8',
    problem: {
      ...decay(Y, true),
      residuals(b, r) {
        if (b[1] > 0.8) return false;
        for (let i = 0; i < T.length; i++) r[i] = b[0] * Math.exp(-b[1] * T[i]) - Y[i];
        return true;
      },
    },
    x0: [0.5, 0.7],
  },
  { name: 'capped at 2 iterations', problem: decay(Y, true), x0: [5, 2] },
];

function expectBitIdentical(a: LeastSquaresResult, b: LeastSquaresResult): void {
  const same = (u: ArrayLike<number>, v: ArrayLike<number>) => {
    expect(u.length).toBe(v.length);
    for (let k = 0; k < u.length; k++)
      expect(Object.is(u[k], v[k]), `entry ${k}: ${u[k]} vs ${v[k]}`).toBe(true);
  };
  same(a.x, b.x);
  same(a.residuals, b.residuals);
  same(a.jacobian, b.jacobian);
  same(a.activeBounds, b.activeBounds);
  expect(Object.is(a.cost, b.cost)).toBe(true);
  expect([a.status, a.message, a.iterations, a.evaluations, a.jacobianEvaluations]).toEqual([
    b.status,
    b.message,
    b.iterations,
    b.evaluations,
    b.jacobianEvaluations,
  ]);
}

describe('leastSquares workspace option', () => {
  it('solves the cases correctly (fresh workspaces)', () => {
    const exact = leastSquares(CASES[0].problem, CASES[0].x0);
    expect(exact.status).not.toBe('failed');
    expect(Math.abs(exact.x[0] - 2)).toBeLessThanOrEqual(1e-10 * 2);
    expect(Math.abs(exact.x[1] - 0.5)).toBeLessThanOrEqual(1e-10 * 0.5);
    const bounded = leastSquares(CASES[2].problem, CASES[2].x0);
    expect(bounded.x[1]).toBe(0.3);
    expect(Array.from(bounded.activeBounds)).toEqual([0, 1]);
    const capped = leastSquares(CASES[4].problem, CASES[4].x0, { maxIterations: 2 });
    expect(capped.status).toBe('max-iterations');
  });

  it('a reused workspace gives bit-identical results to fresh ones, in any order', () => {
    const ws = leastSquaresWorkspace(2, T.length);
    const opts = (k: number) => (CASES[k].name.startsWith('capped') ? { maxIterations: 2 } : {});
    const fresh = CASES.map((c, k) => leastSquares(c.problem, c.x0, opts(k)));
    // Forward, then backward: each call starts from what a different problem left in the workspace.
    const order = [0, 1, 2, 3, 4, 4, 3, 2, 1, 0];
    const reused = order.map((k) =>
      leastSquares(CASES[k].problem, CASES[k].x0, { ...opts(k), workspace: ws }),
    );
    order.forEach((k, i) => {
      expectBitIdentical(reused[i], fresh[k]);
    });
  });

  it('results do not alias the workspace', () => {
    const ws = leastSquaresWorkspace(2, T.length);
    const first = leastSquares(CASES[1].problem, CASES[1].x0, { workspace: ws });
    const x = Array.from(first.x);
    const r = Array.from(first.residuals);
    leastSquares(CASES[2].problem, CASES[2].x0, { workspace: ws });
    expect(Array.from(first.x)).toEqual(x);
    expect(Array.from(first.residuals)).toEqual(r);
  });

  it('rejects a workspace of the wrong size or origin, and nested use', () => {
    expect(() => leastSquaresWorkspace(0, 3)).toThrow(/n must be a positive integer, got 0/);
    expect(() => leastSquaresWorkspace(2, 1.5)).toThrow(/m must be a positive integer, got 1.5/);
    const p = CASES[0].problem;
    expect(() => leastSquares(p, [1, 1], { workspace: leastSquaresWorkspace(2, 11) })).toThrow(
      /workspace is for n = 2, m = 11; the problem has n = 2, m = 10/,
    );
    expect(() => leastSquares(p, [1, 1], { workspace: { n: 2, m: 10 } })).toThrow(
      /must come from leastSquaresWorkspace/,
    );
    const ws = leastSquaresWorkspace(2, T.length);
    const nested: LeastSquaresProblem = {
      ...p,
      residuals(b, r) {
        leastSquares(p, [1, 1], { workspace: ws });
        return p.residuals(b, r);
      },
    };
    expect(() => leastSquares(nested, [1, 1], { workspace: ws })).toThrow(/workspace is in use/);
    // The failed call released the workspace: it works again, with the same result as a fresh one.
    expectBitIdentical(leastSquares(p, [1, 1], { workspace: ws }), leastSquares(p, [1, 1]));
  });
});
