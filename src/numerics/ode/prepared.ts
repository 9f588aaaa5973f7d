/**
 * prepareSolver: many solves of one problem shape, without garbage.
 *
 * Fitting and sweeps solve the same right-hand side thousands of times with new initial values and
 * parameters (the parameters live in a vector the caller's `f` reads). `solve` builds a driver, a stepper,
 * its work arrays and LU buffers, the output arrays and the event scratch on every call; here one integration
 * driver (driver.ts, the same loop `solve` runs) is built once and kept: its stepper is created on the first
 * solve and brought back to its freshly created state with `Stepper.reinit` on every later one, and its output
 * rows and event scratch are reused.
 *
 * After the first solve nothing is allocated unless a solve needs more output rows, event times or scheduled
 * events than any before it (the buffers then grow once), or fails (the message). The steppers' own per-step
 * garbage, V8's boxing of doubles across calls it does not inline, is the same as under `solve`.
 *
 * Because the loop is shared, the saved times, states, statistics and return codes are bit-for-bit those of
 * `solve` with the same options (test/numerics/ode/prepared.test.ts checks it for every method). This front
 * end offers output at given times only: output at every step, `tstops`, dense output and `fixedStep` are
 * driver features that only `solve` exposes (they allocate per step or exist for tests).
 */

import {
  checkOutputTimes,
  type DriverOptions,
  driverSettings,
  OdeDriver,
  SolveOptionsError,
} from './driver.js';
import type { Bandwidth, OdeJacobian, OdeProblem, OdeRhs } from './problem.js';
import type { ReturnCode } from './return-code.js';
import type { SolverStats } from './stats.js';

/** The fixed part of an ODE problem: its size and functions (y0 and the time span come with each solve). */
export interface PreparedProblem {
  /** Number of state components. */
  readonly n: number;
  readonly f: OdeRhs;
  readonly jac?: OdeJacobian;
  readonly bandwidth?: Bandwidth;
  readonly names?: readonly string[];
}

/**
 * The options of `solve` that make sense for many solves (see DriverOptions and SolveOptions). `hmax` defaults,
 * as in `solve`, to the length of each solve's time span; `events` are reused by every solve (`start` is
 * called at each solve's start, as `solve` does); `maxSteps` is a budget per solve.
 */
export interface PreparedSolverOptions extends Omit<DriverOptions, 'fixedStep'> {
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

/** The shared driver, kept for many runs, with `solve` checking each run's arguments. */
class PreparedOdeSolver extends OdeDriver implements PreparedSolver {
  constructor(problem: PreparedProblem, options: PreparedSolverOptions) {
    const n = problem.n;
    if (!Number.isInteger(n) || n < 0)
      throw new SolveOptionsError(`prepareSolver: n must be a count, got ${n}`);
    const stepperProblem: Omit<OdeProblem, 'y0' | 'tspan'> = {
      f: problem.f,
      ...(problem.jac !== undefined ? { jac: problem.jac } : {}),
      ...(problem.bandwidth !== undefined ? { bandwidth: problem.bandwidth } : {}),
      ...(problem.names !== undefined ? { names: problem.names } : {}),
    };
    super({
      ...driverSettings('prepareSolver', n, stepperProblem, options),
      everyStep: false,
      dense: false,
      reuseStepper: true,
      initialRows: Math.floor(options.maxOutputTimes ?? 64) + 1,
    });
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
    checkOutputTimes('PreparedSolver.solve', saveat, t0, t1, dir);
    this.reserveRows(saveat.length + 1);
    return this.run(y0, t0, t1, saveat);
  }
}
