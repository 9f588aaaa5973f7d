/**
 * Diffusion-reaction fields on a regular grid, advanced by the locally one-dimensional (LOD) implicit scheme of
 * BioFVM (Ghaffarizadeh, Friedman & Macklin 2016, Bioinformatics 32:1256, doi:10.1093/bioinformatics/btv730).
 *
 * For each substrate u (density: amount per voxel volume):
 *
 *   du/dt = D lap u - lambda u + S (u* - u) - U u + sum_a s_a delta_a - sum_a c_a u delta_a
 *
 * with diffusion coefficient D, uniform decay lambda, per-voxel secretion rate S towards saturation density u*,
 * per-voxel uptake rate U, and point sources s_a (amount per time) and point uptakes c_a (volume per time) of
 * agents, each spread over the voxel that contains it. One step of length dt is
 *
 *   1. agents (called by the owner before `step`): u_v += dt s_a / V (exact for a constant source), then
 *      u_v /= 1 + dt c_a / V (backward Euler; products commute, so agent order does not matter);
 *   2. bulk terms, backward Euler per voxel: u <- (u + dt S u*) / (1 + dt (S + U)), unconditionally stable and
 *      positive (the BioFVM bulk source/sink step);
 *   3. decay, exact: u <- exp(-lambda dt) u (folded into the x sweep at no cost);
 *   4. diffusion, LOD: backward Euler along x, then y, then z, each a set of tridiagonal systems solved by the
 *      Thomas algorithm with factorisations precomputed per (D dt / h^2, n, boundary kinds).
 *
 * The scheme is first order in time (backward Euler and operator splitting) and second order in space on the
 * interior (cell-centred finite volumes). For constant D on a tensor grid the 1D operators commute, so the LOD
 * split adds no error to pure diffusion beyond backward Euler's. Every sub-step maps non-negative data to
 * non-negative data and none has a step-size limit. Zero-flux faces conserve mass to round-off.
 *
 * Storage: one contiguous Float64Array `data` holding the substrates one after another (substrate-major):
 * substrate s, voxel v lives at data[s * voxelCount + v], voxels numbered x fastest (see Grid). `field(s)`
 * returns the subarray view of substrate s. Nothing is allocated by `step` or the agent calls.
 */

import type { Grid } from './grid.js';
import {
  factorTridiagonal,
  type SweepTerms,
  sweepContiguous,
  sweepStrided,
  sweepTerms,
  type TridiagonalFactor,
} from './thomas.js';

export type FaceName = 'xmin' | 'xmax' | 'ymin' | 'ymax' | 'zmin' | 'zmax';

export const FACE_NAMES: readonly FaceName[] = ['xmin', 'xmax', 'ymin', 'ymax', 'zmin', 'zmax'];

/** Zero flux across the face, or the density fixed at the face (e.g. oxygen from vessels at the domain edge). */
export type BoundaryCondition =
  | { readonly kind: 'neumann' }
  | { readonly kind: 'dirichlet'; readonly value: number };

export interface SubstrateSpec {
  readonly name: string;
  /** Diffusion coefficient D (length^2 / time, in the grid's length unit and the solver's time unit). */
  readonly diffusion: number;
  /** Uniform decay rate lambda (1 / time). */
  readonly decay: number;
  /** Initial density everywhere (default 0). */
  readonly initial?: number;
  /** Boundary condition per face; faces not listed are zero-flux. */
  readonly boundary?: Partial<Record<FaceName, BoundaryCondition>>;
}

/** Per-voxel bulk terms of one substrate; arrays of length voxelCount, read at every `step` (not copied). */
export interface BulkTerms {
  /** Secretion rate S (1 / time) towards `saturation`. */
  readonly secretion?: Float64Array;
  /** Saturation density u*. Required with `secretion`. */
  readonly saturation?: Float64Array;
  /** Uptake rate U (1 / time). */
  readonly uptake?: Float64Array;
}

