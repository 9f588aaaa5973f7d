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
 *
 * Allocation: the iteration allocates nothing (bench/fit.ts measures it). All work arrays live in a workspace
 * (pass `workspace: leastSquaresWorkspace(n, m)` to reuse one across calls); scalars stay in locals of
 * `leastSquares`, never in variables captured by closures (V8 boxes every double written to a closure context);
 * and the helpers return doubles through the workspace's `scalars` slots, not as return values (a double returned
 * by or passed to a call V8 does not inline is boxed on the heap).
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
  /**
   * Work arrays from `leastSquaresWorkspace(n, m)`, reused across calls: saves the per-call setup of 20 typed
   * arrays (NIST Thurber, m = 37, n = 7: 5.1 of the 6.1 kB a call allocates). Optional; results never alias it and are
   * bit-identical to those with a fresh workspace. One call at a time: not for nested calls from callbacks.
   */
  readonly workspace?: LeastSquaresWorkspace;
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

/** Slots of `Workspace.scalars`: doubles passed between the solver and its helpers without boxing. */
const S_COST = 0; // out: 0.5 ||r||^2 of the last `evaluate` (Infinity when it failed)
const S_DELTA = 1; // in: trust radius for `trustRegionStep`
const S_FDSTEP = 2; // in: relative forward-difference step for `jacobianAt`

/** Reusable work arrays of `leastSquares` for problems of size (n, m); opaque to callers. */
export interface LeastSquaresWorkspace {
  readonly n: number;
  readonly m: number;
}

class Workspace implements LeastSquaresWorkspace {
  /**
   * One instance alive for the life of the module. V8 drops a hidden class when a full GC finds no object using it,
   * and that deoptimizes all code specialised to it: without this anchor every major GC between two calls that
   * allocate their own workspace sent the solver back to the interpreter, which boxes every double (the check in
   * bench/fit.ts measured 177 bytes per iteration without the anchor, 0 with it).
   */
  static readonly anchor: Workspace = new Workspace(1, 1);
  readonly lo: Float64Array;
  readonly hi: Float64Array;
  readonly x: Float64Array;
  readonly xNew: Float64Array;
  readonly r: Float64Array;
  readonly rNew: Float64Array;
  /** m x n row-major Jacobian at x. */
  readonly J: Float64Array;
  readonly g: Float64Array;
  /** Column scaling (running max of column norms). */
  readonly D: Float64Array;
  readonly colNorm: Float64Array;
  /** Indices of the free variables, first `nf` entries. */
  readonly free: Int32Array;
  readonly isFree: Uint8Array;
  /** Scaled free columns, m x nf column-major; overwritten by the SVD with sigma_k u_k. */
  readonly A: Float64Array;
  /** Right singular vectors, nf x nf column-major. */
  readonly V: Float64Array;
  readonly sigma: Float64Array;
  /** a_k . r */
  readonly ar: Float64Array;
  /** Scaled step in the free subspace. */
  readonly pt: Float64Array;
  readonly s: Float64Array;
  readonly Js: Float64Array;
  readonly xfd: Float64Array;
  readonly scalars = new Float64Array(3);
  evaluations = 0;
  jacobianEvaluations = 0;
  busy = false;

  constructor(
    readonly n: number,
    readonly m: number,
  ) {
    this.lo = new Float64Array(n);
    this.hi = new Float64Array(n);
    this.x = new Float64Array(n);
    this.xNew = new Float64Array(n);
    this.r = new Float64Array(m);
    this.rNew = new Float64Array(m);
    this.J = new Float64Array(m * n);
    this.g = new Float64Array(n);
    this.D = new Float64Array(n);
    this.colNorm = new Float64Array(n);
    this.free = new Int32Array(n);
    this.isFree = new Uint8Array(n);
    this.A = new Float64Array(m * n);
    this.V = new Float64Array(n * n);
    this.sigma = new Float64Array(n);
    this.ar = new Float64Array(n);
    this.pt = new Float64Array(n);
    this.s = new Float64Array(n);
    this.Js = new Float64Array(m);
    this.xfd = new Float64Array(n);
  }

  /** Back to the state of fresh arrays, so that a reused workspace gives bit-identical results. */
  reset(): void {
    this.x.fill(0);
    this.xNew.fill(0);
    this.r.fill(0);
    this.rNew.fill(0);
    this.J.fill(0);
    this.g.fill(0);
    this.D.fill(0);
    this.colNorm.fill(0);
    this.free.fill(0);
    this.isFree.fill(0);
    this.A.fill(0);
    this.V.fill(0);
    this.sigma.fill(0);
    this.ar.fill(0);
    this.pt.fill(0);
    this.s.fill(0);
    this.Js.fill(0);
    this.xfd.fill(0);
    this.scalars.fill(0);
    this.evaluations = 0;
    this.jacobianEvaluations = 0;
  }
}

