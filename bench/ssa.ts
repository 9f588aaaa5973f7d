/**
 * `npx tsx bench/ssa.ts [--budget ms] [--only name]`: events per second of exoniche's exact engines (sorting
 * direct method 'ssa', next-reaction method 'nrm') against a tight C implementation of the same algorithms
 * with the same generator (bench/ssa/ssa.c, Philox4x32-10, built with gcc -O2 into bench/build/), on DSMTS
 * models (read from the SBML test suite through readSbml and compiled to propensities as in production) and on a
 * 100-reaction random mass-action network. Both sides are timed in CPU time (the machine may be shared), run
 * whole replicates to the end time without save points, and print the mean final count of the first species
 * so that their results can be compared (they use different streams, so they agree statistically, not bitwise).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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
const SUITE = join(HERE, '../../shared/sbml-test-suite/stochastic');
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

const sbml = (id: string): Model =>
  readSbml(readFileSync(join(SUITE, id, `${id}-sbml-l3v2.xml`), 'utf8'), id);

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

/** Replicates to the end time until the budget is spent (after a warm-up). */
function runJs(c: Case, method: 'ssa' | 'nrm'): { rate: number; meanX0: number; replicates: number } {
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
    while (engine.peek() <= c.tEnd) engine.fire();
    return engine.firings;
  };
  let rep = 0;
  const warm = cpuMs();
  while (cpuMs() - warm < BUDGET_MS / 4) run(rep++);
  let events = 0;
  let sum = 0;
  let reps = 0;
  const t0 = cpuMs();
  while (cpuMs() - t0 < BUDGET_MS) {
    events += run(rep++);
    sum += engine.x[0];
    reps++;
  }
  return { rate: events / ((cpuMs() - t0) / 1000), meanX0: sum / reps, replicates: reps };
}

function runC(exe: string, c: Case, method: 'ssa' | 'nrm', jsReplicates: number, jsRate: number) {
  const spec = join(BUILD, `ssa-${c.name.replace(/\W+/g, '-')}.spec`);
  writeFileSync(spec, c.spec);
  // Aim for about the JS budget: C is faster, so scale the replicate count by a first short run.
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
  const probe = go(Math.max(1, Math.ceil(jsReplicates / 10)));
  const reps = Math.max(
    1,
    Math.round((probe.seconds > 0 ? BUDGET_MS / 1000 / probe.seconds : 10) * (jsReplicates / 10)),
  );
  void jsRate;
  return { ...go(reps), replicates: reps };
}

const exe = buildC();
const only = arg('only');
console.log(
  `exoniche exact SSA vs C (gcc -O2), Node ${process.version}, CPU time, budget ${BUDGET_MS} ms per cell`,
);
console.log(
  'model                              method   exoniche ev/s        C ev/s   C/exo   mean X0 (exo | C)',
);
const rows: unknown[] = [];
for (const c of CASES) {
  if (only && !c.name.includes(only)) continue;
  for (const method of ['ssa', 'nrm'] as const) {
    const js = runJs(c, method);
    const cr = exe ? runC(exe, c, method, js.replicates, js.rate) : undefined;
    const ratio = cr ? cr.eventsPerSecond / js.rate : Number.NaN;
    console.log(
      `${c.name.padEnd(34)} ${method.padEnd(6)} ${(js.rate / 1e6).toFixed(2).padStart(12)}M ${cr ? `${(cr.eventsPerSecond / 1e6).toFixed(2).padStart(12)}M` : '           -'} ${ratio.toFixed(2).padStart(7)}   ${js.meanX0.toFixed(2)} | ${cr ? cr.meanX0.toFixed(2) : '-'}`,
    );
    rows.push({ model: c.name, method, exoniche: js.rate, c: cr?.eventsPerSecond, ratio });
  }
}
const out = arg('out');
if (out) writeFileSync(out, `${JSON.stringify(rows, null, 2)}\n`);
