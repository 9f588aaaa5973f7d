/** Population (mixed-effects) fitting by SAEM with left-censored observations. */
export {
  cohortDistribution,
  type LogNormalDistribution,
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
