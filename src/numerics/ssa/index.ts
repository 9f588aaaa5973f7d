/** Exact stochastic simulation (direct and next-reaction methods) and ensemble statistics. See docs/stochastic.md. */
export { type DependencyGraph, dependencyGraph } from './dependency-graph.js';
export { DirectMethod, type DirectOptions } from './direct.js';
export { EnsembleStats } from './ensemble.js';
export { NextReactionMethod, type NextReactionOptions } from './next-reaction.js';
export { IndexedMinHeap } from './priority-queue.js';
export {
  type JumpProblem,
  type JumpProblemSpec,
  jumpProblem,
  type Propensity,
  type PropensityInto,
  propensityIntoOf,
  type SsaEngine,
} from './problem.js';
export { inferReactants, TauLeaping, type TauLeapOptions, type TauLeapStats } from './tau-leap.js';
