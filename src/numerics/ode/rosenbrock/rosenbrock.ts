/**
 * Generic Rosenbrock-Wanner stepper driven by a `RosenbrockTableau` (transformed form of Hairer & Wanner,
 * Solving ODEs II, sec. IV.7): each step forms and factors M = I / (h gamma) - J once and does one
 * back-substitution per stage, with no Jacobian-vector products.
 *
 * - J (problem.jac / sparseJac, else finite differences with CVODE's increments, grouped by columns for a
 *   declared band or sparsity pattern; see fd-jacobian.ts) is evaluated at the start of every accepted step
 *   (Rosenbrock methods need the exact Jacobian for their order); a rejected step keeps J and f(t, y) and
 *   only refactors M for the new h.
 * - df/dt is a one-sided difference in t (in the direction of integration), one extra f evaluation per
 *   Jacobian (counted in stats.fEvals), with the increment sqrt(eps * max(1e-5, |t|)) of Hairer's RODAS
 *   code. Its O(1e-8) relative error perturbs only the h d_i f_t terms: the propagated solution keeps its
 *   order down to ~1e-13 on the tests, the dense output shows a floor near 1e-11 (scaled by |f_tt|).
 * - Step control: Hairer's RODAS controller (safety 0.9, 0.2 <= hNew / h <= 6, exponent 1 / (q + 1) with q
 *   the embedded order) with Gustafsson's predictive correction after accepted steps (Gustafsson, ACM TOMS
 *   20, 1994; Hairer & Wanner II, sec. IV.8); no growth right after a rejection. Steps that produce
 *   non-finite values or a singular M are rejected and retried with h / 4.
 * - Linear algebra: dense, banded or sparse LU as chosen by linalg/linear-solver.ts (problem.linearSolver
 *   overrides); J is stored in that solver's layout (n*n, or the nnz values of the declared pattern).
 *
 * The stepper is a class, not a closure: V8 re-boxes a mutable double captured by a closure on every write
 * (one heap allocation per assignment), while double-valued class fields are updated in place.
 */
import { createShiftedLinearSolver, type ShiftedLinearSolver } from '../../linalg/linear-solver.js';
import { errorNormRms, initialStepSize } from '../error-norm.js';
import { createJacobianEvaluator, errorWeights, type JacobianEvaluator } from '../fd-jacobian.js';
import type { OdeProblem, OdeRhs } from '../problem.js';
import type { SolverStats } from '../stats.js';
import type { DenseSegment, OdeMethod, Stepper, StepperOptions, StepStatus, Tolerances } from '../stepper.js';
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

function allFinite(v: Float64Array): boolean {
  for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i])) return false;
  return true;
}

class RosenbrockStepper implements Stepper {
  readonly method: string;
  readonly y: Float64Array;

  private readonly tb: RosenbrockTableau;
  private readonly n: number;
  private readonly f: OdeRhs;
  private readonly jac: JacobianEvaluator;
  private readonly lin: ShiftedLinearSolver;
  private readonly stats: SolverStats;
  private readonly tol: Tolerances;
  private readonly h0Option: number;
  /** Set at creation and by `reinit`. */
  private hmax: number;
  private readonly hmin: number;
  private readonly fixed: number;
  private dir: 1 | -1;
  private readonly expo: number;

  // Work buffers, all allocated in the constructor.
  private readonly yPrev: Float64Array;
  private readonly yNew: Float64Array;
  private readonly f0: Float64Array;
  private readonly fTmp: Float64Array;
  private readonly u: Float64Array;
  private readonly err: Float64Array;
  private readonly ft: Float64Array;
  private readonly J: Float64Array;
  /** Error weights for the difference-Jacobian increments. */
  private readonly ewt: Float64Array;
  private readonly cOverH: Float64Array;
  private readonly dense: Float64Array;
  private readonly work1: Float64Array;
  private readonly work2: Float64Array;
  // Stage vectors k_1..k_s, stored stage after stage. Two buffers: attempts write `kAll`; an accepted step
  // swaps it with `kAcc`, which the (lazily evaluated) dense output reads, so failed attempts after an
  // accepted step cannot spoil its interpolant.
  private kAll: Float64Array;
  private kViews: Float64Array[];
  private kAcc: Float64Array;
  private kAccViews: Float64Array[];

