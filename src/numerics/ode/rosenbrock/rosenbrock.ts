/**
 * Generic Rosenbrock-Wanner stepper driven by a `RosenbrockTableau` (transformed form of Hairer & Wanner,
 * Solving ODEs II, sec. IV.7): each step forms and factors M = I / (h gamma) - J once and does one
 * back-substitution per stage, with no Jacobian-vector products.
 *
 * - J is evaluated at the start of every accepted step (Rosenbrock methods need the exact Jacobian for their
 *   order); a rejected step keeps J and f(t, y) and only refactors M for the new h.
 * - df/dt is a forward difference in t, one extra f evaluation per Jacobian (counted in stats.fEvals), with
 *   the increment sqrt(eps * max(1e-5, |t|)) of Hairer's RODAS code.
 * - Step control: Hairer's RODAS controller (safety 0.9, 0.2 <= hNew / h <= 6, exponent 1 / (q + 1) with q
 *   the embedded order) with Gustafsson's predictive correction after accepted steps (Hairer & Wanner II,
 *   sec. IV.8, eq. (8.21)); no growth right after a rejection. Steps that produce non-finite values or a
 *   singular M are rejected and retried with h / 4.
 */
import { createShiftedLinearSolver } from '../../linalg/linear-solver.js';
import { errorNormRms, initialStepSize } from '../error-norm.js';
import { finiteDifferenceJacobian } from '../fd-jacobian.js';
import type { OdeJacobian, OdeProblem } from '../problem.js';
import type { DenseSegment, OdeMethod, Stepper, StepperOptions, StepStatus } from '../stepper.js';
import type { RosenbrockTableau } from './tableaus.js';

const SAFETY = 0.9;
/** Bounds of hNew / h: Hairer's RODAS defaults WORK(3) = 0.2, WORK(4) = 6. */
const FAC_MIN = 0.2;
const FAC_MAX = 6;
/** Shrink factor after a non-finite stage or a singular iteration matrix. */
const FAC_FAIL = 0.25;
const UROUND = Number.EPSILON;

/**
 * Evaluate the dense output at theta in [0, 1] of a step from y0 to y1 with H-weighted stage sums
 * `dense` (rows x n): (1 - theta) y0 + theta (y1 + (1 - theta) (D_1 + theta (D_2 + theta D_3 ...))).
 */
function evalDense(
  theta: number,
  y0: Float64Array,
  y1: Float64Array,
  dense: Float64Array,
  rows: number,
  n: number,
  out: Float64Array,
): void {
  const t1 = 1 - theta;
  for (let i = 0; i < n; i++) {
    let p = dense[(rows - 1) * n + i];
    for (let r = rows - 2; r >= 0; r--) p = dense[r * n + i] + theta * p;
    out[i] = t1 * y0[i] + theta * (y1[i] + t1 * p);
  }
}

