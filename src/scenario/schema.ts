/**
 * The scenario file (YAML): what to simulate (model, engine, duration, seed), for which patient, in which niche,
 * under which therapy plan and rules, how it is monitored and what is reported. Times are months from diagnosis
 * (= start of therapy) unless a field name says otherwise; doses are mg per dose.
 *
 * Two layers of checks: the zod schema (`Scenario`: shapes, ranges, defaults, strict objects, the time order of
 * the plan) and `checkScenarioKnowledge` (names that only the knowledge base knows: drugs and mutations, with close
 * matches suggested). Channels, feedbacks and cargos are checked against the niche model's own lists.
 * `scenarioJsonSchema()` exports the schema for editors (`exoniche schema`).
 */
import { z } from 'zod';
import type { KnowledgeBase } from '../knowledge/load.js';
import { closestNames, knownDrugIds } from '../knowledge/query.js';
import { CARGOS, CHANNELS, FEEDBACKS } from '../niche/channels.js';

const CHANNEL_IDS = CHANNELS.map((c) => c.id) as unknown as readonly [string, ...string[]];

const Month = z.number().finite().nonnegative('a time in months from diagnosis, >= 0');
const Fraction = z.number().finite().min(0, 'a fraction in [0, 1]').max(1, 'a fraction in [0, 1]');
const Dose = z
  .number()
  .finite()
  .positive('a dose must be a positive number of mg (use a stop or an interruption for no drug)');
const Interval = z.number().finite().positive('a dosing interval must be > 0 h');
const Switch = z.union([z.boolean(), z.number().finite().nonnegative('a scale must be >= 0')]);

const Engine = z.enum(['ode', 'hybrid', 'ssa', 'tau']);

const ModelChoice = z.union([
  z.literal('niche').describe('the exoniche niche model (default)'),
  z
    .strictObject({
      reference: z.string().min(1).describe('a published reference model (`exoniche models`)'),
      patient: z.number().int().min(1).optional().describe('patient parameter set, for models with patients'),
      controls: z
        .record(z.string(), z.number().finite())
        .default({})
        .describe('values of the model controls (e.g. a treatment switch)'),
    })
    .describe('a reference model'),
  z
    .strictObject({
      file: z.string().min(1).describe('a model file (.exm text or SBML .xml), relative to the scenario'),
    })
    .describe('a model file, loaded by the caller'),
]);

const Patient = z
  .strictObject({
    hahnelPatient: z
      .number()
      .int()
      .min(1)
      .default(1)
      .describe('Hähnel 2020 patient whose fitted LSC parameters the niche core uses (1..21)'),
    parameters: z
      .record(z.string(), z.number().finite())
      .default({})
      .describe('overrides of model parameters by model id (e.g. e_tki), applied before the run'),
    mutations: z
      .array(z.string().min(1))
      .default([])
      .describe('resistant BCR-ABL1 clones (mutations.yaml ids) that can arise at LSC division'),
    transcript: z.string().default('e14a2').describe('BCR-ABL1 transcript type (TFR eligibility)'),
    risk: z
      .strictObject({
        elts: z.enum(['low', 'intermediate', 'high']).optional().describe('ELTS score group'),
        sokal: z.enum(['low', 'intermediate', 'high']).optional().describe('Sokal score group'),
        highRiskAca: z
          .boolean()
          .default(false)
          .describe('high-risk additional chromosomal abnormalities at diagnosis'),
      })
      .prefault({})
      .describe('risk scores at diagnosis (ELN baseline category)'),
    variability: z
      .strictObject({
        pkDraw: z
          .number()
          .int()
          .nonnegative()
          .optional()
          .describe('draw index of the inter-patient PK variability (drug concentration series)'),
      })
      .prefault({})
      .describe('variability draws (keyed streams under the scenario seed)'),
  })
  .prefault({});

