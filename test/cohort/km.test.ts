import { describe, expect, it } from 'vitest';
import {
  cumulativeIncidence,
  curveToJSON,
  kaplanMeier,
  medianTime,
  quantileTime,
  valueAt,
} from '../../src/cohort/km.js';

/**
 * Freireich et al. (1963) 6-MP arm (remission length in weeks, + = censored), the textbook example of Gehan
 * (1965), Kalbfleisch & Prentice (1980) and Klein & Moeschberger (2003, Table 4.1A):
 * 6, 6, 6, 6+, 7, 9+, 10, 10+, 11+, 13, 16, 17+, 19+, 20+, 22, 23, 25+, 32+, 32+, 34+, 35+.
 */
const T = [6, 6, 6, 6, 7, 9, 10, 10, 11, 13, 16, 17, 19, 20, 22, 23, 25, 32, 32, 34, 35];
const E = [1, 1, 1, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0];

/**
 * Published table at the event times: n at risk, events, S(t), Greenwood SE (Klein & Moeschberger Table 4.1A;
 * the same numbers as `summary(survfit(Surv(time, cens) ~ 1))` on the 6-MP arm), and the 95 % bands as printed
 * by R survival with conf.type = "log-log" and the default "log" (3 decimals).
 */
const PUBLISHED = [
  { t: 6, risk: 21, d: 3, s: 0.8571, se: 0.0764, ll: [0.62, 0.952], log: [0.72, 1.0] },
  { t: 7, risk: 17, d: 1, s: 0.8067, se: 0.0869, ll: [0.563, 0.923], log: [0.653, 0.996] },
  { t: 10, risk: 15, d: 1, s: 0.7529, se: 0.0963, ll: [0.503, 0.889], log: [0.586, 0.968] },
  { t: 13, risk: 12, d: 1, s: 0.6902, se: 0.1068, ll: [0.432, 0.849], log: [0.51, 0.935] },
  { t: 16, risk: 11, d: 1, s: 0.6275, se: 0.1141, ll: [0.368, 0.805], log: [0.439, 0.896] },
  { t: 22, risk: 7, d: 1, s: 0.5378, se: 0.1282, ll: [0.268, 0.747], log: [0.337, 0.858] },
  { t: 23, risk: 6, d: 1, s: 0.4482, se: 0.1346, ll: [0.188, 0.68], log: [0.249, 0.807] },
];

const time = Float64Array.from(T);
const event = Uint8Array.from(E);

describe('kaplanMeier: Freireich 6-MP arm', () => {
  const km = kaplanMeier(time, event);
  const kmLog = kaplanMeier(time, event, { transform: 'log' });

  it('S(t) and Greenwood SE match the published table to 1e-4 (values given to 4 decimals)', () => {
    for (const p of PUBLISHED) {
      const i = km.time.indexOf(p.t);
      expect(i).toBeGreaterThanOrEqual(0);
      expect(km.atRisk[i]).toBe(p.risk);
      expect(km.events[i]).toBe(p.d);
      expect(Math.abs(km.survival[i] - p.s)).toBeLessThanOrEqual(1e-4);
      expect(Math.abs(km.stdErr[i] - p.se)).toBeLessThanOrEqual(1e-4);
    }
  });

  it('the log-log and log bands match R survival to its printed precision (5e-4)', () => {
    for (const p of PUBLISHED) {
      const i = km.time.indexOf(p.t);
      expect(Math.abs(km.lower[i] - p.ll[0])).toBeLessThanOrEqual(5e-4);
      expect(Math.abs(km.upper[i] - p.ll[1])).toBeLessThanOrEqual(5e-4);
      expect(Math.abs(kmLog.lower[i] - p.log[0])).toBeLessThanOrEqual(5e-4);
      expect(Math.abs(kmLog.upper[i] - p.log[1])).toBeLessThanOrEqual(5e-4);
    }
  });

  it('S is exact: 18/21 * 16/17 * 14/15 * 11/12 * 10/11 * 6/7 * 5/6 at week 23', () => {
    const exact = (18 / 21) * (16 / 17) * (14 / 15) * (11 / 12) * (10 / 11) * (6 / 7) * (5 / 6);
    expect(valueAt(km, 23).estimate).toBeCloseTo(exact, 14);
    expect(valueAt(km, 35).estimate).toBeCloseTo(exact, 14);
  });

  it('counts censorings, events before censorings at tied times', () => {
    const i6 = km.time.indexOf(6);
    expect(km.censored[i6]).toBe(1);
    const i10 = km.time.indexOf(10);
    expect([km.events[i10], km.censored[i10]]).toEqual([1, 1]);
    let c = 0;
    for (const x of km.censored) c += x;
    expect(c).toBe(12);
  });

  it('median 23 weeks; Brookmeyer-Crowley interval [13, NA) log-log, [16, NA) log (R: 0.95LCL 16, UCL NA)', () => {
    expect(medianTime(km)).toMatchObject({ estimate: 23, lower: 13 });
    expect(medianTime(km).upper).toBeNaN();
    expect(medianTime(kmLog)).toMatchObject({ estimate: 23, lower: 16 });
    // 25th percentile: S first <= 0.75 at 13 weeks.
    expect(quantileTime(km, 0.25).estimate).toBe(13);
  });

  it('valueAt: step function, 1 before the first time, NaN beyond follow-up, at-risk counts', () => {
    expect(valueAt(km, 0)).toEqual({ estimate: 1, lower: 1, upper: 1, atRisk: 21 });
    expect(valueAt(km, 6.99).estimate).toBeCloseTo(18 / 21, 14);
    expect(valueAt(km, 7).atRisk).toBe(17);
    expect(valueAt(km, 8).atRisk).toBe(16);
    expect(valueAt(km, 35.01).estimate).toBeNaN();
  });

  it('cumulative incidence is 1 - S with the band flipped', () => {
    const ci = cumulativeIncidence(km);
    for (let i = 0; i < km.time.length; i++) {
      expect(ci.incidence[i]).toBeCloseTo(1 - km.survival[i], 15);
      expect(ci.lower[i]).toBeCloseTo(1 - km.upper[i], 15);
      expect(ci.upper[i]).toBeCloseTo(1 - km.lower[i], 15);
    }
    expect(valueAt(ci, 3).estimate).toBe(0);
    expect(medianTime(ci)).toEqual(medianTime(km));
  });

  it('curveToJSON gives plain arrays', () => {
    const j = JSON.parse(JSON.stringify(curveToJSON(km)));
    expect(j.time).toEqual(Array.from(km.time));
    expect(j.kind).toBe('survival');
  });
});

