/**
 * Bayesian calibration of a compiled model to longitudinal data: the posterior of the fitted parameters (and of
 * the residual sd when it is estimated) by Adaptive Metropolis (mcmc/adaptive-metropolis.ts), its diagnostics
 * (R-hat, bulk/tail ESS, MCSE; Vehtari et al. 2021, Bayesian Anal. 16:667), and posterior bands of the model
 * curve on a fine time grid.
 *
 * Likelihood. The log10-normal error model with Tobit censoring of objective.ts, evaluated by ModelFitProblem
 * (model-fit.ts): the full NLL sum_measured (z^2/2 + ln sigma + ln(2 pi)/2) - sum_censored log Phi(z) on the
 * log10 scale, z = (log10 y_obs - log10 y_model)/sigma. The ln sigma terms matter when sigma is sampled.
 *
 * Prior (the default, and the only one here). Independent and flat on each parameter's range: uniform on
 * [lo, hi] for 'linear' specs, log-uniform (density proportional to 1/x) on [lo, hi] for 'log' specs. With
 * sigma: 'estimate', sigma is one more parameter named 'sigma' with a log-uniform prior on `sigmaRange` (default
 * [0.01, 3] log10 units: from assay repeatability far below PCR noise to three decades). A proper prior on a
 * bounded box, so the posterior is proper whatever the data; the ranges must be set wide enough not to truncate
 * it (look at the summary's quantiles against the ranges).
 *
 * Bands. From a thinned subset of the pooled draws (evenly spaced, `trajectoryQuantiles` of them) the model curve
 * is solved on `gridPoints` times spanning the data; per time the 2.5/50/97.5 % quantiles of the curve (the
 * credible band of the mean) and of the curve with one draw of the log10-normal observation noise (the posterior
 * predictive band, what a new measurement would show; noise from the keyed stream (seed, 'bayes-predictive')).
 */
import { standardNormal, streamFor } from '../numerics/random/index.js';
import type { Series } from './data.js';
import {
  adaptiveMetropolis,
  type McmcResult,
  type McmcSummary,
  quantileSorted,
  type StartDesign,
  summarizeMcmc,
} from './mcmc/index.js';
import { ModelFitError, ModelFitProblem, type ModelFitSetup, type SigmaMode } from './model-fit.js';
import type { ParameterSpec } from './transform.js';

const HALF_LN_2PI = 0.5 * Math.log(2 * Math.PI);

/** Default range of the log-uniform prior on sigma (log10 units). */
export const DEFAULT_SIGMA_RANGE: readonly [number, number] = [0.01, 3];

export interface BayesFitOptions {
  readonly seed: number;
  /** Chains (default 4). */
  readonly chains?: number;
  /** Warm-up iterations per chain (default 1000). */
  readonly warmup?: number;
  /** Kept draws per chain (default 1000). */
  readonly draws?: number;
  /** Keep every thin-th post-warm-up iteration (default 1). */
  readonly thin?: number;
  /** A fixed residual sd on log10, or 'estimate' (sampled, log-uniform prior on sigmaRange). */
  readonly sigma: SigmaMode;
  /** Range of sigma's log-uniform prior (default DEFAULT_SIGMA_RANGE). */
  readonly sigmaRange?: readonly [number, number];
  /** Posterior draws used for the bands (default 200; 0: no bands). */
  readonly trajectoryQuantiles?: number;
  /** Times of the band grid (default 100). */
  readonly gridPoints?: number;
  /** Chain starts (adaptiveMetropolis's `start`; default 'spread' over the ranges). */
  readonly start?: StartDesign | readonly (readonly number[] | Float64Array)[];
}

/** Quantiles per grid time. */
export interface QuantileBand {
  readonly q025: Float64Array;
  readonly q50: Float64Array;
  readonly q975: Float64Array;
}

export interface PosteriorBands {
  /** Grid times in data units. */
  readonly t: Float64Array;
  /** Quantiles of the model curve (observable times observableScale). */
  readonly curve: QuantileBand;
  /** Quantiles of the curve times 10^(sigma N(0, 1)): the posterior predictive of a new measurement. */
  readonly predictive: QuantileBand;
  /** Draws whose curve was solved, and draws whose solve failed (left out). */
  readonly used: number;
  readonly failed: number;
}

