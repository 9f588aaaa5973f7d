/**
 * Exosomes acting on CML cells (biology.md §2.2, §2.3, §4): autocrine growth (VE-9), BMSC IL-8 (VE-11), BMSC
 * exosomes arresting CML cells in vitro yet protecting them in vivo (VE-14/VE-15, one mechanism), and transfer of
 * imatinib resistance (VE-16, VE-17).
 *
 * A CML-cell culture is the niche model's leukaemic stem-cell compartment seeded with cycling cells (X = 0,
 * Y = SEED_FRACTION Ky; lineages off, so all leukaemic cells are LSC-compartment cells; the model's only
 * self-renewing leukaemic cells are LSCs, so cell lines are represented by them), immune compartment off, exosome
 * pools held at the added dose. The TKI in vitro is the switch at the reference exposure (tkiE = 1): 2 µM imatinib
 * (VE-17) is about the total steady-state trough of 400 mg daily (~1 µg/mL ≈ 2 µM, cml-models.md §6).
 */
import type { KnowledgeBase } from '../knowledge/load.js';
import type { NicheOptions } from '../niche/index.js';
import {
  addedPools,
  DAY,
  ENGRAFTMENT_RUNS,
  engraftment,
  HOUR,
  IN_VITRO,
  marrowPools,
  NO_NICHE_FEEDBACK,
  readAt,
  readOne,
  type SetUp,
  seeded,
} from './culture.js';
import type { Experiment } from './types.js';

const ratio = (a: number, b: number) => a / b;

interface Pools {
  readonly cml?: number;
  readonly bmsc?: number;
  readonly res?: number;
}

/** CML cells in culture with held pools (0 unless given). */
function culture(
  kb: KnowledgeBase,
  pools: Pools,
  options: NicheOptions = {},
  params: Record<string, number> = {},
): SetUp {
  const hasRes = (options.clones ?? []).length > 0;
  return {
    options: { ...IN_VITRO, feedbacks: NO_NICHE_FEEDBACK, ...options },
    params: { X_init: 0, Y_init: seeded(kb), ...(hasRes ? { u_mut: 0 } : {}), ...params },
    held: {
      E_cml: pools.cml ?? 0,
      E_lsc: 0,
      E_bmsc: pools.bmsc ?? 0,
      ...(hasRes ? { E_res: pools.res ?? 0 } : {}),
    },
  };
}

const CULTURE_MAPPING =
  'CML-cell culture: cycling leukaemic stem-cell compartment seeded at 1 % of Ky (X = 0; lineages, immune ' +
  'compartment and niche feedbacks off), exosome pools held at the added dose (0 otherwise; the cells’ own release ' +
  "is neglected). Cell number = LSC_tot. Doses are in µg exosome protein/mL (the study's, or invitro.dose " +
  'when it was not retrieved) on the in-vitro dose scale (culture.ts addedPools: invitro.particles_per_ug, ' +
  'uptake saturating at invitro.km), independent of the in-vivo release, clearance and uptake keys. Apoptosis of ' +
  'the untreated cells = the intrinsic apoptosis of cycling LSCs (niche.lsc.apoptosis_rate, balanced by as many ' +
  'extra divisions so that the net growth is Hähnel’s without survival signals), divided by 1 + S, S the survival ' +
  'signal (A1 anti-apoptosis, IL-8/CXCR1-2); read as apoptosis_lsc, the rate per cycling cell.';

const VE9_DOSES = [0, 5, 10, 20] as const;
const VE9_COLONY_DOSES = [1, 5, 10, 20, 50] as const;
const VE9_TIMES_H = [48, 72, 96, 168] as const;

