import { describe, expect, it } from 'vitest';
import { type EventSet, eventSet } from '../../../src/numerics/ode/events.js';
import { odeProblem } from '../../../src/numerics/ode/problem.js';
import { solve } from '../../../src/numerics/ode/solve.js';
import { RK4Doubling } from '../../support/rk4-stepper.js';

const decay = odeProblem(
  (_t, y, dy) => {
    dy[0] = -y[0];
  },
  [1],
  [0, 5],
);
const opts = { method: RK4Doubling, rtol: 1e-10, atol: 1e-12 } as const;

describe('solve: output times', () => {
  it('saves every step by default, starting at t0 and ending at t1', () => {
    const sol = solve(decay, opts);
    expect(sol.retcode).toBe('Success');
    expect(sol.t[0]).toBe(0);
    expect(sol.t[sol.t.length - 1]).toBe(5);
    expect(sol.t.length).toBe(sol.stats.steps + 1);
    // the test stepper controls local error only: global error stays well under 1e-8 here
    for (let i = 0; i < sol.t.length; i++)
      expect(Math.abs(sol.u[i] - Math.exp(-sol.t[i]))).toBeLessThan(1e-8);
  });

  it('saveat as an interval gives t0, t0+dt, ..., t1 with interpolated states', () => {
    const sol = solve(decay, { ...opts, saveat: 0.5 });
    expect(Array.from(sol.t)).toEqual([0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5]);
    for (let i = 0; i < sol.t.length; i++) {
      // Hermite dense output is O(h^4): a looser bound than the step-end states
      expect(Math.abs(sol.u[i] - Math.exp(-sol.t[i]))).toBeLessThan(1e-7);
    }
  });

  it('saveat as a list, and rejects times outside the span', () => {
    const sol = solve(decay, { ...opts, saveat: [0.25, 4] });
    expect(Array.from(sol.t)).toEqual([0.25, 4]);
    expect(() => solve(decay, { ...opts, saveat: [6] })).toThrow(/outside the time span/);
  });

  it('lands exactly on tstops', () => {
    const stops = [0.1, Math.PI / 3, Math.E];
    const sol = solve(decay, { ...opts, tstops: stops });
    for (const s of stops) expect(Array.from(sol.t)).toContain(s);
  });

  it('integrates backwards', () => {
    const back = odeProblem(
      (_t, y, dy) => {
        dy[0] = -y[0];
      },
      [Math.exp(-5)],
      [5, 0],
    );
    const sol = solve(back, { ...opts, saveat: [5, 2, 0] });
    expect(Array.from(sol.t)).toEqual([5, 2, 0]);
    expect(Math.abs(sol.u[2] - 1)).toBeLessThan(2e-8);
  });
});

describe('solve: failures are return codes with messages', () => {
  it('MaxIters when the step budget runs out', () => {
    const sol = solve(decay, { ...opts, maxSteps: 5 });
    expect(sol.retcode).toBe('MaxIters');
    expect(sol.message).toMatch(/step budget of 5/);
    expect(sol.tEnd).toBeLessThan(5);
  });

  it('InitialFailure on a non-finite initial state or derivative', () => {
    expect(
      solve(
        odeProblem((_t, y, dy) => dy.set(y), [Number.NaN], [0, 1]),
        opts,
      ).retcode,
    ).toBe('InitialFailure');
    const bad = solve(
      odeProblem((_t, _y, dy) => dy.fill(Number.POSITIVE_INFINITY), [1], [0, 1]),
      opts,
    );
    expect(bad.retcode).toBe('InitialFailure');
    expect(bad.message).toMatch(/f\(t0, y0\)/);
  });

  it('rejects unknown options and bad tolerances', () => {
    expect(() => solve(decay, { ...opts, reltol: 1e-3 } as never)).toThrow(/unknown option 'reltol'/);
    expect(() => solve(decay, { ...opts, rtol: 0 })).toThrow(/rtol must be > 0/);
    expect(() => solve(decay, { ...opts, atol: [1, 2] })).toThrow(/atol has 2 components/);
  });

  it('DtLessThanMin on a solution that blows up', () => {
    const blow = odeProblem(
      (_t, y, dy) => {
        dy[0] = y[0] * y[0];
      },
      [1],
      [0, 2],
    );
    const sol = solve(blow, opts);
    expect(['DtLessThanMin', 'Unstable']).toContain(sol.retcode);
    expect(sol.tEnd).toBeLessThan(1.001);
    expect(sol.tEnd).toBeGreaterThan(0.99);
  });
});

