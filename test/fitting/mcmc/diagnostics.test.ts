import { describe, expect, it } from 'vitest';
import {
  autocovariance,
  DiagnosticsError,
  essBasic,
  essBulk,
  essMean,
  essTail,
  mcseQuantile,
  normalQuantile,
  quantileSorted,
  rankNormalize,
  rhat,
  rhatBasic,
  splitChains,
  summarizeDraws,
} from '../../../src/fitting/mcmc/diagnostics.js';
import { standardNormal, streamFor } from '../../../src/numerics/random/index.js';

function iidNormal(seed: number, chains: number, n: number, means: readonly number[] = []): Float64Array[] {
  return Array.from({ length: chains }, (_, c) => {
    const s = streamFor(seed, ['purpose', 'test-iid'], ['chain', c]);
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = (means[c] ?? 0) + standardNormal(s);
    return out;
  });
}

/** Stationary AR(1) with unit marginal variance: x_t = phi x_{t-1} + sqrt(1 - phi^2) e_t. */
function ar1(seed: number, chains: number, n: number, phi: number): Float64Array[] {
  return Array.from({ length: chains }, (_, c) => {
    const s = streamFor(seed, ['purpose', 'test-ar1'], ['chain', c]);
    const out = new Float64Array(n);
    let x = standardNormal(s);
    const k = Math.sqrt(1 - phi * phi);
    for (let i = 0; i < n; i++) {
      x = phi * x + k * standardNormal(s);
      out[i] = x;
    }
    return out;
  });
}

describe('building blocks', () => {
  it('FFT autocovariance equals the direct biased sums (|err| <= 1e-12 * acov[0])', () => {
    const [x] = iidNormal(3, 1, 777);
    for (let i = 1; i < x.length; i++) x[i] += 0.7 * x[i - 1] + 5; // correlated, offset mean
    const ac = autocovariance(x);
    const n = x.length;
    let mu = 0;
    for (const v of x) mu += v;
    mu /= n;
    for (const t of [0, 1, 2, 5, 17, 100, 400, 776]) {
      let s = 0;
      for (let i = 0; i + t < n; i++) s += (x[i] - mu) * (x[i + t] - mu);
      expect(Math.abs(ac[t] - s / n)).toBeLessThanOrEqual(1e-12 * ac[0]);
    }
  });

  it('splits chains in halves, dropping the middle draw of an odd chain', () => {
    const h = splitChains([Float64Array.of(1, 2, 3, 4, 5), Float64Array.of(6, 7, 8, 9, 10)]);
    expect(h.map((a) => Array.from(a))).toEqual([
      [1, 2],
      [4, 5],
      [6, 7],
      [9, 10],
    ]);
    expect(splitChains([[1, 2, 3, 4]]).map((a) => Array.from(a))).toEqual([
      [1, 2],
      [3, 4],
    ]);
  });

  it('rank-normalises with Blom offsets and average ranks for ties', () => {
    // Pooled values 3, 1, 2 | 2, 5, 4: ranks 4, 1, 2.5 | 2.5, 6, 5 of S = 6.
    const z = rankNormalize([Float64Array.of(3, 1, 2), Float64Array.of(2, 5, 4)]);
    const ranks = [4, 1, 2.5, 2.5, 6, 5];
    const flat = [...z[0], ...z[1]];
    ranks.forEach((r, i) => {
      expect(flat[i]).toBeCloseTo(normalQuantile((r - 0.375) / 6.25), 12);
    });
    // Symmetric: the smallest and largest map to -z and +z.
    expect(flat[1]).toBeCloseTo(-flat[4], 8);
  });

  it('normal quantile matches tabulated values (Abramowitz & Stegun 26.2) to 1e-8', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963985, 8);
    expect(normalQuantile(0.5)).toBe(0);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232306, 8);
    expect(normalQuantile(0.8413447461)).toBeCloseTo(1, 8);
  });

  it('quantiles interpolate order statistics (type 7)', () => {
    const s = Float64Array.of(1, 2, 3, 4, 10);
    expect(quantileSorted(s, 0)).toBe(1);
    expect(quantileSorted(s, 1)).toBe(10);
    expect(quantileSorted(s, 0.5)).toBe(3);
    expect(quantileSorted(s, 0.9)).toBeCloseTo(4 + 0.6 * 6, 14);
  });

  it('basic R-hat follows sqrt((n - 1)/n + B/(n W)) on a hand-computed case', () => {
    // chain means 2 and 5, within variances 1 and 1, n = 3: B = 3 * var(2, 5) = 13.5, W = 1.
    const r = rhatBasic([Float64Array.of(1, 2, 3), Float64Array.of(4, 5, 6)]);
    expect(r).toBeCloseTo(Math.sqrt(2 / 3 + 13.5 / 3), 14);
    expect(rhatBasic([Float64Array.of(2, 2, 2), Float64Array.of(2, 2, 2)])).toBe(1);
  });
});

