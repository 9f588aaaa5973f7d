/** The methods `solve` knows by name. */
import { createAutoMethod } from './auto/index.js';
import { BDF } from './bdf/index.js';
import { DP5, Tsit5 } from './erk/index.js';
import { Rodas4, Rodas5P } from './rosenbrock/index.js';
import type { OdeMethod } from './stepper.js';

/**
 * `auto` starts with Tsit5 and switches to Rodas5P when the problem turns stiff (and back when it does not),
 * in the manner of LSODA: the right default when nobody knows in advance whether a model is stiff.
 */
export const Auto: OdeMethod = createAutoMethod(Tsit5, Rodas5P);

const METHODS: ReadonlyMap<string, OdeMethod> = new Map<string, OdeMethod>([
  ['auto', Auto],
  ['DP5', DP5],
  ['Tsit5', Tsit5],
  ['Rodas4', Rodas4],
  ['Rodas5P', Rodas5P],
  ['BDF', BDF],
]);

export const METHOD_NAMES: readonly string[] = [...METHODS.keys()];

/** Names of the methods meant for stiff problems. */
export const STIFF_METHOD_NAMES: readonly string[] = ['Rodas4', 'Rodas5P', 'BDF'];

/** Look a method up by name (case-insensitive); throws listing the known names. */
export function getMethod(name: string): OdeMethod {
  for (const [key, method] of METHODS) if (key.toLowerCase() === name.toLowerCase()) return method;
  throw new Error(`unknown ODE method '${name}'; expected one of: ${METHOD_NAMES.join(', ')}`);
}
