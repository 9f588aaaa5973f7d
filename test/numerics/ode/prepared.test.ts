import { describe, expect, it } from 'vitest';
import type { EventSet } from '../../../src/numerics/ode/events.js';
import { METHOD_NAMES } from '../../../src/numerics/ode/methods.js';
import { type PreparedSolverOptions, prepareSolver } from '../../../src/numerics/ode/prepared.js';
import { odeProblem } from '../../../src/numerics/ode/problem.js';
import { SolveOptionsError, solve } from '../../../src/numerics/ode/solve.js';

/** Bit-for-bit equality (Object.is per entry: distinguishes -0 and compares NaN equal). */
function expectSameBits(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i])) {
      expect.fail(`${what}[${i}]: ${actual[i]} !== ${expected[i]}`);
    }
  }
}

/** Van der Pol with mu and a forcing amplitude read from a parameter vector the test mutates. */
function vanDerPol() {
  const p = new Float64Array([1, 0]);
  const f = (t: number, y: Float64Array, dy: Float64Array) => {
    dy[0] = y[1];
    dy[1] = p[0] * (1 - y[0] * y[0]) * y[1] - y[0] + p[1] * Math.sin(t);
  };
  const jac = (_t: number, y: Float64Array, J: Float64Array) => {
    J[0] = 0;
    J[1] = 1;
    J[2] = -2 * p[0] * y[0] * y[1] - 1;
    J[3] = p[0] * (1 - y[0] * y[0]);
  };
  return { p, f, jac };
}

/**
 * Events of every kind the driver handles: a state change at the start (a duplicated row at t0), a state
 * event (y0 falling through zero damps y1), and a scheduled chain (every 1.25 time units y1 is halved).
 */
function testEvents(): EventSet {
  return {
    count: 1,
    directions: Int8Array.of(-1),
    indicators(_t, y, out) {
      out[0] = y[0];
    },
    start(ctx) {
      ctx.y[0] += 0.125;
      ctx.schedule(ctx.t + 1.25, 1);
    },
    handle(ctx) {
      ctx.y[1] *= 0.9;
    },
    onTime(ctx, tag) {
      ctx.y[1] *= 0.5;
      ctx.schedule(ctx.t + 1.25, tag + 1);
    },
  };
}

const RUNS: { mu: number; a: number; y0: [number, number]; t1: number }[] = [
  { mu: 1, a: 0, y0: [2, 0], t1: 10 },
  { mu: 8, a: 0.5, y0: [1.5, -0.5], t1: 12 },
  { mu: 0.3, a: 1, y0: [-1, 1], t1: 6 },
  { mu: 1, a: 0, y0: [2, 0], t1: 10 }, // the first again: nothing may carry over
];

function outputTimes(t1: number): Float64Array {
  return Float64Array.from({ length: 26 }, (_, k) => (k * t1) / 25);
}

