/**
 * A deliberately simple stiff method used only to verify the benchmark harness end to end (through `solve`)
 * while the real exoniche methods are being written: ROS2, the two-stage second-order L-stable Rosenbrock
 * method of Verwer, Spee, Blom and Hundsdorfer, "A second-order Rosenbrock method applied to photochemical
 * dispersion problems", SIAM J. Sci. Comput. 20 (1999) 1456-1480, with gamma = 1 + 1/sqrt(2):
 *
 *   (I - gamma h J) k1 = f(t, y)
 *   (I - gamma h J) k2 = f(t + h, y + h k1) - 2 k1
 *   y_new = y + 3/2 h k1 + 1/2 h k2,   embedded first order: y + h k1.
 *
 * Fresh Jacobian and LU every step, linear interpolation for dense output. Not part of the library.
 */
import { createDenseLu } from '../src/numerics/linalg/dense-lu.js';
import { errorNormRms } from '../src/numerics/ode/error-norm.js';
import type { OdeMethod, Stepper, StepStatus } from '../src/numerics/ode/stepper.js';

const GAMMA = 1 + Math.SQRT1_2;

export const ROS2_TEST_METHOD: OdeMethod = {
  name: 'ROS2(test)',
  order: 2,
  implicit: true,
  create(problem, options): Stepper {
    const n = problem.y0.length;
    const { f, jac } = problem;
    if (!jac) throw new Error('ROS2(test) needs an analytic Jacobian');
    const { stats } = options;
    const tol = { rtol: options.rtol, atol: options.atol };
    const lu = createDenseLu(n);
    const J = new Float64Array(n * n);
    const y = Float64Array.from(problem.y0);
    const yPrev = Float64Array.from(problem.y0);
    const yNew = new Float64Array(n);
    const f0 = new Float64Array(n);
    const k1 = new Float64Array(n);
    const k2 = new Float64Array(n);
    const tmp = new Float64Array(n);
    const err = new Float64Array(n);
    const dir = problem.tspan[1] >= problem.tspan[0] ? 1 : -1;
    let t = problem.tspan[0];
    let tPrev = t;
    let h = options.h0 ?? 1e-6 * Math.max(1, Math.abs(problem.tspan[1] - problem.tspan[0]));
    const stepper = {
      method: 'ROS2(test)',
      get t() {
        return t;
      },
      get tPrev() {
        return tPrev;
      },
      y,
      step(tLimit: number): StepStatus {
        for (;;) {
          let hs = Math.min(Math.abs(h), options.hmax);
          let landing = false;
          if (Math.abs(tLimit - t) <= hs) {
            hs = Math.abs(tLimit - t);
            landing = true;
          }
          if (hs < Math.max(options.hmin, 1e-14 * Math.abs(t))) return 'DtLessThanMin';
          const hh = dir * hs;
          f(t, y, f0);
          jac(t, y, J);
          stats.fEvals++;
          stats.jacEvals++;
          const a = lu.a;
          for (let i = 0; i < n * n; i++) a[i] = -GAMMA * hh * J[i];
          for (let i = 0; i < n; i++) a[i * n + i] += 1;
          stats.luDecomps++;
          if (!lu.factor()) {
            h *= 0.25;
            stats.rejected++;
            continue;
          }
          k1.set(f0);
          lu.solve(k1);
          for (let i = 0; i < n; i++) tmp[i] = y[i] + hh * k1[i];
          f(t + hh, tmp, k2);
          stats.fEvals++;
          for (let i = 0; i < n; i++) k2[i] -= 2 * k1[i];
          lu.solve(k2);
          stats.linSolves += 2;
          for (let i = 0; i < n; i++) {
            yNew[i] = y[i] + hh * (1.5 * k1[i] + 0.5 * k2[i]);
            err[i] = 0.5 * hh * (k1[i] + k2[i]);
          }
          const e = errorNormRms(err, y, yNew, tol);
          const fac = Number.isFinite(e)
            ? Math.min(5, Math.max(0.2, 0.9 / Math.sqrt(Math.max(e, 1e-10))))
            : 0.2;
          if (e <= 1) {
            yPrev.set(y);
            tPrev = t;
            y.set(yNew);
            t = landing ? tLimit : t + hh;
            stats.steps++;
            h = hs * fac;
            return 'ok';
          }
          stats.rejected++;
          h = hs * fac;
        }
      },
      interpolate(tq: number, out: Float64Array) {
        const s = t === tPrev ? 1 : (tq - tPrev) / (t - tPrev);
        for (let i = 0; i < n; i++) out[i] = yPrev[i] + s * (y[i] - yPrev[i]);
      },
      denseSegment() {
        const t0 = tPrev;
        const t1 = t;
        const a0 = Float64Array.from(yPrev);
        const a1 = Float64Array.from(y);
        return {
          t0,
          t1,
          evaluate(tq: number, out: Float64Array) {
            const s = t1 === t0 ? 1 : (tq - t0) / (t1 - t0);
            for (let i = 0; i < n; i++) out[i] = a0[i] + s * (a1[i] - a0[i]);
          },
        };
      },
      reset(tNew: number, yNew0: Float64Array) {
        t = tNew;
        tPrev = tNew;
        y.set(yNew0);
        yPrev.set(yNew0);
      },
    };
    return stepper;
  },
};