describe('kaplanMeier: properties', () => {
  it('without censoring S is exactly 1 - empirical CDF', () => {
    const t = Float64Array.from([5, 1, 3, 3, 8, 2, 2, 2, 9, 7]);
    const km = kaplanMeier(t, new Uint8Array(t.length).fill(1));
    for (const x of [0, 1, 1.5, 2, 2.5, 3, 5, 7, 8, 9]) {
      let le = 0;
      for (const y of t) if (y <= x) le++;
      expect(valueAt(km, x).estimate).toBeCloseTo(1 - le / t.length, 15);
    }
    expect(km.survival[km.survival.length - 1]).toBe(0);
    expect([km.lower[km.lower.length - 1], km.upper[km.upper.length - 1]]).toEqual([0, 0]);
    // Greenwood without censoring = binomial variance S(1 - S)/n.
    const i = km.time.indexOf(3);
    const s = km.survival[i];
    expect(km.stdErr[i]).toBeCloseTo(Math.sqrt((s * (1 - s)) / t.length), 14);
  });

  it('all censored: S = 1 everywhere with a collapsed band, median not reached', () => {
    const t = Float64Array.from([4, 2, 9, 9]);
    const km = kaplanMeier(t, new Uint8Array(4));
    expect(Array.from(km.survival)).toEqual([1, 1, 1]);
    expect(Array.from(km.lower)).toEqual([1, 1, 1]);
    expect(Array.from(km.atRisk)).toEqual([4, 3, 2]);
    expect(medianTime(km).estimate).toBeNaN();
  });

  it('bands contain the estimate and widen at a higher level', () => {
    const k95 = kaplanMeier(time, event);
    const k99 = kaplanMeier(time, event, { level: 0.99 });
    for (let i = 0; i < k95.time.length; i++) {
      expect(k95.lower[i]).toBeLessThanOrEqual(k95.survival[i]);
      expect(k95.upper[i]).toBeGreaterThanOrEqual(k95.survival[i]);
      expect(k99.lower[i]).toBeLessThanOrEqual(k95.lower[i] + 1e-15);
      expect(k99.upper[i]).toBeGreaterThanOrEqual(k95.upper[i] - 1e-15);
    }
  });

  it('median at an exact 0.5 plateau is the midpoint to the next drop (R convention)', () => {
    // 4 patients, events at 1, 2, 3, 4: S = 0.75, 0.5, 0.25, 0 -> median (2 + 3)/2.
    const km = kaplanMeier(Float64Array.from([1, 2, 3, 4]), Uint8Array.from([1, 1, 1, 1]));
    expect(medianTime(km).estimate).toBe(2.5);
  });

  it('rejects bad input with the index', () => {
    expect(() => kaplanMeier(Float64Array.from([1, Number.NaN]), Uint8Array.from([1, 0]))).toThrow(
      /time\[1\]/,
    );
    expect(() => kaplanMeier(Float64Array.from([1]), Uint8Array.from([1, 0]))).toThrow(/1 times but 2/);
    expect(() => kaplanMeier(Float64Array.from([1]), Uint8Array.from([2]))).toThrow(/event\[0\]/);
  });
});
