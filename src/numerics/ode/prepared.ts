/**
 * prepareSolver: the `solve` driver for many solves of one problem shape, without garbage.
 *
 * Fitting and sweeps solve the same right-hand side thousands of times with new initial values and
 * parameters (the parameters live in a vector the caller's `f` reads). `solve` builds a stepper, its work
 * arrays and LU buffers, the output arrays and the event scratch on every call; here they are built once: the
 * stepper is created on the first solve and brought back to its freshly created state with `Stepper.reinit`
 * on every later one, outputs go to buffers that are reused, and the driver's mutable state lives in class
 * fields (V8 updates double fields in place, while a double captured by a closure is re-boxed on each write).
 *
 * After the first solve the driver allocates nothing unless a solve needs more output rows or scheduled
 * events than any before it (the buffers then grow once), or fails (the message). The steppers' own per-step
 * garbage, V8's boxing of doubles across calls it does not inline, is the same as under `solve`.
 *
 * The driver logic is a line-by-line transcription of `solve` (solve.ts) for the options kept here (output at
 * given times, events, step budget, hmin/hmax/h0): the same arithmetic in the same order, so the saved times,
 * states, statistics and return codes are bit-for-bit those of `solve` (test/numerics/ode/prepared.test.ts
 * holds them to it for every method). Not supported: output at every step, `tstops`, dense output and
 * `fixedStep`; use `solve` for those. A change to `solve`'s driver must be mirrored here.
 */
import type { EventContext, EventSet } from './events.js';
import { getMethod } from './methods.js';
import type { Bandwidth, OdeJacobian, OdeProblem, OdeRhs } from './problem.js';
import type { ReturnCode } from './return-code.js';
import { createRootScratch, crosses, locateRoot, type RootScratch } from './root-finding.js';
import { SolveOptionsError } from './solve.js';
import { emptyStats, type SolverStats } from './stats.js';
import type { OdeMethod, Stepper, StepperOptions } from './stepper.js';

const DEFAULT_RTOL = 1e-6;
const DEFAULT_ATOL = 1e-10;
const DEFAULT_MAX_STEPS = 1_000_000;

/** The fixed part of an ODE problem: its size and functions (y0 and the time span come with each solve). */
export interface PreparedProblem {
  /** Number of state components. */
  readonly n: number;
  readonly f: OdeRhs;
  readonly jac?: OdeJacobian;
  readonly bandwidth?: Bandwidth;
  readonly names?: readonly string[];
}

export interface PreparedSolverOptions {
  /** A method name or object, as for `solve`. Default `auto`. */
  readonly method?: string | OdeMethod;
  readonly rtol?: number;
  readonly atol?: number | ArrayLike<number>;
  /** Budget of accepted plus rejected steps per solve. Default 1,000,000. */
  readonly maxSteps?: number;
  readonly h0?: number;
  /** Largest step; default, as in `solve`, the length of each solve's time span. */
  readonly hmax?: number;
  readonly hmin?: number;
  /** Events, reused by every solve (`start` is called at each solve's start, as `solve` does). */
  readonly events?: EventSet;
  /** Output times to size the buffers for (more are accommodated by growing them once). Default 64. */
  readonly maxOutputTimes?: number;
}

export interface PreparedSolver {
  readonly n: number;
  /**
   * Solve from y0 at t0 to t1, saving at `saveat` (ordered in the direction of integration, inside [t0, t1]).
   * The result is in `t`, `u`, `count` and the other fields until the next call. Bad arguments throw
   * `SolveOptionsError`; numerical failures are return codes, as for `solve`.
   */
  solve(y0: ArrayLike<number>, t0: number, t1: number, saveat: ArrayLike<number>): ReturnCode;
  /** Number of saved rows of the last solve (at most saveat.length + 1: a state changed by an initial
   *  event at t0 is saved before and after the event, as `solve` does). */
  readonly count: number;
  /** Saved times (the first `count` entries are valid). A reused buffer: copy what you keep. */
  readonly t: Float64Array;
  /** Saved states, row-major (the first count * n entries are valid). A reused buffer. */
  readonly u: Float64Array;
  readonly retcode: ReturnCode;
  readonly message: string;
  /** Method that produced the last solution (as `OdeSolution.method`). */
  readonly method: string;
  /** Work counters of the last solve (a reused object). */
  readonly stats: SolverStats;
  /** Last time reached by the last solve. */
  readonly tEnd: number;
}

/** Build a reusable solver for `problem`; see the file comment. Options are checked here, once. */
export function prepareSolver(problem: PreparedProblem, options: PreparedSolverOptions = {}): PreparedSolver {
  return new PreparedOdeSolver(problem, options);
}

