/**
 * The integration driver: the one loop that both `solve` (solve.ts) and the prepared solver (prepared.ts) run.
 *
 * A method only supplies a `Stepper` (stepper.ts); the driver owns everything common to every method: the
 * step budget, output at given times or at every step, exact time stops, scheduled and state events (located
 * on the dense output), dense-output segments and return codes. Failures come back as a return code with a
 * message, never as silent garbage.
 *
 * A driver is built once for one problem shape and options (checked by its caller) and `run` any number of
 * times. Its work arrays, output rows, event scratch and scheduled-event queue are allocated at construction
 * and reused; they grow (once, by doubling) when a run needs more rows or scheduled events than any before.
 * With `reuseStepper` the stepper built by the first run is brought back to its freshly created state with
 * `Stepper.reinit` for every later run, so a run after the first allocates nothing but what the stepper
 * itself does per step. `solve` builds a driver per call and runs it once; the prepared solver keeps one.
 *
 * The mutable state lives in class fields rather than closure variables: V8 updates double fields in place,
 * while a double captured by a closure is re-boxed on every write. Allocations that only `solve`'s features
 * need (dense segments, the state copy at a time stop) happen only when those features are asked for.
 */
import type { EventContext, EventSet } from './events.js';
import { getMethod } from './methods.js';
import type { OdeProblem } from './problem.js';
import type { ReturnCode } from './return-code.js';
import { createRootScratch, crosses, locateRoot, type RootScratch } from './root-finding.js';
import { emptyStats, type SolverStats } from './stats.js';
import type { DenseSegment, OdeMethod, Stepper, StepperOptions } from './stepper.js';

export const DEFAULT_RTOL = 1e-6;
export const DEFAULT_ATOL = 1e-10;
export const DEFAULT_MAX_STEPS = 1_000_000;

/** Bad options or a malformed problem: a programming error at the call site, so it throws. */
export class SolveOptionsError extends Error {
  override name = 'SolveOptionsError';
}

/** Everything fixed across runs; the caller has checked it. */
export interface DriverConfig {
  readonly n: number;
  /** The problem without its initial value and span; spread with (y0, tspan) into the stepper's problem. */
  readonly problem: Omit<OdeProblem, 'y0' | 'tspan'>;
  readonly method: OdeMethod;
  readonly rtol: number;
  readonly atol: number | Float64Array;
  /** Budget of accepted plus rejected steps per run. */
  readonly maxSteps: number;
  readonly h0?: number;
  /** Largest step; absent: the length of each run's time span. */
  readonly hmax?: number;
  readonly hmin: number;
  readonly fixedStep?: number;
  readonly events?: EventSet;
  /** Save every accepted step (and both sides of every event) instead of given output times. */
  readonly everyStep: boolean;
  /** Keep each step's dense-output segment (`segments`). */
  readonly dense: boolean;
  /** Reinitialise the first run's stepper for later runs instead of creating a new one. */
  readonly reuseStepper: boolean;
  /** Output rows to allocate up front. */
  readonly initialRows: number;
}

/** The options `solve` and `prepareSolver` share (see SolveOptions for their meaning). */
export interface DriverOptions {
  readonly method?: string | OdeMethod;
  readonly rtol?: number;
  readonly atol?: number | ArrayLike<number>;
  readonly maxSteps?: number;
  readonly h0?: number;
  readonly hmax?: number;
  readonly hmin?: number;
  readonly fixedStep?: number;
  readonly events?: EventSet;
}

/** The output choices of a driver, which each front end makes itself. */
export type DriverOutput = Pick<DriverConfig, 'everyStep' | 'dense' | 'reuseStepper' | 'initialRows'>;

/**
 * Check the shared options and apply their defaults; `who` names the caller in the error messages.
 * Order of the checks: rtol, atol, method.
 */
export function driverSettings(
  who: string,
  n: number,
  problem: Omit<OdeProblem, 'y0' | 'tspan'>,
  options: DriverOptions,
): Omit<DriverConfig, keyof DriverOutput> {
  const rtol = options.rtol ?? DEFAULT_RTOL;
  if (!(rtol > 0) || !Number.isFinite(rtol))
    throw new SolveOptionsError(`${who}: rtol must be > 0, got ${rtol}`);
  const atol = normaliseAtol(options.atol ?? DEFAULT_ATOL, n, who);
  const method: OdeMethod =
    typeof options.method === 'object' ? options.method : getMethod(options.method ?? 'auto');
  return {
    n,
    problem,
    method,
    rtol,
    atol,
    maxSteps: options.maxSteps ?? DEFAULT_MAX_STEPS,
    ...(options.h0 !== undefined ? { h0: options.h0 } : {}),
    ...(options.hmax !== undefined ? { hmax: options.hmax } : {}),
    hmin: options.hmin ?? 0,
    ...(options.fixedStep !== undefined ? { fixedStep: options.fixedStep } : {}),
    ...(options.events !== undefined ? { events: options.events } : {}),
  };
}

