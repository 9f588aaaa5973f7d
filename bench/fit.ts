/**
 * Fitting benchmark (issue #9): how the local optimisers of the model-fit pipeline compare on real patient data,
 * and what the least-squares machinery costs on its own.
 *
 * 1. Hähnel 2020 on-TKI courses (Fig. S2, data/patients/hahnel2020_figS2_on_tki.csv, left-censored points), each
 *    patient's series fitted with the hahnel2020 reference model over the parameters the pipeline fits by default
 *    (scripts/fit-validation.ts: pyx, pxy, e_tki, Y_init on log scale; X_init tied to pyx*Y_init/pxy; the rest at
 *    the patient's published values). From the same starts (start 0 at the range midpoints, then a Latin
 *    hypercube), with sigma held at its ML value at the published parameters so that every method minimises the
 *    same NLL:
 *      lm-forward  least squares (src/fitting/least-squares.ts via model-fit-lsq.ts) with the Jacobian from forward
 *                  sensitivities (src/models/sensitivity.ts);
 *      lm-fd       the same with central differences of the solution (ModelFitProblem, h = 1e-4 in ln theta);
 *      lm-fd-int   the same with least-squares' own forward differences (step sqrt(eps); works only while the
 *                  solver's step sequence does not change under the perturbation);
 *      nm          Nelder-Mead on the NLL in logit coordinates (model-fit.ts nelderMeadLocal).
 *    Wall and CPU time (medians of repeats), model solves (a sensitivity run counts as one), final NLL, and the
 *    cost of the profile likelihood of e_tki (Raue et al. 2009) with LM-forward, LM-fd and (first patient) NM refits.
 * 2. Micro-benchmarks: one forward-sensitivity run against k+1 plain solves of the same patient model; the
 *    per-iteration overhead of leastSquares on NIST StRD Thurber (m = 37, n = 7) and the heap bytes it allocates
 *    per iteration, analytic and forward-difference Jacobian, and per solve, with and without a reused workspace
 *    (heapUsed growth in a child process without scavenges, 72 000 iterations). `--alloc-only` runs just this.
 *
 * Usage: npx tsx bench/fit.ts [--patients 1,2,3] [--quick] [--starts N] [--repeats N] [--out file] [--alloc-only]
 * Writes bench/out/fit-<time>.json and bench/out/fit-latest.json (or --out). See bench/README.md, "Fitting".
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseSeriesCsv, type Series } from '../src/fitting/data.js';
import {
  type LeastSquaresOptions,
  type LeastSquaresProblem,
  type LeastSquaresWorkspace,
  leastSquares,
  leastSquaresWorkspace,
} from '../src/fitting/least-squares.js';
import { latinHypercube } from '../src/fitting/lhs.js';
import { ModelFitProblem, type ModelFitSetup } from '../src/fitting/model-fit.js';
import { LSQ_DEFAULTS, type LsqSolver, lsqResult } from '../src/fitting/model-fit-lsq.js';
import { localFit } from '../src/fitting/model-fit-run.js';
import { tieParameters } from '../src/fitting/model-fit-tie.js';
import type { LocalResult } from '../src/fitting/multistart.js';
import { profileLikelihood } from '../src/fitting/profile.js';
import { defaultInitial, fromUnit, type ParameterSpec } from '../src/fitting/transform.js';
import { writeFileAtomic } from '../src/io/atomic-write.js';
import { loadReferenceModel } from '../src/knowledge/reference-models.js';
import { compileModel } from '../src/models/compile/compile.js';
import { prepareSensitivities } from '../src/models/sensitivity.js';
import { simulateModel } from '../src/models/simulate.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const DATA = 'data/patients/hahnel2020_figS2_on_tki.csv';

// ---------------------------------------------------------------- options
function usage(msg: string): never {
  process.stderr.write(
    `bench/fit.ts: ${msg}\nusage: npx tsx bench/fit.ts [--patients 1,2,3] [--quick] [--starts N] [--repeats N] [--out file] [--alloc-only]\n`,
  );
  process.exit(64);
}
const argv = process.argv.slice(2);
const flags: Record<string, string | true> = {};
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === '--quick') flags.quick = true;
  else if (a === '--alloc-child') flags.allocChild = true;
  else if (a === '--alloc-only') flags.allocOnly = true;
  else if (['--patients', '--out', '--starts', '--repeats'].includes(a)) {
    const v = argv[++i];
    if (v === undefined || v.startsWith('--')) usage(`${a} needs a value`);
    flags[a.slice(2)] = v;
  } else usage(`unknown argument '${a}'`);
}
const quick = flags.quick === true;
const allocChild = flags.allocChild === true;
const posInt = (name: string, dflt: number): number => {
  const raw = flags[name];
  if (raw === undefined) return dflt;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < 1) usage(`--${name}: expected a positive integer, got '${raw}'`);
  return v;
};
const starts = posInt('starts', quick ? 1 : 2);
const repeats = posInt('repeats', quick ? 1 : 3);
/** Nelder-Mead fits take seconds each: timed once (its wall time varies less, relative to its size). */
const nmRepeats = 1;
const patientIds = (typeof flags.patients === 'string' ? flags.patients : quick ? '1' : '1,2,3')
  .split(',')
  .map((s) => s.trim());

