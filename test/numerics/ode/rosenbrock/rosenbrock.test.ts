import { describe, expect, it } from 'vitest';
import { odeProblem } from '../../../../src/numerics/ode/problem.js';
import { Rodas4, Rodas5P } from '../../../../src/numerics/ode/rosenbrock/index.js';
import type { OdeMethod } from '../../../../src/numerics/ode/stepper.js';
import { drive, makeStepper } from './drive.js';

const methods: [OdeMethod, number, number, number[]][] = [
  // method, classical order, order of the dense output's local error (dense order + 1), step counts in the
  // asymptotic range of the dense-output test (Rodas4's interpolant reaches its order only for finer steps)
  [Rodas4, 4, 4, [40, 80, 160]],
  [Rodas5P, 5, 5, [10, 20, 40, 80]],
];

/** y' = -y + sin t, y(0) = 1: y = 3/2 e^-t + (sin t - cos t) / 2 (non-autonomous: exercises df/dt). */
const scalarExact = (t: number) => 1.5 * Math.exp(-t) + (Math.sin(t) - Math.cos(t)) / 2;
const scalar = odeProblem(
  (t, y, dy) => {
    dy[0] = -y[0] + Math.sin(t);
  },
  [1],
  [0, 2],
  {
    jac: (_t, _y, J) => {
      J[0] = -1;
    },
  },
);

/** y' = A y + g(t), A = [[-2, 1], [1, -3]], g chosen so that y = (cos t, e^-t). */
const forcedExact = (t: number) => [Math.cos(t), Math.exp(-t)];
const forced2x2 = odeProblem(
  (t, y, dy) => {
    const c = Math.cos(t);
    const e = Math.exp(-t);
    dy[0] = -2 * y[0] + y[1] + (-Math.sin(t) - (-2 * c + e));
    dy[1] = y[0] - 3 * y[1] + (-e - (c - 3 * e));
  },
  [1, 1],
  [0, 2],
  {
    jac: (_t, _y, J) => {
      J[0] = -2;
      J[1] = 1;
      J[2] = 1;
      J[3] = -3;
    },
  },
);

/** y' = A y, A = [[-1, 2], [-2, -1]], y(0) = (1, 0): y = e^-t (cos 2t, -sin 2t). */
const rotExact = (t: number) => [Math.exp(-t) * Math.cos(2 * t), -Math.exp(-t) * Math.sin(2 * t)];
const rot2x2 = odeProblem(
  (_t, y, dy) => {
    dy[0] = -y[0] + 2 * y[1];
    dy[1] = -2 * y[0] - y[1];
  },
  [1, 0],
  [0, 3],
  {
    jac: (_t, _y, J) => {
      J[0] = -1;
      J[1] = 2;
      J[2] = -2;
      J[3] = -1;
    },
  },
);

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Observed orders log2(e_N / e_2N) of the global error at t1 with fixed steps (t1 - t0) / N. */
function observedOrders(
  method: OdeMethod,
  problem: typeof scalar,
  exact: (t: number) => number[],
  Ns: number[],
): number[] {
  const [t0, t1] = problem.tspan;
  const errs = Ns.map((N) => {
    const r = drive(method, problem, { fixedStep: (t1 - t0) / N });
    expect(r.stats.steps).toBe(N);
    expect(r.t).toBe(t1);
    return maxAbsDiff(r.y, exact(t1));
  });
  return errs.slice(1).map((e, i) => Math.log2(errs[i] / e));
}