/** Work arrays for `leastSquares` on problems with n parameters and m residuals (option `workspace`). */
export function leastSquaresWorkspace(n: number, m: number): LeastSquaresWorkspace {
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`leastSquaresWorkspace: n must be a positive integer, got ${n}`);
  if (!Number.isInteger(m) || m < 1)
    throw new Error(`leastSquaresWorkspace: m must be a positive integer, got ${m}`);
  return new Workspace(n, m);
}

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

/** r(at) into out; the cost 0.5 ||out||^2 (Infinity when the evaluation failed) into scalars[S_COST]. */
function evaluate(ws: Workspace, problem: LeastSquaresProblem, at: Float64Array, out: Float64Array): void {
  ws.evaluations++;
  let ok: boolean;
  try {
    ok = problem.residuals(at, out);
  } catch (err) {
    throw new Error(`leastSquares: residuals threw: ${(err as Error).message}`);
  }
  if (ok === false) {
    ws.scalars[S_COST] = Number.POSITIVE_INFINITY;
    return;
  }
  const m = ws.m;
  let ss = 0;
  for (let i = 0; i < m; i++) ss += out[i] * out[i];
  ws.scalars[S_COST] = Number.isFinite(ss) ? 0.5 * ss : Number.POSITIVE_INFINITY;
}

/** J at x (r holds r(x)), analytic or forward differences (step scalars[S_FDSTEP]); false when it cannot be formed. */
function jacobianAt(ws: Workspace, problem: LeastSquaresProblem): boolean {
  const { n, m, x, J, r, rNew, xfd, lo, hi } = ws;
  ws.jacobianEvaluations++;
  if (problem.jacobian) {
    if (problem.jacobian(x, J) === false) return false;
    for (let k = 0; k < m * n; k++) if (!Number.isFinite(J[k])) return false;
    return true;
  }
  const fdStep = ws.scalars[S_FDSTEP];
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
      evaluate(ws, problem, xfd, rNew);
      xfd[j] = x[j];
      if (!Number.isFinite(ws.scalars[S_COST])) continue;
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
}

/**
 * Moré's iteration for ||p~(lambda)|| = Delta (within 10 %), Delta = scalars[S_DELTA]: the scaled step
 * p~(lambda) = -sum_k a_k.r / (sigma_k^2 + lambda) v_k over the first nf free coordinates, into pt.
 */
function trustRegionStep(ws: Workspace, nf: number): void {
  const { pt, ar, sigma, V } = ws;
  const delta = ws.scalars[S_DELTA];
  let lambda = 0;
  for (let it = 0; ; it++) {
    pt.fill(0, 0, nf);
    for (let k = 0; k < nf; k++) {
      if (ar[k] === 0) continue;
      const coef = -ar[k] / (sigma[k] * sigma[k] + lambda);
      for (let l = 0; l < nf; l++) pt[l] += coef * V[k * nf + l];
    }
    let nn = 0;
    for (let l = 0; l < nf; l++) nn += pt[l] * pt[l];
    const pn = Math.sqrt(nn);
    // The Gauss-Newton step (lambda = 0) is taken when it is inside the region; at most 40 Newton updates.
    if (it === 0 ? pn <= 1.1 * delta : Math.abs(pn - delta) <= 0.1 * delta || it === 40) return;
    let s3 = 0;
    for (let k = 0; k < nf; k++) {
      if (ar[k] === 0) continue;
      const den = sigma[k] * sigma[k] + lambda;
      s3 += (ar[k] * ar[k]) / (den * den * den);
    }
    if (!(s3 > 0)) return;
    lambda += ((pn / delta - 1) * pn * pn) / s3;
  }
}

function finish(
  ws: Workspace,
  status: LeastSquaresResult['status'],
  message: string,
  cost: number,
  iterations: number,
): LeastSquaresResult {
  const { n, x, lo, hi } = ws;
  const activeBounds = new Int8Array(n);
  for (let j = 0; j < n; j++) {
    if (x[j] <= lo[j]) activeBounds[j] = -1;
    else if (x[j] >= hi[j]) activeBounds[j] = 1;
  }
  return {
    x: x.slice(),
    cost,
    residuals: ws.r.slice(),
    jacobian: ws.J.slice(),
    iterations,
    evaluations: ws.evaluations,
    jacobianEvaluations: ws.jacobianEvaluations,
    status,
    message,
    activeBounds,
  };
}

