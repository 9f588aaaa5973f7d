/**
 * Treatment-free remission (TFR) under ELN 2020 (Hochhaus et al. 2020; cml-models.md §4.1, §4.6): eligibility to
 * stop the TKI (mandatory, minimal = stop allowed, optimal = stop recommended for consideration), the duration of
 * the current deep response from a monitoring history, the monitoring schedule after stopping, and the restart
 * deadline after a loss of MMR. All cut-offs come from the definitions (durations are strict: "> 5 years").
 */
import type { MolecularResponseLevelId } from '../knowledge/schema/clinical.js';
import {
  defaultClinicalDefinitions,
  describeThreshold,
  type MolecularResponseDefinitions,
  meets,
  type TfrDefinitions,
} from './definitions.js';
import { atLeast, molecularResponse, type PcrResult } from './molecular-response.js';

/** Average month: 365.25/12 days (the months of the Hähnel/Fassoni models, cml-models.md §0). */
export const DAYS_PER_MONTH = 365.25 / 12;

export interface TfrCandidate {
  /** CML only ever in (first) chronic phase. */
  readonly firstChronicPhaseOnly: boolean;
  /** 1 for first-line therapy, 2 for second-line, ... */
  readonly lineOfTherapy: number;
  /** For second line: intolerance was the only reason for changing TKI. */
  readonly switchedForIntoleranceOnly?: boolean;
  /** BCR-ABL1 transcript type, e.g. `e13a2`, `e14a2`, `e13a2+e14a2`, `e1a2`. */
  readonly transcript: string;
  /** Current TKI id (`imatinib`, `nilotinib`, ...). */
  readonly tki: string;
  readonly tkiDurationYears: number;
  /** Duration of the current uninterrupted deep response at the minimal DMR level (MR4) or deeper, years. */
  readonly dmrDurationYears: number;
  /** Duration of the current uninterrupted MR4.5 or deeper, years (0 if never). */
  readonly mr45DurationYears?: number;
  readonly priorFailure: boolean;
  /** Mandatory conditions about the patient and the laboratory; an absent one is assumed met (and said so). */
  readonly motivatedPatient?: boolean;
  readonly qualityIsPcr?: boolean;
  readonly rapidPcrTurnaround?: boolean;
  readonly agreesToMonitoring?: boolean;
}

export interface TfrCriterion {
  readonly id: string;
  readonly group: 'mandatory' | 'minimal' | 'optimal';
  readonly met: boolean;
  readonly detail: string;
}

export interface TfrAssessment {
  /** Stop allowed (all mandatory and minimal criteria met). */
  readonly eligible: boolean;
  /** `optimal`: stop recommended for consideration; `minimal`: stop allowed; else not eligible. */
  readonly level: 'not-eligible' | 'minimal' | 'optimal';
  readonly criteria: readonly TfrCriterion[];
  /** The unmet criteria, as text (empty when optimal). */
  readonly reasons: readonly string[];
}

/** ELN 2020 eligibility to stop the TKI, with every criterion and why it is met or not. */
export function tfrEligibility(
  c: TfrCandidate,
  defs: TfrDefinitions = defaultClinicalDefinitions().tfr,
): TfrAssessment {
  const criteria: TfrCriterion[] = [];
  const add = (id: string, group: TfrCriterion['group'], met: boolean, detail: string) =>
    criteria.push({ id, group, met, detail });

  add('first-chronic-phase-only', 'mandatory', c.firstChronicPhaseOnly, 'CML in first chronic phase only');
  for (const key of [
    'motivatedPatient',
    'qualityIsPcr',
    'rapidPcrTurnaround',
    'agreesToMonitoring',
  ] as const) {
    const v = c[key];
    add(
      key,
      'mandatory',
      v !== false,
      `${defs.mandatory[key].note ?? key}${v === undefined ? ' (assumed)' : ''}`,
    );
  }

  const m = defs.minimal;
  const lineOk = c.lineOfTherapy === 1 || (c.lineOfTherapy === 2 && c.switchedForIntoleranceOnly === true);
  add(
    'first-line-or-intolerance-switch',
    'minimal',
    lineOk,
    `line of therapy ${c.lineOfTherapy}${c.lineOfTherapy === 2 ? (c.switchedForIntoleranceOnly ? ' (switch for intolerance only)' : ' (switch not for intolerance only)') : ''}`,
  );
  add(
    'typical-transcript',
    'minimal',
    m.typicalTranscripts.values.includes(c.transcript),
    `transcript ${c.transcript} (typical: ${m.typicalTranscripts.values.join(', ')})`,
  );
  const secondGen = m.secondGenerationTkis.values.includes(c.tki);
  const tkiMin = secondGen ? m.tkiDurationYearsSecondGeneration : m.tkiDurationYears;
  add(
    'tki-duration',
    'minimal',
    meets(c.tkiDurationYears, tkiMin),
    `${c.tki} for ${c.tkiDurationYears} years (needs ${describeThreshold(tkiMin)}${secondGen ? ', second-generation TKI' : ''})`,
  );
  add(
    'dmr-duration',
    'minimal',
    meets(c.dmrDurationYears, m.dmrDurationYears),
    `${m.dmrLevel} or deeper for ${c.dmrDurationYears} years (needs ${describeThreshold(m.dmrDurationYears)})`,
  );
  add(
    'no-prior-failure',
    'minimal',
    !c.priorFailure,
    c.priorFailure ? 'prior treatment failure' : 'no prior treatment failure',
  );

  const o = defs.optimal;
  add(
    'optimal-tki-duration',
    'optimal',
    meets(c.tkiDurationYears, o.tkiDurationYears),
    `TKI for ${c.tkiDurationYears} years (optimal ${describeThreshold(o.tkiDurationYears)})`,
  );
  const mr45 = c.mr45DurationYears ?? 0;
  const dmrOk = meets(c.dmrDurationYears, o.dmrDurationYearsIfMR4) || meets(mr45, o.dmrDurationYearsIfMR45);
  add(
    'optimal-dmr-duration',
    'optimal',
    dmrOk,
    `MR4 for ${c.dmrDurationYears} years (optimal ${describeThreshold(o.dmrDurationYearsIfMR4)}) or MR4.5 for ${mr45} years (optimal ${describeThreshold(o.dmrDurationYearsIfMR45)})`,
  );

  const ok = (g: TfrCriterion['group']) => criteria.filter((x) => x.group === g).every((x) => x.met);
  const eligible = ok('mandatory') && ok('minimal');
  const level = !eligible ? 'not-eligible' : ok('optimal') ? 'optimal' : 'minimal';
  const reasons = criteria.filter((x) => !x.met).map((x) => `${x.group}: ${x.detail}`);
  return { eligible, level, criteria, reasons };
}

