/**
 * Test (5): deterministic 6-year runs under imatinib (daily 400 mg via the exposure summary with transients
 * resolved, and the Hähnel switch) succeed with a stiff solver in a few hundred steps. Wall time lives in the
 * benchmark (`npx tsx bench/niche.ts`: build + compile + solve), not here.
 */
import { describe, expect, it } from 'vitest';
import { loadKnowledgeBase } from '../../src/knowledge/load.js';
import { compileModel } from '../../src/models/compile/index.js';
import { simulateModel } from '../../src/models/simulate.js';
import { buildNiche, type NicheOptions, NicheOptionsError, resolveOptions } from '../../src/niche/index.js';

const kb = loadKnowledgeBase();
const YEARS6 = 72;
const imatinib: NicheOptions = {
  clones: ['T315I', 'E255K'],
  tki: {
    kind: 'schedule',
    horizonMonths: YEARS6,
    schedule: { drug: 'imatinib', dose: 400, intervalHours: 24, start: 0 },
  },
};

function timed(o: NicheOptions, method: string) {
  const nm = buildNiche(o, kb);
  const c = compileModel(nm.model);
  const r = simulateModel(c, { method, tEnd: YEARS6, saveat: 1, rtol: 1e-6, atol: 1e-6 });
  return { r };
}

/** Step budgets: about three times the steps taken on 2026-11-27 (Rodas5P 305, BDF 679), to catch regressions. */
const STEP_BUDGET: Record<string, number> = { rodas5p: 1000, bdf: 2000 };

describe('6 years under imatinib', () => {
  for (const method of ['rodas5p', 'bdf']) {
    it(`${method}: succeeds within its step budget`, () => {
      const { r } = timed(imatinib, method);
      expect(r.retcode).toBe('Success');
      expect(r.stats.steps).toBeLessThan(STEP_BUDGET[method]);
      const b = r.column('bcr_abl');
      expect(b[12]).toBeLessThan(b[0] * 1e-2); // deep response in the first year
      for (const v of r.values) expect(Number.isFinite(v)).toBe(true);
    });
  }
  it('the schedule and the Hähnel switch agree after the loading transient (same e_tki at steady state)', () => {
    const ra = timed(imatinib, 'rodas5p').r;
    const rb = timed({ ...imatinib, tki: { kind: 'switch' } }, 'rodas5p').r;
    // Daily 400 mg is imatinib's standard regimen: its steady-state effect is E_ref, so the kill rate equals
    // e_tki/(1 + P) after the first days (P differs only through the slightly different cell numbers).
    const ka = ra.column('tki_kill');
    const kb2 = rb.column('tki_kill');
    for (let i = 1; i <= YEARS6; i++) expect(Math.abs(ka[i] / kb2[i] - 1)).toBeLessThan(1e-3);
    // The schedule's lower effect while imatinib accumulates (first days) leaves a bounded log offset in BCR-ABL.
    const a = ra.column('bcr_abl');
    const b = rb.column('bcr_abl');
    // The offset is a near-tie at the calibrated niche values (its sign set by the mutant clones),
    // so it is bounded in both directions.
    for (let i = 12; i <= YEARS6; i += 12) expect(Math.abs(Math.log(a[i] / b[i]))).toBeLessThan(0.3);
  });
  it('a dose reduction lowers the effect and slows the response', () => {
    const low = {
      ...imatinib,
      tki: { ...imatinib.tki, schedule: { drug: 'imatinib', dose: 200, intervalHours: 24, start: 0 } },
    } as NicheOptions;
    expect(timed(low, 'rodas5p').r.column('bcr_abl')[12]).toBeGreaterThan(
      timed(imatinib, 'rodas5p').r.column('bcr_abl')[12],
    );
  });
});

describe('options', () => {
  it('rejects unknown channels, cargos and out-of-range levels with the valid names', () => {
    expect(() => resolveOptions({ channels: { 'no-such': false } as never })).toThrow(NicheOptionsError);
    expect(() => resolveOptions({ channels: { 'no-such': false } as never })).toThrow(
      /cml-endothelium-mir126/,
    );
    expect(() => resolveOptions({ hypoxia: 2 })).toThrow(/hypoxia/);
    expect(() => resolveOptions({ interventions: { antiMiR: { 'miR-999': 1 } as never } })).toThrow(
      /miR-126/,
    );
  });
  it('an unknown mutation fails with the knowledge-base error', () => {
    expect(() => buildNiche({ clones: ['X999Y'] }, kb)).toThrow(/X999Y/);
  });
});

describe('option combinations build and run', () => {
  const cases: [string, NicheOptions][] = [
    ['immune off', { immune: false }],
    ['lineages off, exosomes on (LSCs stand in for the bulk donors)', { lineages: false }],
    ['no TKI', { tki: { kind: 'none' } }],
    [
      'schedule with an interruption and a dose change, dasatinib',
      {
        clones: ['T315I'],
        tki: {
          kind: 'schedule',
          horizonMonths: 24,
          schedule: {
            drug: 'dasatinib',
            dose: 100,
            intervalHours: 24,
            start: 0,
            interruptions: [{ from: 100, to: 130 }],
            doseChanges: [{ at: 300, dose: 70 }],
          },
        },
      },
    ],
  ];
  for (const [name, o] of cases)
    it(name, () => {
      const r = simulateModel(buildNiche(o, kb).model, { method: 'rodas5p', tEnd: 24, saveat: 1 });
      expect(r.retcode).toBe('Success');
      for (const v of r.values) expect(Number.isFinite(v)).toBe(true);
      if (o.immune === false) {
        expect(r.stateIds).not.toContain('Z');
        expect(r.ids).not.toContain('eff_i1');
      }
      if (o.lineages === false) expect(r.stateIds).not.toContain('N');
    });
  it('an interruption lowers the effect during the gap (events set E_native to the wash-out values)', () => {
    const r = simulateModel(buildNiche(cases[3][1], kb).model, {
      method: 'rodas5p',
      tEnd: 24,
      saveat: [3, 4, 4.2],
    });
    const e = r.column('tkiE');
    // day ~122 (4 months) lies in the interruption [100, 130) days, after the first week of wash-out.
    expect(e[1]).toBeLessThan(0.05 * e[0]);
  });
});
