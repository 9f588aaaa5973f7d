/**
 * Stepper core shared by the 7-stage FSAL pairs of order 5(4) (DP5, Tsit5): explicit stages, embedded error
 * estimate, Hairer's PI step-size controller, dense output and stiffness detection.
 *
 * Step-size control follows the code DOPRI5 (Hairer, Norsett & Wanner, Solving ODEs I, sec. II.4 and the
 * "PI control" of sec. IV.2 of vol. II, Gustafsson 1991): with err the RMS-scaled error (`errorNormRms`),
 *   fac = err^(1/5 - 0.75 beta) / errOld^beta,   h_new = h / clamp(fac / safety, 1/facmax, 1/facmin),
 * beta = 0.04, safety = 0.9, facmin = 0.2, facmax = 10; after a rejected step the step may not grow.
 */
import { errorNormRms, initialStepSize } from '../error-norm.js';
import type { OdeProblem } from '../problem.js';
import type { DenseSegment, StepperOptions, StepStatus, Tolerances } from '../stepper.js';
import { type StiffnessAwareStepper, StiffnessCounter } from './stiffness.js';
import type { Fsal7Tableau } from './tableaus.js';

/** PI controller constants of DOPRI5 (Hairer's defaults). */
const BETA = 0.04;
const SAFETY = 0.9;
const FAC_MIN = 0.2;
const FAC_MAX = 10;
/** Consecutive non-finite attempts (each shrinking h by FAC_MIN) before giving up with 'Unstable'. */
const MAX_NONFINITE = 10;
const EPS = Number.EPSILON;

function allFinite(v: Float64Array): boolean {
  for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i])) return false;
  return true;
}

/** Evaluate y(tq) = y0 + h sum_j w_j(theta) k_j with theta = (tq - tPrev) / h; `k` holds the 7 stages. */
function evalDense(
  tab: Fsal7Tableau,
  w: Float64Array,
  tq: number,
  tPrev: number,
  h: number,
  yPrev: Float64Array,
  k: readonly Float64Array[],
  out: Float64Array,
): void {
  tab.denseWeights((tq - tPrev) / h, w);
  const w0 = h * w[0];
  const w1 = h * w[1];
  const w2 = h * w[2];
  const w3 = h * w[3];
  const w4 = h * w[4];
  const w5 = h * w[5];
  const w6 = h * w[6];
  const k1 = k[0];
  const k2 = k[1];
  const k3 = k[2];
  const k4 = k[3];
  const k5 = k[4];
  const k6 = k[5];
  const k7 = k[6];
  for (let i = 0; i < yPrev.length; i++) {
    out[i] =
      yPrev[i] + (w0 * k1[i] + w1 * k2[i] + w2 * k3[i] + w3 * k4[i] + w4 * k5[i] + w5 * k6[i] + w6 * k7[i]);
  }
}

/**
 * Build a stepper for `problem` with the pair `tab`. Allocates every buffer here; `step` allocates nothing.
 * The direction of integration is that of `problem.tspan`; a `tLimit` at or behind the current time does not
 * limit the step. Step sizes below max(hmin, 10 eps |t|) give 'DtLessThanMin'; non-finite values are retried
 * with steps 5x smaller and give 'Unstable' after ten consecutive attempts (at once if f(t0, y0) is not
 * finite).
 */