export function createRosenbrockStepper(
  tableau: RosenbrockTableau,
  problem: OdeProblem,
  options: StepperOptions,
): Stepper {
  const n = problem.y0.length;
  const f = problem.f;
  const stats = options.stats;
  const s = tableau.stages;
  const gamma = tableau.gamma;
  const A = tableau.a;
  const Cm = tableau.C;
  const cs = tableau.c;
  const ds = tableau.d;
  const ms = tableau.m;
  const es = tableau.e;
  const H = tableau.H;
  const rows = tableau.denseRows;
  const expo = 1 / (tableau.embeddedOrder + 1);
  const tol = { rtol: options.rtol, atol: options.atol };
  const hmax = options.hmax > 0 ? options.hmax : Number.POSITIVE_INFINITY;
  const hmin = options.hmin > 0 ? options.hmin : 0;
  const fixed = options.fixedStep !== undefined ? Math.abs(options.fixedStep) : 0;
  const dir: 1 | -1 = problem.tspan[1] < problem.tspan[0] ? -1 : 1;

  const jac: OdeJacobian =
    problem.jac ??
    finiteDifferenceJacobian(f, n, (count) => {
      stats.fEvals += count;
    });
  const lin = createShiftedLinearSolver(n, problem.bandwidth);

  // State and work buffers, all allocated here.
  const y = Float64Array.from(problem.y0);
  const yPrev = Float64Array.from(problem.y0);
  const yNew = new Float64Array(n);
  const f0 = new Float64Array(n);
  const fTmp = new Float64Array(n);
  const u = new Float64Array(n);
  const err = new Float64Array(n);
  const ft = new Float64Array(n);
  const J = new Float64Array(n * n);
  const kAll = new Float64Array(s * n);
  const k: Float64Array[] = [];
  for (let i = 0; i < s; i++) k.push(kAll.subarray(i * n, (i + 1) * n));
  const dense = new Float64Array(rows * n);
  const work1 = new Float64Array(n);
  const work2 = new Float64Array(n);

  let t = problem.tspan[0];
  let tPrev = t;
  let h = 0; // signed step size to try next; 0 = not chosen yet
  let hFactored = Number.NaN; // step size M was last factored for
  let f0Valid = false;
  let jacValid = false;
  let rejectedLast = false;
  let nAccepted = 0;
  let hAcc = 0; // Gustafsson memory: last accepted h and its error
  let errAcc = 0;

  function computeJacobian(): void {
    jac(t, y, J);
    stats.jacEvals++;
    // df/dt by a forward difference (Hairer's RODAS: delta = sqrt(uround * max(1e-5, |t|))).
    const tt = t + Math.sqrt(UROUND * Math.max(1e-5, Math.abs(t)));
    const delta = tt - t;
    f(tt, y, fTmp);
    stats.fEvals++;
    const inv = 1 / delta;
    for (let i = 0; i < n; i++) ft[i] = (fTmp[i] - f0[i]) * inv;
    jacValid = true;
    hFactored = Number.NaN;
  }

  function allFinite(v: Float64Array): boolean {
    for (let i = 0; i < n; i++) if (!Number.isFinite(v[i])) return false;
    return true;
  }

  /**
   * Stages of one attempt with step h from (t, y): writes yNew and err. Returns false if M is singular or
   * a value is not finite.
   */
  function attempt(hh: number): boolean {
    if (hh !== hFactored) {
      stats.luDecomps++;
      if (!lin.factorShifted(1 / (hh * gamma), J)) {
        hFactored = Number.NaN;
        return false;
      }
      hFactored = hh;
    }
    const invH = 1 / hh;
    for (let st = 0; st < s; st++) {
      const ks = k[st];
      const row = st * s;
      let rhs: Float64Array;
      if (st === 0) {
        rhs = f0;
      } else {
        for (let i = 0; i < n; i++) u[i] = y[i];
        for (let j = 0; j < st; j++) {
          const aij = A[row + j];
          if (aij !== 0) {
            const kj = k[j];
            for (let i = 0; i < n; i++) u[i] += aij * kj[i];
          }
        }
        f(t + cs[st] * hh, u, fTmp);
        stats.fEvals++;
        rhs = fTmp;
      }
      const hd = hh * ds[st];
      if (hd !== 0) for (let i = 0; i < n; i++) ks[i] = rhs[i] + hd * ft[i];
      else for (let i = 0; i < n; i++) ks[i] = rhs[i];
      for (let j = 0; j < st; j++) {
        const cij = Cm[row + j] * invH;
        if (cij !== 0) {
          const kj = k[j];
          for (let i = 0; i < n; i++) ks[i] += cij * kj[i];
        }
      }
      lin.solve(ks);
      stats.linSolves++;
    }
    for (let i = 0; i < n; i++) {
      yNew[i] = y[i];
      err[i] = 0;
    }
    for (let j = 0; j < s; j++) {
      const mj = ms[j];
      const ej = es[j];
      const kj = k[j];
      if (mj !== 0) for (let i = 0; i < n; i++) yNew[i] += mj * kj[i];
      if (ej !== 0) for (let i = 0; i < n; i++) err[i] += ej * kj[i];
    }
    return allFinite(yNew) && allFinite(err);
  }

  /** After an accepted step from (t, y) to (tNew, yNew): dense-output sums D_r = sum_j H_rj k_j. */
  function acceptStep(tNew: number): void {
    dense.fill(0);
    for (let r = 0; r < rows; r++) {
      const off = r * n;
      for (let j = 0; j < s; j++) {
        const hrj = H[r * s + j];
        if (hrj !== 0) {
          const kj = k[j];
          for (let i = 0; i < n; i++) dense[off + i] += hrj * kj[i];
        }
      }
    }
    yPrev.set(y);
    y.set(yNew);
    tPrev = t;
    t = tNew;
    f0Valid = false;
    jacValid = false;
    nAccepted++;
    stats.steps++;
  }

  function ensureStart(): boolean {
    if (!f0Valid) {
      f(t, y, f0);
      stats.fEvals++;
      if (!allFinite(f0)) return false;
      f0Valid = true;
    }
    if (h === 0 && fixed === 0) {
      let h0: number;
      if (options.h0 !== undefined && options.h0 !== 0 && nAccepted === 0) {
        h0 = Math.abs(options.h0);
      } else {
        h0 = initialStepSize(f, t, y, f0, dir, tableau.order, tol, hmax, work1, work2);
        stats.fEvals++;
      }
      h = dir * Math.min(Math.max(h0, hmin), hmax);
    }
    return true;
  }

  function stepFixed(tLimit: number): StepStatus {
    let hh = dir * fixed;
    let tNew = t + hh;
    if (dir * (tNew - tLimit) >= 0) {
      hh = tLimit - t;
      tNew = tLimit;
    }
    if (hh === 0) return 'ok';
    if (!jacValid) computeJacobian();
    if (!attempt(hh)) return 'Unstable';
    acceptStep(tNew);
    return 'ok';
  }

  function step(tLimit: number): StepStatus {
    if (dir * (tLimit - t) <= 0) return 'ok';
    if (!ensureStart()) return 'Unstable';
    if (fixed > 0) return stepFixed(tLimit);
    if (!jacValid) computeJacobian();
    let lastFailureNonFinite = false;
    for (;;) {
      let hAbs = Math.abs(h);
      if (hAbs > hmax) hAbs = hmax;
      // Give up once h is below hmin or too small to change t.
      if (hAbs < hmin || hAbs <= 8 * UROUND * Math.abs(t)) {
        return lastFailureNonFinite ? 'Unstable' : 'DtLessThanMin';
      }
      let hh = dir * hAbs;
      let tNew = t + hh;
      let clipped = false;
      // Land on tLimit bit-exactly; stretch by up to 1% rather than leave a sliver.
      if (dir * (t + 1.01 * hh - tLimit) >= 0) {
        hh = tLimit - t;
        tNew = tLimit;
        clipped = true;
      }
      if (!attempt(hh)) {
        stats.rejected++;
        rejectedLast = true;
        lastFailureNonFinite = true;
        h = hh * FAC_FAIL;
        continue;
      }
      lastFailureNonFinite = false;
      const errNorm = errorNormRms(err, y, yNew, tol);
      // fac = hOld / hNew, bounded so that 0.2 <= hNew / hOld <= 6.
      let fac = errNorm ** expo / SAFETY;
      if (fac < 1 / FAC_MAX) fac = 1 / FAC_MAX;
      else if (fac > 1 / FAC_MIN) fac = 1 / FAC_MIN;
      if (errNorm <= 1) {
        if (nAccepted > 0 && hAcc !== 0) {
          // Gustafsson's predictive controller, as in Hairer's RODAS.
          let facGus = (hAcc / hh) * (errNorm * errNorm / errAcc) ** expo / SAFETY;
          if (facGus < 1 / FAC_MAX) facGus = 1 / FAC_MAX;
          else if (facGus > 1 / FAC_MIN) facGus = 1 / FAC_MIN;
          if (facGus > fac) fac = facGus;
        }
        hAcc = hh;
        errAcc = errNorm > 1e-2 ? errNorm : 1e-2;
        let hNew = hh / fac;
        if (rejectedLast && Math.abs(hNew) > Math.abs(hh)) hNew = hh;
        // A step shortened to hit tLimit says little about the next one: keep the unclipped proposal.
        if (clipped && Math.abs(hNew) < hAbs) hNew = dir * hAbs;
        if (Math.abs(hNew) > hmax) hNew = dir * hmax;
        acceptStep(tNew);
        h = hNew;
        rejectedLast = false;
        return 'ok';
      }
      stats.rejected++;
      rejectedLast = true;
      h = hh / fac;
    }
  }

  return {
    method: tableau.name,
    get t() {
      return t;
    },
    get tPrev() {
      return tPrev;
    },
    y,
    step,
    interpolate(tq: number, out: Float64Array): void {
      const dt = t - tPrev;
      if (dt === 0) {
        out.set(y);
        return;
      }
      evalDense((tq - tPrev) / dt, yPrev, y, dense, rows, n, out);
    },
    denseSegment(): DenseSegment {
      const t0 = tPrev;
      const t1 = t;
      const y0c = Float64Array.from(yPrev);
      const y1c = Float64Array.from(y);
      const dc = Float64Array.from(dense);
      return {
        t0,
        t1,
        evaluate(tq: number, out: Float64Array): void {
          if (t1 === t0) {
            out.set(y1c);
            return;
          }
          evalDense((tq - t0) / (t1 - t0), y0c, y1c, dc, rows, n, out);
        },
      };
    },
    reset(tr: number, yr: Float64Array): void {
      t = tr;
      tPrev = tr;
      y.set(yr);
      yPrev.set(yr);
      dense.fill(0);
      f0Valid = false;
      jacValid = false;
      rejectedLast = false;
      hAcc = 0;
      errAcc = 0;
      // A new state may need a different scale: choose the step size afresh.
      h = 0;
    },
  };
}

/** Wrap a tableau as an `OdeMethod`. */
export function rosenbrockMethod(tableau: RosenbrockTableau): OdeMethod {
  return {
    name: tableau.name,
    order: tableau.order,
    implicit: true,
    create(problem: OdeProblem, options: StepperOptions): Stepper {
      return createRosenbrockStepper(tableau, problem, options);
    },
  };
}