describe('prepareSolver: bit-identical to solve over repeated solves', () => {
  for (const method of METHOD_NAMES) {
    for (const withEvents of [false, true]) {
      it(`${method}${withEvents ? ' with start, state and scheduled events' : ''}`, () => {
        const vdp = vanDerPol();
        const events = withEvents ? testEvents() : undefined;
        const common = { method, rtol: 1e-7, atol: 1e-9, ...(events ? { events } : {}) };
        const prepared = prepareSolver({ n: 2, f: vdp.f, jac: vdp.jac }, { ...common, maxOutputTimes: 8 });
        for (const run of RUNS) {
          vdp.p[0] = run.mu;
          vdp.p[1] = run.a;
          const saveat = outputTimes(run.t1);
          const ref = solve(odeProblem(vdp.f, run.y0, [0, run.t1], { jac: vdp.jac }), {
            ...common,
            saveat,
          });
          const code = prepared.solve(run.y0, 0, run.t1, saveat);
          expect(code).toBe(ref.retcode);
          expect(ref.retcode).toBe('Success');
          expect(prepared.method).toBe(ref.method);
          expect(prepared.count).toBe(ref.t.length);
          expectSameBits(prepared.t.subarray(0, prepared.count), ref.t, 't');
          expectSameBits(prepared.u.subarray(0, prepared.count * 2), ref.u, 'u');
          expect({ ...prepared.stats }).toEqual(ref.stats);
          expect(prepared.tEnd).toBe(ref.tEnd);
          if (withEvents) {
            // the start event duplicates t0; the scheduled chain fires about t1 / 1.25 times
            expect(prepared.t[0]).toBe(0);
            expect(prepared.t[1]).toBe(0);
            expect(prepared.stats.events).toBeGreaterThanOrEqual(Math.floor(run.t1 / 1.25));
          }
        }
      });
    }
  }

  it('a first-step option applies to every solve, as to a fresh solve', () => {
    for (const method of METHOD_NAMES) {
      const vdp = vanDerPol();
      const common = { method, rtol: 1e-6, atol: 1e-8, h0: 1e-3, hmax: 0.5 };
      const prepared = prepareSolver({ n: 2, f: vdp.f, jac: vdp.jac }, common);
      for (const run of RUNS.slice(0, 3)) {
        vdp.p[0] = run.mu;
        const saveat = outputTimes(run.t1);
        const ref = solve(odeProblem(vdp.f, run.y0, [0, run.t1], { jac: vdp.jac }), { ...common, saveat });
        expect(prepared.solve(run.y0, 0, run.t1, saveat)).toBe(ref.retcode);
        expectSameBits(prepared.u.subarray(0, prepared.count * 2), ref.u, `${method} u`);
        expect({ ...prepared.stats }).toEqual(ref.stats);
      }
    }
  });

  it('a stiff problem under auto switches methods and still matches (Robertson)', () => {
    const k = new Float64Array([0.04, 3e7, 1e4]);
    const f = (_t: number, y: Float64Array, dy: Float64Array) => {
      dy[0] = -k[0] * y[0] + k[2] * y[1] * y[2];
      dy[1] = k[0] * y[0] - k[2] * y[1] * y[2] - k[1] * y[1] * y[1];
      dy[2] = k[1] * y[1] * y[1];
    };
    const options: PreparedSolverOptions = { method: 'auto', rtol: 1e-6, atol: 1e-10 };
    const prepared = prepareSolver({ n: 3, f }, options);
    const saveat = [0, 1e-3, 0.1, 1, 10, 40];
    for (const k1 of [0.04, 0.08, 0.04]) {
      k[0] = k1;
      const ref = solve(odeProblem(f, [1, 0, 0], [0, 40]), { ...options, saveat });
      expect(prepared.solve([1, 0, 0], 0, 40, saveat)).toBe('Success');
      expect(ref.stats.switches).toBeGreaterThan(0);
      expectSameBits(prepared.u.subarray(0, prepared.count * 3), ref.u, 'u');
      expect({ ...prepared.stats }).toEqual(ref.stats);
      // mass conservation y1 + y2 + y3 = 1 to the tolerance
      const last = (prepared.count - 1) * 3;
      expect(Math.abs(prepared.u[last] + prepared.u[last + 1] + prepared.u[last + 2] - 1)).toBeLessThan(1e-6);
    }
  });

  it('failures give the same return code and message, and the next solve is clean', () => {
    const vdp = vanDerPol();
    vdp.p[0] = 5;
    const prepared = prepareSolver({ n: 2, f: vdp.f, jac: vdp.jac }, { method: 'Tsit5', maxSteps: 20 });
    const problem = odeProblem(vdp.f, [2, 0], [0, 10], { jac: vdp.jac });
    const ref = solve(problem, { method: 'Tsit5', maxSteps: 20, saveat: [0, 5, 10] });
    expect(prepared.solve([2, 0], 0, 10, [0, 5, 10])).toBe('MaxIters');
    expect(prepared.message).toBe(ref.message);
    expect(prepared.count).toBe(ref.t.length);
    expect(prepared.solve([Number.NaN, 0], 0, 10, [0, 5, 10])).toBe('InitialFailure');
    expect(prepared.message).toMatch(/component 0 is NaN/);
    expect(prepared.solve([2, 0], 0, 0.1, [0, 0.1])).toBe('Success');
    const ok = solve(odeProblem(vdp.f, [2, 0], [0, 0.1]), {
      method: 'Tsit5',
      maxSteps: 20,
      saveat: [0, 0.1],
    });
    expectSameBits(prepared.u.subarray(0, 4), ok.u, 'u');
  });

  it('integrates backwards in time like solve', () => {
    const vdp = vanDerPol();
    const prepared = prepareSolver({ n: 2, f: vdp.f, jac: vdp.jac }, { method: 'Rodas5P' });
    const saveat = [3, 2, 1, 0];
    const ref = solve(odeProblem(vdp.f, [1, 1], [3, 0], { jac: vdp.jac }), { method: 'Rodas5P', saveat });
    expect(prepared.solve([1, 1], 3, 0, saveat)).toBe('Success');
    expectSameBits(prepared.u.subarray(0, 8), ref.u, 'u');
  });

  it('grows its buffers for more output times than announced', () => {
    const vdp = vanDerPol();
    const prepared = prepareSolver({ n: 2, f: vdp.f }, { method: 'DP5', maxOutputTimes: 2 });
    const saveat = outputTimes(5);
    expect(prepared.solve([2, 0], 0, 5, saveat)).toBe('Success');
    expect(prepared.count).toBe(saveat.length);
    expectSameBits(prepared.t.subarray(0, prepared.count), saveat, 't');
  });

  it('rejects bad arguments with a clear error', () => {
    const vdp = vanDerPol();
    expect(() => prepareSolver({ n: 2, f: vdp.f }, { rtol: 0 })).toThrow(/rtol must be > 0/);
    expect(() => prepareSolver({ n: 2, f: vdp.f }, { atol: [1] })).toThrow(/atol has 1 components/);
    expect(() => prepareSolver({ n: 2, f: vdp.f }, { method: 'RK99' })).toThrow(/unknown ODE method/);
    const prepared = prepareSolver({ n: 2, f: vdp.f });
    expect(() => prepared.solve([1], 0, 1, [1])).toThrow(SolveOptionsError);
    expect(() => prepared.solve([1, 0], 0, 1, [2])).toThrow(/outside the time span/);
    expect(() => prepared.solve([1, 0], 0, 1, [0.5, 0.2])).toThrow(/ordered/);
    expect(() => prepared.solve([1, 0], 0, Number.NaN, [])).toThrow(/finite/);
  });
});
