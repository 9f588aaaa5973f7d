/**
 * compileModel: a model IR -> fast numerical functions with SBML Level 3 Version 2 semantics.
 *
 * See `state-layout.ts` for where quantities live (state y = species amounts and rate-rule variables;
 * parameter vector p = everything else with a value), `lower.ts` for the meaning of symbols, `initial.ts`
 * for initial values, `rhs.ts`/`jacobian.ts` for the generated functions and `events.ts` for events.
 *
 * Not supported (an Error names the element): `delay(...)`, algebraic rules, fast reactions are treated as
 * ordinary reactions (SBML L3V2 deprecates `fast`).
 */
import type { Expr } from '../../numerics/expr/ast.js';
import { freeSymbols } from '../../numerics/expr/free-symbols.js';
import type { Model } from '../ir.js';
import { buildInitial } from './initial.js';
import { buildJacobian, type SparsityPattern } from './jacobian.js';
import { Lowerer } from './lower.js';
import { buildObservables } from './observables.js';
import {
  buildRhs,
  buildScalarFunction,
  buildVectorFunction,
  type ModelRhs,
  type ModelVectorFn,
} from './rhs.js';
import { where } from './rules.js';
import { buildLayout, isConcentration } from './state-layout.js';

export type ScalarFn = (t: number, y: Float64Array, p: Float64Array) => number;

/** Where an event assignment writes. */
export interface EventTarget {
  readonly id: string;
  readonly where: 'y' | 'p';
  readonly index: number;
  /** For concentration species: the compartment size, read after the event's other assignments. */
  readonly volume?: ScalarFn;
  /** True for compartments (applied before species so concentration assignments use the new size). */
  readonly isCompartment: boolean;
}

export interface CompiledEvent {
  readonly id: string;
  readonly initialValue: boolean;
  readonly persistent: boolean;
  readonly useValuesFromTriggerTime: boolean;
  /** Trigger as 1/0. */
  readonly trigger: ScalarFn;
  readonly priority?: ScalarFn;
  readonly delay?: ScalarFn;
  /** Values of the assignments (as the symbols mean them), in order of `targets`. */
  readonly values: ModelVectorFn;
  readonly targets: readonly EventTarget[];
}

export interface Stoichiometry {
  /** Coordinate form: entry k says reaction `reaction[k]` changes state `state[k]` by `coefficient[k]`. */
  readonly reaction: Int32Array;
  readonly state: Int32Array;
  /** Stoichiometry times conversion factor, evaluated with the initial parameter values. */
  readonly coefficient: Float64Array;
}

export interface CompiledModel {
  readonly id: string;
  /** Order of the state vector y (species amounts, rate-rule variables). */
  readonly stateIds: readonly string[];
  /** Order of the parameter vector p. Local parameters appear as `reactionId.paramId`. */
  readonly parameterIds: readonly string[];
  /** Initial parameter values (initial assignments applied). Copy before mutating. */
  readonly p0: Float64Array;
  /**
   * Initial state for parameters p, at time t0 (default 0). Recomputes p entries defined by initial
   * assignments (in place) unless `keep[j]` is set, so that overrides propagate.
   */
  initialState(p: Float64Array, keep?: ArrayLike<number | boolean>, t0?: number): Float64Array;
  rhs: ModelRhs;
  /** Dense row-major df/dy into J (length n*n). */
  jacobian: ModelRhs;
  /** False when compiled with `noJacobian` (then `jacobian` throws). */
  readonly hasJacobian: boolean;
  readonly jacobianPattern: SparsityPattern;
  /** Jacobian entries computed by finite differences (non-differentiable formulas); usually 0. */
  readonly jacobianFdEntries: number;
  readonly observableIds: readonly string[];
  observe: ModelVectorFn;
  readonly reactionIds: readonly string[];
  reactionRates: ModelVectorFn;
  readonly stoichiometry: Stoichiometry;
  readonly events: readonly CompiledEvent[];
  /** Event indicator functions (one per event); see `events.ts`. */
  eventIndicators: ModelVectorFn;
  /** Event triggers as 1/0 (one per event). */
  eventTriggers: ModelVectorFn;
  /** Lowered right-hand side (for inspection and tests). */
  readonly derivatives: readonly Expr[];
}