const Niche = z
  .strictObject({
    exosomes: z.boolean().default(true).describe('exosome crosstalk on'),
    hypoxia: Fraction.default(0).describe('0 = normoxia (20 % O2) .. 1 = 1 % O2'),
    channels: z
      .partialRecord(z.enum(CHANNEL_IDS), Switch)
      .default({})
      .describe('exosome channels on (true), off (false) or scaled (>= 0; 1 = as in the knowledge base)'),
    feedbacks: z.partialRecord(z.enum(FEEDBACKS), Switch).default({}).describe('niche feedback on LSCs'),
    interventions: z
      .strictObject({
        releaseInhibitor: Fraction.optional().describe('GW4869-like: fraction of exosome release blocked'),
        uptakeBlocker: Fraction.optional().describe('fraction of exosome uptake blocked'),
        antiMiR: z
          .partialRecord(z.enum(CARGOS), Fraction)
          .optional()
          .describe('fraction of a cargo effect removed, by cargo'),
        curcumin: Fraction.optional().describe('curcumin-like cargo reprogramming of CML exosomes'),
      })
      .prefault({}),
    immune: z.boolean().default(true).describe('anti-leukaemic immune compartment'),
    blastCrisis: z.boolean().default(false).describe('blast-crisis route (blast % and phase read-outs)'),
    readout: z
      .enum(['stem', 'blood'])
      .default('stem')
      .describe(
        "BCR-ABL1 read-out: 'stem' = Hähnel's L/(2 - L), the read-out the Hähnel patients and the population law were fitted with; 'blood' = through the differentiated cells, whose output the TKI blocks (src/niche/blood.ts: a fast first phase; its block is an assumption, not calibrated)",
      ),
  })
  .prefault({});

const DoseChange = z.strictObject({
  atMonth: Month,
  doseMg: Dose,
  intervalHours: Interval.optional(),
  reason: z.string().optional(),
});

const Interruption = z.strictObject({ fromMonth: Month, toMonth: Month, reason: z.string().optional() });

const ScheduleEntry = z
  .strictObject({
    drug: z.string().min(1).describe('knowledge-base drug id (imatinib, nilotinib, dasatinib, ...)'),
    doseMg: Dose.describe('mg per dose'),
    intervalHours: Interval.default(24).describe('hours between doses (24 = once daily, 12 = twice daily)'),
    startMonth: Month.default(0),
    stopMonth: Month.optional().describe('month of the last dose (exclusive); absent = to the end'),
    doseChanges: z.array(DoseChange).default([]),
    interruptions: z.array(Interruption).default([]),
  })
  .superRefine((s, ctx) => {
    const stop = s.stopMonth ?? Number.POSITIVE_INFINITY;
    if (s.stopMonth !== undefined && !(s.stopMonth > s.startMonth))
      ctx.addIssue({
        code: 'custom',
        path: ['stopMonth'],
        message: `stopMonth ${s.stopMonth} must be after startMonth ${s.startMonth}`,
      });
    s.doseChanges.forEach((c, i) => {
      if (!(c.atMonth > s.startMonth && c.atMonth < stop))
        ctx.addIssue({
          code: 'custom',
          path: ['doseChanges', i, 'atMonth'],
          message: `dose change at month ${c.atMonth} lies outside the schedule (${s.startMonth}, ${stop})`,
        });
      const prev = s.doseChanges[i - 1];
      if (prev && !(c.atMonth > prev.atMonth))
        ctx.addIssue({
          code: 'custom',
          path: ['doseChanges', i, 'atMonth'],
          message: `dose changes must be in increasing time (month ${c.atMonth} after month ${prev.atMonth})`,
        });
    });
    s.interruptions.forEach((iv, i) => {
      if (!(iv.toMonth > iv.fromMonth))
        ctx.addIssue({
          code: 'custom',
          path: ['interruptions', i, 'toMonth'],
          message: `interruption ends (month ${iv.toMonth}) before it begins (month ${iv.fromMonth})`,
        });
      if (iv.fromMonth < s.startMonth || iv.fromMonth >= stop)
        ctx.addIssue({
          code: 'custom',
          path: ['interruptions', i, 'fromMonth'],
          message: `interruption begins at month ${iv.fromMonth}, outside the schedule [${s.startMonth}, ${stop})`,
        });
      const prev = s.interruptions[i - 1];
      if (prev && iv.fromMonth < prev.toMonth)
        ctx.addIssue({
          code: 'custom',
          path: ['interruptions', i, 'fromMonth'],
          message: `interruption ${i} (months ${iv.fromMonth}-${iv.toMonth}) overlaps interruption ${i - 1} (months ${prev.fromMonth}-${prev.toMonth})`,
        });
    });
  });

