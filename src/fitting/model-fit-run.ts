/**
 * The fitting pipeline over a ModelFitProblem (model-fit.ts): multi-start local optimisation from Latin hypercube
 * starts (multistart.ts), by default bounded least squares on the residual vector with its Jacobian
 * (model-fit-lsq.ts), optionally a CMA-ES global search polished locally (cmaes.ts), then profile likelihoods
 * (Raue et al. 2009, profile.ts) and identifiability from the Jacobian and the profiles (identifiability.ts).
 * Subjects are fitted one after the other (per-subject fits) or as one pooled problem.
 */

import { cmaes } from './cmaes.js';
import type { Series } from './data.js';
import { type IdentifiabilityReport, identifiability } from './identifiability.js';
import { ModelFitError, ModelFitProblem, type ModelFitSetup, nelderMeadLocal } from './model-fit.js';
import { type LsqProblem, lsqSolver } from './model-fit-lsq.js';
import { type LocalResult, multistart } from './multistart.js';
import type { Residual } from './objective.js';
import { chiSquare1Quantile, type ParameterProfile, profileLikelihood } from './profile.js';
import { fromUnbounded, type ParameterSpec, toUnbounded } from './transform.js';

export type LocalMethod = 'lm' | 'nelder-mead';

export interface ModelFitOptions {
  /** Seed of the keyed start (and CMA-ES) streams. */
  readonly seed: number;
  /** Starts per subject (default 8): start 0 at the initial values, the rest a Latin hypercube. */
  readonly starts?: number;
  /** Local method (default 'lm' when a least-squares solver is available, else 'nelder-mead'). */
  readonly method?: LocalMethod;
  /** Global search before the local polish. */
  readonly global?: 'cmaes';
  /** Profile likelihoods of every fitted parameter (default false). */
  readonly profile?: boolean;
  /** Confidence level of the profile intervals (default 0.95). */
  readonly level?: number;
  /** One problem over all series with shared parameters (default: each series its own fit). */
  readonly pooled?: boolean;
  /** Points of the fine-grid trajectory (default 200). */
  readonly trajectoryPoints?: number;
  readonly onProgress?: (message: string) => void;
}

export interface StartRow {
  readonly start: number;
  readonly from: Record<string, number>;
  readonly estimates: Record<string, number>;
  readonly nll: number;
  readonly converged: boolean;
  readonly evaluations: number;
}

export interface SubjectFit {
  /** Series id (or 'pooled'). */
  readonly id: string;
  readonly series: readonly string[];
  readonly estimates: Record<string, number>;
  readonly sigma: number;
  readonly sigmaEstimated: boolean;
  /** Full negative log-likelihood with constants (model-fit.ts). */
  readonly nll: number;
  /** objective.ts's objective (no constants) at the estimates and sigma. */
  readonly objective: number;
  /** Full NLL at the initial values (sigma at its ML value there when estimated). */
  readonly initialNll: number;
  readonly aic: number;
  readonly bic: number;
  /** Fitted quantities (parameters, plus sigma when estimated). */
  readonly k: number;
  readonly observations: number;
  readonly censored: number;
  readonly residuals: readonly Residual[];
  readonly rmsLog10: number;
  readonly trajectory: readonly { id: string; t: number[]; y: number[] }[];
  readonly starts: readonly StartRow[];
  /** Distinct optima among the starts, best first. */
  readonly clusters: readonly { estimates: Record<string, number>; nll: number; count: number }[];
  readonly globalSearch?: { readonly nll: number; readonly evaluations: number; readonly stop: string };
  readonly profiles?: readonly ProfileSummary[];
  readonly identifiability?: IdentifiabilitySummary;
  readonly converged: boolean;
  readonly method: LocalMethod;
  readonly evaluations: number;
  readonly solves: number;
  readonly seconds: number;
}

export interface ProfileSummary {
  readonly name: string;
  readonly estimate: number;
  readonly lower: number | null;
  readonly upper: number | null;
  readonly verdict: ParameterProfile['verdict'];
  readonly points: { value: number; nll: number }[];
  /** nllMin + chi2_1(level)/2. */
  readonly threshold: number;
  /** Other parameters at a range bound at a crossing (that side then is an artefact of the ranges). */
  readonly limitedBy?: { lower?: string[]; upper?: string[] };
}

