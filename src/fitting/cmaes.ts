/**
 * CMA-ES, the covariance matrix adaptation evolution strategy, exactly as in Hansen's tutorial (N. Hansen, "The CMA
 * Evolution Strategy: A Tutorial", arXiv:1604.00772, 2016; Table 1 default strategy parameters including the
 * negative "active" weights, Fig. 6 update equations, Appendix B.3 termination criteria), with IPOP restarts:
 * after a run stops, a new run starts from a uniformly random mean with the population doubled, which makes the
 * search increasingly global on multimodal landscapes (Auger & Hansen 2005, IEEE CEC 2005, 1769-1776).
 *
 * Boundary handling: the search runs in the parameters' range positions s in [0,1] (toUnit/fromUnit: linear or
 * log), and a sampled coordinate z is mapped into the box by the periodic reflection s = |z - 2 round(z/2)|
 * (a triangle wave, the identity on [0,1]). Unlike the logit map used by Nelder-Mead (transform.ts), this keeps the
 * problem's conditioning in the interior unchanged and lets the search reach an optimum that lies on a bound at a
 * finite step size (the logit map sends such optima to infinity, where CMA-ES would have to let sigma grow without
 * end); unlike a penalty, no evaluation is wasted. Every evaluated point is inside [lo, hi]. The adaptation uses the
 * unreflected samples, as for the repair-free transformation approach of Hansen's reference code (cma.py
 * BoundTransform); the mean is reduced modulo the period 2, which leaves the sampled distribution in the box
 * unchanged and keeps the mean bounded.
 *
 * Randomness: run r draws from the keyed stream (seed, purpose 'cmaes', run r), so a result is reproducible bit for
 * bit from its seed. Work arrays are allocated once per run; the generation loop allocates nothing.
 */

import { symmetricEigenInPlace } from '../numerics/linalg/symmetric-eigen.js';
import { standardNormal, streamFor } from '../numerics/random/index.js';
import { checkSpec, defaultInitial, fromUnit, type ParameterSpec, toUnit } from './transform.js';

export interface CmaesOptions {
  /** Seed of the keyed sampling streams (purpose 'cmaes'). */
  seed: number;
  /** Initial step size in range positions (default 0.3: about a third of each range, Hansen's advice). */
  sigma0?: number;
  /** Population size lambda of the first run (default 4 + floor(3 ln n)). */
  populationSize?: number;
  /** Objective evaluations over all runs (default 1000 n^2, at least 10 000). */
  maxEvaluations?: number;
  /** IPOP restarts allowed, each doubling the population (default 0). */
  restarts?: number;
  /** A run stops when the best values of the last 10 + ceil(30 n / lambda) generations and all values of the current one span <= tolFun (default 1e-12). */
  tolFun?: number;
  /** A run stops when sigma * max(|p_c,i|, sqrt(C_ii)) <= tolX for every i, in range positions (default 1e-12). */
  tolX?: number;
  /** Start mean, natural values (default the specs' initial values); restarts start at random. */
  initial?: ArrayLike<number>;
  /** Stop everything once a value <= stopValue is found (default none). */
  stopValue?: number;
  /** Called after each generation. */
  onGeneration?: (g: {
    run: number;
    generation: number;
    evaluations: number;
    best: number;
    sigma: number;
  }) => void;
}

export interface CmaesResult {
  /** Best point evaluated (natural values). */
  x: Float64Array;
  value: number;
  evaluations: number;
  /** IPOP restarts performed. */
  restarts: number;
  /** Why the last run stopped: 'tolFun', 'tolX', 'noEffectAxis', 'noEffectCoord', 'conditionCov', 'maxEvaluations', 'stopValue'. */
  stop: string;
  /** Best value so far after each generation, with the evaluations so far. */
  history: { evaluations: number; best: number }[];
}

/** Triangle wave of period 2: the identity on [0, 1], reflected at 0 and 1. */
function reflect(z: number): number {
  return Math.abs(z - 2 * Math.round(z / 2));
}

/**
 * Minimise f over the box given by `specs`. f receives natural parameter values in a buffer that is reused between
 * calls (copy it to keep it); non-finite values rank worst.
 */
