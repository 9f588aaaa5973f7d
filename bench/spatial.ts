/**
 * Spatial-niche benchmark (issue #11): the whole spatial model (src/spatial: fields, mechanics and the niche cell
 * rules) on a workload of PhysiCell's size, against the issue's goal.
 *
 * Workload (PhysiCell 1.14.2 heterogeneity sample's size and steps): a 2000 x 2000 um 2D domain with 20 um voxels,
 * about 900 agents (720 CML bulk cells packed in a disc around the centre with 150 LSCs among them, 20 fixed BMSCs
 * and 10 fixed endothelial cells around it), dt 0.01 min for the fields, 0.1 min for mechanics, 6 min for the
 * phenotype (cell rules). Fields: the three exosome pools (CML, LSC, BMSC donors) and the TKI (imatinib, uniform at
 * its standard regimen's average); `--oxygen` adds oxygen and the hypoxia-weighted CML cargo (six fields). The
 * simulated time is `--minutes` (default 60) after a warm-up, extrapolated to one day. Reference: PhysiCell takes
 * about 50 s of wall time per simulated day on 2 threads for its sample (one field); goal 50 / 3 = 16.7 s per day.
 *
 * `--dt-exosome 0.1` steps the three exosome fields every 0.1 min (multirate) while oxygen keeps 0.01 min. Two
 * threads split the mechanics (ParallelMechanics) and the fields (ParallelFieldSolver: substrates split, one
 * synchronisation per mechanics step, slow and fast fields balanced).
 *
 * `--physicell`: the PhysiCell-equivalent workload: the same domain, voxels and steps (0.01 / 0.1 / 6 min) and ONE
 * diffusing substrate, oxygen, consumed by every cell and held at the faces, as in PhysiCell's sample; exosomes off
 * (niche option `exosomes: false`: the exosome fields are held at zero and not stepped), no drug. 900 agents: 870
 * LSCs in a disc (every twelfth quiescent) that grow by division below their capacity, with 20 BMSCs and 10
 * endothelial cells around them (fixed); the count grows over the day (about 5 %) as PhysiCell's does.
 *
 * `--3d`: the issue's 3D niche instead: 100,000 agents (90 % CML, 9 % LSCs, 0.5 % BMSCs, 0.5 % endothelial cells,
 * random positions; volume fraction 0.4 with the KB radii) in 800 x 800 x 800 um with 20 um voxels, the three exosome fields and oxygen (four fields), goal
 * one simulated day in < 10 min on 2 cores.
 *
 * `--snapshot dir`: at the end of each run write `dir/agents-<threads>t.arrow` and `dir/fields-<threads>t.bin`
 * (src/spatial/snapshot.ts; written atomically).
 *
 * `--beside`: on two threads, every field on the field worker while the calling thread moves the agents alone
 * (createParallelSpatial mode 'beside'; pays when the fields cost more than the mechanics, as with --physicell).
 *
 * Usage: npx tsx bench/spatial.ts [--minutes 60] [--threads 1|2|both] [--oxygen] [--dt-exosome 0.01] [--physicell] [--beside] [--3d] [--snapshot dir] [--out file]
 * Writes bench/out/spatial-<time>.json and bench/out/spatial-latest.json (or --out).
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../src/io/atomic-write.js';
import { loadKnowledgeBase } from '../src/knowledge/load.js';
import { streamFor } from '../src/numerics/random/index.js';
import type { SpatialNiche, SpatialOptions } from '../src/spatial/model.js';
import { createParallelSpatial } from '../src/spatial/parallel.js';
import { drugAction } from '../src/spatial/params.js';
import { agentSnapshot, fieldSnapshot } from '../src/spatial/snapshot.js';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const k = args.indexOf(`--${name}`);
  return k >= 0 && k + 1 < args.length ? args[k + 1] : dflt;
};
const minutes = Number(opt('minutes', '60'));
const threadsArg = opt('threads', 'both');
const oxygen = args.includes('--oxygen');
const niche3d = args.includes('--3d');
const physicell = args.includes('--physicell');
// two threads: 'split' (mechanics and fields each split) or 'beside' (fields on the worker while this thread moves
// the agents; src/spatial/parallel.ts)
const mode = args.includes('--beside') ? 'beside' : 'split';
if (physicell && niche3d) throw new Error('bench/spatial: --physicell and --3d exclude each other');
const dtExosome = Number(opt('dt-exosome', '0.01'));
const GOAL = niche3d ? 600 : 50 / 3;
const kb = loadKnowledgeBase();

function options(): SpatialOptions {
  if (niche3d)
    return {
      dims: 3,
      domain: { lo: [0, 0, 0], hi: [800, 800, 800] },
      voxel: 20,
      seed: 2026,
      dtDiffusion: 0.01,
      dtMechanics: 0.1,
      dtPhenotype: 6,
      dtExosome,
      lscCapacity: 20000,
      // rows in cell-list order every phenotype step (neighbours close in memory; --no-sort to compare)
      sortRowsEvery: args.includes('--no-sort') ? 0 : 1,
      oxygen: { boundary: kb.parameter('spatial.oxygen.marrow_upper').value },
    };
  if (physicell)
    return {
      dims: 2,
      domain: { lo: [0, 0], hi: [2000, 2000] },
      voxel: 20,
      seed: 2026,
      dtDiffusion: 0.01,
      dtMechanics: 0.1,
      dtPhenotype: 6,
      // well above the 870 LSCs, so they keep dividing (logistic factor about 0.9)
      lscCapacity: 10_000,
      niche: { exosomes: false },
      oxygen: { boundary: kb.parameter('spatial.oxygen.marrow_upper').value },
    };
  return {
    dims: 2,
    domain: { lo: [0, 0], hi: [2000, 2000] },
    voxel: 20,
    seed: 2026,
    dtDiffusion: 0.01,
    dtMechanics: 0.1,
    dtPhenotype: 6,
    dtExosome,
    lscCapacity: 2000,
    drug: { name: 'imatinib', nM: drugAction(kb, 'imatinib').referenceNm },
    ...(oxygen ? { oxygen: { boundary: kb.parameter('spatial.oxygen.marrow_upper').value } } : {}),
  };
}

function populate2d(sim: SpatialNiche): void {
  // A disc of CML cells on a hexagonal lattice at about the two-cell spacing, every fifth one an LSC.
  const r = sim.params.radius.cml;
  const h = 1.9 * r;
  let placed = 0;
  for (let ring = 0; placed < 870; ring++) {
    for (let j = -ring; j <= ring && placed < 870; j++)
      for (let i = -ring; i <= ring && placed < 870; i++) {
        if (Math.max(Math.abs(i), Math.abs(j), Math.abs(i + j)) !== ring) continue;
        const x = 1000 + h * (i + j / 2);
        const y = 1000 + h * j * (Math.sqrt(3) / 2);
        const type = physicell || placed % 6 === 5 ? 'lsc' : 'cml';
        sim.addCell({ type, x, y, quiescent: placed % 12 === 11 });
        placed++;
      }
  }
  for (let k = 0; k < 20; k++) {
    const a = (2 * Math.PI * k) / 20;
    sim.addCell({ type: 'bmsc', x: 1000 + 330 * Math.cos(a), y: 1000 + 330 * Math.sin(a) });
  }
  for (let k = 0; k < 10; k++) {
    const a = (2 * Math.PI * (k + 0.5)) / 10;
    sim.addCell({ type: 'endo', x: 1000 + 450 * Math.cos(a), y: 1000 + 450 * Math.sin(a) });
  }
}

/** 100,000 agents at random positions (keyed stream 'bench-3d'), the BMSCs and endothelial cells among them. */
function populate3d(sim: SpatialNiche): void {
  const rng = streamFor(2026, ['purpose', 'bench-3d']);
  for (let k = 0; k < 100_000; k++) {
    const type = k % 200 === 0 ? 'bmsc' : k % 200 === 1 ? 'endo' : k % 11 === 0 ? 'lsc' : 'cml';
    sim.addCell({
      type,
      x: 10 + 780 * rng.nextFloat64(),
      y: 10 + 780 * rng.nextFloat64(),
      z: 10 + 780 * rng.nextFloat64(),
      quiescent: k % 22 === 0,
    });
  }
}

