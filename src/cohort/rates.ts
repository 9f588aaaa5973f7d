/**
 * Binomial proportions with confidence intervals, for milestone rates of virtual cohorts ("<= 10 % IS at 3
 * months in 612 of 1,000 patients"). The default is the Wilson score interval (Wilson 1927), which keeps its
 * coverage close to nominal for small n and for proportions near 0 or 1 where the Wald interval fails (Newcombe
 * 1998, Stat Med 17:857, method 3); the Clopper-Pearson "exact" interval (Newcombe's method 5, conservative) is
 * available as an option. The special functions they need (log-gamma, the regularised incomplete beta function and
 * its inverse) live here; the normal quantile is src/numerics/special/normal-quantile.ts.
 */
import { normalQuantile } from '../numerics/special/normal-quantile.js';

export type ProportionMethod = 'wilson' | 'clopper-pearson';

export interface ProportionOptions {
  /** Two-sided confidence level (default 0.95). */
  readonly level?: number;
  readonly method?: ProportionMethod;
}

/** A proportion `events / n` with its confidence interval (fractions in [0, 1]; NaN estimate when n = 0). */
export interface Proportion {
  readonly events: number;
  readonly n: number;
  readonly estimate: number;
  readonly lower: number;
  readonly upper: number;
  readonly level: number;
  readonly method: ProportionMethod;
}

function checkLevel(level: number): void {
  if (!(level > 0 && level < 1)) throw new RangeError(`confidence level must lie in (0, 1), got ${level}`);
}

function checkCounts(events: number, n: number): void {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`n must be a non-negative integer, got ${n}`);
  if (!Number.isInteger(events) || events < 0 || events > n)
    throw new RangeError(`events must be an integer in [0, n = ${n}], got ${events}`);
}

export { normalQuantile };

/** z_{1 - (1 - level)/2}: the two-sided critical value of a confidence level. */
export function criticalValue(level: number): number {
  checkLevel(level);
  return normalQuantile(1 - (1 - level) / 2);
}

/**
 * ln Gamma(x), x > 0: the recurrence Gamma(x) = Gamma(x + k) / (x (x+1) ... (x+k-1)) shifts the argument to >= 10,
 * where Stirling's series to the x^-9 term is accurate to about 1e-15.
 */
export function logGamma(x: number): number {
  if (!(x > 0)) throw new RangeError(`logGamma: x must be > 0, got ${x}`);
  let shift = 0;
  while (x < 10) {
    shift += Math.log(x);
    x += 1;
  }
  const x2 = 1 / (x * x);
  const series = (1 / 12 + x2 * (-1 / 360 + x2 * (1 / 1260 + x2 * (-1 / 1680 + x2 / 1188)))) / x;
  return (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + series - shift;
}

/** Continued fraction of I_x(a, b) (modified Lentz), valid for x < (a + 1) / (a + b + 2). */
function betaContinuedFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let f = d;
  for (let m = 1; m <= 10000; m++) {
    // even step: m (b - m) x / ((a + 2m - 1)(a + 2m))
    let num = (m * (b - m) * x) / ((a + 2 * m - 1) * (a + 2 * m));
    d = 1 + num * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + num / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    f *= d * c;
    // odd step: -(a + m)(a + b + m) x / ((a + 2m)(a + 2m + 1))
    num = (-(a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1));
    d = 1 + num * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + num / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-15) return f;
  }
  throw new Error(`incomplete beta: continued fraction did not converge (x = ${x}, a = ${a}, b = ${b})`);
}

/** The regularised incomplete beta function I_x(a, b) = P(Beta(a, b) <= x), a, b > 0. */
export function regularizedBeta(x: number, a: number, b: number): number {
  if (!(a > 0 && b > 0)) throw new RangeError(`regularizedBeta: a and b must be > 0 (a = ${a}, b = ${b})`);
  if (!(x >= 0 && x <= 1)) throw new RangeError(`regularizedBeta: x must lie in [0, 1], got ${x}`);
  if (x === 0 || x === 1) return x;
  const logFront = a * Math.log(x) + b * Math.log1p(-x) - (logGamma(a) + logGamma(b) - logGamma(a + b));
  if (x < (a + 1) / (a + b + 2)) return (Math.exp(logFront) * betaContinuedFraction(x, a, b)) / a;
  return 1 - (Math.exp(logFront) * betaContinuedFraction(1 - x, b, a)) / b;
}

/** x with I_x(a, b) = p, by bisection (I_x is increasing in x; 200 halvings reach the double-precision limit). */
export function inverseRegularizedBeta(p: number, a: number, b: number): number {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`inverseRegularizedBeta: p must lie in [0, 1], got ${p}`);
  if (p === 0) return 0;
  if (p === 1) return 1;
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 200 && hi - lo > 1e-16; i++) {
    const mid = 0.5 * (lo + hi);
    if (regularizedBeta(mid, a, b) < p) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

/** Wilson score interval (without continuity correction) for `events` of `n`. */
export function wilsonInterval(events: number, n: number, level = 0.95): { lower: number; upper: number } {
  checkCounts(events, n);
  checkLevel(level);
  if (n === 0) return { lower: 0, upper: 1 };
  const z = criticalValue(level);
  const z2 = z * z;
  const p = events / n;
  const centre = p + z2 / (2 * n);
  const half = z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  const denom = 1 + z2 / n;
  // At events = 0 (n) the lower (upper) limit is exactly 0 (1); clamp the rounding.
  return {
    lower: events === 0 ? 0 : Math.max(0, (centre - half) / denom),
    upper: events === n ? 1 : Math.min(1, (centre + half) / denom),
  };
}

/** Clopper-Pearson interval: the beta quantiles B(alpha/2; k, n-k+1) and B(1-alpha/2; k+1, n-k). */
export function clopperPearsonInterval(
  events: number,
  n: number,
  level = 0.95,
): { lower: number; upper: number } {
  checkCounts(events, n);
  checkLevel(level);
  if (n === 0) return { lower: 0, upper: 1 };
  const alpha = 1 - level;
  return {
    lower: events === 0 ? 0 : inverseRegularizedBeta(alpha / 2, events, n - events + 1),
    upper: events === n ? 1 : inverseRegularizedBeta(1 - alpha / 2, events + 1, n - events),
  };
}

/** A proportion and its interval (Wilson by default). */
export function proportion(events: number, n: number, options: ProportionOptions = {}): Proportion {
  const level = options.level ?? 0.95;
  const method = options.method ?? 'wilson';
  const ci =
    method === 'wilson' ? wilsonInterval(events, n, level) : clopperPearsonInterval(events, n, level);
  return {
    events,
    n,
    estimate: n === 0 ? Number.NaN : events / n,
    lower: ci.lower,
    upper: ci.upper,
    level,
    method,
  };
}
