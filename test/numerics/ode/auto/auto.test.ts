/**
 * Automatic stiffness switching. The stiff partner is a test-only implicit Euler (implicit-euler.ts) so these
 * tests do not depend on the real implicit solvers; a last block uses Rodas5P from rosenbrock/.
 */
import { describe, expect, it } from 'vitest';
import type { AutoStepper } from '../../../../src/numerics/ode/auto/index.js';
import { createAutoMethod } from '../../../../src/numerics/ode/auto/index.js';
import { DP5, Tsit5 } from '../../../../src/numerics/ode/erk/index.js';
import { odeProblem } from '../../../../src/numerics/ode/problem.js';
import { Rodas5P } from '../../../../src/numerics/ode/rosenbrock/index.js';
import type { OdeMethod, StepperOptions } from '../../../../src/numerics/ode/stepper.js';
import { arenstorf, integrate, linearScalar, maxAbsDiff, rotation, stepperOptions } from '../erk/helpers.js';
import { ImplicitEuler } from './implicit-euler.js';

/** Van der Pol, y'' - mu (1 - y^2) y' + y = 0, mu = 1000, y(0) = (2, 0): stiff on the slow branches. */
function vanDerPol(tEnd: number, mu = 1000) {
  return odeProblem(
    (_t, y, dy) => {
      dy[0] = y[1];
      dy[1] = mu * (1 - y[0] * y[0]) * y[1] - y[0];
    },
    [2, 0],
    [0, tEnd],
    {
      jac: (_t, y, J) => {
        J[0] = 0;
        J[1] = 1;
        J[2] = -2 * mu * y[0] * y[1] - 1;
        J[3] = mu * (1 - y[0] * y[0]);
      },
    },
  );
}

/** Robertson's chemical kinetics (Hairer & Wanner, Solving ODEs II, sec. IV.1). */
const rober = odeProblem(
  (_t, y, dy) => {
    dy[0] = -0.04 * y[0] + 1e4 * y[1] * y[2];
    dy[2] = 3e7 * y[1] * y[1];
    dy[1] = -dy[0] - dy[2];
  },
  [1, 0, 0],
  [0, 40],
);
/** Reference solution of ROBER at t = 40 (Hairer & Wanner, Solving ODEs II, sec. IV.10). */
const ROBER_40 = [0.7158270687193267, 9.185534764529e-6, 0.2841637457458];

/** Stiff for t below ~0.5, then non-stiff: y' = -k(t) (y - sin t) + cos t, k = 1e4 exp(-10 t); y -> sin t. */
const fadingStiffness = odeProblem(
  (t, y, dy) => {
    const k = 1e4 * Math.exp(-10 * t);
    dy[0] = -k * (y[0] - Math.sin(t)) + Math.cos(t);
  },
  [1],
  [0, 20],
);

/** Drive an auto stepper, recording the active method after every step. */
function run(method: OdeMethod, problem: ReturnType<typeof odeProblem>, over: Partial<StepperOptions>) {
  const options = stepperOptions(over);
  const s = method.create(problem, options) as AutoStepper;
  const tEnd = problem.tspan[1];
  const active: string[] = [];
  while (s.t < tEnd) {
    const status = s.step(tEnd);
    if (status !== 'ok') expect(status).toBe('ok');
    active.push(s.activeMethod);
  }
  return { s, stats: options.stats, active };
}

