/**
 * Dense symmetric eigen-decomposition by the cyclic Jacobi method and the SVD of a tall matrix by one-sided
 * (Hestenes) Jacobi (Golub & Van Loan, Matrix Computations, 4th ed., §8.5.2-8.5.3 and §8.6.3; Demmel & Veselić
 * 1992, SIAM J. Matrix Anal. Appl. 13:1204). Jacobi is slower than QR for large n but simple, unconditionally
 * orthogonal, and computes small eigenvalues / singular values to high relative accuracy, which is what
 * identifiability analysis and CMA-ES (n <= ~50) need. One-sided Jacobi works on A itself rather than on A^T A, so
 * the small singular values of a near rank-deficient Jacobian are not lost to squaring the condition number.
 */

export interface SymmetricEigen {
  /** Ascending. */
  values: Float64Array;
  /** n*n row-major; column k is the unit eigenvector of values[k]. */
  vectors: Float64Array;
  sweeps: number;
}

export interface JacobiOptions {
  /** Rotate a pair while |a_pq| > tol * sqrt(|a_pp a_qq|) (relative criterion; default 2^-52). */
  readonly tol?: number;
  /** Sweeps allowed before giving up (default 60; Jacobi converges quadratically, typically in 6-12). */
  readonly maxSweeps?: number;
}

const EPS = 2.220446049250313e-16;
const TINY = 1e-300;

/**
 * In-place cyclic Jacobi: `a` (n*n row-major, symmetric) is overwritten (its diagonal ends as the eigenvalues);
 * `values` (n) and `vectors` (n*n) receive the ascending eigenvalues and the eigenvector columns. Allocates nothing,
 * for callers that decompose repeatedly (CMA-ES). Returns the sweeps used; throws if `maxSweeps` is exhausted.
 */
export function symmetricEigenInPlace(
  a: Float64Array,
  n: number,
  values: Float64Array,
  vectors: Float64Array,
  options: JacobiOptions = {},
): number {
  const tol = options.tol ?? EPS;
  const maxSweeps = options.maxSweeps ?? 60;
  vectors.fill(0, 0, n * n);
  for (let i = 0; i < n; i++) vectors[i * n + i] = 1;
  let sweeps = 0;
  for (;;) {
    let rotated = false;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        const app = a[p * n + p];
        const aqq = a[q * n + q];
        if (Math.abs(apq) <= tol * Math.sqrt(Math.abs(app * aqq)) || Math.abs(apq) < TINY) {
          a[p * n + q] = 0;
          a[q * n + p] = 0;
          continue;
        }
        rotated = true;
        // Rotation J (J_pp = J_qq = c, J_pq = s, J_qp = -s) with (J^T A J)_pq = 0: t = s/c is the smaller root of
        // t^2 + 2 theta t - 1 = 0, theta = (a_qq - a_pp) / (2 a_pq), which keeps |angle| <= pi/4.
        const theta = (aqq - app) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let r = 0; r < n; r++) {
          if (r === p || r === q) continue;
          const arp = a[r * n + p];
          const arq = a[r * n + q];
          const bp = c * arp - s * arq;
          const bq = s * arp + c * arq;
          a[r * n + p] = bp;
          a[p * n + r] = bp;
          a[r * n + q] = bq;
          a[q * n + r] = bq;
        }
        a[p * n + p] = app - t * apq;
        a[q * n + q] = aqq + t * apq;
        a[p * n + q] = 0;
        a[q * n + p] = 0;
        for (let r = 0; r < n; r++) {
          const vp = vectors[r * n + p];
          const vq = vectors[r * n + q];
          vectors[r * n + p] = c * vp - s * vq;
          vectors[r * n + q] = s * vp + c * vq;
        }
      }
    }
    sweeps++;
    if (!rotated) break;
    if (sweeps >= maxSweeps) throw new RangeError(`symmetricEigen: no convergence in ${maxSweeps} sweeps`);
  }
  for (let i = 0; i < n; i++) values[i] = a[i * n + i];
  // Selection sort of the eigenpairs (ascending), swapping eigenvector columns in place.
  for (let i = 0; i < n - 1; i++) {
    let k = i;
    for (let j = i + 1; j < n; j++) if (values[j] < values[k]) k = j;
    if (k === i) continue;
    const tv = values[i];
    values[i] = values[k];
    values[k] = tv;
    for (let r = 0; r < n; r++) {
      const tmp = vectors[r * n + i];
      vectors[r * n + i] = vectors[r * n + k];
      vectors[r * n + k] = tmp;
    }
  }
  return sweeps;
}

