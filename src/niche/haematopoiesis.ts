/**
 * Normal haematopoiesis and the lineages downstream of the stem cells (Michor et al. 2005, Nature 435:1267):
 * stem -> progenitor -> differentiated -> mature, for the normal (N, x1..x3) and the leukaemic (y1..y3) lineage.
 *
 *   dN/dt  = pn N (1 - (N + w_ln L_tot)/Kn)           normal stem cells, displaced by leukaemic stem cells
 *   dx1/dt = ax N - d1 x1,  dx2/dt = bx x1 - d2 x2,  dx3/dt = cx x2 - d3 x3
 *   dy1/dt = ay sum_c Y_c/(1 + (fa - 1) tkiE_c) - d1 y1
 *   dy2/dt = by y1/(1 + (fb - 1) tkiE) - d2 y2,  dy3/dt = cy y2 - d3 y3
 *
 * Michor's rates are per day (converted to per month here, DAYS_PER_MONTH); fa, fb are Michor's imatinib fold
 * reductions of ay and by, scaled by the normalised TKI effect. Niche competition (MacLean 2014) is two-sided in
 * form: leukaemic stem cells (quiescent and cycling, weight w_ln) occupy the normal niche, and normal stem cells
 * occupy the leukaemic one with weight w_nl, which is 0 by default because the Hähnel fit absorbs normal cells into
 * Ky (so the LSC core stays Hähnel's). The lineages only read the LSCs: they never feed back, so they cannot change
 * the LSC trajectory. Simplification: the progenitor -> differentiated step uses the native clone's TKI effect for
 * all leukaemic progenitors (mutant progenitors are not separated yet).
 */

import { DAYS_PER_MONTH } from '../therapy/rules.js';
import type { LscSymbols } from './lsc.js';
import type { ResolvedOptions } from './options.js';
import type { TkiSymbols } from './tki.js';
import type { ModelWriter } from './writer.js';

export interface LineageSymbols {
  /** Normal stem cells (undefined when lineages are off). */
  readonly normal?: string;
  /** Bulk leukaemic cells (progenitor + differentiated), the CML-bulk exosome donors. */
  readonly bulk: string;
}

/** The weight of normal stem cells in the leukaemic logistic term (lsc.ts), written before the LSCs. */
export function writeNormalOccupancy(w: ModelWriter, o: ResolvedOptions): string {
  if (!o.lineages) return '0';
  if (o.stemCore === 'michor') {
    w.kb('N_init', 'michor2005.x0_init', 'normal stem cells at diagnosis (Michor)');
    w.species('N', 'N_init', 'normal stem cells (Michor x0)');
    return '0';
  }
  const wnl = w.kb(
    'w_nl',
    'niche.competition.normal_on_lsc',
    'occupancy of the leukaemic niche by a normal stem cell',
  );
  w.kb('Kn', 'niche.normal.K', 'normal stem-cell niche capacity');
  w.kb('N_frac0', 'niche.normal.N0_fraction', 'normal stem cells at the start of therapy, fraction of Kn');
  w.species('N', 'N_frac0*Kn', 'normal stem cells');
  return `${wnl}*N`;
}