export function cmaes(
  f: (x: Float64Array) => number,
  specs: readonly ParameterSpec[],
  options: CmaesOptions,
): CmaesResult {
  for (const p of specs) checkSpec(p);
  const n = specs.length;
  if (n < 1) throw new RangeError('cmaes: need at least one parameter');
  const sigma0 = options.sigma0 ?? 0.3;
  if (!(sigma0 > 0 && Number.isFinite(sigma0)))
    throw new RangeError(`cmaes: sigma0 must be > 0, got ${sigma0}`);
  const lambda0 = options.populationSize ?? 4 + Math.floor(3 * Math.log(n));
  if (!(Number.isInteger(lambda0) && lambda0 >= 2))
    throw new RangeError(`cmaes: populationSize must be an integer >= 2, got ${lambda0}`);
  const maxEval = options.maxEvaluations ?? Math.max(10_000, 1000 * n * n);
  const maxRestarts = options.restarts ?? 0;
  if (!(Number.isInteger(maxRestarts) && maxRestarts >= 0))
    throw new RangeError(`cmaes: restarts must be an integer >= 0, got ${maxRestarts}`);
  const tolFun = options.tolFun ?? 1e-12;
  const tolX = options.tolX ?? 1e-12;
  const stopValue = options.stopValue ?? Number.NEGATIVE_INFINITY;
  const start = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const v = options.initial ? options.initial[j] : defaultInitial(specs[j]);
    if (!(v >= specs[j].lo && v <= specs[j].hi))
      throw new RangeError(
        `cmaes: initial value of '${specs[j].name}' (${v}) outside [${specs[j].lo}, ${specs[j].hi}]`,
      );
    start[j] = toUnit(specs[j], v);
  }

  const xNat = new Float64Array(n);
  const bestX = new Float64Array(n);
  let bestValue = Number.POSITIVE_INFINITY;
  let evaluations = 0;
  const history: { evaluations: number; best: number }[] = [];
  let stop = '';
  let restarts = 0;
  const evaluate = (z: Float64Array, off: number): number => {
    for (let j = 0; j < n; j++) xNat[j] = fromUnit(specs[j], reflect(z[off + j]));
    evaluations++;
    const v = f(xNat);
    const value = Number.isFinite(v) ? v : Number.POSITIVE_INFINITY;
    if (value < bestValue || evaluations === 1) {
      bestValue = value;
      bestX.set(xNat);
    }
    return value;
  };

  for (let run = 0; run <= maxRestarts; run++) {
    const lambda = lambda0 * 2 ** run;
    const stream = streamFor(options.seed, ['purpose', 'cmaes'], ['run', run]);
    const mean = new Float64Array(n);
    if (run === 0) mean.set(start);
    else for (let j = 0; j < n; j++) mean[j] = stream.nextFloat64();
    stop = runCmaes(
      n,
      lambda,
      sigma0,
      mean,
      stream,
      evaluate,
      () => evaluations,
      maxEval,
      tolFun,
      tolX,
      (g, sigma) => {
        history.push({ evaluations, best: bestValue });
        options.onGeneration?.({ run, generation: g, evaluations, best: bestValue, sigma });
        return bestValue <= stopValue;
      },
    );
    if (stop === 'maxEvaluations' || stop === 'stopValue' || run === maxRestarts) break;
    restarts++;
  }
  return { x: Float64Array.from(bestX), value: bestValue, evaluations, restarts, stop, history };
}