/** The plan: one TKI at a time, entries in time order, none overlapping the next. */
const Schedule = z.array(ScheduleEntry).superRefine((plan, ctx) => {
  plan.forEach((s, i) => {
    const prev = plan[i - 1];
    if (!prev) return;
    const prevStop = prev.stopMonth ?? Number.POSITIVE_INFINITY;
    if (s.startMonth < prevStop)
      ctx.addIssue({
        code: 'custom',
        path: [i, 'startMonth'],
        message: `schedule ${i} (${s.drug} from month ${s.startMonth}) overlaps schedule ${i - 1} (${prev.drug}, months ${prev.startMonth}-${prev.stopMonth ?? 'open'}); one TKI at a time, in time order`,
      });
  });
});

const SwitchOnMutation = z.strictObject({
  mutation: z.string().min(1).describe('the mutation watched for (must be among patient.mutations)'),
  to: z.string().min(1).describe('the drug switched to when it is detected'),
  doseMg: Dose.optional().describe("default: the drug's standard regimen"),
  intervalHours: Interval.optional(),
  detectionShare: z
    .number()
    .finite()
    .gt(0, 'detectionShare must be > 0')
    .max(1, 'detectionShare must be <= 1')
    .describe(
      "the mutant clone's share of BCR-ABL1-positive stem cells at which the mutation analysis detects it (Sanger ~0.15-0.2, NGS ~0.03)",
    ),
  minBcrAblIS: z
    .number()
    .finite()
    .nonnegative()
    .default(0)
    .describe('mutation analysis is only done at samples with at least this BCR-ABL1 % IS (ELN: on failure)'),
});

const Tfr = z.strictObject({
  attempt: z
    .boolean()
    .default(true)
    .describe('stop the TKI for a treatment-free remission attempt if eligible'),
  stopMonth: z
    .union([Month, z.literal('first-eligible')])
    .default('first-eligible')
    .describe(
      'month to assess eligibility and stop, or the first monitoring sample at which ELN 2020 allows it',
    ),
  restartOnMmrLoss: z
    .boolean()
    .default(true)
    .describe('restart the last TKI and dose at the first loss of MMR'),
  monitorEveryMonths: z.number().finite().positive().default(1).describe('PCR interval off therapy (months)'),
});

const Therapy = z
  .strictObject({
    schedule: Schedule.default([]),
    switchOnMutation: SwitchOnMutation.optional(),
    tfr: Tfr.optional(),
  })
  .prefault({});

const Monitoring = z
  .strictObject({
    everyMonths: z
      .number()
      .finite()
      .positive()
      .default(3)
      .describe('RT-qPCR every so many months from month 0'),
    months: z.array(Month).optional().describe('explicit sampling months (replace everyMonths)'),
    detectionLimitIS: z
      .number()
      .finite()
      .positive('the detection limit must be a positive % IS')
      .optional()
      .describe('assay limit of detection, % IS (default: the MR4.5 cut-off, an MR4.5-capable assay)'),
  })
  .prefault({});

export const SERIES_GROUPS = [
  'bcr-abl',
  'compartments',
  'lsc',
  'exosomes',
  'cargo',
  'niche',
  'drug',
  'blasts',
  'other',
] as const;

const Outputs = z
  .strictObject({
    stepMonths: z.number().finite().positive().default(0.25).describe('output grid spacing (months)'),
    groups: z.array(z.enum(SERIES_GROUPS)).optional().describe('series groups to report (default: all)'),
    replicates: z
      .number()
      .int()
      .min(1)
      .default(1)
      .describe('stochastic engines: replicates (the series are the mean; decisions follow the mean)'),
    phaseScheme: z.enum(['who2017', 'eln2020', 'eln2013', 'who2022']).default('eln2020'),
  })
  .prefault({});

