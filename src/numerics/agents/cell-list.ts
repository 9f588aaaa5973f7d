/**
 * Uniform cell list (bins) for neighbour search: bins at least `binSize` wide (the largest interaction distance),
 * so every pair closer than binSize lies in the same or adjacent bins. Rebuilt each mechanics step by a stable
 * counting sort (count, prefix sum, scatter) into arrays allocated once; each bin is then sorted by agent id
 * (insertion sort, bins hold a handful of agents) so iteration order, and hence every floating-point sum over
 * neighbours, depends on positions and ids only, never on the rows' order in the store.
 *
 * Bin (bx, by, bz) is numbered bx + nx (by + ny bz) (x fastest), so the three bins bx-1..bx+1 of one row are
 * consecutive and their agents form one contiguous range of `order`. Agents outside the domain are clamped into
 * the edge bins (clamping is monotone, so the adjacency guarantee still holds).
 */
export interface Domain {
  /** Lower corner [x, y] or [x, y, z] (um). */
  readonly lo: readonly number[];
  /** Upper corner. */
  readonly hi: readonly number[];
}

export class CellList {
  readonly dims: 2 | 3;
  readonly binSize: number;
  readonly nx: number;
  readonly ny: number;
  readonly nz: number;
  readonly binCount: number;
  /** Bin widths per axis (>= binSize) and their inverses. */
  readonly wx: number;
  readonly wy: number;
  readonly wz: number;
  readonly ix: number;
  readonly iy: number;
  readonly iz: number;
  readonly x0: number;
  readonly y0: number;
  readonly z0: number;
  /** Agents of bin b are order[binStart[b] .. binStart[b + 1]) (store rows), sorted by id. */
  readonly binStart: Int32Array;
  order: Int32Array;
  /** Bin of each store row (valid after rebuild; shared like order). */
  binOf: Int32Array;
  /** Position in `order` of each store row (valid after rebuild): pos[order[k]] = k. */
  pos: Int32Array;
  private readonly cursor: Int32Array;
  private n = 0;

  /** order and binStart live in SharedArrayBuffers (read by a worker thread). */
  readonly shared: boolean;

  constructor(dims: 2 | 3, domain: Domain, binSize: number, shared = false) {
    if (dims !== 2 && dims !== 3) throw new RangeError(`CellList dims ${dims}: 2 or 3`);
    if (!(binSize > 0) || !Number.isFinite(binSize)) throw new RangeError(`CellList binSize ${binSize}: > 0`);
    if (domain.lo.length < dims || domain.hi.length < dims)
      throw new RangeError(`CellList domain: lo and hi need ${dims} coordinates`);
    this.dims = dims;
    this.binSize = binSize;
    const nb = (a: number) => {
      const len = domain.hi[a] - domain.lo[a];
      if (!(len > 0) || !Number.isFinite(len))
        throw new RangeError(
          `CellList domain axis ${a}: hi (${domain.hi[a]}) must exceed lo (${domain.lo[a]})`,
        );
      return Math.max(1, Math.floor(len / binSize));
    };
    this.nx = nb(0);
    this.ny = nb(1);
    this.nz = dims === 3 ? nb(2) : 1;
    this.binCount = this.nx * this.ny * this.nz;
    if (this.binCount > 2 ** 28)
      throw new RangeError(`CellList: ${this.binCount} bins; use a larger binSize`);
    this.x0 = domain.lo[0];
    this.y0 = domain.lo[1];
    this.z0 = dims === 3 ? domain.lo[2] : 0;
    this.wx = (domain.hi[0] - domain.lo[0]) / this.nx;
    this.wy = (domain.hi[1] - domain.lo[1]) / this.ny;
    this.wz = dims === 3 ? (domain.hi[2] - domain.lo[2]) / this.nz : 1;
    this.ix = 1 / this.wx;
    this.iy = 1 / this.wy;
    this.iz = 1 / this.wz;
    this.shared = shared;
    this.binStart = this.ints(this.binCount + 1);
    this.cursor = new Int32Array(this.binCount);
    this.order = this.ints(64);
    this.binOf = this.ints(64);
    this.pos = this.ints(64);
  }

