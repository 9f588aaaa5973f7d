/**
 * CML exosomes on the endothelium (biology.md §2.1, §4): VE-1 to VE-7. The HUVEC culture is the niche model with
 * no leukaemic, normal or immune cells (X = Y = 0, lineages and immune off) and the CML exosome pool held at the
 * added dose; the endothelial states (vascular density = tube formation, IL-8, VCAM1, CXCL12) are the read-outs.
 */
import type { KnowledgeBase } from '../knowledge/load.js';
import type { NicheOptions } from '../niche/index.js';
import {
  addedPools,
  DAY,
  IN_VITRO,
  NO_NICHE_FEEDBACK,
  readAt,
  readOne,
  type SetUp,
  seeded,
  vascularPlateau,
} from './culture.js';
import type { Experiment, ExperimentRun } from './types.js';

/** HUVEC (endothelium alone) with a held dose of CML exosomes. */
function huvec(dose: number, options: NicheOptions = {}, params?: Record<string, number>): SetUp {
  return {
    options: { ...IN_VITRO, feedbacks: NO_NICHE_FEEDBACK, ...options },
    held: { E_cml: dose, E_lsc: 0, E_bmsc: 0 },
    params: { X_init: 0, Y_init: 0, ...(params ?? {}) },
  };
}

const ENDO = ['vasc', 'il8_endo', 'vcam1_endo', 'cxcl12_endo', 'u_cml', 'sig_src', 'eff_src'];

/** Plain ratio a/b. */
const ratio = (a: number, b: number) => a / b;
/** Fraction of an induced rise that remains: (treated - base)/(induced - base). */
const remaining = (treated: number, induced: number, base: number) => (treated - base) / (induced - base);

const HUVEC_MAPPING =
  'HUVEC culture: the niche model with no leukaemic, normal or immune cells (X = Y = 0, options lineages and ' +
  'immune off, niche feedbacks off) and the CML exosome pool E_cml held at the dose (LSC and BMSC pools held at 0). ' +
  "Dose: invitro.dose µg exosome protein/mL (the study's dose was not retrieved), converted to particles with " +
  'invitro.particles_per_ug, uptake saturating at invitro.km (the in-vitro dose scale, culture.ts). Tube formation = vascular density `vasc` read at its plateau ' +
  '(5 relaxation times of niche.vascular.rate): the model has one (in-vivo) vascular rate, and the Matrigel assay ' +
  'reads the formed network.';

export const VE1: Experiment = {
  id: 'VE-1',
  title: 'K562 exosomes double HUVEC tube formation',
  source: { study: 'E1', ref: 'mineo2012' },
  setting: 'in-vitro',
  protocol:
    'HUVEC on Matrigel in serum/growth-factor-limited medium, with or without K562 exosomes; read-out: total ' +
    'cumulative tube length.',
  mapping: `${HUVEC_MAPPING} Control: E_cml held at 0. A 10x dose is reported too (dose-response, not judged).`,
  expectations: [
    {
      id: 'tube_fold',
      statement: 'total cumulative tube length doubled vs limited medium (P = 0.003)',
      measure: 'vasc with exosomes / vasc without, at the plateau',
      criterion: { kind: 'band', target: 2, low: 1.5, high: 2.5 },
      evidence: 'V',
      note:
        'the study gives the mean fold (2.0) without a spread [U]; the band ±25 % is not fitted to the result: it is ' +
        'the same rule for every quantitative VE target without a reported spread',
    },
  ],
  run(kb) {
    const dose = addedPools(kb).cml;
    const t = vascularPlateau(kb);
    const ctrl = readOne(kb, huvec(0), t, ENDO);
    const exo = readOne(kb, huvec(dose), t, ENDO);
    const high = readOne(kb, huvec(10 * dose), t, ENDO);
    const day1 = readAt(kb, huvec(dose), [DAY], ['vasc']).vasc[0];
    return {
      arms: [
        { arm: 'limited medium', readouts: ctrl },
        { arm: 'K562 exosomes (added dose)', readouts: { ...exo, vasc_24h: day1 } },
        { arm: 'K562 exosomes (10x dose)', readouts: high },
      ],
      measures: { tube_fold: ratio(exo.vasc, ctrl.vasc), tube_fold_10x: ratio(high.vasc, ctrl.vasc) },
    };
  },
};

