/**
 * `sensitivity`: the sweep job of `exoniche sensitivity` — row k is design point k of a global sensitivity study
 * (src/sweep/sensitivity-spec.ts: Sobol' or Morris design regenerated from the spec in every worker). Its columns:
 * the row index (`patient`, the sweep engine's key), the factor values, one value per output, the number of failed
 * runs at the point and the first failure message. Three modes:
 *
 * - typical: the scenario's own patient (its Hähnel patient, typical PK) run by the cohort runner (prepareCohort
 *   with a one-patient 'fixed' cohort, patient 0) with the factors as parameter overrides;
 * - cohort: M virtual patients of the scenario's cohort, patients 0..M-1 at every design point (common random
 *   numbers: the same keyed draws), the factors overriding the drawn values, and an aggregate per output;
 * - model: a plain model (.exm, SBML or a reference model) with the factors as parameter overrides, an observable
 *   read at time T (at T = 0 from the initial state, otherwise after an ODE solve).
 *
 * Factors enter the cohort runner as degenerate cohort distributions (uniform [v, v] gives exactly v), so the model
 * is built and compiled once per design point (about 25 ms against 30 ms per patient, measured on the default
 * scenario) and nothing in src/cohort changes. Row k is a pure function of (manifest, k).
 */
import { prepareCohort, simulatePatient } from '../../cohort/index.js';
import { cohortSpecOf, scenarioDrugs } from '../../cohort/population.js';
import { canonicalJson, sha256 } from '../../io/manifest.js';
import { readSbml } from '../../io/sbml/index.js';
import { type KnowledgeBase, loadKnowledgeBase } from '../../knowledge/index.js';
import { loadReferenceModel } from '../../knowledge/reference-models.js';
import { type CompiledModel, compileModel } from '../../models/compile/compile.js';
import type { Model } from '../../models/ir.js';
import { simulateModel } from '../../models/simulate.js';
import { parseModel } from '../../models/text/index.js';
import { buildNiche } from '../../niche/build.js';
import { isSuccessful } from '../../numerics/ode/return-code.js';
import { scenarioNicheOptions } from '../../scenario/run.js';
import type { CohortSpec, ParameterDistribution, Scenario } from '../../scenario/schema.js';
import type { ColumnSpec, ColumnValues } from '../columns.js';
import type { JobDescription, JobKind, JobPlanInput, PreparedJob } from '../jobs.js';
import type { SweepManifest } from '../manifest.js';
import {
  type Aggregator,
  aggregator,
  checkOutputs,
  designRows,
  type FactorArg,
  factorColumnName,
  type OutputSpec,
  outputColumnName,
  parseOutputArg,
  patientValue,
  resolveFactors,
  SensitivitySpecError,
  type StudyMethod,
  type StudyModel,
  type StudySpec,
  studyDesign,
} from '../sensitivity-spec.js';
import { readScenarioText } from './cohort.js';

/** What the CLI asks for (JobPlanInput.spec): resolved by `describe` into a StudySpec (the manifest's spec). */
export interface SensitivityRequest {
  readonly target: 'scenario' | 'model';
  readonly method: StudyMethod;
  readonly factors: readonly FactorArg[];
  readonly outputs: readonly string[];
  /** Cohort size per design point (outputs with an aggregate). */
  readonly patients?: number;
  readonly time?: number;
  readonly model?: StudyModel;
}

/** Virtual patients per design point when an aggregate is asked for and --patients is not given. */
export const DEFAULT_COHORT_PATIENTS = 100;

/** The scenario's Hähnel core parameters varied when no factor is given (ranges: min-max over the 21 patients). */
export const DEFAULT_SCENARIO_FACTORS: readonly string[] = ['pyx', 'pxy', 'e_tki', 'pz', 'Kz'];

export function studyColumns(spec: StudySpec): ColumnSpec[] {
  return [
    { name: 'patient', type: 'int32', units: 'design row' },
    ...spec.factors.map((f): ColumnSpec => ({ name: factorColumnName(f), type: 'float64', units: f.name })),
    ...spec.outputs.map((o): ColumnSpec => ({ name: outputColumnName(o), type: 'float64', units: o.label })),
    { name: 'failed', type: 'int32', units: 'failed runs at the point' },
    { name: 'message', type: 'utf8', units: '' },
  ];
}

function isRequest(x: unknown): x is SensitivityRequest {
  return (
    typeof x === 'object' &&
    x !== null &&
    'target' in x &&
    Array.isArray((x as { factors?: unknown }).factors)
  );
}