  private ints(n: number): Int32Array {
    return this.shared ? new Int32Array(new SharedArrayBuffer(4 * n)) : new Int32Array(n);
  }

  /** Agents binned by the last rebuild. */
  get count(): number {
    return this.n;
  }

  /** Bin coordinate along x of position x (clamped into the domain). */
  binX(x: number): number {
    const b = Math.floor((x - this.x0) * this.ix);
    return b < 0 ? 0 : b >= this.nx ? this.nx - 1 : b;
  }

  binY(y: number): number {
    const b = Math.floor((y - this.y0) * this.iy);
    return b < 0 ? 0 : b >= this.ny ? this.ny - 1 : b;
  }

  binZ(z: number): number {
    if (this.dims === 2) return 0;
    const b = Math.floor((z - this.z0) * this.iz);
    return b < 0 ? 0 : b >= this.nz ? this.nz - 1 : b;
  }

  /**
   * Bins rows 0..count-1 by position. Allocates only when count exceeds every earlier count (arrays double).
   */
  rebuild(x: Float64Array, y: Float64Array, z: Float64Array, id: Int32Array, count: number): void {
    if (count > this.order.length) {
      let c = this.order.length;
      while (c < count) c *= 2;
      this.order = this.ints(c);
      this.binOf = this.ints(c);
      this.pos = this.ints(c);
    }
    this.n = count;
    const { binStart, cursor, order, binOf, nx, ny } = this;
    binStart.fill(0);
    for (let i = 0; i < count; i++) {
      const b = this.binX(x[i]) + nx * (this.binY(y[i]) + ny * this.binZ(z[i]));
      binOf[i] = b;
      binStart[b + 1]++;
    }
    const nb = this.binCount;
    for (let b = 0; b < nb; b++) {
      binStart[b + 1] += binStart[b];
      cursor[b] = binStart[b];
    }
    for (let i = 0; i < count; i++) order[cursor[binOf[i]]++] = i;
    // Sort each bin by id: the order of sums over neighbours then does not depend on the rows' order.
    for (let b = 0; b < nb; b++) {
      const s = binStart[b];
      const e = binStart[b + 1];
      for (let k = s + 1; k < e; k++) {
        const r = order[k];
        const key = id[r];
        let m = k - 1;
        while (m >= s && id[order[m]] > key) {
          order[m + 1] = order[m];
          m--;
        }
        order[m + 1] = r;
      }
    }
    const pos = this.pos;
    for (let k = 0; k < count; k++) pos[order[k]] = k;
  }

  /**
   * Calls `visit(i, j)` for every ordered pair of distinct binned rows whose bins are adjacent (a superset of the
   * pairs closer than binSize). For tests and non-hot callers; the mechanics kernel inlines the same loops.
   */
  forEachCandidate(visit: (i: number, j: number) => void): void {
    const { nx, ny, nz, binStart, order } = this;
    const nzz = this.dims === 3 ? nz : 1;
    for (let bz = 0; bz < nzz; bz++)
      for (let by = 0; by < ny; by++)
        for (let bx = 0; bx < nx; bx++) {
          const b = bx + nx * (by + ny * bz);
          const x0 = bx > 0 ? bx - 1 : 0;
          const x1 = bx < nx - 1 ? bx + 1 : nx - 1;
          for (let k = binStart[b]; k < binStart[b + 1]; k++) {
            const i = order[k];
            for (let cz = Math.max(0, bz - 1); cz <= Math.min(nzz - 1, bz + 1); cz++)
              for (let cy = Math.max(0, by - 1); cy <= Math.min(ny - 1, by + 1); cy++) {
                const row = nx * (cy + ny * cz);
                for (let m = binStart[row + x0]; m < binStart[row + x1 + 1]; m++) {
                  const j = order[m];
                  if (j !== i) visit(i, j);
                }
              }
          }
        }
  }
}
