/**
 * Convergence diagnostics of several MCMC chains of one quantity, after Vehtari, Gelman, Simpson, Carpenter &
 * Bürkner (2021), "Rank-normalization, folding, and localization: an improved R-hat for assessing convergence of
 * MCMC", Bayesian Analysis 16:667-718:
 *   - chains are split in halves (an odd middle draw is dropped), so a trend within a chain shows up as
 *     disagreement between halves;
 *   - rank normalisation: all draws pooled, ranked (ties get the average rank) and mapped to
 *     z = Phi^-1((r - 3/8) / (S + 1/4)) (Blom's offsets, as in the paper), which makes R-hat and ESS
 *     well defined for heavy tails and invariant under monotone maps;
 *   - R-hat = max(bulk, tail): split R-hat (Gelman et al. 2013, BDA3 sect. 11.4) of the rank-normalised draws and of
 *     the rank-normalised folded draws |x - median|;
 *   - ESS from multi-chain autocorrelations rho_t = 1 - (W - mean_m acov_m(t)) / var+ (BDA3 eq. 11.7), summed with
 *     Geyer's (1992, Stat. Sci. 7:473) initial positive and initial monotone sequence rules; the paired-sum
 *     truncation, the extra last even lag and the floor tau >= 1/log10(S) follow the paper's reference code
 *     (R package posterior). Autocovariances are the biased (1/n) estimates, computed by FFT;
 *   - bulk-ESS: ESS of the rank-normalised split chains; tail-ESS: the smaller ESS of the indicators
 *     I(x <= q05) and I(x <= q95); ESS of the mean (for the MCSE of the mean): ESS of the raw split chains.
 */

import { normalQuantile } from '../../numerics/special/normal-quantile.js';

export class DiagnosticsError extends Error {
  override name = 'DiagnosticsError';
}

export interface DrawSummary {
  /** Pooled draws. */
  readonly n: number;
  readonly chains: number;
  readonly mean: number;
  readonly sd: number;
  /** Monte Carlo standard error of the mean: sd / sqrt(essMean). */
  readonly mcseMean: number;
  /** Monte Carlo standard error of the sd (delta method on the centred squares). */
  readonly mcseSd: number;
  readonly q025: number;
  readonly q50: number;
  readonly q975: number;
  /** Monte Carlo standard errors of the three quantiles (mcseQuantile). */
  readonly mcseQ025: number;
  readonly mcseQ50: number;
  readonly mcseQ975: number;
  /** max(rhatBulk, rhatTail): below 1.01 is the paper's recommendation for trusting the draws. */
  readonly rhat: number;
  readonly rhatBulk: number;
  readonly rhatTail: number;
  /** Bulk and tail ESS: above ~100 per chain (400 for 4 chains) is the paper's recommendation. */
  readonly essBulk: number;
  readonly essTail: number;
  /** ESS of the raw split chains, used for mcseMean. */
  readonly essMean: number;
}

function checkChains(chains: readonly ArrayLike<number>[], who: string): number {
  if (!Array.isArray(chains) || chains.length === 0)
    throw new DiagnosticsError(`${who}: need at least one chain`);
  const n = chains[0].length;
  chains.forEach((c, i) => {
    if (c.length !== n)
      throw new DiagnosticsError(
        `${who}: chain ${i} has ${c.length} draws, chain 0 has ${n}: lengths must agree`,
      );
  });
  return n;
}

/** Halves of every chain (views when the input is a Float64Array). */
export function splitChains(chains: readonly ArrayLike<number>[]): Float64Array[] {
  const n = checkChains(chains, 'splitChains');
  if (n < 2) return chains.map((c) => Float64Array.from(c));
  const h = Math.floor(n / 2);
  const out: Float64Array[] = [];
  for (const c of chains) {
    const a = c instanceof Float64Array ? c : Float64Array.from(c);
    out.push(a.subarray(0, h), a.subarray(n - h, n));
  }
  return out;
}

export { normalQuantile };

