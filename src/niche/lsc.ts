/**
 * Leukaemic stem cells in the Hähnel 2020 form (Cancer Res 80:2394; Fassoni 2018 / Roeder 2006 ancestry), one
 * quiescent (X) and one cycling (Y) compartment per clone, with the anti-leukaemic immune compartment Z:
 *
 *   dX_c/dt = -pxy/(1 + R+) X_c + pyx (1 + Q) Y_c
 *   dY_c/dt =  pxy/(1 + R+) X_c - pyx (1 + Q) Y_c + f_c py (1 + A) Y_c (1 - (Y_tot + w_nl N)/Ky)
 *              - m/(1 + I1) Y_c Z - e_tki tkiE_c/(1 + P_c) Y_c  [- u py (1 + A) Y  into each mutant, native only]
 *   dZ/dt   =  rz - az Z + pz/(1 + I2) Y_tot Z/(Kz^2 + Y_tot^2)
 *
 * With the exosome layer, cycling LSCs also turn over by an intrinsic apoptosis delta that survival signals S (A1
 * anti-apoptosis, Raimondo 2015; IL-8/CXCR1-2, Corrado 2014) divide, balanced by delta extra divisions:
 *
 *   + delta Y_c (1 - (Y_tot + w_nl N)/Ky) - delta/(1 + S) Y_c (1 - (Y_tot + w_nl N)/Ky)
 *
 * which is 0 at S = 0 (Hähnel's net rate; separate reactions so that stochastic runs see the deaths).
 * Q (quiescence induction, B4 + retention), R+ (positive retention, lowers activation), P_c (protection from TKI
 * kill: B4 Bcl-2, retention, and for the sensitive native clone the resistance transfer A2/A3), A (autocrine
 * proliferation A1), I1/I2 (immune suppression) are 0 without the exosome layer, which gives Hähnel's equations
 * exactly. Mutant clones arise at native cycling-LSC division with probability u per division (Michor 2005's
 * resistance mutation probability), share the niche (the logistic term counts all cycling LSCs) and differ in their
 * TKI effect (the clone's IC50) and, where the knowledge base gives one, in their off-drug relative fitness f_c, a
 * multiplier of py in the clone's growth term (mutantFitnessKey; V23):
 *
 *   growth of clone c = f_c py (1 + A) Y_c (1 - (Y_tot + w_nl N)/Ky)      (f_native = 1)
 *
 * With `stemCore: 'michor'` the core is instead Michor 2005's stem-cell equation (writeMichorStem), the
 * configuration in which the model reduces to Michor 2005 (test/niche/michor-reduction.test.ts).
 */
import { DAYS_PER_MONTH } from '../therapy/rules.js';
import type { ResolvedOptions } from './options.js';
import { cloneSuffix, type TkiSymbols } from './tki.js';
import type { ModelWriter } from './writer.js';

/** Niche modifiers acting on LSCs (expressions; '0' when absent). */
export interface LscModifiers {
  readonly quiescence: string;
  readonly retentionPositive: string;
  readonly protection: string;
  readonly protectionSensitive: string;
  readonly proliferation: string;
  readonly immuneKill: string;
  readonly immuneRecruitment: string;
  /** Occupancy of the leukaemic niche by normal stem cells (expression in cells; '0' = Hähnel). */
  readonly normalOccupancy: string;
  /** Survival signal S dividing the intrinsic apoptosis of untreated LSCs (A1 anti-apoptosis, IL-8; '0' = none). */
  readonly survival: string;
}

export const NO_MODIFIERS: LscModifiers = {
  quiescence: '0',
  retentionPositive: '0',
  protection: '0',
  protectionSensitive: '0',
  proliferation: '0',
  immuneKill: '0',
  immuneRecruitment: '0',
  normalOccupancy: '0',
  survival: '0',
};

const times1p = (x: string) => (x === '0' ? '' : `*(1 + ${x})`);
const over1p = (x: string) => (x === '0' ? '' : `/(1 + ${x})`);

export interface LscSymbols {
  readonly quiescent: readonly string[];
  readonly cycling: readonly string[];
  readonly immune?: string;
  /** Division rate per cycling LSC (expression), once written: mutations and blast-crisis events occur at division. */
  readonly division?: string;
}

