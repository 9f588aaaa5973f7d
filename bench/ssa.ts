/**
 * `npx tsx bench/ssa.ts [--budget ms] [--repeats n] [--only name] [--method ssa|nrm] [--no-c] [--in-process]
 * [--out file]`: events per second of exoniche's exact engines (sorting direct method 'ssa', next-reaction method 'nrm') against a tight C implementation of the same algorithms
 * with the same generator (bench/ssa/ssa.c, Philox4x32-10, built with gcc -O2 into bench/build/), on DSMTS
 * models (read from the SBML test suite through readSbml and compiled to propensities as in production) and on a
 * 100-reaction random mass-action network. Both sides are timed in CPU time (the machine may be shared), run
 * whole replicates to the end time without save points, and print the mean final count of the first species
 * so that their results can be compared (they use different streams, so they agree statistically, not bitwise).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readSbml } from '../src/io/sbml/index.js';
import type { Expr, Model, Reaction } from '../src/models/ir.js';
import { emptyModel } from '../src/models/ir.js';
import { prepareStochastic } from '../src/models/simulate-stochastic.js';
import { createStreamFactory, uniformInt } from '../src/numerics/random/index.js';
import { DirectMethod } from '../src/numerics/ssa/direct.js';
import { NextReactionMethod } from '../src/numerics/ssa/next-reaction.js';
import { jumpProblem, type SsaEngine } from '../src/numerics/ssa/problem.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const BUILD = join(HERE, 'build');
/** The shared SBML test suite, else the copy of its stochastic cases under test/fixtures. */
const SUITE = [
  join(HERE, '../../shared/sbml-test-suite/stochastic'),
  join(HERE, '../test/fixtures/sbml-test-suite/stochastic'),
].find((d) => existsSync(join(d, '00001')));
const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const BUDGET_MS = Number(arg('budget') ?? 1500);

interface Case {
  readonly name: string;
  readonly model: Model;
  readonly tEnd: number;
  /** C spec: n m / x0 / per reaction: k nr (sp st)* np (sp st)* (species in the compiled state order). */
  readonly spec: string;
}

/** Spec text from a list of [k, reactants, products] with species indices. */
function specOf(x0: number[], rs: [number, [number, number][], [number, number][]][]): string {
  const lines = [`${x0.length} ${rs.length}`, x0.join(' ')];
  for (const [k, re, pr] of rs)
    lines.push(
      `${k} ${re.length} ${re.flat().join(' ')} ${pr.length} ${pr.flat().join(' ')}`.replace(/\s+/g, ' '),
    );
  return `${lines.join('\n')}\n`;
}

const sbml = (id: string): Model => {
  if (!SUITE) throw new Error('SBML test suite not found (shared/sbml-test-suite or test/fixtures)');
  return readSbml(readFileSync(join(SUITE, id, `${id}-sbml-l3v2.xml`), 'utf8'), id);
};

function randomNetwork(): Case {
  // 30 species; 30 inflows (k = 10), 30 first-order degradations (k = 0.1), 40 random conversions A -> B
  // (k = 0.05) or bindings A + B -> C (k = 1e-3). Stationary counts of order 100.
  const s = createStreamFactory(2026).stream({ purpose: 'bench-network' });
  const n = 30;
  const rs: [number, [number, number][], [number, number][]][] = [];
  for (let i = 0; i < n; i++) rs.push([10, [], [[i, 1]]]);
  for (let i = 0; i < n; i++) rs.push([0.1, [[i, 1]], []]);
  for (let j = 0; j < 40; j++) {
    const a = uniformInt(s, n);
    let b = uniformInt(s, n);
    while (b === a) b = uniformInt(s, n);
    if (j % 2 === 0) rs.push([0.05, [[a, 1]], [[b, 1]]]);
    else {
      let c = uniformInt(s, n);
      while (c === a || c === b) c = uniformInt(s, n);
      rs.push([
        1e-3,
        [
          [a, 1],
          [b, 1],
        ],
        [[c, 1]],
      ]);
    }
  }
  const x0 = Array.from({ length: n }, () => 100);
  const m = emptyModel('network100');
  const num = (value: number): Expr => ({ kind: 'num', value });
  const reactions: Reaction[] = rs.map(([k, re, pr], j) => ({
    id: `R${j}`,
    reversible: false,
    reactants: re.map(([i, st]) => ({ species: `S${i}`, stoichiometry: st })),
    products: pr.map(([i, st]) => ({ species: `S${i}`, stoichiometry: st })),
    modifiers: [],
    kinetics: { kind: 'massAction', forward: num(k) },
    localParameters: [],
  }));
  const model: Model = {
    ...m,
    compartments: [{ id: 'cell', size: 1, constant: true, spatialDimensions: 3 }],
    species: x0.map((v, i) => ({
      id: `S${i}`,
      compartment: 'cell',
      initialAmount: v,
      hasOnlySubstanceUnits: true,
      boundaryCondition: false,
      constant: false,
    })),
    reactions,
  };
  return { name: '100-reaction network', model, tEnd: 5, spec: specOf(x0, rs) };
}

