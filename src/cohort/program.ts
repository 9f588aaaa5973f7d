/**
 * The cohort runner: a scenario prepared once (niche model built and compiled once per drug of the plan, with the
 * `parametric` TKI exposure of src/niche/tki.ts) and then run per virtual patient by parameter overrides.
 *
 * Per patient: the patient's draws (population.ts) override the model parameters; the patient's exposure is the
 * same piecewise-constant effect runScenario uses (src/therapy/exposure.ts exposureSegmentsResolved: steady-state
 * means with the first 7 half-lives of every regimen change and wash-out resolved dose interval by dose interval,
 * with this patient's PK), applied as scheduled parameter changes between integration steps instead of model
 * events, so no model is rebuilt. One Rosenbrock stepper (Rodas5P, rtol 1e-6, atol 1e-10, the solver defaults) is
 * driven step by step; it lands exactly on every exposure change (restarting there) and reads monitoring visits and
 * milestone months from its dense output; a decision at a visit resets it to the visit's state. Rules (switch on mutation detection, ELN 2020 TFR stop, restart at
 * loss of MMR) are decided at monitoring visits only, in runScenario's order (switch, stop, relapse) and with its
 * rule helpers (tfrAssessment, switchEntry, restartEntry, endAt, activeEntry of src/scenario/run.ts), so the plan is
 * amended forward in time and nothing is re-simulated. Differences from
 * runScenario: no display series, no drug concentration series; before the first plan entry the model is the first
 * drug's with zero effect (runScenario builds a drug-free model there; the equations coincide at zero effect).
 *
 * Engine hybrid: the same, with the split-step hybrid stepper (src/numerics/hybrid/split.ts; LSC populations
 * stochastic while small, partition of src/niche/hybrid.ts) in place of the Rodas5P stepper; its jumps and roundings
 * draw from the patient's stream (seed, 'cohort-engine', k). docs/cohorts.md, "Engine hybrid".
 *
 * Determinism: patient k's outcome is a pure function of (program, k): randomness only from keyed streams of
 * (seed, purpose, k), solver state created per patient, no shared mutable state but read-only tables.
 */

import { bcrAblRatio, toPercentIS } from '../clinic/bcr-abl.js';
import { type ClinicalDefinitionSet, clinicalDefinitions } from '../clinic/definitions.js';
import { logDeclineRate } from '../clinic/kinetics.js';
import { assay, molecularResponse, responseDepth } from '../clinic/molecular-response.js';
import type { TimedPcrResult } from '../clinic/tfr.js';
import type { KnowledgeBase } from '../knowledge/load.js';
import { closestNames } from '../knowledge/query.js';
import { type CompiledModel, compileModel } from '../models/compile/compile.js';
import { compilePropensities } from '../models/compile/propensities.js';
import { bcFounderDraws, drawBcFounders } from '../niche/blast.js'; // blast-crisis founder thresholds
import { bloodBcrAbl, bloodOutputName } from '../niche/blood.js';
import { buildNiche, type NicheModel } from '../niche/build.js';
import { nicheHybridPartition } from '../niche/hybrid.js';
import { phaseCourse } from '../niche/readouts.js';
import { cloneSuffix } from '../niche/tki.js';
import type { PartitionMode } from '../numerics/hybrid/hybrid.js';
import { SplitHybridStepper } from '../numerics/hybrid/split.js';
import { Auto } from '../numerics/ode/methods.js';
import { odeProblem } from '../numerics/ode/problem.js';
import { Rodas5P } from '../numerics/ode/rosenbrock/index.js';
import { emptyStats } from '../numerics/ode/stats.js';
import type { OdeMethod, Stepper } from '../numerics/ode/stepper.js';
import { streamFor } from '../numerics/random/index.js';
import { type JumpProblem, jumpProblem } from '../numerics/ssa/problem.js';
import {
  activeEntry,
  endAt,
  hashParameters,
  type PlanEntry,
  restartEntry,
  ScenarioRunError,
  scenarioNicheOptions,
  switchEntry,
  tfrAssessment,
  toSchedule,
} from '../scenario/run.js';
import type { CohortSpec, Scenario } from '../scenario/schema.js';
import { sha256Hex } from '../scenario/sha256.js';
import { exposureSegmentsResolved, segmentBoundaries, segmentEffect } from '../therapy/exposure.js';
import { clonePotency, DEFAULT_HILL, type HillParams } from '../therapy/pd.js';
import { type PkParams, PkProfile } from '../therapy/pk.js';
import { type DrugPk, drugPk } from '../therapy/pk-params.js';
import { DAYS_PER_MONTH } from '../therapy/rules.js';
import { expandDoses, regimenSegments } from '../therapy/schedule.js';
import { steadyState } from '../therapy/steady-state.js';
import { MILESTONE_MONTHS, milestoneColumn, type PatientOutcome } from './outcome.js';
import {
  cohortSpecOf,
  drawPatient,
  HAHNEL_CORE,
  type Population,
  preparePopulation,
  type VirtualPatient,
} from './population.js';

