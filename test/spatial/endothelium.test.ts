/**
 * The endothelium in space (docs/spatial.md "Cells and rules", "Vessel network"): each endothelial cell's miR-126
 * (E5) and VCAM1 states relax to the niche model's targets from its own uptake, as the ODE's HUVEC culture does;
 * VCAM1 is met by LSCs in contact (their voxel); sprouts follow the CML-exosome cargo gradient (tip cells up the
 * angiogenic gradient, Gerhardt 2003).
 */
import { describe, expect, it } from 'vitest';
import { addedPools, DAY, IN_VITRO, readOne } from '../../src/experiments/culture.js';
import { type KnowledgeBase, loadKnowledgeBase } from '../../src/knowledge/load.js';
import { endothelialAdhesion } from '../../src/spatial/channels.js';
import { SpatialNiche, type SpatialOptions } from '../../src/spatial/model.js';
import { UM3_PER_ML } from '../../src/spatial/params.js';

const kb = loadKnowledgeBase();
/** The knowledge base with one parameter's value replaced. */
const withValue = (base: KnowledgeBase, key: string, value: number): KnowledgeBase => ({
  ...base,
  parameter: (k: string) => (k === key ? { ...base.parameter(k), value } : base.parameter(k)),
});

const stats = (xs: number[]) => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  const v = xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1);
  return { mean: m, se: Math.sqrt(v / xs.length), n: xs.length };
};

describe('endothelial miR-126 (E5) and VCAM1 per cell', () => {
  for (const dir of [-1, 1])
    it(`HUVEC with a held LAMA84/K562 dose: the cells' CXCL12 and VCAM1 = the ODE's HUVEC culture at 24 h (direction ${dir})`, () => {
      const kbd = withValue(kb, 'crosstalk.vcam1_direction', dir);
      const niche = { feedbacks: { 'il8-cxcr-retention': false, 'vcam1-cxcl12-retention': false } } as const;
      const base: SpatialOptions = {
        dims: 2,
        domain: { lo: [0, 0], hi: [200, 200] },
        voxel: 'single',
        seed: 1,
        mechanics: false,
        setting: 'in-vitro',
        lscCapacity: 1e9,
        dtDiffusion: 6,
        dtMechanics: 6,
        dtPhenotype: 6,
        niche,
      };
      const probe = new SpatialNiche(kbd, base);
      const dose = (probe.params.invitroDose * probe.params.invitroParticlesPerUg) / UM3_PER_ML;
      const sim = new SpatialNiche(kbd, { ...base, held: { cml: dose, lsc: 0, bmsc: 0 } });
      for (let k = 0; k < 4; k++) sim.addCell({ type: 'endo', x: 40 + 40 * k, y: 100 });
      sim.run(1440); // one day (the ODE reads at DAY months)
      // The ODE's HUVEC culture (src/experiments/endothelium.ts VE-5 set-up): E_cml held at the same dose.
      const ode = readOne(
        kb,
        {
          options: { ...IN_VITRO, ...niche },
          held: { E_cml: addedPools(kb).cml, E_lsc: 0, E_bmsc: 0 },
          params: { X_init: 0, Y_init: 0, vcam1_dir: dir },
        },
        DAY,
        ['vcam1_endo', 'cxcl12_endo', 'u_cml'],
      );
      const kAct = sim.params.kAct;
      const t = sim.time;
      const out = new Float64Array(2);
      for (const id of sim.ids()) {
        const c = sim.cell(id);
        expect(c.uptakeCml).toBeCloseTo(ode.u_cml, 12);
        // exact relaxation to the niche model's targets from the cell's own uptake
        endothelialAdhesion(
          out,
          { k: sim.params.cargo.emax.e6, avail: 1, mimic: 0 },
          { k: sim.params.cargo.emax.mir126, avail: 1, mimic: 0 },
          sim.params.cargo,
          { direction: dir, emax: sim.params.emaxVcam },
          c.uptakeCml,
          0,
        );
        const decay = Math.exp(-kAct * t);
        expect(c.adhesion[0]).toBeCloseTo(out[0] + (1 - out[0]) * decay, 12);
        expect(c.adhesion[1]).toBeCloseTo(out[1] + (1 - out[1]) * decay, 12);
        // and the ODE's states (its integration tolerance)
        expect(Math.abs(c.adhesion[0] - ode.vcam1_endo)).toBeLessThan(1e-7);
        expect(Math.abs(c.adhesion[1] - ode.cxcl12_endo)).toBeLessThan(1e-7);
      }
      expect(ode.cxcl12_endo).toBeLessThan(0.95);
      expect(Math.sign(ode.vcam1_endo - 1)).toBe(dir);
    });
});

/**
 * Ten short vessels (vertical pairs of adhered endothelial cells, 50 um apart, at x = 150 um) and a K562 cluster at
 * x = 450 um releasing CML exosomes (in vitro: they accumulate and diffuse, so the cargo has a gradient at the
 * vessels). A pair's outward direction is along its axis, perpendicular to the source: only the gradient term turns
 * sprouts toward the cluster. Short vessels leave every sprout room, so contact inhibition does not turn them.
 */