describe('solve: events', () => {
  it('locates a state event to round-off and applies its effect', () => {
    // y' = -y from 1; when y falls to 0.5 (t = ln 2) reset it to 1.
    const firedAt: number[] = [];
    const events = eventSet([
      {
        g: (_t, y) => 0.5 - y[0],
        affect: (ctx) => {
          firedAt.push(ctx.t);
          ctx.y[0] = 1;
        },
      },
    ]);
    const sol = solve(decay, { ...opts, events, saveat: [1, 2] });
    // the root is exact on the interpolant; the test stepper's Hermite interpolant is accurate to ~1e-8
    expect(firedAt.length).toBe(7); // every ln 2 until t = 5
    firedAt.forEach((t, k) => expect(Math.abs(t - (k + 1) * Math.LN2)).toBeLessThan(1e-7));
    expect(Array.from(sol.eventTimes)).toEqual(firedAt);
    // at t = 1, the state is exp(-(1 - ln 2)) after the first reset
    expect(Math.abs(sol.u[0] - Math.exp(-(1 - Math.LN2)))).toBeLessThan(1e-7);
  });

  it('terminate stops with Terminated at the event time', () => {
    const events = eventSet([{ g: (_t, y) => 0.25 - y[0], affect: (ctx) => ctx.terminate() }]);
    const sol = solve(decay, { ...opts, events });
    expect(sol.retcode).toBe('Terminated');
    expect(sol.tEnd).toBeCloseTo(Math.log(4), 9);
    expect(sol.u[sol.u.length - 1]).toBeCloseTo(0.25, 9);
  });

  it('falling-direction indicators only fire on a fall', () => {
    // g = sin(t): rises at 0+ (ignored: starts at 0), falls at pi, rises at 2 pi
    const seen: number[] = [];
    const events = eventSet([{ g: (t) => Math.sin(t), direction: -1, affect: (ctx) => seen.push(ctx.t) }]);
    // hmax keeps a step from jumping over two roots at once (a sign test cannot see an even number of roots)
    solve(
      odeProblem((_t, _y, dy) => dy.fill(0), [0], [0.1, 7]),
      { ...opts, events, hmax: 0.5 },
    );
    expect(seen.length).toBe(1);
    expect(seen[0]).toBeCloseTo(Math.PI, 9);
  });

  it('scheduled times are hit exactly and can change the state (dosing)', () => {
    // first-order elimination with a unit dose every 1.5 time units
    const doses: EventSet = {
      count: 0,
      indicators() {},
      start(ctx) {
        ctx.schedule(1.5, 0);
      },
      handle() {},
      onTime(ctx) {
        ctx.y[0] += 1;
        if (ctx.t + 1.5 < 5) ctx.schedule(ctx.t + 1.5, 0);
      },
    };
    const sol = solve(decay, { ...opts, events: doses, saveat: [1.5, 3, 4.5, 5], dense: true });
    // analytic: y(t) = e^-t + sum over doses td <= t of e^-(t - td)
    const exact = (t: number) =>
      Math.exp(-t) + [1.5, 3, 4.5].filter((d) => d <= t).reduce((s, d) => s + Math.exp(-(t - d)), 0);
    expect(Array.from(sol.eventTimes)).toEqual([1.5, 3, 4.5]);
    sol.t.forEach((t, i) => expect(Math.abs(sol.u[i] - exact(t))).toBeLessThan(1e-8));
    expect(sol.at(2.2)[0]).toBeCloseTo(exact(2.2), 7);
    expect(Math.abs(sol.at(3)[0] - exact(3))).toBeLessThan(1e-8); // post-dose value at the dose time
  });

  it('a state event whose root lands exactly on a scheduled time does not swallow the scheduled calls', () => {
    // indicator 4.5 - t has its root at the scheduled time 4.5; doses are scheduled at 4.5 and 5
    const onTimes: number[] = [];
    const roots: number[] = [];
    const events: EventSet = {
      count: 1,
      directions: Int8Array.of(-1),
      indicators(t, _y, out) {
        out[0] = 4.5 - t;
      },
      start(ctx) {
        ctx.schedule(4.5, 0);
        ctx.schedule(5, 1);
      },
      handle(ctx) {
        roots.push(ctx.t);
      },
      onTime(ctx) {
        onTimes.push(ctx.t);
        ctx.y[0] += 1;
      },
    };
    const sol = solve(odeProblem(decay.f, [1], [0, 6]), { ...opts, events, saveat: [6] });
    expect(roots).toEqual([4.5]);
    expect(onTimes).toEqual([4.5, 5]);
    const exact = Math.exp(-6) + Math.exp(-1.5) + Math.exp(-1);
    expect(Math.abs(sol.u[sol.u.length - 1] - exact)).toBeLessThan(1e-8);
  });

  it('start() may change the initial state', () => {
    const events: EventSet = {
      count: 0,
      indicators() {},
      start(ctx) {
        ctx.y[0] = 2;
      },
      handle() {},
    };
    const sol = solve(decay, { ...opts, events, saveat: [0, 1] });
    expect(sol.u[1]).toBeCloseTo(2, 12);
    expect(sol.u[2]).toBeCloseTo(2 * Math.exp(-1), 8);
  });
});

describe('solve: dense output', () => {
  it('at() interpolates anywhere and refuses outside the interval', () => {
    const sol = solve(decay, { ...opts, dense: true });
    for (const t of [0, 0.123, 1.7, 4.99, 5]) expect(sol.at(t)[0]).toBeCloseTo(Math.exp(-t), 7);
    expect(() => sol.at(5.1)).toThrow(RangeError);
    expect(() => solve(decay, opts).at(1)).toThrow(/dense: true/);
  });
});