export interface FieldSolverOptions {
  readonly grid: Grid;
  readonly substrates: readonly SubstrateSpec[];
  /** Time step (same time unit as D and lambda). */
  readonly dt: number;
  /**
   * Optional backing store for `data` (length >= substrates * voxelCount Float64 values), e.g. a
   * SharedArrayBuffer for worker threads. Its contents are overwritten with the initial densities unless
   * `keepBufferContents` is true (a second solver attached to the same shared fields).
   */
  readonly buffer?: ArrayBufferLike;
  readonly keepBufferContents?: boolean;
}

interface AxisPlan {
  readonly factor: TridiagonalFactor;
  /** [2 r g at the low face (Dirichlet) or 0, the same at the high face, scale (the decay factor on x)]. */
  readonly terms: SweepTerms;
}

interface SubstratePlan {
  readonly spec: SubstrateSpec;
  readonly decayFactor: number;
  /** One per grid axis; null when D = 0 (the sweep is the identity). */
  readonly axes: (AxisPlan | null)[];
}

function specError(s: number, name: unknown, field: string, expected: string, got: unknown): Error {
  return new Error(
    `FieldSolver: substrate ${s} (${JSON.stringify(name)}): '${field}' must be ${expected}, got ${JSON.stringify(got)}`,
  );
}

const AXIS_FACES: readonly [FaceName, FaceName][] = [
  ['xmin', 'xmax'],
  ['ymin', 'ymax'],
  ['zmin', 'zmax'],
];

export class FieldSolver {
  readonly grid: Grid;
  readonly substrates: readonly SubstrateSpec[];
  readonly substrateCount: number;
  /** All densities, substrate-major (see the module comment). */
  readonly data: Float64Array;
  private dtValue = 0;
  private plans: SubstratePlan[] = [];
  private readonly views: Float64Array[];
  private readonly bulk: (BulkTerms | null)[];
  private stepCount = 0;
  /**
   * Time = timeOffset + stepsSinceDt * dt, with timeOffset the time reached before the last change of dt: `step`
   * only increments integers (storing a new double in a field would allocate a heap number per step).
   */
  private timeOffset = 0;
  private stepsSinceDt = 0;

  constructor(options: FieldSolverOptions) {
    const { grid, substrates } = options;
    this.grid = grid;
    if (!Array.isArray(substrates) || substrates.length === 0) {
      throw new Error('FieldSolver: option substrates must be a non-empty array of substrate specs');
    }
    const names = new Set<string>();
    substrates.forEach((sp, s) => validateSpec(sp, s, grid.dims, names));
    this.substrates = substrates.map((sp) => ({ ...sp }));
    this.substrateCount = substrates.length;
    const n = grid.voxelCount;
    const total = n * substrates.length;
    if (options.buffer !== undefined) {
      if (options.buffer.byteLength < total * 8) {
        throw new Error(
          `FieldSolver: option buffer holds ${options.buffer.byteLength} bytes, need ${total * 8} (${substrates.length} substrates x ${n} voxels x 8)`,
        );
      }
      this.data = new Float64Array(options.buffer, 0, total);
    } else {
      this.data = new Float64Array(total);
    }
    this.views = substrates.map((_, s) => this.data.subarray(s * n, (s + 1) * n));
    if (options.buffer === undefined || options.keepBufferContents !== true) {
      this.views.forEach((view, s) => view.fill(substrates[s].initial ?? 0));
    }
    this.bulk = substrates.map(() => null);
    this.setTimeStep(options.dt);
  }

  get dt(): number {
    return this.dtValue;
  }

  /** Simulated time advanced by `step` so far. */
  get time(): number {
    return this.timeOffset + this.stepsSinceDt * this.dtValue;
  }

  get steps(): number {
    return this.stepCount;
  }

