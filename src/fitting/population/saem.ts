/**
 * Population (nonlinear mixed-effects) fitting by the SAEM algorithm, with left-censored observations.
 *
 * Model (the NLME setting of Monolix and nlmixr): subject i has individual parameters psi_i = h(phi_i) with h
 * exp ('log'), the logistic function ('logit', psi in (0, 1)) or the identity ('normal'); phi_i = mu + eta_i with
 * eta_i ~ N(0, Omega), Omega diagonal or full over the parameters that carry random effects. Observations follow
 * the log10 error model of ../objective.ts: log10 y_ij = log10 f(t_ij; psi_i) + eps_ij, eps ~ N(0, sigma^2); a
 * censored observation says only log10 y_ij <= log10 c_ij.
 *
 * SAEM (Delyon, Lavielle & Moulines 1999, Ann. Stat. 27:94; Kuhn & Lavielle 2004, ESAIM P&S 8:115) alternates
 * - S: Metropolis-Hastings moves of each subject's phi_i (chains per subject) targeting p(phi_i | y_i) with three
 *   kernels (Kuhn & Lavielle 2004): proposals from the population law N(mu, Omega); a full random walk with
 *   covariance s2^2 Omega; component-wise random walks with scales s3_j sqrt(Omega_jj); s2, s3_j adapted during
 *   burn-in towards acceptance 0.4. The censored log-observations are then drawn from the normal truncated above at
 *   the limit given the new phi_i (Samson, Lavielle & Mentré 2006, Comput. Stat. Data Anal. 51:1562), so that
 * - SA: the complete-data sufficient statistics sum phi_i, sum phi_i phi_i^T, sum of squared log10 residuals are
 *   averaged with step gamma_k = 1 for k <= K1, 1/(k - K1) after, and
 * - M: mu, Omega and sigma^2 are their closed-form maximisers.
 * During the first `annealing` iterations variances shrink by at most a factor 0.95 per iteration (simulated
 * annealing as in Monolix; Lavielle 2014, Mixed Effects Models for the Population Approach, CRC), which keeps the
 * chains exploring. A parameter without random effect has no closed-form M-step: its value maximises the
 * observed-data log-likelihood given the current individual parameters (a numerical M-step, Nelder-Mead warm-started,
 * as saemix does for such parameters; Comets, Lavenu & Lavielle 2017, J. Stat. Softw. 80(3)), and the SA step moves
 * it by gamma_k towards that maximiser. (The
 * alternative, a pseudo-variance shrunk geometrically, stalls far from the optimum when the individual data say
 * little about the parameter.)
 *
 * After the iterations: per-subject conditional means and SDs of phi (averages over the K2 phase) and modes (MAP
 * by Nelder-Mead); standard errors of (mu, Omega, sigma^2) from the stochastic approximation of the observed
 * Fisher information by Louis' missing-information principle (Louis 1982, JRSS B 44:226; Kuhn & Lavielle 2005,
 * Comput. Stat. Data Anal. 49:1020), accumulated per subject over the K2 phase; and -2 log-likelihood by importance
 * sampling with a multivariate t(5) proposal centred on the conditional moments (the Monolix estimator). The
 * likelihood is that of the log10 observations (densities on the log10 scale).
 *
 * Randomness: subject i's chain c draws from streamFor(seed, ['purpose', 'saem'], ['subject', i], ['chain', c]),
 * iteration k from word position k * 2^32 on, so results do not depend on evaluation order. Buffers are allocated
 * once per run; the iterations allocate nothing except the optional onIteration report.
 */
import {
  gamma as gammaVariate,
  type RandomStream,
  type Seed,
  standardNormal,
  streamFor,
} from '../../numerics/random/index.js';
import type { Series } from '../data.js';
import { nelderMead } from '../nelder-mead.js';
import { logNormalCdf } from '../objective.js';
import { gaussianDerivatives } from './louis.js';
import {
  cholesky,
  forwardSolveNorm2,
  inverseFromCholesky,
  invertSpd,
  logDetFromCholesky,
} from './small-linalg.js';
import { normalBelow } from './truncated-normal.js';

export type ParameterTransform = 'log' | 'logit' | 'normal';

/** The structural model: predictions on the natural scale for one subject's observation times. */
export interface PopulationModel {
  readonly names: readonly string[];
  /** Write f(t_k; psi) (natural scale, > 0) for the subject's observation times into out; false if the solve failed. */
  predict(subject: number, psi: Float64Array, times: Float64Array, out: Float64Array): boolean;
}

export interface SaemIteration {
  /** 1-based. */
  readonly iteration: number;
  readonly phase: 'burn-in' | 'averaging';
  /** Population values h(mu) (natural scale). */
  readonly mu: Float64Array;
  /** SDs of the random effects (sqrt of Omega's diagonal; 0 for parameters without random effect). */
  readonly omega: Float64Array;
  readonly sigma: number;
  /** Acceptance rates of the three kernels in this iteration. */
  readonly acceptance: Float64Array;
}