  private tCur: number;
  private tLast: number;
  /** Signed step size to try next; 0 = not chosen yet. */
  private h = 0;
  /** Step size M was last factored for (NaN: none). */
  private hFactored = Number.NaN;
  private f0Valid = false;
  private jacValid = false;
  private rejectedLast = false;
  private nAccepted = 0;
  /** Gustafsson memory: last accepted h and its error norm. */
  private hAcc = 0;
  private errAcc = 0;
  /** Fixed-step mode: start time and steps taken since construction or reset. */
  private fixedBase: number;
  private fixedCount = 0;
  /** `dense` matches the last accepted step (it is all zero, i.e. linear interpolation, initially). */
  private denseValid = true;

  constructor(tableau: RosenbrockTableau, problem: OdeProblem, options: StepperOptions) {
    const n = problem.y0.length;
    const s = tableau.stages;
    this.method = tableau.name;
    this.tb = tableau;
    this.n = n;
    this.f = problem.f;
    this.stats = options.stats;
    this.tol = { rtol: options.rtol, atol: options.atol };
    this.h0Option = options.h0 !== undefined ? Math.abs(options.h0) : 0;
    this.hmax = options.hmax > 0 ? options.hmax : Number.POSITIVE_INFINITY;
    // biome-ignore lint/complexity/useMathMinMax: the ternary also maps NaN (a missing hmin) to 0
    this.hmin = options.hmin > 0 ? options.hmin : 0;
    this.fixed = options.fixedStep !== undefined ? Math.abs(options.fixedStep) : 0;
    this.dir = problem.tspan[1] < problem.tspan[0] ? -1 : 1;
    this.expo = 1 / (tableau.embeddedOrder + 1);

    const stats = options.stats;
    const countEvals = (count: number): void => {
      stats.fEvals += count;
    };
    this.lin = createShiftedLinearSolver(n, problem.bandwidth, {
      sparsity: problem.sparsity,
      choice: problem.linearSolver,
    });
    this.jac = createJacobianEvaluator(problem, this.lin.kind, countEvals);

    this.y = Float64Array.from(problem.y0);
    this.yPrev = Float64Array.from(problem.y0);
    this.yNew = new Float64Array(n);
    this.f0 = new Float64Array(n);
    this.fTmp = new Float64Array(n);
    this.u = new Float64Array(n);
    this.err = new Float64Array(n);
    this.ft = new Float64Array(n);
    this.J = new Float64Array(this.lin.jacobianLength);
    this.ewt = new Float64Array(n);
    this.cOverH = new Float64Array(s * s);
    this.dense = new Float64Array(tableau.denseRows * n);
    this.work1 = new Float64Array(n);
    this.work2 = new Float64Array(n);
    const views = (buf: Float64Array): Float64Array[] =>
      Array.from({ length: s }, (_, i) => buf.subarray(i * n, (i + 1) * n));
    this.kAll = new Float64Array(s * n);
    this.kViews = views(this.kAll);
    this.kAcc = new Float64Array(s * n);
    this.kAccViews = views(this.kAcc);

    this.tCur = problem.tspan[0];
    this.tLast = this.tCur;
    this.fixedBase = this.tCur;
  }

  get t(): number {
    return this.tCur;
  }

  get tPrev(): number {
    return this.tLast;
  }

