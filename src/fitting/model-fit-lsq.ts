/**
 * The bounded least-squares solver used by model fits (src/fitting/least-squares.ts: Moré's Levenberg-Marquardt
 * with a projected active set), behind one small signature with the tolerances that suit residuals from ODE
 * solves: at rtol 1e-8 the cost is known to about 1e-10 relative, so MINPACK's default 1e-12 tolerances would only
 * chase solver noise.
 */
import { leastSquares } from './least-squares.js';

export interface LsqProblem {
  readonly n: number;
  readonly m: number;
  readonly lo: Float64Array;
  readonly hi: Float64Array;
  residuals(x: Float64Array, r: Float64Array): boolean;
  /** Row-major m x n. */
  jacobian?(x: Float64Array, J: Float64Array): boolean;
}

export interface LsqResult {
  readonly x: Float64Array;
  /** 0.5 ||r||^2 at x. */
  readonly cost: number;
  /** Residual and Jacobian evaluations. */
  readonly evaluations: number;
  readonly converged: boolean;
  readonly message: string;
}

export type LsqSolver = (problem: LsqProblem, x0: Float64Array) => LsqResult;

/** Tolerances for fits to ODE solutions. */
export const LSQ_DEFAULTS = { ftol: 1e-10, xtol: 1e-8, gtol: 1e-8, maxIterations: 100 } as const;

/** leastSquares' result in this signature: converged when a tolerance (not the iteration cap) stopped it. */
export function lsqResult(r: ReturnType<typeof leastSquares>): LsqResult {
  return {
    x: r.x,
    cost: r.cost,
    evaluations: r.evaluations + r.jacobianEvaluations,
    converged: r.status === 'gtol' || r.status === 'ftol' || r.status === 'xtol',
    message: r.message,
  };
}

export const lsqSolver: LsqSolver | undefined = (problem, x0) =>
  lsqResult(leastSquares(problem, x0, LSQ_DEFAULTS));