// ---------------------------------------------------------------- helpers
const median = (v: readonly number[]): number => {
  const w = [...v].sort((a, b) => a - b);
  const m = w.length;
  return m % 2 ? w[(m - 1) / 2] : 0.5 * (w[m / 2 - 1] + w[m / 2]);
};
const fmt = (x: number | null | undefined, d = 4): string =>
  x === null || x === undefined || !Number.isFinite(x) ? '-' : String(Number(x.toPrecision(d)));
const log = (s: string) => process.stderr.write(`${s}\n`);

function table(head: string[], rows: string[][]): string {
  const w = head.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j].length)));
  const line = (r: string[]) => r.map((c, j) => (j === 0 ? c.padEnd(w[j]) : c.padStart(w[j]))).join('  ');
  return [line(head), w.map((x) => '-'.repeat(x)).join('  '), ...rows.map(line)].join('\n');
}

/**
 * Repeats `fn` and returns its last result with the median and minimum wall time and the median CPU time of this
 * process (ms; user + system, all threads): on a shared machine the CPU time is far less affected by other load.
 */
function timed<T>(
  fn: () => T,
  n: number,
): { value: T; ms: number; minMs: number; cpuMs: number; times: number[] } {
  const times: number[] = [];
  const cpu: number[] = [];
  let value!: T;
  for (let k = 0; k < n; k++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    value = fn();
    times.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  return { value, ms: median(times), minMs: Math.min(...times), cpuMs: median(cpu), times };
}

// ---------------------------------------------------------------- NIST Thurber (leastSquares micro-benchmarks, section 2b)
/** NIST StRD Thurber (public domain): [y, x] pairs in file order, start 1, certified values (11 digits). */
const THURBER_YX = [
  80.574, -3.067, 84.248, -2.981, 87.264, -2.921, 87.195, -2.912, 89.076, -2.84, 89.608, -2.797, 89.868,
  -2.702, 90.101, -2.699, 92.405, -2.633, 95.854, -2.481, 100.696, -2.363, 101.06, -2.322, 401.672, -1.501,
  390.724, -1.46, 567.534, -1.274, 635.316, -1.212, 733.054, -1.1, 759.087, -1.046, 894.206, -0.915, 990.785,
  -0.714, 1090.109, -0.566, 1080.914, -0.545, 1122.643, -0.4, 1178.351, -0.309, 1260.531, -0.109, 1273.514,
  -0.103, 1288.339, 0.01, 1327.543, 0.119, 1353.863, 0.377, 1414.509, 0.79, 1425.208, 0.963, 1421.384, 1.006,
  1442.962, 1.115, 1464.35, 1.572, 1468.705, 1.841, 1447.894, 2.047, 1457.628, 2.2,
];
const THURBER_START = [1000, 1000, 400, 40, 0.7, 0.3, 0.03];
const THURBER_CERT = [
  1.28813968e3, 1.4910792535e3, 5.8323836877e2, 7.5416644291e1, 9.6629502864e-1, 3.9797285797e-1,
  4.9727297349e-2,
];
const THURBER_RSS = 5.6427082397e3;

/** Thurber as a LeastSquaresProblem with its analytic Jacobian; `clock` (when given) sums the time spent in it. */
function thurber(clock?: { ms: number }): LeastSquaresProblem {
  const m = THURBER_YX.length / 2;
  const xs = Float64Array.from({ length: m }, (_, i) => THURBER_YX[2 * i + 1]);
  const ys = Float64Array.from({ length: m }, (_, i) => THURBER_YX[2 * i]);
  return {
    n: 7,
    m,
    residuals(b, r) {
      const t0 = clock ? performance.now() : 0;
      for (let i = 0; i < m; i++) {
        const x = xs[i];
        const x2 = x * x;
        const x3 = x2 * x;
        r[i] = (b[0] + b[1] * x + b[2] * x2 + b[3] * x3) / (1 + b[4] * x + b[5] * x2 + b[6] * x3) - ys[i];
      }
      if (clock) clock.ms += performance.now() - t0;
      return true;
    },
    jacobian(b, J) {
      const t0 = clock ? performance.now() : 0;
      for (let i = 0; i < m; i++) {
        const x = xs[i];
        const x2 = x * x;
        const x3 = x2 * x;
        const q = 1 + b[4] * x + b[5] * x2 + b[6] * x3;
        const f = (b[0] + b[1] * x + b[2] * x2 + b[3] * x3) / q;
        const o = i * 7;
        J[o] = 1 / q;
        J[o + 1] = x / q;
        J[o + 2] = x2 / q;
        J[o + 3] = x3 / q;
        J[o + 4] = (-f * x) / q;
        J[o + 5] = (-f * x2) / q;
        J[o + 6] = (-f * x3) / q;
      }
      if (clock) clock.ms += performance.now() - t0;
      return true;
    },
  };
}
const TIGHT = { ftol: 1e-15, xtol: 1e-15, gtol: 1e-15 };

/**
 * Allocation of leastSquares, measured in a fresh child process started with --expose-gc, a 64 MB young generation
 * (--min/max-semi-space-size) and --predictable (no concurrent compilation or GC, whose timing otherwise moves the
 * numbers by hundreds of bytes per iteration), so that no scavenge runs inside a batch: heapUsed growth from a gc()
 * to the end of a batch of 300 Thurber solves is then the bytes allocated.
 *
 * Per iteration: batches capped at 4 and at 28 iterations alternate (both below Thurber's own 37 analytic / 31
 * forward-difference iterations, so both end in 'max-iterations' with the same work outside the loop);
 * (long - short) / (extra iterations) is what one iteration allocates, callbacks included (they allocate nothing),
 * median of 5 pairs; once with the analytic Jacobian, once with the solver's forward differences. Per solve: a
 * batch capped at 1 iteration, with a fresh workspace per call (the default) and with one reused workspace
 * (option `workspace`); what remains with the workspace is the result (copies of x, r, J, the result object and
 * message). The heapUsed resolution makes single-batch numbers uncertain by a few bytes per iteration.
 * (V8's sampling heap profiler was tried too: in Node 20 it drops objects collected by scavenges, which made it
 * useless for short-lived garbage.)
 */
function allocationCheck(): Record<string, number | string> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('allocation check: run with --expose-gc');
  const analytic = thurber();
  const fd: LeastSquaresProblem = { n: analytic.n, m: analytic.m, residuals: analytic.residuals };
  const calls = 300;
  const capped = (maxIterations: number, workspace?: LeastSquaresWorkspace) => ({
    ...TIGHT,
    maxIterations,
    ...(workspace ? { workspace } : {}),
  });
  const batch = (
    prob: LeastSquaresProblem,
    options: LeastSquaresOptions,
  ): { bytes: number; iterations: number } => {
    gc();
    const h0 = process.memoryUsage().heapUsed;
    let iterations = 0;
    for (let k = 0; k < calls; k++) {
      const res = leastSquares(prob, THURBER_START, options);
      if (res.status !== 'max-iterations')
        throw new Error(`allocation check: expected a capped solve, got status ${res.status}`);
      iterations += res.iterations;
    }
    return { bytes: process.memoryUsage().heapUsed - h0, iterations };
  };
  const SHORT = 4;
  const LONG = 28;
  const perIteration = (prob: LeastSquaresProblem) => {
    const short = capped(SHORT);
    const long = capped(LONG);
    // Warm-up (JIT), through `batch` itself so that its own compilation is done before the first measurement; with
    // less, (re)optimisation during the first pairs still moves a batch by up to 300 kB.
    for (let k = 0; k < 3; k++) {
      batch(prob, long);
      batch(prob, short);
    }
    const v: number[] = [];
    let iterations = 0;
    for (let pair = 0; pair < 5; pair++) {
      const a = batch(prob, long);
      const b = batch(prob, short);
      v.push((a.bytes - b.bytes) / (a.iterations - b.iterations));
      iterations += a.iterations - b.iterations;
    }
    return { bytesPerIteration: median(v), min: Math.min(...v), max: Math.max(...v), iterations };
  };
  const perSolve = (options: LeastSquaresOptions) => {
    batch(analytic, options); // warm-up
    const v: number[] = [];
    for (let rep = 0; rep < 3; rep++) v.push(batch(analytic, options).bytes / calls);
    return median(v);
  };
  const a = perIteration(analytic);
  const f = perIteration(fd);
  return {
    method: `heapUsed growth after gc() over batches of ${calls} solves (--predictable; no scavenge: 64 MB semi-spaces); per iteration: batches capped at ${LONG} vs ${SHORT} iterations, median of 5 pairs`,
    iterations: a.iterations + f.iterations,
    bytesPerIteration: a.bytesPerIteration,
    bytesPerIterationMin: a.min,
    bytesPerIterationMax: a.max,
    bytesPerIterationFd: f.bytesPerIteration,
    bytesPerIterationFdMin: f.min,
    bytesPerIterationFdMax: f.max,
    bytesPerSolveSetup: perSolve(capped(1)),
    // Created only now: with a workspace alive, the per-iteration batches (fresh workspace per call) would not see
    // what happens when major GCs find no live workspace (see `Workspace.anchor` in least-squares.ts).
    bytesPerSolveSetupWorkspace: perSolve(capped(1, leastSquaresWorkspace(analytic.n, analytic.m))),
  };
}