  /** Changes the time step and recomputes the factorisations (allocates; not for the hot loop). */
  setTimeStep(dt: number): void {
    if (!Number.isFinite(dt) || dt <= 0) {
      throw new Error(`FieldSolver: option dt must be a finite number > 0, got ${JSON.stringify(dt)}`);
    }
    this.timeOffset += this.stepsSinceDt * this.dtValue;
    this.stepsSinceDt = 0;
    this.dtValue = dt;
    const g = this.grid;
    const n = [g.nx, g.ny, g.nz];
    const h = [g.dx, g.dy, g.dz];
    this.plans = this.substrates.map((spec) => {
      const axes: (AxisPlan | null)[] = [];
      const decayFactor = Math.exp(-spec.decay * dt);
      for (let a = 0; a < g.dims; a++) {
        if (spec.diffusion === 0) {
          axes.push(null);
          continue;
        }
        const r = (spec.diffusion * dt) / (h[a] * h[a]);
        const lo = spec.boundary?.[AXIS_FACES[a][0]];
        const hi = spec.boundary?.[AXIS_FACES[a][1]];
        const dLo = lo?.kind === 'dirichlet';
        const dHi = hi?.kind === 'dirichlet';
        axes.push({
          factor: factorTridiagonal(n[a], r, dLo, dHi),
          terms: sweepTerms(
            lo?.kind === 'dirichlet' ? 2 * r * lo.value : 0,
            hi?.kind === 'dirichlet' ? 2 * r * hi.value : 0,
            a === 0 ? decayFactor : 1,
          ),
        });
      }
      return { spec, decayFactor, axes };
    });
  }

  /** Index of the substrate called `name`; throws if there is none. */
  indexOf(name: string): number {
    const s = this.substrates.findIndex((sp) => sp.name === name);
    if (s < 0) {
      throw new Error(
        `FieldSolver: no substrate named ${JSON.stringify(name)} (have ${this.substrates.map((sp) => sp.name).join(', ')})`,
      );
    }
    return s;
  }

  /** The densities of substrate s (a view into `data`; writes go to the solver). */
  field(s: number): Float64Array {
    const view = this.views[s];
    if (view === undefined)
      throw new RangeError(`FieldSolver: substrate index ${s} out of range 0..${this.substrateCount - 1}`);
    return view;
  }

  /** Total amount of substrate s: sum of density x voxel volume. */
  totalAmount(s: number): number {
    const u = this.field(s);
    let sum = 0;
    for (let v = 0; v < u.length; v++) sum += u[v];
    return sum * this.grid.voxelVolume;
  }

  /**
   * Sets (or with null clears) the per-voxel bulk terms of substrate s. The arrays are kept by reference, so the
   * owner may update them in place between steps.
   */
  setBulk(s: number, terms: BulkTerms | null): void {
    this.field(s);
    if (terms === null) {
      this.bulk[s] = null;
      return;
    }
    const n = this.grid.voxelCount;
    const name = this.substrates[s].name;
    for (const key of ['secretion', 'saturation', 'uptake'] as const) {
      const arr = terms[key];
      if (arr !== undefined && (!(arr instanceof Float64Array) || arr.length !== n)) {
        throw specError(s, name, `bulk.${key}`, `a Float64Array of length ${n}`, arr?.length);
      }
    }
    if ((terms.secretion === undefined) !== (terms.saturation === undefined)) {
      throw specError(s, name, 'bulk', 'secretion and saturation given together', Object.keys(terms));
    }
    this.bulk[s] = terms.secretion === undefined && terms.uptake === undefined ? null : terms;
  }

  /**
   * Point sources for the coming step: agent a (0 <= a < count) releases rates[a] (amount / time, >= 0) into voxel
   * voxels[a], i.e. u += dt rate / V, exact for a source constant over the step. Allocation-free.
   */
  addPointSources(s: number, voxels: Int32Array, rates: Float64Array, count: number): void {
    const u = this.field(s);
    const n = u.length;
    const k = this.dtValue / this.grid.voxelVolume;
    for (let a = 0; a < count; a++) {
      const v = voxels[a];
      const rate = rates[a];
      if (!(v >= 0 && v < n) || !(rate >= 0)) pointError('addPointSources', s, a, v, rate, n);
      u[v] += k * rate;
    }
  }

