/**
 * Exosome pools in the marrow, one per donor: CML bulk (E_cml), LSC (E_lsc), BMSC (E_bmsc), resistant CML (E_res).
 *
 *   dE_d/dt = r_d n_d h (1 - g) T_d - k_clear E_d
 *
 * r_d release per donor cell, n_d the donor cells (sensitive / resistant bulk leukaemic cells split by the mutant
 * share of LSCs; all LSCs; BMSCs times their support state), h = 1 + hypoxia * gain (hypoxia raises release),
 * g the GW4869-like release inhibitor, T_d = 1 - tki_red * min(tkiE_native, 1) for leukaemic sensitive donors when
 * the drug has a `reduces` donor modulator in channels.yaml (imatinib and dasatinib, E1), else 1. Uptake is
 * saturable: the uptake fraction of recipient cells is u = (1 - b) S/(Km_d + S), b the uptake blocker, S the pool
 * (for CML cargo S = E_cml + w_lsc E_lsc: LSC exosomes are assumed to carry CML cargo with weight w_lsc, since no
 * LSC-specific exosome data exist, biology.md §5.6). Removal by uptake is lumped into k_clear.
 */
import type { KnowledgeBase } from '../knowledge/load.js';
import type { Donor, Recipient } from './channels.js';
import type { LineageSymbols } from './haematopoiesis.js';
import type { LscSymbols } from './lsc.js';
import type { ResolvedOptions } from './options.js';
import type { TkiSymbols } from './tki.js';
import type { ModelWriter } from './writer.js';

export interface ExosomeSymbols {
  uptake(d: Donor, r: Recipient): string | undefined;
  /** True when the drug lowers release (a `reduces` donor modulator on a CML channel). */
  readonly tkiLowersRelease: boolean;
}

/** Drugs that act on a channel's donor or recipient with a given effect, from the KB modulators. */
export function drugsWithModulator(
  kb: KnowledgeBase,
  channel: string | undefined,
  actsOn: string,
  effect: string,
) {
  const out = new Set<string>();
  for (const c of kb.channels)
    if (channel === undefined || c.id === channel)
      for (const m of c.modulators ?? []) if (m.actsOn === actsOn && m.effect === effect) out.add(m.agent);
  return out;
}

export function writeExosomes(
  w: ModelWriter,
  kb: KnowledgeBase,
  o: ResolvedOptions,
  lsc: LscSymbols,
  lin: LineageSymbols,
  tki: TkiSymbols,
  bmscSupport: string,
): ExosomeSymbols {
  if (!o.exosomes) return { uptake: () => undefined, tkiLowersRelease: false };
  const k = w.kb('k_clear', 'niche.exo.clearance', 'clearance rate of marrow exosomes (uptake lumped in)');
  const h = w.kb('hyp_gain', 'niche.release.hypoxia_gain', 'fractional rise of release at full hypoxia');
  const hyp = w.option('hypoxia', o.hypoxia, 'hypoxia level 0..1');
  const gw = w.option('release_inhibitor', o.releaseInhibitor, 'GW4869-like release inhibition 0..1');
  const blk = w.option('uptake_blocker', o.uptakeBlocker, 'uptake blocker 0..1');
  const common = w.assign('release_factor', `(1 + ${hyp}*${h})*(1 - ${gw})`);
  const eNat = tki.effect.get('native');
  const lowers =
    tki.drug !== undefined &&
    eNat !== undefined &&
    drugsWithModulator(kb, undefined, 'donor', 'reduces').has(tki.drug);
  let tkiFactor = '';
  if (lowers) {
    w.kb(
      'tki_red',
      'niche.release.tki_reduction',
      'maximal fraction of CML release removed by imatinib/dasatinib (E1)',
    );
    tkiFactor = `*${w.assign('tki_release', `1 - tki_red*min(${eNat}, 1)`)}`;
  }
  const resFrac =
    o.clones.length > 0
      ? w.assign(
          'res_frac',
          // 0 once every stem cell is gone (a stochastic extinction in the hybrid engine reaches exactly 0/0).
          `piecewise((${[...lsc.quiescent.slice(1), ...lsc.cycling.slice(1)].join(' + ')})/LSC_tot, LSC_tot > 0, 0)`,
          'resistant share of LSCs',
        )
      : undefined;
  const sens = resFrac ? `${lin.bulk}*(1 - ${resFrac})` : lin.bulk;
  w.kb('r_cml', 'niche.release.cml', 'exosome release per bulk CML cell');
  w.kb('r_lsc', 'niche.release.lsc', 'exosome release per LSC');
  w.kb('r_bmsc', 'niche.release.bmsc', 'exosome release per BMSC');
  w.kb('n_bmsc', 'niche.bmsc.count', 'BMSCs in the marrow');
  w.kb('w_lsc', 'niche.lsc.cargo_weight', 'weight of LSC exosomes as carriers of CML cargo');
  w.kb('Km_cml', 'niche.uptake.km_cml', 'pool of CML exosomes at half-maximal uptake');
  w.kb('Km_bmsc', 'niche.uptake.km_bmsc', 'pool of BMSC exosomes at half-maximal uptake');
  // Pools start empty and fill within hours (k_clear is fast against cell turnover).
  w.species('E_cml', '0', 'CML-bulk exosomes');
  w.species('E_lsc', '0', 'LSC exosomes');
  w.species('E_bmsc', '0', 'BMSC exosomes');
  w.reaction('Rel_cml', '', 'E_cml', `r_cml*${sens}*${common}${tkiFactor}`);
  w.reaction('Rel_lsc', '', 'E_lsc', `r_lsc*LSC_tot*${common}${tkiFactor}`);
  w.reaction('Rel_bmsc', '', 'E_bmsc', `r_bmsc*n_bmsc*${bmscSupport}*${common}`);
  for (const p of ['E_cml', 'E_lsc', 'E_bmsc']) w.reaction(`Clr_${p}`, p, '', `${k}*${p}`);
  const uCml = w.assign(
    'u_cml',
    `(1 - ${blk})*(E_cml + w_lsc*E_lsc)/(Km_cml + E_cml + w_lsc*E_lsc)`,
    'uptake fraction of CML exosomes',
  );
  const uBmsc = w.assign(
    'u_bmsc',
    `(1 - ${blk})*E_bmsc/(Km_bmsc + E_bmsc)`,
    'uptake fraction of BMSC exosomes',
  );
  let uRes: string | undefined;
  if (resFrac) {
    w.kb('r_res', 'niche.release.resistant', 'exosome release per resistant bulk CML cell');
    w.species('E_res', '0', 'resistant-CML exosomes');
    w.reaction('Rel_res', '', 'E_res', `r_res*${lin.bulk}*${resFrac}*${common}`);
    w.reaction('Clr_E_res', 'E_res', '', `${k}*E_res`);
    uRes = w.assign(
      'u_res',
      `(1 - ${blk})*E_res/(Km_cml + E_res)`,
      'uptake fraction of resistant-CML exosomes',
    );
  }
  return {
    tkiLowersRelease: lowers,
    uptake: (d) => (d === 'cml' ? uCml : d === 'bmsc' ? uBmsc : uRes),
  };
}
