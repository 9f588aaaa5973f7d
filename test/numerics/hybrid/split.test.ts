/**
 * The split-step hybrid stepper (src/numerics/hybrid/split.ts) against the exact direct method on the feed model of
 * hybrid.test.ts (same two-sample criteria as the exact-coupling engine there, significance ~1e-3), against the
 * analytic extinction probability of a linear birth-death process, in the all-continuous limit against the analytic
 * ODE solution, through a repartition, and for reproducibility.
 */
import { describe, expect, it } from 'vitest';
import { SplitHybridStepper, type SplitSystem } from '../../../src/numerics/hybrid/split.js';
import { Rodas5P } from '../../../src/numerics/ode/rosenbrock/index.js';
import { createStreamFactory } from '../../../src/numerics/random/index.js';
import { DirectMethod } from '../../../src/numerics/ssa/direct.js';
import { jumpProblem } from '../../../src/numerics/ssa/problem.js';
import { meanVar, twoSampleChiSquare, twoSampleKs, zMeans } from '../ssa/two-sample.js';

/** X: 0 -> X (k1), X -> 0 (k2 x), X(0) = 3; X -> X + Y (c x), Y -> 0 (d y), Y(0) = 400 (hybrid.test.ts). */
const feed = jumpProblem({
  x0: [3, 400],
  p: Float64Array.of(1, 1, 200, 0.5),
  propensities: [
    (_t, _x, p) => p[0],
    (_t, x, p) => p[1] * x[0],
    (_t, x, p) => p[2] * x[0],
    (_t, x, p) => p[3] * x[1],
  ],
  changes: [[[0, 1]], [[0, -1]], [[1, 1]], [[1, -1]]],
  reads: [[], [0], [0], [1]],
});
const feedSystem: SplitSystem = {
  problem: feed,
  p: feed.p,
  rhs: (_t, y, p, dy) => {
    dy[0] = p[0] - p[1] * y[0];
    dy[1] = p[2] * y[0] - p[3] * y[1];
  },
  jacobian: (_t, _y, p, J) => {
    J[0] = -p[1];
    J[1] = 0;
    J[2] = p[2];
    J[3] = -p[3];
  },
};

/** Runs to each of `times` (reading inside steps from the dense output) and returns the states there. */
function trajectory(h: SplitHybridStepper, times: readonly number[], out: Float64Array): void {
  const buf = new Float64Array(h.n);
  times.forEach((T, k) => {
    while (h.t < T) expect(h.step(times[times.length - 1])).toBe('ok');
    h.interpolate(T, buf);
    for (let i = 0; i < h.n; i++) out[k * h.n + i] = buf[i];
  });
}

const N = 1500;
const SAVES = [0.5, 2, 5];

