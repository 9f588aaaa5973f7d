import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Grid } from '../../../src/numerics/fields/grid.js';
import { FieldSolver, type SubstrateSpec } from '../../../src/numerics/fields/solver.js';
import { uniform } from '../../../src/numerics/random/samplers/continuous.js';
import { uniformInt } from '../../../src/numerics/random/samplers/discrete.js';
import { createStreamFactory } from '../../../src/numerics/random/stream.js';

const root = createStreamFactory(20261127).child({ purpose: 'test-fields-solver' });

function randomFill(u: Float64Array, key: string, lo = 0, hi = 1): void {
  const s = root.stream({ case: key });
  for (let v = 0; v < u.length; v++) u[v] = uniform(s, lo, hi);
}

describe('mass conservation and decay (zero-flux faces)', () => {
  it.each([
    [[50], 0.01],
    [[24, 17], 0.5],
    [[12, 9, 14], 0.05],
    [[12, 9, 14], 1e6],
  ])('grid %j, dt %f: total amount conserved to 1e-12 relative over 200 steps', (shape, dt) => {
    const grid = new Grid({ shape, spacing: 0.7 });
    const solver = new FieldSolver({ grid, dt, substrates: [{ name: 'u', diffusion: 3, decay: 0 }] });
    randomFill(solver.field(0), `mass-${shape.length}-${dt}`);
    const m0 = solver.totalAmount(0);
    solver.advance(200);
    // measured: <= 2e-13 (dt 1e6, r = D dt / h^2 ~ 6e6)
    expect(Math.abs(solver.totalAmount(0) / m0 - 1)).toBeLessThan(1e-12);
    expect(solver.time).toBeCloseTo(200 * dt, 12);
  });

  it('decay only: the total amount follows M0 exp(-lambda t) to 1e-13 relative, with or without diffusion', () => {
    for (const D of [0, 2]) {
      const grid = new Grid({ shape: [10, 11, 12], spacing: 1 });
      const lambda = 0.37;
      const dt = 0.1;
      const solver = new FieldSolver({ grid, dt, substrates: [{ name: 'u', diffusion: D, decay: lambda }] });
      randomFill(solver.field(0), `decay-${D}`);
      const m0 = solver.totalAmount(0);
      for (let n = 1; n <= 100; n++) {
        solver.step();
        const exact = m0 * Math.exp(-lambda * n * dt);
        expect(Math.abs(solver.totalAmount(0) / exact - 1)).toBeLessThan(1e-13);
      }
    }
  });
});

describe('Dirichlet faces', () => {
  it('2D, u = a on xmin and b on xmax, zero flux on y: the steady state is the linear profile, to 1e-12', () => {
    const a = 38;
    const b = 5;
    const grid = new Grid({ shape: [20, 7], spacing: [2, 3] });
    const solver = new FieldSolver({
      grid,
      dt: 1e3,
      substrates: [
        {
          name: 'oxygen',
          diffusion: 1,
          decay: 0,
          boundary: { xmin: { kind: 'dirichlet', value: a }, xmax: { kind: 'dirichlet', value: b } },
        },
      ],
    });
    randomFill(solver.field(0), 'dirichlet-2d', 0, 50);
    solver.advance(400);
    const u = solver.field(0);
    const X = grid.nx * grid.dx;
    for (let j = 0; j < grid.ny; j++) {
      for (let i = 0; i < grid.nx; i++) {
        const exact = a + ((b - a) * grid.centreX(i)) / X;
        expect(Math.abs(u[grid.index(i, j)] - exact)).toBeLessThan(1e-12 * a);
      }
      // Linear extrapolation of the two outer voxels to the faces gives the boundary values.
      const lo = 1.5 * u[grid.index(0, j)] - 0.5 * u[grid.index(1, j)];
      const hi = 1.5 * u[grid.index(grid.nx - 1, j)] - 0.5 * u[grid.index(grid.nx - 2, j)];
      expect(Math.abs(lo - a)).toBeLessThan(1e-11);
      expect(Math.abs(hi - b)).toBeLessThan(1e-11);
    }
  });

  it('3D, all six faces at g: every voxel relaxes to g; and a z-only Dirichlet pair gives a profile along z', () => {
    const g = 7.5;
    const faces = { kind: 'dirichlet', value: g } as const;
    const grid = new Grid({ shape: [6, 8, 10], spacing: 1 });
    const solver = new FieldSolver({
      grid,
      dt: 1,
      substrates: [
        {
          name: 'all',
          diffusion: 2,
          decay: 0,
          boundary: { xmin: faces, xmax: faces, ymin: faces, ymax: faces, zmin: faces, zmax: faces },
        },
        {
          name: 'z',
          diffusion: 2,
          decay: 0,
          boundary: { zmin: { kind: 'dirichlet', value: 1 }, zmax: { kind: 'dirichlet', value: 3 } },
        },
      ],
    });
    randomFill(solver.field(0), 'dirichlet-3d', 0, 20);
    randomFill(solver.field(1), 'dirichlet-3d-z', 0, 20);
    solver.advance(2000);
    for (const x of solver.field(0)) expect(Math.abs(x - g)).toBeLessThan(1e-10);
    const u = solver.field(1);
    for (let v = 0; v < u.length; v++) {
      const k = Math.floor(v / (grid.nx * grid.ny));
      expect(Math.abs(u[v] - (1 + (2 * grid.centreZ(k)) / 10))).toBeLessThan(1e-10);
    }
  });
});