/** Eigen-decomposition of the symmetric n*n row-major matrix `a` (only symmetric input is meaningful; checked). */
export function symmetricEigen(a: ArrayLike<number>, n: number, options: JacobiOptions = {}): SymmetricEigen {
  if (!(Number.isInteger(n) && n >= 0) || a.length !== n * n)
    throw new RangeError(`symmetricEigen: need an n*n matrix, got length ${a.length} for n = ${n}`);
  let scale = 0;
  for (let i = 0; i < n * n; i++) {
    if (!Number.isFinite(a[i])) throw new RangeError(`symmetricEigen: entry ${i} is not finite (${a[i]})`);
    scale = Math.max(scale, Math.abs(a[i]));
  }
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++)
      if (Math.abs(a[i * n + j] - a[j * n + i]) > 1e-12 * scale)
        throw new RangeError(
          `symmetricEigen: matrix not symmetric at (${i}, ${j}): ${a[i * n + j]} vs ${a[j * n + i]}`,
        );
  const work = Float64Array.from(a);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  const sweeps = symmetricEigenInPlace(work, n, values, vectors, options);
  return { values, vectors, sweeps };
}

export interface Svd {
  /** Singular values, descending. */
  s: Float64Array;
  /** m*n row-major; column k is the left singular vector of s[k] (zero column where s[k] = 0). */
  u: Float64Array;
  /** n*n row-major; column k is the right singular vector of s[k] (orthonormal). */
  v: Float64Array;
  sweeps: number;
}

/**
 * Thin SVD A = U diag(s) V^T of an m*n row-major matrix with m >= n, by one-sided Jacobi: plane rotations from the
 * right orthogonalise the columns of A (a rotation on columns i, j zeroes their inner product), accumulating V;
 * at convergence the column norms are the singular values.
 */
export function svd(a: ArrayLike<number>, m: number, n: number, options: JacobiOptions = {}): Svd {
  if (!(Number.isInteger(m) && Number.isInteger(n) && n >= 1 && m >= n) || a.length !== m * n)
    throw new RangeError(
      `svd: need an m*n matrix with m >= n >= 1, got m = ${m}, n = ${n}, length ${a.length}`,
    );
  for (let i = 0; i < m * n; i++)
    if (!Number.isFinite(a[i])) throw new RangeError(`svd: entry ${i} is not finite (${a[i]})`);
  const tol = options.tol ?? EPS;
  const maxSweeps = options.maxSweeps ?? 60;
  const w = Float64Array.from(a);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  let sweeps = 0;
  for (;;) {
    let rotated = false;
    for (let i = 0; i < n - 1; i++) {
      for (let j = i + 1; j < n; j++) {
        let alpha = 0;
        let beta = 0;
        let gamma = 0;
        for (let k = 0; k < m; k++) {
          const x = w[k * n + i];
          const y = w[k * n + j];
          alpha += x * x;
          beta += y * y;
          gamma += x * y;
        }
        if (Math.abs(gamma) <= tol * Math.sqrt(alpha * beta) || Math.abs(gamma) < TINY) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        for (let k = 0; k < m; k++) {
          const x = w[k * n + i];
          const y = w[k * n + j];
          w[k * n + i] = c * x - s * y;
          w[k * n + j] = s * x + c * y;
        }
        for (let k = 0; k < n; k++) {
          const x = v[k * n + i];
          const y = v[k * n + j];
          v[k * n + i] = c * x - s * y;
          v[k * n + j] = s * x + c * y;
        }
      }
    }
    sweeps++;
    if (!rotated) break;
    if (sweeps >= maxSweeps) throw new RangeError(`svd: no convergence in ${maxSweeps} sweeps`);
  }
  const norms = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    let ss = 0;
    for (let k = 0; k < m; k++) ss += w[k * n + j] ** 2;
    norms[j] = Math.sqrt(ss);
  }
  const order = Array.from({ length: n }, (_, j) => j).sort((x, y) => norms[y] - norms[x] || x - y);
  const s = new Float64Array(n);
  const u = new Float64Array(m * n);
  const vs = new Float64Array(n * n);
  for (let c = 0; c < n; c++) {
    const j = order[c];
    s[c] = norms[j];
    for (let k = 0; k < n; k++) vs[k * n + c] = v[k * n + j];
    if (norms[j] > 0) for (let k = 0; k < m; k++) u[k * n + c] = w[k * n + j] / norms[j];
  }
  return { s, u, v: vs, sweeps };
}
