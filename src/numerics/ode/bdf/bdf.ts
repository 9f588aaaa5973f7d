/**
 * Variable-order (1-5), variable-step BDF in fixed-leading-coefficient Nordsieck form, the formulation of
 * VODE and CVODE:
 *
 * - Byrne and Hindmarsh, "A polyalgorithm for the numerical solution of ODEs", ACM TOMS 1 (1975) 71-96;
 * - Jackson and Sacks-Davis, "An alternative implementation of variable step-size multistep formulas for
 *   stiff ODEs", ACM TOMS 6 (1980) 295-318;
 * - Cohen and Hindmarsh, "CVODE, a stiff/nonstiff ODE solver in C", Computers in Physics 10 (1996) 138-143;
 * - Hindmarsh et al., "SUNDIALS", ACM TOMS 31 (2005) 363-396, and the SUNDIALS CVODE documentation,
 *   chapter "Mathematical Considerations" (step/order selection, error test, Newton strategy).
 *
 * One step: predict the Nordsieck array with the Pascal matrix, solve the corrector by modified Newton
 * (newton.ts), test the local error estimate tq[2] * |Delta| in the weighted rms norm with weights
 * 1 / (atol_i + rtol |y_i|) taken at the start of the step, and update the array with the l-vector
 * (coefficients.ts). After q + 1 steps at the same order the next order is chosen among q - 1, q, q + 1 from
 * the step-size ratios eta = 1 / ((bias * E)^(1/(k+1)) + 1e-6), biases 6, 6, 10. After a successful step h
 * changes only if the proposed ratio is at least 1.5 (it is never reduced), growth is capped at 10 (10^4 after
 * the first step) and is suppressed after a step that had a failure.
 * Error-test failures shrink h by a factor in [0.1, 1) (at most 0.2 from the second failure on); after 3 the
 * order drops by one per further failure, with h cut by 10; a Newton failure cuts h by 4.
 *
 * Step statuses: 'DtLessThanMin' when the error test fails at |h| <= hmin, fails 7 times in one step, or h
 * underflows (t + h == t); 'ConvergenceFailure' when Newton fails 10 times in one step or at |h| <= hmin;
 * 'Unstable' when the failures are caused by non-finite values of f, or an accepted state is not finite.
 * The stepper's state is the last accepted step after any failure.
 *
 * The first step (and the first after `reset`) is backward Euler with CVODE's initial step rule
 * (initial-step.ts) unless `h0` is given.
 *
 * Dense output is the Nordsieck polynomial itself on [tPrev, t]. Steps never pass `tLimit`: a step that
 * would is shortened so that its end is exactly `tLimit` (CVODE's tstop).
 *
 * Fixed-step mode is not supported: a variable-order multistep method needs its error estimates to start up
 * and to choose the order, so `fixedStep` throws at creation.
 */
import { initialStepSize } from '../error-norm.js';
import type { OdeProblem } from '../problem.js';
import type { SolverStats } from '../stats.js';
import type { DenseSegment, OdeMethod, Stepper, StepperOptions, StepStatus } from '../stepper.js';
import { setBdfCoefficients } from './coefficients.js';
import { cvodeInitialStep } from './initial-step.js';
import { FIRST_CALL, NewtonCorrector, PREV_CONV_FAIL, PREV_ERR_FAIL, wrmsNorm } from './newton.js';
import { evaluate, lowerOrder, predict, raiseOrder, rescale, restore } from './nordsieck.js';

/** Highest order: BDF6 and above are not zero-stable. */
const QMAX = 5;
/** Largest step growth after the first step, during the first SMALL_NST steps, and afterwards. */
const ETAMX1 = 1e4;
const ETAMX2 = 10;
const ETAMX3 = 10;
const SMALL_NST = 10;
/** Step-size changes by less than this factor after a successful step are not made (saves refactorisations). */
const THRESH = 1.5;
/** Bounds on the reduction after an error-test failure. */
const ETAMIN = 0.1;
const ETAMXF = 0.2;
/** Reduction after a Newton convergence failure. */
const ETACF = 0.25;
const BIAS1 = 6;
const BIAS2 = 6;
const BIAS3 = 10;
const ADDON = 1e-6;
/** Error-test failures in one step: after MXNEF1 force order 1, after MXNEF give up. */
const MXNEF = 7;
const MXNEF1 = 3;
const SMALL_NEF = 2;
/** Newton failures in one step before giving up. */
const MXNCF = 10;
/** Steps to wait before an order change after restarting at order 1 following repeated failures. */
const LONG_WAIT = 10;
const ONEPSM = 1.000001;