export const VE9: Experiment = {
  id: 'VE-9',
  title: 'Autologous exosomes raise LAMA84 proliferation with dose, up to a week',
  source: { study: 'A1', ref: 'raimondo2015' },
  setting: 'in-vitro',
  protocol:
    'LAMA84 + autologous exosomes 0, 5, 10, 20 µg/mL; proliferation (BrdU) at 48, 72, 96 h and 1 week; colony ' +
    'area in methylcellulose for 1, 5, 10, 20, 50 µg/mL; BCL-w, BCL-xL, survivin.',
  mapping:
    `${CULTURE_MAPPING} Doses are the study's (0, 5, 10, 20 and 1-50 µg/mL, Raimondo 2015). ` +
    'Proliferation = cell number relative to the 0 µg/mL arm at each time; colony area = ' +
    'cell number at 1 week relative to the lowest dose. BCL-w, BCL-xL and survivin (lumped) = the A1 ' +
    'anti-apoptotic protection 1 + S_a1, read as the apoptosis rate of the 0 µg/mL arm over that of the dose arm ' +
    'at 72 h (niche.ch.autocrine.emax_survival; the same A1 signal that raises proliferation).',
  expectations: [
    ...VE9_TIMES_H.map((h) => ({
      id: `proliferation_${h}h`,
      statement: `proliferation rises with dose (0, 5, 10, 20 µg/mL) at ${h === 168 ? '1 week' : `${h} h`}`,
      measure: 'cell number / 0 µg/mL arm, by dose',
      criterion: { kind: 'increasingSeries' } as const,
      evidence: 'V' as const,
    })),
    {
      id: 'colony',
      statement: 'colony area rises for 1-50 µg/mL',
      measure: 'cell number at 1 week / 1 µg/mL arm, by dose',
      criterion: { kind: 'increasingSeries' },
      evidence: 'V',
    },
    {
      id: 'antiapoptotic',
      statement: 'BCL-w, BCL-xL and survivin up',
      measure:
        'anti-apoptotic protection (apoptosis rate at 0 µg/mL / at the dose = 1 + S), 72 h, by dose 0-20 µg/mL',
      criterion: { kind: 'increasingSeries' },
      evidence: 'V',
      note: 'the A1 anti-apoptotic arm (niche.ch.autocrine.emax_survival) lumps the three proteins',
    },
  ],
  run(kb) {
    const times = VE9_TIMES_H.map((h) => h * HOUR);
    const run = (d: number) =>
      readAt(kb, culture(kb, { cml: addedPools(kb, d).cml }), times, ['LSC_tot', 'apoptosis_lsc']);
    const runs = VE9_DOSES.map(run);
    const byDose = runs.map((r) => r.LSC_tot);
    const k72 = VE9_TIMES_H.indexOf(72);
    const apoptosis = runs.map((r) => r.apoptosis_lsc[k72]);
    const colony = VE9_COLONY_DOSES.map((d) => run(d).LSC_tot[times.length - 1]);
    const measures: Record<string, readonly number[]> = {};
    VE9_TIMES_H.forEach((h, k) => {
      measures[`proliferation_${h}h`] = byDose.map((s) => s[k] / byDose[0][k]);
    });
    measures.colony = colony.map((c) => c / colony[0]);
    measures.antiapoptotic = apoptosis.map((a) => apoptosis[0] / a);
    return {
      arms: VE9_DOSES.map((d, i) => ({
        arm: `LAMA84 + ${d} µg/mL exosomes`,
        readouts: {
          ...Object.fromEntries(VE9_TIMES_H.map((h, k) => [`cells_${h}h`, byDose[i][k]])),
          apoptosis_72h: apoptosis[i],
        },
      })),
      measures,
    };
  },
};

export const VE10: Experiment = {
  id: 'VE-10',
  title: 'Exosome injections enlarge LAMA84 xenografts',
  source: { study: 'A1', ref: 'raimondo2015' },
  setting: 'in-vivo',
  protocol:
    'NOD/SCID mice with subcutaneous LAMA84 xenografts, with exosome or PBS injections; tumour weight.',
  mapping:
    'The full marrow model of patient 1 seeded with a small inoculum (X = 0, Y = 1 % of Ky; lineages on), immune ' +
    'compartment off (NOD/SCID), untreated. PBS: the CML pool fed by the tumour’s own release; injections: the CML ' +
    'pool held at the marrow-equivalent dose for the whole course (injection schedule [U]). Tumour = LSC_tot + bulk ' +
    'leukaemic cells at 4 weeks (weight taken proportional to cell number).',
  expectations: [
    {
      id: 'tumour',
      statement: 'larger tumours with exosomes than with PBS (median tumour weight)',
      measure: 'tumour at 4 weeks, exosome injections / PBS',
      criterion: { kind: 'increase' },
      evidence: 'V',
    },
  ],
  run(kb) {
    const dose = marrowPools(kb).cml;
    const set = (held?: number): SetUp => ({
      options: { immune: false, tki: { kind: 'none' } },
      params: { X_init: 0, Y_init: seeded(kb) },
      ...(held !== undefined ? { held: { E_cml: held } } : {}),
    });
    const ids = ['LSC_tot', 'cml_bulk', 'E_cml', 'u_cml', 'quiescent_fraction'];
    const t = 28 * DAY;
    const pbs = readOne(kb, set(), t, ids);
    const exo = readOne(kb, set(dose), t, ids);
    const tumour = (r: Record<string, number>) => r.LSC_tot + r.cml_bulk;
    return {
      arms: [
        { arm: 'xenograft + PBS', readouts: { ...pbs, tumour: tumour(pbs) } },
        { arm: 'xenograft + exosome injections', readouts: { ...exo, tumour: tumour(exo) } },
      ],
      measures: { tumour: tumour(exo) / tumour(pbs) },
    };
  },
};

