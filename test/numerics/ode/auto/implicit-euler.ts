/**
 * TEST-ONLY stiff method for exercising `createAutoMethod` without depending on the real implicit solvers:
 * the implicit Euler method y1 = y0 + h f(t1, y1) (L-stable, order 1), solved by simplified Newton with the
 * Jacobian at the step start and the dense LU (Hairer & Wanner, Solving ODEs II, sec. IV.8). Error control by
 * step doubling: one step of h against two of h/2; the two-half-step value is propagated. Linear dense
 * output.
 */
import { createDenseLu, type DenseLu } from '../../../../src/numerics/linalg/dense-lu.js';
import { errorNormRms, initialStepSize } from '../../../../src/numerics/ode/error-norm.js';
import { finiteDifferenceJacobian } from '../../../../src/numerics/ode/fd-jacobian.js';
import type { OdeProblem } from '../../../../src/numerics/ode/problem.js';
import type {
  DenseSegment,
  OdeMethod,
  Stepper,
  StepperOptions,
  StepStatus,
} from '../../../../src/numerics/ode/stepper.js';

const MAX_NEWTON = 8;

function create(problem: OdeProblem, options: StepperOptions): Stepper {
  const n = problem.y0.length;
  const f = problem.f;
  const stats = options.stats;
  const dir = problem.tspan[1] >= problem.tspan[0] ? 1 : -1;
  const hmax = options.hmax > 0 ? options.hmax : Number.POSITIVE_INFINITY;
  const jac =
    problem.jac ??
    finiteDifferenceJacobian(f, n, (c) => {
      stats.fEvals += c;
    });
  const J = new Float64Array(n * n);
  const luFull = createDenseLu(n);
  const luHalf = createDenseLu(n);
  const y = Float64Array.from(problem.y0);
  const yPrev = Float64Array.from(problem.y0);
  const yFull = new Float64Array(n);
  const yMid = new Float64Array(n);
  const yHalf = new Float64Array(n);
  const f0 = new Float64Array(n);
  const fz = new Float64Array(n);
  const d = new Float64Array(n);
  const err = new Float64Array(n);
  let t = problem.tspan[0];
  let tPrev = t;
  let h = 0;
  let needStart = true;

  const factor = (lu: DenseLu, hh: number): boolean => {
    const a = lu.a;
    for (let k = 0; k < n * n; k++) a[k] = -hh * J[k];
    for (let i = 0; i < n; i++) a[i * n + i] += 1;
    stats.luDecomps++;
    return lu.factor();
  };

  /** Solve z = z0 + hh f(t1, z) by simplified Newton from the guess in `z`; false if it does not converge. */
  const newton = (lu: DenseLu, t1: number, z0: Float64Array, hh: number, z: Float64Array): boolean => {
    for (let it = 0; it < MAX_NEWTON; it++) {
      f(t1, z, fz);
      stats.fEvals++;
      stats.newtonIters++;
      for (let i = 0; i < n; i++) d[i] = z0[i] - z[i] + hh * fz[i];
      lu.solve(d);
      stats.linSolves++;
      for (let i = 0; i < n; i++) z[i] += d[i];
      const dn = errorNormRms(d, z0, z, options);
      if (!Number.isFinite(dn)) return false;
      if (dn < 1e-3) return true;
    }
    return false;
  };

  const step = (tLimit: number): StepStatus => {
    if (needStart) {
      f(t, y, f0);
      stats.fEvals++;
      h =
        options.fixedStep !== undefined
          ? dir * Math.abs(options.fixedStep)
          : dir * initialStepSize(f, t, y, f0, dir, 1, options, hmax, d, fz);
      stats.fEvals++;
      needStart = false;
    }
    jac(t, y, J);
    stats.jacEvals++;
    let failures = 0;
    for (;;) {
      if (Math.abs(h) < options.hmin || Math.abs(h) <= 10 * Number.EPSILON * Math.abs(t))
        return 'DtLessThanMin';
      let hs = h;
      let tNew = t + h;
      if (dir * (tLimit - t) > 0 && dir * (tNew - tLimit) >= 0) {
        hs = tLimit - t;
        tNew = tLimit;
      }
      let e = Number.POSITIVE_INFINITY;
      yFull.set(y);
      yMid.set(y);
      if (
        factor(luFull, hs) &&
        factor(luHalf, hs / 2) &&
        newton(luFull, tNew, y, hs, yFull) &&
        newton(luHalf, t + hs / 2, y, hs / 2, yMid)
      ) {
        yHalf.set(yMid);
        if (newton(luHalf, tNew, yMid, hs / 2, yHalf)) {
          for (let i = 0; i < n; i++) err[i] = yHalf[i] - yFull[i];
          e = errorNormRms(err, y, yHalf, options);
        }
      } else stats.newtonFails++;
      if (options.fixedStep === undefined && !(e <= 1)) {
        stats.rejected++;
        if (!Number.isFinite(e) && ++failures >= 20) return 'ConvergenceFailure';
        h = hs * (Number.isFinite(e) ? Math.max(0.2, 0.9 / Math.sqrt(e)) : 0.25);
        continue;
      }
      tPrev = t;
      t = tNew;
      yPrev.set(y);
      y.set(yHalf);
      stats.steps++;
      if (options.fixedStep === undefined) {
        const grow = Math.min(5, Math.max(0.2, 0.9 / Math.sqrt(Math.max(e, 1e-10))));
        h = dir * Math.min(Math.abs(hs) * grow, hmax);
      }
      return 'ok';
    }
  };

  const linear = (
    s0: number,
    s1: number,
    y0: Float64Array,
    y1: Float64Array,
    tq: number,
    out: Float64Array,
  ) => {
    if (s1 === s0) {
      out.set(y1);
      return;
    }
    const th = (tq - s0) / (s1 - s0);
    for (let i = 0; i < n; i++) out[i] = y0[i] + th * (y1[i] - y0[i]);
  };

  return {
    method: 'ImplicitEuler',
    get t() {
      return t;
    },
    get tPrev() {
      return tPrev;
    },
    y,
    step,
    interpolate: (tq, out) => linear(tPrev, t, yPrev, y, tq, out),
    denseSegment(): DenseSegment {
      const s0 = tPrev;
      const s1 = t;
      const a = Float64Array.from(yPrev);
      const b = Float64Array.from(y);
      return { t0: s0, t1: s1, evaluate: (tq, out) => linear(s0, s1, a, b, tq, out) };
    },
    reset(tNew, yNew) {
      t = tNew;
      tPrev = tNew;
      y.set(yNew);
      yPrev.set(yNew);
      needStart = true;
    },
  };
}

/** Implicit Euler with step doubling (tests only). */
export const ImplicitEuler: OdeMethod = { name: 'ImplicitEuler', order: 1, implicit: true, create };