if (allocChild) {
  // Child mode (see allocationCheck): print the measurement and stop.
  process.stdout.write(`${JSON.stringify(allocationCheck())}\n`);
  process.exit(0);
}

/** The allocation check in a fresh process: a clean heap, no code shared with the fits (stable numbers). */
function runAllocationCheck(): Record<string, number | string> {
  const child = spawnSync(
    process.execPath,
    [
      '--expose-gc',
      // single-threaded GC and compilation: without it, concurrent (re)compilation adds +-400 B/iteration of noise
      '--predictable',
      '--min-semi-space-size=64',
      '--max-semi-space-size=64',
      '--import',
      'tsx',
      fileURLToPath(import.meta.url),
      '--alloc-child',
    ],
    {
      encoding: 'utf8',
    },
  );
  if (child.status !== 0) throw new Error(`allocation check failed: ${child.stderr}`);
  return JSON.parse(child.stdout) as Record<string, number | string>;
}

if (flags.allocOnly === true) {
  process.stdout.write(`${JSON.stringify(runAllocationCheck(), null, 2)}\n`);
  process.exit(0);
}

// ---------------------------------------------------------------- 1. patient fits
/** The ranges of the pipeline's Hähnel fits (scripts/fit-validation.ts); they hold every patient's Table S1 value. */
const SPECS: ParameterSpec[] = [
  { name: 'pyx', lo: 1e-6, hi: 2, scale: 'log' },
  { name: 'pxy', lo: 1e-7, hi: 1, scale: 'log' },
  { name: 'e_tki', lo: 0.5, hi: 50, scale: 'log' },
  { name: 'Y_init', lo: 1e3, hi: 1.999e6, scale: 'log' },
];
const PROFILED = 'e_tki';
const METHODS = ['lm-forward', 'lm-fd', 'lm-fd-int', 'nm'] as const;
type Method = (typeof METHODS)[number];

