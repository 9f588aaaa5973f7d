import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { loadKnowledgeBase } from '../../src/knowledge/load.js';
import { loadReferenceModel } from '../../src/knowledge/reference-models.js';
import { type CompiledModel, compileModel } from '../../src/models/compile/compile.js';
import { prepareSimulation } from '../../src/models/prepared-simulation.js';
import { simulateModel } from '../../src/models/simulate.js';
import { amt, comp, event, ex, model, par, rxn } from './compile/helpers.js';

const kb = loadKnowledgeBase();
const METHODS = ['auto', 'Rodas5P', 'Tsit5', 'BDF'] as const;
const TOL = { rtol: 1e-8, atol: 1e-10 } as const;

/** Parameter vector: p0 with the given entries replaced (by id). */
function pWith(c: CompiledModel, changes: Record<string, number>): Float64Array {
  const p = c.p0.slice();
  for (const [id, v] of Object.entries(changes)) {
    const j = c.parameterIds.indexOf(id);
    if (j < 0) throw new Error(`test: unknown parameter ${id}`);
    p[j] = v;
  }
  return p;
}

/**
 * Runs one prepared simulation over every parameter set and compares each run bit-for-bit with
 * simulateModel(params = the set) at the post-event row of each requested time.
 */
function expectIdentical(
  c: CompiledModel,
  method: string,
  sets: readonly Record<string, number>[],
  saveat: Float64Array,
  observables: readonly string[],
  tStart = 0,
): void {
  const sim = prepareSimulation(c, { observables, method, ...TOL, maxSteps: 1e6 });
  const no = observables.length;
  const out = new Float64Array(saveat.length * no);
  for (const params of sets) {
    const code = sim.run(pWith(c, params), saveat, out, tStart);
    const tc = simulateModel(c, {
      tStart,
      tEnd: saveat[saveat.length - 1],
      saveat,
      params,
      method,
      ...TOL,
      maxSteps: 1e6,
    });
    expect(code).toBe(tc.retcode);
    expect(code).toBe('Success');
    expect(sim.method).toBe(tc.method);
    expect({ ...sim.stats }).toEqual(tc.stats);
    expect(sim.eventCount).toBe(tc.events.length);
    const m = tc.ids.length;
    let row = 0;
    for (let k = 0; k < saveat.length; k++) {
      while (tc.time[row] < saveat[k]) row++;
      while (row + 1 < tc.time.length && tc.time[row + 1] === saveat[k]) row++;
      for (let q = 0; q < no; q++) {
        const ref = tc.values[row * m + tc.ids.indexOf(observables[q])];
        const got = out[k * no + q];
        if (!Object.is(got, ref))
          expect.fail(
            `${method} ${JSON.stringify(params)} t=${saveat[k]} ${observables[q]}: ${got} !== ${ref}`,
          );
      }
    }
  }
}

const grid = (t1: number, count: number): Float64Array =>
  Float64Array.from({ length: count + 1 }, (_, k) => (k * t1) / count);