export interface SaemOptions {
  /** Initial population values on the natural scale (one per model name). */
  readonly initial: ArrayLike<number>;
  /** Per parameter (default 'log'). */
  readonly transforms?: readonly ParameterTransform[];
  /** Initial SDs of the random effects on the transformed scale (default 1). */
  readonly omega?: ArrayLike<number>;
  /** Which parameters carry a random effect (default all). */
  readonly randomEffects?: readonly boolean[];
  /** Omega over the random effects: 'diagonal' (default) or 'full'. */
  readonly covariance?: 'diagonal' | 'full';
  /** Initial residual SD on the log10 scale (default 0.5). */
  readonly sigma?: number;
  /** Estimate sigma (default true) or keep it at `sigma`. */
  readonly estimateSigma?: boolean;
  /** K1: iterations with step 1 (default 300). */
  readonly burnIn?: number;
  /** K2: iterations with step 1/(k - K1) (default 100). */
  readonly averaging?: number;
  /** Moves per iteration of the kernels [prior, full random walk, component-wise random walk] (default [2, 2, 2]). */
  readonly kernels?: readonly [number, number, number];
  /**
   * Markov chains per subject (default ceil(50 / subjects), Monolix's rule). A variance the individual data identify
   * weakly (individual information comparable to 1/omega^2) makes the step-1 phase a near-unit-root random walk
   * that can drift to omega = 0 with one chain; 4-8 chains keep it near the optimum (test/fitting/population).
   */
  readonly chains?: number;
  readonly seed: Seed;
  /** Iterations during which variances shrink by at most 0.95 per iteration (default burnIn / 2). */
  readonly annealing?: number;
  /** Predictions below this are raised to it before log10 (default 1e-12, as in ../objective.ts). */
  readonly floor?: number;
  /** Importance samples per subject for -2 log-likelihood (default 0: not estimated). */
  readonly importanceSamples?: number;
  /** Louis standard errors (default true). */
  readonly standardErrors?: boolean;
  /** Conditional modes by Nelder-Mead (default true). */
  readonly modes?: boolean;
  readonly onIteration?: (it: SaemIteration) => void;
}

export interface SubjectEstimate {
  readonly id: string;
  /** Conditional mean and SD of phi given the subject's data (K2-phase averages). */
  readonly meanPhi: Float64Array;
  readonly sdPhi: Float64Array;
  /** Conditional mean of psi (natural scale). */
  readonly meanPsi: Float64Array;
  /** Conditional mode of psi (MAP of phi mapped to psi), when modes were requested. */
  readonly modePsi?: Float64Array;
}

export interface SaemStandardErrors {
  /** Labels of the estimated parameters in the covariance: mu_<name>, omega2_<name> / omega_<a>_<b>, sigma2. */
  readonly labels: readonly string[];
  readonly estimates: Float64Array;
  /** The observed Fisher information (labels x labels, row-major) by Louis' principle. */
  readonly information: Float64Array;
  /**
   * Its inverse, or undefined when the information is not positive definite (a parameter the data do not
   * identify, or too few averaging iterations): the SEs are then NaN and `information` shows which direction.
   */
  readonly covariance?: Float64Array;
  /** SE of mu on the transformed scale per parameter (NaN for parameters without random effect). */
  readonly mu: Float64Array;
  /** SE of h(mu) by the delta method. */
  readonly muNatural: Float64Array;
  /** SE of the omega SDs (delta method from omega^2; NaN without random effect). */
  readonly omega: Float64Array;
  /** SE of sigma (NaN when sigma is fixed). */
  readonly sigma: number;
}

export interface SaemResult {
  readonly names: readonly string[];
  readonly transforms: readonly ParameterTransform[];
  readonly randomEffects: readonly boolean[];
  readonly covariance: 'diagonal' | 'full';
  /** Population values h(mu) (natural scale) and mu (transformed scale). */
  readonly mu: Float64Array;
  readonly muPhi: Float64Array;
  /** Omega (p x p row-major, transformed scale; zero rows and columns for parameters without random effect). */
  readonly omega: Float64Array;
  /** sqrt of Omega's diagonal. */
  readonly omegaSd: Float64Array;
  readonly sigma: number;
  readonly burnIn: number;
  readonly averaging: number;
  readonly chains: number;
  /** Per iteration (row k - 1): h(mu) (K x p), omega SDs (K x p), sigma (K). */
  readonly trajectory: {
    readonly mu: Float64Array;
    readonly omega: Float64Array;
    readonly sigma: Float64Array;
  };
  /** Mean acceptance rates of the three kernels over the averaging phase. */
  readonly acceptance: Float64Array;
  readonly subjects: readonly SubjectEstimate[];
  readonly standardErrors?: SaemStandardErrors;
  readonly likelihood?: {
    /** -2 log-likelihood of the log10 observations by importance sampling, and its Monte Carlo SE. */
    readonly minus2LogLikelihood: number;
    readonly mcError: number;
    readonly aic: number;
    readonly bic: number;
    readonly samples: number;
  };
}

export class SaemError extends Error {
  override name = 'SaemError';
}

const LOG_2PI = Math.log(2 * Math.PI);
/** Words reserved per iteration in each chain's stream (iteration k starts at k * 2^32). */
const WORDS_PER_ITERATION = 4294967296;
const MAX_ITERATIONS = 2 ** 20;
const ACCEPT_TARGET = 0.4;
const ADAPT_RATE = 0.4;
const ANNEAL = 0.95;
const MIN_VARIANCE = 1e-12;
const T_DF = 5;

function toPhi(tr: ParameterTransform, psi: number): number {
  return tr === 'log' ? Math.log(psi) : tr === 'logit' ? Math.log(psi / (1 - psi)) : psi;
}

function toPsi(tr: ParameterTransform, phi: number): number {
  return tr === 'log' ? Math.exp(phi) : tr === 'logit' ? 1 / (1 + Math.exp(-phi)) : phi;
}

/** d psi / d phi, for delta-method standard errors. */
function dPsi(tr: ParameterTransform, phi: number): number {
  if (tr === 'log') return Math.exp(phi);
  if (tr === 'logit') {
    const s = 1 / (1 + Math.exp(-phi));
    return s * (1 - s);
  }
  return 1;
}

/** log Gamma(x) for x a positive multiple of 1/2 (exact recursion from Gamma(1) = 1, Gamma(1/2) = sqrt(pi)). */
function logGammaHalf(x: number): number {
  let s = 0;
  let y = x;
  while (y > 1.25) {
    y -= 1;
    s += Math.log(y);
  }
  return Math.abs(y - 0.5) < 1e-9 ? s + 0.5 * Math.log(Math.PI) : s;
}

