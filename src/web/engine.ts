/**
 * The simulation engine for the browser dashboard (issue #10): scenario text -> plot data with the same code as
 * `exoniche run` (parseScenarioText, runScenario), no Node-only imports, so that esbuild can bundle it for a Web
 * Worker unchanged (scripts/build-web.ts fails the build on any `node:` import).
 *
 * A slider changes parameter values, not the model's structure: `prepareEngine` parses the knowledge base once
 * and keeps the built niche models (keyed by their options) and the compiled models (keyed by the model with its
 * literal initial amounts lifted into parameters, so that segments continued from a parameter-dependent state
 * share code) between runs, so a re-run only integrates. test/web/engine.test.ts checks that a cached run equals
 * `runScenario` (1e-9 relative; in practice the same bits).
 */
import type { KnowledgeBase, KnowledgeText } from '../knowledge/parse.js';
import { parseKnowledgeBase } from '../knowledge/parse.js';
import { type CompiledModel, compileModel } from '../models/compile/compile.js';
import type { Model } from '../models/ir.js';
import { buildNiche, type NicheModel } from '../niche/build.js';
import { CHANNELS } from '../niche/channels.js';
import type { NicheOptions } from '../niche/options.js';
import { DEFAULT_SCENARIO, DEFAULT_SCENARIO_FILE } from '../scenario/default.js';
import { parseScenarioText } from '../scenario/parse.js';
import { type PlanEntry, runScenario, ScenarioRunError } from '../scenario/run.js';
import type { DrugCurve, ScenarioRun, SeriesInfo } from '../scenario/run-result.js';
import type { Scenario } from '../scenario/schema.js';

/** The knowledge base as texts: data/knowledge/*.yaml and models/reference/*.exm (by model name). */
export interface EngineTexts {
  readonly knowledge: readonly KnowledgeText[];
  readonly referenceModels: Readonly<Record<string, string>>;
}

/** Model parameter values by id (`patient.parameters` of the scenario): what a slider sets. */
export type ParameterOverrides = Readonly<Record<string, number>>;

/** One plotted series: its description and values at `PlotData.time`. */
export interface PlotSeries extends SeriesInfo {
  readonly values: Float64Array;
}

/**
 * What the dashboard draws: a ScenarioRun without the scenario object, as structured-clone-friendly plain data
 * (typed arrays and JSON) so a Worker can post it.
 */
export interface PlotData
  extends Pick<
    ScenarioRun,
    'monitoring' | 'therapy' | 'phases' | 'summary' | 'parameters' | 'parameterHash' | 'warnings'
  > {
  readonly name: string;
  readonly engine: string;
  /** Months from diagnosis. */
  readonly time: Float64Array;
  readonly series: readonly PlotSeries[];
  readonly drug?: DrugCurve;
  readonly timings: {
    readonly buildMs: number;
    readonly simulateMs: number;
    /** Wall time of the whole `run` call (parse, build, compile, simulate, read-outs). */
    readonly totalMs: number;
    /** Models compiled in this run (0 when every segment's model was cached). */
    readonly compiled: number;
  };
}

export interface Engine {
  /** Runs a scenario (text or parsed; default: the default scenario) with parameter overrides. */
  run(scenario?: Scenario | string, overrides?: ParameterOverrides): PlotData;
  /** Parses and validates scenario text against the engine's knowledge base (throws ScenarioError). */
  parse(text: string, file?: string): Scenario;
  /** Cached compiled and built models. */
  readonly cacheSize: () => { compiled: number; niche: number };
  /** The parsed knowledge base (channels, references, experiments run against it). */
  readonly kb: KnowledgeBase;
}

export interface EngineOptions {
  /** Most compiled models kept (least recently used dropped first; default 64). */
  readonly maxCompiled?: number;
}

/** A tiny least-recently-used map (Map keeps insertion order; a hit is re-inserted at the end). */
function lru<V>(max: number) {
  const map = new Map<string, V>();
  return {
    map,
    get(key: string, make: () => V): { value: V; hit: boolean } {
      const v = map.get(key);
      if (v !== undefined) {
        map.delete(key);
        map.set(key, v);
        return { value: v, hit: true };
      }
      const made = make();
      map.set(key, made);
      if (map.size > max) map.delete(map.keys().next().value as string);
      return { value: made, hit: false };
    },
  };
}

