/**
 * SBML Level 3 Version 2 events on top of the driver's low-level `EventSet` (numerics/ode/events.ts).
 *
 * Semantics (SBML L3V2 section 4.12):
 *  - An event triggers when its trigger goes from false to true. Before the start time the trigger has the
 *    value `initialValue`; a trigger that is true at t0 with initialValue false triggers at t0 (in `start`).
 *  - Every relation of a trigger has its own indicator (`perRelation`, see `decomposeTrigger` in
 *    compile.ts; or one indicator per event, `triggerIndicator`), watched in both directions. A trigger's
 *    state is latched: it changes only (a) at a root of one of its indicators reported by the driver, where
 *    the trigger is re-evaluated with each crossing relation taking its crossing direction (not its
 *    re-evaluated value, which at a root is ambiguous up to rounding), and the event fires when the
 *    trigger goes false -> true, and (b) when an event assignment changes the trigger's boolean value
 *    (evaluated just before and just after each execution, so discrete changes such as a parameter set by
 *    another event cause cascades at the same instant).
 *  - Delay: evaluated at trigger time; the execution is scheduled with `ctx.schedule` (the driver lands on
 *    it exactly). A zero or absent delay executes at the trigger instant. Negative delays are errors.
 *  - useValuesFromTriggerTime: the assignment values are computed when the event triggers and stored;
 *    otherwise they are computed when it executes.
 *  - Priorities: among the events due at one instant, the highest priority (evaluated at selection time)
 *    executes first; after each execution every trigger is re-checked and newly triggered events join the
 *    set at the same instant. Events without priority come after every event with one. Ties are broken by
 *    document order, then by trigger order - deterministic, where SBML allows any order.
 *  - persistent = false: a pending execution is cancelled when the trigger turns false before it executes.
 *  - Assignments: all values are computed first, then written (SBML L3V2 section 4.12: the event's
 *    assignment formulas are all evaluated before any assignment is performed). Parameters, compartments and species-reference
 *    stoichiometries in p are mutated in place (p is the vector the right-hand side reads); state entries
 *    are written to ctx.y. A concentration species is stored as an amount, and the conversion amount =
 *    value * size is part of the evaluation, so it uses the compartment size *before* the event even when
 *    the same event assigns the compartment (the SBML Test Suite's reading, cases 01506, 01779, 01780:
 *    both assignments are based on the state before the event; the species' concentration then ends up as
 *    value * old size / new size). Assigning a compartment alone leaves amounts unchanged, so
 *    concentrations change (L3V2 section 4.12.7).
 */
import type { EventContext, EventSet } from '../../numerics/ode/events.js';
import { type CompiledEvent, type CompiledModel, evaluateTrigger } from './compile.js';

interface Pending {
  readonly tag: number;
  readonly event: number;
  readonly tExec: number;
  readonly values: Float64Array | null;
  /** Order in which executions were triggered, for deterministic tie-breaking. */
  readonly seq: number;
}

export interface ModelEventOptions {
  /** Called after each event execution with the time (e.g. to log parameter changes). */
  readonly onExecute?: (t: number, eventId: string) => void;
  /** Safety limit on executions at one instant (an event cascade that never ends). Default 100000. */
  readonly maxCascade?: number;
  /**
   * Watch one indicator per relation of each trigger (`CompiledModel.relationIndicators`) instead of one
   * per event: `count` is then the number of relations and `handle` receives relation indices. Use it with
   * the ODE driver (a conjunction's window that opens and closes inside one step is then still seen).
   * Default false: one indicator per event, `handle` receives event indices with the new trigger values
   * (what the stochastic simulator, which evaluates triggers itself, passes).
   */
  readonly perRelation?: boolean;
}

export interface ModelEventSet extends EventSet {
  /** Times and ids of executed events, in order. */
  readonly executed: { t: number; id: string }[];
}

