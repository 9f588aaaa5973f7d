/**
 * simulateModel: compile (if needed), set parameters, integrate with `solve`, and report observables.
 *
 * Parameter overrides replace entries of the parameter vector before initial values are computed: initial
 * assignments that read an overridden parameter see the new value, and an override of a quantity that has
 * an initial assignment wins over the assignment. Values reported at each saved time use the parameter
 * vector in force at that time (events may change parameters; a saved point at an event time reports the
 * post-event values, except where the driver saved both the pre- and the post-event state, in which case
 * the first of the two uses the pre-event parameters).
 */

import { odeProblem } from '../numerics/ode/problem.js';
import type { ReturnCode } from '../numerics/ode/return-code.js';
import type { OdeSolution } from '../numerics/ode/solution.js';
import { solve } from '../numerics/ode/solve.js';
import type { SolverStats } from '../numerics/ode/stats.js';
import type { OdeMethod } from '../numerics/ode/stepper.js';
import { type CompiledModel, compileModel } from './compile/compile.js';
import { createModelEvents } from './compile/events.js';
import type { Model } from './ir.js';

export interface SimulateOptions {
  readonly tStart?: number;
  readonly tEnd: number;
  /** Number of equal output intervals (steps + 1 output times). */
  readonly steps?: number;
  /** Output times (or an interval); overrides `steps`. Without either, every accepted step is reported. */
  readonly saveat?: number | ArrayLike<number>;
  readonly method?: string | OdeMethod;
  readonly rtol?: number;
  readonly atol?: number | ArrayLike<number>;
  readonly maxSteps?: number;
  /** Overrides of parameter-vector entries by id (see `CompiledModel.parameterIds`). */
  readonly params?: Readonly<Record<string, number>>;
}

export interface TimeCourse {
  /** Observable ids (columns of `values`). */
  readonly ids: readonly string[];
  readonly time: Float64Array;
  /** Row-major: values[i * ids.length + k] is observable k at time[i]. */
  readonly values: Float64Array;
  readonly retcode: ReturnCode;
  readonly message: string;
  readonly method: string;
  readonly stats: SolverStats;
  /** The raw solution (states are amounts, in `stateIds` order). */
  readonly solution: OdeSolution;
  readonly stateIds: readonly string[];
  /** Events executed (time and id). */
  readonly events: readonly { t: number; id: string }[];
  /** Observable `id` over time, as a fresh array. */
  column(id: string): Float64Array;
}

export function simulateModel(model: Model | CompiledModel, options: SimulateOptions): TimeCourse {
  const compiled: CompiledModel = 'rhs' in model ? model : compileModel(model);
  const tStart = options.tStart ?? 0;
  const { tEnd } = options;
  const p = compiled.p0.slice();
  const keep = new Uint8Array(p.length);
  for (const [id, value] of Object.entries(options.params ?? {})) {
    const j = compiled.parameterIds.indexOf(id);
    if (j < 0)
      throw new Error(
        `simulateModel: unknown parameter '${id}'; valid ids: ${compiled.parameterIds.join(', ') || '(none)'}`,
      );
    p[j] = value;
    keep[j] = 1;
  }
  const y0 = compiled.initialState(p, keep, tStart);

  const pLog: { t: number; p: Float64Array }[] = [];
  const events =
    compiled.events.length > 0
      ? createModelEvents(compiled, p, {
          perRelation: true,
          onExecute: (t) => pLog.push({ t, p: p.slice() }),
        })
      : undefined;
  const pStart = p.slice(); // after overrides and initial assignments, before any event
  const n = compiled.stateIds.length;
  const rhs = compiled.rhs;
  const jac = compiled.jacobian;
  const problem = odeProblem((t, y, dy) => rhs(t, y, p, dy), y0, [tStart, tEnd], {
    ...(compiled.hasJacobian
      ? { jac: (t: number, y: Float64Array, J: Float64Array) => jac(t, y, p, J) }
      : {}),
    names: compiled.stateIds,
  });
  const saveat =
    options.saveat ??
    (options.steps !== undefined ? (tEnd - tStart) / Math.max(1, options.steps) : undefined);
  const solution = solve(problem, {
    ...(options.method !== undefined ? { method: options.method } : {}),
    ...(options.rtol !== undefined ? { rtol: options.rtol } : {}),
    ...(options.atol !== undefined ? { atol: options.atol } : {}),
    ...(options.maxSteps !== undefined ? { maxSteps: options.maxSteps } : {}),
    ...(saveat !== undefined ? { saveat } : {}),
    ...(events ? { events } : {}),
  });

  const ids = compiled.observableIds;
  const m = ids.length;
  const nt = solution.t.length;
  const values = new Float64Array(nt * m);
  const out = new Float64Array(m);
  const y = new Float64Array(n);
  for (let i = 0; i < nt; i++) {
    const t = solution.t[i];
    const pre = i + 1 < nt && solution.t[i + 1] === t; // pre-event copy of a duplicated event time
    let pt: Float64Array = pStart;
    for (const entry of pLog) {
      if (entry.t < t || (!pre && entry.t === t)) pt = entry.p;
      else break;
    }
    for (let k = 0; k < n; k++) y[k] = solution.u[i * n + k];
    compiled.observe(t, y, pt, out);
    values.set(out, i * m);
  }
  return {
    ids,
    time: solution.t,
    values,
    retcode: solution.retcode,
    message: solution.message,
    method: solution.method,
    stats: solution.stats,
    solution,
    stateIds: compiled.stateIds,
    events: events ? events.executed : [],
    column(id: string) {
      const k = ids.indexOf(id);
      if (k < 0) throw new Error(`TimeCourse: unknown id '${id}'; valid ids: ${ids.join(', ')}`);
      const col = new Float64Array(nt);
      for (let i = 0; i < nt; i++) col[i] = values[i * m + k];
      return col;
    },
  };
}
