/**
 * Drug effect for cell models, two ways (docs/therapy.md gives the measured costs and errors):
 *
 * (a) exact: E(t) = Hill(C_u(t)) from the closed-form profile, evaluated inside the model's right-hand side. C(t)
 *     is continuous but its derivative jumps at every dose, so a solver either lands on the dose times (tstops) or
 *     lets its error control absorb the kinks.
 * (b) exposure summary: the effect averaged over a dosing interval at steady state, held constant over each
 *     regimen segment (dose and interval fixed, no interruption). The right-hand side is then smooth except at
 *     regimen changes, so a simulation over years needs a handful of restarts instead of one per dose. It ignores
 *     within-day oscillation (harmless when the cell dynamics are much slower than tau) and the accumulation and
 *     wash-out transients at segment ends (a few half-lives, i.e. days).
 *
 * Averages are integrals of a function that is smooth between doses: Gauss-Legendre 8-point rule (Abramowitz &
 * Stegun 1964, Table 25.4) on panels with edges at every dose time, graded through the absorption phase (multiples
 * of 1/ka after each dose) and no longer than `panelHours` after it.
 */
import { type HillParams, hillEffect } from './pd.js';
import { ngPerMlToNm, type PkParams, type PkProfile, terminalHalfLife, unitResponse } from './pk.js';
import type { RegimenSegment } from './schedule.js';

const GL_X = [
  -0.9602898564975363, -0.7966664774136267, -0.525532409916329, -0.1834346424956498, 0.1834346424956498,
  0.525532409916329, 0.7966664774136267, 0.9602898564975363,
];
const GL_W = [
  0.1012285362903763, 0.2223810344533745, 0.3137066458778873, 0.362683783378362, 0.362683783378362,
  0.3137066458778873, 0.2223810344533745, 0.1012285362903763,
];

/** Integral of f over [a, b] on `panels` equal Gauss-Legendre panels. */
export function gaussLegendre(f: (t: number) => number, a: number, b: number, panels = 1): number {
  const h = (b - a) / panels;
  let s = 0;
  for (let p = 0; p < panels; p++) {
    const mid = a + (p + 0.5) * h;
    let q = 0;
    for (let i = 0; i < 8; i++) q += GL_W[i] * f(mid + 0.5 * h * GL_X[i]);
    s += 0.5 * h * q;
  }
  return s;
}

/** Absorption-graded breakpoints after a dose: multiples of 1/ka where C(t) changes fastest. */
const GRADED = [0.25, 0.5, 1, 2, 4, 8, 16];

/**
 * Integral of f over [a, b] where a is a dose time (or the start of a smooth stretch): Gauss-Legendre panels
 * graded at a + c/ka (c = 1/4 ... 16) through the absorption phase, then panels of at most `panelHours`.
 */
export function integrateAfterDose(
  f: (t: number) => number,
  a: number,
  b: number,
  ka: number,
  panelHours: number,
): number {
  let s = 0;
  let x = a;
  for (const c of GRADED) {
    const y = a + c / ka;
    if (y >= b) break;
    if (y > x) {
      s += gaussLegendre(f, x, y, Math.max(1, Math.ceil((y - x) / panelHours)));
      x = y;
    }
  }
  if (b > x) s += gaussLegendre(f, x, b, Math.max(1, Math.ceil((b - x) / panelHours)));
  return s;
}

/** Drug effect of a profile at time t (h): Hill function of the unbound concentration in nM. */
export function effectAt(profile: PkProfile, pd: HillParams, t: number): number {
  return hillEffect(profile.unboundNm(t), pd);
}

/** Mean effect over [t0, t1] h (exact time-varying effect, integrated between doses). */
export function meanEffect(
  profile: PkProfile,
  pd: HillParams,
  t0: number,
  t1: number,
  panelHours = 2,
): number {
  if (!(t1 > t0)) return effectAt(profile, pd, t0);
  const f = (t: number) => effectAt(profile, pd, t);
  let s = 0;
  let a = t0;
  let k = profile.lastDoseIndex(t0) + 1;
  const ts = profile.times;
  while (a < t1) {
    const b = k < ts.length && ts[k] < t1 ? ts[k] : t1;
    if (b > a) s += integrateAfterDose(f, a, b, profile.params.ka, panelHours);
    a = b;
    k++;
  }
  return s / (t1 - t0);
}

export interface SteadyStateExposure {
  /** Mean effect over one dosing interval at steady state. */
  readonly meanEffect: number;
  /** Effect at the steady-state trough and peak concentrations (bounds on the within-interval swing). */
  readonly troughEffect: number;
  readonly peakEffect: number;
  /** Unbound steady-state average concentration, nM. */
  readonly unboundAvgNm: number;
}

