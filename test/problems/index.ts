/** The standard test problems: stiff benchmarks with published references, and closed-form problems. */
import { doseDecay, linear, linear2x2, logistic } from './analytic.js';
import { hires } from './hires.js';
import { orego } from './orego.js';
import { pollution } from './pollution.js';
import { rober } from './rober.js';
import type { TestProblem } from './types.js';
import { vdpol } from './vdpol.js';

export type { ReferenceSolution, TestProblem } from './types.js';
export { mixedError, toOdeProblem } from './types.js';
export { doseDecay, hires, linear, linear2x2, logistic, orego, pollution, rober, vdpol };

/** Stiff benchmark problems with reference values from the Bari test set (order: small to large). */
export const STIFF_PROBLEMS: readonly TestProblem[] = [rober, vdpol, orego, hires, pollution];

/** Problems with closed-form solutions. */
export const ANALYTIC_PROBLEMS: readonly TestProblem[] = [linear, linear2x2, logistic, doseDecay];

export const ALL_PROBLEMS: readonly TestProblem[] = [...STIFF_PROBLEMS, ...ANALYTIC_PROBLEMS];

/** Look a problem up by its key (case-insensitive). */
export function getProblem(name: string): TestProblem {
  const p = ALL_PROBLEMS.find((q) => q.name.toLowerCase() === name.toLowerCase());
  if (!p)
    throw new Error(
      `unknown test problem '${name}'; expected one of: ${ALL_PROBLEMS.map((q) => q.name).join(', ')}`,
    );
  return p;
}