/** Prefix of the parameters that carry lifted initial amounts (see `liftInitialAmounts`). */
const Y0 = '__web_y0_';

/**
 * The model with each literal species initial amount moved into a parameter (`__web_y0_<id>`, value 0) read by an
 * initial assignment, and the amounts taken out. A continued segment (src/scenario/run.ts withInitialState)
 * differs from the last run's only in those amounts, which depend on every parameter a slider moves; lifted, its
 * structure is the same and the compiled code is reused with the amounts set in p. Only amount species
 * (hasOnlySubstanceUnits, or a 0-D compartment) are lifted, where `s = v` in an initial assignment means the
 * same amount bit for bit as `initialAmount: v`.
 */
function liftInitialAmounts(model: Model): { model: Model; amounts: [string, number][] } {
  const assigned = new Set(model.initialAssignments.map((a) => a.symbol));
  const ids = new Set([...model.parameters, ...model.species, ...model.compartments].map((e) => e.id));
  const amounts: [string, number][] = [];
  const species = model.species.map((sp) => {
    const c = model.compartments.find((x) => x.id === sp.compartment);
    const amountSymbol = sp.hasOnlySubstanceUnits || c?.spatialDimensions === 0;
    if (
      sp.initialAmount === undefined ||
      sp.initialConcentration !== undefined ||
      assigned.has(sp.id) ||
      !amountSymbol ||
      ids.has(Y0 + sp.id)
    )
      return sp;
    amounts.push([sp.id, sp.initialAmount]);
    const { initialAmount: _a, ...rest } = sp;
    return rest;
  });
  if (amounts.length === 0) return { model, amounts };
  return {
    model: {
      ...model,
      species,
      parameters: [
        ...model.parameters,
        ...amounts.map(([id]) => ({ id: Y0 + id, value: 0, constant: true })),
      ],
      initialAssignments: [
        ...model.initialAssignments,
        ...amounts.map(([id]) => ({ symbol: id, math: { kind: 'sym' as const, name: Y0 + id } })),
      ],
    },
    amounts,
  };
}

/**
 * Niche options that are parameter values of the built model, moved from the structure to `patient.parameters` so
 * that a slider re-uses the compiled code instead of compiling a model per value:
 * - a scaled channel (`niche.channels.<id>: s`, s > 0): the niche model writes the scale as the option parameter
 *   `ch_<sym>` = s (src/niche/channels.ts writeChannels), so the channel at its default (on) with `ch_<sym>: s` is
 *   the same model with the same values;
 * - hypoxia h > 0: written as the option parameter `hypoxia` = h (src/niche/exosomes.ts); only h > 0 versus 0 is
 *   structural (the miR-210 cargo, src/niche/build.ts), so h becomes `hypoxia: 1` with the parameter set to h.
 * A value the scenario already gives in patient.parameters wins (as it would over the option). Returns undefined
 * when nothing moves.
 */
export function liftOptionParameters(s: Scenario): Scenario | undefined {
  if (s.model !== 'niche' || !s.niche.exosomes) return undefined;
  const channels: Record<string, boolean | number | undefined> = { ...s.niche.channels };
  const parameters: Record<string, number> = { ...s.patient.parameters };
  let moved = false;
  const lift = (id: string, v: number) => {
    if (!Object.hasOwn(parameters, id)) parameters[id] = v;
    moved = true;
  };
  for (const c of CHANNELS) {
    const v = channels[c.id];
    if (typeof v !== 'number' || !(v > 0) || v === 1) continue;
    delete channels[c.id];
    lift(`ch_${c.sym}`, v);
  }
  let hypoxia = s.niche.hypoxia;
  if (hypoxia > 0 && hypoxia !== 1) {
    lift('hypoxia', hypoxia);
    hypoxia = 1;
  }
  if (!moved) return undefined;
  return {
    ...s,
    niche: { ...s.niche, channels, hypoxia },
    patient: { ...s.patient, parameters },
  };
}

