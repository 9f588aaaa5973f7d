/**
 * A deliberately simple method for testing the driver on its own: classical RK4 with step doubling for
 * error control and cubic Hermite dense output. Not exported from src: the real methods live there.
 */
import { errorNormMax } from '../../src/numerics/ode/error-norm.js';
import type { OdeMethod, Stepper } from '../../src/numerics/ode/stepper.js';

export const RK4Doubling: OdeMethod = {
  name: 'RK4Doubling',
  order: 4,
  implicit: false,
  create(problem, options) {
    const n = problem.y0.length;
    const f = problem.f;
    const dir = problem.tspan[1] >= problem.tspan[0] ? 1 : -1;
    const y = Float64Array.from(problem.y0);
    const yPrev = new Float64Array(n);
    const fPrev = new Float64Array(n);
    const fNow = new Float64Array(n);
    const k1 = new Float64Array(n);
    const k2 = new Float64Array(n);
    const k3 = new Float64Array(n);
    const k4 = new Float64Array(n);
    const tmp = new Float64Array(n);
    const big = new Float64Array(n);
    const half = new Float64Array(n);
    const err = new Float64Array(n);
    let t = problem.tspan[0];
    let tPrev = t;
    let h = options.fixedStep ?? options.h0 ?? 1e-3 * Math.abs(problem.tspan[1] - problem.tspan[0] || 1);
    f(t, y, fNow);
    options.stats.fEvals++;

    const rk4 = (t0: number, y0: Float64Array, f0: Float64Array, dt: number, out: Float64Array) => {
      for (let i = 0; i < n; i++) tmp[i] = y0[i] + 0.5 * dt * f0[i];
      f(t0 + 0.5 * dt, tmp, k2);
      for (let i = 0; i < n; i++) tmp[i] = y0[i] + 0.5 * dt * k2[i];
      f(t0 + 0.5 * dt, tmp, k3);
      for (let i = 0; i < n; i++) tmp[i] = y0[i] + dt * k3[i];
      f(t0 + dt, tmp, k4);
      options.stats.fEvals += 3;
      for (let i = 0; i < n; i++) out[i] = y0[i] + (dt / 6) * (f0[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
    };
    const hermite = (
      t0: number,
      t1: number,
      y0: Float64Array,
      f0: Float64Array,
      y1: Float64Array,
      f1: Float64Array,
      tq: number,
      out: Float64Array,
    ) => {
      const dt = t1 - t0;
      if (dt === 0) {
        out.set(y1);
        return;
      }
      const s = (tq - t0) / dt;
      const h00 = (1 + 2 * s) * (1 - s) * (1 - s);
      const h10 = s * (1 - s) * (1 - s);
      const h01 = s * s * (3 - 2 * s);
      const h11 = s * s * (s - 1);
      for (let i = 0; i < n; i++) out[i] = h00 * y0[i] + h10 * dt * f0[i] + h01 * y1[i] + h11 * dt * f1[i];
    };

    const stepper: Stepper = {
      method: 'RK4Doubling',
      get t() {
        return t;
      },
      get tPrev() {
        return tPrev;
      },
      y,
      step(tLimit) {
        for (;;) {
          let dt = dir * Math.abs(h);
          let land = false;
          if (dir * (t + dt - tLimit) >= 0) {
            dt = tLimit - t;
            land = true;
          }
          if (options.fixedStep !== undefined) {
            rk4(t, y, fNow, dt, big);
            half.set(big);
          } else {
            rk4(t, y, fNow, dt, big);
            rk4(t, y, fNow, dt / 2, half);
            f(t + dt / 2, half, k1);
            options.stats.fEvals++;
            rk4(t + dt / 2, half, k1, dt / 2, half);
            for (let i = 0; i < n; i++) err[i] = (half[i] - big[i]) / 15;
            const e = errorNormMax(err, y, half, options);
            if (!Number.isFinite(e)) return 'Unstable';
            const fac = Math.min(4, Math.max(0.2, 0.9 * (1 / Math.max(e, 1e-10)) ** 0.2));
            if (e > 1) {
              options.stats.rejected++;
              h = Math.abs(dt) * fac;
              if (h < options.hmin || h < 1e-14 * Math.abs(t)) return 'DtLessThanMin';
              continue;
            }
            h = Math.min(Math.abs(dt) * fac, options.hmax);
          }
          yPrev.set(y);
          fPrev.set(fNow);
          tPrev = t;
          t = land ? tLimit : t + dt;
          y.set(half);
          f(t, y, fNow);
          options.stats.fEvals++;
          options.stats.steps++;
          return 'ok';
        }
      },
      interpolate(tq, out) {
        hermite(tPrev, t, yPrev, fPrev, y, fNow, tq, out);
      },
      denseSegment() {
        const a = { t0: tPrev, t1: t, y0: yPrev.slice(), f0: fPrev.slice(), y1: y.slice(), f1: fNow.slice() };
        return {
          t0: a.t0,
          t1: a.t1,
          evaluate: (tq, out) => hermite(a.t0, a.t1, a.y0, a.f0, a.y1, a.f1, tq, out),
        };
      },
      reset(t0, y0) {
        t = t0;
        tPrev = t0;
        y.set(y0);
        yPrev.set(y0);
        f(t, y, fNow);
        fPrev.set(fNow);
        options.stats.fEvals++;
      },
    };
    return stepper;
  },
};
