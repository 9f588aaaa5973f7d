/**
 * `exoniche fit --bayes`: the posterior of every subject (or of the pooled series) by bayesFit (model-bayes.ts,
 * Adaptive Metropolis under the flat range prior), reduced to what a user reads: per parameter the posterior mean,
 * sd, 95 % credible interval (2.5 and 97.5 % quantiles), R-hat and bulk/tail ESS, warnings where the draws are not
 * to be trusted (R-hat > 1.01 or ESS < 100 per chain, the thresholds of Vehtari et al. 2021, Bayesian Anal.
 * 16:667), marginal histograms, the posterior predictive band over the data and the kept draws (for draws.csv).
 */
import type { Series } from './data.js';
import { type BayesFitResult, bayesFit } from './model-bayes.js';
import { ModelFitError, type ModelFitSetup } from './model-fit.js';

export interface BayesRunOptions {
  readonly seed: number;
  readonly chains?: number;
  readonly warmup?: number;
  readonly draws?: number;
  /** One posterior for all series under one parameter set (default: each series its own). */
  readonly pooled?: boolean;
  /** Histogram bins per parameter (default 30). */
  readonly bins?: number;
  /** Posterior draws solved for the bands (default 200) and band grid points (default 100). */
  readonly bandDraws?: number;
  readonly gridPoints?: number;
  readonly onProgress?: (message: string) => void;
}

export interface PosteriorParameter {
  readonly name: string;
  readonly mean: number;
  readonly sd: number;
  readonly q025: number;
  readonly q50: number;
  readonly q975: number;
  readonly rhat: number;
  readonly essBulk: number;
  readonly essTail: number;
  /** Monte Carlo standard error of the mean. */
  readonly mcseMean: number;
}

/** Counts of the pooled draws in bins of equal width (in ln x for log-scale parameters). */
export interface PosteriorHistogram {
  readonly name: string;
  readonly log: boolean;
  /** bins + 1 edges, natural values. */
  readonly edges: number[];
  readonly counts: number[];
}

export interface SubjectPosterior {
  readonly id: string;
  readonly series: readonly string[];
  readonly names: readonly string[];
  readonly prior: string;
  readonly parameters: readonly PosteriorParameter[];
  readonly acceptance: readonly number[];
  /** Max R-hat < 1.01 and bulk/tail ESS >= 100 per chain. */
  readonly converged: boolean;
  readonly warnings: readonly string[];
  readonly histograms: readonly PosteriorHistogram[];
  /** Curve and posterior predictive quantiles on a grid spanning the data (data time units). */
  readonly bands?: {
    readonly t: number[];
    readonly curve: { q025: number[]; q50: number[]; q975: number[] };
    readonly predictive: { q025: number[]; q50: number[]; q975: number[] };
    readonly used: number;
    readonly failed: number;
  };
  /** The kept draw with the smallest full NLL. */
  readonly best: { readonly x: Readonly<Record<string, number>>; readonly nll: number };
  /** The data (for the report's predictive-band figure). */
  readonly observations: readonly { series: string; t: number; value: number; censored: boolean }[];
  readonly solves: number;
  readonly seconds: number;
}

export interface ModelBayesResult {
  readonly model: string;
  readonly observable: string;
  readonly sigma: number | 'estimate';
  readonly seed: number;
  readonly chains: number;
  readonly warmup: number;
  readonly draws: number;
  readonly pooled: boolean;
  readonly subjects: readonly SubjectPosterior[];
  readonly seconds: number;
  readonly solves: number;
}

/** Per-subject posteriors with their summaries; `raw` keeps bayesFit's results (draws) by subject id. */
export function fitBayes(
  setup: ModelFitSetup,
  series: readonly Series[],
  options: BayesRunOptions,
): { result: ModelBayesResult; raw: Map<string, BayesFitResult> } {
  if (series.length === 0) throw new ModelFitError('no data series to fit');
  const groups = options.pooled ? [series] : series.map((s) => [s]);
  const t0 = performance.now();
  const subjects: SubjectPosterior[] = [];
  const raw = new Map<string, BayesFitResult>();
  let solves = 0;
  for (const g of groups) {
    const s = bayesSubject(setup, g, options);
    subjects.push(s.summary);
    raw.set(s.summary.id, s.raw);
    solves += s.summary.solves;
    options.onProgress?.(
      `${s.summary.id}: max R-hat ${fmt(Math.max(...s.summary.parameters.map((p) => p.rhat)))}, ` +
        `${s.summary.converged ? 'converged' : 'NOT converged'} (${s.summary.seconds.toFixed(1)} s)`,
    );
  }
  const first = raw.values().next().value as BayesFitResult;
  return {
    result: {
      model: setup.model.id,
      observable: setup.observable,
      sigma: setup.sigma ?? 'estimate',
      seed: options.seed,
      chains: first.mcmc.chains.length,
      warmup: first.mcmc.warmup,
      draws: first.mcmc.draws,
      pooled: options.pooled ?? false,
      subjects,
      seconds: (performance.now() - t0) / 1000,
      solves,
    },
    raw,
  };
}

const fmt = (x: number) => (Number.isFinite(x) ? String(Number(x.toPrecision(4))) : String(x));

