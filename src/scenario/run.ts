/**
 * runScenario: a validated scenario -> ScenarioRun (run-result.ts).
 *
 * Niche model. The therapy plan (one TKI at a time) is simulated as sequential segments, one per drug entry (or
 * drug-free gap): each segment is the niche model built with that entry's schedule (shifted to start at 0; the
 * exposure summary with transients resolved, src/niche/tki.ts) and starts from the previous segment's final
 * state (species amounts). Rule decisions (switch when a mutation is detected, TFR stop, restart at loss of MMR)
 * are taken at monitoring visits: the plan is amended at the visit and the run continues from the state at that
 * visit, so the trajectory before a decision is never re-simulated (also with the stochastic engines). Washout
 * of the previous drug at a switch is not modelled (hours against the model's months).
 *
 * Reference and file models run on their own (no therapy mapping, no niche read-outs): the BCR-ABL1 series comes
 * from the reference model's read-out description or the model's `bcr_abl_percent` / `bcr_abl` observable.
 */
import { bcrAblRatio, bcrAblSeries, toPercentIS } from '../clinic/bcr-abl.js';
import { type ClinicalDefinitionSet, clinicalDefinitions } from '../clinic/definitions.js';
import { classifyMilestones } from '../clinic/eln2020.js';
import {
  assay,
  atLeast,
  type MolecularResponse,
  molecularResponse,
  responseDepth,
} from '../clinic/molecular-response.js';
import { deepResponseDurationYears, type TimedPcrResult, tfrEligibility } from '../clinic/tfr.js';
import type { KnowledgeBase } from '../knowledge/parse.js';
import { closestNames, formatCitation } from '../knowledge/query.js';
import { type ReferenceModel, referenceModelFromKnowledge } from '../knowledge/reference-catalogue.js';
import { type CompiledModel, compileModel } from '../models/compile/compile.js';
import type { Model } from '../models/ir.js';
import { simulateModel } from '../models/simulate.js';
import { type ApproximateEngine, simulateApproximate } from '../models/simulate-approximate.js';
import { simulateStochastic } from '../models/simulate-stochastic.js';
import { drawBcFounders } from '../niche/blast.js';
import { bloodBcrAbl, bloodOutputName } from '../niche/blood.js';
import { buildNiche, type NicheModel } from '../niche/build.js';
import { CHANNELS } from '../niche/channels.js';
import { nicheHybridPartition } from '../niche/hybrid.js';
import type { NicheOptions } from '../niche/options.js';
import { phaseCourse } from '../niche/readouts.js';
import { deriveStreamKey } from '../numerics/random/keys.js';
import { type PkParams, PkProfile } from '../therapy/pk.js';
import { drugPk } from '../therapy/pk-params.js';
import { DAYS_PER_MONTH } from '../therapy/rules.js';
import { expandDoses, type Schedule } from '../therapy/schedule.js';
import { samplePatients } from '../therapy/variability.js';
import type {
  MilestoneResult,
  MonitoringSample,
  ParameterUsed,
  PhaseInterval,
  RunSummary,
  ScenarioRun,
  SeriesGroup,
  SeriesInfo,
  TherapyInterval,
} from './run-result.js';
import type { Scenario } from './schema.js';
import { sha256Hex } from './sha256.js';

export interface RunScenarioOptions {
  readonly kb: KnowledgeBase;
  /** Called with the simulated fraction of the horizon (0..1). */
  readonly onProgress?: (fraction: number) => void;
  /** The already-loaded model for `model: { file }` scenarios (scenario code does no file I/O for models). */
  readonly model?: Model;
  /**
   * Compiles a model (default `compileModel`). The web engine (src/web/engine.ts) passes a cache keyed by the
   * model, so that re-running with other parameter values does not compile again; the result must be what
   * `compileModel(model)` returns.
   */
  readonly compile?: (model: Model) => CompiledModel;
  /** Builds the niche model (default `buildNiche`); the web engine passes a cache keyed by the options. */
  readonly buildNiche?: (options: NicheOptions, kb: KnowledgeBase) => NicheModel;
  /**
   * The final therapy plan of an earlier run of the same scenario (from `onFinalPlan`), e.g. before a slider moved.
   * With engine ode the run first simulates this plan and checks the monitoring decisions on that trajectory; as
   * long as they are the hinted ones, no part is simulated again after a decision (a TFR stop and restart cost one
   * integration instead of three). Where the decisions differ, the run goes on as without a hint. The result is the
   * same either way: the returned trajectory is always the final plan simulated from the start of its segments.
   */
  readonly planHint?: readonly PlanEntry[];
  /** Receives the final plan (the scheduled entries with the decisions applied), to pass back as `planHint`. */
  readonly onFinalPlan?: (plan: readonly PlanEntry[]) => void;
}

/** A problem found while running (e.g. an unknown parameter override), with the scenario field it concerns. */
export class ScenarioRunError extends Error {
  override name = 'ScenarioRunError';
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
  }
}

/** One plan entry, months from diagnosis (shared with the cohort runner, src/cohort/program.ts). */
export interface PlanEntry {
  readonly drug: string;
  readonly doseMg: number;
  readonly intervalHours: number;
  readonly startMonth: number;
  stopMonth?: number;
  readonly doseChanges: readonly { atMonth: number; doseMg: number; intervalHours?: number }[];
  readonly interruptions: readonly { fromMonth: number; toMonth: number }[];
  readonly reason: string;
}

/** A piece of trajectory: absolute times (months), observables by id, and the state (amounts) at each time. */
interface Piece {
  readonly time: Float64Array;
  readonly ids: readonly string[];
  /** Row-major values (time x ids). */
  readonly values: Float64Array;
  readonly stateIds: readonly string[];
  /** Row-major states (time x stateIds), amounts. */
  readonly states: Float64Array;
  readonly nm?: NicheModel;
}

const EPS = 1e-9;

/** The seed of the segment starting at `fromMonth` (the same segment re-simulated after a decision draws the same). */
const segmentSeed = (seed: bigint, fromMonth: number): bigint => {
  const key = deriveStreamKey(seed, [
    ['purpose', 'scenario-segment'],
    ['start-microMonth', Math.round(fromMonth * 1e6)],
  ]);
  return BigInt(key.k0) | (BigInt(key.k1 & 0x1fffff) << 32n);
};

/** A schedule of the therapy layer (days), shifted so that the entry starts at `originMonth`. */
export function toSchedule(e: PlanEntry, originMonth: number): Schedule {
  const d = (m: number) => Math.max(0, (m - originMonth) * DAYS_PER_MONTH);
  return {
    drug: e.drug,
    dose: e.doseMg,
    intervalHours: e.intervalHours,
    start: d(e.startMonth),
    ...(e.stopMonth !== undefined ? { stop: d(e.stopMonth) } : {}),
    ...(e.doseChanges.length > 0
      ? {
          doseChanges: e.doseChanges
            .filter((c) => e.stopMonth === undefined || c.atMonth < e.stopMonth)
            .map((c) => ({
              at: d(c.atMonth),
              dose: c.doseMg,
              ...(c.intervalHours !== undefined ? { intervalHours: c.intervalHours } : {}),
            })),
        }
      : {}),
    ...(e.interruptions.length > 0
      ? {
          interruptions: e.interruptions
            .filter((iv) => e.stopMonth === undefined || iv.fromMonth < e.stopMonth)
            .map((iv) => ({
              from: d(iv.fromMonth),
              to: d(e.stopMonth === undefined ? iv.toMonth : Math.min(iv.toMonth, e.stopMonth)),
            })),
        }
      : {}),
  };
}

