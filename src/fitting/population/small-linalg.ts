/**
 * Dense symmetric helpers for the small matrices of population fitting (a handful of parameters): row-major
 * Float64Arrays of size d*d, written into caller-provided buffers so that the SAEM iterations allocate nothing.
 */

/**
 * Lower Cholesky factor of a symmetric positive definite a into l (row-major, upper part zeroed). Returns false
 * when a pivot is not positive (a not positive definite); l is then unspecified.
 */
export function cholesky(a: ArrayLike<number>, d: number, l: Float64Array): boolean {
  l.fill(0, 0, d * d);
  for (let j = 0; j < d; j++) {
    let s = a[j * d + j];
    for (let k = 0; k < j; k++) s -= l[j * d + k] * l[j * d + k];
    if (!(s > 0)) return false;
    const ljj = Math.sqrt(s);
    l[j * d + j] = ljj;
    for (let i = j + 1; i < d; i++) {
      let t = a[i * d + j];
      for (let k = 0; k < j; k++) t -= l[i * d + k] * l[j * d + k];
      l[i * d + j] = t / ljj;
    }
  }
  return true;
}

/** Solves L x = b in place (L lower triangular, row-major); returns sum of x_i^2 (a Mahalanobis norm). */
export function forwardSolveNorm2(l: Float64Array, d: number, x: Float64Array): number {
  let n2 = 0;
  for (let i = 0; i < d; i++) {
    let s = x[i];
    for (let k = 0; k < i; k++) s -= l[i * d + k] * x[k];
    s /= l[i * d + i];
    x[i] = s;
    n2 += s * s;
  }
  return n2;
}

/** log det of L L^T from its Cholesky factor. */
export function logDetFromCholesky(l: Float64Array, d: number): number {
  let s = 0;
  for (let i = 0; i < d; i++) s += Math.log(l[i * d + i]);
  return 2 * s;
}

/** The inverse of L L^T into out (d*d) from the Cholesky factor L; work needs d entries. */
export function inverseFromCholesky(l: Float64Array, d: number, out: Float64Array, work: Float64Array): void {
  for (let c = 0; c < d; c++) {
    // Solve L y = e_c, then L^T x = y.
    for (let i = 0; i < d; i++) {
      let s = i === c ? 1 : 0;
      for (let k = 0; k < i; k++) s -= l[i * d + k] * work[k];
      work[i] = s / l[i * d + i];
    }
    for (let i = d - 1; i >= 0; i--) {
      let s = work[i];
      for (let k = i + 1; k < d; k++) s -= l[k * d + i] * out[k * d + c];
      out[i * d + c] = s / l[i * d + i];
    }
  }
}

/** Inverse of a symmetric positive definite matrix (allocates; for post-processing), or undefined if not PD. */
export function invertSpd(a: ArrayLike<number>, d: number): Float64Array | undefined {
  const l = new Float64Array(d * d);
  if (!cholesky(a, d, l)) return undefined;
  const out = new Float64Array(d * d);
  inverseFromCholesky(l, d, out, new Float64Array(d));
  return out;
}
