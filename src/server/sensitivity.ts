/**
 * POST /api/sensitivity: a global sensitivity study (Sobol' or Morris, docs/sensitivity.md) of a scenario outcome,
 * run on the server's pool like a cohort. The request is read with zod, then turned into the sweep layer's
 * SensitivityRequest exactly as `exoniche sensitivity` does (factor text through `parseFactorArg`, the CLI's
 * defaults for the sizes), and planned with `planJob('sensitivity', ...)` in the request, so that an unknown factor
 * or output, a bad size or a seed the design cannot take is a 400 naming the field before anything runs. The `done`
 * summary is `studySummary` of the merged rows: the fields `exoniche sensitivity --json` prints for the same inputs.
 */
import { z } from 'zod';
import { scenarioDrugs } from '../cohort/population.js';
import type { KnowledgeBase } from '../knowledge/index.js';
import { compileModel } from '../models/compile/compile.js';
import { buildNiche } from '../niche/build.js';
import { scenarioNicheOptions } from '../scenario/run.js';
import type { Scenario } from '../scenario/schema.js';
import type { ColumnValues } from '../sweep/columns.js';
import { planJob } from '../sweep/index.js';
import type { SensitivityRequest } from '../sweep/jobs/sensitivity.js';
import { DEFAULT_COHORT_PATIENTS, DEFAULT_SCENARIO_FACTORS } from '../sweep/jobs/sensitivity.js';
import type { SweepManifest } from '../sweep/manifest.js';
import { studySummary } from '../sweep/sensitivity-run.js';
import {
  type FactorArg,
  type FactorSpec,
  NUMERIC_OUTCOME_COLUMNS,
  parseFactorArg,
  resolveFactors,
  SensitivitySpecError,
  STUDY_DEFAULTS,
  type StudyMethod,
  type StudySpec,
} from '../sweep/sensitivity-spec.js';
import { type ApiIssue, HttpError } from './errors.js';
import { type RunJob, toJson } from './runs.js';

/** Study sizes by default: the CLI's (STUDY_DEFAULTS) and the job's patients per design point. */
export const SENSITIVITY_DEFAULTS = { ...STUDY_DEFAULTS, patients: DEFAULT_COHORT_PATIENTS } as const;

export interface SensitivityLimits {
  /** Largest number of design points (rows) a request may ask for. */
  readonly maxPoints: number;
  /** Largest number of simulations: design points x patients per point (1 for the typical patient). */
  readonly maxSimulations: number;
  /** Largest cohort per design point. */
  readonly maxPatients: number;
}

const Seed = z
  .string()
  .trim()
  .regex(/^\d{1,20}$/, 'expected a non-negative integer (decimal string)')
  .refine((s) => BigInt(s) < 2n ** 64n, 'expected a seed below 2^64')
  .transform((s) => BigInt(s).toString());

const Factor = z.strictObject({
  name: z.string().min(1).max(200),
  lo: z.number().finite().optional(),
  hi: z.number().finite().optional(),
  log: z.boolean().optional(),
});

export function sensitivityBody(l: SensitivityLimits) {
  return z.strictObject({
    scenario: z.string(),
    factors: z.array(Factor).max(50).optional(),
    outputs: z.array(z.string().min(1).max(200)).min(1).max(20),
    method: z.enum(['sobol', 'morris']).optional(),
    samples: z.int().min(2).optional(),
    bootstrap: z.int().min(0).max(100_000).optional(),
    trajectories: z.int().min(2).optional(),
    levels: z.int().min(2).max(1000).optional(),
    patients: z.int().min(1).max(l.maxPatients).optional(),
    seed: Seed.optional(),
    workers: z.int().min(1).max(1024).optional(),
  });
}

export type SensitivityBody = z.infer<ReturnType<typeof sensitivityBody>>;

const bad = (path: string, msg: string): HttpError =>
  new HttpError(400, `${path}: ${msg}`, [{ path, message: msg }]);

/** CLI words in the sweep layer's messages, as the API's fields. */
const apiWording = (msg: string): string =>
  msg.replace(/--(factor|output|patients|samples|trajectories|levels|bootstrap|seed)\b/g, '$1');

