/**
 * Work-precision measurement: run a solver on a test problem over a range of tolerances, measure the error
 * against the published reference and the median wall time, and compare solvers at matched accuracy.
 *
 * Error measure: the mixed error of test/problems/types.ts, max_i |y_i - ref_i| / (atolPerRtol + |ref_i|)
 * (relative error with the problem's absolute floor; the Bari test set's "mescd" is -log10 of it).
 * Tolerances: rtol from the list, atol = atolPerRtol * rtol (scalar).
 */
import { performance } from 'node:perf_hooks';
import { solve } from '../src/numerics/ode/solve.js';
import type { OdeMethod } from '../src/numerics/ode/stepper.js';
import { mixedError, type TestProblem, toOdeProblem } from '../test/problems/index.js';

/** One cell of a work-precision table. */
export interface WorkPoint {
  solver: string; // 'exoniche' | 'CVODE' | 'SciPy'
  method: string;
  problem: string;
  rtol: number;
  atol: number;
  ok: boolean;
  message?: string;
  /** Mixed error against the reference (NaN when the solve failed). */
  error: number;
  /** -log10(error): correct significant digits. */
  digits: number;
  steps: number;
  fevals: number;
  jevals: number;
  lu: number;
  /** Median wall time of one solve, ms. */
  wallMs: number;
  /** Fastest run, ms (less sensitive to other load on a shared machine than the median). */
  minMs?: number;
  repeats: number;
  y: number[];
}

export interface TimingOptions {
  /** Keep repeating until this much total time was spent (ms). */
  budgetMs: number;
  /** ... and at least this many timed runs. */
  minRepeats: number;
}

/** A run over this long stops the repeat loop even below `minRepeats` (a very slow cell). */
const SLOW_RUN_MS = 10_000;

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : 0.5 * (s[m - 1] + s[m]);
}

/** Fill in the error fields of a point from its final state. */
export function scorePoint(p: TestProblem, pt: Omit<WorkPoint, 'error' | 'digits'>): WorkPoint {
  const error = pt.ok && pt.y.length === p.n ? mixedError(p, pt.y) : Number.NaN;
  return { ...pt, error, digits: -Math.log10(error) };
}

/**
 * Run an exoniche method (a registry name or a method object) on one problem at one tolerance, timed in
 * process: untimed warm-up runs (JIT), then repeats until the budget is spent; the median is reported.
 */
export function runExoniche(
  p: TestProblem,
  method: string | OdeMethod,
  rtol: number,
  timing: TimingOptions,
): WorkPoint {
  const atol = p.atolPerRtol * rtol;
  const problem = toOdeProblem(p);
  const tEnd = p.tspan[1];
  const opts = {
    method,
    rtol,
    atol,
    saveat: [tEnd],
    ...(p.tstops ? { tstops: p.tstops } : {}),
  };
  const once = () => solve(problem, p.events ? { ...opts, events: p.events() } : opts);
  const methodName = typeof method === 'string' ? method : method.name;
  const base = { solver: 'exoniche', method: methodName, problem: p.name, rtol, atol };
  let sol: ReturnType<typeof solve>;
  try {
    sol = once();
  } catch (e) {
    return scorePoint(p, {
      ...base,
      ok: false,
      message: (e as Error).message,
      steps: 0,
      fevals: 0,
      jevals: 0,
      lu: 0,
      wallMs: Number.NaN,
      repeats: 0,
      y: [],
    });
  }
  const ok = sol.retcode === 'Success';
  // More warm-up: let V8 tier up the solver's hot loops before timing (up to 3 runs or 100 ms).
  if (ok) {
    const w0 = performance.now();
    for (let i = 0; i < 2 && performance.now() - w0 < 100; i++) sol = once();
  }
  const times: number[] = [];
  let total = 0;
  for (;;) {
    const t0 = performance.now();
    sol = once();
    const dt = performance.now() - t0;
    times.push(dt);
    total += dt;
    if (!ok || (times.length >= timing.minRepeats && total >= timing.budgetMs) || dt > SLOW_RUN_MS) break;
  }
  const n = sol.n;
  const last = sol.t.length - 1;
  const y = last >= 0 && sol.t[last] === tEnd ? Array.from(sol.u.subarray(last * n, last * n + n)) : [];
  return scorePoint(p, {
    ...base,
    method: methodName,
    ok: ok && y.length === n,
    message: ok ? undefined : `${sol.retcode}: ${sol.message}`,
    steps: sol.stats.steps,
    fevals: sol.stats.fEvals,
    jevals: sol.stats.jacEvals,
    lu: sol.stats.luDecomps,
    wallMs: median(times),
    minMs: Math.min(...times),
    repeats: times.length,
    y,
  });
}

