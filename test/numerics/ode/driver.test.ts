import { describe, expect, it } from 'vitest';
import { type DriverConfig, OdeDriver } from '../../../src/numerics/ode/driver.js';
import type { EventSet } from '../../../src/numerics/ode/events.js';
import { getMethod } from '../../../src/numerics/ode/methods.js';
import { odeProblem } from '../../../src/numerics/ode/problem.js';
import { solve } from '../../../src/numerics/ode/solve.js';
import type { SolveOptions } from '../../../src/numerics/ode/solve-options.js';

/** Bit-for-bit equality (Object.is per entry). */
function expectSameBits(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i])) expect.fail(`${what}[${i}]: ${actual[i]} !== ${expected[i]}`);
  }
}

const K = 0.3;
const DOSE = 1;
const TAU = 0.5;
/** dy/dt = -K y, y(0) = 1 (f reads K, the test problem of a first-order elimination). */
const decay = (_t: number, y: Float64Array, dy: Float64Array) => {
  dy[0] = -K * y[0];
};

/**
 * A bolus of DOSE every TAU (scheduled chain), and a state event that halves y when it falls through 0.5
 * (from y0 = 0.55 once, before the first dose; from y0 >= 1 never: the troughs stay above 0.5).
 */
function dosing(): EventSet {
  return {
    count: 1,
    directions: Int8Array.of(-1),
    indicators(_t, y, out) {
      out[0] = y[0] - 0.5;
    },
    start(ctx) {
      ctx.schedule(ctx.t + TAU, 1);
    },
    handle(ctx) {
      ctx.y[0] *= 0.5;
    },
    onTime(ctx, tag) {
      ctx.y[0] += DOSE;
      ctx.schedule(ctx.t + TAU, tag + 1);
    },
  };
}

/** Closed form of y just after the j-th dose (j >= 1) from y(0) = y0: geometric sum of decayed boluses. */
function afterDose(y0: number, j: number): number {
  const q = Math.exp(-K * TAU);
  let y = y0;
  for (let i = 0; i < j; i++) y = y * q + DOSE;
  return y;
}

describe('OdeDriver: the loop shared by solve and the prepared solver', () => {
  const options: SolveOptions = { method: 'Rodas5P', rtol: 1e-9, atol: 1e-12, tstops: [0.3, 1.7] };

  function config(events: EventSet, everyStep: boolean, dense: boolean): DriverConfig {
    return {
      n: 1,
      problem: { f: decay },
      method: getMethod('Rodas5P'),
      rtol: 1e-9,
      atol: 1e-12,
      maxSteps: 100_000,
      hmin: 0,
      events,
      everyStep,
      dense,
      reuseStepper: true,
      initialRows: 1,
    };
  }

  it('a reused driver (every-step output, dense output, time stops, events) equals solve on each run', () => {
    const events = dosing();
    const driver = new OdeDriver(config(events, true, true));
    for (const [y0, t1] of [
      [1, 6],
      [0.55, 4.1],
      [2, 6],
    ] as const) {
      driver.run([y0], 0, t1, [], new Float64Array([0.3, 1.7]));
      const ref = solve(odeProblem(decay, [y0], [0, t1]), { ...options, events: dosing(), dense: true });
      expect(driver.retcode).toBe(ref.retcode);
      expect(driver.method).toBe(ref.method);
      expect(driver.stats).toEqual(ref.stats);
      expect(driver.tEnd).toBe(ref.tEnd);
      // initialRows 1: the row buffer grew during the run; events > 8: the event-time buffer grew too
      expect(driver.count).toBeGreaterThan(8);
      expectSameBits(driver.t.subarray(0, driver.count), ref.t, 't');
      expectSameBits(driver.u.subarray(0, driver.count), ref.u, 'u');
      expectSameBits(driver.eventT.subarray(0, driver.eventCount), ref.eventTimes, 'eventTimes');
      expect(driver.segments.length).toBe(ref.segments.length);
    }
  });

  it('doses land on their times and match the closed form (rtol 1e-9)', () => {
    const driver = new OdeDriver(config(dosing(), false, false));
    const t1 = 6;
    const saveat = Float64Array.from({ length: 13 }, (_, k) => k * TAU);
    expect(driver.run([1], 0, t1, saveat)).toBe('Success');
    // doses at 0.5, 1.0, ..., 6.0 (exact binary sums), including the one due at t1
    expect(driver.eventCount).toBe(12);
    for (let j = 0; j < driver.eventCount; j++) expect(driver.eventT[j]).toBe((j + 1) * TAU);
    // a row saved at a dose time holds the post-dose state; row 0 the initial value
    expect(driver.count).toBe(13);
    expect(driver.u[0]).toBe(1);
    for (let j = 1; j <= 12; j++) {
      const exact = afterDose(1, j);
      expect(Math.abs(driver.u[j] - exact)).toBeLessThanOrEqual(1e-12 + 1e-7 * Math.abs(exact));
    }
  });
});