export const VE11: Experiment = {
  id: 'VE-11',
  title: 'CML exosomes make BMSCs secrete IL-8, which retains CML cells through CXCR1/2',
  source: { study: 'B1', ref: 'corrado2014' },
  setting: 'in-vitro',
  protocol:
    'CML exosomes on BMSC (HS5); conditioned medium or co-culture with CML cells, with or without CXCR1/2 ' +
    'blockade; BMSC IL-8, CML survival and adhesion.',
  mapping:
    `${CULTURE_MAPPING} Co-culture: BMSCs present (BMSC pool held at the added dose in every arm), ` +
    'the IL-8/CXCR1-2 feedback on and only BMSC IL-8 counted (niche.feedback.il8.bmsc_weight set to 1: no ' +
    'endothelium in the well), the VCAM1/CXCL12 feedback off. CXCR1/2 blockade = that feedback off. Adhesion / ' +
    'retention = 1 + retention signal. Survival = apoptosis rate of the CML cells (apoptosis_lsc) without CML ' +
    'exosomes / with them. The autocrine channel A1 is off in every arm: the study’s benefit is that of the ' +
    'exosome-stimulated stroma, and the direct (IL-8-independent) A1 response of CML cells to CML exosomes is ' +
    'VE-9’s (A1 does not act on IL-8 or retention, so the other read-outs are unchanged by it). Read at 72 h.',
  expectations: [
    {
      id: 'il8_bmsc',
      statement: 'CML exosomes stimulate BMSCs to produce IL-8',
      measure: 'il8_bmsc, CML exosomes / none',
      criterion: { kind: 'increase' },
      evidence: 'V',
    },
    {
      id: 'adhesion',
      statement: 'IL-8 raises CML adhesion (retention)',
      measure: '1 + retention, CML exosomes / none',
      criterion: { kind: 'increase' },
      evidence: 'V',
      note: 'adhesion details (HS5, reparixin) are [R]; the IL-8 axis itself is [V]',
    },
    {
      id: 'blockade',
      statement: 'blocking CXCR1/2 removes the benefit',
      measure: '1 + retention, CML exosomes + CXCR1/2 block / none',
      criterion: { kind: 'band', target: 1, low: 0.95, high: 1.05 },
      evidence: 'R',
      note: '"removes" read as back within 5 % of the no-exosome arm',
    },
    {
      id: 'survival',
      statement: 'IL-8-dependent survival of leukaemia cells (untreated)',
      measure: 'apoptosis rate of CML cells, no CML exosomes / CML exosomes (survival up: > 1), 72 h',
      criterion: { kind: 'increase' },
      evidence: 'V',
    },
    {
      id: 'survival_blockade',
      statement: 'blocking CXCR1/2 removes the survival benefit',
      measure: 'apoptosis rate, no CML exosomes / CML exosomes + CXCR1/2 block, 72 h',
      criterion: { kind: 'band', target: 1, low: 0.95, high: 1.05 },
      evidence: 'R',
      note: '"removes" read as back within 5 % of the no-exosome arm; the reparixin details are [R]',
    },
  ],
  run(kb) {
    const pools = addedPools(kb);
    const noA1 = { 'cml-autocrine-proliferation': false } as const;
    const o: NicheOptions = {
      feedbacks: { 'il8-cxcr-retention': true, 'vcam1-cxcl12-retention': false },
      channels: noA1,
    };
    const p = { wb_il8: 1 };
    const ids = ['il8_bmsc', 'retention', 'quiescent_fraction', 'LSC_tot', 'apoptosis_lsc'];
    const t = 72 * HOUR;
    const none = readOne(kb, culture(kb, { bmsc: pools.bmsc }, o, p), t, ids);
    const exo = readOne(kb, culture(kb, { bmsc: pools.bmsc, cml: pools.cml }, o, p), t, ids);
    const blocked = readOne(
      kb,
      culture(kb, { bmsc: pools.bmsc, cml: pools.cml }, { feedbacks: NO_NICHE_FEEDBACK, channels: noA1 }),
      t,
      ids,
    );
    return {
      arms: [
        { arm: 'BMSC + CML cells', readouts: none },
        { arm: 'BMSC + CML cells + CML exosomes', readouts: exo },
        { arm: 'BMSC + CML cells + CML exosomes + CXCR1/2 block', readouts: blocked },
      ],
      measures: {
        il8_bmsc: ratio(exo.il8_bmsc, none.il8_bmsc),
        adhesion: ratio(1 + exo.retention, 1 + none.retention),
        blockade: ratio(1 + blocked.retention, 1 + none.retention),
        survival: ratio(none.apoptosis_lsc, exo.apoptosis_lsc),
        survival_blockade: ratio(none.apoptosis_lsc, blocked.apoptosis_lsc),
      },
    };
  },
};

