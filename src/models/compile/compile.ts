/**
 * compileModel: a model IR -> fast numerical functions with SBML Level 3 Version 2 semantics.
 *
 * See `state-layout.ts` for where quantities live (state y = species amounts and rate-rule variables;
 * parameter vector p = everything else with a value), `lower.ts` for the meaning of symbols, `initial.ts`
 * for initial values, `rhs.ts`/`jacobian.ts` for the generated functions and `events.ts` for events.
 *
 * Algebraic rules that are linear in one otherwise-undetermined variable become assignment rules (see
 * `algebraic.ts`). Not supported (an Error names the element): `delay(...)`, other algebraic rules; fast
 * reactions are treated as ordinary reactions (SBML L3V2 deprecates `fast`).
 */
import type { Expr } from '../../numerics/expr/ast.js';
import { freeSymbols } from '../../numerics/expr/free-symbols.js';
import type { Model } from '../ir.js';
import { resolveAlgebraicRules } from './algebraic.js';
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
  /** For concentration species: the compartment size, read before any of the event's assignments. */
  readonly volume?: ScalarFn;
  /** True for compartments. */
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
  /** The trigger's relations are `CompiledModel.relationIndicators` entries [relationStart, +relationCount). */
  readonly relationStart: number;
  readonly relationCount: number;
  /** The trigger as a boolean function of its relations (indices relative to `relationStart`). */
  readonly structure: TriggerNode;
}

/**
 * The boolean structure of a trigger over its relations ("atoms"): and/or/xor/not/implies of relations
 * `a > b`, `a >= b`, `a < b`, `a <= b` (chains split into pairs), constants, and any other boolean
 * subexpression as an opaque atom.
 */
export type TriggerNode =
  | { readonly kind: 'atom'; readonly index: number }
  | { readonly kind: 'and' | 'or' | 'xor'; readonly args: readonly TriggerNode[] }
  | { readonly kind: 'not'; readonly arg: TriggerNode }
  | { readonly kind: 'implies'; readonly a: TriggerNode; readonly b: TriggerNode }
  | { readonly kind: 'const'; readonly value: boolean };

/** A trigger split into its relations: each gets its own indicator and its own 1/0 value. */
export interface TriggerDecomposition {
  readonly structure: TriggerNode;
  /** The relations as 1/0 expressions. */
  readonly atoms: readonly Expr[];
  /** One indicator per atom: > 0 where it is true (up to the boundary); see `triggerIndicator`. */
  readonly indicators: readonly Expr[];
}

/**
 * Split a (lowered) trigger into relations. Why: one indicator for the whole trigger (min over the parts
 * of a conjunction) is negative at both ends of a step in which a window such as `k >= 2.25 && k <= 3.5`
 * opens and closes, so the driver never sees it; each relation alone changes sign in that step, and the
 * earliest such root is located. The event set then re-evaluates the boolean trigger at each root.
 */
export function decomposeTrigger(T: Expr): TriggerDecomposition {
  const atoms: Expr[] = [];
  const indicators: Expr[] = [];
  const atom = (e: Expr, g: Expr): TriggerNode => {
    atoms.push(e);
    indicators.push(g);
    return { kind: 'atom', index: atoms.length - 1 };
  };
  const go = (e: Expr): TriggerNode => {
    if (e.kind === 'num') return { kind: 'const', value: e.value !== 0 && !Number.isNaN(e.value) };
    if (e.kind !== 'call') return atom(e, triggerIndicator(e));
    const a = e.args;
    switch (e.op) {
      case 'gt':
      case 'geq':
      case 'lt':
      case 'leq': {
        if (a.length < 2) return atom(e, triggerIndicator(e));
        const parts: TriggerNode[] = [];
        for (let i = 0; i + 1 < a.length; i++) {
          const rel: Expr = a.length === 2 ? e : { kind: 'call', op: e.op, args: [a[i], a[i + 1]] };
          parts.push(atom(rel, triggerIndicator(rel)));
        }
        return parts.length === 1 ? parts[0] : { kind: 'and', args: parts };
      }
      case 'and':
      case 'or':
      case 'xor':
        return { kind: e.op, args: a.map(go) };
      case 'not':
        return a.length === 1 ? { kind: 'not', arg: go(a[0]) } : atom(e, triggerIndicator(e));
      case 'implies':
        return a.length === 2 ? { kind: 'implies', a: go(a[0]), b: go(a[1]) } : atom(e, triggerIndicator(e));
      default:
        return atom(e, triggerIndicator(e));
    }
  };
  return { structure: go(T), atoms, indicators };
}