export const VE2: Experiment = {
  id: 'VE-2',
  title: 'Imatinib and dasatinib lower K562 exosome release; per-dose potency unchanged',
  source: { study: 'E1', ref: 'mineo2012' },
  setting: 'in-vitro',
  protocol:
    'Pre-treat K562 with imatinib or dasatinib, collect the exosomes; compare the amount released and the tube ' +
    'formation by equal amounts of drug-treated and untreated exosomes.',
  mapping:
    'Donor culture: leukaemic cells held at a fixed number (Y seeded and held, X = 0; lineages off, so all ' +
    'leukaemic cells release as CML bulk and LSC donors), the TKI a switch at the reference exposure (tkiE = 1); ' +
    'released pool (E_cml + w_lsc E_lsc) after 24 h. Potency: HUVEC with equal held doses of the two exosome ' +
    'preparations, no drug in the well.',
  expectations: [
    {
      id: 'release_imatinib',
      statement: 'imatinib reduced total exosome release from K562 (P < 0.009)',
      measure: 'pool after 24 h, imatinib / no drug',
      criterion: { kind: 'decrease' },
      evidence: 'V',
    },
    {
      id: 'release_dasatinib',
      statement: 'dasatinib reduced total exosome release from K562 (P < 0.009)',
      measure: 'pool after 24 h, dasatinib / no drug',
      criterion: { kind: 'decrease' },
      evidence: 'V',
    },
    {
      id: 'potency',
      statement: 'equal concentrations of drug-treated exosomes gave similar tube formation',
      measure: 'vasc with drug-treated exosomes / vasc with untreated exosomes, equal dose',
      criterion: { kind: 'band', target: 1, low: 0.95, high: 1.05 },
      evidence: 'V',
      note:
        'structural in the model: exosome cargo carries no memory of the donor drug, so this confirms the model ' +
        'form, not a fitted value; "similar" read as within 5 %',
    },
  ],
  run(kb): ExperimentRun {
    const cells = seeded(kb);
    const donor = (drug?: string): SetUp => ({
      options: { ...IN_VITRO, tki: drug ? { kind: 'switch', drug } : { kind: 'none' } },
      params: { X_init: 0, Y_init: cells },
      held: { X: 0, Y: cells, E_bmsc: 0 },
    });
    const ids = ['E_cml', 'E_lsc', 'w_lsc'];
    const pool = (d?: string) => {
      const r = readOne(kb, donor(d), DAY, ids);
      return r.E_cml + r.w_lsc * r.E_lsc;
    };
    const none = pool();
    const ima = pool('imatinib');
    const das = pool('dasatinib');
    const t = vascularPlateau(kb);
    const dose = addedPools(kb).cml;
    // The model's pools carry no donor-drug label: both preparations are the same held pool.
    const untreatedExo = readOne(kb, huvec(dose), t, ['vasc']).vasc;
    const treatedExo = readOne(kb, huvec(dose), t, ['vasc']).vasc;
    return {
      arms: [
        { arm: 'K562, no drug, 24 h', readouts: { pool: none } },
        { arm: 'K562 + imatinib, 24 h', readouts: { pool: ima } },
        { arm: 'K562 + dasatinib, 24 h', readouts: { pool: das } },
        { arm: 'HUVEC + untreated exosomes', readouts: { vasc: untreatedExo } },
        { arm: 'HUVEC + drug-treated exosomes (same dose)', readouts: { vasc: treatedExo } },
      ],
      measures: {
        release_imatinib: ratio(ima, none),
        release_dasatinib: ratio(das, none),
        potency: ratio(treatedExo, untreatedExo),
      },
    };
  },
};