export function writeLineages(
  w: ModelWriter,
  o: ResolvedOptions,
  lsc: LscSymbols,
  tki: TkiSymbols,
): LineageSymbols {
  const lscTot = w.assign(
    'LSC_tot',
    [...lsc.quiescent, ...lsc.cycling].join(' + '),
    'all leukaemic stem cells',
  );
  if (!o.lineages) return { bulk: lscTot };
  const perDay = DAYS_PER_MONTH;
  let n0 = 'N_frac0*Kn';
  if (o.stemCore === 'michor') {
    // Michor's normal stem cells: self-renewal lambda(x0) = d0 - g (x0 - x0*)/x0* (homeostatic, form assumed in
    // models/reference/michor2005.exm) and exit d0; the lineages are uncoupled, as in Michor 2005.
    n0 = 'N_init';
    w.kb('d0', 'michor2005.d0', 'stem-cell exit rate, all lineages (Michor)', perDay);
    w.kb('x0_star', 'michor2005.x0_star', 'normal stem-cell set-point (Michor)');
    w.kb('g_lambda', 'michor2005.lambda_gain', 'gain of the homeostatic self-renewal (Michor)', perDay);
    w.reaction('RenewN', '', 'N', 'max(d0 - g_lambda*(N - x0_star)/x0_star, 0)*N');
    w.reaction('ExitN', 'N', '', 'd0*N');
  } else {
    w.kb('pn', 'niche.normal.p', 'net self-renewal rate of normal stem cells');
    w.kb('w_ln', 'niche.competition.lsc_on_normal', 'occupancy of the normal niche by a leukaemic stem cell');
    // The shared niche is the proliferative one: Hähnel's capacity Ky bounds the cycling LSCs only, and the normal
    // occupancy enters their logistic term (writeNormalOccupancy). Quiescent LSCs are unbounded in the Hähnel fits
    // (patient 12 starts with X0 = 1.19e7 > Ky), so counting them here would drive normal stem cells extinct under
    // a TKI in such patients and empty the marrow, against the recovery of normal haematopoiesis in responders.
    const cycling = lsc.cycling.join(' + ');
    w.reaction('GrowN', '', 'N', `pn*N*(1 - (N + w_ln*(${cycling}))/Kn)`);
  }
  for (const s of ['d1', 'd2', 'd3', 'ax', 'bx', 'cx', 'ay', 'by', 'cy'])
    w.kb(s, `michor2005.${s}`, `Michor ${s} (per day x DAYS_PER_MONTH)`, perDay);
  w.kb('fa', 'michor2005.ay_imatinib', 'fold reduction of ay under TKI (Michor 2005 imatinib)');
  w.kb('fb', 'michor2005.by_imatinib', 'fold reduction of by under TKI (Michor 2005 imatinib)');
  // Quasi-steady untreated initial values (diagnosis).
  w.species('x1', `ax*${n0}/d1`, 'normal progenitors');
  w.species('x2', `bx*ax*${n0}/(d1*d2)`, 'normal differentiated cells');
  w.species('x3', `cx*bx*ax*${n0}/(d1*d2*d3)`, 'normal mature cells');
  w.species('y1', 'ay*Y_init/d1', 'leukaemic progenitors');
  w.species('y2', 'by*ay*Y_init/(d1*d2)', 'leukaemic differentiated cells');
  w.species('y3', 'cy*by*ay*Y_init/(d1*d2*d3)', 'leukaemic mature cells');
  w.reaction('Nx1', '', 'x1', 'ax*N');
  w.reaction('x1x2', '', 'x2', 'bx*x1');
  w.reaction('x2x3', '', 'x3', 'cx*x2');
  w.reaction('x1d', 'x1', '', 'd1*x1');
  w.reaction('x2d', 'x2', '', 'd2*x2');
  w.reaction('x3d', 'x3', '', 'd3*x3');
  const clones = ['native', ...o.clones];
  const prod = lsc.cycling
    .map((Y, i) => {
      const e = tki.effect.get(clones[i]);
      return e ? `${Y}/(1 + (fa - 1)*${e})` : Y;
    })
    .join(' + ');
  const eNat = tki.effect.get('native');
  w.reaction('Yy1', '', 'y1', `ay*(${prod})`);
  w.reaction('y1y2', '', 'y2', eNat ? `by*y1/(1 + (fb - 1)*${eNat})` : 'by*y1');
  w.reaction('y2y3', '', 'y3', 'cy*y2');
  // y1d and y2d: writeLeukaemicLoss (after the exosome channels, whose B4 protection lowers them).
  w.reaction('y3d', 'y3', '', 'd3*y3');
  w.assign('bcr_abl_lineage', 'y3/(x3 + y3)', 'leukaemic fraction of mature cells (Michor-style read-out)');
  return {
    normal: 'N',
    bulk: w.assign('cml_bulk', 'y1 + y2', 'bulk leukaemic cells (progenitor + differentiated)'),
  };
}

/**
 * Loss of leukaemic progenitors (y1) and differentiated cells (y2). With BMSC-exosome protection P (B4, the effect
 * that also divides the TKI kill of LSCs) the apoptotic share s of Michor's loss rates is divided by 1 + P:
 * d (1 - s + s/(1 + P)). Zhang 2020 (Stem Cells Int 8890201): BMSC exosomes raise Bcl-2, lower caspase-3 and
 * enlarge CML xenografts in vivo. The survival signal S of untreated leukaemic cells (A1 anti-apoptosis, Raimondo
 * 2015; IL-8/CXCR1-2, Corrado 2014; niche-cells.ts) divides the same share: d (1 - s + s/(1 + P + S)). Without these
 * channels (or with s = 0) this is Michor's d y.
 */
export function writeLeukaemicLoss(w: ModelWriter, o: ResolvedOptions, protection: string): void {
  if (!o.lineages) return;
  // The share is declared whenever the exosome layer is on, so that switching the channel off changes only the
  // rate laws that read its effect.
  const s = o.exosomes
    ? w.kb(
        'bulk_share',
        'niche.ch.bmsc_protection.bulk_share',
        'apoptotic share of leukaemic progenitor loss prevented by BMSC-exosome protection',
      )
    : '';
  // The survival signal of untreated leukaemic cells (niche-cells.ts: A1 anti-apoptosis, IL-8), written before.
  const signals = [protection, w.has('S_surv') ? 'S_surv' : '0'].filter((x) => x !== '0');
  const f = signals.length > 0 && s ? `*(1 - ${s} + ${s}/(1 + ${signals.join(' + ')}))` : '';
  w.reaction('y1d', 'y1', '', `d1*y1${f}`);
  w.reaction('y2d', 'y2', '', `d2*y2${f}`);
}
