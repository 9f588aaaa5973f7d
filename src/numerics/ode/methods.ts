/** The methods `solve` knows by name. */
import type { OdeMethod } from './stepper.js';

const METHODS: ReadonlyMap<string, OdeMethod> = new Map<string, OdeMethod>([]);

export const METHOD_NAMES: readonly string[] = [...METHODS.keys()];

/** Look a method up by name (case-insensitive); throws listing the known names. */
export function getMethod(name: string): OdeMethod {
  for (const [key, method] of METHODS) if (key.toLowerCase() === name.toLowerCase()) return method;
  throw new Error(`unknown ODE method '${name}'; expected one of: ${METHOD_NAMES.join(', ')}`);
}