/** Parameters carrying the B4 mechanism, as bound in a run (for the VE-14/VE-15 one-mechanism check). */
const B4_MECHANISM = [
  'emax_b4q',
  'emax_b4p',
  'Km_bmsc',
  'cargo_ec50',
  'cargo_hill',
  'pyx',
  'pxy',
  'e_tki',
  'py',
];

/** Read-outs without the mechanism parameters (those are reported once, as `mechanism`). */
const withoutMechanism = (r: Record<string, number>) =>
  Object.fromEntries(Object.entries(r).filter(([k]) => !B4_MECHANISM.includes(k)));

export const VE14: Experiment = {
  id: 'VE-14',
  title: 'BMSC exosomes arrest CML cells in vitro (G0/G1, less proliferation)',
  source: { study: 'B4', ref: 'zhang2020' },
  setting: 'in-vitro',
  protocol: 'hBMMSC exosomes on CML cells in vitro; proliferation and cell cycle (G0/G1).',
  mapping:
    `${CULTURE_MAPPING} BMSC exosome pool held at the added dose (invitro.dose) vs 0. ` +
    'G0/G1 = quiescent fraction X/(X + Y). Read at 72 h. Same parameter set as VE-15.',
  expectations: [
    {
      id: 'arrest',
      statement: 'G0/G1 arrest',
      measure: 'quiescent fraction, BMSC exosomes / none, 72 h',
      criterion: { kind: 'increase' },
      evidence: 'V',
    },
    {
      id: 'proliferation',
      statement: 'proliferation down (miR-15a)',
      measure: 'cell number, BMSC exosomes / none, 72 h',
      criterion: { kind: 'decrease' },
      evidence: 'V',
    },
  ],
  run(kb) {
    const dose = addedPools(kb).bmsc;
    const ids = ['quiescent_fraction', 'LSC_tot', 'u_bmsc', 'eff_b4q', ...B4_MECHANISM];
    const t = 72 * HOUR;
    const none = readOne(kb, culture(kb, {}), t, ids);
    const exo = readOne(kb, culture(kb, { bmsc: dose }), t, ids);
    return {
      arms: [
        { arm: 'CML cells', readouts: withoutMechanism(none) },
        { arm: 'CML cells + BMSC exosomes', readouts: withoutMechanism(exo) },
      ],
      measures: {
        arrest: ratio(exo.quiescent_fraction, none.quiescent_fraction),
        proliferation: ratio(exo.LSC_tot, none.LSC_tot),
      },
      mechanism: { ...Object.fromEntries(B4_MECHANISM.map((k) => [k, exo[k]])), bmsc_dose: dose },
    };
  },
};

