/** Virtual cohorts: patients drawn from parameter distributions, a program compiled once, one outcome row each. */

export * from './km.js';
export * from './outcome.js';
export * from './population.js';
export * from './program.js';
export * from './rates.js';
export * from './summary.js';
export * from './validation.js';