/**
 * A distribution of one model parameter across virtual patients (exactly one of the three forms). Log-normal by
 * median and coefficient of variation, the population-PK convention (omega^2 = ln(1 + cv^2), so the CV of the
 * draws is `cv` and the median `median`; src/therapy/variability.ts); uniform on [a, b]; normal by mean and sd.
 */
const Distribution = z
  .strictObject({
    lognormal: z
      .strictObject({
        median: z.number().finite().positive('a log-normal median must be > 0'),
        cv: z.number().finite().nonnegative('a coefficient of variation must be >= 0'),
      })
      .optional()
      .describe('log-normal: median and coefficient of variation (0.3 = 30 %)'),
    uniform: z
      .tuple([z.number().finite(), z.number().finite()])
      .optional()
      .describe('uniform on [a, b], b > a'),
    normal: z
      .strictObject({
        mean: z.number().finite(),
        sd: z.number().finite().nonnegative('a standard deviation must be >= 0'),
      })
      .optional()
      .describe('normal: mean and standard deviation'),
  })
  .superRefine((d, ctx) => {
    const forms = (['lognormal', 'uniform', 'normal'] as const).filter((f) => d[f] !== undefined);
    if (forms.length !== 1)
      ctx.addIssue({
        code: 'custom',
        path: [],
        message: `give exactly one of lognormal: {median, cv}, uniform: [a, b] or normal: {mean, sd} (got ${forms.length === 0 ? 'none' : forms.join(' and ')})`,
      });
    if (d.uniform && !(d.uniform[1] > d.uniform[0]))
      ctx.addIssue({
        code: 'custom',
        path: ['uniform'],
        message: `uniform: [a, b] needs b > a (got [${d.uniform[0]}, ${d.uniform[1]}])`,
      });
  })
  .describe('distribution of a model parameter across patients');

/**
 * A fitted distribution of (part of) the core on the log scale, e.g. the population estimate of a mixed-effects
 * fit (exoniche fit --population, src/fitting/population): the mean and covariance of the logs of the named core
 * parameters. The core's other parameters are drawn from their conditional distribution given these under the
 * 21-patient log-normal (src/cohort/population.ts), so their correlation with the fitted ones is kept.
 */
const CoreFit = z
  .strictObject({
    source: z.string().min(1).optional().describe('where the estimate comes from (data, command, date)'),
    names: z
      .array(z.string().min(1))
      .min(1, 'name at least one core parameter')
      .describe(
        'core parameters (pyx, pxy, e_tki, pz, Kz, X0, Y0, Z0, or the model ids X_init, Y_init, Z_init)',
      ),
    mean: z.array(z.number().finite()).describe('means of the natural logarithms, in `names` order'),
    cov: z
      .array(z.array(z.number().finite()))
      .describe(
        'covariance matrix of the natural logarithms (rows in `names` order), symmetric positive definite',
      ),
  })
  .superRefine((f, ctx) => {
    const d = f.names.length;
    if (f.mean.length !== d)
      ctx.addIssue({
        code: 'custom',
        path: ['mean'],
        message: `expected ${d} means (one per name), got ${f.mean.length}`,
      });
    if (f.cov.length !== d)
      ctx.addIssue({
        code: 'custom',
        path: ['cov'],
        message: `expected ${d} rows (one per name), got ${f.cov.length}`,
      });
    f.cov.forEach((row, i) => {
      if (row.length !== d)
        ctx.addIssue({
          code: 'custom',
          path: ['cov', i],
          message: `expected ${d} entries, got ${row.length}`,
        });
    });
    for (let i = 0; i < Math.min(d, f.cov.length); i++)
      for (let j = 0; j < i; j++) {
        const a = f.cov[i]?.[j];
        const b = f.cov[j]?.[i];
        if (
          a !== undefined &&
          b !== undefined &&
          Math.abs(a - b) > 1e-9 * Math.max(1, Math.abs(a), Math.abs(b))
        )
          ctx.addIssue({
            code: 'custom',
            path: ['cov', i, j],
            message: `not symmetric: cov[${i}][${j}] = ${a} but cov[${j}][${i}] = ${b}`,
          });
      }
    const seen = new Set<string>();
    f.names.forEach((n, i) => {
      if (seen.has(n)) ctx.addIssue({ code: 'custom', path: ['names', i], message: `duplicate name '${n}'` });
      seen.add(n);
    });
  })
  .describe('fitted log-normal distribution of core parameters');

