/**
 * Potential-based cell mechanics of PhysiCell (Ghaffarizadeh, Heiland, Friedman, Mumenthaler & Macklin 2018, PLoS
 * Comput Biol 14:e1005991, doi:10.1371/journal.pcbi.1005991; "Cell mechanics and motility"): overdamped motion
 * (inertia neglected, drag folded into the coefficients), so each agent moves with the velocity
 *
 *   v_i = sum_j [ c_r (1 - d/R)^2 [d < R] - c_a (1 - d/S)^2 [d < S] ] (x_i - x_j) / d  + wall_i + s_i m_i
 *
 * d = |x_i - x_j|, R = r_i + r_j (repulsion while the cells overlap), S = a_i r_i + a_j r_j (adhesion out to a
 * multiple a, PhysiCell's relative_maximum_adhesion_distance, of each radius), c_r = sqrt(c_r,i c_r,j) and
 * c_a = sqrt(c_a,i c_a,j) (PhysiCell's geometric means of the two cells' strengths). Positions advance by the
 * second-order Adams-Bashforth step PhysiCell uses, x += dt (3/2 v_n - 1/2 v_{n-1}); an agent's first step is
 * forward Euler (PhysiCell starts from a zero previous velocity instead, which overshoots by dt v / 2).
 *
 * Domain edges: 'wall' is PhysiCell's domain-edge avoidance (a basement-membrane-like repulsion c_w (1 - h/r)^2
 * along the inward normal while the distance h from the centre to a face is below the radius), summed over faces;
 * 'reflect' mirrors a centre that crossed a face back into the domain and reverses that velocity component.
 *
 * Random motility: each agent keeps a direction m_i and speed s_i; each step it draws a fresh uniform direction
 * with probability dt / persistence (always on its first step or when persistence <= dt), as PhysiCell's
 * update_motility_vector does. Draws come from the agent's own keyed stream
 * streamFor(seed, ['purpose', 'agent-motility'], ['agent', id]), generated in place (key in the store's k0..k3
 * columns, position in rngBlock), so results do not depend on agent order or thread count and nothing allocates.
 */
import { deriveStreamKey, type Seed } from '../random/keys.js';
import { philox4x32 } from '../random/philox.js';
import { CellList, type Domain } from './cell-list.js';
import type { AgentStore } from './store.js';

export type AgentBoundary =
  | { readonly kind: 'none' }
  | { readonly kind: 'reflect' }
  /** Repulsive wall with strength c_w (um / min). */
  | { readonly kind: 'wall'; readonly strength: number };

export interface MechanicsOptions {
  readonly domain: Domain;
  /** Mechanics time step (min). */
  readonly dt: number;
  readonly boundary?: AgentBoundary;
  /** Run seed for the motility streams (required once any agent has speed > 0). */
  readonly seed?: Seed;
  /**
   * Bin size of the cell list (um); default: the largest interaction distance max(2 a r) at the first step. If an
   * agent later reaches further, the cell list is rebuilt with a larger bin (the only allocation in a step).
   */
  readonly binSize?: number;
  /**
   * Every this many steps, reorder the store's rows in cell-list order so neighbours are close in memory (about
   * 20% faster for 10^5 agents); 0 (default): never. Rows move, ids do not; results are unchanged (bitwise).
   */
  readonly sortEvery?: number;
}

const TWO_PI = 2 * Math.PI;
const TWO26 = 67108864;
const TWO_M53 = 1 / 9007199254740992;

/** Uniform in [0, 1) from two 32-bit words, as RandomStream.nextFloat64 (same bits). */
function u53(a: number, b: number): number {
  return ((a >>> 5) * TWO26 + (b >>> 6)) * TWO_M53;
}

export class Mechanics {
  readonly store: AgentStore;
  readonly dims: 2 | 3;
  readonly domain: Domain;
  readonly dt: number;
  readonly boundary: AgentBoundary;
  readonly seed: Seed | undefined;
  cells: CellList | undefined;
  /** Steps taken. */
  steps = 0;
  private readonly lo = new Float64Array(3);
  private readonly hi = new Float64Array(3);
  private readonly words = new Uint32Array(8);
  private readonly binSizeOption: number | undefined;
  private readonly sortEvery: number;
  // Scratch in cell-list order (allocated once, doubled when the population outgrows it).
  private sx = new Float64Array(0);
  private sy = new Float64Array(0);
  private sz = new Float64Array(0);
  private sr = new Float64Array(0);
  private sqr = new Float64Array(0);
  private sqa = new Float64Array(0);
  private sreach = new Float64Array(0);
  private ax = new Float64Array(0);
  private ay = new Float64Array(0);
  private az = new Float64Array(0);

