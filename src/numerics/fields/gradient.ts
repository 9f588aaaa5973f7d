/**
 * Gradient of a field at a voxel centre by finite differences: central (u[v+1] - u[v-1]) / 2h inside (second
 * order; exact for fields quadratic along the axis), one-sided (first order) on the two edge voxels of an axis,
 * zero along an axis with one voxel. Used for chemotaxis (PhysiCell takes the same voxel-centred gradients,
 * Ghaffarizadeh et al. 2018). Allocation-free: writes into `out`.
 */
import type { Grid } from './grid.js';

/** Writes the gradient of `u` at voxel `v` into out[0..2] (units of u per um). */
export function gradientAt(grid: Grid, u: Float64Array, v: number, out: Float64Array | number[]): void {
  const { nx, ny, nz } = grid;
  const i = v % nx;
  const jk = (v - i) / nx;
  const j = jk % ny;
  const k = (jk - j) / ny;
  out[0] = diff(u, v, 1, i, nx, grid.dx);
  out[1] = diff(u, v, nx, j, ny, grid.dy);
  out[2] = diff(u, v, nx * ny, k, nz, grid.dz);
}

function diff(u: Float64Array, v: number, stride: number, c: number, n: number, h: number): number {
  if (n === 1) return 0;
  if (c === 0) return (u[v + stride] - u[v]) / h;
  if (c === n - 1) return (u[v] - u[v - stride]) / h;
  return (u[v + stride] - u[v - stride]) / (2 * h);
}
