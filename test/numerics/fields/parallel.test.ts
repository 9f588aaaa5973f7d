import { afterAll, describe, expect, it } from 'vitest';
import { Grid, type GridOptions } from '../../../src/numerics/fields/grid.js';
import { FIELD_CTRL, ParallelFieldSolver } from '../../../src/numerics/fields/parallel.js';
import {
  type FieldRunner,
  FieldSolver,
  SerialFieldRunner,
  type SubstrateSpec,
} from '../../../src/numerics/fields/solver.js';
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

/** Random initial data in every substrate that diffuses (the same on any solver of this grid). */
function initialise(solver: FieldSolver): void {
  const n = solver.grid.voxelCount;
  for (let s = 0; s < 4; s++) {
    const st = root.stream({ case: 'init', s });
    const u = solver.field(s);
    for (let v = 0; v < n; v++) u[v] = uniform(st, 0, 10);
  }
}

/** Agent terms: `count` random agents per substrate, sources into 1..4, uptake from 0 and 1. */
function agentTerms(count: number, seed: number) {
  const st = root.stream({ case: 'agents', seed, count });
  const n = 20 * 18 * 16;
  const voxels = Int32Array.from({ length: count }, () => Math.floor(uniform(st, 0, n)));
  const rates = Float64Array.from({ length: count }, () => uniform(st, 0, 100));
  const coefficients = Float64Array.from({ length: count }, () => uniform(st, 0, 2000));
  return { voxels, rates, coefficients, count };
}

/**
 * The reference for runs of k steps: the step-by-step sequence of one thread with the agent calls before each step;
 * a substrate with every[s] = e > 1 takes its sources and its step from a solver of step e dt at every e-th step.
 * `held`: substrates that are not advanced.
 */
function stepByStep(
  solver: FieldSolver,
  every: readonly number[],
  held: ReadonlySet<number>,
  runs: readonly { k: number; terms: ReturnType<typeof agentTerms> }[],
): void {
  const slow = new Map<number, FieldSolver>();
  for (const e of every)
    if (e > 1 && !slow.has(e))
      slow.set(
        e,
        new FieldSolver({
          grid: solver.grid,
          substrates,
          dt: solver.dt * e,
          buffer: solver.data.buffer,
          keepBufferContents: true,
        }),
      );
  for (const { k, terms } of runs) {
    for (let i = 0; i < k; i++) {
      for (let s = 0; s < substrates.length; s++) {
        if (held.has(s)) continue;
        const e = every[s];
        if (e > 1 && i % e !== e - 1) continue;
        const f = e > 1 ? (slow.get(e) as FieldSolver) : solver;
        // sources into substrates 1..4, uptake by substrates 0 and 1 (as runAll below)
        if (s >= 1) f.addPointSources(s, terms.voxels, terms.rates, terms.count);
        if (s <= 1) f.applyPointUptake(s, terms.voxels, terms.coefficients, terms.count);
        if (e === 1) f.applyBulk(s);
        f.diffuse(s);
      }
      solver.tick();
    }
  }
}

/** The same runs through a FieldRunner: terms given once per run, then run(k). */
function runAll(
  runner: FieldRunner,
  runs: readonly { k: number; terms: ReturnType<typeof agentTerms> }[],
): void {
  const none = new Int32Array(0);
  const zero = new Float64Array(0);
  for (const { k, terms } of runs) {
    for (let s = 0; s < substrates.length; s++) {
      if (s >= 1) runner.setSources(s, terms.voxels, terms.rates, terms.count);
      else runner.setSources(s, none, zero, 0);
      if (s <= 1) runner.setUptake(s, terms.voxels, terms.coefficients, terms.count);
      else runner.setUptake(s, none, zero, 0);
    }
    runner.run(k);
  }
}

function differing(a: FieldSolver, b: FieldSolver): string[] {
  const bad: string[] = [];
  for (let s = 0; s < substrates.length; s++) {
    const x = a.field(s);
    const y = b.field(s);
    let d = 0;
    for (let v = 0; v < x.length; v++) if (!Object.is(x[v], y[v])) d++;
    if (d > 0) bad.push(`${substrates[s].name}: ${d} voxels`);
  }
  return bad;
}

/** Runs of 10 steps (a mechanics step at dt 0.01 / 0.1 min) with the agents growing past the first capacity. */
const RUNS = [
  { k: 10, terms: agentTerms(5, 1) },
  { k: 10, terms: agentTerms(40, 2) },
  { k: 20, terms: agentTerms(300, 3) },
  { k: 10, terms: agentTerms(7, 4) },
];

