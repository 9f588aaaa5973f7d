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
import { CellList, type Domain } from './cell-list.js';
import { finishRange, gatherRange, type KernelState, pairRange } from './kernel.js';
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
  /** The kernel's view of the columns, cell list and scratch (rebound every step; allocation-free). */
  protected readonly kernel: KernelState;
  /** Cell lists are built over SharedArrayBuffers (ParallelMechanics). */
  protected sharedCells = false;
  private readonly binSizeOption: number | undefined;
  private readonly sortEvery: number;
  // Scratch in cell-list order (allocated once, doubled when the population outgrows it).
  protected sx = new Float64Array(0);
  protected sy = new Float64Array(0);
  protected sz = new Float64Array(0);
  protected sr = new Float64Array(0);
  protected sqr = new Float64Array(0);
  protected sqa = new Float64Array(0);
  protected sreach = new Float64Array(0);
  protected ax = new Float64Array(0);
  protected ay = new Float64Array(0);
  protected az = new Float64Array(0);

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
    const e = new Float64Array(0);
    const bk = this.boundary;
    this.kernel = {
      dims: this.dims,
      dt: this.dt,
      boundary: bk.kind === 'none' ? 0 : bk.kind === 'reflect' ? 1 : 2,
      wallStrength: bk.kind === 'wall' ? bk.strength : 0,
      lo: this.lo,
      hi: this.hi,
      words: new Uint32Array(8),
      x: e,
      y: e,
      z: e,
      vx: e,
      vy: e,
      vz: e,
      radius: e,
      repulsion: e,
      adhesion: e,
      adhesionReach: e,
      speed: e,
      persistence: e,
      mx: e,
      my: e,
      mz: e,
      rngBlock: e,
      chemoBias: e,
      cx: e,
      cy: e,
      cz: e,
      k0: new Int32Array(0),
      k1: new Int32Array(0),
      k2: new Int32Array(0),
      k3: new Int32Array(0),
      keyed: new Uint8Array(0),
      order: new Int32Array(0),
      binStart: new Int32Array(1),
      nx: 1,
      ny: 1,
      nz: 1,
      sx: e,
      sy: e,
      sz: e,
      sr: e,
      sqr: e,
      sqa: e,
      sreach: e,
      ax: e,
      ay: e,
      az: e,
    };
  }

  /** One mechanics step: neighbours, velocities, Adams-Bashforth move, boundary. */
  step(): void {
    this.computeVelocities();
    this.move();
    this.steps++;
  }

  /**
   * Reorders the store's rows in cell-list order now (as `sortEvery` does inside a step), for callers that keep
   * row-indexed arrays of their own and rebuild them afterwards. Results of later steps are unchanged (bitwise).
   */
  sortRows(): void {
    const st = this.store;
    const n = st.count;
    this.prepare(n);
    const cells = this.cells as CellList;
    cells.rebuild(st.x, st.y, st.z, st.id, n);
    st.permute(cells.order);
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
    const k = this.kernel;
    if (k.x !== st.x || k.order !== cells.order || k.binStart !== cells.binStart || k.sx !== this.sx)
      this.bind();
    this.velocities(n);
  }

  /**
   * Velocities of all agents from the bound kernel state (cell list built, keys derived). One thread: every bin
   * at once; ParallelMechanics splits the bins between two threads with the same bits.
   */
  protected velocities(n: number): void {
    const k = this.kernel;
    const bins = (this.cells as CellList).binCount;
    gatherRange(k, 0, n);
    pairRange(k, 0, bins);
    finishRange(k, 0, n);
  }

  /** Points the kernel state at the store's current columns, the cell list and the scratch. */
  protected bind(): void {
    const k = this.kernel;
    const st = this.store;
    const c = this.cells as CellList;
    k.x = st.x;
    k.y = st.y;
    k.z = st.z;
    k.vx = st.vx;
    k.vy = st.vy;
    k.vz = st.vz;
    k.radius = st.radius;
    k.repulsion = st.repulsion;
    k.adhesion = st.adhesion;
    k.adhesionReach = st.adhesionReach;
    k.speed = st.speed;
    k.persistence = st.persistence;
    k.mx = st.mx;
    k.my = st.my;
    k.mz = st.mz;
    k.rngBlock = st.rngBlock;
    k.chemoBias = st.chemoBias;
    k.cx = st.cx;
    k.cy = st.cy;
    k.cz = st.cz;
    k.k0 = st.k0;
    k.k1 = st.k1;
    k.k2 = st.k2;
    k.k3 = st.k3;
    k.keyed = st.keyed;
    k.order = c.order;
    k.binStart = c.binStart;
    k.nx = c.nx;
    k.ny = c.ny;
    k.nz = c.nz;
    k.sx = this.sx;
    k.sy = this.sy;
    k.sz = this.sz;
    k.sr = this.sr;
    k.sqr = this.sqr;
    k.sqa = this.sqa;
    k.sreach = this.sreach;
    k.ax = this.ax;
    k.ay = this.ay;
    k.az = this.az;
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
    const { radius, adhesionReach, speed, keyed } = st;
    let unkeyed = 0;
    for (let i = 0; i < n; i++) {
      const r = radius[i] * adhesionReach[i];
      if (r > reach) reach = r;
      if (speed[i] !== 0 && keyed[i] === 0) unkeyed++;
    }
    // Motility keys are derived here, on the calling thread (the kernel may run on a worker).
    if (unkeyed > 0) for (let i = 0; i < n; i++) if (speed[i] !== 0 && keyed[i] === 0) this.keyAgent(i);
    const need = 2 * reach;
    if (this.cells === undefined || this.cells.binSize < need) {
      let size = Math.max(need, this.binSizeOption ?? 0, this.cells?.binSize ?? 0);
      // A sparse population in a large domain: coarsen the bins so that there are at most ~8 per agent (the
      // rebuild and the kernel visit every bin), still correct since bins only need to be >= the reach.
      let vol = 1;
      for (let a = 0; a < this.dims; a++) vol *= this.hi[a] - this.lo[a];
      const floor = (vol / (8 * Math.max(n, 1024))) ** (1 / this.dims);
      if (size < floor) size = floor;
      this.cells = new CellList(this.dims, this.domain, size, this.sharedCells);
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