export interface CompileOptions {
  /** Skip the Jacobian (saves compile time for explicit methods). Default false. */
  readonly noJacobian?: boolean;
}

const num = (value: number): Expr => ({ kind: 'num', value });
const c = (op: 'minus' | 'min' | 'max', ...args: Expr[]): Expr => ({ kind: 'call', op, args });

/**
 * Indicator g of a boolean trigger: g > 0 where the trigger is true (up to the boundary, where relations
 * with equality differ). a > b, a >= b -> a - b; a < b, a <= b -> b - a (chains: the min over consecutive
 * pairs); and -> min; or -> max; not -> -g. eq, neq, xor, implies and non-relational booleans use a step
 * indicator, +1 when true and -1 when false: root finding on the dense output still brackets the switching
 * time to the driver's time tolerance. eq(a, b) is deliberately not -|a - b| (which touches zero without a
 * sign change and so is invisible to root finding): a continuous crossing of exact equality can only be seen
 * as a step, and a discrete one (a parameter set by another event) is caught by re-evaluating triggers
 * after every event.
 */
export function triggerIndicator(T: Expr): Expr {
  const step = (): Expr => ({
    kind: 'piecewise',
    pieces: [{ value: num(1), condition: T }],
    otherwise: num(-1),
  });
  if (T.kind !== 'call') return step();
  const a = T.args;
  switch (T.op) {
    case 'gt':
    case 'geq':
    case 'lt':
    case 'leq': {
      if (a.length < 2) return step();
      const up = T.op === 'gt' || T.op === 'geq';
      const parts: Expr[] = [];
      for (let i = 0; i + 1 < a.length; i++)
        parts.push(up ? c('minus', a[i], a[i + 1]) : c('minus', a[i + 1], a[i]));
      return parts.length === 1 ? parts[0] : c('min', ...parts);
    }
    case 'and':
      return a.length === 0
        ? step()
        : a.length === 1
          ? triggerIndicator(a[0])
          : c('min', ...a.map(triggerIndicator));
    case 'or':
      return a.length === 0
        ? step()
        : a.length === 1
          ? triggerIndicator(a[0])
          : c('max', ...a.map(triggerIndicator));
    case 'not':
      return c('minus', triggerIndicator(a[0]));
    default:
      return step();
  }
}

