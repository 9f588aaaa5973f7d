/**
 * The hybrid engine against the exact direct method (two-sample tests at fixed seeds, significance ~1e-3),
 * against the analytic ODE solution in the all-continuous limit, and for reproducibility.
 */
import { describe, expect, it } from 'vitest';
import { type HybridEvents, HybridSimulator, hybridStream } from '../../../src/numerics/hybrid/index.js';
import { createStreamFactory } from '../../../src/numerics/random/index.js';
import { DirectMethod } from '../../../src/numerics/ssa/direct.js';
import { jumpProblem } from '../../../src/numerics/ssa/problem.js';
import { meanVar, twoSampleChiSquare, twoSampleKs, zMeans } from '../ssa/two-sample.js';

/**
 * X: 0 -> X (k1), X -> 0 (k2 x), started at 3 (low count, discrete); X -> X + Y (c x) feeds the large
 * compartment Y -> 0 (d y), Y(0) = 400 (continuous). Y's variance is dominated by X's fluctuations (burst
 * size c/(k2 + d) = 133, so Y's own Poisson noise is < 1% of its variance), which is what the hybrid keeps.
 */
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

const N = 1500;
const SAVES = [0.5, 2, 5];

function exactSamples(): Float64Array[] {
  const e = new DirectMethod(feed);
  const f = createStreamFactory(101);
  const out = [0, 1, 2, 3].map(() => new Float64Array(N)); // X at SAVES[0..2], Y at the end
  for (let r = 0; r < N; r++) {
    e.reset(0, f.stream({ replicate: r, purpose: 'ssa' }));
    SAVES.forEach((T, k) => {
      while (e.peek() <= T) e.fire();
      out[k][r] = e.x[0];
    });
    out[3][r] = e.x[1];
  }
  return out;
}

function hybridSamples(): { out: Float64Array[]; firings: number } {
  const h = new HybridSimulator(feed, { low: 100, high: 200, rtol: 1e-7, atol: 1e-6 });
  const out = [0, 1, 2, 3].map(() => new Float64Array(N));
  let firings = 0;
  for (let r = 0; r < N; r++) {
    const res = h.run(hybridStream(202, r), SAVES);
    expect(res.retcode).toBe('Success');
    for (let k = 0; k < 3; k++) out[k][r] = res.u[k * 2];
    out[3][r] = res.u[2 * 2 + 1];
    firings += res.firings;
  }
  return { out, firings };
}