interface LocalRun extends LocalResult {
  solves: number;
  iterations?: number;
  status: string;
}

/**
 * One local fit of `problem` at fixed sigma from natural x0, optionally with parameter `fixed` held at `value`
 * (profile refits): model-fit-run.ts's localFit, with leastSquares called directly (LSQ_DEFAULTS, as
 * model-fit-lsq.ts) to see its stopping status and iteration count.
 */
function benchLocalFit(
  problem: ModelFitProblem,
  method: Method,
  sigma: number,
  x0: Float64Array,
  fixed = -1,
  value = 0,
): LocalRun {
  const solves0 = problem.solves;
  const F = (x: ArrayLike<number>) => problem.fullNll(x, sigma).nll;
  if (method === 'nm') {
    const r = localFit(problem, 'nelder-mead', F, x0, sigma, fixed, value);
    return { ...r, solves: problem.solves - solves0, status: r.converged ? 'converged' : 'max-evaluations' };
  }
  let last: ReturnType<typeof leastSquares> | undefined;
  const solver: LsqSolver = (lsq, v0) => {
    last = leastSquares(lsq, v0, LSQ_DEFAULTS);
    return lsqResult(last);
  };
  const r = localFit(problem, 'lm', F, x0, sigma, fixed, value, {
    solver,
    jacobian: method !== 'lm-fd-int',
  });
  const ls = last as ReturnType<typeof leastSquares>;
  return {
    ...r,
    iterations: ls.iterations,
    solves: problem.solves - solves0,
    status: ls.status,
  };
}

