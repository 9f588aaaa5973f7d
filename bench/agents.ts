/**
 * Agent-mechanics benchmark (issue #11): CPU and wall time of the off-lattice mechanics (src/numerics/agents) on
 * the issue's workloads, against its speed goals, next to the field solver's share (bench/fields.ts).
 *
 * - physicell-2d: ~900 agents in PhysiCell 1.14.2's heterogeneity-sample domain (2000 x 2000 um), packed in a
 *   disc at the two-cell equilibrium spacing around the centre, mechanics dt 0.1 min, one simulated day (14,400
 *   steps) run in full. Mechanics settings are PhysiCell's defaults (radius 8.41 um, i.e. its default volume of
 *   2494 um^3; repulsion 10, adhesion 0.4 um/min, relative adhesion distance 1.25; domain-edge wall 100 um/min):
 *   workload settings of the reference program, not model parameters. Goal: the whole run (fields + agents)
 *   < 50 s / 3 = 16.7 s per day.
 * - niche-3d: 100,000 agents in the 600 x 600 x 600 um niche of bench/fields.ts (radius 5 um, a haematopoietic
 *   cell; volume fraction 0.24), random positions, random motility 1 um/min with 5 min persistence, timed over a
 *   few steps after warm-up and extrapolated to 14,400 steps. Goal: 100,000 agents and four fields < 10 min/day.
 *   0.9 agents per bin: Mechanics uses no neighbour lists here by default.
 * - niche-3d-dense: the agents of bench/spatial.ts --3d (mechanics only): 100,000 agents at random positions in
 *   800^3 um, radii 8 / 3.5 / 10 / 7.1 um in the proportions of that bench (90 % / 9 % / 0.5 % / 0.5 %; the KB
 *   radii of CML cells, LSCs, BMSCs and endothelial cells, copied here as workload settings), the LSCs motile
 *   (0.5 um/min, persistence 5 min), reflecting faces, bins fixed at 2 x 1.25 x 10 = 25 um as the spatial model
 *   sets them (3 agents per bin), rows sorted every 60 steps; 60 warm-up steps (the spatial bench's 6 min), then
 *   --steps3d steps timed. Run with and without neighbour lists (--lists on|off|both, default both: the same
 *   positions, the same bits, alternately in one process).
 *
 * --threads 1|2|both: mechanics on one thread, or split over two (ParallelMechanics, bit-identical); with two
 * threads the wall time is the figure (process CPU counts both threads).
 *
 * Usage: npx tsx bench/agents.ts [--steps3d 100] [--only physicell-2d,niche-3d,niche-3d-dense] [--threads both]
 *   [--lists both] [--out file]
 * Writes bench/out/agents-<time>.json and bench/out/agents-latest.json (or --out).
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../src/io/atomic-write.js';
import { AgentStore, type Mechanics } from '../src/numerics/agents/index.js';
import { MechanicsWorker, ParallelMechanics } from '../src/numerics/agents/parallel.js';
import { streamFor } from '../src/numerics/random/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const k = args.indexOf(`--${name}`);
  return k >= 0 && k + 1 < args.length ? args[k + 1] : dflt;
};
const steps3d = Number(opt('steps3d', '100'));
const only = opt('only', 'physicell-2d,niche-3d,niche-3d-dense').split(',');
const listsOpt = opt('lists', 'both');
const listList: boolean[] = listsOpt === 'both' ? [false, true] : [listsOpt === 'on'];
const threadsOpt = opt('threads', 'both');
const threadList: (1 | 2)[] = threadsOpt === 'both' ? [1, 2] : [Number(threadsOpt) === 2 ? 2 : 1];
const worker = threadList.includes(2) ? await MechanicsWorker.start() : null;
const STEPS_PER_DAY = 1440 / 0.1;
// Field-solver CPU seconds per simulated day at dt 0.01 min, measured with bench/fields.ts (docs/fields.md).
const FIELDS_2D_CPU = 7.5;
const FIELDS_3D_CPU = 128;

interface Result {
  name: string;
  threads: 1 | 2;
  agents: number;
  steps: number;
  cpuMsPerStep: number;
  wallMsPerStep: number;
  cpuSecondsPerDay: number;
  wallSecondsPerDay: number;
  goalSeconds: number;
  fieldsCpuSecondsPerDay: number;
  shareOfBudget: number;
  /** Neighbour-list builds in the timed steps (Mechanics.listBuilds). */
  listBuilds: number;
  note: string;
}

