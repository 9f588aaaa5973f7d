/**
 * `npm run bench [-- options]`: work-precision benchmark of exoniche's ODE methods against SUNDIALS CVODE
 * (BDF, dense, analytic Jacobian) and SciPy solve_ivp (LSODA, BDF, Radau, analytic Jacobians) on the standard
 * stiff test problems of test/problems/. See bench/README.md for the method and how to read the output.
 *
 * Options:
 *   --problem a,b      problems (default: rober,vdpol,orego,hires,pollution; analytic ones can be named too)
 *   --method a,b       exoniche methods by registry name (default: every implicit method in the registry);
 *                      `ros2-test` is a simple built-in Rosenbrock method for checking the harness itself
 *   --rtols a,b        relative tolerances (default 1e-3 .. 1e-10)
 *   --quick            rtols 1e-4,1e-6,1e-8, 50 ms per cell, SciPy BDF only
 *   --budget ms        time spent repeating each cell (default 200); --min-repeats n (default 3)
 *   --scipy-methods a,b  (default LSODA,BDF,Radau); --no-cvode; --no-scipy
 *   --no-isolate       run exoniche in this process (default: each problem/method series in a fresh process)
 *   --check            first cross-check the problem definitions (TS vs C vs Python) and CVODE vs references
 *   --out file         JSON output (default bench/out/bench-<time>.json, plus bench/out/latest.json)
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getMethod, METHOD_NAMES } from '../src/numerics/ode/methods.js';
import type { OdeMethod } from '../src/numerics/ode/stepper.js';
import { getProblem, STIFF_PROBLEMS, type TestProblem } from '../test/problems/index.js';
import { runChecks } from './check.js';
import { COMPARATOR_PROBLEMS, checkScipy, ensureCvode, runCvode, runScipy } from './comparators.js';
import { ROS2_TEST_METHOD } from './ros2-test-method.js';
import {
  formatRatios,
  formatTable,
  type MatchedRatio,
  matchedRatios,
  runExoniche,
  type TimingOptions,
  timeAtError,
  type WorkPoint,
} from './work-precision.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const DEFAULT_RTOLS = [1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-9, 1e-10];
const QUICK_RTOLS = [1e-4, 1e-6, 1e-8];
const TEST_METHOD_NAMES = ['ros2-test', 'trivial'];

interface Args {
  problems: TestProblem[];
  methods?: string[];
  rtols: number[];
  timing: TimingOptions;
  scipyMethods: string[];
  cvode: boolean;
  scipy: boolean;
  check: boolean;
  isolate: boolean;
  out?: string;
}

function parseArgs(argv: string[]): Args {
  const get = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    if (i < 0) return undefined;
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new Error(`${name} needs a value`);
    return v;
  };
  const known = new Set([
    '--problem',
    '--method',
    '--rtols',
    '--quick',
    '--budget',
    '--min-repeats',
    '--scipy-methods',
    '--no-cvode',
    '--no-scipy',
    '--check',
    '--out',
  ]);
  for (const a of argv) if (a.startsWith('--') && !known.has(a)) throw new Error(`unknown option ${a}`);
  const quick = argv.includes('--quick');
  const list = (v: string | undefined) =>
    v
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  const problems = (list(get('--problem')) ?? STIFF_PROBLEMS.map((p) => p.name)).map(getProblem);
  return {
    problems,
    methods: list(get('--method')),
    rtols: list(get('--rtols'))?.map(Number) ?? (quick ? QUICK_RTOLS : DEFAULT_RTOLS),
    timing: {
      budgetMs: Number(get('--budget') ?? (quick ? 50 : 200)),
      minRepeats: Number(get('--min-repeats') ?? 3),
    },
    scipyMethods: list(get('--scipy-methods')) ?? (quick ? ['BDF'] : ['LSODA', 'BDF', 'Radau']),
    cvode: !argv.includes('--no-cvode'),
    scipy: !argv.includes('--no-scipy'),
    check: argv.includes('--check'),
    isolate: !argv.includes('--no-isolate'),
    out: get('--out'),
  };
}

function resolveMethod(name: string): string | OdeMethod {
  if (TEST_METHOD_NAMES.includes(name.toLowerCase())) return ROS2_TEST_METHOD;
  getMethod(name); // throws with the list of known names
  return name;
}

/** One exoniche series in a fresh Node process (bench/exo-worker.ts), so JIT state does not leak between series. */
function runIsolated(
  p: TestProblem,
  method: string,
  rtols: readonly number[],
  timing: TimingOptions,
): WorkPoint[] {
  const args = ['--import', 'tsx', join(HERE, 'exo-worker.ts'), p.name, method, String(timing.budgetMs)];
  const r = spawnSync(process.execPath, [...args, String(timing.minRepeats), ...rtols.map(String)], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
    cwd: join(HERE, '..'), // where `tsx` resolves
  });
  if (r.status !== 0) throw new Error(`exo-worker failed for ${p.name}/${method}:\n${r.stderr}`);
  return r.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => {
      const q = JSON.parse(l) as WorkPoint;
      // JSON has no NaN: failed points come back with null error.
      return {
        ...q,
        error: q.error ?? Number.NaN,
        digits: q.digits ?? Number.NaN,
        wallMs: q.wallMs ?? Number.NaN,
      };
    });
}

