/**
 * The exosome channels the niche model implements, by their channels.yaml ids, with the donor pool, the recipient,
 * the cargo (what an anti-miR antagonises) and the model quantity each one moves. A channel's effect is a Hill
 * function of the recipient's saturable uptake fraction (exosomes.ts):
 *
 *   eff_c = scale_c * emax_c * s^n / (ec50^n + s^n),  s = availability_c * u_{donor -> recipient}
 *
 * availability_c = (1 - antiMiR[cargo]) times channel-specific cargo factors (hypoxia for miR-210, curcumin for
 * the protein cargo and miR-21, dasatinib on the endothelial Src pathway for E1). A mimic (miR mimic transfection
 * or over-expression in the recipient, `mimic[cargo] = m`) adds the cargo directly in the recipient, bypassing
 * donors, release and uptake, in the units of the uptake fraction (m = the signal that an uptake fraction m of
 * cargo-loaded exosomes gives):
 *
 *   s = (1 - antiMiR[cargo]) (f_c u_{donor -> recipient} + m)
 *
 * so the anti-miR antagonises the mimic too (it acts on the cargo in the recipient) while the donor-side factors f_c
 * (hypoxic loading of miR-210, curcumin's miR-21) do not. With a mimic the channel exists even when its donor pool
 * does not (miR-365 over-expression in sensitive cells, no resistant clone: VE-16). Mimics exist for the miRNA and
 * amphiregulin cargo, not for the lumped `protein` cargo (no single molecule to over-express). Channels of channels.yaml that are
 * NOT implemented: cml-bmsc-macrophage-k562 (recalled, no defined effect) and msc-cml-imatinib-sensitisation
 * (recalled; the conflict msc-exosomes-tki resolves it as "not modelled until verified").
 */
import { type NicheOptions, NicheOptionsError, type ResolvedOptions } from './options.js';
import type { ModelWriter } from './writer.js';

export const CARGOS = [
  'protein',
  'amphiregulin',
  'miR-126',
  'miR-92a',
  'miR-210',
  'miR-21',
  'miR-320',
  'miR-15a',
  'miR-365',
] as const;
export type Cargo = (typeof CARGOS)[number];

export type Donor = 'cml' | 'bmsc' | 'res';
export type Recipient = 'endo' | 'bmsc' | 'lsc' | 'immune';

/** What a channel moves (see niche-cells.ts and lsc.ts for how each target enters the equations). */
export type Target =
  | 'vascular+' // vascular density / tube formation up
  | 'vascular-' // down (miR-21)
  | 'il8_endo+'
  | 'adhesion_endo' // VCAM1 (signed, crosstalk.vcam1_direction) and CXCL12
  | 'il8_bmsc+'
  | 'bmsc_support+'
  | 'lsc_quiescence+'
  | 'lsc_protection+'
  | 'lsc_proliferation+'
  | 'sensitive_resistance+'
  | 'immune_kill-'
  | 'immune_recruitment-';

export interface ChannelSpec {
  readonly id: string;
  /** Short symbol used in the model (eff_<sym>). */
  readonly sym: string;
  /** Experiment label of biology.md. */
  readonly experiment: string;
  readonly donor: Donor;
  readonly recipient: Recipient;
  readonly cargo: Cargo;
  readonly target: Target;
  /** KB key of the maximal effect. */
  readonly emax: string;
}