/** Snapshot of one step's Nordsieck polynomial. */
class BdfSegment implements DenseSegment {
  constructor(
    readonly t0: number,
    readonly t1: number,
    private readonly z: Float64Array,
    private readonly n: number,
    private readonly q: number,
    private readonly h: number,
  ) {}

  evaluate(tq: number, out: Float64Array): void {
    evaluate(this.z, this.n, this.q, (tq - this.t1) / this.h, out);
  }
}

class BdfStepper implements Stepper {
  readonly method = 'BDF';
  t: number;
  tPrev: number;
  /** View of column 0 of the Nordsieck array: the current state. */
  readonly y: Float64Array;

  private readonly n: number;
  private readonly problem: OdeProblem;
  private readonly opts: StepperOptions;
  private readonly stats: SolverStats;
  /** Direction, largest step and end time: set at creation and by `reinit`. */
  private dir: 1 | -1;
  private hmax: number;
  private tEnd: number;
  private readonly hmin: number;
  private readonly rtol: number;
  private readonly atolScalar: number;
  private readonly atolVec: Float64Array | null;

  /** Nordsieck array, (QMAX + 1) columns of length n; column QMAX also stores the last correction. */
  private readonly z: Float64Array;
  private readonly tau = new Float64Array(QMAX + 2);
  private readonly l = new Float64Array(QMAX + 2);
  private readonly lwork = new Float64Array(QMAX + 2);
  private readonly tq = new Float64Array(6);
  private readonly ewt: Float64Array;
  private readonly acor: Float64Array;
  private readonly tempv: Float64Array;
  /** State at the start of the step, to restore exactly after a rejection. */
  private readonly ysave: Float64Array;
  private readonly work1: Float64Array;
  private readonly work2: Float64Array;
  private readonly newton: NewtonCorrector;

  /** Step size the array is scaled with (the last step taken, until the next step starts). */
  private h = 0;
  private q = 1;
  private qprime = 1;
  private hprime = 0;
  private qwait = 2;
  private etamax = ETAMX1;
  /** Accepted steps since the last (re)start. */
  private nst = 0;
  private savedTq5 = 0;

  constructor(problem: OdeProblem, opts: StepperOptions) {
    if (opts.fixedStep !== undefined) {
      throw new Error(
        'BDF: fixedStep is not supported (a variable-order multistep method needs its error estimates to start up and choose the order); use an adaptive run or a one-step method',
      );
    }
    const n = problem.y0.length;
    this.n = n;
    this.problem = problem;
    this.opts = opts;
    this.stats = opts.stats;
    this.dir = problem.tspan[1] >= problem.tspan[0] ? 1 : -1;
    this.hmax = opts.hmax > 0 ? opts.hmax : Number.POSITIVE_INFINITY;
    this.tEnd = problem.tspan[1];
    this.hmin = Math.max(0, opts.hmin);
    this.rtol = opts.rtol;
    if (typeof opts.atol === 'number') {
      this.atolScalar = opts.atol;
      this.atolVec = null;
    } else {
      this.atolScalar = 0;
      this.atolVec = opts.atol;
    }
    this.z = new Float64Array((QMAX + 1) * n);
    this.y = this.z.subarray(0, n);
    this.ewt = new Float64Array(n);
    this.acor = new Float64Array(n);
    this.tempv = new Float64Array(n);
    this.ysave = new Float64Array(n);
    this.work1 = new Float64Array(n);
    this.work2 = new Float64Array(n);
    this.newton = new NewtonCorrector(problem, n, opts.stats);
    this.t = problem.tspan[0];
    this.tPrev = this.t;
    this.start(problem.tspan[0], problem.y0, opts.h0);
  }

  /** Order of the last step (diagnostics; not part of the Stepper contract). */
  get order(): number {
    return this.q;
  }

