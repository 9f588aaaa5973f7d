/**
 * Bayesian calibration by the Adaptive Metropolis algorithm (Haario, Saksman & Tamminen 2001, "An adaptive
 * Metropolis algorithm", Bernoulli 7:223-242): a Gaussian random walk whose covariance is, after a non-adaptive
 * start of t0 iterations with covariance C0, s_d (Cov(X_0..X_{t-1}) + eps I) with s_d = 2.38^2 / d, the scaling
 * that is optimal for Gaussian targets (Gelman, Roberts & Gilks 1996, Bayesian Statistics 5:599). The empirical
 * mean and covariance are updated recursively (Welford), so memory does not grow with the chain.
 *
 * Coordinates. The chain walks in the unbounded working coordinates of the ParameterSpecs (transform.ts: u = logit
 * of the position s of x in its range, linear or logarithmic), so no proposal ever leaves the box and no
 * reflection is needed. The log-Jacobian of the map is added to the target, so the prior is the one stated on the
 * natural scale:
 *   - default (no logPrior): uniform in the position s, i.e. uniform on [lo, hi] for 'linear' specs and
 *     log-uniform (density proportional to 1/x) on [lo, hi] for 'log' specs; the working-coordinate target is
 *     logL(x) + log s(1 - s) summed over the parameters;
 *   - logPrior(x) given: a log density with respect to dx on the natural scale, truncated to the box (it
 *     replaces the default); the target is logL(x) + logPrior(x) + log(dx/ds) + log s(1 - s), where
 *     log(dx/ds) = log x + const for 'log' specs and a constant for 'linear' ones.
 *
 * Two practical departures from the paper, both confined to warm-up: during the non-adaptive start the isotropic
 * step is tuned by Robbins-Monro towards acceptance 0.234 (Andrieu & Thoms 2008, Stat. Comput. 18:343), so a
 * poor initialStep cannot stall a chain; and the running moments are restarted at t0 * 2^k while t <= warmup/2
 * (windowed like Stan's warm-up), so the transient of an over-dispersed start does not inflate the covariance
 * that is kept (without this, 5-D Gaussian test chains accepted 1-5 % instead of ~30 %).
 *
 * Adaptation. By default the covariance adapts during warm-up only and is frozen afterwards, so the kept draws are
 * from a time-homogeneous (proper) Markov chain; adapt: 'always' is Haario's original (still ergodic, adaptation
 * diminishes as 1/t). Chains are started over-dispersed in the ranges and each draws from its own keyed stream
 * (seed, purpose 'mcmc', chain c): chain c's draws do not depend on how many chains run.
 */
import { type RandomStream, standardNormal, streamFor } from '../../numerics/random/index.js';
import { latinHypercube } from '../lhs.js';
import { checkSpec, fromUnit, type ParameterSpec, toUnbounded } from '../transform.js';

export class McmcError extends Error {
  override name = 'McmcError';
}

/**
 * What to sample: parameters with ranges and a likelihood over natural parameter values (in `parameters` order).
 * Give exactly one of logLikelihood or negLogLikelihood (the objective of src/fitting/objective.ts is a negative
 * log-likelihood and can be passed as is). A non-finite value rejects the proposal (a failed model solve, say).
 * The argument is a buffer reused between calls: copy it if it must be kept.
 */
export interface McmcTarget {
  readonly parameters: readonly ParameterSpec[];
  logLikelihood?(x: Float64Array): number;
  negLogLikelihood?(x: Float64Array): number;
  /** Log prior density w.r.t. dx on the natural scale (up to a constant); replaces the default range prior. */
  logPrior?(x: Float64Array): number;
}

export type StartDesign = 'spread' | 'lhs';

export interface AdaptiveMetropolisOptions {
  readonly seed: number;
  /** Chains (default 4). */
  readonly chains?: number;
  /** Warm-up iterations per chain, discarded (default 1000). */
  readonly warmup?: number;
  /** Kept draws per chain after warm-up and thinning (default 1000). */
  readonly draws?: number;
  /** Keep every thin-th post-warm-up iteration (default 1). */
  readonly thin?: number;
  /** 'warmup' (default): adapt during warm-up, then freeze; 'always': Haario's original; 'never': plain RWM. */
  readonly adapt?: 'warmup' | 'always' | 'never';
  /** t0, the iterations run with the initial covariance before adaptation (default min(200, warmup / 4), >= 1). */
  readonly adaptStart?: number;
  /** eps of Haario et al., added to the empirical covariance (working units^2; default 1e-8). */
  readonly epsilon?: number;
  /** Proposal sd per coordinate before adaptation, in logit units (default 0.1). */
  readonly initialStep?: number;
  /**
   * Starting points: 'spread' (default: a randomly shifted Halton point per chain, so each range is stratified
   * and chain c's start depends only on (seed, c)); 'lhs': a Latin hypercube over the chains (lhs.ts; chain c's
   * start then depends on the chain count); or explicit natural values, one array per chain.
   */
  readonly start?: StartDesign | readonly (readonly number[] | Float64Array)[];
  /** Starts are placed in [margin, 1 - margin] of each range's position (default 0.05). */
  readonly margin?: number;
  /** Attempts at a start with a finite target before giving up (default 100). */
  readonly maxStartTries?: number;
}

