/**
 * Bounded multi-start minimisation: Nelder-Mead on the logit-transformed parameter ranges (transform.ts), started
 * from the given initial values and from further points drawn uniformly in the (log-)ranges by keyed random streams
 * (src/numerics/random: seed, purpose 'fitting-start', start k), so a fit is reproducible from its seed whatever
 * else draws random numbers. The best start wins.
 */
import { streamFor } from '../numerics/random/index.js';
import { type NelderMeadOptions, nelderMead } from './nelder-mead.js';
import {
  checkSpec,
  defaultInitial,
  fromUnbounded,
  fromUnit,
  type ParameterSpec,
  toUnbounded,
} from './transform.js';

export interface FitProblem<R = unknown> {
  readonly parameters: readonly ParameterSpec[];
  /** The objective at natural parameter values (in `parameters` order); non-finite = failed point. */
  objective(x: Float64Array): number;
  /** Residuals (or any diagnostic) at the estimates, attached to the result. */
  residuals?(x: Float64Array): R;
  /** Model solves done so far (the problem counts them; reported in the result). */
  solves?(): number;
}

export interface FitOptions {
  /** Seed of the keyed start streams. */
  readonly seed: number;
  /** Number of starts (default 1): start 0 at the initial values, the others random in the ranges. */
  readonly starts?: number;
  /** Nelder-Mead settings per start; `step` is in logit units (default 1). */
  readonly nelderMead?: NelderMeadOptions;
  /** Random starts are drawn in [margin, 1 - margin] of each range's position (default 0.05). */
  readonly margin?: number;
  /** Called after each start (progress reports). */
  readonly onStart?: (s: StartSummary) => void;
}

export interface StartSummary {
  readonly start: number;
  readonly from: Readonly<Record<string, number>>;
  readonly estimates: Readonly<Record<string, number>>;
  readonly value: number;
  readonly evaluations: number;
  readonly iterations: number;
  readonly converged: boolean;
}

export interface FitResult<R = unknown> {
  readonly names: readonly string[];
  readonly estimates: Readonly<Record<string, number>>;
  /** Estimates in `names` order. */
  readonly x: Float64Array;
  readonly value: number;
  /** The objective at the initial values (start 0). */
  readonly initialValue: number;
  readonly converged: boolean;
  readonly starts: readonly StartSummary[];
  readonly evaluations: number;
  readonly solves?: number;
  readonly residuals?: R;
  readonly seed: number;
}

const record = (names: readonly string[], x: ArrayLike<number>): Record<string, number> =>
  Object.fromEntries(names.map((n, i) => [n, x[i]]));

export function fitParameters<R>(problem: FitProblem<R>, options: FitOptions): FitResult<R> {
  const ps = problem.parameters;
  for (const p of ps) checkSpec(p);
  const n = ps.length;
  const names = ps.map((p) => p.name);
  const natural = new Float64Array(n);
  const toNatural = (u: ArrayLike<number>) => {
    for (let j = 0; j < n; j++) natural[j] = fromUnbounded(ps[j], u[j]);
    return natural;
  };
  const g = (u: Float64Array) => problem.objective(toNatural(u));
  const starts: StartSummary[] = [];
  const margin = options.margin ?? 0.05;
  let best: { x: Float64Array; value: number; converged: boolean } | undefined;
  let initialValue = Number.NaN;
  let evaluations = 0;
  for (let k = 0; k < (options.starts ?? 1); k++) {
    const from = new Float64Array(n);
    if (k === 0) for (let j = 0; j < n; j++) from[j] = defaultInitial(ps[j]);
    else {
      const s = streamFor(options.seed, ['purpose', 'fitting-start'], ['start', k]);
      for (let j = 0; j < n; j++) from[j] = fromUnit(ps[j], margin + (1 - 2 * margin) * s.nextFloat64());
    }
    if (k === 0) initialValue = problem.objective(Float64Array.from(from));
    if (k === 0) evaluations++;
    const u0 = Float64Array.from(from, (x, j) => toUnbounded(ps[j], x));
    const r = nelderMead(g, u0, options.nelderMead);
    evaluations += r.evaluations;
    const est = Float64Array.from(r.x, (u, j) => fromUnbounded(ps[j], u));
    const summary: StartSummary = {
      start: k,
      from: record(names, from),
      estimates: record(names, est),
      value: r.value,
      evaluations: r.evaluations,
      iterations: r.iterations,
      converged: r.converged,
    };
    starts.push(summary);
    options.onStart?.(summary);
    if (!best || r.value < best.value) best = { x: est, value: r.value, converged: r.converged };
  }
  if (!best) throw new RangeError('fitParameters: need at least one start');
  const residuals = problem.residuals?.(best.x);
  const solves = problem.solves?.();
  return {
    names,
    estimates: record(names, best.x),
    x: best.x,
    value: best.value,
    initialValue,
    converged: best.converged,
    starts,
    evaluations,
    ...(solves !== undefined ? { solves } : {}),
    ...(residuals !== undefined ? { residuals } : {}),
    seed: options.seed,
  };
}