/** Parses the knowledge base once and returns an engine that re-runs scenarios with cached models. */
export function prepareEngine(texts: EngineTexts, options: EngineOptions = {}): Engine {
  const kb = parseKnowledgeBase(texts.knowledge, {
    dir: '<bundled knowledge base>',
    referenceModelText: (name) => {
      const text = Object.hasOwn(texts.referenceModels, name) ? texts.referenceModels[name] : undefined;
      return text === undefined ? undefined : { path: `models/reference/${name}.exm`, text };
    },
  });
  const compiledCache = lru<CompiledModel>(options.maxCompiled ?? 64);
  const nicheCache = lru<NicheModel>(options.maxCompiled ?? 64);
  // Keyed by the model (initial amounts lifted) as JSON: the same structure and values, up to those amounts.
  let compiledThisRun = 0;
  // The key of a model object is computed once (a cached niche build hands back the same object every run).
  const keys = new WeakMap<Model, { key: string; lifted: Model; amounts: [string, number][] }>();
  const compile = (model: Model): CompiledModel => {
    let lifted = keys.get(model);
    if (!lifted) {
      const l = liftInitialAmounts(model);
      lifted = { key: JSON.stringify(l.model), lifted: l.model, amounts: l.amounts };
      keys.set(model, lifted);
    }
    const { lifted: liftedModel, key } = lifted;
    const c = compiledCache.get(key, () => {
      compiledThisRun++;
      return compileModel(liftedModel);
    }).value;
    if (lifted.amounts.length === 0) return c;
    // Initial assignments are re-evaluated from p by initialState (simulateModel), so p0 only needs the amounts.
    const p0 = c.p0.slice();
    for (const [id, v] of lifted.amounts) p0[c.parameterIds.indexOf(Y0 + id)] = v;
    return { ...c, p0 };
  };
  const build = (o: NicheOptions): NicheModel =>
    nicheCache.get(JSON.stringify(o), () => buildNiche(o, kb)).value;
  const parse = (text: string, file = '<scenario>') => parseScenarioText(text, file, kb);
  let defaultScenario: Scenario | undefined;
  let lastPlan: readonly PlanEntry[] | undefined;

  return {
    parse,
    kb,
    cacheSize: () => ({ compiled: compiledCache.map.size, niche: nicheCache.map.size }),
    run(scenario, overrides = {}) {
      const t0 = performance.now();
      compiledThisRun = 0;
      let s: Scenario;
      if (scenario === undefined) {
        defaultScenario ??= parseScenarioText(DEFAULT_SCENARIO, DEFAULT_SCENARIO_FILE, kb);
        s = defaultScenario;
      } else s = typeof scenario === 'string' ? parse(scenario) : scenario;
      if (Object.keys(overrides).length > 0)
        s = { ...s, patient: { ...s.patient, parameters: { ...s.patient.parameters, ...overrides } } };
      // The previous run's final plan as a hint: a slider step seldom moves a monitoring decision, and the hint lets
      // runScenario check the decisions on one trajectory instead of re-simulating after each (same result).
      const opts = {
        kb,
        compile,
        buildNiche: build,
        ...(lastPlan ? { planHint: lastPlan } : {}),
        onFinalPlan: (p: readonly PlanEntry[]) => {
          lastPlan = p;
        },
      };
      const lifted = liftOptionParameters(s);
      let r: ReturnType<typeof runScenario>;
      if (lifted === undefined) r = runScenario(s, opts);
      else
        try {
          r = runScenario(lifted, opts);
        } catch (e) {
          // A channel the model drops (its donor pool absent, its cargo factor 0) has no ch_ parameter: run as given.
          if (!(e instanceof ScenarioRunError && /patient\.parameters\.(ch_|hypoxia)/.test(e.message)))
            throw e;
          r = runScenario(s, opts);
        }
      return {
        name: r.name,
        engine: r.engine,
        time: r.time,
        series: r.series.map((info, k) => ({ ...info, values: r.values[k] })),
        ...(r.drug
          ? {
              drug: { name: r.drug.name, timeHours: r.drug.timeHours, concentration: r.drug.concentration },
            }
          : {}),
        monitoring: r.monitoring,
        therapy: r.therapy,
        phases: r.phases,
        summary: r.summary,
        parameters: r.parameters,
        parameterHash: r.parameterHash,
        warnings: r.warnings,
        timings: { ...r.timings, totalMs: performance.now() - t0, compiled: compiledThisRun },
      };
    },
  };
}