/** The model with its species starting from `state` (amounts); initial assignments of those species dropped. */
function withInitialState(model: Model, state: ReadonlyMap<string, number>): Model {
  const species = model.species.map((s) => {
    const v = state.get(s.id);
    if (v === undefined) return s;
    const { initialConcentration: _c, ...rest } = s;
    return { ...rest, initialAmount: Math.max(0, v) };
  });
  return {
    ...model,
    species,
    initialAssignments: model.initialAssignments.filter((a) => !state.has(a.symbol)),
  };
}

interface EngineRun {
  readonly time: Float64Array;
  readonly ids: readonly string[];
  readonly values: Float64Array;
  readonly stateIds: readonly string[];
  readonly states: Float64Array;
}

function simulate(
  model: Model,
  s: Scenario,
  tEnd: number,
  saveat: Float64Array,
  seed: bigint,
  partition: Record<string, 'auto' | 'continuous' | 'discrete'> | undefined,
  compile: (model: Model) => CompiledModel = compileModel,
): EngineRun {
  const compiled = compile(model);
  const params: Record<string, number> = {};
  for (const [id, v] of Object.entries(s.patient.parameters)) {
    if (!compiled.parameterIds.includes(id)) {
      const near = closestNames(id, compiled.parameterIds);
      throw new ScenarioRunError(
        `patient.parameters.${id}`,
        `unknown model parameter '${id}'${near.length ? ` (did you mean ${near.map((n) => `'${n}'`).join(', ')}?)` : ''}`,
      );
    }
    params[id] = v;
  }
  // Blast-crisis founder draws (niche/blast.ts: thresholds and kinds; in the hybrid form those of the preclinical
  // window): replicate k draws from (seed, 'blast-crisis', k), the same in every segment; the ODE run is replicate 0,
  // as cohort patient 0 is. A patient.parameters value wins.
  const nFounders = compiled.parameterIds.filter((id) => id.startsWith('bc_threshold_')).length;
  const founderDraws = (k: number): Record<string, number> => {
    const d: Record<string, number> = {};
    for (const [id, v] of Object.entries(drawBcFounders(BigInt(s.seed), 'blast-crisis', k, nFounders)))
      if (!Object.hasOwn(params, id) && compiled.parameterIds.includes(id)) d[id] = v;
    return d;
  };
  if (s.engine === 'ode') {
    if (nFounders > 0) Object.assign(params, founderDraws(0));
    const tc = simulateModel(compiled, { tEnd, saveat, params, method: 'auto' });
    if (tc.retcode !== 'Success')
      throw new Error(
        `ODE solver stopped at t = ${tc.time[tc.time.length - 1]}: ${tc.retcode} ${tc.message}`,
      );
    return { time: tc.time, ids: tc.ids, values: tc.values, stateIds: tc.stateIds, states: tc.solution.u };
  }
  const common = {
    tEnd,
    saveat,
    seed,
    replicates: s.outputs.replicates,
    params,
  };
  const approximate = (engine: ApproximateEngine, o: typeof common & { firstReplicate?: number }) =>
    simulateApproximate(model, {
      ...o,
      engine,
      ...(engine === 'hybrid' && partition ? { hybrid: { partition } } : {}),
    });
  const engine = s.engine;
  const r =
    engine === 'ssa'
      ? simulateStochastic(model, { ...common, engine: 'ssa' })
      : nFounders > 0
        ? replicatesWithDraws(common.replicates, (k) =>
            approximate(engine, {
              ...common,
              replicates: 1,
              firstReplicate: k,
              params: { ...params, ...founderDraws(k) },
            }),
          )
        : approximate(engine, common);
  const stateIds = compiled.stateIds;
  const nt = r.time.length;
  const states = new Float64Array(nt * stateIds.length);
  const nv = r.ids.length;
  stateIds.forEach((id, k) => {
    const j = r.ids.indexOf(id);
    if (j >= 0) for (let i = 0; i < nt; i++) states[i * stateIds.length + k] = r.mean[i * nv + j];
  });
  return { time: r.time, ids: r.ids, values: r.mean, stateIds, states };
}

/**
 * The ensemble mean of replicates run one by one (each with its own parameter draws): replicate k is the ensemble's
 * replicate k (firstReplicate), so the draws are the only difference from one ensemble call.
 */
function replicatesWithDraws(
  replicates: number,
  run: (k: number) => { time: Float64Array; ids: readonly string[]; mean: Float64Array },
): { time: Float64Array; ids: readonly string[]; mean: Float64Array } {
  const first = run(0);
  const mean = first.mean.slice();
  for (let k = 1; k < replicates; k++) {
    const rk = run(k);
    for (let i = 0; i < mean.length; i++) mean[i] += rk.mean[i];
  }
  for (let i = 0; i < mean.length; i++) mean[i] /= replicates;
  return { time: first.time, ids: first.ids, mean };
}

/**
 * Founder lineages of the blast-crisis founder model (niche/blast.ts) in deterministic runs (scenario ODE runs and
 * ODE cohorts, which take their options from scenarioNicheOptions): the first founder decides untreated
 * progression; later ones matter only after extinctions under a TKI kill. Stochastic runs start with as many
 * founders of the preclinical window (option preclinicalFounders; the window rarely holds more than two).
 */
export const BC_FOUNDERS_DETERMINISTIC = 4;

/** The niche-model options of a scenario (patient, niche, clones) with the given TKI exposure. */
export function scenarioNicheOptions(s: Scenario, tki?: NicheOptions['tki']): NicheOptions {
  const iv = s.niche.interventions;
  return {
    patient: s.patient.hahnelPatient,
    exosomes: s.niche.exosomes,
    channels: s.niche.channels,
    feedbacks: s.niche.feedbacks,
    hypoxia: s.niche.hypoxia,
    interventions: {
      ...(iv.releaseInhibitor !== undefined ? { releaseInhibitor: iv.releaseInhibitor } : {}),
      ...(iv.uptakeBlocker !== undefined ? { uptakeBlocker: iv.uptakeBlocker } : {}),
      ...(iv.antiMiR !== undefined ? { antiMiR: iv.antiMiR } : {}),
      ...(iv.curcumin !== undefined ? { curcumin: iv.curcumin } : {}),
    },
    clones: s.patient.mutations,
    immune: s.niche.immune,
    blastCrisis: s.niche.blastCrisis,
    readout: s.niche.readout,
    // Deterministic engines get the founder model (niche/blast.ts); the hybrid engine treats B discretely.
    ...(s.niche.blastCrisis
      ? s.engine === 'ode'
        ? { blastFounders: BC_FOUNDERS_DETERMINISTIC }
        : { preclinicalFounders: BC_FOUNDERS_DETERMINISTIC }
      : {}),
    ...(tki ? { tki } : {}),
  };
}

