/**
 * Cross-checks behind the benchmark (`npx tsx bench/check.ts`, or `npm run bench -- --check`):
 *  1. the C and Python copies of each stiff problem compute the same f and Jacobian as the TypeScript one, at
 *     random states (so the comparators solve the same problems as exoniche);
 *  2. CVODE at tight tolerances converges to the published reference values (so the problem definitions and
 *     the references belong together).
 */
import { fileURLToPath } from 'node:url';
import { getProblem, type TestProblem } from '../test/problems/index.js';
import {
  COMPARATOR_PROBLEMS,
  checkScipy,
  ensureCvode,
  evalCvode,
  evalScipy,
  runCvode,
} from './comparators.js';

export interface CheckResult {
  ok: boolean;
  definitions: { problem: string; against: string; maxRelDiff: number; ok: boolean }[];
  references: { problem: string; rtol: number; error: number }[];
  referenceOk: boolean;
}

/** Largest difference relative to the size of the terms involved. */
function compare(p: TestProblem, y: Float64Array, t: number, other: { f: number[]; jac: number[] }): number {
  const n = p.n;
  const f = new Float64Array(n);
  const J = new Float64Array(n * n);
  p.f(t, y, f);
  p.jac(t, y, J);
  let worst = 0;
  for (let i = 0; i < n; i++) {
    let scale = Math.abs(f[i]);
    let rowMax = 0;
    for (let j = 0; j < n; j++) {
      scale += Math.abs(J[i * n + j] * y[j]);
      rowMax = Math.max(rowMax, Math.abs(J[i * n + j]));
    }
    worst = Math.max(worst, Math.abs(f[i] - other.f[i]) / (scale || 1));
    for (let j = 0; j < n; j++) {
      worst = Math.max(worst, Math.abs(J[i * n + j] - other.jac[i * n + j]) / (rowMax || 1));
    }
  }
  return worst;
}

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a * 1664525 + 1013904223) >>> 0;
    return a / 4294967296;
  };
}

/** Tolerance for the definition cross-check: the copies differ only by summation order. */
const DEFINITION_TOL = 1e-12;
/** CVODE at rtol 1e-12 must reproduce the reference to this mixed error. */
const REFERENCE_TOL = 1e-7;

export function runChecks(opts: { cvode: boolean; scipy: boolean; log: (s: string) => void }): CheckResult {
  const { log } = opts;
  const res: CheckResult = { ok: true, definitions: [], references: [], referenceOk: true };
  const rand = rng(2024);
  log(
    '\n=== check 1: C and Python problem definitions match the TypeScript ones (f and J at random states) ===',
  );
  for (const name of COMPARATOR_PROBLEMS) {
    const p = getProblem(name);
    for (const [against, enabled, evaluate] of [
      ['CVODE driver (C)', opts.cvode, evalCvode],
      ['SciPy driver (Python)', opts.scipy, evalScipy],
    ] as const) {
      if (!enabled) continue;
      let worst = 0;
      for (let trial = 0; trial < 3; trial++) {
        const y = new Float64Array(p.n);
        for (let i = 0; i < p.n; i++) {
          const s = Math.max(Math.abs(p.y0[i]), Math.abs(p.reference.y[i]), 1e-6);
          y[i] = s * (0.5 + rand()) * (p.reference.y[i] < 0 ? -1 : 1);
        }
        const t = rand() * p.tspan[1];
        worst = Math.max(worst, compare(p, y, t, evaluate(p, t, y)));
      }
      const ok = worst <= DEFINITION_TOL;
      res.definitions.push({ problem: name, against, maxRelDiff: worst, ok });
      if (!ok) res.ok = false;
      log(
        `${name.padEnd(10)} vs ${against.padEnd(22)} max rel diff ${worst.toExponential(2)}  ${ok ? 'ok' : 'MISMATCH'}`,
      );
    }
  }
  if (opts.cvode) {
    log('\n=== check 2: CVODE at tight tolerances vs the published references (mixed error) ===');
    const rtols = [1e-8, 1e-10, 1e-12];
    for (const name of COMPARATOR_PROBLEMS) {
      const p = getProblem(name);
      const pts = runCvode(p, rtols, { budgetMs: 0, minRepeats: 1 });
      const errs = pts.map((q) => q.error);
      for (const q of pts) res.references.push({ problem: name, rtol: q.rtol, error: q.error });
      const tight = errs[errs.length - 1];
      const ok = tight <= REFERENCE_TOL;
      if (!ok) res.referenceOk = res.ok = false;
      log(
        `${name.padEnd(10)} ${pts.map((q) => `rtol ${q.rtol.toExponential(0)}: ${q.ok ? q.error.toExponential(2) : 'FAIL'}`).join('   ')}  ${ok ? 'ok' : 'DISAGREES'}`,
      );
    }
  }
  return res;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const cv = ensureCvode();
  if (!cv.ok) console.log(`skipping CVODE: ${cv.reason}`);
  const sp = checkScipy();
  if (!sp.ok) console.log(`skipping SciPy: ${sp.reason}`);
  const r = runChecks({ cvode: cv.ok, scipy: sp.ok, log: console.log });
  console.log(r.ok ? '\nall checks passed' : '\nSOME CHECKS FAILED');
  process.exitCode = r.ok ? 0 : 1;
}
