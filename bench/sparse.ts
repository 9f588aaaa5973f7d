/**
 * `npx tsx bench/sparse.ts [--max-dense n] [--repeats k]`: wall time of BDF and Rodas5P on large sparse stiff
 * problems with dense, banded and sparse linear algebra (src/numerics/linalg/linear-solver.ts):
 *
 * - 1D Brusselator (Hairer and Wanner II, sec. IV.1), N = 500 points, n = 1000, t in [0, 10]: banded (kl = ku = 2)
 *   and sparse vs dense;
 * - BRUSS-2D (Hairer and Wanner II, sec. IV.10, without the source term), N x N grid with periodic boundaries,
 *   n = 2 N^2, t in [0, 1.5]: sparse vs dense (the periodic grid has no narrow band).
 *
 * Analytic sparse Jacobians (the dense back end gets them scattered), rtol 1e-6, atol 1e-8. Dense runs are
 * skipped above --max-dense unknowns (default 2100, i.e. all; a dense LU of n = 2048 takes about a second per
 * factorisation here, so the whole run takes several minutes; use --max-dense 600 for a quick one).
 * Reports the median of --repeats runs (default 3; --dense-repeats, default 1, for dense) after one warm-up run, work counters, and the largest
 * difference of the final state from the sparse run. Not a test: timings depend on the (shared) machine.
 */

import type { LinearSolverChoice } from '../src/numerics/ode/problem.js';
import { solve } from '../src/numerics/ode/solve.js';
import {
  brusselator1d,
  brusselator2d,
  type SparseTestProblem,
} from '../test/numerics/ode/sparse/brusselator.js';

const argv = process.argv.slice(2);
const arg = (name: string, def: number): number => {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : def;
};
const maxDense = arg('--max-dense', 2100);
const repeats = arg('--repeats', 3);
/** Dense runs of the large cases take seconds to minutes: one timed run (after a warm-up) by default. */
const denseRepeats = arg('--dense-repeats', 1);

interface Row {
  problem: string;
  n: number;
  method: string;
  solver: string;
  steps: number;
  fEvals: number;
  jacEvals: number;
  lus: number;
  ms: number;
  diff: string;
}

function timeRun(
  make: () => SparseTestProblem,
  method: string,
  repeats: number,
): { ms: number; y: Float64Array; stats: Record<string, number> } {
  const times: number[] = [];
  let y: Float64Array = new Float64Array(0);
  let stats: Record<string, number> = {};
  for (let r = 0; r <= repeats; r++) {
    const { problem } = make();
    const t0 = performance.now();
    const sol = solve(problem, { method, rtol: 1e-6, atol: 1e-8, saveat: [problem.tspan[1]] });
    const ms = performance.now() - t0;
    if (sol.retcode !== 'Success') throw new Error(`${method}: ${sol.retcode} ${sol.message}`);
    if (r > 0) times.push(ms); // first run is a warm-up
    y = sol.state(sol.t.length - 1);
    stats = { ...sol.stats };
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(times.length / 2)], y, stats };
}

const rows: Row[] = [];
const cases: {
  name: string;
  n: number;
  solvers: LinearSolverChoice[];
  make: (ls: LinearSolverChoice) => SparseTestProblem;
}[] = [
  {
    name: 'bruss1d N=500',
    n: 1000,
    solvers: ['sparse', 'banded', 'dense'],
    make: (ls) => brusselator1d(500, 10, { linearSolver: ls }),
  },
  ...[16, 24, 32].map((N) => ({
    name: `bruss2d N=${N}`,
    n: 2 * N * N,
    solvers: ['sparse', 'dense'] as LinearSolverChoice[],
    make: (ls: LinearSolverChoice) => brusselator2d(N, 1.5, { linearSolver: ls }),
  })),
];
for (const c of cases) {
  for (const method of ['BDF', 'Rodas5P']) {
    let ref: Float64Array | undefined;
    for (const ls of c.solvers) {
      if (ls === 'dense' && c.n > maxDense) {
        rows.push({
          problem: c.name,
          n: c.n,
          method,
          solver: ls,
          steps: 0,
          fEvals: 0,
          jacEvals: 0,
          lus: 0,
          ms: Number.NaN,
          diff: 'skipped',
        });
        continue;
      }
      const r = timeRun(() => c.make(ls), method, ls === 'dense' ? denseRepeats : repeats);
      let d = 0;
      if (ref === undefined) ref = r.y;
      else for (let i = 0; i < ref.length; i++) d = Math.max(d, Math.abs(r.y[i] - ref[i]));
      rows.push({
        problem: c.name,
        n: c.n,
        method,
        solver: ls,
        steps: r.stats.steps,
        fEvals: r.stats.fEvals,
        jacEvals: r.stats.jacEvals,
        lus: r.stats.luDecomps,
        ms: r.ms,
        diff: ls === c.solvers[0] ? '-' : d.toExponential(1),
      });
      console.error(`${c.name} ${method} ${ls}: ${r.ms.toFixed(1)} ms`);
    }
  }
}
const header = [
  'problem',
  'n',
  'method',
  'solver',
  'steps',
  'f',
  'J',
  'LU',
  'ms (median)',
  'max |y - y_sparse|',
];
const body = rows.map((r) => [
  r.problem,
  String(r.n),
  r.method,
  r.solver,
  r.diff === 'skipped' ? '' : String(r.steps),
  r.diff === 'skipped' ? '' : String(r.fEvals),
  r.diff === 'skipped' ? '' : String(r.jacEvals),
  r.diff === 'skipped' ? '' : String(r.lus),
  Number.isNaN(r.ms) ? `skipped (n > ${maxDense})` : r.ms.toFixed(1),
  r.diff === 'skipped' ? '' : r.diff,
]);
const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i])).join('  ');
console.log(line(header));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const b of body) console.log(line(b));
