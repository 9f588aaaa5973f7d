/**
 * Tau-leaping (Cao, Gillespie & Petzold 2006) against the exact direct method in distribution, at fixed seeds.
 * Significance ~1e-3 per comparison; the approximation error at eps = 0.03 is well below the sampling error
 * at these sample sizes.
 */
import { describe, expect, it } from 'vitest';
import { createStreamFactory } from '../../../src/numerics/random/index.js';
import { DirectMethod } from '../../../src/numerics/ssa/direct.js';
import { type JumpProblem, jumpProblem } from '../../../src/numerics/ssa/problem.js';
import { TauLeaping } from '../../../src/numerics/ssa/tau-leap.js';
import { meanVar, twoSampleChiSquare, twoSampleKs, varianceRatioOk, zMeans } from './two-sample.js';

const N = 1500;

function exactAt(pb: JumpProblem, times: number[], species: number, seed: number): Float64Array[] {
  const e = new DirectMethod(pb);
  const f = createStreamFactory(seed);
  const out = times.map(() => new Float64Array(N));
  for (let r = 0; r < N; r++) {
    e.reset(0, f.stream({ replicate: r, purpose: 'ssa' }));
    times.forEach((T, k) => {
      while (e.peek() <= T) e.fire();
      out[k][r] = e.x[species];
    });
  }
  return out;
}

function tauAt(
  pb: JumpProblem,
  times: number[],
  species: number,
  seed: number,
): { out: Float64Array[]; minSeen: number; leaps: number } {
  const e = new TauLeaping(pb);
  const f = createStreamFactory(seed);
  const out = times.map(() => new Float64Array(N));
  let minSeen = Number.POSITIVE_INFINITY;
  let leaps = 0;
  for (let r = 0; r < N; r++) {
    e.reset(0, f.stream({ replicate: r, purpose: 'tau' }));
    times.forEach((T, k) => {
      e.advanceTo(T);
      for (const v of e.x) minSeen = Math.min(minSeen, v);
      out[k][r] = e.x[species];
    });
    leaps += e.stats.leaps;
  }
  return { out, minSeen, leaps };
}

function compare(a: Float64Array, b: Float64Array): void {
  expect(Math.abs(zMeans(a, b))).toBeLessThan(3.5);
  expect(varianceRatioOk(a, b)).toBe(true);
  expect(twoSampleChiSquare(a, b).p).toBeGreaterThan(1e-3);
  expect(twoSampleKs(a, b).p).toBeGreaterThan(1e-3);
}

