/**
 * Events seen by the integration driver: a set of indicator functions g_k(t, y) whose sign changes are
 * located by root finding on the dense output, and a handler called at the earliest root.
 *
 * This is deliberately low-level: SBML event semantics (delays, priorities, persistence, values from
 * trigger time) are built on it in `models/`, and dosing schedules use `schedule` for exact time stops.
 */

/** What a handler may do at an event. */
export interface EventContext {
  /** Event time. */
  readonly t: number;
  /** State at the event; the handler may change it, and the integrator restarts from the new state. */
  readonly y: Float64Array;
  /** Stop the integration after this event with return code `Terminated`. */
  terminate(): void;
  /** Ask for `onTime` to be called at a future time `tAt` (the integrator lands on it exactly). */
  schedule(tAt: number, tag: number): void;
}

export interface EventSet {
  /** Number of indicator functions. */
  readonly count: number;
  /** Evaluate every indicator g_k(t, y) into `out` (length `count`). Must not allocate. */
  indicators(t: number, y: Float64Array, out: Float64Array): void;
  /**
   * Which sign changes count: +1 only rising (g goes from <= 0 to > 0), -1 only falling, 0 both.
   * One entry per indicator; all rising when absent.
   */
  readonly directions?: Int8Array;
  /** Called once at the start time, before the first step (initial triggers, initial schedules). */
  start?(ctx: EventContext): void;
  /**
   * Called at the earliest located root. `fired[0..nFired)` are the indicators that changed sign there,
   * with `rising[k]` true for a rise. The state passed is the state at the root.
   */
  handle(ctx: EventContext, fired: Int32Array, rising: Uint8Array, nFired: number): void;
  /** Called at a time requested with `schedule`. */
  onTime?(ctx: EventContext, tag: number): void;
}

/** One simple event: when g rises through zero, run `affect`. */
export interface SimpleEvent {
  g(t: number, y: Float64Array): number;
  direction?: 1 | -1 | 0;
  affect(ctx: EventContext): void;
}

/** Bundle simple events into an EventSet (handlers run in the order given when roots coincide). */
export function eventSet(events: readonly SimpleEvent[]): EventSet {
  const directions = Int8Array.from(events.map((e) => e.direction ?? 1));
  return {
    count: events.length,
    directions,
    indicators(t, y, out) {
      for (let k = 0; k < events.length; k++) out[k] = events[k].g(t, y);
    },
    handle(ctx, fired, _rising, nFired) {
      for (let i = 0; i < nFired; i++) events[fired[i]].affect(ctx);
    },
  };
}