  /** Signed size of the last step, or of the first step to try after a (re)start (diagnostics). */
  get stepSize(): number {
    return this.h;
  }

  reset(t: number, y: Float64Array): void {
    this.start(t, y, undefined);
  }

  /** Back to the state of a fresh stepper for (t0, y0) -> tEnd (see Stepper.reinit). */
  reinit(t0: number, y0: Float64Array, tEnd: number, hmax: number): void {
    this.dir = tEnd >= t0 ? 1 : -1;
    this.hmax = hmax > 0 ? hmax : Number.POSITIVE_INFINITY;
    this.tEnd = tEnd;
    // A fresh stepper's arrays are zero; clear what the last solve left so nothing stale can be read.
    this.z.fill(0);
    this.acor.fill(0);
    this.ysave.fill(0);
    this.tq.fill(0);
    this.l.fill(0);
    this.lwork.fill(0);
    this.t = t0;
    this.tPrev = t0;
    this.start(t0, y0, this.opts.h0);
  }

  /** (Re)start at order 1: z0 = y, z1 = h f(t, y). */
  private start(t: number, y: Float64Array, h0: number | undefined): void {
    const n = this.n;
    const z = this.z;
    for (let i = 0; i < n; i++) z[i] = y[i];
    this.t = t;
    this.tPrev = t;
    const f0 = this.tempv;
    this.problem.f(t, this.y, f0);
    this.stats.fEvals++;
    let h: number;
    if (h0 !== undefined && h0 !== 0) {
      h = Math.abs(h0);
    } else {
      // CVODE's rule towards the end of the interval; Hairer-Norsett-Wanner's if that is degenerate
      this.setWeights();
      const tout = this.tEnd;
      h = (tout - t) * this.dir > 0 ? this.cvodeH0(t, tout, f0) : Number.NaN;
      if (!(h > 0)) {
        h = initialStepSize(
          this.problem.f,
          t,
          this.y,
          f0,
          this.dir,
          1,
          this.opts,
          this.hmax,
          this.work1,
          this.work2,
        );
        this.stats.fEvals++;
      }
    }
    if (!(h > 0) || !Number.isFinite(h)) h = 1e-6;
    h = Math.min(h, this.hmax);
    h = Math.max(h, this.hmin);
    h *= this.dir;
    for (let i = 0; i < n; i++) z[n + i] = h * f0[i];
    this.h = h;
    this.hprime = h;
    this.q = 1;
    this.qprime = 1;
    this.qwait = 2;
    this.etamax = ETAMX1;
    this.nst = 0;
    this.savedTq5 = 0;
    this.tau.fill(0);
    this.newton.restart();
  }

  private cvodeH0(t: number, tout: number, f0: Float64Array): number {
    return cvodeInitialStep(
      this.problem.f,
      t,
      tout,
      this.y,
      f0,
      this.ewt,
      this.atolScalar,
      this.atolVec,
      this.work1,
      this.work2,
      this.stats,
    );
  }

  private setWeights(): void {
    const { n, ewt, rtol, atolVec, atolScalar } = this;
    const y = this.z;
    if (atolVec === null) {
      for (let i = 0; i < n; i++) ewt[i] = 1 / (atolScalar + rtol * Math.abs(y[i]));
    } else {
      for (let i = 0; i < n; i++) ewt[i] = 1 / (atolVec[i] + rtol * Math.abs(y[i]));
    }
  }

