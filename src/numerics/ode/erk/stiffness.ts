/**
 * Stiffness detection for explicit Runge-Kutta pairs whose last two stages are both at t + h (c6 = c7 = 1),
 * after Hairer's DOPRI5 (Hairer & Wanner, Solving ODEs II, sec. IV.2, "Automatic stiffness detection"):
 *
 *   h * |lambda| ~ h * ||k7 - k6|| / ||y1 - g6||,
 *
 * where g6 is the argument of stage 6 and y1 = g7 the new solution. Both stages are at the same time, so the
 * quotient is a Rayleigh-like estimate of the dominant eigenvalue of the Jacobian along y1 - g6, at no extra
 * cost. When the estimate exceeds (a little less than) the real stability boundary of the method on
 * `STIFF_DETECTIONS` accepted steps, with fewer than `NONSTIFF_RESET` consecutive non-stiff steps in between,
 * the problem is declared stiff (Hairer's counters IASTI and NONSTI).
 */
import type { OdeProblem } from '../problem.js';
import type { OdeMethod, Stepper, StepperOptions } from '../stepper.js';

/** Number of detections before a problem is declared stiff (DOPRI5: 15). */
export const STIFF_DETECTIONS = 15;
/** Consecutive non-stiff steps that clear the detection count (DOPRI5: 6). */
export const NONSTIFF_RESET = 6;

/** A stepper of an explicit method that reports the stiffness estimate of its last step. */
export interface StiffnessAwareStepper extends Stepper {
  /** Threshold for h * |lambda| (a little inside the method's real stability interval). */
  readonly stiffnessBound: number;
  /** Estimate of h * |lambda| at the last accepted step (NaN before the first estimate). */
  readonly hLambda: number;
  /** hLambda / stiffnessBound: above 1 means the step size is limited by stability, not accuracy. */
  readonly stiffnessRatio: number;
  /** Hairer's detection count (IASTI): steps with hLambda > stiffnessBound, cleared by non-stiff runs. */
  readonly stiffDetections: number;
  /** True once the detection count has reached `STIFF_DETECTIONS`; cleared by `reset`. */
  isStiff(): boolean;
}

/** A method whose steppers are `StiffnessAwareStepper`s. */
export interface StiffnessAwareMethod extends OdeMethod {
  create(problem: OdeProblem, options: StepperOptions): StiffnessAwareStepper;
}

export function isStiffnessAware(s: Stepper): s is StiffnessAwareStepper {
  return typeof (s as Partial<StiffnessAwareStepper>).isStiff === 'function';
}

/** Hairer's detection counters (IASTI, NONSTI). */
export class StiffnessCounter {
  detections = 0;
  nonStiffRun = 0;

  /** Record one accepted step; returns true when the count says stiff. */
  record(stiff: boolean): boolean {
    if (stiff) {
      this.nonStiffRun = 0;
      this.detections++;
    } else {
      this.nonStiffRun++;
      if (this.nonStiffRun >= NONSTIFF_RESET) this.detections = 0;
    }
    return this.detections >= STIFF_DETECTIONS;
  }

  isStiff(): boolean {
    return this.detections >= STIFF_DETECTIONS;
  }

  reset(): void {
    this.detections = 0;
    this.nonStiffRun = 0;
  }
}