export interface CohortProgram {
  readonly scenario: Scenario;
  readonly spec: CohortSpec;
  readonly patients: number;
  readonly seed: bigint;
  /** sha256 of the niche model text(s) the program compiled. */
  readonly modelHash: string;
  /** sha256 of the model parameter values (scenario overrides applied) and the cohort section. */
  readonly parameterHash: string;
  readonly population: Population;
}

const EPS = 1e-9;
const RTOL = 1e-6;
const ATOL = 1e-10;
/** Step budget per patient (accepted + rejected): a patient that needs more is reported as failed. */
const MAX_STEPS = 200_000;
/**
 * Hybrid engine (src/numerics/hybrid/split.ts, partition of src/niche/hybrid.ts): `hJump`, the longest ODE step
 * (months) while some LSC population is discrete, bounds the lag of the continuous species behind the jumps and the
 * error of the midpoint propensity inputs; `discrete`, the ODE tolerances then (every change of the LSC count is a
 * step change of the forcing of the lineages, exosome pools and immune cells; at the ODE path's 1e-6 the solver
 * resolves each transient far below the jump noise and takes about 30 times more steps); `low`/`high` the engine's
 * default thresholds. While everything is continuous the tolerances are the ODE path's. test/cohort/hybrid.test.ts
 * checks extinction against the branching-process value with these settings.
 */
export const HYBRID_SETTINGS = {
  hJump: 0.5,
  fastRate: 1e4,
  discrete: { rtol: 1e-4, atol: 1e-3 },
  low: 100,
  high: 200,
} as const;

/** The reactions and partition of a drug model for the hybrid engine (src/niche/hybrid.ts). */
interface HybridParts {
  readonly problem: JumpProblem;
  readonly partition: readonly PartitionMode[];
}

/** One compiled niche model: the exposure of one drug (or none), patient-independent. */
interface DrugModel {
  readonly drug: string;
  readonly nm: NicheModel;
  readonly compiled: CompiledModel;
  /** Parameter index of E_<clone>, clones native first (empty without a drug). */
  readonly eIndex: Int32Array;
  /** PD of each clone for this drug. */
  readonly pd: readonly HillParams[];
  readonly pk?: DrugPk;
  readonly kyIndex: number;
  /** p0 with the scenario's patient.parameters applied, and their keep flags. */
  readonly p0: Float64Array;
  readonly keep0: Uint8Array;
  readonly paramIndex: ReadonlyMap<string, number>;
  readonly blastsMarrow: number;
  readonly blastsBlood: number;
  /** Engine hybrid only. */
  readonly hybrid?: HybridParts;
}

interface Internal {
  readonly kb: KnowledgeBase;
  readonly defs: ClinicalDefinitionSet;
  readonly lod: number;
  readonly T: number;
  readonly models: ReadonlyMap<string, DrugModel>;
  /** The model before any drug (the first drug's, or the drug-free model for an empty plan). */
  readonly first: DrugModel;
  /** Regular monitoring visits (months, sorted). */
  readonly visits: Float64Array;
  /** Stops: visits and milestone months within follow-up, sorted, with flags. */
  readonly stops: Float64Array;
  readonly stopIsVisit: Uint8Array;
  /** Phase read-out grid (outputs.stepMonths), when the blast-crisis route is on. */
  readonly grid?: Float64Array;
  readonly stateIds: readonly string[];
  readonly cycling: Int32Array;
  /** With the blood read-out, the state of each cycling clone's relative output (blood.ts); empty without. */
  readonly bloodOutput: Int32Array;
  readonly lscAll: Int32Array;
  /** State indices (into lscAll order) of the switch rule's mutant clone. */
  readonly mutantLsc: Int32Array;
  /** State indices (into lscAll order) of every resistant (non-native) clone (outcome mutantShare*, V23). */
  readonly resistantLsc: Int32Array;
  readonly plan0: readonly PlanEntry[];
  readonly therapyStart: number;
  readonly depthMMR: number;
  readonly depthMR4: number;
  readonly depthMR45: number;
  readonly depthDmr: number;
  readonly engine: 'ode' | 'hybrid';
  readonly hybridLow: number;
  readonly hybridHigh: number;
}

const INTERNAL = new WeakMap<CohortProgram, Internal>();

function internal(p: CohortProgram): Internal {
  const i = INTERNAL.get(p);
  if (!i) throw new Error('simulatePatient: not a program from prepareCohort');
  return i;
}

