/**
 * Chemokine fields and the retention feedbacks (src/spatial/model.ts, chemokineSources / retentionAt): in a
 * well-mixed domain the IL-8 level is the niche model's weighted population state and each LSC's quiescence gains
 * exactly the niche model's R; in space, LSCs next to the endothelium are retained and distant ones mobilised.
 */
import { describe, expect, it } from 'vitest';
import { loadKnowledgeBase } from '../../src/knowledge/load.js';
import { SpatialNiche, type SpatialOptions } from '../../src/spatial/model.js';

const kb = loadKnowledgeBase();
const v = (k: string) => kb.parameter(k).value;

describe('chemokine fields and retention', () => {
  it('well mixed: IL-8 = wb mean(il8_bmsc) + (1 - wb) mean(il8_endo); Q gains R of src/niche/niche-cells.ts', () => {
    const options = (on: boolean): SpatialOptions => ({
      dims: 2,
      domain: { lo: [0, 0], hi: [400, 400] },
      voxel: 'single',
      seed: 5,
      mechanics: false,
      dtDiffusion: 0.5,
      dtMechanics: 6,
      dtPhenotype: 6,
      // capacity 1 with cycling LSCs present: no divisions; no drug: no deaths. Counts stay fixed, so the
      // exosome fields (and uptake) are the same with and without chemokines.
      lscCapacity: 1,
      ...(on ? { chemokines: { il8: true, cxcl12: true } } : {}),
    });
    const build = (on: boolean) => {
      const sim = new SpatialNiche(kb, options(on));
      for (let k = 0; k < 3; k++) sim.addCell({ type: 'bmsc', x: 200, y: 200 });
      for (let k = 0; k < 2; k++) sim.addCell({ type: 'endo', x: 200, y: 200 });
      for (let k = 0; k < 400; k++) sim.addCell({ type: 'cml', x: 200, y: 200 });
      for (let k = 0; k < 10; k++) sim.addCell({ type: 'lsc', x: 200, y: 200 });
      sim.run(3 * 1440);
      return sim;
    };
    const on = build(true);
    const off = build(false);
    const wb = v('niche.feedback.il8.bmsc_weight');
    let ab = 0;
    let ae = 0;
    let lsc = -1;
    for (const id of on.ids()) {
      const c = on.cell(id);
      if (c.type === 'bmsc') ab += c.activation[0] / 3;
      if (c.type === 'endo') ae += c.activation[1] / 2;
      if (c.type === 'lsc') lsc = id;
    }
    const il8 = on.fields.field(on.fieldIndex.il8)[0];
    const cx = on.fields.field(on.fieldIndex.cxcl12)[0];
    // The CML exosomes raise BMSC and endothelial IL-8 (B1, B2, E6): a real excess.
    const expected = wb * ab + (1 - wb) * ae;
    expect(expected - 1).toBeGreaterThan(0.01);
    // The field lags the slowly rising activation by about (da/dt) / k_decay, and the split step adds < 1.5 %.
    expect(Math.abs(il8 - expected) / expected).toBeLessThan(0.015);
    expect(Math.abs(cx - 1)).toBeLessThan(0.015);
    const I = Math.max(il8 - 1, 0);
    const D = (1 + cx) / 2 - 1;
    const R =
      (v('niche.feedback.il8.rmax') * I) / (v('niche.feedback.il8.k50') + I) +
      (v('niche.feedback.adhesion.rmax') * D) / (v('niche.feedback.adhesion.k50') + Math.abs(D));
    if (process.env.SPATIAL_VERBOSE) console.log({ il8, expected, cx, R });
    expect(R).toBeGreaterThan(0.005);
    expect(on.cell(lsc).quiescence - off.cell(lsc).quiescence).toBeCloseTo(R, 12);
    // With the niche options' feedbacks off, the fields stay but R is 0.
  }, 20_000);

  it('in space: LSCs near the endothelium are retained (R > 0), distant ones mobilised (R < 0)', () => {
    const sim = new SpatialNiche(kb, {
      dims: 2,
      domain: { lo: [0, 0], hi: [1200, 200] },
      voxel: 20,
      seed: 6,
      mechanics: false,
      dtDiffusion: 0.5,
      dtMechanics: 6,
      dtPhenotype: 6,
      lscCapacity: 1000,
      chemokines: { cxcl12: true },
    });
    for (let k = 0; k < 3; k++) sim.addCell({ type: 'endo', x: 1100, y: 60 + 40 * k });
    const near = sim.addCell({ type: 'lsc', x: 1050, y: 100, quiescent: true });
    const far = sim.addCell({ type: 'lsc', x: 50, y: 100, quiescent: true });
    sim.run(12 * 60);
    // No BMSCs: Q is R alone.
    const qNear = sim.cell(near).quiescence;
    const qFar = sim.cell(far).quiescence;
    expect(qNear).toBeGreaterThan(0.05);
    expect(qFar).toBeLessThan(-0.05);
    // And the feedback's scale from the niche options switches it off.
    const off = new SpatialNiche(kb, {
      dims: 2,
      domain: { lo: [0, 0], hi: [1200, 200] },
      voxel: 20,
      seed: 6,
      mechanics: false,
      dtDiffusion: 0.5,
      dtMechanics: 6,
      dtPhenotype: 6,
      lscCapacity: 1000,
      chemokines: { cxcl12: true },
      niche: { feedbacks: { 'vcam1-cxcl12-retention': false } },
    });
    for (let k = 0; k < 3; k++) off.addCell({ type: 'endo', x: 1100, y: 60 + 40 * k });
    const n2 = off.addCell({ type: 'lsc', x: 1050, y: 100, quiescent: true });
    off.run(60);
    expect(off.cell(n2).quiescence).toBe(0);
  });
});