export interface McmcChain {
  /** Kept draws, natural values, row-major (draw i, parameter j at i * d + j). */
  readonly samples: Float64Array;
  /** The log-likelihood at each kept draw. */
  readonly logLikelihood: Float64Array;
  /** Accepted fraction of the post-warm-up iterations. */
  readonly acceptance: number;
  /** Accepted fraction during warm-up. */
  readonly warmupAcceptance: number;
  /** The final proposal covariance (d x d, working coordinates, including s_d). */
  readonly proposalCovariance: Float64Array;
  /** Natural values where the chain started. */
  readonly start: Float64Array;
  /** Target evaluations, including start attempts. */
  readonly evaluations: number;
}

export interface McmcResult {
  readonly names: readonly string[];
  readonly d: number;
  /** Kept draws per chain. */
  readonly draws: number;
  readonly warmup: number;
  readonly thin: number;
  readonly chains: readonly McmcChain[];
  readonly evaluations: number;
  readonly seed: number;
}

const SD_OPT = 2.38 * 2.38;

/** log(1 + e^z) without overflow. */
function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

/** First primes: Halton bases, one per parameter (more parameters than primes fall back to LHS). */
const PRIMES = [
  2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97, 101, 103,
  107, 109, 113, 127, 131, 137, 139, 149, 151, 157, 163, 167, 173, 179, 181, 191, 193, 197, 199,
];

/** Radical inverse of i in base b (the van der Corput sequence). */
function radicalInverse(i: number, b: number): number {
  let f = 1 / b;
  let r = 0;
  while (i > 0) {
    r += f * (i % b);
    i = Math.floor(i / b);
    f /= b;
  }
  return r;
}

/**
 * Start position (in [0,1)) of chain c on axis j: Halton with a Cranley-Patterson random shift per axis. The
 * first b^k chains put one point in each of the b^k strata of axis j, like a Latin hypercube, but a chain's
 * point does not depend on how many chains there are.
 */
function spreadPosition(seed: number, c: number, j: number): number {
  const shift = streamFor(seed, ['purpose', 'mcmc-start'], ['axis', j]).nextFloat64();
  const v = radicalInverse(c, PRIMES[j]) + shift;
  return v >= 1 ? v - 1 : v;
}

/** In-place lower Cholesky factor of a d x d SPD matrix (row-major, lower triangle read); false if not SPD. */
function cholesky(a: Float64Array, l: Float64Array, d: number): boolean {
  for (let i = 0; i < d; i++) {
    for (let k = 0; k <= i; k++) {
      let s = a[i * d + k];
      for (let m = 0; m < k; m++) s -= l[i * d + m] * l[k * d + m];
      if (i === k) {
        if (!(s > 0)) return false;
        l[i * d + i] = Math.sqrt(s);
      } else l[i * d + k] = s / l[k * d + k];
    }
    for (let k = i + 1; k < d; k++) l[i * d + k] = 0;
  }
  return true;
}

function positiveInt(name: string, v: number, min: number): number {
  if (!(Number.isInteger(v) && v >= min))
    throw new McmcError(`adaptiveMetropolis: option '${name}' must be an integer >= ${min}, got ${v}`);
  return v;
}

interface Resolved {
  chains: number;
  warmup: number;
  draws: number;
  thin: number;
  adapt: 'warmup' | 'always' | 'never';
  adaptStart: number;
  epsilon: number;
  initialStep: number;
  margin: number;
  maxStartTries: number;
}

