/**
 * Bounded nonlinear least squares: minimise 0.5*||r(x)||^2 subject to lo <= x <= hi.
 *
 * Method: Moré's Levenberg-Marquardt (Moré 1978, "The Levenberg-Marquardt algorithm: implementation and
 * theory", LNM 630; the MINPACK lmder design): a trust region ||D p|| <= Delta in the column-scaled norm
 * (D_j = running max of ||J_:,j||), the step from the scaled Jacobian J D^-1 = U S V^T, and the Levenberg
 * parameter found by Hebden/Moré's Newton iteration on 1/||D p(lambda)|| = 1/Delta. We factor with a
 * one-sided Jacobi SVD rather than normal equations: it is accurate for ill-conditioned Jacobians (NIST
 * Lanczos3, Thurber) and, with singular values below eps*max(m, n)*s_max dropped, gives the minimum-norm
 * step when J is rank deficient, so the iteration never blows up.
 *
 * Bounds: a projected LM with an epsilon-active set (Bertsekas 1982, "Projected Newton methods for
 * optimization problems with simple constraints", SIAM J. Control Optim. 20:221). A variable at (or within
 * epsilon of) a bound whose negative gradient points out of the box is held fixed; the trust-region LM step is
 * computed in the remaining free variables and projected onto the box; the step is accepted by the usual
 * ratio of actual to predicted reduction, with the prediction recomputed for the projected step. Once the
 * active set is identified this is Moré's LM in the free subspace, with its convergence theory (global to
 * stationary points, fast local convergence for small residuals). We chose this over Coleman-Li's reflective
 * trust region because our problems have few parameters and simple boxes: the active-set variant is simple
 * to make robust, and its result reports exactly which bounds are active (`activeBounds`) with the KKT signs
 * checkable (projected gradient 0).
 *
 * Stopping (MINPACK semantics): `ftol` when both the actual and predicted relative reductions of the cost are
 * below ftol; `xtol` when the trust radius is below xtol*||D x||; `gtol` when the largest cosine between the
 * residual and a column of J (over the variables free to move) is below gtol. A residual evaluation that
 * returns false (or non-finite values) is treated as an infinite cost: the step is rejected and the radius
 * shrinks.
 */

export interface LeastSquaresProblem {
  readonly n: number;
  readonly m: number;
  /** Lower and upper bounds; may contain -Infinity/Infinity. */
  readonly lo?: ArrayLike<number>;
  readonly hi?: ArrayLike<number>;
  /** r(x) into r (length m); false = evaluation failed (treated as an infinite cost). */
  residuals(x: Float64Array, r: Float64Array): boolean;
  /** m*n row-major dr_i/dx_j; absent => forward differences. */
  jacobian?(x: Float64Array, J: Float64Array): boolean;
}

export interface LeastSquaresOptions {
  /** Outer iterations (Jacobian evaluations). Default 200 + 50 n. */
  readonly maxIterations?: number;
  /**
   * Relative cost reduction tolerance. Default 1e-12 (NIST StRD to 6 digits); ~1e-15 resolves parameters to
   * ~1e-8; with noisy residuals (ODE tolerances) 1e-8..1e-10 saves rejected steps at the end.
   */
  readonly ftol?: number;
  /** Relative (scaled) step tolerance. Default 1e-12. */
  readonly xtol?: number;
  /** Gradient cosine tolerance. Default 1e-12. */
  readonly gtol?: number;
  /** Relative forward-difference step. Default sqrt(eps). */
  readonly fdStep?: number;
}

export interface LeastSquaresResult {
  readonly x: Float64Array;
  /** 0.5*||r(x)||^2 */
  readonly cost: number;
  readonly residuals: Float64Array;
  /** m*n row-major, at x. */
  readonly jacobian: Float64Array;
  readonly iterations: number;
  readonly evaluations: number;
  readonly jacobianEvaluations: number;
  readonly status: 'gtol' | 'ftol' | 'xtol' | 'max-iterations' | 'failed';
  readonly message: string;
  /** -1 at lo, +1 at hi, 0 free, at the solution. */
  readonly activeBounds: Int8Array;
}

const EPS = Number.EPSILON;

/**
 * One-sided Jacobi SVD (Hestenes; Demmel and Veselic 1992) of the m x k column-major matrix A, in place:
 * on return column j of A is sigma_j u_j and V (k x k, column-major) holds the right singular vectors.
 */