  /**
   * Point uptake for the coming step: agent a takes up coefficients[a] (volume / time, >= 0) times the density of
   * its voxel, backward Euler: u /= 1 + dt c / V. Factors of several agents in one voxel commute. Allocation-free.
   */
  applyPointUptake(s: number, voxels: Int32Array, coefficients: Float64Array, count: number): void {
    const u = this.field(s);
    const n = u.length;
    const k = this.dtValue / this.grid.voxelVolume;
    for (let a = 0; a < count; a++) {
      const v = voxels[a];
      const c = coefficients[a];
      if (!(v >= 0 && v < n) || !(c >= 0)) pointError('applyPointUptake', s, a, v, c, n);
      u[v] /= 1 + k * c;
    }
  }

  /** Whether substrate s has bulk terms (setBulk). */
  hasBulk(s: number): boolean {
    this.field(s);
    return this.bulk[s] !== null;
  }

  /**
   * `steps` steps of substrate s alone with its agents' point sources and uptake held over them: per step
   * `addPointSources`, `applyPointUptake`, the bulk terms, decay and sweeps, i.e. exactly the arithmetic that
   * `steps` rounds of (agent calls; `step()`) do to s. No substrate's step reads another's data, so the substrates
   * may be advanced one after another, in any order or on different threads, with the same bits as `step`. Does
   * not tick the clock (the caller ticks once per step of the whole set). Allocation-free.
   */
  advanceSubstrate(
    s: number,
    steps: number,
    sourceVoxels: Int32Array,
    sourceRates: Float64Array,
    sourceCount: number,
    uptakeVoxels: Int32Array,
    uptakeCoefficients: Float64Array,
    uptakeCount: number,
  ): void {
    for (let i = 0; i < steps; i++) {
      if (sourceCount > 0) this.addPointSources(s, sourceVoxels, sourceRates, sourceCount);
      if (uptakeCount > 0) this.applyPointUptake(s, uptakeVoxels, uptakeCoefficients, uptakeCount);
      this.applyBulk(s);
      this.diffuse(s);
    }
  }

  /** Advances every substrate by one time step dt (bulk terms, decay, then the x, y, z diffusion sweeps). */
  step(): void {
    for (let s = 0; s < this.substrateCount; s++) {
      this.applyBulk(s);
      this.diffuse(s);
    }
    this.tick();
  }

  /** `steps` calls of `step`. */
  advance(steps: number): void {
    for (let i = 0; i < steps; i++) this.step();
  }

  /**
   * The parts of `step`, for a driver that splits the substrates between threads (parallel.ts): `applyBulk(s)`
   * then `diffuse(s)` for every s, then `tick()` once, is exactly `step()`.
   */
  applyBulk(s: number): void {
    const bulk = this.bulk[s];
    if (bulk !== null) applyBulkTerms(this.views[s], bulk, this.dtValue);
  }

  /** Counts one step of the clock (see applyBulk). */
  tick(): void {
    this.stepCount++;
    this.stepsSinceDt++;
  }

  /** Exact decay and the LOD diffusion sweeps of substrate s over one step (see applyBulk). */
  diffuse(s: number): void {
    const u = this.views[s];
    const plan = this.plans[s];
    const g = this.grid;
    const nx = g.nx;
    const plane = nx * g.ny;
    const ax = plan.axes[0];
    const ay = g.dims >= 2 ? plan.axes[1] : null;
    if (ax === null) {
      // D = 0: no diffusion, only the exact decay.
      const e = plan.decayFactor;
      if (e !== 1) for (let v = 0; v < u.length; v++) u[v] *= e;
      return;
    }
    // x then y, plane by plane: the plane is still in cache for the y sweep (same arithmetic as sweeping the
    // whole field in x first, because each plane's x and y solves touch only that plane).
    const ny = g.ny;
    for (let k = 0; k < g.nz; k++) {
      sweepContiguous(u, k * plane, ny, ax.factor, ax.terms);
      if (ay !== null) sweepStrided(u, k * plane, nx, nx, ay.factor, ay.terms);
    }
    if (g.dims >= 3) {
      const az = plan.axes[2];
      if (az !== null) sweepStrided(u, 0, plane, plane, az.factor, az.terms);
    }
  }
}

