/**
 * The blood read-out (src/niche/blood.ts): with no block it is Hähnel's read-out; the relative output of the
 * differentiated cells relaxes to 1/F under the drug and back to 1 after a stop at Michor's d2; the cohort runner's
 * formula (bloodBcrAbl) is the model's expression.
 */
import { describe, expect, it } from 'vitest';
import { loadKnowledgeBase } from '../../src/knowledge/load.js';
import { simulateModel } from '../../src/models/simulate.js';
import { bloodBcrAbl } from '../../src/niche/blood.js';
import { buildNicheModel, NicheOptionsError, resolveOptions } from '../../src/niche/index.js';
import { DAYS_PER_MONTH } from '../../src/therapy/rules.js';

const kb = loadKnowledgeBase();
const tStop = 24;
const tEnd = 30;
const saveat = Array.from({ length: 4 * tEnd + 1 }, (_, i) => i / 4);
const opts = { method: 'rodas5p', rtol: 1e-10, atol: 1e-14, tEnd, saveat, maxSteps: 1e6 };
const tki = { kind: 'switch', stopAt: tStop } as const;

function run(readout: 'stem' | 'blood', params: Record<string, number> = {}, clones: string[] = []) {
  const tc = simulateModel(buildNicheModel({ patient: 1, tki, readout, clones }, kb), { ...opts, params });
  expect(tc.retcode).toBe('Success');
  return tc;
}

describe('blood read-out', () => {
  // Different state vectors, so different steps: agreement to the solvers' global error (rtol 1e-10 per step).
  it('with no block (G = 0) it is the stem read-out L/(2 - L) of the full model, to 1e-7 relative', () => {
    const stem = run('stem').column('bcr_abl');
    const blood = run('blood', { blood_block: 0 }).column('bcr_abl');
    let worst = 0;
    for (let i = 0; i < stem.length; i++)
      worst = Math.max(worst, Math.abs(stem[i] - blood[i]) / (1e-14 + 1e-7 * Math.abs(stem[i])));
    expect(worst).toBeLessThanOrEqual(1);
    expect(Math.min(...stem)).toBeLessThan(stem[0] * 1e-2); // the trajectory is not trivial
  });

  it('the output relaxes to 1/F (F = 1 + G) on the drug and back to 1 after the stop, at Michor d2', () => {
    const F = 20;
    const d2 = kb.parameter('michor2005.d2').value * DAYS_PER_MONTH;
    const tc = run('blood', { blood_block: F - 1 });
    const r = tc.column('r_blood');
    let worst = 0;
    const rStop = 1 / F + (1 - 1 / F) * Math.exp(-d2 * tStop);
    for (let i = 0; i < saveat.length; i++) {
      const t = saveat[i];
      const exact =
        t <= tStop ? 1 / F + (1 - 1 / F) * Math.exp(-d2 * t) : 1 - (1 - rStop) * Math.exp(-d2 * (t - tStop));
      worst = Math.max(worst, Math.abs(r[i] - exact) / (1e-12 + 1e-7 * exact));
    }
    expect(worst).toBeLessThanOrEqual(1);
  });

  it('the cohort runner formula is the model expression, and the block lowers the blood ratio', () => {
    const tc = run('blood', { blood_block: 19 });
    const stem = run('stem').column('bcr_abl');
    const L = tc.column('L');
    const S = tc.column('S_blood');
    const b = tc.column('bcr_abl');
    for (let i = 0; i < b.length; i++) {
      expect(b[i]).toBeCloseTo(bloodBcrAbl(L[i], S[i]), 14);
      if (saveat[i] > 0 && saveat[i] <= tStop) expect(b[i]).toBeLessThan(stem[i]);
    }
    // within a month of the start the blood ratio has fallen well below the stem ratio (first phase)
    const m1 = saveat.indexOf(1);
    expect(b[m1] / stem[m1]).toBeLessThan(0.3);
  });

  it('each clone has its own block: a T315I clone under imatinib keeps most of its output', () => {
    const F = 20;
    const tc = run('blood', { blood_block: F - 1 }, ['T315I']);
    const i = saveat.indexOf(12);
    const e = tc.column('tkiE_T315I')[i];
    expect(e).toBeGreaterThan(0);
    expect(e).toBeLessThan(0.2);
    // a year on the drug is 18 turnovers: both outputs sit at their blocked levels 1/(1 + (F - 1) E)
    expect(tc.column('r_blood')[i]).toBeCloseTo(1 / F, 6);
    expect(tc.column('r_blood_1')[i]).toBeCloseTo(1 / (1 + (F - 1) * e), 6);
  });

  it('needs the lineages', () => {
    expect(() => resolveOptions({ readout: 'blood', lineages: false })).toThrow(NicheOptionsError);
    expect(() => resolveOptions({ readout: 'marrow' as 'blood' })).toThrow(/readout must be/);
  });
});
