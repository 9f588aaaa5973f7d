import { describe, expect, it } from 'vitest';
import { localSensitivity } from '../../src/fitting/sensitivity.js';

describe('localSensitivity', () => {
  it('scores derivatives per unit of range position (linear and log) and ranks them', () => {
    // y = [3 s_a, 0.5 log10 b] with a linear on [0, 2] and b log on [1, 1e4]: d/d position = [6, 0] and [0, 2].
    const specs = [
      { name: 'a', lo: 0, hi: 2, scale: 'linear' as const },
      { name: 'b', lo: 1, hi: 1e4, scale: 'log' as const },
      { name: 'c', lo: 0, hi: 1, scale: 'linear' as const },
    ];
    const r = localSensitivity((x) => [3 * x[0], 0.5 * Math.log10(x[1])], specs, [1, 100, 0.5]);
    expect(r.map((e) => e.name)).toEqual(['a', 'b', 'c']);
    expect(r[0].score).toBeCloseTo(6 / Math.SQRT2, 10);
    expect(r[0].max).toBeCloseTo(6, 10);
    expect(r[1].score).toBeCloseTo(2 / Math.SQRT2, 8);
    expect(r[2].score).toBe(0);
  });
});
