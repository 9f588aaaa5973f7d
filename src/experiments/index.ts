/** Virtual experiments (VE-*) on the niche model and the validation runner (docs/experiments.md). */
export * from './evaluate.js';
export * from './penalty.js';
export * from './registry.js';
export type * from './types.js';
export { DIRECTION_EPS } from './types.js';