function timeSteps(m: Mechanics, steps: number) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  m.run(steps);
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(c0);
  return { wallMs: wall, cpuMs: (cpu.user + cpu.system) / 1000 };
}

const PC = { radius: 8.41, repulsion: 10, adhesion: 0.4, adhesionReach: 1.25 };
const results: Result[] = [];

for (const threads of threadList)
  if (only.includes('physicell-2d')) {
    const store = new AgentStore({ dims: 2, capacity: 1024, shared: threads === 2 });
    // hexagonal packing at the two-cell equilibrium distance of the PhysiCell defaults
    const R = 2 * PC.radius;
    const S = 2 * PC.adhesionReach * PC.radius;
    const dStar =
      (Math.sqrt(PC.repulsion) - Math.sqrt(PC.adhesion)) /
      (Math.sqrt(PC.repulsion) / R - Math.sqrt(PC.adhesion) / S);
    const rows = 40;
    for (let j = -rows; j <= rows && store.count < 900; j++)
      for (let i = -rows; i <= rows && store.count < 900; i++) {
        const x = dStar * (i + 0.5 * (j & 1));
        const y = dStar * j * Math.sqrt(0.75);
        if (x * x + y * y <= (dStar * 17.2) ** 2) store.add({ x: 1000 + x, y: 1000 + y, ...PC });
      }
    const m = new ParallelMechanics(
      store,
      {
        domain: { lo: [0, 0], hi: [2000, 2000] },
        dt: 0.1,
        boundary: { kind: 'wall', strength: 100 },
        seed: 1,
      },
      threads === 2 ? worker : null,
    );
    m.run(200); // warm-up
    const t = timeSteps(m, STEPS_PER_DAY);
    const cpuDay = t.cpuMs / 1000;
    results.push({
      name: 'physicell-2d',
      threads,
      agents: store.count,
      steps: STEPS_PER_DAY,
      cpuMsPerStep: t.cpuMs / STEPS_PER_DAY,
      wallMsPerStep: t.wallMs / STEPS_PER_DAY,
      cpuSecondsPerDay: cpuDay,
      wallSecondsPerDay: t.wallMs / 1000,
      goalSeconds: 50 / 3,
      fieldsCpuSecondsPerDay: FIELDS_2D_CPU,
      shareOfBudget: (threads === 2 ? t.wallMs / 1000 : cpuDay) / (50 / 3),
      listBuilds: 0,
      note: 'one simulated day run in full (14,400 mechanics steps)',
    });
  }

for (const threads of threadList)
  if (only.includes('niche-3d')) {
    const n = 100_000;
    const L = 600;
    const store = new AgentStore({ dims: 3, capacity: n, shared: threads === 2 });
    const rng = streamFor(1, ['purpose', 'bench-agents-placement']);
    for (let k = 0; k < n; k++)
      store.add({
        x: L * rng.nextFloat64(),
        y: L * rng.nextFloat64(),
        z: L * rng.nextFloat64(),
        radius: 5,
        repulsion: 10,
        adhesion: 0.4,
        adhesionReach: 1.25,
        speed: 1,
        persistence: 5,
      });
    const m = new ParallelMechanics(
      store,
      {
        domain: { lo: [0, 0, 0], hi: [L, L, L] },
        dt: 0.1,
        boundary: { kind: 'wall', strength: 100 },
        seed: 1,
        sortEvery: 100,
      },
      threads === 2 ? worker : null,
    );
    m.run(3); // warm-up (derives the motility keys; step 0 sorted the rows by bin)
    const b0 = m.listBuilds;
    const t = timeSteps(m, steps3d);
    const cpuDay = ((t.cpuMs / steps3d) * STEPS_PER_DAY) / 1000;
    results.push({
      name: 'niche-3d',
      threads,
      agents: n,
      steps: steps3d,
      cpuMsPerStep: t.cpuMs / steps3d,
      wallMsPerStep: t.wallMs / steps3d,
      cpuSecondsPerDay: cpuDay,
      wallSecondsPerDay: ((t.wallMs / steps3d) * STEPS_PER_DAY) / 1000,
      goalSeconds: 600,
      fieldsCpuSecondsPerDay: FIELDS_3D_CPU,
      shareOfBudget: (threads === 2 ? ((t.wallMs / steps3d) * STEPS_PER_DAY) / 1000 : cpuDay) / 600,
      listBuilds: m.listBuilds - b0,
      note: `${steps3d} steps timed after 3 warm-up steps, extrapolated to 14,400`,
    });
  }