/** Number of entries of the sorted array below v (strict) or at most v (inclusive), by bisection. */
function countBelow(sorted: Float64Array, v: number, inclusive: boolean): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < v || (inclusive && sorted[mid] === v)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Pooled ranks (1-based, ties averaged) of all draws, returned in the chains' shape. The rank of v is the mean of
 * (#below + 1) and #at-most, found by bisection in the natively sorted pool (faster than an index sort).
 */
function pooledRanks(chains: readonly ArrayLike<number>[]): Float64Array[] {
  const sorted = pooledSorted(chains);
  return chains.map((c) => {
    const r = new Float64Array(c.length);
    for (let i = 0; i < c.length; i++)
      r[i] = (countBelow(sorted, c[i], false) + 1 + countBelow(sorted, c[i], true)) / 2;
    return r;
  });
}

/** Rank-normalised draws z = Phi^-1((r - 3/8) / (S + 1/4)) over the pooled chains. */
export function rankNormalize(chains: readonly ArrayLike<number>[]): Float64Array[] {
  const n = checkChains(chains, 'rankNormalize');
  const S = n * chains.length;
  return pooledRanks(chains).map((r) => r.map((v) => normalQuantile((v - 0.375) / (S + 0.25))));
}

function isConstant(chains: readonly ArrayLike<number>[]): boolean {
  const v = chains[0][0];
  for (const c of chains) for (let i = 0; i < c.length; i++) if (c[i] !== v) return false;
  return true;
}

function allFinite(chains: readonly ArrayLike<number>[]): boolean {
  for (const c of chains) for (let i = 0; i < c.length; i++) if (!Number.isFinite(c[i])) return false;
  return true;
}

function meanOf(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s / a.length;
}

/** Sample variance (n - 1 denominator). */
function varOf(a: ArrayLike<number>): number {
  const mu = meanOf(a);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - mu) ** 2;
  return s / (a.length - 1);
}

/**
 * Potential scale reduction of chains as given (pass split chains for split R-hat): sqrt((n - 1)/n + B/(n W)),
 * B/n the variance of the chain means, W the mean within-chain variance. 1 for constant input, NaN if not finite.
 */
export function rhatBasic(chains: readonly ArrayLike<number>[]): number {
  const n = checkChains(chains, 'rhatBasic');
  if (!allFinite(chains) || n < 2 || chains.length < 2) return Number.NaN;
  if (isConstant(chains)) return 1;
  const means = chains.map(meanOf);
  const w = meanOf(chains.map(varOf));
  const b = n * varOf(means);
  return Math.sqrt((b / w + n - 1) / n);
}

/** In-place iterative radix-2 FFT of (re, im), length a power of 2. */
function fft(re: Float64Array, im: Float64Array): void {
  const L = re.length;
  for (let i = 1, j = 0; i < L; i++) {
    let bit = L >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      let t = re[i];
      re[i] = re[j];
      re[j] = t;
      t = im[i];
      im[i] = im[j];
      im[j] = t;
    }
  }
  // Twiddles e^(-2 pi i k / L), k < L/2, by direct cos/sin (not by recurrence): rounding stays O(eps log L).
  const half0 = L >> 1;
  const cosT = new Float64Array(half0);
  const sinT = new Float64Array(half0);
  for (let k = 0; k < half0; k++) {
    cosT[k] = Math.cos((-2 * Math.PI * k) / L);
    sinT[k] = Math.sin((-2 * Math.PI * k) / L);
  }
  for (let len = 2; len <= L; len <<= 1) {
    const half = len >> 1;
    const stride = L / len;
    for (let k = 0; k < half; k++) {
      const wr = cosT[k * stride];
      const wi = sinT[k * stride];
      for (let i = k; i < L; i += len) {
        const j = i + half;
        const xr = re[j] * wr - im[j] * wi;
        const xi = re[j] * wi + im[j] * wr;
        re[j] = re[i] - xr;
        im[j] = im[i] - xi;
        re[i] += xr;
        im[i] += xi;
      }
    }
  }
}

/**
 * Biased autocovariances acov[t] = (1/n) sum_{i < n - t} (x_i - xbar)(x_{i+t} - xbar), t = 0..n-1, by FFT of the
 * centred series zero-padded to a power of 2 >= 2n (no circular wrap-around). The biased estimate is the one
 * Geyer (1992) recommends: it keeps the autocovariance sequence positive semi-definite.
 */
export function autocovariance(x: ArrayLike<number>): Float64Array {
  const n = x.length;
  let L = 1;
  while (L < 2 * n) L <<= 1;
  const re = new Float64Array(L);
  const im = new Float64Array(L);
  const mu = meanOf(x);
  for (let i = 0; i < n; i++) re[i] = x[i] - mu;
  fft(re, im);
  for (let k = 0; k < L; k++) {
    re[k] = re[k] * re[k] + im[k] * im[k];
    im[k] = 0;
  }
  // |X|^2 is real and even, so its forward transform is real and equals L times the inverse transform.
  fft(re, im);
  const out = new Float64Array(n);
  for (let t = 0; t < n; t++) out[t] = re[t] / (L * n);
  return out;
}

const DIRECT_LAGS = 64;

/**
 * Effective sample size of chains as given (pass split chains for split-ESS), by the multi-chain autocorrelation
 * and Geyer's initial monotone sequence. NaN if a draw is not finite or chains are shorter than 3.
 */
