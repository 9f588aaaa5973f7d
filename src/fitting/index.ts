/** Fitting: longitudinal data with censoring, log10 error model, bounded multi-start Nelder-Mead (docs/calibration.md). */

export {
  type BiexponentialFit,
  type BiexponentialOptions,
  biexpLog10,
  fitBiexponential,
  hasBothPhases,
} from './biexponential.js';
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
  FIT_ODE_DEFAULTS,
  ModelFitError,
  ModelFitProblem,
  type ModelFitSetup,
  millsRatio,
  type OdeSettings,
  type SigmaMode,
} from './model-fit.js';
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
