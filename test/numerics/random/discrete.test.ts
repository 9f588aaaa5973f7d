import { describe, expect, it } from 'vitest';
import { AliasTable, categorical } from '../../../src/numerics/random/samplers/categorical.js';
import { bernoulli, binomial, poisson, uniformInt } from '../../../src/numerics/random/samplers/discrete.js';
import { logFactorial } from '../../../src/numerics/random/samplers/log-factorial.js';
import { createStreamFactory, type RandomStream } from '../../../src/numerics/random/stream.js';
import { chiSquareTest, lnGamma, momentZ } from './stat-helpers.js';

/**
 * Each sampler: 10^6 draws from a fixed-seed stream; sample mean and variance within 4.5 standard errors, and a
 * Pearson chi-square test against the exact pmf (cells merged until every expected count is >= 5) at
 * significance ALPHA. Fixed seeds make these deterministic.
 */
const ALPHA = 1e-3;
const Z = 4.5;
const N = 1_000_000;
const root = createStreamFactory(20261127).child({ purpose: 'test-discrete' });

function check(
  s: RandomStream,
  sample: (s: RandomStream) => number,
  pmf: (k: number) => number,
  kMax: number,
  mean: number,
  variance: number,
): void {
  const x = new Float64Array(N);
  const counts = new Float64Array(kMax + 2);
  for (let i = 0; i < N; i++) {
    const k = sample(s);
    if (!Number.isInteger(k) || k < 0) throw new Error(`non-integer or negative draw ${k}`);
    x[i] = k;
    counts[Math.min(k, kMax + 1)]++;
  }
  const { zMean, zVar } = momentZ(x, mean, variance);
  expect(Math.abs(zMean)).toBeLessThan(Z);
  expect(Math.abs(zVar)).toBeLessThan(Z);
  const probs = new Float64Array(kMax + 2);
  let total = 0;
  for (let k = 0; k <= kMax; k++) total += probs[k] = pmf(k);
  probs[kMax + 1] = Math.max(0, 1 - total);
  const { p } = chiSquareTest(counts, probs, N);
  expect(p).toBeGreaterThan(ALPHA);
}

const poissonPmf = (mu: number) => (k: number) => Math.exp(-mu + k * Math.log(mu) - lnGamma(k + 1));
const binomialPmf = (n: number, p: number) => (k: number) =>
  k > n
    ? 0
    : Math.exp(
        lnGamma(n + 1) - lnGamma(k + 1) - lnGamma(n - k + 1) + k * Math.log(p) + (n - k) * Math.log1p(-p),
      );

