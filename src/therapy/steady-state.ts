/**
 * Steady state under regular dosing (dose D every tau h), in closed form. Each exponential of the unit response
 * accumulates geometrically: sum_{n>=0} exp(-lambda (t + n tau)) = exp(-lambda t) / (1 - exp(-lambda tau)), so
 * C_ss(t) = D sum_j c_j exp(-lambda_j t) / (1 - exp(-lambda_j tau)) for 0 <= t < tau (Gibaldi & Perrier 1982,
 * ch. 3). The accumulation factor of the terminal phase is R = 1 / (1 - exp(-lambda_z tau)) and the average
 * concentration is C_avg = D / (CL/F tau), independent of absorption and distribution.
 */
import { type PkParams, unitResponse } from './pk.js';

export interface SteadyState {
  /** Peak concentration, ng/mL, and its time after the dose, h. */
  readonly cmax: number;
  readonly tmax: number;
  /** Trough (just before the next dose), ng/mL. */
  readonly cmin: number;
  /** Average over the interval, ng/mL (= AUC_tau / tau). */
  readonly cavg: number;
  /** AUC over one interval, ng*h/mL. */
  readonly aucTau: number;
  /** Terminal-phase accumulation factor 1 / (1 - exp(-lambda_z tau)). */
  readonly accumulation: number;
}

/** Steady-state concentration (ng/mL) at time t in [0, tau] after a dose. */
export function steadyStateConcentration(p: PkParams, dose: number, tau: number, t: number): number {
  const u = unitResponse(p);
  let c = 0;
  for (let j = 0; j < u.rates.length; j++)
    c += (u.coefs[j] * Math.exp(-u.rates[j] * t)) / -Math.expm1(-u.rates[j] * tau);
  return 1000 * dose * c;
}

function derivative(rates: Float64Array, coefs: Float64Array, tau: number, t: number): number {
  let d = 0;
  for (let j = 0; j < rates.length; j++)
    d -= (rates[j] * coefs[j] * Math.exp(-rates[j] * t)) / -Math.expm1(-rates[j] * tau);
  return d;
}

export function steadyState(p: PkParams, dose: number, tau: number): SteadyState {
  const u = unitResponse(p);
  // dC/dt > 0 just after the dose (absorption) and changes sign once; bisect to machine precision.
  let lo = 0;
  let hi = tau;
  if (derivative(u.rates, u.coefs, tau, hi) >= 0) lo = hi;
  else {
    for (let it = 0; it < 200 && hi - lo > 1e-14 * tau; it++) {
      const mid = 0.5 * (lo + hi);
      if (derivative(u.rates, u.coefs, tau, mid) > 0) lo = mid;
      else hi = mid;
    }
  }
  const tmax = 0.5 * (lo + hi);
  const cavg = (1000 * dose) / (p.clF * tau);
  return {
    cmax: steadyStateConcentration(p, dose, tau, tmax),
    tmax,
    cmin: steadyStateConcentration(p, dose, tau, tau),
    cavg,
    aucTau: cavg * tau,
    accumulation: 1 / -Math.expm1(-u.rates[0] * tau),
  };
}

/** Time of the peak after a single dose (h): the root of dC1/dt. */
export function singleDoseTmax(p: PkParams): number {
  const u = unitResponse(p);
  const d = (t: number) => {
    let s = 0;
    for (let j = 0; j < u.rates.length; j++) s -= u.rates[j] * u.coefs[j] * Math.exp(-u.rates[j] * t);
    return s;
  };
  let lo = 0;
  let hi = 1;
  while (d(hi) > 0 && hi < 1e6) hi *= 2;
  for (let it = 0; it < 200 && hi - lo > 1e-13 * hi; it++) {
    const mid = 0.5 * (lo + hi);
    if (d(mid) > 0) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}