/** A PCR result at a time (months since the start of therapy). */
export type TimedPcrResult = PcrResult & { readonly months: number };

/**
 * Years of the current uninterrupted response at `level` or deeper: from the first sample of the final run of
 * samples at that level to the last sample (0 when the last sample is not at the level). Months are converted
 * with 12 months per year.
 */
export function deepResponseDurationYears(
  samples: readonly TimedPcrResult[],
  level: MolecularResponseLevelId,
  defs?: MolecularResponseDefinitions,
): number {
  const s = [...samples].sort((a, b) => a.months - b.months);
  if (s.length === 0) return 0;
  const last = s[s.length - 1];
  let start: number | undefined;
  for (let i = s.length - 1; i >= 0; i--) {
    if (!atLeast(molecularResponse(s[i], defs).level, level, defs)) break;
    start = s[i].months;
  }
  return start === undefined ? 0 : (last.months - start) / 12;
}

/** Months after stopping at which ELN 2020 asks for a PCR, up to `horizonMonths`. */
export function tfrMonitoringMonths(
  horizonMonths: number,
  defs: TfrDefinitions = defaultClinicalDefinitions().tfr,
): number[] {
  const { schedule, thereafterEveryMonths } = defs.afterStop.monitoring;
  const out: number[] = [];
  let t = 0;
  for (;;) {
    const period = schedule.find(([until]) => t < until);
    const step = period ? period[1] : thereafterEveryMonths;
    t += step;
    if (t > horizonMonths + 1e-9) return out;
    out.push(t);
  }
}

export interface TfrOutcome {
  /** First sample after stopping that is above the MMR cut-off (loss of MMR). */
  readonly mmrLostAt?: TimedPcrResult;
  /** Latest time (months since the start of therapy) to restart the TKI. */
  readonly restartByMonths?: number;
  readonly restartWithinWeeks: number;
}

/**
 * Loss of MMR after a TKI stop at `stopMonths` and the restart deadline (within 4 weeks of the loss). Samples are
 * in months since the start of therapy; only those after the stop count.
 */
export function tfrOutcome(
  samples: readonly TimedPcrResult[],
  stopMonths: number,
  defs: {
    tfr: TfrDefinitions;
    molecularResponse: MolecularResponseDefinitions;
  } = defaultClinicalDefinitions(),
): TfrOutcome {
  const weeks = defs.tfr.afterStop.restartWithinWeeksOfMmrLoss;
  const after = [...samples].filter((s) => s.months > stopMonths).sort((a, b) => a.months - b.months);
  const lost = after.find(
    (s) => !atLeast(molecularResponse(s, defs.molecularResponse).level, 'MMR', defs.molecularResponse),
  );
  if (!lost) return { restartWithinWeeks: weeks.value };
  return {
    mmrLostAt: lost,
    restartByMonths: lost.months + (weeks.value * 7) / DAYS_PER_MONTH,
    restartWithinWeeks: weeks.value,
  };
}