/**
 * Segments of the plan over [t0, t1]: a drug-free one before the first entry, then one per entry from its start to
 * the next entry's start (or t1), so that a stop and the wash-out after it stay inside the entry's model.
 */
function segments(plan: readonly PlanEntry[], t0: number, t1: number) {
  const out: { from: number; to: number; entry?: PlanEntry }[] = [];
  const sorted = [...plan].sort((a, b) => a.startMonth - b.startMonth);
  const push = (from: number, to: number, entry?: PlanEntry) => {
    const a = Math.max(from, t0);
    const b = Math.min(to, t1);
    if (b > a + EPS) out.push({ from: a, to: b, ...(entry ? { entry } : {}) });
  };
  push(0, sorted[0]?.startMonth ?? t1);
  sorted.forEach((e, k) => push(e.startMonth, sorted[k + 1]?.startMonth ?? t1, e));
  return out;
}

function stateMap(p: Piece, i: number): Map<string, number> {
  const n = p.stateIds.length;
  return new Map(p.stateIds.map((id, k) => [id, p.states[i * n + k]] as const));
}

/**
 * The first month at which two plans can give different trajectories (Infinity if they agree everywhere): the
 * earlier start of a pair of entries that differ in anything but their stop, the earlier stop of a pair that differs
 * only there, the start of an entry one plan has and the other lacks. Before that month both plans build the same
 * segment models with the same exposure events.
 */
export function firstPlanDifference(a: readonly PlanEntry[], b: readonly PlanEntry[]): number {
  const order = (p: readonly PlanEntry[]) => [...p].sort((x, y) => x.startMonth - y.startMonth);
  const A = order(a);
  const B = order(b);
  let d = Number.POSITIVE_INFINITY;
  for (let i = 0; i < Math.max(A.length, B.length); i++) {
    const x = A[i];
    const y = B[i];
    if (!x || !y) {
      d = Math.min(d, (x ?? y).startMonth);
      continue;
    }
    const same =
      x.drug === y.drug &&
      x.doseMg === y.doseMg &&
      x.intervalHours === y.intervalHours &&
      x.startMonth === y.startMonth &&
      JSON.stringify(x.doseChanges) === JSON.stringify(y.doseChanges) &&
      JSON.stringify(x.interruptions) === JSON.stringify(y.interruptions);
    if (!same) d = Math.min(d, x.startMonth, y.startMonth);
    else if (x.stopMonth !== y.stopMonth)
      d = Math.min(d, x.stopMonth ?? Number.POSITIVE_INFINITY, y.stopMonth ?? Number.POSITIVE_INFINITY);
  }
  return d;
}