const Stratum = z.strictObject({
  name: z.string().min(1).describe('stratum label (the `stratum` column of the outcomes)'),
  share: z.number().finite().gt(0, 'a stratum share must be > 0').max(1, 'a stratum share must be <= 1'),
  parameters: z
    .record(z.string(), Distribution)
    .default({})
    .describe("this stratum's parameter distributions (override cohort.parameters and the core's draws)"),
});

/**
 * The virtual cohort (exoniche cohort; src/cohort, docs/cohorts.md). Every patient k draws from keyed random
 * streams of (seed, purpose, k) only, so its outcome does not depend on the cohort size, sharding or workers.
 */
export const CohortSection = z
  .strictObject({
    patients: z
      .number()
      .int()
      .min(1, 'a cohort needs at least 1 patient')
      .default(1000)
      .describe('number of virtual patients'),
    core: z
      .enum(['lognormal', 'bootstrap', 'fixed', 'fitted', 'calibrated'])
      .default('calibrated')
      .describe(
        "Hähnel 2020 LSC/immune parameters (pyx, pxy, e_tki, pz, Kz, X0, Y0, Z0): 'calibrated' (default) = the knowledge base's imatinib population law (population.imatinib.*: a mixed-effects fit to the Hähnel on-TKI series, the kill rate calibrated to the imatinib trial arms), the others conditional; 'lognormal' = multivariate log-normal with the mean and covariance of their logs over the 21 fitted patients; 'bootstrap' = one of the 21 at random; 'fixed' = patient.hahnelPatient for all; 'fitted' = coreFit for the parameters it names, the others conditional on them",
      ),
    coreFit: CoreFit.optional().describe(
      "with core: fitted, the fitted log-normal of some core parameters (e.g. a population fit's estimate)",
    ),
    pk: z
      .boolean()
      .default(true)
      .describe(
        "inter-patient PK variability of each drug (the knowledge base's CVs; stream seed, 'pk-variability', drug, k)",
      ),
    parameters: z
      .record(z.string(), Distribution)
      .default({})
      .describe('distributions of further model parameters by model id (override the core draws)'),
    strata: z
      .array(Stratum)
      .min(1)
      .optional()
      .describe(
        'risk strata: shares summing to 1; the stratum is drawn per patient, its distributions override',
      ),
  })
  .superRefine((c, ctx) => {
    if (c.core === 'fitted' && !c.coreFit)
      ctx.addIssue({
        code: 'custom',
        path: ['coreFit'],
        message: 'core: fitted needs a coreFit: {names, mean, cov}',
      });
    if (c.core !== 'fitted' && c.coreFit)
      ctx.addIssue({
        code: 'custom',
        path: ['core'],
        message: `coreFit is given but core is '${c.core}': set core: fitted`,
      });
    if (!c.strata) return;
    const sum = c.strata.reduce((a, x) => a + x.share, 0);
    if (Math.abs(sum - 1) > 1e-9)
      ctx.addIssue({
        code: 'custom',
        path: ['strata'],
        message: `stratum shares must sum to 1 (got ${sum})`,
      });
    const seen = new Set<string>();
    c.strata.forEach((x, i) => {
      if (seen.has(x.name))
        ctx.addIssue({
          code: 'custom',
          path: ['strata', i, 'name'],
          message: `duplicate stratum name '${x.name}'`,
        });
      seen.add(x.name);
    });
  });

export type CohortSpec = z.infer<typeof CohortSection>;
export type ParameterDistribution = z.infer<typeof Distribution>;

