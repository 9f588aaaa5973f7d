import { describe, expect, it } from 'vitest';
import { morrisDesign, morrisIndices } from '../../../src/fitting/gsa/morris.js';
import { GsaError } from '../../../src/fitting/gsa/sobol.js';
import {
  ISHIGAMI_A,
  ISHIGAMI_B,
  ishigami,
  ishigamiSpec,
  sobolG,
  sobolGIndices,
  sobolGSpec,
} from '../../../src/fitting/gsa/test-functions.js';

function evaluate(
  points: Float64Array,
  rows: number,
  d: number,
  f: (x: Float64Array) => number,
): Float64Array {
  const v = new Float64Array(rows);
  for (let r = 0; r < rows; r++) v[r] = f(points.subarray(r * d, (r + 1) * d));
  return v;
}

describe('morrisDesign', () => {
  it('builds one-at-a-time trajectories on the p-level grid with step p / (2 (p - 1))', () => {
    const d = 5;
    const p = 6;
    const des = morrisDesign(sobolGSpec(d), 50, p, 7);
    expect(des.delta).toBeCloseTo(6 / 10, 15);
    expect(des.rows).toBe(50 * (d + 1));
    for (const u of des.unit) {
      const level = u * (p - 1);
      expect(Math.abs(level - Math.round(level))).toBeLessThan(1e-12);
      expect(u >= 0 && u <= 1).toBe(true);
    }
    for (let t = 0; t < 50; t++) {
      const seen = new Set<number>();
      for (let k = 0; k < d; k++) {
        const prev = (t * (d + 1) + k) * d;
        const next = prev + d;
        const i = des.steps[t * d + k] as number;
        seen.add(i);
        for (let c = 0; c < d; c++) {
          const diff = (des.unit[next + c] as number) - (des.unit[prev + c] as number);
          if (c === i) expect(diff).toBeCloseTo((des.signs[t * d + k] as number) * des.delta, 12);
          else expect(diff).toBe(0);
        }
      }
      expect(seen.size).toBe(d);
    }
  });

  it('is deterministic per seed', () => {
    const a = morrisDesign(ishigamiSpec(), 20, 4, 3);
    const b = morrisDesign(ishigamiSpec(), 20, 4, 3);
    const c = morrisDesign(ishigamiSpec(), 20, 4, 4);
    expect(Buffer.from(a.points.buffer).equals(Buffer.from(b.points.buffer))).toBe(true);
    expect(Array.from(a.steps)).toEqual(Array.from(b.steps));
    expect(Buffer.from(a.points.buffer).equals(Buffer.from(c.points.buffer))).toBe(false);
    // Trajectory t depends only on (seed, t): a longer design starts with the shorter one.
    const long = morrisDesign(ishigamiSpec(), 40, 4, 3);
    expect(Array.from(long.points.subarray(0, a.points.length))).toEqual(Array.from(a.points));
  });
});

