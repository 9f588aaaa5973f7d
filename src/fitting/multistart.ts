/**
 * Multi-start local optimisation. Start 0 is the specs' initial values (the knowledge base's point estimate);
 * the other starts form a Latin hypercube in the (log-)ranges (lhs.ts, purpose 'multistart'), which covers every
 * parameter's range evenly. The local optima are then clustered: a calibration landscape with several distinct
 * optima of similar value is itself a finding (alternative explanations of the data), and the share of starts
 * reaching the best cluster is a cheap measure of how hard the landscape is (Raue et al. 2013, PLoS ONE 8:e74335).
 */
import { latinHypercube } from './lhs.js';
import { checkSpec, defaultInitial, fromUnit, type ParameterSpec, toUnit } from './transform.js';

export interface LocalResult {
  /** Natural parameter values. */
  x: Float64Array;
  value: number;
  converged: boolean;
  evaluations: number;
}

export interface MultistartResult {
  best: LocalResult;
  /** In start order; start 0 is at the specs' initial values. */
  starts: (LocalResult & { from: Float64Array })[];
  /** Distinct optima, best first: representative (best member) point and value, and how many starts reached it. */
  clusters: { x: Float64Array; value: number; count: number }[];
}

export interface MultistartOptions {
  starts: number;
  seed: number;
  /** LHS starts lie in [margin, 1 - margin] of each range position (default 0.05). */
  margin?: number;
  /** Two optima share a cluster when their range positions differ by <= xTol in every coordinate (default 1e-3) ... */
  xTol?: number;
  /** ... and their values by <= fTol (absolute; default 1e-6, a negligible likelihood difference). */
  fTol?: number;
  /** Called after each start (progress). */
  onStart?: (k: number, r: LocalResult & { from: Float64Array }) => void;
}

export function multistart(
  specs: readonly ParameterSpec[],
  local: (x0: Float64Array) => LocalResult,
  options: MultistartOptions,
): MultistartResult {
  for (const p of specs) checkSpec(p);
  const n = specs.length;
  const starts = options.starts;
  if (!(Number.isInteger(starts) && starts >= 1))
    throw new RangeError(`multistart: starts must be an integer >= 1, got ${starts}`);
  const margin = options.margin ?? 0.05;
  if (!(margin >= 0 && margin < 0.5))
    throw new RangeError(`multistart: margin must lie in [0, 0.5), got ${margin}`);
  const xTol = options.xTol ?? 1e-3;
  const fTol = options.fTol ?? 1e-6;
  const design = starts > 1 ? latinHypercube(starts - 1, n, options.seed, 'multistart') : new Float64Array(0);
  const results: (LocalResult & { from: Float64Array })[] = [];
  for (let k = 0; k < starts; k++) {
    const from = new Float64Array(n);
    for (let j = 0; j < n; j++)
      from[j] =
        k === 0
          ? defaultInitial(specs[j])
          : fromUnit(specs[j], margin + (1 - 2 * margin) * design[(k - 1) * n + j]);
    const r = local(Float64Array.from(from));
    if (r.x.length !== n)
      throw new RangeError(`multistart: local optimiser returned ${r.x.length} values, expected ${n}`);
    const value = Number.isFinite(r.value) ? r.value : Number.POSITIVE_INFINITY;
    const entry = {
      x: Float64Array.from(r.x),
      value,
      converged: r.converged,
      evaluations: r.evaluations,
      from,
    };
    results.push(entry);
    options.onStart?.(k, entry);
  }
  // Greedy clustering in order of value: each optimum joins the first (better) representative it matches.
  const order = results.map((_, k) => k).sort((a, b) => results[a].value - results[b].value || a - b);
  const clusters: { x: Float64Array; value: number; count: number }[] = [];
  const unit = (x: Float64Array) => Float64Array.from(x, (v, j) => toUnit(specs[j], v));
  const reps: Float64Array[] = [];
  for (const k of order) {
    const r = results[k];
    const u = unit(r.x);
    let joined = false;
    for (let c = 0; c < clusters.length && !joined; c++) {
      const cv = clusters[c].value;
      // Failed starts (non-finite value) form one cluster of their own.
      if (!Number.isFinite(r.value) || !Number.isFinite(cv)) {
        joined = !Number.isFinite(r.value) && !Number.isFinite(cv);
      } else if (Math.abs(cv - r.value) <= fTol) {
        let close = true;
        for (let j = 0; j < n && close; j++) close = Math.abs(reps[c][j] - u[j]) <= xTol;
        joined = close;
      }
      if (joined) clusters[c].count++;
    }
    if (!joined) {
      clusters.push({ x: Float64Array.from(r.x), value: r.value, count: 1 });
      reps.push(u);
    }
  }
  const best = results[order[0]];
  return {
    best: {
      x: Float64Array.from(best.x),
      value: best.value,
      converged: best.converged,
      evaluations: best.evaluations,
    },
    starts: results,
    clusters,
  };
}
