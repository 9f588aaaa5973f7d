/** Population (mixed-effects) fitting by SAEM with left-censored observations. */
export { type LogLinearOutput, type LogNormalDistribution, mapLogNormal } from './log-normal.js';
export {
  cohortDistribution,
  type ParameterTransform,
  type PopulationModel,
  SaemError,
  type SaemIteration,
  type SaemOptions,
  type SaemResult,
  type SaemStandardErrors,
  type SubjectEstimate,
  saem,
} from './saem.js';
export { normalBelow, standardNormalAbove, standardNormalBelowMoments } from './truncated-normal.js';