export function compileModel(model: Model, options: CompileOptions = {}): CompiledModel {
  const layout = buildLayout(model);
  const lowerer = new Lowerer(model, layout);
  const n = layout.stateIds.length;

  const derivatives = layout.stateIds.map((_, i) => lowerer.derivative(i));
  const rhs = buildRhs(derivatives);

  const { init, pLiteral } = buildInitial(model, layout, lowerer);
  const p0 = pLiteral.slice();
  const y0 = new Float64Array(n);
  init(0, p0, undefined, y0);
  for (let i = 0; i < n; i++)
    if (Number.isNaN(y0[i])) {
      const info = layout.symbols.get(layout.stateIds[i])!;
      throw new Error(
        `'${info.id}' has no initial value (no value, initial amount/concentration or initial assignment)${where(info.loc)}`,
      );
    }
  const used = new Set<string>();
  for (const d of derivatives) freeSymbols(d, used);
  for (let j = 0; j < p0.length; j++)
    if (Number.isNaN(p0[j]) && used.has(`$p${j}`))
      throw new Error(`'${layout.parameterIds[j]}' is used but has no value`);

  const jac = options.noJacobian
    ? {
        jacobian: (() => {
          throw new Error('compileModel: compiled with noJacobian');
        }) as ModelRhs,
        pattern: { n, rowPtr: new Int32Array(n + 1), colIdx: new Int32Array(0) },
        fdEntries: 0,
      }
    : buildJacobian(derivatives, rhs);

  const obs = buildObservables(model, lowerer);
  const observe = buildVectorFunction(obs.exprs);
  const reactionRates = buildVectorFunction(model.reactions.map((_, k) => lowerer.rate(k)));

  // Stoichiometry (coordinate form), conversion factors and id-valued stoichiometries at p0.
  const rxn: number[] = [];
  const st: number[] = [];
  const coef: number[] = [];
  const evalAtStart = (e: Expr): number => buildScalarFunction(e)(0, y0, p0);
  model.reactions.forEach((r, k) => {
    const acc = new Map<number, number>();
    const addRef = (ref: (typeof r.reactants)[number], sign: number): void => {
      const info = layout.symbols.get(ref.species)!;
      if (info.where !== 'y' || !layout.reactionSpecies.has(ref.species)) return;
      const s = info.species!;
      const cf = s.conversionFactor ?? model.conversionFactor;
      const factor = cf ? evalAtStart(lowerer.symbol(cf)) : 1;
      const v = evalAtStart(lowerer.stoichiometry(ref)) * factor * sign;
      acc.set(info.index, (acc.get(info.index) ?? 0) + v);
    };
    for (const ref of r.reactants) addRef(ref, -1);
    for (const ref of r.products) addRef(ref, 1);
    for (const [i, v] of acc) {
      rxn.push(k);
      st.push(i);
      coef.push(v);
    }
  });

  // Events.
  const events: CompiledEvent[] = [];
  const triggers: Expr[] = [];
  const indicators: Expr[] = [];
  for (const ev of model.events) {
    const ctx = (what: string) => `event '${ev.id}' ${what}${where(ev.loc)}`;
    const T = lowerer.expr(ev.trigger.math, undefined, ctx('trigger'));
    triggers.push(T);
    indicators.push(triggerIndicator(T));
    const targets: EventTarget[] = [];
    const values: Expr[] = [];
    for (const a of ev.assignments) {
      const info = layout.symbols.get(a.variable);
      const at = `event '${ev.id}': assignment to '${a.variable}'${where(a.loc ?? ev.loc)}`;
      if (!info || info.kind === 'reaction') throw new Error(`${at}: unknown variable`);
      if (info.constant) throw new Error(`${at}: it is constant`);
      if (info.where === 'rule') throw new Error(`${at}: it has an assignment rule`);
      if (info.where === 'reaction') throw new Error(`${at}: not assignable`);
      const s = info.species;
      targets.push({
        id: a.variable,
        where: info.where,
        index: info.index,
        volume:
          s && isConcentration(s, model) ? buildScalarFunction(lowerer.symbol(s.compartment)) : undefined,
        isCompartment: info.kind === 'compartment',
      });
      values.push(lowerer.expr(a.math, undefined, at));
    }
    events.push({
      id: ev.id,
      initialValue: ev.trigger.initialValue,
      persistent: ev.trigger.persistent,
      useValuesFromTriggerTime: ev.useValuesFromTriggerTime,
      trigger: buildScalarFunction(T),
      priority: ev.priority
        ? buildScalarFunction(lowerer.expr(ev.priority, undefined, ctx('priority')))
        : undefined,
      delay: ev.delay ? buildScalarFunction(lowerer.expr(ev.delay, undefined, ctx('delay'))) : undefined,
      values: buildVectorFunction(values),
      targets,
    });
  }

  return {
    id: model.id,
    stateIds: layout.stateIds,
    parameterIds: layout.parameterIds,
    p0,
    initialState(p, keep, t0 = 0) {
      const y = new Float64Array(n);
      init(t0, p, keep, y);
      return y;
    },
    rhs,
    jacobian: jac.jacobian,
    hasJacobian: !options.noJacobian,
    jacobianPattern: jac.pattern,
    jacobianFdEntries: jac.fdEntries,
    observableIds: obs.ids,
    observe,
    reactionIds: model.reactions.map((r) => r.id),
    reactionRates,
    stoichiometry: {
      reaction: Int32Array.from(rxn),
      state: Int32Array.from(st),
      coefficient: Float64Array.from(coef),
    },
    events,
    eventIndicators: buildVectorFunction(indicators),
    eventTriggers: buildVectorFunction(triggers),
    derivatives,
  };
}