/** One posterior (one series, or several pooled). */
export function bayesSubject(
  setup: ModelFitSetup,
  series: readonly Series[],
  options: BayesRunOptions,
): { summary: SubjectPosterior; raw: BayesFitResult } {
  const t0 = performance.now();
  const r = bayesFit(setup, series, {
    seed: options.seed,
    sigma: setup.sigma ?? 'estimate',
    ...(options.chains !== undefined ? { chains: options.chains } : {}),
    ...(options.warmup !== undefined ? { warmup: options.warmup } : {}),
    ...(options.draws !== undefined ? { draws: options.draws } : {}),
    ...(options.bandDraws !== undefined ? { trajectoryQuantiles: options.bandDraws } : {}),
    ...(options.gridPoints !== undefined ? { gridPoints: options.gridPoints } : {}),
  });
  const chains = r.mcmc.chains.length;
  const minEss = 100 * chains;
  const parameters: PosteriorParameter[] = r.names.map((name) => {
    const p = r.summary.parameters[name];
    return {
      name,
      mean: p.mean,
      sd: p.sd,
      q025: p.q025,
      q50: p.q50,
      q975: p.q975,
      rhat: p.rhat,
      essBulk: p.essBulk,
      essTail: p.essTail,
      mcseMean: p.mcseMean,
    };
  });
  const warnings: string[] = [];
  for (const p of parameters) {
    if (!(p.rhat <= 1.01))
      warnings.push(
        `${p.name}: R-hat ${fmt(p.rhat)} > 1.01 (chains disagree; run longer or check for several modes)`,
      );
    if (!(p.essBulk >= minEss) || !(p.essTail >= minEss))
      warnings.push(
        `${p.name}: bulk ESS ${fmt(p.essBulk)}, tail ESS ${fmt(p.essTail)} < ${minEss} (100 per chain; run more draws)`,
      );
  }
  const log = [
    ...setup.parameters.map((s) => s.scale === 'log'),
    ...(r.names.length > setup.parameters.length ? [true] : []),
  ];
  const histograms = r.names.map((name, j) =>
    histogram(name, r.draws, r.names.length, j, log[j], options.bins ?? 30),
  );
  const b = r.bands;
  const arr = (x: Float64Array) => Array.from(x);
  return {
    raw: r,
    summary: {
      id: series.length === 1 ? series[0].id : 'pooled',
      series: series.map((s) => s.id),
      names: r.names,
      prior: r.prior,
      parameters,
      acceptance: r.acceptance,
      converged: r.converged,
      warnings,
      histograms,
      ...(b
        ? {
            bands: {
              t: arr(b.t),
              curve: { q025: arr(b.curve.q025), q50: arr(b.curve.q50), q975: arr(b.curve.q975) },
              predictive: {
                q025: arr(b.predictive.q025),
                q50: arr(b.predictive.q50),
                q975: arr(b.predictive.q975),
              },
              used: b.used,
              failed: b.failed,
            },
          }
        : {}),
      best: r.best,
      observations: series.flatMap((s) =>
        s.observations.map((o) => ({ series: s.id, t: o.t, value: o.value, censored: o.censored })),
      ),
      solves: r.solves,
      seconds: (performance.now() - t0) / 1000,
    },
  };
}

/** Equal-width histogram of column j of the row-major draws (width in ln x when `log`). */
export function histogram(
  name: string,
  draws: Float64Array,
  d: number,
  j: number,
  log: boolean,
  bins: number,
): PosteriorHistogram {
  const n = Math.floor(draws.length / d);
  const f = log ? Math.log : (x: number) => x;
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const v = f(draws[i * d + j]);
    if (Number.isFinite(v)) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  if (!(hi > lo)) {
    const c = Number.isFinite(lo) ? lo : 0;
    lo = c - 0.5;
    hi = c + 0.5;
  }
  const w = (hi - lo) / bins;
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < n; i++) {
    const v = f(draws[i * d + j]);
    if (!Number.isFinite(v)) continue;
    counts[Math.min(bins - 1, Math.max(0, Math.floor((v - lo) / w)))]++;
  }
  const edges: number[] = [];
  for (let k = 0; k <= bins; k++) {
    const e = lo + k * w;
    edges.push(log ? Math.exp(e) : e);
  }
  return { name, log, edges, counts };
}

/** The kept draws as CSV: subject, chain, draw, then one column per sampled parameter. */
export function drawsCsv(raw: ReadonlyMap<string, BayesFitResult>): string {
  const rows: string[] = [];
  let header: string | undefined;
  for (const [id, r] of raw) {
    const h = ['subject', 'chain', 'draw', ...r.names].join(',');
    if (header === undefined) {
      header = h;
      rows.push(h);
    } else if (h !== header) rows.push(h);
    const d = r.names.length;
    r.mcmc.chains.forEach((ch, c) => {
      for (let i = 0; i < r.mcmc.draws; i++) {
        const cols = [id, String(c), String(i)];
        for (let j = 0; j < d; j++) cols.push(String(ch.samples[i * d + j]));
        rows.push(cols.join(','));
      }
    });
  }
  return `${rows.join('\n')}\n`;
}
