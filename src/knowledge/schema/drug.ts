/**
 * TKIs as drugs: identity, mechanism, regimens and oral pharmacokinetics (cml-models.md §6). Potency per mutation
 * lives in the `sensitivities` table (mutation.ts), including the `native` row; it is not repeated here.
 *
 * Pharmacokinetic quantities carry their units, evidence and references. Concentrations are in ng/mL, times in
 * hours, clearances in L/h, volumes in L, fractions as units '1'. CL/F and V/F are apparent (oral) values; the
 * therapy layer (src/therapy/pk-params.ts) derives a complete parameter set from whichever of them are known.
 */
import { z } from 'zod';
import { Quantity } from './common.js';

const Refs = z.array(z.string()).min(1, 'at least one reference id');

/** A quantity whose `units` must be one of `allowed` (so a model never mixes µg/mL with ng/mL silently). */
function quantityIn(...allowed: readonly string[]) {
  return Quantity.refine((q) => allowed.includes(q.units), {
    message: `units must be ${allowed.map((u) => `'${u}'`).join(' or ')}`,
    path: ['units'],
  });
}

export const DrugGeneration = z.enum(['first', 'second', 'third', 'allosteric']);
export type DrugGeneration = z.infer<typeof DrugGeneration>;

/** ATP-competitive (kinase-domain ATP site) or allosteric STAMP (myristoyl pocket: asciminib). */
export const DrugMechanism = z.enum(['ATP-competitive', 'allosteric-STAMP']);
export type DrugMechanism = z.infer<typeof DrugMechanism>;

/** A labelled dosing regimen: `dose` mg every `intervalHours` h. */
export const Regimen = z.strictObject({
  /** Short id unique within the drug, e.g. `400qd`, `300bid`. */
  id: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'lower-case letters, digits, _ and -'),
  dose: z.number().positive(),
  intervalHours: z.number().positive(),
  /** Where the regimen is used (`first-line CP`, `resistant/intolerant`, `T315I`, `dose reduction`...). */
  setting: z.string().min(1),
  /** The standard regimen of the drug in chronic phase (exactly one per drug). */
  standard: z.boolean().optional(),
  evidence: z.enum(['V', 'V2', 'T', 'C', 'R', 'A', 'U']),
  refs: Refs,
  note: z.string().optional(),
});
export type Regimen = z.infer<typeof Regimen>;

/**
 * Optional two-compartment disposition (apparent, oral): central V/F is `pk.vF`, plus inter-compartmental
 * clearance Q/F and peripheral volume Vp/F.
 */
export const TwoCompartment = z.strictObject({
  clF: quantityIn('L/h'),
  vcF: quantityIn('L'),
  qF: quantityIn('L/h'),
  vpF: quantityIn('L'),
  note: z.string().optional(),
});
export type TwoCompartment = z.infer<typeof TwoCompartment>;

export const Pharmacokinetics = z.strictObject({
  /** Regimen id the steady-state Cmax / Cmin / AUC refer to. */
  steadyStateRegimen: z.string().min(1),
  /** Time to peak after a single oral dose (median). */
  tmax: quantityIn('h'),
  /** Terminal elimination half-life. */
  halfLife: quantityIn('h'),
  cmaxSs: quantityIn('ng/mL').optional(),
  cminSs: quantityIn('ng/mL').optional(),
  /** AUC over one dosing interval at steady state. */
  aucTauSs: quantityIn('ng*h/mL').optional(),
  /** Fraction bound to plasma proteins (0..1). Unbound fraction fu = 1 - proteinBinding. */
  proteinBinding: quantityIn('1'),
  /** Absolute oral bioavailability, where known (CL/F and V/F already include it). */
  bioavailability: quantityIn('1').optional(),
  /** Apparent oral clearance CL/F (with the inter-patient CV in `cv` where reported). */
  clF: quantityIn('L/h').optional(),
  /** Apparent volume of distribution V/F (one-compartment). */
  vF: quantityIn('L').optional(),
  twoCompartment: TwoCompartment.optional(),
  note: z.string().optional(),
});
export type Pharmacokinetics = z.infer<typeof Pharmacokinetics>;

export const Drug = z
  .strictObject({
    id: z.string().regex(/^[a-z][a-z0-9_-]*$/, 'a drug id such as imatinib'),
    name: z.string().min(1),
    brand: z.string().optional(),
    generation: DrugGeneration,
    mechanism: DrugMechanism,
    molecularWeight: quantityIn('g/mol'),
    regimens: z.array(Regimen).min(1),
    pk: Pharmacokinetics,
    refs: Refs,
    notes: z.string().optional(),
  })
  .superRefine((d, ctx) => {
    const ids = d.regimens.map((r) => r.id);
    ids.forEach((id, i) => {
      if (ids.indexOf(id) !== i)
        ctx.addIssue({
          code: 'custom',
          message: `duplicate regimen id '${id}'`,
          path: ['regimens', i, 'id'],
        });
    });
    if (d.regimens.filter((r) => r.standard).length !== 1)
      ctx.addIssue({
        code: 'custom',
        message: 'exactly one regimen is `standard: true`',
        path: ['regimens'],
      });
    if (!ids.includes(d.pk.steadyStateRegimen))
      ctx.addIssue({
        code: 'custom',
        message: `unknown regimen '${d.pk.steadyStateRegimen}' (regimens: ${ids.join(', ')})`,
        path: ['pk', 'steadyStateRegimen'],
      });
    const pb = d.pk.proteinBinding.value;
    if (!(pb >= 0 && pb < 1))
      ctx.addIssue({
        code: 'custom',
        message: 'protein binding is a fraction in [0, 1)',
        path: ['pk', 'proteinBinding'],
      });
  });
export type Drug = z.infer<typeof Drug>;
