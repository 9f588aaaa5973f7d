/**
 * Test (3): directions of the key experiments, qualitatively (biology.md). Sizes are not targets: the parameters
 * are assumptions until calibration (VE-* runners come in a later session).
 */
import { describe, expect, it } from 'vitest';
import { loadKnowledgeBase } from '../../src/knowledge/load.js';
import { simulateModel } from '../../src/models/simulate.js';
import { buildNicheModel, type NicheOptions } from '../../src/niche/index.js';

const kb = loadKnowledgeBase();
const untreated: NicheOptions = { tki: { kind: 'none' } };

function at(o: NicheOptions, id: string, t = 6, params?: Record<string, number>): number {
  const r = simulateModel(buildNicheModel(o, kb), {
    method: 'rodas5p',
    tEnd: t,
    saveat: [t],
    rtol: 1e-8,
    atol: 1e-6,
    ...(params ? { params } : {}),
  });
  expect(r.retcode).toBe('Success');
  return r.column(id)[0];
}

describe('experiment directions', () => {
  const r = kb.parameter('niche.release.cml').value;
  it('E1/VE-1: more K562 (CML) exosomes -> more tube formation and endothelial IL-8', () => {
    expect(at(untreated, 'vasc', 6, { r_cml: 3 * r })).toBeGreaterThan(at(untreated, 'vasc'));
    expect(at(untreated, 'il8_endo', 6, { r_cml: 3 * r })).toBeGreaterThan(at(untreated, 'il8_endo'));
  });
  it('B1/VE-11: more CML exosomes -> more BMSC IL-8 and IL-8 retention of LSCs', () => {
    expect(at(untreated, 'il8_bmsc', 6, { r_cml: 3 * r })).toBeGreaterThan(at(untreated, 'il8_bmsc'));
    // The IL-8 part of the retention (B1). The net retention also carries the adhesion loss of E5 (miR-126 lowers
    // CXCL12), and at the calibrated IL-8 rmax (0.24) more exosomes lower the net retention in the marrow.
    expect(at(untreated, 'R_il8', 6, { r_cml: 3 * r })).toBeGreaterThan(at(untreated, 'R_il8'));
  });
  it('hypoxia raises release (pool) and, through miR-210, tube formation (E4/VE-7)', () => {
    expect(at({ ...untreated, hypoxia: 1 }, 'E_cml', 1)).toBeGreaterThan(1.5 * at(untreated, 'E_cml', 1));
    expect(at({ ...untreated, hypoxia: 1 }, 'vasc')).toBeGreaterThan(at(untreated, 'vasc'));
  });
  it('E1: imatinib lowers exosome release per CML cell (pool per bulk cell)', () => {
    const withRed = at({}, 'E_cml', 0.1) / at({}, 'cml_bulk', 0.1);
    const noRed = at({}, 'E_cml', 0.1, { tki_red: 0 }) / at({}, 'cml_bulk', 0.1, { tki_red: 0 });
    expect(withRed).toBeLessThan(noRed);
  });
  it('GW4869-like release inhibitor lowers the pools; uptake blocker lowers uptake', () => {
    expect(at({ ...untreated, interventions: { releaseInhibitor: 0.8 } }, 'E_cml')).toBeLessThan(
      0.3 * at(untreated, 'E_cml'),
    );
    expect(at({ ...untreated, interventions: { uptakeBlocker: 0.8 } }, 'u_cml')).toBeLessThan(
      0.3 * at(untreated, 'u_cml'),
    );
    expect(at({ ...untreated, interventions: { uptakeBlocker: 0.8 } }, 'vasc')).toBeLessThan(
      at(untreated, 'vasc'),
    );
  });
  it('anti-miR-126 restores endothelial CXCL12 (E5/VE-5)', () => {
    expect(at({ ...untreated, interventions: { antiMiR: { 'miR-126': 1 } } }, 'cxcl12_endo')).toBeCloseTo(
      1,
      6,
    );
    expect(
      at({ ...untreated, interventions: { antiMiR: { 'miR-126': 0.5 } } }, 'cxcl12_endo'),
    ).toBeGreaterThan(at(untreated, 'cxcl12_endo'));
  });
  it('curcumin reprogramming lowers tube formation and reverses the IL-8 rise (D1/VE-19, E6)', () => {
    const cur = { ...untreated, interventions: { curcumin: 1 } };
    expect(at(cur, 'vasc')).toBeLessThan(1);
    expect(at(cur, 'il8_endo')).toBeCloseTo(1, 6);
  });
  it('dasatinib blocks the endothelial Src response, imatinib does not (E1/VE-2)', () => {
    // Same LSC-level exposure (switch), so the difference is the endothelial block alone.
    const rel = (drug: string) => at({ tki: { kind: 'switch', drug } }, 'sig_src', 0.05);
    expect(rel('dasatinib')).toBeLessThan(0.5 * rel('imatinib'));
  });
  it('B4/VE-14/15: BMSC exosomes arrest LSCs (more quiescence) yet protect them under TKI (one mechanism)', () => {
    const noBmsc = {
      channels: { 'bmsc-cml-quiescence': false, 'bmsc-cml-tki-protection': false },
    } as NicheOptions;
    expect(at({ tki: { kind: 'none' } }, 'quiescent_fraction', 3)).toBeGreaterThan(
      at({ ...noBmsc, tki: { kind: 'none' } }, 'quiescent_fraction', 3),
    );
    // Under imatinib more LSCs survive with the BMSC channels on.
    expect(at({}, 'LSC_tot', 24)).toBeGreaterThan(at(noBmsc, 'LSC_tot', 24));
  });
  it('A2/VE-16: a resistant clone lowers imatinib kill of sensitive LSCs through its exosomes', () => {
    expect(at({ clones: ['T315I'] }, 'tki_kill', 36)).toBeLessThan(at({}, 'tki_kill', 36));
  });
});