/** The event context handed to the events (one object per solver). */
class Context implements EventContext {
  t = 0;
  readonly y: Float64Array;
  constructor(
    n: number,
    private readonly owner: PreparedOdeSolver,
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

class PreparedOdeSolver implements PreparedSolver {
  readonly n: number;
  readonly stats: SolverStats = emptyStats();
  count = 0;
  t: Float64Array;
  u: Float64Array;
  retcode: ReturnCode = 'Success';
  message = '';
  method: string;
  tEnd = 0;
  terminated = false;

  private readonly problem: PreparedProblem;
  private readonly odeMethod: OdeMethod;
  private readonly rtol: number;
  private readonly atol: number | Float64Array;
  private readonly maxSteps: number;
  private readonly h0: number | undefined;
  private readonly hmaxOption: number | undefined;
  private readonly hmin: number;
  private readonly events: EventSet | undefined;
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

  // Per-solve driver state.
  private dir: 1 | -1 = 1;
  private saveat: ArrayLike<number> = [];
  private saveIdx = 0;

  constructor(problem: PreparedProblem, options: PreparedSolverOptions) {
    const n = problem.n;
    if (!Number.isInteger(n) || n < 0)
      throw new SolveOptionsError(`prepareSolver: n must be a count, got ${n}`);
    this.n = n;
    this.problem = problem;
    const rtol = options.rtol ?? DEFAULT_RTOL;
    if (!(rtol > 0) || !Number.isFinite(rtol))
      throw new SolveOptionsError(`prepareSolver: rtol must be > 0, got ${rtol}`);
    this.rtol = rtol;
    this.atol = normaliseAtol(options.atol ?? DEFAULT_ATOL, n);
    this.odeMethod =
      typeof options.method === 'object' ? options.method : getMethod(options.method ?? 'auto');
    this.method = this.odeMethod.name;
    this.maxSteps = options.maxSteps ?? DEFAULT_MAX_STEPS;
    this.h0 = options.h0;
    this.hmaxOption = options.hmax;
    this.hmin = options.hmin ?? 0;
    this.events = options.events;
    const rows = Math.max(1, Math.floor(options.maxOutputTimes ?? 64) + 1);
    this.t = new Float64Array(rows);
    this.u = new Float64Array(rows * n);
    this.y = new Float64Array(n);
    this.f0 = new Float64Array(n);
    this.yInterp = new Float64Array(n);
    this.ctx = new Context(n, this);
    const m = this.events?.count ?? 0;
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
      (this.events as EventSet).indicators(t, y, out);
    };
  }

  /** EventContext.schedule: sorted insertion after equal times (as `solve`). */
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

  private ensureRows(rows: number): void {
    if (rows <= this.t.length) return;
    this.t = new Float64Array(rows);
    this.u = new Float64Array(rows * this.n);
  }

  private save(t: number, y: Float64Array): void {
    const row = this.count++;
    this.t[row] = t;
    this.u.set(y, row * this.n);
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
    if (this.events) this.events.indicators(t, yNew, this.gPrev);
  }

  solve(y0: ArrayLike<number>, t0: number, t1: number, saveat: ArrayLike<number>): ReturnCode {
    const n = this.n;
    if (y0.length !== n)
      throw new SolveOptionsError(
        `PreparedSolver.solve: y0 has ${y0.length} components, the problem has ${n}`,
      );
    if (!Number.isFinite(t0) || !Number.isFinite(t1)) {
      throw new SolveOptionsError(`PreparedSolver.solve: tspan must be finite, got [${t0}, ${t1}]`);
    }
    const dir: 1 | -1 = t1 >= t0 ? 1 : -1;
    for (let i = 0; i < saveat.length; i++) {
      const ti = saveat[i];
      if (!Number.isFinite(ti) || dir * (ti - t0) < 0 || dir * (ti - t1) > 0) {
        throw new SolveOptionsError(
          `PreparedSolver.solve: saveat time ${ti} lies outside the time span [${t0}, ${t1}]`,
        );
      }
      if (i > 0 && dir * (ti - saveat[i - 1]) < 0) {
        throw new SolveOptionsError(
          'PreparedSolver.solve: saveat times must be ordered in the direction of integration',
        );
      }
    }
    const span = Math.abs(t1 - t0);
    const hmax = this.hmaxOption ?? (span > 0 ? span : Number.POSITIVE_INFINITY);
    const method = this.odeMethod;
    const events = this.events;
    const stats = this.stats;
    for (let k = 0; k < STAT_KEYS.length; k++) stats[STAT_KEYS[k]] = 0;
    this.ensureRows(saveat.length + 1);
    this.count = 0;
    this.dir = dir;
    this.saveat = saveat;
    this.saveIdx = 0;
    this.sHead = 0;
    this.sLen = 0;
    this.terminated = false;
    this.retcode = 'Success';
    this.message = '';
    this.tEnd = t0;
    this.method = method.name;

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
    this.problem.f(t0, y, f0);
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
        if (saveat.length > 0 && saveat[0] === t0) this.save(t0, y);
        y.set(ctxY);
        stats.events++;
      }
    }
    let stepper: Stepper;
    try {
      const existing = this.stepper;
      if (existing !== null && existing.reinit !== undefined) {
        existing.reinit(t0, y, t1, hmax);
        stepper = existing;
      } else {
        stepper = method.create(this.createProblem(y, t0, t1), this.stepperOptions(hmax));
        this.stepper = stepper;
      }
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
    while (this.saveIdx < saveat.length && saveat[this.saveIdx] === t0) {
      this.save(t0, y);
      this.saveIdx++;
    }
    if (this.terminated) return this.finish('Terminated', '', t0, stepper.method);

    const maxSteps = this.maxSteps;
    const yInterp = this.yInterp;
    while (dir * (stepper.t - t1) < 0) {
      if (stats.steps + stats.rejected >= maxSteps) {
        return this.finish(
          'MaxIters',
          `step budget of ${maxSteps} exhausted at t = ${stepper.t}`,
          stepper.t,
          stepper.method,
        );
      }
      let tLimit = t1;
      if (this.sLen > this.sHead && dir * (this.schedT[this.sHead] - tLimit) < 0)
        tLimit = this.schedT[this.sHead];

      const status = stepper.step(tLimit);
      if (status !== 'ok') {
        return this.finish(status, failureMessage(status, stepper), stepper.t, stepper.method);
      }

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
          while (this.saveIdx < saveat.length && dir * (saveat[this.saveIdx] - tr) < 0) {
            const ts = saveat[this.saveIdx++];
            stepper.interpolate(ts, yInterp);
            this.save(ts, yInterp);
          }
          ctx.t = tr;
          events.handle(ctx, fired, rising, nFired);
          if (events.onTime) {
            while (this.sLen > this.sHead && dir * (this.schedT[this.sHead] - tr) <= 0) {
              events.onTime(ctx, this.shiftTag());
            }
          }
          stats.events++;
          this.saveUpTo(stepper, tr, ctxY);
          this.restart(stepper, tr, ctxY);
          if (this.terminated) return this.finish('Terminated', '', tr, stepper.method);
          continue;
        }
        gPrev.set(gNew);
      }

