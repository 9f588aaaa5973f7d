/**
 * The options of the niche model: which exosome channels are on and how strongly, hypoxia, exosome interventions,
 * resistant clones, the TKI exposure and the immune compartment. Everything has a default: `resolveOptions({})` is
 * the full model for Hähnel patient 1 on constant TKI.
 */
import type { PkParams } from '../therapy/pk.js';
import type { Schedule } from '../therapy/schedule.js';
import {
  CARGOS,
  type Cargo,
  CHANNELS,
  type ChannelId,
  FEEDBACKS,
  type FeedbackId,
  mimicOption,
} from './channels.js';

/**
 * TKI exposure. `switch`: the Hähnel 2020 form, kill e_tki while on (from 0 to `stopAt` months), for the native
 * clone; mutant clones get e_tki times their PD effect ratio at the drug's standard regimen. `schedule`: a therapy
 * schedule (days) turned into a piecewise-constant effect per clone by the exposure summary with transients
 * resolved (docs/therapy.md §4); the kill of clone c is e_tki E_c(t) / E_ref, E_ref the native steady-state mean
 * effect of the drug's standard regimen, so that the fitted e_tki is recovered at the standard dose.
 */
export type TkiExposure =
  | { readonly kind: 'none' }
  | { readonly kind: 'switch'; readonly drug?: string; readonly stopAt?: number }
  | {
      readonly kind: 'schedule';
      readonly schedule: Schedule;
      readonly horizonMonths: number;
      /** This patient's PK parameters (e.g. a variability draw); default the drug's typical values. */
      readonly pk?: PkParams;
    }
  /**
   * `parametric`: the `schedule` model without its events. The per-clone effects E_<clone> are plain `var`
   * parameters (initially 0, no drug) that the caller sets between integration steps, e.g. a cohort runner that
   * compiles the model once and applies each patient's piecewise-constant exposure (its own PK, its own plan) as
   * scheduled parameter changes. kill_c = e_tki E_c / E_ref as for `schedule`.
   */
  | { readonly kind: 'parametric'; readonly drug: string };

export interface Interventions {
  /** GW4869-like release inhibitor: fraction of exosome release blocked, all donors (0..1). */
  readonly releaseInhibitor?: number;
  /** Uptake blocker: fraction of uptake blocked, all recipients (0..1). */
  readonly uptakeBlocker?: number;
  /** Cargo antagonists (anti-miR): fraction of the cargo's effect removed (0..1), by cargo. */
  readonly antiMiR?: Partial<Record<Cargo, number>>;
  /** Curcumin-like cargo reprogramming of CML exosomes (0..1): pro-angiogenic protein cargo depleted, miR-21 added. */
  readonly curcumin?: number;
}