function resolve(o: AdaptiveMetropolisOptions): Resolved {
  if (!Number.isFinite(o.seed))
    throw new McmcError(`adaptiveMetropolis: seed must be a finite number, got ${o.seed}`);
  const warmup = positiveInt('warmup', o.warmup ?? 1000, 0);
  const adapt = o.adapt ?? 'warmup';
  if (adapt !== 'warmup' && adapt !== 'always' && adapt !== 'never')
    throw new McmcError(
      `adaptiveMetropolis: option 'adapt' must be 'warmup', 'always' or 'never', got '${adapt}'`,
    );
  const epsilon = o.epsilon ?? 1e-8;
  if (!(epsilon > 0 && Number.isFinite(epsilon)))
    throw new McmcError(`adaptiveMetropolis: option 'epsilon' must be > 0, got ${epsilon}`);
  const initialStep = o.initialStep ?? 0.1;
  if (!(initialStep > 0 && Number.isFinite(initialStep)))
    throw new McmcError(`adaptiveMetropolis: option 'initialStep' must be > 0, got ${initialStep}`);
  const margin = o.margin ?? 0.05;
  if (!(margin >= 0 && margin < 0.5))
    throw new McmcError(`adaptiveMetropolis: option 'margin' must lie in [0, 0.5), got ${margin}`);
  return {
    chains: positiveInt('chains', o.chains ?? 4, 1),
    warmup,
    draws: positiveInt('draws', o.draws ?? 1000, 1),
    thin: positiveInt('thin', o.thin ?? 1, 1),
    adapt,
    adaptStart: positiveInt(
      'adaptStart',
      o.adaptStart ?? Math.max(1, Math.min(200, Math.floor(warmup / 4))),
      1,
    ),
    epsilon,
    initialStep,
    margin,
    maxStartTries: positiveInt('maxStartTries', o.maxStartTries ?? 100, 1),
  };
}

/** The log target in working coordinates, bound to one chain's buffers. */
function makeLogTarget(target: McmcTarget, ps: readonly ParameterSpec[], x: Float64Array) {
  const d = ps.length;
  const sign = target.logLikelihood ? 1 : -1;
  const ll = target.logLikelihood ?? target.negLogLikelihood;
  if (!ll || (target.logLikelihood && target.negLogLikelihood))
    throw new McmcError('adaptiveMetropolis: give exactly one of logLikelihood and negLogLikelihood');
  const lp = target.logPrior;
  const isLog = ps.map((p) => p.scale === 'log');
  const out = { logLik: 0 };
  /** Fills x from u, returns the log target (-Infinity if not finite) and leaves logL in out.logLik. */
  const evaluate = (u: Float64Array): number => {
    let jac = 0;
    for (let j = 0; j < d; j++) {
      const uj = u[j];
      // s = 1/(1 + e^-u); log s(1-s) = -softplus(-u) - softplus(u): the Jacobian ds/du.
      jac -= softplus(uj) + softplus(-uj);
      const s = uj >= 0 ? 1 / (1 + Math.exp(-uj)) : Math.exp(uj) / (1 + Math.exp(uj));
      x[j] = fromUnit(ps[j], s);
    }
    const l = sign * ll.call(target, x);
    out.logLik = l;
    let v = l + jac;
    if (lp) {
      v += lp.call(target, x);
      for (let j = 0; j < d; j++) if (isLog[j]) v += Math.log(x[j]);
    }
    return Number.isFinite(v) ? v : Number.NEGATIVE_INFINITY;
  };
  return { evaluate, out };
}