describe('createAutoMethod', () => {
  const auto = createAutoMethod(DP5, ImplicitEuler);

  it('names itself after both methods', () => {
    expect(auto.name).toBe('auto(DP5,ImplicitEuler)');
    expect(auto.implicit).toBe(true);
    const s = auto.create(rotation(1).problem, stepperOptions());
    expect(s.method).toBe('auto(DP5,ImplicitEuler)');
    expect((s as AutoStepper).activeMethod).toBe('DP5');
  });

  it('switches to the stiff method on Van der Pol (mu = 1000) and needs far fewer steps than DP5', () => {
    const p = vanDerPol(300);
    const tol = { rtol: 1e-6, atol: 1e-6 };
    const { s, stats, active } = run(auto, p, tol);
    const alone = integrate(DP5, p, tol);
    expect(alone.status).toBe('ok');
    expect(stats.switches).toBe(1);
    expect(s.activeMethod).toBe('ImplicitEuler');
    // DP5 first (initial transient), implicit Euler from then on.
    expect(active[0]).toBe('DP5');
    expect(active.indexOf('ImplicitEuler')).toBeLessThan(100);
    // DP5 alone is held at h |lambda| ~ 3.3 with |lambda| ~ 3000: > 2e5 steps; the composite needs ~100.
    expect(alone.stats.steps).toBeGreaterThan(2e5);
    expect(stats.steps + stats.rejected).toBeLessThan(alone.stats.steps / 1000);
    // Same solution (to the accuracy of the first-order stiff method).
    expect(maxAbsDiff(s.y, alone.stepper.y)).toBeLessThan(1e-3);
  });

  it('switches on ROBER and reaches the reference solution at t = 40', () => {
    const { s, stats } = run(auto, rober, { rtol: 1e-6, atol: 1e-10 });
    expect(stats.switches).toBeGreaterThanOrEqual(1);
    // A few early switches back and forth are allowed while the fast transient decays; no ping-pong later.
    expect(stats.switches).toBeLessThanOrEqual(7);
    expect(s.activeMethod).toBe('ImplicitEuler');
    for (let i = 0; i < 3; i++) expect(Math.abs(s.y[i] - ROBER_40[i])).toBeLessThan(2e-3 * ROBER_40[i]);
    // Implicit Euler and DP5 both conserve the linear invariant y1 + y2 + y3.
    expect(Math.abs(s.y[0] + s.y[1] + s.y[2] - 1)).toBeLessThan(1e-12);
  });

  it.each([
    ['Arenstorf', arenstorf(), 1e-8],
    ['rotation', rotation(1, [0, 50]).problem, 1e-6],
    ["y' = -y", linearScalar(-1, [0, 10]).problem, 1e-10],
  ] as const)('never switches on the non-stiff %s problem and then is exactly DP5', (_name, p, tol) => {
    const { s, stats, active } = run(auto, p, { rtol: tol, atol: tol });
    const alone = integrate(DP5, p, { rtol: tol, atol: tol });
    expect(stats.switches).toBe(0);
    expect(new Set(active)).toEqual(new Set(['DP5']));
    expect(stats.steps).toBe(alone.stats.steps);
    expect(stats.fEvals).toBe(alone.stats.fEvals);
    expect(Array.from(s.y)).toEqual(Array.from(alone.stepper.y));
  });

  it('switches back to the explicit method when the stiffness fades', () => {
    const { s, stats, active } = run(auto, fadingStiffness, { rtol: 1e-6, atol: 1e-8 });
    expect(stats.switches).toBeGreaterThanOrEqual(2);
    expect(stats.switches).toBeLessThanOrEqual(4);
    expect(s.activeMethod).toBe('DP5');
    expect(active.includes('ImplicitEuler')).toBe(true);
    // Accurate through both switches (the result is dominated by DP5's error after the stiff phase).
    expect(Math.abs(s.y[0] - Math.sin(20))).toBeLessThan(1e-6);
    const alone = integrate(DP5, fadingStiffness, { rtol: 1e-6, atol: 1e-8 });
    expect(stats.steps).toBeLessThan(alone.stats.steps);
  });

  it('works with Tsit5 as the explicit method', () => {
    const m = createAutoMethod(Tsit5, ImplicitEuler);
    const { s, stats } = run(m, vanDerPol(100), { rtol: 1e-6, atol: 1e-6 });
    expect(stats.switches).toBe(1);
    expect(s.activeMethod).toBe('ImplicitEuler');
    expect(stats.steps).toBeLessThan(200);
  });

  it('detects stiffness by power iteration when the explicit method has no estimate of its own', () => {
    // DP5 behind a plain Stepper (no isStiff): the composite estimates |lambda| itself every few steps.
    const opaque: OdeMethod = {
      name: 'OpaqueDP5',
      order: 5,
      implicit: false,
      create(problem, options) {
        const inner = DP5.create(problem, options);
        return {
          method: 'OpaqueDP5',
          get t() {
            return inner.t;
          },
          get tPrev() {
            return inner.tPrev;
          },
          y: inner.y,
          step: (tLimit) => inner.step(tLimit),
          interpolate: (tq, out) => inner.interpolate(tq, out),
          denseSegment: () => inner.denseSegment(),
          reset: (t, y) => inner.reset(t, y),
        };
      },
    };
    const m = createAutoMethod(opaque, ImplicitEuler);
    const { s, stats } = run(m, vanDerPol(100), { rtol: 1e-6, atol: 1e-6 });
    expect(stats.switches).toBe(1);
    expect(s.activeMethod).toBe('ImplicitEuler');
    expect(stats.steps).toBeLessThan(400);
    const calm = run(m, arenstorf(), { rtol: 1e-8, atol: 1e-8 });
    expect(calm.stats.switches).toBe(0);
  });

  it('estimates the dominant eigenvalue by power iteration while stiff', () => {
    // y' = A y with eigenvalues -2000 and -1 (non-normal A): |lambda_max| = 2000.
    const p = odeProblem(
      (_t, y, dy) => {
        dy[0] = -2000 * y[0] + 1000 * y[1];
        dy[1] = -y[1];
      },
      [1, 1],
      [0, 2],
    );
    const { s, stats } = run(auto, p, { rtol: 1e-6, atol: 1e-9 });
    expect(stats.switches).toBe(1);
    expect(s.activeMethod).toBe('ImplicitEuler');
    expect(Math.abs(s.lambdaEstimate - 2000) / 2000).toBeLessThan(1e-3);
  });

  it('delegates dense output to the method that took the last step', () => {
    const options = stepperOptions({ rtol: 1e-6, atol: 1e-8 });
    const s = auto.create(fadingStiffness, options) as AutoStepper;
    const out = new Float64Array(1);
    const viaSegment = new Float64Array(1);
    let sawStiff = false;
    while (s.t < 2) {
      s.step(2);
      sawStiff ||= s.stiffActive;
      const tm = 0.5 * (s.tPrev + s.t);
      s.interpolate(tm, out);
      s.denseSegment().evaluate(tm, viaSegment);
      expect(viaSegment[0]).toBe(out[0]);
      s.interpolate(s.t, out);
      expect(out[0]).toBe(s.y[0]);
      // Interpolated values between the step ends are close to the solution sin t (+ decayed transient).
      if (s.tPrev > 0.01) {
        s.interpolate(tm, out);
        expect(Math.abs(out[0] - Math.sin(tm))).toBeLessThan(1e-4);
      }
    }
    expect(sawStiff).toBe(true);
  });

  it('keeps the active method on reset and does not switch with fixed steps', () => {
    const options = stepperOptions({ rtol: 1e-6, atol: 1e-6 });
    const s = auto.create(vanDerPol(10), options) as AutoStepper;
    while (!s.stiffActive) s.step(10);
    s.step(10);
    s.reset(s.t, Float64Array.from(s.y));
    expect(s.stiffActive).toBe(true);
    expect(s.tPrev).toBe(s.t);
    while (s.t < 10) expect(s.step(10)).toBe('ok');
    expect(s.stiffActive).toBe(true);

    const fixed = integrate(auto, vanDerPol(0.5), { fixedStep: 2 ** -12 });
    expect(fixed.status).toBe('ok');
    expect(fixed.stats.switches).toBe(0);
    expect(fixed.stepper.t).toBe(0.5);
  });

  it("falls back to the stiff method when the explicit one fails with 'DtLessThanMin'", () => {
    // An explicit method that gives up past t = 1 (as DP5 would under a too-large hmin on a stiff problem).
    const failing: OdeMethod = {
      name: 'Fragile',
      order: 5,
      implicit: false,
      create(problem, options) {
        const inner = DP5.create(problem, options);
        return {
          method: 'Fragile',
          get t() {
            return inner.t;
          },
          get tPrev() {
            return inner.tPrev;
          },
          y: inner.y,
          step: (tLimit) => (inner.t > 1 ? 'DtLessThanMin' : inner.step(tLimit)),
          interpolate: (tq, out) => inner.interpolate(tq, out),
          denseSegment: () => inner.denseSegment(),
          reset: (t, y) => inner.reset(t, y),
        };
      },
    };
    const m = createAutoMethod(failing, ImplicitEuler);
    const { s, stats } = run(m, linearScalar(-1, [0, 3]).problem, { rtol: 1e-6, atol: 1e-6 });
    // (Not stiff, so the composite keeps trying the explicit method again, which keeps failing.)
    expect(stats.switches).toBeGreaterThanOrEqual(1);
    expect(Math.abs(s.y[0] - Math.exp(-3))).toBeLessThan(1e-3);
  });
});

