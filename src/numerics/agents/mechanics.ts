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
import { finishRange, gatherRange, type KernelState, pairs } from './kernel.js';
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
  /**
   * Skin of the neighbour (Verlet) lists (um): the pair loop visits only the pairs closer than their reach plus
   * this when the lists were built, rebuilt once an agent has moved half of it (or rows, radii or reach change).
   * Same bits as without lists (kernel.ts, pairs). Default: in 3D with at least two agents per bin, 10% of the
   * bin size (a sweep on the 3D niche bench: 5% and 20% slower); else 0 (no lists: the cell-list loop visits few
   * candidates per agent). At most half the bin size.
   */
  readonly neighbourSkin?: number;
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
  private readonly skinOption: number | undefined;
  // Neighbour lists (kernel.ts, pairs): per row, nbK slots; shared with the worker as the cell list is.
  protected nbK = 0;
  protected nbr: Int32Array = new Int32Array(0);
  protected nbrCount: Int32Array = new Int32Array(0);
  /** Slots per agent wanted at the next allocation (grows when a build overflowed). */
  private nbWant = 32;
  /** The lists are complete for the snapshot below (rows, radii, reach, positions at the build). */
  private listOk = false;
  private listCells: CellList | undefined;
  private listN = 0;
  /** (skin / 2)^2, slightly less: an agent that moved this far since the build forces a new build. */
  private listMove2 = 0;
  private snapX = new Float64Array(0);
  private snapY = new Float64Array(0);
  private snapZ = new Float64Array(0);
  private snapR = new Float64Array(0);
  private snapA = new Float64Array(0);
  private snapId = new Int32Array(0);
  /** Neighbour-list builds so far (for benchmarks and tests). */
  listBuilds = 0;
  /** Steps the current lists served (the build step included). */
  private listAge = 0;
  /** No lists before this step (agents moved too fast for them to pay); the back-off doubles up to 64 steps. */
  private listPause = 0;
  private listBackoff = 4;
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
    const sk = options.neighbourSkin;
    if (sk !== undefined && !(sk >= 0 && Number.isFinite(sk)))
      throw new RangeError(`Mechanics neighbourSkin ${sk}: expected a finite number >= 0 (um)`);
    this.skinOption = sk;
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
      listMode: 0,
      skin: 0,
      halfBin: 0,
      x0: 0,
      y0: 0,
      z0: 0,
      ix: 1,
      iy: 1,
      iz: 1,
      pos: new Int32Array(0),
      binOf: new Int32Array(0),
      nbr: new Int32Array(0),
      nbrCount: new Int32Array(0),
      nbK: 0,
      vbuf: new Int32Array(0),
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
    const mode = this.listMode(n, cells);
    const k = this.kernel;
    if (
      k.x !== st.x ||
      k.order !== cells.order ||
      k.binStart !== cells.binStart ||
      k.sx !== this.sx ||
      k.pos !== cells.pos ||
      k.binOf !== cells.binOf ||
      k.nbr !== this.nbr
    )
      this.bind();
    k.listMode = mode;
    const longest = this.velocities(n);
    if (mode === 1) {
      this.listBuilds++;
      if (longest > this.nbK) {
        // too many neighbours for the slots (this step used the cell-list loop): more slots at the next build
        this.listOk = false;
        let want = this.nbWant;
        while (want < longest + (longest >> 2)) want *= 2;
        this.nbWant = want;
      } else {
        this.listOk = true;
        this.listCells = cells;
        this.listN = n;
      }
    }
  }

  /**
   * 0: no lists; 2: the lists still hold every interacting pair (same rows, radii and reach as at the build, no
   * agent moved half the skin since: an unlisted pair was >= S + skin apart, so it is still >= S apart); 1:
   * (re)build them this step (snapshot taken here, the lists by the kernel).
   */
  private listMode(n: number, cells: CellList): 0 | 1 | 2 {
    const skin = this.listSkin(cells);
    if (!(skin > 0)) return 0;
    // By default only with at least two agents per bin: sparser, the cell-list loop visits few empty candidates
    // and the lists cost more than they save (bench/agents.ts niche-3d, 0.9 per bin: 20 vs 17.5 ms per pass).
    if (this.skinOption === undefined && n < 2 * cells.binCount) return 0;
    const st = this.store;
    const { x, y, z, radius, adhesionReach, id } = st;
    if (this.listOk && this.listCells === cells && this.listN === n) {
      const { snapX, snapY, snapZ, snapR, snapA, snapId } = this;
      const lim = this.listMove2;
      let i = 0;
      for (; i < n; i++) {
        if (id[i] !== snapId[i] || radius[i] !== snapR[i] || adhesionReach[i] !== snapA[i]) break;
        const dx = x[i] - snapX[i];
        const dy = y[i] - snapY[i];
        const dz = z[i] - snapZ[i];
        if (!(dx * dx + dy * dy + dz * dz < lim)) break;
      }
      if (i === n) {
        this.listAge++;
        return 2;
      }
      // An agent moved half the skin within two steps of the build: a build costs about two steps of the
      // cell-list loop, so the lists do not pay now; the cell-list loop runs for a while (same bits).
      const moved = id[i] === snapId[i] && radius[i] === snapR[i] && adhesionReach[i] === snapA[i];
      if (moved && this.listAge < 3) {
        this.listPause = this.steps + this.listBackoff;
        this.listBackoff = Math.min(64, 2 * this.listBackoff);
        this.listOk = false;
        return 0;
      }
      if (moved) this.listBackoff = 4;
    }
    this.listOk = false;
    if (this.steps < this.listPause) return 0;
    this.listAge = 1;
    if (this.snapX.length < n || this.nbK < this.nbWant || this.nbrCount.length < n) {
      let c = Math.max(64, this.snapX.length);
      while (c < n) c *= 2;
      this.snapX = new Float64Array(c);
      this.snapY = new Float64Array(c);
      this.snapZ = new Float64Array(c);
      this.snapR = new Float64Array(c);
      this.snapA = new Float64Array(c);
      this.snapId = new Int32Array(c);
      const K = Math.max(this.nbK, this.nbWant);
      const ints = (len: number) =>
        this.sharedCells ? new Int32Array(new SharedArrayBuffer(4 * len)) : new Int32Array(len);
      this.nbK = K;
      this.nbr = ints(c * K);
      this.nbrCount = ints(c);
    }
    const { snapX, snapY, snapZ, snapR, snapA, snapId } = this;
    for (let i = 0; i < n; i++) {
      snapX[i] = x[i];
      snapY[i] = y[i];
      snapZ[i] = z[i];
      snapR[i] = radius[i];
      snapA[i] = adhesionReach[i];
      snapId[i] = id[i];
    }
    // (skin / 2)^2 less a relative 1e-6: rounding in the distances cannot let an unlisted pair reach S
    const half = 0.5 * skin * (1 - 1e-6);
    this.listMove2 = half * half;
    return 1;
  }

  /** The lists' skin with this cell list: at most half a bin, so a build searches at most two bins away. */
  private listSkin(cells: CellList): number {
    return Math.min(this.skinOption ?? (this.dims === 3 ? 0.1 * cells.binSize : 0), 0.5 * cells.binSize);
  }

  /**
   * Velocities of all agents from the bound kernel state (cell list built, keys derived). One thread: every bin
   * at once; ParallelMechanics splits the bins between two threads with the same bits.
   */
  protected velocities(n: number): number {
    const k = this.kernel;
    const bins = (this.cells as CellList).binCount;
    gatherRange(k, 0, n);
    const longest = pairs(k, 0, bins);
    finishRange(k, 0, n);
    return longest;
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
    k.pos = c.pos;
    k.binOf = c.binOf;
    // the lists' geometry follows the cell list (bound, and sent to the worker, whenever the cell list is new)
    k.skin = this.listSkin(c);
    k.halfBin = 0.5 * c.binSize;
    k.x0 = c.x0;
    k.y0 = c.y0;
    k.z0 = c.z0;
    k.ix = c.ix;
    k.iy = c.iy;
    k.iz = c.iz;
    k.nbr = this.nbr;
    k.nbrCount = this.nbrCount;
    k.nbK = this.nbK;
    if (k.vbuf.length < this.nbK) k.vbuf = new Int32Array(this.nbK);
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