function jacobiSvd(A: Float64Array, m: number, k: number, V: Float64Array): void {
  V.fill(0, 0, k * k);
  for (let j = 0; j < k; j++) V[j * k + j] = 1;
  for (let sweep = 0; sweep < 60; sweep++) {
    let rotated = false;
    for (let p = 0; p < k - 1; p++) {
      for (let q = p + 1; q < k; q++) {
        let alpha = 0;
        let beta = 0;
        let gamma = 0;
        const op = p * m;
        const oq = q * m;
        for (let i = 0; i < m; i++) {
          const a = A[op + i];
          const b = A[oq + i];
          alpha += a * a;
          beta += b * b;
          gamma += a * b;
        }
        if (gamma === 0 || Math.abs(gamma) <= 4 * EPS * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        for (let i = 0; i < m; i++) {
          const a = A[op + i];
          const b = A[oq + i];
          A[op + i] = c * a - s * b;
          A[oq + i] = s * a + c * b;
        }
        const vp = p * k;
        const vq = q * k;
        for (let i = 0; i < k; i++) {
          const a = V[vp + i];
          const b = V[vq + i];
          V[vp + i] = c * a - s * b;
          V[vq + i] = s * a + c * b;
        }
      }
    }
    if (!rotated) return;
  }
}

export function leastSquares(
  problem: LeastSquaresProblem,
  x0: ArrayLike<number>,
  options: LeastSquaresOptions = {},
): LeastSquaresResult {
  const { n, m } = problem;
  if (!Number.isInteger(n) || n < 1) throw new Error(`leastSquares: n must be a positive integer, got ${n}`);
  if (!Number.isInteger(m) || m < 1) throw new Error(`leastSquares: m must be a positive integer, got ${m}`);
  if (x0.length !== n) throw new Error(`leastSquares: x0 has ${x0.length} entries, expected n = ${n}`);
  const lo = new Float64Array(n).fill(-Infinity);
  const hi = new Float64Array(n).fill(Infinity);
  for (const [name, src, dst] of [
    ['lo', problem.lo, lo],
    ['hi', problem.hi, hi],
  ] as const) {
    if (!src) continue;
    if (src.length !== n)
      throw new Error(`leastSquares: ${name} has ${src.length} entries, expected n = ${n}`);
    for (let j = 0; j < n; j++) {
      if (Number.isNaN(src[j])) throw new Error(`leastSquares: ${name}[${j}] is NaN`);
      dst[j] = src[j];
    }
  }
  for (let j = 0; j < n; j++) {
    if (!(lo[j] <= hi[j])) throw new Error(`leastSquares: lo[${j}] = ${lo[j]} > hi[${j}] = ${hi[j]}`);
    if (!Number.isFinite(x0[j])) throw new Error(`leastSquares: x0[${j}] = ${x0[j]} is not finite`);
  }
  const maxIterations = options.maxIterations ?? 200 + 50 * n;
  const ftol = options.ftol ?? 1e-12;
  const xtol = options.xtol ?? 1e-12;
  const gtol = options.gtol ?? 1e-12;
  const fdStep = options.fdStep ?? Math.sqrt(EPS);
  for (const [k, v] of [
    ['ftol', ftol],
    ['xtol', xtol],
    ['gtol', gtol],
    ['fdStep', fdStep],
  ] as const)
    if (!(v >= 0) || !Number.isFinite(v))
      throw new Error(`leastSquares: ${k} must be a finite number >= 0, got ${v}`);

  // Work arrays, allocated once.
  const x = new Float64Array(n);
  for (let j = 0; j < n; j++) x[j] = Math.min(hi[j], Math.max(lo[j], x0[j]));
  const xNew = new Float64Array(n);
  const r = new Float64Array(m);
  const rNew = new Float64Array(m);
  const J = new Float64Array(m * n);
  const g = new Float64Array(n);
  const D = new Float64Array(n);
  const colNorm = new Float64Array(n);
  const free = new Int32Array(n);
  const isFree = new Uint8Array(n);
  const A = new Float64Array(m * n);
  const V = new Float64Array(n * n);
  const sigma = new Float64Array(n);
  const ar = new Float64Array(n); // a_k . r
  const pt = new Float64Array(n); // scaled step in the free subspace
  const s = new Float64Array(n);
  const Js = new Float64Array(m);
  const xfd = new Float64Array(n);
  let evaluations = 0;
  let jacobianEvaluations = 0;

  const finiteCost = (v: Float64Array): number => {
    let ss = 0;
    for (let i = 0; i < m; i++) ss += v[i] * v[i];
    return Number.isFinite(ss) ? 0.5 * ss : Number.POSITIVE_INFINITY;
  };
  const evalR = (at: Float64Array, out: Float64Array): number => {
    evaluations++;
    let ok: boolean;
    try {
      ok = problem.residuals(at, out);
    } catch (err) {
      throw new Error(`leastSquares: residuals threw: ${(err as Error).message}`);
    }
    return ok === false ? Number.POSITIVE_INFINITY : finiteCost(out);
  };
  /** J at x (r holds r(x)); false when it cannot be formed. */
  const evalJ = (): boolean => {
    jacobianEvaluations++;
    if (problem.jacobian) {
      if (problem.jacobian(x, J) === false) return false;
      for (let k = 0; k < m * n; k++) if (!Number.isFinite(J[k])) return false;
      return true;
    }
    xfd.set(x);
    for (let j = 0; j < n; j++) {
      const h0 = fdStep * (x[j] !== 0 ? Math.abs(x[j]) : 1);
      let ok = false;
      for (let side = 0; side < 2; side++) {
        const dir = side === 0 ? 1 : -1;
        let t = x[j] + dir * h0;
        if (t > hi[j] || t < lo[j]) continue;
        xfd[j] = t;
        t = xfd[j] - x[j]; // the representable step
        const c = evalR(xfd, rNew);
        xfd[j] = x[j];
        if (!Number.isFinite(c)) continue;
        for (let i = 0; i < m; i++) J[i * n + j] = (rNew[i] - r[i]) / t;
        ok = true;
        break;
      }
      if (!ok) {
        // Bounds too tight for the step on either side: the column is zero (the variable cannot move).
        if (hi[j] - lo[j] < 2 * h0) for (let i = 0; i < m; i++) J[i * n + j] = 0;
        else return false;
      }
    }
    return true;
  };
  const active = (): Int8Array => {
    const out = new Int8Array(n);
    for (let j = 0; j < n; j++) {
      if (x[j] <= lo[j]) out[j] = -1;
      else if (x[j] >= hi[j]) out[j] = 1;
    }
    return out;
  };
  let iterations = 0;
  const result = (
    status: LeastSquaresResult['status'],
    message: string,
    cost: number,
  ): LeastSquaresResult => ({
    x: x.slice(),
    cost,
    residuals: r.slice(),
    jacobian: J.slice(),
    iterations,
    evaluations,
    jacobianEvaluations,
    status,
    message,
    activeBounds: active(),
  });

  let cost = evalR(x, r);
  if (!Number.isFinite(cost))
    return result('failed', 'the residuals cannot be evaluated at the starting point', cost);
  if (!evalJ()) return result('failed', 'the Jacobian cannot be evaluated at the starting point', cost);

  let delta = 0;
  let first = true;
  let nf = 0;
  /** Scaled step p~(lambda) into pt (free coordinates); returns its norm. */
  const stepAt = (lambda: number): number => {
    pt.fill(0, 0, nf);
    for (let k = 0; k < nf; k++) {
      if (ar[k] === 0) continue;
      const coef = -ar[k] / (sigma[k] * sigma[k] + lambda);
      for (let l = 0; l < nf; l++) pt[l] += coef * V[k * nf + l];
    }
    let nn = 0;
    for (let l = 0; l < nf; l++) nn += pt[l] * pt[l];
    return Math.sqrt(nn);
  };
  /** Moré's iteration for ||p~(lambda)|| = delta (within 10 %). */
  const solveTrustRegion = (): void => {
    let pn = stepAt(0);
    if (pn <= 1.1 * delta) return;
    let lambda = 0;
    for (let it = 0; it < 40; it++) {
      let s3 = 0;
      for (let k = 0; k < nf; k++) {
        if (ar[k] === 0) continue;
        const den = sigma[k] * sigma[k] + lambda;
        s3 += (ar[k] * ar[k]) / (den * den * den);
      }
      if (!(s3 > 0)) break;
      lambda += ((pn / delta - 1) * pn * pn) / s3;
      pn = stepAt(lambda);
      if (Math.abs(pn - delta) <= 0.1 * delta) break;
    }
  };

  while (iterations < maxIterations) {
    iterations++;
    // Gradient and column scaling.
    for (let j = 0; j < n; j++) {
      let gj = 0;
      let nn = 0;
      for (let i = 0; i < m; i++) {
        const v = J[i * n + j];
        gj += v * r[i];
        nn += v * v;
      }
      g[j] = gj;
      colNorm[j] = Math.sqrt(nn);
      D[j] = first ? (colNorm[j] > 0 ? colNorm[j] : 1) : Math.max(D[j], colNorm[j]);
    }
    if (first) {
      let xn = 0;
      for (let j = 0; j < n; j++) xn += (D[j] * x[j]) ** 2;
      delta = 100 * Math.sqrt(xn) || 100;
      first = false;
    }
    // Epsilon-active set (Bertsekas): at or near a bound with the gradient pushing outwards.
    nf = 0;
    let gcos = 0;
    isFree.fill(0);
    const rnorm = Math.sqrt(2 * cost);
    for (let j = 0; j < n; j++) {
      const w = Math.abs(x[j] - Math.min(hi[j], Math.max(lo[j], x[j] - g[j] / (D[j] * D[j]))));
      const eps = Math.min(w, 1e-10 * (1 + Math.abs(x[j])));
      const atLo = x[j] - lo[j] <= eps && g[j] > 0;
      const atHi = hi[j] - x[j] <= eps && g[j] < 0;
      if (atLo || atHi) continue;
      free[nf++] = j;
      isFree[j] = 1;
      if (colNorm[j] > 0 && rnorm > 0) gcos = Math.max(gcos, Math.abs(g[j]) / (colNorm[j] * rnorm));
    }
    if (rnorm === 0 || gcos <= gtol)
      return result(
        'gtol',
        rnorm === 0 ? 'zero residual' : `gradient cosine ${gcos.toExponential(2)} <= gtol`,
        cost,
      );

    // SVD of the scaled free columns.
    for (let k = 0; k < nf; k++) {
      const j = free[k];
      const dj = D[j];
      for (let i = 0; i < m; i++) A[k * m + i] = J[i * n + j] / dj;
    }
    jacobiSvd(A, m, nf, V);
    let smax = 0;
    for (let k = 0; k < nf; k++) {
      let nn = 0;
      let dot = 0;
      for (let i = 0; i < m; i++) {
        const a = A[k * m + i];
        nn += a * a;
        dot += a * r[i];
      }
      sigma[k] = Math.sqrt(nn);
      ar[k] = dot;
      smax = Math.max(smax, sigma[k]);
    }
    const cut = smax * EPS * Math.max(m, nf);
    for (let k = 0; k < nf; k++) if (sigma[k] <= cut) ar[k] = 0;

    // Inner loop: shrink the trust region until a step is accepted.
    for (;;) {
      solveTrustRegion();
      s.fill(0);
      for (let k = 0; k < nf; k++) {
        const j = free[k];
        xNew[j] = Math.min(hi[j], Math.max(lo[j], x[j] + pt[k] / D[j]));
      }
      for (let j = 0; j < n; j++) {
        if (!isFree[j]) xNew[j] = x[j];
        s[j] = xNew[j] - x[j];
      }
      let dsn = 0;
      let xn = 0;
      let gs = 0;
      for (let j = 0; j < n; j++) {
        dsn += (D[j] * s[j]) ** 2;
        xn += (D[j] * x[j]) ** 2;
        gs += g[j] * s[j];
      }
      dsn = Math.sqrt(dsn);
      xn = Math.sqrt(xn);
      let jsn = 0;
      for (let i = 0; i < m; i++) {
        let v = 0;
        for (let j = 0; j < n; j++) v += J[i * n + j] * s[j];
        Js[i] = v;
        jsn += v * v;
      }
      const pred = -(gs + 0.5 * jsn);
      if (dsn === 0 || !(pred > 0)) {
        // The projection spoilt the step (or rounding left no predicted decrease): shrink towards the scaled
        // steepest-descent direction, which points into the box for every free variable.
        delta = 0.25 * (dsn > 0 ? Math.min(delta, dsn) : delta);
        if (delta <= xtol * xn || delta <= EPS * xn || delta < 1e-290)
          return result('xtol', 'no step with a predicted decrease (converged to working precision)', cost);
        continue;
      }
      const costNew = evalR(xNew, rNew);
      const actual = cost - costNew; // -Infinity when the evaluation failed
      const rho = actual / pred;
      if (rho < 0.25) delta = 0.25 * Math.min(delta, dsn);
      else if (rho > 0.75) delta = Math.max(delta, 2 * dsn);
      const accepted = rho > 1e-4;
      if (accepted) {
        x.set(xNew);
        r.set(rNew);
        cost = costNew;
      }
      const costRef = accepted ? cost + actual : cost;
      if (Math.abs(actual) <= ftol * costRef && pred <= ftol * costRef && rho <= 2) {
        if (accepted && !evalJ())
          return result('failed', 'the Jacobian cannot be evaluated at the solution', cost);
        return result('ftol', 'relative reduction of the cost below ftol', cost);
      }
      if (delta <= xtol * xn || delta <= EPS * xn) {
        if (accepted && !evalJ())
          return result('failed', 'the Jacobian cannot be evaluated at the solution', cost);
        return result('xtol', 'trust region below xtol * ||D x||', cost);
      }
      if (accepted) break;
    }
    if (!evalJ()) return result('failed', 'the Jacobian cannot be evaluated (non-finite values)', cost);
  }
  return result('max-iterations', `no convergence in ${maxIterations} iterations`, cost);
}
