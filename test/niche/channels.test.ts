/**
 * Test (2): every channel switch changes what it should and nothing else.
 * Structurally: switching a channel off removes exactly its effect symbol (eff_<sym>, with its signal, scale and
 * maximal-effect parameter) and changes only the rate laws / rules that read it. Dynamically: the channel's
 * read-out moves in the documented direction.
 */
import { describe, expect, it } from 'vitest';
import { loadKnowledgeBase } from '../../src/knowledge/load.js';
import type { Model } from '../../src/models/ir.js';
import { simulateModel } from '../../src/models/simulate.js';
import { printExpr } from '../../src/models/text/index.js';
import { buildNicheModel, CHANNELS, type ChannelId, type NicheOptions } from '../../src/niche/index.js';

const kb = loadKnowledgeBase();

function laws(m: Model): Map<string, string> {
  const out = new Map<string, string>();
  for (const r of m.reactions)
    if (r.kinetics?.kind === 'law') out.set(`reaction ${r.id}`, printExpr(r.kinetics.math));
  for (const r of m.rules) if (r.kind === 'assignment') out.set(`rule ${r.variable}`, printExpr(r.math));
  for (const p of m.parameters) out.set(`parameter ${p.id}`, String(p.value));
  return out;
}

/** Rules and parameters of a channel's second arm (niche-cells.ts), removed with the channel. */
const SECOND_ARMS: Record<string, { rules: string[]; params: string[] }> = {
  a1: { rules: ['S_a1'], params: ['emax_a1s'] },
  mir21: { rules: [], params: ['emax_rhob'] },
};

/** Options under which each channel is active (resistance channels need a clone, miR-210 hypoxia, miR-21 curcumin). */
const ACTIVE: NicheOptions = { clones: ['T315I'], hypoxia: 1, interventions: { curcumin: 0.5 } };

describe('channel switches: structure', () => {
  const on = laws(buildNicheModel(ACTIVE, kb));
  for (const c of CHANNELS) {
    it(`${c.id} off removes eff_${c.sym} and changes only its readers`, () => {
      const off = laws(
        buildNicheModel({ ...ACTIVE, channels: { [c.id]: false } as Record<ChannelId, boolean> }, kb),
      );
      // a channel's second arm (its own maximal effect on the same signal) belongs to it: A1's anti-apoptotic S_a1,
      // D1's RhoB repression
      const arm = SECOND_ARMS[c.sym] ?? { rules: [], params: [] };
      const own = new Set(
        [`eff_${c.sym}`, `sig_${c.sym}`]
          .flatMap((s) => [`rule ${s}`, `parameter ${s}`])
          .concat([`parameter ch_${c.sym}`, `parameter emax_${c.sym}`])
          .concat(
            arm.rules.flatMap((r) => [`rule ${r}`, `parameter ${r}`]),
            arm.params.map((q) => `parameter ${q}`),
          ),
      );
      expect(on.has(`rule eff_${c.sym}`)).toBe(true);
      expect(off.has(`rule eff_${c.sym}`)).toBe(false);
      for (const q of arm.params) expect(off.has(`parameter ${q}`), q).toBe(false);
      const reads = new RegExp(`\\b(${[`eff_${c.sym}`, ...arm.rules].join('|')})\\b`);
      for (const [k, v] of on) {
        if (own.has(k)) continue;
        if (reads.test(v)) expect(off.get(k), k).not.toBe(v);
        else expect(off.get(k), k).toBe(v);
      }
      for (const k of off.keys()) if (!on.has(k)) throw new Error(`switching ${c.id} off added ${k}`);
    });
  }
});

const run = (o: NicheOptions, tEnd = 12) =>
  simulateModel(buildNicheModel(o, kb), { method: 'rodas5p', tEnd, saveat: [tEnd], rtol: 1e-8, atol: 1e-6 });
const at = (o: NicheOptions, id: string, tEnd = 12) => run(o, tEnd).column(id)[0];
const off = (id: ChannelId, base: NicheOptions = {}) => ({ ...base, channels: { [id]: false } });