for (const threads of threadList)
  for (const lists of listList)
    if (only.includes('niche-3d-dense')) {
      const n = 100_000;
      const L = 800;
      const store = new AgentStore({ dims: 3, capacity: n, shared: threads === 2 });
      const rng = streamFor(2026, ['purpose', 'bench-3d']);
      // radii of CML cells, LSCs, BMSCs, endothelial cells (bench/spatial.ts --3d's mix; workload settings)
      const radii = [8, 3.5, 10, 7.1];
      for (let k = 0; k < n; k++) {
        const type = k % 200 === 0 ? 2 : k % 200 === 1 ? 3 : k % 11 === 0 ? 1 : 0;
        store.add({
          x: 10 + 780 * rng.nextFloat64(),
          y: 10 + 780 * rng.nextFloat64(),
          z: 10 + 780 * rng.nextFloat64(),
          radius: radii[type],
          repulsion: 10,
          adhesion: 0.4,
          adhesionReach: 1.25,
          speed: type === 1 ? 0.5 : 0,
          persistence: 5,
        });
      }
      const m = new ParallelMechanics(
        store,
        {
          domain: { lo: [0, 0, 0], hi: [L, L, L] },
          dt: 0.1,
          boundary: { kind: 'reflect' },
          seed: 1,
          binSize: 2 * 1.25 * 10,
          sortEvery: 60,
          ...(lists ? {} : { neighbourSkin: 0 }),
        },
        threads === 2 ? worker : null,
      );
      m.run(60); // warm-up: the spatial bench's first phenotype step
      const b0 = m.listBuilds;
      const t = timeSteps(m, steps3d);
      const cpuDay = ((t.cpuMs / steps3d) * STEPS_PER_DAY) / 1000;
      results.push({
        name: `niche-3d-dense (lists ${lists ? 'on' : 'off'})`,
        threads,
        agents: n,
        steps: steps3d,
        cpuMsPerStep: t.cpuMs / steps3d,
        wallMsPerStep: t.wallMs / steps3d,
        cpuSecondsPerDay: cpuDay,
        wallSecondsPerDay: ((t.wallMs / steps3d) * STEPS_PER_DAY) / 1000,
        goalSeconds: 600,
        fieldsCpuSecondsPerDay: FIELDS_3D_CPU,
        shareOfBudget: (threads === 2 ? ((t.wallMs / steps3d) * STEPS_PER_DAY) / 1000 : cpuDay) / 600,
        listBuilds: m.listBuilds - b0,
        note: `${steps3d} steps timed after 60 warm-up steps, extrapolated to 14,400`,
      });
    }

for (const r of results) {
  const total = r.cpuSecondsPerDay + r.fieldsCpuSecondsPerDay;
  console.log(
    `${r.name} (${r.threads} thread${r.threads === 2 ? 's' : ''}): ${r.agents} agents, ${r.cpuMsPerStep.toFixed(3)} ms CPU / step (wall ${r.wallMsPerStep.toFixed(3)}, ${r.listBuilds} list builds), ` +
      `${r.cpuSecondsPerDay.toFixed(1)} s CPU, ${r.wallSecondsPerDay.toFixed(1)} s wall per day; ${r.threads === 2 ? 'wall' : 'CPU'} = ${(100 * r.shareOfBudget).toFixed(0)}% of ${r.goalSeconds.toFixed(1)} s; ` +
      `with fields (${r.fieldsCpuSecondsPerDay} s at dt 0.01 min): ${total.toFixed(1)} s = ${((100 * total) / r.goalSeconds).toFixed(0)}%`,
  );
}
if (worker) await worker.close();
const load = (await import('node:os')).loadavg()[0];
console.log(`1-min load average: ${load.toFixed(1)}`);
const json = `${JSON.stringify({ date: new Date().toISOString(), node: process.version, load, results }, null, 2)}\n`;
const out = opt('out', join(here, 'out', 'agents-latest.json'));
writeFileAtomic(out, json);
if (!args.includes('--out')) writeFileAtomic(join(here, 'out', `agents-${Date.now()}.json`), json);