describe('stability and positivity', () => {
  it('dt = 1e8 with Dirichlet faces, decay, bulk secretion and uptake: stays finite, >= 0 and within the data bounds', () => {
    const grid = new Grid({ shape: [9, 10, 11], spacing: 0.5 });
    const n = grid.voxelCount;
    const secretion = new Float64Array(n);
    const saturation = new Float64Array(n);
    const uptake = new Float64Array(n);
    randomFill(secretion, 'stab-S', 0, 1e3);
    randomFill(saturation, 'stab-sat', 0, 4);
    randomFill(uptake, 'stab-U', 0, 1e3);
    const solver = new FieldSolver({
      grid,
      dt: 1e8,
      substrates: [
        {
          name: 'u',
          diffusion: 50,
          decay: 1e-3,
          boundary: { xmin: { kind: 'dirichlet', value: 3 }, zmax: { kind: 'dirichlet', value: 0 } },
        },
      ],
    });
    solver.setBulk(0, { secretion, saturation, uptake });
    randomFill(solver.field(0), 'stab-u0', 0, 5);
    for (let i = 0; i < 50; i++) {
      solver.step();
      let lo = Number.POSITIVE_INFINITY;
      let hi = Number.NEGATIVE_INFINITY;
      for (const x of solver.field(0)) {
        lo = Math.min(lo, x);
        hi = Math.max(hi, x);
      }
      expect(lo).toBeGreaterThanOrEqual(0);
      expect(hi).toBeLessThanOrEqual(5);
    }
  });

  it('a negative spike is smoothed, never amplified (discrete maximum principle for any dt)', () => {
    for (const dt of [1e-3, 1, 1e4]) {
      const grid = new Grid({ shape: [15, 15], spacing: 1 });
      const solver = new FieldSolver({ grid, dt, substrates: [{ name: 'u', diffusion: 1, decay: 0 }] });
      const u = solver.field(0);
      u.fill(1);
      u[grid.index(7, 7)] = -4;
      for (let i = 0; i < 20; i++) {
        solver.step();
        expect(Math.min(...u)).toBeGreaterThanOrEqual(-4);
        expect(Math.max(...u)).toBeLessThanOrEqual(1 + 1e-14);
      }
    }
  });
});