interface MethodRow {
  patient: string;
  start: number;
  method: Method;
  ms: number;
  minMs: number;
  cpuMs: number;
  solves: number;
  evaluations: number;
  iterations?: number;
  nll: number;
  status: string;
  estimates: Record<string, number>;
}
interface ProfileRow {
  patient: string;
  method: Method;
  ms: number;
  cpuMs: number;
  solves: number;
  points: number;
  lower: number | null;
  upper: number | null;
  verdict: string;
  limitedBy?: { lower?: string[]; upper?: string[] };
}

const csv = readFileSync(DATA, 'utf8');
const allSeries = parseSeriesCsv(csv, {
  source: DATA,
  id: 'patient',
  time: 'month',
  value: 'bcr_abl_percent',
  censored: 'upper_limit_only',
});
for (const id of patientIds)
  if (!allSeries.some((s) => s.id === id))
    usage(`--patients: no patient '${id}' in ${DATA} (ids ${allSeries.map((s) => s.id).join(', ')})`);
const fitRows: MethodRow[] = [];
const profileRows: ProfileRow[] = [];
const patientInfo: Record<string, unknown>[] = [];
const tAll = performance.now();
for (const id of patientIds) {
  const series = allSeries.find((s) => s.id === id) as Series;
  const ref = loadReferenceModel('hahnel2020', { patient: Number(id) });
  const model = compileModel(tieParameters(ref.model, { X_init: 'pyx*Y_init/pxy' }));
  const pub = Float64Array.from(SPECS, (s) => ref.bindings.find((b) => b.id === s.name)?.value as number);
  const tStart = Math.min(0, series.observations[0].t);
  const base: Omit<ModelFitSetup, 'jacobian'> = {
    model,
    observable: 'bcr_abl_percent',
    parameters: SPECS,
    tStart,
  };
  const fwd = new ModelFitProblem({ ...base, jacobian: 'forward' }, [series]);
  const fd = new ModelFitProblem({ ...base, jacobian: 'finite-difference' }, [series]);
  if (fwd.jacobianMethod !== 'forward')
    throw new Error(`patient ${id}: forward sensitivities unavailable: ${fwd.jacobianNote}`);
  const atPub = fwd.fullNll(pub);
  const sigma = atPub.sigma;
  const design =
    starts > 1 ? latinHypercube(starts - 1, SPECS.length, 2020, 'multistart') : new Float64Array(0);
  const startPoints = Array.from({ length: starts }, (_, k) =>
    Float64Array.from(SPECS, (s, j) =>
      k === 0 ? defaultInitial(s) : fromUnit(s, 0.05 + 0.9 * design[(k - 1) * SPECS.length + j]),
    ),
  );
  patientInfo.push({
    patient: id,
    observations: series.observations.length,
    censored: fwd.censored,
    sigma,
    nllPublished: atPub.nll,
    published: Object.fromEntries(SPECS.map((s, j) => [s.name, pub[j]])),
    starts: startPoints.map((x) => Array.from(x)),
  });
  log(
    `patient ${id}: ${series.observations.length} points (${fwd.censored} censored), sigma ${fmt(sigma)} (ML at the published values, NLL ${fmt(atPub.nll, 7)})`,
  );
  // Warm-up (JIT of the solver, the sensitivity system and the residual code) outside the timed fits.
  {
    const w0 = fwd.toWorking(startPoints[0]);
    const J = new Float64Array(fwd.m * fwd.n);
    const r = new Float64Array(fwd.m);
    for (let k = 0; k < 3; k++) {
      fwd.jacobian(w0, sigma, J);
      fwd.residuals(w0, sigma, r);
      fd.jacobian(w0, sigma, J);
    }
  }
  const best = new Map<Method, LocalRun>();
  for (const [k, x0] of startPoints.entries())
    for (const method of METHODS) {
      const problem = method === 'lm-fd' ? fd : fwd;
      let solves = 0;
      const t = timed(
        () => {
          const s0 = problem.solves;
          const r = benchLocalFit(problem, method, sigma, x0);
          solves = problem.solves - s0;
          return r;
        },
        method === 'nm' ? Math.min(repeats, nmRepeats) : repeats,
      );
      const r = t.value;
      const prev = best.get(method);
      if (!prev || r.value < prev.value) best.set(method, r);
      fitRows.push({
        patient: id,
        start: k,
        method,
        ms: t.ms,
        minMs: t.minMs,
        cpuMs: t.cpuMs,
        solves,
        evaluations: r.evaluations,
        ...(r.iterations !== undefined ? { iterations: r.iterations } : {}),
        nll: r.value,
        status: r.status,
        estimates: Object.fromEntries(SPECS.map((s, j) => [s.name, r.x[j]])),
      });
      log(
        `  start ${k} ${method.padEnd(10)} ${fmt(t.ms / 1000, 3)} s  ${solves} solves  NLL ${fmt(r.value, 9)}  ${r.status}`,
      );
    }
  // Profile of e_tki from the best optimum over all methods (the same optimum for every refit method).
  const j = SPECS.findIndex((s) => s.name === PROFILED);
  const optimum = [...best.values()].reduce((a, b) => (b.value < a.value ? b : a));
  const refits: Method[] = quick ? ['lm-forward'] : ['lm-forward', 'lm-fd'];
  if (!quick && id === patientIds[0]) refits.push('nm');
  for (const method of refits) {
    const problem = method === 'lm-fd' ? fd : fwd;
    const s0 = problem.solves;
    const t = timed(
      () =>
        profileLikelihood(
          {
            specs: SPECS,
            nll: (x) => problem.fullNll(x, sigma).nll,
            refit: (jj, v, x0) => benchLocalFit(problem, method, sigma, x0, jj, v),
          },
          optimum.x,
          optimum.value,
          { parameters: [j] },
        )[0],
      1,
    );
    const p = t.value;
    const ms = t.ms;
    profileRows.push({
      patient: id,
      method,
      ms,
      cpuMs: t.cpuMs,
      solves: problem.solves - s0,
      points: p.points.length,
      lower: p.lower,
      upper: p.upper,
      verdict: p.verdict,
      ...(p.limitedBy ? { limitedBy: p.limitedBy } : {}),
    });
    log(
      `  profile ${PROFILED} (${method}): ${fmt(ms / 1000, 3)} s, ${problem.solves - s0} solves, ${p.points.length} points, [${fmt(p.lower)}, ${fmt(p.upper)}] ${p.verdict}`,
    );
  }
}
const fitSeconds = (performance.now() - tAll) / 1000;

