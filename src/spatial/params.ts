/**
 * The numbers of the spatial niche, read from the knowledge base. Every rate a spatial cell shares with the ODE
 * niche model is read from the same key the niche model binds (src/niche: hahnel2020.patientNN.*, niche.*), and
 * converted from the niche model's month to the minute of the spatial engines; the spatial-only numbers (diffusion,
 * radii, oxygen) come from data/knowledge/spatial.yaml. So one parameter means the same in both models.
 *
 * Concentrations: exosome fields hold particles per um^3. The niche model's uptake half-saturations are particle
 * counts in the whole marrow; spread over the marrow volume (spatial.marrow.volume) they become concentrations
 * Km / V, so that a well-mixed spatial domain with the marrow's densities has the ODE's uptake fractions. In-vitro
 * set-ups use the in-vitro dose scale instead (invitro.km, particles per mL, as src/experiments/culture.ts).
 */
import type { KnowledgeBase } from '../knowledge/load.js';
import { steadyStateExposure } from '../therapy/exposure.js';
import { clonePotency, DEFAULT_HILL, hillEffect } from '../therapy/pd.js';
import { drugPk } from '../therapy/pk-params.js';
import { DAYS_PER_MONTH } from '../therapy/rules.js';

/** Minutes per month (the niche model's time unit is the month, DAYS_PER_MONTH days). */
export const MIN_PER_MONTH = DAYS_PER_MONTH * 1440;
/** um^3 per mL. */
export const UM3_PER_ML = 1e12;

export type Setting = 'in-vivo' | 'in-vitro';

/** Channel parameters shared with src/niche/channels.ts (same KB keys). */
export interface CargoParams {
  readonly hill: number;
  readonly ec50: number;
  /** Maximal effect per channel symbol (eff_<sym> of the niche model). */
  readonly emax: Readonly<Record<string, number>>;
}

export interface SpatialParams {
  readonly patient: number;
  readonly setting: Setting;
  // LSC core (per minute)
  readonly py: number;
  readonly pxy: number;
  readonly pyx: number;
  readonly eTki: number;
  // exosomes (per minute, particles per um^3)
  readonly kClear: number;
  readonly rCml: number;
  readonly rLsc: number;
  readonly rBmsc: number;
  readonly wLsc: number;
  readonly hypGain: number;
  readonly tkiReduction: number;
  /** Uptake half-saturation concentrations (particles / um^3) of CML (and LSC) and BMSC exosomes. */
  readonly kmCml: number;
  readonly kmBmsc: number;
  readonly cargo: CargoParams;
  readonly mir210Gain: number;
  readonly srcBlock: number;
  readonly curDepl: number;
  readonly kAct: number;
  readonly kVasc: number;
  // fields
  readonly dExosome: number;
  readonly dChemokine: number;
  readonly decayIl8: number;
  readonly decayCxcl12: number;
  readonly chemotaxisBiasLsc: number;
  /**
   * Intrinsic apoptosis of untreated leukaemic cells and the survival signals that lower it (src/niche/lsc.ts,
   * niche-cells.ts): delta (niche.lsc.apoptosis_rate, per min), the A1 anti-apoptotic maximum
   * (niche.ch.autocrine.emax_survival) and the IL-8/CXCR1-2 survival maximum (niche.feedback.il8.survival_max).
   */
  readonly survival: { readonly delta: number; readonly emaxA1s: number; readonly smaxIl8: number };
  /** The niche model's retention feedback constants (niche.feedback.*, src/niche/niche-cells.ts). */
  readonly fb: {
    readonly rmaxIl8: number;
    readonly kIl8: number;
    readonly wbIl8: number;
    readonly rmaxAdh: number;
    readonly kAdh: number;
    readonly wp: number;
  };
  readonly dOxygen: number;
  readonly decayOxygen: number;
  readonly o2Consumption: number;
  readonly o2Normoxic: number;
  readonly o2Hypoxic: number;
  readonly o2MarrowUpper: number;
  readonly dDrug: number;
  readonly marrowVolume: number;
  // cells
  readonly radius: Readonly<Record<'cml' | 'lsc' | 'bmsc' | 'endo', number>>;
  readonly speedLsc: number;
  readonly persistenceLsc: number;
  readonly repulsion: number;
  readonly adhesion: number;
  readonly adhesionReach: number;
  readonly tubeLengthPerCell: number;
  /** Normal stem cells: net self-renewal (niche.normal.p, per min), competition weights, Kn / Ky. */
  readonly pn: number;
  readonly wLn: number;
  readonly wNl: number;
  readonly knOverKy: number;
  /** Hähnel 2020 immune compartment (marrow-wide, per min): influx rz, death az, kill m, recruitment pz, Kz. */
  readonly immune: {
    readonly rz: number;
    readonly az: number;
    readonly m: number;
    readonly pz: number;
    readonly kz: number;
    readonly ky: number;
  };
  /**
   * The leukaemic lineage below the stem cells (Michor 2005, the keys src/niche/haematopoiesis.ts binds; per min):
   * progenitor production ay per cycling LSC, progenitor -> differentiated by, differentiated -> mature cy, losses
   * d1, d2, d3, imatinib fold reductions fa (of ay) and fb (of by), and the share s of progenitor loss that B4
   * protection prevents (niche.ch.bmsc_protection.bulk_share).
   */
  readonly lineage: {
    readonly ay: number;
    readonly by: number;
    readonly cy: number;
    readonly d1: number;
    readonly d2: number;
    readonly d3: number;
    readonly fa: number;
    readonly fb: number;
    readonly bulkShare: number;
  };
  /** Vessel sprouts: weight of the random unit vector added to the outward direction (spatial.vessel.sprout_spread). */
  readonly sproutSpread: number;
  // in vitro
  readonly invitroKm: number;
  readonly invitroParticlesPerUg: number;
  readonly invitroDose: number;
  /** Endothelial VCAM1 (src/niche/niche-cells.ts): sign of the response (crosstalk.vcam1_direction), maximal change. */
  readonly vcam1Direction: number;
  readonly emaxVcam: number;
  /** Weight of the unit CML-cargo gradient in a sprout's direction (spatial.vessel.sprout_gradient_weight). */
  readonly sproutGradient: number;
}