/** Runs one chain; all buffers are allocated here, once. */
function runChain(
  target: McmcTarget,
  ps: readonly ParameterSpec[],
  r: Resolved,
  c: number,
  startUnit: Float64Array | null,
  startNatural: Float64Array | null,
  seed: number,
): McmcChain {
  const d = ps.length;
  const stream: RandomStream = streamFor(seed, ['purpose', 'mcmc'], ['chain', c]);
  const x = new Float64Array(d);
  const { evaluate, out } = makeLogTarget(target, ps, x);
  const u = new Float64Array(d);
  const prop = new Float64Array(d);
  const z = new Float64Array(d);
  const mean = new Float64Array(d);
  const m2 = new Float64Array(d * d);
  const cov = new Float64Array(d * d);
  const chol = new Float64Array(d * d);
  const cholTrial = new Float64Array(d * d);
  const delta = new Float64Array(d);
  let evaluations = 0;

  // Start: the given point, else the design's point, else (if its target is not finite) further positions from
  // a start stream keyed by the chain, so retries too depend only on (seed, c).
  const start = new Float64Array(d);
  let lt = Number.NEGATIVE_INFINITY;
  let startStream: RandomStream | null = null;
  for (let attempt = 0; attempt < r.maxStartTries; attempt++) {
    if (attempt === 0 && startNatural) for (let j = 0; j < d; j++) u[j] = toUnbounded(ps[j], startNatural[j]);
    else {
      for (let j = 0; j < d; j++) {
        let s: number;
        if (attempt === 0 && startUnit) s = startUnit[j];
        else {
          startStream ??= streamFor(seed, ['purpose', 'mcmc-start-retry'], ['chain', c]);
          s = startStream.nextFloat64();
        }
        // Clamped off 0 and 1 (margin 0 with a zero uniform) so the logit stays finite.
        const pos = Math.min(1 - 1e-12, Math.max(1e-12, r.margin + (1 - 2 * r.margin) * s));
        u[j] = Math.log(pos / (1 - pos));
      }
    }
    lt = evaluate(u);
    evaluations++;
    if (lt > Number.NEGATIVE_INFINITY) break;
    if (startNatural && attempt === 0)
      throw new McmcError(`adaptiveMetropolis: chain ${c}: the log target at the given start is not finite`);
  }
  if (!(lt > Number.NEGATIVE_INFINITY))
    throw new McmcError(
      `adaptiveMetropolis: chain ${c}: no start with a finite log target in ${r.maxStartTries} attempts`,
    );
  start.set(x);
  let curLogLik = out.logLik;

  // Start phase proposal: C0 = lambda^2 I, lambda = initialStep at t = 0.
  let logLambda = Math.log(r.initialStep);
  for (let j = 0; j < d; j++) chol[j * d + j] = r.initialStep;
  const sd = SD_OPT / d;
  const nMin = Math.max(2 * d + 1, 20);

  const kept = r.draws;
  const samples = new Float64Array(kept * d);
  const logLik = new Float64Array(kept);
  const total = r.warmup + kept * r.thin;
  let acceptedWarm = 0;
  let acceptedPost = 0;
  let n = 0; // states in the current history window
  let nextReset = 2 * r.adaptStart;
  let k = 0;
  for (let t = 0; t < total; t++) {
    const adapting = r.adapt === 'always' || (r.adapt === 'warmup' && t < r.warmup);
    if (adapting) {
      // History windows: restart the running moments at t0 * 2^k while t <= warmup / 2, so the transient of an
      // over-dispersed start does not inflate the covariance that is kept.
      if (t === nextReset && t <= r.warmup / 2) {
        n = 0;
        mean.fill(0);
        m2.fill(0);
        nextReset *= 2;
      }
      // Welford update with the current state (the history X_0..X_t of Haario et al.).
      n++;
      for (let j = 0; j < d; j++) {
        delta[j] = u[j] - mean[j];
        mean[j] += delta[j] / n;
      }
      for (let i = 0; i < d; i++) {
        const di = u[i] - mean[i];
        for (let j = 0; j <= i; j++) m2[i * d + j] += delta[j] * di;
      }
      if (t >= r.adaptStart && n >= nMin) {
        for (let i = 0; i < d; i++)
          for (let j = 0; j <= i; j++)
            cov[i * d + j] = sd * (m2[i * d + j] / (n - 1) + (i === j ? r.epsilon : 0));
        // eps I keeps cov positive definite in exact arithmetic; if rounding defeats it, keep the last factor.
        if (cholesky(cov, cholTrial, d)) chol.set(cholTrial);
      } else if (t < r.adaptStart) {
        const lam = Math.exp(logLambda);
        for (let j = 0; j < d; j++) chol[j * d + j] = lam;
      }
    }
    // Proposal u' = u + L z.
    for (let j = 0; j < d; j++) z[j] = standardNormal(stream);
    for (let i = 0; i < d; i++) {
      let s = u[i];
      for (let j = 0; j <= i; j++) s += chol[i * d + j] * z[j];
      prop[i] = s;
    }
    const ltProp = evaluate(prop);
    evaluations++;
    const logU = Math.log(stream.nextFloat64Open());
    const logRatio = ltProp - lt;
    const accept = ltProp > Number.NEGATIVE_INFINITY && logU < logRatio;
    if (adapting && t < r.adaptStart) {
      // Start phase: Robbins-Monro on the isotropic step towards acceptance 0.234 (Andrieu & Thoms 2008, Stat.
      // Comput. 18:343, Alg. 4), so a poor initialStep does not stall the chain before the covariance is learnt.
      const alpha = ltProp > Number.NEGATIVE_INFINITY ? Math.min(1, Math.exp(logRatio)) : 0;
      logLambda += (alpha - 0.234) / Math.sqrt(t + 1);
    }
    if (accept) {
      u.set(prop);
      lt = ltProp;
      curLogLik = out.logLik;
      if (t < r.warmup) acceptedWarm++;
      else acceptedPost++;
    }
    if (t >= r.warmup && (t - r.warmup + 1) % r.thin === 0) {
      for (let j = 0; j < d; j++) samples[k * d + j] = fromUnit(ps[j], logistic(u[j]));
      logLik[k] = curLogLik;
      k++;
    }
  }
  // L L^T: the proposal covariance in use at the end.
  const proposalCovariance = new Float64Array(d * d);
  for (let i = 0; i < d; i++)
    for (let j = 0; j < d; j++) {
      let s = 0;
      for (let m = 0; m <= Math.min(i, j); m++) s += chol[i * d + m] * chol[j * d + m];
      proposalCovariance[i * d + j] = s;
    }
  return {
    samples,
    logLikelihood: logLik,
    acceptance: acceptedPost / (kept * r.thin),
    warmupAcceptance: r.warmup > 0 ? acceptedWarm / r.warmup : Number.NaN,
    proposalCovariance,
    start,
    evaluations,
  };
}

