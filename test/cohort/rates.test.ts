import { describe, expect, it } from 'vitest';
import {
  clopperPearsonInterval,
  criticalValue,
  inverseRegularizedBeta,
  logGamma,
  normalQuantile,
  proportion,
  regularizedBeta,
  wilsonInterval,
} from '../../src/cohort/rates.js';

/**
 * Newcombe (1998) Stat Med 17:857, Table I: 95 % intervals for 81/263, 15/148, 0/20 and 1/29 by method 3
 * (Wilson score, no continuity correction) and method 5 (Clopper-Pearson exact), to 4 decimals.
 */
const NEWCOMBE = [
  { k: 81, n: 263, wilson: [0.2553, 0.3662], exact: [0.2527, 0.3676] },
  { k: 15, n: 148, wilson: [0.0624, 0.1605], exact: [0.0578, 0.1617] },
  { k: 0, n: 20, wilson: [0, 0.1611], exact: [0, 0.1684] },
  { k: 1, n: 29, wilson: [0.0061, 0.1718], exact: [0.0009, 0.1776] },
];

describe('binomial intervals: Newcombe 1998 Table I', () => {
  for (const c of NEWCOMBE) {
    it(`${c.k}/${c.n}: Wilson and Clopper-Pearson to 1e-4`, () => {
      const w = wilsonInterval(c.k, c.n);
      const e = clopperPearsonInterval(c.k, c.n);
      expect(Math.abs(w.lower - c.wilson[0])).toBeLessThanOrEqual(1e-4);
      expect(Math.abs(w.upper - c.wilson[1])).toBeLessThanOrEqual(1e-4);
      expect(Math.abs(e.lower - c.exact[0])).toBeLessThanOrEqual(1e-4);
      expect(Math.abs(e.upper - c.exact[1])).toBeLessThanOrEqual(1e-4);
    });
  }

  it('proportion() carries counts, estimate, level and method', () => {
    const p = proportion(81, 263);
    expect(p).toMatchObject({ events: 81, n: 263, level: 0.95, method: 'wilson' });
    expect(p.estimate).toBeCloseTo(81 / 263, 15);
    expect(proportion(81, 263, { method: 'clopper-pearson' }).lower).toBeCloseTo(
      clopperPearsonInterval(81, 263).lower,
      15,
    );
    const empty = proportion(0, 0);
    expect(empty.estimate).toBeNaN();
    expect([empty.lower, empty.upper]).toEqual([0, 1]);
  });

  it('Clopper-Pearson closed forms at k = 0 and k = n: 1 - (alpha/2)^(1/n)', () => {
    const n = 20;
    expect(clopperPearsonInterval(0, n).upper).toBeCloseTo(1 - 0.025 ** (1 / n), 12);
    expect(clopperPearsonInterval(n, n).lower).toBeCloseTo(0.025 ** (1 / n), 12);
  });

  it('rejects impossible counts and levels', () => {
    expect(() => wilsonInterval(5, 4)).toThrow(/events/);
    expect(() => wilsonInterval(1.5, 4)).toThrow(/events/);
    expect(() => proportion(1, 4, { level: 1 })).toThrow(/level/);
  });
});

describe('special functions', () => {
  it('normal quantiles (Abramowitz & Stegun 26.2 table values) to 1e-8', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 8);
    expect(normalQuantile(0.995)).toBeCloseTo(2.5758293035489, 8);
    expect(normalQuantile(0.5)).toBe(0);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232306167813, 8);
    expect(criticalValue(0.9)).toBeCloseTo(1.644853626951472, 8);
  });

  it('logGamma: Gamma(1/2) = sqrt(pi), Gamma(10) = 9!, Gamma(171) = 170!, Gamma(0.1) = 9.513507698668732', () => {
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 13);
    expect(logGamma(10)).toBeCloseTo(Math.log(362880), 12);
    expect(logGamma(0.1)).toBeCloseTo(Math.log(9.513507698668732), 12);
    let lf = 0;
    for (let k = 2; k <= 170; k++) lf += Math.log(k);
    expect(logGamma(171)).toBeCloseTo(lf, 9);
  });

  it('regularised incomplete beta: binomial tail identity and its inverse', () => {
    // I_x(k, n - k + 1) = P(Bin(n, x) >= k); n = 4, k = 2, x = 0.3: 0.2646 + 0.0756 + 0.0081.
    expect(regularizedBeta(0.3, 2, 3)).toBeCloseTo(0.3483, 13);
    expect(regularizedBeta(0.5, 3.5, 3.5)).toBeCloseTo(0.5, 14);
    for (const [a, b] of [
      [2, 3],
      [81, 183],
      [0.5, 7],
    ]) {
      for (const p of [0.025, 0.5, 0.975])
        expect(regularizedBeta(inverseRegularizedBeta(p, a, b), a, b)).toBeCloseTo(p, 12);
    }
  });
});