// ---------------------------------------------------------------- 2a. sensitivities vs plain solves
interface SensRow {
  patient: string;
  rtol: number;
  k: number;
  sensMs: number;
  plainMs: number;
  ratioToKPlus1: number;
  ratioToCentralFd: number;
  /** The same from the fastest runs (less sensitive to other load). */
  ratioToKPlus1Min: number;
  /** The same from median CPU times. */
  ratioToKPlus1Cpu: number;
  method?: string;
  plainMethod?: string;
  plainSteps?: number;
  sensSteps?: number;
}
const sensRows: SensRow[] = [];
{
  const id = patientIds[0];
  const series = allSeries.find((s) => s.id === id) as Series;
  const ref = loadReferenceModel('hahnel2020', { patient: Number(id) });
  const model = compileModel(tieParameters(ref.model, { X_init: 'pyx*Y_init/pxy' }));
  const tStart = Math.min(0, series.observations[0].t);
  const times = Float64Array.from(new Set(series.observations.map((o) => o.t)));
  times.sort();
  const params: Record<string, number> = {};
  for (const b of ref.bindings) if (typeof b.value === 'number') params[b.id] = b.value;
  const wrt = SPECS.map((s) => s.name);
  const k = wrt.length;
  for (const [rtol, atol] of [
    [1e-8, 1e-10],
    [1e-6, 1e-8],
  ] as const) {
    const sys = prepareSensitivities(model, { wrt, observables: ['bcr_abl_percent'], rtol, atol });
    const nRep = quick ? 9 : 25;
    const plainRun = () =>
      simulateModel(model, { tStart, tEnd: times[times.length - 1], saveat: times, params, rtol, atol });
    for (let k = 0; k < 3; k++) {
      sys.run(params, times, tStart); // warm-up
      plainRun();
    }
    // Interleaved, so that both see the same load from other processes.
    const sensT: number[] = [];
    const plainT: number[] = [];
    let sensRun!: ReturnType<typeof sys.run>;
    let plainTc!: ReturnType<typeof plainRun>;
    const sensC: number[] = [];
    const plainC: number[] = [];
    const cpuSince = (c0: NodeJS.CpuUsage) => {
      const c = process.cpuUsage(c0);
      return (c.user + c.system) / 1000;
    };
    for (let k = 0; k < nRep; k++) {
      let c0 = process.cpuUsage();
      let t0 = performance.now();
      sensRun = sys.run(params, times, tStart);
      sensT.push(performance.now() - t0);
      sensC.push(cpuSince(c0));
      c0 = process.cpuUsage();
      t0 = performance.now();
      plainTc = plainRun();
      plainT.push(performance.now() - t0);
      plainC.push(cpuSince(c0));
    }
    const sens = { value: sensRun, ms: median(sensT), minMs: Math.min(...sensT), cpuMs: median(sensC) };
    const plain = { value: plainTc, ms: median(plainT), minMs: Math.min(...plainT), cpuMs: median(plainC) };
    if (sens.value.retcode !== 'Success' || plain.value.retcode !== 'Success')
      throw new Error(
        `sensitivity micro-benchmark: solve failed (${sens.value.retcode}, ${plain.value.retcode})`,
      );
    sensRows.push({
      patient: id,
      rtol,
      k,
      sensMs: sens.ms,
      plainMs: plain.ms,
      ratioToKPlus1: sens.ms / ((k + 1) * plain.ms),
      ratioToCentralFd: sens.ms / ((2 * k + 1) * plain.ms),
      ratioToKPlus1Min: sens.minMs / ((k + 1) * plain.minMs),
      ratioToKPlus1Cpu: sens.cpuMs / ((k + 1) * plain.cpuMs),
      ...(sens.value.method ? { method: sens.value.method } : {}),
      ...(sens.value.stats ? { sensSteps: sens.value.stats.steps } : {}),
      ...(plain.value.method ? { plainMethod: plain.value.method } : {}),
      ...(plain.value.stats ? { plainSteps: plain.value.stats.steps } : {}),
    });
  }
}

