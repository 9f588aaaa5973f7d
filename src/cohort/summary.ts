/**
 * Cohort summaries: the statistics a virtual cohort is judged by, computed from its outcome table
 * ({@link PatientOutcome} rows) alone. Pure data in, data out.
 *
 * - Cumulative incidence (1 - Kaplan-Meier, log-log band) of MMR, MR4, MR4.5, progression (AP/BC), blast crisis,
 *   resistant-clone detection, TFR eligibility and TFR stop, from diagnosis; an event time of NaN is censored at
 *   `followUpMonths`. Failed runs keep what they reached: they are censored where the run stopped (a failure is
 *   rare and not related to the outcome, but the report shows their count).
 * - TFR relapse-free survival counted from the stop: only patients who stopped are at risk; the time is
 *   `timeTfrRelapse - timeTfrStop` (both months from diagnosis) or, without a relapse, `followUpMonths - timeTfrStop`.
 * - Milestone rates: states at a month ("<= 10 % IS at 3 months") as binomial proportions with Wilson intervals
 *   over the patients followed to that month; cumulative rates ("MMR by 5 years") read off the curves with their
 *   band; annual progression rates as the conditional probability of progressing within each year.
 * - The imatinib-arm trial figures of the knowledge base (trials.yaml) beside the matching model number, with the
 *   trial's name, citation and evidence tag; figures tagged [R] are shown but never targets. Trial endpoints the
 *   model does not produce (overall survival, cytogenetic response, ...) are listed as such.
 *
 * Thresholds (MMR = 0.1 % IS, the ELN 2020 milestone cut-offs) come from the knowledge base's clinical definitions.
 */

import { type ClinicalDefinitionSet, clinicalDefinitions, meets } from '../clinic/definitions.js';
import type { KnowledgeBase } from '../knowledge/load.js';
import { formatCitation } from '../knowledge/query.js';
import type { MolecularResponseLevelId, TrialFigure } from '../knowledge/schema/clinical.js';
import type { Evidence } from '../knowledge/schema/common.js';
import {
  type CurvePoint,
  cumulativeIncidence,
  type IncidenceCurve,
  type KaplanMeierCurve,
  kaplanMeier,
  medianTime,
  type QuantileTime,
  valueAt,
} from './km.js';
import { milestoneColumn, type PatientOutcome } from './outcome.js';
import { clopperPearsonInterval, type Proportion, type ProportionMethod, proportion } from './rates.js';

/** Time-to-event endpoints, from diagnosis. */
export const ENDPOINTS = [
  { id: 'MMR', label: 'MMR', column: 'timeMMR' },
  { id: 'MR4', label: 'MR4', column: 'timeMR4' },
  { id: 'MR4.5', label: 'MR4.5', column: 'timeMR45' },
  { id: 'progression', label: 'progression to AP/BC', column: 'timeProgression' },
  { id: 'blastCrisis', label: 'blast crisis', column: 'timeBlastCrisis' },
  { id: 'mutation', label: 'resistant clone detected', column: 'timeMutation' },
  { id: 'tfrEligible', label: 'TFR-eligible (ELN 2020)', column: 'timeTfrEligible' },
  { id: 'tfrStop', label: 'TFR stop', column: 'timeTfrStop' },
] as const satisfies readonly { id: string; label: string; column: keyof PatientOutcome }[];

export type EndpointId = (typeof ENDPOINTS)[number]['id'];

export interface SummaryOptions {
  /** Confidence level of every band and interval (default 0.95). */
  readonly level?: number;
  /** Interval of milestone proportions (default 'wilson'). */
  readonly proportionMethod?: ProportionMethod;
  /** Also summarise each stratum on its own (default true when there is more than one). */
  readonly strata?: boolean;
  /** Trial figures compared against (default: those of the knowledge base with drug 'imatinib'). */
  readonly trialDrug?: string;
  /**
   * Endpoints the simulation did not model (e.g. progression without the blast-crisis route, mutation detection
   * without a switch rule): their columns are all NaN, which would otherwise read as "never happened". They get no
   * curve, and metrics and trial comparisons on them say "not modelled".
   */
  readonly notModelled?: readonly EndpointId[];
}

export interface EndpointSummary {
  readonly id: EndpointId;
  readonly label: string;
  readonly events: number;
  readonly curve: IncidenceCurve;
  /** Time by which half the cohort had the event, with its Brookmeyer-Crowley interval. */
  readonly median: QuantileTime;
}