export interface NicheOptions {
  /** Hähnel 2020 patient whose fitted parameters the core uses (1..21, default 1). */
  readonly patient?: number;
  /** Exosome layer on (default true). Off: no pools, no cargo effects; the core is the Hähnel model. */
  readonly exosomes?: boolean;
  /** Channels on (true), off (false) or scaled (a number >= 0, 1 = as in the KB); unspecified channels are on. */
  readonly channels?: Partial<Record<ChannelId, boolean | number>>;
  /** Feedback of niche activation on LSCs (IL-8/CXCR1-2, VCAM1/CXCL12), on/off/scaled; default on. */
  readonly feedbacks?: Partial<Record<FeedbackId, boolean | number>>;
  /** Hypoxia level 0 (normoxia, 20 % O2) .. 1 (1 % O2 as in Tadokoro 2013). */
  readonly hypoxia?: number;
  readonly interventions?: Interventions;
  /** Resistant clones by mutation id (mutations.yaml), arising at LSC division. */
  readonly clones?: readonly string[];
  readonly tki?: TkiExposure;
  /** Anti-leukaemic immune compartment (Hähnel 2020 form) on (default true). */
  readonly immune?: boolean;
  /** Normal haematopoiesis and the downstream lineages (default true). Off: LSC core only. */
  readonly lineages?: boolean;
  /**
   * Blast-crisis route (default false): leukaemic stem cells acquire, at division, the secondary events that block
   * differentiation; the blocked cells accumulate as blasts (blast percentage and phase read-outs). Needs the
   * lineages (the marrow and blood differentials) and the Hähnel core.
   */
  readonly blastCrisis?: boolean;
  /**
   * Founder model of the blast-crisis route for deterministic engines (blast.ts): 0 (default) keeps B as one species
   * fed by the event flux (what the hybrid engine, which treats B discretely, needs); n >= 1 integrates the expected
   * number of founder events F and starts a one-cell lineage at each of n cumulative thresholds (bc_threshold_k).
   * Ignored without the route.
   */
  readonly blastFounders?: number;
  /**
   * Founders of the preclinical window that the discrete form of the route (blastFounders 0: hybrid runs) starts
   * with as cells in Bs/Bi (blast.ts), drawn like the founder model's (bc_threshold_k, bc_kind_k): 0 (default) starts
   * without blast-crisis cells. Ignored without the route and with the founder model (which has its own window).
   */
  readonly preclinicalFounders?: number;
  /**
   * Stem-cell core: 'hahnel' (default; Hähnel 2020 quiescent/cycling LSCs with immune control) or 'michor' (Michor
   * 2005 stem cells: LSCs y0 dividing at ry and exiting at d0, untouched by the TKI; normal stem cells held at their
   * set-point by Michor's homeostatic lambda). 'michor' needs the exosome layer and the immune compartment off and
   * the lineages on; it is the configuration in which the model reduces to Michor 2005.
   */
  readonly stemCore?: 'hahnel' | 'michor';
  /**
   * BCR-ABL1 read-out of the Hähnel core: 'stem' (default) is Hähnel's L/(2 - L), the leukaemic share of the
   * proliferating stem cells; 'blood' adds the differentiated cells between them and the blood sample (readouts in
   * blood.ts): under the TKI each clone's output of differentiated cells falls by a fold block with their turnover,
   * which gives the fast first phase of the blood decline. Needs the lineages; ignored with the Michor core, whose
   * read-out is its own mature cells.
   */
  readonly readout?: 'stem' | 'blood';
  // mimic (VE-5, VE-16): miR mimic / over-expression, the cargo given directly in its recipient (channels.ts)
  readonly mimic?: Partial<Record<Cargo, number>>;
}

export interface ResolvedOptions {
  readonly patient: number;
  readonly exosomes: boolean;
  /** Scale per channel (0 = off). */
  readonly channels: Readonly<Record<ChannelId, number>>;
  readonly feedbacks: Readonly<Record<FeedbackId, number>>;
  readonly hypoxia: number;
  readonly releaseInhibitor: number;
  readonly uptakeBlocker: number;
  readonly antiMiR: Readonly<Record<Cargo, number>>;
  readonly curcumin: number;
  readonly clones: readonly string[];
  readonly tki: TkiExposure;
  readonly immune: boolean;
  readonly lineages: boolean;
  readonly blastCrisis: boolean;
  /** Founder lineages of the deterministic founder model (0: B fed by the expected event flux). */
  readonly blastFounders: number;
  /** Preclinical founders of the discrete form (0 with the founder model or without the route). */
  readonly preclinicalFounders: number;
  readonly stemCore: 'hahnel' | 'michor';
  readonly readout: 'stem' | 'blood';
  // mimic (VE-5, VE-16): validated by mimicOption (channels.ts); absent when none is set
  readonly mimic?: Readonly<Partial<Record<Cargo, number>>>;
}

export class NicheOptionsError extends Error {
  override name = 'NicheOptionsError';
}

const fraction = (name: string, v: number | undefined): number => {
  const x = v ?? 0;
  if (!(x >= 0 && x <= 1)) throw new NicheOptionsError(`${name} must lie in [0, 1], got ${v}`);
  return x;
};

const scale = (name: string, v: boolean | number | undefined): number => {
  if (v === undefined || v === true) return 1;
  if (v === false) return 0;
  if (!(v >= 0) || !Number.isFinite(v)) throw new NicheOptionsError(`${name}: scale must be >= 0, got ${v}`);
  return v;
};

