/**
 * Kaplan-Meier estimates for right-censored times (Kaplan & Meier 1958), with Greenwood's variance (Greenwood
 * 1926) and pointwise confidence bands. The default band is the log-log (complementary log-log) transform of
 * Kalbfleisch & Prentice (1980, §1.3): it stays inside [0, 1] and behaves well in the tails where the plain band
 * needs clipping. `log` (R survival's default) and `plain` are available for comparison. Quantile times (median
 * time to MMR, ...) come with the Brookmeyer & Crowley (1982) interval obtained by inverting the pointwise band:
 * the set of times at which the band contains the quantile's survival level.
 *
 * Cumulative incidence here is 1 - S: right for events that are not pre-empted by a competing event. The cohort
 * model has no death from other causes (and TFR, progression and MMR are not treated as competing), so the
 * complement of Kaplan-Meier is the cumulative incidence; with competing risks it would overstate it (an
 * Aalen-Johansen estimator would be needed).
 */
import { criticalValue } from './rates.js';

export type BandTransform = 'log-log' | 'log' | 'plain';

export interface KaplanMeierOptions {
  /** Two-sided confidence level of the pointwise band (default 0.95). */
  readonly level?: number;
  /** Band transform (default 'log-log'). */
  readonly transform?: BandTransform;
}

/**
 * A right-continuous step function over the distinct observed times (events or censorings), increasing. Before
 * `time[0]` the survival is 1 and all `n` are at risk; from `time[i]` on, `survival[i]` holds (up to the largest
 * observed time; beyond it the estimate is undefined).
 */
export interface KaplanMeierCurve {
  readonly kind: 'survival';
  readonly n: number;
  readonly level: number;
  readonly transform: BandTransform;
  readonly time: Float64Array;
  readonly survival: Float64Array;
  /** Greenwood standard error of the survival estimate. */
  readonly stdErr: Float64Array;
  readonly lower: Float64Array;
  readonly upper: Float64Array;
  /** Under observation just before time[i] (observed time >= time[i]). */
  readonly atRisk: Int32Array;
  readonly events: Int32Array;
  readonly censored: Int32Array;
}

/** 1 - S with the band flipped: lower = 1 - upper(S), upper = 1 - lower(S). */
export interface IncidenceCurve extends Omit<KaplanMeierCurve, 'kind' | 'survival'> {
  readonly kind: 'incidence';
  readonly incidence: Float64Array;
}

export type StepCurve = KaplanMeierCurve | IncidenceCurve;

/** Band limits of S with Greenwood term v = sum d / (n (n - d)) (the variance of log S). */
function band(s: number, v: number, z: number, transform: BandTransform): [number, number] {
  if (s >= 1) return [1, 1];
  if (s <= 0 || !Number.isFinite(v)) return [0, 0];
  const sigma = Math.sqrt(v);
  switch (transform) {
    case 'log-log': {
      // Var(log(-log S)) = v / (log S)^2 (delta method); back-transformed: S^exp(±z sigma / |log S|).
      const w = (z * sigma) / Math.abs(Math.log(s));
      return [s ** Math.exp(w), s ** Math.exp(-w)];
    }
    case 'log':
      return [s * Math.exp(-z * sigma), Math.min(1, s * Math.exp(z * sigma))];
    case 'plain':
      return [Math.max(0, s - z * s * sigma), Math.min(1, s + z * s * sigma)];
  }
}

/**
 * The Kaplan-Meier estimate of `time` (finite, >= 0) with `event` 1 = event observed, 0 = censored at that time.
 * At tied times events precede censorings (a patient censored at t was at risk at t).
 */
export function kaplanMeier(
  time: Float64Array,
  event: Uint8Array,
  options: KaplanMeierOptions = {},
): KaplanMeierCurve {
  const level = options.level ?? 0.95;
  const transform = options.transform ?? 'log-log';
  const z = criticalValue(level);
  const n = time.length;
  if (event.length !== n)
    throw new RangeError(`kaplanMeier: ${n} times but ${event.length} event indicators`);
  for (let i = 0; i < n; i++) {
    if (!(Number.isFinite(time[i]) && time[i] >= 0))
      throw new RangeError(`kaplanMeier: time[${i}] = ${time[i]}; expected a finite time >= 0`);
    if (event[i] > 1) throw new RangeError(`kaplanMeier: event[${i}] = ${event[i]}; expected 0 or 1`);
  }
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => time[a] - time[b]);
  let distinct = 0;
  for (let k = 0; k < n; k++) if (k === 0 || time[order[k]] !== time[order[k - 1]]) distinct++;
  const t = new Float64Array(distinct);
  const s = new Float64Array(distinct);
  const se = new Float64Array(distinct);
  const lo = new Float64Array(distinct);
  const hi = new Float64Array(distinct);
  const risk = new Int32Array(distinct);
  const ev = new Int32Array(distinct);
  const cen = new Int32Array(distinct);
  let atRisk = n;
  let surv = 1;
  let greenwood = 0;
  let k = 0;
  for (let j = 0; j < distinct; j++) {
    const tj = time[order[k]];
    let d = 0;
    let c = 0;
    while (k < n && time[order[k]] === tj) {
      if (event[order[k]] === 1) d++;
      else c++;
      k++;
    }
    if (d > 0) {
      surv *= 1 - d / atRisk;
      greenwood += d === atRisk ? Number.POSITIVE_INFINITY : d / (atRisk * (atRisk - d));
    }
    t[j] = tj;
    s[j] = surv;
    se[j] = surv > 0 && Number.isFinite(greenwood) ? surv * Math.sqrt(greenwood) : 0;
    [lo[j], hi[j]] = band(surv, greenwood, z, transform);
    risk[j] = atRisk;
    ev[j] = d;
    cen[j] = c;
    atRisk -= d + c;
  }
  return {
    kind: 'survival',
    n,
    level,
    transform,
    time: t,
    survival: s,
    stdErr: se,
    lower: lo,
    upper: hi,
    atRisk: risk,
    events: ev,
    censored: cen,
  };
}