describe('channel switches: directions', () => {
  const untreated: NicheOptions = { tki: { kind: 'none' } };
  it('E1 Src angiogenesis off lowers vascular density', () => {
    const v1 = at(untreated, 'vasc');
    expect(v1).toBeGreaterThan(1.1);
    expect(at(off('cml-endothelium-src-angiogenesis', untreated), 'vasc')).toBeLessThan(v1 - 0.1);
  });
  it('E3 miR-92a off lowers vascular density; E4 miR-210 off lowers it under hypoxia only', () => {
    expect(at(off('cml-endothelium-mir92a', untreated), 'vasc')).toBeLessThan(at(untreated, 'vasc'));
    const hyp = { ...untreated, hypoxia: 1 };
    expect(at(off('hypoxic-cml-endothelium-mir210', hyp), 'vasc')).toBeLessThan(at(hyp, 'vasc'));
    expect(
      buildNicheModel(untreated, kb).rules.some(
        (r) => r.kind === 'assignment' && r.variable === 'eff_mir210',
      ),
    ).toBe(false);
  });
  it('D1 curcumin miR-21 off raises vascular density', () => {
    const cur = { ...untreated, interventions: { curcumin: 1 } };
    expect(at(off('curcumin-cml-endothelium-mir21', cur), 'vasc')).toBeGreaterThan(at(cur, 'vasc'));
  });
  it('E6 off lowers endothelial IL-8; E5 miR-126 off restores CXCL12', () => {
    expect(at(untreated, 'il8_endo')).toBeGreaterThan(1.1);
    expect(at(off('cml-endothelium-il8-vcam1', untreated), 'il8_endo')).toBeCloseTo(1, 6);
    expect(at(untreated, 'cxcl12_endo')).toBeLessThan(0.9);
    expect(at(off('cml-endothelium-mir126', untreated), 'cxcl12_endo')).toBeCloseTo(1, 6);
  });
  it('B1/B2 off lower BMSC IL-8; B3 off lowers BMSC support and BMSC exosomes', () => {
    const il8 = at(untreated, 'il8_bmsc');
    expect(at(off('cml-bmsc-il8', untreated), 'il8_bmsc')).toBeLessThan(il8);
    expect(at(off('cml-bmsc-amphiregulin', untreated), 'il8_bmsc')).toBeLessThan(il8);
    expect(at(off('cml-bmsc-mir320', untreated), 'support_bmsc')).toBeCloseTo(1, 6);
    expect(at(off('cml-bmsc-mir320', untreated), 'E_bmsc')).toBeLessThan(at(untreated, 'E_bmsc'));
  });
  it('B4 quiescence off lowers LSC quiescence and raises TKI kill per LSC', () => {
    const q = at({}, 'quiescent_fraction', 1);
    const qOff = at(off('bmsc-cml-quiescence'), 'quiescent_fraction', 1);
    expect(qOff).toBeLessThan(q);
    expect(at(off('bmsc-cml-quiescence'), 'tki_kill_lsc', 1)).toBeGreaterThan(at({}, 'tki_kill_lsc', 1));
  });
  it('B4 protection off raises the TKI kill rate of cycling LSCs', () => {
    // Size: 1 % or more. At the assumed (A) values it was about 1.6x; the imatinib calibration (docs/calibration.md)
    // leaves about 1.5 % in patient 1 (B4 emax 0.144, Km_bmsc 1.2e8).
    expect(at(off('bmsc-cml-tki-protection'), 'tki_kill', 1)).toBeGreaterThan(at({}, 'tki_kill', 1) * 1.01);
  });
  it('B4 protection lowers the apoptotic loss of leukaemic bulk cells (Zhang 2020: larger xenografts)', () => {
    const untreated: NicheOptions = { tki: { kind: 'none' } };
    // untreated, the LSCs read the protection only through the CML-exosome release of the bulk (< 0.1 %)
    const lsc = at(untreated, 'LSC_tot', 3);
    expect(Math.abs(at(off('bmsc-cml-tki-protection', untreated), 'LSC_tot', 3) - lsc) / lsc).toBeLessThan(
      1e-3,
    );
    // Size: about 0.6 % at 3 months (1 % before the A1/IL-8 survival signal S_surv shared the same denominator).
    expect(at(off('bmsc-cml-tki-protection', untreated), 'cml_bulk', 3)).toBeLessThan(
      at(untreated, 'cml_bulk', 3) / 1.004,
    );
    const m = buildNicheModel(untreated, kb);
    const y1d = m.reactions.find((r) => r.id === 'y1d');
    expect(y1d?.kinetics?.kind === 'law' ? printExpr(y1d.kinetics.math) : '').toBe(
      'd1 * y1 * (1 - bulk_share + bulk_share / (1 + eff_b4p + S_surv))',
    );
  });
  it('A2/A3 resistance transfer off raises the kill of sensitive LSCs (with a resistant clone present)', () => {
    // Immune compartment off, so that the T315I clone (the donor) grows: at the calibrated values patient 1's
    // immune control keeps it below one cell, and without donors there is no transfer to test.
    const base: NicheOptions = { clones: ['T315I'], immune: false };
    const k = at(base, 'tki_kill', 36);
    expect(at(off('resistant-cml-mir365', base), 'tki_kill', 36)).toBeGreaterThan(k);
    expect(at(off('resistant-cml-ifitm3-survival', base), 'tki_kill', 36)).toBeGreaterThan(k);
  });
  it('A1 autocrine off slows leukaemic regrowth after TKI stop', () => {
    // Immune compartment off, so that there is regrowth: at the calibrated values patient 1 stays in immune
    // control after the stop.
    const base: NicheOptions = { tki: { kind: 'switch', stopAt: 12 }, immune: false };
    expect(at(off('cml-autocrine-proliferation', base), 'bcr_abl', 24)).toBeLessThan(at(base, 'bcr_abl', 24));
  });
  it('I1/I2 immune suppression off strengthens immune control after TKI stop', () => {
    const base: NicheOptions = { patient: 20, tki: { kind: 'switch', stopAt: 24 } };
    const z = at(base, 'Z', 30);
    expect(at(off('cml-tcell-suppression', base), 'bcr_abl', 30)).toBeLessThan(at(base, 'bcr_abl', 30));
    expect(at(off('cml-treg-expansion', base), 'Z', 30)).toBeGreaterThan(z);
  });
  it('IL-8/CXCR retention feedback off lowers retention and quiescence', () => {
    const fbOff: NicheOptions = { ...untreated, feedbacks: { 'il8-cxcr-retention': false } };
    expect(at(fbOff, 'retention')).toBeLessThan(at(untreated, 'retention'));
    expect(at(fbOff, 'quiescent_fraction')).toBeLessThan(at(untreated, 'quiescent_fraction'));
  });
  it('channel scale 2 moves the read-out further than scale 1', () => {
    const s2 = { ...untreated, channels: { 'cml-endothelium-src-angiogenesis': 2 } };
    expect(at(s2, 'vasc')).toBeGreaterThan(at(untreated, 'vasc'));
  });
});