describe('TauLeaping', () => {
  it('birth-death 0 -> X (k=200), X -> 0 (0.5 x): matches exact at save points, never negative', () => {
    const pb = jumpProblem({
      x0: [0],
      p: Float64Array.of(200, 0.5),
      propensities: [(_t, _x, p) => p[0], (_t, x, p) => p[1] * x[0]],
      changes: [[[0, 1]], [[0, -1]]],
      reads: [[], [0]],
    });
    const times = [0.5, 2, 8];
    const ex = exactAt(pb, times, 0, 11);
    const tl = tauAt(pb, times, 0, 12);
    expect(tl.minSeen).toBeGreaterThanOrEqual(0);
    expect(tl.leaps).toBeGreaterThan(N * 5); // it really leaps
    for (let k = 0; k < times.length; k++) compare(tl.out[k], ex[k]);
    // the analytic law is Poisson(400 (1 - e^{-t/2})): mean and variance
    const m = 400 * (1 - Math.exp(-4));
    const s = meanVar(tl.out[2]);
    expect(Math.abs(s.mean - m)).toBeLessThan(4 * Math.sqrt(m / N));
    expect(Math.abs(s.variance / m - 1)).toBeLessThan(4 * Math.sqrt(2 / N));
  });

  it('dimerisation 2X -> D (c1 x(x-1)/2), D -> 2X (c2 d): matches exact', () => {
    const pb = jumpProblem({
      x0: [600, 0],
      p: Float64Array.of(0.002, 0.5),
      propensities: [(_t, x, p) => (p[0] * x[0] * (x[0] - 1)) / 2, (_t, x, p) => p[1] * x[1]],
      changes: [
        [
          [0, -2],
          [1, 1],
        ],
        [
          [0, 2],
          [1, -1],
        ],
      ],
      reads: [[0], [1]],
    });
    const times = [0.2, 3];
    const ex = exactAt(pb, times, 0, 21);
    const tl = tauAt(pb, times, 0, 22);
    expect(tl.minSeen).toBeGreaterThanOrEqual(0);
    for (let k = 0; k < times.length; k++) compare(tl.out[k], ex[k]);
  });

  it('stiff-ish decaying dimerisation (CGP 2006 example, scaled down): matches exact, never negative', () => {
    // S1 -> 0 (c1 = 1), 2 S1 -> S2 (c2 = 0.2), S2 -> 2 S1 (c3 = 5), S2 -> S3 (c4 = 0.04)
    const pb = jumpProblem({
      x0: [400, 40, 0],
      p: Float64Array.of(1, 0.2, 5, 0.04),
      propensities: [
        (_t, x, p) => p[0] * x[0],
        (_t, x, p) => (p[1] * x[0] * (x[0] - 1)) / 2,
        (_t, x, p) => p[2] * x[1],
        (_t, x, p) => p[3] * x[1],
      ],
      changes: [
        [[0, -1]],
        [
          [0, -2],
          [1, 1],
        ],
        [
          [0, 2],
          [1, -1],
        ],
        [
          [1, -1],
          [2, 1],
        ],
      ],
      reads: [[0], [0], [1], [1]],
    });
    const times = [1, 4];
    for (const sp of [0, 2]) {
      const ex = exactAt(pb, times, sp, 31 + sp);
      const tl = tauAt(pb, times, sp, 41 + sp);
      expect(tl.minSeen).toBeGreaterThanOrEqual(0);
      for (let k = 0; k < times.length; k++) compare(tl.out[k], ex[k]);
    }
  });

  it('reproducible: same stream key gives the same trajectory bits', () => {
    const pb = jumpProblem({
      x0: [5],
      p: Float64Array.of(50, 1),
      propensities: [(_t, _x, p) => p[0], (_t, x, p) => p[1] * x[0]],
      changes: [[[0, 1]], [[0, -1]]],
      reads: [[], [0]],
    });
    const run = (): number[] => {
      const e = new TauLeaping(pb);
      e.reset(0, createStreamFactory(7).stream({ replicate: 3, purpose: 'tau' }));
      const v: number[] = [];
      for (let T = 1; T <= 10; T++) {
        e.advanceTo(T);
        v.push(e.x[0]);
      }
      return v;
    };
    expect(run()).toEqual(run());
  });

  it('never goes negative when a large leap is forced (rejection and halving)', () => {
    // A -> 0 fast with a huge epsilon: leaps would overshoot without the rejection rule
    const pb = jumpProblem({
      x0: [60],
      p: Float64Array.of(3),
      propensities: [(_t, x, p) => p[0] * x[0]],
      changes: [[[0, -1]]],
      reads: [[0]],
    });
    const e = new TauLeaping(pb, { epsilon: 2, nCritical: 1, ssaFactor: 0 });
    const f = createStreamFactory(5);
    let rej = 0;
    for (let r = 0; r < 300; r++) {
      e.reset(0, f.stream({ replicate: r, purpose: 'tau' }));
      for (let T = 0.05; T < 3; T += 0.05) {
        e.advanceTo(T);
        expect(e.x[0]).toBeGreaterThanOrEqual(0);
      }
      rej += e.stats.rejections;
    }
    expect(rej).toBeGreaterThan(0);
  });

  // [issue 4] the hooks the model layer uses for events
  it('step(tMax) never passes tMax; refineLeap cuts a leap at the firing that makes a condition true', () => {
    // 0 -> X at 1000 and X -> 0 at x: leaps of ~70 firings near X = 600
    const pb = jumpProblem({
      x0: [0],
      p: Float64Array.of(1000, 1),
      propensities: [(_t, _x, p) => p[0], (_t, x, p) => p[1] * x[0]],
      changes: [[[0, 1]], [[0, -1]]],
      reads: [[], [0]],
    });
    const e = new TauLeaping(pb);
    const f = createStreamFactory(8);
    let cut = 0;
    for (let r = 0; r < 200; r++) {
      e.reset(0, f.stream({ replicate: r, purpose: 'tau' }));
      const cond = (_t: number, x: Float64Array) => x[0] >= 600;
      e.watch = cond;
      for (;;) {
        const t0 = e.t;
        e.step(0.9 + 0.05 * (r % 3));
        expect(e.t).toBeLessThanOrEqual(0.9 + 0.05 * (r % 3));
        expect(e.t).toBeGreaterThan(t0);
        if (cond(e.t, e.x)) {
          const leapEnd = e.t;
          if (e.refineLeap(cond)) {
            cut++;
            expect(e.t).toBeLessThanOrEqual(leapEnd);
          }
          // at the cut the condition has just become true: one firing (+1) or a net step of +-1 at most
          expect(e.x[0]).toBeGreaterThanOrEqual(600);
          expect(e.x[0]).toBeLessThanOrEqual(601);
          break;
        }
        if (e.t >= 0.9 + 0.05 * (r % 3)) break;
      }
    }
    expect(cut).toBeGreaterThan(100); // most crossings happen inside a leap
  });
});
