import { describe, expect, it } from 'vitest';
import {
  normalBelow,
  standardNormalAbove,
  standardNormalBelowMoments,
} from '../../../src/fitting/population/truncated-normal.js';
import { streamFor } from '../../../src/numerics/random/index.js';

describe('normal truncated above', () => {
  it('moments match the closed form (mean within 4 SE, variance within 5 %) from the bulk to the far tail', () => {
    const n = 20000;
    for (const [index, b] of [2, 0, -1.5, -4, -12, -30].entries()) {
      const s = streamFor(11, ['purpose', 'test-truncated-normal'], ['case', index]);
      let sum = 0;
      let sq = 0;
      let max = Number.NEGATIVE_INFINITY;
      for (let k = 0; k < n; k++) {
        const x = -standardNormalAbove(s, -b);
        sum += x;
        sq += x * x;
        if (x > max) max = x;
      }
      const mean = sum / n;
      const variance = sq / n - mean * mean;
      const m = standardNormalBelowMoments(b);
      expect(max).toBeLessThanOrEqual(b);
      expect(Math.abs(mean - m.mean)).toBeLessThan(4 * Math.sqrt(m.variance / n));
      expect(Math.abs(variance / m.variance - 1)).toBeLessThan(0.05);
    }
  });

  it('the closed-form moments agree with known values (b = 0: mean -sqrt(2/pi), variance 1 - 2/pi)', () => {
    const m = standardNormalBelowMoments(0);
    expect(m.mean).toBeCloseTo(-Math.sqrt(2 / Math.PI), 6);
    expect(m.variance).toBeCloseTo(1 - 2 / Math.PI, 6);
    // Far tail: E[Z | Z <= b] -> b + 1/b (Mills ratio expansion), variance -> 1/b^2.
    const t = standardNormalBelowMoments(-30);
    expect(Math.abs(t.mean - (-30 - 1 / 30))).toBeLessThan(1e-4);
  });

  it('normalBelow shifts and scales: N(5, 2^2) below 4', () => {
    const s = streamFor(12, ['purpose', 'test-truncated-normal-shift']);
    const n = 20000;
    let sum = 0;
    for (let k = 0; k < n; k++) {
      const x = normalBelow(s, 5, 2, 4);
      expect(x).toBeLessThanOrEqual(4);
      sum += x;
    }
    const m = standardNormalBelowMoments(-0.5);
    expect(Math.abs(sum / n - (5 + 2 * m.mean))).toBeLessThan(4 * 2 * Math.sqrt(m.variance / n));
  });
});
