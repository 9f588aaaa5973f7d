/**
 * The error model and objective for longitudinal measurements spanning decades (BCR-ABL1 ratios): measurement
 * errors are taken as normal on the log10 scale,
 *
 *   log10 y_obs = log10 y_model(t) + eps,  eps ~ N(0, sigma^2),
 *
 * so a left-censored point (true value at or below the detection limit c) contributes P(log10 y <= log10 c) =
 * Phi((log10 c - log10 y_model)/sigma) (a Tobit likelihood). The objective is the negative log-likelihood without
 * its constant: sum over measured points of r^2/(2 sigma^2) (least squares on log10) minus sum over censored points
 * of log Phi(.). A censored point costs nothing once the model is well below its limit and grows quadratically
 * once the model is well above it. Model values are floored (default 1e-12) before the logarithm.
 */
import type { Observation, Series } from './data.js';

export interface Log10ErrorModel {
  /** Standard deviation of log10 measurement errors. */
  readonly sigma: number;
  /** Model values below this are raised to it before log10 (default 1e-12). */
  readonly floor?: number;
}

export interface Residual {
  readonly series: string;
  readonly t: number;
  readonly observed: number;
  readonly predicted: number;
  readonly censored: boolean;
  /** log10 observed - log10 predicted (for a censored point: the limit minus the prediction). */
  readonly residual: number;
  /** This point's share of the objective. */
  readonly contribution: number;
}

const SQRT1_2 = Math.SQRT1_2;

/**
 * log erfc(z) for z >= 0 from the Chebyshev-fitted form erfc(z) = t exp(-z^2 + P(t)), t = 1/(1 + z/2), whose
 * fractional error is below 1.2e-7 for all z >= 0 (Press et al., Numerical Recipes, 2nd ed., §6.2, erfcc).
 * Computing the logarithm directly keeps far tails (z > 27) finite.
 */
function logErfcNonNeg(z: number): number {
  const t = 1 / (1 + 0.5 * z);
  const p =
    -1.26551223 +
    t *
      (1.00002368 +
        t *
          (0.37409196 +
            t *
              (0.09678418 +
                t *
                  (-0.18628806 +
                    t *
                      (0.27886807 +
                        t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  return Math.log(t) - z * z + p;
}

/** log Phi(x), Phi the standard normal distribution function; relative accuracy about 1e-7 in Phi. */
export function logNormalCdf(x: number): number {
  if (x < 0) return Math.log(0.5) + logErfcNonNeg(-x * SQRT1_2);
  return Math.log1p(-0.5 * Math.exp(logErfcNonNeg(x * SQRT1_2)));
}

/** One point's negative log-likelihood (without constants) and its log10 residual. */
export function pointNll(
  o: Observation,
  predicted: number,
  model: Log10ErrorModel,
): { nll: number; residual: number } {
  const floor = model.floor ?? 1e-12;
  const lp = Math.log10(Math.max(predicted, floor));
  const r = Math.log10(o.value) - lp;
  const z = r / model.sigma;
  return o.censored ? { nll: -logNormalCdf(z), residual: r } : { nll: 0.5 * z * z, residual: r };
}

/** The objective of one series given the model's values at its observation times. */
export function seriesNll(s: Series, predicted: ArrayLike<number>, model: Log10ErrorModel): number {
  checkLengths(s, predicted);
  let sum = 0;
  for (let i = 0; i < s.observations.length; i++) sum += pointNll(s.observations[i], predicted[i], model).nll;
  return sum;
}

export function seriesResiduals(s: Series, predicted: ArrayLike<number>, model: Log10ErrorModel): Residual[] {
  checkLengths(s, predicted);
  return s.observations.map((o, i) => {
    const { nll, residual } = pointNll(o, predicted[i], model);
    return {
      series: s.id,
      t: o.t,
      observed: o.value,
      predicted: predicted[i],
      censored: o.censored,
      residual,
      contribution: nll,
    };
  });
}

/** Summary of residuals: RMS of the log10 residuals of measured points, and censored points the model exceeds. */
export function residualSummary(rs: readonly Residual[]): {
  measured: number;
  rmsLog10: number;
  meanLog10: number;
  censored: number;
  censoredAbove: number;
  objective: number;
} {
  let n = 0;
  let ss = 0;
  let s = 0;
  let nc = 0;
  let above = 0;
  let obj = 0;
  for (const r of rs) {
    obj += r.contribution;
    if (r.censored) {
      nc++;
      if (r.residual < 0) above++;
    } else {
      n++;
      ss += r.residual * r.residual;
      s += r.residual;
    }
  }
  return {
    measured: n,
    rmsLog10: n > 0 ? Math.sqrt(ss / n) : Number.NaN,
    meanLog10: n > 0 ? s / n : Number.NaN,
    censored: nc,
    censoredAbove: above,
    objective: obj,
  };
}

function checkLengths(s: Series, predicted: ArrayLike<number>): void {
  if (predicted.length !== s.observations.length)
    throw new RangeError(
      `series '${s.id}': ${s.observations.length} observations but ${predicted.length} predictions`,
    );
}
