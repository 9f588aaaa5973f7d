/**
 * The link between a spatial run and the ODE niche model (issue #11): the effective quantities a spatial run yields
 * (how many LSCs the niche protects, how much exosome cargo each cell type takes up, the drug each clone sees),
 * and the parameters that put the ODE model at a spatial domain's scale (for the well-mixed comparison).
 *
 * Effective protection: the ODE kills cycling LSCs at e_tki tkiE / (1 + P); a population whose cells carry
 * different P_i is killed at the mean of e_tki tkiE_i / (1 + P_i), so with the drug uniform the ODE's P that gives
 * the same kill is 1 / (1 + P_eff) = mean_i 1 / (1 + P_i) over cycling LSCs (the harmonic form, not the mean P).
 */
import { CHANNELS, type ChannelId } from '../niche/channels.js';
import { CELL_TYPES, type CellType, LSC, SpatialError, type SpatialNiche } from './model.js';

/** Channels of the well-mixed comparison: the BMSC -> LSC channels (B4 quiescence and protection) only. */
export const WELL_MIXED_CHANNELS: Readonly<Record<ChannelId, boolean>> = Object.fromEntries(
  CHANNELS.map((c) => [c.id, c.sym === 'b4q' || c.sym === 'b4p']),
) as Record<ChannelId, boolean>;

export interface Summary {
  readonly mean: number;
  readonly min: number;
  readonly max: number;
}

export interface EffectiveQuantities {
  /** Simulated time (min). */
  readonly time: number;
  readonly lsc: {
    readonly total: number;
    readonly quiescent: number;
    readonly cycling: number;
    readonly quiescentFraction: number;
  };
  /**
   * Share of LSCs in the niche: their BMSC-exosome protection signal is at least the cargo EC50 (protection at or
   * above half its maximum).
   */
  readonly protectedFraction: number;
  /** P_eff with 1 / (1 + P_eff) = mean of 1 / (1 + P_i) over cycling LSCs (over all LSCs when none cycles). */
  readonly effectiveProtection: number;
  /** Mean quiescence induction Q over cycling LSCs (the ODE's pyx (1 + Q) is linear in Q). */
  readonly effectiveQuiescence: number;
  /** Mean current uptake fractions of CML-cargo and BMSC exosomes per cell type (exosome exposure). */
  readonly uptake: Readonly<Record<CellType, { readonly cml: number; readonly bmsc: number }>>;
  /**
   * Mean cumulative cargo taken up per cell type (uptake fraction x min): CML cargo (CML and w_lsc-weighted LSC
   * exosomes), the part of it from LSC exosomes, BMSC exosomes.
   */
  readonly cargo: Readonly<Record<CellType, readonly [number, number, number]>>;
  /** Normalised TKI effect tkiE (1 = the standard regimen's mean) seen by the LSCs of each clone. */
  readonly drug: Readonly<Record<string, Summary>>;
  /**
   * Lineage option only: progenitor agents (y1, type cml), differentiated (y2) and mature (y3) cells of the domain,
   * and the progenitors' effective B4 protection (1/(1 + P_eff) = mean 1/(1 + P_i), the P of their loss).
   */
  readonly lineage?: {
    readonly y1: number;
    readonly y2: number;
    readonly y3: number;
    readonly progenitorProtection: number;
  };
}

