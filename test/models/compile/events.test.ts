import { describe, expect, it } from 'vitest';
import { compileModel, evaluateTrigger } from '../../../src/models/compile/compile.js';
import { createModelEvents } from '../../../src/models/compile/events.js';
import type { Event } from '../../../src/models/ir.js';
import type { EventContext } from '../../../src/numerics/ode/events.js';
import { odeProblem } from '../../../src/numerics/ode/problem.js';
import { solve } from '../../../src/numerics/ode/solve.js';
import { comp, conc, event, ex, model, par, rxn } from './helpers.js';

/** A fake driver context: time and state set by the test, schedules recorded. */
function fakeCtx(t: number, y: Float64Array) {
  const scheduled: { t: number; tag: number }[] = [];
  const ctx = {
    t,
    y,
    terminated: false,
    terminate() {
      ctx.terminated = true;
    },
    schedule(tAt: number, tag: number) {
      scheduled.push({ t: tAt, tag });
    },
  };
  return { ctx: ctx as EventContext & { t: number; terminated: boolean }, scheduled };
}

const vars = ['x', 'order', 'A', 'flag', 'z'].map((id) => par(id, 0, { constant: false }));
const build = (events: Event[]) => {
  const m = model({
    compartments: [comp('V', 2, { constant: false })],
    species: [conc('S', 'V', 3)],
    parameters: [par('k', 0.1), ...vars],
    reactions: [rxn('R', [['S', 1]], [], 'k * S')],
    events,
  });
  const c = compileModel(m);
  const p = c.p0.slice();
  const y = c.initialState(p);
  const ix = (id: string) => c.parameterIds.indexOf(id);
  return { c, p, y, ix };
};
const one = (k: number) => Int32Array.of(k);
const up = Uint8Array.of(1);
const down = Uint8Array.of(0);

