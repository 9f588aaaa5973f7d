import { afterAll, describe, expect, it } from 'vitest';
import { Grid, type GridOptions } from '../../../src/numerics/fields/grid.js';
import { ParallelFieldSolver } from '../../../src/numerics/fields/parallel.js';
import { FieldSolver, type SubstrateSpec } from '../../../src/numerics/fields/solver.js';
import { uniform } from '../../../src/numerics/random/samplers/continuous.js';
import { createStreamFactory } from '../../../src/numerics/random/stream.js';

const root = createStreamFactory(20261127).child({ purpose: 'test-fields-parallel' });

const gridOptions: GridOptions = { shape: [20, 18, 16], spacing: 20 };
const substrates: SubstrateSpec[] = [
  { name: 'oxygen', diffusion: 1e5, decay: 0.1, boundary: { xmin: { kind: 'dirichlet', value: 38 } } },
  { name: 'drug', diffusion: 3e4, decay: 0.01 },
  { name: 'il8', diffusion: 6e3, decay: 0.02, boundary: { zmax: { kind: 'dirichlet', value: 0.5 } } },
  { name: 'exosomes', diffusion: 300, decay: 0.002 },
  { name: 'bound', diffusion: 0, decay: 0.05, initial: 1 },
];

/** Same initial data, bulk terms and point sources on any solver of this grid. */
function drive(solver: FieldSolver, step: () => void, steps: number): void {
  const n = solver.grid.voxelCount;
  for (let s = 0; s < 4; s++) {
    const st = root.stream({ case: 'init', s });
    const u = solver.field(s);
    for (let v = 0; v < n; v++) u[v] = uniform(st, 0, 10);
  }
  const st = root.stream({ case: 'bulk' });
  const secretion = new Float64Array(n);
  const saturation = new Float64Array(n).fill(5);
  const uptake = new Float64Array(n);
  for (let v = 0; v < n; v++) {
    secretion[v] = uniform(st, 0, 0.1);
    uptake[v] = uniform(st, 0, 0.05);
  }
  solver.setBulk(2, { secretion, saturation, uptake });
  const voxels = Int32Array.of(3, 700, 4000, 5759);
  const rates = Float64Array.of(100, 20, 3, 50);
  for (let i = 0; i < steps; i++) {
    solver.addPointSources(3, voxels, rates, 4);
    solver.applyPointUptake(0, voxels, rates, 4);
    step();
  }
}

describe('ParallelFieldSolver', () => {
  const opened: ParallelFieldSolver[] = [];
  afterAll(async () => {
    for (const p of opened) await p.close();
  });

  it('two threads give the same bits as FieldSolver.step (5 substrates, bulk terms, point sources, Dirichlet)', async () => {
    const serial = new FieldSolver({ grid: new Grid(gridOptions), substrates, dt: 0.01 });
    drive(serial, () => serial.step(), 60);
    for (const threads of [1, 2] as const) {
      const par = await ParallelFieldSolver.create({ grid: gridOptions, substrates, dt: 0.01, threads });
      opened.push(par);
      expect(par.threads).toBe(threads);
      drive(par.solver, () => par.step(), 60);
      expect(par.solver.steps).toBe(60);
      for (let s = 0; s < substrates.length; s++) {
        const a = serial.field(s);
        const b = par.solver.field(s);
        let differing = 0;
        for (let v = 0; v < a.length; v++) if (!Object.is(a[v], b[v])) differing++;
        expect(differing, `substrate ${substrates[s].name}, ${threads} thread(s)`).toBe(0);
      }
    }
  });

  it('refuses to step after the time step was changed behind the worker', async () => {
    const par = await ParallelFieldSolver.create({ grid: gridOptions, substrates, dt: 0.01, threads: 2 });
    opened.push(par);
    par.step();
    par.solver.setTimeStep(0.02);
    expect(() => par.step()).toThrow(/setTimeStep was called/);
  });

  it('rejects a thread count other than 1 or 2', async () => {
    await expect(
      ParallelFieldSolver.create({ grid: gridOptions, substrates, dt: 0.01, threads: 3 as 2 }),
    ).rejects.toThrow(/threads must be 1 or 2, got 3/);
  });
});
