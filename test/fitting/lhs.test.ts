import { describe, expect, it } from 'vitest';
import { latinHypercube } from '../../src/fitting/lhs.js';

function strataCounts(x: Float64Array, n: number, d: number, j: number): number[] {
  const counts = new Array<number>(n).fill(0);
  for (let i = 0; i < n; i++) counts[Math.floor(x[i * d + j] * n)]++;
  return counts;
}

describe('latinHypercube', () => {
  it('puts exactly one point in each stratum of every axis', () => {
    for (const [n, d] of [
      [1, 3],
      [7, 1],
      [50, 6],
      [257, 3],
    ]) {
      const x = latinHypercube(n, d, 42, 'test');
      expect(x.length).toBe(n * d);
      for (const v of x) {
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThan(1);
      }
      for (let j = 0; j < d; j++) expect(strataCounts(x, n, d, j)).toEqual(new Array(n).fill(1));
    }
  });

  it('is reproducible from (seed, purpose) and differs across seeds and purposes', () => {
    const a = latinHypercube(20, 4, 7, 'p');
    expect(latinHypercube(20, 4, 7, 'p')).toEqual(a);
    expect(latinHypercube(20, 4, 8, 'p')).not.toEqual(a);
    expect(latinHypercube(20, 4, 7, 'q')).not.toEqual(a);
  });

  it('maximin over candidates keeps the Latin property and does not decrease the smallest distance', () => {
    const n = 12;
    const d = 3;
    const minDist = (x: Float64Array) => {
      let best = Number.POSITIVE_INFINITY;
      for (let a = 0; a < n; a++)
        for (let b = a + 1; b < n; b++) {
          let s = 0;
          for (let j = 0; j < d; j++) s += (x[a * d + j] - x[b * d + j]) ** 2;
          best = Math.min(best, s);
        }
      return best;
    };
    const one = latinHypercube(n, d, 5, 'mm');
    const best = latinHypercube(n, d, 5, 'mm', { candidates: 20 });
    for (let j = 0; j < d; j++) expect(strataCounts(best, n, d, j)).toEqual(new Array(n).fill(1));
    expect(minDist(best)).toBeGreaterThanOrEqual(minDist(one));
  });

  it('rejects bad sizes', () => {
    expect(() => latinHypercube(0, 2, 1)).toThrow(/n must be an integer >= 1/);
    expect(() => latinHypercube(3, 1.5, 1)).toThrow(/d must be an integer >= 1/);
    expect(() => latinHypercube(3, 2, 1, 'x', { candidates: 0 })).toThrow(/candidates/);
  });
});
