/**
 * A global sensitivity study as plain data (the `spec` of a sweep of kind `sensitivity`, docs/sensitivity.md):
 * the factors with their ranges, the design (Sobol' pick-and-freeze or Morris trajectories, src/fitting/gsa), the
 * outputs, and how the design points' values become indices when some of them are missing.
 *
 * Everything here is pure: parsing of the command-line forms (`NAME[=LO:HI[:log|:linear]]`, `COLUMN[@agg]`),
 * factor resolution against a model's parameters and the knowledge base, the design (regenerated from the spec in
 * every worker: row k of the sweep is design row k), aggregation of per-patient outcomes, and the estimators with
 * the missing-value policy:
 *
 * - Sobol': a base row j is used only if all its n (d + 2) design rows (A_j, B_j, A_B^(i)_j) have a finite value;
 *   the others are dropped together, which keeps the pick-and-freeze pairing, so the estimators and the bootstrap
 *   run on n' <= n i.i.d. base rows. Dropping is conditional on the output being defined: if failures cluster in a
 *   corner of the box, the indices describe the rest of the box (the report says how many rows were dropped).
 * - Morris: a trajectory is used only if all its d + 1 points have a finite value.
 */

import { OUTCOME_COLUMNS, outcomeValue, type PatientOutcome } from '../cohort/outcome.js';
import { type MorrisDesign, morrisDesign, morrisIndices } from '../fitting/gsa/morris.js';
import type { SobolDesign } from '../fitting/gsa/sobol.js';
import { GsaError, type GsaSpec, sobolDesign, sobolIndices } from '../fitting/gsa/sobol.js';
import type { KnowledgeBase } from '../knowledge/load.js';
import { closestNames } from '../knowledge/query.js';
import type { Model } from '../models/ir.js';
import type { SensitivityOutput } from '../report/sensitivity.js';

/**
 * Study sizes when a request does not give them (the CLI's and the dashboard server's): Sobol base samples n
 * (n (d + 2) runs, a few minutes for 5 factors on a typical patient) and bootstrap replicates; Morris trajectories
 * and grid levels (even).
 */
export const STUDY_DEFAULTS = {
  samples: 64,
  bootstrap: 1000,
  trajectories: 10,
  levels: 4,
} as const;

export class SensitivitySpecError extends Error {
  override name = 'SensitivitySpecError';
  constructor(
    message: string,
    /** 'usage': malformed option text; 'data': a name or value the model or knowledge base does not have. */
    readonly kind: 'usage' | 'data',
  ) {
    super(message);
  }
}

/** One factor: a model parameter varied over [lo, hi], uniform ('linear') or log-uniform ('log'). */
export interface FactorSpec {
  /** Model parameter id (also the factor's name in the design and the results). */
  readonly name: string;
  readonly lo: number;
  readonly hi: number;
  readonly scale: 'linear' | 'log';
  /** Where the range comes from: 'given', 'kb:<key>' (its range field) or 'patients:<key pattern>' (min-max). */
  readonly source: string;
}

/** One output: a column (scenario outcome or model observable), with an aggregate over a cohort when `agg` is set. */
export interface OutputSpec {
  /** As given on the command line (`bcrAblM12`, `timeTfrRelapse@share`). */
  readonly label: string;
  readonly column: string;
  /** '' (the typical patient's value, or the observable) or an aggregate: mean, median, share, share<=X, ... */
  readonly agg: string;
  /**
   * 'log10': the design point's value (after the aggregate) is replaced by its base-10 logarithm, for outputs that
   * span decades (BCR-ABL1 % IS): variance-based indices of a heavy-tailed output are dominated by a few points
   * and their estimators converge slowly (Saltelli et al. 2008, Primer, sec. 1.2.15 on output transformation).
   */
  readonly transform?: 'log10';
}

export type StudyMethod =
  | {
      readonly kind: 'sobol';
      readonly samples: number;
      readonly bootstrap: number;
      readonly confidence: number;
    }
  | { readonly kind: 'morris'; readonly trajectories: number; readonly levels: number };

/** A study's model: a reference model (by name) and patient, and the format of the model text. */
export interface StudyModel {
  readonly reference?: string;
  readonly patient?: number;
  readonly format: 'exm' | 'sbml';
}