  constructor(store: AgentStore, options: MechanicsOptions) {
    this.store = store;
    this.dims = store.dims;
    const d = this.dims;
    const { domain } = options;
    if (domain.lo.length !== d || domain.hi.length !== d)
      throw new RangeError(`Mechanics domain: lo and hi need exactly ${d} coordinates (the store is ${d}D)`);
    for (let a = 0; a < d; a++) {
      if (!(domain.hi[a] > domain.lo[a]))
        throw new RangeError(
          `Mechanics domain axis ${a}: hi (${domain.hi[a]}) must exceed lo (${domain.lo[a]})`,
        );
      this.lo[a] = domain.lo[a];
      this.hi[a] = domain.hi[a];
    }
    this.domain = domain;
    if (!(options.dt > 0) || !Number.isFinite(options.dt))
      throw new RangeError(`Mechanics dt = ${options.dt}: expected a finite number > 0 (min)`);
    this.dt = options.dt;
    this.boundary = options.boundary ?? { kind: 'none' };
    if (this.boundary.kind === 'wall' && !(this.boundary.strength >= 0))
      throw new RangeError(`Mechanics wall strength ${this.boundary.strength}: expected >= 0`);
    this.seed = options.seed;
    if (options.binSize !== undefined && !(options.binSize > 0))
      throw new RangeError(`Mechanics binSize ${options.binSize}: expected > 0`);
    this.binSizeOption = options.binSize;
    const se = options.sortEvery ?? 0;
    if (!Number.isInteger(se) || se < 0) throw new RangeError(`Mechanics sortEvery ${se}: an integer >= 0`);
    this.sortEvery = se;
  }

  /** One mechanics step: neighbours, velocities, Adams-Bashforth move, boundary. */
  step(): void {
    this.computeVelocities();
    this.move();
    this.steps++;
  }

  /** Runs `n` steps. */
  run(n: number): void {
    for (let s = 0; s < n; s++) this.step();
  }

