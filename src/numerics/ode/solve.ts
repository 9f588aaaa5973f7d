/** solve(problem, options): the one entry point of the ODE engine. */
import type { OdeProblem } from './problem.js';
import type { SolveOptions } from './solve-options.js';
import type { OdeSolution } from './solution.js';

export function solve(_problem: OdeProblem, _options: SolveOptions = {}): OdeSolution {
  throw new Error('solve: not implemented yet (being written)');
}
