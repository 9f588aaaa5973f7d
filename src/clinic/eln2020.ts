/**
 * ELN 2020 response milestones (Hochhaus et al. 2020, Leukemia 34:966, Table 4; cml-models.md §4.1):
 * optimal / warning / failure at baseline, 3, 6 and 12 months and at any time, from a monitoring history.
 *
 * Rules (all thresholds from the definitions passed in):
 * - The milestone sample is the one nearest the milestone within the tolerance of the definitions (± 0.5 months,
 *   our assumption); without one the milestone is `not-assessable`.
 * - Optimal when the value meets the row's optimal cut-off (≤), failure when it meets the failure cut-off (>),
 *   warning in between.
 * - 3 months: > 10 % is failure only when confirmed: another sample taken 1 to 3 months (inclusive) after the
 *   3-month sample is also > 10 %. Otherwise it is a warning, flagged `pendingConfirmation` while the
 *   confirmation window is not yet fully observed.
 * - Events: resistance mutations and high-risk additional chromosomal abnormalities (ACA) emerging on therapy are
 *   failure at any time (including at the milestones); high-risk ACA at diagnosis or a high-risk ELTS score are
 *   the baseline warnings; loss of MMR is a warning at any time and, after a TFR attempt, failure.
 */
import type { MilestoneEvent, MilestoneRow } from '../knowledge/schema/clinical.js';
import {
  defaultClinicalDefinitions,
  describeThreshold,
  type MilestoneDefinitions,
  meets,
} from './definitions.js';

export type ElnCategory = 'optimal' | 'warning' | 'failure';
/** `none`: no criterion of the row applies (baseline without warning features). */
export type ElnResult = ElnCategory | 'none' | 'not-assessable';
export type ElnMilestone = 'baseline' | '3m' | '6m' | '12m';

/** A BCR-ABL1 measurement: months since the start of TKI therapy, % IS (0 or the sensitivity when undetected). */
export interface BcrAblSample {
  readonly months: number;
  readonly percentIS: number;
}

export interface MonitoringHistory {
  /** Measurements in any order. */
  readonly samples: readonly BcrAblSample[];
  /** BCR-ABL1 kinase-domain mutations detected (months since start; `resistance` defaults to true). */
  readonly mutations?: readonly {
    readonly months: number;
    readonly mutation?: string;
    readonly resistance?: boolean;
  }[];
  /** High-risk ACA in Ph+ cells, by detection time; months ≤ 0 means present at diagnosis. */
  readonly highRiskAca?: readonly { readonly months: number }[];
  /** High-risk ELTS score at diagnosis. */
  readonly highRiskElts?: boolean;
  /** Month at which the TKI was stopped for a treatment-free-remission attempt (samples after it are off TKI). */
  readonly tfrStartMonths?: number;
}

export interface ElnAssessment {
  readonly milestone: ElnMilestone | 'any';
  readonly result: ElnResult;
  /** The sample classified. */
  readonly sample?: BcrAblSample;
  /** The confirming sample of a 3-month failure. */
  readonly confirmation?: BcrAblSample;
  /** A 3-month warning whose confirmation window (1-3 months after the sample) is not yet fully observed. */
  readonly pendingConfirmation: boolean;
  /** Why: every criterion that applied. */
  readonly reasons: readonly string[];
  /** The events that applied. */
  readonly events: readonly MilestoneEvent[];
}

const RANK: Record<ElnResult, number> = { 'not-assessable': -1, none: 0, optimal: 1, warning: 2, failure: 3 };
const worse = (a: ElnResult, b: ElnResult): ElnResult => (RANK[b] > RANK[a] ? b : a);

function row(defs: MilestoneDefinitions, id: MilestoneRow['id']): MilestoneRow {
  const r = defs.rows.find((x) => x.id === id);
  if (!r) throw new Error(`ELN milestone definitions have no row '${id}'`);
  return r;
}