/** A factor of the body as the CLI's NAME[=LO:HI[:log]], parsed by the CLI's parser (the same checks). */
function factorArg(f: z.infer<typeof Factor>, i: number): FactorArg {
  const path = `factors[${i}]`;
  if ((f.lo === undefined) !== (f.hi === undefined))
    throw bad(path, 'give both lo and hi, or neither (the knowledge-base range)');
  if (f.lo === undefined && f.log !== undefined)
    throw bad(
      `${path}.log`,
      'log applies to a given range (lo, hi); a knowledge-base range has its own scale',
    );
  const text =
    f.lo === undefined ? f.name : `${f.name}=${String(f.lo)}:${String(f.hi)}${f.log ? ':log' : ':linear'}`;
  try {
    return parseFactorArg(text);
  } catch (err) {
    if (err instanceof SensitivitySpecError)
      throw bad(f.name === text ? `${path}.name` : path, apiWording(err.message));
    throw err;
  }
}

/** The request as the sweep job reads it, with the CLI's defaults and its method-option checks. */
export function sensitivityRequest(b: SensitivityBody): SensitivityRequest {
  let method: StudyMethod;
  if (b.method === 'morris') {
    if (b.samples !== undefined) throw bad('samples', 'applies to method sobol');
    if (b.bootstrap !== undefined) throw bad('bootstrap', 'applies to method sobol');
    method = {
      kind: 'morris',
      trajectories: b.trajectories ?? SENSITIVITY_DEFAULTS.trajectories,
      levels: b.levels ?? SENSITIVITY_DEFAULTS.levels,
    };
  } else {
    if (b.trajectories !== undefined) throw bad('trajectories', 'applies to method morris');
    if (b.levels !== undefined) throw bad('levels', 'applies to method morris');
    method = {
      kind: 'sobol',
      samples: b.samples ?? SENSITIVITY_DEFAULTS.samples,
      bootstrap: b.bootstrap ?? SENSITIVITY_DEFAULTS.bootstrap,
      confidence: 0.95,
    };
  }
  return {
    target: 'scenario',
    method,
    factors: (b.factors ?? []).map(factorArg),
    outputs: b.outputs,
    ...(b.patients !== undefined ? { patients: b.patients } : {}),
  };
}

/** Design points and simulations of a request, before planning (the plan's row count is the same formula). */
export function studySize(req: SensitivityRequest): { points: number; simulations: number } {
  const d = req.factors.length > 0 ? req.factors.length : DEFAULT_SCENARIO_FACTORS.length;
  const points =
    req.method.kind === 'sobol' ? req.method.samples * (d + 2) : req.method.trajectories * (d + 1);
  const cohort = req.outputs.some((o) => o.includes('@'));
  return { points, simulations: points * (cohort ? (req.patients ?? SENSITIVITY_DEFAULTS.patients) : 1) };
}

export function checkLimits(req: SensitivityRequest, l: SensitivityLimits): void {
  const { points, simulations } = studySize(req);
  const sizeField = req.method.kind === 'sobol' ? 'samples' : 'trajectories';
  if (points > l.maxPoints)
    throw bad(sizeField, `${points} design points is over this server's limit of ${l.maxPoints}`);
  if (simulations > l.maxSimulations)
    throw bad(
      req.outputs.some((o) => o.includes('@')) ? 'patients' : sizeField,
      `${simulations} simulations (design points x patients per point) is over this server's limit of ${l.maxSimulations}`,
    );
}

/** The field a sweep-layer message is about: `--factor NAME...`, `--output LABEL...`, or a size. */
function issuePath(msg: string, body: SensitivityBody): string {
  const f = /^--factor '?([^\s:'=]+)/.exec(msg);
  if (f) {
    const i = (body.factors ?? []).findIndex((x) => x.name === f[1]);
    if (i < 0) return 'factors';
    return /not a parameter|given twice/.test(msg) ? `factors[${i}].name` : `factors[${i}]`;
  }
  const o = /^--output '?(.+?)'?:/.exec(msg);
  if (o) {
    const j = body.outputs.findIndex((x) => x.trim() === o[1]);
    return j < 0 ? 'outputs' : `outputs[${j}]`;
  }
  if (msg.startsWith('--patients')) return 'patients';
  if (/^seed /.test(msg)) return 'seed';
  if (/^sobolDesign: n /.test(msg)) return 'samples';
  if (/^morrisDesign: r /.test(msg)) return 'trajectories';
  if (/^morrisDesign: levels/.test(msg)) return 'levels';
  if (/either every --output|--output .* given twice/.test(msg)) return 'outputs';
  return '';
}