function drugModel(s: Scenario, kb: KnowledgeBase, drug: string | undefined): DrugModel {
  const nm = buildNiche(scenarioNicheOptions(s, drug ? { kind: 'parametric', drug } : { kind: 'none' }), kb);
  const compiled = compileModel(nm.model);
  const paramIndex = new Map(compiled.parameterIds.map((id, j) => [id, j] as const));
  const p0 = compiled.p0.slice();
  const keep0 = new Uint8Array(p0.length);
  for (const [id, v] of Object.entries(s.patient.parameters)) {
    const j = paramIndex.get(id);
    if (j === undefined) {
      const near = closestNames(id, compiled.parameterIds);
      throw new ScenarioRunError(
        `patient.parameters.${id}`,
        `unknown model parameter '${id}'${near.length ? ` (did you mean ${near.map((n) => `'${n}'`).join(', ')}?)` : ''}`,
      );
    }
    p0[j] = v;
    keep0[j] = 1;
  }
  const clones = ['native', ...nm.options.clones];
  const eIndex = drug
    ? Int32Array.from(clones, (m) => paramIndex.get(`E${cloneSuffix(m) || '_native'}`) as number)
    : new Int32Array(0);
  const pd = drug
    ? clones.map((m) => ({ ic50: clonePotency(kb, drug, m).ic50, hill: DEFAULT_HILL.value }))
    : [];
  const ky = paramIndex.get('Ky');
  if (ky === undefined) throw new Error('cohort: the niche model has no Ky (Hähnel core needed)');
  let hybrid: HybridParts | undefined;
  if (s.engine === 'hybrid') {
    const r = compilePropensities(nm.model, compiled);
    const part = nicheHybridPartition(nm);
    hybrid = {
      problem: jumpProblem({
        x0: new Float64Array(compiled.stateIds.length),
        p: p0,
        propensities: r.propensities,
        ...(r.propensityInto ? { propensityInto: r.propensityInto } : {}),
        changes: r.changes,
        reads: r.reads,
        ...(r.timeDependent ? { timeDependent: r.timeDependent } : {}),
        speciesNames: compiled.stateIds,
        reactionNames: r.names,
      }),
      partition: compiled.stateIds.map((id) => part[id] ?? 'continuous'),
    };
  }
  return {
    ...(hybrid ? { hybrid } : {}),
    drug: drug ?? '',
    nm,
    compiled,
    eIndex,
    pd,
    ...(drug ? { pk: drugPk(kb, drug) } : {}),
    kyIndex: ky,
    p0,
    keep0,
    paramIndex,
    blastsMarrow: compiled.observableIds.indexOf('blasts_marrow_percent'),
    blastsBlood: compiled.observableIds.indexOf('blasts_blood_percent'),
  };
}

const sorted = (xs: Iterable<number>) => Float64Array.from(new Set(xs)).sort();

/**
 * Builds and compiles the scenario's niche model(s) once; `override.patients` replaces cohort.patients,
 * `override.hybrid` the hybrid engine's thresholds (tests: low = high = 0 keeps everything continuous).
 */
