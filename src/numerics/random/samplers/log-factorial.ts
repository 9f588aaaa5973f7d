/**
 * log(k!) for the rejection tests of the Poisson and binomial samplers. Exact-as-summed table for k < 256 (built
 * once; absolute error ~1e-12 at worst, far below anything a rejection test can resolve), and for larger k the
 * Stirling series ln Γ(x) = (x - 1/2) ln x - x + ln(2π)/2 + 1/(12x) - 1/(360x³) + 1/(1260x⁵) - 1/(1680x⁷)
 * (Abramowitz & Stegun 6.1.41) at x = k + 1, whose truncation error is below 1e-25 there.
 */
const TABLE_SIZE = 256;
const TABLE = new Float64Array(TABLE_SIZE);
for (let k = 2; k < TABLE_SIZE; k++) TABLE[k] = TABLE[k - 1] + Math.log(k);
const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

export function logFactorial(k: number): number {
  if (k < TABLE_SIZE) return TABLE[k];
  const x = k + 1;
  const r = 1 / x;
  const r2 = r * r;
  return (
    (x - 0.5) * Math.log(x) - x + HALF_LOG_2PI + r * (1 / 12 - r2 * (1 / 360 - r2 * (1 / 1260 - r2 / 1680)))
  );
}