const pkey = (k: number, s: string) => `hahnel2020.patient${String(k).padStart(2, '0')}.${s}`;

/** Channel symbols of src/niche/channels.ts with their emax KB keys (read from the niche CHANNELS table). */
export function spatialParameters(
  kb: KnowledgeBase,
  channels: readonly { readonly sym: string; readonly emax: string }[],
  options: { readonly patient?: number; readonly setting?: Setting } = {},
): SpatialParams {
  const v = (key: string) => kb.parameter(key).value;
  const perMin = (key: string) => v(key) / MIN_PER_MONTH;
  const perDayToMin = (key: string) => (v(key) * DAYS_PER_MONTH) / MIN_PER_MONTH;
  const patient = options.patient ?? 1;
  const setting = options.setting ?? 'in-vivo';
  const V = v('spatial.marrow.volume');
  const kmVitro = v('invitro.km') / UM3_PER_ML;
  const emax: Record<string, number> = {};
  for (const c of channels) emax[c.sym] = v(c.emax);
  return {
    patient,
    setting,
    py: perMin('hahnel2020.py'),
    pxy: perMin(pkey(patient, 'pxy')),
    pyx: perMin(pkey(patient, 'pyx')),
    eTki: perMin(pkey(patient, 'e_tki')),
    kClear: perMin('niche.exo.clearance'),
    rCml: perMin('niche.release.cml'),
    rLsc: perMin('niche.release.lsc'),
    rBmsc: perMin('niche.release.bmsc'),
    wLsc: v('niche.lsc.cargo_weight'),
    hypGain: v('niche.release.hypoxia_gain'),
    tkiReduction: v('niche.release.tki_reduction'),
    kmCml: setting === 'in-vitro' ? kmVitro : v('niche.uptake.km_cml') / V,
    kmBmsc: setting === 'in-vitro' ? kmVitro : v('niche.uptake.km_bmsc') / V,
    cargo: { hill: v('niche.cargo.hill'), ec50: v('niche.cargo.ec50'), emax },
    mir210Gain: v('niche.hypoxia.mir210_gain'),
    srcBlock: v('niche.ch.src_angiogenesis.recipient_block'),
    curDepl: v('niche.curcumin.protein_depletion'),
    kAct: perMin('niche.activation.rate'),
    kVasc: perMin('niche.vascular.rate'),
    dExosome: v('spatial.diffusion.exosome'),
    dChemokine: v('spatial.diffusion.chemokine'),
    decayIl8: v('spatial.decay.il8'),
    decayCxcl12: v('spatial.decay.cxcl12'),
    chemotaxisBiasLsc: v('spatial.chemotaxis.bias_lsc'),
    survival: {
      delta: perMin('niche.lsc.apoptosis_rate'),
      emaxA1s: v('niche.ch.autocrine.emax_survival'),
      smaxIl8: v('niche.feedback.il8.survival_max'),
    },
    fb: {
      rmaxIl8: v('niche.feedback.il8.rmax'),
      kIl8: v('niche.feedback.il8.k50'),
      wbIl8: v('niche.feedback.il8.bmsc_weight'),
      rmaxAdh: v('niche.feedback.adhesion.rmax'),
      kAdh: v('niche.feedback.adhesion.k50'),
      wp: v('niche.feedback.protection_weight'),
    },
    dOxygen: v('spatial.diffusion.oxygen'),
    decayOxygen: v('spatial.decay.oxygen'),
    o2Consumption: v('spatial.oxygen.consumption'),
    o2Normoxic: v('spatial.oxygen.normoxic'),
    o2Hypoxic: v('spatial.oxygen.hypoxic'),
    o2MarrowUpper: v('spatial.oxygen.marrow_upper'),
    dDrug: v('spatial.diffusion.drug'),
    marrowVolume: V,
    radius: {
      cml: v('spatial.radius.cml'),
      lsc: v('spatial.radius.lsc'),
      bmsc: v('spatial.radius.bmsc'),
      endo: v('spatial.radius.endothelial'),
    },
    speedLsc: v('spatial.speed.lsc'),
    persistenceLsc: v('spatial.persistence.lsc'),
    repulsion: v('spatial.mechanics.repulsion'),
    adhesion: v('spatial.mechanics.adhesion'),
    adhesionReach: v('spatial.mechanics.adhesion_reach'),
    tubeLengthPerCell: v('spatial.tube.length_per_cell'),
    sproutSpread: v('spatial.vessel.sprout_spread'),
    immune: {
      rz: perMin('hahnel2020.rz'),
      az: perMin('hahnel2020.az'),
      m: perMin('hahnel2020.m'),
      pz: perMin(pkey(patient, 'pz')),
      kz: v(pkey(patient, 'Kz')),
      ky: v('hahnel2020.Ky'),
    },
    pn: perMin('niche.normal.p'),
    wLn: v('niche.competition.lsc_on_normal'),
    wNl: v('niche.competition.normal_on_lsc'),
    knOverKy: v('niche.normal.K') / v('hahnel2020.Ky'),
    // Michor's rates are per day; the niche model takes them x DAYS_PER_MONTH per month, so per minute / 1440.
    lineage: {
      ay: perDayToMin('michor2005.ay'),
      by: perDayToMin('michor2005.by'),
      cy: perDayToMin('michor2005.cy'),
      d1: perDayToMin('michor2005.d1'),
      d2: perDayToMin('michor2005.d2'),
      d3: perDayToMin('michor2005.d3'),
      fa: v('michor2005.ay_imatinib'),
      fb: v('michor2005.by_imatinib'),
      bulkShare: v('niche.ch.bmsc_protection.bulk_share'),
    },
    invitroKm: kmVitro,
    invitroParticlesPerUg: v('invitro.particles_per_ug'),
    invitroDose: v('invitro.dose'),
    vcam1Direction: v('crosstalk.vcam1_direction'),
    emaxVcam: v('niche.ch.vcam1.emax'),
    sproutGradient: v('spatial.vessel.sprout_gradient_weight'),
  };
}

