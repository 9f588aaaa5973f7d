/**
 * Profile likelihood (Raue et al. 2009, Bioinformatics 25:1923): for a parameter theta_j, PL(v) = min over the
 * other parameters of the negative log-likelihood with theta_j fixed at v. The likelihood-based confidence interval
 * at level alpha is {v : PL(v) - NLL_min <= chi2_1(alpha)/2} (Wilks; 1.9207 at 95 %), valid for finite samples far
 * better than the Wald interval when the model is non-linear in the parameter. Raue's classes follow from the shape:
 * a profile that crosses the threshold on both sides is identifiable; one that stays below it on a side (open
 * interval) although it rises is practically non-identifiable (too little information in the data); a flat profile
 * is structurally non-identifiable (a functional relation between parameters, whatever the data).
 *
 * The profile is traced from the optimum in both directions in the parameter's working coordinate (ln v for
 * log-scale specs), each refit warm-started at the previous point. Steps adapt as in Raue et al. (2009, Section 2.3):
 * a step that raises the NLL by much more than a target share of the threshold is halved and retried, one that
 * raises it by much less is doubled for the next step. The crossing is first located by linear interpolation
 * between the bracketing points (Raue's estimate) and then, by default, refined by Illinois regula falsi on further
 * refits until the profile value at the crossing matches the threshold to `crossingTol`.
 */
import type { LocalResult } from './multistart.js';
import { type NelderMeadOptions, nelderMead } from './nelder-mead.js';
import { checkSpec, fromUnbounded, type ParameterSpec, toUnbounded, toUnit } from './transform.js';

export interface ProfileProblem {
  specs: readonly ParameterSpec[];
  nll(x: Float64Array): number;
  /** minimise over the other parameters with parameter j fixed at v, warm-started at x0; returns the full x */
  refit(j: number, v: number, x0: Float64Array): LocalResult;
}

export interface ProfilePoint {
  /** The profiled parameter's value (natural). */
  value: number;
  /** Profile NLL at that value (minimised over the other parameters). */
  nll: number;
  /** The full parameter vector of the refit (natural). */
  x: Float64Array;
}

export interface ParameterProfile {
  name: string;
  estimate: number;
  /** All points traced (including the estimate and the refinement points), sorted by value. */
  points: ProfilePoint[];
  /** Interval ends (natural); null = the threshold was not crossed before the range bound (or within maxPoints steps). */
  lower: number | null;
  upper: number | null;
  verdict: 'identifiable' | 'practically-non-identifiable' | 'structurally-non-identifiable';
  /** The threshold nllMin + chi2_1(level)/2 used. */
  threshold?: number;
  /** Set when the profile found a point with NLL below nllMin by more than 1e-6: the fit was not the optimum. */
  better?: ProfilePoint;
  /**
   * Other parameters at a range bound (within 1e-6 of its position) in the refit at a crossing: the crossing is
   * then an artefact of the ranges (the likelihood ridge leaves the box), not information in the data, and such a
   * side does not count as closed for the verdict.
   */
  limitedBy?: { lower?: string[]; upper?: string[] };
}

export interface ProfileOptions {
  /** Confidence level (default 0.95): threshold nllMin + chi2_1(level)/2. */
  level?: number;
  /** Indices of the parameters to profile (default all). */
  parameters?: readonly number[];
  /** Most accepted steps per direction (default 40). */
  maxPoints?: number;
  onPoint?: (name: string, p: ProfilePoint) => void;
  /** First step in working coordinates as a share of the working range (default 0.01); steps stay in [1e-8, 0.1] of it. */
  initialStep?: number;
  /** Target NLL rise per step as a share of the threshold rise (default 0.2). */
  target?: number;
  /** Regula falsi refits to refine each crossing (default 30; 0 = linear interpolation only). */
  refine?: number;
  /** Refinement stops when |PL - threshold| <= crossingTol (default 1e-9). */
  crossingTol?: number;
  /** A profile is flat (structural) when its rise stays below flatTol NLL units ... (default 1e-3) */
  flatTol?: number;
  /** ... over at least this share of the working range on one side of the estimate (default 0.1). */
  flatSpan?: number;
}

/** erf(x) for x >= 0 by the all-positive series (2/sqrt(pi)) e^{-x^2} sum_n 2^n x^{2n+1} / (2n+1)!! (no cancellation). */
function erfSeries(x: number): number {
  let term = x;
  let sum = x;
  for (let k = 1; k < 500; k++) {
    term *= (2 * x * x) / (2 * k + 1);
    sum += term;
    if (term < 1e-17 * sum) break;
  }
  return (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x) * sum;
}