/** The effective quantities of a spatial run now. */
export function effectiveQuantities(sim: SpatialNiche): EffectiveQuantities {
  const ec50 = sim.params.cargo.ec50;
  const avail = 1 - sim.niche.antiMiR.protein;
  const uptake = {} as Record<CellType, { cml: number; bmsc: number }>;
  const cargo = {} as Record<CellType, [number, number, number]>;
  const count = {} as Record<CellType, number>;
  for (const t of CELL_TYPES) {
    uptake[t] = { cml: 0, bmsc: 0 };
    cargo[t] = [0, 0, 0];
    count[t] = 0;
  }
  let q = 0;
  let c = 0;
  let invP = 0;
  let invPAll = 0;
  let qSum = 0;
  let prot = 0;
  const drug = { mean: 0, min: Number.POSITIVE_INFINITY, max: Number.NEGATIVE_INFINITY };
  let progInv = 0;
  for (const id of sim.ids()) {
    const s = sim.cell(id);
    const t = s.type;
    count[t]++;
    if (t === 'cml') progInv += 1 / (1 + s.protection);
    uptake[t].cml += s.uptakeCml;
    uptake[t].bmsc += s.uptakeBmsc;
    for (let k = 0; k < 3; k++) cargo[t][k] += s.cargo[k];
    if (t !== CELL_TYPES[LSC]) continue;
    const inv = 1 / (1 + s.protection);
    invPAll += inv;
    if (avail * s.uptakeBmsc >= ec50) prot++;
    drug.mean += s.tki;
    drug.min = Math.min(drug.min, s.tki);
    drug.max = Math.max(drug.max, s.tki);
    if (s.cycling) {
      c++;
      invP += inv;
      qSum += s.quiescence;
    } else q++;
  }
  for (const t of CELL_TYPES) {
    const n = count[t];
    if (n === 0) continue;
    uptake[t].cml /= n;
    uptake[t].bmsc /= n;
    for (let k = 0; k < 3; k++) cargo[t][k] /= n;
  }
  const total = q + c;
  const meanInv = c > 0 ? invP / c : total > 0 ? invPAll / total : 1;
  return {
    time: sim.time,
    lsc: { total, quiescent: q, cycling: c, quiescentFraction: total > 0 ? q / total : 0 },
    protectedFraction: total > 0 ? prot / total : 0,
    effectiveProtection: 1 / meanInv - 1,
    effectiveQuiescence: c > 0 ? qSum / c : 0,
    uptake,
    cargo,
    drug: { native: total > 0 ? { ...drug, mean: drug.mean / total } : { mean: 0, min: 0, max: 0 } },
    ...lineageQuantities(sim, progInv),
  };
}

function lineageQuantities(sim: SpatialNiche, progInv: number): Pick<EffectiveQuantities, 'lineage'> {
  const l = sim.lineage();
  if (!l) return {};
  return {
    lineage: { ...l, progenitorProtection: l.y1 > 0 ? l.y1 / progInv - 1 : 0 },
  };
}

/**
 * Initial amounts of the niche model's leukaemic lineage equal to a spatial run's now (lineage option): y1 = the
 * progenitor agents, y2, y3 (for buildSetUp's `initial` in src/experiments/culture.ts).
 */
export function nicheLineageFor(sim: SpatialNiche): { y1: number; y2: number; y3: number } {
  const l = sim.lineage();
  if (!l) throw new SpatialError('nicheLineageFor: the spatial run has no lineage option');
  return { y1: l.y1, y2: l.y2, y3: l.y3 };
}

/** Volume of the simulated domain (um^3; a 2D domain is a slab of the niche's depth). */
export function domainVolume(sim: SpatialNiche): number {
  return sim.grid.voxelCount * sim.grid.voxelVolume * sim.depth;
}

/**
 * ODE niche-model parameter overrides that put it at the domain's scale: the domain's BMSCs, LSC capacity and
 * initial LSCs, and uptake half-saturations equal to the spatial concentrations times the domain volume. Every
 * rate (switching, division, kill, release, clearance, cargo effects) is already the same KB value in both.
 */
export function nicheParametersFor(
  sim: SpatialNiche,
  cells: { bmsc: number; lscCapacity: number; quiescent: number; cycling: number },
): Record<string, number> {
  const V = domainVolume(sim);
  return {
    n_bmsc: cells.bmsc,
    Km_bmsc: sim.params.kmBmsc * V,
    Km_cml: sim.params.kmCml * V,
    Ky: cells.lscCapacity,
    X_init: cells.quiescent,
    Y_init: cells.cycling,
  };
}
