/**
 * Continuous samplers on a UniformSource: plain functions, no allocation, no hidden state (a sampler's output
 * depends only on the stream's words, so checkpointing a stream checkpoints the sampler too). "Exact" means
 * the algorithm samples the target law exactly given ideal uniforms; the only departures are those of binary64
 * arithmetic and of uniforms on a 2^-52/2^-53 grid (e.g. exponential tails are cut beyond ~36.7 means, an event
 * of probability 2^-53).
 */
import type { UniformSource } from '../stream.js';

/** Uniform on [a, b): a + (b - a) U with a 53-bit U (rounding can produce b itself when |b - a| ulp-coarse). */
export function uniform(s: UniformSource, a: number, b: number): number {
  return a + (b - a) * s.nextFloat64();
}

/** Exponential with the given rate (mean 1/rate), by inversion: -ln(U)/rate with U in (0, 1). */
export function exponential(s: UniformSource, rate = 1): number {
  return -Math.log(s.nextFloat64Open()) / rate;
}

/*
 * Standard normal by the ziggurat method of Marsaglia & Tsang (2000), "The ziggurat method for generating random
 * variables", J. Stat. Softw. 5(8), in the ZIGNOR form of Doornik (2005), "An improved ziggurat method to
 * generate normal random samples": 128 equal-area strips, R = 3.442619855899, V = 9.91256303526217e-3, the strip
 * index drawn from bits independent of the 53-bit abscissa (Doornik's fix for the correlation of the original),
 * exact wedge rejection and Marsaglia's (1964) exact tail algorithm beyond R.
 */
const ZIG_C = 128;
const ZIG_RTAIL = 3.442619855899;
const ZIG_V = 9.91256303526217e-3;
/** ZIG_X[i]: right edge of strip i (ZIG_X[0] = V / phi(R) is the base strip's pseudo-width, ZIG_X[C] = 0). */
const ZIG_X = new Float64Array(ZIG_C + 1);
/** ZIG_R[i] = ZIG_X[i+1] / ZIG_X[i]: |u| below it is inside the strip's rectangle (immediate accept). */
const ZIG_R = new Float64Array(ZIG_C);
{
  let f = Math.exp(-0.5 * ZIG_RTAIL * ZIG_RTAIL);
  ZIG_X[0] = ZIG_V / f;
  ZIG_X[1] = ZIG_RTAIL;
  ZIG_X[ZIG_C] = 0;
  for (let i = 2; i < ZIG_C; i++) {
    ZIG_X[i] = Math.sqrt(-2 * Math.log(ZIG_V / ZIG_X[i - 1] + f));
    f = Math.exp(-0.5 * ZIG_X[i] * ZIG_X[i]);
  }
  for (let i = 0; i < ZIG_C; i++) ZIG_R[i] = ZIG_X[i + 1] / ZIG_X[i];
}
const TWO26 = 67108864;
const TWO_M52 = 1 / 4503599627370496;

/** A standard normal variate (ziggurat; two 32-bit words per attempt, ~1.5% of attempts need more work). */
export function standardNormal(s: UniformSource): number {
  for (;;) {
    const a = s.nextUint32();
    const b = s.nextUint32();
    // 53 high bits -> u in [-1, 1); 7 of the 11 otherwise discarded low bits -> strip index.
    const u = ((a >>> 5) * TWO26 + (b >>> 6)) * TWO_M52 - 1;
    const i = (a & 0x1f) | ((b & 0x3) << 5);
    if (Math.abs(u) < ZIG_R[i]) return u * ZIG_X[i];
    if (i === 0) {
      // Tail beyond R (Marsaglia 1964): exact.
      let x: number;
      let y: number;
      do {
        x = Math.log(s.nextFloat64Open()) / ZIG_RTAIL;
        y = Math.log(s.nextFloat64Open());
      } while (-2 * y < x * x);
      return u < 0 ? x - ZIG_RTAIL : ZIG_RTAIL - x;
    }
    const x = u * ZIG_X[i];
    const x2 = x * x;
    const f0 = Math.exp(-0.5 * (ZIG_X[i] * ZIG_X[i] - x2));
    const f1 = Math.exp(-0.5 * (ZIG_X[i + 1] * ZIG_X[i + 1] - x2));
    if (f1 + s.nextFloat64() * (f0 - f1) < 1) return x;
  }
}

/** Normal with the given mean and standard deviation. */
export function normal(s: UniformSource, mean = 0, sd = 1): number {
  return mean + sd * standardNormal(s);
}

/**
 * Gamma(shape, scale) by Marsaglia & Tsang (2000), "A simple method for generating gamma variables", ACM TOMS
 * 26(3): for shape >= 1, d = shape - 1/3, c = 1/sqrt(9d), propose d(1 + cX)^3 with X standard normal, squeeze
 * u < 1 - 0.0331 X^4, else accept if ln u < X^2/2 + d(1 - v + ln v). For shape < 1 their boost:
 * Gamma(shape) = Gamma(shape + 1) * U^(1/shape).
 */
export function gamma(s: UniformSource, shape: number, scale = 1): number {
  if (!(shape > 0) || !(scale > 0) || !Number.isFinite(shape)) {
    throw new RangeError(`gamma needs shape > 0 and scale > 0 (got ${shape}, ${scale})`);
  }
  if (shape < 1) {
    const g = gammaAtLeastOne(s, shape + 1);
    return g * s.nextFloat64Open() ** (1 / shape) * scale;
  }
  return gammaAtLeastOne(s, shape) * scale;
}

function gammaAtLeastOne(s: UniformSource, shape: number): number {
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = standardNormal(s);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = s.nextFloat64Open();
    const x2 = x * x;
    if (u < 1 - 0.0331 * x2 * x2) return d * v;
    if (Math.log(u) < 0.5 * x2 + d * (1 - v + Math.log(v))) return d * v;
  }
}