/** Shared by VE-3 (in vitro) and VE-4 (Matrigel plug in vivo): no exosomes, exosomes, exosomes + drug. */
function drugOnEndothelium(kb: KnowledgeBase, t: number) {
  const dose = addedPools(kb).cml;
  const ctrl = readOne(kb, huvec(0), t, ENDO);
  const exo = readOne(kb, huvec(dose), t, ENDO);
  const das = readOne(kb, huvec(dose, { tki: { kind: 'switch', drug: 'dasatinib' } }), t, ENDO);
  const ima = readOne(kb, huvec(dose, { tki: { kind: 'switch', drug: 'imatinib' } }), t, ENDO);
  return { ctrl, exo, das, ima };
}

export const VE3: Experiment = {
  id: 'VE-3',
  title: 'Dasatinib on the endothelium blocks exosome-induced tube formation; imatinib does not',
  source: { study: 'E1', ref: 'mineo2012' },
  setting: 'in-vitro',
  protocol:
    'Treat HUVEC (not the donor) with dasatinib or imatinib, then add K562 exosomes; read tube formation and Src ' +
    'phosphorylation.',
  mapping:
    `${HUVEC_MAPPING} The drug is a TKI switch at the reference exposure (tkiE = 1) acting on the endothelium ` +
    'only (no leukaemic cells): dasatinib carries the KB `blocks` recipient modulator of the Src channel, ' +
    'imatinib does not. Src activation = eff_src (the Src-channel effect).',
  expectations: [
    {
      id: 'src_dasatinib',
      statement: 'dasatinib on HUVEC blocks exosome-induced Src phosphorylation',
      measure: 'Src-channel effect, dasatinib / no drug',
      criterion: { kind: 'atMost', limit: 0.5 },
      evidence: 'V',
      note: '"blocks" read as at least halved (operational rule for the word, the same in every experiment)',
    },
    {
      id: 'tube_dasatinib',
      statement: 'dasatinib on HUVEC markedly inhibits exosome-induced tube formation (P < 0.002)',
      measure: 'induced rise of vasc remaining under dasatinib ((das - ctrl)/(exo - ctrl))',
      criterion: { kind: 'atMost', limit: 0.5 },
      evidence: 'V',
      note: '"markedly inhibits" read as at least halved (operational rule for the word, the same in every experiment)',
    },
    {
      id: 'tube_imatinib',
      statement: 'imatinib is minimally active against exosome-stimulated HUVEC differentiation',
      measure: 'induced rise of vasc remaining under imatinib',
      criterion: { kind: 'atLeast', limit: 0.8 },
      evidence: 'V',
      note: '"minimal" read as at least 80 % of the rise kept (operational rule for the word, the same in every experiment)',
    },
    {
      id: 'das_vs_ima',
      statement: 'the endothelial effect is Src- not ABL-mediated: dasatinib below imatinib',
      measure: 'vasc under dasatinib / vasc under imatinib',
      criterion: { kind: 'decrease' },
      evidence: 'V',
    },
  ],
  run(kb) {
    const { ctrl, exo, das, ima } = drugOnEndothelium(kb, vascularPlateau(kb));
    return {
      arms: [
        { arm: 'HUVEC, no exosomes', readouts: ctrl },
        { arm: 'HUVEC + K562 exosomes', readouts: exo },
        { arm: 'HUVEC + dasatinib + K562 exosomes', readouts: das },
        { arm: 'HUVEC + imatinib + K562 exosomes', readouts: ima },
      ],
      measures: {
        src_dasatinib: ratio(das.eff_src, exo.eff_src),
        tube_dasatinib: remaining(das.vasc, exo.vasc, ctrl.vasc),
        tube_imatinib: remaining(ima.vasc, exo.vasc, ctrl.vasc),
        das_vs_ima: ratio(das.vasc, ima.vasc),
      },
    };
  },
};