/** planJob('sensitivity', ...) with the sweep layer's refusals as 400s naming the field. */
export async function planSensitivity(
  body: SensitivityBody,
  req: SensitivityRequest,
): Promise<SweepManifest> {
  try {
    return await planJob('sensitivity', {
      scenarioText: body.scenario,
      ...(body.seed !== undefined ? { seed: body.seed } : {}),
      spec: req as unknown as Record<string, unknown>,
    });
  } catch (err) {
    const name = (err as Error)?.name;
    if (err instanceof SensitivitySpecError || name === 'GsaError' || err instanceof RangeError) {
      const msg = (err as Error).message;
      const issue: ApiIssue = { path: issuePath(msg, body), message: apiWording(msg) };
      throw new HttpError(400, `invalid study: ${issue.path ? `${issue.path}: ` : ''}${issue.message}`, [
        issue,
      ]);
    }
    throw err;
  }
}

/** The fields of `exoniche sensitivity --json` that describe the study and its indices (JSON: NaN as null). */
export function sensitivitySummaryJson(m: SweepManifest, values: readonly ColumnValues[]): unknown {
  const s = studySummary(m, values);
  return toJson({
    kind: 'sensitivity',
    name: s.name,
    mode: s.mode,
    method: s.method,
    methodKind: (m.spec as unknown as StudySpec).method.kind,
    seed: s.seed,
    factors: s.factors,
    designPoints: s.points,
    failedPoints: s.failedPoints,
    failures: s.failures,
    outputs: s.outputs,
  });
}

/** The run of a planned study. */
export function sensitivityRunJob(m: SweepManifest, workers: number, plannedMs?: number): RunJob {
  const spec = m.spec as unknown as StudySpec;
  return {
    kind: 'sensitivity',
    rows: m.patients,
    workers,
    rowCost: spec.mode === 'cohort' ? (spec.patients ?? SENSITIVITY_DEFAULTS.patients) : 1,
    plan: async () => m,
    ...(plannedMs !== undefined ? { plannedMs } : {}),
    summarize: async (mm, values) => sensitivitySummaryJson(mm, values),
  };
}

/** POST /api/sensitivity/factors: what a study of this scenario can vary and read (the dashboard's choices). */
export interface StudyChoices {
  /** Every constant parameter of the scenario's model that has a knowledge-base range, with that range. */
  readonly factors: readonly FactorSpec[];
  /** The factors varied when a request names none (the Hähnel core). */
  readonly defaults: readonly string[];
  /** Outcome columns an output may name (plus tfrRelapseMonths and tfrSuccess<M>). */
  readonly columns: readonly string[];
}

/**
 * The factors the sweep job would accept for `s`, with the ranges it would use: the niche model the scenario's
 * cohort runner builds first (as the sensitivity job does: its first drug, parametric PK), its constant compiled
 * parameters, each resolved alone by `resolveFactors` (a parameter without a knowledge-base range is left out).
 */
export function studyChoices(s: Scenario, kb: KnowledgeBase): StudyChoices {
  const drug = scenarioDrugs(s)[0];
  const model = buildNiche(
    scenarioNicheOptions(s, drug ? { kind: 'parametric', drug } : { kind: 'none' }),
    kb,
  ).model;
  const compiled = compileModel(model);
  const ids = new Set(compiled.parameterIds);
  const allowed = new Set(model.parameters.filter((p) => p.constant && ids.has(p.id)).map((p) => p.id));
  const factors: FactorSpec[] = [];
  for (const id of allowed) {
    try {
      factors.push(...resolveFactors([{ name: id }], model, kb, allowed));
    } catch (err) {
      if (!(err instanceof SensitivitySpecError)) throw err;
    }
  }
  const core = new Set(DEFAULT_SCENARIO_FACTORS);
  factors.sort((a, b) => Number(core.has(b.name)) - Number(core.has(a.name)) || a.name.localeCompare(b.name));
  return {
    factors,
    defaults: DEFAULT_SCENARIO_FACTORS,
    columns: [...NUMERIC_OUTCOME_COLUMNS, 'tfrRelapseMonths', 'tfrSuccess12'],
  };
}