/**
 * Time of `comparator` at the accuracy `error`, by piecewise-linear interpolation of log(time) against
 * log(error) between the comparator's successful points, sorted by error. Undefined when `error` lies
 * outside the comparator's range of errors (no extrapolation).
 */
export function timeAtError(points: readonly WorkPoint[], error: number): number | undefined {
  const pts = points
    .filter((q) => q.ok && Number.isFinite(q.error) && q.error > 0 && q.wallMs > 0)
    .sort((a, b) => a.error - b.error);
  if (!(error > 0) || pts.length === 0) return undefined;
  const le = Math.log(error);
  if (pts.length === 1) return Math.abs(Math.log(pts[0].error) - le) < 1e-12 ? pts[0].wallMs : undefined;
  for (let i = 0; i + 1 < pts.length; i++) {
    const a = Math.log(pts[i].error);
    const b = Math.log(pts[i + 1].error);
    if (le >= a && le <= b) {
      const s = b === a ? 0 : (le - a) / (b - a);
      return Math.exp((1 - s) * Math.log(pts[i].wallMs) + s * Math.log(pts[i + 1].wallMs));
    }
  }
  return undefined;
}

function fmt(x: number, digits = 3): string {
  if (!Number.isFinite(x)) return '-';
  if (x === 0) return '0';
  const a = Math.abs(x);
  return a >= 1e4 || a < 1e-2 ? x.toExponential(digits - 1) : x.toPrecision(digits);
}

/** Plain-text work-precision table. */
export function formatTable(points: readonly WorkPoint[]): string {
  const head = [
    'solver',
    'method',
    'rtol',
    'error',
    'digits',
    'steps',
    'f-evals',
    'J-evals',
    'LUs',
    'ms(median)',
    'reps',
  ];
  const rows = points.map((q) => [
    q.solver,
    q.method,
    q.rtol.toExponential(0),
    q.ok ? fmt(q.error) : 'FAIL',
    q.ok ? q.digits.toFixed(2) : '-',
    String(q.steps),
    String(q.fevals),
    String(q.jevals),
    String(q.lu),
    fmt(q.wallMs, 4),
    String(q.repeats),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) =>
    r.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  const failures = points
    .filter((q) => !q.ok)
    .map(
      (q) =>
        `  FAIL ${q.solver} ${q.method} rtol ${q.rtol.toExponential(0)}: ${q.message ?? 'no final state'}`,
    );
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line), ...failures].join('\n');
}

/** Ratio of `solver`'s time to the comparator's interpolated time at the same error (>1: solver is slower). */
export interface MatchedRatio {
  problem: string;
  method: string;
  rtol: number;
  error: number;
  wallMs: number;
  comparator: string;
  comparatorMs: number | undefined;
  ratio: number | undefined;
}

export function matchedRatios(
  mine: readonly WorkPoint[],
  theirs: readonly WorkPoint[],
  comparatorLabel: string,
): MatchedRatio[] {
  return mine
    .filter((q) => q.ok)
    .map((q) => {
      const c = timeAtError(theirs, q.error);
      return {
        problem: q.problem,
        method: q.method,
        rtol: q.rtol,
        error: q.error,
        wallMs: q.wallMs,
        comparator: comparatorLabel,
        comparatorMs: c,
        ratio: c === undefined ? undefined : q.wallMs / c,
      };
    });
}

export function formatRatios(rs: readonly MatchedRatio[]): string {
  const head = ['method', 'rtol', 'error', 'ms', 'vs', 'their ms @ same error', 'ratio (ours/theirs)'];
  const rows = rs.map((r) => [
    r.method,
    r.rtol.toExponential(0),
    fmt(r.error),
    fmt(r.wallMs, 4),
    r.comparator,
    r.comparatorMs === undefined ? 'out of range' : fmt(r.comparatorMs, 4),
    r.ratio === undefined ? '-' : `${r.ratio.toFixed(2)}x`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) =>
    r.map((c, i) => (i === 0 || i === 4 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