export interface BayesFitResult {
  /** Sampled parameters: the specs' names, then 'sigma' when estimated. */
  readonly names: readonly string[];
  /** The prior in words. */
  readonly prior: string;
  /** The fixed sigma, or 'estimate'. */
  readonly sigma: SigmaMode;
  readonly mcmc: McmcResult;
  /** summarizeMcmc: mean, sd, MCSE, quantiles, R-hat and ESS per parameter (incl. sigma). */
  readonly summary: McmcSummary;
  /** Pooled kept draws, chain after chain, row-major (draw i, parameter j at i * names.length + j). */
  readonly draws: Float64Array;
  /** Post-warm-up acceptance per chain. */
  readonly acceptance: readonly number[];
  /** summary.converged: max R-hat < 1.01 and bulk/tail ESS >= 100 per chain. */
  readonly converged: boolean;
  readonly bands?: PosteriorBands;
  /** The kept draw with the smallest full NLL (natural values by name, incl. sigma) and that NLL. */
  readonly best: { readonly x: Readonly<Record<string, number>>; readonly nll: number };
  /** Model solves (likelihood evaluations and bands). */
  readonly solves: number;
}

function positiveInteger(name: string, v: number | undefined, dflt: number, min = 1): number {
  const x = v ?? dflt;
  if (!Number.isInteger(x) || x < min)
    throw new ModelFitError(`bayesFit: option '${name}': expected an integer >= ${min}, got ${v}`);
  return x;
}

/**
 * Posterior of a model's parameters given the series (one subject, or several pooled under one parameter set),
 * sampled by Adaptive Metropolis under the flat range prior (see the module comment).
 */
export function bayesFit(
  setup: ModelFitSetup,
  series: readonly Series[],
  options: BayesFitOptions,
): BayesFitResult {
  if (series.length === 0) throw new ModelFitError('bayesFit: no series to fit');
  const sigmaMode = options.sigma;
  if (
    sigmaMode !== 'estimate' &&
    !(typeof sigmaMode === 'number' && sigmaMode > 0 && Number.isFinite(sigmaMode))
  )
    throw new ModelFitError(
      `bayesFit: option 'sigma': expected a positive number or 'estimate', got ${String(sigmaMode)}`,
    );
  const estimate = sigmaMode === 'estimate';
  const sigmaRange = options.sigmaRange ?? DEFAULT_SIGMA_RANGE;
  if (estimate && !(sigmaRange[0] > 0 && sigmaRange[1] > sigmaRange[0] && Number.isFinite(sigmaRange[1])))
    throw new ModelFitError(
      `bayesFit: option 'sigmaRange': expected 0 < lo < hi, got [${sigmaRange[0]}, ${sigmaRange[1]}]`,
    );
  const M = positiveInteger('trajectoryQuantiles', options.trajectoryQuantiles, 200, 0);
  const G = positiveInteger('gridPoints', options.gridPoints, 100, 2);
  // Only the likelihood is needed: skip the forward-sensitivity set-up of the least-squares path.
  const problem = new ModelFitProblem({ ...setup, jacobian: 'finite-difference' }, series);
  const n = problem.n;
  if (estimate && problem.names.includes('sigma'))
    throw new ModelFitError(
      "bayesFit: a fitted model parameter is named 'sigma', the name of the sampled residual sd: rename it",
    );
  const specs: ParameterSpec[] = [...setup.parameters];
  if (estimate) specs.push({ name: 'sigma', lo: sigmaRange[0], hi: sigmaRange[1], scale: 'log' });
  const d = specs.length;
  const measured = problem.measured;
  const theta = new Float64Array(n);

  // Full NLL (constants included, so sampled sigma gets its ln sigma terms); NaN (failed solve) rejects.
  const negLogLikelihood = (x: Float64Array): number => {
    for (let j = 0; j < n; j++) theta[j] = x[j];
    const sigma = estimate ? x[n] : (sigmaMode as number);
    const half = problem.objective(theta, sigma);
    return half + measured * (Math.log(sigma) + HALF_LN_2PI);
  };

  const mcmc = adaptiveMetropolis(
    { parameters: specs, negLogLikelihood },
    {
      seed: options.seed,
      ...(options.chains !== undefined ? { chains: options.chains } : {}),
      ...(options.warmup !== undefined ? { warmup: options.warmup } : {}),
      ...(options.draws !== undefined ? { draws: options.draws } : {}),
      ...(options.thin !== undefined ? { thin: options.thin } : {}),
      ...(options.start !== undefined ? { start: options.start } : {}),
    },
  );
  const summary = summarizeMcmc(mcmc);
  const perChain = mcmc.draws;
  const total = perChain * mcmc.chains.length;
  const draws = new Float64Array(total * d);
  let bestLl = Number.NEGATIVE_INFINITY;
  let bestAt = 0;
  mcmc.chains.forEach((ch, c) => {
    draws.set(ch.samples, c * perChain * d);
    for (let i = 0; i < perChain; i++)
      if (ch.logLikelihood[i] > bestLl) {
        bestLl = ch.logLikelihood[i];
        bestAt = c * perChain + i;
      }
  });
  const best: Record<string, number> = {};
  specs.forEach((s, j) => {
    best[s.name] = draws[bestAt * d + j];
  });

  const bands =
    M > 0
      ? posteriorBands(problem, draws, d, total, estimate ? n : -1, sigmaMode, M, G, options.seed)
      : undefined;
  const words = specs.map((s) =>
    s.scale === 'log' ? `${s.name} ~ log-uniform[${s.lo}, ${s.hi}]` : `${s.name} ~ uniform[${s.lo}, ${s.hi}]`,
  );
  return {
    names: specs.map((s) => s.name),
    prior: `independent: ${words.join('; ')}`,
    sigma: sigmaMode,
    mcmc,
    summary,
    draws,
    acceptance: summary.acceptance,
    converged: summary.converged,
    ...(bands ? { bands } : {}),
    best: { x: best, nll: -bestLl },
    solves: problem.solves,
  };
}

