/** The result of a solve: saved points, optional dense output over the whole interval, statistics, return code. */
import type { ReturnCode } from './return-code.js';
import type { SolverStats } from './stats.js';
import type { DenseSegment } from './stepper.js';

export interface OdeSolution {
  /** Number of state components. */
  readonly n: number;
  /** Saved times, increasing in the direction of integration. */
  readonly t: Float64Array;
  /** Saved states, row-major: state i at t[i] is u[i*n .. i*n + n). */
  readonly u: Float64Array;
  readonly retcode: ReturnCode;
  /** Human-readable reason for a failure (empty on success). */
  readonly message: string;
  /** Method that produced the solution (for `auto`, the methods it used, e.g. `auto(DP5,Rodas5P)`). */
  readonly method: string;
  readonly stats: SolverStats;
  /** Last time reached (the final time on success, the failure time otherwise). */
  readonly tEnd: number;
  /** Times at which events fired. */
  readonly eventTimes: Float64Array;
  /** State i as a fresh array. */
  state(i: number): Float64Array;
  /** Component j over all saved times, as a fresh array. */
  component(j: number): Float64Array;
  /**
   * Dense output: y(tq) anywhere in the solved interval. Only when solved with `dense: true`;
   * otherwise throws. At an event time it returns the state after the event.
   */
  at(tq: number, out?: Float64Array): Float64Array;
  /** The dense segments (empty without `dense: true`). */
  readonly segments: readonly DenseSegment[];
}