/**
 * Quantile of the chi-square distribution with one degree of freedom: q with P(chi2_1 <= q) = level, i.e.
 * q = 2 t^2 with erf(t) = level. Newton's method on the concave erf from t = 0 increases monotonically to the root.
 */
export function chiSquare1Quantile(level: number): number {
  if (!(level > 0 && level < 1 - 1e-12))
    throw new RangeError(`chiSquare1Quantile: level must lie in (0, 1 - 1e-12), got ${level}`);
  let t = 0;
  for (let k = 0; k < 200; k++) {
    const step = (erfSeries(t) - level) / ((2 / Math.sqrt(Math.PI)) * Math.exp(-t * t));
    t -= step;
    if (Math.abs(step) <= 1e-15 * t) break;
  }
  return 2 * t * t;
}

const toWork = (p: ParameterSpec, v: number) => (p.scale === 'log' ? Math.log(v) : v);
const fromWork = (p: ParameterSpec, w: number) =>
  Math.min(p.hi, Math.max(p.lo, p.scale === 'log' ? Math.exp(w) : w));

export function profileLikelihood(
  problem: ProfileProblem,
  xhat: Float64Array,
  nllMin: number,
  options: ProfileOptions = {},
): ParameterProfile[] {
  const specs = problem.specs;
  for (const p of specs) checkSpec(p);
  const n = specs.length;
  if (xhat.length !== n)
    throw new RangeError(`profileLikelihood: xhat has ${xhat.length} values, expected ${n}`);
  if (!Number.isFinite(nllMin))
    throw new RangeError(`profileLikelihood: nllMin must be finite, got ${nllMin}`);
  const level = options.level ?? 0.95;
  const delta = chiSquare1Quantile(level) / 2;
  const threshold = nllMin + delta;
  const maxPoints = options.maxPoints ?? 40;
  const target = (options.target ?? 0.2) * delta;
  const refine = options.refine ?? 30;
  const crossingTol = options.crossingTol ?? 1e-9;
  const flatTol = options.flatTol ?? 1e-3;
  const flatSpan = options.flatSpan ?? 0.1;
  const which = options.parameters ?? specs.map((_, j) => j);
  const out: ParameterProfile[] = [];
  for (const j of which) {
    if (!(Number.isInteger(j) && j >= 0 && j < n))
      throw new RangeError(`profileLikelihood: parameter index ${j} out of range [0, ${n})`);
    const p = specs[j];
    const wLo = toWork(p, p.lo);
    const wHi = toWork(p, p.hi);
    const width = wHi - wLo;
    const wHat = toWork(p, xhat[j]);
    const points: ProfilePoint[] = [{ value: xhat[j], nll: nllMin, x: Float64Array.from(xhat) }];
    let better: ProfilePoint | undefined;
    const refitAt = (w: number, x0: Float64Array): ProfilePoint => {
      const v = fromWork(p, w);
      const r = problem.refit(j, v, x0);
      const x = Float64Array.from(r.x);
      x[j] = v;
      const pt = { value: v, nll: Number.isFinite(r.value) ? r.value : Number.POSITIVE_INFINITY, x };
      points.push(pt);
      if (pt.nll < nllMin - 1e-6 && (!better || pt.nll < better.nll)) better = pt;
      options.onPoint?.(p.name, pt);
      return pt;
    };
    // Names of the other parameters at a bound in a refit.
    const atBounds = (x: Float64Array): string[] =>
      specs
        .filter(
          (q, k) => k !== j && (Math.abs(toUnit(q, x[k])) <= 1e-6 || Math.abs(1 - toUnit(q, x[k])) <= 1e-6),
        )
        .map((q) => q.name);
    // Trace one direction; returns the crossing (natural) or null, and the flat stretch length from the estimate.
    const trace = (dir: 1 | -1): { crossing: number | null; flat: number; limitedBy: string[] } => {
      const bound = dir > 0 ? wHi : wLo;
      let h = (options.initialStep ?? 0.01) * width;
      const hMin = 1e-8 * width;
      const hMax = 0.1 * width;
      let wCur = wHat;
      let cur: ProfilePoint = points[0];
      let flat = 0;
      let flatOpen = true;
      let accepted = 0;
      let retries = 0;
      while (accepted < maxPoints && (bound - wCur) * dir > 1e-12 * width) {
        let wNext = wCur + dir * h;
        if ((wNext - bound) * dir >= 0) wNext = bound;
        const next = refitAt(wNext, cur.x);
        const rise = next.nll - cur.nll;
        if (!(rise <= 2.5 * target) && h > hMin && retries < 60) {
          // Too large a step for a well-resolved profile: retry shorter (the point stays in the profile).
          h = Math.max(hMin, Math.min(h, Math.abs(wNext - wCur)) / 2);
          retries++;
          continue;
        }
        accepted++;
        if (flatOpen && next.nll - nllMin <= flatTol) flat = Math.abs(wNext - wHat);
        else flatOpen = false;
        if (next.nll > threshold) {
          const c = crossing(cur, wCur, next, wNext);
          return { crossing: c.value, flat, limitedBy: atBounds(c.x) };
        }
        if (rise < target / 2) h = Math.min(hMax, 2 * h);
        wCur = wNext;
        cur = next;
      }
      return { crossing: null, flat, limitedBy: [] };
    };
    // Crossing between an accepted point below the threshold and one above it.
    const crossing = (
      a: ProfilePoint,
      wa: number,
      b: ProfilePoint,
      wb: number,
    ): { value: number; x: Float64Array } => {
      let da = a.nll - threshold;
      let db = b.nll - threshold;
      let xa = a.x;
      let xb = b.x;
      let side = 0;
      for (let it = 0; it < refine; it++) {
        if (Math.abs(wb - wa) <= 1e-14 * width) break;
        // A failed refit (infinite NLL) above the threshold gives no slope: bisect instead.
        const w = Number.isFinite(db) ? wa - (da * (wb - wa)) / (db - da) : (wa + wb) / 2;
        const c = refitAt(w, Math.abs(w - wa) <= Math.abs(wb - w) ? xa : xb);
        const dc = c.nll - threshold;
        if (Math.abs(dc) <= crossingTol) return c;
        if (dc < 0) {
          wa = w;
          da = dc;
          xa = c.x;
          if (side === -1) db /= 2; // Illinois: halve the stale end so the bracket shrinks from both sides
          side = -1;
        } else {
          wb = w;
          db = dc;
          xb = c.x;
          if (side === 1) da /= 2;
          side = 1;
        }
      }
      return { value: fromWork(p, Number.isFinite(db) ? wa - (da * (wb - wa)) / (db - da) : wa), x: xb };
    };
    const up = trace(1);
    const down = trace(-1);
    points.sort((a, b) => a.value - b.value);
    const flat = Math.max(up.flat, down.flat) >= flatSpan * width;
    const verdict: ParameterProfile['verdict'] = flat
      ? 'structurally-non-identifiable'
      : up.crossing !== null &&
          down.crossing !== null &&
          up.limitedBy.length === 0 &&
          down.limitedBy.length === 0
        ? 'identifiable'
        : 'practically-non-identifiable';
    out.push({
      name: p.name,
      estimate: xhat[j],
      points,
      lower: down.crossing,
      upper: up.crossing,
      verdict,
      threshold,
      ...(better ? { better } : {}),
      ...(up.limitedBy.length > 0 || down.limitedBy.length > 0
        ? {
            limitedBy: {
              ...(down.limitedBy.length > 0 ? { lower: down.limitedBy } : {}),
              ...(up.limitedBy.length > 0 ? { upper: up.limitedBy } : {}),
            },
          }
        : {}),
    });
  }
  return out;
}

