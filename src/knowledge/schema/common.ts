/**
 * The shapes every knowledge-base file shares: references, evidence tags, quantities with units and
 * provenance, and named parameters. Domain sections (drugs, mutations, channels, clinical definitions) build on
 * these in their own files.
 */
import { z } from 'zod';

/**
 * Evidence tags (see docs/knowledge-base.md): V verified in a primary source, V2 read in a secondary source
 * quoting the primary, T transcribed from public code, C computed here or in the research notes, R recalled and
 * unverified (never a pass/fail target), A an assumption of ours (with a range, a calibration target), U unknown.
 */
export const Evidence = z.enum(['V', 'V2', 'T', 'C', 'R', 'A', 'U']);
export type Evidence = z.infer<typeof Evidence>;

/** A citable source. `id` is short and stable (`michor2005`, `eln2020`), used by `refs` everywhere. */
export const Reference = z.strictObject({
  id: z.string().regex(/^[a-z][a-z0-9_-]*$/, 'lower-case letters, digits, _ and -, starting with a letter'),
  authors: z.string().min(1),
  year: z.number().int().min(1900).max(2100),
  title: z.string().min(1),
  journal: z.string().optional(),
  volume: z.string().optional(),
  pages: z.string().optional(),
  doi: z.string().optional(),
  pmid: z.string().optional(),
  url: z.string().optional(),
  note: z.string().optional(),
});
export type Reference = z.infer<typeof Reference>;

const Refs = z.array(z.string()).min(1, 'at least one reference id');

/** A number with its unit and provenance. `range` is the plausible range (for sampling, calibration, sensitivity). */
export const Quantity = z
  .strictObject({
    value: z.number(),
    units: z.string().min(1),
    evidence: Evidence,
    refs: Refs,
    range: z.tuple([z.number(), z.number()]).optional(),
    /** Inter-patient coefficient of variation (fraction), where the literature gives one. */
    cv: z.number().nonnegative().optional(),
    note: z.string().optional(),
  })
  .refine((q) => !q.range || (q.range[0] <= q.value && q.value <= q.range[1]), {
    message: 'value must lie within its range',
    path: ['value'],
  })
  .refine((q) => q.evidence !== 'A' || q.range !== undefined, {
    message: 'an assumed value (evidence A) needs a plausible range',
    path: ['range'],
  });
export type Quantity = z.infer<typeof Quantity>;

/** A named model parameter: `key` is `<model or domain>.<symbol>`, e.g. `michor2005.d0`. */
export const Parameter = z
  .strictObject({
    key: z.string().regex(/^[a-z][a-z0-9_]*(\.[A-Za-z0-9_]+)+$/, 'a dotted key such as michor2005.d0'),
    name: z.string().min(1),
    value: z.number(),
    units: z.string().min(1),
    evidence: Evidence,
    refs: Refs,
    range: z.tuple([z.number(), z.number()]).optional(),
    cv: z.number().nonnegative().optional(),
    note: z.string().optional(),
  })
  .refine((q) => !q.range || (q.range[0] <= q.value && q.value <= q.range[1]), {
    message: 'value must lie within its range',
    path: ['value'],
  })
  .refine((q) => q.evidence !== 'A' || q.range !== undefined, {
    message: 'an assumed value (evidence A) needs a plausible range',
    path: ['range'],
  });
export type Parameter = z.infer<typeof Parameter>;
