import { describe, expect, it } from 'vitest';
import { gradientAt } from '../../../src/numerics/fields/gradient.js';
import { Grid } from '../../../src/numerics/fields/grid.js';

function fill(grid: Grid, f: (x: number, y: number, z: number) => number): Float64Array {
  const u = new Float64Array(grid.voxelCount);
  const c = new Float64Array(3);
  for (let v = 0; v < grid.voxelCount; v++) {
    grid.centre(v, c);
    u[v] = f(c[0], c[1], c[2]);
  }
  return u;
}

describe('gradientAt', () => {
  it('is exact for a linear field, also on the edge voxels (3D)', () => {
    const g = new Grid({ shape: [7, 5, 4], spacing: [10, 20, 5], origin: [3, -4, 0] });
    const u = fill(g, (x, y, z) => 2 + 0.3 * x - 0.7 * y + 1.1 * z);
    const out = new Float64Array(3);
    for (let v = 0; v < g.voxelCount; v++) {
      gradientAt(g, u, v, out);
      expect(out[0]).toBeCloseTo(0.3, 12);
      expect(out[1]).toBeCloseTo(-0.7, 12);
      expect(out[2]).toBeCloseTo(1.1, 12);
    }
  });

  it('is second order inside for a Gaussian (error ratio ~4 per halving of h); zero along a missing axis', () => {
    const sigma = 60;
    const f = (x: number, y: number) => Math.exp(-((x - 200) ** 2 + (y - 180) ** 2) / (2 * sigma * sigma));
    const dfx = (x: number, y: number) => (-(x - 200) / (sigma * sigma)) * f(x, y);
    const errs: number[] = [];
    for (const h of [20, 10, 5]) {
      const n = 400 / h;
      const g = new Grid({ shape: [n, n], spacing: h });
      const u = fill(g, f);
      const out = new Float64Array(3);
      const c = new Float64Array(3);
      let err = 0;
      // interior voxels within 100 um of the centre
      for (let v = 0; v < g.voxelCount; v++) {
        g.centre(v, c);
        if (Math.hypot(c[0] - 200, c[1] - 180) > 100) continue;
        gradientAt(g, u, v, out);
        err = Math.max(err, Math.abs(out[0] - dfx(c[0], c[1])));
        expect(out[2]).toBe(0);
      }
      errs.push(err);
    }
    expect(errs[0] / errs[1]).toBeGreaterThan(3.6);
    expect(errs[0] / errs[1]).toBeLessThan(4.4);
    expect(errs[1] / errs[2]).toBeGreaterThan(3.6);
    expect(errs[1] / errs[2]).toBeLessThan(4.4);
    expect(errs[2]).toBeLessThan(5e-5); // 0.5 % of the peak |df/dx| = 1 / (sigma sqrt(e)) = 0.01
  });
});