  step(tLimit: number): StepStatus {
    const dir = this.dir;
    const n = this.n;
    const z = this.z;
    const tq = this.tq;
    const l = this.l;
    const stats = this.stats;
    if (tLimit === this.t) return 'ok';
    if ((tLimit - this.t) * dir < 0) {
      throw new Error(`BDF.step: tLimit ${tLimit} lies behind the current time ${this.t}`);
    }

    // Apply the step size and order chosen at the end of the previous step, clipped to hmax and tLimit.
    let hnew = this.hprime;
    if (Math.abs(hnew) > this.hmax) hnew = dir * this.hmax;
    if ((this.t + hnew - tLimit) * dir > 0) hnew = tLimit - this.t;
    if (this.qprime !== this.q) {
      if (this.qprime > this.q) raiseOrder(z, n, this.q, this.h, this.tau, QMAX, this.lwork);
      else lowerOrder(z, n, this.q, this.h, this.tau, this.lwork);
      this.q = this.qprime;
      this.qwait = this.q + 1;
    }
    if (hnew !== this.h) {
      rescale(z, n, this.q, hnew / this.h);
      this.h = hnew;
    }

    this.setWeights();
    this.ysave.set(this.y);
    let nef = 0;
    let ncf = 0;
    let nflag = FIRST_CALL;
    let dsm = 0;
    let tNew = this.t;
    for (;;) {
      let h = this.h;
      let q = this.q;
      predict(z, n, q);
      tNew = (this.t + h - tLimit) * dir >= 0 ? tLimit : this.t + h;
      setBdfCoefficients(q, h, this.tau, this.qwait, l, tq);
      const rl1 = 1 / l[1];
      const gamma = h * rl1;
      const ok = this.newton.correct(
        tNew,
        z,
        this.y,
        gamma,
        rl1,
        tq[4],
        this.ewt,
        this.acor,
        this.nst,
        nflag,
        h,
      );
      if (!ok) {
        this.undoPredict(q);
        stats.rejected++;
        ncf++;
        this.etamax = 1;
        if (Math.abs(h) <= this.hmin * ONEPSM || ncf >= MXNCF) {
          return this.fail(this.newton.nonFinite ? 'Unstable' : 'ConvergenceFailure');
        }
        const eta = Math.max(ETACF, this.hmin / Math.abs(h));
        rescale(z, n, q, eta);
        h *= eta;
        this.h = h;
        nflag = PREV_CONV_FAIL;
        if (this.tooSmall(h)) return this.fail(this.newton.nonFinite ? 'Unstable' : 'ConvergenceFailure');
        continue;
      }
      dsm = this.newton.acnrm * tq[2];
      if (dsm <= 1) break;

      // error test failed
      this.undoPredict(q);
      stats.rejected++;
      nef++;
      this.etamax = 1;
      if (Math.abs(h) <= this.hmin * ONEPSM || nef >= MXNEF) return this.fail('DtLessThanMin');
      nflag = PREV_ERR_FAIL;
      if (nef <= MXNEF1) {
        let eta = 1 / ((BIAS2 * dsm) ** (1 / (q + 1)) + ADDON);
        if (!(eta >= ETAMIN)) eta = ETAMIN; // also catches NaN
        eta = Math.max(eta, this.hmin / Math.abs(h));
        if (nef >= SMALL_NEF) eta = Math.min(eta, ETAMXF);
        rescale(z, n, q, eta);
        h *= eta;
      } else if (q > 1) {
        // repeated failures: drop one order and cut the step by 10
        const eta = Math.max(ETAMIN, this.hmin / Math.abs(h));
        lowerOrder(z, n, q, h, this.tau, this.lwork);
        q--;
        this.q = q;
        this.qprime = q;
        this.qwait = q + 1;
        rescale(z, n, q, eta);
        h *= eta;
      } else {
        // order 1 and still failing: restart the history from f
        const eta = Math.max(ETAMIN, this.hmin / Math.abs(h));
        h *= eta;
        this.problem.f(this.t, this.y, this.tempv);
        stats.fEvals++;
        for (let i = 0; i < n; i++) z[n + i] = h * this.tempv[i];
        this.qwait = LONG_WAIT;
      }
      this.h = h;
      if (this.tooSmall(h)) return this.fail('DtLessThanMin');
    }

    this.completeStep(tNew);
    this.prepareNextStep(dsm);
    this.etamax = this.nst <= SMALL_NST ? ETAMX2 : ETAMX3;
    const y = this.y;
    for (let i = 0; i < n; i++) if (!Number.isFinite(y[i])) return 'Unstable';
    return 'ok';
  }

  /** Give up on this step: the state stays at the last accepted step; a later call continues from the current h. */
  private fail(status: StepStatus): StepStatus {
    this.hprime = this.h;
    this.qprime = this.q;
    return status;
  }

  /** Undo the prediction after a rejected attempt; y itself is restored bit-for-bit. */
  private undoPredict(q: number): void {
    restore(this.z, this.n, q);
    this.y.set(this.ysave);
  }