export function resolveOptions(o: NicheOptions = {}): ResolvedOptions {
  const known = new Set<string>(CHANNELS.map((c) => c.id));
  for (const id of Object.keys(o.channels ?? {}))
    if (!known.has(id))
      throw new NicheOptionsError(
        `unknown or unimplemented channel '${id}'; implemented: ${[...known].join(', ')}`,
      );
  for (const id of Object.keys(o.feedbacks ?? {}))
    if (!(FEEDBACKS as readonly string[]).includes(id))
      throw new NicheOptionsError(`unknown feedback '${id}'; known: ${FEEDBACKS.join(', ')}`);
  for (const c of Object.keys(o.interventions?.antiMiR ?? {}))
    if (!(CARGOS as readonly string[]).includes(c))
      throw new NicheOptionsError(`unknown cargo '${c}'; known: ${CARGOS.join(', ')}`);
  const channels = Object.fromEntries(CHANNELS.map((c) => [c.id, scale(c.id, o.channels?.[c.id])])) as Record<
    ChannelId,
    number
  >;
  const feedbacks = Object.fromEntries(FEEDBACKS.map((f) => [f, scale(f, o.feedbacks?.[f])])) as Record<
    FeedbackId,
    number
  >;
  const antiMiR = Object.fromEntries(
    CARGOS.map((c) => [c, fraction(`antiMiR ${c}`, o.interventions?.antiMiR?.[c])]),
  ) as Record<Cargo, number>;
  const patient = o.patient ?? 1;
  if (!Number.isInteger(patient) || patient < 1)
    throw new NicheOptionsError(`patient must be an integer >= 1`);
  const stemCore = o.stemCore ?? 'hahnel';
  if (stemCore !== 'hahnel' && stemCore !== 'michor')
    throw new NicheOptionsError(`stemCore must be 'hahnel' or 'michor', got '${String(stemCore)}'`);
  const lineages = o.lineages ?? true;
  const blastCrisis = o.blastCrisis ?? false;
  if (blastCrisis && !lineages)
    throw new NicheOptionsError(
      'blastCrisis needs the lineages (lineages: true) for the blast differentials',
    );
  const blastFounders = blastCrisis ? (o.blastFounders ?? 0) : 0;
  if (!Number.isSafeInteger(blastFounders) || blastFounders < 0)
    throw new NicheOptionsError(`blastFounders must be an integer >= 0, got ${o.blastFounders}`);
  const preclinicalFounders = blastCrisis && blastFounders === 0 ? (o.preclinicalFounders ?? 0) : 0;
  if (!Number.isSafeInteger(preclinicalFounders) || preclinicalFounders < 0)
    throw new NicheOptionsError(`preclinicalFounders must be an integer >= 0, got ${o.preclinicalFounders}`);
  const readout = o.readout ?? 'stem';
  if (readout !== 'stem' && readout !== 'blood')
    throw new NicheOptionsError(`readout must be 'stem' or 'blood', got '${String(readout)}'`);
  if (readout === 'blood' && !lineages)
    throw new NicheOptionsError("readout 'blood' needs the lineages (lineages: true)");
  if (stemCore === 'michor') {
    if (o.exosomes !== false) throw new NicheOptionsError("stemCore 'michor' needs exosomes: false");
    if (o.immune === true)
      throw new NicheOptionsError("stemCore 'michor' has no immune compartment (immune: false)");
    if (!lineages) throw new NicheOptionsError("stemCore 'michor' needs the lineages (lineages: true)");
    if ((o.clones ?? []).length > 0)
      throw new NicheOptionsError("stemCore 'michor' does not support resistant clones (Michor's z lineage)");
    if (blastCrisis) throw new NicheOptionsError("blastCrisis needs stemCore 'hahnel'");
  }
  return {
    patient,
    exosomes: o.exosomes ?? true,
    channels,
    feedbacks,
    hypoxia: fraction('hypoxia', o.hypoxia),
    releaseInhibitor: fraction('releaseInhibitor', o.interventions?.releaseInhibitor),
    uptakeBlocker: fraction('uptakeBlocker', o.interventions?.uptakeBlocker),
    antiMiR,
    curcumin: fraction('curcumin', o.interventions?.curcumin),
    clones: [...new Set(o.clones ?? [])],
    tki: o.tki ?? { kind: 'switch' },
    immune: o.immune ?? stemCore === 'hahnel',
    lineages,
    blastCrisis,
    blastFounders,
    preclinicalFounders,
    stemCore,
    readout,
    ...mimicOption(o), // mimic (VE-5, VE-16)
  };
}