interface Subject {
  readonly id: string;
  readonly n: number;
  readonly times: Float64Array;
  /** log10 of the value (or of the limit when censored). */
  readonly z: Float64Array;
  readonly censored: Uint8Array;
  readonly nCensored: number;
}

function prepareData(data: readonly Series[]): Subject[] {
  if (data.length === 0) throw new SaemError('saem: no subjects in the data');
  return data.map((s, i) => {
    const n = s.observations.length;
    if (n === 0)
      throw new SaemError(`saem: series '${s.id}' (subject ${i}): expected observations, got none`);
    const times = new Float64Array(n);
    const z = new Float64Array(n);
    const censored = new Uint8Array(n);
    let nc = 0;
    s.observations.forEach((o, j) => {
      if (!Number.isFinite(o.t))
        throw new SaemError(
          `saem: series '${s.id}' observation ${j}: field 't': expected a finite number, got ${o.t}`,
        );
      if (!(o.value > 0) || !Number.isFinite(o.value))
        throw new SaemError(
          `saem: series '${s.id}' observation ${j}: field 'value': expected a positive finite number, got ${o.value}`,
        );
      times[j] = o.t;
      z[j] = Math.log10(o.value);
      censored[j] = o.censored ? 1 : 0;
      if (o.censored) nc++;
    });
    return { id: s.id, n, times, z, censored, nCensored: nc };
  });
}

function positiveInteger(name: string, v: number): number {
  if (!Number.isInteger(v) || v < 0)
    throw new SaemError(`saem: option '${name}': expected an integer >= 0, got ${v}`);
  return v;
}

/** The settings after defaults and checks. */
interface Settings {
  readonly p: number;
  readonly transforms: ParameterTransform[];
  readonly random: boolean[];
  readonly full: boolean;
  readonly mu0: Float64Array;
  readonly omega0: Float64Array;
  readonly sigma0: number;
  readonly estimateSigma: boolean;
  readonly K1: number;
  readonly K2: number;
  readonly kernels: readonly [number, number, number];
  readonly chains: number;
  readonly annealing: number;
  readonly floor: number;
  readonly importanceSamples: number;
  readonly standardErrors: boolean;
  readonly modes: boolean;
}

function settings(model: PopulationModel, N: number, o: SaemOptions): Settings {
  const p = model.names.length;
  if (p === 0) throw new SaemError('saem: the model has no parameters');
  const perParameter = <T>(name: string, v: ArrayLike<T> | undefined, dflt: T): T[] => {
    if (v === undefined) return Array.from({ length: p }, () => dflt);
    if (v.length !== p)
      throw new SaemError(
        `saem: option '${name}': expected ${p} entries (${model.names.join(', ')}), got ${v.length}`,
      );
    return Array.from(v);
  };
  const transforms = perParameter<ParameterTransform>('transforms', o.transforms, 'log');
  const random = perParameter<boolean>('randomEffects', o.randomEffects, true);
  const initial = perParameter<number>('initial', o.initial, Number.NaN);
  const omega = perParameter<number>('omega', o.omega, 1);
  const mu0 = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    const tr = transforms[j];
    if (tr !== 'log' && tr !== 'logit' && tr !== 'normal')
      throw new SaemError(
        `saem: option 'transforms' entry ${j}: expected 'log', 'logit' or 'normal', got '${tr}'`,
      );
    const v = initial[j];
    const ok = Number.isFinite(v) && (tr === 'log' ? v > 0 : tr === 'logit' ? v > 0 && v < 1 : true);
    if (!ok)
      throw new SaemError(
        `saem: option 'initial' entry ${j} (${model.names[j]}): expected ${
          tr === 'log' ? 'a positive number' : tr === 'logit' ? 'a number in (0, 1)' : 'a finite number'
        }, got ${v}`,
      );
    mu0[j] = toPhi(tr, v);
    if (!(omega[j] > 0) || !Number.isFinite(omega[j]))
      throw new SaemError(
        `saem: option 'omega' entry ${j} (${model.names[j]}): expected a positive SD, got ${omega[j]}`,
      );
  }
  const sigma0 = o.sigma ?? 0.5;
  if (!(sigma0 > 0) || !Number.isFinite(sigma0))
    throw new SaemError(`saem: option 'sigma': expected a positive number, got ${sigma0}`);
  const K1 = positiveInteger('burnIn', o.burnIn ?? 300);
  const K2 = positiveInteger('averaging', o.averaging ?? 100);
  if (K1 + K2 < 1 || K1 + K2 >= MAX_ITERATIONS)
    throw new SaemError(
      `saem: burnIn + averaging: expected between 1 and ${MAX_ITERATIONS - 1}, got ${K1 + K2}`,
    );
  const kernels = o.kernels ?? [2, 2, 2];
  if (
    kernels.length !== 3 ||
    kernels.some((x) => !Number.isInteger(x) || x < 0) ||
    kernels.every((x) => x === 0)
  )
    throw new SaemError(
      `saem: option 'kernels': expected three integers >= 0, not all 0, got [${kernels.join(', ')}]`,
    );
  const chains = o.chains ?? Math.max(1, Math.ceil(50 / N));
  if (!Number.isInteger(chains) || chains < 1)
    throw new SaemError(`saem: option 'chains': expected an integer >= 1, got ${chains}`);
  const cov = o.covariance ?? 'diagonal';
  if (cov !== 'diagonal' && cov !== 'full')
    throw new SaemError(`saem: option 'covariance': expected 'diagonal' or 'full', got '${cov}'`);
  const floor = o.floor ?? 1e-12;
  if (!(floor > 0)) throw new SaemError(`saem: option 'floor': expected a positive number, got ${floor}`);
  return {
    p,
    transforms,
    random,
    full: cov === 'full',
    mu0,
    omega0: Float64Array.from(omega),
    sigma0,
    estimateSigma: o.estimateSigma ?? true,
    K1,
    K2,
    kernels: [kernels[0], kernels[1], kernels[2]],
    chains,
    annealing: positiveInteger('annealing', o.annealing ?? Math.floor(K1 / 2)),
    floor,
    importanceSamples: positiveInteger('importanceSamples', o.importanceSamples ?? 0),
    standardErrors: o.standardErrors ?? true,
    modes: o.modes ?? true,
  };
}