function sorted(samples: readonly BcrAblSample[]): BcrAblSample[] {
  for (const s of samples)
    if (!(s.percentIS >= 0) || !Number.isFinite(s.months))
      throw new RangeError(`invalid BCR-ABL1 sample (months ${s.months}, % IS ${s.percentIS})`);
  return [...samples].sort((a, b) => a.months - b.months);
}

/** The sample nearest `months` within the tolerance (the earlier one on a tie), if any. */
export function milestoneSample(
  samples: readonly BcrAblSample[],
  months: number,
  defs: MilestoneDefinitions = defaultClinicalDefinitions().milestones,
): BcrAblSample | undefined {
  let best: BcrAblSample | undefined;
  for (const s of sorted(samples)) {
    const d = Math.abs(s.months - months);
    if (!meets(d, defs.measurementToleranceMonths)) continue;
    if (!best || d < Math.abs(best.months - months)) best = s;
  }
  return best;
}

/** Events applying at time `t` (months), with their reasons. */
function eventsAt(
  history: MonitoringHistory,
  t: number,
  sample: BcrAblSample | undefined,
  defs: MilestoneDefinitions,
) {
  const events: { event: MilestoneEvent; reason: string }[] = [];
  for (const m of history.mutations ?? [])
    if (m.months <= t && m.resistance !== false)
      events.push({
        event: 'resistance-mutation',
        reason: `resistance mutation${m.mutation ? ` ${m.mutation}` : ''} at ${m.months} months`,
      });
  for (const a of history.highRiskAca ?? [])
    if (a.months > 0 && a.months <= t)
      events.push({ event: 'high-risk-aca', reason: `high-risk ACA emerged at ${a.months} months` });
  if (sample) {
    const mmr = row(defs, 'any').optimal;
    if (mmr && !meets(sample.percentIS, mmr)) {
      const tfr = history.tfrStartMonths;
      if (tfr !== undefined && sample.months > tfr)
        events.push({
          event: 'loss-of-mmr-after-tfr',
          reason: `loss of MMR (${sample.percentIS} % IS) after stopping TKI at ${tfr} months`,
        });
      const earlier = history.samples.some((s) => s.months < sample.months && meets(s.percentIS, mmr));
      if (earlier)
        events.push({
          event: 'loss-of-mmr',
          reason: `loss of MMR: ${sample.percentIS} % IS after a sample ${describeThreshold(mmr)}`,
        });
    }
  }
  return events;
}

function applyEvents(
  r: MilestoneRow,
  evs: { event: MilestoneEvent; reason: string }[],
  result: ElnResult,
  reasons: string[],
) {
  const applied: MilestoneEvent[] = [];
  for (const e of evs) {
    const cat: ElnResult | undefined = r.failureEvents.includes(e.event)
      ? 'failure'
      : r.warningEvents.includes(e.event)
        ? 'warning'
        : undefined;
    if (!cat) continue;
    result = worse(result, cat);
    reasons.push(`${e.reason} → ${cat}`);
    applied.push(e.event);
  }
  return { result, applied };
}

function byValue(r: MilestoneRow, s: BcrAblSample, reasons: string[]): ElnCategory {
  if (r.optimal && meets(s.percentIS, r.optimal)) {
    reasons.push(`${s.percentIS} % IS at ${s.months} months ${describeThreshold(r.optimal)} → optimal`);
    return 'optimal';
  }
  if (r.failure && meets(s.percentIS, r.failure)) {
    reasons.push(`${s.percentIS} % IS at ${s.months} months ${describeThreshold(r.failure)} → failure`);
    return 'failure';
  }
  reasons.push(
    `${s.percentIS} % IS at ${s.months} months between the optimal and failure cut-offs → warning`,
  );
  return 'warning';
}