/** The parameter ids a study may vary: constant parameters of the compiled model. */
function variableIds(model: Model, compiled: CompiledModel): Set<string> {
  const ids = new Set(compiled.parameterIds);
  return new Set(model.parameters.filter((p) => p.constant && ids.has(p.id)).map((p) => p.id));
}

/** The niche model a scenario's cohort runner builds first (for factor names and ranges). */
function scenarioModel(s: Scenario, kb: KnowledgeBase): Model {
  const drug = scenarioDrugs(s)[0];
  return buildNiche(scenarioNicheOptions(s, drug ? { kind: 'parametric', drug } : { kind: 'none' }), kb)
    .model;
}

/** The cohort section used at every design point, before the factor overrides. */
function baseCohort(s: Scenario, spec: Pick<StudySpec, 'mode' | 'patients'>): CohortSpec {
  if (spec.mode === 'typical') return { patients: 1, core: 'fixed', pk: false, parameters: {} } as CohortSpec;
  return { ...cohortSpecOf(s), patients: spec.patients ?? DEFAULT_COHORT_PATIENTS };
}

function withFactors(
  s: Scenario,
  cohort: CohortSpec,
  names: readonly string[],
  x: ArrayLike<number>,
): Scenario {
  const parameters: Record<string, ParameterDistribution> = { ...cohort.parameters };
  names.forEach((id, i) => {
    const v = x[i] as number;
    parameters[id] = { uniform: [v, v] } as ParameterDistribution; // exactly v: v + (v - v) u
  });
  return { ...s, cohort: { ...cohort, parameters } };
}

function modelOf(
  text: string,
  file: string | undefined,
  m: NonNullable<StudySpec['model']>,
  kb?: KnowledgeBase,
): Model {
  if (m.reference)
    return loadReferenceModel(m.reference, {
      ...(kb ? { kb } : {}),
      ...(m.patient !== undefined ? { patient: m.patient } : {}),
    }).model;
  return m.format === 'sbml' ? readSbml(text, file ?? 'model.xml') : parseModel(text, file ?? 'model.exm');
}

const modelParameterHash = (c: CompiledModel) =>
  sha256(canonicalJson({ ids: c.parameterIds, p0: Array.from(c.p0) }));

function designSeedOf(seed: string): number {
  const v = Number(seed);
  if (!Number.isSafeInteger(v))
    throw new SensitivitySpecError(`seed ${seed}: a sensitivity study needs a seed below 2^53`, 'usage');
  return v;
}

