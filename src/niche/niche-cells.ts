/**
 * Niche cells as populations with activation states, each relative to its unstimulated baseline (1):
 *
 *   endothelium: il8_endo (IL-8), vcam1_endo (VCAM1), cxcl12_endo (CXCL12), vasc (vascular density / tube formation)
 *   BMSC:        il8_bmsc (IL-8 secretion), support_bmsc (leukaemia-supportive remodelling, scales BMSC exosome release)
 *
 *   da/dt = k_a (target_a - a),  targets from the channel effects (channels.ts):
 *   il8_endo*   = 1 + (1 - curcumin) E6
 *   vcam1_endo* = 1 + dir+ (1 - curcumin) emax_vcam H6 - dir- emax_vcam H126     (dir = crosstalk.vcam1_direction)
 *   cxcl12_endo* = 1 - miR-126 effect
 *   vasc*       = (1 + E1 + E3 + E4) / (1 + D1)                                  (vascular rate k_v)
 *   il8_bmsc*   = 1 + B1 + B2,   support_bmsc* = 1 + B3
 *   rhob_endo*  = 1/(1 + emax_rhob H21),  motility_endo = 1 - g_mot (1 - rhob_endo)   (H21 = D1/emax_mir21)
 *
 * RhoB and motility (Taverna 2016, Oncotarget 7:30420: curcumin-exosome miR-21 lowers RhoB in HUVEC and their
 * motility) are read-outs only: nothing reads them back (no study links them to vessels or LSCs in this model).
 *
 * Feedback on LSCs (niche cells -> LSC retention and protection; IL-8/CXCR1-2 and VCAM1/CXCL12):
 *   R_il8 = rmax_il8 I/(k_il8 + I),   I = max(wb (il8_bmsc - 1) + (1 - wb)(il8_endo - 1), 0)
 *   R_adh = rmax_adh D/(k_adh + |D|), D = (vcam1_endo + cxcl12_endo)/2 - 1      (signed: miR-126 mobilises)
 *   R = R_il8 + R_adh,  Q = B4q + R,  R+ = max(R, 0),  P = B4p + wp R+,  P_native = P + A2 + A3
 * Survival of untreated leukaemic cells (divides their apoptosis, lsc.ts and haematopoiesis.ts):
 *   S = A1s + S_il8,  A1s = emax_a1s H_A1 (Raimondo 2015: BCL-w, BCL-xL, survivin up),
 *   S_il8 = fb_il8 smax_il8 I/(k_il8 + I) (Corrado 2014: IL-8-dependent survival through CXCR1/2)
 * Every deviation is 0 at baseline, so without exosomes the states stay at 1 and the LSC core is Hähnel's.
 */
import { sumOf, type Target } from './channels.js';
import type { LscModifiers } from './lsc.js';
import type { ResolvedOptions } from './options.js';
import type { ModelWriter } from './writer.js';

export interface NicheCellSymbols {
  readonly bmscSupport: string;
}

/** Declares the BMSC support state first (exosomes.ts reads it for BMSC release). */
export function declareNicheStates(w: ModelWriter): NicheCellSymbols {
  for (const [id, d] of [
    ['il8_endo', 'endothelial IL-8 (relative to baseline)'],
    ['vcam1_endo', 'endothelial VCAM1 (relative)'],
    ['cxcl12_endo', 'endothelial CXCL12 (relative)'],
    ['vasc', 'vascular density / tube formation (relative)'],
    ['il8_bmsc', 'BMSC IL-8 secretion (relative)'],
    ['support_bmsc', 'BMSC leukaemia-supportive state (relative)'],
    ['rhob_endo', 'endothelial RhoB (relative)'],
  ])
    w.species(id, '1', d);
  return { bmscSupport: 'support_bmsc' };
}