describe('prepareSimulation: bit-identical to simulateModel', () => {
  for (const patient of [1, 2, 3, 4, 5]) {
    it(`hahnel2020 patient ${patient} (t_stop event), every method`, () => {
      const c = compileModel(loadReferenceModel('hahnel2020', { patient, kb }).model);
      const pad = String(patient).padStart(2, '0');
      const tStop = kb.parameter(`hahnel2020.patient${pad}.t_stop`).value;
      const p0 = (id: string) => c.p0[c.parameterIds.indexOf(id)];
      const sets: Record<string, number>[] = [
        {},
        { py: 1.2 * p0('py'), e_tki: 0.8 * p0('e_tki') },
        { t_stop: 0.5 * tStop, Y_init: 2 * p0('Y_init') },
        {},
      ];
      // saveat includes t_stop itself: the row there is the post-event one
      const saveat = Float64Array.from(new Set([...grid(tStop + 36, 24), tStop, 0.5 * tStop])).sort();
      for (const method of METHODS) expectIdentical(c, method, sets, saveat, ['bcr_abl_percent', 'Y', 'tki']);
    });
  }

  it('michor2005 (treatment events at t = 0 and at a stop time)', () => {
    const c = compileModel(loadReferenceModel('michor2005', { kb }).model);
    const sets: Record<string, number>[] = [
      {},
      { t_imatinib_stop: 300, ry: 0.0088 },
      { t_imatinib_start: 30 },
    ];
    const saveat = grid(600, 20);
    for (const method of METHODS) expectIdentical(c, method, sets, saveat, ['bcr_abl', 'imatinib']);
  });

  it('fassoni2018 (dose change event), every method, with a start time after 0', () => {
    const c = compileModel(loadReferenceModel('fassoni2018', { kb }).model);
    const sets: Record<string, number>[] = [{}, { t_dose_change: 24, f_new: 0.3 }, { py: 0.3 }];
    const saveat = Float64Array.from(grid(120, 30), (t) => t + 2);
    for (const method of METHODS) expectIdentical(c, method, sets, saveat, ['bcr_abl', 'f'], 2);
  });

  it('a model compiled without a Jacobian (difference Jacobians in Rodas5P and BDF)', () => {
    const c = compileModel(loadReferenceModel('fassoni2018', { kb }).model, { noJacobian: true });
    const sets: Record<string, number>[] = [{ t_dose_change: 30 }, { py: 0.25 }];
    for (const method of ['Rodas5P', 'BDF', 'auto'])
      expectIdentical(c, method, sets, grid(96, 24), ['bcr_abl']);
  });

  it('an initial event that changes the state at tStart reports the post-event row', () => {
    const c = compileModel(
      model({
        compartments: [comp('c', 1)],
        species: [amt('A', 'c', 1)],
        parameters: [par('k', 0.3), par('k2', 0.3, { constant: false })],
        reactions: [rxn('decay', [['A', 1]], [], 'k2 * A')],
        events: [
          event('bump', 'geq(time, 0)', [
            ['A', '2'],
            ['k2', '2 * k'],
          ]),
        ],
      }),
    );
    const saveat = Float64Array.of(0, 0.5, 1, 2);
    for (const method of METHODS) expectIdentical(c, method, [{}, { k: 0.5 }], saveat, ['A', 'k2']);
    const sim = prepareSimulation(c, { observables: ['A', 'k2'] });
    const out = new Float64Array(8);
    sim.run(c.p0, saveat, out);
    expect(out[0]).toBe(2);
    expect(out[1]).toBe(0.6);
    expect(Math.abs(out[6] - 2 * Math.exp(-1.2))).toBeLessThan(1e-5);
  });

  it('two prepared simulations of one compiled model share no state', () => {
    const c = compileModel(loadReferenceModel('hahnel2020', { patient: 2, kb }).model);
    const saveat = grid(120, 12);
    const a = prepareSimulation(c, { observables: ['bcr_abl'], ...TOL });
    const b = prepareSimulation(c, { observables: ['bcr_abl'], ...TOL });
    const pa = pWith(c, { t_stop: 40 });
    const pb = pWith(c, { py: 1.3 * c.p0[c.parameterIds.indexOf('py')] });
    const outA = new Float64Array(saveat.length);
    const outB = new Float64Array(saveat.length);
    const alone = new Float64Array(saveat.length);
    prepareSimulation(c, { observables: ['bcr_abl'], ...TOL }).run(pa, saveat, alone);
    a.run(pa, saveat, outA);
    b.run(pb, saveat, outB);
    a.run(pa, saveat, outA);
    expect(Array.from(outA)).toEqual(Array.from(alone));
    expect(outB[12]).not.toBe(outA[12]);
  });

  it('keep: an override equal to p0 still wins over its initial assignment', () => {
    // Y_init = 2 * X_init by an initial assignment; with keep, Y_init keeps the vector's value even when
    // X_init changes and Y_init is left at p0 (simulateModel with params {X_init, Y_init}).
    const m = model({
      compartments: [comp('c', 1)],
      species: [amt('Y', 'c', 0)],
      parameters: [par('X_init', 3), par('Y_init', 0), par('k', 0.5)],
      initialAssignments: [
        { symbol: 'Y_init', math: ex('2 * X_init') },
        { symbol: 'Y', math: ex('Y_init') },
      ],
      reactions: [rxn('decay', [['Y', 1]], [], 'k * Y')],
    });
    const c = compileModel(m);
    const yInit0 = c.p0[c.parameterIds.indexOf('Y_init')];
    expect(yInit0).toBe(6);
    const saveat = Float64Array.of(0, 1, 2);
    const out = new Float64Array(3);
    const withKeep = prepareSimulation(c, { observables: ['Y'], keep: ['Y_init'] });
    expect(withKeep.run(pWith(c, { X_init: 5 }), saveat, out)).toBe('Success');
    expect(out[0]).toBe(6);
    expect(Math.abs(out[2] - 6 * Math.exp(-1))).toBeLessThan(1e-5);
    const ref = simulateModel(c, { tEnd: 2, saveat, params: { X_init: 5, Y_init: 6 } });
    expect(Array.from(out)).toEqual(Array.from(ref.column('Y')));
    const noKeep = prepareSimulation(c, { observables: ['Y'] });
    noKeep.run(pWith(c, { X_init: 5 }), saveat, out);
    expect(out[0]).toBe(10);
  });
});