describe('SplitHybridStepper', () => {
  it('low-count birth-death feeding a large compartment: distributions match the exact method', () => {
    const e = new DirectMethod(feed);
    const f = createStreamFactory(101);
    const ex = [0, 1, 2, 3].map(() => new Float64Array(N));
    for (let r = 0; r < N; r++) {
      e.reset(0, f.stream({ replicate: r, purpose: 'ssa' }));
      SAVES.forEach((T, k) => {
        while (e.peek() <= T) e.fire();
        ex[k][r] = e.x[0];
      });
      ex[3][r] = e.x[1];
    }
    const h = new SplitHybridStepper(feedSystem, feed.x0, {
      method: Rodas5P,
      partition: ['auto', 'auto'],
      rtol: 1e-7,
      atol: 1e-6,
      hJump: 0.05,
    });
    const g = createStreamFactory(202);
    const hy = [0, 1, 2, 3].map(() => new Float64Array(N));
    const row = new Float64Array(SAVES.length * 2);
    let firings = 0;
    for (let r = 0; r < N; r++) {
      h.start(0, feed.x0, g.stream({ replicate: r, purpose: 'hybrid' }));
      trajectory(h, SAVES, row);
      for (let k = 0; k < 3; k++) hy[k][r] = row[k * 2];
      hy[3][r] = row[2 * 2 + 1];
      firings += h.firings;
    }
    expect(firings / N).toBeGreaterThan(5);
    expect(firings / N).toBeLessThan(20);
    for (let k = 0; k < 3; k++) {
      expect(Math.abs(zMeans(hy[k], ex[k]))).toBeLessThan(3.5);
      expect(twoSampleChiSquare(hy[k], ex[k]).p).toBeGreaterThan(1e-3);
      expect(twoSampleKs(hy[k], ex[k]).p).toBeGreaterThan(1e-3);
      for (const v of hy[k]) expect(Number.isInteger(v) && v >= 0).toBe(true);
    }
    // The large compartment at the end (continuous, fed by the discrete X with at most one step of lag).
    expect(Math.abs(zMeans(hy[3], ex[3]))).toBeLessThan(3.5);
    expect(twoSampleKs(hy[3], ex[3]).p).toBeGreaterThan(1e-3);
    expect(Math.abs(Math.log(meanVar(hy[3]).variance / meanVar(ex[3]).variance))).toBeLessThan(0.2);
  }, 30_000);

  it('linear birth-death: extinction probability and mean equal the analytic values within 4 SE', () => {
    // X -> 2X (lambda x), X -> 0 (mu x): P(extinct by t) = [mu (e^{rt} - 1) / (lambda e^{rt} - mu)]^X0, r = lambda - mu
    // (Kendall 1948, Ann. Math. Stat. 19, 1), E X(t) = X0 e^{rt}.
    const lambda = 1;
    const mu = 1.2;
    const X0 = 20;
    const T = 5;
    const bd = jumpProblem({
      x0: [X0],
      p: Float64Array.of(lambda, mu),
      propensities: [(_t, x, p) => p[0] * x[0], (_t, x, p) => p[1] * x[0]],
      changes: [[[0, 1]], [[0, -1]]],
      reads: [[0], [0]],
    });
    const h = new SplitHybridStepper(
      {
        problem: bd,
        p: bd.p,
        rhs: (_t, y, p, dy) => {
          dy[0] = (p[0] - p[1]) * y[0];
        },
        jacobian: (_t, _y, p, J) => {
          J[0] = p[0] - p[1];
        },
      },
      bd.x0,
      { method: Rodas5P, partition: ['auto'], hJump: 0.5 },
    );
    const R = 2000;
    const g = createStreamFactory(7);
    let extinct = 0;
    const xs = new Float64Array(R);
    const out = new Float64Array(1);
    for (let r = 0; r < R; r++) {
      h.start(0, bd.x0, g.stream({ replicate: r, purpose: 'hybrid' }));
      trajectory(h, [T], out);
      xs[r] = out[0];
      if (out[0] === 0) extinct++;
    }
    const e = Math.exp((lambda - mu) * T);
    const q = ((mu * (e - 1)) / (lambda * e - mu)) ** X0;
    const got = extinct / R;
    expect(q).toBeGreaterThan(0.1); // 0.157: neither rare nor certain
    expect(Math.abs(got - q)).toBeLessThanOrEqual(4 * Math.sqrt((q * (1 - q)) / R));
    const { mean, variance } = meanVar(xs);
    expect(Math.abs(mean - X0 * e)).toBeLessThanOrEqual(4 * Math.sqrt(variance / R));
  });

  it('all continuous: equals the analytic ODE solution', () => {
    const h = new SplitHybridStepper(feedSystem, feed.x0, {
      method: Rodas5P,
      partition: ['continuous', 'continuous'],
      rtol: 1e-9,
      atol: 1e-9,
    });
    h.start(0, feed.x0, createStreamFactory(1).stream({ purpose: 'hybrid' }));
    const ts = [0.5, 1, 2, 5, 10];
    const out = new Float64Array(ts.length * 2);
    trajectory(h, ts, out);
    expect(h.firings).toBe(0);
    ts.forEach((t, s) => {
      // x' = 1 - x, x(0) = 3; y' = 200 x - y/2, y(0) = 400 (variation of constants).
      const x = 1 + 2 * Math.exp(-t);
      const A = (200 * 2) / (0.5 - 1);
      const B = -A;
      const y = 400 + A * Math.exp(-t) + B * Math.exp(-t / 2);
      expect(Math.abs(out[s * 2] - x)).toBeLessThanOrEqual(1e-6 + 1e-6 * x);
      expect(Math.abs(out[s * 2 + 1] - y)).toBeLessThanOrEqual(1e-6 + 1e-6 * y);
    });
  });

  it('a decaying continuous species becomes discrete below low; the mean stays the analytic one', () => {
    // X -> 0 (x) from 1000: continuous, then discrete (rounded, mean preserving) below 100; E X(4) = 1000 e^{-4}.
    const pd = jumpProblem({
      x0: [1000],
      p: Float64Array.of(1),
      propensities: [(_t, x, p) => p[0] * x[0]],
      changes: [[[0, -1]]],
      reads: [[0]],
    });
    const h = new SplitHybridStepper(
      {
        problem: pd,
        p: pd.p,
        rhs: (_t, y, p, dy) => {
          dy[0] = -p[0] * y[0];
        },
        jacobian: (_t, _y, p, J) => {
          J[0] = -p[0];
        },
      },
      pd.x0,
      { method: Rodas5P, partition: ['auto'], hJump: 0.25 },
    );
    const R = 1000;
    const g = createStreamFactory(11);
    const xs = new Float64Array(R);
    const out = new Float64Array(1);
    let moved = 0;
    for (let r = 0; r < R; r++) {
      h.start(0, pd.x0, g.stream({ replicate: r, purpose: 'hybrid' }));
      trajectory(h, [4], out);
      xs[r] = out[0];
      moved += h.repartitions;
      expect(Number.isInteger(out[0])).toBe(true);
    }
    expect(moved).toBe(R);
    const { mean, variance } = meanVar(xs);
    expect(Math.abs(mean - 1000 * Math.exp(-4))).toBeLessThanOrEqual(4 * Math.sqrt(variance / R));
  });

  it('rate criterion: a small population exchanging fast with a large pool is continuous (fastRate)', () => {
    // X -> Y (a x), Y -> X (b y), X(0) = 1e6, Y(0) = 50: about 2e5 firings per unit time around Y* = a X / b = 100.
    const ex = jumpProblem({
      x0: [1e6, 50],
      p: Float64Array.of(1e-1, 1e3),
      propensities: [(_t, x, p) => p[0] * x[0], (_t, x, p) => p[1] * x[1]],
      changes: [
        [
          [0, -1],
          [1, 1],
        ],
        [
          [0, 1],
          [1, -1],
        ],
      ],
      reads: [[0], [1]],
    });
    const system: SplitSystem = {
      problem: ex,
      p: ex.p,
      rhs: (_t, y, p, dy) => {
        const f = p[0] * y[0] - p[1] * y[1];
        dy[0] = -f;
        dy[1] = f;
      },
      jacobian: (_t, _y, p, J) => {
        J[0] = -p[0];
        J[1] = p[1];
        J[2] = p[0];
        J[3] = -p[1];
      },
    };
    const h = new SplitHybridStepper(system, ex.x0, {
      method: Rodas5P,
      partition: ['auto', 'auto'],
      fastRate: 1e4,
    });
    h.start(0, ex.x0, createStreamFactory(5).stream({ purpose: 'hybrid' }));
    const out = new Float64Array(2);
    trajectory(h, [1], out);
    // One step of jumps at most (about 1e4 firings) before Y turns continuous; then the ODE's quasi-steady state.
    expect(h.discrete[1]).toBe(0);
    expect(h.firings).toBeLessThan(5e4);
    const yStar = (0.1 * (1e6 + 50)) / (0.1 + 1e3);
    expect(Math.abs(out[1] - yStar)).toBeLessThanOrEqual(0.05 * yStar);
    expect(out[0] + out[1]).toBeCloseTo(1e6 + 50, 3);
  });

  it('reproducible: same key, same bits; another key differs; a rewind inside a step gives that state', () => {
    const h = new SplitHybridStepper(feedSystem, feed.x0, {
      method: Rodas5P,
      partition: ['auto', 'auto'],
      hJump: 0.1,
    });
    const run = (rep: number) => {
      h.start(0, feed.x0, createStreamFactory(9).stream({ replicate: rep, purpose: 'hybrid' }));
      const out = new Float64Array(6);
      trajectory(h, [1, 2, 3], out);
      return Array.from(out);
    };
    expect(run(4)).toEqual(run(4));
    expect(run(4)).not.toEqual(run(5));
    // Rewind: the state read inside the last step, restarted there, is the stepper's state.
    h.start(0, feed.x0, createStreamFactory(9).stream({ replicate: 1, purpose: 'hybrid' }));
    while (h.t < 1) h.step(3);
    const tm = 0.5 * (h.tPrev + h.t);
    const mid = new Float64Array(2);
    h.interpolate(tm, mid);
    expect(Number.isInteger(mid[0])).toBe(true);
    h.reset(tm, mid);
    expect(h.t).toBe(tm);
    expect(Array.from(h.y)).toEqual(Array.from(mid));
  });
});
