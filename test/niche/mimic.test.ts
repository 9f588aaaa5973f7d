/**
 * The mimic intervention (channels.ts): a cargo given directly in its recipient (miR mimic transfection or
 * over-expression), bypassing donors, release and uptake, in the units of the uptake fraction:
 * s = (1 - antiMiR) (f u + m). Checked against the closed-form Hill effect, with and without donor exosomes,
 * antagonised by the anti-miR, and absent = the model text unchanged.
 */
import { describe, expect, it } from 'vitest';
import { buildSetUp, readOne } from '../../src/experiments/culture.js';
import { loadKnowledgeBase } from '../../src/knowledge/load.js';
import { buildNiche, type NicheOptions, NicheOptionsError } from '../../src/niche/index.js';

const kb = loadKnowledgeBase();
const v = (key: string) => kb.parameter(key).value;
const hill = v('niche.cargo.hill');
const ec50 = v('niche.cargo.ec50');
const eff = (emax: number, s: number) => (emax * s ** hill) / (ec50 ** hill + s ** hill);

/** Endothelial culture: no cells, CML pool held at `pool`, niche feedbacks off. */
const huvec = (options: NicheOptions, pool = 0) => ({
  options: {
    immune: false,
    lineages: false,
    tki: { kind: 'none' as const },
    feedbacks: { 'il8-cxcr-retention': false, 'vcam1-cxcl12-retention': false },
    ...options,
  },
  held: { E_cml: pool, E_lsc: 0, E_bmsc: 0 },
  params: { X_init: 0, Y_init: 0 },
});

describe('mimic intervention', () => {
  it('absent, empty or zero: the generated model text is unchanged', () => {
    const base = buildNiche({ clones: ['T315I'] }, kb).text;
    expect(buildNiche({ clones: ['T315I'], mimic: {} }, kb).text).toBe(base);
    expect(buildNiche({ clones: ['T315I'], mimic: { 'miR-126': 0 } }, kb).text).toBe(base);
  });

  it('miR-126 mimic alone: signal = m, CXCL12 relaxes to 1 - E5(m) (no exosomes in the well)', () => {
    const m = 0.3;
    const r = readOne(kb, huvec({ mimic: { 'miR-126': m } }), 60, [
      'sig_mir126',
      'eff_mir126',
      'cxcl12_endo',
    ]);
    const e = eff(v('niche.ch.mir126.emax_cxcl12'), m);
    expect(r.sig_mir126).toBe(m);
    expect(r.eff_mir126).toBeCloseTo(e, 12);
    // 60 months at niche.activation.rate: fully relaxed
    expect(Math.abs(r.cxcl12_endo - (1 - e))).toBeLessThan(1e-6);
  });

  it('adds to the exosome uptake and is antagonised by the anti-miR together with it', () => {
    const m = 0.2;
    const pool = v('niche.uptake.km_cml'); // u = 1/2
    const ids = ['u_cml', 'sig_mir126', 'eff_mir126'];
    const both = readOne(kb, huvec({ mimic: { 'miR-126': m } }, pool), 1, ids);
    expect(both.u_cml).toBeCloseTo(0.5, 12);
    expect(both.sig_mir126).toBeCloseTo(0.5 + m, 12);
    const half = readOne(
      kb,
      huvec({ mimic: { 'miR-126': m }, interventions: { antiMiR: { 'miR-126': 0.5 } } }, pool),
      1,
      ids,
    );
    expect(half.sig_mir126).toBeCloseTo(0.5 * (0.5 + m), 12);
    const full = readOne(
      kb,
      huvec({ mimic: { 'miR-126': m }, interventions: { antiMiR: { 'miR-126': 1 } } }, pool),
      1,
      ids,
    );
    expect(full.eff_mir126).toBe(0);
  });

  it('creates the channel without its donor: miR-365 (A2) with no resistant clone, miR-210 in normoxia', () => {
    const plain = buildNiche({ tki: { kind: 'switch', drug: 'imatinib' } }, kb).text;
    expect(plain).not.toContain('eff_a2');
    expect(plain).not.toContain('eff_mir210');
    const t = buildNiche(
      { tki: { kind: 'switch', drug: 'imatinib' }, mimic: { 'miR-365': 0.4, 'miR-210': 0.1 } },
      kb,
    ).text;
    expect(t).toMatch(/sig_a2 := mimic_a2\b/);
    expect(t).toMatch(/sig_mir210 := mimic_mir210\b/);
    expect(t).toMatch(/P_native := .*eff_a2/);
    // the donor-side factor (hypoxic miR-210 loading) does not scale the mimic; the exosome term keeps it
    const hyp = buildNiche({ hypoxia: 0.5, mimic: { 'miR-210': 0.1 } }, kb).text;
    expect(hyp).toMatch(/sig_mir210 := \(hypoxia\*mir210_gain\*u_cml \+ mimic_mir210\)/);
    // the model with the mimic builds and runs
    const r = readOne(
      kb,
      { options: { mimic: { 'miR-365': 0.4 }, tki: { kind: 'switch', drug: 'imatinib' } } },
      1,
      ['eff_a2'],
    );
    expect(r.eff_a2).toBeCloseTo(eff(v('niche.ch.mir365.emax'), 0.4), 12);
  });

  it('rejects the lumped protein cargo, negative or non-finite levels, unknown cargo and a model without exosomes', () => {
    const bad: [NicheOptions, RegExp][] = [
      [{ mimic: { protein: 0.1 } }, /no mimic for cargo 'protein'/],
      [{ mimic: { 'miR-126': -0.1 } }, /level must be a finite number >= 0/],
      [{ mimic: { 'miR-126': Number.NaN } }, /level must be a finite number >= 0/],
      [{ mimic: { 'miR-999': 0.1 } as NicheOptions['mimic'] }, /no mimic for cargo 'miR-999'/],
      [{ exosomes: false, mimic: { 'miR-126': 0.1 } }, /needs the exosome layer/],
    ];
    for (const [o, msg] of bad) {
      expect(() => buildNiche(o, kb)).toThrow(NicheOptionsError);
      expect(() => buildNiche(o, kb)).toThrow(msg);
    }
    expect(() => buildSetUp(kb, huvec({ mimic: { 'miR-126': 0.1 } }))).not.toThrow();
  });
});
