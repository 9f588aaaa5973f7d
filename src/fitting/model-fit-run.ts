/**
 * The fitting pipeline over a ModelFitProblem (model-fit.ts): multi-start local optimisation from Latin hypercube
 * starts (multistart.ts), by default bounded least squares on the residual vector with its Jacobian
 * (model-fit-lsq.ts), optionally a CMA-ES global search polished locally (cmaes.ts), basin hopping from the best
 * point (narrow optima a start design misses), then profile likelihoods
 * (Raue et al. 2009, profile.ts) and identifiability from the Jacobian and the profiles (identifiability.ts).
 * Subjects are fitted one after the other (per-subject fits) or as one pooled problem.
 */

import { standardNormal, streamFor } from '../numerics/random/index.js';
import { cmaes } from './cmaes.js';
import type { Series } from './data.js';
import { type IdentifiabilityReport, identifiability } from './identifiability.js';
import { ModelFitError, ModelFitProblem, type ModelFitSetup, nelderMeadLocal } from './model-fit.js';
import { type LsqProblem, type LsqSolver, lsqSolver } from './model-fit-lsq.js';
import { type LocalResult, multistart } from './multistart.js';
import type { Residual } from './objective.js';
import { chiSquare1Quantile, type ParameterProfile, profileLikelihood } from './profile.js';
import { fromUnbounded, type ParameterSpec, toUnbounded } from './transform.js';

export type LocalMethod = 'lm' | 'nelder-mead';

/** Rounds of the least-squares / ML-sigma coordinate descent of one local fit (see fitProblem's `local`). */
const SIGMA_ROUNDS = 12;

/**
 * Default basin-hopping steps and their size (sd as a fraction of each working range). On Hähnel 2020 patient 8
 * (e_tki, Y_init, sigma estimated) 10 hops of 0.01 reached the best optimum (NLL -1.469) from 4 of 4 seeds, 10 hops
 * of 0.03 from 2 of 4, 8 starts without hops from none (NLL -0.913).
 */
export const HOPS_DEFAULT = 10;
export const HOP_SCALE_DEFAULT = 0.01;

export interface ModelFitOptions {
  /** Seed of the keyed start (and CMA-ES) streams. */
  readonly seed: number;
  /** Starts per subject (default 8): start 0 at the initial values, the rest a Latin hypercube. */
  readonly starts?: number;
  /** Local method (default 'lm' when a least-squares solver is available, else 'nelder-mead'). */
  readonly method?: LocalMethod;
  /** Global search before the local polish. */
  readonly global?: 'cmaes';
  /** Basin-hopping steps from the best start (default HOPS_DEFAULT; 0: none). See fitProblem. */
  readonly hops?: number;
  /** Hop size: sd of the perturbation as a fraction of each working range (default HOP_SCALE_DEFAULT). */
  readonly hopScale?: number;
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
  /** Basin hops that improved on the best start. */
  readonly hopsImproved?: number;
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
  /** Basin-hopping steps per fit and their size. */
  readonly hops?: number;
  readonly hopScale?: number;
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
  if (options.hops !== undefined && !(Number.isInteger(options.hops) && options.hops >= 0))
    throw new ModelFitError(`hops: expected an integer >= 0, got ${options.hops}`);
  if (options.hopScale !== undefined && !(options.hopScale > 0 && options.hopScale <= 1))
    throw new ModelFitError(`hop scale: expected a number in (0, 1], got ${options.hopScale}`);
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
    hops: options.hops ?? HOPS_DEFAULT,
    hopScale: options.hopScale ?? HOP_SCALE_DEFAULT,
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
  const alternate = fixedSigma === undefined && method === 'lm' && problem.censored > 0;