describe('R-hat (Vehtari et al. 2021)', () => {
  it('is ~1.00 for i.i.d. chains from one normal (5 seeds, 4 x 1000 draws: R-hat < 1.01)', () => {
    for (let seed = 1; seed <= 5; seed++) {
      const r = rhat(iidNormal(seed, 4, 1000));
      expect(r.bulk).toBeLessThan(1.01);
      expect(r.tail).toBeLessThan(1.01);
      expect(r.rhat).toBeGreaterThan(0.99);
    }
  });

  it('is >> 1.1 when one chain has a different mean', () => {
    const r = rhat(iidNormal(2, 4, 1000, [0, 0, 0, 2]));
    expect(r.bulk).toBeGreaterThan(1.3);
    expect(r.rhat).toBeGreaterThan(1.3);
  });

  it('the tail R-hat catches chains with equal means but different scales', () => {
    const chains = iidNormal(4, 4, 1000);
    for (let i = 0; i < 1000; i++) chains[3][i] *= 3;
    const r = rhat(chains);
    expect(r.bulk).toBeLessThan(1.02);
    expect(r.tail).toBeGreaterThan(1.1);
  });

  it('split R-hat flags a chain with a trend', () => {
    const chains = iidNormal(5, 4, 1000);
    for (let i = 0; i < 1000; i++) chains[0][i] += (3 * i) / 1000;
    expect(rhat(chains).rhat).toBeGreaterThan(1.1);
  });
});

describe('ESS', () => {
  it('of an AR(1) chain is N (1 - phi) / (1 + phi) within 15 % (phi = 0.9, 0.5, and antithetic -0.3)', () => {
    const n = 25000;
    const m = 4;
    for (const phi of [0.9, 0.5, -0.3]) {
      const chains = ar1(11, m, n, phi);
      const exact = (m * n * (1 - phi)) / (1 + phi);
      expect(Math.abs(essMean(chains) / exact - 1)).toBeLessThan(0.15);
      expect(Math.abs(essBulk(chains) / exact - 1)).toBeLessThan(0.15);
    }
  });

  it('of i.i.d. draws is ~N, bulk and tail (within 15 %)', () => {
    const chains = iidNormal(6, 4, 5000);
    expect(Math.abs(essBulk(chains) / 20000 - 1)).toBeLessThan(0.15);
    expect(Math.abs(essTail(chains) / 20000 - 1)).toBeLessThan(0.15);
  });

  it('handles constant and too-short chains like the reference (S for constant, NaN below 3 draws)', () => {
    expect(essBasic([Float64Array.of(1, 1, 1, 1)])).toBe(4);
    expect(essBasic([Float64Array.of(1, 2)])).toBeNaN();
    expect(essBasic([Float64Array.of(1, Number.NaN, 2, 3)])).toBeNaN();
  });
});

describe('mcseQuantile', () => {
  it('matches the i.i.d. asymptotic sqrt(p (1 - p) / N) / phi(q_p) (median within 15 %; tails within 35 %: the spacing of ~2 x 22 order statistics is itself noisy)', () => {
    const chains = iidNormal(13, 4, 5000);
    const phi = (z: number) => Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
    const exact = (p: number) => Math.sqrt((p * (1 - p)) / 20000) / phi(normalQuantile(p));
    expect(Math.abs(mcseQuantile(chains, 0.5) / exact(0.5) - 1)).toBeLessThan(0.15);
    expect(Math.abs(mcseQuantile(chains, 0.975) / exact(0.975) - 1)).toBeLessThan(0.35);
    expect(Math.abs(mcseQuantile(chains, 0.025) / exact(0.025) - 1)).toBeLessThan(0.35);
    expect(() => mcseQuantile(chains, 1)).toThrow(/p must lie in \(0, 1\)/);
  });
});

describe('summarizeDraws', () => {
  it('gives mean, sd, quantiles and an MCSE that covers the truth for an AR(1) chain', () => {
    const chains = ar1(12, 4, 10000, 0.8);
    const s = summarizeDraws(chains);
    expect(s.n).toBe(40000);
    expect(Math.abs(s.mean)).toBeLessThan(4 * s.mcseMean);
    // MCSE of the mean of a unit-variance AR(1): sqrt((1 + phi) / (1 - phi) / N) = 0.015.
    expect(s.mcseMean).toBeGreaterThan(0.015 * 0.85);
    expect(s.mcseMean).toBeLessThan(0.015 * 1.15);
    expect(Math.abs(s.sd - 1)).toBeLessThan(4 * s.mcseSd);
    expect(s.q025).toBeCloseTo(-1.96, 1);
    expect(s.q50).toBeCloseTo(0, 1);
    expect(s.q975).toBeCloseTo(1.96, 1);
    expect(s.rhat).toBeLessThan(1.01);
  });

  it('rejects chains of different lengths and too few draws with clear errors', () => {
    expect(() => summarizeDraws([new Float64Array(10), new Float64Array(9)])).toThrow(
      /chain 1 has 9 draws, chain 0 has 10/,
    );
    expect(() => summarizeDraws([new Float64Array(3)])).toThrow(DiagnosticsError);
  });
});