/** The event context handed to the events (one object per driver). */
class Context implements EventContext {
  t = 0;
  readonly y: Float64Array;
  constructor(
    n: number,
    private readonly owner: OdeDriver,
  ) {
    this.y = new Float64Array(n);
  }
  terminate(): void {
    this.owner.terminated = true;
  }
  schedule(tAt: number, tag: number): void {
    this.owner.schedule(tAt, tag);
  }
}

const STAT_KEYS = Object.keys(emptyStats()) as (keyof SolverStats)[];
const NO_STOPS = new Float64Array(0);

export class OdeDriver {
  readonly n: number;
  /** Work counters of the last run (one object, reset at each run; the stepper holds it too). */
  readonly stats: SolverStats = emptyStats();
  /** Saved rows of the last run: times in t[0..count), states row-major in u[0..count*n). */
  count = 0;
  t: Float64Array;
  u: Float64Array;
  /** Times at which events changed the state, in eventT[0..eventCount). */
  eventCount = 0;
  eventT: Float64Array;
  /** Dense-output segments of the last run (only with `dense`). */
  readonly segments: DenseSegment[] = [];
  retcode: ReturnCode = 'Success';
  message = '';
  /** Method that produced the last result (the stepper's name once one exists). */
  method: string;
  tEnd = 0;
  terminated = false;

  private readonly cfg: DriverConfig;
  private stepper: Stepper | null = null;
  private readonly y: Float64Array;
  private readonly f0: Float64Array;
  private readonly yInterp: Float64Array;
  private readonly ctx: Context;
  private readonly gPrev: Float64Array;
  private readonly gNew: Float64Array;
  private readonly rootScratch: RootScratch;
  private readonly fired: Int32Array;
  private readonly rising: Uint8Array;
  private readonly gAt: (t: number, out: Float64Array) => void;

  /** Scheduled event times and tags, sorted, live in [sHead, sLen). */
  private schedT: Float64Array;
  private schedTag: Float64Array;
  private sHead = 0;
  private sLen = 0;

  // Per-run state.
  private dir: 1 | -1 = 1;
  private saveat: ArrayLike<number> = NO_STOPS;
  private saveIdx = 0;

  constructor(cfg: DriverConfig) {
    const n = cfg.n;
    this.cfg = cfg;
    this.n = n;
    this.method = cfg.method.name;
    const rows = Math.max(1, Math.floor(cfg.initialRows));
    this.t = new Float64Array(rows);
    this.u = new Float64Array(rows * n);
    this.eventT = new Float64Array(8);
    this.y = new Float64Array(n);
    this.f0 = new Float64Array(n);
    this.yInterp = new Float64Array(n);
    this.ctx = new Context(n, this);
    const m = cfg.events?.count ?? 0;
    this.gPrev = new Float64Array(m);
    this.gNew = new Float64Array(m);
    this.rootScratch = createRootScratch(m, n);
    this.fired = new Int32Array(m);
    this.rising = new Uint8Array(m);
    this.schedT = new Float64Array(8);
    this.schedTag = new Float64Array(8);
    this.gAt = (t: number, out: Float64Array): void => {
      const y = this.rootScratch.y;
      (this.stepper as Stepper).interpolate(t, y);
      (this.cfg.events as EventSet).indicators(t, y, out);
    };
  }

