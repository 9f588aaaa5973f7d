/**
 * solve(problem, options): the one entry point of the ODE engine.
 *
 * The driver owns what is common to every method: option checking, output times, exact time stops, event
 * location on the dense output, the step budget and return codes. A method only supplies a `Stepper`
 * (see stepper.ts). Failures come back as a return code with a message, never as silent garbage.
 */

import { GrowableFloat64 } from '../util/growable.js';
import type { EventContext } from './events.js';
import { getMethod } from './methods.js';
import type { OdeProblem } from './problem.js';
import type { ReturnCode } from './return-code.js';
import { createRootScratch, crosses, locateRoot } from './root-finding.js';
import type { OdeSolution } from './solution.js';
import { SOLVE_OPTION_KEYS, type SolveOptions } from './solve-options.js';
import { emptyStats } from './stats.js';
import type { DenseSegment, OdeMethod, Stepper } from './stepper.js';

const DEFAULT_RTOL = 1e-6;
const DEFAULT_ATOL = 1e-10;
const DEFAULT_MAX_STEPS = 1_000_000;

/** Bad options or a malformed problem: a programming error at the call site, so it throws. */
export class SolveOptionsError extends Error {
  override name = 'SolveOptionsError';
}

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
  const rtol = options.rtol ?? DEFAULT_RTOL;
  if (!(rtol > 0) || !Number.isFinite(rtol))
    throw new SolveOptionsError(`solve: rtol must be > 0, got ${rtol}`);
  const atol = normaliseAtol(options.atol ?? DEFAULT_ATOL, n);
  const method: OdeMethod =
    typeof options.method === 'object' ? options.method : getMethod(options.method ?? 'auto');
  const maxSteps = options.maxSteps ?? DEFAULT_MAX_STEPS;
  const span = Math.abs(t1 - t0);
  const hmax = options.hmax ?? (span > 0 ? span : Number.POSITIVE_INFINITY);
  const hmin = options.hmin ?? 0;
  const saveTimes = normaliseSaveat(options.saveat, t0, t1, dir);
  const tstops = normaliseStops(options.tstops, t0, t1, dir);
  const events = options.events;
  const stats = emptyStats();

  const tOut = new GrowableFloat64();
  const uOut = new GrowableFloat64();
  const eventTimes = new GrowableFloat64();
  const segments: DenseSegment[] = [];
  const save = (t: number, y: Float64Array) => {
    tOut.push(t);
    uOut.pushArray(y);
  };
  const finish = (retcode: ReturnCode, message: string, tEnd: number, name: string): OdeSolution =>
    makeSolution(
      n,
      tOut.toArray(),
      uOut.toArray(),
      retcode,
      message,
      name,
      stats,
      tEnd,
      eventTimes.toArray(),
      segments,
    );

  const y = Float64Array.from(problem.y0);
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(y[i])) {
      return finish(
        'InitialFailure',
        `initial state component ${label(problem, i)} is ${y[i]}`,
        t0,
        method.name,
      );
    }
  }
  const f0 = new Float64Array(n);
  problem.f(t0, y, f0);
  stats.fEvals++;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(f0[i])) {
      return finish(
        'InitialFailure',
        `f(t0, y0) component ${label(problem, i)} is ${f0[i]}`,
        t0,
        method.name,
      );
    }
  }

  // Event bookkeeping. Scheduled times (from events) join the time stops.
  const scheduled: { t: number; tag: number }[] = [];
  let terminated = false;
  const ctxY = new Float64Array(n);
  let ctxT = t0;
  const ctx: EventContext = {
    get t() {
      return ctxT;
    },
    y: ctxY,
    terminate() {
      terminated = true;
    },
    schedule(tAt: number, tag: number) {
      if (!Number.isFinite(tAt) || dir * (tAt - ctxT) < 0) {
        throw new SolveOptionsError(`event scheduled at ${tAt}, before the current time ${ctxT}`);
      }
      let i = scheduled.length;
      while (i > 0 && dir * (scheduled[i - 1].t - tAt) > 0) i--;
      scheduled.splice(i, 0, { t: tAt, tag });
    },
  };
  const m = events?.count ?? 0;
  const gPrev = new Float64Array(m);
  const gNew = new Float64Array(m);
  const rootScratch = createRootScratch(m, n);
  const fired = new Int32Array(m);
  const rising = new Uint8Array(m);

  const everyStep = saveTimes === undefined;
  let saveIdx = 0;

  // Start: initial events may change the state at t0.
  if (events?.start) {
    ctxT = t0;
    ctxY.set(y);
    events.start(ctx);
    if (!sameState(ctxY, y)) {
      if (everyStep || (saveTimes && saveTimes[0] === t0)) save(t0, y);
      y.set(ctxY);
      stats.events++;
      eventTimes.push(t0);
    }
  }
  let stepper: Stepper;
  try {
    stepper = method.create(
      { ...problem, y0: y, tspan: [t0, t1] },
      {
        rtol,
        atol,
        hmax,
        hmin,
        stats,
        ...(options.h0 !== undefined ? { h0: options.h0 } : {}),
        ...(options.fixedStep !== undefined ? { fixedStep: options.fixedStep } : {}),
      },
    );
  } catch (err) {
    if (err instanceof SolveOptionsError) throw err;
    return finish(
      'InitialFailure',
      `could not start ${method.name}: ${(err as Error).message}`,
      t0,
      method.name,
    );
  }
  if (events) events.indicators(t0, y, gPrev);

  // Initial output.
  if (everyStep) save(t0, y);
  else {
    while (saveIdx < saveTimes.length && saveTimes[saveIdx] === t0) {
      save(t0, y);
      saveIdx++;
    }
  }
  if (terminated) return finish('Terminated', '', t0, stepper.method);

  let stopIdx = 0;
  const yInterp = new Float64Array(n);
  const gAt = (t: number, out: Float64Array) => {
    stepper.interpolate(t, rootScratch.y);
    events!.indicators(t, rootScratch.y, out);
  };
  /** Save requested output times in (stepper.tPrev, tUpTo]; `exactAtEnd` holds the state at tUpTo. */
  const saveUpTo = (tUpTo: number, exactAtEnd: Float64Array | null) => {
    if (everyStep) return;
    while (saveIdx < saveTimes.length && dir * (saveTimes[saveIdx] - tUpTo) <= 0) {
      const ts = saveTimes[saveIdx++];
      if (ts === tUpTo && exactAtEnd) save(ts, exactAtEnd);
      else {
        stepper.interpolate(ts, yInterp);
        save(ts, yInterp);
      }
    }
  };
  const restart = (t: number, yNew: Float64Array) => {
    stepper.reset(t, yNew);
    if (events) events.indicators(t, yNew, gPrev);
  };

  while (dir * (stepper.t - t1) < 0) {
    if (stats.steps + stats.rejected >= maxSteps) {
      return finish(
        'MaxIters',
        `step budget of ${maxSteps} exhausted at t = ${stepper.t}`,
        stepper.t,
        stepper.method,
      );
    }
    while (stopIdx < tstops.length && dir * (tstops[stopIdx] - stepper.t) <= 0) stopIdx++;
    let tLimit = t1;
    if (stopIdx < tstops.length && dir * (tstops[stopIdx] - tLimit) < 0) tLimit = tstops[stopIdx];
    if (scheduled.length > 0 && dir * (scheduled[0].t - tLimit) < 0) tLimit = scheduled[0].t;

    const status = stepper.step(tLimit);
    if (status !== 'ok') {
      return finish(status, failureMessage(status, stepper), stepper.t, stepper.method);
    }
    if (options.dense) segments.push(stepper.denseSegment());

    // State events inside (tPrev, t]?
    if (events && m > 0) {
      events.indicators(stepper.t, stepper.y, gNew);
      let any = false;
      for (let k = 0; k < m; k++) {
        if (crosses(gPrev[k], gNew[k], events.directions ? events.directions[k] : 1)) {
          any = true;
          break;
        }
      }
      if (any) {
        rootScratch.gl.set(gPrev);
        rootScratch.gr.set(gNew);
        const tr = locateRoot(stepper.tPrev, stepper.t, gAt, events.directions, rootScratch);
        let nFired = 0;
        for (let k = 0; k < m; k++) {
          const d = events.directions ? events.directions[k] : 1;
          if (crosses(gPrev[k], rootScratch.gr[k], d)) {
            fired[nFired] = k;
            rising[nFired] = rootScratch.gr[k] > 0 ? 1 : 0;
            nFired++;
          }
        }
        const atEnd = tr === stepper.t;
        if (atEnd) ctxY.set(stepper.y);
        else stepper.interpolate(tr, ctxY);
        // outputs strictly before the event come from the pre-event solution
        if (everyStep) save(tr, ctxY);
        else {
          while (saveIdx < saveTimes.length && dir * (saveTimes[saveIdx] - tr) < 0) {
            const ts = saveTimes[saveIdx++];
            stepper.interpolate(ts, yInterp);
            save(ts, yInterp);
          }
        }
        ctxT = tr;
        events.handle(ctx, fired, rising, nFired);
        // Scheduled calls due at this instant run now, after the state events; left in the queue they would
        // fall behind the integrator and every later scheduled call would be skipped.
        if (events.onTime) {
          while (scheduled.length > 0 && dir * (scheduled[0].t - tr) <= 0) {
            const { tag } = scheduled.shift()!;
            events.onTime(ctx, tag);
          }
        }
        stats.events++;
        eventTimes.push(tr);
        if (everyStep) save(tr, ctxY);
        else saveUpTo(tr, ctxY);
        restart(tr, ctxY);
        if (terminated) return finish('Terminated', '', tr, stepper.method);
        continue;
      }
      gPrev.set(gNew);
    }

    const tNow = stepper.t;
    if (everyStep) save(tNow, stepper.y);
    else saveUpTo(tNow, stepper.y);

    // Time stops and scheduled event times: restart the method cleanly at the discontinuity.
    let restartHere = false;
    if (stopIdx < tstops.length && tstops[stopIdx] === tNow) {
      stopIdx++;
      restartHere = true;
    }
    if (scheduled.length > 0 && scheduled[0].t === tNow && events?.onTime) {
      ctxT = tNow;
      ctxY.set(stepper.y);
      while (scheduled.length > 0 && scheduled[0].t === tNow) {
        const { tag } = scheduled.shift()!;
        events.onTime(ctx, tag);
      }
      if (!sameState(ctxY, stepper.y)) {
        stats.events++;
        eventTimes.push(tNow);
        if (everyStep) save(tNow, ctxY);
        else overwriteLastIfAt(tNow);
      }
      restart(tNow, ctxY);
      restartHere = false;
      if (terminated) return finish('Terminated', '', tNow, stepper.method);
    }
    if (restartHere && dir * (tNow - t1) < 0) restart(tNow, Float64Array.from(stepper.y));
  }
  return finish('Success', '', stepper.t, stepper.method);

  /** A saved point at exactly tNow took the pre-event state; replace it with the post-event one. */
  function overwriteLastIfAt(tNow: number): void {
    if (tOut.length > 0 && tOut.get(tOut.length - 1) === tNow) {
      const row = tOut.length - 1;
      for (let i = 0; i < n; i++) uOut.set(row * n + i, ctxY[i]);
    }
  }
}