describe('morrisIndices', () => {
  it('linear model: every elementary effect is the slope times the range', () => {
    // f = 3 x1 - 2 x2 on x1 in [0, 2], x2 in [0, 1]: EE in unit coordinates = 6 and -2.
    const spec = [
      { name: 'x1', lo: 0, hi: 2, scale: 'linear' as const },
      { name: 'x2', lo: 0, hi: 1, scale: 'linear' as const },
    ];
    const des = morrisDesign(spec, 10, 4, 1);
    const m = morrisIndices(
      des,
      evaluate(des.points, des.rows, 2, (x) => 3 * (x[0] as number) - 2 * (x[1] as number)),
    );
    expect(m.mu[0]).toBeCloseTo(6, 12);
    expect(m.muStar[0]).toBeCloseTo(6, 12);
    expect(m.mu[1]).toBeCloseTo(-2, 12);
    expect(m.muStar[1]).toBeCloseTo(2, 12);
    expect(m.sigma[0]).toBeLessThan(1e-12);
  });

  it('Ishigami at p = 4: mu* matches its exact expectation on the grid', () => {
    // Grid x in {-pi, -pi/3, pi/3, pi}, Delta = 2/3. Every step of x2 changes sin^2 by 3/4: |EE2| = 9a/8 exactly.
    // x1 steps change sin x1 by sqrt(3)/2, with x3 uniform on the grid: mu*1 = 1.5 (sqrt3/2)(1 + b pi^4 (82/81)/2).
    // x3 steps change x3^4 by (80/81) pi^4, times |sin x1| = sqrt3/2 half the time: mu*3 = 0.75 b (sqrt3/2) pi^4 80/81.
    const a = ISHIGAMI_A;
    const b = ISHIGAMI_B;
    const h = Math.sqrt(3) / 2;
    const pi4 = Math.PI ** 4;
    const exact = [1.5 * h * (1 + (b * pi4 * (82 / 81)) / 2), (9 * a) / 8, 0.75 * b * h * pi4 * (80 / 81)];
    const r = 2000;
    const des = morrisDesign(ishigamiSpec(), r, 4, 1);
    const m = morrisIndices(des, evaluate(des.points, des.rows, 3, ishigami));
    expect(m.muStar[1]).toBeCloseTo(exact[1] as number, 9);
    // Monte Carlo error of a mean of r absolute effects: sd(|EE|) <= sigma, so 4 sigma / sqrt(r) is >= 4 standard errors.
    for (const i of [0, 2]) {
      const tol = (4 * (m.sigma[i] as number)) / Math.sqrt(r);
      expect(Math.abs((m.muStar[i] as number) - (exact[i] as number)), `mu*${i + 1}`).toBeLessThan(tol);
    }
  });

  it('G function: mu* ranks the parameters in the order of their analytic total indices', () => {
    const a = [0, 1, 4.5, 9, 99, 99, 99, 99];
    const st = sobolGIndices(a).total;
    const des = morrisDesign(sobolGSpec(8), 100, 8, 2);
    const m = morrisIndices(
      des,
      evaluate(des.points, des.rows, 8, (x) => sobolG(x, a)),
    );
    for (let i = 0; i < 3; i++) {
      expect(st[i] as number).toBeGreaterThan(st[i + 1] as number);
      expect(m.muStar[i] as number, `mu*${i + 1} > mu*${i + 2}`).toBeGreaterThan(m.muStar[i + 1] as number);
    }
    for (let i = 4; i < 8; i++) expect(m.muStar[3] as number).toBeGreaterThan(5 * (m.muStar[i] as number));
  });

  it('Ishigami: mu* puts x1 first, as the total indices do, and flags x3 although S3 = 0', () => {
    // The analytic total order is x1 > x2 > x3 (0.558, 0.442, 0.244); mu* is a screening proxy, not ST: at p = 8
    // (r = 1000, seeds 1-2) it gave about 8.5, 3.2, 6.0, i.e. x1 > x3 > x2 (large grid steps across sin^2 x2 land on
    // similar values), and at p = 4 its exact values are 7.70, 7.875, 6.25 (test above). So only the leader and
    // the non-negligibility of x3 are asserted; the full ST order is asserted on the G function.
    const des = morrisDesign(ishigamiSpec(), 500, 8, 3);
    const m = morrisIndices(des, evaluate(des.points, des.rows, 3, ishigami));
    expect(m.muStar[0] as number).toBeGreaterThan(m.muStar[1] as number);
    expect(m.muStar[0] as number).toBeGreaterThan(m.muStar[2] as number);
    expect(m.muStar[2] as number).toBeGreaterThan(0.25 * (m.muStar[0] as number));
    expect(Math.abs(m.mu[2] as number)).toBeLessThan(0.5 * (m.muStar[2] as number)); // x3 acts through +-x3^4 sin x1
  });
});

describe('bad input', () => {
  it('rejects bad r, levels, seeds, specs and values', () => {
    const spec = ishigamiSpec();
    expect(() => morrisDesign(spec, 1, 4, 1)).toThrow(/r \(trajectories\)/);
    expect(() => morrisDesign(spec, 10, 5, 1)).toThrow(/levels must be an even integer/);
    expect(() => morrisDesign(spec, 10, 0, 1)).toThrow(/levels/);
    expect(() => morrisDesign(spec, 10, 4, -3)).toThrow(/seed/);
    expect(() => morrisDesign([], 10, 4, 1)).toThrow(GsaError);
    const des = morrisDesign(spec, 10, 4, 1);
    expect(() => morrisIndices(des, new Float64Array(3))).toThrow(/need 40 values/);
    const v = new Float64Array(des.rows);
    v[5] = Number.POSITIVE_INFINITY;
    expect(() => morrisIndices(des, v)).toThrow(/row 5 is not finite/);
  });
});
