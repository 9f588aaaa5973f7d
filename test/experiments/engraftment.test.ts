/**
 * Engraftment probability over keyed hybrid replicates (culture.ts `engraftment`, VE-15 incidence): on the LSC core
 * under imatinib it equals the multi-type branching-process value 1 - q_Y(t)^Y0 (backward Kolmogorov equations,
 * as in test/niche/hybrid.test.ts) within 4 standard errors; without a TKI, immune cells and the exosome layer the
 * LSCs have no death reaction and every inoculum engrafts; an empty inoculum never does. With the exosome layer the
 * intrinsic LSC apoptosis (niche.lsc.apoptosis_rate, divided by 1 + S) lets a single untreated LSC go extinct with
 * the branching-process probability, lower with the A1 survival signal.
 */
import { describe, expect, it } from 'vitest';
import {
  addedPools,
  engraftment,
  IN_VITRO,
  NO_NICHE_FEEDBACK,
  readOne,
  type SetUp,
} from '../../src/experiments/culture.js';
import { loadKnowledgeBase } from '../../src/knowledge/load.js';

const kb = loadKnowledgeBase();
const p1 = (s: string) => kb.parameter(`hahnel2020.patient01.${s}`).value;

/**
 * P(no LSC left at t) for Y0 cycling cells, no quiescent ones: q_Y(t)^Y0, q by RK4 on the backward equations.
 * Cycling cells divide at `birth` (default py) and die at `death` (default the imatinib kill e_tki).
 */
function extinction(t: number, y0: number, rates: { birth?: number; death?: number } = {}): number {
  const py = rates.birth ?? kb.parameter('hahnel2020.py').value;
  const [pxy, pyx, d] = [p1('pxy'), p1('pyx'), rates.death ?? p1('e_tki')];
  const f = (qx: number, qy: number): [number, number] => [
    pxy * (qy - qx),
    py * (qy * qy - qy) + d * (1 - qy) + pyx * (qx - qy),
  ];
  const n = 20000;
  const h = t / n;
  let qx = 0;
  let qy = 0;
  for (let i = 0; i < n; i++) {
    const k1 = f(qx, qy);
    const k2 = f(qx + (h / 2) * k1[0], qy + (h / 2) * k1[1]);
    const k3 = f(qx + (h / 2) * k2[0], qy + (h / 2) * k2[1]);
    const k4 = f(qx + h * k3[0], qy + h * k3[1]);
    qx += (h / 6) * (k1[0] + 2 * k2[0] + 2 * k3[0] + k4[0]);
    qy += (h / 6) * (k1[1] + 2 * k2[1] + 2 * k3[1] + k4[1]);
  }
  return qy ** y0;
}

const core = (y0: number, tki: boolean): SetUp => ({
  options: {
    exosomes: false,
    lineages: false,
    immune: false,
    tki: tki ? { kind: 'switch', drug: 'imatinib' } : { kind: 'none' },
  },
  params: { X_init: 0, Y_init: y0 },
});

describe('engraftment probability (keyed hybrid replicates)', () => {
  it('on imatinib equals 1 - q_Y(t)^Y0 of the branching process within 4 standard errors', () => {
    // one week: the kill (e_tki ~ 14/month) has removed most but not all of 20 cycling cells
    const t = 0.25;
    const y0 = 20;
    const ref = 1 - extinction(t, y0);
    // the comparison has power: engraftment is neither rare nor certain here
    expect(ref).toBeGreaterThan(0.1);
    expect(ref).toBeLessThan(0.9);
    const n = 200;
    const got = engraftment(kb, core(y0, true), t, { seed: 3, replicates: n });
    const se = Math.sqrt((ref * (1 - ref)) / n);
    expect(Math.abs(got - ref), `${got} vs ${ref}`).toBeLessThanOrEqual(4 * se);
  });

  it('is 1 untreated (no LSC death reaction without TKI and immune cells) and 0 for an empty inoculum', () => {
    expect(engraftment(kb, core(1, false), 1, { seed: 3, replicates: 20 })).toBe(1);
    expect(engraftment(kb, core(0, true), 1, { seed: 3, replicates: 5 })).toBe(0);
  });

  it('untreated with the exosome layer: one LSC goes extinct by intrinsic apoptosis as the branching process says', () => {
    // culture-like: no lineages, immune cells, niche feedbacks or TKI; CML exosome pool held at 0 (S = 0) or at the
    // in-vitro dose (A1: division py (1 + A), apoptosis delta/(1 + S_a1))
    const delta = kb.parameter('niche.lsc.apoptosis_rate').value;
    const py = kb.parameter('hahnel2020.py').value;
    const setUp = (cml: number): SetUp => ({
      options: { ...IN_VITRO, feedbacks: NO_NICHE_FEEDBACK },
      params: { X_init: 0, Y_init: 1 },
      held: { E_cml: cml, E_lsc: 0, E_bmsc: 0 },
    });
    const dose = addedPools(kb).cml;
    const t = 1;
    const s = readOne(kb, setUp(dose), t, ['eff_a1', 'S_a1', 'apoptosis_lsc']);
    expect(s.apoptosis_lsc).toBeCloseTo(delta / (1 + s.S_a1), 14);
    const n = 400;
    for (const [cml, birth, death] of [
      [0, py + delta, delta],
      [dose, py * (1 + s.eff_a1) + delta, delta / (1 + s.S_a1)],
    ]) {
      const ref = 1 - extinction(t, 1, { birth, death });
      // power: extinction (about 5 %) is neither impossible nor certain
      expect(1 - ref).toBeGreaterThan(0.02);
      const got = engraftment(kb, setUp(cml), t, { seed: 21, replicates: n });
      const se = Math.sqrt((ref * (1 - ref)) / n);
      expect(Math.abs(got - ref), `dose ${cml}: ${got} vs ${ref}`).toBeLessThanOrEqual(4 * se);
    }
  });

  it('is reproducible: the same keys give the same value', () => {
    const a = engraftment(kb, core(6, true), 1, { seed: 8, replicates: 30 });
    const b = engraftment(kb, core(6, true), 1, { seed: 8, replicates: 30 });
    expect(a).toBe(b);
  });
});