async function run(threads: 1 | 2) {
  const { sim, close } = await createParallelSpatial(kb, options(), threads, undefined, { mode });
  try {
    if (niche3d) populate3d(sim);
    else populate2d(sim);
    const agents = sim.store.count;
    sim.run(6); // warm-up: one phenotype step
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    sim.run(minutes);
    const wall = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(c0);
    const perDay = 1440 / minutes;
    const counts = sim.counts();
    const snap = opt('snapshot', '');
    if (snap) {
      writeFileAtomic(join(snap, `agents-${threads}t.arrow`), agentSnapshot(sim));
      writeFileAtomic(join(snap, `fields-${threads}t.bin`), fieldSnapshot(sim));
    }
    return {
      threads,
      dtExosome,
      agents,
      agentsAtEnd: sim.store.count,
      fields: sim.fields.substrateCount,
      simulatedMinutes: minutes,
      wallSecondsPerDay: wall * perDay,
      mainThreadCpuSecondsPerDay: ((cpu.user + cpu.system) / 1e6) * perDay,
      goalSeconds: GOAL,
      shareOfGoal: (wall * perDay) / GOAL,
      lsc: counts.lsc,
    };
  } finally {
    await close();
  }
}

const list: (1 | 2)[] = threadsArg === 'both' ? [1, 2] : [Number(threadsArg) as 1 | 2];
const results = [];
for (const t of list) {
  const r = await run(t);
  results.push(r);
  console.log(
    `${niche3d ? 'niche-3d' : physicell ? 'physicell-equivalent (oxygen only)' : 'physicell-2d-niche'}, ${r.fields} fields (${physicell ? 'only oxygen stepped' : `exosomes at dt ${dtExosome} min`}), ${r.agents} -> ${r.agentsAtEnd} agents, ${t} thread(s)${t === 2 ? ` (${mode})` : ''}: ` +
      `${r.wallSecondsPerDay.toFixed(1)} s wall per simulated day (main-thread CPU ${r.mainThreadCpuSecondsPerDay.toFixed(1)} s; ` +
      `goal ${GOAL.toFixed(1)} s: ${(100 * r.shareOfGoal).toFixed(0)} %)`,
  );
}
const out = opt('out', '');
const load = (await import('node:os')).loadavg()[0];
console.log(`1-min load average: ${load.toFixed(1)} (cores: ${(await import('node:os')).cpus().length})`);
const json = `${JSON.stringify({ bench: 'spatial', date: new Date().toISOString(), oxygen, physicell, niche3d, mode, load, results }, null, 2)}\n`;
if (out) writeFileAtomic(out, json);
else {
  writeFileAtomic(join(here, 'out', `spatial-${Date.now()}.json`), json);
  writeFileAtomic(join(here, 'out', 'spatial-latest.json'), json);
}
