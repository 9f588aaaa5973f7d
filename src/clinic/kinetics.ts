/**
 * The kinetics of a BCR-ABL1 series: the log-linear decline rate over a window, the quantity of the biphasic
 * analyses (Michor 2005, Tang 2011: about 0.05/day in the first months of imatinib, 0.006/day later).
 */
import { DAYS_PER_MONTH } from './tfr.js';

/** Window edges are inclusive up to this many months (sampling times are sums of month fractions). */
const EDGE = 1e-9;

/**
 * Least-squares slope of ln(BCR-ABL1) against days over the sampling times in [from, to] months, sign flipped
 * (decline > 0). Times are in months of 365.25/12 days (src/clinic/tfr.ts); values <= 0 (undetected) are left out.
 * NaN with fewer than 2 usable points.
 */
export function logDeclineRate(
  months: ArrayLike<number>,
  values: ArrayLike<number>,
  from: number,
  to: number,
): number {
  let n = 0;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < months.length; i++) {
    if (months[i] < from - EDGE || months[i] > to + EDGE || !(values[i] > 0)) continue;
    const x = months[i] * DAYS_PER_MONTH;
    const y = Math.log(values[i]);
    n++;
    sx += x;
    sy += y;
    sxx += x * x;
    sxy += x * y;
  }
  const den = n * sxx - sx * sx;
  if (n < 2 || !(den > 0)) return Number.NaN;
  return -(n * sxy - sx * sy) / den;
}