export interface IdentifiabilitySummary {
  readonly eigenvalues: number[];
  readonly conditionNumber: number;
  readonly rank: number;
  readonly standardErrors: Record<string, number>;
  readonly strongPairs: { a: string; b: string; r: number }[];
  readonly verdicts: Record<string, string>;
}

export interface ModelFitResult {
  readonly model: string;
  readonly observable: string;
  readonly observableScale: number;
  readonly timeScale: number;
  readonly timeOffset: number;
  /** Model start time of the simulations (when not 0). */
  readonly tStart?: number;
  readonly parameters: readonly ParameterSpec[];
  readonly fixed: Record<string, number>;
  readonly sigma: number | 'estimate';
  readonly seed: number;
  readonly starts: number;
  readonly method: LocalMethod;
  readonly global?: 'cmaes';
  readonly pooled: boolean;
  readonly level: number;
  readonly subjects: readonly SubjectFit[];
  readonly seconds: number;
  readonly solves: number;
}

const record = (names: readonly string[], x: ArrayLike<number>): Record<string, number> =>
  Object.fromEntries(names.map((nm, j) => [nm, x[j]]));

/** Fits every series of `series` (or all pooled) and collects the results. */
export function fitModel(
  setup: ModelFitSetup,
  series: readonly Series[],
  options: ModelFitOptions,
): ModelFitResult {
  if (series.length === 0) throw new ModelFitError('no data series to fit');
  const t0 = performance.now();
  const groups = options.pooled ? [series] : series.map((s) => [s]);
  const subjects: SubjectFit[] = [];
  let solves = 0;
  for (const g of groups) {
    const problem = new ModelFitProblem(setup, g);
    const fit = fitProblem(problem, options);
    solves += fit.solves;
    subjects.push(fit);
    options.onProgress?.(
      `${fit.id}: nll ${fit.nll.toPrecision(6)} (${fit.seconds.toFixed(1)} s, ${fit.solves} solves)`,
    );
  }
  return {
    model: setup.model.id,
    observable: setup.observable,
    observableScale: setup.observableScale ?? 1,
    timeScale: setup.timeScale ?? 1,
    timeOffset: setup.timeOffset ?? 0,
    ...(setup.tStart !== undefined && setup.tStart !== 0 ? { tStart: setup.tStart } : {}),
    parameters: setup.parameters,
    fixed: { ...(setup.fixed ?? {}) },
    sigma: setup.sigma ?? 'estimate',
    seed: options.seed,
    starts: options.starts ?? 8,
    method: resolveMethod(options),
    ...(options.global ? { global: options.global } : {}),
    pooled: options.pooled ?? false,
    level: options.level ?? 0.95,
    subjects,
    seconds: (performance.now() - t0) / 1000,
    solves,
  };
}

function resolveMethod(options: ModelFitOptions): LocalMethod {
  const m = options.method ?? (lsqSolver ? 'lm' : 'nelder-mead');
  if (m === 'lm' && !lsqSolver)
    throw new ModelFitError("method 'lm' needs src/fitting/least-squares.ts, which is not available");
  return m;
}

