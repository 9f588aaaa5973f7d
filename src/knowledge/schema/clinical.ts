/**
 * Clinical definitions (cml-models.md §1.1, §4.1, §4.6, §4.7): molecular response levels, ELN 2020 response
 * milestones, CML phase criteria under selectable schemes (WHO 2017, ELN 2013/2020, WHO 2022), ELN 2020
 * treatment-free-remission requirements, and published trial figures to compare virtual cohorts against.
 *
 * Every threshold is a {@link Threshold}: the number, its units, the comparison that MEETS the criterion
 * (`<=` for "≤ 0.1 %", `>` for "> 10 %"), its evidence tag and references. The read-out functions in
 * `src/clinic` take these objects and never hold a clinical number of their own.
 */
import { z } from 'zod';
import { Evidence } from './common.js';

const Refs = z.array(z.string()).min(1, 'at least one reference id');

/** A comparison that meets a criterion: `value OP threshold`. */
export const Comparison = z.enum(['<', '<=', '>', '>=']);
export type Comparison = z.infer<typeof Comparison>;

/** A clinical cut-off with its direction and provenance. An assumed cut-off (evidence A) needs a plausible range. */
export const Threshold = z
  .strictObject({
    value: z.number(),
    units: z.string().min(1),
    /** The criterion is met when `x op value` (e.g. `<=` for "≤ 0.1 % IS"). */
    op: Comparison,
    evidence: Evidence,
    refs: Refs,
    range: z.tuple([z.number(), z.number()]).optional(),
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
export type Threshold = z.infer<typeof Threshold>;

/** A non-numeric rule or fact with provenance (e.g. "failure at 3 months requires confirmation"). */
const Rule = z.strictObject({
  evidence: Evidence,
  refs: Refs,
  note: z.string().optional(),
});

// ---------------------------------------------------------------------------------------------------------------
// Molecular response

/** Molecular response level ids, shallowest first. MR1/MR2 are the 1- and 2-log reductions (≤ 10 %, ≤ 1 % IS). */
export const MolecularResponseLevelId = z.enum(['MR1', 'MR2', 'MMR', 'MR4', 'MR4.5', 'MR5']);
export type MolecularResponseLevelId = z.infer<typeof MolecularResponseLevelId>;

export const MolecularResponseLevel = z.strictObject({
  id: MolecularResponseLevelId,
  name: z.string().min(1),
  /** Log reduction from the standardised IRIS baseline (100 % IS). */
  logReduction: z.number().positive(),
  /** The % IS cut-off of a detectable result (op `<=`: inclusive). */
  maxPercentIS: Threshold,
  /**
   * For an undetectable result: the minimum number of ABL1 control-gene copies in the same cDNA volume that
   * allows scoring this level (op `>=`). Only deep-response levels carry one.
   */
  minAbl1CopiesIfUndetectable: Threshold.optional(),
  note: z.string().optional(),
});
export type MolecularResponseLevel = z.infer<typeof MolecularResponseLevel>;

export const MolecularResponseDefinitions = z
  .strictObject({
    kind: z.literal('molecular-response'),
    title: z.string().min(1),
    /** Levels in order of depth, shallowest first. */
    levels: z.array(MolecularResponseLevel).min(1),
    note: z.string().optional(),
  })
  .refine(
    (d) => d.levels.every((l, i) => i === 0 || l.maxPercentIS.value < d.levels[i - 1].maxPercentIS.value),
    {
      message: 'levels must be ordered shallowest first (strictly decreasing % IS cut-offs)',
      path: ['levels'],
    },
  )
  .refine((d) => new Set(d.levels.map((l) => l.id)).size === d.levels.length, {
    message: 'level ids must be unique',
    path: ['levels'],
  });
export type MolecularResponseDefinitions = z.infer<typeof MolecularResponseDefinitions>;

// ---------------------------------------------------------------------------------------------------------------
// ELN milestones

/** Events that change an ELN category independently of the BCR-ABL1 value. */
export const MilestoneEvent = z.enum([
  'resistance-mutation',
  'high-risk-aca',
  'high-risk-elts',
  'loss-of-mmr',
  'loss-of-mmr-after-tfr',
]);
export type MilestoneEvent = z.infer<typeof MilestoneEvent>;

export const MilestoneRow = z.strictObject({
  /** `baseline`, `3m`, `6m`, `12m` or `any`. */
  id: z.enum(['baseline', '3m', '6m', '12m', 'any']),
  /** Months after the start of TKI therapy (absent for baseline and any time). */
  months: z.number().nonnegative().optional(),
  /** BCR-ABL1 % IS meeting the optimal response (op `<=`). */
  optimal: Threshold.optional(),
  /** BCR-ABL1 % IS meeting failure (op `>`); values between optimal and failure are warnings. */
  failure: Threshold.optional(),
  /** Failure needs a confirming measurement also meeting `failure` within this window after the index sample. */
  failureConfirmation: z
    .strictObject({
      windowMonths: z.tuple([z.number().nonnegative(), z.number().nonnegative()]),
      evidence: Evidence,
      refs: Refs,
      note: z.string().optional(),
    })
    .optional(),
  warningEvents: z.array(MilestoneEvent).default([]),
  failureEvents: z.array(MilestoneEvent).default([]),
  evidence: Evidence,
  refs: Refs,
  note: z.string().optional(),
});
export type MilestoneRow = z.infer<typeof MilestoneRow>;

export const MilestoneDefinitions = z.strictObject({
  kind: z.literal('eln-milestones'),
  title: z.string().min(1),
  rows: z.array(MilestoneRow).min(1),
  /** How far (months) a sample may lie from a milestone and still count as the milestone sample. */
  measurementToleranceMonths: Threshold,
  note: z.string().optional(),
});
export type MilestoneDefinitions = z.infer<typeof MilestoneDefinitions>;

// ---------------------------------------------------------------------------------------------------------------
// Phase

/** A quantity measured for phase assignment. Blasts count the higher of blood and marrow. */
export const PhaseMeasure = z.enum([
  'blastsPercent',
  'basophilsPercent',
  'blastsPlusPromyelocytesPercent',
  'plateletsPerNanolitre',
  'wbcPerNanolitre',
]);
export type PhaseMeasure = z.infer<typeof PhaseMeasure>;

/** A yes/no finding used by a phase criterion. */
export const PhaseFlag = z.enum([
  'extramedullaryBlastProliferation',
  'largeBlastClustersInMarrow',
  'increasedLymphoblasts',
  'highRiskAcaAtDiagnosis',
  'newAcaOnTherapy',
  'acaMajorRouteOnTreatment',
  'acaInPhPositiveCells',
  'splenomegalyUnresponsive',
  'tkiResistanceProvisional',
]);
export type PhaseFlag = z.infer<typeof PhaseFlag>;

/** A qualifier a count criterion needs (e.g. thrombocytopenia "unrelated to therapy"). */
export const PhaseQualifier = z.enum(['unrelatedToTherapy', 'unresponsiveToTherapy']);
export type PhaseQualifier = z.infer<typeof PhaseQualifier>;

export const PhaseCriterion = z.union([
  z.strictObject({
    id: z.string().min(1),
    /** The phase (or, under WHO 2022, the chronic-phase high-risk feature) the criterion indicates. */
    indicates: z.enum(['accelerated', 'blast', 'high-risk']),
    description: z.string().min(1),
    measure: PhaseMeasure,
    threshold: Threshold,
    qualifier: PhaseQualifier.optional(),
  }),
  z.strictObject({
    id: z.string().min(1),
    indicates: z.enum(['accelerated', 'blast', 'high-risk']),
    description: z.string().min(1),
    flag: PhaseFlag,
    evidence: Evidence,
    refs: Refs,
    note: z.string().optional(),
  }),
]);
export type PhaseCriterion = z.infer<typeof PhaseCriterion>;

export const PhaseDefinitions = z.strictObject({
  kind: z.literal('phase'),
  scheme: z.enum(['who2017', 'eln2020', 'who2022']),
  title: z.string().min(1),
  /** False for WHO 2022, which has no accelerated phase. */
  hasAcceleratedPhase: z.boolean(),
  criteria: z.array(PhaseCriterion).min(1),
  evidence: Evidence,
  refs: Refs,
  note: z.string().optional(),
});
export type PhaseDefinitions = z.infer<typeof PhaseDefinitions>;

// ---------------------------------------------------------------------------------------------------------------
// Treatment-free remission

export const TfrDefinitions = z.strictObject({
  kind: z.literal('tfr'),
  title: z.string().min(1),
  mandatory: z.strictObject({
    firstChronicPhaseOnly: Rule,
    motivatedPatient: Rule,
    qualityIsPcr: Rule,
    rapidPcrTurnaround: Rule,
    agreesToMonitoring: Rule,
  }),
  minimal: z.strictObject({
    /** First-line TKI, or second-line when intolerance was the only reason for the switch. */
    firstLineOrIntoleranceSwitch: Rule,
    /** Transcript types counted as typical. */
    typicalTranscripts: z.strictObject({
      values: z.array(z.string()).min(1),
      evidence: Evidence,
      refs: Refs,
      note: z.string().optional(),
    }),
    tkiDurationYears: Threshold,
    /** TKI ids counted as second generation (shorter minimal duration). */
    secondGenerationTkis: z.strictObject({
      values: z.array(z.string()).min(1),
      evidence: Evidence,
      refs: Refs,
      note: z.string().optional(),
    }),
    tkiDurationYearsSecondGeneration: Threshold,
    /** Level counted as deep molecular response (DMR). */
    dmrLevel: MolecularResponseLevelId,
    dmrDurationYears: Threshold,
    noPriorFailure: Rule,
  }),
  optimal: z.strictObject({
    tkiDurationYears: Threshold,
    dmrDurationYearsIfMR4: Threshold,
    dmrDurationYearsIfMR45: Threshold,
  }),
  afterStop: z.strictObject({
    /** Restart the TKI within this time of a loss of MMR. */
    restartWithinWeeksOfMmrLoss: Threshold,
    /** Monitoring interval (months) by period: `[untilMonth, everyMonths]`; the last period applies thereafter. */
    monitoring: z.strictObject({
      schedule: z.array(z.tuple([z.number().positive(), z.number().positive()])).min(1),
      thereafterEveryMonths: z.number().positive(),
      evidence: Evidence,
      refs: Refs,
      note: z.string().optional(),
    }),
  }),
  note: z.string().optional(),
});
export type TfrDefinitions = z.infer<typeof TfrDefinitions>;

/** One named set of clinical definitions in a `definitions:` section, by its `kind`. */
export const ClinicalDefinitions = z.discriminatedUnion('kind', [
  MolecularResponseDefinitions,
  MilestoneDefinitions,
  PhaseDefinitions,
  TfrDefinitions,
]);
export type ClinicalDefinitions = z.infer<typeof ClinicalDefinitions>;

// ---------------------------------------------------------------------------------------------------------------
// Trial figures

/**
 * One published trial figure for a treatment arm: "MMR at 12 months 22 %", "MR4.5 by 5 years 31 %", "annual
 * AP/BC rate in year 2 2.8 %". Figures held out by the research notes (hidden checks) are never stored.
 */
export const TrialFigure = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9_.-]*$/, 'lower-case letters, digits, dots, _ and -'),
  trial: z.string().min(1),
  arm: z.string().min(1),
  /** TKI id of the arm, when it is a TKI arm. */
  drug: z.string().optional(),
  /** What is counted (e.g. `MMR`, `MR4.5`, `BCR-ABL<=10%`, `AP/BC`, `OS`, `EFS`, `CCyR`). */
  endpoint: z.string().min(1),
  /**
   * `at`: state at the time point; `by`: cumulative incidence by the time point; `annual`: rate within the year
   * ending at the time point; `survival`: Kaplan–Meier estimate at the time point.
   */
  measure: z.enum(['at', 'by', 'annual', 'survival', 'proportion']),
  /** Months after the start of therapy. */
  months: z.number().nonnegative(),
  value: z.number(),
  units: z.string().min(1),
  /** Patients in the arm (denominator) and events, where the source gives them. */
  n: z.number().int().positive().optional(),
  events: z.number().int().nonnegative().optional(),
  evidence: Evidence,
  refs: Refs,
  note: z.string().optional(),
});
export type TrialFigure = z.infer<typeof TrialFigure>;