  /**
   * One local fit from x0. Least squares works at a fixed sigma; with sigma estimated and censored points the
   * theta-optimum depends on sigma, so every local fit (each start, each profile point) runs its own coordinate
   * descent: sigma at its ML value for the start point, then least squares and the ML sigma in turn until sigma
   * changes by < 0.1 % (at most SIGMA_ROUNDS rounds). A single sigma for all starts (the ML value at the initial
   * values) distorted the landscape for every start: on Hähnel 2020 patient 8 (sigma 2.0 at the initial values
   * against 0.22 at the optimum) 8 starts all missed the best optimum by > 2 log-likelihood units.
   */
  const local = (x0: Float64Array, fixedIndex = -1, fixedValue = 0): LocalResult => {
    if (!alternate) {
      const res = localFit(problem, method, F, x0, sigmaWork, fixedIndex, fixedValue);
      evaluations += res.evaluations;
      return res;
    }
    const start = Float64Array.from(x0);
    if (fixedIndex >= 0) start[fixedIndex] = fixedValue;
    const d0 = problem.logResiduals(start);
    let s = d0 ? problem.mlSigma(d0) : sigmaWork;
    let res = localFit(problem, method, F, start, s, fixedIndex, fixedValue);
    evaluations += res.evaluations;
    for (let round = 1; round < SIGMA_ROUNDS && Number.isFinite(res.value); round++) {
      const s2 = problem.fullNll(res.x).sigma;
      if (!(Math.abs(s2 - s) > 1e-3 * s)) break;
      s = s2;
      const next = localFit(problem, method, F, res.x, s, fixedIndex, fixedValue);
      evaluations += next.evaluations;
      if (!(next.value <= res.value)) break;
      res = next;
    }
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
  // Basin hopping (Wales & Doye 1997, J Phys Chem A 101:5111): local fits from Gaussian perturbations of the best
  // point, keeping any improvement. Multi-start designs cover the ranges but not narrow optima: the Hähnel 2020
  // patient-8 landscape in (e_tki, Y_init) is a set of parallel valleys a few 0.1 % of e_tki apart (the immune
  // response of the model switches on at slightly different times), and the best one drew 1 of 32 LHS starts.
  const hops = options.hops ?? HOPS_DEFAULT;
  const hopScale = options.hopScale ?? HOP_SCALE_DEFAULT;
  let hopped = 0;
  if (hops > 0 && Number.isFinite(best.value)) {
    const { lo, hi } = problem.bounds();
    const stream = streamFor(options.seed, ['purpose', 'basin-hopping']);
    const w = new Float64Array(n);
    for (let h = 0; h < hops; h++) {
      const wb = problem.toWorking(best.x);
      for (let j = 0; j < n; j++) {
        const v = wb[j] + hopScale * (hi[j] - lo[j]) * standardNormal(stream);
        w[j] = Math.min(hi[j], Math.max(lo[j], v));
      }
      const r = local(problem.toNatural(w));
      if (r.value < best.value - 1e-9) {
        best = r;
        hopped++;
      }
    }
  }
  // With sigma estimated, every local fit above already ended at its own ML sigma (see `local`).
  const sigma = fixedSigma ?? problem.fullNll(best.x).sigma;
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
    hopsImproved: hopped,
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

/** Overrides for localFit's least-squares branch (bench/fit.ts compares solver variants through them). */
export interface LocalFitOptions {
  /** The least-squares solver (default model-fit-lsq.ts's lsqSolver). */
  readonly solver?: LsqSolver;
  /** false: give the solver no Jacobian, so that it differences the residuals itself (default true). */
  readonly jacobian?: boolean;
}

/**
 * One local optimisation from natural x0, optionally with parameter `fixedIndex` held at `fixedValue` (profiles).
 * 'lm': least squares on the residuals at sigma `sigma` over the free working coordinates; 'nelder-mead': the full
 * NLL F over the free logit coordinates. The returned value is F at the result either way.
 */
export function localFit(
  problem: ModelFitProblem,
  method: LocalMethod,
  F: (x: ArrayLike<number>) => number,
  x0: Float64Array,
  sigma: number,
  fixedIndex = -1,
  fixedValue = 0,
  options: LocalFitOptions = {},
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
  const solver = options.solver ?? lsqSolver;
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
    ...(options.jacobian === false
      ? {}
      : {
          jacobian: (v: Float64Array, Jout: Float64Array) => {
            set(v);
            if (!problem.jacobian(wFull, sigma, Jfull, r)) return false;
            for (let i = 0; i < m; i++)
              for (let k = 0; k < nf; k++) Jout[i * nf + k] = Jfull[i * n + free[k]];
            return true;
          },
        }),
  };
  const v0 = Float64Array.from(free, (j) => Math.min(hi[j], Math.max(lo[j], wFull[j])));
  const res = solver(lsq, v0);
  set(res.x);
  const x = problem.toNatural(wFull);
  return { x, value: F(x), converged: res.converged, evaluations: res.evaluations };
}