  /** EventContext.schedule: sorted insertion after any equal times, so calls at one time run in order. */
  schedule(tAt: number, tag: number): void {
    const dir = this.dir;
    if (!Number.isFinite(tAt) || dir * (tAt - this.ctx.t) < 0) {
      throw new SolveOptionsError(`event scheduled at ${tAt}, before the current time ${this.ctx.t}`);
    }
    if (this.sLen === this.schedT.length) {
      if (this.sHead > 0) {
        this.schedT.copyWithin(0, this.sHead, this.sLen);
        this.schedTag.copyWithin(0, this.sHead, this.sLen);
        this.sLen -= this.sHead;
        this.sHead = 0;
      } else {
        const t2 = new Float64Array(2 * this.schedT.length);
        const g2 = new Float64Array(2 * this.schedT.length);
        t2.set(this.schedT);
        g2.set(this.schedTag);
        this.schedT = t2;
        this.schedTag = g2;
      }
    }
    const st = this.schedT;
    const sg = this.schedTag;
    let i = this.sLen;
    while (i > this.sHead && dir * (st[i - 1] - tAt) > 0) {
      st[i] = st[i - 1];
      sg[i] = sg[i - 1];
      i--;
    }
    st[i] = tAt;
    sg[i] = tag;
    this.sLen++;
  }

  private shiftTag(): number {
    const tag = this.schedTag[this.sHead++];
    if (this.sHead === this.sLen) this.sHead = this.sLen = 0;
    return tag;
  }

  private save(t: number, y: Float64Array): void {
    const row = this.count;
    if (row === this.t.length) this.growRows();
    this.count = row + 1;
    this.t[row] = t;
    this.u.set(y, row * this.n);
  }

  private growRows(): void {
    const rows = 2 * this.t.length;
    const t2 = new Float64Array(rows);
    const u2 = new Float64Array(rows * this.n);
    t2.set(this.t);
    u2.set(this.u);
    this.t = t2;
    this.u = u2;
  }

  private recordEvent(t: number): void {
    if (this.eventCount === this.eventT.length) {
      const e2 = new Float64Array(2 * this.eventT.length);
      e2.set(this.eventT);
      this.eventT = e2;
    }
    this.eventT[this.eventCount++] = t;
  }

  private finish(retcode: ReturnCode, message: string, tEnd: number, name: string): ReturnCode {
    this.retcode = retcode;
    this.message = message;
    this.tEnd = tEnd;
    this.method = name;
    return retcode;
  }

  /** Save requested output times in (stepper.tPrev, tUpTo]; `exactAtEnd` holds the state at tUpTo. */
  private saveUpTo(stepper: Stepper, tUpTo: number, exactAtEnd: Float64Array): void {
    const saveat = this.saveat;
    const dir = this.dir;
    while (this.saveIdx < saveat.length && dir * (saveat[this.saveIdx] - tUpTo) <= 0) {
      const ts = saveat[this.saveIdx++];
      if (ts === tUpTo) this.save(ts, exactAtEnd);
      else {
        stepper.interpolate(ts, this.yInterp);
        this.save(ts, this.yInterp);
      }
    }
  }

  private restart(stepper: Stepper, t: number, yNew: Float64Array): void {
    stepper.reset(t, yNew);
    const events = this.cfg.events;
    if (events) events.indicators(t, yNew, this.gPrev);
  }

  /** A saved point at exactly tNow took the pre-event state; replace it with the post-event one. */
  private overwriteLastIfAt(tNow: number, yNew: Float64Array): void {
    if (this.count > 0 && this.t[this.count - 1] === tNow) this.u.set(yNew, (this.count - 1) * this.n);
  }

  /** Reserve output rows for a run (before it starts: the contents are not kept). */
  reserveRows(rows: number): void {
    if (rows <= this.t.length) return;
    this.t = new Float64Array(rows);
    this.u = new Float64Array(rows * this.n);
  }

