/**
 * Repeated simulations with and without a prepared simulation (issue #9: fits call the simulator ~10^5 times).
 *
 * For the Hähnel 2020 model (patient 1, its t_stop event; 3 states) and a 1-state decay model, each ODE method
 * is timed over many runs with the same options:
 *   before  simulateModel(compiled, { tEnd, saveat, params, method, rtol, atol })  (fresh problem, events,
 *           stepper, buffers and TimeCourse per call), reading the observable at each output time;
 *   after   prepareSimulation(compiled, { observables, method, rtol, atol }).run(p, saveat, out).
 * A parameter is varied a little from run to run (as in a fit), the same sequence for both. Printed per row:
 * the time per solve (median of rounds), the share of wall time spent in garbage collection (from
 * PerformanceObserver 'gc' entries over the timed rounds), the number of collections, the heap bytes allocated
 * per run (heapUsed growth over a batch of 20 runs without collections, after a full GC; least of three
 * batches, measured after the timed rounds) and the heap retained per run (heapUsed after a full GC, before and
 * after the timed rounds; use --runs 10000 for the 10^4-run figure). Timings on a shared machine are noisy:
 * compare the two rows of one method, measured back to back. Both paths give bit-identical results
 * (test/models/prepared-simulation.test.ts); the bench checks the first run's values agree.
 *
 * Each (case, method, path) runs in a fresh child process (node --expose-gc): in one process, simulateModel's
 * new closures per call would leave the steppers' call sites megamorphic and so slow down (and make allocate)
 * the prepared path measured after it.
 *
 * Usage: npx tsx bench/simulate-reuse.ts [--quick] [--methods auto,Rodas5P,Tsit5,BDF] [--runs N]
 */
import { spawnSync } from 'node:child_process';
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { loadReferenceModel } from '../src/knowledge/reference-models.js';
import { type CompiledModel, compileModel } from '../src/models/compile/compile.js';
import { emptyModel } from '../src/models/ir.js';
import { prepareSimulation } from '../src/models/prepared-simulation.js';
import { simulateModel } from '../src/models/simulate.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const args = process.argv.slice(2);
const arg = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const quick = args.includes('--quick');
const methods = (arg('--methods') ?? 'auto,Rodas5P,Tsit5,BDF').split(',');
const runsOverride = arg('--runs') !== undefined ? Number(arg('--runs')) : undefined;
const TOL = { rtol: 1e-8, atol: 1e-10 };

interface Case {
  readonly name: string;
  readonly model: CompiledModel;
  readonly observable: string;
  readonly saveat: Float64Array;
  /** Parameter varied from run to run (by up to +-1 %). */
  readonly vary: string;
  readonly runs: number;
}

/** dA/dt = -k A, A(0) = 1: the smallest model, where per-call overhead dominates. */
function decayModel(): CompiledModel {
  return compileModel({
    ...emptyModel('decay'),
    compartments: [{ id: 'c', size: 1, constant: true, spatialDimensions: 3 }],
    species: [
      {
        id: 'A',
        compartment: 'c',
        initialAmount: 1,
        hasOnlySubstanceUnits: true,
        boundaryCondition: false,
        constant: false,
      },
    ],
    parameters: [{ id: 'k', value: 0.3, constant: true }],
    reactions: [
      {
        id: 'decay',
        reversible: false,
        reactants: [{ species: 'A', stoichiometry: 1 }],
        products: [],
        modifiers: [],
        kinetics: {
          kind: 'law',
          math: {
            kind: 'call',
            op: 'times',
            args: [
              { kind: 'sym', name: 'k' },
              { kind: 'sym', name: 'A' },
            ],
          },
        },
        localParameters: [],
      },
    ],
  });
}

const hahnel = compileModel(loadReferenceModel('hahnel2020', { patient: 1 }).model);
const cases: Case[] = [
  {
    name: 'hahnel2020 p1',
    model: hahnel,
    observable: 'bcr_abl_percent',
    // every 3 months to 10 years (crosses t_stop = 85.9 months)
    saveat: Float64Array.from({ length: 41 }, (_, k) => 3 * k),
    vary: 'py',
    runs: runsOverride ?? (quick ? 300 : 2000),
  },
  {
    name: 'decay (1 state)',
    model: decayModel(),
    observable: 'A',
    saveat: Float64Array.from({ length: 11 }, (_, k) => k),
    vary: 'k',
    runs: runsOverride ?? (quick ? 3000 : 20_000),
  },
];

let gcTime = 0;
let gcCount = 0;
const observer = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    gcTime += e.duration;
    gcCount++;
  }
});
observer.observe({ entryTypes: ['gc'] });
const flushGcEntries = () => new Promise<void>((resolve) => setTimeout(resolve, 20));

interface Measured {
  readonly perSolveUs: number;
  readonly gcShare: number;
  readonly gcCount: number;
  readonly bytesPerRun: number;
  readonly retainedPerRun: number;
}

