/** Options of `solve`. Unknown keys are rejected by `solve` so typos do not pass silently. */
import type { EventSet } from './events.js';
import type { OdeMethod } from './stepper.js';

export interface SolveOptions {
  /** A method name (`DP5`, `Tsit5`, `Rodas4`, `Rodas5P`, `BDF`, `auto`) or a method object. Default `auto`. */
  readonly method?: string | OdeMethod;
  /** Relative tolerance. Default 1e-6. */
  readonly rtol?: number;
  /** Absolute tolerance, scalar or per component. Default 1e-10. */
  readonly atol?: number | ArrayLike<number>;
  /**
   * Output times. A number is an interval (t0, t0 + dt, ..., t1); an array lists the times. Absent: every
   * accepted step (and every event) is saved.
   */
  readonly saveat?: number | ArrayLike<number>;
  /** Times the integrator must land on exactly (discontinuities in the right-hand side). */
  readonly tstops?: ArrayLike<number>;
  readonly events?: EventSet;
  /** Keep the dense output over the whole interval (`solution.at`). Default false. */
  readonly dense?: boolean;
  /** Budget of accepted plus rejected steps. Default 1,000,000. */
  readonly maxSteps?: number;
  readonly h0?: number;
  readonly hmax?: number;
  readonly hmin?: number;
  /** Fixed step size, no error control (for convergence tests). */
  readonly fixedStep?: number;
}

export const SOLVE_OPTION_KEYS: readonly (keyof SolveOptions)[] = [
  'method',
  'rtol',
  'atol',
  'saveat',
  'tstops',
  'events',
  'dense',
  'maxSteps',
  'h0',
  'hmax',
  'hmin',
  'fixedStep',
];
