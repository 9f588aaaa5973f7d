/** Clinical read-outs as pure functions: molecular response, ELN 2020 milestones, phase, TFR eligibility. */
export * from './bcr-abl.js';
export * from './definitions.js';
export * from './eln2020.js';
export * from './kinetics.js';
export * from './molecular-response.js';
export * from './phase.js';
export * from './tfr.js';