/** Fits the population model to the series (subject i = data[i]) by SAEM; see the module comment. */
export function saem(model: PopulationModel, data: readonly Series[], options: SaemOptions): SaemResult {
  const subjects = prepareData(data);
  const N = subjects.length;
  const S = settings(model, N, options);
  const { p, transforms, random, chains: L, floor } = S;
  const K = S.K1 + S.K2;
  const nMax = subjects.reduce((m, s) => Math.max(m, s.n), 0);
  const nObs = subjects.reduce((m, s) => m + s.n, 0);
  const rIdx = Int32Array.from(random.flatMap((r, j) => (r ? [j] : [])));
  const q = rIdx.length;

  // Population parameters and their factorisation.
  const mu = Float64Array.from(S.mu0);
  const omega = new Float64Array(p * p);
  // Non-random components keep a unit variance that is never used: the kernels do not move them (phi_j = mu_j).
  for (let j = 0; j < p; j++) omega[j * p + j] = random[j] ? S.omega0[j] * S.omega0[j] : 1;
  const fIdx = Int32Array.from(random.flatMap((r, j) => (r ? [] : [j])));
  let sigma2 = S.sigma0 * S.sigma0;
  const chol = new Float64Array(p * p);
  const factor = () => {
    if (cholesky(omega, p, chol)) return;
    // A full Omega can lose definiteness by rounding: add a relative jitter to the diagonal until it factors.
    for (let e = 1e-12; e < 1; e *= 10) {
      for (let j = 0; j < p; j++) omega[j * p + j] *= 1 + e;
      if (cholesky(omega, p, chol)) return;
    }
    throw new SaemError('saem: Omega is not positive definite');
  };
  factor();

  // Per-subject work buffers (allocated once).
  const psi = new Float64Array(p);
  const fBuf = new Float64Array(nMax);
  const gProp = new Float64Array(nMax);
  const phiProp = new Float64Array(p);
  const work = new Float64Array(p);
  const chainPhi = new Float64Array(N * L * p);
  const chainG = subjects.map((s) => Array.from({ length: L }, () => new Float64Array(s.n)));
  /** Views of chainPhi per chain (i * L + c), made once so the iterations create no views. */
  const chainView = Array.from({ length: N * L }, (_, x) => chainPhi.subarray(x * p, (x + 1) * p));
  const chainLL = new Float64Array(N * L);
  const streams: RandomStream[] = [];
  for (let i = 0; i < N; i++)
    for (let c = 0; c < L; c++)
      streams.push(streamFor(options.seed, ['purpose', 'saem'], ['subject', i], ['chain', c]));

  /** log p(y_i | phi) without constants (observed-data: Tobit for censored points); fills g with log10 f. */
  const logLik = (i: number, phi: Float64Array, g: Float64Array): number => {
    const s = subjects[i];
    for (let j = 0; j < p; j++) psi[j] = toPsi(transforms[j], phi[j]);
    if (!model.predict(i, psi, s.times, fBuf)) return Number.NEGATIVE_INFINITY;
    const sd = Math.sqrt(sigma2);
    let ll = 0;
    for (let k = 0; k < s.n; k++) {
      const gk = Math.log10(Math.max(fBuf[k], floor));
      g[k] = gk;
      const r = (s.z[k] - gk) / sd;
      ll += s.censored[k] ? logNormalCdf(r) : -0.5 * r * r;
    }
    return Number.isNaN(ll) ? Number.NEGATIVE_INFINITY : ll;
  };
  /** -1/2 (phi - mu)^T Omega^-1 (phi - mu). */
  const logPrior = (phi: Float64Array): number => {
    for (let j = 0; j < p; j++) work[j] = phi[j] - mu[j];
    return -0.5 * forwardSolveNorm2(chol, p, work);
  };
  /** Recompute every chain's log-likelihood (sigma changed). */
  const refreshLL = () => {
    for (let i = 0; i < N; i++)
      for (let c = 0; c < L; c++) {
        const s = subjects[i];
        const g = chainG[i][c];
        const sd = Math.sqrt(sigma2);
        let ll = 0;
        for (let k = 0; k < s.n; k++) {
          const r = (s.z[k] - g[k]) / sd;
          ll += s.censored[k] ? logNormalCdf(r) : -0.5 * r * r;
        }
        chainLL[i * L + c] = Number.isNaN(ll) ? Number.NEGATIVE_INFINITY : ll;
      }
  };

  /** Recompute every chain's predictions and log-likelihood (fixed-only components changed). */
  const repredict = () => {
    for (let i = 0; i < N; i++)
      for (let c = 0; c < L; c++) {
        const phi = chainView[i * L + c];
        for (let x = 0; x < fIdx.length; x++) phi[fIdx[x]] = mu[fIdx[x]];
        chainLL[i * L + c] = logLik(i, phi, chainG[i][c]);
      }
  };
  const fixedStart = new Float64Array(fIdx.length);
  const fixedStep = new Float64Array(fIdx.length).fill(0.1);
  /** M-step of the fixed-only components: maximise sum of log p(y_i | phi_ic) over them, then an SA step. */
  const updateFixed = (gammaK: number) => {
    for (let a = 0; a < fIdx.length; a++) fixedStart[a] = mu[fIdx[a]];
    const r = nelderMead(
      (x) => {
        let sum = 0;
        for (let i = 0; i < N; i++)
          for (let c = 0; c < L; c++) {
            phiProp.set(chainView[i * L + c]);
            for (let a = 0; a < fIdx.length; a++) phiProp[fIdx[a]] = x[a];
            sum += logLik(i, phiProp, gProp);
          }
        return -sum / L;
      },
      fixedStart,
      { step: fixedStep, fTol: 1e-6, xTol: 1e-5, maxEvaluations: 60 * fIdx.length, restarts: 0 },
    );
    for (let a = 0; a < fIdx.length; a++) mu[fIdx[a]] += gammaK * (r.x[a] - mu[fIdx[a]]);
  };

  // Initial states: every chain at mu.
  for (let i = 0; i < N; i++)
    for (let c = 0; c < L; c++) {
      const phi = chainView[i * L + c];
      phi.set(mu);
      const ll = logLik(i, phi, chainG[i][c]);
      if (ll === Number.NEGATIVE_INFINITY)
        throw new SaemError(
          `saem: series '${subjects[i].id}': the model cannot be evaluated at the initial values (predict failed or not finite)`,
        );
      chainLL[i * L + c] = ll;
    }

  // Stochastic approximation state.
  const s1 = new Float64Array(p);
  const s2 = new Float64Array(p * p);
  let s3 = 0;
  const t1 = new Float64Array(p);
  const t2 = new Float64Array(p * p);
  const scaleFull = { v: 0.4 };
  const scaleComp = new Float64Array(p).fill(0.4);
  const accepted = new Float64Array(3 + p);
  const proposed = new Float64Array(3 + p);
  const accPhase2 = new Float64Array(3);
  const propPhase2 = new Float64Array(3);
  const trajMu = new Float64Array(K * p);
  const trajOmega = new Float64Array(K * p);
  const trajSigma = new Float64Array(K);

  // Conditional moments (K2 phase).
  const condMean = new Float64Array(N * p);
  const condSecond = new Float64Array(N * p * p);
  const condPsi = new Float64Array(N * p);

  // Louis: parameters (mu_R, Omega_R elements, sigma2).
  const pairs: [number, number][] = [];
  for (let a = 0; a < q; a++)
    if (S.full) for (let b = a; b < q; b++) pairs.push([a, b]);
    else pairs.push([a, a]);
  const pairA = Int32Array.from(pairs, (x) => x[0]);
  const pairB = Int32Array.from(pairs, (x) => x[1]);
  const P = q + pairs.length + (S.estimateSigma ? 1 : 0);
  const doSe = S.standardErrors && P > 0;
  const louisD = doSe ? new Float64Array(N * P) : new Float64Array(0);
  const louisG = doSe ? new Float64Array(N * P * P) : new Float64Array(0);
  const grad = new Float64Array(P);
  const hess = new Float64Array(P * P);
  const meanGrad = new Float64Array(P);
  const meanGG = new Float64Array(P * P);
  const omegaRR = new Float64Array(q * q);
  const cholRR = new Float64Array(q * q);
  const invRR = new Float64Array(q * q);
  const vR = new Float64Array(q);
  const workR = new Float64Array(q);

  const mh = (i: number, c: number, logTargetProp: number, llProp: number, rs: RandomStream, k: number) => {
    // Accept phiProp with log-ratio logTargetProp (already the difference); updates the chain on acceptance.
    proposed[k]++;
    if (logTargetProp === Number.NEGATIVE_INFINITY || !(Math.log(rs.nextFloat64Open()) < logTargetProp))
      return false;
    accepted[k]++;
    const o = (i * L + c) * p;
    for (let j = 0; j < p; j++) chainPhi[o + j] = phiProp[j];
    const g = chainG[i][c];
    for (let j = 0; j < g.length; j++) g[j] = gProp[j];
    chainLL[i * L + c] = llProp;
    return true;
  };

  for (let k = 1; k <= K; k++) {
    const phase2 = k > S.K1;
    const gammaK = phase2 ? 1 / (k - S.K1) : 1;
    accepted.fill(0);
    proposed.fill(0);
    t1.fill(0);
    t2.fill(0);
    let t3 = 0;
    if (doSe && phase2) {
      for (let a = 0; a < q; a++)
        for (let b = 0; b < q; b++) omegaRR[a * q + b] = omega[rIdx[a] * p + rIdx[b]];
      if (q > 0) {
        cholesky(omegaRR, q, cholRR);
        inverseFromCholesky(cholRR, q, invRR, workR);
      }
    }
    for (let i = 0; i < N; i++) {
      const s = subjects[i];
      if (doSe && phase2) {
        meanGrad.fill(0);
        meanGG.fill(0);
      }
      for (let c = 0; c < L; c++) {
        const rs = streams[i * L + c];
        rs.seek(k * WORDS_PER_ITERATION);
        const phi = chainView[i * L + c];
        // Kernel 1: independent proposals from N(mu, Omega).
        for (let m = 0; m < S.kernels[0]; m++) {
          for (let j = 0; j < p; j++) work[j] = standardNormal(rs);
          for (let a = 0; a < p; a++) {
            let v = mu[a];
            for (let b = 0; b <= a; b++) v += chol[a * p + b] * work[b];
            phiProp[a] = v;
          }
          for (let x = 0; x < fIdx.length; x++) phiProp[fIdx[x]] = mu[fIdx[x]];
          const ll = logLik(i, phiProp, gProp);
          mh(i, c, ll - chainLL[i * L + c], ll, rs, 0);
        }
        // Kernel 2: full random walk with covariance scaleFull^2 Omega.
        for (let m = 0; m < S.kernels[1]; m++) {
          for (let j = 0; j < p; j++) work[j] = standardNormal(rs);
          for (let a = 0; a < p; a++) {
            let v = 0;
            for (let b = 0; b <= a; b++) v += chol[a * p + b] * work[b];
            phiProp[a] = phi[a] + scaleFull.v * v;
          }
          for (let x = 0; x < fIdx.length; x++) phiProp[fIdx[x]] = mu[fIdx[x]];
          const lpOld = logPrior(phi);
          const lpNew = logPrior(phiProp);
          const ll = logLik(i, phiProp, gProp);
          mh(i, c, ll + lpNew - chainLL[i * L + c] - lpOld, ll, rs, 1);
        }
        // Kernel 3: component-wise random walks.
        for (let m = 0; m < S.kernels[2]; m++)
          for (let x = 0; x < q; x++) {
            const j = rIdx[x];
            phiProp.set(phi);
            phiProp[j] += scaleComp[j] * Math.sqrt(omega[j * p + j]) * standardNormal(rs);
            const lpOld = logPrior(phi);
            const lpNew = logPrior(phiProp);
            const ll = logLik(i, phiProp, gProp);
            if (mh(i, c, ll + lpNew - chainLL[i * L + c] - lpOld, ll, rs, 2)) accepted[3 + j]++;
            proposed[3 + j]++;
          }
        // Censored log-observations from the normal truncated above at the limit; residual sum of squares.
        const g = chainG[i][c];
        const sd = Math.sqrt(sigma2);
        let ss = 0;
        for (let j = 0; j < s.n; j++) {
          const zj = s.censored[j] ? normalBelow(rs, g[j], sd, s.z[j]) : s.z[j];
          const r = zj - g[j];
          ss += r * r;
        }
        t3 += ss;
        for (let a = 0; a < p; a++) {
          t1[a] += phi[a];
          for (let b = 0; b < p; b++) t2[a * p + b] += phi[a] * phi[b];
        }
        if (phase2) {
          const cm = i * p;
          for (let a = 0; a < p; a++) {
            condMean[cm + a] += (gammaK / L) * phi[a] - (c === 0 ? gammaK * condMean[cm + a] : 0);
            condPsi[cm + a] +=
              (gammaK / L) * toPsi(transforms[a], phi[a]) - (c === 0 ? gammaK * condPsi[cm + a] : 0);
            for (let b = 0; b < p; b++) {
              const x = i * p * p + a * p + b;
              condSecond[x] += (gammaK / L) * phi[a] * phi[b] - (c === 0 ? gammaK * condSecond[x] : 0);
            }
          }
          if (doSe) {
            completeDerivatives(phi, ss, s.n);
            for (let a = 0; a < P; a++) {
              meanGrad[a] += grad[a] / L;
              for (let b = 0; b < P; b++) meanGG[a * P + b] += (hess[a * P + b] + grad[a] * grad[b]) / L;
            }
          }
        }
      }
      if (doSe && phase2)
        for (let a = 0; a < P; a++) {
          louisD[i * P + a] += gammaK * (meanGrad[a] - louisD[i * P + a]);
          for (let b = 0; b < P; b++) {
            const x = i * P * P + a * P + b;
            louisG[x] += gammaK * (meanGG[a * P + b] - louisG[x]);
          }
        }
    }
    // Stochastic approximation of the sufficient statistics (chain averages).
    for (let a = 0; a < p; a++) s1[a] += gammaK * (t1[a] / L - s1[a]);
    for (let a = 0; a < p * p; a++) s2[a] += gammaK * (t2[a] / L - s2[a]);
    s3 += gammaK * (t3 / L - s3);
    // Maximisation.
    for (let x = 0; x < q; x++) mu[rIdx[x]] = s1[rIdx[x]] / N;
    const anneal = k <= S.annealing;
    for (let a = 0; a < p; a++) {
      if (!random[a]) continue;
      const v = Math.max(s2[a * p + a] / N - mu[a] * mu[a], MIN_VARIANCE);
      work[a] = anneal ? Math.max(v, ANNEAL * omega[a * p + a]) : v;
      // Scale factor from the M-step variance to the (possibly annealed) one, for the off-diagonal terms.
      phiProp[a] = Math.sqrt(work[a] / v);
    }
    for (let a = 0; a < p; a++) {
      if (!random[a]) continue;
      for (let b = 0; b < p; b++) {
        if (a === b) omega[a * p + a] = work[a];
        else if (!random[b] || !S.full) omega[a * p + b] = 0;
        else omega[a * p + b] = (s2[a * p + b] / N - mu[a] * mu[b]) * phiProp[a] * phiProp[b];
      }
    }
    factor();
    if (S.estimateSigma) {
      const v = s3 / nObs;
      sigma2 = anneal ? Math.max(v, ANNEAL * sigma2) : v;
    }
    if (fIdx.length > 0) {
      updateFixed(gammaK);
      repredict();
    } else if (S.estimateSigma) refreshLL();
    // Adapt the random-walk scales towards acceptance 0.4 during burn-in.
    if (!phase2) {
      if (proposed[1] > 0)
        scaleFull.v = clampScale(
          scaleFull.v * (1 + ADAPT_RATE * (accepted[1] / proposed[1] - ACCEPT_TARGET)),
        );
      for (let j = 0; j < p; j++)
        if (proposed[3 + j] > 0)
          scaleComp[j] = clampScale(
            scaleComp[j] * (1 + ADAPT_RATE * (accepted[3 + j] / proposed[3 + j] - ACCEPT_TARGET)),
          );
    } else
      for (let m = 0; m < 3; m++) {
        accPhase2[m] += accepted[m];
        propPhase2[m] += proposed[m];
      }
    for (let a = 0; a < p; a++) {
      trajMu[(k - 1) * p + a] = toPsi(transforms[a], mu[a]);
      trajOmega[(k - 1) * p + a] = random[a] ? Math.sqrt(omega[a * p + a]) : 0;
    }
    trajSigma[k - 1] = Math.sqrt(sigma2);
    if (options.onIteration)
      options.onIteration({
        iteration: k,
        phase: phase2 ? 'averaging' : 'burn-in',
        mu: trajMu.slice((k - 1) * p, k * p),
        omega: trajOmega.slice((k - 1) * p, k * p),
        sigma: Math.sqrt(sigma2),
        acceptance: Float64Array.from([0, 1, 2], (m) =>
          proposed[m] > 0 ? accepted[m] / proposed[m] : Number.NaN,
        ),
      });
  }

  /** Gradient and Hessian of one subject's complete-data log-likelihood in (mu_R, Omega_R elements, sigma2). */
  function completeDerivatives(phi: Float64Array, ss: number, n: number): void {
    grad.fill(0);
    hess.fill(0);
    for (let a = 0; a < q; a++) workR[a] = phi[rIdx[a]] - mu[rIdx[a]];
    gaussianDerivatives(workR, invRR, q, pairA, pairB, grad, hess, P, vR);
    if (S.estimateSigma) {
      // Residual part -n/2 log s - SS/(2 s) in s = sigma^2.
      grad[P - 1] = -n / (2 * sigma2) + ss / (2 * sigma2 * sigma2);
      hess[P * P - 1] = n / (2 * sigma2 * sigma2) - ss / (sigma2 * sigma2 * sigma2);
    }
  }

  // Per-subject conditional summaries and modes.
  const subjectsOut: SubjectEstimate[] = subjects.map((s, i) => {
    const meanPhi = condMean.slice(i * p, (i + 1) * p);
    const sdPhi = new Float64Array(p);
    for (let a = 0; a < p; a++)
      sdPhi[a] = Math.sqrt(Math.max(condSecond[i * p * p + a * p + a] - meanPhi[a] * meanPhi[a], 0));
    const out: SubjectEstimate = { id: s.id, meanPhi, sdPhi, meanPsi: condPsi.slice(i * p, (i + 1) * p) };
    if (!S.modes || q === 0 || S.K2 === 0) return out;
    const phi = Float64Array.from(mu);
    const g = new Float64Array(s.n);
    const x0 = Float64Array.from(rIdx, (j) => meanPhi[j]);
    const r = nelderMead(
      (x) => {
        for (let a = 0; a < q; a++) phi[rIdx[a]] = x[a];
        const ll = logLik(i, phi, g);
        return -(ll + logPrior(phi));
      },
      x0,
      {
        step: Float64Array.from(rIdx, (j) => Math.max(sdPhi[j], 1e-3)),
        fTol: 1e-10,
        xTol: 1e-7,
        maxEvaluations: 400 * q,
      },
    );
    for (let a = 0; a < q; a++) phi[rIdx[a]] = r.x[a];
    return { ...out, modePsi: Float64Array.from(phi, (v, j) => toPsi(transforms[j], v)) };
  });

  const omegaOut = Float64Array.from(omega);
  for (let a = 0; a < p; a++)
    if (!random[a]) for (let b = 0; b < p; b++) omegaOut[a * p + b] = omegaOut[b * p + a] = 0;

  const result: SaemResult = {
    names: [...model.names],
    transforms,
    randomEffects: random,
    covariance: S.full ? 'full' : 'diagonal',
    mu: Float64Array.from(mu, (v, j) => toPsi(transforms[j], v)),
    muPhi: Float64Array.from(mu),
    omega: omegaOut,
    omegaSd: Float64Array.from({ length: p }, (_, j) => Math.sqrt(omegaOut[j * p + j])),
    sigma: Math.sqrt(sigma2),
    burnIn: S.K1,
    averaging: S.K2,
    chains: L,
    trajectory: { mu: trajMu, omega: trajOmega, sigma: trajSigma },
    acceptance: Float64Array.from([0, 1, 2], (m) =>
      propPhase2[m] > 0 ? accPhase2[m] / propPhase2[m] : Number.NaN,
    ),
    subjects: subjectsOut,
  };

  const withSe = doSe && S.K2 > 0 ? { ...result, standardErrors: louisErrors() } : result;
  if (S.importanceSamples === 0) return withSe;
  return { ...withSe, likelihood: importanceSampling() };

  function louisErrors(): SaemStandardErrors {
    // Observed information: -sum_i (E[d2 L_i + dL_i dL_i^T] - E[dL_i] E[dL_i]^T).
    const info = new Float64Array(P * P);
    for (let i = 0; i < N; i++)
      for (let a = 0; a < P; a++)
        for (let b = 0; b < P; b++)
          info[a * P + b] -= louisG[i * P * P + a * P + b] - louisD[i * P + a] * louisD[i * P + b];
    for (let a = 0; a < P; a++)
      for (let b = 0; b < a; b++)
        info[a * P + b] = info[b * P + a] = 0.5 * (info[a * P + b] + info[b * P + a]);
    const cov = invertSpd(info, P);
    const se = (ix: number) => (cov ? Math.sqrt(Math.max(cov[ix * P + ix], 0)) : Number.NaN);
    const labels: string[] = [];
    const estimates = new Float64Array(P);
    const seMu = new Float64Array(p).fill(Number.NaN);
    const seMuNat = new Float64Array(p).fill(Number.NaN);
    const seOmega = new Float64Array(p).fill(Number.NaN);
    for (let a = 0; a < q; a++) {
      const j = rIdx[a];
      labels.push(`mu_${model.names[j]}`);
      estimates[a] = mu[j];
      seMu[j] = se(a);
      seMuNat[j] = seMu[j] * Math.abs(dPsi(transforms[j], mu[j]));
    }
    pairs.forEach(([a, b], x) => {
      const ja = rIdx[a];
      const jb = rIdx[b];
      labels.push(a === b ? `omega2_${model.names[ja]}` : `omega_${model.names[ja]}_${model.names[jb]}`);
      estimates[q + x] = omega[ja * p + jb];
      if (a === b) seOmega[ja] = se(q + x) / (2 * Math.sqrt(omega[ja * p + ja]));
    });
    let seSigma = Number.NaN;
    if (S.estimateSigma) {
      labels.push('sigma2');
      estimates[P - 1] = sigma2;
      seSigma = se(P - 1) / (2 * Math.sqrt(sigma2));
    }
    return {
      labels,
      estimates,
      information: info,
      covariance: cov,
      mu: seMu,
      muNatural: seMuNat,
      omega: seOmega,
      sigma: seSigma,
    };
  }

  function importanceSampling(): NonNullable<SaemResult['likelihood']> {
    const M = S.importanceSamples;
    const sd = Math.sqrt(sigma2);
    const phi = new Float64Array(p);
    const g = new Float64Array(nMax);
    const loc = new Float64Array(q);
    const cov = new Float64Array(q * q);
    const lq = new Float64Array(q * q);
    const z = new Float64Array(q);
    const w = new Float64Array(M);
    for (let a = 0; a < q; a++) for (let b = 0; b < q; b++) omegaRR[a * q + b] = omega[rIdx[a] * p + rIdx[b]];
    if (q > 0) cholesky(omegaRR, q, cholRR);
    const logDetOmega = q > 0 ? logDetFromCholesky(cholRR, q) : 0;
    const tConst = logGammaHalf((T_DF + q) / 2) - logGammaHalf(T_DF / 2) - 0.5 * q * Math.log(T_DF * Math.PI);
    /** Full log density of y_i given phi (log10 scale). */
    const logDensity = (i: number): number => {
      const s = subjects[i];
      for (let j = 0; j < p; j++) psi[j] = toPsi(transforms[j], phi[j]);
      if (!model.predict(i, psi, s.times, fBuf)) return Number.NEGATIVE_INFINITY;
      let ll = 0;
      for (let k = 0; k < s.n; k++) {
        g[k] = Math.log10(Math.max(fBuf[k], floor));
        const r = (s.z[k] - g[k]) / sd;
        ll += s.censored[k] ? logNormalCdf(r) : -0.5 * r * r - 0.5 * LOG_2PI - Math.log(sd);
      }
      return Number.isNaN(ll) ? Number.NEGATIVE_INFINITY : ll;
    };
    let total = 0;
    let variance = 0;
    for (let i = 0; i < N; i++) {
      phi.set(mu);
      if (q === 0) {
        total += logDensity(i);
        continue;
      }
      for (let a = 0; a < q; a++) {
        loc[a] = condMean[i * p + rIdx[a]];
        for (let b = 0; b < q; b++)
          cov[a * q + b] = condSecond[i * p * p + rIdx[a] * p + rIdx[b]] - loc[a] * loc[b];
      }
      if (S.K2 === 0 || !cholesky(cov, q, lq)) {
        // No usable conditional moments: the population law is a valid (if less efficient) proposal.
        for (let a = 0; a < q; a++) loc[a] = mu[rIdx[a]];
        lq.set(cholRR);
      }
      const logDetQ = logDetFromCholesky(lq, q);
      const rs = streamFor(options.seed, ['purpose', 'saem-importance'], ['subject', i]);
      let wMax = Number.NEGATIVE_INFINITY;
      for (let m = 0; m < M; m++) {
        let z2 = 0;
        for (let a = 0; a < q; a++) {
          z[a] = standardNormal(rs);
          z2 += z[a] * z[a];
        }
        const scale = Math.sqrt(T_DF / (2 * gammaVariate(rs, T_DF / 2)));
        for (let a = 0; a < q; a++) {
          let v = 0;
          for (let b = 0; b <= a; b++) v += lq[a * q + b] * z[b];
          phi[rIdx[a]] = loc[a] + scale * v;
        }
        const delta2 = z2 * scale * scale;
        const logQ = tConst - 0.5 * logDetQ - 0.5 * (T_DF + q) * Math.log1p(delta2 / T_DF);
        for (let a = 0; a < q; a++) workR[a] = phi[rIdx[a]] - mu[rIdx[a]];
        const logP = -0.5 * q * LOG_2PI - 0.5 * logDetOmega - 0.5 * forwardSolveNorm2(cholRR, q, workR);
        const lw = logDensity(i) + logP - logQ;
        w[m] = lw;
        if (lw > wMax) wMax = lw;
      }
      let sum = 0;
      let sumSq = 0;
      for (let m = 0; m < M; m++) {
        const e = Math.exp(w[m] - wMax);
        sum += e;
        sumSq += e * e;
      }
      const mean = sum / M;
      total += wMax + Math.log(mean);
      // Delta method: Var(log mean) = Var(w) / (M mean^2).
      variance += Math.max(sumSq / M - mean * mean, 0) / (M * mean * mean);
    }
    const nParams = p + pairs.length + (S.estimateSigma ? 1 : 0);
    const m2 = -2 * total;
    return {
      minus2LogLikelihood: m2,
      mcError: 2 * Math.sqrt(variance),
      aic: m2 + 2 * nParams,
      bic: m2 + Math.log(N) * nParams,
      samples: M,
    };
  }
}

function clampScale(s: number): number {
  return Math.min(Math.max(s, 1e-3), 1e3);
}

/** A multivariate log-normal law: means and covariance of the natural logs (names x names, row-major). */
export interface LogNormalDistribution {
  readonly names: readonly string[];
  readonly mean: Float64Array;
  readonly cov: Float64Array;
}

/**
 * The population law of the log-parameters for virtual cohorts: mean mu and covariance Omega of log psi, in the
 * form src/cohort/population.ts draws from (theta = exp(mean + L z)). Parameters without random effect get zero
 * variance. Every parameter must use the 'log' transform.
 */
export function cohortDistribution(r: SaemResult): LogNormalDistribution {
  const bad = r.transforms.findIndex((t) => t !== 'log');
  if (bad >= 0)
    throw new SaemError(
      `cohortDistribution: parameter '${r.names[bad]}' uses the '${r.transforms[bad]}' transform; a log-normal cohort needs 'log'`,
    );
  return { names: [...r.names], mean: Float64Array.from(r.muPhi), cov: Float64Array.from(r.omega) };
}