describe('sources and sinks', () => {
  it('point sources: total amount = dt * steps * sum of rates, to 1e-13 relative (3D, zero flux, no decay)', () => {
    const grid = new Grid({ shape: [16, 12, 10], spacing: 20 });
    const solver = new FieldSolver({ grid, dt: 0.01, substrates: [{ name: 'u', diffusion: 1e5, decay: 0 }] });
    const count = 500;
    const s = root.stream({ case: 'point-sources' });
    const voxels = new Int32Array(count);
    const rates = new Float64Array(count);
    let total = 0;
    for (let a = 0; a < count; a++) {
      voxels[a] = uniformInt(s, grid.voxelCount);
      rates[a] = uniform(s, 0, 3);
      total += rates[a];
    }
    const steps = 300;
    for (let i = 0; i < steps; i++) {
      solver.addPointSources(0, voxels, rates, count);
      solver.step();
    }
    expect(Math.abs(solver.totalAmount(0) / (steps * 0.01 * total) - 1)).toBeLessThan(1e-13);
  });

  it('point uptake is backward Euler per agent and commutes: u_n = u0 / prod(1 + dt c_a / V)^n', () => {
    const grid = new Grid({ shape: [4, 4], spacing: 2 });
    const dt = 0.1;
    const solver = new FieldSolver({
      grid,
      dt,
      substrates: [{ name: 'u', diffusion: 0, decay: 0, initial: 2 }],
    });
    const voxels = Int32Array.of(5, 5, 9);
    const coefficients = Float64Array.of(1.2, 0.4, 3);
    for (let i = 0; i < 10; i++) {
      solver.applyPointUptake(0, voxels, coefficients, 3);
      solver.step();
    }
    const V = grid.voxelVolume;
    const u = solver.field(0);
    expect(u[5]).toBeCloseTo(2 / ((1 + (dt * 1.2) / V) * (1 + (dt * 0.4) / V)) ** 10, 14);
    expect(u[9]).toBeCloseTo(2 / (1 + (dt * 3) / V) ** 10, 14);
    expect(u[0]).toBe(2);
  });

  it('bulk secretion towards u* and uptake: first-order convergence to the exact ODE solution, limit S u*/(S + U)', () => {
    // du/dt = S (u* - u) - U u - lambda u, uniform in space: u(t) = u_inf + (u0 - u_inf) exp(-k t),
    // k = S + U + lambda, u_inf = S u* / k.
    const S = 2;
    const sat = 5;
    const U = 0.5;
    const lambda = 0.3;
    const u0 = 1;
    const k = S + U + lambda;
    const uInf = (S * sat) / k;
    const exact = uInf + (u0 - uInf) * Math.exp(-k);
    const errors = [0.01, 0.005].map((dt) => {
      const grid = new Grid({ shape: [5, 5], spacing: 1 });
      const n = grid.voxelCount;
      const solver = new FieldSolver({
        grid,
        dt,
        substrates: [{ name: 'u', diffusion: 1, decay: lambda, initial: u0 }],
      });
      solver.setBulk(0, {
        secretion: new Float64Array(n).fill(S),
        saturation: new Float64Array(n).fill(sat),
        uptake: new Float64Array(n).fill(U),
      });
      solver.advance(Math.round(1 / dt));
      const u = solver.field(0);
      for (const x of u) expect(Math.abs(x - u[0])).toBeLessThan(1e-13);
      return Math.abs(u[0] - exact);
    });
    expect(errors[0]).toBeLessThan(0.02);
    expect(errors[0] / errors[1]).toBeGreaterThan(1.9);
    expect(errors[0] / errors[1]).toBeLessThan(2.1);
    // and the long-time limit
    const grid = new Grid({ shape: [3], spacing: 1 });
    const solver = new FieldSolver({ grid, dt: 0.5, substrates: [{ name: 'u', diffusion: 1, decay: 0 }] });
    solver.setBulk(0, {
      secretion: new Float64Array(3).fill(S),
      saturation: new Float64Array(3).fill(sat),
      uptake: new Float64Array(3).fill(U),
    });
    solver.advance(200);
    for (const x of solver.field(0)) expect(Math.abs(x - (S * sat) / (S + U))).toBeLessThan(1e-12);
  });
});