export const VE4: Experiment = {
  id: 'VE-4',
  title: 'Matrigel plug: K562-exosome angiogenesis abrogated by oral dasatinib',
  source: { study: 'E1', ref: 'mineo2012' },
  setting: 'in-vivo',
  protocol:
    'Mouse Matrigel plug with K562 exosomes, with or without oral dasatinib; read plug vascularisation.',
  mapping:
    'The plug is the endothelium with the exosome dose held in it (as VE-3; the mouse carries no leukaemia), read ' +
    'at 14 days on the in-vivo vascular rate (niche.vascular.rate: plug vessels within 1-2 weeks); oral ' +
    'dasatinib = the switch at the standard-regimen exposure.',
  expectations: [
    {
      id: 'plug_exo',
      statement: 'angiogenesis induced by K562 exosomes',
      measure: 'vasc, exosome plug / empty plug, day 14',
      criterion: { kind: 'increase' },
      evidence: 'V',
    },
    {
      id: 'plug_dasatinib',
      statement: 'exosome-induced angiogenesis abrogated by oral dasatinib (P < 0.01)',
      measure: 'induced rise of vasc remaining under dasatinib',
      criterion: { kind: 'atMost', limit: 0.5 },
      evidence: 'V',
      note: '"abrogated" read as at least halved (operational rule for the word, the same in every experiment)',
    },
  ],
  run(kb) {
    const { ctrl, exo, das } = drugOnEndothelium(kb, 14 * DAY);
    return {
      arms: [
        { arm: 'empty plug', readouts: ctrl },
        { arm: 'plug + K562 exosomes', readouts: exo },
        { arm: 'plug + K562 exosomes, oral dasatinib', readouts: das },
      ],
      measures: {
        plug_exo: ratio(exo.vasc, ctrl.vasc),
        plug_dasatinib: remaining(das.vasc, exo.vasc, ctrl.vasc),
      },
    };
  },
};

