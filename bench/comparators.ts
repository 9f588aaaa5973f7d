/**
 * External comparators: SUNDIALS CVODE (C driver in bench/cvode/, built at bench time into bench/build/) and
 * SciPy's solve_ivp (bench/scipy/driver.py, run with Debian's /usr/bin/python3). Each is skipped with a
 * message when it is not installed. Timing happens inside the comparator's own process (see the drivers).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProblem } from '../test/problems/index.js';
import { scorePoint, type TimingOptions, type WorkPoint } from './work-precision.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const BUILD = join(HERE, 'build');
const CVODE_BIN = join(BUILD, 'cvode-driver');
const CVODE_SRC = [join(HERE, 'cvode', 'driver.c'), join(HERE, 'cvode', 'problems.h')];
const SCIPY_DRIVER = join(HERE, 'scipy', 'driver.py');

/** Problems the C and Python drivers implement. */
export const COMPARATOR_PROBLEMS = ['rober', 'vdpol', 'orego', 'hires', 'pollution'];

export interface Availability {
  ok: boolean;
  reason: string;
}

/** Build the CVODE driver if needed (gcc -O2). Returns why it is unavailable otherwise. */
export function ensureCvode(): Availability {
  const fresh =
    existsSync(CVODE_BIN) && CVODE_SRC.every((s) => statSync(s).mtimeMs <= statSync(CVODE_BIN).mtimeMs);
  if (fresh) return { ok: true, reason: '' };
  if (!existsSync('/usr/include/cvode/cvode.h') && !existsSync('/usr/local/include/cvode/cvode.h')) {
    return { ok: false, reason: 'SUNDIALS headers not found (apt-get install -y libsundials-dev)' };
  }
  const r = spawnSync('sh', [join(HERE, 'cvode', 'build.sh')], { encoding: 'utf8' });
  if (r.status !== 0)
    return { ok: false, reason: `building the CVODE driver failed:\n${r.stderr || r.error}` };
  return { ok: true, reason: '' };
}

export const PYTHON = '/usr/bin/python3';

export function checkScipy(): Availability {
  if (!existsSync(PYTHON)) return { ok: false, reason: `${PYTHON} not found` };
  const r = spawnSync(PYTHON, ['-c', 'import scipy, numpy; print(scipy.__version__)'], { encoding: 'utf8' });
  if (r.status !== 0)
    return {
      ok: false,
      reason: 'scipy not importable by /usr/bin/python3 (apt-get install -y python3-scipy)',
    };
  return { ok: true, reason: r.stdout.trim() };
}

interface RawPoint {
  solver: string;
  method: string;
  rtol: number;
  atol: number;
  ok: boolean;
  message?: string;
  flag?: number;
  y: number[];
  steps: number;
  fevals: number;
  jevals: number;
  lu: number;
  wallMs: number;
  minMs?: number;
  repeats: number;
}

function parseLines(p: TestProblem, out: string): WorkPoint[] {
  return out
    .split('\n')
    .filter((l) => l.trim().startsWith('{'))
    .map((l) => {
      const r = JSON.parse(l) as RawPoint;
      return scorePoint(p, {
        solver: r.solver,
        method: r.method,
        problem: p.name,
        rtol: r.rtol,
        atol: r.atol,
        ok: r.ok,
        message: r.ok ? undefined : (r.message ?? `flag ${r.flag}`),
        steps: r.steps,
        fevals: r.fevals,
        jevals: r.jevals,
        lu: r.lu,
        wallMs: r.wallMs,
        minMs: r.minMs,
        repeats: r.repeats,
        y: r.y,
      });
    });
}

export function runCvode(p: TestProblem, rtols: readonly number[], timing: TimingOptions): WorkPoint[] {
  const args = ['solve', p.name, String(p.atolPerRtol), String(timing.budgetMs), String(timing.minRepeats)];
  const out = execFileSync(CVODE_BIN, [...args, ...rtols.map(String)], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  return parseLines(p, out);
}

export function runScipy(
  p: TestProblem,
  method: string,
  rtols: readonly number[],
  timing: TimingOptions,
): WorkPoint[] {
  const args = [
    SCIPY_DRIVER,
    'solve',
    p.name,
    method,
    String(p.atolPerRtol),
    String(timing.budgetMs),
    String(timing.minRepeats),
  ];
  const r = spawnSync(PYTHON, [...args, ...rtols.map(String)], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`scipy driver failed: ${r.stderr}`);
  return parseLines(p, r.stdout);
}

/** f and J of a problem as the C or Python driver computes them (definition cross-check). */
export function evalCvode(p: TestProblem, t: number, y: ArrayLike<number>): { f: number[]; jac: number[] } {
  const out = execFileSync(
    CVODE_BIN,
    ['eval', p.name, String(t), ...Array.from(y, (v) => v.toPrecision(17))],
    {
      encoding: 'utf8',
    },
  );
  return JSON.parse(out);
}

export function evalScipy(p: TestProblem, t: number, y: ArrayLike<number>): { f: number[]; jac: number[] } {
  const out = execFileSync(
    PYTHON,
    [SCIPY_DRIVER, 'eval', p.name, String(t), ...Array.from(y, (v) => v.toPrecision(17))],
    {
      encoding: 'utf8',
    },
  );
  return JSON.parse(out);
}
