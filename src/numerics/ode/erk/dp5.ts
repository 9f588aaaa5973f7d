/**
 * DP5: the Dormand-Prince 5(4) pair (Dormand & Prince 1980) with Hairer's PI step-size control and the
 * continuous extension of order 4 used by DOPRI5 (Hairer, Norsett & Wanner, Solving ODEs I, sec. II.4-II.6).
 * FSAL: 6 new f evaluations per step. Its steppers also detect stiffness (`StiffnessAwareStepper`).
 */
import type { OdeProblem } from '../problem.js';
import type { StepperOptions } from '../stepper.js';
import { createFsal7Stepper } from './fsal-erk.js';
import type { StiffnessAwareMethod, StiffnessAwareStepper } from './stiffness.js';
import { DP5_TABLEAU } from './tableaus.js';

export const DP5: StiffnessAwareMethod = Object.freeze({
  name: 'DP5',
  order: 5,
  implicit: false,
  create: (problem: OdeProblem, options: StepperOptions): StiffnessAwareStepper =>
    createFsal7Stepper(DP5_TABLEAU, problem, options),
});
