/**
 * Bi-exponential decline y(t) = A e^{-a t} + B e^{-b t} (a > b) fitted to one series on the log10 scale, the
 * descriptive model of the biphasic BCR-ABL1 decline on imatinib (Michor et al. 2005, Nature 435:1267, Fig. 2:
 * a fast first phase, about 0.05/day, read as the turnover of differentiated leukaemic cells, and a slow second
 * phase read as the turnover of progenitors). Closed form, no ODE: the objective is the sum of squared log10
 * residuals, minimised by Nelder-Mead over (ln A, a, ln B, b) from deterministic starts (the two phases' log-linear
 * regressions and a few fixed slope pairs). The sum is symmetric in (A, a) <-> (B, b), so the result is ordered to
 * a >= b. Measurement model: log10 y_obs = log10 y(t) + eps, eps ~ N(0, sigma^2), sigma the ML estimate
 * sqrt(RSS/n); left-censored points enter as Tobit terms like everywhere in src/fitting (objective.ts).
 */
import type { Series } from './data.js';
import { nelderMead } from './nelder-mead.js';
import { logNormalCdf } from './objective.js';

export interface BiexponentialFit {
  readonly id: string;
  /** Amplitude of the fast phase (units of the data). */
  readonly A: number;
  /** Decay rate of the fast phase (per time unit of the data); the log-slope is -a. */
  readonly a: number;
  readonly B: number;
  readonly b: number;
  /** Sum of squared log10 residuals of measured points (plus 2 x the Tobit terms of censored ones). */
  readonly rss: number;
  /** ML standard deviation of the log10 residuals, sqrt(rss / n). */
  readonly sigma: number;
  readonly n: number;
  readonly evaluations: number;
  readonly converged: boolean;
}

export interface BiexponentialOptions {
  /** End of the first phase for the starting regression (default 100, data time units). */
  readonly firstPhaseEnd?: number;
  /** Start of the second phase for the starting regression (default 120). */
  readonly secondPhaseStart?: number;
  /** Residual sd used for censored points' Tobit terms (default 0.3 log10). */
  readonly censoredSigma?: number;
}

/** log10 of A e^{-a t} + B e^{-b t} from logs, stable when one term underflows. */
export function biexpLog10(lnA: number, a: number, lnB: number, b: number, t: number): number {
  const u = lnA - a * t;
  const v = lnB - b * t;
  const m = Math.max(u, v);
  return (m + Math.log(Math.exp(u - m) + Math.exp(v - m))) / Math.LN10;
}

/** Least-squares line through (t, log y) for the observations in [from, to]: [intercept ln, slope], or null. */
function phaseLine(s: Series, from: number, to: number): [number, number] | null {
  let n = 0;
  let st = 0;
  let sy = 0;
  let stt = 0;
  let sty = 0;
  for (const o of s.observations) {
    if (o.censored || o.t < from || o.t > to) continue;
    const y = Math.log(o.value);
    n++;
    st += o.t;
    sy += y;
    stt += o.t * o.t;
    sty += o.t * y;
  }
  const d = n * stt - st * st;
  if (n < 2 || !(d > 0)) return null;
  const slope = (n * sty - st * sy) / d;
  return [(sy - slope * st) / n, slope];
}

/** Fits the bi-exponential to one series (needs at least 4 measured points). */
export function fitBiexponential(s: Series, options: BiexponentialOptions = {}): BiexponentialFit {
  const obs = s.observations;
  const measured = obs.filter((o) => !o.censored).length;
  if (measured < 4)
    throw new RangeError(
      `series '${s.id}': a bi-exponential needs at least 4 measured points, got ${measured}`,
    );
  const n = obs.length;
  const ts = Float64Array.from(obs, (o) => o.t);
  const ly = Float64Array.from(obs, (o) => Math.log10(o.value));
  const cens = Uint8Array.from(obs, (o) => (o.censored ? 1 : 0));
  const sc = options.censoredSigma ?? 0.3;
  const f = (x: Float64Array): number => {
    let ss = 0;
    for (let i = 0; i < n; i++) {
      const r = ly[i] - biexpLog10(x[0], x[1], x[2], x[3], ts[i]);
      ss += cens[i] ? -2 * sc * sc * logNormalCdf(r / sc) : r * r;
    }
    return ss;
  };
  const e1 = options.firstPhaseEnd ?? 100;
  const s2 = options.secondPhaseStart ?? 120;
  const first = phaseLine(s, Number.NEGATIVE_INFINITY, e1);
  const second = phaseLine(s, s2, Number.POSITIVE_INFINITY);
  const y0 = Math.log(obs[0].value);
  const starts: number[][] = [];
  if (first && second) starts.push([first[0], -first[1], second[0], -second[1]]);
  for (const [a, b] of [
    [0.05, 0.005],
    [0.1, 0.01],
    [0.03, 0.001],
  ])
    starts.push([y0, a, y0 - 4, b]);
  let best: { x: Float64Array; value: number; evaluations: number; converged: boolean } | undefined;
  let evaluations = 0;
  for (const x0 of starts) {
    // Steps: one e-fold in the amplitudes, slopes by half their start value (at least 0.002/time unit).
    const step = [1, Math.max(0.002, Math.abs(x0[1]) / 2), 1, Math.max(0.002, Math.abs(x0[3]) / 2)];
    const r = nelderMead(f, x0, { step, fTol: 1e-12, xTol: 1e-9, maxEvaluations: 4000, restarts: 2 });
    evaluations += r.evaluations;
    if (!best || r.value < best.value)
      best = { x: r.x, value: r.value, evaluations: r.evaluations, converged: r.converged };
  }
  if (!best) throw new Error('unreachable');
  let [lnA, a, lnB, b] = best.x;
  if (b > a) [lnA, a, lnB, b] = [lnB, b, lnA, a];
  return {
    id: s.id,
    A: Math.exp(lnA),
    a,
    B: Math.exp(lnB),
    b,
    rss: best.value,
    sigma: Math.sqrt(best.value / n),
    n,
    evaluations,
    converged: best.converged,
  };
}

/** Michor-style eligibility: enough points in each phase for its slope (defaults: >= 3 up to day 100, >= 2 from day 120). */
export function hasBothPhases(
  s: Series,
  options: { firstPhaseEnd?: number; secondPhaseStart?: number; minFirst?: number; minSecond?: number } = {},
): boolean {
  const e1 = options.firstPhaseEnd ?? 100;
  const s2 = options.secondPhaseStart ?? 120;
  let n1 = 0;
  let n2 = 0;
  for (const o of s.observations) {
    if (o.censored) continue;
    if (o.t <= e1) n1++;
    if (o.t >= s2) n2++;
  }
  return n1 >= (options.minFirst ?? 3) && n2 >= (options.minSecond ?? 2);
}