export function prepareCohort(
  scenario: Scenario,
  kb: KnowledgeBase,
  override?: { patients?: number; hybrid?: { low?: number; high?: number } },
): CohortProgram {
  const s = scenario;
  if (s.model !== 'niche')
    throw new ScenarioRunError('model', 'cohorts run the niche model only (model: niche)');
  if (s.engine !== 'ode' && s.engine !== 'hybrid')
    throw new ScenarioRunError(
      'engine',
      `the cohort runner runs engine ode (deterministic) or hybrid (stochastic LSCs, the rest deterministic) per patient; '${s.engine}' per patient is not supported (docs/cohorts.md)`,
    );
  const spec = cohortSpecOf(s);
  const patients = override?.patients ?? spec.patients;
  if (!Number.isSafeInteger(patients) || patients < 1)
    throw new RangeError(`cohort: patients must be an integer >= 1, got ${patients}`);
  const population = preparePopulation(s, kb, spec);
  const drugs = population.drugs.map((d) => d.drug);
  const models = new Map<string, DrugModel>();
  for (const d of drugs) models.set(d, drugModel(s, kb, d));
  const first = drugs.length > 0 ? (models.get(drugs[0]) as DrugModel) : drugModel(s, kb, undefined);
  const stateIds = first.compiled.stateIds;
  for (const m of models.values())
    if (m.compiled.stateIds.join() !== stateIds.join())
      throw new Error('cohort: the drug models differ in their states (internal error)');
  // Cohort parameters must be model parameters; core ids the model lacks (immune off: pz, Kz, Z_init) are skipped.
  const ids = new Set<string>(Object.keys(spec.parameters));
  for (const st of spec.strata ?? []) for (const id of Object.keys(st.parameters)) ids.add(id);
  for (const id of ids)
    if (!first.paramIndex.has(id)) {
      const near = closestNames(id, first.compiled.parameterIds);
      const where = Object.hasOwn(spec.parameters, id) ? `cohort.parameters.${id}` : 'cohort.strata';
      throw new ScenarioRunError(
        where,
        `unknown model parameter '${id}'${near.length ? ` (did you mean ${near.map((n) => `'${n}'`).join(', ')}?)` : ''}`,
      );
    }
  const T = s.durationMonths;
  const defs = clinicalDefinitions(kb);
  const mr45 = defs.molecularResponse.levels.find((l) => l.id === 'MR4.5');
  const lod = s.monitoring.detectionLimitIS ?? mr45?.maxPercentIS.value ?? 0.0032;
  const visitList: number[] = [];
  if (s.monitoring.months) visitList.push(...s.monitoring.months.filter((m) => m <= T));
  else
    for (let k = 0; k * s.monitoring.everyMonths <= T + EPS; k++)
      visitList.push(k * s.monitoring.everyMonths);
  const visits = sorted(visitList);
  const stops = sorted([...visits, ...MILESTONE_MONTHS.filter((m) => m <= T + EPS)]);
  const stopIsVisit = Uint8Array.from(stops, (t) => (visits.includes(t) ? 1 : 0));
  let grid: Float64Array | undefined;
  if (s.niche.blastCrisis) {
    const g: number[] = [];
    for (let k = 0; k * s.outputs.stepMonths <= T + EPS; k++) g.push(Math.min(T, k * s.outputs.stepMonths));
    g.push(T);
    grid = sorted(g);
  }
  const idx = (id: string) => stateIds.indexOf(id);
  const lscIds = [...first.nm.lsc.quiescent, ...first.nm.lsc.cycling];
  const sw = s.therapy.switchOnMutation;
  const suffix = sw ? cloneSuffix(sw.mutation) : undefined;
  const mutantLsc = Int32Array.from(lscIds.flatMap((id, i) => (suffix && id.endsWith(suffix) ? [i] : [])));
  const resistantIds = new Set([...first.nm.lsc.quiescent.slice(1), ...first.nm.lsc.cycling.slice(1)]);
  const resistantLsc = Int32Array.from(lscIds.flatMap((id, i) => (resistantIds.has(id) ? [i] : [])));
  const plan0: PlanEntry[] = s.therapy.schedule.map((e) => ({
    drug: e.drug,
    doseMg: e.doseMg,
    intervalHours: e.intervalHours,
    startMonth: e.startMonth,
    ...(e.stopMonth !== undefined ? { stopMonth: e.stopMonth } : {}),
    doseChanges: e.doseChanges,
    interruptions: e.interruptions,
    reason: 'plan',
  }));
  const depth = (l: 'MMR' | 'MR4' | 'MR4.5') => responseDepth(l, defs.molecularResponse);
  const texts = [first, ...models.values()].map((m) => m.nm.text);
  const modelHash = sha256Hex([...new Set(texts)].join('\n'));
  const parameterHash = sha256Hex(
    JSON.stringify({
      parameters: hashParameters(first.compiled.parameterIds.map((id, j) => ({ id, value: first.p0[j] }))),
      cohort: spec,
    }),
  );
  const program: CohortProgram = {
    scenario: s,
    spec: { ...spec, patients },
    patients,
    seed: BigInt(s.seed),
    modelHash,
    parameterHash,
    population,
  };
  INTERNAL.set(program, {
    kb,
    defs,
    lod,
    T,
    models,
    first,
    visits,
    stops,
    stopIsVisit,
    ...(grid ? { grid } : {}),
    stateIds,
    cycling: Int32Array.from(first.nm.lsc.cycling, idx),
    bloodOutput:
      first.nm.options.readout === 'blood'
        ? Int32Array.from(first.nm.lsc.cycling, (_, i) => idx(bloodOutputName(i)))
        : new Int32Array(0),
    lscAll: Int32Array.from(lscIds, idx),
    mutantLsc,
    resistantLsc,
    plan0,
    therapyStart: plan0.length > 0 ? Math.min(...plan0.map((e) => e.startMonth)) : 0,
    depthMMR: depth('MMR'),
    depthMR4: depth('MR4'),
    depthMR45: depth('MR4.5'),
    depthDmr: responseDepth(defs.tfr.minimal.dmrLevel, defs.molecularResponse),
    engine: s.engine,
    hybridLow: override?.hybrid?.low ?? HYBRID_SETTINGS.low,
    hybridHigh: override?.hybrid?.high ?? HYBRID_SETTINGS.high,
  });
  return program;
}

/** A change of the exposure: from month t the model `model` with effects E (per clone) applies. */
interface Change {
  readonly t: number;
  readonly model: DrugModel;
  readonly E: Float64Array;
}

/**
 * The plan's exposure as parameter changes (the same resolved segments runScenario's models get as events). Plan
 * entries whose window ends at or before `from` are skipped (after a decision only the future matters).
 */
function exposureTimeline(I: Internal, plan: readonly PlanEntry[], vp: VirtualPatient, from = 0): Change[] {
  const entries = [...plan].sort((a, b) => a.startMonth - b.startMonth);
  const out: Change[] = [];
  const none = new Float64Array(I.first.eIndex.length);
  if (entries.length === 0 || entries[0].startMonth > EPS) out.push({ t: 0, model: I.first, E: none });
  entries.forEach((e, i) => {
    const end = Math.min(entries[i + 1]?.startMonth ?? I.T, I.T);
    if (!(end > e.startMonth + EPS) || end <= from + EPS) return;
    const dm = I.models.get(e.drug) as DrugModel;
    const pk = dm.pk as DrugPk;
    const params: PkParams = vp.pk?.[e.drug] ?? pk.params;
    const horizonDays = (end - e.startMonth) * DAYS_PER_MONTH;
    const sched = toSchedule(e, e.startMonth);
    const doses = expandDoses(sched, horizonDays);
    const segs = regimenSegments(sched, horizonDays);
    if (doses.times.length === 0 || segs.length === 0) {
      out.push({ t: e.startMonth, model: dm, E: new Float64Array(dm.eIndex.length) });
      return;
    }
    const profile = new PkProfile(params, doses, { fu: pk.fu, molecularWeight: pk.molecularWeight });
    const per = dm.pd.map((pd) => exposureSegmentsResolved(segs, profile, pd, horizonDays));
    const at = (b: number) => Float64Array.from(per, (x) => segmentEffect(x, b));
    out.push({ t: e.startMonth, model: dm, E: at(0) });
    for (const b of segmentBoundaries(per[0]))
      if (b > 0 && b < horizonDays) out.push({ t: e.startMonth + b / DAYS_PER_MONTH, model: dm, E: at(b) });
  });
  return out;
}