export interface TfrSummary {
  /** Patients who stopped (at risk after the stop). */
  readonly stopped: number;
  readonly relapses: number;
  /** Relapse-free survival over months since the stop (null when nobody stopped). */
  readonly relapseFree: KaplanMeierCurve | null;
  /** Relapse-free survival at 6, 12, 24 and 36 months after the stop. */
  readonly at: readonly { readonly monthsAfterStop: number; readonly value: CurvePoint }[];
}

export type MetricKind = 'at' | 'by' | 'annual' | 'free';

/** A milestone: a state at a month, a cumulative incidence by it, an annual rate or an event-free survival. */
export interface MetricSpec {
  readonly id: string;
  readonly label: string;
  readonly kind: MetricKind;
  readonly month: number;
  /** 'at': the % IS cut-off met (op and value); 'by' / 'annual' / 'free': the endpoint. */
  readonly endpoint?: EndpointId;
  readonly threshold?: { readonly op: '<=' | '>'; readonly value: number };
}

export interface MetricValue {
  readonly id: string;
  readonly label: string;
  readonly kind: MetricKind;
  readonly month: number;
  /** Fraction in [0, 1]; NaN when beyond follow-up. */
  readonly estimate: number;
  readonly lower: number;
  readonly upper: number;
  /** 'at': patients with a value at the month and of them meeting it; 'by'/'free': at risk at the month. */
  readonly n: number;
  readonly events?: number;
  /** How the interval was obtained. */
  readonly interval: string;
}

export interface SlopeSummary {
  readonly column: 'slopePhase1' | 'slopePhase2' | 'slopePhase3';
  readonly months: string;
  /** Patients with a finite slope. */
  readonly n: number;
  readonly median: number;
  readonly q1: number;
  readonly q3: number;
  /** Fraction with a decline (slope > 0 in the outcome table's sign convention). */
  readonly declining: number;
}

export interface StratumSummary {
  readonly stratum: string;
  readonly n: number;
  readonly failed: number;
  readonly endpoints: readonly EndpointSummary[];
  readonly tfr: TfrSummary;
  readonly metrics: readonly MetricValue[];
  readonly slopes: readonly SlopeSummary[];
  /** Trough concentration across patients (ng/mL): median and quartiles over finite values. */
  readonly cmin: { readonly n: number; readonly median: number; readonly q1: number; readonly q3: number };
}

export interface TrialComparison {
  readonly figureId: string;
  readonly trial: string;
  readonly arm: string;
  readonly endpoint: string;
  readonly measure: TrialFigure['measure'];
  readonly months: number;
  /** As published (in `units`). */
  readonly value: number;
  readonly units: string;
  readonly n?: number;
  readonly evidence: Evidence;
  /** False for [R] figures: shown but never a target. */
  readonly target: boolean;
  readonly citation: string;
  readonly refs: readonly string[];
  readonly note?: string;
  /** The model metric it is compared with (null: the model does not produce this endpoint). */
  readonly metricId: string | null;
  /** The published figure as a fraction in the metric's sense (e.g. 1 - "> 10 % at 3 months"). */
  readonly comparable: number;
  /** The overall cohort's value of that metric. */
  readonly model?: MetricValue;
  /** Why there is no model number, or how the figure was mapped. */
  readonly remark?: string;
}

export interface CohortSummary {
  readonly n: number;
  readonly failed: number;
  readonly level: number;
  readonly overall: StratumSummary;
  /** One per stratum label (empty when there is one stratum or strata are off). */
  readonly strata: readonly StratumSummary[];
  readonly trials: readonly TrialComparison[];
}

// ---------------------------------------------------------------------------------------------------------------

const SLOPES = [
  { column: 'slopePhase1', months: '0-3' },
  { column: 'slopePhase2', months: '4-12' },
  { column: 'slopePhase3', months: '12-60' },
] as const;

const TFR_AT = [6, 12, 24, 36];