export const VE5: Experiment = {
  id: 'VE-5',
  title: 'LAMA84 exosomes lower endothelial CXCL12 and VCAM1 via miR-126 and reduce CML adhesion',
  source: { study: 'E5', ref: 'taverna2014' },
  setting: 'in-vitro',
  protocol:
    'HUVEC + LAMA84 exosomes for 24 h; then CXCL12 and VCAM1 (mRNA, protein) and LAMA84 motility and adhesion to ' +
    'HUVEC; miR-126 inhibitor in HUVEC restores, miR-126 over-expression mimics.',
  mapping:
    `${HUVEC_MAPPING.replace(', niche feedbacks off', ', IL-8 feedback off')} Read at 24 h. The VCAM1/CXCL12 ` +
    'adhesion feedback stays on: adhesion of the leukaemic cells = 1 + R_adh (signed; below 1 mobilises). ' +
    'crosstalk.vcam1_direction is set to -1, the sign of this study (KB note; default 0 = no net VCAM1 change, ' +
    'conflict vcam1-endothelium with VE-6). miR-126 inhibitor = anti-miR option, miR-126 1.0. miR-126 ' +
    'over-expression = the mimic option (cargo given in the HUVEC, no exosomes) at the level the exosome arm ' +
    'delivers (its uptake fraction u_cml), so that the two arms carry the same miR-126 signal.',
  expectations: [
    {
      id: 'cxcl12',
      statement: 'CXCL12 down in HUVEC after 24 h',
      measure: 'cxcl12_endo, exosomes / control, 24 h',
      criterion: { kind: 'decrease' },
      evidence: 'V',
    },
    {
      id: 'vcam1',
      statement: 'VCAM1 down in HUVEC after 24 h',
      measure: 'vcam1_endo, exosomes / control, 24 h (vcam1_direction = -1)',
      criterion: { kind: 'decrease' },
      evidence: 'V',
      note: 'reproduced only with the conflict parameter set to this study’s sign; VE-6 needs the opposite sign',
    },
    {
      id: 'adhesion',
      statement: 'LAMA84 adhesion to HUVEC down',
      measure: '1 + R_adh, exosomes / control',
      criterion: { kind: 'decrease' },
      evidence: 'V',
    },
    {
      id: 'motility',
      statement: 'LAMA84 motility down',
      measure: '-',
      criterion: {
        kind: 'notReproducible',
        reason: 'the model has no leukaemic-cell motility/chemotaxis state (only retention through adhesion)',
      },
      evidence: 'V',
    },
    {
      id: 'antimir_cxcl12',
      statement: 'miR-126 inhibitor in HUVEC restores CXCL12',
      measure: 'cxcl12_endo, exosomes + anti-miR-126 / control',
      criterion: { kind: 'atLeast', limit: 0.95 },
      evidence: 'V',
      note: '"restores" read as back within 5 % of control',
    },
    {
      id: 'antimir_adhesion',
      statement: 'miR-126 inhibitor restores adhesion',
      measure: '1 + R_adh, exosomes + anti-miR-126 / control',
      criterion: { kind: 'atLeast', limit: 0.95 },
      evidence: 'V',
      note: '"restores" read as back within 5 % of control',
    },
    {
      id: 'mimic',
      statement: 'miR-126 over-expression in HUVEC reproduces the decrease',
      measure: 'cxcl12_endo, miR-126 mimic (no exosomes) / control, 24 h',
      criterion: { kind: 'decrease' },
      evidence: 'V',
    },
    {
      id: 'mimic_adhesion',
      statement: 'miR-126 over-expression in HUVEC reproduces the decrease (adhesion)',
      measure: '1 + R_adh, miR-126 mimic (no exosomes) / control, 24 h',
      criterion: { kind: 'decrease' },
      evidence: 'V',
    },
  ],
  run(kb) {
    const dose = addedPools(kb).cml;
    const o: NicheOptions = { feedbacks: { 'il8-cxcr-retention': false } };
    const p = { vcam1_dir: -1 };
    const ids = [...ENDO, 'R_adh'];
    const ctrl = readOne(kb, huvec(0, o, p), DAY, ids);
    const exo = readOne(kb, huvec(dose, o, p), DAY, ids);
    const anti = readOne(
      kb,
      huvec(dose, { ...o, interventions: { antiMiR: { 'miR-126': 1 } } }, p),
      DAY,
      ids,
    );
    // over-expression: the miR-126 signal of the exosome arm, given in the HUVEC without exosomes
    const mimic = readOne(kb, huvec(0, { ...o, mimic: { 'miR-126': exo.u_cml } }, p), DAY, ids);
    return {
      arms: [
        { arm: 'HUVEC, control medium, 24 h', readouts: ctrl },
        { arm: 'HUVEC + LAMA84 exosomes, 24 h', readouts: exo },
        { arm: 'HUVEC (anti-miR-126) + LAMA84 exosomes, 24 h', readouts: anti },
        { arm: 'HUVEC, miR-126 mimic (exosome-arm level), control medium, 24 h', readouts: mimic },
      ],
      measures: {
        cxcl12: ratio(exo.cxcl12_endo, ctrl.cxcl12_endo),
        vcam1: ratio(exo.vcam1_endo, ctrl.vcam1_endo),
        adhesion: ratio(1 + exo.R_adh, 1 + ctrl.R_adh),
        antimir_cxcl12: ratio(anti.cxcl12_endo, ctrl.cxcl12_endo),
        antimir_adhesion: ratio(1 + anti.R_adh, 1 + ctrl.R_adh),
        mimic: ratio(mimic.cxcl12_endo, ctrl.cxcl12_endo),
        mimic_adhesion: ratio(1 + mimic.R_adh, 1 + ctrl.R_adh),
      },
    };
  },
};