export function createFsal7Stepper(
  tab: Fsal7Tableau,
  problem: OdeProblem,
  options: StepperOptions,
): StiffnessAwareStepper {
  const n = problem.y0.length;
  const f = problem.f;
  const stats = options.stats;
  const tol: Tolerances = { rtol: options.rtol, atol: options.atol };
  const [t0, tEnd] = problem.tspan;
  let dir: 1 | -1 = tEnd >= t0 ? 1 : -1;
  let hmax = options.hmax > 0 ? options.hmax : Number.POSITIVE_INFINITY;
  const hmin = Math.max(options.hmin, 0);
  const fixed = options.fixedStep;
  if (fixed !== undefined && !(Number.isFinite(fixed) && fixed !== 0)) {
    throw new Error(`${tab.name}: fixedStep must be finite and non-zero, got ${fixed}`);
  }
  if (options.h0 !== undefined && !(Number.isFinite(options.h0) && options.h0 !== 0)) {
    throw new Error(`${tab.name}: h0 must be finite and non-zero, got ${options.h0}`);
  }
  const order = tab.order;
  const expo1 = 1 / (tab.embeddedOrder + 1) - 0.75 * BETA;
  const bound = tab.stiffnessBound;
  const { c2, c3, c4, c5, a21, a31, a32, a41, a42, a43, a51, a52, a53, a54, a61, a62, a63, a64, a65 } = tab;
  const [b1, b2, b3, b4, b5, b6] = tab.b;
  const [e1, e2, e3, e4, e5, e6, e7] = tab.e;

  const y = Float64Array.from(problem.y0);
  const yPrev = Float64Array.from(problem.y0);
  const yNew = new Float64Array(n);
  const yStage = new Float64Array(n);
  /** Argument of stage 6 (at t + h), kept for the stiffness estimate. */
  const ySti = new Float64Array(n);
  const errVec = new Float64Array(n);
  const w = new Float64Array(7);
  /** Stages of the last accepted step: K[0] = f(tPrev, yPrev), ..., K[6] = f(t, y) (FSAL). */
  const K: Float64Array[] = [];
  /** Trial stages k2..k7 of the step being attempted (T[0] unused). */
  const T: Float64Array[] = [];
  for (let j = 0; j < 7; j++) {
    K.push(new Float64Array(n));
    T.push(new Float64Array(n));
  }
  const counter = new StiffnessCounter();

  let t = t0;
  let tPrev = t0;
  /** Signed size of the next step to try. */
  let h = 0;
  /** Signed size of the last accepted step (the one the dense output refers to); 0 before any step. */
  let hLast = 0;
  let errOld = 1e-4;
  let needStart = true;
  let firstStart = true;
  let hLambda = Number.NaN;

  /** Evaluate f at the current point and choose the first step size. */
  const start = (): StepStatus => {
    const f0 = K[6];
    f(t, y, f0);
    stats.fEvals++;
    if (!allFinite(y) || !allFinite(f0)) return 'Unstable';
    if (fixed !== undefined) h = dir * Math.abs(fixed);
    else if (firstStart && options.h0 !== undefined) h = dir * Math.min(Math.abs(options.h0), hmax);
    else {
      h = dir * initialStepSize(f, t, y, f0, dir, order, tol, hmax, yStage, T[1]);
      stats.fEvals++;
    }
    errOld = 1e-4;
    counter.reset();
    hLambda = Number.NaN;
    needStart = false;
    firstStart = false;
    return 'ok';
  };

  const step = (tLimit: number): StepStatus => {
    if (needStart) {
      const s = start();
      if (s !== 'ok') return s;
    }
    const limited = dir * (tLimit - t) > 0;
    let rejectedBefore = false;
    let nonFinite = 0;
    const k1 = K[6];
    const k2 = T[1];
    const k3 = T[2];
    const k4 = T[3];
    const k5 = T[4];
    const k6 = T[5];
    const k7 = T[6];
    for (;;) {
      const hAbs = Math.abs(h);
      if (fixed === undefined && (hAbs < hmin || hAbs <= 10 * EPS * Math.abs(t))) return 'DtLessThanMin';
      let hs = h;
      let tNew = t + h;
      let clipped = false;
      if (limited && dir * (tNew - tLimit) >= 0) {
        hs = tLimit - t;
        tNew = tLimit;
        clipped = true;
      }

      // Stages 2..7 (FSAL: k1 = f(t, y) is the last stage of the previous step).
      for (let i = 0; i < n; i++) yStage[i] = y[i] + hs * (a21 * k1[i]);
      f(t + c2 * hs, yStage, k2);
      for (let i = 0; i < n; i++) yStage[i] = y[i] + hs * (a31 * k1[i] + a32 * k2[i]);
      f(t + c3 * hs, yStage, k3);
      for (let i = 0; i < n; i++) yStage[i] = y[i] + hs * (a41 * k1[i] + a42 * k2[i] + a43 * k3[i]);
      f(t + c4 * hs, yStage, k4);
      for (let i = 0; i < n; i++) {
        yStage[i] = y[i] + hs * (a51 * k1[i] + a52 * k2[i] + a53 * k3[i] + a54 * k4[i]);
      }
      f(t + c5 * hs, yStage, k5);
      for (let i = 0; i < n; i++) {
        ySti[i] = y[i] + hs * (a61 * k1[i] + a62 * k2[i] + a63 * k3[i] + a64 * k4[i] + a65 * k5[i]);
      }
      f(tNew, ySti, k6);
      for (let i = 0; i < n; i++) {
        yNew[i] = y[i] + hs * (b1 * k1[i] + b2 * k2[i] + b3 * k3[i] + b4 * k4[i] + b5 * k5[i] + b6 * k6[i]);
      }
      f(tNew, yNew, k7);
      stats.fEvals += 6;

      let hNext: number;
      if (fixed !== undefined) {
        if (!allFinite(yNew) || !allFinite(k7)) return 'Unstable';
        hNext = h;
      } else {
        for (let i = 0; i < n; i++) {
          errVec[i] =
            hs * (e1 * k1[i] + e2 * k2[i] + e3 * k3[i] + e4 * k4[i] + e5 * k5[i] + e6 * k6[i] + e7 * k7[i]);
        }
        const err = errorNormRms(errVec, y, yNew, tol);
        if (!Number.isFinite(err) || (err <= 1 && !allFinite(yNew))) {
          // Non-finite values: retry with a much smaller step; a persistent failure is an instability.
          stats.rejected++;
          if (++nonFinite >= MAX_NONFINITE) return 'Unstable';
          h = hs * FAC_MIN;
          rejectedBefore = true;
          continue;
        }
        const fac11 = err ** expo1;
        if (err > 1) {
          stats.rejected++;
          h = hs / Math.min(1 / FAC_MIN, fac11 / SAFETY);
          rejectedBefore = true;
          continue;
        }
        // Accepted: PI controller (Lund stabilisation with errOld).
        let fac = fac11 / errOld ** BETA;
        fac = Math.max(1 / FAC_MAX, Math.min(1 / FAC_MIN, fac / SAFETY));
        let hAbsNext = Math.min(Math.abs(hs) / fac, hmax);
        if (rejectedBefore) hAbsNext = Math.min(hAbsNext, Math.abs(hs));
        // A step shortened to land on tLimit says nothing against the step size the controller had chosen.
        if (clipped) hAbsNext = Math.max(hAbsNext, Math.min(Math.abs(h), hmax));
        errOld = Math.max(err, 1e-4);
        hNext = dir * hAbsNext;
      }

      // Stiffness estimate h |lambda| ~ |h| ||k7 - k6|| / ||y1 - g6|| (see stiffness.ts).
      let num = 0;
      let den = 0;
      for (let i = 0; i < n; i++) {
        const dk = k7[i] - k6[i];
        const dy = yNew[i] - ySti[i];
        num += dk * dk;
        den += dy * dy;
      }
      if (den > 0) {
        hLambda = Math.abs(hs) * Math.sqrt(num / den);
        counter.record(hLambda > bound);
      }

      // Commit: the trial stages become the accepted ones (pointer rotation, no copies of stages).
      tPrev = t;
      t = tNew;
      hLast = hs;
      h = hNext;
      yPrev.set(y);
      y.set(yNew);
      const kFirst = K[6];
      for (let j = 6; j >= 1; j--) {
        const old = K[j - 1];
        K[j] = T[j];
        T[j] = old;
      }
      K[0] = kFirst;
      stats.steps++;
      return 'ok';
    }
  };

  const interpolate = (tq: number, out: Float64Array): void => {
    if (tq === t || hLast === 0) {
      out.set(y);
      return;
    }
    if (tq === tPrev) {
      out.set(yPrev);
      return;
    }
    evalDense(tab, w, tq, tPrev, hLast, yPrev, K, out);
  };

  const denseSegment = (): DenseSegment => {
    const s0 = tPrev;
    const s1 = t;
    const hs = hLast;
    const y0c = Float64Array.from(yPrev);
    const y1c = Float64Array.from(y);
    const kc = K.map((k) => Float64Array.from(k));
    const wc = new Float64Array(7);
    return {
      t0: s0,
      t1: s1,
      evaluate(tq: number, out: Float64Array): void {
        if (tq === s1 || hs === 0) out.set(y1c);
        else if (tq === s0) out.set(y0c);
        else evalDense(tab, wc, tq, s0, hs, y0c, kc, out);
      },
    };
  };

  const reset = (tNew: number, yNew0: Float64Array): void => {
    t = tNew;
    tPrev = tNew;
    y.set(yNew0);
    yPrev.set(yNew0);
    hLast = 0;
    needStart = true;
    counter.reset();
    hLambda = Number.NaN;
  };

  /** Back to the state of a fresh stepper for (t0, y0) -> tEnd (see Stepper.reinit). */
  const reinit = (t0New: number, y0New: Float64Array, tEndNew: number, hmaxNew: number): void => {
    dir = tEndNew >= t0New ? 1 : -1;
    hmax = hmaxNew > 0 ? hmaxNew : Number.POSITIVE_INFINITY;
    t = t0New;
    tPrev = t0New;
    y.set(y0New);
    yPrev.set(y0New);
    h = 0;
    hLast = 0;
    errOld = 1e-4;
    needStart = true;
    firstStart = true;
    counter.reset();
    hLambda = Number.NaN;
  };

  return {
    method: tab.name,
    get t() {
      return t;
    },
    get tPrev() {
      return tPrev;
    },
    y,
    step,
    interpolate,
    denseSegment,
    reset,
    reinit,
    stiffnessBound: bound,
    get hLambda() {
      return hLambda;
    },
    get stiffnessRatio() {
      return hLambda / bound;
    },
    get stiffDetections() {
      return counter.detections;
    },
    isStiff: () => counter.isStiff(),
  };
}
