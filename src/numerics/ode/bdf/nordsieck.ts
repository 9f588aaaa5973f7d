/**
 * Operations on the Nordsieck history array z[j] = h^j y^(j)(t_n) / j!, j = 0..q (Nordsieck, "On numerical
 * integration of ordinary differential equations", Math. Comp. 16 (1962) 22-49; Byrne and Hindmarsh 1975).
 * The array is one Float64Array with column j at offset j * n. Nothing here allocates.
 */
import { decreaseOrderCoefficients, increaseOrderCoefficients } from './coefficients.js';

/** Predictor: z <- z * P (P the Pascal triangle), i.e. the Taylor polynomial shifted by one step. */
export function predict(z: Float64Array, n: number, q: number): void {
  for (let k = 1; k <= q; k++) {
    for (let j = q; j >= k; j--) {
      const a = (j - 1) * n;
      const b = j * n;
      for (let i = 0; i < n; i++) z[a + i] += z[b + i];
    }
  }
}

/** Undo `predict` exactly (up to rounding) after a rejected step. */
export function restore(z: Float64Array, n: number, q: number): void {
  for (let k = 1; k <= q; k++) {
    for (let j = q; j >= k; j--) {
      const a = (j - 1) * n;
      const b = j * n;
      for (let i = 0; i < n; i++) z[a + i] -= z[b + i];
    }
  }
}

/** Change the step size by the factor eta: z[j] *= eta^j. */
export function rescale(z: Float64Array, n: number, q: number, eta: number): void {
  let factor = eta;
  for (let j = 1; j <= q; j++) {
    const b = j * n;
    for (let i = 0; i < n; i++) z[b + i] *= factor;
    factor *= eta;
  }
}

/** out = sum_j z[j] s^j (Horner), the history polynomial at t_n + s * h. */
export function evaluate(z: Float64Array, n: number, q: number, s: number, out: Float64Array): void {
  const top = q * n;
  for (let i = 0; i < n; i++) out[i] = z[top + i];
  for (let j = q - 1; j >= 0; j--) {
    const b = j * n;
    for (let i = 0; i < n; i++) out[i] = out[i] * s + z[b + i];
  }
}

/**
 * Raise the order from q to q + 1: builds column q + 1 from the saved last correction in column `acorCol`
 * (which may be column q + 1 itself) and adjusts columns 2..q. `l` is scratch of length >= q + 2.
 */
export function raiseOrder(
  z: Float64Array,
  n: number,
  q: number,
  hscale: number,
  tau: Float64Array,
  acorCol: number,
  l: Float64Array,
): void {
  const a1 = increaseOrderCoefficients(q, hscale, tau, l);
  const dst = (q + 1) * n;
  const src = acorCol * n;
  for (let i = 0; i < n; i++) z[dst + i] = a1 * z[src + i];
  for (let j = 2; j <= q; j++) {
    const lj = l[j];
    const b = j * n;
    for (let i = 0; i < n; i++) z[b + i] += lj * z[dst + i];
  }
}

/** Lower the order from q to q - 1 (column q is dropped after adjusting columns 2..q-1). */
export function lowerOrder(
  z: Float64Array,
  n: number,
  q: number,
  hscale: number,
  tau: Float64Array,
  l: Float64Array,
): void {
  if (q <= 2) return; // from 2 to 1 the linear part is already the right polynomial
  decreaseOrderCoefficients(q, hscale, tau, l);
  const top = q * n;
  for (let j = 2; j < q; j++) {
    const lj = l[j];
    const b = j * n;
    for (let i = 0; i < n; i++) z[b + i] -= lj * z[top + i];
  }
}
