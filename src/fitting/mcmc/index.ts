/** Bayesian calibration: Adaptive Metropolis over bounded parameters and convergence diagnostics (docs/fitting.md). */
import { type McmcResult, parameterDraws } from './adaptive-metropolis.js';
import { type DrawSummary, summarizeDraws } from './diagnostics.js';

export {
  type AdaptiveMetropolisOptions,
  adaptiveMetropolis,
  type McmcChain,
  McmcError,
  type McmcResult,
  type McmcTarget,
  parameterDraws,
  type StartDesign,
} from './adaptive-metropolis.js';
export {
  autocovariance,
  DiagnosticsError,
  type DrawSummary,
  essBasic,
  essBulk,
  essMean,
  essQuantile,
  essTail,
  mcseQuantile,
  normalQuantile,
  quantileSorted,
  rankNormalize,
  rhat,
  rhatBasic,
  splitChains,
  summarizeDraws,
} from './diagnostics.js';

export interface McmcSummary {
  readonly parameters: Readonly<Record<string, DrawSummary>>;
  /** Largest R-hat over the parameters (trust the draws when < 1.01). */
  readonly maxRhat: number;
  /** Smallest bulk and tail ESS over the parameters (want > 100 per chain). */
  readonly minEssBulk: number;
  readonly minEssTail: number;
  /** Post-warm-up acceptance per chain (0.23 is optimal for a Gaussian target in high dimension). */
  readonly acceptance: readonly number[];
  /** maxRhat < 1.01 and min ESS (bulk and tail) >= 100 per chain: the thresholds of Vehtari et al. (2021). */
  readonly converged: boolean;
}

/** Diagnostics of every parameter of an MCMC run. */
export function summarizeMcmc(result: McmcResult): McmcSummary {
  const parameters: Record<string, DrawSummary> = {};
  let maxRhat = Number.NEGATIVE_INFINITY;
  let minEssBulk = Number.POSITIVE_INFINITY;
  let minEssTail = Number.POSITIVE_INFINITY;
  result.names.forEach((name, j) => {
    const s = summarizeDraws(parameterDraws(result, j));
    parameters[name] = s;
    // Math.max/min propagate NaN (a non-finite draw), which then fails the convergence check.
    maxRhat = Math.max(maxRhat, s.rhat);
    minEssBulk = Math.min(minEssBulk, s.essBulk);
    minEssTail = Math.min(minEssTail, s.essTail);
  });
  const need = 100 * result.chains.length;
  return {
    parameters,
    maxRhat,
    minEssBulk,
    minEssTail,
    acceptance: result.chains.map((c) => c.acceptance),
    converged: maxRhat < 1.01 && minEssBulk >= need && minEssTail >= need,
  };
}
