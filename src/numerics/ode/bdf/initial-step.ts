/**
 * CVODE's initial step size for a method that starts at order 1 (SUNDIALS CVODE documentation, "Mathematical
 * Considerations", initial step; Hindmarsh et al., ACM TOMS 31 (2005) 363-396): the backward-Euler local error
 * (1/2) h^2 |y''|, with y'' estimated by the difference quotient (f(t0 + h, y0 + h f0) - f0) / h, is made
 * about 1 in the weighted rms norm. Bounds: h >= 100 * eps * max(|t0|, |tout|), and h <= 0.1 |tout - t0|
 * reduced so that h |f0_i| <= 0.1 |y0_i| + atol_i. At most 4 refinements; the result carries a safety factor
 * 1/2. Returns NaN when tout is too close to t0 for the rule (the caller then falls back to another rule).
 */
import type { OdeRhs } from '../problem.js';
import type { SolverStats } from '../stats.js';
import { wrmsNorm } from './newton.js';

const HLB_FACTOR = 100;
const HUB_FACTOR = 0.1;
const H_BIAS = 0.5;
const MAX_ITERS = 4;

/** Weighted norm of the difference-quotient estimate of y'' with the signed trial step hs. */
function yddNorm(
  f: OdeRhs,
  t0: number,
  hs: number,
  y0: Float64Array,
  f0: Float64Array,
  ewt: Float64Array,
  ytmp: Float64Array,
  ftmp: Float64Array,
): number {
  const n = y0.length;
  for (let i = 0; i < n; i++) ytmp[i] = y0[i] + hs * f0[i];
  f(t0 + hs, ytmp, ftmp);
  for (let i = 0; i < n; i++) ftmp[i] = (ftmp[i] - f0[i]) / hs;
  return wrmsNorm(ftmp, ewt, n);
}

/**
 * `f0` = f(t0, y0); `ewt` the inverse error weights at y0; `atolScalar` or `atolVec` the absolute
 * tolerance.
 * `ytmp`, `ftmp` are scratch; f evaluations are counted in `stats`. Returns |h| (positive) or NaN.
 */
export function cvodeInitialStep(
  f: OdeRhs,
  t0: number,
  tout: number,
  y0: Float64Array,
  f0: Float64Array,
  ewt: Float64Array,
  atolScalar: number,
  atolVec: Float64Array | null,
  ytmp: Float64Array,
  ftmp: Float64Array,
  stats: SolverStats,
): number {
  const n = y0.length;
  const tdist = Math.abs(tout - t0);
  const sign = tout >= t0 ? 1 : -1;
  const tround = Number.EPSILON * Math.max(Math.abs(t0), Math.abs(tout));
  if (!(tdist >= 2 * tround) || !Number.isFinite(tdist)) return Number.NaN;
  const hlb = HLB_FACTOR * tround;
  // upper bound: a tenth of the interval, and no component may change by more than 10 % (+ atol) in one step
  let hubInv = 0;
  for (let i = 0; i < n; i++) {
    const r = Math.abs(f0[i]) / (HUB_FACTOR * Math.abs(y0[i]) + (atolVec === null ? atolScalar : atolVec[i]));
    if (r > hubInv) hubInv = r;
  }
  let hub = HUB_FACTOR * tdist;
  if (hub * hubInv > 1) hub = 1 / hubInv;
  let hg = Math.sqrt(hlb * hub);
  if (hub < hlb) return hg;

  let hnew = hg;
  let hs = hg;
  let hnewOk = false;
  for (let count1 = 1; count1 <= MAX_ITERS; count1++) {
    let ydd = Number.NaN;
    let hgOk = false;
    for (let count2 = 1; count2 <= MAX_ITERS; count2++) {
      ydd = yddNorm(f, t0, hg * sign, y0, f0, ewt, ytmp, ftmp);
      stats.fEvals++;
      if (Number.isFinite(ydd)) {
        hgOk = true;
        break;
      }
      hg *= 0.2; // f failed at the trial point: try closer to t0
    }
    if (!hgOk) {
      if (count1 <= 2) return Number.NaN;
      hnew = hs;
      break;
    }
    hs = hg;
    if (hnewOk || count1 === MAX_ITERS) {
      hnew = hg;
      break;
    }
    hnew = ydd * hub * hub > 2 ? Math.sqrt(2 / ydd) : Math.sqrt(hg * hub);
    const hrat = hnew / hg;
    if (hrat > 0.5 && hrat < 2) hnewOk = true;
    if (count1 > 1 && hrat > 2) {
      hnew = hg;
      hnewOk = true;
    }
    hg = hnew;
  }
  let h0 = H_BIAS * hnew;
  if (h0 < hlb) h0 = hlb;
  if (h0 > hub) h0 = hub;
  return h0;
}