      const tNow = stepper.t;
      this.saveUpTo(stepper, tNow, stepper.y);

      // Scheduled event times: restart the method cleanly at the discontinuity.
      if (this.sLen > this.sHead && this.schedT[this.sHead] === tNow && events?.onTime) {
        ctx.t = tNow;
        ctxY.set(stepper.y);
        while (this.sLen > this.sHead && this.schedT[this.sHead] === tNow) {
          events.onTime(ctx, this.shiftTag());
        }
        if (!sameState(ctxY, stepper.y)) {
          stats.events++;
          this.overwriteLastIfAt(tNow, ctxY);
        }
        this.restart(stepper, tNow, ctxY);
        if (this.terminated) return this.finish('Terminated', '', tNow, stepper.method);
      }
    }
    return this.finish('Success', '', stepper.t, stepper.method);
  }

  /** A saved point at exactly tNow took the pre-event state; replace it with the post-event one. */
  private overwriteLastIfAt(tNow: number, yNew: Float64Array): void {
    if (this.count > 0 && this.t[this.count - 1] === tNow) this.u.set(yNew, (this.count - 1) * this.n);
  }

  private createProblem(y: Float64Array, t0: number, t1: number): OdeProblem {
    const p = this.problem;
    return {
      f: p.f,
      ...(p.jac !== undefined ? { jac: p.jac } : {}),
      ...(p.bandwidth !== undefined ? { bandwidth: p.bandwidth } : {}),
      ...(p.names !== undefined ? { names: p.names } : {}),
      y0: y,
      tspan: [t0, t1],
    };
  }

  private stepperOptions(hmax: number): StepperOptions {
    return {
      rtol: this.rtol,
      atol: this.atol,
      hmax,
      hmin: this.hmin,
      stats: this.stats,
      ...(this.h0 !== undefined ? { h0: this.h0 } : {}),
    };
  }

  private label(i: number): string {
    const names = this.problem.names;
    return names?.[i] !== undefined ? `'${names[i]}'` : String(i);
  }
}

const STAT_KEYS = Object.keys(emptyStats()) as (keyof SolverStats)[];

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
      throw new SolveOptionsError(`prepareSolver: atol must be >= 0, got ${atol}`);
    return atol;
  }
  if (atol.length !== n) {
    throw new SolveOptionsError(`prepareSolver: atol has ${atol.length} components, the problem has ${n}`);
  }
  const a = Float64Array.from(atol);
  for (let i = 0; i < n; i++) {
    if (!(a[i] >= 0) || !Number.isFinite(a[i])) {
      throw new SolveOptionsError(`prepareSolver: atol[${i}] must be >= 0, got ${a[i]}`);
    }
  }
  return a;
}
