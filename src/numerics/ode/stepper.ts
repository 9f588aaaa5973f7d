/**
 * The contract between the integration driver (`solve`) and a method family.
 *
 * A stepper owns the step-size control and the dense output of one method. The driver owns everything
 * that is not method-specific: output times, time stops, events and return codes. A stepper allocates
 * every buffer in its factory; `step` and `interpolate` allocate nothing.
 */
import type { OdeProblem } from './problem.js';
import type { SolverStats } from './stats.js';

/** Per-component error weights: |err_i| <= atol_i + rtol * |y_i|. */
export interface Tolerances {
  readonly rtol: number;
  /** A scalar, or one value per component. */
  readonly atol: number | Float64Array;
}

export interface StepperOptions extends Tolerances {
  /** First step size to try; chosen automatically when absent. */
  readonly h0?: number;
  /** Largest step size allowed (absolute value). */
  readonly hmax: number;
  /** Smallest step size allowed before giving up with `DtLessThanMin`. */
  readonly hmin: number;
  /** Shared counters; the stepper increments them. */
  readonly stats: SolverStats;
  /**
   * Fixed step size: no error control, every step is exactly this long (the last one before a `tLimit` is
   * shortened). For convergence-order tests; adaptive when absent.
   */
  readonly fixedStep?: number;
}

/** A self-contained piece of dense output over [t0, t1], independent of the stepper's later state. */
export interface DenseSegment {
  readonly t0: number;
  readonly t1: number;
  evaluate(tq: number, out: Float64Array): void;
}

/** Result of one call of `step`. */
export type StepStatus = 'ok' | 'DtLessThanMin' | 'ConvergenceFailure' | 'Unstable';

export interface Stepper {
  /** Method name as in the literature (e.g. `DP5`, `Rodas5P`, `BDF`). */
  readonly method: string;
  /** Current time: the end of the last accepted step. */
  readonly t: number;
  /** Start of the last accepted step (equal to `t` before the first step and after `reset`). */
  readonly tPrev: number;
  /** Current state. The driver may read it; it must write through `reset` only. */
  readonly y: Float64Array;
  /**
   * Take one accepted step forward, ending at or before `tLimit` (in the direction of integration).
   * When the step would pass `tLimit` it is shortened to land on `tLimit` exactly (bit-for-bit), so that
   * time stops and discontinuities are never stepped over. Retries rejected steps internally.
   */
  step(tLimit: number): StepStatus;
  /** Dense output: write y(tq) for tq in [tPrev, t] into `out`, with the method's interpolant. */
  interpolate(tq: number, out: Float64Array): void;
  /**
   * Snapshot of the last step's interpolant, for solutions that keep dense output over the whole interval.
   * May allocate: it is called only when the user asks for dense output.
   */
  denseSegment(): DenseSegment;
  /** Restart cleanly at (t, y), e.g. after an event changed the state: history and FSAL values are dropped. */
  reset(t: number, y: Float64Array): void;
  /**
   * Optional: return to exactly the state `create` leaves for a problem with initial value (t0, y0) and end
   * time tEnd, with largest step `hmax` (every other option as at creation), so that a prepared solver
   * (prepared.ts) can reuse the stepper and its buffers for many solves. Unlike `reset`, it also forgets what
   * the stepper carries across restarts (the first-step option, step counts, stiffness state). Allocates
   * nothing. Must leave bit-for-bit the same trajectory as a freshly created stepper.
   */
  reinit?(t0: number, y0: Float64Array, tEnd: number, hmax: number): void;
}

/** A method family: builds a stepper for one problem. */
export interface OdeMethod {
  readonly name: string;
  /** Classical order of the propagated solution. */
  readonly order: number;
  /** True for methods that solve linear systems with the Jacobian. */
  readonly implicit: boolean;
  create(problem: OdeProblem, options: StepperOptions): Stepper;
}
