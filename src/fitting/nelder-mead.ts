/**
 * Nelder-Mead simplex minimisation (Nelder & Mead 1965) with the adaptive coefficients of Gao & Han (2012,
 * Comput. Optim. Appl. 51:259) for dimension n >= 2 (reflection 1, expansion 1 + 2/n, contraction 0.75 - 1/(2n),
 * shrink 1 - 1/n), which keep the method effective beyond a handful of parameters; the step rules follow
 * Lagarias et al. (1998, SIAM J. Optim. 9:112). Derivative-free, so it tolerates objectives that are only piecewise
 * smooth (ODE solves at finite tolerance). Non-finite objective values count as +Infinity (a failed solve is a bad
 * point, not an error). All work arrays are allocated once per call.
 */

export interface NelderMeadOptions {
  /** Initial simplex: x0 plus `step` along each axis (default 1; one number or one per coordinate). */
  readonly step?: number | ArrayLike<number>;
  /** Stop when the objective spread over the simplex is <= fTol and its extent (max-norm) <= xTol. */
  readonly fTol?: number;
  readonly xTol?: number;
  /** Objective evaluations allowed (default 200 n). */
  readonly maxEvaluations?: number;
  /** Restarts from the best point with a fresh simplex after convergence (default 1; guards against collapse). */
  readonly restarts?: number;
}

export interface NelderMeadResult {
  readonly x: Float64Array;
  readonly value: number;
  readonly evaluations: number;
  readonly iterations: number;
  readonly converged: boolean;
  readonly reason: 'tolerance' | 'max-evaluations';
}

export function nelderMead(
  f: (x: Float64Array) => number,
  x0: ArrayLike<number>,
  options: NelderMeadOptions = {},
): NelderMeadResult {
  const n = x0.length;
  if (n < 1) throw new RangeError('nelderMead: need at least one coordinate');
  const fTol = options.fTol ?? 1e-8;
  const xTol = options.xTol ?? 1e-6;
  const maxEval = options.maxEvaluations ?? 200 * n;
  const restarts = options.restarts ?? 1;
  const alpha = 1;
  const beta = n >= 2 ? 1 + 2 / n : 2;
  const gamma = n >= 2 ? 0.75 - 1 / (2 * n) : 0.5;
  const delta = n >= 2 ? 1 - 1 / n : 0.5;
  const steps = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const s = options.step;
    steps[j] = s === undefined ? 1 : typeof s === 'number' ? s : s[j];
  }
  const sim = new Float64Array((n + 1) * n);
  const fv = new Float64Array(n + 1);
  const order = new Int32Array(n + 1);
  const c = new Float64Array(n);
  const xr = new Float64Array(n);
  const xe = new Float64Array(n);
  const xc = new Float64Array(n);
  const best = Float64Array.from(x0);
  let evaluations = 0;
  let iterations = 0;
  const evalAt = (x: Float64Array): number => {
    evaluations++;
    const v = f(x);
    return Number.isFinite(v) ? v : Number.POSITIVE_INFINITY;
  };
  const vertex = (i: number) => sim.subarray(i * n, (i + 1) * n);
  const sortSimplex = () => {
    for (let i = 0; i <= n; i++) order[i] = i;
    order.sort((a, b) => fv[a] - fv[b] || a - b);
  };
  let bestValue = Number.NaN;
  let converged = false;
  for (let round = 0; round <= restarts; round++) {
    // Fresh simplex around the best point so far.
    sim.set(best, 0);
    fv[0] = round === 0 ? evalAt(vertex(0)) : bestValue;
    for (let i = 1; i <= n; i++) {
      const v = vertex(i);
      v.set(best);
      v[i - 1] += steps[i - 1];
      fv[i] = evalAt(v);
    }
    converged = false;
    while (evaluations < maxEval) {
      sortSimplex();
      const lo = order[0];
      const hi = order[n];
      const nh = order[n - 1];
      // Convergence: objective spread and simplex extent.
      let ext = 0;
      const xl = vertex(lo);
      for (let i = 0; i <= n; i++) {
        if (i === lo) continue;
        const v = vertex(i);
        for (let j = 0; j < n; j++) ext = Math.max(ext, Math.abs(v[j] - xl[j]));
      }
      if (fv[hi] - fv[lo] <= fTol && ext <= xTol) {
        converged = true;
        break;
      }
      iterations++;
      c.fill(0);
      for (let i = 0; i <= n; i++) {
        if (i === hi) continue;
        const v = vertex(i);
        for (let j = 0; j < n; j++) c[j] += v[j] / n;
      }
      const xh = vertex(hi);
      for (let j = 0; j < n; j++) xr[j] = c[j] + alpha * (c[j] - xh[j]);
      const fr = evalAt(xr);
      if (fr < fv[lo]) {
        for (let j = 0; j < n; j++) xe[j] = c[j] + beta * (xr[j] - c[j]);
        const fe = evalAt(xe);
        if (fe < fr) {
          xh.set(xe);
          fv[hi] = fe;
        } else {
          xh.set(xr);
          fv[hi] = fr;
        }
        continue;
      }
      if (fr < fv[nh]) {
        xh.set(xr);
        fv[hi] = fr;
        continue;
      }
      const outside = fr < fv[hi];
      for (let j = 0; j < n; j++)
        xc[j] = outside ? c[j] + gamma * (xr[j] - c[j]) : c[j] + gamma * (xh[j] - c[j]);
      const fc = evalAt(xc);
      if (outside ? fc <= fr : fc < fv[hi]) {
        xh.set(xc);
        fv[hi] = fc;
        continue;
      }
      // Shrink towards the best vertex.
      for (let i = 0; i <= n; i++) {
        if (i === lo) continue;
        const v = vertex(i);
        for (let j = 0; j < n; j++) v[j] = xl[j] + delta * (v[j] - xl[j]);
        fv[i] = evalAt(v);
      }
    }
    sortSimplex();
    best.set(vertex(order[0]));
    bestValue = fv[order[0]];
    if (!converged) break;
  }
  return {
    x: best,
    value: bestValue,
    evaluations,
    iterations,
    converged,
    reason: converged ? 'tolerance' : 'max-evaluations',
  };
}
