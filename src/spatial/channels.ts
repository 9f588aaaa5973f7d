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
