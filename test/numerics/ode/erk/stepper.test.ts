/** Behaviour of the DP5 and Tsit5 steppers: adaptive accuracy, tLimit, direction, fixed steps, failures. */
import { describe, expect, it } from 'vitest';
import { DP5, Tsit5 } from '../../../../src/numerics/ode/erk/index.js';
import { odeProblem } from '../../../../src/numerics/ode/problem.js';
import {
  ARENSTORF_PERIOD,
  ARENSTORF_Y0,
  arenstorf,
  integrate,
  linearScalar,
  maxAbsDiff,
  rotation,
  stepperOptions,
} from './helpers.js';

const TOLS = [1e-6, 1e-7, 1e-8, 1e-9, 1e-10];

/** max_i |y_i - exact_i| / (atol + rtol |exact_i|): <= 1 means the tolerance is met componentwise. */
function scaledError(y: ArrayLike<number>, exact: ArrayLike<number>, rtol: number, atol: number): number {
  let m = 0;
  for (let i = 0; i < y.length; i++)
    m = Math.max(m, Math.abs(y[i] - exact[i]) / (atol + rtol * Math.abs(exact[i])));
  return m;
}

describe.each([DP5, Tsit5])('$name adaptive stepping', (method) => {
  it("meets the tolerance on y' = -y to t = 10, with errors decreasing with the tolerance", () => {
    const ex = linearScalar(-1, [0, 10]);
    const absErrors: number[] = [];
    for (const tol of TOLS) {
      // Mixed tolerance (atol = rtol) and essentially pure relative tolerance (atol = 1e-6 rtol).
      for (const atol of [tol, tol * 1e-6]) {
        const run = integrate(method, ex.problem, { rtol: tol, atol });
        expect(run.status).toBe('ok');
        expect(run.stepper.t).toBe(10);
        const exact = ex.exact(10);
        const sc = scaledError(run.stepper.y, exact, tol, atol);
        // The global error is a sum of N local errors, each below tol, damped by the contractive flow: it
        // stays within a small multiple of the tolerance (measured: 0.05-0.12 with atol = rtol, where the
        // absolute part dominates at y(10) = 4.5e-5; 0.5-1.8 with purely relative control).
        expect(sc).toBeLessThan(atol === tol ? 0.5 : 4);
        if (atol === tol) absErrors.push(Math.abs(run.stepper.y[0] - exact[0]));
      }
    }
    for (let i = 1; i < absErrors.length; i++) expect(absErrors[i]).toBeLessThan(absErrors[i - 1]);
  });

  it('returns to the initial value after one period of the Arenstorf orbit', () => {
    const errs: number[] = [];
    for (const tol of TOLS) {
      const run = integrate(method, arenstorf(), { rtol: tol, atol: tol });
      expect(run.status).toBe('ok');
      expect(run.stepper.t).toBe(ARENSTORF_PERIOD);
      const e = maxAbsDiff(run.stepper.y, ARENSTORF_Y0);
      errs.push(e);
      // The orbit passes close to the Moon twice; local errors there are amplified by a factor of order
      // 1e3-1e4 over the period, so the global error is bounded by 1e5 tol rather than by tol.
      expect(e).toBeLessThan(1e5 * tol);
      // Hairer's stiffness test never fires on this non-stiff problem.
      expect((run.stepper as ReturnType<typeof method.create>).isStiff()).toBe(false);
    }
    for (let i = 1; i < errs.length; i++) expect(errs[i]).toBeLessThan(errs[i - 1]);
    expect(errs[errs.length - 1]).toBeLessThan(errs[0] * 1e-3);
    // And a tight tolerance gets close to the exact periodic orbit.
    const tight = integrate(method, arenstorf(), { rtol: 1e-13, atol: 1e-13 });
    expect(maxAbsDiff(tight.stepper.y, ARENSTORF_Y0)).toBeLessThan(5e-9);
  });

  it('accepts per-component absolute tolerances', () => {
    const p = arenstorf();
    const scalar = integrate(method, p, { rtol: 1e-8, atol: 1e-8 });
    const vector = integrate(method, p, { rtol: 1e-8, atol: new Float64Array([1e-8, 1e-8, 1e-8, 1e-8]) });
    expect(Array.from(vector.stepper.y)).toEqual(Array.from(scalar.stepper.y));
    expect(vector.stats.steps).toBe(scalar.stats.steps);
    // Loosening the velocity tolerances only must not make the integration more expensive.
    const loose = integrate(method, p, { rtol: 1e-8, atol: new Float64Array([1e-8, 1e-8, 1e-2, 1e-2]) });
    expect(loose.stats.steps).toBeLessThanOrEqual(scalar.stats.steps);
  });

  it('counts f evaluations: 6 per attempted step, plus f(t0) and one for the initial step size', () => {
    const run = integrate(method, arenstorf(), { rtol: 1e-6, atol: 1e-6 });
    expect(run.stats.rejected).toBeGreaterThan(0);
    expect(run.stats.fEvals).toBe(6 * (run.stats.steps + run.stats.rejected) + 2);
    expect(run.stats.steps).toBe(run.times.length - 1);
  });

  it('lands bit-exactly on every tLimit and honours hmax and h0', () => {
    const ex = rotation(1, [0, 10]);
    const opts = stepperOptions({ rtol: 1e-8, atol: 1e-8, hmax: 0.7, h0: 1e-3 });
    const s = method.create(ex.problem, opts);
    expect(s.step(10)).toBe('ok');
    expect(s.t).toBe(1e-3);
    const limits = [0.1, 0.30000000000000004, 1 / 3, 2 / 3, Math.PI, 7.000000000000001, 10];
    for (const lim of limits) {
      while (s.t < lim) {
        const t0 = s.t;
        expect(s.step(lim)).toBe('ok');
        expect(s.t).toBeLessThanOrEqual(lim);
        expect(s.t - t0).toBeLessThanOrEqual(0.7);
      }
      expect(s.t).toBe(lim);
    }
    expect(maxAbsDiff(s.y, ex.exact(10))).toBeLessThan(1e-7);
  });

  it('keeps its step size across a step shortened by tLimit', () => {
    const ex = rotation(1, [0, 10]);
    const s = method.create(ex.problem, stepperOptions({ rtol: 1e-8, atol: 1e-8 }));
    for (let i = 0; i < 20; i++) s.step(10);
    const h = s.t - s.tPrev;
    const lim = s.t + 1e-9;
    s.step(lim);
    expect(s.t).toBe(lim);
    s.step(10);
    expect(s.t - s.tPrev).toBeGreaterThan(0.5 * h);
  });

  it('integrates backwards in time', () => {
    // y' = -y from t = 10 (y = e^-10) back to t = 0: y(0) = 1.
    const p = odeProblem(
      (_t, y, dy) => {
        dy[0] = -y[0];
      },
      [Math.exp(-10)],
      [10, 0],
    );
    const run = integrate(method, p, { rtol: 1e-9, atol: 1e-12 }, { segments: true });
    expect(run.status).toBe('ok');
    expect(run.stepper.t).toBe(0);
    expect(Math.abs(run.stepper.y[0] - 1)).toBeLessThan(2e-8);
    for (let i = 1; i < run.times.length; i++) expect(run.times[i]).toBeLessThan(run.times[i - 1]);
    // Dense output on backward segments (t0 > t1).
    const out = new Float64Array(1);
    for (const seg of run.segments) {
      expect(seg.t1).toBeLessThan(seg.t0);
      const tq = 0.5 * (seg.t0 + seg.t1);
      seg.evaluate(tq, out);
      expect(Math.abs(out[0] - Math.exp(-tq))).toBeLessThan(1e-8 * Math.exp(-tq) + 1e-12);
    }
    // Backward rotation with intermediate limits.
    const rot = rotation(1, [0, -6]);
    const s = method.create(rot.problem, stepperOptions({ rtol: 1e-10, atol: 1e-10 }));
    for (const lim of [-1 / 3, -2.5, -6]) {
      while (s.t > lim) expect(s.step(lim)).toBe('ok');
      expect(s.t).toBe(lim);
      expect(maxAbsDiff(s.y, rot.exact(lim))).toBeLessThan(1e-9);
    }
  });

  it('takes exactly the fixed step size and shortens only the last step', () => {
    const ex = rotation(1, [0, 1]);
    const run = integrate(method, ex.problem, { fixedStep: 0.125 }, { tEnd: 0.9 });
    expect(run.stepper.t).toBe(0.9);
    expect(run.times).toEqual([0, 0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875, 0.9]);
    expect(run.stats.fEvals).toBe(6 * 8 + 1);
    expect(run.stats.rejected).toBe(0);
    // Backward fixed steps: the sign of fixedStep does not matter, the direction comes from tspan.
    const back = integrate(method, rotation(1, [0, -1]).problem, { fixedStep: 0.25 });
    expect(back.times).toEqual([0, -0.25, -0.5, -0.75, -1]);
  });

  it("returns 'DtLessThanMin' at the blow-up of y' = y^2, y(0) = 1 (t = 1)", () => {
    const p = odeProblem(
      (_t, y, dy) => {
        dy[0] = y[0] * y[0];
      },
      [1],
      [0, 2],
    );
    for (const hmin of [0, 1e-8]) {
      const run = integrate(method, p, { rtol: 1e-8, atol: 1e-8, hmin });
      expect(run.status).toBe('DtLessThanMin');
      const t = run.stepper.t;
      // The global error (~1e-9 relative) shifts the numerical pole by about as much.
      if (hmin === 0) expect(Math.abs(t - 1)).toBeLessThan(1e-6);
      else expect(t).toBeGreaterThan(0.99);
      expect(run.stepper.y[0]).toBeGreaterThan(hmin === 0 ? 1e10 : 100);
      expect(Number.isFinite(run.stepper.y[0])).toBe(true);
    }
  });

  it("returns 'Unstable' for a NaN right-hand side", () => {
    const nanEverywhere = odeProblem(
      (_t, _y, dy) => {
        dy[0] = Number.NaN;
      },
      [1],
      [0, 1],
    );
    expect(integrate(method, nanEverywhere).status).toBe('Unstable');
    // Finite at t0 only: every trial step is non-finite; the stepper shrinks h a few times, then gives up.
    const nanAfterStart = odeProblem(
      (t, y, dy) => {
        dy[0] = t === 0 ? y[0] : Number.NaN;
      },
      [1],
      [0, 1],
    );
    const run = integrate(method, nanAfterStart);
    expect(run.status).toBe('Unstable');
    expect(run.stepper.t).toBe(0);
    expect(run.stats.rejected).toBeGreaterThan(0);
    // Non-finite initial value.
    expect(
      integrate(
        method,
        odeProblem((_t, y, dy) => dy.set(y), [Number.POSITIVE_INFINITY], [0, 1]),
      ).status,
    ).toBe('Unstable');
  });

  it('interpolates exactly at the step ends and keeps dense segments independent of later steps', () => {
    const ex = rotation(2, [0, 3]);
    const s = method.create(ex.problem, stepperOptions({ rtol: 1e-9, atol: 1e-9 }));
    const out = new Float64Array(2);
    s.interpolate(0, out);
    expect(Array.from(out)).toEqual([1, 0]);
    s.step(3);
    s.step(3);
    s.interpolate(s.t, out);
    expect(Array.from(out)).toEqual(Array.from(s.y));
    const seg = s.denseSegment();
    const tm = 0.5 * (seg.t0 + seg.t1);
    const before = new Float64Array(2);
    seg.evaluate(tm, before);
    s.interpolate(tm, out);
    expect(Array.from(out)).toEqual(Array.from(before));
    expect(maxAbsDiff(before, ex.exact(tm))).toBeLessThan(1e-8);
    seg.evaluate(seg.t0, out);
    const y0copy = Float64Array.from(out);
    while (s.t < 3) s.step(3);
    const after = new Float64Array(2);
    seg.evaluate(tm, after);
    expect(Array.from(after)).toEqual(Array.from(before));
    seg.evaluate(seg.t0, after);
    expect(Array.from(after)).toEqual(Array.from(y0copy));
  });

  it('restarts cleanly with reset', () => {
    const ex = rotation(1, [0, 4]);
    const opts = stepperOptions({ rtol: 1e-9, atol: 1e-9 });
    const s = method.create(ex.problem, opts);
    while (s.t < 1) s.step(1);
    // Jump to the exact solution at t = 2 (as an event would), then continue.
    s.reset(2, Float64Array.from(ex.exact(2)));
    expect(s.t).toBe(2);
    expect(s.tPrev).toBe(2);
    expect(Array.from(s.y)).toEqual(ex.exact(2));
    const out = new Float64Array(2);
    s.interpolate(2, out);
    expect(Array.from(out)).toEqual(ex.exact(2));
    const fBefore = opts.stats.fEvals;
    expect(s.step(4)).toBe('ok');
    // f at the new point and one for the new initial step size, then 6 per attempt.
    expect((opts.stats.fEvals - fBefore - 2) % 6).toBe(0);
    while (s.t < 4) s.step(4);
    expect(maxAbsDiff(s.y, ex.exact(4))).toBeLessThan(1e-8);
  });
});