export const VE15: Experiment = {
  id: 'VE-15',
  title: 'BMSC exosomes protect CML cells in vivo and lower TKI sensitivity (same mechanism as VE-14)',
  source: { study: 'B4', ref: 'zhang2020' },
  setting: 'in-vivo',
  protocol:
    'BALB/c nu/nu xenograft with hBMMSC exosomes, with or without TKI; tumour incidence and growth, Bcl-2, ' +
    'caspase-3, TKI sensitivity.',
  mapping:
    'The full marrow model of patient 1 seeded with a small inoculum (X = 0, Y = 1 % of Ky; lineages on), ' +
    'immune compartment off (nude mice), BMSC exosome pool held at the marrow-equivalent value (the pool of the untreated ' +
    'marrow model) vs 0; TKI = imatinib switch from day 0. Tumour = LSC_tot + bulk leukaemic cells at 4 weeks. Anti-apoptotic ' +
    'protection (Bcl-2 up, caspase-3 down) = 1 + P_niche; TKI sensitivity = tumour on TKI / tumour untreated. ' +
    `Tumour incidence = engraftment probability: the fraction of ${ENGRAFTMENT_RUNS.replicates} keyed hybrid ` +
    `replicates (seed ${ENGRAFTMENT_RUNS.seed}; leukaemic stem cells discrete when few, src/niche/hybrid.ts) with ` +
    'leukaemic stem cells left at 4 weeks, same inoculum, untreated arms. ' +
    'Same parameter set as VE-14.',
  expectations: [
    {
      id: 'growth',
      statement: 'tumour growth up with BMSC exosomes (xenograft)',
      measure: 'tumour at 4 weeks untreated, BMSC exosomes / none',
      criterion: { kind: 'increase' },
      evidence: 'V',
    },
    {
      id: 'protection',
      statement: 'Bcl-2 up, caspase-3 down',
      measure: '1 + P_niche on TKI, BMSC exosomes / none',
      criterion: { kind: 'increase' },
      evidence: 'V',
    },
    {
      id: 'tki_sensitivity',
      statement: 'sensitivity to TKIs down',
      measure: 'surviving fraction on TKI (tumour TKI / untreated), BMSC exosomes / none',
      criterion: { kind: 'increase' },
      evidence: 'V',
    },
    {
      id: 'lsc_sensitivity',
      statement: 'sensitivity to TKIs down, at the level of the leukaemic stem cells',
      measure: 'surviving LSC fraction on TKI (LSC_tot TKI / untreated), BMSC exosomes / none',
      criterion: { kind: 'increase' },
      evidence: 'V',
      note: 'the B4 channels act on LSCs only (docs/niche-model.md); the bulk cells dominate the tumour',
    },
    {
      id: 'kill',
      statement: 'TKI kill of cycling leukaemic stem cells down (apoptosis down)',
      measure: 'tki_kill (per cycling LSC) on TKI, BMSC exosomes / none',
      criterion: { kind: 'decrease' },
      evidence: 'V',
    },
    {
      id: 'incidence',
      statement: 'tumour incidence up',
      measure: 'engraftment probability at 4 weeks untreated (hybrid replicates), BMSC exosomes / none',
      criterion: { kind: 'increase' },
      evidence: 'V',
      note:
        'untreated leukaemic stem cells die only by their intrinsic apoptosis (niche.lsc.apoptosis_rate, slow ' +
        'against division at hahnel2020.py): a founding cycling LSC establishes with probability 1 - d/b ' +
        '(arm read-out establishment_per_lsc, about 0.95 at the KB values), so an inoculum of 1 % of Ky (10⁴ ' +
        'cells) cannot go extinct and engraftment is certain in both arms; the B4 channels do not act on ' +
        'untreated LSC apoptosis (that would reverse VE-14’s in-vitro proliferation read-out). Not tuned.',
    },
  ],
  run(kb) {
    const dose = marrowPools(kb).bmsc;
    const t = 28 * DAY;
    const set = (bmsc: number, tki: boolean): SetUp => ({
      options: { immune: false, tki: tki ? { kind: 'switch', drug: 'imatinib' } : { kind: 'none' } },
      params: { X_init: 0, Y_init: seeded(kb) },
      held: { E_bmsc: bmsc },
    });
    const ids = ['LSC_tot', 'cml_bulk', 'quiescent_fraction', ...B4_MECHANISM];
    const tumour = (r: Record<string, number>) => r.LSC_tot + r.cml_bulk;
    const birthDeath = ['apoptosis_lsc', 'delta_lsc', 'eff_a1'];
    const none = readOne(kb, set(0, false), t, [...ids, ...birthDeath]);
    const exo = readOne(kb, set(dose, false), t, [...ids, ...birthDeath]);
    // a founding cycling LSC in an empty niche: division b = py (1 + A1) + delta, death d = delta/(1 + S);
    // establishment probability of the linear birth-death process 1 - d/b
    const establishment = (r: Record<string, number>) =>
      1 - r.apoptosis_lsc / (r.py * (1 + r.eff_a1) + r.delta_lsc);
    const noneT = readOne(kb, set(0, true), t, [...ids, 'P_niche', 'tki_kill', 'tki_kill_lsc']);
    const exoT = readOne(kb, set(dose, true), t, [...ids, 'P_niche', 'tki_kill', 'tki_kill_lsc']);
    // tumour incidence: engraftment probability over keyed hybrid replicates (common random numbers across arms)
    const inc = { none: engraftment(kb, set(0, false), t), exo: engraftment(kb, set(dose, false), t) };
    return {
      arms: [
        {
          arm: 'xenograft',
          readouts: {
            ...withoutMechanism(none),
            tumour: tumour(none),
            incidence: inc.none,
            establishment_per_lsc: establishment(none),
          },
        },
        {
          arm: 'xenograft + BMSC exosomes',
          readouts: {
            ...withoutMechanism(exo),
            tumour: tumour(exo),
            incidence: inc.exo,
            establishment_per_lsc: establishment(exo),
          },
        },
        {
          arm: 'xenograft, imatinib',
          readouts: { ...withoutMechanism(noneT), tumour: tumour(noneT) },
        },
        {
          arm: 'xenograft + BMSC exosomes, imatinib',
          readouts: { ...withoutMechanism(exoT), tumour: tumour(exoT) },
        },
      ],
      measures: {
        growth: ratio(tumour(exo), tumour(none)),
        protection: ratio(1 + exoT.P_niche, 1 + noneT.P_niche),
        tki_sensitivity: ratio(tumour(exoT) / tumour(exo), tumour(noneT) / tumour(none)),
        lsc_sensitivity: ratio(exoT.LSC_tot / exo.LSC_tot, noneT.LSC_tot / none.LSC_tot),
        kill: ratio(exoT.tki_kill, noneT.tki_kill),
        incidence: ratio(inc.exo, inc.none),
      },
      mechanism: { ...Object.fromEntries(B4_MECHANISM.map((k) => [k, exo[k]])), bmsc_dose: dose },
    };
  },
};

