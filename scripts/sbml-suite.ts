/**
 * SBML Test Suite conformance runner (semantic time-course cases).
 *
 *   npm run sbml-suite -- [--cases DIR] [--tags T1,T2] [--case N[,M...]] [--jobs N] [--json FILE]
 *                         [--timeout SECONDS] [--method NAME] [--rtol R] [--atol A] [--verbose]
 *
 * Default DIR: test/fixtures/sbml-test-suite/semantic (the vendored suite). `--tags` keeps cases that
 * carry any of the listed component or test tags. Cases run in `--jobs` child processes (default 2), each
 * case under a wall-clock limit (default 120 s; a case over it is failed with reason "timeout" and its
 * worker replaced). Prints pass/fail/refused by component tag and by test tag, the refusal and failure
 * reasons counted by feature, and writes a JSON summary (default $TMPDIR/exoniche-sbml-suite.json).
 */
import { type ChildProcess, fork } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type CaseResult,
  listCases,
  parseTags,
  type RunCaseOptions,
  runSuiteCase,
} from '../src/io/sbml/suite.js';

const self = fileURLToPath(import.meta.url);

/** Solver options passed through to every case (default: simulateModel's auto method, rtol 1e-10, atol 1e-14). */
function caseOptions(): RunCaseOptions {
  const method = arg('--method');
  const rtol = arg('--rtol');
  const atol = arg('--atol');
  return {
    ...(method ? { method } : {}),
    ...(rtol ? { rtol: Number(rtol) } : {}),
    ...(atol ? { atol: Number(atol) } : {}),
  };
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const root = resolve(
    arg('--cases') ?? resolve(import.meta.dirname, '../test/fixtures/sbml-test-suite/semantic'),
  );
  const jobs = Math.max(1, Number(arg('--jobs') ?? 2));
  const timeout = Number(arg('--timeout') ?? 120) * 1000;
  const jsonOut = arg('--json') ?? join(tmpdir(), 'exoniche-sbml-suite.json');
  const verbose = process.argv.includes('--verbose');
  let ids = listCases(root);
  if (ids.length === 0) {
    console.error(`sbml-suite: no cases under ${root}`);
    process.exit(2);
  }
  const caseArg = arg('--case');
  if (caseArg) {
    const want = new Set(caseArg.split(',').map((s) => s.trim().padStart(5, '0')));
    ids = ids.filter((id) => want.has(id));
  }
  const tagArg = arg('--tags');
  if (tagArg) {
    const want = tagArg.split(',').map((s) => s.trim());
    ids = ids.filter((id) => {
      const t = parseTags(readFileSync(resolve(root, id, `${id}-model.m`), 'utf8'));
      return [...t.componentTags, ...t.testTags].some((x) => want.includes(x));
    });
  }
  const t0 = performance.now();
  const results = await runAll(root, ids, jobs, timeout, (r) => {
    if (verbose || r.status === 'failed')
      console.log(
        `${r.id} ${r.status}${r.reason ? ` [${r.reason}]` : ''}${r.message ? `: ${r.message.slice(0, 300)}` : ''}`,
      );
  });
  const seconds = (performance.now() - t0) / 1000;
  report(results, seconds, root, jsonOut);
}

function runAll(
  root: string,
  ids: readonly string[],
  jobs: number,
  timeout: number,
  onResult: (r: CaseResult) => void,
): Promise<CaseResult[]> {
  return new Promise((done) => {
    const results: CaseResult[] = [];
    let next = 0;
    let active = 0;
    const start = (): void => {
      if (next >= ids.length) {
        if (active === 0) done(results.sort((a, b) => a.id.localeCompare(b.id)));
        return;
      }
      active++;
      const child: ChildProcess = fork(self, ['--worker', root, ...passThrough()], {
        stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      });
      let current: string | undefined;
      let timer: NodeJS.Timeout | undefined;
      const feed = (): void => {
        if (next >= ids.length) {
          current = undefined;
          child.kill();
          return;
        }
        current = ids[next++];
        const id = current;
        const t = performance.now();
        timer = setTimeout(() => {
          const r: CaseResult = {
            id,
            status: 'failed',
            reason: 'timeout',
            message: `no result within ${timeout / 1000} s`,
            componentTags: [],
            testTags: [],
            ms: Math.round(performance.now() - t),
          };
          try {
            const tags = parseTags(readFileSync(resolve(root, id, `${id}-model.m`), 'utf8'));
            Object.assign(r, { componentTags: tags.componentTags, testTags: tags.testTags });
          } catch {}
          results.push(r);
          onResult(r);
          current = undefined;
          child.kill('SIGKILL');
        }, timeout);
        child.send(id);
      };
      child.on('message', (r: CaseResult) => {
        clearTimeout(timer);
        results.push(r);
        onResult(r);
        feed();
      });
      child.on('exit', () => {
        clearTimeout(timer);
        if (current !== undefined) {
          const r: CaseResult = {
            id: current,
            status: 'failed',
            reason: 'crash',
            message: 'worker exited',
            componentTags: [],
            testTags: [],
            ms: 0,
          };
          results.push(r);
          onResult(r);
        }
        active--;
        start();
      });
      feed();
    };
    for (let k = 0; k < Math.min(jobs, ids.length); k++) start();
  });
}