/** The ELN 2020 category at baseline, 3, 6 or 12 months. */
export function classifyMilestone(
  history: MonitoringHistory,
  milestone: ElnMilestone,
  defs: MilestoneDefinitions = defaultClinicalDefinitions().milestones,
): ElnAssessment {
  const r = row(defs, milestone);
  const reasons: string[] = [];
  if (milestone === 'baseline') {
    const evs: { event: MilestoneEvent; reason: string }[] = [];
    if ((history.highRiskAca ?? []).some((a) => a.months <= 0))
      evs.push({ event: 'high-risk-aca', reason: 'high-risk ACA at diagnosis' });
    if (history.highRiskElts) evs.push({ event: 'high-risk-elts', reason: 'high-risk ELTS score' });
    const { result, applied } = applyEvents(r, evs, 'none', reasons);
    return { milestone, result, pendingConfirmation: false, reasons, events: applied };
  }
  if (r.months === undefined) throw new Error(`ELN milestone row '${milestone}' has no time`);
  const samples = sorted(history.samples);
  const sample = milestoneSample(samples, r.months, defs);
  let result: ElnResult = 'not-assessable';
  let confirmation: BcrAblSample | undefined;
  let pendingConfirmation = false;
  if (!sample)
    reasons.push(
      `no sample within ${describeThreshold(defs.measurementToleranceMonths)} of ${r.months} months`,
    );
  else {
    result = byValue(r, sample, reasons);
    if (result === 'failure' && r.failureConfirmation && r.failure) {
      const [w0, w1] = r.failureConfirmation.windowMonths;
      const fail = r.failure;
      const window = samples.filter((s) => s.months - sample.months >= w0 && s.months - sample.months <= w1);
      confirmation = window.find((s) => meets(s.percentIS, fail));
      if (confirmation)
        reasons.push(`confirmed by ${confirmation.percentIS} % IS at ${confirmation.months} months`);
      else {
        result = 'warning';
        pendingConfirmation = !samples.some((s) => s.months >= sample.months + w1);
        reasons.push(
          `not confirmed within ${w0}-${w1} months (failure requires confirmation) → warning${pendingConfirmation ? ', confirmation pending' : ''}`,
        );
      }
    }
  }
  const t = sample ? sample.months : r.months;
  const applied = applyEvents(
    r,
    eventsAt(history, t, undefined, defs),
    result === 'not-assessable' ? 'not-assessable' : result,
    reasons,
  );
  return {
    milestone,
    result: applied.result,
    sample,
    confirmation,
    pendingConfirmation,
    reasons,
    events: applied.applied,
  };
}

/** The ELN 2020 'any time' category at `atMonths`, from the latest sample at or before it. */
export function classifyAnyTime(
  history: MonitoringHistory,
  atMonths: number,
  defs: MilestoneDefinitions = defaultClinicalDefinitions().milestones,
): ElnAssessment {
  const r = row(defs, 'any');
  const reasons: string[] = [];
  const prior = sorted(history.samples).filter((s) => s.months <= atMonths);
  const sample = prior[prior.length - 1];
  let result: ElnResult = 'not-assessable';
  if (!sample) reasons.push(`no sample at or before ${atMonths} months`);
  else result = byValue(r, sample, reasons);
  const applied = applyEvents(r, eventsAt(history, atMonths, sample, defs), result, reasons);
  return {
    milestone: 'any',
    result: applied.result,
    sample,
    pendingConfirmation: false,
    reasons,
    events: applied.applied,
  };
}

/** Baseline, 3-, 6- and 12-month assessments at once. */
export function classifyMilestones(
  history: MonitoringHistory,
  defs: MilestoneDefinitions = defaultClinicalDefinitions().milestones,
): Record<ElnMilestone, ElnAssessment> {
  return {
    baseline: classifyMilestone(history, 'baseline', defs),
    '3m': classifyMilestone(history, '3m', defs),
    '6m': classifyMilestone(history, '6m', defs),
    '12m': classifyMilestone(history, '12m', defs),
  };
}
