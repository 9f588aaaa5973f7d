/** Explicit Runge-Kutta methods (non-stiff): DP5 and Tsit5, with stiffness detection. */
export { DP5 } from './dp5.js';
export { createFsal7Stepper } from './fsal-erk.js';
export {
  isStiffnessAware,
  NONSTIFF_RESET,
  STIFF_DETECTIONS,
  type StiffnessAwareMethod,
  type StiffnessAwareStepper,
  StiffnessCounter,
} from './stiffness.js';
export { DP5_TABLEAU, type Fsal7Tableau, TSIT5_TABLEAU } from './tableaus.js';
export { Tsit5 } from './tsit5.js';
