/**
 * CML phase — chronic, accelerated or blast — from blood and marrow findings under a selectable scheme
 * (cml-models.md §4.7): WHO 2017 (revised 4th edition; Arber et al. 2016), ELN 2013 = ELN 2020 (Baccarani et al.
 * 2013, kept by Hochhaus et al. 2020), and WHO 2022 (5th edition; Khoury et al. 2022), which has no accelerated
 * phase and reports its former criteria as high-risk features of chronic phase.
 *
 * Every criterion of the scheme is evaluated; the phase is the most advanced one indicated (blast over
 * accelerated over chronic), so "blasts 10-19 %" needs only the lower bound: from 20 % the blast criterion wins.
 * Blasts count the higher of blood and marrow; blasts + promyelocytes likewise per compartment. A count criterion
 * with a qualifier ("unrelated to therapy", "unresponsive to therapy") is met only when the caller asserts the
 * qualifier. A criterion whose measure or flag is not given is reported as not evaluated (and not met).
 */
import type {
  PhaseCriterion,
  PhaseFlag,
  PhaseMeasure,
  PhaseQualifier,
} from '../knowledge/schema/clinical.js';
import {
  type ClinicalDefinitionSet,
  describeThreshold,
  meets,
  type PhaseDefinitions,
  type PhaseScheme,
  phaseDefinitions,
} from './definitions.js';

export type Phase = 'chronic' | 'accelerated' | 'blast';

export interface PhaseFindings {
  /** Peripheral blood differential, % of nucleated cells. */
  readonly blood?: {
    readonly blastsPercent?: number;
    readonly promyelocytesPercent?: number;
    readonly basophilsPercent?: number;
  };
  /** Bone marrow differential, % of nucleated cells. */
  readonly marrow?: { readonly blastsPercent?: number; readonly promyelocytesPercent?: number };
  /** Platelets, 10^9/L. */
  readonly plateletsPerNanolitre?: number;
  /** White blood cells, 10^9/L. */
  readonly wbcPerNanolitre?: number;
  /** Qualifiers asserted for a count (e.g. platelets: { unrelatedToTherapy: true } for persistent thrombocytopenia). */
  readonly qualifiers?: Partial<Record<PhaseMeasure, Partial<Record<PhaseQualifier, boolean>>>>;
  /** Yes/no findings (extramedullary blasts, ACA, ...); absent means not assessed. */
  readonly flags?: Partial<Record<PhaseFlag, boolean>>;
}

export interface PhaseCriterionResult {
  readonly id: string;
  readonly indicates: PhaseCriterion['indicates'];
  readonly description: string;
  readonly detail: string;
}

export interface PhaseAssessment {
  readonly scheme: PhaseDefinitions['scheme'];
  readonly phase: Phase;
  /** WHO 2022: chronic phase with at least one high-risk feature. */
  readonly highRisk: boolean;
  /** Criteria met. */
  readonly met: readonly PhaseCriterionResult[];
  /** Criteria whose measure or flag was not given. */
  readonly notEvaluated: readonly string[];
}

const max = (...xs: (number | undefined)[]): number | undefined => {
  const v = xs.filter((x): x is number => x !== undefined);
  return v.length ? Math.max(...v) : undefined;
};

function measure(f: PhaseFindings, m: PhaseMeasure): number | undefined {
  switch (m) {
    case 'blastsPercent':
      return max(f.blood?.blastsPercent, f.marrow?.blastsPercent);
    case 'basophilsPercent':
      return f.blood?.basophilsPercent;
    case 'blastsPlusPromyelocytesPercent': {
      const sum = (c?: { blastsPercent?: number; promyelocytesPercent?: number }) =>
        c?.blastsPercent !== undefined && c.promyelocytesPercent !== undefined
          ? c.blastsPercent + c.promyelocytesPercent
          : undefined;
      return max(sum(f.blood), sum(f.marrow));
    }
    case 'plateletsPerNanolitre':
      return f.plateletsPerNanolitre;
    case 'wbcPerNanolitre':
      return f.wbcPerNanolitre;
  }
}

/** Phase under a scheme (`who2017`, `eln2020` = `eln2013`, `who2022`) or under explicit definitions. */
export function classifyPhase(
  findings: PhaseFindings,
  scheme: PhaseScheme | PhaseDefinitions,
  defs?: ClinicalDefinitionSet,
): PhaseAssessment {
  const d = typeof scheme === 'string' ? phaseDefinitions(scheme, defs) : scheme;
  const met: PhaseCriterionResult[] = [];
  const notEvaluated: string[] = [];
  for (const c of d.criteria) {
    if ('flag' in c) {
      const v = findings.flags?.[c.flag];
      if (v === undefined) notEvaluated.push(c.id);
      else if (v) met.push({ id: c.id, indicates: c.indicates, description: c.description, detail: c.flag });
      continue;
    }
    const x = measure(findings, c.measure);
    if (x === undefined) {
      notEvaluated.push(c.id);
      continue;
    }
    if (!meets(x, c.threshold)) continue;
    if (c.qualifier && findings.qualifiers?.[c.measure]?.[c.qualifier] !== true) continue;
    met.push({
      id: c.id,
      indicates: c.indicates,
      description: c.description,
      detail: `${c.measure} ${x} ${describeThreshold(c.threshold)}${c.qualifier ? `, ${c.qualifier}` : ''}`,
    });
  }
  if (!d.hasAcceleratedPhase && met.some((m) => m.indicates === 'accelerated'))
    throw new Error(`phase scheme '${d.scheme}' has no accelerated phase but a criterion indicates one`);
  const phase: Phase = met.some((m) => m.indicates === 'blast')
    ? 'blast'
    : met.some((m) => m.indicates === 'accelerated')
      ? 'accelerated'
      : 'chronic';
  const highRisk = phase === 'chronic' && met.some((m) => m.indicates === 'high-risk');
  return { scheme: d.scheme, phase, highRisk, met, notEvaluated };
}