describe.each(methods.map(([m, order]) => [m.name, m, order] as const))(
  '%s: convergence order with fixed steps',
  (_name, method, order) => {
    it(`scalar y' = -y + sin t converges with order ${order} +- 0.2`, () => {
      const orders = observedOrders(method, scalar, (t) => [scalarExact(t)], [10, 20, 40, 80]);
      for (const p of orders) expect(Math.abs(p - order)).toBeLessThan(0.2);
    });

    it(`forced 2x2 linear system converges with order ${order} +- 0.2`, () => {
      const orders = observedOrders(method, forced2x2, forcedExact, [10, 20, 40, 80]);
      for (const p of orders) expect(Math.abs(p - order)).toBeLessThan(0.2);
    });

    it('autonomous 2x2 linear system converges with at least the classical order', () => {
      // Rodas5P shows ~5.6-5.9 here: for constant-coefficient linear problems only the stability function
      // matters, and its error constant is small at these step sizes (Rodas4 shows exactly 4).
      const orders = observedOrders(method, rot2x2, rotExact, [10, 20, 40, 80]);
      for (const p of orders) {
        expect(p).toBeGreaterThan(order - 0.2);
        expect(p).toBeLessThan(order + 1.2);
      }
    });
  },
);

describe.each(methods.map((row) => [row[0].name, ...row] as const))(
  '%s: dense output',
  (_name, method, _order, denseLocal, denseNs) => {
    it(`interpolant error converges with order ${denseLocal} (dense order + 1) +- 0.35`, () => {
      const out = new Float64Array(2);
      const errs = denseNs.map((N) => {
        const { stepper } = makeStepper(method, rot2x2, { fixedStep: 3 / N });
        let e = 0;
        while (stepper.t !== 3) {
          expect(stepper.step(3)).toBe('ok');
          for (const th of [0.2, 0.5, 0.8]) {
            const tq = stepper.tPrev + th * (stepper.t - stepper.tPrev);
            stepper.interpolate(tq, out);
            e = Math.max(e, maxAbsDiff(out, rotExact(tq)));
          }
        }
        return e;
      });
      for (let i = 1; i < errs.length; i++)
        expect(Math.abs(Math.log2(errs[i - 1] / errs[i]) - denseLocal)).toBeLessThan(0.35);
    });

    it('interpolant matches the step end points and stays within tolerance between steps (adaptive)', () => {
      const out = new Float64Array(1);
      for (const rtol of [1e-6, 1e-9]) {
        const atol = rtol;
        const { stepper } = makeStepper(method, scalar, { rtol, atol });
        let e = 0;
        let yPrev = 1;
        while (stepper.t !== 2) {
          expect(stepper.step(2)).toBe('ok');
          stepper.interpolate(stepper.tPrev, out);
          expect(Math.abs(out[0] - yPrev)).toBeLessThanOrEqual(1e-15);
          stepper.interpolate(stepper.t, out);
          expect(Math.abs(out[0] - stepper.y[0])).toBeLessThanOrEqual(1e-15);
          yPrev = stepper.y[0];
          for (let q = 1; q < 10; q++) {
            const tq = stepper.tPrev + (q / 10) * (stepper.t - stepper.tPrev);
            stepper.interpolate(tq, out);
            e = Math.max(e, Math.abs(out[0] - scalarExact(tq)));
          }
        }
        // |y| <= 1 here, so one unit of tolerance is atol + rtol; global error may exceed it a few times.
        expect(e).toBeLessThan(5 * (atol + rtol));
      }
    });

    it('denseSegment is a snapshot independent of later steps', () => {
      const { stepper } = makeStepper(method, scalar, { rtol: 1e-8, atol: 1e-8 });
      stepper.step(2);
      const seg = stepper.denseSegment();
      const tm = 0.5 * (seg.t0 + seg.t1);
      const a = new Float64Array(1);
      const b = new Float64Array(1);
      seg.evaluate(tm, a);
      stepper.interpolate(tm, b);
      expect(a[0]).toBe(b[0]);
      stepper.step(2);
      stepper.step(2);
      const c = new Float64Array(1);
      seg.evaluate(tm, c);
      expect(c[0]).toBe(a[0]);
      expect(seg.t0).toBe(0);
      expect(Math.abs(a[0] - scalarExact(tm))).toBeLessThan(1e-7);
    });
  },
);