async function describe(input: JobPlanInput): Promise<JobDescription> {
  const req = input.spec;
  if (!isRequest(req))
    throw new SensitivitySpecError('sensitivity: the job spec is not a study request', 'usage');
  const kb = loadKnowledgeBase();
  const outputs: OutputSpec[] = req.outputs.map(parseOutputArg);
  if (outputs.length === 0) throw new SensitivitySpecError('give at least one --output', 'usage');
  const seen = new Set<string>();
  for (const o of outputs) {
    if (seen.has(outputColumnName(o)))
      throw new SensitivitySpecError(`--output ${o.label} given twice`, 'usage');
    seen.add(outputColumnName(o));
  }
  if (req.target === 'model') {
    const mm = req.model ?? { format: 'exm' as const };
    const model = modelOf(input.scenarioText, input.scenarioFile, mm, kb);
    const compiled = compileModel(model);
    const time = req.time ?? 0;
    if (!(Number.isFinite(time) && time >= 0))
      throw new SensitivitySpecError(`--time: expected a number >= 0, got ${time}`, 'usage');
    if (req.factors.length === 0)
      throw new SensitivitySpecError('give at least one --factor for a model study', 'usage');
    const seed = input.seed ?? '1';
    const spec: StudySpec = {
      study: 1,
      mode: 'model',
      method: req.method,
      designSeed: designSeedOf(seed),
      factors: resolveFactors(req.factors, model, kb, variableIds(model, compiled)),
      outputs,
      time,
      model: mm,
      ...(input.seed !== undefined ? { seedOverride: input.seed } : {}),
    };
    checkOutputs(spec, compiled.observableIds);
    studyDesign(spec); // checks the method's sizes
    return {
      scenarioName: model.id || 'model',
      patients: designRows(spec),
      seed,
      modelHash: sha256(`${mm.reference ?? ''}\n${mm.patient ?? ''}\n${input.scenarioText}`),
      parameterHash: modelParameterHash(compiled),
      columns: studyColumns(spec),
      spec: spec as unknown as Record<string, unknown>,
    };
  }
  const s = readScenarioText(input.scenarioText, input.scenarioFile, kb, input.seed);
  const withAgg = outputs.filter((o) => o.agg !== '').length;
  if (withAgg > 0 && withAgg < outputs.length)
    throw new SensitivitySpecError(
      'either every --output has an aggregate (@mean, @share, ...: a cohort per design point) or none (the typical patient)',
      'usage',
    );
  const mode = withAgg > 0 ? 'cohort' : 'typical';
  if (mode === 'typical' && req.patients !== undefined)
    throw new SensitivitySpecError(
      '--patients needs outputs with an aggregate (e.g. bcrAblM12@median)',
      'usage',
    );
  const model = scenarioModel(s, kb);
  const compiled = compileModel(model);
  const factorArgs =
    req.factors.length > 0 ? req.factors : DEFAULT_SCENARIO_FACTORS.map((name) => ({ name }));
  const factors = resolveFactors(factorArgs, model, kb, variableIds(model, compiled));
  const spec: StudySpec = {
    study: 1,
    mode,
    method: req.method,
    designSeed: designSeedOf(String(s.seed)),
    factors,
    outputs,
    ...(mode === 'cohort' ? { patients: req.patients ?? DEFAULT_COHORT_PATIENTS } : {}),
    ...(input.seed !== undefined ? { seedOverride: input.seed } : {}),
  };
  checkOutputs(spec);
  studyDesign(spec);
  const cohort = baseCohort(s, spec);
  for (const st of cohort.strata ?? [])
    for (const f of factors)
      if (Object.hasOwn(st.parameters, f.name))
        throw new SensitivitySpecError(
          `--factor ${f.name}: the cohort's stratum '${st.name}' draws this parameter, which would override the factor`,
          'data',
        );
  const program = prepareCohort({ ...s, cohort }, kb, { patients: cohort.patients });
  return {
    scenarioName: s.name,
    patients: designRows(spec),
    seed: program.seed.toString(),
    modelHash: program.modelHash,
    parameterHash: program.parameterHash,
    columns: studyColumns(spec),
    spec: spec as unknown as Record<string, unknown>,
  };
}

/** A design point's evaluation: outputs into `y`, returns the failed-run count and the first failure message. */
type Evaluate = (x: Float64Array, y: Float64Array) => { failed: number; message: string };

function scenarioEvaluator(m: SweepManifest, spec: StudySpec, kb: KnowledgeBase): Evaluate {
  const s = readScenarioText(m.scenario.text, m.scenario.file, kb, spec.seedOverride);
  const cohort = baseCohort(s, spec);
  const program = prepareCohort({ ...s, cohort }, kb, { patients: cohort.patients });
  const changed: string[] = [];
  if (program.seed.toString() !== m.seed) changed.push(`seed ${program.seed} (planned ${m.seed})`);
  if (program.modelHash !== m.modelHash) changed.push('model hash');
  if (program.parameterHash !== m.parameterHash) changed.push('parameter hash');
  if (changed.length > 0)
    throw new Error(
      `the study no longer matches its plan (${changed.join(', ')} differ): the knowledge base or exoniche changed ` +
        'since it was planned; plan it again',
    );
  const names = spec.factors.map((f) => f.name);
  const M = cohort.patients;
  const outs = spec.outputs;
  const aggs: (Aggregator | undefined)[] = outs.map((o) => (o.agg === '' ? undefined : aggregator(o.agg)));
  const scratch = outs.map(() => new Float64Array(M)); // per output, the ok patients' values
  return (x, y) => {
    const prog = prepareCohort(withFactors(s, cohort, names, x), kb, { patients: M });
    let failed = 0;
    let ok = 0;
    let message = '';
    for (let k = 0; k < M; k++) {
      const o = simulatePatient(prog, k);
      if (o.status !== 'ok') {
        failed++;
        if (message === '') message = `patient ${k}: ${o.message}`;
        continue;
      }
      for (let j = 0; j < outs.length; j++)
        (scratch[j] as Float64Array)[ok] = patientValue(o, (outs[j] as OutputSpec).column);
      ok++;
    }
    for (let j = 0; j < outs.length; j++) {
      const agg = aggs[j];
      const v = scratch[j] as Float64Array;
      y[j] = agg ? agg.reduce(v, ok) : ok === 1 ? (v[0] as number) : Number.NaN;
    }
    return { failed, message };
  };
}