export function essBasic(chains: readonly ArrayLike<number>[]): number {
  const n = checkChains(chains, 'essBasic');
  const m = chains.length;
  if (!allFinite(chains) || n < 3) return Number.NaN;
  if (isConstant(chains)) return n * m;
  // Autocovariances lazily: direct sums for the first DIRECT_LAGS lags (Geyer's truncation usually stops
  // there for a mixing chain, and n * lags beats an FFT), the FFT for a chain that needs more.
  const mus = chains.map(meanOf);
  const full: (Float64Array | null)[] = chains.map(() => null);
  const direct = chains.map(() => new Float64Array(Math.min(n, DIRECT_LAGS)).fill(Number.NaN));
  const acovAt = (c: number, t: number): number => {
    const f = full[c];
    if (f) return f[t];
    if (t < DIRECT_LAGS) {
      const dc = direct[c];
      if (Number.isNaN(dc[t])) {
        const x = chains[c];
        const mu = mus[c];
        let s = 0;
        for (let i = 0; i + t < n; i++) s += (x[i] - mu) * (x[i + t] - mu);
        dc[t] = s / n;
      }
      return dc[t];
    }
    const g = autocovariance(chains[c]);
    full[c] = g;
    return g[t];
  };
  const meanAcov = (t: number) => {
    let s = 0;
    for (let c = 0; c < m; c++) s += acovAt(c, t);
    return s / m;
  };
  const meanVar = (meanAcov(0) * n) / (n - 1);
  let varPlus = (meanVar * (n - 1)) / n;
  if (m > 1) varPlus += varOf(mus);
  const rho = new Float64Array(n);
  rho[0] = 1;
  let even = 1;
  let odd = 1 - (meanVar - meanAcov(1)) / varPlus;
  rho[1] = odd;
  let t = 0;
  // Initial positive sequence: sum pairs while the pair sum stays positive.
  while (t < n - 5 && Number.isFinite(even + odd) && even + odd > 0) {
    t += 2;
    even = 1 - (meanVar - meanAcov(t)) / varPlus;
    odd = 1 - (meanVar - meanAcov(t + 1)) / varPlus;
    if (even + odd >= 0) {
      rho[t] = even;
      rho[t + 1] = odd;
    }
  }
  const maxT = t;
  if (even > 0) rho[maxT] = even;
  // Initial monotone sequence: pair sums may not increase.
  t = 0;
  while (t <= maxT - 4) {
    t += 2;
    if (rho[t] + rho[t + 1] > rho[t - 2] + rho[t - 1]) {
      rho[t] = (rho[t - 2] + rho[t - 1]) / 2;
      rho[t + 1] = rho[t];
    }
  }
  let sum = 0;
  for (let k = 0; k < maxT; k++) sum += rho[k];
  const S = n * m;
  const tau = Math.max(-1 + 2 * sum + rho[maxT], 1 / Math.log10(S));
  return S / tau;
}