  private computeJacobian(): void {
    const n = this.n;
    const t = this.tCur;
    const jac = this.jac;
    if (jac.usesDifferences) {
      errorWeights(this.y, this.tol.rtol, this.tol.atol, this.ewt);
      jac.evaluate(t, this.y, this.f0, this.fixed > 0 ? this.fixed : this.h, this.ewt, this.J);
    } else {
      jac.evaluate(t, this.y, this.f0, 0, this.ewt, this.J);
    }
    this.stats.jacEvals++;
    // df/dt by a one-sided difference with Hairer's RODAS increment sqrt(uround * max(1e-5, |t|)), taken in
    // the direction of integration so that it samples the side of a time stop that the step will cover.
    const tt = t + this.dir * Math.sqrt(UROUND * Math.max(1e-5, Math.abs(t)));
    const delta = tt - t;
    const fTmp = this.fTmp;
    const f0 = this.f0;
    const ft = this.ft;
    this.f(tt, this.y, fTmp);
    this.stats.fEvals++;
    const inv = 1 / delta;
    for (let i = 0; i < n; i++) ft[i] = (fTmp[i] - f0[i]) * inv;
    this.jacValid = true;
    this.hFactored = Number.NaN;
  }

  /**
   * Stages of one attempt with step hh from (t, y): writes yNew and err. Returns false if M is singular or
   * a value is not finite.
   */
  private attempt(hh: number): boolean {
    const tb = this.tb;
    const stats = this.stats;
    if (hh !== this.hFactored) {
      stats.luDecomps++;
      if (!this.lin.factorShifted(1 / (hh * tb.gamma), this.J)) {
        this.hFactored = Number.NaN;
        return false;
      }
      this.hFactored = hh;
    }
    const n = this.n;
    const s = tb.stages;
    const A = tb.a;
    const cs = tb.c;
    const ds = tb.d;
    const ms = tb.m;
    const es = tb.e;
    const cOverH = this.cOverH;
    const kAll = this.kAll;
    const kViews = this.kViews;
    const y = this.y;
    const u = this.u;
    const ft = this.ft;
    const f0 = this.f0;
    const fTmp = this.fTmp;
    const f = this.f;
    const lin = this.lin;
    const t = this.tCur;
    const invH = 1 / hh;
    for (let q = 0; q < s * s; q++) cOverH[q] = tb.C[q] * invH;
    for (let st = 0; st < s; st++) {
      const row = st * s;
      const ko = st * n;
      const hd = hh * ds[st];
      if (st === 0) {
        for (let i = 0; i < n; i++) kAll[i] = f0[i] + hd * ft[i];
      } else {
        // One pass over the previous stages builds both the stage value u = y + sum a_ij k_j and the
        // coupling sum_j (C_ij / h) k_j + h d_i f_t, so each k_j is read once per stage.
        for (let i = 0; i < n; i++) {
          let ui = y[i];
          let ci = hd * ft[i];
          for (let j = 0, jo = i; j < st; j++, jo += n) {
            const kv = kAll[jo];
            ui += A[row + j] * kv;
            ci += cOverH[row + j] * kv;
          }
          u[i] = ui;
          kAll[ko + i] = ci;
        }
        f(t + cs[st] * hh, u, fTmp);
        stats.fEvals++;
        for (let i = 0; i < n; i++) kAll[ko + i] += fTmp[i];
      }
      lin.solve(kViews[st]);
      stats.linSolves++;
    }
    const yNew = this.yNew;
    const err = this.err;
    // x * 0 is 0 for finite x and NaN otherwise: one running sum flags any non-finite value.
    let nonFinite = 0;
    for (let i = 0; i < n; i++) {
      let yi = y[i];
      let ei = 0;
      for (let j = 0, jo = i; j < s; j++, jo += n) {
        const kv = kAll[jo];
        yi += ms[j] * kv;
        ei += es[j] * kv;
      }
      yNew[i] = yi;
      err[i] = ei;
      nonFinite += yi * 0 + ei * 0;
    }
    return nonFinite === 0;
  }

