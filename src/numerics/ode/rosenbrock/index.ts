/** Rosenbrock-Wanner methods (linearly implicit, L-stable, stiffly accurate) as `OdeMethod`s. */
import type { OdeMethod } from '../stepper.js';
import { rosenbrockMethod } from './rosenbrock.js';
import { RODAS4_TABLEAU, RODAS5P_TABLEAU } from './tableaus.js';

export { createRosenbrockStepper, rosenbrockMethod } from './rosenbrock.js';
export { RODAS4_TABLEAU, RODAS5P_TABLEAU, type RosenbrockTableau } from './tableaus.js';

/** RODAS, order 4(3) with 3rd-order dense output (Hairer & Wanner, Solving ODEs II, sec. VI.4). */
export const Rodas4: OdeMethod = rosenbrockMethod(RODAS4_TABLEAU);

/** Rodas5P, order 5(4) with 4th-order dense output (Steinebach, BIT 2023). */
export const Rodas5P: OdeMethod = rosenbrockMethod(RODAS5P_TABLEAU);
