/**
 * Child-process probe for the allocation test (mechanics.test.ts): run with `node --expose-gc --import tsx`. 300
 * motile agents in 3D with walls; warms the JIT up, then reports the heap growth over 2x10^4 steps without and
 * with a forced GC, as JSON on stdout (and the neighbour-list builds). One boxed double per step would be 320 kB; one per agent and step, 96 MB.
 */
import { AgentStore, Mechanics } from '../../../src/numerics/agents/index.js';
import { streamFor } from '../../../src/numerics/random/index.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('alloc-probe: run with node --expose-gc');
const s = new AgentStore({ dims: 3 });
const rng = streamFor(3, ['purpose', 'alloc-probe']);
for (let k = 0; k < 300; k++)
  s.add({
    x: 200 * rng.nextFloat64(),
    y: 200 * rng.nextFloat64(),
    z: 200 * rng.nextFloat64(),
    radius: 8,
    repulsion: 10,
    adhesion: 0.4,
    adhesionReach: 1.25,
    speed: 1,
    persistence: 2,
  });
// argument 'lists': with neighbour lists (skin 2 um; the default uses none at 0.3 agents per bin)
const lists = process.argv.includes('lists');
const m = new Mechanics(s, {
  domain: { lo: [0, 0, 0], hi: [200, 200, 200] },
  dt: 0.1,
  boundary: { kind: 'wall', strength: 100 },
  seed: 1,
  ...(lists ? { neighbourSkin: 2 } : {}),
});
m.run(5000);
// A full GC can drop maps that optimized code embedded (V8 then deoptimizes and recompiles it once): let that
// happen during the warm-up, not in the measured window.
gc();
m.run(5000);
gc();
const steps = 20_000;
const before = process.memoryUsage().heapUsed;
m.run(steps);
const grown = process.memoryUsage().heapUsed - before;
gc();
const retained = process.memoryUsage().heapUsed - before;
process.stdout.write(`${JSON.stringify({ steps, grown, retained, listBuilds: m.listBuilds })}\n`);