describe('createAutoMethod with Rodas5P', () => {
  const auto = createAutoMethod(DP5, Rodas5P);

  it('solves Van der Pol (mu = 1000) over three periods with few switches and steps', () => {
    const p = vanDerPol(3000);
    const { s, stats } = run(auto, p, { rtol: 1e-6, atol: 1e-6 });
    expect(s.method).toBe('auto(DP5,Rodas5P)');
    // One switch to Rodas5P after the transient, then at most a short explicit stretch per jump (3 jumps).
    expect(stats.switches).toBeGreaterThanOrEqual(1);
    expect(stats.switches).toBeLessThanOrEqual(7);
    expect(stats.steps).toBeLessThan(2000);
    // Reference: Rodas5P alone at a much tighter tolerance.
    const ref = integrate(Rodas5P, p, { rtol: 1e-10, atol: 1e-10 });
    expect(ref.status).toBe('ok');
    expect(maxAbsDiff(s.y, ref.stepper.y)).toBeLessThan(1e-3);
  });

  it('matches the ROBER reference at t = 40', () => {
    const { s, stats } = run(auto, rober, { rtol: 1e-6, atol: 1e-10 });
    expect(stats.switches).toBeGreaterThanOrEqual(1);
    expect(s.activeMethod).toBe('Rodas5P');
    for (let i = 0; i < 3; i++) {
      expect(Math.abs(s.y[i] - ROBER_40[i])).toBeLessThan(10 * (1e-10 + 1e-6 * ROBER_40[i]));
    }
    expect(stats.steps).toBeLessThan(200);
  });
});