const VESSEL = 20;
const SOURCE = [450, 300] as const;

function sproutRun(base: KnowledgeBase, seed: number) {
  const sim = new SpatialNiche(base, {
    dims: 2,
    domain: { lo: [0, 0], hi: [600, 600] },
    voxel: 20,
    seed,
    mechanics: false,
    setting: 'in-vitro',
    lscCapacity: 1e9,
    // Exosomes cross the well in about L^2/D = 15 h; the fields are implicit, so hour steps are stable.
    dtDiffusion: 60,
    dtMechanics: 60,
    dtPhenotype: 60,
    niche: { feedbacks: { 'il8-cxcr-retention': false, 'vcam1-cxcl12-retention': false } },
    vessels: {},
  });
  const d = 2 * sim.params.radius.endo;
  for (let k = 0; k < VESSEL; k++)
    sim.addCell({ type: 'endo', x: 150, y: 60 + 50 * Math.floor(k / 2) + d * (k % 2) });
  for (let i = 0; i < 15; i++)
    for (let j = 0; j < 15; j++) {
      const x = SOURCE[0] + 16 * (i - 7);
      const y = SOURCE[1] + 16 * (j - 7);
      if (Math.hypot(x - SOURCE[0], y - SOURCE[1]) <= 100) sim.addCell({ type: 'cml', x, y });
    }
  // Follow each new endothelial cell back to its host (the one older endothelial cell it adheres to: a sprout is
  // placed 2r from its host and adhering to no other) and record the sprout's direction toward the source.
  const reach = sim.params.adhesionReach * 2 * sim.params.radius.endo;
  const cos: number[] = [];
  const pos = () => {
    const m = new Map<number, [number, number]>();
    for (let i = 0; i < sim.store.count; i++)
      if (sim.store.type[i] === 3) m.set(sim.store.id[i], [sim.store.x[i], sim.store.y[i]]);
    return m;
  };
  let before = pos();
  for (let step = 0; step < 10 * 24; step++) {
    sim.step();
    const now = pos();
    for (const [id, [x, y]] of now) {
      if (before.has(id)) continue;
      const hosts = [...before].filter(([h, [hx, hy]]) => h < VESSEL && Math.hypot(x - hx, y - hy) <= reach);
      if (hosts.length !== 1) continue; // first-generation sprouts from the original vessel only
      const [hx, hy] = hosts[0][1];
      const ex = SOURCE[0] - hx;
      const ey = SOURCE[1] - hy;
      cos.push(((x - hx) * ex + (y - hy) * ey) / (Math.hypot(x - hx, y - hy) * Math.hypot(ex, ey)));
    }
    before = now;
  }
  return cos;
}

describe('sprouts follow the angiogenic signal', () => {
  it('first sprouts from a vessel beside a K562 cluster point toward it; with weight 0 they do not', () => {
    const seeds = Array.from({ length: 12 }, (_, k) => 40 + k);
    const on = stats(seeds.flatMap((s) => sproutRun(kb, s)));
    const off = stats(
      seeds.flatMap((s) => sproutRun(withValue(kb, 'spatial.vessel.sprout_gradient_weight', 0), s)),
    );
    if (process.env.SPATIAL_VERBOSE) console.log({ on, off });
    expect(on.n).toBeGreaterThan(30);
    expect(off.n).toBeGreaterThan(30);
    expect(on.mean).toBeGreaterThan(3 * on.se);
    expect(on.mean).toBeGreaterThan(0.25);
    expect(Math.abs(off.mean)).toBeLessThan(3 * off.se);
    expect(on.mean - off.mean).toBeGreaterThan(3 * Math.hypot(on.se, off.se));
  }, 20_000);
});

describe('endothelial adhesion states in checkpoints', () => {
  it('are carried by a checkpoint; one from before them restores them at baseline', () => {
    const kbd = withValue(kb, 'crosstalk.vcam1_direction', -1);
    const options: SpatialOptions = {
      dims: 2,
      domain: { lo: [0, 0], hi: [200, 200] },
      voxel: 20,
      seed: 2,
      mechanics: false,
      setting: 'in-vitro',
      lscCapacity: 1e9,
      dtDiffusion: 6,
      dtMechanics: 6,
      dtPhenotype: 6,
      chemokines: { cxcl12: true },
      held: { cml: 1e-3, lsc: 0, bmsc: 0 },
    };
    const sim = new SpatialNiche(kbd, options);
    const e = sim.addCell({ type: 'endo', x: 100, y: 100 });
    sim.run(600);
    const a = sim.cell(e).adhesion;
    expect(a[0]).toBeLessThan(0.99);
    expect(a[1]).toBeLessThan(0.99);
    const cp = structuredClone(sim.checkpoint());
    expect(SpatialNiche.restore(kbd, options, cp).cell(e).adhesion).toEqual(a);
    const { adh: _adh, ...older } = cp.perId;
    expect(SpatialNiche.restore(kbd, options, { ...cp, perId: older }).cell(e).adhesion).toEqual([1, 1]);
  });
});