/** The LSC species names for the options' clones (native first), before they are written. */
export function lscNames(o: ResolvedOptions): LscSymbols {
  const clones = ['native', ...o.clones];
  return {
    quiescent: clones.map((m) => `X${cloneSuffix(m)}`),
    cycling: clones.map((m) => `Y${cloneSuffix(m)}`),
    ...(o.immune ? { immune: 'Z' } : {}),
  };
}

const pkey = (k: number, s: string) => `hahnel2020.patient${String(k).padStart(2, '0')}.${s}`;

export function writeLsc(
  w: ModelWriter,
  o: ResolvedOptions,
  tki: TkiSymbols,
  mods: LscModifiers,
): LscSymbols {
  if (o.stemCore === 'michor') return writeMichorStem(w);
  const k = o.patient;
  const py = w.kb('py', 'hahnel2020.py', 'proliferation rate of cycling LSCs (logistic)');
  const Ky = w.kb('Ky', 'hahnel2020.Ky', 'carrying capacity of cycling LSCs (100 % leukaemic load)');
  const pyx = w.kb('pyx', pkey(k, 'pyx'), 'cycling -> quiescent LSC rate');
  const pxy = w.kb('pxy', pkey(k, 'pxy'), 'quiescent -> cycling LSC rate');
  const eTki = w.kb('e_tki', pkey(k, 'e_tki'), 'TKI kill rate of cycling LSCs at the standard regimen');
  w.kb('X_init', pkey(k, 'X0'), 'quiescent LSCs at the start of therapy');
  w.kb('Y_init', pkey(k, 'Y0'), 'cycling LSCs at the start of therapy');
  const clones = ['native', ...o.clones];
  const Xs = clones.map((m) => `X${cloneSuffix(m)}`);
  const Ys = clones.map((m) => `Y${cloneSuffix(m)}`);
  clones.forEach((m, i) => {
    const native = m === 'native';
    w.species(Xs[i], native ? 'X_init' : '0', `quiescent LSCs, clone ${m}`);
    w.species(Ys[i], native ? 'Y_init' : '0', `cycling LSCs, clone ${m}`);
  });
  const yTot = Ys.length === 1 ? 'Y' : w.assign('Y_tot', Ys.join(' + '), 'cycling LSCs, all clones');
  const occ = mods.normalOccupancy === '0' ? yTot : `(${yTot} + ${mods.normalOccupancy})`;
  const prolif = `${py}${times1p(mods.proliferation)}`;
  let Z: string | undefined;
  if (o.immune) {
    w.kb('Z_init', pkey(k, 'Z0'), 'anti-leukaemic immune cells at the start of therapy');
    w.kb('rz', 'hahnel2020.rz', 'influx of anti-CML immune cells');
    w.kb('az', 'hahnel2020.az', 'death rate of anti-CML immune cells');
    w.kb('m', 'hahnel2020.m', 'immune kill rate constant of cycling LSCs');
    w.kb('pz', pkey(k, 'pz'), 'immune-cell recruitment by cycling LSCs');
    w.kb('Kz', pkey(k, 'Kz'), 'LSC load of maximal immune recruitment');
    Z = w.species('Z', 'Z_init', 'anti-leukaemic immune cells');
    w.reaction('Zin', '', 'Z', 'rz');
    w.reaction('Zdeath', 'Z', '', 'az*Z');
    w.reaction('Zrecruit', '', 'Z', `pz${over1p(mods.immuneRecruitment)}*${yTot}*Z/(Kz^2 + ${yTot}^2)`);
  }
  // Intrinsic apoptosis of cycling LSCs (exosome layer only): Hähnel's py is a net rate, so the turnover delta is
  // added to division and to death alike, both under the niche's crowding factor; net growth is Hähnel's exactly
  // when the survival signal S is 0, and S > 0 raises it without moving the capacity Ky.
  const delta = o.exosomes
    ? w.kb('delta_lsc', 'niche.lsc.apoptosis_rate', 'intrinsic apoptosis rate of cycling LSCs')
    : '';
  const u =
    o.clones.length > 0
      ? w.kb('u_mut', 'michor2005.u', 'resistance mutation probability per LSC division')
      : '';
  clones.forEach((m, i) => {
    const sfx = cloneSuffix(m);
    const X = Xs[i];
    const Y = Ys[i];
    const prot = m === 'native' ? mods.protectionSensitive : mods.protection;
    w.reaction(`Act${sfx}`, X, Y, `${pxy}${over1p(mods.retentionPositive)}*${X}`);
    w.reaction(`Deact${sfx}`, Y, X, `${pyx}${times1p(mods.quiescence)}*${Y}`);
    w.reaction(`Grow${sfx}`, '', Y, `${prolif}${fitness(w, m)}*${Y}*(1 - ${occ}/${Ky})`);
    if (Z) w.reaction(`Immune${sfx}`, Y, '', `m${over1p(mods.immuneKill)}*${Y}*Z`);
    const e = tki.effect.get(m);
    if (e) w.reaction(`Kill${sfx}`, Y, '', `${eTki}*${e}${over1p(prot)}*${Y}`);
    if (m !== 'native') w.reaction(`Mut${sfx}`, 'Y', Y, `${u}*${prolif}*Y`);
    if (delta) {
      w.reaction(`Renew${sfx}`, '', Y, `${delta}*${Y}*(1 - ${occ}/${Ky})`);
      w.reaction(`Apop${sfx}`, Y, '', `${delta}${over1p(mods.survival)}*${Y}*(1 - ${occ}/${Ky})`);
    }
  });
  if (delta)
    w.assign(
      'apoptosis_lsc',
      `${delta}${over1p(mods.survival)}`,
      'apoptosis rate per cycling LSC in an empty niche (untreated)',
    );
  return { quiescent: Xs, cycling: Ys, ...(Z ? { immune: Z } : {}), division: prolif };
}