describe.each(methods.map(([m]) => [m.name, m] as const))('%s: stepper contract', (_name, method) => {
  it('lands bit-exactly on tLimit, including non-representable limits', () => {
    const { stepper } = makeStepper(method, scalar, { rtol: 1e-6, atol: 1e-8 });
    const stops = [0.1 * Math.PI, 1 / 3, 0.7, Math.SQRT2, 2];
    let last = 0;
    for (const stop of stops) {
      while (stepper.t !== stop) {
        expect(stepper.step(stop)).toBe('ok');
        expect(stepper.t).toBeGreaterThan(last);
        expect(stepper.t).toBeLessThanOrEqual(stop);
        last = stepper.t;
      }
      expect(stepper.t).toBe(stop);
      expect(Math.abs(stepper.y[0] - scalarExact(stop))).toBeLessThan(1e-6);
    }
    // Already at tLimit: nothing happens.
    const steps = stepper.t;
    expect(stepper.step(2)).toBe('ok');
    expect(stepper.t).toBe(steps);
  });

  it('fixedStep takes exactly the requested steps, the last one shortened to tLimit', () => {
    const { stepper, stats } = makeStepper(method, scalar, { fixedStep: 0.3 });
    const ts: number[] = [];
    while (stepper.t !== 2) {
      expect(stepper.step(2)).toBe('ok');
      ts.push(stepper.t);
    }
    expect(ts.length).toBe(7);
    for (let i = 0; i < 6; i++) expect(ts[i]).toBeCloseTo(0.3 * (i + 1), 14);
    expect(ts[6]).toBe(2);
    expect(stats.rejected).toBe(0);
    expect(stats.steps).toBe(7);
  });

  it('integrates backwards in time', () => {
    const back = odeProblem(scalar.f, [scalarExact(2)], [2, 0], { jac: scalar.jac });
    const r = drive(method, back, { rtol: 1e-9, atol: 1e-12 });
    expect(r.status).toBe('ok');
    expect(r.t).toBe(0);
    expect(Math.abs(r.y[0] - 1)).toBeLessThan(1e-7);
    const f = drive(method, back, { fixedStep: 0.05 });
    expect(f.stats.steps).toBe(40);
    expect(Math.abs(f.y[0] - 1)).toBeLessThan(1e-6);
  });

  it('reset restarts cleanly from a new state', () => {
    const { stepper, stats } = makeStepper(method, scalar, { rtol: 1e-8, atol: 1e-10 });
    while (stepper.t !== 1) stepper.step(1);
    // Jump the state: the solution of y' = -y + sin t through (1, y1) is C e^-t + (sin t - cos t) / 2.
    const y1 = 0.25;
    const C = (y1 - (Math.sin(1) - Math.cos(1)) / 2) * Math.E;
    stepper.reset(1, Float64Array.of(y1));
    expect(stepper.t).toBe(1);
    expect(stepper.tPrev).toBe(1);
    const out = new Float64Array(1);
    stepper.interpolate(1, out);
    expect(out[0]).toBe(y1);
    const stepsBefore = stats.steps;
    while ((stepper.t as number) !== 2) expect(stepper.step(2)).toBe('ok');
    expect(stats.steps).toBeGreaterThan(stepsBefore);
    expect(Math.abs(stepper.y[0] - (C * Math.exp(-2) + (Math.sin(2) - Math.cos(2)) / 2))).toBeLessThan(1e-7);
  });

  it("reports DtLessThanMin on a blow-up (y' = y^2, y(0) = 1, singular at t = 1)", () => {
    const blow = odeProblem(
      (_t, y, dy) => {
        dy[0] = y[0] * y[0];
      },
      [1],
      [0, 2],
      {
        jac: (_t, y, J) => {
          J[0] = 2 * y[0];
        },
      },
    );
    const r = drive(method, blow, { rtol: 1e-6, atol: 1e-6, hmin: 1e-10 });
    expect(r.status).toBe('DtLessThanMin');
    // Linearly implicit methods can accept a step just across the pole (the stage equations stay
    // solvable); either way the step size collapses within a hair of t = 1.
    expect(Math.abs(r.t - 1)).toBeLessThan(1e-3);
  });

  it('reports Unstable when f is not finite at the start', () => {
    const bad = odeProblem(
      (_t, y, dy) => {
        dy[0] = Math.log(y[0] - 1); // NaN for y < 1
      },
      [0.5],
      [0, 1],
    );
    const r = drive(method, bad, {});
    expect(r.status).toBe('Unstable');
  });

  it('rejects and retries steps that produce non-finite values', () => {
    // f is NaN for y > 1.5; the solution y = 1 + 0.4 (1 - e^-t) never gets there, but large trial steps
    // from a deliberately huge h0 may.
    const p = odeProblem(
      (_t, y, dy) => {
        dy[0] = y[0] > 1.5 ? Number.NaN : 1.4 - y[0];
      },
      [1],
      [0, 5],
      {
        jac: (_t, _y, J) => {
          J[0] = -1;
        },
      },
    );
    const r = drive(
      method,
      odeProblem((t, y, dy) => p.f(t, y, dy), [1], [0, 5], { jac: p.jac }),
      {
        rtol: 1e-8,
        atol: 1e-10,
        h0: 50,
      },
    );
    expect(r.status).toBe('ok');
    expect(Math.abs(r.y[0] - (1 + 0.4 * (1 - Math.exp(-5))))).toBeLessThan(1e-7);
  });

  it('counts work: s linear solves per attempt, one LU per attempt, f evaluations as made', () => {
    let calls = 0;
    const counted = odeProblem(
      (t, y, dy) => {
        calls++;
        scalar.f(t, y, dy);
      },
      [1],
      [0, 2],
    ); // no analytic Jacobian: finite differences, whose f calls must be counted too
    const r = drive(method, counted, { rtol: 1e-6, atol: 1e-9 });
    const s = method === Rodas4 ? 6 : 8;
    const attempts = r.stats.steps + r.stats.rejected;
    expect(r.stats.fEvals).toBe(calls);
    expect(r.stats.linSolves).toBe(s * attempts);
    expect(r.stats.luDecomps).toBe(attempts);
    expect(r.stats.jacEvals).toBe(r.stats.steps);
    expect(Math.abs(r.y[0] - scalarExact(2))).toBeLessThan(1e-5);
  });

  it('samples df/dt on the side of a time stop that the step covers (forwards and backwards)', () => {
    // y' = -y for t < 1 and y' = 1 - y for t > 1 (the value at t = 1 belongs to the side being entered).
    const exact = (t: number) => (t <= 1 ? Math.exp(-t) : 1 + (Math.exp(-1) - 1) * Math.exp(-(t - 1)));
    const jac = (_t: number, _y: Float64Array, J: Float64Array) => {
      J[0] = -1;
    };
    const fwd = odeProblem(
      (t, y, dy) => {
        dy[0] = (t >= 1 ? 1 : 0) - y[0];
      },
      [1],
      [0, 2],
      { jac },
    );
    const bwd = odeProblem(
      (t, y, dy) => {
        dy[0] = (t > 1 ? 1 : 0) - y[0];
      },
      [exact(2)],
      [2, 0],
      { jac },
    );
    for (const [p, stop, end] of [
      [fwd, 1, 2],
      [bwd, 1, 0],
    ] as const) {
      const { stepper, stats } = makeStepper(method, p, { rtol: 1e-8, atol: 1e-10 });
      while (stepper.t !== stop) expect(stepper.step(stop)).toBe('ok');
      const rejectedBefore = stats.rejected;
      while ((stepper.t as number) !== end) expect(stepper.step(end)).toBe('ok');
      expect(Math.abs(stepper.y[0] - exact(end))).toBeLessThan(1e-7);
      // A difference across the jump would make df/dt ~ 1e8 and force rejections right after the stop.
      expect(stats.rejected - rejectedBefore).toBe(0);
    }
  });

  it('terminates (no endless retry) when the error norm is NaN: atol = 0 on an identically zero component', () => {
    const p = odeProblem(
      (_t, y, dy) => {
        dy[0] = -y[0];
        dy[1] = 0;
      },
      [1, 0],
      [0, 1],
    );
    const r = drive(method, p, { rtol: 1e-6, atol: 0 });
    expect(r.status).not.toBe('ok');
    expect(r.stats.rejected).toBeLessThan(100);
  });
});