export const VE6: Experiment = {
  id: 'VE-6',
  title:
    'Control CML exosomes raise endothelial IL-8 and VCAM1; curcumin exosomes reverse it and lower vessels',
  source: { study: 'E6', ref: 'taverna2016' },
  setting: 'in-vitro + in-vivo',
  protocol:
    'HUVEC + control CML exosomes vs exosomes from curcumin-treated CML cells (miR-21-rich); IL8, VCAM1, RhoB, ' +
    'EC motility; vascular network in vitro and in vivo.',
  mapping:
    `${HUVEC_MAPPING} IL-8 and VCAM1 read at 24 h, the network at the plateau. Curcumin exosomes = option ` +
    'curcumin 1.0 (pro-angiogenic protein cargo depleted, miR-21 added). crosstalk.vcam1_direction = +1, the sign ' +
    'of this study (default 0; conflict with VE-5). In vivo: the full marrow model of patient 1, untreated, ' +
    'with and without curcumin reprogramming, vascular density at 3 months. RhoB = endothelial state rhob_endo ' +
    '(relaxes at niche.activation.rate to 1/(1 + niche.ch.mir21.emax_rhob x the D1 saturation)); EC motility = ' +
    'motility_endo = 1 - niche.endothelium.motility_rhob_gain x (1 - rhob_endo), both read at 24 h; they feed back ' +
    'into nothing.',
  expectations: [
    {
      id: 'il8',
      statement: 'control CML exosomes raise IL8 in HUVEC',
      measure: 'il8_endo, control exosomes / no exosomes, 24 h',
      criterion: { kind: 'increase' },
      evidence: 'V',
    },
    {
      id: 'vcam1',
      statement: 'control CML exosomes raise VCAM1 in HUVEC',
      measure: 'vcam1_endo, control exosomes / no exosomes (vcam1_direction = +1)',
      criterion: { kind: 'increase' },
      evidence: 'V',
      note: 'reproduced only with the conflict parameter set to this study’s sign; VE-5 needs the opposite sign',
    },
    {
      id: 'il8_reversed',
      statement: 'curcumin exosomes reverse the IL8 rise',
      measure: 'IL-8 rise remaining with curcumin exosomes',
      criterion: { kind: 'atMost', limit: 0.5 },
      evidence: 'V',
      note: '"reverse" read as at least halved (operational rule for the word, the same in every experiment)',
    },
    {
      id: 'vcam1_reversed',
      statement: 'curcumin exosomes reverse the VCAM1 rise',
      measure: 'VCAM1 rise remaining with curcumin exosomes',
      criterion: { kind: 'atMost', limit: 0.5 },
      evidence: 'V',
      note: '"reverse" read as at least halved (operational rule for the word, the same in every experiment)',
    },
    {
      id: 'network_vitro',
      statement: 'vascular network down with curcumin exosomes (in vitro)',
      measure: 'vasc, curcumin exosomes / control exosomes, plateau',
      criterion: { kind: 'decrease' },
      evidence: 'V',
    },
    {
      id: 'network_vivo',
      statement: 'vascular network down with curcumin exosomes (in vivo)',
      measure: 'vasc in the marrow model, curcumin / none, 3 months untreated',
      criterion: { kind: 'decrease' },
      evidence: 'V',
    },
    {
      id: 'rhob',
      statement: 'RhoB down with curcumin exosomes (miR-21)',
      measure: 'rhob_endo, curcumin exosomes / control exosomes, 24 h',
      criterion: { kind: 'decrease' },
      evidence: 'V',
    },
    {
      id: 'rhob_motility',
      statement: 'EC motility down with curcumin exosomes (miR-21, through RhoB)',
      measure: 'motility_endo, curcumin exosomes / control exosomes, 24 h',
      criterion: { kind: 'decrease' },
      evidence: 'V',
    },
  ],
  run(kb) {
    const dose = addedPools(kb).cml;
    const p = { vcam1_dir: 1 };
    const t = vascularPlateau(kb);
    const times = [DAY, t];
    const ids = [...ENDO, 'rhob_endo', 'motility_endo'];
    const arm = (d: number, o: NicheOptions = {}) => readAt(kb, huvec(d, o, p), times, ids);
    const none = arm(0);
    const ctrl = arm(dose);
    const cur = arm(dose, { interventions: { curcumin: 1 } });
    const at24 = (r: Record<string, number[]>) => Object.fromEntries(ids.map((k) => [k, r[k][0]]));
    const vivo = (o: NicheOptions) =>
      readOne(kb, { options: { tki: { kind: 'none' }, ...o } }, 3, ['vasc']).vasc;
    const vivoNone = vivo({});
    const vivoCur = vivo({ interventions: { curcumin: 1 } });
    return {
      arms: [
        {
          arm: 'HUVEC, no exosomes (24 h; vasc at plateau)',
          readouts: { ...at24(none), vasc: none.vasc[1] },
        },
        { arm: 'HUVEC + control CML exosomes', readouts: { ...at24(ctrl), vasc: ctrl.vasc[1] } },
        { arm: 'HUVEC + curcumin CML exosomes', readouts: { ...at24(cur), vasc: cur.vasc[1] } },
        { arm: 'marrow, untreated, 3 months', readouts: { vasc: vivoNone } },
        { arm: 'marrow, untreated, curcumin exosomes, 3 months', readouts: { vasc: vivoCur } },
      ],
      measures: {
        il8: ratio(ctrl.il8_endo[0], none.il8_endo[0]),
        vcam1: ratio(ctrl.vcam1_endo[0], none.vcam1_endo[0]),
        il8_reversed: remaining(cur.il8_endo[0], ctrl.il8_endo[0], none.il8_endo[0]),
        vcam1_reversed: remaining(cur.vcam1_endo[0], ctrl.vcam1_endo[0], none.vcam1_endo[0]),
        network_vitro: ratio(cur.vasc[1], ctrl.vasc[1]),
        network_vivo: ratio(vivoCur, vivoNone),
        rhob: ratio(cur.rhob_endo[0], ctrl.rhob_endo[0]),
        rhob_motility: ratio(cur.motility_endo[0], ctrl.motility_endo[0]),
      },
    };
  },
};