  /**
   * Dense-output sums D_r = sum_j H_rj k_j of the last accepted step, computed on first use from `kAcc`, so
   * steps nobody interpolates cost nothing.
   */
  private ensureDense(): void {
    if (this.denseValid) return;
    const n = this.n;
    const s = this.tb.stages;
    const H = this.tb.H;
    const kAcc = this.kAcc;
    const dense = this.dense;
    for (let r = 0; r < this.tb.denseRows; r++) {
      const off = r * n;
      for (let i = 0; i < n; i++) {
        let v = 0;
        for (let j = 0, jo = i; j < s; j++, jo += n) v += H[r * s + j] * kAcc[jo];
        dense[off + i] = v;
      }
    }
    this.denseValid = true;
  }

  /** Commit an accepted step from (t, y) to (tNew, yNew). */
  private acceptStep(tNew: number): void {
    const buf = this.kAcc;
    this.kAcc = this.kAll;
    this.kAll = buf;
    const views = this.kAccViews;
    this.kAccViews = this.kViews;
    this.kViews = views;
    this.denseValid = false;
    this.yPrev.set(this.y);
    this.y.set(this.yNew);
    this.tLast = this.tCur;
    this.tCur = tNew;
    this.f0Valid = false;
    this.jacValid = false;
    this.nAccepted++;
    this.stats.steps++;
  }

  /** f(t, y) and, on the first step or after reset, the initial step size. False if f is not finite. */
  private ensureStart(): boolean {
    if (!this.f0Valid) {
      this.f(this.tCur, this.y, this.f0);
      this.stats.fEvals++;
      if (!allFinite(this.f0)) return false;
      this.f0Valid = true;
    }
    if (this.h === 0 && this.fixed === 0) {
      let h0: number;
      if (this.h0Option > 0 && this.nAccepted === 0) {
        h0 = this.h0Option;
      } else {
        h0 = initialStepSize(
          this.f,
          this.tCur,
          this.y,
          this.f0,
          this.dir,
          this.tb.order,
          this.tol,
          this.hmax,
          this.work1,
          this.work2,
        );
        this.stats.fEvals++;
      }
      this.h = this.dir * Math.min(Math.max(h0, this.hmin), this.hmax);
    }
    return true;
  }

  private stepFixed(tLimit: number): StepStatus {
    // t = tBase + count * h rather than a running sum, so long fixed-step runs do not drift; a remainder
    // below 1e-9 h is absorbed into the last step instead of becoming a sliver step.
    const hh = this.dir * this.fixed;
    let tNew = this.fixedBase + (this.fixedCount + 1) * hh;
    if (this.dir * (tNew - tLimit) >= -1e-9 * this.fixed) tNew = tLimit;
    const hStep = tNew - this.tCur;
    if (hStep === 0) return 'ok';
    if (!this.jacValid) this.computeJacobian();
    if (!this.attempt(hStep)) return 'Unstable';
    this.acceptStep(tNew);
    this.fixedCount++;
    return 'ok';
  }