  /**
   * Integrate from y0 at t0 to t1. `saveat`: checked output times, ordered in the direction of integration
   * inside [t0, t1] (ignored with `everyStep`); `tstops`: times strictly inside (t0, t1), sorted in that
   * direction. Results are in the fields until the next run.
   */
  run(
    y0: ArrayLike<number>,
    t0: number,
    t1: number,
    saveat: ArrayLike<number>,
    tstops: ArrayLike<number> = NO_STOPS,
  ): ReturnCode {
    const cfg = this.cfg;
    const n = this.n;
    const dir: 1 | -1 = t1 >= t0 ? 1 : -1;
    const span = Math.abs(t1 - t0);
    const hmax = cfg.hmax ?? (span > 0 ? span : Number.POSITIVE_INFINITY);
    const method = cfg.method;
    const events = cfg.events;
    const everyStep = cfg.everyStep;
    const dense = cfg.dense;
    const stats = this.stats;
    for (let k = 0; k < STAT_KEYS.length; k++) stats[STAT_KEYS[k]] = 0;
    this.count = 0;
    this.eventCount = 0;
    this.segments.length = 0;
    this.dir = dir;
    this.saveat = everyStep ? NO_STOPS : saveat;
    this.saveIdx = 0;
    this.sHead = 0;
    this.sLen = 0;
    this.terminated = false;
    this.retcode = 'Success';
    this.message = '';
    this.tEnd = t0;
    this.method = method.name;
    saveat = this.saveat;

    const y = this.y;
    for (let i = 0; i < n; i++) y[i] = y0[i];
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(y[i])) {
        return this.finish(
          'InitialFailure',
          `initial state component ${this.label(i)} is ${y[i]}`,
          t0,
          method.name,
        );
      }
    }
    const f0 = this.f0;
    cfg.problem.f(t0, y, f0);
    stats.fEvals++;
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(f0[i])) {
        return this.finish(
          'InitialFailure',
          `f(t0, y0) component ${this.label(i)} is ${f0[i]}`,
          t0,
          method.name,
        );
      }
    }

    const ctx = this.ctx;
    const ctxY = ctx.y;
    ctx.t = t0;
    const m = events?.count ?? 0;
    const { gPrev, gNew, rootScratch, fired, rising } = this;

    // Start: initial events may change the state at t0.
    if (events?.start) {
      ctx.t = t0;
      ctxY.set(y);
      events.start(ctx);
      if (!sameState(ctxY, y)) {
        if (everyStep || (saveat.length > 0 && saveat[0] === t0)) this.save(t0, y);
        y.set(ctxY);
        stats.events++;
        this.recordEvent(t0);
      }
    }
    let stepper: Stepper;
    try {
      stepper = this.acquireStepper(y, t0, t1, hmax);
    } catch (err) {
      this.stepper = null;
      if (err instanceof SolveOptionsError) throw err;
      return this.finish(
        'InitialFailure',
        `could not start ${method.name}: ${(err as Error).message}`,
        t0,
        method.name,
      );
    }
    if (events) events.indicators(t0, y, gPrev);

    // Initial output.
    if (everyStep) this.save(t0, y);
    else {
      while (this.saveIdx < saveat.length && saveat[this.saveIdx] === t0) {
        this.save(t0, y);
        this.saveIdx++;
      }
    }
    if (this.terminated) return this.finish('Terminated', '', t0, stepper.method);

    const maxSteps = cfg.maxSteps;
    const yInterp = this.yInterp;
    let stopIdx = 0;
    while (dir * (stepper.t - t1) < 0) {
      if (stats.steps + stats.rejected >= maxSteps) {
        return this.finish(
          'MaxIters',
          `step budget of ${maxSteps} exhausted at t = ${stepper.t}`,
          stepper.t,
          stepper.method,
        );
      }
      while (stopIdx < tstops.length && dir * (tstops[stopIdx] - stepper.t) <= 0) stopIdx++;
      let tLimit = t1;
      if (stopIdx < tstops.length && dir * (tstops[stopIdx] - tLimit) < 0) tLimit = tstops[stopIdx];
      if (this.sLen > this.sHead && dir * (this.schedT[this.sHead] - tLimit) < 0)
        tLimit = this.schedT[this.sHead];

      const status = stepper.step(tLimit);
      if (status !== 'ok') {
        return this.finish(status, failureMessage(status, stepper), stepper.t, stepper.method);
      }
      if (dense) this.segments.push(stepper.denseSegment());

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
          const tr = locateRoot(stepper.tPrev, stepper.t, this.gAt, events.directions, rootScratch);
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
          if (everyStep) this.save(tr, ctxY);
          else {
            while (this.saveIdx < saveat.length && dir * (saveat[this.saveIdx] - tr) < 0) {
              const ts = saveat[this.saveIdx++];
              stepper.interpolate(ts, yInterp);
              this.save(ts, yInterp);
            }
          }
          ctx.t = tr;
          events.handle(ctx, fired, rising, nFired);
          // Scheduled calls due at this instant run now, after the state events; left in the queue they
          // would fall behind the integrator and every later scheduled call would be skipped.
          if (events.onTime) {
            while (this.sLen > this.sHead && dir * (this.schedT[this.sHead] - tr) <= 0) {
              events.onTime(ctx, this.shiftTag());
            }
          }
          stats.events++;
          this.recordEvent(tr);
          if (everyStep) this.save(tr, ctxY);
          else this.saveUpTo(stepper, tr, ctxY);
          this.restart(stepper, tr, ctxY);
          if (this.terminated) return this.finish('Terminated', '', tr, stepper.method);
          continue;
        }
        gPrev.set(gNew);
      }

      const tNow = stepper.t;
      if (everyStep) this.save(tNow, stepper.y);
      else this.saveUpTo(stepper, tNow, stepper.y);

      // Time stops and scheduled event times: restart the method cleanly at the discontinuity.
      let restartHere = false;
      if (stopIdx < tstops.length && tstops[stopIdx] === tNow) {
        stopIdx++;
        restartHere = true;
      }
      if (this.sLen > this.sHead && this.schedT[this.sHead] === tNow && events?.onTime) {
        ctx.t = tNow;
        ctxY.set(stepper.y);
        while (this.sLen > this.sHead && this.schedT[this.sHead] === tNow) {
          events.onTime(ctx, this.shiftTag());
        }
        if (!sameState(ctxY, stepper.y)) {
          stats.events++;
          this.recordEvent(tNow);
          if (everyStep) this.save(tNow, ctxY);
          else this.overwriteLastIfAt(tNow, ctxY);
        }
        this.restart(stepper, tNow, ctxY);
        restartHere = false;
        if (this.terminated) return this.finish('Terminated', '', tNow, stepper.method);
      }
      // A copy: the stepper's own state array must not be handed back to its reset.
      if (restartHere && dir * (tNow - t1) < 0) this.restart(stepper, tNow, Float64Array.from(stepper.y));
    }
    return this.finish('Success', '', stepper.t, stepper.method);
  }

  private acquireStepper(y: Float64Array, t0: number, t1: number, hmax: number): Stepper {
    const existing = this.stepper;
    if (this.cfg.reuseStepper && existing !== null && existing.reinit !== undefined) {
      existing.reinit(t0, y, t1, hmax);
      return existing;
    }
    const stepper = this.cfg.method.create(
      { ...this.cfg.problem, y0: y, tspan: [t0, t1] },
      this.stepperOptions(hmax),
    );
    this.stepper = stepper;
    return stepper;
  }

  private stepperOptions(hmax: number): StepperOptions {
    const cfg = this.cfg;
    return {
      rtol: cfg.rtol,
      atol: cfg.atol,
      hmax,
      hmin: cfg.hmin,
      stats: this.stats,
      ...(cfg.h0 !== undefined ? { h0: cfg.h0 } : {}),
      ...(cfg.fixedStep !== undefined ? { fixedStep: cfg.fixedStep } : {}),
    };
  }

  private label(i: number): string {
    const names = this.cfg.problem.names;
    return names?.[i] !== undefined ? `'${names[i]}'` : String(i);
  }
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