describe.each([DP5, Tsit5])('$name stiffness detection', (method) => {
  it('estimates h|lambda| exactly on a linear problem', () => {
    const p = odeProblem(
      (_t, y, dy) => {
        dy[0] = -50 * y[0];
        dy[1] = -50 * y[1] + y[0];
      },
      [1, 1],
      [0, 1],
    );
    const s = method.create(p, stepperOptions({ rtol: 1e-5, atol: 1e-8 }));
    expect(Number.isNaN(s.hLambda)).toBe(true);
    for (let i = 0; i < 5; i++) {
      s.step(1);
      const h = s.t - s.tPrev;
      // k7 - k6 = J (y1 - g6) for a linear f, so the estimate is |J d| / |d| for some d: between the
      // singular values of J, sqrt(2500.5 -+ sqrt(2500.25)) = 49.5025 and 50.5025 (eigenvalue 50).
      expect(s.hLambda / h).toBeGreaterThan(49.5024);
      expect(s.hLambda / h).toBeLessThan(50.5026);
      expect(s.stiffnessRatio).toBeCloseTo(s.hLambda / s.stiffnessBound, 14);
    }
  });

  it('detects a stiff problem and never fires on a non-stiff one', () => {
    const stiff = odeProblem(
      (t, y, dy) => {
        dy[0] = -1e4 * (y[0] - Math.cos(t));
      },
      [0],
      [0, 1],
    );
    const s = method.create(stiff, stepperOptions({ rtol: 1e-6, atol: 1e-6 }));
    let steps = 0;
    while (!s.isStiff() && s.t < 1) {
      s.step(1);
      steps++;
    }
    expect(s.isStiff()).toBe(true);
    // Steps at the stability limit show h|lambda| near the bound; found within a few dozen steps.
    expect(steps).toBeLessThan(100);
    expect(s.stiffDetections).toBeGreaterThanOrEqual(15);
    s.reset(s.t, s.y);
    expect(s.isStiff()).toBe(false);

    const calm = method.create(rotation(1, [0, 50]).problem, stepperOptions({ rtol: 1e-8, atol: 1e-8 }));
    while (calm.t < 50) {
      calm.step(50);
      expect(calm.isStiff()).toBe(false);
    }
  });
});
