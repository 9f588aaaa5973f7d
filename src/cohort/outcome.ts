/**
 * One virtual patient's outcome: one row of a cohort's results (results.parquet, one file per shard). This is the
 * contract between the patient runner (patient.ts), the summaries (Kaplan-Meier curves, milestone rates), the
 * shard writer and merger (src/sweep) and SQL queries: every column is listed in OUTCOME_COLUMNS with its type,
 * unit and meaning, in the order in which it is written.
 *
 * Conventions. Times are months from diagnosis (= start of therapy). An event time is NaN when the event was not
 * observed: the patient is then censored at `followUpMonths` (or, for TFR relapse, at the end of follow-up after
 * the stop). BCR-ABL1 values are % IS at monitoring visits as the assay reports them (a value below the assay's
 * limit is reported at the limit with `undetectable` semantics left to the per-visit series, not stored here).
 */

export type ColumnType = 'int32' | 'float64' | 'utf8' | 'bool';

export interface OutcomeColumn {
  readonly name: string;
  readonly type: ColumnType;
  readonly units: string;
  readonly description: string;
}

/** Months at which BCR-ABL1 IS (%) is recorded per patient (column `bcrAblM<m>`), if within follow-up. */
export const MILESTONE_MONTHS = [3, 6, 12, 18, 24, 36, 48, 60, 84, 120] as const;

export const milestoneColumn = (month: number): string => `bcrAblM${month}`;

export interface PatientOutcome {
  /** 0-based patient index in the cohort (the key of its random streams). */
  readonly patient: number;
  /** Risk stratum label ('all' without strata). */
  readonly stratum: string;
  /** 'ok', or 'failed' (the solver failed; the row keeps what was reached and `message` says why). */
  readonly status: 'ok' | 'failed';
  readonly message: string;
  /** Months followed (the scenario's duration unless the run failed earlier). */
  readonly followUpMonths: number;
  /** Steady-state trough of the first drug at the first regimen, this patient's PK (ng/mL, total). */
  readonly cminNgPerMl: number;
  /** First visit with MMR (<= 0.1 % IS), MR4 (<= 0.01 %), MR4.5 (<= 0.0032 %); NaN = not reached. */
  readonly timeMMR: number;
  readonly timeMR4: number;
  readonly timeMR45: number;
  /** First time in accelerated or blast phase (ELN phase read-out); NaN = stayed chronic. */
  readonly timeProgression: number;
  readonly timeBlastCrisis: number;
  /** First visit at which the patient met the ELN 2020 TFR criteria (NaN = never). */
  readonly timeTfrEligible: number;
  /** Month of the TFR stop (NaN = no stop) and of the molecular relapse (loss of MMR) after it (NaN = none seen). */
  readonly timeTfrStop: number;
  readonly timeTfrRelapse: number;
  /** First visit at which a resistant clone was detected (mutation analysis share), NaN = never. */
  readonly timeMutation: number;
  /**
   * Share of all leukaemic stem cells (quiescent + cycling, every clone) in resistant (non-native) clones at the
   * first TKI stop of the plan (therapy going from on to off: TFR stop or a scheduled stopMonth) and 6 months
   * later (validation V23, cml-models.md §9). NaN without a stop, without a resistant clone, or beyond follow-up.
   */
  readonly mutantShareAtStop: number;
  readonly mutantShare6mAfterStop: number;
  /** Log-linear BCR-ABL1 slopes (per day, natural log, sign: decline > 0): months 0-3, 4-12, 12-60. NaN if too few points. */
  readonly slopePhase1: number;
  readonly slopePhase2: number;
  readonly slopePhase3: number;
  /** BCR-ABL1 IS (%) at MILESTONE_MONTHS (NaN beyond follow-up). Keys: milestoneColumn(m). */
  readonly milestones: Readonly<Record<string, number>>;
}

export const OUTCOME_COLUMNS: readonly OutcomeColumn[] = [
  {
    name: 'patient',
    type: 'int32',
    units: '',
    description: '0-based patient index (key of its random streams)',
  },
  { name: 'stratum', type: 'utf8', units: '', description: "risk stratum ('all' without strata)" },
  { name: 'status', type: 'utf8', units: '', description: "'ok' or 'failed'" },
  { name: 'message', type: 'utf8', units: '', description: 'why the run failed (empty when ok)' },
  { name: 'followUpMonths', type: 'float64', units: 'months', description: 'months followed' },
  {
    name: 'cminNgPerMl',
    type: 'float64',
    units: 'ng/mL',
    description: 'steady-state trough of the first drug, first regimen, individual PK',
  },
  { name: 'timeMMR', type: 'float64', units: 'months', description: 'first visit in MMR (NaN: not reached)' },
  { name: 'timeMR4', type: 'float64', units: 'months', description: 'first visit in MR4 (NaN: not reached)' },
  {
    name: 'timeMR45',
    type: 'float64',
    units: 'months',
    description: 'first visit in MR4.5 (NaN: not reached)',
  },
  {
    name: 'timeProgression',
    type: 'float64',
    units: 'months',
    description: 'first time in accelerated or blast phase (NaN: stayed chronic)',
  },
  { name: 'timeBlastCrisis', type: 'float64', units: 'months', description: 'first time in blast phase' },
  {
    name: 'timeTfrEligible',
    type: 'float64',
    units: 'months',
    description: 'first visit meeting the ELN 2020 TFR criteria',
  },
  { name: 'timeTfrStop', type: 'float64', units: 'months', description: 'month of the TFR stop (NaN: none)' },
  {
    name: 'timeTfrRelapse',
    type: 'float64',
    units: 'months',
    description: 'loss of MMR after the TFR stop (NaN: none seen)',
  },
  {
    name: 'timeMutation',
    type: 'float64',
    units: 'months',
    description: 'first detection of a resistant clone',
  },
  {
    name: 'mutantShareAtStop',
    type: 'float64',
    units: '1',
    description: 'resistant-clone share of all LSCs at the first TKI stop (NaN: no stop or no clone)',
  },
  {
    name: 'mutantShare6mAfterStop',
    type: 'float64',
    units: '1',
    description:
      'resistant-clone share of all LSCs 6 months after the first TKI stop (NaN: none or beyond follow-up)',
  },
  {
    name: 'slopePhase1',
    type: 'float64',
    units: '1/day',
    description: 'log BCR-ABL1 decline rate, months 0-3',
  },
  {
    name: 'slopePhase2',
    type: 'float64',
    units: '1/day',
    description: 'log BCR-ABL1 decline rate, months 4-12',
  },
  {
    name: 'slopePhase3',
    type: 'float64',
    units: '1/day',
    description: 'log BCR-ABL1 decline rate, months 12-60',
  },
  ...MILESTONE_MONTHS.map(
    (m): OutcomeColumn => ({
      name: milestoneColumn(m),
      type: 'float64',
      units: '% IS',
      description: `BCR-ABL1 IS at month ${m} (NaN beyond follow-up)`,
    }),
  ),
];

/** The value of column `name` in an outcome (milestone columns come from `milestones`). */
export function outcomeValue(o: PatientOutcome, name: string): number | string {
  if (name.startsWith('bcrAblM')) return o.milestones[name] ?? Number.NaN;
  const v = (o as unknown as Record<string, number | string>)[name];
  if (v === undefined) throw new RangeError(`outcomeValue: unknown column '${name}'`);
  return v;
}
