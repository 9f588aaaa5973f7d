/**
 * Derivatives of the complete-data log-likelihood for Louis' missing-information principle (Louis 1982, JRSS B
 * 44:226), as SAEM accumulates them (Kuhn & Lavielle 2005, Comput. Stat. Data Anal. 49:1020): the observed Fisher
 * information is -E[d2 log p(y, phi)] - Cov[d log p(y, phi)] given y.
 *
 * Population part, log N(phi; mu, Omega) in theta = (mu, the Omega elements (a, b) listed in `pairs`), with
 * A = Omega^-1, r = phi - mu, v = A r and E_ab the symmetric unit matrix of element (a, b) (ones at (a, b) and
 * (b, a)): d/dmu = v; d/dtheta_ab = -tr(A E_ab)/2 + v^T E_ab v/2; d2/dmu2 = -A; d2/dmu dtheta_ab = -A E_ab v;
 * d2/dtheta_ab dtheta_cd = tr(A E_cd A E_ab)/2 - v^T E_ab A E_cd v (Magnus & Neudecker 1999, Matrix Differential
 * Calculus, ch. 15). Allocation-free: outputs and work go to caller buffers.
 */

/**
 * Writes the gradient (entries 0..q+m-1) and Hessian (rows and columns 0..q+m-1, row stride `stride`) of
 * log N(phi; mu, Omega) with r = phi - mu, A = Omega^-1 (q x q), m = pairA.length Omega elements (pairA[x], pairB[x])
 * with pairA[x] <= pairB[x]. `v` is a work buffer of q entries. Other entries of grad and hess are left untouched.
 */
export function gaussianDerivatives(
  r: ArrayLike<number>,
  inv: ArrayLike<number>,
  q: number,
  pairA: ArrayLike<number>,
  pairB: ArrayLike<number>,
  grad: Float64Array,
  hess: Float64Array,
  stride: number,
  v: Float64Array,
): void {
  const m = pairA.length;
  for (let a = 0; a < q; a++) {
    let s = 0;
    for (let b = 0; b < q; b++) s += inv[a * q + b] * r[b];
    v[a] = s;
  }
  for (let a = 0; a < q; a++) {
    grad[a] = v[a];
    for (let b = 0; b < q; b++) hess[a * stride + b] = -inv[a * q + b];
  }
  for (let x = 0; x < m; x++) {
    const a = pairA[x];
    const b = pairB[x];
    const ix = q + x;
    grad[ix] = a === b ? -0.5 * inv[a * q + a] + 0.5 * v[a] * v[a] : -inv[a * q + b] + v[a] * v[b];
    for (let j = 0; j < q; j++) {
      const h = a === b ? -inv[j * q + a] * v[a] : -(inv[j * q + a] * v[b] + inv[j * q + b] * v[a]);
      hess[j * stride + ix] = h;
      hess[ix * stride + j] = h;
    }
    for (let y = 0; y < m; y++) {
      const c = pairA[y];
      const d = pairB[y];
      let tr = 0;
      let quad = 0;
      // E_ab = sum of e_s e_t^T over (s, t) in {(a, b), (b, a)} (one term when a = b); likewise E_cd.
      const nab = a === b ? 1 : 2;
      const ncd = c === d ? 1 : 2;
      for (let u1 = 0; u1 < nab; u1++) {
        const s0 = u1 === 0 ? a : b;
        const t0 = u1 === 0 ? b : a;
        for (let u2 = 0; u2 < ncd; u2++) {
          const u = u2 === 0 ? c : d;
          const w = u2 === 0 ? d : c;
          tr += inv[t0 * q + u] * inv[w * q + s0];
          quad += v[s0] * inv[t0 * q + u] * v[w];
        }
      }
      hess[ix * stride + q + y] = 0.5 * tr - quad;
    }
  }
}