class SolverFailure extends Error {}

/** Months after the first TKI stop at which the second mutant share is read (V23, cml-models.md §9). */
const MUTANT_SHARE_AFTER_STOP_MONTHS = 6;

/**
 * The first month at which therapy goes from on to off in the plan: the end (stopMonth) of an entry that no other
 * entry continues (a switch or restart starting at that month continues it). Infinity when therapy never stops.
 */
export function firstTherapyStop(plan: readonly PlanEntry[]): number {
  let best = Number.POSITIVE_INFINITY;
  for (const e of plan) {
    const t = e.stopMonth;
    if (t === undefined || !(t > e.startMonth + EPS) || t >= best) continue;
    const continued = plan.some(
      (x) => x.startMonth <= t + EPS && (x.stopMonth === undefined || x.stopMonth > t + EPS),
    );
    if (!continued) best = t;
  }
  return best;
}

/** What simulateWith needs of a stepper: an ODE stepper, or the hybrid engine's split stepper. */
type Driver = Pick<Stepper, 't' | 'y' | 'step' | 'interpolate' | 'reset'>;

/**
 * Simulates virtual patient k of the program: its outcome row. Never throws for a failed solve. Rodas5P first; a
 * patient on which it fails (step size underflow, in about 0.5 % of log-normal draws, after a restart late in
 * follow-up) is run again from the start with the `auto` method (Tsit5/Rodas5P switching, runScenario's choice),
 * which still gives a pure function of (program, k).
 */
export function simulatePatient(program: CohortProgram, k: number): PatientOutcome {
  const vp = drawPatient(program.population, k);
  const first = simulateWith(program, k, vp, Rodas5P);
  if (first.status === 'ok') return first;
  const second = simulateWith(program, k, vp, Auto);
  return second.status === 'ok'
    ? second
    : { ...second, message: `Rodas5P: ${first.message}; auto: ${second.message}` };
}