describe('ParallelFieldSolver', () => {
  const opened: ParallelFieldSolver[] = [];
  afterAll(async () => {
    for (const p of opened) await p.close();
  });
  /** Every substrate on the worker (split 'worker'), initialised; closed after the suite. */
  const onWorker = async () => {
    const par = await ParallelFieldSolver.create({
      grid: gridOptions,
      substrates,
      dt: 0.01,
      threads: 2,
      split: 'worker',
    });
    opened.push(par);
    initialise(par.solver);
    return par;
  };

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

  it('run(k) with held agent terms equals k single steps bit for bit (serial and parallel, 1 and 2 threads)', async () => {
    const every = [1, 1, 1, 1, 1];
    const ref = new FieldSolver({ grid: new Grid(gridOptions), substrates, dt: 0.01 });
    initialise(ref);
    stepByStep(ref, every, new Set(), RUNS);
    expect(ref.steps).toBe(50);
    // the runs changed every substrate (the comparison can fail)
    const start = new FieldSolver({ grid: new Grid(gridOptions), substrates, dt: 0.01 });
    initialise(start);
    expect(differing(ref, start).length).toBe(5);

    const serial = new SerialFieldRunner(
      new FieldSolver({ grid: new Grid(gridOptions), substrates, dt: 0.01 }),
    );
    initialise(serial.solver);
    runAll(serial, RUNS);
    expect(differing(ref, serial.solver)).toEqual([]);
    expect(serial.solver.steps).toBe(50);
    for (const threads of [1, 2] as const) {
      const par = await ParallelFieldSolver.create({ grid: gridOptions, substrates, dt: 0.01, threads });
      opened.push(par);
      initialise(par.solver);
      runAll(par, RUNS);
      expect(differing(ref, par.solver), `${threads} thread(s)`).toEqual([]);
      expect(par.solver.steps).toBe(50);
      // two threads: the four diffusing substrates two and two (largest first, ties to the calling thread), the
      // non-diffusing one (a tenth of the work) with them; one thread: all on the calling thread
      const owners = substrates.map((_, s) => par.ownerOf(s));
      expect(owners).toEqual(threads === 2 ? [0, 1, 0, 1, 0] : [0, 0, 0, 0, 0]);
    }
  });

  it('multirate (every 10 for two substrates) and frozen substrates: run(k) equals the step-by-step sequence', async () => {
    // exosome-like fields every 10 steps, the rest every step; 'drug' frozen (held by its owner)
    const every = [1, 1, 1, 10, 10];
    const held = new Set([1]);
    const runs = RUNS;
    const ref = new FieldSolver({ grid: new Grid(gridOptions), substrates, dt: 0.01 });
    initialise(ref);
    // bulk terms need every = 1: none here (substrate 2's bulk is tested above)
    stepByStep(ref, every, held, runs);
    for (const make of [
      async () =>
        new SerialFieldRunner(new FieldSolver({ grid: new Grid(gridOptions), substrates, dt: 0.01 }), every),
      async () => ParallelFieldSolver.create({ grid: gridOptions, substrates, dt: 0.01, threads: 2, every }),
    ]) {
      const runner = await make();
      if (runner instanceof ParallelFieldSolver) opened.push(runner);
      initialise(runner.solver);
      const frozenBefore = runner.solver.field(1).slice();
      runner.setFrozen(1, true);
      runAll(runner, runs);
      expect(differing(ref, runner.solver)).toEqual([]);
      expect(runner.solver.field(1)).toEqual(frozenBefore);
      if (runner instanceof ParallelFieldSolver) {
        // work per base step: 1, 1 (oxygen, il8), 0.1 and 0.01 (exosomes, bound: every 10): the fast ones on
        // either side, the slow ones one each; the frozen one on neither
        expect(substrates.map((_, s) => runner.ownerOf(s))).toEqual([0, -1, 1, 0, 1]);
      }
    }
    // a run that is not a whole number of slow steps is refused
    const r = new SerialFieldRunner(
      new FieldSolver({ grid: new Grid(gridOptions), substrates, dt: 0.01 }),
      every,
    );
    expect(() => r.run(5)).toThrow(/5 steps are not a whole number of steps of substrate 3 \(every 10\)/);
  });

  it("split 'worker': every substrate on the worker while `during` runs on the calling thread; same bits", async () => {
    const every = [1, 1, 1, 1, 1];
    const ref = new FieldSolver({ grid: new Grid(gridOptions), substrates, dt: 0.01 });
    initialise(ref);
    stepByStep(ref, every, new Set(), RUNS);
    const par = await onWorker();
    let calls = 0;
    const during = () => {
      calls++;
    };
    const none = new Int32Array(0);
    const zero = new Float64Array(0);
    for (const { k, terms } of RUNS) {
      for (let s = 0; s < substrates.length; s++) {
        par.setSources(
          s,
          s >= 1 ? terms.voxels : none,
          s >= 1 ? terms.rates : zero,
          s >= 1 ? terms.count : 0,
        );
        par.setUptake(
          s,
          s <= 1 ? terms.voxels : none,
          s <= 1 ? terms.coefficients : zero,
          s <= 1 ? terms.count : 0,
        );
      }
      par.run(k, during);
    }
    expect(calls).toBe(RUNS.length);
    expect(differing(ref, par.solver)).toEqual([]);
    expect(substrates.map((_, s) => par.ownerOf(s))).toEqual([1, 1, 1, 1, 1]);
    // the serial runner calls `during` after its steps
    const serial = new SerialFieldRunner(
      new FieldSolver({ grid: new Grid(gridOptions), substrates, dt: 0.01 }),
    );
    let seen = -1;
    serial.run(3, () => {
      seen = serial.solver.steps;
    });
    expect(seen).toBe(3);
  });

  it('a late notify of a run already done does not step the fields again', async () => {
    // The calling thread, descheduled between storing the go word and notifying it, can notify after the worker
    // has done the run and waits again: the worker must wait for the word to change, not for the wake-up.
    const par = await onWorker();
    runAll(par, RUNS.slice(0, 1));
    expect(substrates.map((_, s) => par.ownerOf(s))).toEqual([1, 1, 1, 1, 1]);
    const before = Float64Array.from(par.solver.data);
    const control = par.control;
    const done = Atomics.load(control, FIELD_CTRL.DONE);
    await new Promise((r) => setTimeout(r, 50));
    expect(Atomics.notify(control, FIELD_CTRL.GO)).toBe(1);
    await new Promise((r) => setTimeout(r, 200));
    expect(Atomics.load(control, FIELD_CTRL.DONE)).toBe(done);
    let changed = 0;
    for (let v = 0; v < before.length; v++) if (!Object.is(before[v], par.solver.data[v])) changed++;
    expect(changed).toBe(0);
    runAll(par, RUNS.slice(1, 2));
    expect(Atomics.load(control, FIELD_CTRL.DONE)).toBe(done + 1);
  });

  it('bulk terms stay on the calling thread in run(k); the same bits as step by step', async () => {
    const n = new Grid(gridOptions).voxelCount;
    const bulk = { secretion: new Float64Array(n).fill(0.05), saturation: new Float64Array(n).fill(5) };
    const every = [1, 1, 1, 1, 1];
    const ref = new FieldSolver({ grid: new Grid(gridOptions), substrates, dt: 0.01 });
    initialise(ref);
    ref.setBulk(3, bulk);
    stepByStep(ref, every, new Set(), RUNS);
    const par = await ParallelFieldSolver.create({ grid: gridOptions, substrates, dt: 0.01, threads: 2 });
    opened.push(par);
    initialise(par.solver);
    par.solver.setBulk(3, bulk);
    runAll(par, RUNS);
    expect(differing(ref, par.solver)).toEqual([]);
    expect(par.ownerOf(3)).toBe(0);
  });

  it("a bad agent voxel on the worker's side is reported with the solver's message", async () => {
    const par = await ParallelFieldSolver.create({ grid: gridOptions, substrates, dt: 0.01, threads: 2 });
    opened.push(par);
    par.run(1);
    const bad = Int32Array.of(3, 10 ** 7);
    const rates = Float64Array.of(1, 1);
    // only substrate 3 (the worker's) gets the bad voxel
    expect(par.ownerOf(3)).toBe(1);
    par.setSources(3, bad, rates, 2);
    expect(() => par.run(1)).toThrow(
      /the worker failed: RangeError: FieldSolver.addPointSources: substrate 3, agent 1: voxel must be an integer in 0..5759/,
    );
    // the worker is usable again after the terms are fixed
    par.setSources(3, bad, rates, 1);
    par.run(1);
    expect(() => par.setSources(0, bad, rates, 3)).toThrow(/count must be an integer in 0..2, got 3/);
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