export const Scenario = z
  .strictObject({
    name: z.string().min(1).default('scenario'),
    description: z.string().optional(),
    model: ModelChoice.default('niche'),
    engine: Engine.default('ode').describe('ode, hybrid (stochastic LSCs), ssa (exact) or tau (tau-leaping)'),
    durationMonths: z.number().finite().positive('the duration must be > 0 months').default(72),
    seed: z
      .union([z.number().int().nonnegative(), z.string().regex(/^\d+$/, 'a seed is a non-negative integer')])
      .default(1)
      .describe('run seed (stochastic engines, variability draws)'),
    patient: Patient,
    niche: Niche,
    therapy: Therapy,
    monitoring: Monitoring,
    outputs: Outputs,
    cohort: CohortSection.optional().describe(
      'virtual cohort (exoniche cohort): patients, parameter distributions, strata',
    ),
  })
  .superRefine((s, ctx) => {
    const sw = s.therapy.switchOnMutation;
    if (sw && !s.patient.mutations.includes(sw.mutation))
      ctx.addIssue({
        code: 'custom',
        path: ['therapy', 'switchOnMutation', 'mutation'],
        message: `'${sw.mutation}' is not among patient.mutations (${s.patient.mutations.join(', ') || 'none'}); add it there so the clone exists`,
      });
    s.therapy.schedule.forEach((e, i) => {
      if (e.startMonth >= s.durationMonths)
        ctx.addIssue({
          code: 'custom',
          path: ['therapy', 'schedule', i, 'startMonth'],
          message: `starts at month ${e.startMonth}, at or after the end of the run (${s.durationMonths} months)`,
        });
    });
    const tfr = s.therapy.tfr;
    if (tfr && typeof tfr.stopMonth === 'number' && tfr.stopMonth >= s.durationMonths)
      ctx.addIssue({
        code: 'custom',
        path: ['therapy', 'tfr', 'stopMonth'],
        message: `the TFR stop (month ${tfr.stopMonth}) is at or after the end of the run (${s.durationMonths} months)`,
      });
  });

export type Scenario = z.infer<typeof Scenario>;
export type ScenarioInput = z.input<typeof Scenario>;
export type ScheduleEntry = z.infer<typeof ScheduleEntry>;

/** A problem found in a scenario, by field path (positions are added by the loader). */
export interface ScenarioIssue {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

const suggestion = (name: string, known: readonly string[]): string => {
  const near = closestNames(name, known);
  return near.length > 0
    ? ` (did you mean ${near.map((n) => `'${n}'`).join(', ')}?)`
    : `; known: ${[...known].sort().join(', ')}`;
};

/** Names only the knowledge base knows: drugs of the plan and of the switch rule, mutations. */
export function checkScenarioKnowledge(s: Scenario, kb: KnowledgeBase): ScenarioIssue[] {
  const issues: ScenarioIssue[] = [];
  const drugs = kb.drugs.map((d) => d.id);
  const named = knownDrugIds(kb);
  const drug = (name: string, path: (string | number)[]) => {
    if (drugs.includes(name)) return;
    issues.push({
      path,
      message: named.includes(name)
        ? `drug '${name}' has sensitivity data but no PK in the knowledge base; use one of: ${drugs.join(', ')}`
        : `unknown drug '${name}'${suggestion(name, drugs)}`,
    });
  };
  s.therapy.schedule.forEach((e, i) => drug(e.drug, ['therapy', 'schedule', i, 'drug']));
  if (s.therapy.switchOnMutation) drug(s.therapy.switchOnMutation.to, ['therapy', 'switchOnMutation', 'to']);
  const mutations = kb.mutations.map((m) => m.id).filter((m) => m !== 'native');
  s.patient.mutations.forEach((m, i) => {
    if (!mutations.includes(m))
      issues.push({
        path: ['patient', 'mutations', i],
        message: `unknown mutation '${m}'${suggestion(m, mutations)}`,
      });
  });
  return issues;
}

/** The JSON Schema of a scenario file (for editors; input form: fields with defaults are optional). */
export function scenarioJsonSchema(): Record<string, unknown> {
  return {
    ...(z.toJSONSchema(Scenario, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>),
    title: 'exoniche scenario',
    description:
      'An exoniche scenario: model, engine, duration, patient, niche, therapy plan and rules, monitoring and outputs. Times in months from diagnosis.',
  };
}
