/**
 * Field-solver benchmark (issue #11): wall time per simulated day of the LOD diffusion solver
 * (src/numerics/fields) on the workloads, against its speed goals.
 *
 * - physicell-2d: the PhysiCell 1.14.2 heterogeneity sample's grid: 2000 x 2000 um, 20 um voxels (100 x 100), one
 *   substrate, diffusion dt 0.01 min, so 144,000 steps per simulated day. Substrate: PhysiCell's default oxygen
 *   (D = 1e5 um^2/min, decay 0.1 /min, Dirichlet 38 mmHg on every face): workload settings of the reference
 *   program, not model parameters. Goal: the whole PhysiCell-sized run (fields + ~900 agents) 3x faster than
 *   PhysiCell's ~50 s per day on 2 threads, i.e. < 16.7 s per day.
 * - niche-3d: four substrates on a 3D niche that holds the 100,000 agents: 600 x 600 x 600 um at 20 um
 *   (30^3 voxels; 0.216 mm^3, i.e. ~4.6e5 cells per mm^3 at 100,000 agents, about half of the marrow's packing).
 *   Goal: one simulated day with 100,000 agents in < 10 min on 2 cores.
 * - cube-3d: the same four substrates on 100 x 100 x 100 voxels (2 mm cube), the upper end of a 3D domain.
 *
 * Each workload runs for `--seconds` of wall time (default 3) after a warm-up, and the time per step is
 * extrapolated to a simulated day at diffusion dt 0.01 min (PhysiCell's) and at 0.1 min (the solver is
 * unconditionally stable; accuracy is first order in dt, see docs/fields.md). With --threads 2 (default) the
 * multi-substrate workloads are also timed on two threads (ParallelFieldSolver). The heap growth over 10^4 steps of
 * the 2D workload is reported (with --expose-gc the heap is collected before and after).
 *
 * Usage: npx tsx bench/fields.ts [--seconds 3] [--only physicell-2d,niche-3d,cube-3d] [--threads 1|2] [--out file]
 *        node --expose-gc --import tsx bench/fields.ts   (for the allocation check with a forced GC)
 * Writes bench/out/fields-<time>.json and bench/out/fields-latest.json (or --out).
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../src/io/atomic-write.js';
import {
  type BoundaryCondition,
  FieldSolver,
  Grid,
  type SubstrateSpec,
} from '../src/numerics/fields/index.js';
import { ParallelFieldSolver } from '../src/numerics/fields/parallel.js';

const here = dirname(fileURLToPath(import.meta.url));

interface Workload {
  readonly name: string;
  readonly shape: number[];
  readonly spacing: number;
  readonly substrates: SubstrateSpec[];
  /** Wall-time budget per simulated day for the whole simulation (fields and agents), seconds. */
  readonly goalSeconds: number;
  readonly goal: string;
}

function allFaces(dims: number, bc: BoundaryCondition): SubstrateSpec['boundary'] {
  const faces = ['xmin', 'xmax', 'ymin', 'ymax', 'zmin', 'zmax'].slice(0, 2 * dims);
  return Object.fromEntries(faces.map((f) => [f, bc]));
}

/** Four fields of the niche with diffusion coefficients spanning small molecules to exosomes (um^2/min). */
function nicheSubstrates(dims: number): SubstrateSpec[] {
  return [
    {
      name: 'oxygen',
      diffusion: 1e5,
      decay: 0.1,
      boundary: allFaces(dims, { kind: 'dirichlet', value: 38 }),
    },
    { name: 'drug', diffusion: 3e4, decay: 0.01, boundary: allFaces(dims, { kind: 'dirichlet', value: 1 }) },
    { name: 'chemokine', diffusion: 6e3, decay: 0.02 },
    { name: 'exosomes', diffusion: 300, decay: 0.002 },
  ];
}