export function writeNicheCells(
  w: ModelWriter,
  o: ResolvedOptions,
  eff: Map<Target, string[]>,
  hasTki: boolean,
): LscModifiers {
  const ka = w.kb('k_act', 'niche.activation.rate', 'relaxation rate of niche activation states');
  const kv = w.kb('k_vasc', 'niche.vascular.rate', 'relaxation rate of vascular density');
  const cur =
    o.curcumin > 0 ? w.option('curcumin', o.curcumin, 'curcumin-like cargo reprogramming 0..1') : '';
  const e6 = eff.get('il8_endo+')?.[0];
  const m126 = eff.get('adhesion_endo')?.[0];
  const e6c = e6 ? (cur ? `(1 - ${cur})*${e6}` : e6) : '';
  // VCAM1: signed by the conflict parameter; the E6 rise and the miR-126 fall use the same maximal change.
  let vcam = '1';
  if (e6 || m126) {
    const dir = w.kb(
      'vcam1_dir',
      'crosstalk.vcam1_direction',
      'sign/strength of the endothelial VCAM1 response',
    );
    const ev = w.kb('emax_vcam', 'niche.ch.vcam1.emax', 'maximal relative VCAM1 change');
    const up = e6 ? ` + max(${dir}, 0)*${ev}*${e6c}/emax_e6` : '';
    const down = m126 ? ` - max(-${dir}, 0)*${ev}*${m126}/emax_mir126` : '';
    vcam = `1${up}${down}`;
  }
  const targets: [string, string, string][] = [
    ['il8_endo', e6c ? `1 + ${e6c}` : '1', ka],
    ['vcam1_endo', vcam, ka],
    ['cxcl12_endo', m126 ? `1 - ${m126}` : '1', ka],
    ['vasc', `(1 + ${sumOf(eff.get('vascular+'))})/(1 + ${sumOf(eff.get('vascular-'))})`, kv],
    ['il8_bmsc', `1 + ${sumOf(eff.get('il8_bmsc+'))}`, ka],
    ['support_bmsc', `1 + ${sumOf(eff.get('bmsc_support+'))}`, ka],
    ['rhob_endo', rhobTarget(w, eff.get('vascular-')?.[0]), ka],
  ];
  for (const [s, target, k] of targets) {
    w.reaction(`Up_${s}`, '', s, `${k}*(${target})`);
    w.reaction(`Down_${s}`, s, '', `${k}*${s}`);
  }
  if (o.exosomes) {
    const g = w.kb(
      'g_mot',
      'niche.endothelium.motility_rhob_gain',
      'relative change of endothelial motility per relative change of RhoB',
    );
    w.assign('motility_endo', `1 - ${g}*(1 - rhob_endo)`, 'endothelial motility (relative to baseline)');
  }
  const fbIl8 = o.feedbacks['il8-cxcr-retention'];
  const fbAdh = o.feedbacks['vcam1-cxcl12-retention'];
  const parts: string[] = [];
  // Raimondo 2015 (A1): autocrine exosomes raise BCL-w, BCL-xL and survivin besides proliferation; the arm shares
  // the A1 signal and saturation (H = eff_a1/emax_a1) with its own maximal effect.
  const survival: string[] = [];
  const a1 = eff.get('lsc_proliferation+')?.[0];
  if (a1) {
    const es = w.kb('emax_a1s', 'niche.ch.autocrine.emax_survival', 'maximal anti-apoptotic effect of A1');
    survival.push(
      w.assign('S_a1', `${es}*${a1}/emax_a1`, 'anti-apoptotic effect of autocrine exosomes (A1)'),
    );
  }
  if (fbIl8 > 0) {
    w.option('fb_il8', fbIl8, 'scale of the IL-8/CXCR1-2 retention feedback');
    w.kb('rmax_il8', 'niche.feedback.il8.rmax', 'maximal retention from IL-8');
    w.kb('k_il8', 'niche.feedback.il8.k50', 'IL-8 excess at half-maximal retention');
    w.kb('wb_il8', 'niche.feedback.il8.bmsc_weight', 'weight of BMSC vs endothelial IL-8');
    w.assign('il8_excess', 'max(wb_il8*(il8_bmsc - 1) + (1 - wb_il8)*(il8_endo - 1), 0)');
    parts.push(
      w.assign('R_il8', 'fb_il8*rmax_il8*il8_excess/(k_il8 + il8_excess)', 'LSC retention from IL-8'),
    );
    // Corrado 2014: the same IL-8/CXCR1-2 signal supports survival (same saturation; the blockade removes both)
    w.kb('smax_il8', 'niche.feedback.il8.survival_max', 'maximal survival signal from IL-8/CXCR1-2');
    survival.push(
      w.assign(
        'S_il8',
        'fb_il8*smax_il8*il8_excess/(k_il8 + il8_excess)',
        'survival of leukaemic cells from IL-8',
      ),
    );
  }
  if (fbAdh > 0) {
    w.option('fb_adh', fbAdh, 'scale of the VCAM1/CXCL12 retention feedback');
    w.kb('rmax_adh', 'niche.feedback.adhesion.rmax', 'maximal retention from VCAM1/CXCL12');
    w.kb('k_adh', 'niche.feedback.adhesion.k50', 'adhesion deviation at half-maximal retention');
    w.assign('adh_dev', '(vcam1_endo + cxcl12_endo)/2 - 1');
    parts.push(
      w.assign('R_adh', 'fb_adh*rmax_adh*adh_dev/(k_adh + abs(adh_dev))', 'LSC retention from adhesion'),
    );
  }
  const R = w.assign('retention', parts.length > 0 ? parts.join(' + ') : '0', 'LSC retention signal');
  const Rp = w.assign('retention_pos', `max(${R}, 0)`);
  const q = eff.get('lsc_quiescence+') ?? [];
  const p = eff.get('lsc_protection+') ?? [];
  const hasFb = parts.length > 0;
  const quiescence =
    hasFb || q.length > 0 ? w.assign('Q_niche', [...q, R].join(' + '), 'quiescence induction') : '0';
  let protection = '0';
  if (hasTki && (hasFb || p.length > 0)) {
    const wp = hasFb
      ? [`${w.kb('wp_ret', 'niche.feedback.protection_weight', 'TKI protection per unit retention')}*${Rp}`]
      : [];
    protection = w.assign('P_niche', [...p, ...wp].join(' + ') || '0', 'protection from TKI kill');
  }
  const res = eff.get('sensitive_resistance+') ?? [];
  const protectionSensitive =
    hasTki && res.length > 0
      ? w.assign('P_native', [protection === '0' ? '' : protection, ...res].filter((x) => x).join(' + '))
      : protection;
  const surv =
    survival.length > 0
      ? w.assign('S_surv', survival.join(' + '), 'survival signal of untreated leukaemic cells')
      : '0';
  return {
    survival: surv,
    quiescence,
    retentionPositive: hasFb ? Rp : '0',
    protection,
    protectionSensitive,
    proliferation: sumOf(eff.get('lsc_proliferation+')),
    immuneKill: sumOf(eff.get('immune_kill-')),
    immuneRecruitment: sumOf(eff.get('immune_recruitment-')),
    normalOccupancy: '0',
  };
}

/**
 * Target of endothelial RhoB: divided by 1 + emax_rhob H21, H21 = eff_mir21/emax_mir21 the saturation of the
 * curcumin-exosome miR-21 channel (D1; Taverna 2016: miR-21 shuttled in active form lowers RhoB). '1' without it.
 */
function rhobTarget(w: ModelWriter, mir21: string | undefined): string {
  if (mir21 !== 'eff_mir21') return '1';
  const e = w.kb('emax_rhob', 'niche.ch.mir21.emax_rhob', 'maximal RhoB repression by miR-21 (D1)');
  return `1/(1 + ${e}*eff_mir21/emax_mir21)`;
}