describe('SBML event semantics (EventSet driven directly)', () => {
  it('initialValue: a trigger true at t0 fires at start only when initialValue is false', () => {
    for (const initialValue of [false, true]) {
      const { c, p, y, ix } = build([event('E', 'geq(time, 0)', [['A', '5']], { initialValue })]);
      const es = createModelEvents(c, p);
      es.start!(fakeCtx(0, y).ctx);
      expect(p[ix('A')]).toBe(initialValue ? 0 : 5);
    }
  });

  it('indicators follow the relational structure', () => {
    const { c, p, y } = build([
      event('E1', 'and(gt(time, 1), lt(x, 2))', []),
      event('E2', 'or(geq(S, 4), not(leq(x, 0)))', []),
      event('E3', 'eq(x, 1)', []),
    ]);
    const es = createModelEvents(c, p);
    const g = new Float64Array(3);
    es.indicators(0.5, y, g);
    // S = 6 / 2 = 3; x = 0
    expect([...g]).toEqual([Math.min(0.5 - 1, 2 - 0), Math.max(3 - 4, -(0 - 0)), -1]);
    expect([...es.directions!]).toEqual([0, 0, 0]);
  });

  it('priorities: highest first, ties by document order, every execution sees the previous ones', () => {
    const mk = (id: string, digit: number, priority?: string): Event => ({
      ...event(id, 'gt(time, 1)', [['order', `order * 10 + ${digit}`]]),
      useValuesFromTriggerTime: false,
      priority: priority === undefined ? undefined : { kind: 'num', value: Number(priority) },
    });
    const { c, p, y, ix } = build([
      mk('E1', 1, '1'),
      mk('E2', 2, '5'),
      mk('E3', 3, '3'),
      mk('E4', 4, '3'),
      mk('E5', 5),
    ]);
    const es = createModelEvents(c, p);
    es.start!(fakeCtx(0, y).ctx);
    es.handle(fakeCtx(1, y).ctx, Int32Array.of(0, 1, 2, 3, 4), Uint8Array.of(1, 1, 1, 1, 1), 5);
    expect(p[ix('order')]).toBe(23415);
    expect(es.executed.map((e) => e.id)).toEqual(['E2', 'E3', 'E4', 'E1', 'E5']);
  });

  it('useValuesFromTriggerTime: true stores values at trigger time, false evaluates at execution', () => {
    for (const uv of [true, false]) {
      const { c, p, y, ix } = build([
        {
          ...event('E', 'gt(time, 1)', [['A', 'x']]),
          delay: { kind: 'num', value: 2 },
          useValuesFromTriggerTime: uv,
        },
      ]);
      const es = createModelEvents(c, p);
      es.start!(fakeCtx(0, y).ctx);
      p[ix('x')] = 7;
      const { ctx, scheduled } = fakeCtx(1, y);
      es.handle(ctx, one(0), up, 1);
      expect(scheduled).toHaveLength(1);
      expect(scheduled[0].t).toBe(3);
      expect(p[ix('A')]).toBe(0); // not yet
      p[ix('x')] = 11;
      es.onTime!(fakeCtx(3, y).ctx, scheduled[0].tag);
      expect(p[ix('A')]).toBe(uv ? 7 : 11);
    }
  });

  it('persistent = false: cancelled when the trigger turns false before execution', () => {
    for (const persistent of [false, true]) {
      const { c, p, y, ix } = build([
        { ...event('E', 'gt(x, 1)', [['A', '1']], { persistent }), delay: { kind: 'num', value: 2 } },
      ]);
      const es = createModelEvents(c, p);
      es.start!(fakeCtx(0, y).ctx);
      const { ctx, scheduled } = fakeCtx(1, y);
      es.handle(ctx, one(0), up, 1); // rises at t = 1
      es.handle(fakeCtx(2, y).ctx, one(0), down, 1); // falls at t = 2
      es.onTime!(fakeCtx(3, y).ctx, scheduled[0].tag);
      expect(p[ix('A')]).toBe(persistent ? 1 : 0);
    }
  });

  it('a trigger fires again only after it has been false', () => {
    const { c, p, y, ix } = build([event('E', 'gt(x, 1)', [['order', 'order + 1']])]);
    const es = createModelEvents(c, p);
    es.start!(fakeCtx(0, y).ctx);
    es.handle(fakeCtx(1, y).ctx, one(0), up, 1);
    es.handle(fakeCtx(1.000001, y).ctx, one(0), up, 1); // spurious second rise: ignored
    expect(p[ix('order')]).toBe(1);
    es.handle(fakeCtx(2, y).ctx, one(0), down, 1);
    es.handle(fakeCtx(3, y).ctx, one(0), up, 1);
    expect(p[ix('order')]).toBe(2);
  });

  it('cascades: an assignment that makes another trigger true executes it at the same instant', () => {
    const { c, p, y, ix } = build([
      event('E1', 'gt(time, 1)', [['flag', '1']]),
      event('E2', 'gt(flag, 0.5)', [
        ['z', '7'],
        ['flag', '2'],
      ]),
      event('E3', 'gt(flag, 1.5)', [['order', 'z + 1']]),
    ]);
    const es = createModelEvents(c, p);
    es.start!(fakeCtx(0, y).ctx);
    es.handle(fakeCtx(1, y).ctx, one(0), up, 1);
    expect(es.executed).toEqual([
      { t: 1, id: 'E1' },
      { t: 1, id: 'E2' },
      { t: 1, id: 'E3' },
    ]);
    expect(p[ix('order')]).toBe(8);
  });

  it('simultaneous triggers with useValuesFromTriggerTime use pre-execution values', () => {
    const { c, p, y, ix } = build([
      { ...event('E1', 'gt(time, 1)', [['x', '10']]), priority: { kind: 'num', value: 2 } },
      { ...event('E2', 'gt(time, 1)', [['A', 'x + 1']]), priority: { kind: 'num', value: 1 } },
    ]);
    const es = createModelEvents(c, p);
    es.start!(fakeCtx(0, y).ctx);
    es.handle(fakeCtx(1, y).ctx, Int32Array.of(0, 1), Uint8Array.of(1, 1), 2);
    expect(p[ix('x')]).toBe(10);
    expect(p[ix('A')]).toBe(1); // x was 0 at trigger time
  });

  it('assignments to concentration species and compartments', () => {
    const { c, p, y, ix } = build([
      event('E1', 'gt(time, 1)', [['S', '5']]),
      event('E2', 'gt(time, 2)', [['V', '4']]),
      event('E3', 'gt(time, 3)', [
        ['V', '1'],
        ['S', '10'],
      ]),
    ]);
    expect(c.stateIds).toEqual(['S']);
    const es = createModelEvents(c, p);
    es.start!(fakeCtx(0, y).ctx);
    es.handle(fakeCtx(1, y).ctx, one(0), up, 1);
    expect(y[0]).toBe(5 * 2); // amount = concentration * size
    es.handle(fakeCtx(2, y).ctx, one(1), up, 1);
    expect(p[ix('V')]).toBe(4);
    expect(y[0]).toBe(10); // amounts unchanged: the concentration drops to 2.5
    es.handle(fakeCtx(3, y).ctx, one(2), up, 1);
    // Both assignments are evaluated in the pre-event state: amount = 10 * the old size 4 (SBML Test Suite
    // 01779), so the concentration after the event is 40 / 1, not 10.
    expect(p[ix('V')]).toBe(1);
    expect(y[0]).toBe(10 * 4);
  });

  it('delayed events due at the same time execute together by priority', () => {
    const { c, p, y, ix } = build([
      {
        ...event('E1', 'gt(time, 1)', [['order', 'order * 10 + 1']]),
        delay: { kind: 'num', value: 1 },
        useValuesFromTriggerTime: false,
        priority: { kind: 'num', value: 0 },
      },
      {
        ...event('E2', 'gt(time, 1)', [['order', 'order * 10 + 2']]),
        delay: { kind: 'num', value: 1 },
        useValuesFromTriggerTime: false,
        priority: { kind: 'num', value: 9 },
      },
    ]);
    const es = createModelEvents(c, p);
    es.start!(fakeCtx(0, y).ctx);
    const { ctx, scheduled } = fakeCtx(1, y);
    es.handle(ctx, Int32Array.of(0, 1), Uint8Array.of(1, 1), 2);
    expect(scheduled.map((s) => s.t)).toEqual([2, 2]);
    for (const s of scheduled) es.onTime!(fakeCtx(2, y).ctx, s.tag);
    expect(p[ix('order')]).toBe(21);
  });
});

