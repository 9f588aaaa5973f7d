import { describe, expect, it } from 'vitest';
import { BDF } from '../../../../src/numerics/ode/bdf/index.js';
import { hires, pollution, rober, toOdeProblem, vdpol } from '../../../problems/index.js';
import {
  advance,
  blowUp,
  create,
  decay,
  forcedDecay,
  heat,
  integrate,
  makeProblem,
  scaledError,
  stiffLinear,
} from './helpers.js';

const RTOLS = [1e-4, 1e-6, 1e-8, 1e-10];

/**
 * ROBER at t = 40 (Hairer & Wanner, Solving ODEs II; Enright's DETEST problem D2 lists the same values with y2
 * scaled by 1e4 and y3 by 1e2): 0.7158270687193941, 9.185534764557338e-6, 0.2841637457458413. The y2 literal
 * below is the same double written with one digit less.
 */
const ROBER_AT_40 = [0.7158270687193941, 9.185534764557337e-6, 0.2841637457458413];

/**
 * Integrate to a few checkpoints (landing on each exactly) and return the worst scaled error at the checkpoints
 * and at step midpoints through the dense output, plus the worst absolute error.
 */
function globalErrors(
  pr: { problem: ReturnType<typeof makeProblem>; exact: (t: number, out: Float64Array) => void },
  rtol: number,
  atol: number,
) {
  const { stepper, stats } = create(pr.problem, rtol, atol);
  const n = pr.problem.y0.length;
  const out = new Float64Array(n);
  const ex = new Float64Array(n);
  let scaled = 0;
  let dense = 0;
  let abs = 0;
  const tEnd = pr.problem.tspan[1];
  for (const frac of [0.05, 0.1, 0.2, 0.5, 1]) {
    const tk = frac * tEnd;
    while (stepper.t !== tk) {
      expect(stepper.step(tk)).toBe('ok');
      const tm = 0.5 * (stepper.tPrev + stepper.t);
      stepper.interpolate(tm, out);
      pr.exact(tm, ex);
      dense = Math.max(dense, scaledError(out, ex, rtol, atol));
    }
    pr.exact(tk, ex);
    scaled = Math.max(scaled, scaledError(stepper.y, ex, rtol, atol));
    for (let i = 0; i < n; i++) abs = Math.max(abs, Math.abs(stepper.y[i] - ex[i]));
  }
  return { scaled, dense, abs, stats };
}

describe('BDF on linear problems with closed-form solutions', () => {
  // A variable-step multistep code controls the local error per step; the global error is the sum of the
  // propagated local errors, so it can exceed the tolerance by the number of steps on a non-decaying mode.
  // CVODE itself gives scaled global errors 20..63 on the stiff 2x2 system at rtol 1e-4..1e-10 (measured with
  // SUNDIALS 6.4.1); we allow 200 and require the error to shrink by >= 10x per 100x tighter tolerance.
  const cases = [
    ["y' = -y", decay, 1e-3],
    ['stiff 2x2 (eigenvalues -1, -1000)', stiffLinear, 1e-3],
    // y crosses zero periodically: a pure relative measure is meaningless there, so atol = rtol
    ["y' = -y + sin t", forcedDecay, 1],
  ] as const;
  for (const [name, pr, atolPerRtol] of cases) {
    it(`${name}: global error within a small multiple of the tolerance, shrinking with it`, () => {
      let prevAbs = Number.POSITIVE_INFINITY;
      for (const rtol of RTOLS) {
        const r = globalErrors(pr, rtol, rtol * atolPerRtol);
        expect(r.scaled, `rtol ${rtol}`).toBeLessThan(200);
        expect(r.dense, `dense, rtol ${rtol}`).toBeLessThan(200);
        expect(r.abs, `rtol ${rtol}`).toBeLessThan(prevAbs / 10);
        prevAbs = r.abs;
      }
    });
  }

  it('banded heat equation (N = 60, tridiagonal) matches the semi-discrete closed form, same as dense', () => {
    const rtol = 1e-7;
    const atol = 1e-10;
    const yB = heat(60, true);
    const yD = heat(60, false);
    const rb = integrate(yB.problem, rtol, atol);
    const rd = integrate(yD.problem, rtol, atol);
    expect(rb.status).toBe('ok');
    expect(rd.status).toBe('ok');
    const ex = new Float64Array(60);
    yB.exact(0.1, ex);
    expect(scaledError(rb.stepper.y, ex, rtol, atol)).toBeLessThan(20);
    // same algorithm, different LU: identical step sequence up to rounding
    expect(rb.stats.steps).toBe(rd.stats.steps);
    expect(scaledError(rb.stepper.y, rd.stepper.y, 1e-10, 1e-14)).toBeLessThan(1);
  });

  it('integrates backward in time', () => {
    const p = makeProblem(
      (_t, y, dy) => {
        dy[0] = -y[0];
      },
      [Math.exp(-2)],
      [2, 0],
    );
    for (const rtol of [1e-6, 1e-9]) {
      const { stepper, stats } = create(p, rtol, rtol * 1e-3);
      expect(advance(stepper, 0)).toBe('ok');
      expect(stepper.t).toBe(0);
      expect(stepper.tPrev).toBeGreaterThan(0);
      expect(Math.abs(stepper.y[0] - 1)).toBeLessThan(100 * rtol);
      expect(stats.steps).toBeGreaterThan(5);
      const out = new Float64Array(1);
      const tm = 0.5 * (stepper.tPrev + stepper.t);
      stepper.interpolate(tm, out);
      expect(Math.abs(out[0] - Math.exp(-tm))).toBeLessThan(100 * rtol);
    }
  });
});