/** Cumulative incidence 1 - S(t) with the band flipped (no competing risks: see the module note). */
export function cumulativeIncidence(curve: KaplanMeierCurve): IncidenceCurve {
  const m = curve.time.length;
  const inc = new Float64Array(m);
  const lo = new Float64Array(m);
  const hi = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    inc[i] = 1 - curve.survival[i];
    lo[i] = 1 - curve.upper[i];
    hi[i] = 1 - curve.lower[i];
  }
  const { kind: _k, survival: _s, ...rest } = curve;
  return { ...rest, kind: 'incidence', incidence: inc, lower: lo, upper: hi };
}

export interface CurvePoint {
  readonly estimate: number;
  readonly lower: number;
  readonly upper: number;
  /** Under observation at t (observed time >= t). */
  readonly atRisk: number;
}

/** Index of the last curve time <= t (-1 before the first). */
function stepIndex(time: Float64Array, t: number): number {
  let lo = 0;
  let hi = time.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (time[mid] <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/**
 * The curve at time t with its band. Before the first observed time: S = 1 (incidence 0), band collapsed. Beyond
 * the largest observed time the estimate is undefined: NaN.
 */
export function valueAt(curve: StepCurve, t: number): CurvePoint {
  const m = curve.time.length;
  const est = curve.kind === 'survival' ? curve.survival : curve.incidence;
  if (m === 0 || t > curve.time[m - 1] || Number.isNaN(t))
    return { estimate: Number.NaN, lower: Number.NaN, upper: Number.NaN, atRisk: 0 };
  const i = stepIndex(curve.time, t);
  // At risk at t: the first curve time >= t carries it.
  const j = i >= 0 && curve.time[i] === t ? i : i + 1;
  const atRisk = j < m ? curve.atRisk[j] : 0;
  if (i < 0) {
    const v = curve.kind === 'survival' ? 1 : 0;
    return { estimate: v, lower: v, upper: v, atRisk };
  }
  return { estimate: est[i], lower: curve.lower[i], upper: curve.upper[i], atRisk };
}

/** A quantile time and its interval; NaN where the curve (or the band) never reaches the level. */
export interface QuantileTime {
  /** Probability of the event by the quantile time (0.5: the median). */
  readonly p: number;
  readonly estimate: number;
  readonly lower: number;
  readonly upper: number;
  readonly level: number;
}

/**
 * Smallest time at which the decreasing step function `y` reaches `target` (y <= target); when y equals the
 * target over a whole step, the midpoint of that step and the next event time (R survival's convention).
 */
function firstReach(time: Float64Array, y: Float64Array, target: number): number {
  const tol = 1e-10;
  for (let i = 0; i < y.length; i++) {
    if (Math.abs(y[i] - target) < tol) {
      for (let j = i + 1; j < y.length; j++) if (y[j] < y[i] - tol) return 0.5 * (time[i] + time[j]);
      return time[i];
    }
    if (y[i] < target) return time[i];
  }
  return Number.NaN;
}

/**
 * The time by which a fraction p of the cohort has had the event (p = 0.5: median), with the Brookmeyer-Crowley
 * interval: the lower limit is where the band's lower edge reaches 1 - p, the upper limit where its upper edge does.
 */
export function quantileTime(curve: StepCurve, p: number): QuantileTime {
  if (!(p > 0 && p < 1)) throw new RangeError(`quantileTime: p must lie in (0, 1), got ${p}`);
  const target = 1 - p;
  const m = curve.time.length;
  let s: Float64Array;
  let lo: Float64Array;
  let hi: Float64Array;
  if (curve.kind === 'survival') {
    s = curve.survival;
    lo = curve.lower;
    hi = curve.upper;
  } else {
    s = new Float64Array(m);
    lo = new Float64Array(m);
    hi = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      s[i] = 1 - curve.incidence[i];
      lo[i] = 1 - curve.upper[i];
      hi[i] = 1 - curve.lower[i];
    }
  }
  return {
    p,
    estimate: firstReach(curve.time, s, target),
    lower: firstReach(curve.time, lo, target),
    upper: firstReach(curve.time, hi, target),
    level: curve.level,
  };
}

/** The median event time with its interval (NaN when the curve stays above 0.5). */
export function medianTime(curve: StepCurve): QuantileTime {
  return quantileTime(curve, 0.5);
}

/** Plain-array form of a curve (JSON: NaN becomes null). */
export function curveToJSON(curve: StepCurve): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(curve))
    out[k] = ArrayBuffer.isView(v) ? Array.from(v as unknown as ArrayLike<number>) : v;
  return out;
}
