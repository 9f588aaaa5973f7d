/**
 * Child-process probe for the allocation test (solver.test.ts): run with `node --expose-gc --import tsx`. Warms
 * the JIT up, then reports the heap growth over 10^5 steps (with agent calls and bulk terms) without and with a
 * forced GC, as JSON on stdout.
 */
import { Grid } from '../../../src/numerics/fields/grid.js';
import { FieldSolver } from '../../../src/numerics/fields/solver.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('alloc-probe: run with node --expose-gc');
const grid = new Grid({ shape: [6, 5, 4], spacing: 1 });
const n = grid.voxelCount;
const solver = new FieldSolver({
  grid,
  dt: 0.1,
  substrates: [
    { name: 'a', diffusion: 1, decay: 0.1, boundary: { ymax: { kind: 'dirichlet', value: 2 } } },
    { name: 'b', diffusion: 0.2, decay: 0 },
    { name: 'c', diffusion: 0, decay: 0.5, initial: 3 },
  ],
});
solver.setBulk(1, { secretion: new Float64Array(n).fill(1), saturation: new Float64Array(n).fill(2) });
solver.setBulk(2, { uptake: new Float64Array(n).fill(0.1) });
const voxels = Int32Array.of(0, 7, 33);
const rates = Float64Array.of(1, 2, 3);
const run = (steps: number) => {
  for (let i = 0; i < steps; i++) {
    solver.addPointSources(0, voxels, rates, 3);
    solver.applyPointUptake(1, voxels, rates, 3);
    solver.step();
  }
};
run(50_000);
gc();
const steps = 100_000;
const before = process.memoryUsage().heapUsed;
run(steps);
const grown = process.memoryUsage().heapUsed - before;
gc();
const retained = process.memoryUsage().heapUsed - before;
process.stdout.write(`${JSON.stringify({ steps, grown, retained })}\n`);
