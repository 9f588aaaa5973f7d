/**
 * Optional immune cells (docs/spatial.md "Immune cells"): T-cell agents with the Hähnel 2020 immune compartment's
 * influx, death, recruitment by cycling LSCs and kill of cycling LSCs, at the domain's scale. In the well-mixed
 * limit (one voxel, no mechanics) the mean T-cell count follows the ODE's Z and the LSCs its X and Y.
 */
import { describe, expect, it } from 'vitest';
import { buildSetUp } from '../../src/experiments/culture.js';
import { loadKnowledgeBase } from '../../src/knowledge/load.js';
import { simulateModel } from '../../src/models/simulate.js';
import { CHANNELS } from '../../src/niche/channels.js';
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

/**
 * I1 (T-cell suppression: kill m/(1 + I1)) and I2 (Treg expansion: recruitment pz/(1 + I2)) on, with the CML-cargo
 * exosome field held (the ODE's E_cml held at the same concentration x the domain's volume), so each T cell's own
 * uptake equals the ODE's u_cml.
 */
const IMMUNE_CHANNELS = Object.fromEntries(
  CHANNELS.map((c) => [c.id, c.sym === 'b4q' || c.sym === 'b4p' || c.sym === 'i1' || c.sym === 'i2']),
);
/** Held CML-cargo exosomes, in units of the in-vivo uptake half-saturation (u_cml = 1/2). */
const HELD_KM = 1;

function spatialRun(seed: number, suppression = false) {
  const o = options(seed);
  const probe = suppression ? new SpatialNiche(kb, o) : null;
  const sim = new SpatialNiche(
    kb,
    probe
      ? {
          ...o,
          niche: { ...niche, channels: IMMUNE_CHANNELS },
          held: { cml: HELD_KM * probe.params.kmCml, lsc: 0, bmsc: 0 },
        }
      : o,
  );
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

/** The ODE with I1/I2 on and E_cml held (buildSetUp: a boundary species), or with them off (`on` false). */
function odeSuppressed(sim: SpatialNiche, on: boolean) {
  const pars = nicheParametersFor(sim, { bmsc: 0, lscCapacity: K, quiescent: X0, cycling: Y0 });
  const model = buildSetUp(kb, {
    options: { ...niche, channels: on ? IMMUNE_CHANNELS : niche.channels, tki: { kind: 'none' } },
    held: { E_cml: HELD_KM * pars.Km_cml, E_lsc: 0, E_bmsc: 0 },
  });
  const r = simulateModel(model, {
    tEnd: MONTHS,
    saveat: [MONTHS],
    method: 'rodas5p',
    rtol: 1e-10,
    atol: 1e-8,
    params: { ...pars, Z_init: Z0 },
  });
  expect(r.retcode).toBe('Success');
  const at = (id: string) => r.column(id)[0];
  return {
    X: at('X'),
    Y: at('Y'),
    Z: at('Z'),
    u: at('u_cml'),
    i1: on ? at('eff_i1') : 0,
    i2: on ? at('eff_i2') : 0,
  };
}

describe('immune cells', () => {
  it('with I1/I2 (CML cargo held), the mean T cells, X and Y equal the ODE with I1/I2 within 3 standard errors', () => {
    const runs = Array.from({ length: REPS }, (_, r) => spatialRun(900 + r, true));
    const ref = odeSuppressed(runs[0], true);
    const without = odeSuppressed(runs[0], false);
    const Z = stats(runs.map((s) => s.counts().tcell));
    const X = stats(runs.map((s) => s.counts().quiescent));
    const Y = stats(runs.map((s) => s.counts().cycling));
    // every T cell takes up the ODE's u_cml (held field, one voxel)
    const t = runs[0].ids().find((id) => runs[0].cell(id).type === 'tcell') as number;
    expect(runs[0].cell(t).uptakeCml).toBeCloseTo(ref.u, 12);
    if (process.env.SPATIAL_VERBOSE) console.log({ Z, X, Y, ref, without });
    expect(ref.i1).toBeGreaterThan(0.05);
    expect(ref.i2).toBeGreaterThan(0.05);
    expect(Math.abs(Z.mean - ref.Z)).toBeLessThan(3 * Z.se);
    expect(Math.abs(X.mean - ref.X)).toBeLessThan(3 * X.se);
    expect(Math.abs(Y.mean - ref.Y)).toBeLessThan(3 * Y.se);
    // The comparison can fail: the ODE without I1/I2 is many standard errors away.
    expect(Math.abs(Z.mean - without.Z) / Z.se + Math.abs(Y.mean - without.Y) / Y.se).toBeGreaterThan(6);
  });

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