export const CHANNELS = [
  {
    id: 'cml-endothelium-src-angiogenesis',
    sym: 'src',
    experiment: 'E1',
    donor: 'cml',
    recipient: 'endo',
    cargo: 'protein',
    target: 'vascular+',
    emax: 'niche.ch.src_angiogenesis.emax',
  },
  {
    id: 'cml-endothelium-il8-vcam1',
    sym: 'e6',
    experiment: 'E6',
    donor: 'cml',
    recipient: 'endo',
    cargo: 'protein',
    target: 'il8_endo+',
    emax: 'niche.ch.il8_vcam1.emax_il8',
  },
  {
    id: 'cml-endothelium-mir126',
    sym: 'mir126',
    experiment: 'E5',
    donor: 'cml',
    recipient: 'endo',
    cargo: 'miR-126',
    target: 'adhesion_endo',
    emax: 'niche.ch.mir126.emax_cxcl12',
  },
  {
    id: 'cml-endothelium-mir92a',
    sym: 'mir92a',
    experiment: 'E3',
    donor: 'cml',
    recipient: 'endo',
    cargo: 'miR-92a',
    target: 'vascular+',
    emax: 'niche.ch.mir92a.emax',
  },
  {
    id: 'hypoxic-cml-endothelium-mir210',
    sym: 'mir210',
    experiment: 'E4',
    donor: 'cml',
    recipient: 'endo',
    cargo: 'miR-210',
    target: 'vascular+',
    emax: 'niche.ch.mir210.emax',
  },
  {
    id: 'curcumin-cml-endothelium-mir21',
    sym: 'mir21',
    experiment: 'D1',
    donor: 'cml',
    recipient: 'endo',
    cargo: 'miR-21',
    target: 'vascular-',
    emax: 'niche.ch.mir21.emax',
  },
  {
    id: 'cml-bmsc-il8',
    sym: 'b1',
    experiment: 'B1',
    donor: 'cml',
    recipient: 'bmsc',
    cargo: 'protein',
    target: 'il8_bmsc+',
    emax: 'niche.ch.bmsc_il8.emax',
  },
  {
    id: 'cml-bmsc-amphiregulin',
    sym: 'b2',
    experiment: 'B2',
    donor: 'cml',
    recipient: 'bmsc',
    cargo: 'amphiregulin',
    target: 'il8_bmsc+',
    emax: 'niche.ch.amphiregulin.emax',
  },
  {
    id: 'cml-bmsc-mir320',
    sym: 'b3',
    experiment: 'B3',
    donor: 'cml',
    recipient: 'bmsc',
    cargo: 'miR-320',
    target: 'bmsc_support+',
    emax: 'niche.ch.mir320.emax',
  },
  {
    id: 'bmsc-cml-quiescence',
    sym: 'b4q',
    experiment: 'B4',
    donor: 'bmsc',
    recipient: 'lsc',
    cargo: 'miR-15a',
    target: 'lsc_quiescence+',
    emax: 'niche.ch.bmsc_quiescence.emax',
  },
  {
    id: 'bmsc-cml-tki-protection',
    sym: 'b4p',
    experiment: 'B4',
    donor: 'bmsc',
    recipient: 'lsc',
    cargo: 'protein',
    target: 'lsc_protection+',
    emax: 'niche.ch.bmsc_protection.emax',
  },
  {
    id: 'cml-autocrine-proliferation',
    sym: 'a1',
    experiment: 'A1',
    donor: 'cml',
    recipient: 'lsc',
    cargo: 'protein',
    target: 'lsc_proliferation+',
    emax: 'niche.ch.autocrine.emax',
  },
  {
    id: 'resistant-cml-mir365',
    sym: 'a2',
    experiment: 'A2',
    donor: 'res',
    recipient: 'lsc',
    cargo: 'miR-365',
    target: 'sensitive_resistance+',
    emax: 'niche.ch.mir365.emax',
  },
  {
    id: 'resistant-cml-ifitm3-survival',
    sym: 'a3',
    experiment: 'A3',
    donor: 'res',
    recipient: 'lsc',
    cargo: 'protein',
    target: 'sensitive_resistance+',
    emax: 'niche.ch.ifitm3.emax',
  },
  {
    id: 'cml-tcell-suppression',
    sym: 'i1',
    experiment: 'I1',
    donor: 'cml',
    recipient: 'immune',
    cargo: 'protein',
    target: 'immune_kill-',
    emax: 'niche.ch.tcell_suppression.emax',
  },
  {
    id: 'cml-treg-expansion',
    sym: 'i2',
    experiment: 'I2',
    donor: 'cml',
    recipient: 'immune',
    cargo: 'protein',
    target: 'immune_recruitment-',
    emax: 'niche.ch.treg.emax',
  },
] as const satisfies readonly ChannelSpec[];

export type ChannelId = (typeof CHANNELS)[number]['id'];

/** Feedbacks of niche activation on LSC retention and protection (not exosome channels; switchable likewise). */
export const FEEDBACKS = ['il8-cxcr-retention', 'vcam1-cxcl12-retention'] as const;
export type FeedbackId = (typeof FEEDBACKS)[number];

/**
/** Cargos a mimic can deliver: every cargo but the lumped `protein`. */
export const MIMIC_CARGOS = CARGOS.filter((c) => c !== 'protein');