export function runScenario(s: Scenario, options: RunScenarioOptions): ScenarioRun {
  if (s.model !== 'niche') return runOtherModel(s, options);
  if (s.engine === 'ssa' || s.engine === 'tau')
    throw new ScenarioRunError(
      'engine',
      `'${s.engine}' treats every reaction as a stochastic jump, but the niche model has net-rate reactions (e.g. the normal stem-cell growth GrowN) that are not propensities; use engine: hybrid (leukaemic stem cells stochastic, the rest deterministic) or ode`,
    );
  const { kb } = options;
  const T = s.durationMonths;
  const seed = BigInt(s.seed);
  const warnings: string[] = [];
  const defs = clinicalDefinitions(kb);
  const mr45 = defs.molecularResponse.levels.find((l) => l.id === 'MR4.5');
  const lod = s.monitoring.detectionLimitIS ?? mr45?.maxPercentIS.value ?? 0.0032;
  if (s.engine !== 'ode' && s.outputs.replicates > 1)
    warnings.push(`${s.outputs.replicates} replicates: series and decisions follow the ensemble mean`);

  // Time grid: regular outputs, monitoring visits and (with TFR) the monthly visits off therapy.
  const grid = new Set<number>();
  const addT = (t: number) => {
    if (t >= -EPS && t <= T + EPS) grid.add(Math.round(Math.min(T, Math.max(0, t)) * 1e9) / 1e9);
  };
  for (let k = 0; k * s.outputs.stepMonths <= T + EPS; k++) addT(k * s.outputs.stepMonths);
  addT(T);
  const visits: number[] = [];
  if (s.monitoring.months) visits.push(...s.monitoring.months.filter((m) => m <= T));
  else
    for (let k = 0; k * s.monitoring.everyMonths <= T + EPS; k++) visits.push(k * s.monitoring.everyMonths);
  for (const v of visits) addT(v);
  const tfr = s.therapy.tfr;
  const tfrVisits: number[] = [];
  if (tfr?.attempt)
    for (let k = 1; k * tfr.monitorEveryMonths <= T + EPS; k++) tfrVisits.push(k * tfr.monitorEveryMonths);
  for (const v of tfrVisits) addT(v);
  const times = Float64Array.from([...grid].sort((a, b) => a - b));

  let plan: PlanEntry[] = s.therapy.schedule.map((e) => ({
    drug: e.drug,
    doseMg: e.doseMg,
    intervalHours: e.intervalHours,
    startMonth: e.startMonth,
    ...(e.stopMonth !== undefined ? { stopMonth: e.stopMonth } : {}),
    doseChanges: e.doseChanges,
    interruptions: e.interruptions,
    reason: 'plan',
  }));

  let buildMs = 0;
  let firstNm: NicheModel | undefined;
  let progress = 0;
  /** Simulates `p` (default: the current plan) over [t0, T] from `y0` (undefined: the model's own initial state). */
  const simulateFrom = (
    t0: number,
    y0: Map<string, number> | undefined,
    p: readonly PlanEntry[] = plan,
  ): Piece[] => {
    const out: Piece[] = [];
    let y = y0;
    for (const seg of segments(p, t0, T)) {
      const b0 = performance.now();
      const pk = seg.entry ? patientPk(kb, s, seg.entry.drug) : undefined;
      const tki: NicheOptions['tki'] = seg.entry
        ? {
            kind: 'schedule',
            schedule: toSchedule(seg.entry, seg.from),
            horizonMonths: seg.to - seg.from,
            ...(pk ? { pk } : {}),
          }
        : { kind: 'none' };
      const nm = (options.buildNiche ?? buildNiche)(scenarioNicheOptions(s, tki), kb);
      firstNm ??= nm;
      const model = y ? withInitialState(nm.model, y) : nm.model;
      buildMs += performance.now() - b0;
      const rel = [0];
      for (const t of times) if (t > seg.from + EPS && t < seg.to - EPS) rel.push(t - seg.from);
      rel.push(seg.to - seg.from);
      const partition = s.engine === 'hybrid' ? nicheHybridPartition(nm) : undefined;
      const r = simulate(
        model,
        s,
        seg.to - seg.from,
        Float64Array.from(rel),
        segmentSeed(seed, seg.from),
        partition,
        options.compile,
      );
      const piece: Piece = {
        time: r.time.map((t) => t + seg.from),
        ids: r.ids,
        values: r.values,
        stateIds: r.stateIds,
        states: r.states,
        nm,
      };
      out.push(piece);
      y = stateMap(piece, piece.time.length - 1);
      // Re-simulation after a decision does not move the progress back.
      if (seg.to / T > progress) {
        progress = Math.min(1, seg.to / T);
        options.onProgress?.(progress);
      }
    }
    return out;
  };

  // Decision loop.
  const t0Sim = performance.now();
  const kept: Piece[] = [];
  let t0 = 0;
  let y0: Map<string, number> | undefined;
  let lastDecision = 0;
  const therapyStart = plan.length > 0 ? Math.min(...plan.map((e) => e.startMonth)) : 0;
  let switched = false;
  let tfrState: 'watch' | 'stopped' | 'done' = tfr?.attempt ? 'watch' : 'done';
  let tfrInfo: RunSummary['tfr'] = tfr
    ? { eligible: false, reason: 'not assessed', outcome: 'not attempted' }
    : undefined;
  let stopMonth: number | undefined;
  const tfrSampleTimes = new Set<number>();
  // The hinted plan's trajectory, simulated once; used while the decisions found on it are the hinted ones.
  let hint = s.engine === 'ode' ? options.planHint : undefined;
  let speculative: Piece[] | undefined;
  for (let iter = 0; iter < 50; iter++) {
    // The hinted trajectory is the current plan's up to the first month the two plans differ (`validTo`).
    let validTo = hint ? firstPlanDifference(plan, hint) : Number.POSITIVE_INFINITY;
    let pieces: Piece[];
    if (hint && validTo > t0 + EPS) {
      speculative ??= simulateFrom(0, undefined, hint);
      pieces = speculative.filter((p) => p.time[0] >= t0 - EPS);
    } else {
      hint = undefined;
      validTo = Number.POSITIVE_INFINITY;
      pieces = simulateFrom(t0, y0);
    }
    const all = [...kept, ...pieces];
    const view = joinPieces(all);
    const is = bcrAblPercent(view, firstNm!);
    const at = (t: number) => indexOf(view.time, t);
    const onDrugAt = (t: number) => activeEntry(plan, t);
    const sampleAt = (t: number) => {
      const v = is[at(t)];
      return { months: t, ...assay(Math.max(0, v), { limitOfDetectionPercentIS: lod }) } as TimedPcrResult;
    };
    // Candidate decision times after t0, in order.
    const candidates = [...new Set([...visits, ...(tfrState === 'stopped' ? tfrVisits : [])])]
      .filter((t) => t > lastDecision + EPS && t <= T + EPS)
      .sort((a, b) => a - b);
    let decided = false;
    let beyondHint = false;
    for (const t of candidates) {
      if (t > validTo + EPS) {
        beyondHint = true; // the hinted trajectory is not this plan's here
        break;
      }
      const entry = onDrugAt(t);
      const sw = s.therapy.switchOnMutation;
      if (sw && !switched && entry && entry.drug !== sw.to) {
        const share = mutantShare(view, firstNm!, sw.mutation, at(t));
        if (share >= sw.detectionShare && is[at(t)] >= sw.minBcrAblIS) {
          plan = endAt(plan, t);
          plan.push(switchEntry(kb, sw, t, share));
          switched = true;
          decided = true;
        }
      }
      if (!decided && tfr && tfrState === 'watch' && entry && visits.includes(t)) {
        const fixed = typeof tfr.stopMonth === 'number' ? tfr.stopMonth : undefined;
        if (fixed === undefined || t >= fixed - EPS) {
          const history = visits.filter((v) => v >= therapyStart && v <= t + EPS).map(sampleAt);
          const phaseOk = chronicSoFar(view, firstNm!, s, t, defs);
          const a = tfrAssessment(s, defs, history, {
            t,
            therapyStart,
            drug: entry.drug,
            switched,
            chronic: phaseOk,
          });
          if (a.eligible) {
            plan = endAt(plan, t);
            stopMonth = t;
            tfrState = 'stopped';
            tfrInfo = {
              eligible: true,
              reason: `ELN 2020 ${a.level} criteria met at month ${fmt(t)}`,
              stopMonth: t,
              outcome: 'remission kept',
            };
            decided = true;
          } else {
            tfrInfo = { eligible: false, reason: a.reasons.join('; '), outcome: 'not attempted' };
            if (fixed !== undefined) tfrState = 'done';
          }
        }
      }
      if (!decided && tfrState === 'stopped' && stopMonth !== undefined && t > stopMonth && !entry) {
        tfrSampleTimes.add(t);
        const smp = sampleAt(t);
        if (!atLeast(molecularResponse(smp, defs.molecularResponse).level, 'MMR', defs.molecularResponse)) {
          tfrInfo = { ...tfrInfo!, outcome: 'molecular relapse', relapseMonth: t };
          tfrState = 'done';
          if (tfr?.restartOnMmrLoss) {
            const restart = restartEntry(plan, stopMonth, t);
            if (restart) {
              plan.push(restart);
              decided = true;
            }
          }
        }
      }
      if (decided) {
        // Re-simulate from the start of the segment holding the decision: before it the trajectory is the same
        // (same model, same seed), after it the amended plan applies, with the wash-out of a stop resolved.
        lastDecision = t;
        const j = pieces.findIndex((p) => p.time[0] < t - EPS && p.time[p.time.length - 1] >= t - EPS);
        const k = j < 0 ? pieces.length - 1 : j;
        kept.push(...pieces.slice(0, k));
        t0 = pieces[k].time[0];
        if (k > 0) y0 = stateMap(pieces[k], 0);
        break;
      }
    }
    if (!decided && (beyondHint || validTo < T - EPS)) {
      // The hinted trajectory is not this plan's after validTo (a visit there, or the plans differ before the end):
      // simulate this plan from t0 and scan again.
      hint = undefined;
      continue;
    }
    if (!decided) {
      kept.push(...pieces);
      break;
    }
  }
  options.onFinalPlan?.(plan.map((e) => ({ ...e })));
  for (const t of tfrVisits) if (stopMonth !== undefined && t > stopMonth) tfrSampleTimes.add(t);
  const simulateMs = performance.now() - t0Sim - buildMs;

  const view = joinPieces(kept);
  const nm = firstNm!;
  const is = bcrAblPercent(view, nm);

  // Monitoring: the scheduled visits, plus the monthly visits after a TFR stop.
  const sampleTimes = [...new Set([...visits, ...tfrSampleTimes])]
    .filter((t) => t <= T + EPS)
    .sort((a, b) => a - b);
  const monitoring: MonitoringSample[] = sampleTimes.map((t) => {
    const v = Math.max(0, is[indexOf(view.time, t)]);
    const pcr = assay(v, { limitOfDetectionPercentIS: lod });
    const level = molecularResponse(pcr, defs.molecularResponse).level;
    return pcr.detected
      ? { month: t, bcrAblIS: v, undetectable: false, response: level }
      : { month: t, undetectable: true, limitIS: lod, response: level };
  });

  // ELN 2020 milestones (months since the start of therapy).
  const elnSamples = monitoring
    .filter((m) => m.month >= therapyStart)
    .map((m) => ({ months: m.month - therapyStart, percentIS: m.bcrAblIS ?? m.limitIS ?? lod }));
  const eln = classifyMilestones(
    {
      samples: elnSamples,
      highRiskElts: s.patient.risk.elts === 'high',
      highRiskAca: s.patient.risk.highRiskAca ? [{ months: 0 }] : [],
    },
    defs.milestones,
  );
  const milestones: MilestoneResult[] = ([3, 6, 12] as const).map((m) => {
    const a = eln[`${m}m`];
    const category =
      a.result === 'optimal' || a.result === 'warning' || a.result === 'failure' ? a.result : 'not evaluable';
    return { month: m, ...(a.sample ? { bcrAblIS: a.sample.percentIS } : {}), category };
  });

  // Responses on therapy.
  const onTherapy = monitoring.filter(
    (m) => activeEntry(plan, m.month) !== undefined || m.month === therapyStart,
  );
  let best: MolecularResponse = 'none';
  for (const m of onTherapy)
    if (
      responseDepth(m.response as MolecularResponse, defs.molecularResponse) >
      responseDepth(best, defs.molecularResponse)
    )
      best = m.response as MolecularResponse;
  const firstAt = (level: 'MMR' | 'MR4' | 'MR4.5') =>
    monitoring.find((m) => atLeast(m.response as MolecularResponse, level, defs.molecularResponse))?.month;

  // Phases.
  const phases: PhaseInterval[] = [];
  let phaseAtEnd: PhaseInterval['phase'] = 'chronic';
  if (view.ids.includes('blasts_marrow_percent')) {
    const pc = phaseCourse(viewTrajectory(view), s.outputs.phaseScheme, defs);
    for (let i = 0; i < pc.time.length; i++) {
      const p = pc.phase[i];
      const last = phases[phases.length - 1];
      if (last && last.phase === p) (last as { endMonth: number }).endMonth = pc.time[i];
      else phases.push({ startMonth: last ? last.endMonth : pc.time[i], endMonth: pc.time[i], phase: p });
    }
    phaseAtEnd = pc.phase[pc.phase.length - 1] ?? 'chronic';
  } else {
    phases.push({ startMonth: 0, endMonth: T, phase: 'chronic' });
    warnings.push('blast-crisis route off (niche.blastCrisis: false): the phase is chronic by construction');
  }

  const therapy = therapyIntervals(plan, T);
  const { series, values } = buildSeries(view, nm, is, s);
  const parameters = parametersUsed(nm, kb, s);
  const drug = drugSeries(plan, kb, s, T);

  const summary: RunSummary = {
    milestones,
    bestResponse: best,
    ...(firstAt('MMR') !== undefined ? { monthsToMMR: firstAt('MMR') } : {}),
    ...(firstAt('MR4') !== undefined ? { monthsToMR4: firstAt('MR4') } : {}),
    ...(firstAt('MR4.5') !== undefined ? { monthsToMR45: firstAt('MR4.5') } : {}),
    phaseAtEnd,
    ...(tfrInfo ? { tfr: tfrInfo } : {}),
  };
  options.onProgress?.(1);
  return {
    name: s.name,
    ...(s.description !== undefined ? { description: s.description } : {}),
    scenario: s,
    engine: s.engine,
    seed: String(s.seed),
    time: view.time,
    series,
    values,
    ...(drug ? { drug } : {}),
    monitoring,
    therapy,
    phases,
    summary,
    parameters,
    parameterHash: hashParameters(parameters),
    warnings,
    timings: { buildMs, simulateMs: Math.max(0, simulateMs) },
  };
}