export const VE7: Experiment = {
  id: 'VE-7',
  title: 'Exosomes of hypoxic K562 cells raise tube formation more than normoxic ones',
  source: { study: 'E4', ref: 'tadokoro2013' },
  setting: 'in-vitro',
  protocol: 'K562 exosomes from 1 % vs 20 % O2 (24 h) on HUVEC; tube formation.',
  mapping:
    `${HUVEC_MAPPING} Equal held doses; hypoxic exosomes = option hypoxia 1.0 (1 % O2), which sets the miR-210 ` +
    'cargo (its effect on release does not act on a held pool).',
  expectations: [
    {
      id: 'hypoxic_tubes',
      statement: 'hypoxic exosomes enhance tube formation more than normoxic exosomes',
      measure: 'vasc, hypoxic / normoxic exosomes, equal dose, plateau',
      criterion: { kind: 'increase' },
      evidence: 'V',
      note: 'the miR-210 mechanism is [R]',
    },
  ],
  run(kb) {
    const dose = addedPools(kb).cml;
    const t = vascularPlateau(kb);
    const norm = readOne(kb, huvec(dose), t, ENDO);
    const hyp = readOne(kb, huvec(dose, { hypoxia: 1 }), t, ENDO);
    return {
      arms: [
        { arm: 'HUVEC + normoxic K562 exosomes', readouts: norm },
        { arm: 'HUVEC + hypoxic K562 exosomes', readouts: hyp },
      ],
      measures: { hypoxic_tubes: ratio(hyp.vasc, norm.vasc) },
    };
  },
};
