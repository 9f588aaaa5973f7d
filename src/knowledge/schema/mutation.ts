/**
 * BCR-ABL1 kinase-domain mutations and their sensitivity to each TKI: cellular IC50 (Ba/F3 proliferation, nM),
 * fold resistance relative to native BCR-ABL1, and the clinical sensitive / intermediate / resistant category
 * used for drug selection where numbers are missing (cml-models.md §5).
 */
import { z } from 'zod';
import { Evidence, Quantity } from './common.js';

/**
 * Structural region of the ABL1 kinase domain a substitution sits in. `native` is the unmutated fusion
 * (the reference row of every IC50 table); `myristoyl-pocket` matters only for the allosteric inhibitor asciminib.
 */
export const MutationRegion = z.enum([
  'native',
  'P-loop',
  'gatekeeper',
  'drug-contact',
  'catalytic-domain',
  'A-loop',
  'myristoyl-pocket',
  'other',
]);
export type MutationRegion = z.infer<typeof MutationRegion>;

const Refs = z.array(z.string()).min(1, 'at least one reference id');

/** One kinase-domain substitution, by its protein-change id (`T315I`), or `native` for unmutated BCR-ABL1. */
export const Mutation = z.strictObject({
  id: z
    .string()
    .regex(
      /^(native|[A-Z][0-9]{2,4}[A-Z*])$/,
      "a protein change such as T315I (one-letter residue, position, one-letter residue) or 'native'",
    ),
  name: z.string().min(1),
  region: MutationRegion,
  /** ABL1 residue number (isoform 1a numbering, as used clinically). */
  residue: z.number().int().positive().optional(),
  notes: z.string().optional(),
  refs: Refs.optional(),
});
export type Mutation = z.infer<typeof Mutation>;

/** The clinical selection categories of cml-models.md §5.1 (S / IR / R). */
export const ClinicalCategory = z.enum(['sensitive', 'intermediate', 'resistant']);
export type ClinicalCategory = z.infer<typeof ClinicalCategory>;

/**
 * A cellular IC50 in nM. `bound: '>'` marks a censored value (the true IC50 lies above the highest
 * concentration tested, as in "> 6400"); such values are lower bounds, never point estimates.
 */
export const Ic50 = Quantity.safeExtend({ bound: z.enum(['>', '<']).optional() }).refine(
  (q) => q.units === 'nM',
  { message: 'an IC50 is given in nM (units: nM)', path: ['units'] },
);
export type Ic50 = z.infer<typeof Ic50>;

/** Fold resistance IC50(mutant)/IC50(native), as reported by a source (dimensionless, units '1'). */
export const Fold = Quantity.safeExtend({ bound: z.enum(['>', '<']).optional() }).refine(
  (q) => q.units === '1',
  { message: "a fold change is dimensionless (units: '1')", path: ['units'] },
);
export type Fold = z.infer<typeof Fold>;

/**
 * What is known about one mutation x drug pair. At least one of `ic50`, `fold` and `clinical` is present.
 * `ic50` is the primary value (the one models use); `otherIc50` keeps values from other studies, because
 * absolute Ba/F3 IC50s differ between laboratories and only ratios within one study transfer. `evidence` tags
 * the clinical category (each quantity carries its own tag).
 */
export const Sensitivity = z
  .strictObject({
    mutation: z.string().min(1),
    drug: z.string().regex(/^[a-z][a-z0-9_-]*$/, 'a drug id such as imatinib'),
    ic50: Ic50.optional(),
    otherIc50: z.array(Ic50).optional(),
    fold: Fold.optional(),
    clinical: ClinicalCategory.optional(),
    /** Assay of the IC50s, e.g. `Ba/F3-p210 proliferation`. */
    assay: z.string().optional(),
    evidence: Evidence,
    refs: Refs,
    note: z.string().optional(),
  })
  .refine((s) => s.ic50 !== undefined || s.fold !== undefined || s.clinical !== undefined, {
    message: 'give at least one of ic50, fold or clinical',
    path: ['clinical'],
  })
  .refine((s) => s.mutation !== 'native' || s.fold === undefined, {
    message: 'the native row has no fold resistance (it is the reference)',
    path: ['fold'],
  });
export type Sensitivity = z.infer<typeof Sensitivity>;