  /** Fills the store's vx, vy, vz with the current velocities (forces, walls, motility); positions unchanged. */
  computeVelocities(): void {
    const st = this.store;
    const n = st.count;
    this.prepare(n);
    const cells = this.cells as CellList;
    cells.rebuild(st.x, st.y, st.z, st.id, n);
    if (this.sortEvery > 0 && this.steps % this.sortEvery === 0) {
      st.permute(cells.order);
      cells.rebuild(st.x, st.y, st.z, st.id, n);
    }
    const { order, binStart, nx, ny } = cells;
    const nz = this.dims === 3 ? cells.nz : 1;
    const { sx, sy, sz, sr, sqr, sqa, sreach } = this;
    const { x, y, z, radius, repulsion, adhesion, adhesionReach, vx, vy, vz } = st;
    for (let k = 0; k < n; k++) {
      const i = order[k];
      sx[k] = x[i];
      sy[k] = y[i];
      sz[k] = z[i];
      sr[k] = radius[i];
      sqr[k] = Math.sqrt(repulsion[i]);
      sqa[k] = Math.sqrt(adhesion[i]);
      sreach[k] = adhesionReach[i] * radius[i];
    }
    const { ax, ay, az } = this;
    ax.fill(0, 0, n);
    ay.fill(0, 0, n);
    az.fill(0, 0, n);
    // Each pair once (half stencil): the rest of the agent's own bin and the next bin in x, the row above in y,
    // and (3D) the three rows of the next plane in z; the pair's force goes to both agents with opposite signs.
    // Iteration follows the cell list (bins, then ids), so every sum has the same order whatever the rows' order.
    for (let bz = 0; bz < nz; bz++) {
      for (let by = 0; by < ny; by++) {
        const yUp = by + 1 < ny;
        const y0 = by > 0 ? by - 1 : 0;
        const y1 = by < ny - 1 ? by + 1 : ny - 1;
        const zUp = bz + 1 < nz;
        for (let bx = 0; bx < nx; bx++) {
          const b = bx + nx * (by + ny * bz);
          const kEnd = binStart[b + 1];
          if (kEnd === binStart[b]) continue;
          const x0 = bx > 0 ? bx - 1 : 0;
          const x1 = bx < nx - 1 ? bx + 1 : nx - 1;
          const sameEnd = binStart[b + (bx < nx - 1 ? 2 : 1)];
          for (let k = binStart[b]; k < kEnd; k++) {
            const xk = sx[k];
            const yk = sy[k];
            const zk = sz[k];
            const rk = sr[k];
            const qr = sqr[k];
            const qa = sqa[k];
            const ak = sreach[k];
            let fx = 0;
            let fy = 0;
            let fz = 0;
            // ranges: r = 0 same row (k+1 .. end of bin bx+1), 1 row by+1, 2..4 rows by-1..by+1 of plane bz+1
            for (let r = 0; r < 5; r++) {
              let mStart: number;
              let mEnd: number;
              if (r === 0) {
                mStart = k + 1;
                mEnd = sameEnd;
              } else if (r === 1) {
                if (!yUp) continue;
                const row = nx * (by + 1 + ny * bz);
                mStart = binStart[row + x0];
                mEnd = binStart[row + x1 + 1];
              } else {
                const cy = y0 + r - 2;
                if (!zUp || cy > y1) continue;
                const row = nx * (cy + ny * (bz + 1));
                mStart = binStart[row + x0];
                mEnd = binStart[row + x1 + 1];
              }
              for (let m = mStart; m < mEnd; m++) {
                const dx = xk - sx[m];
                const dy = yk - sy[m];
                const dz = zk - sz[m];
                const S = ak + sreach[m];
                const R = rk + sr[m];
                const d2 = dx * dx + dy * dy + dz * dz;
                // S >= R since the store keeps adhesionReach >= 1: S is the reach of the pair
                if (d2 >= S * S || d2 === 0) continue;
                const d = Math.sqrt(d2);
                let f = 0;
                if (d < R) {
                  const t = 1 - d / R;
                  f = qr * sqr[m] * t * t;
                }
                if (d < S) {
                  const t = 1 - d / S;
                  f -= qa * sqa[m] * t * t;
                }
                f /= d;
                const gx = f * dx;
                const gy = f * dy;
                const gz = f * dz;
                fx += gx;
                fy += gy;
                fz += gz;
                ax[m] -= gx;
                ay[m] -= gy;
                az[m] -= gz;
              }
            }
            ax[k] += fx;
            ay[k] += fy;
            az[k] += fz;
          }
        }
      }
    }
    for (let k = 0; k < n; k++) {
      const i = order[k];
      vx[i] = ax[k];
      vy[i] = ay[k];
      vz[i] = az[k];
    }
    if (this.boundary.kind === 'wall') this.addWalls(n, this.boundary.strength);
    this.addMotility(n);
  }

  /** Domain-edge avoidance: c_w (1 - h/r)^2 inward while the distance h to a face is below the radius. */
  private addWalls(n: number, cw: number): void {
    const st = this.store;
    const { radius } = st;
    const { lo, hi } = this;
    const d = this.dims;
    for (let a = 0; a < d; a++) {
      const p = a === 0 ? st.x : a === 1 ? st.y : st.z;
      const v = a === 0 ? st.vx : a === 1 ? st.vy : st.vz;
      const l = lo[a];
      const h = hi[a];
      for (let i = 0; i < n; i++) {
        const r = radius[i];
        const dl = p[i] - l;
        if (dl < r) {
          const t = 1 - dl / r;
          v[i] += cw * t * t;
        }
        const dh = h - p[i];
        if (dh < r) {
          const t = 1 - dh / r;
          v[i] -= cw * t * t;
        }
      }
    }
  }

  private addMotility(n: number): void {
    const st = this.store;
    const { speed, persistence, mx, my, mz, rngBlock, k0, k1, k2, k3, vx, vy, vz, keyed } = st;
    const w = this.words;
    const dt = this.dt;
    const three = this.dims === 3;
    for (let i = 0; i < n; i++) {
      const s = speed[i];
      if (s === 0) continue;
      if (keyed[i] === 0) this.keyAgent(i);
      let blk = rngBlock[i];
      const lo = blk % 4294967296;
      philox4x32(lo, (blk - lo) / 4294967296, k2[i], k3[i], k0[i], k1[i], w, 0);
      blk++;
      const u1 = u53(w[0], w[1]);
      const u2 = u53(w[2], w[3]);
      const tau = persistence[i];
      if ((mx[i] === 0 && my[i] === 0 && mz[i] === 0) || tau <= dt || u1 < dt / tau) {
        if (three) {
          const lo2 = blk % 4294967296;
          philox4x32(lo2, (blk - lo2) / 4294967296, k2[i], k3[i], k0[i], k1[i], w, 4);
          blk++;
          const cz = 2 * u2 - 1;
          const rho = Math.sqrt(Math.max(0, 1 - cz * cz));
          const phi = TWO_PI * u53(w[4], w[5]);
          mx[i] = rho * Math.cos(phi);
          my[i] = rho * Math.sin(phi);
          mz[i] = cz;
        } else {
          const phi = TWO_PI * u2;
          mx[i] = Math.cos(phi);
          my[i] = Math.sin(phi);
        }
      }
      rngBlock[i] = blk;
      vx[i] += s * mx[i];
      vy[i] += s * my[i];
      vz[i] += s * mz[i];
    }
  }