/** The mean effect over a steady-state dosing interval of `dose` mg every `tau` h. */
export function steadyStateExposure(
  p: PkParams,
  dose: number,
  tau: number,
  fu: number,
  molecularWeight: number,
  pd: HillParams,
  panelHours = 2,
): SteadyStateExposure {
  const u = unitResponse(p);
  const denom = u.rates.map((r) => -Math.expm1(-r * tau));
  const cu = (t: number) => {
    let c = 0;
    for (let j = 0; j < u.rates.length; j++) c += (u.coefs[j] * Math.exp(-u.rates[j] * t)) / denom[j];
    return ngPerMlToNm(1000 * dose * c * fu, molecularWeight);
  };
  const mean = integrateAfterDose((t) => hillEffect(cu(t), pd), 0, tau, p.ka, panelHours) / tau;
  let cmin = Number.POSITIVE_INFINITY;
  let cmax = 0;
  for (let i = 0; i <= 2000; i++) {
    const c = cu((i / 2000) * tau);
    cmin = Math.min(cmin, c);
    cmax = Math.max(cmax, c);
  }
  return {
    meanEffect: mean,
    troughEffect: hillEffect(cmin, pd),
    peakEffect: hillEffect(cmax, pd),
    unboundAvgNm: ngPerMlToNm((1000 * dose * fu) / (p.clF * tau), molecularWeight),
  };
}

/** A piecewise-constant effect: `effect[i]` on [from[i], to[i]) days, 0 elsewhere. */
export interface EffectSegments {
  readonly from: Float64Array;
  readonly to: Float64Array;
  readonly effect: Float64Array;
}

/** The exposure summary of a schedule: each regimen segment at its steady-state mean effect. */
export function exposureSegments(
  segments: readonly RegimenSegment[],
  p: PkParams,
  fu: number,
  molecularWeight: number,
  pd: HillParams,
): EffectSegments {
  const n = segments.length;
  const out = { from: new Float64Array(n), to: new Float64Array(n), effect: new Float64Array(n) };
  segments.forEach((s, i) => {
    out.from[i] = s.from;
    out.to[i] = s.to;
    out.effect[i] = steadyStateExposure(p, s.dose, s.intervalHours, fu, molecularWeight, pd).meanEffect;
  });
  return out;
}

/**
 * The exposure summary with its transients resolved: within each regimen segment the first `transientIntervals`
 * dosing intervals (default: enough for 7 terminal half-lives, i.e. 99 % of steady state) carry their exact
 * interval-mean effect from `profile` (accumulation, carry-over from a previous regimen), the rest the
 * steady-state mean; after a segment ends, the same number of intervals carries the exact wash-out mean, then 0.
 * A few extra constant pieces per regimen change remove the summary's main error (docs/therapy.md).
 */
export function exposureSegmentsResolved(
  segments: readonly RegimenSegment[],
  profile: PkProfile,
  pd: HillParams,
  horizonDays: number,
  transientIntervals?: number,
): EffectSegments {
  const from: number[] = [];
  const to: number[] = [];
  const effect: number[] = [];
  const halfLifeH = terminalHalfLife(profile.params);
  const push = (a: number, b: number, e: number) => {
    if (!(b > a)) return;
    from.push(a);
    to.push(b);
    effect.push(e);
  };
  segments.forEach((s, i) => {
    const tauD = s.intervalHours / 24;
    const m = transientIntervals ?? Math.ceil((7 * halfLifeH) / s.intervalHours);
    const end = Math.min(s.to, horizonDays);
    let a = s.from;
    for (let k = 0; k < m && a < end; k++) {
      const b = Math.min(a + tauD, end);
      push(a, b, meanEffect(profile, pd, 24 * a, 24 * b));
      a = b;
    }
    if (a < end)
      push(
        a,
        end,
        steadyStateExposure(profile.params, s.dose, s.intervalHours, profile.fu, profile.molecularWeight, pd)
          .meanEffect,
      );
    const next = Math.min(segments[i + 1]?.from ?? horizonDays, horizonDays);
    a = end;
    for (let k = 0; k < m && a < next; k++) {
      const b = Math.min(a + tauD, next);
      push(a, b, meanEffect(profile, pd, 24 * a, 24 * b));
      a = b;
    }
  });
  return { from: Float64Array.from(from), to: Float64Array.from(to), effect: Float64Array.from(effect) };
}

/** Value of a piecewise-constant effect at day t (allocation-free binary search; segments sorted, disjoint). */
export function segmentEffect(e: EffectSegments, tDays: number): number {
  let lo = 0;
  let hi = e.from.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (e.from[mid] <= tDays) lo = mid + 1;
    else hi = mid;
  }
  const i = lo - 1;
  return i >= 0 && tDays < e.to[i] ? e.effect[i] : 0;
}

/** The segment boundaries (days): the only times a solver must stop at under the exposure summary. */
export function segmentBoundaries(e: EffectSegments): number[] {
  const s = new Set<number>();
  for (let i = 0; i < e.from.length; i++) {
    s.add(e.from[i]);
    s.add(e.to[i]);
  }
  return [...s].filter(Number.isFinite).sort((a, b) => a - b);
}