/**
 * Runs of several base steps with the agents' terms held. A driver with PhysiCell's clocks (fields every dt,
 * agents moving every dtMechanics) calls `run(dtMechanics / dt)` between two mechanics steps: agents do not move
 * within it and their rates are fixed, so the sources and uptakes are given once (`setSources`, `setUptake`) and
 * every substrate is advanced by `advanceSubstrate` on its own. `SerialFieldRunner` runs on the calling thread;
 * `ParallelFieldSolver` (parallel.ts, Node only) splits the substrates between it and a worker with one
 * synchronisation per run. Both give the same bits as the agent calls followed by `FieldSolver.step`, step by step.
 */
export interface FieldRunner {
  /** The solver over the fields; its dt is the base step and it ticks once per base step. */
  readonly solver: FieldSolver;
  /**
   * Point sources of substrate s for the following runs (amount / time per agent into its voxel). The values at
   * the time of a run are used; call again after changing them (the parallel runner copies them here).
   */
  setSources(s: number, voxels: Int32Array, rates: Float64Array, count: number): void;
  /** Point uptake coefficients (volume / time) of substrate s for the following runs; as setSources. */
  setUptake(s: number, voxels: Int32Array, coefficients: Float64Array, count: number): void;
  /** A frozen substrate is left alone by `run` (e.g. a density the owner holds fixed). */
  setFrozen(s: number, frozen: boolean): void;
  /**
   * `steps` base steps: each substrate with every[s] = e takes steps / e steps of e dt (multirate: a slowly
   * diffusing field on a coarser step; steps must be a multiple of e), with its sources, uptake, bulk terms
   * (only for e = 1) and sweeps. `during`, if given, is called once on the calling thread after its own share,
   * while a worker may still be running its share (the parallel runner; the serial one calls it at the end): it
   * must neither read nor write the fields (e.g. moving agents whose new voxels the next run will use; the terms
   * of this run were taken at setSources / setUptake). Allocation-free.
   */
  run(steps: number, during?: () => void): void;
  /** Stops worker threads, if any. */
  close(): Promise<void>;
}

/** Checks a per-substrate step multiple (default all 1) and returns it as integers. */
export function stepMultiples(every: readonly number[] | undefined, count: number, who: string): Int32Array {
  const out = new Int32Array(count).fill(1);
  if (every === undefined) return out;
  if (every.length !== count)
    throw new Error(`${who}: option every must have one entry per substrate (${count}), got ${every.length}`);
  every.forEach((e, s) => {
    if (!Number.isInteger(e) || e < 1)
      throw new Error(`${who}: every[${s}] must be an integer >= 1, got ${JSON.stringify(e)}`);
    out[s] = e;
  });
  return out;
}

/**
 * The solver that steps each substrate: `solver` itself for every[s] = 1, else one solver of step every[s] dt per
 * distinct multiple, attached to the same data (their factorisations differ; the fields are shared).
 */
export function multirateSolvers(solver: FieldSolver, every: Int32Array): FieldSolver[] {
  const byMultiple = new Map<number, FieldSolver>([[1, solver]]);
  return Array.from(every, (e) => {
    let f = byMultiple.get(e);
    if (f === undefined) {
      f = new FieldSolver({
        grid: solver.grid,
        substrates: solver.substrates,
        dt: solver.dt * e,
        buffer: solver.data.buffer,
        keepBufferContents: true,
      });
      byMultiple.set(e, f);
    }
    return f;
  });
}

/** Per-substrate agent terms of a runner: arrays and counts (the serial runner keeps the caller's arrays). */
export class AgentTerms {
  readonly sourceVoxels: Int32Array[];
  readonly sourceRates: Float64Array[];
  readonly uptakeVoxels: Int32Array[];
  readonly uptakeCoefficients: Float64Array[];
  /** Per substrate: [source count, uptake count]. */
  readonly counts: Int32Array;

