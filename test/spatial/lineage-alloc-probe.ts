/**
 * Child-process probe for lineage.test.ts (run with `node --expose-gc --import tsx`): the progenitor rule and the
 * y2 / y3 integration (in vivo, 400 progenitors, no LSCs, so no births) and the cell-line rule (in vitro, 400 cells
 * above their capacity, so no divisions, imatinib kills some); prints the heap growth over 900 phenotype steps each
 * after a warm-up. Births allocate (a new agent and its stream key), as every division does.
 */
import { loadKnowledgeBase } from '../../src/knowledge/load.js';
import { SpatialNiche, type SpatialOptions } from '../../src/spatial/model.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('lineage-alloc-probe: run with node --expose-gc');
const kb = loadKnowledgeBase();
const base: SpatialOptions = {
  dims: 2,
  domain: { lo: [0, 0], hi: [400, 400] },
  voxel: 20,
  seed: 3,
  mechanics: false,
  dtDiffusion: 6,
  dtMechanics: 6,
  dtPhenotype: 6,
  lscCapacity: 100,
  drug: { name: 'imatinib', nM: 100 },
};
const vivo = new SpatialNiche(kb, { ...base, lineage: { y2: 1000 } });
const vitro = new SpatialNiche(kb, { ...base, setting: 'in-vitro', cmlCycle: { capacity: 100 } });
for (const sim of [vivo, vitro]) {
  for (let k = 0; k < 400; k++)
    sim.addCell({ type: 'cml', x: 10 + (k % 20) * 19, y: 10 + Math.floor(k / 20) * 19 });
  for (let k = 0; k < 4; k++) sim.addCell({ type: 'bmsc', x: 50 + 90 * k, y: 200 });
}
const out: Record<string, number> = {};
for (const [name, sim] of [
  ['vivo', vivo],
  ['vitro', vitro],
] as const) {
  sim.run(600);
  gc();
  const h0 = process.memoryUsage().heapUsed;
  const n0 = sim.store.count;
  sim.run(5400);
  gc();
  out[`${name}Grown`] = process.memoryUsage().heapUsed - h0;
  out[`${name}Lost`] = n0 - sim.store.count;
  out[`${name}Steps`] = 5400 / 6;
}
process.stdout.write(JSON.stringify(out));