function modelEvaluator(m: SweepManifest, spec: StudySpec, kb: KnowledgeBase | undefined): Evaluate {
  const mm = spec.model ?? { format: 'exm' as const };
  const model = modelOf(m.scenario.text, m.scenario.file, mm, kb);
  const c = compileModel(model);
  if (modelParameterHash(c) !== m.parameterHash)
    throw new Error('the model no longer matches its plan (parameter hash differs): plan the study again');
  const T = spec.time ?? 0;
  const fIdx = Int32Array.from(spec.factors, (f) => c.parameterIds.indexOf(f.name));
  const oIdx = Int32Array.from(spec.outputs, (o) => c.observableIds.indexOf(o.column));
  const p = new Float64Array(c.p0.length);
  const keep = new Uint8Array(c.p0.length);
  const obs = new Float64Array(c.observableIds.length);
  const params: Record<string, number> = {};
  return (x, y) => {
    if (T === 0) {
      p.set(c.p0);
      keep.fill(0);
      for (let i = 0; i < fIdx.length; i++) {
        p[fIdx[i] as number] = x[i] as number;
        keep[fIdx[i] as number] = 1;
      }
      const y0 = c.initialState(p, keep, 0);
      c.observe(0, y0, p, obs);
      for (let j = 0; j < oIdx.length; j++) y[j] = obs[oIdx[j] as number] as number;
      return { failed: 0, message: '' };
    }
    spec.factors.forEach((f, i) => {
      params[f.name] = x[i] as number;
    });
    const tc = simulateModel(c, { tEnd: T, saveat: [T], params });
    const nt = tc.time.length;
    if (!isSuccessful(tc.retcode) || nt === 0 || tc.time[nt - 1] !== T) {
      y.fill(Number.NaN);
      return { failed: 1, message: `${tc.retcode}: ${tc.message}` };
    }
    const w = tc.ids.length;
    for (let j = 0; j < oIdx.length; j++) y[j] = tc.values[(nt - 1) * w + (oIdx[j] as number)] as number;
    return { failed: 0, message: '' };
  };
}

async function prepare(m: SweepManifest): Promise<PreparedJob> {
  const spec = m.spec as unknown as StudySpec;
  if (spec?.study !== 1) throw new Error('sensitivity: the manifest spec is not a study (plan it again)');
  const design = studyDesign(spec);
  if (design.rows !== m.patients)
    throw new Error(`sensitivity: the design has ${design.rows} rows, the manifest ${m.patients}`);
  // a plain model file needs no knowledge base (loading it is seconds per worker thread)
  const evaluate =
    spec.mode === 'model'
      ? modelEvaluator(m, spec, spec.model?.reference ? loadKnowledgeBase() : undefined)
      : scenarioEvaluator(m, spec, loadKnowledgeBase());
  const d = design.d;
  const nOut = spec.outputs.length;
  const x = new Float64Array(d);
  const y = new Float64Array(nOut);
  const log10 = Uint8Array.from(spec.outputs, (o) => (o.transform === 'log10' ? 1 : 0));
  return {
    rows(start: number, end: number, out: ColumnValues[]): void {
      for (let k = start; k < end; k++) {
        const i = k - start;
        for (let j = 0; j < d; j++) x[j] = design.points[k * d + j] as number;
        let r: { failed: number; message: string };
        try {
          r = evaluate(x, y);
        } catch (err) {
          // a point that cannot be evaluated is recorded (NaN, message), not a failed shard
          y.fill(Number.NaN);
          r = {
            failed: spec.mode === 'cohort' ? (spec.patients ?? 1) : 1,
            message: String((err as Error)?.message ?? err),
          };
        }
        (out[0] as Int32Array)[i] = k;
        for (let j = 0; j < d; j++) (out[1 + j] as Float64Array)[i] = x[j] as number;
        for (let j = 0; j < nOut; j++) {
          const v = log10[j] ? Math.log10(y[j] as number) : (y[j] as number);
          (out[1 + d + j] as Float64Array)[i] = Number.isNaN(v) ? Number.NaN : v;
        }
        (out[1 + d + nOut] as Int32Array)[i] = r.failed;
        (out[2 + d + nOut] as string[])[i] = r.message;
      }
    },
  };
}

export const sensitivityJob: JobKind = {
  name: 'sensitivity',
  describe,
  prepare,
  // indices and the report are made in the main thread only (the report stack is never loaded in a worker)
  async finalize(m, values, meta) {
    return (await import('../sensitivity-run.js')).finalizeStudy(m, values, meta);
  },
};