  constructor(substrates: number, counts?: Int32Array) {
    this.sourceVoxels = Array.from({ length: substrates }, () => new Int32Array(0));
    this.sourceRates = Array.from({ length: substrates }, () => new Float64Array(0));
    this.uptakeVoxels = Array.from({ length: substrates }, () => new Int32Array(0));
    this.uptakeCoefficients = Array.from({ length: substrates }, () => new Float64Array(0));
    this.counts = counts ?? new Int32Array(2 * substrates);
  }

  /** Advances substrate s by `steps` steps of `solver` with its terms. */
  advance(solver: FieldSolver, s: number, steps: number): void {
    const c = this.counts;
    solver.advanceSubstrate(
      s,
      steps,
      this.sourceVoxels[s],
      this.sourceRates[s],
      c[2 * s],
      this.uptakeVoxels[s],
      this.uptakeCoefficients[s],
      c[2 * s + 1],
    );
  }
}

/** Checks the arguments of setSources / setUptake. */
export function checkTerms(
  who: string,
  solver: FieldSolver,
  s: number,
  voxels: Int32Array,
  values: Float64Array,
  count: number,
): void {
  solver.field(s);
  if (!(voxels instanceof Int32Array) || !(values instanceof Float64Array))
    throw new TypeError(`${who}: substrate ${s}: voxels must be an Int32Array and values a Float64Array`);
  if (!Number.isInteger(count) || count < 0 || count > voxels.length || count > values.length)
    throw new RangeError(
      `${who}: substrate ${s}: count must be an integer in 0..${Math.min(voxels.length, values.length)}, got ${count}`,
    );
}

/** Throws if `steps` is not a whole number of steps of every substrate that `run` advances. */
export function checkRun(
  who: string,
  solver: FieldSolver,
  dt: number,
  steps: number,
  every: Int32Array,
  frozen: Uint8Array,
): void {
  if (solver.dt !== dt)
    throw new Error(
      `${who}: solver.setTimeStep was called; the runner still uses the old dt (create a new one)`,
    );
  if (!(Number.isInteger(steps) && steps >= 0))
    throw new RangeError(`${who}: steps must be an integer >= 0, got ${steps}`);
  for (let s = 0; s < every.length; s++) {
    if (frozen[s] === 1) continue;
    if (steps % every[s] !== 0)
      throw new RangeError(
        `${who}: ${steps} steps are not a whole number of steps of substrate ${s} (every ${every[s]})`,
      );
    if (every[s] > 1 && solver.hasBulk(s))
      throw new Error(`${who}: substrate ${s} has bulk terms; they need every = 1`);
  }
}

/** A FieldRunner on the calling thread (keeps references to the caller's term arrays). */
export class SerialFieldRunner implements FieldRunner {
  readonly solver: FieldSolver;
  /** Base steps per step of each substrate. */
  readonly every: Int32Array;
  private readonly solvers: FieldSolver[];
  private readonly terms: AgentTerms;
  private readonly frozen: Uint8Array;
  private readonly dt: number;

  /** `every`: per substrate, base steps per step (default all 1). */
  constructor(solver: FieldSolver, every?: readonly number[]) {
    this.solver = solver;
    this.every = stepMultiples(every, solver.substrateCount, 'SerialFieldRunner');
    this.solvers = multirateSolvers(solver, this.every);
    this.terms = new AgentTerms(solver.substrateCount);
    this.frozen = new Uint8Array(solver.substrateCount);
    this.dt = solver.dt;
  }

  setSources(s: number, voxels: Int32Array, rates: Float64Array, count: number): void {
    checkTerms('SerialFieldRunner.setSources', this.solver, s, voxels, rates, count);
    this.terms.sourceVoxels[s] = voxels;
    this.terms.sourceRates[s] = rates;
    this.terms.counts[2 * s] = count;
  }