/**
 * A ProfileProblem's refit by Nelder-Mead over the other parameters in logit coordinates (transform.ts), for
 * objectives without a specialised constrained optimiser. With one parameter the refit is a single evaluation.
 */
export function nelderMeadRefit(
  specs: readonly ParameterSpec[],
  nll: (x: Float64Array) => number,
  options: NelderMeadOptions = {},
): ProfileProblem['refit'] {
  const n = specs.length;
  const x = new Float64Array(n);
  return (j, v, x0) => {
    const others = specs.map((_, k) => k).filter((k) => k !== j);
    x.set(x0);
    x[j] = v;
    if (others.length === 0) {
      const value = nll(x);
      return { x: Float64Array.from(x), value, converged: true, evaluations: 1 };
    }
    const u0 = Float64Array.from(others, (k) =>
      toUnbounded(specs[k], Math.min(specs[k].hi, Math.max(specs[k].lo, x0[k]))),
    );
    const g = (u: Float64Array) => {
      for (let i = 0; i < others.length; i++) x[others[i]] = fromUnbounded(specs[others[i]], u[i]);
      return nll(x);
    };
    const r = nelderMead(g, u0, { step: 0.1, ...options });
    const out = Float64Array.from(x0);
    out[j] = v;
    for (let i = 0; i < others.length; i++) out[others[i]] = fromUnbounded(specs[others[i]], r.x[i]);
    return { x: out, value: r.value, converged: r.converged, evaluations: r.evaluations };
  };
}