export interface StudySpec {
  readonly study: 1;
  /** 'typical': the scenario's patient; 'cohort': an aggregate over `patients` virtual patients; 'model': a model. */
  readonly mode: 'typical' | 'cohort' | 'model';
  readonly method: StudyMethod;
  /** Seed of the design (and of the bootstrap); the scenario's patients use the sweep seed. */
  readonly designSeed: number;
  readonly factors: readonly FactorSpec[];
  readonly outputs: readonly OutputSpec[];
  /** Virtual patients per design point (mode 'cohort'): patients 0..M-1 at every point (common random numbers). */
  readonly patients?: number;
  /** Time (model units) at which a model observable is read (mode 'model'). */
  readonly time?: number;
  /** Mode 'model': the reference model (by name) and patient, or the file format of the text in the manifest. */
  readonly model?: StudyModel;
  /** The --seed given (the scenario's own seed otherwise). */
  readonly seedOverride?: string;
}

// ---------------------------------------------------------------------------------------------------------------
// Command-line forms

/** A factor as written: NAME, or NAME=LO:HI, or NAME=LO:HI:log / :linear. */
export interface FactorArg {
  readonly name: string;
  readonly lo?: number;
  readonly hi?: number;
  readonly scale?: 'linear' | 'log';
}

const NUM = String.raw`[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?`;
const FACTOR_RE = new RegExp(String.raw`^([A-Za-z_][\w.]*)(?:=(${NUM}):(${NUM})(?::(log|linear))?)?$`);

export function parseFactorArg(text: string): FactorArg {
  const m = FACTOR_RE.exec(text.trim());
  if (!m)
    throw new SensitivitySpecError(
      `--factor '${text}': expected NAME, NAME=LO:HI or NAME=LO:HI:log (e.g. pyx=0.001:0.1:log)`,
      'usage',
    );
  if (m[2] === undefined) return { name: m[1] as string };
  const lo = Number(m[2]);
  const hi = Number(m[3]);
  if (!(lo < hi))
    throw new SensitivitySpecError(`--factor '${text}': need LO < HI, got ${lo}:${hi}`, 'usage');
  const scale = (m[4] as 'log' | 'linear' | undefined) ?? 'linear';
  if (scale === 'log' && !(lo > 0))
    throw new SensitivitySpecError(`--factor '${text}': a log range needs LO > 0, got ${lo}`, 'usage');
  return { name: m[1] as string, lo, hi, scale };
}

const AGG_RE = new RegExp(`^(?:mean|median|share|share(?:<=|<|>=|>)${NUM})$`);

export function parseOutputArg(text: string): OutputSpec {
  const t = text.trim();
  const at = t.indexOf('@');
  let column = at < 0 ? t : t.slice(0, at);
  const agg = at < 0 ? '' : t.slice(at + 1);
  const log = /^log10\((.*)\)$/.exec(column);
  if (log) column = log[1] as string;
  if (!/^[A-Za-z_][\w.]*$/.test(column))
    throw new SensitivitySpecError(
      `--output '${text}': expected COLUMN, COLUMN@AGG, log10(COLUMN) or log10(COLUMN)@AGG`,
      'usage',
    );
  if (at >= 0 && !AGG_RE.test(agg))
    throw new SensitivitySpecError(
      `--output '${text}': unknown aggregate '${agg}' (expected mean, median, share, or share<=X / share<X / share>=X / share>X)`,
      'usage',
    );
  return { label: t, column, agg, ...(log ? { transform: 'log10' as const } : {}) };
}

// ---------------------------------------------------------------------------------------------------------------
// Scenario outputs: the PatientOutcome columns and two derived ones

/** Outcome columns a study can use (numeric ones) and the derived TFR columns. */
export const NUMERIC_OUTCOME_COLUMNS: readonly string[] = OUTCOME_COLUMNS.filter(
  (c) => c.type === 'float64',
).map((c) => c.name);

const TFR_SUCCESS = /^tfrSuccess(\d+)$/;

/** Is `column` a scenario output: an outcome column, `tfrRelapseMonths` or `tfrSuccess<M>`? */
export function isScenarioColumn(column: string): boolean {
  return (
    NUMERIC_OUTCOME_COLUMNS.includes(column) || column === 'tfrRelapseMonths' || TFR_SUCCESS.test(column)
  );
}

/**
 * The per-patient value of a scenario output column. Derived columns (docs/sensitivity.md):
 * `tfrRelapseMonths` = timeTfrRelapse - timeTfrStop (NaN without a stop or a relapse);
 * `tfrSuccess<M>` = 1 if the patient stopped and stayed in MMR for M months after the stop, 0 if it relapsed within
 * M months, NaN if it never stopped or follow-up ended earlier (not applicable / censored: left out of aggregates).
 */
