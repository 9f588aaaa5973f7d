/**
 * SBML Level 3 Version 2 events on top of the driver's low-level `EventSet` (numerics/ode/events.ts).
 *
 * Semantics (SBML L3V2 section 4.12):
 *  - An event triggers when its trigger goes from false to true. Before the start time the trigger has the
 *    value `initialValue`; a trigger that is true at t0 with initialValue false triggers at t0 (in `start`).
 *  - Every event has one indicator (see `triggerIndicator` in compile.ts), watched in both directions. A
 *    trigger's state is latched: it changes only (a) at a root of its indicator reported by the driver,
 *    where the new state is the crossing direction (not a re-evaluation of the boolean, which at a root is
 *    ambiguous up to rounding), and (b) when an event assignment changes the trigger's boolean value
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
 *  - Assignments: all values are computed first, then written. Parameters, compartments and species-
 *    reference stoichiometries in p are mutated in place (p is the vector the right-hand side reads);
 *    state entries are written to ctx.y. Compartment sizes are written before species so that a
 *    concentration species assigned by the same event gets amount = value * new size; assigning a
 *    compartment alone leaves amounts unchanged, so concentrations change (SBML L3V2 4.12.7).
 */
import type { EventContext, EventSet } from '../../numerics/ode/events.js';
import type { CompiledEvent, CompiledModel } from './compile.js';

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

  const apply = (ctx: EventContext, ev: CompiledEvent, values: Float64Array): void => {
    const y = ctx.y;
    // Compartments first, then everything else (species concentrations use the new sizes).
    for (let pass = 0; pass < 2; pass++) {
      for (let a = 0; a < ev.targets.length; a++) {
        const tg = ev.targets[a];
        if (tg.isCompartment !== (pass === 0)) continue;
        const v = tg.volume ? values[a] * tg.volume(ctx.t, y, p) : values[a];
        if (tg.where === 'y') y[tg.index] = v;
        else p[tg.index] = v;
      }
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
      apply(ctx, ev, values);
      executed.push({ t: ctx.t, id: ev.id });
      options.onExecute?.(ctx.t, ev.id);
      compiled.eventTriggers(ctx.t, ctx.y, p, post);
      for (let k = 0; k < m; k++) if (pre[k] !== post[k]) setState(ctx, k, post[k] !== 0);
    }
  };

  return {
    count: m,
    directions: new Int8Array(m),
    executed,
    indicators(t, y, out) {
      compiled.eventIndicators(t, y, p, out);
    },
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
      for (let r = 0; r < nFired; r++) setState(ctx, fired[r], rising[r] !== 0);
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