describe('BDF on stiff benchmarks', () => {
  it('ROBER: Hairer-Wanner reference at t = 40, conservation to t = 1e11, few Jacobians', () => {
    const p = toOdeProblem(rober);
    const rtol = 1e-8;
    const atol = 1e-14;
    const { stepper, stats } = create(p, rtol, atol);
    expect(advance(stepper, 40)).toBe('ok');
    expect(stepper.t).toBe(40);
    expect(scaledError(stepper.y, ROBER_AT_40, rtol, atol)).toBeLessThan(10);
    let maxDrift = 0;
    while (stepper.t !== 1e11) {
      expect(stepper.step(1e11)).toBe('ok');
      const y = stepper.y;
      maxDrift = Math.max(maxDrift, Math.abs(y[0] + y[1] + y[2] - 1));
    }
    expect(maxDrift).toBeLessThan(1e-12);
    // Bari test set reference at t = 1e11 (mixed error, floor 1e-6 * rtol on the tiny components)
    const ref = rober.reference.y;
    expect(scaledError(stepper.y, ref, 1e-5, 1e-14)).toBeLessThan(1);
    // (e) the Jacobian and the LU are reused across many steps
    expect(stats.jacEvals).toBeLessThan(stats.steps / 20);
    expect(stats.luDecomps).toBeLessThan(stats.steps / 4);
    expect(stats.jacEvals).toBeGreaterThan(0);
    expect(stats.linSolves).toBe(stats.newtonIters);
    expect(stats.newtonIters).toBeGreaterThanOrEqual(stats.steps);
    expect(stats.newtonIters).toBeLessThan(2 * (stats.steps + stats.rejected));
    // about one f per Newton iteration (the f at the prediction is reused when Newton is retried with a fresh J)
    expect(stats.fEvals).toBeGreaterThanOrEqual(stats.steps + stats.rejected);
    expect(stats.fEvals).toBeLessThan(stats.newtonIters + stats.steps + stats.rejected + 10);
  });

  it('HIRES at t = 321.8122 within 1e-5 relative of the Bari test set reference (rtol 1e-8, atol 1e-12)', () => {
    const run = integrate(toOdeProblem(hires), 1e-8, 1e-12);
    expect(run.status).toBe('ok');
    const ref = hires.reference.y; // Mazzia & Magherini, Test Set for IVP Solvers, HIRES
    for (let i = 0; i < 8; i++)
      expect(Math.abs(run.stepper.y[i] - ref[i]) / ref[i], `y${i + 1}`).toBeLessThan(1e-5);
    expect(run.stats.jacEvals).toBeLessThan(run.stats.steps / 20);
  });

  it('HIRES without an analytic Jacobian (finite differences) is as accurate and counts the extra f evaluations', () => {
    const p = { ...toOdeProblem(hires), jac: undefined };
    const run = integrate(p, 1e-8, 1e-12);
    expect(run.status).toBe('ok');
    const ref = hires.reference.y;
    for (let i = 0; i < 8; i++) expect(Math.abs(run.stepper.y[i] - ref[i]) / ref[i]).toBeLessThan(1e-5);
    // each finite-difference Jacobian costs n + 1 = 9 evaluations, on top of at least one per step attempt
    expect(run.stats.jacEvals).toBeGreaterThan(0);
    expect(run.stats.fEvals).toBeGreaterThanOrEqual(
      run.stats.steps + run.stats.rejected + 9 * run.stats.jacEvals,
    );
  });

  it('Van der Pol mu = 1000 to t = 2000 against the Bari reference (mapped from the scaled form)', () => {
    for (const rtol of [1e-6, 1e-8]) {
      const run = integrate(toOdeProblem(vdpol), rtol, rtol * 1e-2);
      expect(run.status).toBe('ok');
      const ref = vdpol.reference.y;
      const rel = Math.max(...ref.map((r, i) => Math.abs(run.stepper.y[i] - r) / Math.abs(r)));
      expect(rel, `rtol ${rtol}`).toBeLessThan(rtol === 1e-6 ? 5e-4 : 1e-5);
      expect(run.stats.jacEvals).toBeLessThan(run.stats.steps / 20);
    }
  });

  it('POLLU (20 species) at t = 60 against the Bari reference', () => {
    const rtol = 1e-8;
    const run = integrate(toOdeProblem(pollution), rtol, rtol * pollution.atolPerRtol);
    expect(run.status).toBe('ok');
    const ref = pollution.reference.y;
    // mixed error as in the Bari test set (floor atolPerRtol)
    let worst = 0;
    for (let i = 0; i < ref.length; i++) {
      worst = Math.max(
        worst,
        Math.abs(run.stepper.y[i] - ref[i]) / (pollution.atolPerRtol + Math.abs(ref[i])),
      );
    }
    expect(worst).toBeLessThan(3e-7);
  });
});