const WORKLOADS: Workload[] = [
  {
    name: 'physicell-2d',
    shape: [100, 100],
    spacing: 20,
    substrates: [
      { name: 'oxygen', diffusion: 1e5, decay: 0.1, boundary: allFaces(2, { kind: 'dirichlet', value: 38 }) },
    ],
    goalSeconds: 50 / 3,
    goal: 'PhysiCell heterogeneity sample ~50 s/day on 2 threads; goal 3x faster (fields + agents < 16.7 s/day)',
  },
  {
    name: 'niche-3d',
    shape: [30, 30, 30],
    spacing: 20,
    substrates: nicheSubstrates(3),
    goalSeconds: 600,
    goal: '3D niche, 100,000 agents, four fields: < 10 min per simulated day on 2 cores',
  },
  {
    name: 'cube-3d',
    shape: [100, 100, 100],
    spacing: 20,
    substrates: nicheSubstrates(3),
    goalSeconds: 600,
    goal: 'same goal on a 2 mm cube (10^6 voxels)',
  },
];

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

interface Steppable {
  advance(steps: number): void;
}

/**
 * Wall and CPU (user + system of this process, all threads) seconds per step; on a shared machine the CPU time
 * of one thread is the steadier figure.
 */
function timeSteps(
  solver: Steppable,
  seconds: number,
): { steps: number; perStep: number; cpuPerStep: number } {
  // Warm-up (JIT) for ~10% of the budget, then run whole batches until the budget is spent.
  let batch = 1;
  let t0 = performance.now();
  while (performance.now() - t0 < 100 * seconds) {
    solver.advance(batch);
    batch *= 2;
  }
  const budget = seconds * 1000;
  let steps = 0;
  const c0 = process.cpuUsage();
  t0 = performance.now();
  let elapsed = 0;
  batch = 1;
  while (elapsed < budget) {
    solver.advance(batch);
    steps += batch;
    elapsed = performance.now() - t0;
    if (elapsed < budget / 4) batch *= 2;
  }
  const cpu = process.cpuUsage(c0);
  return { steps, perStep: elapsed / 1000 / steps, cpuPerStep: (cpu.user + cpu.system) / 1e6 / steps };
}

function heapGrowth(): { steps: number; bytes: number; forcedGc: boolean } {
  const w = WORKLOADS[0];
  const grid = new Grid({ shape: w.shape, spacing: w.spacing });
  const solver = new FieldSolver({ grid, dt: 0.01, substrates: w.substrates });
  const voxels = Int32Array.of(0, 4000, 5050, 9999);
  const rates = Float64Array.of(1, 2, 3, 4);
  const run = (n: number) => {
    for (let i = 0; i < n; i++) {
      solver.addPointSources(0, voxels, rates, 4);
      solver.applyPointUptake(0, voxels, rates, 4);
      solver.step();
    }
  };
  run(20_000);
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const before = process.memoryUsage().heapUsed;
  run(10_000);
  gc?.();
  return { steps: 10_000, bytes: process.memoryUsage().heapUsed - before, forcedGc: gc !== undefined };
}

