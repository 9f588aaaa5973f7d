/**
 * Two threads against one under load: the vessel test's two-thread configuration (test/spatial/vessels.test.ts,
 * "two threads give the same bits as one with a growing network": in vitro, 2D, mechanics on, no CXCL12, so the
 * agents move while the field worker steps the fields) run once on one thread, then `--runs` times on two, each
 * compared after every phenotype step (agent positions and every field, bit for bit). Prints the runs that differ
 * and where they first did. A rare race shows only with the machine loaded: run it beside `npx vitest run`.
 *
 *   npx tsx scripts/stress-spatial-threads.ts [--runs N] [--steps S]
 *
 * Session 8 (2026-11-27), 2 cores beside the test suite: before the late-notify fix (awaitGoWord,
 * src/numerics/util/go-word.ts) 3 of 700 runs differed; after it 0 of 1,000.
 */
import { loadKnowledgeBase } from '../src/knowledge/load.js';
import { SpatialNiche, type SpatialOptions } from '../src/spatial/model.js';
import { createParallelSpatial } from '../src/spatial/parallel.js';

const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const runs = Number(arg('--runs') ?? 20);
const steps = Number(arg('--steps') ?? 1000);
for (const [name, v] of [
  ['--runs', runs],
  ['--steps', steps],
] as const)
  if (!Number.isInteger(v) || v < 1) throw new RangeError(`${name}: expected an integer >= 1, got ${v}`);

const kb = loadKnowledgeBase();
const UM3_PER_ML = 1e12;
const base = { dims: 2, domain: { lo: [0, 0], hi: [600, 600] }, voxel: 20, seed: 12 } as const;
// The in-vitro exosome dose as the test holds it (particles per um^3).
const probe = new SpatialNiche(kb, { ...base, lscCapacity: 1 });
const held = (probe.params.invitroDose * probe.params.invitroParticlesPerUg) / UM3_PER_ML;
const options: SpatialOptions = {
  ...base,
  setting: 'in-vitro',
  lscCapacity: 100,
  normalCapacity: 3,
  mechanics: true,
  dtDiffusion: 1,
  dtMechanics: 1,
  dtPhenotype: 6,
  held: { cml: held, lsc: 0, bmsc: 0 },
  niche: { feedbacks: { 'il8-cxcr-retention': false, 'vcam1-cxcl12-retention': false } },
  vessels: {},
  immune: { scale: 0.5 },
};

/** The test's population: four rings of endothelial cells, LSCs, normal stem cells and T cells. */
function populate(sim: SpatialNiche): void {
  const d = 2 * sim.params.radius.endo;
  for (let k = 0; k < 4; k++)
    for (let m = 0; m < 6; m++)
      sim.addCell({
        type: 'endo',
        x: 100 + 130 * (k % 4) + d * Math.cos((Math.PI / 3) * m),
        y: 100 + 130 * Math.floor(k / 4) + d * Math.sin((Math.PI / 3) * m),
      });
  for (let k = 0; k < 20; k++) sim.addCell({ type: 'lsc', x: 60 + 25 * k, y: 400 + 10 * (k % 3) });
  for (let k = 0; k < 12; k++) sim.addCell({ type: 'normal', x: 70 + 30 * k, y: 480 });
  for (let k = 0; k < 5; k++) sim.addCell({ type: 'tcell', x: 90 + 40 * k, y: 420 });
}

const bits = new Float64Array(1);
const words = new Uint32Array(bits.buffer);
function hash(a: ArrayLike<number>, h = 0): number {
  for (let i = 0; i < a.length; i++) {
    bits[0] = a[i];
    h = (Math.imul(h, 31) + words[0]) | 0;
    h = (Math.imul(h, 31) + words[1]) | 0;
  }
  return h;
}

/** Per phenotype step: [hash of agent positions, hash of the fields]. */
function trace(sim: SpatialNiche): [number, number][] {
  const out: [number, number][] = [];
  for (let k = 0; k < steps; k++) {
    sim.step();
    const c = sim.agentColumns();
    out.push([hash(c.y, hash(c.x)), hash(sim.fields.data)]);
  }
  return out;
}

const one = new SpatialNiche(kb, options);
populate(one);
const reference = trace(one);
let differ = 0;
for (let r = 0; r < runs; r++) {
  const two = await createParallelSpatial(kb, options, 2);
  try {
    populate(two.sim);
    const t = trace(two.sim);
    const k = t.findIndex((v, i) => v[0] !== reference[i][0] || v[1] !== reference[i][1]);
    if (k >= 0) {
      differ++;
      process.stderr.write(
        `run ${r}: differs from phenotype step ${k + 1} (agents ${t[k][0] !== reference[k][0]}, fields ${t[k][1] !== reference[k][1]})\n`,
      );
    }
  } finally {
    await two.close();
  }
}
process.stdout.write(
  `${differ} of ${runs} two-thread runs differ from one thread (${steps} phenotype steps each)\n`,
);
process.exitCode = differ > 0 ? 1 : 0;
