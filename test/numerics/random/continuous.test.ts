import { describe, expect, it } from 'vitest';
import {
  exponential,
  gamma,
  normal,
  standardNormal,
  uniform,
} from '../../../src/numerics/random/samplers/continuous.js';
import { createStreamFactory, type RandomStream } from '../../../src/numerics/random/stream.js';
import { chiSquareTest, gammaP, ksTest, momentZ, normalCdf } from './stat-helpers.js';

/**
 * Each sampler: 10^6 draws from a fixed-seed stream; sample mean and variance within 4.5 standard errors of the
 * true values, and a goodness-of-fit test at significance ALPHA (Kolmogorov-Smirnov against the exact CDF, plus
 * chi-square on tail cells for the normal). Fixed seeds make these deterministic.
 */
const ALPHA = 1e-3;
const Z = 4.5;
const N = 1_000_000;
const root = createStreamFactory(20261127).child({ purpose: 'test-continuous' });

function draw(s: RandomStream, f: (s: RandomStream) => number, n = N): Float64Array {
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = f(s);
  return x;
}

function checkMoments(x: Float64Array, mean: number, variance: number): void {
  const { zMean, zVar } = momentZ(x, mean, variance);
  expect(Math.abs(zMean)).toBeLessThan(Z);
  expect(Math.abs(zVar)).toBeLessThan(Z);
}

describe('uniform(a, b)', () => {
  it('is uniform on [a, b)', () => {
    const x = draw(root.stream({ case: 'uniform' }), (s) => uniform(s, -2, 3));
    checkMoments(x, 0.5, 25 / 12);
    for (const v of x) if (v < -2 || v >= 3) throw new Error(`uniform draw ${v} outside [-2, 3)`);
    expect(ksTest(x, (t) => Math.min(1, Math.max(0, (t + 2) / 5))).p).toBeGreaterThan(ALPHA);
  });
});

describe('exponential', () => {
  for (const rate of [1, 0.25, 40]) {
    it(`rate ${rate}`, () => {
      const x = draw(root.stream({ case: 'exponential', rate: rate * 100 }), (s) => exponential(s, rate));
      checkMoments(x, 1 / rate, 1 / rate ** 2);
      expect(ksTest(x, (t) => (t <= 0 ? 0 : -Math.expm1(-rate * t))).p).toBeGreaterThan(ALPHA);
    });
  }
});

describe('normal (ziggurat)', () => {
  it('standard normal: moments, KS, and chi-square on cells out to the tails', () => {
    const x = draw(root.stream({ case: 'normal' }), standardNormal, 2 * N);
    checkMoments(x, 0, 1);
    // Skewness and excess kurtosis: SE sqrt(6/n) and sqrt(24/n).
    let m3 = 0;
    let m4 = 0;
    for (const v of x) {
      m3 += v * v * v;
      m4 += v * v * v * v;
    }
    expect(Math.abs(m3 / x.length / Math.sqrt(15 / x.length))).toBeLessThan(Z);
    expect(Math.abs((m4 / x.length - 3) / Math.sqrt(96 / x.length))).toBeLessThan(Z);
    expect(ksTest(x, normalCdf).p).toBeGreaterThan(ALPHA);
    // Cells: (-inf, -4.5], then width 0.25 to 4.5, then (4.5, inf); includes the ziggurat's tail cut R = 3.4426.
    const edges = [-Infinity];
    for (let e = -4.5; e <= 4.5 + 1e-9; e += 0.25) edges.push(e);
    edges.push(Infinity);
    const counts = new Float64Array(edges.length - 1);
    for (const v of x) {
      const k = Math.min(edges.length - 2, Math.max(0, Math.ceil((v + 4.5) / 0.25)));
      counts[k]++;
    }
    const probs = new Float64Array(counts.length);
    for (let k = 0; k < probs.length; k++) probs[k] = normalCdf(edges[k + 1]) - normalCdf(edges[k]);
    expect(chiSquareTest(counts, probs, x.length).p).toBeGreaterThan(ALPHA);
  });

  it('the tail beyond R = 3.442619855899 has the right mass and conditional law', () => {
    const R = 3.442619855899;
    const s = root.stream({ case: 'normal-tail' });
    const n = 4 * N;
    const tail: number[] = [];
    for (let i = 0; i < n; i++) {
      const v = standardNormal(s);
      if (Math.abs(v) > R) tail.push(Math.abs(v));
    }
    const pTail = 2 * normalCdf(-R);
    const z = (tail.length - n * pTail) / Math.sqrt(n * pTail * (1 - pTail));
    expect(Math.abs(z)).toBeLessThan(Z);
    const qR = normalCdf(-R);
    const conditional = (t: number) => (t <= R ? 0 : 1 - normalCdf(-t) / qR);
    expect(ksTest(Float64Array.from(tail), conditional).p).toBeGreaterThan(ALPHA);
  });

  it('normal(mean, sd) shifts and scales', () => {
    const x = draw(root.stream({ case: 'normal-ms' }), (s) => normal(s, 3, 0.5), N / 4);
    checkMoments(x, 3, 0.25);
  });
});

describe('gamma (Marsaglia-Tsang)', () => {
  for (const [shape, scale] of [
    [0.3, 1],
    [1, 1],
    [7.5, 1],
    [7.5, 0.2],
    [0.05, 3],
  ] as const) {
    it(`shape ${shape}, scale ${scale}`, () => {
      const x = draw(root.stream({ case: 'gamma', shape: shape * 1000, scale: scale * 10 }), (s) =>
        gamma(s, shape, scale),
      );
      checkMoments(x, shape * scale, shape * scale * scale);
      expect(ksTest(x, (t) => gammaP(shape, t / scale)).p).toBeGreaterThan(ALPHA);
    });
  }
  it('rejects invalid parameters', () => {
    const s = root.stream({ case: 'gamma-bad' });
    expect(() => gamma(s, 0)).toThrow(RangeError);
    expect(() => gamma(s, 1, -1)).toThrow(RangeError);
    expect(() => gamma(s, Number.NaN)).toThrow(RangeError);
  });
});