  setUptake(s: number, voxels: Int32Array, coefficients: Float64Array, count: number): void {
    checkTerms('SerialFieldRunner.setUptake', this.solver, s, voxels, coefficients, count);
    this.terms.uptakeVoxels[s] = voxels;
    this.terms.uptakeCoefficients[s] = coefficients;
    this.terms.counts[2 * s + 1] = count;
  }

  setFrozen(s: number, frozen: boolean): void {
    this.solver.field(s);
    this.frozen[s] = frozen ? 1 : 0;
  }

  run(steps: number, during?: () => void): void {
    checkRun('SerialFieldRunner', this.solver, this.dt, steps, this.every, this.frozen);
    for (let s = 0; s < this.every.length; s++)
      if (this.frozen[s] === 0) this.terms.advance(this.solvers[s], s, steps / this.every[s]);
    for (let i = 0; i < steps; i++) this.solver.tick();
    if (during !== undefined) during();
  }

  async close(): Promise<void> {}
}

function pointError(method: string, s: number, a: number, v: number, rate: number, n: number): never {
  throw new RangeError(
    `FieldSolver.${method}: substrate ${s}, agent ${a}: voxel must be an integer in 0..${n - 1} and rate a number >= 0, got voxel ${v}, rate ${rate}`,
  );
}

/** Backward Euler for du/dt = S (u* - u) - U u per voxel: u <- (u + dt S u*) / (1 + dt (S + U)). */
function applyBulkTerms(u: Float64Array, bulk: BulkTerms, dt: number): void {
  const S = bulk.secretion;
  const sat = bulk.saturation;
  const U = bulk.uptake;
  const n = u.length;
  if (S !== undefined && sat !== undefined && U !== undefined) {
    for (let v = 0; v < n; v++) {
      const sv = dt * S[v];
      u[v] = (u[v] + sv * sat[v]) / (1 + sv + dt * U[v]);
    }
  } else if (S !== undefined && sat !== undefined) {
    for (let v = 0; v < n; v++) {
      const sv = dt * S[v];
      u[v] = (u[v] + sv * sat[v]) / (1 + sv);
    }
  } else if (U !== undefined) {
    for (let v = 0; v < n; v++) u[v] /= 1 + dt * U[v];
  }
}

function validateSpec(sp: SubstrateSpec, s: number, dims: number, names: Set<string>): void {
  if (sp === null || typeof sp !== 'object') throw specError(s, undefined, 'spec', 'an object', sp);
  if (typeof sp.name !== 'string' || sp.name === '')
    throw specError(s, sp.name, 'name', 'a non-empty string', sp.name);
  if (names.has(sp.name)) throw specError(s, sp.name, 'name', 'unique among substrates', sp.name);
  names.add(sp.name);
  if (!Number.isFinite(sp.diffusion) || sp.diffusion < 0) {
    throw specError(s, sp.name, 'diffusion', 'a finite number >= 0', sp.diffusion);
  }
  if (!Number.isFinite(sp.decay) || sp.decay < 0)
    throw specError(s, sp.name, 'decay', 'a finite number >= 0', sp.decay);
  if (sp.initial !== undefined && !Number.isFinite(sp.initial)) {
    throw specError(s, sp.name, 'initial', 'a finite number', sp.initial);
  }
  if (sp.boundary === undefined) return;
  for (const [face, bc] of Object.entries(sp.boundary)) {
    const axis = FACE_NAMES.indexOf(face as FaceName) >> 1;
    if (axis < 0) throw specError(s, sp.name, `boundary.${face}`, `one of ${FACE_NAMES.join(', ')}`, face);
    if (axis >= dims) throw specError(s, sp.name, `boundary.${face}`, `a face of a ${dims}D grid`, face);
    if (bc === undefined) continue;
    if (bc.kind === 'neumann') continue;
    if (bc.kind !== 'dirichlet') {
      throw specError(
        s,
        sp.name,
        `boundary.${face}.kind`,
        "'neumann' or 'dirichlet'",
        (bc as { kind?: unknown }).kind,
      );
    }
    if (!Number.isFinite(bc.value))
      throw specError(s, sp.name, `boundary.${face}.value`, 'a finite number', bc.value);
  }
}
