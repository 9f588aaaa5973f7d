/**
 * Independent reference functions for the goodness-of-fit tests: log-gamma, regularised incomplete gamma,
 * normal CDF, chi-square and Kolmogorov-Smirnov p-values. Written from the textbook formulas (Abramowitz &
 * Stegun; Press et al., Numerical Recipes ch. 6), deliberately not sharing code with src/numerics/random.
 */

/** ln Γ(x) for x > 0: shift up to x >= 15 with the recurrence, then Stirling's series (A&S 6.1.41). */
export function lnGamma(x: number): number {
  let shift = 0;
  while (x < 15) {
    shift += Math.log(x);
    x += 1;
  }
  const r = 1 / x;
  const r2 = r * r;
  const series = r * (1 / 12 - r2 * (1 / 360 - r2 * (1 / 1260 - r2 * (1 / 1680 - r2 / 1188))));
  return (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + series - shift;
}

let memoA = Number.NaN;
let memoLnGammaA = Number.NaN;
/** ln Γ(a), remembering the last a (KS tests evaluate a CDF 10^6 times with the same shape). */
function lnGammaMemo(a: number): number {
  if (a !== memoA) {
    memoA = a;
    memoLnGammaA = lnGamma(a);
  }
  return memoLnGammaA;
}

/** Regularised lower incomplete gamma P(a, x): series for x < a + 1, Lentz continued fraction for Q otherwise. */
export function gammaP(a: number, x: number): number {
  if (x <= 0) return 0;
  const lnPre = a * Math.log(x) - x - lnGammaMemo(a);
  if (x < a + 1) {
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n < 10000; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-16) break;
    }
    return sum * Math.exp(lnPre);
  }
  return 1 - gammaQcf(a, x, lnPre);
}

/** Regularised upper incomplete gamma Q(a, x) = 1 - P(a, x), accurate in the upper tail. */
export function gammaQ(a: number, x: number): number {
  if (x <= 0) return 1;
  const lnPre = a * Math.log(x) - x - lnGammaMemo(a);
  if (x < a + 1) return 1 - gammaP(a, x);
  return gammaQcf(a, x, lnPre);
}

function gammaQcf(a: number, x: number, lnPre: number): number {
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 10000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-16) break;
  }
  return Math.exp(lnPre) * h;
}

/** Standard normal CDF via Φ(x) = P(1/2, x²/2)/2 + 1/2 for x >= 0 (and symmetry). */
export function normalCdf(x: number): number {
  if (x >= 0) return 0.5 + 0.5 * gammaP(0.5, 0.5 * x * x);
  return 0.5 * gammaQ(0.5, 0.5 * x * x);
}

/** Upper-tail p-value of a chi-square statistic with df degrees of freedom. */
export function chiSquarePValue(stat: number, df: number): number {
  return gammaQ(df / 2, stat / 2);
}

/**
 * Pearson chi-square of observed counts against expected probabilities (which must sum to 1), after merging
 * adjacent cells (left to right, then the last into its neighbour) until every expected count is >= minExpected.
 */
export function chiSquareTest(
  counts: ArrayLike<number>,
  probs: ArrayLike<number>,
  n: number,
  minExpected = 5,
): { stat: number; df: number; p: number } {
  const obs: number[] = [];
  const exp: number[] = [];
  let o = 0;
  let e = 0;
  for (let i = 0; i < probs.length; i++) {
    o += counts[i];
    e += probs[i] * n;
    if (e >= minExpected) {
      obs.push(o);
      exp.push(e);
      o = 0;
      e = 0;
    }
  }
  if (e > 0 || o > 0) {
    obs[obs.length - 1] += o;
    exp[exp.length - 1] += e;
  }
  let stat = 0;
  for (let i = 0; i < obs.length; i++) stat += (obs[i] - exp[i]) ** 2 / exp[i];
  const df = obs.length - 1;
  return { stat, df, p: chiSquarePValue(stat, df) };
}

/** Kolmogorov-Smirnov statistic of a sample against a continuous CDF and its asymptotic p-value. */
export function ksTest(sample: Float64Array, cdf: (x: number) => number): { d: number; p: number } {
  const x = Float64Array.from(sample).sort();
  const n = x.length;
  let d = 0;
  for (let i = 0; i < n; i++) {
    const f = cdf(x[i]);
    d = Math.max(d, f - i / n, (i + 1) / n - f);
  }
  // Kolmogorov distribution with Stephens' small-sample correction: lambda = (sqrt n + 0.12 + 0.11/sqrt n) d.
  const sn = Math.sqrt(n);
  const lambda = (sn + 0.12 + 0.11 / sn) * d;
  if (lambda < 0.2) return { d, p: 1 };
  let p = 0;
  for (let j = 1; j <= 100; j++) p += 2 * (-1) ** (j - 1) * Math.exp(-2 * j * j * lambda * lambda);
  return { d, p: Math.min(1, Math.max(0, p)) };
}

/** Mean, variance and fourth central moment of a sample. */
export function moments(x: Float64Array): { mean: number; variance: number; m4: number } {
  const n = x.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += x[i];
  mean /= n;
  let m2 = 0;
  let m4 = 0;
  for (let i = 0; i < n; i++) {
    const d = x[i] - mean;
    const d2 = d * d;
    m2 += d2;
    m4 += d2 * d2;
  }
  return { mean, variance: m2 / (n - 1), m4: m4 / n };
}

/**
 * z-scores of the sample mean and variance against the true values: the mean's standard error uses the true
 * variance; the variance's uses the sample fourth moment, sqrt((m4 - s^4)/n).
 */
export function momentZ(x: Float64Array, mean: number, variance: number): { zMean: number; zVar: number } {
  const m = moments(x);
  const n = x.length;
  return {
    zMean: (m.mean - mean) / Math.sqrt(variance / n),
    zVar: (m.variance - variance) / Math.sqrt((m.m4 - m.variance * m.variance) / n),
  };
}