function label(problem: OdeProblem, i: number): string {
  return problem.names?.[i] !== undefined ? `'${problem.names[i]}'` : String(i);
}

function failureMessage(status: string, s: Stepper): string {
  switch (status) {
    case 'DtLessThanMin':
      return `step size underflow at t = ${s.t} (${s.method}): the solution may blow up or the tolerance is too tight`;
    case 'ConvergenceFailure':
      return `Newton iterations failed repeatedly at t = ${s.t} (${s.method})`;
    case 'Unstable':
      return `the solution became NaN or infinite at t = ${s.t} (${s.method})`;
    default:
      return `${status} at t = ${s.t}`;
  }
}

function sameState(a: Float64Array, b: Float64Array): boolean {
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

function normaliseAtol(atol: number | ArrayLike<number>, n: number): number | Float64Array {
  if (typeof atol === 'number') {
    if (!(atol >= 0) || !Number.isFinite(atol))
      throw new SolveOptionsError(`solve: atol must be >= 0, got ${atol}`);
    return atol;
  }
  if (atol.length !== n) {
    throw new SolveOptionsError(`solve: atol has ${atol.length} components, the problem has ${n}`);
  }
  const a = Float64Array.from(atol);
  for (let i = 0; i < n; i++) {
    if (!(a[i] >= 0) || !Number.isFinite(a[i])) {
      throw new SolveOptionsError(`solve: atol[${i}] must be >= 0, got ${a[i]}`);
    }
  }
  return a;
}

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
  for (let i = 0; i < times.length; i++) {
    const ti = times[i];
    if (!Number.isFinite(ti) || dir * (ti - t0) < 0 || dir * (ti - t1) > 0) {
      throw new SolveOptionsError(`solve: saveat time ${ti} lies outside the time span [${t0}, ${t1}]`);
    }
    if (i > 0 && dir * (ti - times[i - 1]) < 0) {
      throw new SolveOptionsError(`solve: saveat times must be ordered in the direction of integration`);
    }
  }
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