const fmt = (x: number) => (Math.round(x * 100) / 100).toString();

function indexOf(time: Float64Array, t: number): number {
  let best = 0;
  for (let i = 0; i < time.length; i++) if (Math.abs(time[i] - t) < Math.abs(time[best] - t)) best = i;
  return best;
}

// Rule helpers shared with the cohort runner (src/cohort/program.ts), so that both apply the same rules.

/** The ELN 2020 TFR assessment at visit t from the regular-visit history since the start of therapy. */
export function tfrAssessment(
  s: Scenario,
  defs: ReturnType<typeof clinicalDefinitions>,
  history: readonly TimedPcrResult[],
  at: { t: number; therapyStart: number; drug: string; switched: boolean; chronic: boolean },
) {
  return tfrEligibility(
    {
      firstChronicPhaseOnly: at.chronic,
      lineOfTherapy: at.switched ? 2 : 1,
      switchedForIntoleranceOnly: false,
      transcript: s.patient.transcript,
      tki: at.drug,
      tkiDurationYears: (at.t - at.therapyStart) / 12,
      dmrDurationYears: deepResponseDurationYears(history, defs.tfr.minimal.dmrLevel, defs.molecularResponse),
      mr45DurationYears: deepResponseDurationYears(history, 'MR4.5', defs.molecularResponse),
      priorFailure: at.switched,
    },
    defs.tfr,
  );
}

/** The plan entry of a switch on mutation detection at month t (the rule's dose, else the standard regimen). */
export function switchEntry(
  kb: KnowledgeBase,
  sw: NonNullable<Scenario['therapy']['switchOnMutation']>,
  t: number,
  share: number,
): PlanEntry {
  const std = drugPk(kb, sw.to).standardRegimen;
  return {
    drug: sw.to,
    doseMg: sw.doseMg ?? std.dose,
    intervalHours: sw.intervalHours ?? std.intervalHours,
    startMonth: t,
    doseChanges: [],
    interruptions: [],
    reason: `switch: ${sw.mutation} detected (${(100 * share).toFixed(0)} % of leukaemic stem cells)`,
  };
}

/** The entry restarting, at month t, the drug and dose in force at the TFR stop; undefined if there was none. */
export function restartEntry(
  plan: readonly PlanEntry[],
  stopMonth: number,
  t: number,
): PlanEntry | undefined {
  const last = [...plan].filter((e) => e.startMonth <= stopMonth).pop();
  if (!last) return undefined;
  const lastChange = last.doseChanges.filter((c) => c.atMonth < stopMonth).pop();
  return {
    drug: last.drug,
    doseMg: lastChange?.doseMg ?? last.doseMg,
    intervalHours: lastChange?.intervalHours ?? last.intervalHours,
    startMonth: t,
    doseChanges: [],
    interruptions: [],
    reason: 'loss of MMR: restart',
  };
}

/** The plan entry taking drug at month t (none during an interruption or off therapy). */
export function activeEntry(plan: readonly PlanEntry[], t: number): PlanEntry | undefined {
  const e = plan.find((x) => x.startMonth <= t + EPS && (x.stopMonth === undefined || t < x.stopMonth - EPS));
  if (!e) return undefined;
  if (e.interruptions.some((iv) => t >= iv.fromMonth - EPS && t < iv.toMonth - EPS)) return undefined;
  return e;
}

/** The plan with the entry active at `t` (if any) ending at `t`, and later entries dropped. */
export function endAt(plan: readonly PlanEntry[], t: number): PlanEntry[] {
  return plan
    .filter((e) => e.startMonth < t - EPS)
    .map((e) => (e.stopMonth === undefined || e.stopMonth > t ? { ...e, stopMonth: t } : e));
}

interface View {
  readonly time: Float64Array;
  readonly ids: readonly string[];
  /** Column by id (NaN where a segment lacks it). */
  readonly cols: ReadonlyMap<string, Float64Array>;
}