/** Knowledge-base key of a resistant clone's off-drug relative fitness (mutations.yaml `parameters`). */
export const mutantFitnessKey = (mutation: string): string => `mutation_fitness.${mutation}`;

/**
 * The factor `*fit_<clone>` on a mutant clone's division rate in its growth term: its off-drug relative fitness
 * (Iwasa, Nowak & Michor 2006's alpha; Leder et al. 2011 PLoS One 6:e27682 measure it as the change in net
 * reproductive rate), the cost that deselects a resistant clone once the TKI is stopped (Hanfstein 2011, V23).
 * Only where the knowledge base has a value for the clone: without one (and for the native clone) nothing is
 * written, and a value of 1 leaves every rate bit-identical (py*1 = py in IEEE arithmetic). The mutation influx from
 * native divisions keeps the native division rate.
 */
function fitness(w: ModelWriter, mutation: string): string {
  if (mutation === 'native') return '';
  const key = mutantFitnessKey(mutation);
  if (!w.base.parameters.has(key)) return '';
  return `*${w.kb(`fit${cloneSuffix(mutation)}`, key, `off-drug relative fitness of clone ${mutation} (division-rate multiplier)`)}`;
}

/**
 * Michor 2005 leukaemic stem cells (Nature 435:1267; cml-models.md §2.1): dy0/dt = [ry (1 - u) - d0] y0, untouched
 * by the TKI. Y plays y0; the quiescent compartment X stays empty (Michor has none). Rates per day x DAYS_PER_MONTH.
 */
function writeMichorStem(w: ModelWriter): LscSymbols {
  const perDay = DAYS_PER_MONTH;
  const ry = w.kb('ry', 'michor2005.ry', 'leukaemic stem-cell division rate (Michor)', perDay);
  w.kb('d0', 'michor2005.d0', 'stem-cell exit rate, all lineages (Michor)', perDay);
  w.kb('u_mut', 'michor2005.u', 'resistance mutation probability per LSC division');
  w.kb('Y_init', 'michor2005.y0_init', 'leukaemic stem cells at diagnosis (Michor)');
  w.species('X', '0', 'quiescent LSCs (empty in the Michor core)');
  w.species('Y', 'Y_init', 'leukaemic stem cells (Michor y0)');
  w.reaction('Grow', '', 'Y', `${ry}*(1 - u_mut)*Y`);
  w.reaction('Exit', 'Y', '', 'd0*Y');
  return { quiescent: ['X'], cycling: ['Y'], division: ry };
}
