/**
 * prepareSimulation: `simulateModel` for many runs of one compiled model (fitting, population fits, sweeps).
 *
 * A fit calls the simulator tens of thousands of times with new parameters (SAEM on the 21 Hähnel 2020
 * patients: ~150k solves); `simulateModel` builds the problem closure, the event machinery, the stepper with
 * its work arrays and LU buffers and the output arrays on every call, and on a 3-state model garbage
 * collection was about a third of the run time. Here all of that is built once: the right-hand side reads a
 * parameter buffer that `run` fills, the model's events (createModelEvents) are created once over that buffer
 * and restarted by the driver's `start` at each run, and the ODE driver is a `PreparedSolver`
 * (numerics/ode/prepared.ts) that reuses its stepper through `Stepper.reinit`.
 *
 * Results are bit-for-bit those of simulateModel(model, { tStart, tEnd: saveat[last], saveat, params, method,
 * rtol, atol, maxSteps }) with `params` the kept entries of `p` (see `keep`): the same generated functions,
 * the same driver arithmetic, and observables evaluated with the parameter vector in force at each time
 * exactly as simulateModel does. Where the driver saved a time twice (an initial event that changes the state
 * at tStart) the post-event row is reported, as in the sensitivity runs (sensitivity.ts) and the fitting code.
 *
 * Allocation per run after the first: one Float64Array of the state size (`CompiledModel.initialState`
 * returns a fresh vector), the event machinery's small bookkeeping objects when events execute, and what V8
 * itself allocates inside the steppers: a double passed to or returned from a function it does not inline is
 * boxed, tens of bytes per step of young garbage (Hähnel 2020 patient 1 over 120 months with Rodas5P: ~38 kB
 * per run, against ~150 kB for simulateModel; bench/simulate-reuse.ts). Nothing scales with the number of
 * runs: the heap after 10^4 runs is what it was after the first (test/models/prepared-simulation.test.ts).
 */
import { type PreparedSolver, prepareSolver } from '../numerics/ode/prepared.js';
import type { ReturnCode } from '../numerics/ode/return-code.js';
import type { SolverStats } from '../numerics/ode/stats.js';
import type { CompiledModel } from './compile/compile.js';
import { createModelEvents } from './compile/events.js';

export interface PreparedSimulationOptions {
  /** Observable ids (CompiledModel.observableIds) written to `out`, in this order. */
  readonly observables: readonly string[];
  /** ODE method name (default `auto`, as simulateModel). */
  readonly method?: string;
  readonly rtol?: number;
  readonly atol?: number | ArrayLike<number>;
  readonly maxSteps?: number;
  /** Output times per run to size the buffers for (more grow them once). Default 64. */
  readonly maxOutputTimes?: number;
  /**
   * Parameter ids whose values in `p` win over their initial assignments (simulateModel's `params`). An
   * entry of `p` that differs from `p0` is kept in any case; list here the overridden entries that may
   * equal p0 (e.g. every fitted parameter) to match simulateModel called with them in `params`.
   */
  readonly keep?: readonly string[];
}

export interface PreparedSimulation {
  /**
   * Simulate with the full parameter vector `p` (length parameterIds.length; mapped to y0 by initialState
   * as simulateModel does, see `keep`) from tStart (default 0) to the last of `saveat` (non-decreasing,
   * >= tStart) and write observable q at saveat[k] into out[k * observables.length + q]. Rows the solver did
   * not reach (a failed solve) are NaN. Returns the return code ('Success' etc.). Allocates nothing after the
   * first call with the same number of output times, beyond what the file comment lists.
   */
  run(p: Float64Array, saveat: ArrayLike<number>, out: Float64Array, tStart?: number): string;
  readonly observables: readonly string[];
  /** Of the last run. */
  readonly retcode: ReturnCode;
  readonly message: string;
  readonly method: string;
  /** Work counters of the last run (a reused object). */
  readonly stats: SolverStats;
  /** Events executed in the last run. */
  readonly eventCount: number;
}

export function prepareSimulation(
  model: CompiledModel,
  options: PreparedSimulationOptions,
): PreparedSimulation {
  return new Prepared(model, options);
}

class Prepared implements PreparedSimulation {
  readonly observables: readonly string[];
  private readonly model: CompiledModel;
  private readonly solver: PreparedSolver;
  private readonly obsIndex: Int32Array;
  private readonly keepOption: Uint8Array;
  private readonly keep: Uint8Array;
  /** The parameter vector the right-hand side, the Jacobian and the events read. */
  private readonly p: Float64Array;
  /** Parameters after initial assignments, before any event. */
  private readonly pStart: Float64Array;
  private readonly yRow: Float64Array;
  /** The logged parameter vector in force at the row being reported. */
  private readonly pRow: Float64Array;
  private readonly obsAll: Float64Array;
  /** Parameter vectors after each event execution, with their times (grown on demand). */
  private logT: Float64Array;
  private logP: Float64Array;
  private logLen = 0;