/** Joins pieces into columns; at a shared boundary time the later (post-decision) point is kept. */
function joinPieces(pieces: readonly Piece[]): View {
  const rows: { p: Piece; i: number }[] = [];
  pieces.forEach((p, j) => {
    const next = pieces[j + 1];
    for (let i = 0; i < p.time.length; i++) {
      if (next && i === p.time.length - 1 && Math.abs(next.time[0] - p.time[i]) < EPS) continue;
      rows.push({ p, i });
    }
  });
  const ids = [...new Set(pieces.flatMap((p) => p.ids))];
  const time = Float64Array.from(rows.map((r) => r.p.time[r.i]));
  const index = new Map(pieces.map((p) => [p, new Map(p.ids.map((id, k) => [id, k] as const))] as const));
  const cols = new Map<string, Float64Array>();
  // Column by column over runs of rows from one piece (one lookup per piece, not per value; the web engine
  // re-runs this on every slider move).
  for (const id of ids) {
    const c = new Float64Array(rows.length);
    let i = 0;
    while (i < rows.length) {
      const p = rows[i].p;
      const k = index.get(p)!.get(id);
      const m = p.ids.length;
      for (; i < rows.length && rows[i].p === p; i++)
        c[i] = k === undefined ? Number.NaN : p.values[rows[i].i * m + k];
    }
    cols.set(id, c);
  }
  return { time, ids, cols };
}

function viewTrajectory(v: View) {
  return {
    time: v.time,
    column(id: string) {
      const c = v.cols.get(id);
      if (!c) throw new Error(`no column '${id}'`);
      return c;
    },
  };
}

const col = (v: View, id: string): Float64Array | undefined => v.cols.get(id);

/**
 * BCR-ABL1 % IS by the Hähnel convention (src/clinic/bcr-abl.ts): leukaemic load Y/Ky over all clones; with the
 * blood read-out each clone's load weighted by its differentiated cells' output (src/niche/blood.ts).
 */
function bcrAblPercent(v: View, nm: NicheModel): Float64Array {
  const ky = col(v, 'Ky');
  const ys = nm.lsc.cycling.map((id) => col(v, id)).filter((c): c is Float64Array => c !== undefined);
  if (nm.options.stemCore !== 'hahnel' || !ky || ys.length === 0) {
    const b = col(v, 'bcr_abl_percent') ?? col(v, 'bcr_abl');
    if (!b) throw new Error('the model has no BCR-ABL1 read-out');
    return b.slice();
  }
  const out = new Float64Array(v.time.length);
  if (nm.options.readout === 'blood') {
    const rs = nm.lsc.cycling.map((_, j) => col(v, bloodOutputName(j)));
    if (ys.length !== rs.length || rs.some((c) => c === undefined))
      throw new Error("the blood read-out needs every clone's output (r_blood*) in the time course");
    const outputs = rs as Float64Array[];
    for (let i = 0; i < out.length; i++) {
      let y = 0;
      let s = 0;
      for (let j = 0; j < ys.length; j++) {
        const yj = Math.max(0, ys[j][i]);
        y += yj;
        s += yj * Math.max(0, outputs[j][i]);
      }
      out[i] = toPercentIS(bloodBcrAbl(y / ky[i], s / ky[i]));
    }
    return out;
  }
  for (let i = 0; i < out.length; i++) {
    let y = 0;
    for (const c of ys) y += Math.max(0, c[i]);
    out[i] = toPercentIS(bcrAblRatio({ leukaemic: y, reference: ky[i] }, 'hahnel'));
  }
  return out;
}

/** The clone's share of leukaemic stem cells at row i. */
function mutantShare(v: View, nm: NicheModel, mutation: string, i: number): number {
  const suffix = `_${mutation.replace(/\W/g, '_')}`;
  let all = 0;
  let mut = 0;
  for (const id of [...nm.lsc.quiescent, ...nm.lsc.cycling]) {
    const x = Math.max(0, col(v, id)?.[i] ?? 0);
    all += x;
    if (id.endsWith(suffix)) mut += x;
  }
  return all > 0 ? mut / all : 0;
}

function chronicSoFar(
  v: View,
  _nm: NicheModel,
  s: Scenario,
  t: number,
  defs: ClinicalDefinitionSet,
): boolean {
  if (!v.ids.includes('blasts_marrow_percent')) return true;
  const pc = phaseCourse(viewTrajectory(v), s.outputs.phaseScheme, defs);
  for (let i = 0; i < pc.time.length && pc.time[i] <= t + EPS; i++)
    if (pc.phase[i] !== 'chronic') return false;
  return true;
}

function therapyIntervals(plan: readonly PlanEntry[], T: number): TherapyInterval[] {
  const out: TherapyInterval[] = [];
  const sorted = [...plan].sort((a, b) => a.startMonth - b.startMonth);
  let t = 0;
  let lastReason = '';
  for (const e of sorted) {
    if (e.startMonth >= T) break;
    if (e.startMonth > t + EPS)
      out.push({
        startMonth: t,
        endMonth: e.startMonth,
        drug: 'none',
        doseMg: 0,
        intervalHours: 0,
        reason: lastReason === 'plan' || lastReason === '' ? 'off therapy' : 'TFR attempt',
      });
    const stop = Math.min(e.stopMonth ?? T, T);
    // Split at dose changes and interruptions.
    const cuts: { at: number; dose: number; tau: number; off: boolean; reason: string }[] = [
      {
        at: e.startMonth,
        dose: e.doseMg,
        tau: e.intervalHours,
        off: false,
        reason: e.reason === 'plan' ? 'start' : e.reason,
      },
    ];
    let tau = e.intervalHours;
    let dose = e.doseMg;
    for (const c of e.doseChanges) {
      if (c.atMonth >= stop) continue;
      tau = c.intervalHours ?? tau;
      dose = c.doseMg;
      cuts.push({ at: c.atMonth, dose, tau, off: false, reason: 'dose change' });
    }
    for (const iv of e.interruptions) {
      if (iv.fromMonth >= stop) continue;
      const before = [...cuts].filter((c) => c.at <= iv.fromMonth && !c.off).pop() ?? cuts[0];
      cuts.push({ at: iv.fromMonth, dose: 0, tau: 0, off: true, reason: 'interruption' });
      if (iv.toMonth < stop)
        cuts.push({ at: iv.toMonth, dose: before.dose, tau: before.tau, off: false, reason: 'resume' });
    }
    cuts.sort((a, b) => a.at - b.at);
    cuts.forEach((c, k) => {
      const end = Math.min(cuts[k + 1]?.at ?? stop, stop);
      if (end > c.at + EPS)
        out.push({
          startMonth: c.at,
          endMonth: end,
          drug: c.off ? 'none' : e.drug,
          doseMg: c.dose,
          intervalHours: c.tau,
          reason: c.reason,
        });
    });
    t = stop;
    lastReason = e.stopMonth !== undefined && e.stopMonth < T ? 'tfr-or-stop' : e.reason;
  }
  if (t < T - EPS)
    out.push({
      startMonth: t,
      endMonth: T,
      drug: 'none',
      doseMg: 0,
      intervalHours: 0,
      reason: sorted.length === 0 ? 'no therapy' : 'TFR attempt',
    });
  return out;
}