const seconds = Number(arg('seconds') ?? 3);
const only = arg('only')?.split(',');
const results: Record<string, unknown>[] = [];
for (const w of WORKLOADS) {
  if (only && !only.includes(w.name)) continue;
  const grid = new Grid({ shape: w.shape, spacing: w.spacing });
  const solver = new FieldSolver({ grid, dt: 0.01, substrates: w.substrates });
  for (let s = 0; s < solver.substrateCount; s++) solver.field(s).fill(1);
  const { steps, perStep, cpuPerStep } = timeSteps(solver, seconds);
  const voxelUpdates = grid.voxelCount * w.substrates.length;
  const day = 1440;
  const row = {
    workload: w.name,
    grid: w.shape.join(' x '),
    voxelSizeUm: w.spacing,
    substrates: w.substrates.length,
    stepsTimed: steps,
    msPerStep: perStep * 1e3,
    cpuMsPerStep: cpuPerStep * 1e3,
    cpuSecondsPerDayDt001: cpuPerStep * (day / 0.01),
    cpuShareOfBudgetDt001: (cpuPerStep * (day / 0.01)) / w.goalSeconds,
    nsPerVoxelSubstrateStep: (perStep / voxelUpdates) * 1e9,
    secondsPerDayDt001: perStep * (day / 0.01),
    secondsPerDayDt01: perStep * (day / 0.1),
    goal: w.goal,
    shareOfBudgetDt001: (perStep * (day / 0.01)) / w.goalSeconds,
    shareOfBudgetDt01: (perStep * (day / 0.1)) / w.goalSeconds,
  };
  results.push(row);
  console.log(
    `${w.name.padEnd(13)} ${row.grid.padEnd(16)} x${w.substrates.length}: wall ${row.msPerStep.toFixed(3)} ms/step, ` +
      `CPU ${row.cpuMsPerStep.toFixed(3)} ms/step. Per simulated day: wall ${row.secondsPerDayDt001.toFixed(1)} s ` +
      `at dt 0.01 min (${(100 * row.shareOfBudgetDt001).toFixed(0)}% of the budget), CPU ` +
      `${row.cpuSecondsPerDayDt001.toFixed(1)} s (${(100 * row.cpuShareOfBudgetDt001).toFixed(0)}%); wall ` +
      `${row.secondsPerDayDt01.toFixed(1)} s at dt 0.1 min (${(100 * row.shareOfBudgetDt01).toFixed(0)}%)`,
  );
}
// Two threads (substrates split between the calling thread and one worker; bit-identical to one thread).
const threads = Number(arg('threads') ?? 2);
if (threads === 2) {
  for (const w of WORKLOADS) {
    if ((only && !only.includes(w.name)) || w.substrates.length < 2) continue;
    const par = await ParallelFieldSolver.create({
      grid: { shape: w.shape, spacing: w.spacing },
      substrates: w.substrates,
      dt: 0.01,
      threads: 2,
    });
    for (let s = 0; s < par.solver.substrateCount; s++) par.solver.field(s).fill(1);
    const { steps, perStep, cpuPerStep } = timeSteps(par, seconds);
    await par.close();
    const one = results.find((r) => r.workload === w.name);
    const row = {
      workload: `${w.name} (2 threads)`,
      stepsTimed: steps,
      msPerStep: perStep * 1e3,
      cpuMsPerStep: cpuPerStep * 1e3,
      secondsPerDayDt001: perStep * (1440 / 0.01),
      secondsPerDayDt01: perStep * (1440 / 0.1),
      speedupWall: one ? (one.msPerStep as number) / (perStep * 1e3) : undefined,
    };
    results.push(row);
    console.log(
      `${row.workload}: ${row.msPerStep.toFixed(3)} ms/step wall (${(row.speedupWall ?? 0).toFixed(2)}x one thread), ` +
        `per simulated day ${row.secondsPerDayDt001.toFixed(1)} s at dt 0.01 min, ${row.secondsPerDayDt01.toFixed(1)} s at 0.1 min`,
    );
  }
}
const heap = heapGrowth();
console.log(
  `heap growth over ${heap.steps} steps of physicell-2d with point sources and uptake: ${heap.bytes} bytes` +
    (heap.forcedGc ? ' (forced GC before and after)' : ' (run with --expose-gc for a forced GC)'),
);
const load = (await import('node:os')).loadavg()[0];
console.log(
  `1-min load average during the run: ${load.toFixed(1)} (cores: ${(await import('node:os')).availableParallelism()})`,
);
const report = {
  date: new Date().toISOString(),
  node: process.version,
  loadAverage: load,
  seconds,
  results,
  heap,
};
const out = arg('out');
const json = `${JSON.stringify(report, null, 2)}\n`;
if (out) {
  writeFileAtomic(out, json);
} else {
  const dir = join(here, 'out');
  mkdirSync(dir, { recursive: true });
  writeFileAtomic(join(dir, `fields-${report.date.replace(/[:.]/g, '-')}.json`), json);
  writeFileAtomic(join(dir, 'fields-latest.json'), json);
}