/** Check output times: finite, inside [t0, t1], ordered in the direction of integration. */
export function checkOutputTimes(
  who: string,
  times: ArrayLike<number>,
  t0: number,
  t1: number,
  dir: 1 | -1,
): void {
  for (let i = 0; i < times.length; i++) {
    const ti = times[i];
    if (!Number.isFinite(ti) || dir * (ti - t0) < 0 || dir * (ti - t1) > 0) {
      throw new SolveOptionsError(`${who}: saveat time ${ti} lies outside the time span [${t0}, ${t1}]`);
    }
    if (i > 0 && dir * (ti - times[i - 1]) < 0) {
      throw new SolveOptionsError(`${who}: saveat times must be ordered in the direction of integration`);
    }
  }
}

/** A scalar or per-component absolute tolerance, checked; `who` names the caller in the error. */
function normaliseAtol(atol: number | ArrayLike<number>, n: number, who: string): number | Float64Array {
  if (typeof atol === 'number') {
    if (!(atol >= 0) || !Number.isFinite(atol))
      throw new SolveOptionsError(`${who}: atol must be >= 0, got ${atol}`);
    return atol;
  }
  if (atol.length !== n) {
    throw new SolveOptionsError(`${who}: atol has ${atol.length} components, the problem has ${n}`);
  }
  const a = Float64Array.from(atol);
  for (let i = 0; i < n; i++) {
    if (!(a[i] >= 0) || !Number.isFinite(a[i])) {
      throw new SolveOptionsError(`${who}: atol[${i}] must be >= 0, got ${a[i]}`);
    }
  }
  return a;
}