/** One fit: starts, optional global search, sigma, profiles, identifiability, residuals and trajectory. */
export function fitProblem(problem: ModelFitProblem, options: ModelFitOptions): SubjectFit {
  const t0 = performance.now();
  const solves0 = problem.solves;
  const method = resolveMethod(options);
  const specs = problem.specs;
  const n = problem.n;
  const names = problem.names;
  const sigmaMode = problem.setup.sigma ?? 'estimate';
  const fixedSigma = typeof sigmaMode === 'number' ? sigmaMode : undefined;
  /** The objective everything minimises: the full NLL, sigma profiled out when estimated. */
  const F = (x: ArrayLike<number>): number => problem.fullNll(x, fixedSigma).nll;
  let evaluations = 0;
  let sigmaWork = fixedSigma ?? 0.3;

  const local = (x0: Float64Array, fixedIndex = -1, fixedValue = 0): LocalResult => {
    const res = localFit(problem, method, F, x0, sigmaWork, fixedIndex, fixedValue);
    evaluations += res.evaluations;
    return res;
  };

  const initial = problem.initial();
  const initialNll = F(initial);
  if (fixedSigma === undefined) {
    // Start sigma at its ML value for the initial parameters (or 0.3 log10 when the solve fails).
    const d = problem.logResiduals(initial);
    if (d) sigmaWork = problem.mlSigma(d);
  }
  const startsCount = options.starts ?? 8;
  const ms = multistart(specs, (x0) => local(x0), { starts: startsCount, seed: options.seed });
  let best: LocalResult = ms.best;
  let globalSearch: SubjectFit['globalSearch'];
  if (options.global === 'cmaes') {
    const g = cmaes((x) => F(x), specs, {
      seed: options.seed,
      initial: best.x,
      maxEvaluations: 200 * n * n + 400,
    });
    evaluations += g.evaluations;
    const polished = local(g.x);
    globalSearch = { nll: g.value, evaluations: g.evaluations, stop: g.stop };
    if (polished.value < best.value) best = polished;
  }
  // Alternate sigma and theta when sigma is estimated (least squares works at fixed sigma).
  let sigma = fixedSigma ?? problem.fullNll(best.x).sigma;
  if (fixedSigma === undefined && method === 'lm' && problem.censored > 0) {
    for (let round = 0; round < 6; round++) {
      sigmaWork = sigma;
      const r = local(best.x);
      const s2 = problem.fullNll(r.x).sigma;
      if (r.value <= best.value) best = r;
      const change = Math.abs(s2 - sigma) / sigma;
      sigma = problem.fullNll(best.x).sigma;
      if (change < 1e-3) break;
    }
  }
  sigmaWork = sigma;
  const nll = F(best.x);
  const k = n + (fixedSigma === undefined ? 1 : 0);
  const m = problem.m;

  let profiles: ProfileSummary[] | undefined;
  let ident: IdentifiabilitySummary | undefined;
  const level = options.level ?? 0.95;
  let rawProfiles: ParameterProfile[] | undefined;
  if (options.profile) {
    rawProfiles = profileLikelihood(
      {
        specs,
        nll: (x) => F(x),
        refit: (j, v, x0) => local(x0, j, v),
      },
      best.x,
      nll,
      { level },
    );
    const threshold = nll + chiSquare1Quantile(level) / 2;
    profiles = rawProfiles.map((p) => ({
      name: p.name,
      estimate: p.estimate,
      lower: p.lower,
      upper: p.upper,
      verdict: p.verdict,
      points: p.points.map((q) => ({ value: q.value, nll: q.nll })),
      threshold: p.threshold ?? threshold,
      ...(p.limitedBy ? { limitedBy: p.limitedBy } : {}),
    }));
  }
  const w = problem.toWorking(best.x);
  const J = new Float64Array(m * n);
  if (problem.jacobian(w, sigma, J)) {
    try {
      ident = summariseIdentifiability(
        identifiability(J, m, specs, best.x, rawProfiles, { jacobian: 'working', level }),
        names,
      );
    } catch (err) {
      options.onProgress?.(`identifiability: ${(err as Error).message}`);
    }
  }
  const residuals = problem.residualTable(best.x, sigma);
  let ss = 0;
  let nm = 0;
  for (const r of residuals)
    if (!r.censored) {
      ss += r.residual * r.residual;
      nm++;
    }
  return {
    id: problem.series.length === 1 ? problem.series[0].id : 'pooled',
    series: problem.series.map((s) => s.id),
    estimates: record(names, best.x),
    sigma,
    sigmaEstimated: fixedSigma === undefined,
    nll,
    objective: problem.objective(best.x, sigma),
    initialNll,
    aic: 2 * nll + 2 * k,
    bic: 2 * nll + k * Math.log(m),
    k,
    observations: m,
    censored: problem.censored,
    residuals,
    rmsLog10: nm > 0 ? Math.sqrt(ss / nm) : Number.NaN,
    trajectory: problem.trajectory(best.x, options.trajectoryPoints ?? 200),
    starts: ms.starts.map((s, i) => ({
      start: i,
      from: record(names, s.from),
      estimates: record(names, s.x),
      nll: s.value,
      converged: s.converged,
      evaluations: s.evaluations,
    })),
    clusters: ms.clusters.map((c) => ({ estimates: record(names, c.x), nll: c.value, count: c.count })),
    ...(globalSearch ? { globalSearch } : {}),
    ...(profiles ? { profiles } : {}),
    ...(ident ? { identifiability: ident } : {}),
    converged: best.converged,
    method,
    evaluations,
    solves: problem.solves - solves0,
    seconds: (performance.now() - t0) / 1000,
  };
}

