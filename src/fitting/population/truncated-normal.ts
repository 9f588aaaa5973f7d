/**
 * The normal law truncated above, N(m, s^2) restricted to (-inf, c]: the law of a left-censored log-observation
 * given the model prediction, which the SAEM simulation step draws the censored data from (Samson, Lavielle &
 * Mentré 2006, Comput. Stat. Data Anal. 51:1562, section 3).
 *
 * Sampling reflects to a lower truncation, Y = (m - X)/s >= a with a = (m - c)/s. For a <= 0 plain rejection of
 * standard normals accepts at least half the draws; for a > 0 (the limit lies in the lower tail, the usual case
 * of a model far above the detection limit) the translated-exponential proposal of Robert (1995, Stat. Comput.
 * 5:121, Prop. 2.3) with its optimal rate alpha = (a + sqrt(a^2 + 4))/2 accepts with probability >= 0.76 whatever
 * a is, so deep tails (a = 30) cost as little as shallow ones. Exact given ideal uniforms; no allocation.
 */
import { standardNormal, type UniformSource } from '../../numerics/random/index.js';
import { logNormalCdf } from '../objective.js';

/** A standard normal Y conditioned on Y >= a. */
export function standardNormalAbove(s: UniformSource, a: number): number {
  if (Number.isNaN(a))
    throw new RangeError(`standardNormalAbove: truncation point must be a number, got ${a}`);
  if (a <= 0) {
    for (;;) {
      const y = standardNormal(s);
      if (y >= a) return y;
    }
  }
  const alpha = 0.5 * (a + Math.sqrt(a * a + 4));
  for (;;) {
    const y = a - Math.log(s.nextFloat64Open()) / alpha;
    const d = y - alpha;
    if (s.nextFloat64() <= Math.exp(-0.5 * d * d)) return y;
  }
}

/** X ~ N(mean, sd^2) conditioned on X <= upper (sd > 0). */
export function normalBelow(s: UniformSource, mean: number, sd: number, upper: number): number {
  return mean - sd * standardNormalAbove(s, (mean - upper) / sd);
}

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * Mean and variance of a standard normal conditioned on Z <= b: with lambda = phi(b)/Phi(b) (inverse Mills
 * ratio), E = -lambda and Var = 1 - b lambda - lambda^2 (Johnson, Kotz & Balakrishnan 1994, Continuous
 * Univariate Distributions 1, 2nd ed., eq. 13.134). In the tail (b < -5) the variance cancels to ~1/b^2, so lambda
 * comes from the Mills-ratio continued fraction at full precision instead of the 1e-7-accurate log Phi.
 */
export function standardNormalBelowMoments(b: number): { mean: number; variance: number } {
  const lambda = b < -5 ? 1 / millsRatio(-b) : Math.exp(-0.5 * b * b - LOG_SQRT_2PI - logNormalCdf(b));
  return { mean: -lambda, variance: 1 - b * lambda - lambda * lambda };
}

/** Mills ratio R(a) = (1 - Phi(a))/phi(a) for a >= 5 by Laplace's continued fraction 1/(a + 1/(a + 2/(a + ...))). */
function millsRatio(a: number): number {
  let f = a;
  for (let k = 60; k >= 1; k--) f = a + k / f;
  return 1 / f;
}
