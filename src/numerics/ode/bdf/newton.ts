/**
 * Modified Newton iteration for the BDF corrector, with the Jacobian and the factorisation of
 * M = I - gamma * J reused across steps, following the strategy of CVODE (Hindmarsh et al., "SUNDIALS: Suite
 * of nonlinear and differential/algebraic equation solvers", ACM TOMS 31 (2005) 363-396, sec. 2.1; SUNDIALS
 * CVODE documentation, "Mathematical Considerations"):
 *
 * - M is refactored only when gamma changed by more than 30 % since the last factorisation (DGMAX), after 20
 *   steps (MSBP), at the first step, or after a failure;
 * - J is re-evaluated only after 50 steps (MSBJ), after a convergence failure with a stale J, or at the start;
 * - when gamma has moved since the factorisation the Newton update is scaled by 2 / (1 + gamma / gamma_p)
 *   to compensate for the stale matrix;
 * - convergence: with the rate estimate crate = max(0.3 crate, |d_m| / |d_{m-1}|), the iteration stops when
 *   |d_m| min(1, crate) <= 0.1 / tq[2] (the iteration error is a tenth of the local error test level); it
 *   fails after 3 iterations or when |d_m| > 2 |d_{m-1}|.
 *
 * J comes from problem.jac / sparseJac or from differences at the predicted state, reusing f(ypred) and with
 * CVODE's increments (fd-jacobian.ts); grouped differences for a declared band or pattern. M is factored by the
 * dense, banded or sparse LU that linalg/linear-solver.ts chooses (problem.linearSolver overrides).
 */
import {
  createShiftedLinearSolver,
  type LinearSolverKind,
  type ShiftedLinearSolver,
} from '../../linalg/linear-solver.js';
import { createJacobianEvaluator, type JacobianEvaluator } from '../fd-jacobian.js';
import type { OdeProblem, OdeRhs } from '../problem.js';
import type { SolverStats } from '../stats.js';

/** Refactor M when |gamma / gamma_p - 1| exceeds this. */
const DGMAX = 0.3;
/** Refactor M at least every MSBP steps. */
const MSBP = 20;
/** Re-evaluate J at least every MSBJ steps. */
const MSBJ = 50;
/** After a failure with a stale J, re-evaluate J only if gamma moved less than this (else just refactor). */
const DGMAX_JBAD = 0.2;
const CRDOWN = 0.3;
const RDIV = 2;
const MAXCOR = 3;

/** Why the corrector is being called (selects how aggressively the matrices are refreshed). */
export const FIRST_CALL = 0;
export const PREV_CONV_FAIL = 1;
export const PREV_ERR_FAIL = 2;

const CONV_NONE = 0;
const CONV_BAD_J = 1;
const CONV_OTHER = 2;

/**
 * Weighted root-mean-square norm of v[offset .. offset + n) with precomputed inverse weights
 * w_i = 1 / (atol_i + rtol |y_i|) (CVODE's WRMS norm; same scaling as errorNormRms in error-norm.ts).
 */
export function wrmsNorm(v: Float64Array, w: Float64Array, n: number, offset = 0): number {
  let s = 0;
  for (let i = 0; i < n; i++) {
    const r = v[offset + i] * w[i];
    s += r * r;
  }
  return n === 0 ? 0 : Math.sqrt(s / n);
}

export class NewtonCorrector {
  private readonly n: number;
  private readonly f: OdeRhs;
  private readonly jac: JacobianEvaluator;
  private readonly stats: SolverStats;
  private readonly J: Float64Array;
  private readonly solver: ShiftedLinearSolver;
  /** f at the predicted state, kept for a retry with a fresh Jacobian. */
  private readonly fpred: Float64Array;
  private readonly ftemp: Float64Array;
  private readonly delta: Float64Array;
  /** Newton iterate y = z0 + acor. */
  private readonly ycur: Float64Array;

  /** gamma at the last factorisation. */
  private gammap = 0;
  /** Convergence-rate estimate, kept across steps. */
  private crate = 1;
  /** Step count at the last factorisation and at the last Jacobian evaluation. */
  private nstlp = 0;
  private nstlj = 0;
  /** True until the first factorisation after a (re)start. */
  private fresh = true;
  /** Weighted norm of the final correction (valid after a successful `correct`). */
  acnrm = 0;
  /** True if the last failure was caused by non-finite values (f returned NaN/Inf or the iterate blew up). */
  nonFinite = false;

  constructor(problem: OdeProblem, n: number, stats: SolverStats) {
    this.n = n;
    this.f = problem.f;
    this.stats = stats;
    this.solver = createShiftedLinearSolver(n, problem.bandwidth, {
      sparsity: problem.sparsity,
      choice: problem.linearSolver,
    });
    this.jac = createJacobianEvaluator(problem, this.solver.kind, (count) => {
      stats.fEvals += count;
    });
    this.J = new Float64Array(this.solver.jacobianLength);
    this.fpred = new Float64Array(n);
    this.ftemp = new Float64Array(n);
    this.delta = new Float64Array(n);
    this.ycur = new Float64Array(n);
  }