describe('poisson', () => {
  for (const mu of [0.1, 5, 9.99, 10, 30, 1e4]) {
    it(`mean ${mu} (${mu < 10 ? 'inversion' : 'PTRS'})`, () => {
      const kMax = Math.ceil(mu + 12 * Math.sqrt(mu) + 20);
      check(
        root.stream({ case: 'poisson', mean: mu * 100 }),
        (s) => poisson(s, mu),
        poissonPmf(mu),
        kMax,
        mu,
        mu,
      );
    });
  }
  it('mean 0 gives 0; invalid means throw', () => {
    const s = root.stream({ case: 'poisson-edge' });
    expect(poisson(s, 0)).toBe(0);
    expect(() => poisson(s, -1)).toThrow(RangeError);
    expect(() => poisson(s, Number.NaN)).toThrow(RangeError);
    expect(() => poisson(s, Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });
});

describe('binomial', () => {
  for (const [n, p] of [
    [10, 0.3],
    [1000, 0.5],
    [1e6, 1e-5],
    [1e6, 5e-6],
    [40, 0.26],
    [50, 0.9],
    [7, 0.97],
  ] as const) {
    const np = n * Math.min(p, 1 - p);
    it(`n ${n}, p ${p} (${np < 10 ? 'inversion' : 'BTRS'})`, () => {
      const kMax = Math.min(n, Math.ceil(n * p + 12 * Math.sqrt(n * p * (1 - p)) + 20));
      check(
        root.stream({ case: 'binomial', n, p: Math.round(p * 1e6) }),
        (s) => binomial(s, n, p),
        binomialPmf(n, p),
        kMax,
        n * p,
        n * p * (1 - p),
      );
    });
  }
  it('degenerate and invalid parameters', () => {
    const s = root.stream({ case: 'binomial-edge' });
    expect(binomial(s, 0, 0.4)).toBe(0);
    expect(binomial(s, 12, 0)).toBe(0);
    expect(binomial(s, 12, 1)).toBe(12);
    expect(() => binomial(s, -1, 0.5)).toThrow(RangeError);
    expect(() => binomial(s, 2.5, 0.5)).toThrow(RangeError);
    expect(() => binomial(s, 10, 1.5)).toThrow(RangeError);
  });
});

describe('logFactorial', () => {
  it('matches an independent ln Gamma to 1e-12 relative', () => {
    for (const k of [0, 1, 2, 10, 100, 255, 256, 257, 1000, 123456, 1e9]) {
      const want = lnGamma(k + 1);
      expect(Math.abs(logFactorial(k) - want)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(want)));
    }
  });
});

describe('uniformInt and bernoulli', () => {
  for (const n of [1, 3, 7, 1000]) {
    it(`uniformInt(${n}) is uniform`, () => {
      const s = root.stream({ case: 'uniformInt', n });
      const counts = new Float64Array(n);
      for (let i = 0; i < N / 4; i++) counts[uniformInt(s, n)]++;
      if (n === 1) expect(counts[0]).toBe(N / 4);
      else expect(chiSquareTest(counts, new Float64Array(n).fill(1 / n), N / 4).p).toBeGreaterThan(ALPHA);
    });
  }
  it('uniformInt for n above 2^32 stays in range with the right mean', () => {
    const s = root.stream({ case: 'uniformInt-big' });
    for (const n of [2 ** 32 + 5, 3e15]) {
      let sum = 0;
      const m = 100_000;
      for (let i = 0; i < m; i++) {
        const k = uniformInt(s, n);
        if (!Number.isInteger(k) || k < 0 || k >= n) throw new Error(`uniformInt(${n}) gave ${k}`);
        sum += k / n;
      }
      expect(Math.abs((sum / m - 0.5) / Math.sqrt(1 / 12 / m))).toBeLessThan(Z);
    }
    expect(() => uniformInt(s, 0)).toThrow(RangeError);
    expect(() => uniformInt(s, 2 ** 53 + 2)).toThrow(RangeError);
  });
  it('bernoulli(0.3) has mean 0.3', () => {
    const s = root.stream({ case: 'bernoulli' });
    let ones = 0;
    for (let i = 0; i < N / 4; i++) if (bernoulli(s, 0.3)) ones++;
    expect(Math.abs((ones - 0.3 * (N / 4)) / Math.sqrt(0.21 * (N / 4)))).toBeLessThan(Z);
  });
});

describe('categorical and alias table', () => {
  const weights = new Float64Array([0, 1, 2.5, 0, 6.5, 0.001, 3, 1e-9, 0]);
  const total = weights.reduce((a, b) => a + b, 0);
  const probs = Float64Array.from(weights, (w) => w / total);

  it('categorical (linear search) matches the weights and never picks a zero weight', () => {
    const s = root.stream({ case: 'categorical' });
    const counts = new Float64Array(weights.length);
    for (let i = 0; i < N; i++) counts[categorical(s, weights)]++;
    expect(counts[0] + counts[3] + counts[8]).toBe(0);
    expect(chiSquareTest(counts, probs, N).p).toBeGreaterThan(ALPHA);
  });

  it('categorical with an explicit total and a prefix length', () => {
    const s = root.stream({ case: 'categorical-prefix' });
    const counts = new Float64Array(3);
    for (let i = 0; i < N / 4; i++) counts[categorical(s, weights, 3, 3.5)]++;
    expect(chiSquareTest(counts, [0, 1 / 3.5, 2.5 / 3.5], N / 4).p).toBeGreaterThan(ALPHA);
  });

  it('a total that overshoots the sum falls back to the last positive weight', () => {
    const s = root.stream({ case: 'categorical-overshoot' });
    for (let i = 0; i < 1000; i++) expect([1, 2]).toContain(categorical(s, [0, 1, 1, 0], 4, 2 * (1 + 1e-15)));
    expect(() => categorical(s, [0, 0])).toThrow(RangeError);
  });

  it('AliasTable (Walker/Vose) matches the weights', () => {
    const table = new AliasTable(weights);
    const s = root.stream({ case: 'alias' });
    const counts = new Float64Array(weights.length);
    for (let i = 0; i < N; i++) counts[table.sample(s)]++;
    expect(counts[0] + counts[3] + counts[8]).toBe(0);
    expect(chiSquareTest(counts, probs, N).p).toBeGreaterThan(ALPHA);
    const one = new AliasTable([5]);
    expect(one.sample(s)).toBe(0);
    expect(() => new AliasTable([])).toThrow(RangeError);
    expect(() => new AliasTable([1, -1])).toThrow(RangeError);
    expect(() => new AliasTable([0, 0])).toThrow(RangeError);
  });
});