export function createModelEvents(
  compiled: CompiledModel,
  p: Float64Array,
  options: ModelEventOptions = {},
): ModelEventSet {
  const evs: readonly CompiledEvent[] = compiled.events;
  const m = evs.length;
  const latched = new Uint8Array(m);
  const pre = new Float64Array(m);
  const post = new Float64Array(m);
  const scratch = evs.map((e) => new Float64Array(e.targets.length));
  const converted = evs.map((e) => new Float64Array(e.targets.length));
  let pending: Pending[] = [];
  let ready: Pending[] = [];
  let tagCounter = 0;
  let seqCounter = 0;
  const executed: { t: number; id: string }[] = [];
  const maxCascade = options.maxCascade ?? 100000;

  /** Event k has just triggered at ctx.t. */
  const trigger = (ctx: EventContext, k: number): void => {
    const ev = evs[k];
    const delay = ev.delay ? ev.delay(ctx.t, ctx.y, p) : 0;
    if (!(delay >= 0)) throw new Error(`event '${ev.id}': delay is ${delay} at t = ${ctx.t} (must be >= 0)`);
    let values: Float64Array | null = null;
    if (ev.useValuesFromTriggerTime) {
      values = new Float64Array(ev.targets.length);
      ev.values(ctx.t, ctx.y, p, values);
    }
    const item: Pending = { tag: tagCounter++, event: k, tExec: ctx.t + delay, values, seq: seqCounter++ };
    if (delay > 0 && item.tExec > ctx.t) {
      pending.push(item);
      ctx.schedule(item.tExec, item.tag);
    } else ready.push(item);
  };

  /** Trigger state of k becomes `now`. */
  const setState = (ctx: EventContext, k: number, now: boolean): void => {
    if (now && !latched[k]) {
      latched[k] = 1;
      trigger(ctx, k);
    } else if (!now && latched[k]) {
      latched[k] = 0;
      if (!evs[k].persistent) {
        pending = pending.filter((x) => x.event !== k);
        ready = ready.filter((x) => x.event !== k);
      }
    }
  };

  const apply = (ctx: EventContext, k: number, values: Float64Array): void => {
    const ev = evs[k];
    const y = ctx.y;
    // Everything is evaluated in the pre-event state, then written: a concentration species gets
    // amount = value * the compartment size *before* the event, even when the same event assigns the size.
    const out = converted[k];
    for (let a = 0; a < ev.targets.length; a++) {
      const tg = ev.targets[a];
      out[a] = tg.volume ? values[a] * tg.volume(ctx.t, y, p) : values[a];
    }
    for (let a = 0; a < ev.targets.length; a++) {
      const tg = ev.targets[a];
      if (tg.where === 'y') y[tg.index] = out[a];
      else p[tg.index] = out[a];
    }
  };

  const priorityOf = (ctx: EventContext, k: number): number => {
    const pr = evs[k].priority;
    if (!pr) return -Infinity;
    const v = pr(ctx.t, ctx.y, p);
    return Number.isNaN(v) ? -Infinity : v;
  };

  /** Execute everything due at this instant, highest priority first, with cascades. */
  const processInstant = (ctx: EventContext): void => {
    let count = 0;
    while (ready.length > 0) {
      if (++count > maxCascade)
        throw new Error(`events: more than ${maxCascade} executions at t = ${ctx.t} (an endless cascade?)`);
      let best = 0;
      let bestP = priorityOf(ctx, ready[0].event);
      for (let r = 1; r < ready.length; r++) {
        const pr = priorityOf(ctx, ready[r].event);
        const a = ready[r];
        const b = ready[best];
        if (pr > bestP || (pr === bestP && (a.event < b.event || (a.event === b.event && a.seq < b.seq)))) {
          best = r;
          bestP = pr;
        }
      }
      const item = ready[best];
      ready.splice(best, 1);
      const ev = evs[item.event];
      let values = item.values;
      if (!values) {
        values = scratch[item.event];
        ev.values(ctx.t, ctx.y, p, values);
      }
      compiled.eventTriggers(ctx.t, ctx.y, p, pre);
      apply(ctx, item.event, values);
      executed.push({ t: ctx.t, id: ev.id });
      options.onExecute?.(ctx.t, ev.id);
      compiled.eventTriggers(ctx.t, ctx.y, p, post);
      for (let k = 0; k < m; k++) if (pre[k] !== post[k]) setState(ctx, k, post[k] !== 0);
    }
  };

  const perRelation = options.perRelation ?? false;
  const nRel = compiled.relationEvent.length;
  const relValues = new Float64Array(nRel);
  const touched = new Uint8Array(m);

  return {
    count: perRelation ? nRel : m,
    directions: new Int8Array(perRelation ? nRel : m),
    executed,
    indicators: perRelation
      ? (t, y, out) => compiled.relationIndicators(t, y, p, out)
      : (t, y, out) => compiled.eventIndicators(t, y, p, out),
    start(ctx) {
      pending = [];
      ready = [];
      executed.length = 0;
      compiled.eventTriggers(ctx.t, ctx.y, p, post);
      for (let k = 0; k < m; k++) {
        latched[k] = evs[k].initialValue ? 1 : 0;
        setState(ctx, k, post[k] !== 0);
      }
      processInstant(ctx);
    },
    handle(ctx, fired, rising, nFired) {
      if (!perRelation) {
        for (let r = 0; r < nFired; r++) setState(ctx, fired[r], rising[r] !== 0);
      } else {
        // The relations that crossed take their crossing direction (at a root their own value is
        // ambiguous up to rounding); the others are evaluated; each affected trigger is re-evaluated.
        compiled.relationValues(ctx.t, ctx.y, p, relValues);
        touched.fill(0);
        for (let r = 0; r < nFired; r++) {
          relValues[fired[r]] = rising[r];
          touched[compiled.relationEvent[fired[r]]] = 1;
        }
        for (let k = 0; k < m; k++)
          if (touched[k])
            setState(ctx, k, evaluateTrigger(evs[k].structure, relValues, evs[k].relationStart));
      }
      processInstant(ctx);
    },
    onTime(ctx, tag) {
      if (!pending.some((x) => x.tag === tag)) return; // cancelled, or already executed with its peers
      const tol = 1e-12 * Math.max(1, Math.abs(ctx.t));
      const due = pending.filter((x) => x.tExec <= ctx.t + tol);
      pending = pending.filter((x) => x.tExec > ctx.t + tol);
      ready.push(...due);
      processInstant(ctx);
    },
  };
}