function simulateWith(
  program: CohortProgram,
  k: number,
  vp: VirtualPatient,
  method: OdeMethod,
): PatientOutcome {
  const I = internal(program);
  const s = program.scenario;
  const T = I.T;
  const n = I.stateIds.length;
  const defs = I.defs;

  // Per-patient records.
  const sampleT: number[] = [];
  const sampleV: number[] = []; // true % IS
  const sampleDepth: number[] = [];
  const regular: TimedPcrResult[] = []; // regular visits from the start of therapy (TFR history)
  const onDrugT: number[] = []; // detected values on therapy (slopes)
  const onDrugV: number[] = [];
  const milestone = new Map<number, number>();
  const gridN = I.grid?.length ?? 0;
  const marrow = new Float64Array(gridN);
  const blood = new Float64Array(gridN);
  let gi = 0;
  let timeMutation = Number.NaN;
  let timeEligible = Number.NaN;
  let timeStop = Number.NaN;
  let timeRelapse = Number.NaN;
  let shareAtStop = Number.NaN;
  let shareAfterStop = Number.NaN;
  let offAt = Number.NaN; // month of the first TKI stop once reached (the plan is only amended forward)
  let t = 0;
  let status: 'ok' | 'failed' = 'ok';
  let message = '';

  const pkFirst =
    I.plan0.length > 0 ? [...I.plan0].sort((a, b) => a.startMonth - b.startMonth)[0] : undefined;
  const cmin = pkFirst
    ? steadyState(
        vp.pk?.[pkFirst.drug] ?? (I.models.get(pkFirst.drug) as DrugModel & { pk: DrugPk }).pk.params,
        pkFirst.doseMg,
        pkFirst.intervalHours,
      ).cmin
    : Number.NaN;

  try {
    let plan: PlanEntry[] = I.plan0.map((e) => ({ ...e }));
    let tl = exposureTimeline(I, plan, vp);
    let ci = 0; // next change to apply
    let dm = tl[0].model;
    const y = new Float64Array(n);
    const ybuf = new Float64Array(n);
    let obs = new Float64Array(dm.compiled.observableIds.length);
    let p = dm.p0.slice();
    let keep = dm.keep0.slice();
    const params = (m: DrugModel): Float64Array => {
      const q = m.p0.slice();
      const kp = m.keep0.slice();
      for (const [id, v] of Object.entries(vp.parameters)) {
        const j = m.paramIndex.get(id);
        if (j === undefined) continue; // a core id the model lacks (immune compartment off)
        q[j] = v;
        kp[j] = 1;
      }
      // --- BEGIN blast-crisis founder thresholds (owner: blast-crisis route, src/niche/blast.ts) ---
      // Models of the route carry bc_threshold_1..n and bc_kind_1..n (founders; in the hybrid form those of the
      // preclinical window); patient k draws them from (seed, 'blast-crisis', k), so that patient 0 with a fixed
      // core reproduces runScenario (which draws index 0). Scenario values (keep set) win.
      for (const [id, v] of Object.entries(
        drawBcFounders(program.seed, 'blast-crisis', k, bcFounderDraws(m.nm.options)),
      )) {
        const j = m.paramIndex.get(id);
        if (j !== undefined && kp[j] === 0) {
          q[j] = v;
          kp[j] = 1;
        }
      }
      // --- END blast-crisis founder thresholds ---
      p = q;
      keep = kp;
      return q;
    };
    const setE = (c: Change) => {
      for (let j = 0; j < c.E.length; j++) p[dm.eIndex[j]] = c.E[j];
    };
    params(dm);
    setE(tl[0]);
    ci = 1;
    while (ci < tl.length && tl[ci].t <= EPS) {
      setE(tl[ci]);
      ci++;
    }
    y.set(dm.compiled.initialState(p, keep, 0));
    let steps = 0;
    const stats = emptyStats();
    let hs: SplitHybridStepper | undefined;
    const makeStepper = (): Driver => {
      if (I.engine === 'hybrid') {
        const h = dm.hybrid as HybridParts;
        const sys = { problem: h.problem, rhs: dm.compiled.rhs, jacobian: dm.compiled.jacobian, p };
        if (hs) {
          hs.setSystem(sys);
          return hs;
        }
        hs = new SplitHybridStepper(sys, y, {
          method,
          partition: h.partition,
          rtol: RTOL,
          atol: ATOL,
          discreteTolerances: HYBRID_SETTINGS.discrete,
          low: I.hybridLow,
          high: I.hybridHigh,
          hmax: T,
          hJump: HYBRID_SETTINGS.hJump,
          fastRate: HYBRID_SETTINGS.fastRate,
        });
        // Patient k's own stream: its jumps and roundings depend on (seed, k) only.
        hs.start(t, y, streamFor(program.seed, ['purpose', 'cohort-engine'], ['patient', k]));
        y.set(hs.y);
        return hs;
      }
      const rhs = dm.compiled.rhs;
      const jac = dm.compiled.jacobian;
      const pp = p;
      return method.create(
        odeProblem((tt, yy, dy) => rhs(tt, yy, pp, dy), y, [t, T], {
          jac: (tt: number, yy: Float64Array, J: Float64Array) => jac(tt, yy, pp, J),
        }),
        { rtol: RTOL, atol: ATOL, hmax: T, hmin: 0, stats },
      );
    };
    let stepper = makeStepper();

    /** Applies an exposure change at t: new effects, or a new drug's model (state carried over); true: reset. */
    const apply = (c: Change): boolean => {
      if (c.model === dm) {
        setE(c);
        return true;
      }
      dm = c.model;
      params(dm);
      dm.compiled.initialState(p, keep, t); // this model's derived parameters; the state carries over
      obs = new Float64Array(dm.compiled.observableIds.length);
      setE(c);
      stepper = makeStepper();
      return false;
    };
    const recordGrid = (tq: number, yy: Float64Array) => {
      dm.compiled.observe(tq, yy, p, obs);
      marrow[gi] = obs[dm.blastsMarrow];
      blood[gi] = obs[dm.blastsBlood];
      gi++;
    };
    if (I.grid) while (gi < gridN && I.grid[gi] <= EPS) recordGrid(0, y);
    /**
     * Moves to tTarget (a visit, milestone or exposure change): steps up to the next exposure change or the end,
     * `tLimit`, which the stepper lands on exactly; a visit inside a step is read from the dense output (as solve
     * reads its saveat points), so visits cost no step. A decision at a visit rewinds the stepper (reset) to it.
     */
    const advance = (tTarget: number, tLimit: number) => {
      while (stepper.t < tTarget) {
        const st = stepper.step(tLimit);
        if (st !== 'ok') throw new SolverFailure(`${st} at month ${stepper.t.toPrecision(6)}`);
        if (++steps > MAX_STEPS)
          throw new SolverFailure(`more than ${MAX_STEPS} steps by month ${stepper.t}`);
        t = stepper.t;
        if (I.grid)
          while (gi < gridN && I.grid[gi] <= stepper.t) {
            stepper.interpolate(I.grid[gi], ybuf);
            recordGrid(I.grid[gi], ybuf);
          }
      }
      t = tTarget;
      if (stepper.t === tTarget) y.set(stepper.y);
      else stepper.interpolate(tTarget, y);
    };
    const percentIS = (): number => {
      let yt = 0;
      for (let j = 0; j < I.cycling.length; j++) yt += Math.max(0, y[I.cycling[j]]);
      if (I.bloodOutput.length === 0)
        return toPercentIS(bcrAblRatio({ leukaemic: yt, reference: p[dm.kyIndex] }, 'hahnel'));
      let out = 0;
      for (let j = 0; j < I.cycling.length; j++)
        out += Math.max(0, y[I.cycling[j]]) * Math.max(0, y[I.bloodOutput[j]]);
      const ky = p[dm.kyIndex];
      return toPercentIS(bloodBcrAbl(yt / ky, out / ky));
    };
    const mutantShare = (): number => {
      let all = 0;
      let mut = 0;
      for (let j = 0; j < I.lscAll.length; j++) all += Math.max(0, y[I.lscAll[j]]);
      for (let j = 0; j < I.mutantLsc.length; j++) mut += Math.max(0, y[I.lscAll[I.mutantLsc[j]]]);
      return all > 0 ? mut / all : 0;
    };
    /** Resistant (non-native) clones' share of all LSCs (V23); NaN without such a clone or LSCs. */
    const resistantShare = (): number => {
      if (I.resistantLsc.length === 0) return Number.NaN;
      let all = 0;
      let mut = 0;
      for (let j = 0; j < I.lscAll.length; j++) all += Math.max(0, y[I.lscAll[j]]);
      for (let j = 0; j < I.resistantLsc.length; j++) mut += Math.max(0, y[I.lscAll[I.resistantLsc[j]]]);
      return all > 0 ? mut / all : Number.NaN;
    };
    const chronicSoFar = (): boolean => {
      if (!I.grid || gi === 0) return true;
      const pc = phaseCourse(
        {
          time: I.grid.subarray(0, gi),
          column: (id: string) => (id === 'blasts_marrow_percent' ? marrow : blood).subarray(0, gi),
        },
        s.outputs.phaseScheme,
        defs,
      );
      return pc.onset.accelerated === undefined;
    };

    const tfr = s.therapy.tfr;
    const sw = s.therapy.switchOnMutation;
    let switched = false;
    let tfrState: 'watch' | 'stopped' | 'done' = tfr?.attempt ? 'watch' : 'done';
    let eligibleWatch = true; // eligibility is tracked for the outcome until first met
    let si = 0; // next regular stop
    let tfrK = 1; // next TFR visit index (k * monitorEveryMonths)
    const nextTfrVisit = () => {
      if (!(tfrState !== 'watch' && !Number.isNaN(timeStop) && tfr)) return Number.POSITIVE_INFINITY;
      while (tfrK * tfr.monitorEveryMonths <= timeStop + EPS) tfrK++;
      return tfrK * tfr.monitorEveryMonths;
    };

    while (t < T - EPS || (si < I.stops.length && I.stops[si] <= T + EPS)) {
      const tStop = si < I.stops.length ? I.stops[si] : Number.POSITIVE_INFINITY;
      const tTfr = nextTfrVisit();
      const tChange = ci < tl.length ? tl[ci].t : Number.POSITIVE_INFINITY;
      // The first stop and 6 months later are read from the dense output (they cost no step).
      let tShare = Number.POSITIVE_INFINITY;
      if (Number.isNaN(offAt)) {
        const off = firstTherapyStop(plan);
        if (off > t + EPS) tShare = off;
      } else if (Number.isNaN(shareAfterStop) && offAt + MUTANT_SHARE_AFTER_STOP_MONTHS > t + EPS)
        tShare = offAt + MUTANT_SHARE_AFTER_STOP_MONTHS;
      const tNext = Math.min(tStop, tTfr, tChange, tShare, T);
      if (tNext > t) advance(tNext, Math.min(tChange, T));
      let restart = false;
      while (ci < tl.length && tl[ci].t <= t + EPS) {
        if (apply(tl[ci])) restart = true;
        ci++;
      }
      const atRegular = si < I.stops.length && Math.abs(I.stops[si] - t) <= EPS;
      const isVisit = (atRegular && I.stopIsVisit[si] === 1) || Math.abs(tTfr - t) <= EPS;
      const isMilestone = atRegular && (MILESTONE_MONTHS as readonly number[]).includes(I.stops[si]);
      if (atRegular) si++;
      if (Math.abs(tTfr - t) <= EPS) tfrK++;
      if (isMilestone || isVisit) {
        const v = percentIS();
        const pcr = assay(Math.max(0, v), { limitOfDetectionPercentIS: I.lod });
        if (isMilestone) milestone.set(t, pcr.detected ? v : I.lod);
        if (isVisit) {
          const level = molecularResponse(pcr, defs.molecularResponse).level;
          const depth = responseDepth(level, defs.molecularResponse);
          sampleT.push(t);
          sampleV.push(v);
          sampleDepth.push(depth);
          const entry = activeEntry(plan, t);
          const regularVisit = atRegular && I.stopIsVisit[si - 1] === 1;
          if (regularVisit && t >= I.therapyStart - EPS) regular.push({ months: t, ...pcr });
          if (entry && pcr.detected) {
            onDrugT.push(t);
            onDrugV.push(v);
          }
          let decided = false;
          // Mutation analysis (switch rule).
          if (sw) {
            const share = mutantShare();
            const detected = share >= sw.detectionShare && v >= sw.minBcrAblIS;
            if (detected && Number.isNaN(timeMutation)) timeMutation = t;
            if (detected && !switched && entry && entry.drug !== sw.to) {
              plan = endAt(plan, t);
              plan.push(switchEntry(I.kb, sw, t, share));
              switched = true;
              decided = true;
            }
          }
          // ELN 2020 TFR eligibility (needs the current sample in DMR: otherwise the DMR duration is 0).
          const watchStop = !decided && tfr !== undefined && tfrState === 'watch';
          if (entry && regularVisit && (eligibleWatch || watchStop) && depth >= I.depthDmr) {
            const a = tfrAssessment(s, defs, regular, {
              t,
              therapyStart: I.therapyStart,
              drug: entry.drug,
              switched,
              chronic: chronicSoFar(),
            });
            if (a.eligible && eligibleWatch) {
              timeEligible = t;
              eligibleWatch = false;
            }
            const fixed = typeof tfr?.stopMonth === 'number' ? tfr.stopMonth : undefined;
            if (watchStop && (fixed === undefined || t >= fixed - EPS)) {
              if (a.eligible) {
                plan = endAt(plan, t);
                timeStop = t;
                tfrState = 'stopped';
                decided = true;
              } else if (fixed !== undefined) tfrState = 'done';
            }
          } else if (
            watchStop &&
            entry &&
            regularVisit &&
            typeof tfr?.stopMonth === 'number' &&
            t >= tfr.stopMonth - EPS
          )
            tfrState = 'done'; // assessed at the fixed month and not in DMR: not eligible
          // Loss of MMR after the stop.
          if (!decided && tfrState === 'stopped' && t > timeStop && !entry && depth < I.depthMMR) {
            timeRelapse = t;
            tfrState = 'done';
            if (tfr?.restartOnMmrLoss) {
              const restart = restartEntry(plan, timeStop, t);
              if (restart) {
                plan.push(restart);
                decided = true;
              }
            }
          }
          if (decided) {
            restart = true; // rewind the stepper to this visit (it may have stepped past it)
            if (I.grid) while (gi > 0 && I.grid[gi - 1] > t) gi--; // drop read-outs of the abandoned path
            tl = exposureTimeline(I, plan, vp, t);
            // A restart at the last visit (t = T) has an empty window: keep the current model with zero effect.
            if (tl.length === 0) tl = [{ t, model: dm, E: new Float64Array(dm.eIndex.length) }];
            let cur = 0;
            while (cur + 1 < tl.length && tl[cur + 1].t <= t + EPS) cur++;
            ci = cur + 1;
            if (apply(tl[cur])) restart = true;
          }
        }
      }
      // Mutant share at the first stop (a TFR stop is decided at this visit, a scheduled stop is a plan month)
      // and 6 months later; y is the state at t (before any rewind).
      if (Number.isNaN(offAt)) {
        const off = firstTherapyStop(plan);
        if (Math.abs(off - t) <= EPS) {
          offAt = off;
          shareAtStop = resistantShare();
        }
      } else if (Number.isNaN(shareAfterStop) && Math.abs(offAt + MUTANT_SHARE_AFTER_STOP_MONTHS - t) <= EPS)
        shareAfterStop = resistantShare();
      if (restart) stepper.reset(t, y);
      if (t >= T - EPS && si >= I.stops.length) break;
    }
  } catch (e) {
    status = 'failed';
    message = e instanceof Error ? e.message : String(e);
  }

  const followUp = status === 'ok' ? T : t;
  const first = (d: number) => {
    for (let i = 0; i < sampleT.length; i++) if (sampleDepth[i] >= d) return sampleT[i];
    return Number.NaN;
  };
  let timeProgression = Number.NaN;
  let timeBlast = Number.NaN;
  if (I.grid && gi > 0) {
    const pc = phaseCourse(
      {
        time: I.grid.subarray(0, gi),
        column: (id: string) => (id === 'blasts_marrow_percent' ? marrow : blood).subarray(0, gi),
      },
      s.outputs.phaseScheme,
      defs,
    );
    timeProgression = pc.onset.accelerated ?? Number.NaN;
    timeBlast = pc.onset.blast ?? Number.NaN;
  }
  const milestones: Record<string, number> = {};
  for (const m of MILESTONE_MONTHS) milestones[milestoneColumn(m)] = milestone.get(m) ?? Number.NaN;
  return {
    patient: k,
    stratum: vp.stratum,
    status,
    message,
    followUpMonths: followUp,
    cminNgPerMl: cmin,
    timeMMR: first(I.depthMMR),
    timeMR4: first(I.depthMR4),
    timeMR45: first(I.depthMR45),
    timeProgression,
    timeBlastCrisis: timeBlast,
    timeTfrEligible: timeEligible,
    timeTfrStop: timeStop,
    timeTfrRelapse: timeRelapse,
    timeMutation,
    mutantShareAtStop: shareAtStop,
    mutantShare6mAfterStop: shareAfterStop,
    slopePhase1: logDeclineRate(onDrugT, onDrugV, 0, 3),
    slopePhase2: logDeclineRate(onDrugT, onDrugV, 4, 12),
    slopePhase3: logDeclineRate(onDrugT, onDrugV, 12, 60),
    milestones,
  };
}

/** The core parameter ids a patient's draw sets (for documentation and tests). */
export const CORE_PARAMETER_IDS: readonly string[] = HAHNEL_CORE.map((c) => c.id);