/**
 * The resolved-options part of the mimic: `{ mimic }` with the validated levels (cargo -> level > 0), or `{}` when
 * none is set. A mimic needs the exosome layer: its effect goes through the cargo's channel (dose-response, target).
 */
export function mimicOption(o: NicheOptions): { readonly mimic?: Readonly<Partial<Record<Cargo, number>>> } {
  if (o.mimic === undefined) return {};
  const out: Partial<Record<Cargo, number>> = {};
  for (const [c, v] of Object.entries(o.mimic)) {
    if (!(MIMIC_CARGOS as readonly string[]).includes(c))
      throw new NicheOptionsError(
        `mimic: no mimic for cargo '${c}'; mimics exist for ${MIMIC_CARGOS.join(', ')}`,
      );
    if (typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v))
      throw new NicheOptionsError(`mimic ${c}: level must be a finite number >= 0, got ${v}`);
    if (v > 0) out[c as Cargo] = v;
  }
  if (Object.keys(out).length > 0 && o.exosomes === false)
    throw new NicheOptionsError(
      'mimic needs the exosome layer (exosomes: true): it acts through the cargo channel',
    );
  return Object.keys(out).length > 0 ? { mimic: out } : {};
}

/**
 * Writes eff_<sym> for every channel that is on (scale > 0) and whose donor pool exists; returns the effect symbols
 * grouped by target. `uptake(donor, recipient)` gives the uptake-fraction symbol; `factor(spec)` extra cargo
 * factors (an expression, or undefined for none; '0' drops the channel). A channel whose cargo has a mimic is
 * written even without its donor pool or with a '0' factor: its signal is then the mimic alone.
 */
export function writeChannels(
  w: ModelWriter,
  o: ResolvedOptions,
  uptake: (d: Donor, r: Recipient) => string | undefined,
  factor: (c: ChannelSpec) => string | undefined,
): Map<Target, string[]> {
  const out = new Map<Target, string[]>();
  if (!o.exosomes) return out;
  const n = w.kb('cargo_hill', 'niche.cargo.hill', 'Hill coefficient of every cargo effect');
  const ec50 = w.kb('cargo_ec50', 'niche.cargo.ec50', 'uptake fraction of half-maximal cargo effect');
  for (const c of CHANNELS as readonly ChannelSpec[]) {
    const s = o.channels[c.id as ChannelId];
    const u = uptake(c.donor, c.recipient);
    const f = factor(c);
    const mimic = o.mimic?.[c.cargo] ?? 0;
    const viaDonor = u !== undefined && f !== '0';
    if (!(s > 0) || (!viaDonor && !(mimic > 0))) continue;
    const scaleId = w.option(`ch_${c.sym}`, s, `scale of channel ${c.id} (${c.experiment})`);
    const emax = w.kb(`emax_${c.sym}`, c.emax, `maximal effect of ${c.id}`);
    const anti = o.antiMiR[c.cargo];
    const antiId = anti > 0 ? w.option(`anti_${c.sym}`, 1 - anti, `1 - anti-${c.cargo} antagonism`) : '';
    // cargo reaching the recipient: donor exosomes (donor-side factor f) plus the mimic
    const donorTerm = viaDonor ? (f ? `${f}*${u}` : (u as string)) : '';
    const mimicTerm =
      mimic > 0
        ? w.option(`mimic_${c.sym}`, mimic, `${c.cargo} mimic / over-expression in the recipient`)
        : '';
    const cargo = [donorTerm, mimicTerm].filter((x) => x !== '');
    const inRecipient = cargo.length > 1 ? `(${cargo.join(' + ')})` : cargo[0];
    const sig = w.assign(`sig_${c.sym}`, antiId ? `${antiId}*${inRecipient}` : inRecipient);
    w.assign(
      `eff_${c.sym}`,
      `${scaleId}*${emax}*${sig}^${n}/(${ec50}^${n} + ${sig}^${n})`,
      `effect of channel ${c.id} (${c.experiment})`,
    );
    const list = out.get(c.target) ?? [];
    list.push(`eff_${c.sym}`);
    out.set(c.target, list);
  }
  return out;
}

/** Sum of effect symbols, or '0'. */
export const sumOf = (xs: readonly string[] | undefined): string =>
  xs && xs.length > 0 ? `(${xs.join(' + ')})` : '0';