async function measure(run: (i: number) => void, runs: number): Promise<Measured> {
  for (let i = 0; i < Math.min(runs, 500); i++) run(i); // warm-up
  gc();
  await flushGcEntries();
  const retained0 = process.memoryUsage().heapUsed;
  const rounds = 5;
  const per = Math.max(1, Math.floor(runs / rounds));
  const times: number[] = [];
  const g0 = gcTime;
  const n0 = gcCount;
  let wall = 0;
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    for (let i = 0; i < per; i++) run(r * per + i);
    const dt = performance.now() - t0;
    wall += dt;
    times.push((dt * 1000) / per);
  }
  await flushGcEntries();
  const gcMs = gcTime - g0;
  const count = gcCount - n0;
  gc();
  const retained1 = process.memoryUsage().heapUsed;
  // allocation, last (the optimising compiler has caught up by now): heap growth over a batch short enough
  // that no collection runs inside it; the least of a few batches
  let bytes = Number.POSITIVE_INFINITY;
  for (let attempt = 0; attempt < 3; attempt++) {
    gc();
    await flushGcEntries();
    const c0 = gcCount;
    const h0 = process.memoryUsage().heapUsed;
    const batch = 20;
    for (let i = 0; i < batch; i++) run(i);
    const h1 = process.memoryUsage().heapUsed;
    await flushGcEntries();
    if (gcCount === c0 && h1 >= h0) bytes = Math.min(bytes, (h1 - h0) / batch);
  }
  times.sort((a, b) => a - b);
  return {
    perSolveUs: times[Math.floor(times.length / 2)],
    gcShare: gcMs / wall,
    gcCount: count,
    bytesPerRun: bytes,
    retainedPerRun: (retained1 - retained0) / (rounds * per),
  };
}

const fmt = (x: number, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');

/** The run function of one path: simulateModel per call ('before') or one prepared simulation ('after'). */
function makeRun(c: Case, method: string, path: string): { run: (i: number) => void; out: Float64Array } {
  const j = c.model.parameterIds.indexOf(c.vary);
  const base = c.model.p0[j];
  const factor = (i: number) => 1 + 0.01 * Math.sin(i);
  const tEnd = c.saveat[c.saveat.length - 1];
  const out = new Float64Array(c.saveat.length);
  if (path === 'simulateModel') {
    const k = c.model.observableIds.indexOf(c.observable);
    const m = c.model.observableIds.length;
    return {
      out,
      run: (i: number) => {
        const tc = simulateModel(c.model, {
          tEnd,
          saveat: c.saveat,
          params: { [c.vary]: base * factor(i) },
          method,
          ...TOL,
        });
        for (let q = 0; q < out.length; q++) out[q] = tc.values[q * m + k];
      },
    };
  }
  const sim = prepareSimulation(c.model, {
    observables: [c.observable],
    method,
    ...TOL,
    maxOutputTimes: c.saveat.length,
  });
  const p = c.model.p0.slice();
  return {
    out,
    run: (i: number) => {
      p[j] = base * factor(i);
      sim.run(p, c.saveat, out);
    },
  };
}

const childAt = args.indexOf('--child');
if (childAt >= 0) {
  const [caseName, method, path] = args.slice(childAt + 1, childAt + 4);
  const c = cases.find((x) => x.name === caseName);
  if (!c) throw new Error(`--child: unknown case '${caseName}'`);
  const { run } = makeRun(c, method, path);
  const r = await measure(run, c.runs);
  observer.disconnect();
  process.stdout.write(`${JSON.stringify(r)}\n`);
  process.exit(0);
}

function runChild(c: Case, method: string, path: string): Measured {
  const argv = [
    '--expose-gc',
    '--import',
    'tsx',
    fileURLToPath(import.meta.url),
    '--child',
    c.name,
    method,
    path,
  ];
  if (quick) argv.push('--quick');
  if (runsOverride !== undefined) argv.push('--runs', String(runsOverride));
  const child = spawnSync(process.execPath, argv, { encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`${c.name} ${method} ${path}: child failed: ${child.stderr}`);
  const lines = child.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]) as Measured;
}

console.log(
  `simulate-reuse: time per solve, GC share, collections, heap bytes allocated and retained per run (Node ${process.version})`,
);
console.log(
  ['case', 'method', 'path', 'us/solve', 'GC %', '#GC', 'B alloc/run', 'B retained/run', 'speed-up'].join(
    '\t',
  ),
);
for (const c of cases) {
  for (const method of methods) {
    // the two paths agree bit for bit (no event duplicates a time in these cases)
    const a0 = makeRun(c, method, 'simulateModel');
    const b0 = makeRun(c, method, 'prepared');
    a0.run(0);
    b0.run(0);
    for (let q = 0; q < a0.out.length; q++)
      if (!Object.is(a0.out[q], b0.out[q]))
        throw new Error(`${c.name} ${method}: prepared and simulateModel differ at t = ${c.saveat[q]}`);
    const a = runChild(c, method, 'simulateModel');
    const b = runChild(c, method, 'prepared');
    const row = (path: string, r: Measured, speed: string) =>
      console.log(
        [
          c.name,
          method,
          path,
          fmt(r.perSolveUs),
          fmt(100 * r.gcShare),
          String(r.gcCount),
          fmt(r.bytesPerRun, 0),
          fmt(r.retainedPerRun, 2),
          speed,
        ].join('\t'),
      );
    row('simulateModel', a, '');
    row('prepared', b, `${fmt(a.perSolveUs / b.perSolveUs, 2)}x`);
  }
}
observer.disconnect();
