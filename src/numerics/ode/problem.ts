/**
 * An ODE initial-value problem: dy/dt = f(t, y), y(t0) = y0. Plain data; it says nothing about how it is solved.
 */
import type { CsrPattern } from '../linalg/csr.js';
import type { LinearSolverChoice } from '../linalg/linear-solver.js';

export type { CsrPattern, LinearSolverChoice };

/** Right-hand side. Writes f(t, y) into `dy`; must not allocate or keep references to its arguments. */
export type OdeRhs = (t: number, y: Float64Array, dy: Float64Array) => void;

/** Jacobian df/dy, written dense and row-major into `J` (length n*n): J[i*n + j] = d f_i / d y_j. */
export type OdeJacobian = (t: number, y: Float64Array, J: Float64Array) => void;

/**
 * Sparse Jacobian: writes the nonzeros of df/dy into `values` in the order of `OdeProblem.sparsity`
 * (values[k] = d f_i / d y_colIdx[k] for rowPtr[i] <= k < rowPtr[i + 1]).
 */
export type OdeSparseJacobian = (t: number, y: Float64Array, values: Float64Array) => void;

/** Known band structure of the Jacobian (entries with j - i > upper or i - j > lower are zero). */
export interface Bandwidth {
  readonly lower: number;
  readonly upper: number;
}

export interface OdeProblem {
  readonly f: OdeRhs;
  /** Analytic Jacobian; when absent, implicit solvers use finite differences. */
  readonly jac?: OdeJacobian;
  readonly bandwidth?: Bandwidth;
  /**
   * Nonzero pattern of df/dy in CSR form (rows sorted, no duplicates). Enables the sparse LU and coloured
   * finite differences (Curtis-Powell-Reid) for large systems.
   */
  readonly sparsity?: CsrPattern;
  /** Analytic Jacobian in sparse form (needs `sparsity`); preferred over `jac` by the sparse back end. */
  readonly sparseJac?: OdeSparseJacobian;
  /**
   * Linear-algebra back end of implicit methods: 'auto' (default; see chooseLinearSolver in
   * linalg/linear-solver.ts), or force 'dense', 'banded' (needs `bandwidth`) or 'sparse' (needs `sparsity`).
   */
  readonly linearSolver?: LinearSolverChoice;
  readonly y0: Float64Array;
  readonly tspan: readonly [number, number];
  /** Names of the state components, for output. */
  readonly names?: readonly string[];
}

export function odeProblem(
  f: OdeRhs,
  y0: ArrayLike<number>,
  tspan: readonly [number, number],
  extra: {
    jac?: OdeJacobian;
    bandwidth?: Bandwidth;
    sparsity?: CsrPattern;
    sparseJac?: OdeSparseJacobian;
    linearSolver?: LinearSolverChoice;
    names?: readonly string[];
  } = {},
): OdeProblem {
  return { f, y0: Float64Array.from(y0), tspan, ...extra };
}