/** A TKI as the spatial cells see it: unbound concentration (nM) -> normalised effect tkiE (1 at the reference). */
export interface DrugAction {
  readonly drug: string;
  /** Native IC50 (nM, unbound scale) and Hill coefficient of the PD (src/therapy/pd.ts). */
  readonly ic50: number;
  readonly hill: number;
  /**
   * E_ref: the native steady-state mean effect of the drug's standard regimen, the normalisation of the niche
   * model's `schedule` and `parametric` exposures (src/niche/tki.ts), so tkiE = E(c) / E_ref.
   */
  readonly eRef: number;
  /** Unbound steady-state average concentration of the standard regimen (nM): the reference field value. */
  readonly referenceNm: number;
}

/** The PD of a drug for native BCR-ABL1, computed as src/niche/tki.ts computes E_ref (same KB entries). */
export function drugAction(kb: KnowledgeBase, drug: string): DrugAction {
  const pk = drugPk(kb, drug);
  const pot = clonePotency(kb, drug, 'native');
  const r = pk.standardRegimen;
  const s = steadyStateExposure(pk.params, r.dose, r.intervalHours, pk.fu, pk.molecularWeight, {
    ic50: pot.ic50,
    hill: DEFAULT_HILL.value,
  });
  return { drug, ic50: pot.ic50, hill: DEFAULT_HILL.value, eRef: s.meanEffect, referenceNm: s.unboundAvgNm };
}

/** Normalised TKI effect of an unbound concentration c (nM): E(c) / E_ref, E the Emax/Hill PD (pd.ts hillEffect). */
export function tkiEffect(a: DrugAction, c: number): number {
  return hillEffect(c, a) / a.eRef;
}