describe('HybridSimulator', () => {
  it('low-count birth-death feeding a large compartment: distributions match the exact method', () => {
    const ex = exactSamples();
    const hy = hybridSamples();
    // X jumps only: about k1 + k2 E[X] per unit time over 5 time units
    expect(hy.firings / N).toBeGreaterThan(5);
    expect(hy.firings / N).toBeLessThan(20);
    for (let k = 0; k < 3; k++) {
      expect(Math.abs(zMeans(hy.out[k], ex[k]))).toBeLessThan(3.5);
      expect(twoSampleChiSquare(hy.out[k], ex[k]).p).toBeGreaterThan(1e-3);
      expect(twoSampleKs(hy.out[k], ex[k]).p).toBeGreaterThan(1e-3);
      for (const v of hy.out[k]) expect(Number.isInteger(v) && v >= 0).toBe(true);
    }
    // the large compartment at the end: KS on the (continuous vs integer) values, and the mean
    expect(Math.abs(zMeans(hy.out[3], ex[3]))).toBeLessThan(3.5);
    expect(twoSampleKs(hy.out[3], ex[3]).p).toBeGreaterThan(1e-3);
    const vh = meanVar(hy.out[3]).variance;
    const ve = meanVar(ex[3]).variance;
    expect(Math.abs(Math.log(vh / ve))).toBeLessThan(0.2);
  }, 30_000);

  it('all continuous: equals the ODE (analytic) solution', () => {
    const h = new HybridSimulator(feed, { partition: ['continuous', 'continuous'], rtol: 1e-9, atol: 1e-9 });
    const ts = [0.5, 1, 2, 5, 10];
    const res = h.run(hybridStream(1, 0), ts);
    expect(res.firings).toBe(0);
    // x' = 1 - x, x(0) = 3: x = 1 + 2 e^{-t}; y' = 200 x - y/2, y(0) = 400:
    // y = 400 + (800/ -0.5 ...) solved below by variation of constants
    for (let s = 0; s < ts.length; s++) {
      const t = ts[s];
      const x = 1 + 2 * Math.exp(-t);
      // y = 400 + A e^{-t} + B e^{-t/2}, with A: -A + A/2 = 400 -> A = -800; y(0) = 400 -> B = 800 - 400 + 400
      const A = (200 * 2) / (0.5 - 1);
      const B = 400 - 400 - A;
      const y = 400 + A * Math.exp(-t) + B * Math.exp(-t / 2);
      expect(Math.abs(res.u[s * 2] - x)).toBeLessThanOrEqual(1e-6 + 1e-6 * x);
      expect(Math.abs(res.u[s * 2 + 1] - y)).toBeLessThanOrEqual(1e-6 + 1e-6 * y);
    }
  });

  it('reproducible: same key, same bits; another replicate differs', () => {
    const h = new HybridSimulator(feed);
    const a = h.run(hybridStream(9, 4), [1, 2, 3]);
    const b = h.run(hybridStream(9, 4), [1, 2, 3]);
    const c = h.run(hybridStream(9, 5), [1, 2, 3]);
    expect(Array.from(a.u)).toEqual(Array.from(b.u));
    expect(Array.from(a.u)).not.toEqual(Array.from(c.u));
  });

  it('repartitions with hysteresis: a growing species leaves the discrete set and a decaying one rejoins', () => {
    // 0 -> X (k(t) = 1000 for t < 5, then 0, by a smooth-enough switch), X -> 0 (x)
    const pb = jumpProblem({
      x0: [0],
      p: Float64Array.of(1000, 1),
      propensities: [(t, _x, p) => (t < 5 ? p[0] : 0), (_t, x, p) => p[1] * x[0]],
      changes: [[[0, 1]], [[0, -1]]],
      reads: [[], [0]],
      timeDependent: [1, 0],
    });
    const h = new HybridSimulator(pb, { low: 20, high: 50 });
    let moved = 0;
    const at5 = new Float64Array(200);
    const at12 = new Float64Array(200);
    for (let r = 0; r < 200; r++) {
      const res = h.run(hybridStream(3, r), [5, 12]);
      expect(res.retcode).toBe('Success');
      moved += res.repartitions;
      at5[r] = res.u[0];
      at12[r] = res.u[1];
      expect(res.repartitions).toBeGreaterThanOrEqual(2); // discrete -> continuous -> discrete
      expect(Number.isInteger(at12[r])).toBe(true); // back in the discrete set at the end
    }
    expect(moved).toBeGreaterThanOrEqual(400);
    // mean at t = 5: 1000 (1 - e^{-5}); the early discrete phase adds noise, the ODE phase none
    expect(Math.abs(meanVar(at5).mean - 1000 * (1 - Math.exp(-5)))).toBeLessThan(3);
    // by t = 12 the Poisson(1000 (1 - e^-5) e^-7) ~ 0.9 law: mean within sampling error
    const m12 = 1000 * (1 - Math.exp(-5)) * Math.exp(-7);
    expect(Math.abs(meanVar(at12).mean - m12)).toBeLessThan(4 * Math.sqrt(m12 / 200) + 0.1);
  });

  // [issue 4] external events: root finding on the continuous part, the after-jump hook, exact stops,
  // repartitioning after an event
  it('external events: continuous crossings located by root finding, every jump reported, dose lifts a discrete species', () => {
    let jumps = 0;
    let crossT = Number.NaN;
    let crossY = Number.NaN;
    let dosedAt = Number.NaN;
    const ev: HybridEvents = {
      count: 1,
      directions: Int8Array.of(1),
      indicators(_t, y, out) {
        out[0] = y[1] - 420; // Y rises through 420
      },
      start(ctx) {
        ctx.schedule(2, 7);
      },
      handle(ctx) {
        if (Number.isNaN(crossT)) {
          crossT = ctx.t;
          crossY = ctx.y[1];
        }
      },
      onTime(ctx, tag) {
        expect(tag).toBe(7);
        dosedAt = ctx.t;
        ctx.y[0] += 500; // a bolus of X: above `high`, so X turns continuous
      },
      afterJump(ctx, yBefore) {
        jumps++;
        let d = 0;
        for (let i = 0; i < 2; i++) if (ctx.y[i] !== yBefore[i]) d++;
        expect(d).toBe(1); // only X changes at a jump (Y is continuous)
      },
    };
    const h = new HybridSimulator(feed, { low: 100, high: 200, rtol: 1e-9, atol: 1e-9 });
    let seen = 0;
    for (let r = 0; r < 20; r++) {
      jumps = 0;
      crossT = Number.NaN;
      dosedAt = Number.NaN;
      const res = h.run(hybridStream(77, r), [1.999, 2, 3], 0, feed.x0, ev);
      expect(res.retcode).toBe('Success');
      expect(jumps).toBe(res.firings);
      expect(dosedAt).toBe(2);
      // post-event state at the save point t = 2: X jumped by 500 there
      expect(res.u[2] - res.u[0]).toBeGreaterThan(450);
      expect(res.repartitions).toBeGreaterThanOrEqual(1);
      expect(Number.isInteger(res.u[4])).toBe(false); // X continuous after the dose
      if (!Number.isNaN(crossT)) {
        seen++;
        expect(Math.abs(crossY - 420)).toBeLessThan(1e-6);
      }
    }
    expect(seen).toBeGreaterThan(0);
  });
});
