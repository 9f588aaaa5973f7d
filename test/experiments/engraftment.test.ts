/**
 * Engraftment probability over keyed hybrid replicates (culture.ts `engraftment`, VE-15 incidence): on the LSC core
 * under imatinib it equals the multi-type branching-process value 1 - q_Y(t)^Y0 (backward Kolmogorov equations,
 * as in test/niche/hybrid.test.ts) within 4 standard errors; without a TKI and without immune cells the LSCs have no
 * death reaction and every inoculum engrafts; an empty inoculum never does.
 */
import { describe, expect, it } from 'vitest';
import { engraftment, type SetUp } from '../../src/experiments/culture.js';
import { loadKnowledgeBase } from '../../src/knowledge/load.js';

const kb = loadKnowledgeBase();
const p1 = (s: string) => kb.parameter(`hahnel2020.patient01.${s}`).value;

/** P(no LSC left at t) for Y0 cycling cells, no quiescent ones: q_Y(t)^Y0, q by RK4 on the backward equations. */
function extinction(t: number, y0: number): number {
  const py = kb.parameter('hahnel2020.py').value;
  const [pxy, pyx, d] = [p1('pxy'), p1('pyx'), p1('e_tki')];
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

  it('is reproducible: the same keys give the same value', () => {
    const a = engraftment(kb, core(6, true), 1, { seed: 8, replicates: 30 });
    const b = engraftment(kb, core(6, true), 1, { seed: 8, replicates: 30 });
    expect(a).toBe(b);
  });
});