export function patientValue(o: PatientOutcome, column: string): number {
  if (column === 'tfrRelapseMonths') return o.timeTfrRelapse - o.timeTfrStop;
  const m = TFR_SUCCESS.exec(column);
  if (m) {
    const months = Number(m[1]);
    const stop = o.timeTfrStop;
    if (!Number.isFinite(stop)) return Number.NaN;
    if (Number.isFinite(o.timeTfrRelapse) && o.timeTfrRelapse - stop <= months) return 0;
    return o.followUpMonths - stop >= months ? 1 : Number.NaN;
  }
  return outcomeValue(o, column) as number;
}

/** An aggregate, parsed once: `reduce(values, count)` over the first `count` entries of a scratch buffer. */
export interface Aggregator {
  reduce(values: Float64Array, count: number): number;
}

export function aggregator(agg: string): Aggregator {
  if (agg === 'mean' || agg === 'median' || agg === 'share') {
    return {
      reduce(v, count) {
        let n = 0;
        let s = 0;
        for (let i = 0; i < count; i++) {
          if (!Number.isFinite(v[i])) continue;
          n++;
          s += v[i] as number;
        }
        if (agg === 'share') return count > 0 ? n / count : Number.NaN;
        if (n === 0) return Number.NaN;
        if (agg === 'mean') return s / n;
        // median of the finite values: move them to the front, sort that part in place
        let w = 0;
        for (let i = 0; i < count; i++) if (Number.isFinite(v[i])) v[w++] = v[i] as number;
        const part = v.subarray(0, w).sort();
        return w % 2 === 1
          ? (part[(w - 1) / 2] as number)
          : ((part[w / 2 - 1] as number) + (part[w / 2] as number)) / 2;
      },
    };
  }
  const m = /^share(<=|<|>=|>)(.+)$/.exec(agg);
  if (!m) throw new SensitivitySpecError(`unknown aggregate '${agg}'`, 'usage');
  const op = m[1];
  const x = Number(m[2]);
  const hit = (y: number) => (op === '<=' ? y <= x : op === '<' ? y < x : op === '>=' ? y >= x : y > x);
  // share of the patients with the value defined AND meeting the condition, among all that ran (NaN: not met)
  return {
    reduce(v, count) {
      if (count === 0) return Number.NaN;
      let n = 0;
      for (let i = 0; i < count; i++) if (Number.isFinite(v[i]) && hit(v[i] as number)) n++;
      return n / count;
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Factors: names and ranges

/** Hähnel-style per-patient keys: <model>.patientNN.<symbol>. */
const PATIENT_KEY = /^([a-z][a-z0-9_]*)\.patient(\d+)\.(.+)$/;

/** Default scale of a range: log-uniform when positive and spanning at least a decade. */
export function defaultScale(lo: number, hi: number): 'linear' | 'log' {
  return lo > 0 && hi / lo >= 10 ? 'log' : 'linear';
}

/**
 * Resolve factors against a model's parameters (with their knowledge-base sources) and the knowledge base.
 * A name is a parameter id, or a knowledge-base key one parameter is bound to (for a per-patient key such as
 * hahnel2020.patient01.pyx, any patient's key names the same parameter). Without a given range: the knowledge-base
 * entry's `range`; for a per-patient key, the minimum and maximum over the knowledge base's patients.
 */
export function resolveFactors(
  args: readonly FactorArg[],
  model: Model,
  kb: KnowledgeBase | undefined,
  allowed?: ReadonlySet<string>,
): FactorSpec[] {
  const params = model.parameters.filter((p) => allowed === undefined || allowed.has(p.id));
  const byId = new Map(params.map((p) => [p.id, p] as const));
  const out: FactorSpec[] = [];
  const seen = new Set<string>();
  for (const a of args) {
    let p = byId.get(a.name);
    if (!p) {
      const pm = PATIENT_KEY.exec(a.name);
      p = params.find((q) => {
        const key = q.source?.kb;
        if (!key) return false;
        if (key === a.name) return true;
        const qm = PATIENT_KEY.exec(key);
        return pm !== null && qm !== null && qm[1] === pm[1] && qm[3] === pm[3];
      });
    }
    if (!p) {
      const near = closestNames(a.name, [...byId.keys()]);
      throw new SensitivitySpecError(
        `--factor ${a.name}: not a parameter of ${model.id || 'the model'} nor a knowledge-base key bound to one` +
          (near.length ? ` (did you mean ${near.map((n) => `'${n}'`).join(', ')}?)` : ''),
        'data',
      );
    }
    if (seen.has(p.id))
      throw new SensitivitySpecError(`--factor ${a.name}: parameter '${p.id}' given twice`, 'usage');
    seen.add(p.id);
    if (a.lo !== undefined && a.hi !== undefined) {
      out.push({ name: p.id, lo: a.lo, hi: a.hi, scale: a.scale ?? 'linear', source: 'given' });
      continue;
    }
    const key = p.source?.kb;
    const pm = key ? PATIENT_KEY.exec(key) : null;
    if (kb && key && pm) {
      const values: number[] = [];
      for (let k = 1; ; k++) {
        const kk = `${pm[1]}.patient${String(k).padStart(2, '0')}.${pm[3]}`;
        if (!kb.parameters.has(kk)) break;
        values.push(kb.parameter(kk).value);
      }
      if (values.length >= 2) {
        const lo = Math.min(...values);
        const hi = Math.max(...values);
        if (lo < hi) {
          out.push({
            name: p.id,
            lo,
            hi,
            scale: defaultScale(lo, hi),
            source: `patients:${pm[1]}.patientNN.${pm[3]} (min-max of ${values.length})`,
          });
          continue;
        }
      }
    }
    const range = key && kb?.parameters.has(key) ? kb.parameter(key).range : undefined;
    if (!range || !(range[0] < range[1]))
      throw new SensitivitySpecError(
        `--factor ${a.name}: parameter '${p.id}' has no range in the knowledge base${key ? ` (${key})` : ''}; ` +
          `give one: --factor ${p.id}=LO:HI[:log]`,
        'data',
      );
    out.push({
      name: p.id,
      lo: range[0],
      hi: range[1],
      scale: defaultScale(range[0], range[1]),
      source: `kb:${key}`,
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Design and indices

export type StudyDesign = SobolDesign | MorrisDesign;

export function gsaSpecOf(spec: StudySpec): GsaSpec {
  return spec.factors.map((f) => ({ name: f.name, lo: f.lo, hi: f.hi, scale: f.scale }));
}

/** The design of a study (pure in the spec: every worker regenerates the same points). */
export function studyDesign(spec: StudySpec): StudyDesign {
  const g = gsaSpecOf(spec);
  try {
    return spec.method.kind === 'sobol'
      ? sobolDesign(g, spec.method.samples, spec.designSeed)
      : morrisDesign(g, spec.method.trajectories, spec.method.levels, spec.designSeed);
  } catch (err) {
    if (err instanceof GsaError) throw new SensitivitySpecError(err.message, 'usage');
    throw err;
  }
}

export function designRows(spec: StudySpec): number {
  const d = spec.factors.length;
  return spec.method.kind === 'sobol' ? spec.method.samples * (d + 2) : spec.method.trajectories * (d + 1);
}

/** The indices of one output: the report's input shape (src/report/sensitivity.ts), stated there once. */
export type OutputIndices = SensitivityOutput;

const pairs = (a: Float64Array): [number, number][] =>
  Array.from({ length: a.length / 2 }, (_, i) => [a[2 * i] as number, a[2 * i + 1] as number]);

/** Indices of one output from the values of all design rows (NaN = missing; see the file comment). */
export function outputIndices(
  spec: StudySpec,
  design: StudyDesign,
  label: string,
  values: Float64Array,
): OutputIndices {
  const d = design.d;
  let missingPoints = 0;
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) missingPoints++;
  const base = { label, names: design.names, missingPoints };
  if (design.kind === 'sobol-saltelli') {
    const n = design.n;
    const keep: number[] = [];
    for (let j = 0; j < n; j++) {
      let ok = true;
      for (let b = 0; b < d + 2 && ok; b++) ok = Number.isFinite(values[b * n + j]);
      if (ok) keep.push(j);
    }
    const m = keep.length;
    const info = { ...base, method: 'sobol' as const, used: m, dropped: n - m };
    if (m < 2)
      return { ...info, error: `only ${m} of ${n} base rows have a value at all ${d + 2} of their points` };
    const v = new Float64Array(m * (d + 2));
    for (let b = 0; b < d + 2; b++)
      for (let t = 0; t < m; t++) v[b * m + t] = values[b * n + (keep[t] as number)] as number;
    const reduced: SobolDesign = { ...design, n: m, rows: m * (d + 2) };
    const method = spec.method.kind === 'sobol' ? spec.method : undefined;
    try {
      const r = sobolIndices(reduced, v, {
        bootstrap: method?.bootstrap ?? 1000,
        confidence: method?.confidence ?? 0.95,
        seed: spec.designSeed,
      });
      return {
        ...info,
        first: Array.from(r.first),
        total: Array.from(r.total),
        firstCI: pairs(r.firstCI),
        totalCI: pairs(r.totalCI),
        variance: r.variance,
      };
    } catch (err) {
      if (err instanceof GsaError) return { ...info, error: err.message };
      throw err;
    }
  }
  const r = design.r;
  const keep: number[] = [];
  for (let t = 0; t < r; t++) {
    let ok = true;
    for (let q = 0; q <= d && ok; q++) ok = Number.isFinite(values[t * (d + 1) + q]);
    if (ok) keep.push(t);
  }
  const m = keep.length;
  const info = { ...base, method: 'morris' as const, used: m, dropped: r - m };
  if (m < 2)
    return { ...info, error: `only ${m} of ${r} trajectories have a value at all ${d + 1} of their points` };
  const v = new Float64Array(m * (d + 1));
  const steps = new Int32Array(m * d);
  const signs = new Int8Array(m * d);
  keep.forEach((t, u) => {
    v.set(values.subarray(t * (d + 1), (t + 1) * (d + 1)), u * (d + 1));
    steps.set(design.steps.subarray(t * d, (t + 1) * d), u * d);
    signs.set(design.signs.subarray(t * d, (t + 1) * d), u * d);
  });
  const res = morrisIndices({ ...design, r: m, rows: m * (d + 1), steps, signs }, v);
  return { ...info, mu: Array.from(res.mu), muStar: Array.from(res.muStar), sigma: Array.from(res.sigma) };
}

/** The column name of output k in the results (readable in SQL). */
export function outputColumnName(o: OutputSpec): string {
  return `out_${o.label
    .replace(/<=/g, '_le_')
    .replace(/>=/g, '_ge_')
    .replace(/</g, '_lt_')
    .replace(/>/g, '_gt_')
    .replace(/[^A-Za-z0-9_]+/g, '_')
    .replace(/_+$/, '')}`;
}

export const factorColumnName = (f: FactorSpec): string => `f_${f.name}`;

/** A short reading of a spec for messages and reports. */
export function describeMethod(m: StudyMethod, d: number): string {
  return m.kind === 'sobol'
    ? `Sobol' (Saltelli 2010 first order, Jansen 1999 total), N = ${m.samples} base samples, ${m.samples * (d + 2)} runs, ${m.bootstrap} bootstrap resamples`
    : `Morris elementary effects, r = ${m.trajectories} trajectories on ${m.levels} levels, ${m.trajectories * (d + 1)} runs`;
}

/** Guard used by the CLI and the job kind: the columns a study's outputs can name. */
export function checkOutputs(
  spec: Pick<StudySpec, 'mode' | 'outputs'>,
  observables?: readonly string[],
): void {
  for (const o of spec.outputs) {
    if (spec.mode === 'model') {
      if (o.agg !== '')
        throw new SensitivitySpecError(
          `--output ${o.label}: aggregates (@...) apply to scenario cohorts only`,
          'usage',
        );
      if (observables && !observables.includes(o.column)) {
        const near = closestNames(o.column, observables);
        throw new SensitivitySpecError(
          `--output ${o.label}: the model has no observable '${o.column}'` +
            (near.length
              ? ` (did you mean ${near.map((n) => `'${n}'`).join(', ')}?)`
              : ` (observables: ${observables.join(', ')})`),
          'data',
        );
      }
      continue;
    }
    if (!isScenarioColumn(o.column)) {
      const near = closestNames(o.column, [...NUMERIC_OUTCOME_COLUMNS, 'tfrRelapseMonths', 'tfrSuccess12']);
      throw new SensitivitySpecError(
        `--output ${o.label}: '${o.column}' is not a numeric outcome column` +
          (near.length ? ` (did you mean ${near.map((n) => `'${n}'`).join(', ')}?)` : '') +
          ` (columns: ${NUMERIC_OUTCOME_COLUMNS.join(', ')}, tfrRelapseMonths, tfrSuccess<M>)`,
        'data',
      );
    }
  }
}
