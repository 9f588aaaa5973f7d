/**
 * Tsit5: Tsitouras' 5(4) pair (Tsitouras 2011, "Runge-Kutta pairs of order 5(4) satisfying only the first
 * column simplifying assumption", Comput. Math. Appl. 62) with its free interpolant of order 4 and the same
 * PI controller as DP5. Smaller error constants than DP5 at the same cost (6 new f evaluations per step,
 * FSAL).
 */
import type { OdeProblem } from '../problem.js';
import type { StepperOptions } from '../stepper.js';
import { createFsal7Stepper } from './fsal-erk.js';
import type { StiffnessAwareMethod, StiffnessAwareStepper } from './stiffness.js';
import { TSIT5_TABLEAU } from './tableaus.js';

export const Tsit5: StiffnessAwareMethod = Object.freeze({
  name: 'Tsit5',
  order: 5,
  implicit: false,
  create: (problem: OdeProblem, options: StepperOptions): StiffnessAwareStepper =>
    createFsal7Stepper(TSIT5_TABLEAU, problem, options),
});