describe('prepareSimulation: errors and failures', () => {
  const c = compileModel(loadReferenceModel('fassoni2018', { kb }).model);

  it('names the bad input', () => {
    expect(() => prepareSimulation(c, { observables: ['nope'] })).toThrow(/unknown observable 'nope'/);
    expect(() => prepareSimulation(c, { observables: [] })).toThrow(/at least one observable/);
    expect(() => prepareSimulation(c, { observables: ['Y'], keep: ['q'] })).toThrow(
      /keep: unknown parameter 'q'/,
    );
    const sim = prepareSimulation(c, { observables: ['Y'] });
    const out = new Float64Array(4);
    expect(() => sim.run(new Float64Array(2), [1], out)).toThrow(/p has 2 entries/);
    expect(() => sim.run(c.p0, [], out)).toThrow(/saveat is empty/);
    expect(() => sim.run(c.p0, [1, 2, 3, 4, 5], out)).toThrow(/out has 4 entries, expected at least 5/);
    expect(() => sim.run(c.p0, [2, 1], out)).toThrow(/saveat\[1\] = 1/);
    expect(() => sim.run(c.p0, [1], out, 3)).toThrow(/>= tStart \(3\)/);
  });

  it('a failed solve returns its code and NaN for the rows it did not reach', () => {
    const sim = prepareSimulation(c, { observables: ['Y'], method: 'Tsit5', maxSteps: 5 });
    const out = new Float64Array(3);
    expect(sim.run(c.p0, [0, 50, 100], out)).toBe('MaxIters');
    expect(sim.message).toMatch(/step budget of 5/);
    expect(out[0]).toBe(c.p0[c.parameterIds.indexOf('TY')]);
    expect(Number.isNaN(out[2])).toBe(true);
  });
});

/** Bytes allocated per run: heap growth over a batch short enough that no collection runs in between. */
function bytesPerRun(run: () => void, batch: number): number {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  for (let i = 0; i < 3; i++) {
    gc();
    const h0 = process.memoryUsage().heapUsed;
    for (let k = 0; k < batch; k++) run();
    const h1 = process.memoryUsage().heapUsed;
    // a collection inside the batch makes the difference negative or tiny; retry
    if (h1 >= h0) return (h1 - h0) / batch;
  }
  return Number.NaN;
}

describe('prepareSimulation: garbage and retention per run', () => {
  const decay = compileModel(
    model({
      compartments: [comp('c', 1)],
      species: [amt('A', 'c', 1)],
      parameters: [par('k', 0.3)],
      reactions: [rxn('decay', [['A', 1]], [], 'k * A')],
    }),
  );

  it('allocates far less per run than simulateModel (decay model; hahnel2020 in bench/simulate-reuse.ts)', () => {
    const saveat = grid(10, 10);
    for (const method of ['auto', 'Rodas5P', 'BDF']) {
      const sim = prepareSimulation(decay, { observables: ['A'], method, ...TOL });
      const out = new Float64Array(saveat.length);
      const p = decay.p0.slice();
      const run = () => sim.run(p, saveat, out);
      // Least over a few batches: until the optimising compiler (a background thread on a busy machine) has
      // caught up, doubles are boxed on every operation.
      let prepared = Number.POSITIVE_INFINITY;
      for (let r = 0; r < 3; r++) {
        for (let i = 0; i < 400; i++) run();
        prepared = Math.min(prepared, bytesPerRun(run, 50));
      }
      const steps = sim.stats.steps + sim.stats.rejected;
      const fresh = bytesPerRun(() => simulateModel(decay, { tEnd: 10, saveat, method, ...TOL }), 10);
      if (process.env.EXONICHE_PRINT_ALLOC) console.log(method, { prepared, fresh, steps });
      // What remains is V8 boxing doubles passed between the steppers' functions (young garbage, tens of bytes
      // per step) and initialState's fresh state vector; simulateModel allocates ~30-250 kB per run here.
      expect(prepared, `${method}: bytes per run`).toBeLessThan(1024 + 512 * steps);
      // BDF's own per-step boxing (~200 B/step, also in simulateModel) makes its ratio small and noisy
      if (method !== 'BDF')
        expect(fresh, `${method}: simulateModel bytes per run`).toBeGreaterThan(4 * prepared);
    }
  });

  it('retains nothing: heap after 10^4 runs (full GC before and after) grows < 8 bytes per run', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const saveat = grid(10, 10);
    const out = new Float64Array(saveat.length);
    const sim = prepareSimulation(decay, { observables: ['A'], ...TOL });
    const p = decay.p0.slice();
    for (let i = 0; i < 2000; i++) sim.run(p, saveat, out);
    gc();
    const h0 = process.memoryUsage().heapUsed;
    for (let i = 0; i < 10_000; i++) {
      p[0] = 0.3 + 1e-5 * i;
      sim.run(p, saveat, out);
    }
    gc();
    const h1 = process.memoryUsage().heapUsed;
    expect((h1 - h0) / 10_000).toBeLessThan(8);
    // and the last run is still right: A(10) = exp(-k 10)
    expect(Math.abs(out[10] - Math.exp(-p[0] * 10))).toBeLessThan(1e-7);
  });
});