/** Quantile of sorted finite values (type 7, linear interpolation as R's default). */
function sortedQuantile(v: Float64Array, q: number): number {
  if (v.length === 0) return Number.NaN;
  const h = (v.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  return v[lo] + (h - lo) * (v[hi] - v[lo]);
}

function finiteSorted(values: Iterable<number>): Float64Array {
  const out: number[] = [];
  for (const x of values) if (Number.isFinite(x)) out.push(x);
  return Float64Array.from(out).sort();
}

/** Time-to-event data of one endpoint: event time, or censored at the end of follow-up. */
export function eventData(
  outcomes: readonly PatientOutcome[],
  column: keyof PatientOutcome,
): { time: Float64Array; event: Uint8Array } {
  const time = new Float64Array(outcomes.length);
  const event = new Uint8Array(outcomes.length);
  outcomes.forEach((o, i) => {
    const t = o[column] as number;
    if (!(Number.isFinite(o.followUpMonths) && o.followUpMonths >= 0))
      throw new RangeError(
        `patient ${o.patient}: followUpMonths = ${o.followUpMonths}; expected a finite number of months >= 0`,
      );
    if (Number.isFinite(t)) {
      if (t < 0) throw new RangeError(`patient ${o.patient}: ${String(column)} = ${t}; expected >= 0 or NaN`);
      time[i] = t;
      event[i] = 1;
    } else {
      time[i] = o.followUpMonths;
    }
  });
  return { time, event };
}

/** Relapse-free times after the TFR stop (only patients who stopped). */
export function tfrRelapseData(outcomes: readonly PatientOutcome[]): {
  time: Float64Array;
  event: Uint8Array;
} {
  const stopped = outcomes.filter((o) => Number.isFinite(o.timeTfrStop));
  const time = new Float64Array(stopped.length);
  const event = new Uint8Array(stopped.length);
  stopped.forEach((o, i) => {
    const relapse = Number.isFinite(o.timeTfrRelapse);
    const end = relapse ? o.timeTfrRelapse : o.followUpMonths;
    const dt = end - o.timeTfrStop;
    if (!(dt >= 0))
      throw new RangeError(
        `patient ${o.patient}: ${relapse ? `timeTfrRelapse ${o.timeTfrRelapse}` : `followUpMonths ${o.followUpMonths}`} is before timeTfrStop ${o.timeTfrStop} (both are months from diagnosis)`,
      );
    time[i] = dt;
    event[i] = relapse ? 1 : 0;
  });
  return { time, event };
}

function levelCutoff(defs: ClinicalDefinitionSet, id: MolecularResponseLevelId): number {
  const l = defs.molecularResponse.levels.find((x) => x.id === id);
  if (!l) throw new Error(`clinical definitions have no molecular response level '${id}'`);
  return l.maxPercentIS.value;
}

function milestoneOptimal(defs: ClinicalDefinitionSet, id: '3m' | '6m' | '12m'): number {
  const r = defs.milestones.rows.find((x) => x.id === id);
  if (!r?.optimal) throw new Error(`ELN milestone '${id}' has no optimal cut-off in the knowledge base`);
  return r.optimal.value;
}

const pct = (x: number) => `${Number(x.toPrecision(3))} %`;

/** The standard milestones (thresholds from the knowledge base). */
export function standardMetrics(kb: KnowledgeBase): MetricSpec[] {
  const defs = clinicalDefinitions(kb);
  const mmr = levelCutoff(defs, 'MMR');
  const m3 = milestoneOptimal(defs, '3m');
  const m6 = milestoneOptimal(defs, '6m');
  const m12 = milestoneOptimal(defs, '12m');
  const at = (month: number, value: number, what: string): MetricSpec => ({
    id: `at${month}-le${value}`,
    label: `${what} at ${month} months`,
    kind: 'at',
    month,
    threshold: { op: '<=', value },
  });
  const by = (endpoint: EndpointId, month: number): MetricSpec => {
    const e = ENDPOINTS.find((x) => x.id === endpoint)!;
    return {
      id: `by${month}-${endpoint}`,
      label: `${e.label} by ${month % 12 === 0 && month >= 24 ? `${month / 12} years` : `${month} months`}`,
      kind: 'by',
      month,
      endpoint,
    };
  };
  return [
    at(3, m3, `BCR-ABL1 ≤ ${pct(m3)} IS`),
    at(6, m6, `BCR-ABL1 ≤ ${pct(m6)} IS`),
    at(6, m3, `BCR-ABL1 ≤ ${pct(m3)} IS`),
    at(12, m12, `BCR-ABL1 ≤ ${pct(m12)} IS`),
    ...(mmr === m12 ? [] : [at(12, mmr, 'MMR')]),
    by('MMR', 12),
    by('MMR', 24),
    by('MR4.5', 24),
    by('MMR', 60),
    by('MR4', 60),
    by('MR4.5', 60),
    by('MMR', 120),
    by('MR4', 120),
    by('MR4.5', 120),
    by('tfrEligible', 120),
    by('progression', 24),
    by('progression', 36),
    by('progression', 60),
    by('progression', 84),
    by('blastCrisis', 60),
    by('mutation', 60),
    ...[1, 2, 3, 4, 5, 6, 7].map(
      (y): MetricSpec => ({
        id: `annual${12 * y}-progression`,
        label: `progression to AP/BC within year ${y}`,
        kind: 'annual',
        month: 12 * y,
        endpoint: 'progression',
      }),
    ),
    {
      id: 'free84-progression',
      label: 'free from AP/BC at 7 years',
      kind: 'free',
      month: 84,
      endpoint: 'progression',
    },
  ];
}

function metricValue(
  spec: MetricSpec,
  outcomes: readonly PatientOutcome[],
  curves: ReadonlyMap<EndpointId, EndpointSummary>,
  level: number,
  method: ProportionMethod,
): MetricValue {
  const base = { id: spec.id, label: spec.label, kind: spec.kind, month: spec.month };
  if (spec.kind === 'at') {
    const col = milestoneColumn(spec.month);
    const th = spec.threshold!;
    const cut = { value: th.value, op: th.op, units: '% IS', evidence: 'V' as const, refs: [] };
    let n = 0;
    let k = 0;
    for (const o of outcomes) {
      const v = o.milestones[col];
      if (v === undefined || !Number.isFinite(v)) continue;
      n++;
      if (meets(v, cut)) k++;
    }
    const p: Proportion = proportion(k, n, { level, method });
    return {
      ...base,
      estimate: p.estimate,
      lower: p.lower,
      upper: p.upper,
      n,
      events: k,
      interval: method === 'wilson' ? 'Wilson score' : 'Clopper-Pearson',
    };
  }
  const endpoint = curves.get(spec.endpoint!);
  if (!endpoint)
    return {
      ...base,
      estimate: Number.NaN,
      lower: Number.NaN,
      upper: Number.NaN,
      n: 0,
      interval: 'not modelled in this run',
    };
  const c = endpoint.curve;
  if (spec.kind === 'by') {
    const v = valueAt(c, spec.month);
    // No event yet: Greenwood's variance is 0 and the band collapses to [0, 0]. Use the exact one-sided binomial
    // bound over the patients followed that long instead (the "rule of three" for 0 of n at 95 %).
    if (v.estimate === 0 && v.atRisk > 0) {
      const exact = clopperPearsonInterval(0, v.atRisk, level);
      return {
        ...base,
        ...v,
        upper: exact.upper,
        n: v.atRisk,
        interval: 'no events: Clopper-Pearson, 0 of n',
      };
    }
    return { ...base, ...v, n: v.atRisk, interval: 'Kaplan-Meier, log-log band' };
  }
  if (spec.kind === 'free') {
    const v = valueAt(c, spec.month);
    return {
      ...base,
      estimate: 1 - v.estimate,
      lower: 1 - v.upper,
      upper: 1 - v.lower,
      n: v.atRisk,
      interval: 'Kaplan-Meier, log-log band',
    };
  }
  // annual: P(event in (t - 12, t] | event-free at t - 12) = 1 - S(t) / S(t - 12).
  const a = valueAt(c, spec.month - 12);
  const b = valueAt(c, spec.month);
  const est = 1 - (1 - b.estimate) / (1 - a.estimate);
  return {
    ...base,
    estimate: est,
    lower: Number.NaN,
    upper: Number.NaN,
    n: a.atRisk,
    interval: 'conditional Kaplan-Meier, no interval',
  };
}

function summarizeStratum(
  label: string,
  outcomes: readonly PatientOutcome[],
  metrics: readonly MetricSpec[],
  level: number,
  method: ProportionMethod,
  notModelled: readonly EndpointId[] = [],
): StratumSummary {
  const endpoints: EndpointSummary[] = ENDPOINTS.filter((e) => !notModelled.includes(e.id)).map((e) => {
    const d = eventData(outcomes, e.column);
    const curve = cumulativeIncidence(kaplanMeier(d.time, d.event, { level }));
    let events = 0;
    for (let i = 0; i < d.event.length; i++) events += d.event[i];
    return { id: e.id, label: e.label, events, curve, median: medianTime(curve) };
  });
  const byId = new Map(endpoints.map((e) => [e.id, e]));
  const r = tfrRelapseData(outcomes);
  const relapseFree = r.time.length > 0 ? kaplanMeier(r.time, r.event, { level }) : null;
  let relapses = 0;
  for (let i = 0; i < r.event.length; i++) relapses += r.event[i];
  const slopes: SlopeSummary[] = SLOPES.map((s) => {
    const v = finiteSorted(outcomes.map((o) => o[s.column]));
    let declining = 0;
    for (let i = 0; i < v.length; i++) if (v[i] > 0) declining++;
    return {
      column: s.column,
      months: s.months,
      n: v.length,
      median: sortedQuantile(v, 0.5),
      q1: sortedQuantile(v, 0.25),
      q3: sortedQuantile(v, 0.75),
      declining: v.length > 0 ? declining / v.length : Number.NaN,
    };
  });
  const cm = finiteSorted(outcomes.map((o) => o.cminNgPerMl));
  return {
    stratum: label,
    n: outcomes.length,
    failed: outcomes.filter((o) => o.status === 'failed').length,
    endpoints,
    tfr: {
      stopped: r.time.length,
      relapses,
      relapseFree,
      at: TFR_AT.map((m) => ({
        monthsAfterStop: m,
        value: relapseFree
          ? valueAt(relapseFree, m)
          : { estimate: Number.NaN, lower: Number.NaN, upper: Number.NaN, atRisk: 0 },
      })),
    },
    metrics: metrics.map((m) => metricValue(m, outcomes, byId, level, method)),
    slopes,
    cmin: {
      n: cm.length,
      median: sortedQuantile(cm, 0.5),
      q1: sortedQuantile(cm, 0.25),
      q3: sortedQuantile(cm, 0.75),
    },
  };
}

/** Endpoint names of trials.yaml that mean progression to AP/BC (cumulative). */
const PROGRESSION_ENDPOINTS = new Set([
  'AP/BC',
  'AP/BP on study',
  'AP/BC on treatment',
  'AP/BC including after discontinuation',
  'AP/BP on study or after discontinuation',
]);

interface Mapping {
  readonly spec: MetricSpec | null;
  readonly comparable: number;
  readonly remark?: string;
}

/** The model metric a trial figure corresponds to (null when the model does not produce that endpoint). */
export function mapTrialFigure(f: TrialFigure, kb: KnowledgeBase): Mapping {
  const defs = clinicalDefinitions(kb);
  const frac = f.units === '%' ? f.value / 100 : f.value;
  const years = f.months % 12 === 0 && f.months >= 24 ? `${f.months / 12} years` : `${f.months} months`;
  const byEndpoint = (endpoint: EndpointId, label: string): MetricSpec => ({
    id: `by${f.months}-${endpoint}`,
    label: `${label} by ${years}`,
    kind: 'by',
    month: f.months,
    endpoint,
  });
  const atLe = (value: number, label: string): MetricSpec => ({
    id: `at${f.months}-le${value}`,
    label: `${label} at ${f.months} months`,
    kind: 'at',
    month: f.months,
    threshold: { op: '<=', value },
  });
  const e = f.endpoint;
  if (f.units !== '%')
    return { spec: null, comparable: Number.NaN, remark: `units '${f.units}' not compared` };
  if (e === 'MMR' || e === 'MR4' || e === 'MR4.5') {
    const endpoint = e as EndpointId;
    if (f.measure === 'by') return { spec: byEndpoint(endpoint, e), comparable: frac };
    if (f.measure === 'at') {
      const cut = levelCutoff(defs, e);
      return { spec: atLe(cut, e), comparable: frac };
    }
  }
  // 'BCR-ABL<=10%', 'BCR-ABL>10%': the cut-off is read from the endpoint name.
  const cut = /^BCR-ABL1?\s*(<=|>)\s*([0-9.]+)\s*%$/.exec(e);
  if (cut && f.measure === 'at') {
    const value = Number(cut[2]);
    const spec = atLe(value, `BCR-ABL1 ≤ ${value} % IS`);
    return cut[1] === '<='
      ? { spec, comparable: frac }
      : { spec, comparable: 1 - frac, remark: `compared as 100 − ${f.value} % (share ≤ ${value} % IS)` };
  }
  if (e === 'TFR-eligible' && f.measure === 'by')
    return {
      spec: byEndpoint('tfrEligible', 'TFR-eligible (ELN 2020)'),
      comparable: frac,
      remark: 'the trial’s eligibility rule is not necessarily ELN 2020',
    };
  if (PROGRESSION_ENDPOINTS.has(e) && f.measure === 'by')
    return { spec: byEndpoint('progression', 'progression to AP/BC'), comparable: frac };
  if (e === 'AP/BC' && f.measure === 'annual')
    return {
      spec: {
        id: `annual${f.months}-progression`,
        label: `progression to AP/BC within year ${f.months / 12}`,
        kind: 'annual',
        month: f.months,
        endpoint: 'progression',
      },
      comparable: frac,
    };
  if (e === 'freedom from AP/BC' && f.measure === 'survival')
    return {
      spec: {
        id: `free${f.months}-progression`,
        label: `free from AP/BC at ${years}`,
        kind: 'free',
        month: f.months,
        endpoint: 'progression',
      },
      comparable: frac,
    };
  return {
    spec: null,
    comparable: frac,
    remark: `the model does not produce '${e}' (${f.measure}); shown for context`,
  };
}

function citationOf(kb: KnowledgeBase, refs: readonly string[]): string {
  return refs
    .filter((r) => kb.references.has(r))
    .map((r) => formatCitation(kb.reference(r)))
    .filter((c, i, all) => all.indexOf(c) === i)
    .join(' ');
}

/** Groups outcome rows by stratum label, in order of first appearance. */
function byStratum(outcomes: readonly PatientOutcome[]): Map<string, PatientOutcome[]> {
  const m = new Map<string, PatientOutcome[]>();
  for (const o of outcomes) {
    const g = m.get(o.stratum);
    if (g) g.push(o);
    else m.set(o.stratum, [o]);
  }
  return m;
}

/** The cohort summary: overall, per stratum, and the trial comparison. */
export function summarizeCohort(
  outcomes: readonly PatientOutcome[],
  kb: KnowledgeBase,
  options: SummaryOptions = {},
): CohortSummary {
  const level = options.level ?? 0.95;
  const method = options.proportionMethod ?? 'wilson';
  const drug = options.trialDrug ?? 'imatinib';
  const figures = kb.trials.filter((f) => f.drug === drug);
  const mappings = figures.map((f) => ({ f, m: mapTrialFigure(f, kb) }));
  const specs = standardMetrics(kb);
  for (const { m } of mappings) if (m.spec && !specs.some((s) => s.id === m.spec!.id)) specs.push(m.spec);
  specs.sort((a, b) => kindOrder(a.kind) - kindOrder(b.kind) || a.month - b.month);
  const notModelled = options.notModelled ?? [];
  const overall = summarizeStratum('all', outcomes, specs, level, method, notModelled);
  const groups = byStratum(outcomes);
  const strata =
    options.strata === false || groups.size <= 1
      ? []
      : [...groups].map(([label, rows]) => summarizeStratum(label, rows, specs, level, method, notModelled));
  const trials: TrialComparison[] = mappings.map(({ f, m }) => {
    const model = m.spec ? overall.metrics.find((x) => x.id === m.spec!.id) : undefined;
    return {
      figureId: f.id,
      trial: f.trial,
      arm: f.arm,
      endpoint: f.endpoint,
      measure: f.measure,
      months: f.months,
      value: f.value,
      units: f.units,
      ...(f.n !== undefined ? { n: f.n } : {}),
      evidence: f.evidence,
      target: f.evidence !== 'R',
      citation: citationOf(kb, f.refs),
      refs: f.refs,
      ...(f.note ? { note: f.note } : {}),
      metricId: m.spec?.id ?? null,
      comparable: m.comparable,
      ...(model ? { model } : {}),
      ...(m.remark
        ? { remark: m.remark }
        : m.spec?.endpoint && notModelled.includes(m.spec.endpoint)
          ? { remark: 'not modelled in this run' }
          : {}),
    };
  });
  return {
    n: outcomes.length,
    failed: overall.failed,
    level,
    overall,
    strata,
    trials,
  };
}

function kindOrder(k: MetricKind): number {
  return { at: 0, by: 1, free: 2, annual: 3 }[k];
}

/** The summary as plain JSON-ready data (typed arrays as arrays; NaN becomes null in JSON.stringify). */
export function summaryToJSON(s: CohortSummary): unknown {
  return JSON.parse(
    JSON.stringify(s, (_k, v) => (ArrayBuffer.isView(v) ? Array.from(v as unknown as ArrayLike<number>) : v)),
  );
}