  constructor(model: CompiledModel, options: PreparedSimulationOptions) {
    this.model = model;
    const pid = model.parameterIds;
    const np = pid.length;
    const n = model.stateIds.length;
    if (options.observables.length === 0)
      throw new Error('prepareSimulation: observables: expected at least one observable id');
    this.observables = [...options.observables];
    this.obsIndex = Int32Array.from(this.observables, (id) => {
      const k = model.observableIds.indexOf(id);
      if (k < 0)
        throw new Error(
          `prepareSimulation: observables: unknown observable '${id}'; valid ids: ${model.observableIds.join(', ') || '(none)'}`,
        );
      return k;
    });
    this.keepOption = new Uint8Array(np);
    for (const id of options.keep ?? []) {
      const j = pid.indexOf(id);
      if (j < 0)
        throw new Error(
          `prepareSimulation: keep: unknown parameter '${id}'; valid ids: ${pid.join(', ') || '(none)'}`,
        );
      this.keepOption[j] = 1;
    }
    this.keep = new Uint8Array(np);
    this.p = model.p0.slice();
    this.pStart = model.p0.slice();
    this.yRow = new Float64Array(n);
    this.pRow = new Float64Array(np);
    this.obsAll = new Float64Array(model.observableIds.length);
    this.logT = new Float64Array(8);
    this.logP = new Float64Array(8 * np);

    const p = this.p;
    const rhs = model.rhs;
    const jac = model.jacobian;
    const events =
      model.events.length > 0
        ? createModelEvents(model, p, { perRelation: true, onExecute: (t) => this.logEvent(t) })
        : undefined;
    this.solver = prepareSolver(
      {
        n,
        f: (t, y, dy) => rhs(t, y, p, dy),
        ...(model.hasJacobian
          ? { jac: (t: number, y: Float64Array, J: Float64Array) => jac(t, y, p, J) }
          : {}),
        names: model.stateIds,
      },
      {
        ...(options.method !== undefined ? { method: options.method } : {}),
        ...(options.rtol !== undefined ? { rtol: options.rtol } : {}),
        ...(options.atol !== undefined ? { atol: options.atol } : {}),
        ...(options.maxSteps !== undefined ? { maxSteps: options.maxSteps } : {}),
        ...(options.maxOutputTimes !== undefined ? { maxOutputTimes: options.maxOutputTimes } : {}),
        ...(events ? { events } : {}),
      },
    );
  }

  get retcode(): ReturnCode {
    return this.solver.retcode;
  }
  get message(): string {
    return this.solver.message;
  }
  get method(): string {
    return this.solver.method;
  }
  get stats(): SolverStats {
    return this.solver.stats;
  }
  get eventCount(): number {
    return this.logLen;
  }

  /** After an event execution at t: remember the parameter vector in force from t on. */
  private logEvent(t: number): void {
    const np = this.p.length;
    if (this.logLen === this.logT.length) {
      const t2 = new Float64Array(2 * this.logT.length);
      const p2 = new Float64Array(2 * this.logT.length * np);
      t2.set(this.logT);
      p2.set(this.logP);
      this.logT = t2;
      this.logP = p2;
    }
    this.logT[this.logLen] = t;
    this.logP.set(this.p, this.logLen * np);
    this.logLen++;
  }

  run(pIn: Float64Array, saveat: ArrayLike<number>, out: Float64Array, tStart = 0): string {
    const model = this.model;
    const np = this.p.length;
    const nt = saveat.length;
    const no = this.obsIndex.length;
    if (pIn.length !== np)
      throw new Error(
        `PreparedSimulation.run: p has ${pIn.length} entries, the model has ${np} parameters (parameterIds)`,
      );
    if (nt === 0) throw new Error('PreparedSimulation.run: saveat is empty');
    if (out.length < nt * no)
      throw new Error(
        `PreparedSimulation.run: out has ${out.length} entries, expected at least ${nt * no} (${nt} times x ${no} observables)`,
      );
    if (!Number.isFinite(tStart)) throw new Error(`PreparedSimulation.run: tStart is ${tStart}`);
    for (let i = 0; i < nt; i++) {
      const ti = saveat[i];
      if (!Number.isFinite(ti) || ti < tStart || (i > 0 && ti < saveat[i - 1]))
        throw new Error(
          `PreparedSimulation.run: saveat[${i}] = ${ti}: times must be finite, >= tStart (${tStart}) and non-decreasing`,
        );
    }

    // Parameters and initial state, as simulateModel: kept entries win over initial assignments.
    const p = this.p;
    const p0 = model.p0;
    const keep = this.keep;
    for (let j = 0; j < np; j++) {
      p[j] = pIn[j];
      keep[j] = this.keepOption[j] === 1 || !Object.is(pIn[j], p0[j]) ? 1 : 0;
    }
    const y0 = model.initialState(p, keep, tStart);
    this.pStart.set(p);
    this.logLen = 0;

    const solver = this.solver;
    const code = solver.solve(y0, tStart, saveat[nt - 1], saveat);

    // Observables at the requested times: the last saved row at each time (post-event), with the parameter
    // vector of the last event executed at or before that time.
    const n = this.yRow.length;
    const count = solver.count;
    const ts = solver.t;
    const u = solver.u;
    const yRow = this.yRow;
    const obsAll = this.obsAll;
    const obsIndex = this.obsIndex;
    let row = 0;
    let ev = 0;
    let loaded = 0;
    for (let k = 0; k < nt; k++) {
      const tk = saveat[k];
      while (row < count && ts[row] < tk) row++;
      while (row + 1 < count && ts[row + 1] === tk) row++;
      if (row >= count || ts[row] !== tk) {
        for (let q = 0; q < no; q++) out[k * no + q] = Number.NaN;
        continue;
      }
      while (ev < this.logLen && this.logT[ev] <= tk) ev++;
      let pt = this.pStart;
      if (ev > 0) {
        pt = this.pRow;
        if (loaded !== ev) {
          const logP = this.logP;
          for (let j = 0, o = (ev - 1) * np; j < np; j++) pt[j] = logP[o + j];
          loaded = ev;
        }
      }
      for (let i = 0; i < n; i++) yRow[i] = u[row * n + i];
      model.observe(tk, yRow, pt, obsAll);
      for (let q = 0; q < no; q++) out[k * no + q] = obsAll[obsIndex[q]];
    }
    return code;
  }
}