/** Resistant-cell exosomes carry the generic CML cargo too: the same particles are in E_cml and E_res. */
const resistantExosomes = (dose: number): Pools => ({ cml: dose, res: dose });

export const VE16: Experiment = {
  id: 'VE-16',
  title: 'Exosomes of imatinib-resistant CML cells transfer resistance to sensitive cells',
  source: { study: 'A2', ref: 'min2018' },
  setting: 'in-vitro',
  protocol:
    'Exosomes from imatinib-resistant CML cells on imatinib-sensitive CML cells under imatinib; apoptosis and ' +
    'viability; miR-365 over-expression reproduces it.',
  mapping:
    `${CULTURE_MAPPING} A resistant clone (T315I) is declared so that the resistant pool and its channels exist, ` +
    'with no resistant cells (mutation probability set to 0). Resistant exosomes = CML and resistant pools held at ' +
    'the same dose (the same vesicles carry generic CML cargo and the resistance cargo). Imatinib switch at the ' +
    'reference exposure. Read at 48 h. miR-365 over-expression = the mimic option (cargo given in the sensitive ' +
    'cells, no exosomes, no resistant clone declared) at the level the resistant-exosome arm delivers (its uptake ' +
    'fraction u_res), so that the two arms carry the same miR-365 signal.',
  expectations: [
    {
      id: 'viability',
      statement: 'viability of sensitive cells under imatinib up',
      measure: 'cell number at 48 h on imatinib, resistant exosomes / none',
      criterion: { kind: 'increase' },
      evidence: 'V',
    },
    {
      id: 'apoptosis',
      statement: 'apoptosis down',
      measure: 'TKI kill rate of sensitive cycling cells, resistant exosomes / none',
      criterion: { kind: 'decrease' },
      evidence: 'V',
    },
    {
      id: 'mir365',
      statement: 'reproduced by miR-365 over-expression',
      measure: 'cell number at 48 h on imatinib, miR-365 mimic (no exosomes) / none',
      criterion: { kind: 'increase' },
      evidence: 'V',
    },
    {
      id: 'mir365_apoptosis',
      statement: 'reproduced by miR-365 over-expression (apoptosis down)',
      measure: 'TKI kill rate of sensitive cycling cells, miR-365 mimic / none',
      criterion: { kind: 'decrease' },
      evidence: 'V',
    },
  ],
  run(kb) {
    const dose = addedPools(kb).cml;
    const o: NicheOptions = { clones: ['T315I'], tki: { kind: 'switch', drug: 'imatinib' } };
    const ids = ['LSC_tot', 'tki_kill'];
    const t = 48 * HOUR;
    const none = readOne(kb, culture(kb, {}, o), t, ids);
    const exo = readOne(kb, culture(kb, resistantExosomes(dose), o), t, [...ids, 'u_res']);
    // over-expression in sensitive cells: no resistant clone, the miR-365 signal of the resistant-exosome arm
    const sensitive: NicheOptions = { tki: { kind: 'switch', drug: 'imatinib' } };
    const none365 = readOne(kb, culture(kb, {}, sensitive), t, ids);
    const mimic = readOne(kb, culture(kb, {}, { ...sensitive, mimic: { 'miR-365': exo.u_res } }), t, ids);
    const anti = readOne(
      kb,
      culture(kb, resistantExosomes(dose), { ...o, interventions: { antiMiR: { 'miR-365': 1 } } }),
      t,
      ids,
    );
    return {
      arms: [
        { arm: 'sensitive cells + imatinib', readouts: none },
        { arm: 'sensitive cells + imatinib + resistant-cell exosomes', readouts: exo },
        { arm: 'same, anti-miR-365 (model mechanism, not judged)', readouts: anti },
        { arm: 'sensitive cells (no resistant clone) + imatinib', readouts: none365 },
        { arm: 'sensitive cells + imatinib, miR-365 mimic (exosome-arm level)', readouts: mimic },
      ],
      measures: {
        viability: ratio(exo.LSC_tot, none.LSC_tot),
        apoptosis: ratio(exo.tki_kill, none.tki_kill),
        mir365: ratio(mimic.LSC_tot, none365.LSC_tot),
        mir365_apoptosis: ratio(mimic.tki_kill, none365.tki_kill),
      },
    };
  },
};