function defaultMethods(p: TestProblem): string[] {
  return METHOD_NAMES.filter((m) => !p.stiff || getMethod(m).implicit);
}

interface Headline {
  problem: string;
  rtol: number;
  method: string;
  error: number;
  wallMs: number;
  cvodeSameRtolMs?: number;
  cvodeMatchedMs?: number;
  vsCvode?: number;
  scipyBdfMatchedMs?: number;
  scipyBdfSameRtolMs?: number;
  speedupVsScipyBdf?: number;
}

function headline(
  problem: string,
  mine: WorkPoint[],
  cvode: WorkPoint[],
  scipyBdf: WorkPoint[],
): Headline | undefined {
  const rtol = 1e-6;
  const at = mine.filter((q) => q.ok && q.rtol === rtol);
  if (at.length === 0) return undefined;
  const cSame = cvode.find((q) => q.ok && q.rtol === rtol)?.wallMs;
  const sSame = scipyBdf.find((q) => q.ok && q.rtol === rtol)?.wallMs;
  const rows = at.map((q): Headline => {
    const cm = timeAtError(cvode, q.error);
    const sm = timeAtError(scipyBdf, q.error);
    const cRef = cm ?? cSame;
    const sRef = sm ?? sSame;
    return {
      problem,
      rtol,
      method: q.method,
      error: q.error,
      wallMs: q.wallMs,
      cvodeSameRtolMs: cSame,
      cvodeMatchedMs: cm,
      vsCvode: cRef === undefined ? undefined : q.wallMs / cRef,
      scipyBdfMatchedMs: sm,
      scipyBdfSameRtolMs: sSame,
      speedupVsScipyBdf: sRef === undefined ? undefined : sRef / q.wallMs,
    };
  });
  rows.sort((a, b) => (a.vsCvode ?? a.wallMs) - (b.vsCvode ?? b.wallMs));
  return rows[0];
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  const { timing, rtols } = args;
  console.log(
    `exoniche work-precision benchmark: rtols ${rtols.map((r) => r.toExponential(0)).join(' ')}; ` +
      `atol = atolPerRtol * rtol; error = max_i |y_i - ref_i| / (atolPerRtol + |ref_i|); ` +
      `${timing.budgetMs} ms and >= ${timing.minRepeats} runs per cell, median wall time`,
  );
  if (METHOD_NAMES.length === 0 && !args.methods) {
    console.log('note: the exoniche method registry is empty; only comparators run (try --method ros2-test)');
  }

  let cvodeOk = false;
  if (args.cvode) {
    const a = ensureCvode();
    cvodeOk = a.ok;
    if (!a.ok) console.log(`skipping CVODE: ${a.reason}`);
  }
  let scipyOk = false;
  if (args.scipy) {
    const a = checkScipy();
    scipyOk = a.ok;
    if (!a.ok) console.log(`skipping SciPy: ${a.reason}`);
    else console.log(`SciPy ${a.reason} (${args.scipyMethods.join(', ')})`);
  }

  const checks = args.check ? runChecks({ cvode: cvodeOk, scipy: scipyOk, log: console.log }) : undefined;

  const all: WorkPoint[] = [];
  const ratios: MatchedRatio[] = [];
  const headlines: Headline[] = [];
  for (const p of args.problems) {
    console.log(
      `\n=== ${p.title} [${p.name}], n = ${p.n}, t in [${p.tspan[0]}, ${p.tspan[1]}], atolPerRtol = ${p.atolPerRtol} ===`,
    );
    console.log(`reference: ${p.reference.source}`);
    const names = args.methods ?? defaultMethods(p);
    const mine: WorkPoint[] = [];
    for (const name of names) {
      const m = resolveMethod(name);
      if (args.isolate) mine.push(...runIsolated(p, name, rtols, timing));
      else for (const rtol of rtols) mine.push(runExoniche(p, m, rtol, timing));
    }
    const comparable = COMPARATOR_PROBLEMS.includes(p.name);
    const cvode = cvodeOk && comparable ? runCvode(p, rtols, timing) : [];
    const scipy: Record<string, WorkPoint[]> = {};
    if (scipyOk && comparable) for (const m of args.scipyMethods) scipy[m] = runScipy(p, m, rtols, timing);
    const pts = [...mine, ...cvode, ...Object.values(scipy).flat()];
    all.push(...pts);
    console.log(formatTable(pts));
    if (mine.length > 0) {
      const rs: MatchedRatio[] = [];
      if (cvode.length) rs.push(...matchedRatios(mine, cvode, 'CVODE BDF'));
      for (const [m, ps] of Object.entries(scipy)) rs.push(...matchedRatios(mine, ps, `SciPy ${m}`));
      if (rs.length) {
        console.log(
          '\nexoniche time / comparator time at matched error (log-log interpolation between comparator points):',
        );
        console.log(formatRatios(rs));
        ratios.push(...rs);
      }
      if (p.name === 'hires' || p.name === 'pollution') {
        const h = headline(p.name, mine, cvode, scipy.BDF ?? []);
        if (h) headlines.push(h);
      }
    }
  }

  if (headlines.length) {
    console.log(
      '\n=== headline: best exoniche stiff method at rtol 1e-6 (goals: <= 1.5x CVODE, >= 10x faster than SciPy BDF) ===',
    );
    for (const h of headlines) {
      const c =
        h.vsCvode === undefined
          ? 'n/a'
          : `${h.vsCvode.toFixed(2)}x CVODE${h.cvodeMatchedMs === undefined ? ' (same rtol)' : ' (matched error)'}`;
      const s =
        h.speedupVsScipyBdf === undefined
          ? 'n/a'
          : `speed-up vs SciPy BDF ${h.speedupVsScipyBdf.toFixed(1)}x${h.scipyBdfMatchedMs === undefined ? ' (same rtol)' : ' (matched error)'}`;
      console.log(
        `${h.problem}: ${h.method} ${h.wallMs.toPrecision(3)} ms, error ${h.error.toExponential(2)}: ${c}; ${s}`,
      );
    }
  }

  const outDir = join(HERE, 'out');
  mkdirSync(outDir, { recursive: true });
  const result = {
    date: new Date().toISOString(),
    node: process.version,
    args: process.argv.slice(2),
    rtols,
    timing,
    errorMeasure: 'max_i |y_i - ref_i| / (atolPerRtol + |ref_i|)',
    points: all,
    ratios,
    headlines,
    checks,
  };
  const file = args.out ?? join(outDir, `bench-${result.date.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 1)}\n`);
  writeFileSync(join(outDir, 'latest.json'), `${JSON.stringify(result, null, 1)}\n`);
  console.log(`\nwrote ${file}`);
  if (checks && !checks.ok) process.exitCode = 1;
}

main();