function copyBound(
  name: 'lo' | 'hi',
  src: ArrayLike<number> | undefined,
  dst: Float64Array,
  fill: number,
): void {
  const n = dst.length;
  dst.fill(fill);
  if (!src) return;
  if (src.length !== n) throw new Error(`leastSquares: ${name} has ${src.length} entries, expected n = ${n}`);
  for (let j = 0; j < n; j++) {
    if (Number.isNaN(src[j])) throw new Error(`leastSquares: ${name}[${j}] is NaN`);
    dst[j] = src[j];
  }
}

function checkTolerance(name: string, v: number): void {
  if (!(v >= 0) || !Number.isFinite(v))
    throw new Error(`leastSquares: ${name} must be a finite number >= 0, got ${v}`);
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
  const given = options.workspace;
  if (given !== undefined) {
    if (!(given instanceof Workspace))
      throw new Error('leastSquares: options.workspace must come from leastSquaresWorkspace(n, m)');
    if (given.n !== n || given.m !== m)
      throw new Error(
        `leastSquares: options.workspace is for n = ${given.n}, m = ${given.m}; the problem has n = ${n}, m = ${m}`,
      );
    if (given.busy)
      throw new Error(
        'leastSquares: options.workspace is in use by another leastSquares call (a nested call from a callback?)',
      );
  }
  const ws = given ?? new Workspace(n, m);
  ws.busy = true;
  try {
    ws.reset();
    return run(ws, problem, x0, options);
  } finally {
    ws.busy = false;
  }
}

function run(
  ws: Workspace,
  problem: LeastSquaresProblem,
  x0: ArrayLike<number>,
  options: LeastSquaresOptions,
): LeastSquaresResult {
  const { n, m, lo, hi } = ws;
  copyBound('lo', problem.lo, lo, Number.NEGATIVE_INFINITY);
  copyBound('hi', problem.hi, hi, Number.POSITIVE_INFINITY);
  for (let j = 0; j < n; j++) {
    if (!(lo[j] <= hi[j])) throw new Error(`leastSquares: lo[${j}] = ${lo[j]} > hi[${j}] = ${hi[j]}`);
    if (!Number.isFinite(x0[j])) throw new Error(`leastSquares: x0[${j}] = ${x0[j]} is not finite`);
  }
  const maxIterations = options.maxIterations ?? 200 + 50 * n;
  const ftol = options.ftol ?? 1e-12;
  const xtol = options.xtol ?? 1e-12;
  const gtol = options.gtol ?? 1e-12;
  const fdStep = options.fdStep ?? Math.sqrt(EPS);
  checkTolerance('ftol', ftol);
  checkTolerance('xtol', xtol);
  checkTolerance('gtol', gtol);
  checkTolerance('fdStep', fdStep);

  const { x, xNew, r, rNew, J, g, D, colNorm, free, isFree, A, V, sigma, ar, pt, s, Js, scalars } = ws;
  scalars[S_FDSTEP] = fdStep;
  for (let j = 0; j < n; j++) x[j] = Math.min(hi[j], Math.max(lo[j], x0[j]));
  let iterations = 0;

  evaluate(ws, problem, x, r);
  let cost = scalars[S_COST];
  if (!Number.isFinite(cost))
    return finish(ws, 'failed', 'the residuals cannot be evaluated at the starting point', cost, iterations);
  if (!jacobianAt(ws, problem))
    return finish(ws, 'failed', 'the Jacobian cannot be evaluated at the starting point', cost, iterations);

  let delta = 0;
  let first = true;
  let nf = 0;
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
      return finish(
        ws,
        'gtol',
        rnorm === 0 ? 'zero residual' : `gradient cosine ${gcos.toExponential(2)} <= gtol`,
        cost,
        iterations,
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
      scalars[S_DELTA] = delta;
      trustRegionStep(ws, nf);
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
          return finish(
            ws,
            'xtol',
            'no step with a predicted decrease (converged to working precision)',
            cost,
            iterations,
          );
        continue;
      }
      evaluate(ws, problem, xNew, rNew);
      const costNew = scalars[S_COST];
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
        if (accepted && !jacobianAt(ws, problem))
          return finish(ws, 'failed', 'the Jacobian cannot be evaluated at the solution', cost, iterations);
        return finish(ws, 'ftol', 'relative reduction of the cost below ftol', cost, iterations);
      }
      if (delta <= xtol * xn || delta <= EPS * xn) {
        if (accepted && !jacobianAt(ws, problem))
          return finish(ws, 'failed', 'the Jacobian cannot be evaluated at the solution', cost, iterations);
        return finish(ws, 'xtol', 'trust region below xtol * ||D x||', cost, iterations);
      }
      if (accepted) break;
    }
    if (!jacobianAt(ws, problem))
      return finish(ws, 'failed', 'the Jacobian cannot be evaluated (non-finite values)', cost, iterations);
  }
  return finish(ws, 'max-iterations', `no convergence in ${maxIterations} iterations`, cost, iterations);
}