/** Curve and predictive quantiles over M evenly spaced draws on a G-point grid spanning the data. */
function posteriorBands(
  problem: ModelFitProblem,
  draws: Float64Array,
  d: number,
  total: number,
  sigmaCol: number,
  sigmaMode: SigmaMode,
  M: number,
  G: number,
  seed: number,
): PosteriorBands {
  const setup = problem.setup;
  const ts = setup.timeScale ?? 1;
  const to = setup.timeOffset ?? 0;
  const tStart = setup.tStart ?? 0;
  let d0 = Number.POSITIVE_INFINITY;
  let d1 = Number.NEGATIVE_INFINITY;
  for (const s of problem.series) {
    d0 = Math.min(d0, s.observations[0].t);
    d1 = Math.max(d1, s.observations[s.observations.length - 1].t);
  }
  d0 = Math.max(d0, (tStart - to) / ts);
  if (!(d1 > d0)) d1 = d0 + 1;
  const t = new Float64Array(G);
  const modelT = new Float64Array(G);
  for (let k = 0; k < G; k++) {
    t[k] = d0 + ((d1 - d0) * k) / (G - 1);
    modelT[k] = Math.max(tStart, to + ts * t[k]);
  }
  const m = Math.min(M, total);
  const curves = new Float64Array(m * G);
  const noisy = new Float64Array(m * G);
  const x = new Float64Array(problem.n);
  const noise = streamFor(seed, ['purpose', 'bayes-predictive']);
  let used = 0;
  let failed = 0;
  for (let k = 0; k < m; k++) {
    const i = Math.min(total - 1, Math.floor(((k + 0.5) * total) / m));
    for (let j = 0; j < problem.n; j++) x[j] = draws[i * d + j];
    const sigma = sigmaCol >= 0 ? draws[i * d + sigmaCol] : (sigmaMode as number);
    const y = problem.simulate(x, modelT);
    // One noise draw per grid point whatever the outcome, so later draws do not shift with a failure.
    for (let g = 0; g < G; g++) {
      const e = standardNormal(noise);
      if (y) noisy[used * G + g] = y[g] * 10 ** (sigma * e);
    }
    if (!y) {
      failed++;
      continue;
    }
    curves.set(y, used * G);
    used++;
  }
  const col = new Float64Array(used);
  const quantiles = (src: Float64Array): QuantileBand => {
    const band = { q025: new Float64Array(G), q50: new Float64Array(G), q975: new Float64Array(G) };
    if (used === 0) {
      band.q025.fill(Number.NaN);
      band.q50.fill(Number.NaN);
      band.q975.fill(Number.NaN);
      return band;
    }
    for (let g = 0; g < G; g++) {
      for (let k = 0; k < used; k++) col[k] = src[k * G + g];
      col.sort();
      band.q025[g] = quantileSorted(col, 0.025);
      band.q50[g] = quantileSorted(col, 0.5);
      band.q975[g] = quantileSorted(col, 0.975);
    }
    return band;
  };
  return { t, curve: quantiles(curves), predictive: quantiles(noisy), used, failed };
}
