/** A tiny integration loop for driving steppers directly in tests (the real driver is `solve`). */

import type { OdeProblem } from '../../../../src/numerics/ode/problem.js';
import { emptyStats, type SolverStats } from '../../../../src/numerics/ode/stats.js';
import type { OdeMethod, Stepper, StepStatus } from '../../../../src/numerics/ode/stepper.js';

export interface DriveOptions {
  rtol?: number;
  atol?: number | Float64Array;
  fixedStep?: number;
  h0?: number;
  hmin?: number;
  hmax?: number;
  maxSteps?: number;
  /** Called after every accepted step. */
  onStep?: (stepper: Stepper) => void;
}

export interface DriveResult {
  stepper: Stepper;
  stats: SolverStats;
  status: StepStatus | 'MaxIters';
  y: Float64Array;
  t: number;
}

export function makeStepper(method: OdeMethod, problem: OdeProblem, o: DriveOptions = {}) {
  const stats = emptyStats();
  const stepper = method.create(problem, {
    rtol: o.rtol ?? 1e-6,
    atol: o.atol ?? 1e-10,
    hmax: o.hmax ?? Number.POSITIVE_INFINITY,
    hmin: o.hmin ?? 0,
    stats,
    h0: o.h0,
    fixedStep: o.fixedStep,
  });
  return { stepper, stats };
}

/** Step from tspan[0] to tEnd (default tspan[1]) with tLimit = tEnd. */
export function drive(
  method: OdeMethod,
  problem: OdeProblem,
  o: DriveOptions = {},
  tEnd?: number,
): DriveResult {
  const { stepper, stats } = makeStepper(method, problem, o);
  const tf = tEnd ?? problem.tspan[1];
  const maxSteps = o.maxSteps ?? 1_000_000;
  let status: StepStatus | 'MaxIters' = 'ok';
  while (stepper.t !== tf) {
    if (stats.steps >= maxSteps) {
      status = 'MaxIters';
      break;
    }
    status = stepper.step(tf);
    if (status !== 'ok') break;
    o.onStep?.(stepper);
  }
  return { stepper, stats, status, y: Float64Array.from(stepper.y), t: stepper.t };
}
