/** TKI therapy: schedules, pharmacokinetics, pharmacodynamics, variability, exposure summaries and rules. See docs/therapy.md. */
export * from './exposure.js';
export * from './pd.js';
export * from './pk.js';
export * from './pk-params.js';
export * from './rules.js';
export * from './schedule.js';
export * from './steady-state.js';
export * from './variability.js';
