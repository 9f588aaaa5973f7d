/**
 * The niche model's exosome channels evaluated per cell. src/niche/channels.ts writes each channel as a model
 * expression,
 *
 *   eff_c = scale_c * emax_c * s^n / (ec50^n + s^n),  s = availability_c * u_{donor -> recipient},
 *
 * with the saturable uptake u = (1 - blocker) S / (Km + S) of src/niche/exosomes.ts. Here the same functions take a
 * cell's local uptake fraction instead of the marrow-wide one. The channel table (donor, recipient, cargo, target,
 * emax key), the option resolution (scales, anti-miRs, curcumin, blocker) and the KB keys are the niche model's
 * own (imported, not copied), so a channel means the same thing in both models; test/spatial/channels.test.ts
 * checks the per-cell values against the compiled niche model's eff_* and u_* at the same uptake.
 */
import { CHANNELS, type ChannelId } from '../niche/channels.js';
import type { ResolvedOptions } from '../niche/options.js';
import type { CargoParams } from './params.js';

/** Saturable uptake fraction of a recipient at concentration c (src/niche/exosomes.ts, per cell). */
export function uptakeFraction(c: number, km: number, blocker: number): number {
  return c > 0 ? ((1 - blocker) * c) / (km + c) : 0;
}

/** Hill cargo effect k * s^n / (ec50^n + s^n), k = scale * emax (src/niche/channels.ts). */
export function cargoEffect(k: number, s: number, ec50: number, n: number): number {
  if (!(s > 0) || k === 0) return 0;
  const sn = n === 1 ? s : s ** n;
  return (k * sn) / ((n === 1 ? ec50 : ec50 ** n) + sn);
}

/**
 * Per-channel constants: k = scale * emax (0 when the channel is off), the cargo availability 1 - antiMiR and the
 * mimic level (cargo given directly in the recipient, options `mimic`): the signal is avail (f u + mimic).
 */
export interface ChannelConstants {
  readonly k: number;
  readonly avail: number;
  readonly mimic: number;
}

/** The channel's signal for a donor-side cargo amount fu (factor x uptake fraction): avail (fu + mimic). */
export function channelSignal(c: ChannelConstants, fu: number): number {
  return c.avail * (fu + c.mimic);
}

export type ChannelSym = (typeof CHANNELS)[number]['sym'];

/** Resolves every channel of the niche table to its constants under the niche options. */
export function channelConstants(
  o: ResolvedOptions,
  cargo: CargoParams,
): Readonly<Record<ChannelSym, ChannelConstants>> {
  const out = {} as Record<ChannelSym, ChannelConstants>;
  for (const c of CHANNELS) {
    const scale = o.exosomes ? o.channels[c.id as ChannelId] : 0;
    out[c.sym] = {
      k: scale * (cargo.emax[c.sym] ?? 0),
      avail: 1 - o.antiMiR[c.cargo],
      mimic: o.mimic?.[c.cargo] ?? 0,
    };
  }
  return out;
}

/** The endothelial VCAM1 response (src/niche/niche-cells.ts): its sign and maximal change. */
export interface VcamResponse {
  /** crosstalk.vcam1_direction: -1 Taverna 2014 (down, miR-126), +1 Taverna 2016 (up, with IL-8), 0 none. */
  readonly direction: number;
  /** niche.ch.vcam1.emax. */
  readonly emax: number;
}

/**
 * Targets of an endothelial cell's adhesion states from its CML-cargo uptake fraction uC, exactly the niche model's
 * (src/niche/niche-cells.ts): out[0] = vcam1_endo* = 1 + max(dir, 0) emax_vcam (1 - curcumin) E6 / emax_e6
 * - max(-dir, 0) emax_vcam E5 / emax_mir126, out[1] = cxcl12_endo* = 1 - E5, with E5 the miR-126 channel
 * (Taverna 2014: CXCL12 down) and E6 the IL-8/VCAM1 channel (Taverna 2016). Writes into `out` (no allocation).
 */
export function endothelialAdhesion(
  out: Float64Array,
  e6c: ChannelConstants,
  e5c: ChannelConstants,
  cargo: CargoParams,
  vcam: VcamResponse,
  uC: number,
  curcumin: number,
): void {
  const { ec50, hill } = cargo;
  const e5 = cargoEffect(e5c.k, channelSignal(e5c, uC), ec50, hill);
  const dir = vcam.direction;
  let v = 1;
  if (dir > 0) {
    const e6 = cargoEffect(e6c.k, channelSignal(e6c, uC), ec50, hill);
    if (e6 !== 0) v += (dir * vcam.emax * ((1 - curcumin) * e6)) / (cargo.emax.e6 as number);
  } else if (dir < 0 && e5 !== 0) v -= (-dir * vcam.emax * e5) / (cargo.emax.mir126 as number);
  out[0] = v;
  out[1] = 1 - e5;
}