const CASES: Case[] = [
  {
    name: 'DSMTS 001-01 birth-death',
    model: sbml('00001'),
    tEnd: 50,
    spec: specOf(
      [100],
      [
        [0.1, [[0, 1]], [[0, 2]]],
        [0.11, [[0, 1]], []],
      ],
    ),
  },
  {
    name: 'DSMTS 002-01 immigration-death',
    model: sbml('00020'),
    tEnd: 50,
    spec: specOf(
      [0],
      [
        [1, [], [[0, 1]]],
        [0.1, [[0, 1]], []],
      ],
    ),
  },
  {
    name: 'DSMTS 003-01 dimerisation',
    model: sbml('00030'),
    tEnd: 50,
    spec: specOf(
      [100, 0],
      [
        [0.001, [[0, 2]], [[1, 1]]],
        [0.01, [[1, 1]], [[0, 2]]],
      ],
    ),
  },
  {
    name: 'DSMTS 004-03 batch immigration',
    model: sbml('00039'),
    tEnd: 50,
    spec: specOf(
      [0],
      [
        [1, [], [[0, 100]]],
        [4, [[0, 1]], []],
      ],
    ),
  },
  randomNetwork(),
];

function buildC(): string | undefined {
  mkdirSync(BUILD, { recursive: true });
  const exe = join(BUILD, 'ssa-ref');
  const r = spawnSync('gcc', ['-O2', '-o', exe, join(HERE, 'ssa', 'ssa.c'), '-lm'], { encoding: 'utf8' });
  if (r.status !== 0) {
    console.log(`C reference unavailable: ${r.stderr || r.error}`);
    return undefined;
  }
  return exe;
}

const cpuMs = (): number => process.cpuUsage().user / 1000;

interface JsBench {
  readonly run: (rep: number) => number;
  readonly x: Float64Array;
  rep: number;
}

function prepareJs(c: Case, method: 'ssa' | 'nrm'): JsBench {
  const prep = prepareStochastic(c.model);
  const { compiled, reactions } = prep;
  const p = compiled.p0.slice();
  const problem = jumpProblem({
    x0: compiled.initialState(p),
    p,
    propensities: reactions.propensities,
    propensityInto: reactions.propensityInto,
    changes: reactions.changes,
    reads: reactions.reads,
  });
  const engine: SsaEngine = method === 'nrm' ? new NextReactionMethod(problem) : new DirectMethod(problem);
  const f = createStreamFactory(1).child({ purpose: 'ssa' });
  const run = (rep: number): number => {
    engine.reset(0, f.stream({ replicate: rep }));
    const tEnd = c.tEnd;
    while (engine.peek() <= tEnd) engine.fire();
    return engine.firings;
  };
  const b: JsBench = { run, x: engine.x, rep: 0 };
  // Warm-up so that V8 has optimised the hot loops before anything is timed.
  const warm = cpuMs();
  while (cpuMs() - warm < Math.min(300, BUDGET_MS / 4)) run(b.rep++);
  return b;
}

/**
 * Replicates to the end time until the budget is spent. The clock is read once per batch of replicates (a batch
 * grows until it takes >= 20 ms): a replicate of a small model takes a few microseconds, comparable to one
 * process.cpuUsage() call, and the C side reads its clock only once for the whole run.
 */
function runJs(b: JsBench): { rate: number; meanX0: number; replicates: number } {
  let events = 0;
  let sum = 0;
  let reps = 0;
  let batch = 1;
  const t0 = cpuMs();
  let t = t0;
  while (t - t0 < BUDGET_MS) {
    for (let k = 0; k < batch; k++) {
      events += b.run(b.rep++);
      sum += b.x[0];
    }
    reps += batch;
    const now = cpuMs();
    if (now - t < 20) batch *= 2;
    t = now;
  }
  return { rate: events / ((t - t0) / 1000), meanX0: sum / reps, replicates: reps };
}