// ---------------------------------------------------------------- 2b. leastSquares timing on NIST Thurber
const lsqBench = (() => {
  const clock = { ms: 0 };
  const prob = thurber(clock);
  const check = leastSquares(prob, THURBER_START, TIGHT);
  let relErr = 0;
  for (let j = 0; j < 7; j++)
    relErr = Math.max(relErr, Math.abs(check.x[j] - THURBER_CERT[j]) / Math.abs(THURBER_CERT[j]));
  const rssErr = Math.abs(2 * check.cost - THURBER_RSS) / THURBER_RSS;
  // Timing: many calls; overhead = time outside the residual/Jacobian callbacks.
  const calls = quick ? 300 : 2000;
  for (let k = 0; k < 100; k++) leastSquares(prob, THURBER_START, TIGHT); // warm-up (JIT)
  clock.ms = 0;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let iters = 0;
  let evals = 0;
  for (let k = 0; k < calls; k++) {
    const r = leastSquares(prob, THURBER_START, TIGHT);
    iters += r.iterations;
    evals += r.evaluations + r.jacobianEvaluations;
  }
  const total = performance.now() - t0;
  const cu = process.cpuUsage(c0);
  const cpuTotal = (cu.user + cu.system) / 1000;
  return {
    problem: 'NIST StRD Thurber, start 1 (m = 37, n = 7)',
    maxRelErrorVsCertified: relErr,
    rssRelError: rssErr,
    iterationsPerSolve: iters / calls,
    evaluationsPerSolve: evals / calls,
    usPerSolve: (1000 * total) / calls,
    usCallbacksPerSolve: (1000 * clock.ms) / calls,
    usOverheadPerIteration: (1000 * (total - clock.ms)) / iters,
    usCpuPerSolve: (1000 * cpuTotal) / calls,
  };
})();

const allocation = runAllocationCheck();

