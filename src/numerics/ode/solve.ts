/**
 * solve(problem, options): the one entry point of the ODE engine.
 *
 * This file checks the options, turns them into a driver configuration (output times, time stops) and runs
 * the integration driver (driver.ts) once; it then copies the saved rows into an `OdeSolution`. The loop
 * itself (step budget, output, time stops, events, dense segments, return codes) lives only in driver.ts,
 * which the prepared solver (prepared.ts) runs too, so the two can never drift apart. A method only supplies
 * a `Stepper` (see stepper.ts). Failures come back as a return code with a message, never as silent garbage.
 */

import { checkOutputTimes, driverSettings, OdeDriver, SolveOptionsError } from './driver.js';
import type { OdeProblem } from './problem.js';
import type { ReturnCode } from './return-code.js';
import type { OdeSolution } from './solution.js';
import { SOLVE_OPTION_KEYS, type SolveOptions } from './solve-options.js';
import type { DenseSegment } from './stepper.js';

export { SolveOptionsError };

export function solve(problem: OdeProblem, options: SolveOptions = {}): OdeSolution {
  for (const key of Object.keys(options)) {
    if (!(SOLVE_OPTION_KEYS as readonly string[]).includes(key)) {
      throw new SolveOptionsError(
        `solve: unknown option '${key}'; expected one of ${SOLVE_OPTION_KEYS.join(', ')}`,
      );
    }
  }
  const n = problem.y0.length;
  const [t0, t1] = problem.tspan;
  if (!Number.isFinite(t0) || !Number.isFinite(t1)) {
    throw new SolveOptionsError(`solve: tspan must be finite, got [${t0}, ${t1}]`);
  }
  const dir: 1 | -1 = t1 >= t0 ? 1 : -1;
  const settings = driverSettings('solve', n, problem, options);
  const saveTimes = normaliseSaveat(options.saveat, t0, t1, dir);
  const tstops = normaliseStops(options.tstops, t0, t1, dir);
  const driver = new OdeDriver({
    ...settings,
    everyStep: saveTimes === undefined,
    dense: options.dense === true,
    reuseStepper: false,
    initialRows: saveTimes === undefined ? 64 : saveTimes.length + 1,
  });
  driver.run(problem.y0, t0, t1, saveTimes ?? EMPTY, tstops);
  return makeSolution(
    n,
    driver.t.slice(0, driver.count),
    driver.u.slice(0, driver.count * n),
    driver.retcode,
    driver.message,
    driver.method,
    driver.stats,
    driver.tEnd,
    driver.eventT.slice(0, driver.eventCount),
    driver.segments,
  );
}

const EMPTY = new Float64Array(0);

function normaliseSaveat(
  saveat: number | ArrayLike<number> | undefined,
  t0: number,
  t1: number,
  dir: 1 | -1,
): Float64Array | undefined {
  if (saveat === undefined) return undefined;
  if (typeof saveat === 'number') {
    if (!(saveat > 0)) throw new SolveOptionsError(`solve: saveat interval must be > 0, got ${saveat}`);
    const count = Math.floor(Math.abs(t1 - t0) / saveat + 1e-9);
    const out: number[] = [];
    for (let k = 0; k <= count; k++) out.push(t0 + dir * k * saveat);
    if (out[out.length - 1] !== t1) {
      if (Math.abs(out[out.length - 1] - t1) <= 1e-9 * saveat) out[out.length - 1] = t1;
      else out.push(t1);
    }
    return Float64Array.from(out);
  }
  const times = Float64Array.from(saveat);
  checkOutputTimes('solve', times, t0, t1, dir);
  return times;
}

function normaliseStops(
  stops: ArrayLike<number> | undefined,
  t0: number,
  t1: number,
  dir: 1 | -1,
): Float64Array {
  if (!stops) return new Float64Array(0);
  const list = Array.from(stops).filter((t) => {
    if (!Number.isFinite(t)) throw new SolveOptionsError(`solve: tstop ${t} is not finite`);
    return dir * (t - t0) > 0 && dir * (t - t1) < 0;
  });
  list.sort((a, b) => dir * (a - b));
  return Float64Array.from(list);
}

function makeSolution(
  n: number,
  t: Float64Array,
  u: Float64Array,
  retcode: ReturnCode,
  message: string,
  method: string,
  stats: OdeSolution['stats'],
  tEnd: number,
  eventTimes: Float64Array,
  segments: readonly DenseSegment[],
): OdeSolution {
  return {
    n,
    t,
    u,
    retcode,
    message,
    method,
    stats,
    tEnd,
    eventTimes,
    segments,
    state: (i) => u.slice(i * n, i * n + n),
    component: (j) => {
      const out = new Float64Array(t.length);
      for (let i = 0; i < t.length; i++) out[i] = u[i * n + j];
      return out;
    },
    at: (tq, out = new Float64Array(n)) => {
      if (segments.length === 0) {
        throw new Error('solution.at: no dense output; solve with { dense: true }');
      }
      const seg = findSegment(segments, tq);
      if (!seg) throw new RangeError(`solution.at: t = ${tq} lies outside the solved interval`);
      seg.evaluate(tq, out);
      return out;
    },
  };
}

/** The last segment whose start is at or before tq (so an event time maps to the post-event segment). */
function findSegment(segments: readonly DenseSegment[], tq: number): DenseSegment | undefined {
  const first = segments[0];
  const last = segments[segments.length - 1];
  const dir = last.t1 >= first.t0 ? 1 : -1;
  if (dir * (tq - first.t0) < 0 || dir * (tq - last.t1) > 0) return undefined;
  let lo = 0;
  let hi = segments.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (dir * (segments[mid].t0 - tq) <= 0) lo = mid;
    else hi = mid - 1;
  }
  return segments[lo];
}