describe('triggers with several relations: one indicator per relation', () => {
  // k1' = 1 from 0; E sets hit = k1 when `k1 >= 2.25 && k1 <= 3.5` turns true. A fixed step of 5 jumps over
  // the whole window [2.25, 3.5]: min(k1 - 2.25, 3.5 - k1) is negative at both ends of the step, but each
  // relation alone changes sign inside it.
  const build2 = (trigger: string) => {
    const m = model({
      parameters: [
        par('k1', 0, { constant: false }),
        par('hit', -1, { constant: false }),
        par('n', 0, { constant: false }),
      ],
      rules: [{ kind: 'rate', variable: 'k1', math: ex('1') }],
      events: [
        event('E', trigger, [
          ['hit', 'k1'],
          ['n', 'n + 1'],
        ]),
      ],
    });
    const c = compileModel(m);
    const p = c.p0.slice();
    const y = c.initialState(p);
    const ix = (id: string) => c.parameterIds.indexOf(id);
    const run = (perRelation: boolean) => {
      p.set(c.p0);
      const events = createModelEvents(c, p, { perRelation });
      const sol = solve(
        odeProblem((t, yy, dy) => c.rhs(t, yy, p, dy), y.slice(), [0, 10]),
        { method: 'Tsit5', fixedStep: 5, events },
      );
      return { sol, hit: p[ix('hit')], n: p[ix('n')], executed: events.executed };
    };
    return { c, run };
  };

  it('decomposes and/or/not/implies and relation chains into relations', () => {
    const { c } = build2(
      'or(and(geq(k1, 2.25), leq(k1, 3.5)), not(lt(1, k1, 9)), implies(gt(k1, 20), eq(n, 3)))',
    );
    const ev = c.events[0];
    // geq, leq, then lt's two pairs, gt, and eq as an opaque step relation.
    expect(ev.relationCount).toBe(6);
    expect(Array.from(c.relationEvent)).toEqual([0, 0, 0, 0, 0, 0]);
    const vals = new Float64Array(6);
    const trig = new Float64Array(1);
    const p = c.p0.slice();
    for (const k1 of [0, 1, 2.3, 3.5, 5, 9.5, 21]) {
      const yy = Float64Array.of(k1);
      c.relationValues(0, yy, p, vals);
      c.eventTriggers(0, yy, p, trig);
      expect(evaluateTrigger(ev.structure, vals, ev.relationStart)).toBe(trig[0] !== 0);
    }
  });

  it('a window that opens and closes inside one step fires at its opening (k1 = 2.25)', () => {
    const { run } = build2('and(geq(k1, 2.25), leq(k1, 3.5))');
    const r = run(true);
    expect(r.sol.retcode).toBe('Success');
    expect(r.n).toBe(1);
    expect(Math.abs(r.hit - 2.25)).toBeLessThan(1e-12);
    expect(Math.abs(r.executed[0].t - 2.25)).toBeLessThan(1e-12);
    // One indicator per event (min of the two) misses the window entirely with these steps.
    expect(run(false).n).toBe(0);
  });

  it('fires again when the trigger turns true a second time (or of two windows)', () => {
    const { run } = build2('or(and(gt(k1, 1), lt(k1, 2)), and(gt(k1, 6), lt(k1, 7)))');
    const r = run(true);
    expect(r.n).toBe(2);
    expect(r.executed.map((e) => e.t).map((t) => Math.round(t * 1e9) / 1e9)).toEqual([1, 6]);
    expect(Math.abs(r.hit - 6)).toBeLessThan(1e-12);
  });
});