function buildSeries(
  v: View,
  nm: NicheModel,
  is: Float64Array,
  s: Scenario,
): { series: SeriesInfo[]; values: Float64Array[] } {
  const series: SeriesInfo[] = [];
  const values: Float64Array[] = [];
  const want = s.outputs.groups ? new Set<SeriesGroup>(s.outputs.groups) : undefined;
  const add = (
    id: string,
    label: string,
    units: string,
    group: SeriesGroup,
    data?: Float64Array,
    zeroFill = false,
  ) => {
    if (want && !want.has(group)) return;
    const c = data ?? col(v, id);
    if (!c) return;
    series.push({ id, label, units, group });
    values.push(zeroFill ? c.map((x) => (Number.isNaN(x) ? 0 : x)) : c);
  };
  add(
    'bcr_abl_is',
    nm.options.readout === 'blood'
      ? 'BCR-ABL1 (model, blood read-out)'
      : 'BCR-ABL1 (model, Hähnel convention)',
    '% IS',
    'bcr-abl',
    is,
  );
  add('N', 'normal stem cells', 'cells', 'compartments');
  for (const [id, l] of [
    ['x1', 'normal progenitors'],
    ['x2', 'normal precursors'],
    ['x3', 'normal mature cells'],
    ['y1', 'leukaemic progenitors'],
    ['y2', 'leukaemic precursors'],
    ['y3', 'leukaemic mature cells'],
    ['B', 'blast-crisis cells'],
  ] as const)
    add(id, l, 'cells', 'compartments');
  nm.lsc.quiescent.forEach((id) =>
    add(id, `quiescent LSCs${id === 'X' ? '' : ` (${id.slice(2)})`}`, 'cells', 'lsc'),
  );
  nm.lsc.cycling.forEach((id) =>
    add(id, `cycling LSCs${id === 'Y' ? '' : ` (${id.slice(2)})`}`, 'cells', 'lsc'),
  );
  add('quiescent_fraction', 'quiescent share of LSCs', 'fraction', 'other'); // not a cell count: kept off the LSC panel's axis
  for (const [id, l] of [
    ['E_cml', 'exosomes from CML bulk'],
    ['E_lsc', 'exosomes from LSCs'],
    ['E_bmsc', 'exosomes from BMSCs'],
    ['E_res', 'exosomes from resistant CML'],
  ] as const)
    add(id, l, 'relative', 'exosomes');
  for (const c of CHANNELS) add(`eff_${c.sym}`, `${c.id} (${c.cargo})`, '0..1', 'cargo');
  for (const [id, l] of [
    ['il8_endo', 'IL-8 (endothelium)'],
    ['vcam1_endo', 'VCAM1 (endothelium)'],
    ['cxcl12_endo', 'CXCL12 (endothelium)'],
    ['vasc', 'vascular density'],
    ['il8_bmsc', 'IL-8 (BMSC)'],
    ['support_bmsc', 'BMSC activation (support)'],
  ] as const)
    add(id, l, 'relative', 'niche');
  add('tkiE', 'TKI effect on native LSCs (1 = standard regimen)', 'relative', 'drug', undefined, true);
  add('tki_kill', 'TKI kill rate of cycling LSCs', '1/month', 'drug', undefined, true);
  add('blasts_marrow_percent', 'blasts in marrow', '%', 'blasts');
  add('blasts_blood_percent', 'blasts in blood', '%', 'blasts');
  if (nm.lsc.immune) add(nm.lsc.immune, 'immune effector cells', 'cells', 'other');
  return { series, values };
}

function shortCitation(kb: KnowledgeBase, refs: readonly string[] | undefined): string | undefined {
  const id = refs?.[0];
  if (!id) return undefined;
  const r = kb.references.get(id);
  if (!r) return id;
  const names = r.authors.split(/[,;]|\band\b/).filter((x) => x.trim().length > 0);
  const first = names[0]?.trim().split(/\s+/)[0];
  const journal = r.journal
    ? `, ${r.journal}${r.volume ? ` ${r.volume}` : ''}${r.pages ? `:${r.pages}` : ''}`
    : '';
  if (!first) return formatCitation(r);
  return `${first}${names.length > 1 ? ' et al.' : ''} ${r.year}${journal}`;
}

function parametersUsed(nm: NicheModel, kb: KnowledgeBase, s: Scenario): ParameterUsed[] {
  return nm.parameters.map((u) => {
    const p = u.key ? kb.parameters.get(u.key) : undefined;
    const override = s.patient.parameters[u.id];
    const source = shortCitation(kb, p?.refs);
    const note = [
      u.role,
      override !== undefined ? `scenario override (knowledge base: ${u.value})` : undefined,
    ]
      .filter(Boolean)
      .join('; ');
    return {
      id: u.id,
      ...(u.key ? { key: u.key } : {}),
      value: override ?? u.value,
      ...(p ? { units: p.units } : {}),
      evidence: override !== undefined ? 'U' : u.evidence,
      ...(source ? { source } : {}),
      ...(note ? { note } : {}),
    };
  });
}

/** sha256 of the canonical (key-sorted) JSON of {id: value}, as src/io/manifest.ts parameterHash computes it. */
export function hashParameters(parameters: readonly ParameterUsed[]): string {
  const rec: Record<string, number> = {};
  for (const p of [...parameters].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)))
    rec[p.id] = p.value;
  return sha256Hex(JSON.stringify(rec));
}

/**
 * The patient's PK parameters for a drug when the scenario asks for a variability draw (keyed stream: seed, drug,
 * draw index), else undefined (typical values). The same draw drives the model's exposure and the drug series.
 */
function patientPk(kb: KnowledgeBase, s: Scenario, drug: string): PkParams | undefined {
  const draw = s.patient.variability.pkDraw;
  if (draw === undefined) return undefined;
  const pk = drugPk(kb, drug);
  return samplePatients(pk.params, pk.cv, Number(BigInt(s.seed) % 2n ** 53n), 1, drug, draw)[0];
}

/** Concentration of the first drug of the plan: the first 14 days and a 7-day window at steady state (6 months). */
function drugSeries(
  plan: readonly PlanEntry[],
  kb: KnowledgeBase,
  s: Scenario,
  T: number,
): ScenarioRun['drug'] {
  const e = [...plan].sort((a, b) => a.startMonth - b.startMonth)[0];
  if (!e) return undefined;
  const pk = drugPk(kb, e.drug);
  const params = patientPk(kb, s, e.drug) ?? pk.params;
  const sched = toSchedule(e, 0);
  const horizonDays = T * DAYS_PER_MONTH;
  const doses = expandDoses(sched, horizonDays);
  if (doses.times.length === 0) return undefined;
  const profile = new PkProfile(params, doses, { fu: pk.fu, molecularWeight: pk.molecularWeight });
  const startH = e.startMonth * DAYS_PER_MONTH * 24;
  const stepH = 0.5;
  const hours: number[] = [];
  for (let h = 0; h <= 14 * 24; h += stepH) hours.push(startH + h);
  const ssH = startH + 6 * DAYS_PER_MONTH * 24;
  if (ssH + 7 * 24 < horizonDays * 24) for (let h = 0; h <= 7 * 24; h += stepH) hours.push(ssH + h);
  const timeHours = Float64Array.from(hours);
  const concentration = timeHours.map((t) => profile.total(t));
  const troughs: { hour: number; concentration: number }[] = [];
  const inWindow = (t: number) => (t > startH && t <= startH + 14 * 24) || (t > ssH && t <= ssH + 7 * 24);
  for (const t of doses.times)
    if (inWindow(t)) troughs.push({ hour: t, concentration: profile.total(t - 1e-6) });
  return { name: e.drug, timeHours, concentration, troughs };
}

