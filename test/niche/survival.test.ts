/**
 * Survival of untreated leukaemic cells and endothelial RhoB (issue #6: VE-6, VE-9, VE-11):
 * - the intrinsic LSC apoptosis delta (niche.lsc.apoptosis_rate) is written only with the exosome layer, as a
 *   turnover (Renew + delta, Apop - delta/(1 + S)) that cancels when no survival signal S acts, so the Hähnel net rate
 *   is kept (test/niche/reduction.test.ts covers the exosome-off and all-channels-off cases);
 * - S = A1 anti-apoptosis + IL-8/CXCR1-2 survival; switching A1 and the IL-8 feedback off removes it;
 * - RhoB and motility are read-outs: they feed back into nothing.
 */
import { describe, expect, it } from 'vitest';
import { loadKnowledgeBase } from '../../src/knowledge/load.js';
import type { Model } from '../../src/models/ir.js';
import { simulateModel } from '../../src/models/simulate.js';
import { printExpr } from '../../src/models/text/index.js';
import { buildNicheModel, type NicheOptions } from '../../src/niche/index.js';

const kb = loadKnowledgeBase();

const law = (m: Model, id: string): string | undefined => {
  const r = m.reactions.find((x) => x.id === id);
  return r?.kinetics?.kind === 'law' ? printExpr(r.kinetics.math) : undefined;
};
const rule = (m: Model, id: string): string | undefined => {
  const r = m.rules.find((x) => x.kind === 'assignment' && x.variable === id);
  return r && r.kind === 'assignment' ? printExpr(r.math) : undefined;
};

describe('intrinsic LSC apoptosis and its survival signal (structure)', () => {
  it('is absent without the exosome layer (the Hähnel core is untouched)', () => {
    const m = buildNicheModel({ exosomes: false }, kb);
    for (const id of ['Renew', 'Apop']) expect(law(m, id), id).toBeUndefined();
    expect(m.parameters.some((p) => p.id === 'delta_lsc')).toBe(false);
    expect(rule(m, 'apoptosis_lsc')).toBeUndefined();
  });

  it('with the layer: turnover delta on every clone, death divided by 1 + S (A1 anti-apoptosis + IL-8)', () => {
    const m = buildNicheModel({ clones: ['T315I'], lineages: false }, kb);
    expect(law(m, 'Renew')).toBe('delta_lsc * Y * (1 - Y_tot / Ky)');
    expect(law(m, 'Apop')).toBe('delta_lsc / (1 + S_surv) * Y * (1 - Y_tot / Ky)');
    expect(law(m, 'Apop_T315I')).toBe('delta_lsc / (1 + S_surv) * Y_T315I * (1 - Y_tot / Ky)');
    expect(rule(m, 'S_surv')).toBe('S_a1 + S_il8');
    expect(rule(m, 'S_a1')).toBe('emax_a1s * eff_a1 / emax_a1');
    expect(rule(m, 'S_il8')).toBe('fb_il8 * smax_il8 * il8_excess / (k_il8 + il8_excess)');
    expect(m.parameters.find((p) => p.id === 'delta_lsc')?.value).toBe(
      kb.parameter('niche.lsc.apoptosis_rate').value,
    );
  });

  it('A1 off and the IL-8 feedback off remove S: birth and death of the turnover are the same law', () => {
    const m = buildNicheModel(
      {
        channels: { 'cml-autocrine-proliferation': false },
        feedbacks: { 'il8-cxcr-retention': false },
      },
      kb,
    );
    expect(rule(m, 'S_surv')).toBeUndefined();
    expect(law(m, 'Apop')).toBe(law(m, 'Renew'));
    expect(law(m, 'y1d')).toBe('d1 * y1 * (1 - bulk_share + bulk_share / (1 + eff_b4p))');
    // each one alone leaves the other
    const noA1 = buildNicheModel({ channels: { 'cml-autocrine-proliferation': false } }, kb);
    expect(rule(noA1, 'S_surv')).toBe('S_il8');
    const noIl8 = buildNicheModel({ feedbacks: { 'il8-cxcr-retention': false } }, kb);
    expect(rule(noIl8, 'S_surv')).toBe('S_a1');
  });
});

const run = (o: NicheOptions, tEnd: number, params: Record<string, number> = {}) =>
  simulateModel(buildNicheModel(o, kb), {
    method: 'rodas5p',
    tEnd,
    saveat: [tEnd],
    rtol: 1e-10,
    atol: 1e-8,
    params,
  });

describe('intrinsic LSC apoptosis and its survival signal (dynamics)', () => {
  it('the survival signal raises untreated leukaemic growth (LSCs and bulk); without it the LSCs are the same', () => {
    // immune compartment off and a small start, so that growth is not capped by immune control or capacity
    const base: NicheOptions = { tki: { kind: 'none' }, immune: false };
    const params = { X_init: 0, Y_init: 1e3 };
    const ids = ['LSC_tot', 'cml_bulk', 'apoptosis_lsc'];
    const on = run(base, 3, params);
    const off = run(
      {
        ...base,
        channels: { 'cml-autocrine-proliferation': false },
        feedbacks: { 'il8-cxcr-retention': false },
      },
      3,
      params,
    );
    const [lscOn, bulkOn, apOn] = ids.map((id) => on.column(id)[0]);
    const [lscOff, bulkOff, apOff] = ids.map((id) => off.column(id)[0]);
    expect(apOff).toBe(kb.parameter('niche.lsc.apoptosis_rate').value);
    expect(apOn).toBeLessThan(apOff);
    expect(lscOn).toBeGreaterThan(lscOff);
    expect(bulkOn).toBeGreaterThan(bulkOff);
    // the IL-8 survival arm alone (survival_max 0 keeps the IL-8 retention): apoptosis higher without it
    expect(run(base, 3, { ...params, smax_il8: 0 }).column('apoptosis_lsc')[0]).toBeGreaterThan(apOn);
  });
});

describe('endothelial RhoB and motility (D1, Taverna 2016)', () => {
  it('fall with curcumin exosomes in the marrow, stay at 1 without, and feed back into nothing', () => {
    const o: NicheOptions = { tki: { kind: 'none' }, interventions: { curcumin: 1 } };
    const m = buildNicheModel(o, kb);
    const opts = { method: 'rodas5p', tEnd: 3, saveat: [3], rtol: 1e-10, atol: 1e-8 } as const;
    const a = simulateModel(m, opts);
    const b = simulateModel(m, { ...opts, params: { emax_rhob: 0 } });
    expect(a.column('rhob_endo')[0]).toBeLessThan(0.9);
    expect(a.column('motility_endo')[0]).toBeLessThan(0.9);
    expect(b.column('rhob_endo')[0]).toBe(1);
    for (const s of m.species) {
      if (s.id === 'rhob_endo') continue;
      const x = a.column(s.id)[0];
      const y = b.column(s.id)[0];
      expect(Math.abs(x - y), s.id).toBeLessThanOrEqual(1e-8 * Math.abs(x) + 1e-6);
    }
    const none = simulateModel(buildNicheModel({ tki: { kind: 'none' } }, kb), opts);
    expect(none.column('rhob_endo')[0]).toBe(1);
    expect(none.column('motility_endo')[0]).toBe(1);
  });
});
