/**
 * Child-process probe for the allocation test (solver.test.ts): run with `node --expose-gc --import tsx`. Warms
 * the JIT up, then reports the heap growth over 10^5 steps (with agent calls and bulk terms) without and with a
 * forced GC, and the same over 5 x 10^4 runs of ParallelFieldSolver on two threads (agent terms set, multirate,
 * a `during` callback), as JSON on stdout.
 */
import { Grid } from '../../../src/numerics/fields/grid.js';
import { ParallelFieldSolver } from '../../../src/numerics/fields/parallel.js';
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

// Two threads: terms copied in, one barrier per run of 2 steps, substrate 2 every 2 steps.
const par = await ParallelFieldSolver.create({
  grid: { shape: [6, 5, 4], spacing: 1 },
  substrates: [
    { name: 'a', diffusion: 1, decay: 0.1 },
    { name: 'b', diffusion: 0.2, decay: 0 },
    { name: 'c', diffusion: 0.5, decay: 0.5 },
  ],
  dt: 0.1,
  threads: 2,
  every: [1, 1, 2],
});
let moved = 0;
const during = () => {
  moved++;
};
const runs = (n: number) => {
  for (let i = 0; i < n; i++) {
    for (let s = 0; s < 3; s++) {
      par.setSources(s, voxels, rates, 3);
      par.setUptake(s, voxels, rates, 3);
    }
    par.run(2, during);
  }
};
runs(20_000);
gc();
const runCount = 50_000;
const before2 = process.memoryUsage().heapUsed;
runs(runCount);
const runGrown = process.memoryUsage().heapUsed - before2;
gc();
const runRetained = process.memoryUsage().heapUsed - before2;
await par.close();
process.stdout.write(
  `${JSON.stringify({ steps, grown, retained, runs: runCount, runGrown, runRetained, moved })}\n`,
);