/** Sample quantile, linear interpolation between order statistics (Hyndman & Fan type 7, R's default). */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  const N = sorted.length;
  const h = (N - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, N - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

function pooledSorted(chains: readonly ArrayLike<number>[]): Float64Array {
  const n = chains[0].length;
  const all = new Float64Array(n * chains.length);
  chains.forEach((c, k) => {
    for (let i = 0; i < n; i++) all[k * n + i] = c[i];
  });
  return all.sort();
}

/** Rank-normalised split R-hat: max of the bulk (z of x) and tail (z of |x - median|) versions. */
export function rhat(chains: readonly ArrayLike<number>[]): { rhat: number; bulk: number; tail: number } {
  checkChains(chains, 'rhat');
  if (!allFinite(chains)) return { rhat: Number.NaN, bulk: Number.NaN, tail: Number.NaN };
  const med = quantileSorted(pooledSorted(chains), 0.5);
  const folded = chains.map((c) => Float64Array.from(c, (v) => Math.abs(v - med)));
  const bulk = rhatBasic(rankNormalize(splitChains(chains)));
  const tail = rhatBasic(rankNormalize(splitChains(folded)));
  return { rhat: Math.max(bulk, tail), bulk, tail };
}

/** Bulk-ESS: ESS of the rank-normalised split chains. */
export function essBulk(chains: readonly ArrayLike<number>[]): number {
  checkChains(chains, 'essBulk');
  if (!allFinite(chains)) return Number.NaN;
  return essBasic(rankNormalize(splitChains(chains)));
}

/** ESS of the indicator I(x <= q_p) over split chains (the ESS of the p-quantile). */
export function essQuantile(chains: readonly ArrayLike<number>[], p: number): number {
  checkChains(chains, 'essQuantile');
  if (!allFinite(chains)) return Number.NaN;
  const q = quantileSorted(pooledSorted(chains), p);
  return essBasic(splitChains(chains.map((c) => Float64Array.from(c, (v) => (v <= q ? 1 : 0)))));
}

/** Tail-ESS: the smaller of the 5 % and 95 % quantile ESS. */
export function essTail(chains: readonly ArrayLike<number>[]): number {
  return Math.min(essQuantile(chains, 0.05), essQuantile(chains, 0.95));
}

/** ESS for the mean: ESS of the raw split chains. */
export function essMean(chains: readonly ArrayLike<number>[]): number {
  checkChains(chains, 'essMean');
  return essBasic(splitChains(chains));
}

/**
 * Monte Carlo standard error of the p-quantile: half the distance between the quantiles at p -/+ one sd of the
 * quantile's coverage, sd = sqrt(p (1 - p) / ESS_p), ESS_p the ESS of I(x <= q_p). Vehtari et al. (2021,
 * sect. 4.3) take the +/- 1 sd points of Beta(ESS p + 1, ESS (1 - p) + 1); this is its normal approximation,
 * close once ESS_p is in the hundreds.
 */
export function mcseQuantile(chains: readonly ArrayLike<number>[], p: number): number {
  checkChains(chains, 'mcseQuantile');
  if (!(p > 0 && p < 1)) throw new DiagnosticsError(`mcseQuantile: p must lie in (0, 1), got ${p}`);
  const ess = essQuantile(chains, p);
  if (!Number.isFinite(ess)) return Number.NaN;
  const sorted = pooledSorted(chains);
  const S = sorted.length;
  const h = Math.sqrt((p * (1 - p)) / ess);
  const i1 = Math.max(Math.round((p - h) * S), 1) - 1;
  const i2 = Math.min(Math.round((p + h) * S), S) - 1;
  return (sorted[i2] - sorted[i1]) / 2;
}

/** Mean, sd, MCSE, quantiles, R-hat and ESS of one quantity's draws (one array per chain, equal lengths >= 4). */
export function summarizeDraws(chains: readonly ArrayLike<number>[]): DrawSummary {
  const n = checkChains(chains, 'summarizeDraws');
  if (n < 4) throw new DiagnosticsError(`summarizeDraws: need at least 4 draws per chain, got ${n}`);
  const sorted = pooledSorted(chains);
  const S = sorted.length;
  let mean = 0;
  for (let i = 0; i < S; i++) mean += sorted[i];
  mean /= S;
  let v = 0;
  for (let i = 0; i < S; i++) v += (sorted[i] - mean) ** 2;
  const sd = Math.sqrt(v / (S - 1));
  const eMean = essMean(chains);
  // MCSE of the sd by the delta method: sd = sqrt(E c^2), Var(sd_hat) ~ Var(c^2) / (4 E c^2 ESS(c^2)).
  const sq = chains.map((c) => Float64Array.from(c, (x) => (x - mean) ** 2));
  const eSq = essMean(sq);
  let m2 = 0;
  let m4 = 0;
  for (const c of sq)
    for (let i = 0; i < n; i++) {
      m2 += c[i];
      m4 += c[i] * c[i];
    }
  m2 /= S;
  m4 /= S;
  const varSq = ((m4 - m2 * m2) * S) / (S - 1);
  const med = quantileSorted(sorted, 0.5);
  const zBulk = rankNormalize(splitChains(chains));
  const rhatBulk = rhatBasic(zBulk);
  const rhatTail = rhatBasic(
    rankNormalize(splitChains(chains.map((c) => Float64Array.from(c, (x) => Math.abs(x - med))))),
  );
  return {
    n: S,
    chains: chains.length,
    mean,
    sd,
    mcseMean: sd / Math.sqrt(eMean),
    mcseSd: m2 > 0 ? Math.sqrt(varSq / (4 * m2 * eSq)) : 0,
    q025: quantileSorted(sorted, 0.025),
    q50: quantileSorted(sorted, 0.5),
    q975: quantileSorted(sorted, 0.975),
    mcseQ025: mcseQuantile(chains, 0.025),
    mcseQ50: mcseQuantile(chains, 0.5),
    mcseQ975: mcseQuantile(chains, 0.975),
    rhat: Number.isNaN(rhatBulk) || Number.isNaN(rhatTail) ? Number.NaN : Math.max(rhatBulk, rhatTail),
    rhatBulk,
    rhatTail,
    essBulk: allFinite(chains) ? essBasic(zBulk) : Number.NaN,
    essTail: essTail(chains),
    essMean: eMean,
  };
}