describe('BDF stepper contract', () => {
  it('lands bit-exactly on tLimit and never passes it', () => {
    const { stepper } = create(forcedDecay.problem, 1e-6, 1e-9);
    const limits = [0.1, 0.1 + 1e-12, 0.7, Math.PI, 3.3000000000000003, 10];
    for (const tl of limits) {
      while (stepper.t !== tl) {
        expect(stepper.step(tl)).toBe('ok');
        expect(stepper.t).toBeLessThanOrEqual(tl);
        expect(stepper.t).toBeGreaterThan(stepper.tPrev);
      }
      expect(stepper.t).toBe(tl);
    }
    // a zero-length request does nothing
    const t = stepper.t;
    expect(stepper.step(t)).toBe('ok');
    expect(stepper.t).toBe(t);
    expect(() => stepper.step(t - 1)).toThrow(/behind/);
  });

  it('dense segments are self-contained snapshots of the step polynomial', () => {
    const { stepper } = create(decay.problem, 1e-8, 1e-11);
    stepper.step(10);
    stepper.step(10);
    stepper.step(10);
    const seg = stepper.denseSegment();
    const a = new Float64Array(1);
    const b = new Float64Array(1);
    const tm = 0.3 * seg.t0 + 0.7 * seg.t1;
    stepper.interpolate(tm, a);
    expect(seg.t0).toBe(stepper.tPrev);
    expect(seg.t1).toBe(stepper.t);
    for (let k = 0; k < 20; k++) stepper.step(10);
    seg.evaluate(tm, b);
    expect(b[0]).toBe(a[0]);
    expect(Math.abs(b[0] - Math.exp(-tm))).toBeLessThan(1e-7);
    // interpolation reproduces the step end values
    seg.evaluate(seg.t1, b);
    expect(Math.abs(b[0] - Math.exp(-seg.t1))).toBeLessThan(1e-7);
  });

  it('reset restarts at order 1 from a new state (a dose), continuing accurately', () => {
    // y' = -y; at t = 1 a dose of 2 is added: y(t) = (e^-1 + 2) e^-(t - 1) for t > 1
    const { stepper, stats } = create(decay.problem, 1e-8, 1e-12);
    expect(advance(stepper, 1)).toBe('ok');
    const before = stats.steps;
    const y = Float64Array.from([stepper.y[0] + 2]);
    stepper.reset(1, y);
    expect(stepper.t).toBe(1);
    expect(stepper.tPrev).toBe(1);
    expect(stepper.y[0]).toBe(y[0]);
    const out = new Float64Array(1);
    stepper.interpolate(1, out);
    expect(out[0]).toBe(y[0]);
    expect(stepper.step(3)).toBe('ok');
    // the first step after a reset is a short backward Euler step
    expect(stepper.t - 1).toBeLessThan(1e-3);
    expect(advance(stepper, 3)).toBe('ok');
    const exact = (Math.exp(-1) + 2) * Math.exp(-2);
    expect(Math.abs(stepper.y[0] - exact)).toBeLessThan(100 * (1e-12 + 1e-8 * exact));
    expect(stats.steps).toBeGreaterThan(before + 10);
  });

  it("reports DtLessThanMin or ConvergenceFailure at the blow-up of y' = y^2 (t = 1)", () => {
    for (const hmin of [0, 1e-6]) {
      const { stepper } = create(blowUp, 1e-6, 1e-10, { hmin });
      const status = advance(stepper, 2);
      expect(['DtLessThanMin', 'ConvergenceFailure']).toContain(status);
      expect(stepper.t).toBeLessThan(1);
      expect(stepper.t).toBeGreaterThan(0.99);
      // the last accepted state is still the (finite) solution of the problem
      expect(Number.isFinite(stepper.y[0])).toBe(true);
    }
  });

  it('reports ConvergenceFailure when Newton cannot converge at the minimum step', () => {
    // a Jacobian with the wrong sign: the Newton contraction factor (1 + g) / (1 - g) (g = gamma * 1e6) has
    // modulus > 1 for every step size, and hmin keeps the step from shrinking to where the error test decides
    const p = makeProblem(
      (t, y, dy) => {
        dy[0] = -1e6 * (y[0] - Math.cos(t));
      },
      [1],
      [0, 1],
      {
        jac: (_t, _y, J) => {
          J[0] = 1e6;
        },
      },
    );
    const { stepper, stats } = create(p, 1e-6, 1e-10, { h0: 1e-2, hmin: 1e-3 });
    expect(stepper.step(1)).toBe('ConvergenceFailure');
    expect(stepper.t).toBe(0);
    expect(stepper.y[0]).toBe(1);
    expect(stats.newtonFails).toBeGreaterThan(1);
    expect(stats.steps).toBe(0);
  });

  it('reports Unstable when f returns non-finite values', () => {
    const p = makeProblem(
      (t, y, dy) => {
        dy[0] = t > 0.5 ? Number.NaN : -y[0];
      },
      [1],
      [0, 1],
    );
    const { stepper } = create(p, 1e-6, 1e-10);
    const status = advance(stepper, 1);
    expect(status).toBe('Unstable');
    expect(stepper.t).toBeLessThanOrEqual(0.5);
    expect(Math.abs(stepper.y[0] - Math.exp(-stepper.t))).toBeLessThan(1e-5);
  });

  it('raises the order up to 5 on smooth problems and starts at order 1', () => {
    for (const pr of [decay, stiffLinear]) {
      const { stepper } = create(pr.problem, 1e-10, 1e-13);
      const diag = stepper as unknown as { order: number };
      expect(diag.order).toBe(1);
      const seen = new Set<number>();
      while (stepper.t !== 10) {
        expect(stepper.step(10)).toBe('ok');
        seen.add(diag.order);
      }
      expect(Math.max(...seen)).toBe(5);
      expect(seen.has(1) && seen.has(2) && seen.has(3)).toBe(true);
    }
  });

  it('calls f and the Jacobian with arrays of exactly n components', () => {
    const lengths = new Set<number>();
    for (const withJac of [true, false]) {
      const p = makeProblem(
        (_t, y, dy) => {
          lengths.add(y.length);
          lengths.add(dy.length);
          dy[0] = y[1];
          dy[1] = 10 * (1 - y[0] * y[0]) * y[1] - y[0];
        },
        [2, 0],
        [0, 5],
        withJac
          ? {
              jac: (_t, y, J) => {
                lengths.add(y.length);
                lengths.add(J.length / 2);
                J[0] = 0;
                J[1] = 1;
                J[2] = -20 * y[0] * y[1] - 1;
                J[3] = 10 * (1 - y[0] * y[0]);
              },
            }
          : {},
      );
      expect(integrate(p, 1e-6, 1e-9).status).toBe('ok');
    }
    expect([...lengths]).toEqual([2]);
  });

  it('honours hmax and h0', () => {
    const { stepper, stats } = create(decay.problem, 1e-6, 1e-9, { hmax: 0.05, h0: 1e-3 });
    stepper.step(10);
    expect(stepper.t).toBeCloseTo(1e-3, 15);
    expect(advance(stepper, 10)).toBe('ok');
    expect(stats.steps).toBeGreaterThanOrEqual(200);
  });

  it('rejects fixedStep with a clear error, and is registered as an implicit order-5 method', () => {
    expect(() => create(decay.problem, 1e-6, 1e-9, { fixedStep: 0.1 })).toThrow(/fixedStep is not supported/);
    expect(BDF.name).toBe('BDF');
    expect(BDF.implicit).toBe(true);
    expect(BDF.order).toBe(5);
  });

  it('accepts per-component absolute tolerances', () => {
    const p = toOdeProblem(rober);
    const atol = Float64Array.from([1e-10, 1e-14, 1e-10]);
    const { stepper } = create(p, 1e-8, atol);
    expect(advance(stepper, 40)).toBe('ok');
    for (let i = 0; i < 3; i++)
      expect(Math.abs(stepper.y[i] - ROBER_AT_40[i])).toBeLessThan(50 * (atol[i] + 1e-8 * ROBER_AT_40[i]));
  });
});
