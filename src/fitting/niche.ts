/**
 * Fitting the niche model: knowledge-base parameters as fit parameters (their ranges bound the search) and a
 * subject simulator that compiles a niche model once and then evaluates it at any values of the chosen KB keys by
 * overriding the model parameters those keys feed (with the builder's unit scale), instead of rebuilding it.
 */
import type { KnowledgeBase } from '../knowledge/load.js';
import { type CompiledModel, compileModel } from '../models/compile/compile.js';
import { simulateModel } from '../models/simulate.js';
import { buildNiche, type NicheModel, type NicheOptions } from '../niche/index.js';
import type { ParameterSpec } from './transform.js';

/** A KB parameter as a fit parameter: its range; log positions when lo > 0 and the range spans >= 1 decade. */
export function kbParameterSpec(kb: KnowledgeBase, key: string, initial?: number): ParameterSpec {
  const p = kb.parameter(key);
  if (!p.range) throw new RangeError(`knowledge-base parameter '${key}' has no range to fit within`);
  const [lo, hi] = p.range;
  const v = initial ?? p.value;
  return {
    name: key,
    lo,
    hi,
    scale: lo > 0 && hi / lo >= 10 ? 'log' : 'linear',
    ...(v > lo && v < hi ? { initial: v } : {}),
  };
}

/**
 * The knowledge base with some parameter values replaced (everything else shared): for running code that reads the
 * KB itself (virtual experiments) at trial values of the fitted keys.
 */
export function kbWithValues(kb: KnowledgeBase, values: Readonly<Record<string, number>>): KnowledgeBase {
  const parameters = new Map(kb.parameters);
  for (const [key, value] of Object.entries(values)) {
    if (!Number.isFinite(value)) throw new RangeError(`kbWithValues: '${key}' must be finite, got ${value}`);
    parameters.set(key, { ...kb.parameter(key), value });
  }
  return {
    ...kb,
    parameters,
    parameter: (key) => parameters.get(key) ?? kb.parameter(key),
  };
}

export interface Binding {
  readonly key: string;
  readonly uses: readonly { readonly id: string; readonly scale: number }[];
}

/** Which model parameters each KB key feeds, and with which factor (value = KB value x scale). */
export function bindKeys(nm: NicheModel, kb: KnowledgeBase, keys: readonly string[]): Binding[] {
  return keys.map((key) => {
    const base = kb.parameter(key).value;
    const uses = nm.parameters
      .filter((u) => u.key === key)
      .map((u) => ({ id: u.id, scale: base !== 0 ? u.value / base : 1 }));
    if (uses.length === 0) throw new RangeError(`the niche model (these options) does not use '${key}'`);
    return { key, uses };
  });
}

/** Parameter overrides setting each bound key to x[i]. */
export function overridesFor(bindings: readonly Binding[], x: ArrayLike<number>): Record<string, number> {
  const out: Record<string, number> = {};
  bindings.forEach((b, i) => {
    for (const u of b.uses) out[u.id] = x[i] * u.scale;
  });
  return out;
}

export interface SubjectOptions {
  readonly method?: string;
  readonly rtol?: number;
  readonly atol?: number;
  /** Observable predicted (default 'bcr_abl_percent'). */
  readonly observable?: string;
}

/** One simulated subject (a niche-model configuration) evaluated at values of the fitted KB keys. */
export class NicheSubject {
  readonly model: NicheModel;
  readonly compiled: CompiledModel;
  readonly bindings: readonly Binding[];
  private count = 0;

  constructor(
    kb: KnowledgeBase,
    readonly options: NicheOptions,
    keys: readonly string[],
    private readonly sim: SubjectOptions = {},
  ) {
    this.model = buildNiche(options, kb);
    this.compiled = compileModel(this.model.model);
    this.bindings = bindKeys(this.model, kb, keys);
  }

  /** Model solves so far. */
  get solves(): number {
    return this.count;
  }

  /**
   * The observable at `times` (sorted, >= 0) with the keys at x, plus extra overrides of model parameters.
   * A failed solve gives NaN everywhere.
   */
  predict(x: ArrayLike<number>, times: ArrayLike<number>, extra: Record<string, number> = {}): Float64Array {
    const out = new Float64Array(times.length).fill(Number.NaN);
    if (times.length === 0) return out;
    // Digitised times can sit a rounding error below 0: clamp them to the start of therapy.
    const saveat = Array.from(times, (t) => Math.max(0, t));
    const tEnd = Math.max(saveat[saveat.length - 1], 1e-9);
    this.count++;
    const tc = simulateModel(this.compiled, {
      method: this.sim.method ?? 'rodas5p',
      rtol: this.sim.rtol ?? 1e-6,
      atol: this.sim.atol ?? 1e-10,
      tEnd,
      saveat,
      maxSteps: 1e5,
      params: { ...overridesFor(this.bindings, x), ...extra },
    });
    if (tc.retcode !== 'Success') return out;
    const col = tc.column(this.sim.observable ?? 'bcr_abl_percent');
    // saveat may include duplicated event times; map each requested time to its last saved value.
    let k = 0;
    for (let i = 0; i < times.length; i++) {
      while (k + 1 < tc.time.length && tc.time[k + 1] <= saveat[i]) k++;
      out[i] = col[k];
    }
    return out;
  }
}