function summariseIdentifiability(
  r: IdentifiabilityReport,
  names: readonly string[],
): IdentifiabilitySummary {
  return {
    eigenvalues: Array.from(r.eigenvalues),
    conditionNumber: r.conditionNumber,
    rank: r.rank,
    standardErrors: record(names, r.standardErrors),
    strongPairs: r.strongPairs,
    verdicts: r.verdicts,
  };
}

/**
 * One local optimisation from natural x0, optionally with parameter `fixedIndex` held at `fixedValue` (profiles).
 * 'lm': least squares on the residuals at sigma `sigma` over the free working coordinates; 'nelder-mead': the full
 * NLL F over the free logit coordinates. The returned value is F at the result either way.
 */
function localFit(
  problem: ModelFitProblem,
  method: LocalMethod,
  F: (x: ArrayLike<number>) => number,
  x0: Float64Array,
  sigma: number,
  fixedIndex: number,
  fixedValue: number,
): LocalResult {
  const n = problem.n;
  const free: number[] = [];
  for (let j = 0; j < n; j++) if (j !== fixedIndex) free.push(j);
  const nf = free.length;
  const full = Float64Array.from(x0);
  if (fixedIndex >= 0) full[fixedIndex] = fixedValue;
  if (nf === 0) return { x: full, value: F(full), converged: true, evaluations: 1 };
  const specs = problem.specs;
  if (method === 'nelder-mead') {
    const fs = free.map((j) => specs[j]);
    const x = Float64Array.from(full);
    const xf = Float64Array.from(free, (j) => full[j]);
    const fromU = (u: ArrayLike<number>) => {
      const o = new Float64Array(nf);
      for (let k = 0; k < nf; k++) o[k] = fromUnbounded(fs[k], u[k]);
      return o;
    };
    const toU = (v: ArrayLike<number>) => {
      const o = new Float64Array(nf);
      for (let k = 0; k < nf; k++) {
        const s = fs[k];
        const c = Math.min(s.hi - 1e-12 * (s.hi - s.lo), Math.max(s.lo + 1e-12 * (s.hi - s.lo), v[k]));
        o[k] = toUnbounded(s, c);
      }
      return o;
    };
    const g = (v: Float64Array) => {
      for (let k = 0; k < nf; k++) x[free[k]] = v[k];
      return F(x);
    };
    const r = nelderMeadLocal(g, fs, xf, toU, fromU);
    const out = Float64Array.from(full);
    for (let k = 0; k < nf; k++) out[free[k]] = r.x[k];
    return { x: out, value: r.value, converged: r.converged, evaluations: r.evaluations };
  }
  const solver = lsqSolver;
  if (!solver) throw new ModelFitError('no least-squares solver available');
  const { lo, hi } = problem.bounds();
  const wFull = problem.toWorking(full);
  const m = problem.m;
  const r = new Float64Array(m);
  const Jfull = new Float64Array(m * n);
  const set = (v: Float64Array) => {
    for (let k = 0; k < nf; k++) wFull[free[k]] = v[k];
  };
  const lsq: LsqProblem = {
    n: nf,
    m,
    lo: Float64Array.from(free, (j) => lo[j]),
    hi: Float64Array.from(free, (j) => hi[j]),
    residuals: (v, out) => {
      set(v);
      return problem.residuals(wFull, sigma, out);
    },
    jacobian: (v, Jout) => {
      set(v);
      if (!problem.jacobian(wFull, sigma, Jfull, r)) return false;
      for (let i = 0; i < m; i++) for (let k = 0; k < nf; k++) Jout[i * nf + k] = Jfull[i * n + free[k]];
      return true;
    },
  };
  const v0 = Float64Array.from(free, (j) => Math.min(hi[j], Math.max(lo[j], wFull[j])));
  const res = solver(lsq, v0);
  set(res.x);
  const x = problem.toNatural(wFull);
  return { x, value: F(x), converged: res.converged, evaluations: res.evaluations };
}