/** Solver flags forwarded to the workers. */
function passThrough(): string[] {
  const out: string[] = [];
  for (const f of ['--method', '--rtol', '--atol']) {
    const v = arg(f);
    if (v !== undefined) out.push(f, v);
  }
  return out;
}

type Counts = { passed: number; failed: number; refused: number; total: number };
const zero = (): Counts => ({ passed: 0, failed: 0, refused: 0, total: 0 });

function report(results: readonly CaseResult[], seconds: number, root: string, jsonOut: string): void {
  const total = zero();
  const byComponent = new Map<string, Counts>();
  const byTest = new Map<string, Counts>();
  const refusals = new Map<string, number>();
  const failures = new Map<string, string[]>();
  for (const r of results) {
    total[r.status]++;
    total.total++;
    for (const [map, tags] of [
      [byComponent, r.componentTags],
      [byTest, r.testTags],
    ] as const)
      for (const t of tags) {
        const c = map.get(t) ?? zero();
        c[r.status]++;
        c.total++;
        map.set(t, c);
      }
    if (r.status === 'refused') refusals.set(r.reason ?? '?', (refusals.get(r.reason ?? '?') ?? 0) + 1);
    if (r.status === 'failed')
      failures.set(r.reason ?? '?', [...(failures.get(r.reason ?? '?') ?? []), r.id]);
  }
  const table = (title: string, map: Map<string, Counts>): void => {
    console.log(
      `\n${title.padEnd(34)} ${'pass'.padStart(6)} ${'fail'.padStart(6)} ${'refused'.padStart(8)} ${'total'.padStart(6)}`,
    );
    for (const [k, c] of [...map].sort((a, b) => a[0].localeCompare(b[0])))
      console.log(
        `${k.padEnd(34)} ${String(c.passed).padStart(6)} ${String(c.failed).padStart(6)} ${String(c.refused).padStart(8)} ${String(c.total).padStart(6)}`,
      );
  };
  table('component tag', byComponent);
  table('test tag', byTest);
  console.log('\nrefused, by feature:');
  for (const [k, n] of [...refusals].sort((a, b) => b[1] - a[1]))
    console.log(`  ${String(n).padStart(5)}  ${k}`);
  console.log('\nfailed, by cause:');
  for (const [k, list] of [...failures].sort((a, b) => b[1].length - a[1].length))
    console.log(`  ${String(list.length).padStart(5)}  ${k}: ${list.join(' ')}`);
  console.log(
    `\nTOTAL ${total.total}: passed ${total.passed}, failed ${total.failed}, refused ${total.refused} (${seconds.toFixed(1)} s)`,
  );
  const summary = {
    root,
    seconds: Math.round(seconds * 10) / 10,
    totals: total,
    byComponentTag: Object.fromEntries(byComponent),
    byTestTag: Object.fromEntries(byTest),
    refusedByFeature: Object.fromEntries(refusals),
    failedByCause: Object.fromEntries(failures),
    cases: results.map((r) => ({
      id: r.id,
      status: r.status,
      reason: r.reason,
      message: r.message,
      ms: r.ms,
    })),
  };
  writeFileSync(jsonOut, `${JSON.stringify(summary, null, 2)}\n`);
  console.log(`summary written to ${jsonOut}`);
}

if (process.argv.includes('--worker')) {
  const root = process.argv[process.argv.indexOf('--worker') + 1];
  const opts = caseOptions();
  process.on('message', (id: string) => {
    const r = runSuiteCase(root, id, opts);
    process.send?.(r);
  });
} else {
  await main();
}