function runC(exe: string, c: Case, method: 'ssa' | 'nrm', jsReplicates: number, jsMs: number) {
  const spec = join(BUILD, `ssa-${c.name.replace(/\W+/g, '-')}.spec`);
  writeFileSync(spec, c.spec);
  const go = (reps: number) => {
    const r = spawnSync(exe, [spec, method === 'ssa' ? 'direct' : 'nrm', String(c.tEnd), String(reps), '7'], {
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`C reference failed: ${r.stderr}`);
    return JSON.parse(r.stdout) as {
      events: number;
      seconds: number;
      eventsPerSecond: number;
      meanX0: number;
    };
  };
  // Aim for about the JS budget: scale the replicate count by a first short run of a tenth of the JS replicates.
  const probeReps = Math.max(1, Math.ceil(jsReplicates / 10));
  const probe = go(probeReps);
  const reps = Math.max(
    1,
    Math.round(probe.seconds > 0 ? (jsMs / 1000 / probe.seconds) * probeReps : 10 * probeReps),
  );
  return { ...go(reps), replicates: reps };
}

const median = (v: number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : 0.5 * (s[h - 1] + s[h]);
};

interface Row {
  readonly model: string;
  readonly method: 'ssa' | 'nrm';
  readonly exoniche: number;
  readonly c?: number;
  readonly ratio: number;
  readonly meanX0: number;
  readonly cMeanX0?: number;
  readonly jsRuns: number[];
  readonly cRuns: number[];
}

/** One cell: REPEATS runs of JS, each followed by a C run of about the same length; medians. */
function benchCell(c: Case, method: 'ssa' | 'nrm', exe: string | undefined): Row {
  const b = prepareJs(c, method);
  const js: number[] = [];
  const cs: number[] = [];
  let jsX0 = 0;
  let cX0 = 0;
  for (let r = 0; r < REPEATS; r++) {
    const j = runJs(b);
    js.push(j.rate);
    jsX0 += j.meanX0 / REPEATS;
    if (exe) {
      const cr = runC(exe, c, method, j.replicates, BUDGET_MS);
      cs.push(cr.eventsPerSecond);
      cX0 += cr.meanX0 / REPEATS;
    }
  }
  const jsRate = median(js);
  const cRate = exe ? median(cs) : undefined;
  return {
    model: c.name,
    method,
    exoniche: jsRate,
    c: cRate,
    ratio: cRate === undefined ? Number.NaN : cRate / jsRate,
    meanX0: jsX0,
    cMeanX0: exe ? cX0 : undefined,
    jsRuns: js,
    cRuns: cs,
  };
}

const REPEATS = Math.max(1, Number(arg('repeats') ?? 3));
const noC = process.argv.includes('--no-c');
const cellArg = arg('cell');
if (cellArg !== undefined) {
  // Worker mode: one cell, one JSON line.
  const exe = noC ? undefined : join(BUILD, 'ssa-ref');
  console.log(JSON.stringify(benchCell(CASES[Number(cellArg)], arg('method') as 'ssa' | 'nrm', exe)));
} else {
  const exe = noC ? undefined : buildC();
  const only = arg('only');
  const onlyMethod = arg('method');
  const inProcess = process.argv.includes('--in-process');
  console.log(
    `exoniche exact SSA vs C (gcc -O2), Node ${process.version}, CPU time, budget ${BUDGET_MS} ms per run, ` +
      `median of ${REPEATS} interleaved JS/C runs, ${inProcess ? 'all cells in one process' : 'one process per cell'}`,
  );
  console.log(
    'model                              method   exoniche ev/s        C ev/s   C/exo   mean X0 (exo | C)',
  );
  const rows: Row[] = [];
  CASES.forEach((c, ci) => {
    if (only && !c.name.includes(only)) return;
    for (const method of ['ssa', 'nrm'] as const) {
      if (onlyMethod && method !== onlyMethod) continue;
      let row: Row;
      if (inProcess) row = benchCell(c, method, exe);
      else {
        // A fresh V8 per cell, as the C side gets a fresh process: the engines' call sites (propensity
        // function, stream) then see one model only, as in a production run of one model.
        const args = [
          ...process.execArgv,
          fileURLToPath(import.meta.url),
          '--cell',
          String(ci),
          '--method',
          method,
        ];
        args.push('--budget', String(BUDGET_MS), '--repeats', String(REPEATS));
        if (!exe) args.push('--no-c');
        const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
        if (r.status !== 0) throw new Error(`bench worker failed: ${r.stderr}`);
        row = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '') as Row;
      }
      rows.push(row);
      const cRate = row.c;
      console.log(
        `${c.name.padEnd(34)} ${method.padEnd(6)} ${(row.exoniche / 1e6).toFixed(2).padStart(12)}M ${cRate !== undefined ? `${(cRate / 1e6).toFixed(2).padStart(12)}M` : '           -'} ${(row.ratio ?? Number.NaN).toFixed(2).padStart(7)}   ${row.meanX0.toFixed(2)} | ${row.cMeanX0 !== undefined ? row.cMeanX0.toFixed(2) : '-'}`,
      );
    }
  });
  const out = arg('out');
  if (out) writeFileSync(out, `${JSON.stringify(rows, null, 2)}\n`);
}