  /** t + h indistinguishable from t: the step size has underflowed. */
  private tooSmall(h: number): boolean {
    return Math.abs(h) <= 4 * Number.EPSILON * Math.abs(this.t) || Math.abs(h) < Number.MIN_VALUE * 1e10;
  }

  private completeStep(tNew: number): void {
    const { n, z, tau, l, acor } = this;
    const q = this.q;
    this.nst++;
    this.stats.steps++;
    for (let i = q; i >= 2; i--) tau[i] = tau[i - 1];
    if (q === 1 && this.nst > 1) tau[2] = tau[1];
    tau[1] = this.h;
    for (let j = 0; j <= q; j++) {
      const lj = l[j];
      const b = j * n;
      for (let i = 0; i < n; i++) z[b + i] += lj * acor[i];
    }
    this.qwait--;
    if (this.qwait === 1 && q !== QMAX) {
      // keep this correction for the order-raise estimate after the next step
      const b = QMAX * n;
      for (let i = 0; i < n; i++) z[b + i] = acor[i];
      this.savedTq5 = this.tq[5];
    }
    this.tPrev = this.t;
    this.t = tNew;
  }

  /** Choose the step size (and, every q + 1 steps, the order) for the next step. */
  private prepareNextStep(dsm: number): void {
    const q = this.q;
    const h = this.h;
    if (this.etamax === 1) {
      // a failure happened in this step: keep h and q
      this.qwait = Math.max(this.qwait, 2);
      this.qprime = q;
      this.hprime = h;
      return;
    }
    const etaq = 1 / ((BIAS2 * dsm) ** (1 / (q + 1)) + ADDON);
    if (this.qwait !== 0) {
      this.qprime = q;
      this.setEta(etaq);
      return;
    }
    this.qwait = 2;
    const { n, z, ewt, tq } = this;
    let etaqm1 = 0;
    if (q > 1) {
      const ddn = wrmsNorm(z, ewt, n, q * n) * tq[1];
      etaqm1 = 1 / ((BIAS1 * ddn) ** (1 / q) + ADDON);
    }
    let etaqp1 = 0;
    if (q !== QMAX && this.savedTq5 !== 0) {
      const cquot = (tq[5] / this.savedTq5) * (h / this.tau[2]) ** (q + 1);
      const tempv = this.tempv;
      const acor = this.acor;
      const b = QMAX * n;
      for (let i = 0; i < n; i++) tempv[i] = acor[i] - cquot * z[b + i];
      const dup = wrmsNorm(tempv, ewt, n) * tq[3];
      etaqp1 = 1 / ((BIAS3 * dup) ** (1 / (q + 2)) + ADDON);
    }
    const etam = Math.max(etaqm1, etaq, etaqp1);
    if (etam < THRESH) {
      this.qprime = q;
      this.hprime = h;
      return;
    }
    if (etam === etaq) {
      this.qprime = q;
    } else if (etam === etaqm1) {
      this.qprime = q - 1;
    } else {
      this.qprime = q + 1;
      const b = QMAX * n;
      const acor = this.acor;
      for (let i = 0; i < n; i++) z[b + i] = acor[i];
    }
    this.setEta(etam);
  }

  private setEta(eta: number): void {
    const h = this.h;
    if (!(eta >= THRESH)) {
      this.hprime = h;
      return;
    }
    eta = Math.min(eta, this.etamax);
    eta /= Math.max(1, (Math.abs(h) * eta) / this.hmax);
    this.hprime = h * eta;
  }

  interpolate(tq: number, out: Float64Array): void {
    evaluate(this.z, this.n, this.q, (tq - this.t) / this.h, out);
  }

  denseSegment(): DenseSegment {
    const len = (this.q + 1) * this.n;
    return new BdfSegment(this.tPrev, this.t, this.z.slice(0, len), this.n, this.q, this.h);
  }
}

/** Variable-order, variable-step BDF (orders 1-5), CVODE-style. */
export const BDF: OdeMethod = {
  name: 'BDF',
  order: 5,
  implicit: true,
  create(problem: OdeProblem, options: StepperOptions): Stepper {
    return new BdfStepper(problem, options);
  },
};