  /** Forget the Jacobian and the factorisation (after `reset`). */
  restart(): void {
    this.fresh = true;
    this.crate = 1;
    this.gammap = 0;
    this.nstlp = 0;
    this.nstlj = 0;
  }

  /** Which linear solver is in use. */
  get linearSolverKind(): LinearSolverKind {
    return this.solver.kind;
  }

  /**
   * Solve z0 + acor - gamma f(t, z0 + acor) - z0 + rl1 * z1 = 0 for acor, i.e. the BDF corrector
   * acor = gamma f(t, y) - rl1 z1 with y = z0 + acor, z0 and z1 the predicted columns (Nordsieck array `z`).
   * `ypred` is the length-n view of column 0 of `z` (what f and the Jacobian are called with).
   * On success `acor` holds the correction and `acnrm` its weighted norm. `nst` counts accepted steps.
   * `h` (the step size) only scales the increments of a difference Jacobian.
   */
  correct(
    t: number,
    z: Float64Array,
    ypred: Float64Array,
    gamma: number,
    rl1: number,
    tq4: number,
    ewt: Float64Array,
    acor: Float64Array,
    nst: number,
    nflag: number,
    h = 0,
  ): boolean {
    const n = this.n;
    const stats = this.stats;
    const { fpred, ftemp, delta, ycur } = this;
    this.nonFinite = false;
    let callSetup =
      this.fresh ||
      nflag !== FIRST_CALL ||
      nst >= this.nstlp + MSBP ||
      Math.abs(gamma / this.gammap - 1) > DGMAX;
    let convfail = nflag === FIRST_CALL || nflag === PREV_ERR_FAIL ? CONV_NONE : CONV_OTHER;

    this.f(t, ypred, fpred);
    stats.fEvals++;
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(fpred[i])) {
        stats.newtonFails++;
        this.nonFinite = true;
        return false;
      }
    }
    for (;;) {
      let jcur = false;
      if (callSetup) {
        const dgamma = Math.abs(gamma / this.gammap - 1);
        const jbad =
          this.fresh ||
          nst >= this.nstlj + MSBJ ||
          (convfail === CONV_BAD_J && dgamma < DGMAX_JBAD) ||
          convfail === CONV_OTHER;
        if (jbad) {
          this.jac.evaluate(t, ypred, fpred, h, ewt, this.J);
          stats.jacEvals++;
          this.nstlj = nst;
          jcur = true;
        }
        this.fresh = false;
        this.gammap = gamma;
        this.crate = 1;
        this.nstlp = nst;
        stats.luDecomps++;
        if (!this.solver.factorShifted(1 / gamma, this.J)) {
          // singular iteration matrix: recoverable by a smaller step (and a fresh J)
          stats.newtonFails++;
          this.fresh = true;
          return false;
        }
        callSetup = false;
      }
      const gamrat = gamma / this.gammap;
      // M = gamma * (I/gamma - J): solve (I/gamma - J) d = -res / gamma.
      const rgamma = 1 / this.gammap;
      const scale = gamrat !== 1 ? 2 / (1 + gamrat) : 1;
      for (let i = 0; i < n; i++) acor[i] = 0;
      let f = fpred;
      let delp = 0;
      let m = 0;
      let converged = false;
      for (;;) {
        // -res = gamma f(y) - rl1 z1 - acor
        for (let i = 0; i < n; i++) delta[i] = (gamma * f[i] - rl1 * z[n + i] - acor[i]) * rgamma;
        this.solver.solve(delta);
        stats.linSolves++;
        stats.newtonIters++;
        if (scale !== 1) for (let i = 0; i < n; i++) delta[i] *= scale;
        for (let i = 0; i < n; i++) {
          acor[i] += delta[i];
          ycur[i] = z[i] + acor[i];
        }
        const del = wrmsNorm(delta, ewt, n);
        if (!Number.isFinite(del)) {
          this.nonFinite = true;
          break;
        }
        if (m > 0) this.crate = Math.max(CRDOWN * this.crate, del / delp);
        const dcon = (del * Math.min(1, this.crate)) / tq4;
        if (dcon <= 1) {
          this.acnrm = m === 0 ? del : wrmsNorm(acor, ewt, n);
          converged = true;
          break;
        }
        m++;
        if (m === MAXCOR || (m >= 2 && del > RDIV * delp)) break;
        delp = del;
        this.f(t, ycur, ftemp);
        stats.fEvals++;
        f = ftemp;
      }
      if (converged) return true;
      stats.newtonFails++;
      if (jcur || this.nonFinite) return false;
      // stale Jacobian or factorisation: refresh and retry at the same step size
      callSetup = true;
      convfail = CONV_BAD_J;
    }
  }
}
