/**
 * A regular Cartesian grid of voxels (finite volumes) in 1, 2 or 3 dimensions.
 *
 * Voxel (i, j, k) covers [x0 + i dx, x0 + (i + 1) dx) x [y0 + j dy, ...) x [z0 + k dz, ...) and its centre is
 * x0 + (i + 1/2) dx etc. Voxels are numbered x fastest: v = i + nx (j + ny k). A 1D or 2D grid has ny = 1 / nz = 1
 * and spacing 1 in the missing directions, so `voxelVolume` is a length (1D, per unit cross-section) or an area
 * (2D, per unit depth) and amounts stay consistent with the densities the solver stores.
 */

export type GridDims = 1 | 2 | 3;

export interface GridOptions {
  /** Voxels per axis: [nx], [nx, ny] or [nx, ny, nz]; the length sets the dimension. */
  readonly shape: readonly number[];
  /** Voxel edge length: one number for cubic voxels or one per axis (same length as `shape`). */
  readonly spacing: number | readonly number[];
  /** Coordinates of the lower corner of voxel 0 (default all zeros). */
  readonly origin?: readonly number[];
}

function gridError(field: string, expected: string, got: unknown): Error {
  return new Error(`Grid: option '${field}' must be ${expected}, got ${JSON.stringify(got)}`);
}

export class Grid {
  readonly dims: GridDims;
  readonly nx: number;
  readonly ny: number;
  readonly nz: number;
  readonly dx: number;
  readonly dy: number;
  readonly dz: number;
  readonly x0: number;
  readonly y0: number;
  readonly z0: number;
  /** nx * ny * nz. */
  readonly voxelCount: number;
  /** dx * dy * dz (spacing 1 in the directions a 1D or 2D grid does not have). */
  readonly voxelVolume: number;

  constructor(options: GridOptions) {
    const { shape, spacing, origin } = options;
    if (!Array.isArray(shape) || shape.length < 1 || shape.length > 3) {
      throw gridError('shape', 'an array of 1 to 3 voxel counts', shape);
    }
    for (let a = 0; a < shape.length; a++) {
      const n = shape[a];
      if (!Number.isInteger(n) || n < 1) throw gridError(`shape[${a}]`, 'an integer >= 1', n);
    }
    const dims = shape.length as GridDims;
    const h: number[] = typeof spacing === 'number' ? new Array(dims).fill(spacing) : [...spacing];
    if (h.length !== dims) throw gridError('spacing', `a number or an array of ${dims} numbers`, spacing);
    for (let a = 0; a < dims; a++) {
      if (!Number.isFinite(h[a]) || h[a] <= 0) throw gridError(`spacing[${a}]`, 'a finite number > 0', h[a]);
    }
    const o = origin ?? new Array(dims).fill(0);
    if (o.length !== dims) throw gridError('origin', `an array of ${dims} numbers`, origin);
    for (let a = 0; a < dims; a++) {
      if (!Number.isFinite(o[a])) throw gridError(`origin[${a}]`, 'a finite number', o[a]);
    }
    this.dims = dims;
    this.nx = shape[0];
    this.ny = dims >= 2 ? shape[1] : 1;
    this.nz = dims >= 3 ? shape[2] : 1;
    this.dx = h[0];
    this.dy = dims >= 2 ? h[1] : 1;
    this.dz = dims >= 3 ? h[2] : 1;
    this.x0 = o[0];
    this.y0 = dims >= 2 ? o[1] : 0;
    this.z0 = dims >= 3 ? o[2] : 0;
    this.voxelCount = this.nx * this.ny * this.nz;
    this.voxelVolume = this.dx * this.dy * this.dz;
  }

  /** Voxel number of (i, j, k); no range check (hot path). */
  index(i: number, j = 0, k = 0): number {
    return i + this.nx * (j + this.ny * k);
  }

  /** Writes (i, j, k) of voxel v into `out`. */
  ijk(v: number, out: Int32Array | number[]): void {
    const nx = this.nx;
    const ny = this.ny;
    const i = v % nx;
    const r = (v - i) / nx;
    const j = r % ny;
    out[0] = i;
    out[1] = j;
    out[2] = (r - j) / ny;
  }

  centreX(i: number): number {
    return this.x0 + (i + 0.5) * this.dx;
  }

  centreY(j: number): number {
    return this.y0 + (j + 0.5) * this.dy;
  }

  centreZ(k: number): number {
    return this.z0 + (k + 0.5) * this.dz;
  }

  /** Writes the centre (x, y, z) of voxel v into `out` (0 for the directions the grid does not have). */
  centre(v: number, out: Float64Array | number[]): void {
    const nx = this.nx;
    const ny = this.ny;
    const i = v % nx;
    const r = (v - i) / nx;
    const j = r % ny;
    const k = (r - j) / ny;
    out[0] = this.centreX(i);
    out[1] = this.dims >= 2 ? this.centreY(j) : 0;
    out[2] = this.dims >= 3 ? this.centreZ(k) : 0;
  }

  /** Upper corner of the domain per axis: x0 + nx dx etc. */
  get upper(): [number, number, number] {
    return [this.x0 + this.nx * this.dx, this.y0 + this.ny * this.dy, this.z0 + this.nz * this.dz];
  }

  /**
   * Voxel containing the point (x, y, z), or -1 outside the domain (upper faces are outside). Coordinates of the
   * directions the grid does not have are ignored.
   */
  voxelAt(x: number, y = 0, z = 0): number {
    const i = Math.floor((x - this.x0) / this.dx);
    if (!(i >= 0 && i < this.nx)) return -1;
    let j = 0;
    let k = 0;
    if (this.dims >= 2) {
      j = Math.floor((y - this.y0) / this.dy);
      if (!(j >= 0 && j < this.ny)) return -1;
    }
    if (this.dims >= 3) {
      k = Math.floor((z - this.z0) / this.dz);
      if (!(k >= 0 && k < this.nz)) return -1;
    }
    return i + this.nx * (j + this.ny * k);
  }
}
