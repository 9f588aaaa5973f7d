/**
 * Optional immune cells (docs/spatial.md "Immune cells"): T-cell agents with the Hähnel 2020 immune compartment's
 * influx, death, recruitment by cycling LSCs and kill of cycling LSCs, at the domain's scale. In the well-mixed
 * limit (one voxel, no mechanics) the mean T-cell count follows the ODE's Z and the LSCs its X and Y.
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
const Y0 = 300;
const Z0 = 100;
const MONTHS = 0.5;
const REPS = 40;
// The whole marrow's scale (scale 1: Ky cycling-LSC capacity), so the Hähnel counts are the agents' counts.
const K = kb.parameter('hahnel2020.Ky').value;
const niche = { lineages: false, immune: true, channels: WELL_MIXED_CHANNELS } as const;

function options(seed: number, immune = true): SpatialOptions {
  return {
    dims: 2,
    domain: { lo: [0, 0], hi: [1000, 1000] },
    voxel: 'single',
    seed,
    mechanics: false,
    dtDiffusion: 60,
    dtMechanics: 60,
    dtPhenotype: 60,
    niche,
    lscCapacity: K,
    ...(immune ? { immune: {} } : {}),
  };
}

function spatialRun(seed: number) {
  const sim = new SpatialNiche(kb, options(seed));
  for (let i = 0; i < X0; i++) sim.addCell({ type: 'lsc', x: 500, y: 500, quiescent: true });
  for (let i = 0; i < Y0; i++) sim.addCell({ type: 'lsc', x: 500, y: 500 });
  for (let i = 0; i < Z0; i++) sim.addCell({ type: 'tcell', x: 500, y: 500 });
  sim.run(MONTHS * MIN_PER_MONTH);
  return sim;
}

function ode(sim: SpatialNiche, extra: Record<string, number> = {}) {
  const model = buildNicheModel({ ...niche, tki: { kind: 'parametric', drug: 'imatinib' } }, kb);
  const r = simulateModel(model, {
    tEnd: MONTHS,
    saveat: [MONTHS],
    method: 'rodas5p',
    rtol: 1e-10,
    atol: 1e-8,
    params: {
      ...nicheParametersFor(sim, { bmsc: 0, lscCapacity: K, quiescent: X0, cycling: Y0 }),
      Z_init: Z0,
      E_native: 0,
      ...extra,
    },
  });
  expect(r.retcode).toBe('Success');
  return { X: r.column('X')[0], Y: r.column('Y')[0], Z: r.column('Z')[0] };
}

const stats = (xs: number[]) => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  const v = xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1);
  return { mean: m, se: Math.sqrt(v / xs.length) };
};

describe('immune cells', () => {
  it('in the well-mixed limit the mean T cells (and X, Y) equal the ODE niche model within 3 standard errors', () => {
    const runs = Array.from({ length: REPS }, (_, r) => spatialRun(700 + r));
    expect(runs[0].immuneScale).toBe(1);
    const ref = ode(runs[0]);
    const Z = stats(runs.map((s) => s.counts().tcell));
    const X = stats(runs.map((s) => s.counts().quiescent));
    const Y = stats(runs.map((s) => s.counts().cycling));
    const noRecruit = ode(runs[0], { pz: 0 });
    if (process.env.SPATIAL_VERBOSE) console.log({ Z, X, Y, ref, noRecruit });
    expect(Math.abs(Z.mean - ref.Z)).toBeLessThan(3 * Z.se);
    expect(Math.abs(X.mean - ref.X)).toBeLessThan(3 * X.se);
    expect(Math.abs(Y.mean - ref.Y)).toBeLessThan(3 * Y.se);
    // The comparison can fail: without recruitment by the LSCs the ODE's Z is many standard errors away.
    expect(Math.abs(Z.mean - noRecruit.Z)).toBeGreaterThan(6 * Z.se);
  });

  it('off by default: T cells neither die nor are recruited; bad scale is an error', () => {
    const sim = new SpatialNiche(kb, options(1, false));
    for (let i = 0; i < 20; i++) sim.addCell({ type: 'tcell', x: 500, y: 500 });
    sim.run(0.5 * MIN_PER_MONTH);
    expect(sim.counts().tcell).toBe(20);
    expect(() => new SpatialNiche(kb, { ...options(1), immune: { scale: -1 } })).toThrow(/immune.scale/);
  });
});