/** One CMA-ES run from `mean` (range positions); returns the stop reason. */
function runCmaes(
  n: number,
  lambda: number,
  sigma0: number,
  mean: Float64Array,
  stream: ReturnType<typeof streamFor>,
  evaluate: (z: Float64Array, off: number) => number,
  evaluations: () => number,
  maxEval: number,
  tolFun: number,
  tolX: number,
  afterGeneration: (g: number, sigma: number) => boolean,
): string {
  // Strategy parameters: Hansen (2016), Table 1.
  const mu = Math.floor(lambda / 2);
  const w = new Float64Array(lambda);
  for (let i = 0; i < lambda; i++) w[i] = Math.log((lambda + 1) / 2) - Math.log(i + 1);
  let sumPos = 0;
  let sumPos2 = 0;
  let sumNeg = 0;
  let sumNeg2 = 0;
  for (let i = 0; i < lambda; i++) {
    if (i < mu) {
      sumPos += w[i];
      sumPos2 += w[i] * w[i];
    } else {
      sumNeg += w[i];
      sumNeg2 += w[i] * w[i];
    }
  }
  const muEff = (sumPos * sumPos) / sumPos2;
  const muEffNeg = sumNeg2 > 0 ? (sumNeg * sumNeg) / sumNeg2 : 0;
  const cSigma = (muEff + 2) / (n + muEff + 5);
  const dSigma = 1 + 2 * Math.max(0, Math.sqrt((muEff - 1) / (n + 1)) - 1) + cSigma;
  const cc = (4 + muEff / n) / (n + 4 + (2 * muEff) / n);
  const alphaCov = 2;
  const c1 = alphaCov / ((n + 1.3) ** 2 + muEff);
  const cmu = Math.min(
    1 - c1,
    (alphaCov * (0.25 + muEff + 1 / muEff - 2)) / ((n + 2) ** 2 + (alphaCov * muEff) / 2),
  );
  const alphaMuNeg = 1 + c1 / cmu;
  const alphaMuEffNeg = 1 + (2 * muEffNeg) / (muEff + 2);
  const alphaPosDefNeg = (1 - c1 - cmu) / (n * cmu);
  const negScale = Math.min(alphaMuNeg, alphaMuEffNeg, alphaPosDefNeg);
  let sumW = 0;
  for (let i = 0; i < lambda; i++) {
    w[i] = w[i] >= 0 ? w[i] / sumPos : (negScale * w[i]) / Math.abs(sumNeg);
    sumW += w[i];
  }
  const chiN = Math.sqrt(n) * (1 - 1 / (4 * n) + 1 / (21 * n * n));
  const eigenGap = Math.max(1, Math.floor(1 / (10 * n * (c1 + cmu))));
  const histLen = 10 + Math.ceil((30 * n) / lambda);

  // State and work arrays (allocated once per run).
  let sigma = sigma0;
  const C = new Float64Array(n * n);
  const B = new Float64Array(n * n);
  const D = new Float64Array(n);
  const eigWork = new Float64Array(n * n);
  const eigVal = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    C[i * n + i] = 1;
    B[i * n + i] = 1;
    D[i] = 1;
  }
  const pSigma = new Float64Array(n);
  const pc = new Float64Array(n);
  const arz = new Float64Array(lambda * n);
  const ary = new Float64Array(lambda * n);
  const arx = new Float64Array(lambda * n);
  const fit = new Float64Array(lambda);
  const idx = new Int32Array(lambda);
  const byFitness = (a: number, b: number) => fit[a] - fit[b] || a - b;
  const yw = new Float64Array(n);
  const zw = new Float64Array(n);
  const tmp = new Float64Array(n);
  const bestHist = new Float64Array(histLen);
  let histCount = 0;

  for (let g = 0; ; g++) {
    if (evaluations() + lambda > maxEval) return 'maxEvaluations';
    // Sample: z ~ N(0, I), y = B D z, x = m + sigma y.
    for (let k = 0; k < lambda; k++) {
      const o = k * n;
      for (let i = 0; i < n; i++) arz[o + i] = standardNormal(stream);
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = 0; j < n; j++) s += B[i * n + j] * D[j] * arz[o + j];
        ary[o + i] = s;
        arx[o + i] = mean[i] + sigma * s;
      }
      fit[k] = evaluate(arx, o);
    }
    for (let k = 0; k < lambda; k++) idx[k] = k;
    idx.sort(byFitness);
    // Recombination: y_w = sum_{i<=mu} w_i y_i:lambda (and the same in z for C^{-1/2} y_w = B z_w).
    yw.fill(0);
    zw.fill(0);
    for (let i = 0; i < mu; i++) {
      const o = idx[i] * n;
      for (let j = 0; j < n; j++) {
        yw[j] += w[i] * ary[o + j];
        zw[j] += w[i] * arz[o + j];
      }
    }
    for (let j = 0; j < n; j++) mean[j] += sigma * yw[j];
    // Step-size path: p_sigma <- (1 - c_sigma) p_sigma + sqrt(c_sigma (2 - c_sigma) mu_eff) C^{-1/2} y_w.
    const csn = Math.sqrt(cSigma * (2 - cSigma) * muEff);
    let psNorm2 = 0;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += B[i * n + j] * zw[j];
      pSigma[i] = (1 - cSigma) * pSigma[i] + csn * s;
      psNorm2 += pSigma[i] * pSigma[i];
    }
    const psNorm = Math.sqrt(psNorm2);
    const hSigma = psNorm / Math.sqrt(1 - (1 - cSigma) ** (2 * (g + 1))) < (1.4 + 2 / (n + 1)) * chiN ? 1 : 0;
    const ccn = Math.sqrt(cc * (2 - cc) * muEff);
    for (let i = 0; i < n; i++) pc[i] = (1 - cc) * pc[i] + hSigma * ccn * yw[i];
    // Covariance: rank-one plus active rank-mu update (negative weights rescaled by n / ||C^{-1/2} y||^2 = n / ||z||^2).
    const deltaH = (1 - hSigma) * cc * (2 - cc);
    const decay = 1 + c1 * deltaH - c1 - cmu * sumW;
    for (let i = 0; i < n; i++)
      for (let j = i; j < n; j++) C[i * n + j] = decay * C[i * n + j] + c1 * pc[i] * pc[j];
    for (let r = 0; r < lambda; r++) {
      const o = idx[r] * n;
      let wr = w[r];
      if (wr < 0) {
        let z2 = 0;
        for (let j = 0; j < n; j++) z2 += arz[o + j] * arz[o + j];
        wr *= n / z2;
      }
      const cw = cmu * wr;
      for (let i = 0; i < n; i++) {
        const yi = cw * ary[o + i];
        for (let j = i; j < n; j++) C[i * n + j] += yi * ary[o + j];
      }
    }
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) C[j * n + i] = C[i * n + j];
    sigma *= Math.exp((cSigma / dSigma) * (psNorm / chiN - 1));
    // Flat fitness: the best and the ceil(0.7 lambda)-th values agree; enlarge sigma to escape the plateau.
    if (fit[idx[0]] === fit[idx[Math.min(lambda - 1, Math.ceil(0.7 * lambda))]])
      sigma *= Math.exp(0.2 + cSigma / dSigma);
    // Keep the mean in one period of the reflection (the sampled box distribution is unchanged).
    for (let j = 0; j < n; j++) mean[j] -= 2 * Math.floor(mean[j] / 2);
    // Eigen-decomposition C = B diag(D^2) B^T, lazily (Hansen 2016, B.2).
    let conditioned = true;
    if ((g + 1) % eigenGap === 0) {
      eigWork.set(C);
      symmetricEigenInPlace(eigWork, n, eigVal, B);
      if (!(eigVal[0] > 0)) return 'conditionCov';
      for (let i = 0; i < n; i++) D[i] = Math.sqrt(eigVal[i]);
      conditioned = eigVal[n - 1] / eigVal[0] <= 1e14;
    }
    if (afterGeneration(g, sigma)) return 'stopValue';
    // Termination (Hansen 2016, B.3).
    if (!conditioned) return 'conditionCov';
    bestHist[g % histLen] = fit[idx[0]];
    histCount++;
    if (histCount >= histLen) {
      let lo = fit[idx[0]];
      let hi = fit[idx[lambda - 1]];
      for (let i = 0; i < histLen; i++) {
        lo = Math.min(lo, bestHist[i]);
        hi = Math.max(hi, bestHist[i]);
      }
      if (hi - lo <= tolFun) return 'tolFun';
    }
    let small = true;
    for (let i = 0; i < n && small; i++)
      small = sigma * Math.max(Math.abs(pc[i]), Math.sqrt(C[i * n + i])) <= tolX;
    if (small) return 'tolX';
    // No effect of a 0.1-sigma step along principal axis g mod n, or of a 0.2-sigma step in any coordinate.
    const a = g % n;
    let noAxis = true;
    for (let i = 0; i < n && noAxis; i++) {
      tmp[i] = mean[i] + 0.1 * sigma * D[a] * B[i * n + a];
      noAxis = tmp[i] === mean[i];
    }
    if (noAxis) return 'noEffectAxis';
    for (let i = 0; i < n; i++)
      if (mean[i] + 0.2 * sigma * Math.sqrt(C[i * n + i]) === mean[i]) return 'noEffectCoord';
  }
}
