/**
 * Exosome crosstalk channels of the CML niche (biology.md §2) and conflicts between studies. A channel is one
 * donor -> recipient transfer with its cargo and its primary effect; molecular read-outs that studies measured
 * (VCAM1 down, IL-8 up) are listed with their own direction and evidence so that conflicts can point at them.
 */
import { z } from 'zod';
import { Evidence, Quantity } from './common.js';

const Id = z
  .string()
  .regex(/^[a-z][a-z0-9_-]*$/, 'lower-case letters, digits, _ and -, starting with a letter');
const Refs = z.array(z.string()).min(1, 'at least one reference id');

/** Cell populations of the niche that send or receive exosomes. */
export const CellType = z.enum([
  /** bulk CML cells (cell lines K562, LAMA84 stand in for them) */
  'cml-bulk',
  /** leukaemic stem cells */
  'lsc',
  /** imatinib-resistant CML cells */
  'resistant-cml',
  /** imatinib-sensitive CML cells */
  'sensitive-cml',
  /** bone-marrow mesenchymal stromal cells (HS5, hBMMSC) */
  'bmsc',
  /** endothelial cells (HUVEC) */
  'endothelium',
  't-cell',
  'treg',
  'macrophage',
  /** normal haematopoietic stem and progenitor cells */
  'normal-hspc',
]);
export type CellType = z.infer<typeof CellType>;

/** Controlled vocabulary of channel effects (what the model acts on). */
export const EffectTerm = z.enum([
  'angiogenesis',
  'adhesion',
  'migration',
  'il8-secretion',
  'chemokine-secretion',
  'quiescence',
  'proliferation',
  'survival',
  'apoptosis',
  'drug-resistance',
  'niche-remodelling',
  'immune-suppression',
  'engraftment',
]);
export type EffectTerm = z.infer<typeof EffectTerm>;

export const Direction = z.enum(['up', 'down']);
export type Direction = z.infer<typeof Direction>;

/** Experiment ids of biology.md: study rows (E1, B4, A2, I1, D1, M1) and virtual experiments (VE-5). */
const ExperimentId = z
  .string()
  .regex(/^([EBAIDM][0-9]+|VE-[0-9]+)$/, 'an experiment id of biology.md such as E5 or VE-5');

/** A molecular or cellular read-out a study measured in the recipient (or, for feedback, the donor). */
export const Readout = z.strictObject({
  target: z.string().min(1),
  direction: Direction,
  evidence: Evidence,
  refs: Refs,
  note: z.string().optional(),
});
export type Readout = z.infer<typeof Readout>;

/** A drug or agent that changes the channel, acting on the donor (release, cargo) or on the recipient (response). */
export const Modulator = z.strictObject({
  agent: z.string().min(1),
  actsOn: z.enum(['donor', 'recipient']),
  effect: z.enum(['blocks', 'reduces', 'minimal', 'no-effect', 'reverses']),
  evidence: Evidence,
  refs: Refs,
  note: z.string().optional(),
});
export type Modulator = z.infer<typeof Modulator>;

export const Channel = z.strictObject({
  id: Id,
  donor: CellType,
  recipient: CellType,
  /** What the exosomes carry that matters here (`miR-126`, `amphiregulin`, or `exosomes` when unresolved). */
  cargo: z.array(z.string().min(1)).min(1),
  /** The primary effect on the recipient (or on the donor, through the recipient, for feedback loops). */
  effect: EffectTerm,
  direction: Direction,
  /** The effect in words, as the study states it. */
  text: z.string().min(1),
  experiments: z.array(ExperimentId).min(1),
  /** Cells or systems used, e.g. `K562 -> HUVEC`. */
  system: z.string().optional(),
  setting: z.array(z.enum(['in-vitro', 'in-vivo', 'ex-vivo'])).min(1),
  evidence: Evidence,
  refs: Refs,
  readouts: z.array(Readout).optional(),
  modulators: z.array(Modulator).optional(),
  /** Numbers the study gives, by name (`tubeLengthFold`, `exposureTime`). */
  quantities: z.record(z.string().regex(/^[a-z][A-Za-z0-9]*$/, 'a camelCase name'), Quantity).optional(),
  note: z.string().optional(),
});
export type Channel = z.infer<typeof Channel>;

/** One side of a conflict: a claim and the channels and references that support it. */
export const Position = z.strictObject({
  claim: z.string().min(1),
  channels: z.array(z.string()).optional(),
  evidence: Evidence,
  refs: Refs,
});
export type Position = z.infer<typeof Position>;

/**
 * How the model handles a conflict: `parameter` exposes it as a parameter (named in `parameters`) to be varied,
 * `assumption` adopts one mechanism that reconciles the positions, explained in `note`.
 */
export const Resolution = z.strictObject({
  kind: z.enum(['parameter', 'assumption']),
  note: z.string().min(1),
  parameters: z.array(z.string()).optional(),
  refs: Refs.optional(),
});
export type Resolution = z.infer<typeof Resolution>;

export const Conflict = z
  .strictObject({
    id: Id,
    question: z.string().min(1),
    positions: z.array(Position).min(2, 'a conflict has at least two positions'),
    resolution: Resolution.optional(),
  })
  .refine((c) => c.resolution?.kind !== 'parameter' || (c.resolution.parameters?.length ?? 0) > 0, {
    message: "a 'parameter' resolution names its parameters",
    path: ['resolution', 'parameters'],
  });
export type Conflict = z.infer<typeof Conflict>;