function logistic(u: number): number {
  return u >= 0 ? 1 / (1 + Math.exp(-u)) : Math.exp(u) / (1 + Math.exp(u));
}

/** Adaptive Metropolis on a bounded target: several over-dispersed chains, draws per chain, acceptance rates. */
export function adaptiveMetropolis(target: McmcTarget, options: AdaptiveMetropolisOptions): McmcResult {
  const ps = target.parameters;
  if (!Array.isArray(ps) || ps.length === 0)
    throw new McmcError('adaptiveMetropolis: need at least one parameter');
  for (const p of ps) checkSpec(p);
  const r = resolve(options);
  const d = ps.length;
  const seed = options.seed;
  const start = options.start ?? 'spread';
  let lhs: Float64Array | null = null;
  if (start === 'lhs') lhs = latinHypercube(r.chains, d, seed, 'mcmc-start');
  else if (start !== 'spread') {
    if (!Array.isArray(start) || start.length !== r.chains)
      throw new McmcError(
        `adaptiveMetropolis: option 'start' must be 'spread', 'lhs' or one array per chain (${r.chains}), got ${
          Array.isArray(start) ? `${start.length} arrays` : String(start)
        }`,
      );
    start.forEach((s, c) => {
      if (s.length !== d)
        throw new McmcError(`adaptiveMetropolis: start of chain ${c} has ${s.length} values, expected ${d}`);
      for (let j = 0; j < d; j++)
        if (!(s[j] > ps[j].lo && s[j] < ps[j].hi))
          throw new McmcError(
            `adaptiveMetropolis: start of chain ${c}: '${ps[j].name}' = ${s[j]} must lie strictly inside [${ps[j].lo}, ${ps[j].hi}]`,
          );
    });
  }
  const chains: McmcChain[] = [];
  for (let c = 0; c < r.chains; c++) {
    let unit: Float64Array | null = null;
    let natural: Float64Array | null = null;
    if (Array.isArray(start)) natural = Float64Array.from(start[c]);
    else if (lhs) unit = lhs.subarray(c * d, (c + 1) * d);
    else if (d <= PRIMES.length) {
      unit = new Float64Array(d);
      for (let j = 0; j < d; j++) unit[j] = spreadPosition(seed, c, j);
    } else {
      // Beyond the prime table: independent uniform positions from the chain's own start stream.
      const s = streamFor(seed, ['purpose', 'mcmc-start'], ['chain', c]);
      unit = new Float64Array(d);
      for (let j = 0; j < d; j++) unit[j] = s.nextFloat64();
    }
    chains.push(runChain(target, ps, r, c, unit, natural, seed));
  }
  return {
    names: ps.map((p) => p.name),
    d,
    draws: r.draws,
    warmup: r.warmup,
    thin: r.thin,
    chains,
    evaluations: chains.reduce((a, ch) => a + ch.evaluations, 0),
    seed,
  };
}

/** One parameter's kept draws, one array per chain (the input of the diagnostics). */
export function parameterDraws(result: McmcResult, parameter: string | number): Float64Array[] {
  const j = typeof parameter === 'number' ? parameter : result.names.indexOf(parameter);
  if (!(Number.isInteger(j) && j >= 0 && j < result.d))
    throw new McmcError(`parameterDraws: unknown parameter '${parameter}' (have ${result.names.join(', ')})`);
  return result.chains.map((ch) => {
    const out = new Float64Array(result.draws);
    for (let i = 0; i < result.draws; i++) out[i] = ch.samples[i * result.d + j];
    return out;
  });
}
