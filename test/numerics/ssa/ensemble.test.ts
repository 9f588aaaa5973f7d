import { describe, expect, it } from 'vitest';
import { exponential, standardNormal, streamFor } from '../../../src/numerics/random/index.js';
import { EnsembleStats } from '../../../src/numerics/ssa/ensemble.js';

describe('EnsembleStats', () => {
  it('Welford mean and unbiased variance agree with two-pass formulas, also with a large offset', () => {
    const s = streamFor(3, ['purpose', 'test']);
    const n = 5000;
    const data = Float64Array.from({ length: n }, () => 1e8 + standardNormal(s));
    const st = new EnsembleStats(1, 1);
    const row = new Float64Array(1);
    for (const v of data) {
      row[0] = v;
      st.add(0, row);
    }
    let m = 0;
    for (const v of data) m += v;
    m /= n;
    let ss = 0;
    for (const v of data) ss += (v - m) ** 2;
    expect(st.count(0)).toBe(n);
    expect(Math.abs(st.mean(0, 0) - m)).toBeLessThan(1e-6); // 1e-14 relative
    expect(Math.abs(st.variance(0, 0) / (ss / (n - 1)) - 1)).toBeLessThan(1e-7);
  });

  it('excess kurtosis agrees with the two-pass value (exponential data: population value 6)', () => {
    const s = streamFor(6, ['purpose', 'test']);
    const n = 20000;
    const data = Float64Array.from({ length: n }, () => 5 + exponential(s, 2));
    const st = new EnsembleStats(1, 1);
    for (const v of data) st.add(0, [v]);
    let m = 0;
    for (const v of data) m += v;
    m /= n;
    let c2 = 0;
    let c4 = 0;
    for (const v of data) {
      c2 += (v - m) ** 2;
      c4 += (v - m) ** 4;
    }
    const k = (n * c4) / (c2 * c2) - 3;
    expect(st.excessKurtosis(0, 0)).toBeCloseTo(k, 9);
    expect(Math.abs(k - 6)).toBeLessThan(1.5);
  });

  it('merge() equals one accumulator over the union', () => {
    const s = streamFor(4, ['purpose', 'test']);
    const all = new EnsembleStats(2, 3);
    const a = new EnsembleStats(2, 3);
    const b = new EnsembleStats(2, 3);
    const row = new Float64Array(3);
    for (let r = 0; r < 300; r++)
      for (let i = 0; i < 2; i++) {
        for (let k = 0; k < 3; k++) row[k] = exponential(s, 1 + k) + i;
        all.add(i, row);
        (r < 120 ? a : b).add(i, row);
      }
    a.merge(b);
    for (let i = 0; i < 2; i++)
      for (let k = 0; k < 3; k++) {
        expect(a.mean(i, k)).toBeCloseTo(all.mean(i, k), 12);
        expect(a.variance(i, k)).toBeCloseTo(all.variance(i, k), 11);
        expect(a.excessKurtosis(i, k)).toBeCloseTo(all.excessKurtosis(i, k), 10);
      }
    expect(() => new EnsembleStats(1, 1, [0.5]).merge(new EnsembleStats(1, 1, [0.5]))).toThrow(
      /cannot be merged/,
    );
  });

  it('P-squared quantiles within 4 sampling SEs (+1% bias allowance) of the true normal and exponential quantiles, N = 10^4', () => {
    const s = streamFor(5, ['purpose', 'test']);
    const ps = [0.05, 0.25, 0.5, 0.75, 0.95];
    const st = new EnsembleStats(1, 2, ps);
    const row = new Float64Array(2);
    for (let r = 0; r < 10000; r++) {
      row[0] = standardNormal(s);
      row[1] = exponential(s, 1);
      st.add(0, row);
    }
    const zq = [-1.6448536269514729, -0.6744897501960817, 0, 0.6744897501960817, 1.6448536269514729];
    // SE of a sample quantile: sqrt(p (1 - p) / N) / f(x_p).
    ps.forEach((p, q) => {
      const se = (f: number) => Math.sqrt((p * (1 - p)) / 10000) / f;
      const fz = Math.exp(-0.5 * zq[q] ** 2) / Math.sqrt(2 * Math.PI);
      expect(Math.abs(st.quantile(0, 0, q) - zq[q])).toBeLessThan(4 * se(fz) + 0.01);
      const e = -Math.log(1 - p);
      expect(Math.abs(st.quantile(0, 1, q) - e)).toBeLessThan(4 * se(1 - p) + 0.01 * e);
    });
  });

  it('exact sample quantiles below five observations', () => {
    const st = new EnsembleStats(1, 1, [0.5]);
    for (const v of [3, 1, 2]) st.add(0, [v]);
    expect(st.quantile(0, 0, 0)).toBe(2);
    expect(st.sd(0, 0)).toBeCloseTo(1, 14);
  });
});