describe('layout, independence, allocation', () => {
  const specs: SubstrateSpec[] = [
    { name: 'a', diffusion: 1, decay: 0.1, boundary: { ymax: { kind: 'dirichlet', value: 2 } } },
    { name: 'b', diffusion: 0.2, decay: 0 },
    { name: 'c', diffusion: 0, decay: 0.5, initial: 3 },
  ];

  it('substrates are independent: a 3-substrate solver equals three 1-substrate solvers bit for bit', () => {
    const grid = new Grid({ shape: [8, 9, 7], spacing: 1 });
    const buffer = new SharedArrayBuffer(3 * grid.voxelCount * 8);
    const all = new FieldSolver({ grid, dt: 0.3, substrates: specs, buffer });
    const single = specs.map((sp) => new FieldSolver({ grid, dt: 0.3, substrates: [sp] }));
    specs.forEach((sp, s) => {
      if (sp.initial === undefined) randomFill(all.field(s), `indep-${s}`);
      single[s].field(0).set(all.field(s));
    });
    expect(all.indexOf('b')).toBe(1);
    expect(all.field(1).byteOffset).toBe(grid.voxelCount * 8);
    all.advance(25);
    for (const one of single) one.advance(25);
    specs.forEach((_, s) => expect(all.field(s)).toEqual(single[s].field(0)));
    expect(new Float64Array(buffer)[grid.voxelCount + 5]).toBe(all.field(1)[5]);
  });

  it('step, the agent calls and two-thread runs allocate nothing: heap growth over 10^5 steps < 400 kB (< 4 bytes per step)', () => {
    // In a child process with --expose-gc: a GC before the run, none forced during it. A single boxed double per
    // step would grow the heap by 1.6 MB (found and fixed this way: a double stored in a field every step); the
    // ~0.1 MB seen without any per-step allocation is code from late JIT tiers.
    const probe = join(dirname(fileURLToPath(import.meta.url)), 'alloc-probe.ts');
    const res = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', probe], { encoding: 'utf8' });
    expect(res.status, res.stderr).toBe(0);
    const { steps, grown, retained, runs, runGrown, runRetained, moved } = JSON.parse(res.stdout) as {
      steps: number;
      grown: number;
      retained: number;
      runs: number;
      runGrown: number;
      runRetained: number;
      moved: number;
    };
    expect(steps).toBe(100_000);
    expect(grown).toBeLessThan(400_000);
    expect(retained).toBeLessThan(400_000);
    // ParallelFieldSolver.run on two threads with its agent terms (5 x 10^4 runs; one boxed double per run would be
    // 0.8 MB; measured 64-201 kB grown before a GC, 5-7 kB retained)
    expect(runs).toBe(50_000);
    expect(moved).toBe(70_000);
    expect(runGrown).toBeLessThan(400_000);
    expect(runRetained).toBeLessThan(100_000);
  });

  it('keeps time across a change of dt', () => {
    const solver = new FieldSolver({
      grid: new Grid({ shape: [3], spacing: 1 }),
      dt: 0.25,
      substrates: [specs[1]],
    });
    solver.advance(4);
    solver.setTimeStep(0.1);
    solver.advance(5);
    expect(solver.time).toBeCloseTo(1.5, 14);
    expect(solver.steps).toBe(9);
  });
});

describe('bad input', () => {
  const grid2 = new Grid({ shape: [4, 4], spacing: 1 });
  const ok = { name: 'u', diffusion: 1, decay: 0 };
  it('names the substrate, the field and what was expected', () => {
    expect(() => new FieldSolver({ grid: grid2, dt: 0, substrates: [ok] })).toThrow(
      /dt must be a finite number > 0/,
    );
    expect(() => new FieldSolver({ grid: grid2, dt: 1, substrates: [] })).toThrow(/non-empty array/);
    expect(() => new FieldSolver({ grid: grid2, dt: 1, substrates: [{ ...ok, diffusion: -1 }] })).toThrow(
      /substrate 0 \("u"\): 'diffusion' must be a finite number >= 0, got -1/,
    );
    expect(
      () => new FieldSolver({ grid: grid2, dt: 1, substrates: [ok, { ...ok, decay: Number.NaN }] }),
    ).toThrow(/substrate 1 \("u"\): 'name' must be unique/);
    expect(
      () =>
        new FieldSolver({
          grid: grid2,
          dt: 1,
          substrates: [{ ...ok, boundary: { zmin: { kind: 'dirichlet', value: 1 } } }],
        }),
    ).toThrow(/'boundary.zmin' must be a face of a 2D grid/);
    expect(
      () =>
        new FieldSolver({
          grid: grid2,
          dt: 1,
          substrates: [{ ...ok, boundary: { xmax: { kind: 'dirichlet', value: Number.POSITIVE_INFINITY } } }],
        }),
    ).toThrow(/'boundary.xmax.value' must be a finite number/);
    const solver = new FieldSolver({ grid: grid2, dt: 1, substrates: [ok] });
    expect(() => solver.indexOf('oxygen')).toThrow(/no substrate named "oxygen" \(have u\)/);
    expect(() => solver.field(3)).toThrow(/substrate index 3 out of range/);
    expect(() => solver.addPointSources(0, Int32Array.of(2, 16), Float64Array.of(1, 1), 2)).toThrow(
      /agent 1: voxel must be an integer in 0..15 .* got voxel 16/,
    );
    expect(() => solver.applyPointUptake(0, Int32Array.of(2), Float64Array.of(-1), 1)).toThrow(
      /agent 0.*rate -1/,
    );
    expect(() => solver.setBulk(0, { uptake: new Float64Array(3) })).toThrow(
      /'bulk.uptake' must be a Float64Array of length 16/,
    );
    expect(() => solver.setBulk(0, { secretion: new Float64Array(16) })).toThrow(/secretion and saturation/);
  });
});
