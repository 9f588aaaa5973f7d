/**
 * Normal stem cells as agents (docs/spatial.md "Normal stem cells"): they divide or die at the niche model's net
 * rate pn (1 - (N + w_ln Y)/Kn) and occupy the LSCs' niche with weight w_nl, so in the well-mixed limit (one voxel,
 * no mechanics) their population mean follows the ODE's N, and the LSCs' the ODE's X and Y.
 */
import { describe, expect, it } from 'vitest';
import { loadKnowledgeBase } from '../../src/knowledge/load.js';
import { simulateModel } from '../../src/models/simulate.js';
import { buildNicheModel } from '../../src/niche/index.js';
import { nicheParametersFor, WELL_MIXED_CHANNELS } from '../../src/spatial/link.js';
import { SpatialNiche, type SpatialOptions } from '../../src/spatial/model.js';
import { MIN_PER_MONTH } from '../../src/spatial/params.js';

const kb = loadKnowledgeBase();
const X0 = 100;
const Y0 = 200;
const N0 = 60;
const K = 500;
const MONTHS = 6;
const REPS = 12;
const niche = { lineages: true, immune: false, channels: WELL_MIXED_CHANNELS } as const;

function options(seed: number): SpatialOptions {
  return {
    dims: 2,
    domain: { lo: [0, 0], hi: [1000, 1000] },
    voxel: 'single',
    seed,
    mechanics: false,
    // No BMSCs and no drug: nothing the LSCs or normal cells read changes within an hour.
    dtDiffusion: 60,
    dtMechanics: 60,
    dtPhenotype: 60,
    niche,
    lscCapacity: K,
  };
}

function spatialRun(seed: number) {
  const sim = new SpatialNiche(kb, options(seed));
  for (let i = 0; i < X0; i++) sim.addCell({ type: 'lsc', x: 500, y: 500, quiescent: true });
  for (let i = 0; i < Y0; i++) sim.addCell({ type: 'lsc', x: 500, y: 500 });
  for (let i = 0; i < N0; i++) sim.addCell({ type: 'normal', x: 500, y: 500 });
  sim.run(MONTHS * MIN_PER_MONTH);
  return sim;
}

function ode(sim: SpatialNiche, extra: Record<string, number> = {}) {
  const model = buildNicheModel({ ...niche, tki: { kind: 'parametric', drug: 'imatinib' } }, kb);
  const Kn = sim.normalCapacity;
  const r = simulateModel(model, {
    tEnd: MONTHS,
    saveat: [MONTHS],
    method: 'rodas5p',
    rtol: 1e-10,
    atol: 1e-8,
    params: {
      ...nicheParametersFor(sim, { bmsc: 0, lscCapacity: K, quiescent: X0, cycling: Y0 }),
      Kn,
      N_frac0: N0 / Kn,
      E_native: 0,
      ...extra,
    },
  });
  expect(r.retcode).toBe('Success');
  return { X: r.column('X')[0], Y: r.column('Y')[0], N: r.column('N')[0] };
}

const stats = (xs: number[]) => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  const v = xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1);
  return { mean: m, se: Math.sqrt(v / xs.length) };
};

describe('normal stem cells', () => {
  it('in the well-mixed limit the mean N (and X, Y) equal the ODE niche model within 3 standard errors', () => {
    const runs = Array.from({ length: REPS }, (_, r) => spatialRun(500 + r));
    const ref = ode(runs[0]);
    const N = stats(runs.map((s) => s.counts().normal));
    const X = stats(runs.map((s) => s.counts().quiescent));
    const Y = stats(runs.map((s) => s.counts().cycling));
    if (process.env.SPATIAL_VERBOSE) console.log({ N, X, Y, ref, free: ode(runs[0], { w_ln: 0 }) });
    expect(Math.abs(N.mean - ref.N)).toBeLessThan(3 * N.se);
    expect(Math.abs(X.mean - ref.X)).toBeLessThan(3 * X.se);
    expect(Math.abs(Y.mean - ref.Y)).toBeLessThan(3 * Y.se);
    // The comparison can fail: without the LSCs' occupancy of the normal niche (w_ln = 0) the ODE's N is far away.
    const free = ode(runs[0], { w_ln: 0 });
    expect(Math.abs(N.mean - free.N)).toBeGreaterThan(6 * N.se);
    // Kn defaults to lscCapacity x niche.normal.K / hahnel2020.Ky
    expect(runs[0].normalCapacity).toBeCloseTo(
      (K * kb.parameter('niche.normal.K').value) / kb.parameter('hahnel2020.Ky').value,
      12,
    );
  });

  it('Kn can be set per domain; bad values are errors', () => {
    const sim = new SpatialNiche(kb, { ...options(1), normalCapacity: 300 });
    expect(sim.normalCapacity).toBe(300);
    expect(() => new SpatialNiche(kb, { ...options(1), normalCapacity: 0 })).toThrow(/normalCapacity/);
  });
});