  /** Derives agent i's motility stream key (once in its life; allocates, like adding the agent). */
  private keyAgent(i: number): void {
    const st = this.store;
    if (this.seed === undefined)
      throw new RangeError(`Mechanics: agent ${st.id[i]} has speed ${st.speed[i]} but no seed was given`);
    const key = deriveStreamKey(this.seed, [
      ['purpose', 'agent-motility'],
      ['agent', st.id[i]],
    ]);
    st.k0[i] = key.k0;
    st.k1[i] = key.k1;
    st.k2[i] = key.c2;
    st.k3[i] = key.c3;
    st.keyed[i] = 1;
  }

  /** Adams-Bashforth 2 (forward Euler on an agent's first step), then the boundary. */
  private move(): void {
    const st = this.store;
    const n = st.count;
    const dt = this.dt;
    const a1 = 1.5 * dt;
    const a2 = -0.5 * dt;
    const { x, y, z, vx, vy, vz, pvx, pvy, pvz, started } = st;
    const three = this.dims === 3;
    for (let i = 0; i < n; i++) {
      if (started[i] === 1) {
        x[i] += a1 * vx[i] + a2 * pvx[i];
        y[i] += a1 * vy[i] + a2 * pvy[i];
        if (three) z[i] += a1 * vz[i] + a2 * pvz[i];
      } else {
        x[i] += dt * vx[i];
        y[i] += dt * vy[i];
        if (three) z[i] += dt * vz[i];
        started[i] = 1;
      }
      pvx[i] = vx[i];
      pvy[i] = vy[i];
      pvz[i] = vz[i];
    }
    if (this.boundary.kind === 'reflect') {
      const d = this.dims;
      for (let a = 0; a < d; a++) {
        const p = a === 0 ? x : a === 1 ? y : z;
        const pv = a === 0 ? pvx : a === 1 ? pvy : pvz;
        const l = this.lo[a];
        const h = this.hi[a];
        for (let i = 0; i < n; i++) {
          let q = p[i];
          if (q < l) {
            q = 2 * l - q;
            pv[i] = -pv[i];
          } else if (q > h) {
            q = 2 * h - q;
            pv[i] = -pv[i];
          }
          p[i] = Math.min(Math.max(q, l), h);
        }
      }
    }
  }

  /** Sizes scratch and the cell list for n agents and their current interaction distance. */
  private prepare(n: number): void {
    const st = this.store;
    let reach = 0;
    const { radius, adhesionReach } = st;
    for (let i = 0; i < n; i++) {
      const r = radius[i] * adhesionReach[i];
      if (r > reach) reach = r;
    }
    const need = 2 * reach;
    if (this.cells === undefined || this.cells.binSize < need) {
      let size = Math.max(need, this.binSizeOption ?? 0, this.cells?.binSize ?? 0);
      // A sparse population in a large domain: coarsen the bins so that there are at most ~8 per agent (the
      // rebuild and the kernel visit every bin), still correct since bins only need to be >= the reach.
      let vol = 1;
      for (let a = 0; a < this.dims; a++) vol *= this.hi[a] - this.lo[a];
      const floor = (vol / (8 * Math.max(n, 1024))) ** (1 / this.dims);
      if (size < floor) size = floor;
      this.cells = new CellList(this.dims, this.domain, size);
    }
    if (this.sx.length < n) {
      let c = Math.max(64, this.sx.length);
      while (c < n) c *= 2;
      this.sx = new Float64Array(c);
      this.sy = new Float64Array(c);
      this.sz = new Float64Array(c);
      this.sr = new Float64Array(c);
      this.sqr = new Float64Array(c);
      this.sqa = new Float64Array(c);
      this.sreach = new Float64Array(c);
      this.ax = new Float64Array(c);
      this.ay = new Float64Array(c);
      this.az = new Float64Array(c);
    }
  }
}