// ---------------------------------------------------------------- report
const out: string[] = [];
out.push(
  `Fitting benchmark: hahnel2020, patients ${patientIds.join(', ')}; ${starts} start(s); median of ${repeats} repeat(s) (nm: ${Math.min(repeats, nmRepeats)}); sigma fixed at its ML value at the published parameters`,
  '',
);
out.push(
  table(
    ['patient', 'start', 'method', 'wall s', 'cpu s', 'solves', 'evals', 'iter', 'NLL', 'dNLL', 'status'],
    fitRows.map((r) => {
      const bestNll = Math.min(...fitRows.filter((q) => q.patient === r.patient).map((q) => q.nll));
      return [
        r.patient,
        String(r.start),
        r.method,
        fmt(r.ms / 1000, 3),
        fmt(r.cpuMs / 1000, 3),
        String(r.solves),
        String(r.evaluations),
        r.iterations !== undefined ? String(r.iterations) : '-',
        fmt(r.nll, 9),
        (r.nll - bestNll).toExponential(1),
        r.status,
      ];
    }),
  ),
  '',
  `Profile likelihood of ${PROFILED} (95 %):`,
  table(
    ['patient', 'refit', 'wall s', 'cpu s', 'solves', 'points', 'lower', 'upper', 'verdict', 'limited by'],
    profileRows.map((r) => [
      r.patient,
      r.method,
      fmt(r.ms / 1000, 3),
      fmt(r.cpuMs / 1000, 3),
      String(r.solves),
      String(r.points),
      fmt(r.lower),
      fmt(r.upper),
      r.verdict,
      r.limitedBy
        ? Object.entries(r.limitedBy)
            .map(([side, names]) => `${side}: ${(names as string[]).join(',')}`)
            .join('; ')
        : '-',
    ]),
  ),
  '',
  'One forward-sensitivity run vs plain solves (data times, k fitted parameters):',
  table(
    [
      'patient',
      'rtol',
      'k',
      'sens ms',
      'steps',
      'plain ms',
      'steps',
      'sens/(k+1) plain',
      '(fastest runs)',
      '(cpu)',
      'sens/(2k+1) plain',
    ],
    sensRows.map((r) => [
      r.patient,
      String(r.rtol),
      String(r.k),
      fmt(r.sensMs, 3),
      String(r.sensSteps ?? '-'),
      fmt(r.plainMs, 3),
      String(r.plainSteps ?? '-'),
      fmt(r.ratioToKPlus1, 3),
      fmt(r.ratioToKPlus1Min, 3),
      fmt(r.ratioToKPlus1Cpu, 3),
      fmt(r.ratioToCentralFd, 3),
    ]),
  ),
  '',
  `leastSquares on ${lsqBench.problem}: max rel. error vs certified ${lsqBench.maxRelErrorVsCertified.toExponential(1)}, ` +
    `${fmt(lsqBench.iterationsPerSolve, 3)} iterations per solve, ${fmt(lsqBench.usPerSolve, 3)} us per solve ` +
    `(cpu ${fmt(lsqBench.usCpuPerSolve, 3)} us; ${fmt(lsqBench.usCallbacksPerSolve, 3)} us in callbacks), overhead ${fmt(lsqBench.usOverheadPerIteration, 3)} us per iteration.`,
  `leastSquares allocation (heapUsed, ${allocation.iterations} iterations; callbacks allocate nothing): ` +
    `${fmt(allocation.bytesPerIteration as number, 3)} bytes per iteration with the analytic Jacobian ` +
    `(median of 5 pairs of capped batches; range ${fmt(allocation.bytesPerIterationMin as number, 3)}..${fmt(allocation.bytesPerIterationMax as number, 3)}), ` +
    `${fmt(allocation.bytesPerIterationFd as number, 3)} with forward differences ` +
    `(${fmt(allocation.bytesPerIterationFdMin as number, 3)}..${fmt(allocation.bytesPerIterationFdMax as number, 3)}): ` +
    `${(allocation.bytesPerIteration as number) < 1 && (allocation.bytesPerIterationFd as number) < 1 ? 'no allocation in the iteration' : 'THE ITERATION ALLOCATES'}; ` +
    `per solve ${fmt(allocation.bytesPerSolveSetup as number, 4)} bytes for setup and result, ` +
    `${fmt(allocation.bytesPerSolveSetupWorkspace as number, 4)} with a reused workspace (the result alone)`,
);
process.stdout.write(`${out.join('\n')}\n`);

const result = {
  bench: 'fit',
  date: new Date().toISOString(),
  node: process.version,
  options: { patients: patientIds, quick, starts, repeats },
  data: DATA,
  parameters: SPECS,
  tie: 'X_init = pyx*Y_init/pxy',
  lsqOptions: LSQ_DEFAULTS,
  patients: patientInfo,
  fits: fitRows,
  profiles: profileRows,
  fitSeconds,
  sensitivity: sensRows,
  leastSquares: { ...lsqBench, allocation },
};
const json = `${JSON.stringify(result, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`;
const outDir = join(HERE, 'out');
mkdirSync(outDir, { recursive: true });
const file =
  typeof flags.out === 'string' ? flags.out : join(outDir, `fit-${result.date.replace(/[:.]/g, '-')}.json`);
writeFileAtomic(file, json);
if (typeof flags.out !== 'string') writeFileAtomic(join(outDir, 'fit-latest.json'), json);
log(`wrote ${file}`);