  step(tLimit: number): StepStatus {
    const dir = this.dir;
    if (dir * (tLimit - this.tCur) <= 0) return 'ok';
    if (!this.ensureStart()) return 'Unstable';
    if (this.fixed > 0) return this.stepFixed(tLimit);
    if (!this.jacValid) this.computeJacobian();
    const t = this.tCur;
    const expo = this.expo;
    let lastFailureNonFinite = false;
    let errNorm = 0;
    for (;;) {
      let hAbs = Math.abs(this.h);
      if (hAbs > this.hmax) hAbs = this.hmax;
      // Give up once h is below hmin or too small to change t (the negated test also catches NaN).
      if (!(hAbs >= this.hmin) || hAbs <= 8 * UROUND * Math.abs(t)) {
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
      // A NaN error norm (e.g. atol = 0 on a zero component) counts as a failed attempt, not as a verdict.
      if (
        !this.attempt(hh) ||
        Number.isNaN((errNorm = errorNormRms(this.err, this.y, this.yNew, this.tol)))
      ) {
        this.stats.rejected++;
        this.rejectedLast = true;
        lastFailureNonFinite = true;
        this.h = hh * FAC_FAIL;
        continue;
      }
      lastFailureNonFinite = false;
      // fac = hOld / hNew, bounded so that 0.2 <= hNew / hOld <= 6.
      let fac = errNorm ** expo / SAFETY;
      if (fac < 1 / FAC_MAX) fac = 1 / FAC_MAX;
      else if (fac > 1 / FAC_MIN) fac = 1 / FAC_MIN;
      if (errNorm <= 1) {
        if (this.nAccepted > 0 && this.hAcc !== 0) {
          // Gustafsson's predictive controller, as in Hairer's RODAS.
          let facGus = ((this.hAcc / hh) * ((errNorm * errNorm) / this.errAcc) ** expo) / SAFETY;
          if (facGus < 1 / FAC_MAX) facGus = 1 / FAC_MAX;
          else if (facGus > 1 / FAC_MIN) facGus = 1 / FAC_MIN;
          if (facGus > fac) fac = facGus;
        }
        this.hAcc = hh;
        this.errAcc = Math.max(errNorm, 1e-2);
        let hNew = hh / fac;
        if (this.rejectedLast && Math.abs(hNew) > Math.abs(hh)) hNew = hh;
        // A step shortened to hit tLimit says little about the next one: keep the unclipped proposal.
        if (clipped && Math.abs(hNew) < hAbs) hNew = dir * hAbs;
        if (Math.abs(hNew) > this.hmax) hNew = dir * this.hmax;
        this.acceptStep(tNew);
        this.h = hNew;
        this.rejectedLast = false;
        return 'ok';
      }
      this.stats.rejected++;
      this.rejectedLast = true;
      this.h = hh / fac;
    }
  }

  interpolate(tq: number, out: Float64Array): void {
    const dt = this.tCur - this.tLast;
    if (dt === 0) {
      out.set(this.y);
      return;
    }
    this.ensureDense();
    evalDense((tq - this.tLast) / dt, this.yPrev, this.y, this.dense, this.tb.denseRows, this.n, out);
  }

  denseSegment(): DenseSegment {
    this.ensureDense();
    const t0 = this.tLast;
    const t1 = this.tCur;
    const y0 = Float64Array.from(this.yPrev);
    const y1 = Float64Array.from(this.y);
    const dense = Float64Array.from(this.dense);
    const rows = this.tb.denseRows;
    const n = this.n;
    return {
      t0,
      t1,
      evaluate(tq: number, out: Float64Array): void {
        if (t1 === t0) {
          out.set(y1);
          return;
        }
        evalDense((tq - t0) / (t1 - t0), y0, y1, dense, rows, n, out);
      },
    };
  }

  reset(t: number, y: Float64Array): void {
    this.tCur = t;
    this.tLast = t;
    this.y.set(y);
    this.yPrev.set(y);
    this.dense.fill(0);
    this.denseValid = true;
    this.f0Valid = false;
    this.jacValid = false;
    this.rejectedLast = false;
    this.hAcc = 0;
    this.errAcc = 0;
    // A new state may need a different scale: choose the step size afresh.
    this.h = 0;
    this.fixedBase = t;
    this.fixedCount = 0;
  }

  /** Back to the state of a fresh stepper for (t0, y0) -> tEnd (see Stepper.reinit). */
  reinit(t0: number, y0: Float64Array, tEnd: number, hmax: number): void {
    this.dir = tEnd < t0 ? -1 : 1;
    this.hmax = hmax > 0 ? hmax : Number.POSITIVE_INFINITY;
    this.reset(t0, y0);
    this.hFactored = Number.NaN;
    this.nAccepted = 0;
  }
}

export function createRosenbrockStepper(
  tableau: RosenbrockTableau,
  problem: OdeProblem,
  options: StepperOptions,
): Stepper {
  return new RosenbrockStepper(tableau, problem, options);
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
