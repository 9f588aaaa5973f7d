/**
 * Integer samplers on a UniformSource: plain functions, no allocation, no hidden state. Exact in the sense of the
 * cited algorithms (ideal uniforms give exactly the target law; only binary64 rounding departs from it).
 */
import type { UniformSource } from '../stream.js';
import { logFactorial } from './log-factorial.js';

const TWO32 = 4294967296;
const TWO53 = 9007199254740992;

/**
 * Uniform integer in [0, n) for an integer 1 <= n <= 2^53, unbiased by rejection: draw r uniform on
 * [0, 2^32) (or [0, 2^53) for n > 2^32), reject r >= limit = 2^w - (2^w mod n), return r mod n.
 */
export function uniformInt(s: UniformSource, n: number): number {
  if (!Number.isInteger(n) || n < 1 || n > TWO53)
    throw new RangeError(`uniformInt needs an integer 1 <= n <= 2^53`);
  if (n <= TWO32) {
    const limit = TWO32 - (TWO32 % n);
    for (;;) {
      const r = s.nextUint32();
      if (r < limit) return r % n;
    }
  }
  const limit = TWO53 - (TWO53 % n);
  for (;;) {
    const r = s.nextFloat64() * TWO53;
    if (r < limit) return r % n;
  }
}

/** True with probability p. */
export function bernoulli(s: UniformSource, p: number): boolean {
  return s.nextFloat64() < p;
}

/** Below this mean Poisson uses inversion, at or above it PTRS (whose constants are fitted for mean >= 10). */
export const POISSON_INVERSION_BELOW = 10;
/** A restart bound for inversion: P(X > 200) < 1e-150 for a mean below 10, so this only catches rounding. */
const INVERSION_MAX = 200;

/**
 * Poisson(mean). mean < 10: inversion by sequential search from 0 (Devroye 1986, "Non-Uniform Random Variate
 * Generation", X.3.3), O(mean) work. mean >= 10: Hörmann (1993), "The transformed rejection method for
 * generating Poisson random variables", Insurance: Mathematics and Economics 12(1), algorithm PTRS, exact
 * transformed rejection with squeeze, O(1) expected work (~1.2 uniform pairs per variate).
 */
export function poisson(s: UniformSource, mean: number): number {
  if (!(mean >= 0) || !Number.isFinite(mean))
    throw new RangeError(`poisson needs a finite mean >= 0 (got ${mean})`);
  if (mean === 0) return 0;
  if (mean < POISSON_INVERSION_BELOW) {
    const p0 = Math.exp(-mean);
    for (;;) {
      let u = s.nextFloat64();
      let p = p0;
      let k = 0;
      while (u > p && k <= INVERSION_MAX) {
        u -= p;
        k++;
        p *= mean / k;
      }
      if (k <= INVERSION_MAX) return k;
    }
  }
  const slam = Math.sqrt(mean);
  const loglam = Math.log(mean);
  const b = 0.931 + 2.53 * slam;
  const a = -0.059 + 0.02483 * b;
  const logInvAlpha = Math.log(1.1239 + 1.1328 / (b - 3.4));
  const vr = 0.9277 - 3.6224 / (b - 2);
  for (;;) {
    const u = s.nextFloat64() - 0.5;
    const v = s.nextFloat64();
    const us = 0.5 - Math.abs(u);
    const k = Math.floor(((2 * a) / us + b) * u + mean + 0.43);
    if (us >= 0.07 && v <= vr) return k;
    if (k < 0 || (us < 0.013 && v > us)) continue;
    if (Math.log(v) + logInvAlpha - Math.log(a / (us * us) + b) <= -mean + k * loglam - logFactorial(k))
      return k;
  }
}

/** Below this n*min(p, 1-p) binomial uses inversion, at or above it BTRS (constants fitted for n*p >= 10). */
export const BINOMIAL_INVERSION_BELOW = 10;

/**
 * Binomial(n, p) for a non-negative safe integer n. Uses symmetry to sample with p' = min(p, 1-p).
 * n p' < 10: inversion by sequential search, algorithm BINV of Kachitvichyanukul & Schmeiser (1988), "Binomial
 * random variate generation", CACM 31(2) (pmf recursion f(x) = f(x-1) ((n+1)s/x - s), s = p'/(1-p')), O(np').
 * n p' >= 10: Hörmann (1993), "The generation of binomial random variates", J. Stat. Comput. Simul. 46,
 * algorithm BTRS (transformed rejection with squeeze; the acceptance test compares ln v, which the paper's
 * printed step omits), O(1) expected work.
 */
export function binomial(s: UniformSource, n: number, p: number): number {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`binomial needs an integer n >= 0 (got ${n})`);
  if (!(p >= 0 && p <= 1)) throw new RangeError(`binomial needs 0 <= p <= 1 (got ${p})`);
  if (p > 0.5) return n - binomialLow(s, n, 1 - p);
  return binomialLow(s, n, p);
}

function binomialLow(s: UniformSource, n: number, p: number): number {
  if (n === 0 || p === 0) return 0;
  const q = 1 - p;
  if (n * p < BINOMIAL_INVERSION_BELOW) {
    const sr = p / q;
    const a = (n + 1) * sr;
    const r0 = Math.exp(n * Math.log1p(-p));
    const maxX = Math.min(n, INVERSION_MAX);
    for (;;) {
      let u = s.nextFloat64();
      let r = r0;
      let x = 0;
      while (u > r && x <= maxX) {
        u -= r;
        x++;
        r *= a / x - sr;
      }
      if (x <= maxX) return x;
    }
  }
  const spq = Math.sqrt(n * p * q);
  const b = 1.15 + 2.53 * spq;
  const a = -0.0873 + 0.0248 * b + 0.01 * p;
  const c = n * p + 0.5;
  const vr = 0.92 - 4.2 / b;
  const alpha = (2.83 + 5.1 / b) * spq;
  const lpq = Math.log(p / q);
  const m = Math.floor((n + 1) * p);
  const h = logFactorial(m) + logFactorial(n - m);
  for (;;) {
    const u = s.nextFloat64() - 0.5;
    const v = s.nextFloat64();
    const us = 0.5 - Math.abs(u);
    const k = Math.floor(((2 * a) / us + b) * u + c);
    if (k < 0 || k > n) continue;
    if (us >= 0.07 && v <= vr) return k;
    if (
      Math.log((v * alpha) / (a / (us * us) + b)) <=
      h - logFactorial(k) - logFactorial(n - k) + (k - m) * lpq
    ) {
      return k;
    }
  }
}
