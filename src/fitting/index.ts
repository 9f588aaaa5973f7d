/**
 * Fitting: data with censoring, likelihoods, local (Levenberg-Marquardt, Nelder-Mead) and global (multistart,
 * CMA-ES) optimisers, profiles and identifiability, MCMC, population fits, global sensitivity (docs/fitting.md).
 */

export {
  type BiexponentialFit,
  type BiexponentialOptions,
  biexpLog10,
  fitBiexponential,
  hasBothPhases,
} from './biexponential.js';
export {
  type CmaesOptions,
  type CmaesResult,
  cmaes,
} from './cmaes.js';
export {
  type CsvSeriesSpec,
  FittingDataError,
  type Observation,
  parseSeriesCsv,
  type Series,
  window,
} from './data.js';
export { type FitOptions, type FitProblem, type FitResult, fitParameters, type StartSummary } from './fit.js';
export { type MorrisDesign, type MorrisIndices, morrisDesign, morrisIndices } from './gsa/morris.js';
export {
  GsaError,
  type GsaSpec,
  type SobolDesign,
  type SobolIndices,
  type SobolOptions,
  sobolDesign,
  sobolIndices,
  sobolRow,
} from './gsa/sobol.js';
export {
  type AnalyticIndices,
  ishigami,
  ishigamiIndices,
  ishigamiSpec,
  sobolG,
  sobolGIndices,
  sobolGSpec,
} from './gsa/test-functions.js';
export {
  type IdentifiabilityOptions,
  type IdentifiabilityReport,
  identifiability,
} from './identifiability.js';
export {
  type LeastSquaresOptions,
  type LeastSquaresProblem,
  type LeastSquaresResult,
  type LeastSquaresWorkspace,
  leastSquares,
  leastSquaresWorkspace,
} from './least-squares.js';
export { type LatinHypercubeOptions, latinHypercube } from './lhs.js';
export {
  type AdaptiveMetropolisOptions,
  adaptiveMetropolis,
  type DrawSummary,
  McmcError,
  type McmcResult,
  type McmcSummary,
  summarizeDraws,
  summarizeMcmc,
} from './mcmc/index.js';
export {
  type BayesFitOptions,
  type BayesFitResult,
  bayesFit,
  DEFAULT_SIGMA_RANGE,
  type PosteriorBands,
  type QuantileBand,
} from './model-bayes.js';
export {
  FIT_ODE_DEFAULTS,
  ModelFitError,
  ModelFitProblem,
  type ModelFitSetup,
  millsRatio,
  type OdeSettings,
  type SigmaMode,
} from './model-fit.js';
export { type BayesRunOptions, fitBayes, type ModelBayesResult } from './model-fit-bayes.js';
export {
  fitPopulation,
  type ModelPopulationResult,
  type PopulationRunOptions,
} from './model-fit-population.js';
export {
  fitModel,
  fitProblem,
  type IdentifiabilitySummary,
  type LocalMethod,
  type ModelFitOptions,
  type ModelFitResult,
  type ProfileSummary,
  type StartRow,
  type SubjectFit,
} from './model-fit-run.js';
export { parseTie, tieParameters } from './model-fit-tie.js';
export {
  CORE_FIT_NAMES,
  type CoreFit,
  coreFitOf,
  coreFitYaml,
  type PopulationFitOptions,
  type PopulationFitResult,
  populationFit,
  populationModel,
} from './model-population.js';
export {
  type LocalResult,
  type MultistartOptions,
  type MultistartResult,
  multistart,
} from './multistart.js';
export { type NelderMeadOptions, type NelderMeadResult, nelderMead } from './nelder-mead.js';
export {
  type Binding,
  bindKeys,
  kbParameterSpec,
  kbWithValues,
  NicheSubject,
  overridesFor,
  type SubjectOptions,
} from './niche.js';
export {
  binnedMedian,
  type CalibrationEvaluation,
  median,
  NicheCalibration,
  type NicheCalibrationSetup,
} from './niche-calibration.js';
export {
  type Log10ErrorModel,
  logNormalCdf,
  pointNll,
  type Residual,
  residualSummary,
  seriesNll,
  seriesResiduals,
} from './objective.js';
export * from './population/index.js';
export {
  chiSquare1Quantile,
  nelderMeadRefit,
  type ParameterProfile,
  type ProfileOptions,
  type ProfilePoint,
  type ProfileProblem,
  profileLikelihood,
} from './profile.js';
export { localSensitivity, type SensitivityEntry } from './sensitivity.js';
export {
  checkSpec,
  defaultInitial,
  fromUnbounded,
  fromUnit,
  type ParameterSpec,
  ParameterSpecError,
  toUnbounded,
  toUnit,
} from './transform.js';