/** Value of a trigger structure given its atoms' values (`values[offset + index]`, nonzero = true). */
export function evaluateTrigger(node: TriggerNode, values: ArrayLike<number>, offset = 0): boolean {
  switch (node.kind) {
    case 'atom':
      return values[offset + node.index] !== 0;
    case 'const':
      return node.value;
    case 'not':
      return !evaluateTrigger(node.arg, values, offset);
    case 'implies':
      return !evaluateTrigger(node.a, values, offset) || evaluateTrigger(node.b, values, offset);
    case 'and':
      for (const x of node.args) if (!evaluateTrigger(x, values, offset)) return false;
      return true;
    case 'or':
      for (const x of node.args) if (evaluateTrigger(x, values, offset)) return true;
      return false;
    case 'xor': {
      let odd = false;
      for (const x of node.args) if (evaluateTrigger(x, values, offset)) odd = !odd;
      return odd;
    }
  }
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
  /** Indicators of the triggers' relations, all events in order (see `decomposeTrigger`). */
  relationIndicators: ModelVectorFn;
  /** The triggers' relations as 1/0, same order. */
  relationValues: ModelVectorFn;
  /** Event index of each relation. */
  readonly relationEvent: Int32Array;
  /** Lowered right-hand side (for inspection and tests). */
  readonly derivatives: readonly Expr[];
  /** Lowered observable and event formulas, for symbolic derivatives (forward sensitivities). */
  readonly lowered?: LoweredFormulas;
}

/** Lowered formulas (symbols `$y<i>`, `$p<j>`) behind `observe` and the events' functions. */
export interface LoweredFormulas {
  /** In `observableIds` order. */
  readonly observables: readonly Expr[];
  /** In `events` order. */
  readonly events: readonly {
    readonly trigger: Expr;
    readonly delay?: Expr;
    /** Assignment values, in `targets` order. */
    readonly values: readonly Expr[];
    /** Compartment size per target (concentration species), else undefined. */
    readonly volumes: readonly (Expr | undefined)[];
  }[];
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

export function compileModel(model0: Model, options: CompileOptions = {}): CompiledModel {
  const model = resolveAlgebraicRules(model0);
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
  const relAtoms: Expr[] = [];
  const relIndicators: Expr[] = [];
  const relEvent: number[] = [];
  const loweredEvents: LoweredFormulas['events'][number][] = [];
  for (const ev of model.events) {
    const ctx = (what: string) => `event '${ev.id}' ${what}${where(ev.loc)}`;
    const T = lowerer.expr(ev.trigger.math, undefined, ctx('trigger'));
    triggers.push(T);
    indicators.push(triggerIndicator(T));
    const dec = decomposeTrigger(T);
    const relationStart = relAtoms.length;
    relAtoms.push(...dec.atoms);
    relIndicators.push(...dec.indicators);
    for (let r = 0; r < dec.atoms.length; r++) relEvent.push(events.length);
    const targets: EventTarget[] = [];
    const values: Expr[] = [];
    const volumes: (Expr | undefined)[] = [];
    for (const a of ev.assignments) {
      const info = layout.symbols.get(a.variable);
      const at = `event '${ev.id}': assignment to '${a.variable}'${where(a.loc ?? ev.loc)}`;
      if (!info || info.kind === 'reaction') throw new Error(`${at}: unknown variable`);
      if (info.constant) throw new Error(`${at}: it is constant`);
      if (info.where === 'rule') throw new Error(`${at}: it has an assignment rule`);
      if (info.where === 'reaction') throw new Error(`${at}: not assignable`);
      const s = info.species;
      volumes.push(s && isConcentration(s, model) ? lowerer.symbol(s.compartment) : undefined);
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
    const delayExpr = ev.delay ? lowerer.expr(ev.delay, undefined, ctx('delay')) : undefined;
    loweredEvents.push({ trigger: T, ...(delayExpr ? { delay: delayExpr } : {}), values, volumes });
    events.push({
      id: ev.id,
      initialValue: ev.trigger.initialValue,
      persistent: ev.trigger.persistent,
      useValuesFromTriggerTime: ev.useValuesFromTriggerTime,
      trigger: buildScalarFunction(T),
      priority: ev.priority
        ? buildScalarFunction(lowerer.expr(ev.priority, undefined, ctx('priority')))
        : undefined,
      delay: delayExpr ? buildScalarFunction(delayExpr) : undefined,
      values: buildVectorFunction(values),
      targets,
      relationStart,
      relationCount: dec.atoms.length,
      structure: dec.structure,
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
    relationIndicators: buildVectorFunction(relIndicators),
    relationValues: buildVectorFunction(relAtoms),
    relationEvent: Int32Array.from(relEvent),
    derivatives,
    lowered: { observables: obs.exprs, events: loweredEvents },
  };
}