/** Reference and file models: simulate, read BCR-ABL1, monitor; no therapy plan or niche read-outs. */
function runOtherModel(s: Scenario, options: RunScenarioOptions): ScenarioRun {
  const { kb } = options;
  const warnings: string[] = [];
  const m = s.model as Exclude<Scenario['model'], 'niche'>;
  const b0 = performance.now();
  let model: Model;
  let perMonth = 1;
  let readout: ReferenceModel['info']['readout'] | undefined;
  let bindings: { id: string; key: string; value: number }[] = [];
  if ('reference' in m) {
    let ref: ReferenceModel;
    try {
      ref = referenceModelFromKnowledge(
        m.reference,
        kb,
        m.patient !== undefined ? { patient: m.patient } : {},
      );
    } catch (e) {
      throw new ScenarioRunError('model.reference', (e as Error).message);
    }
    model = ref.model;
    readout = ref.info.readout;
    bindings = [...ref.bindings];
    if (ref.info.timeUnit === 'day') perMonth = DAYS_PER_MONTH;
  } else {
    if (!options.model)
      throw new ScenarioRunError('model.file', 'the caller must load the model file and pass it');
    model = options.model;
  }
  if (s.therapy.schedule.length > 0 || s.therapy.tfr || s.therapy.switchOnMutation)
    warnings.push(
      'therapy plan and rules apply to the niche model only; the model runs with its own controls',
    );
  const buildMs = performance.now() - b0;
  const t0 = performance.now();
  const T = s.durationMonths;
  const steps = Math.round(T / s.outputs.stepMonths);
  const saveat = Float64Array.from(
    { length: steps + 1 },
    (_, i) => (i === steps ? T : i * s.outputs.stepMonths) * perMonth,
  );
  const merged = {
    ...s,
    patient: {
      ...s.patient,
      parameters: { ...('reference' in m ? m.controls : {}), ...s.patient.parameters },
    },
  };
  const r = simulate(model, merged, T * perMonth, saveat, BigInt(s.seed), undefined, options.compile);
  const simulateMs = performance.now() - t0;
  options.onProgress?.(1);
  const time = r.time.map((t) => t / perMonth);
  const tc = { ids: r.ids, time, values: r.values };
  let is: Float64Array;
  if (readout) is = bcrAblSeries(tc, readout).map((x) => toPercentIS(x));
  else if (r.ids.includes('bcr_abl_percent')) is = column(tc, 'bcr_abl_percent');
  else if (r.ids.includes('bcr_abl')) is = column(tc, 'bcr_abl').map((x) => toPercentIS(x));
  else {
    is = new Float64Array(time.length).fill(Number.NaN);
    warnings.push('the model has no BCR-ABL1 read-out (bcr_abl or bcr_abl_percent): no molecular monitoring');
  }
  const defs = clinicalDefinitions(kb);
  const lod =
    s.monitoring.detectionLimitIS ??
    defs.molecularResponse.levels.find((l) => l.id === 'MR4.5')?.maxPercentIS.value ??
    0.0032;
  const visits: number[] = s.monitoring.months
    ? s.monitoring.months.filter((x) => x <= T)
    : Array.from(
        { length: Math.floor(T / s.monitoring.everyMonths + EPS) + 1 },
        (_, k) => k * s.monitoring.everyMonths,
      );
  const monitoring: MonitoringSample[] = Number.isNaN(is[0])
    ? []
    : visits.map((t) => {
        const v = Math.max(0, is[indexOf(time, t)]);
        const pcr = assay(v, { limitOfDetectionPercentIS: lod });
        const level = molecularResponse(pcr, defs.molecularResponse).level;
        return pcr.detected
          ? { month: t, bcrAblIS: v, undetectable: false, response: level }
          : { month: t, undetectable: true, limitIS: lod, response: level };
      });
  const eln = classifyMilestones(
    { samples: monitoring.map((x) => ({ months: x.month, percentIS: x.bcrAblIS ?? lod })) },
    defs.milestones,
  );
  const milestones: MilestoneResult[] = ([3, 6, 12] as const).map((mm) => {
    const a = eln[`${mm}m`];
    const category =
      a.result === 'optimal' || a.result === 'warning' || a.result === 'failure' ? a.result : 'not evaluable';
    return { month: mm, ...(a.sample ? { bcrAblIS: a.sample.percentIS } : {}), category };
  });
  let best: MolecularResponse = 'none';
  for (const x of monitoring)
    if (
      responseDepth(x.response as MolecularResponse, defs.molecularResponse) >
      responseDepth(best, defs.molecularResponse)
    )
      best = x.response as MolecularResponse;
  const firstAt = (level: 'MMR' | 'MR4' | 'MR4.5') =>
    monitoring.find((x) => atLeast(x.response as MolecularResponse, level, defs.molecularResponse))?.month;
  const series: SeriesInfo[] = [{ id: 'bcr_abl_is', label: 'BCR-ABL1', units: '% IS', group: 'bcr-abl' }];
  const values: Float64Array[] = [is];
  for (const sp of model.species) {
    if (!r.ids.includes(sp.id)) continue;
    series.push({ id: sp.id, label: sp.name ?? sp.id, units: 'cells', group: 'compartments' });
    values.push(column(tc, sp.id));
  }
  const parameters: ParameterUsed[] = bindings.map((b) => {
    const p = kb.parameters.get(b.key);
    const source = shortCitation(kb, p?.refs);
    return {
      id: b.id,
      key: b.key,
      value: b.value,
      ...(p ? { units: p.units, evidence: p.evidence } : {}),
      ...(source ? { source } : {}),
    };
  });
  return {
    name: s.name,
    ...(s.description !== undefined ? { description: s.description } : {}),
    scenario: s,
    engine: s.engine,
    seed: String(s.seed),
    time,
    series,
    values,
    monitoring,
    therapy: [],
    phases: [{ startMonth: 0, endMonth: T, phase: 'chronic' }],
    summary: {
      milestones,
      bestResponse: best,
      ...(firstAt('MMR') !== undefined ? { monthsToMMR: firstAt('MMR') } : {}),
      ...(firstAt('MR4') !== undefined ? { monthsToMR4: firstAt('MR4') } : {}),
      ...(firstAt('MR4.5') !== undefined ? { monthsToMR45: firstAt('MR4.5') } : {}),
      phaseAtEnd: 'chronic',
    },
    parameters,
    parameterHash: hashParameters(parameters),
    warnings: [...warnings, 'phase not modelled by this model: reported as chronic'],
    timings: { buildMs, simulateMs },
  };
}

function column(
  tc: { ids: readonly string[]; time: Float64Array; values: Float64Array },
  id: string,
): Float64Array {
  const k = tc.ids.indexOf(id);
  const m = tc.ids.length;
  return Float64Array.from({ length: tc.time.length }, (_, i) => tc.values[i * m + k]);
}