export const VE17: Experiment = {
  id: 'VE-17',
  title: 'K562IR exosomes raise K562 survival in 2 µM imatinib',
  source: { study: 'A3', ref: 'hrdinova2021' },
  setting: 'in-vitro',
  protocol: 'K562IR exosomes vs K562 exosomes vs none, on K562 in 2 µM imatinib; survival.',
  mapping:
    `${CULTURE_MAPPING} K562 exosomes = CML pool held at the dose; K562IR exosomes = CML and resistant pools held ` +
    'at the same dose (resistant clone T315I declared, no resistant cells). 2 µM imatinib = switch at the ' +
    'reference exposure. Survival = cell number at 72 h.',
  expectations: [
    {
      id: 'vs_none',
      statement: 'K562 survival up with K562IR exosomes vs no exosomes',
      measure: 'cell number at 72 h, K562IR exosomes / none',
      criterion: { kind: 'increase' },
      evidence: 'V',
    },
    {
      id: 'vs_k562',
      statement: 'K562 survival up with K562IR exosomes vs K562 exosomes',
      measure: 'cell number at 72 h, K562IR exosomes / K562 exosomes',
      criterion: { kind: 'increase' },
      evidence: 'V',
    },
  ],
  run(kb) {
    const dose = addedPools(kb).cml;
    const o: NicheOptions = { clones: ['T315I'], tki: { kind: 'switch', drug: 'imatinib' } };
    const ids = ['LSC_tot', 'tki_kill'];
    const t = 72 * HOUR;
    const none = readOne(kb, culture(kb, {}, o), t, ids);
    const k562 = readOne(kb, culture(kb, { cml: dose }, o), t, ids);
    const ir = readOne(kb, culture(kb, resistantExosomes(dose), o), t, ids);
    return {
      arms: [
        { arm: 'K562 + 2 µM imatinib', readouts: none },
        { arm: 'K562 + 2 µM imatinib + K562 exosomes', readouts: k562 },
        { arm: 'K562 + 2 µM imatinib + K562IR exosomes', readouts: ir },
      ],
      measures: { vs_none: ratio(ir.LSC_tot, none.LSC_tot), vs_k562: ratio(ir.LSC_tot, k562.LSC_tot) },
    };
  },
};
