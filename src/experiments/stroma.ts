/**
 * CML exosomes remodelling the stroma (biology.md §2.2, §4): VE-13, miR-320 turning BMMSCs towards a
 * leukaemia-supportive niche. The model's BMSC state `support_bmsc` (relative to baseline 1) scales BMSC exosome
 * release (channel cml-bmsc-mir320).
 */
import { addedPools, HOUR, IN_VITRO, NO_NICHE_FEEDBACK, readOne } from './culture.js';
import type { Experiment } from './types.js';

export const VE13: Experiment = {
  id: 'VE-13',
  title: 'CML exosomes remodel BMMSCs towards a leukaemia-supportive niche (miR-320)',
  source: { study: 'B3', ref: 'gao2019' },
  setting: 'in-vitro + in-vivo',
  protocol:
    'CML exosomes on BMMSCs in vitro, and in an in-vivo leukaemia model; BMMSC remodelling (osteogenic ' +
    'differentiation, β-catenin [R]).',
  mapping:
    'In vitro: BMSCs alone (no leukaemic, normal or immune cells; niche feedbacks off) with the CML exosome pool ' +
    'held at the added dose (invitro.dose, in-vitro dose scale) vs 0, support_bmsc at 72 h. In vivo: the full marrow model of patient 1, ' +
    'untreated, with or without anti-miR-320 (option antiMiR miR-320 1.0), support_bmsc and the BMSC exosome pool ' +
    'at 3 months.',
  expectations: [
    {
      id: 'support_vitro',
      statement: 'BMMSCs remodelled towards a leukaemia-supportive state (in vitro)',
      measure: 'support_bmsc, CML exosomes / none, 72 h',
      criterion: { kind: 'increase' },
      evidence: 'V',
    },
    {
      id: 'support_vivo',
      statement: 'leukaemic exosomes remodel the niche in vivo, through miR-320',
      measure: 'support_bmsc in the marrow, with / without miR-320 (anti-miR-320), 3 months',
      criterion: { kind: 'increase' },
      evidence: 'V',
    },
    {
      id: 'bmsc_release_vivo',
      statement: 'a more supportive stroma (more BMSC exosomes reaching the leukaemic cells)',
      measure: 'BMSC exosome pool, with / without miR-320, 3 months',
      criterion: { kind: 'increase' },
      evidence: 'V',
      note: 'the model expresses "supportive" as more BMSC exosome release (docs/niche-model.md)',
    },
    {
      id: 'osteogenesis',
      statement: 'osteogenic differentiation down via β-catenin',
      measure: '-',
      criterion: {
        kind: 'notReproducible',
        reason: 'the model has no osteogenic differentiation or β-catenin state (and the read-out is [R])',
      },
      evidence: 'R',
    },
  ],
  run(kb) {
    const dose = addedPools(kb).cml;
    const bmsc = (cml: number) => ({
      options: { ...IN_VITRO, feedbacks: NO_NICHE_FEEDBACK },
      params: { X_init: 0, Y_init: 0 },
      held: { E_cml: cml, E_lsc: 0 },
    });
    const ids = ['support_bmsc', 'il8_bmsc', 'E_bmsc'];
    const none = readOne(kb, bmsc(0), 72 * HOUR, ids);
    const exo = readOne(kb, bmsc(dose), 72 * HOUR, ids);
    const marrow = (anti: boolean) =>
      readOne(
        kb,
        {
          options: {
            tki: { kind: 'none' },
            ...(anti ? { interventions: { antiMiR: { 'miR-320': 1 } } } : {}),
          },
        },
        3,
        ids,
      );
    const vivo = marrow(false);
    const vivoAnti = marrow(true);
    return {
      arms: [
        { arm: 'BMMSC, 72 h', readouts: none },
        { arm: 'BMMSC + CML exosomes, 72 h', readouts: exo },
        { arm: 'marrow, untreated, 3 months', readouts: vivo },
        { arm: 'marrow, untreated, anti-miR-320, 3 months', readouts: vivoAnti },
      ],
      measures: {
        support_vitro: exo.support_bmsc / none.support_bmsc,
        support_vivo: vivo.support_bmsc / vivoAnti.support_bmsc,
        bmsc_release_vivo: vivo.E_bmsc / vivoAnti.E_bmsc,
      },
    };
  },
};
