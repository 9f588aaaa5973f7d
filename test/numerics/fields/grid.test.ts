import { describe, expect, it } from 'vitest';
import { Grid } from '../../../src/numerics/fields/grid.js';

describe('Grid', () => {
  it('numbers voxels x fastest and round-trips index <-> (i, j, k)', () => {
    const g = new Grid({ shape: [4, 3, 5], spacing: [1, 2, 0.5], origin: [-2, 0, 10] });
    expect(g.dims).toBe(3);
    expect(g.voxelCount).toBe(60);
    expect(g.voxelVolume).toBe(1);
    expect(g.index(1, 2, 3)).toBe(1 + 4 * (2 + 3 * 3));
    const ijk = new Int32Array(3);
    for (let v = 0; v < g.voxelCount; v++) {
      g.ijk(v, ijk);
      expect(g.index(ijk[0], ijk[1], ijk[2])).toBe(v);
    }
    expect(g.upper).toEqual([2, 6, 12.5]);
  });

  it('places voxel centres half a voxel in and finds the voxel of a point', () => {
    const g = new Grid({ shape: [4, 3, 5], spacing: [1, 2, 0.5], origin: [-2, 0, 10] });
    const c = new Float64Array(3);
    g.centre(g.index(1, 2, 3), c);
    expect([...c]).toEqual([-0.5, 5, 11.75]);
    const ijk = new Int32Array(3);
    for (let v = 0; v < g.voxelCount; v++) {
      g.centre(v, c);
      expect(g.voxelAt(c[0], c[1], c[2])).toBe(v);
      g.ijk(v, ijk);
      // the lower corner belongs to the voxel, the upper face to the next one
      expect(g.voxelAt(-2 + ijk[0], 2 * ijk[1], 10 + 0.5 * ijk[2])).toBe(v);
    }
    expect(g.voxelAt(2, 1, 11)).toBe(-1);
    expect(g.voxelAt(-2.0001, 1, 11)).toBe(-1);
    expect(g.voxelAt(0, 6, 11)).toBe(-1);
    expect(g.voxelAt(0, 1, 12.5)).toBe(-1);
  });

  it('gives 1D and 2D grids unit spacing in the missing directions', () => {
    const g1 = new Grid({ shape: [10], spacing: 0.2 });
    expect([g1.ny, g1.nz, g1.dy, g1.dz, g1.voxelVolume]).toEqual([1, 1, 1, 1, 0.2]);
    expect(g1.voxelAt(1.9, 123, -7)).toBe(9);
    const g2 = new Grid({ shape: [10, 20], spacing: 20 });
    expect([g2.dims, g2.nz, g2.voxelVolume, g2.voxelCount]).toEqual([2, 1, 400, 200]);
  });

  it('rejects bad options with the field and what was expected', () => {
    expect(() => new Grid({ shape: [], spacing: 1 })).toThrow(/'shape' must be an array of 1 to 3/);
    expect(() => new Grid({ shape: [3, 0], spacing: 1 })).toThrow(
      /'shape\[1\]' must be an integer >= 1, got 0/,
    );
    expect(() => new Grid({ shape: [3, 2.5], spacing: 1 })).toThrow(/'shape\[1\]'/);
    expect(() => new Grid({ shape: [3, 2], spacing: -1 })).toThrow(
      /'spacing\[0\]' must be a finite number > 0/,
    );
    expect(() => new Grid({ shape: [3, 2], spacing: [1] })).toThrow(
      /'spacing' must be a number or an array of 2/,
    );
    expect(() => new Grid({ shape: [3], spacing: 1, origin: [Number.NaN] })).toThrow(/'origin\[0\]'/);
  });
});
