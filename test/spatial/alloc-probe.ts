/**
 * Child-process probe for the allocation test (rules.test.ts): run with `node --expose-gc --import tsx`. A 2D niche
 * with every cell type, oxygen and a diffusing drug, no divisions or deaths possible (LSCs quiescent, activation
 * rare); prints the heap growth over 54,000 field and mechanics steps (900 phenotype steps) after a warm-up.
 */
import { loadKnowledgeBase } from '../../src/knowledge/load.js';
import { SpatialNiche } from '../../src/spatial/model.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('alloc-probe: run with node --expose-gc');
const kb = loadKnowledgeBase();
const sim = new SpatialNiche(kb, {
  dims: 2,
  domain: { lo: [0, 0], hi: [400, 400] },
  voxel: 20,
  seed: 3,
  dtDiffusion: 0.1,
  dtMechanics: 0.1,
  dtPhenotype: 6,
  lscCapacity: 1e6,
  oxygen: { boundary: 32 },
  drug: { name: 'imatinib', nM: 100, supply: 'boundary' },
});
for (let k = 0; k < 40; k++) sim.addCell({ type: 'cml', x: 20 + 9 * k, y: 100 });
for (let k = 0; k < 40; k++) sim.addCell({ type: 'lsc', x: 20 + 9 * k, y: 200, quiescent: true });
for (let k = 0; k < 5; k++) sim.addCell({ type: 'bmsc', x: 50 + 70 * k, y: 300 });
for (let k = 0; k < 5; k++) sim.addCell({ type: 'endo', x: 50 + 70 * k, y: 350 });
sim.run(600);
gc();
const h0 = process.memoryUsage().heapUsed;
sim.run(5400);
gc();
const h1 = process.memoryUsage().heapUsed;
process.stdout.write(JSON.stringify({ steps: 5400 / 0.1, grown: h1 - h0, agents: sim.store.count }));
