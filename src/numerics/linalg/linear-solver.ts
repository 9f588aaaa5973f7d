/**
 * The linear-algebra back end of the implicit ODE methods: factor M = alpha * I - J (alpha = 1 / (h * gamma))
 * and solve with it many times. Three storage schemes:
 *
 * - 'dense': LU with partial pivoting on the row-major n*n matrix; J is given dense row-major (length n*n).
 * - 'banded': LAPACK-style banded LU, O(n * kl * (kl + ku)) per factorisation; J is given dense row-major
 *   and only its band is read.
 * - 'sparse': sparse LU (sparse-lu.ts) with a fill-reducing order, symbolic analysis once, numeric
 *   refactorisation afterwards; J is given as values in the order of the declared CSR pattern (length nnz).
 *
 * `chooseLinearSolver` picks one (see there); `LinearSolverChoice` lets a problem override the choice.
 */
import type { Bandwidth } from '../ode/problem.js';
import { type BandedLu, createBandedLu } from './banded-lu.js';
import { type CsrPattern, patternNnz, validatePattern } from './csr.js';
import { createDenseLu, type DenseLu } from './dense-lu.js';
import { SparseLu, type SparseLuOptions } from './sparse-lu.js';

export type LinearSolverKind = 'dense' | 'banded' | 'sparse';
/** What a problem may ask for: a specific back end, or 'auto' (the default) for `chooseLinearSolver`'s rule. */
export type LinearSolverChoice = LinearSolverKind | 'auto';

export interface ShiftedLinearSolver {
  readonly n: number;
  readonly kind: LinearSolverKind;
  /** Length of the Jacobian array `factorShifted` expects: n*n (dense, banded) or nnz (sparse). */
  readonly jacobianLength: number;
  /**
   * Form alpha * I - J and factor it. J is dense row-major for 'dense' and 'banded', the CSR values of the
   * pattern for 'sparse'. False if singular.
   */
  factorShifted(alpha: number, J: Float64Array): boolean;
  /** Solve (alpha * I - J) x = b in place with the last factorisation. */
  solve(b: Float64Array): void;
}

/** Below this size the dense LU is as fast as anything else (and has no setup), whatever the structure. */
export const DENSE_MAX_N = 40;
/** A sparse pattern is worth its overhead when at most this fraction of the n*n entries is nonzero. */
export const SPARSE_MAX_DENSITY = 0.1;
/**
 * The automatic choice keeps the sparse LU only if its predicted work (SparseLu.estimateWork, multiply-adds
 * with the fill-reducing order) is below n^3 / 3 divided by this: a sparse multiply-add, with its indirect
 * addressing, costs several times a dense one (measured here: ~6 ns vs ~1-1.7 ns on random patterns with
 * n = 300..1000, where the ratio n^3 / 3 / work of 9-15 gave the sparse LU a 1.5-2x edge).
 */
export const SPARSE_MIN_WORK_RATIO = 5;

/**
 * Banded storage pays off once its row count 2 * kl + ku + 1 is well below n (the dense factorisation is
 * cheap and cache-friendly for small n, so small systems stay dense).
 */
export function preferBanded(n: number, bandwidth: Bandwidth | undefined): boolean {
  if (bandwidth === undefined || n < 16) return false;
  const kl = Math.max(0, bandwidth.lower);
  const ku = Math.max(0, bandwidth.upper);
  return 2 * (2 * kl + ku + 1) <= n;
}

/**
 * The automatic choice, in this order:
 * 1. an explicit `choice` other than 'auto' wins (it must be possible: 'banded' needs a bandwidth, 'sparse' a
 *    pattern);
 * 2. a declared narrow band (`preferBanded`) gives 'banded' — banded LU has no indirection and, for a band, no
 *    more fill than sparse LU with the natural order (so a problem that declares both gets banded);
 * 3. a declared pattern with n >= DENSE_MAX_N and density nnz / n^2 <= SPARSE_MAX_DENSITY gives 'sparse'
 *    (createShiftedLinearSolver then also checks the predicted fill: see SPARSE_MIN_WORK_RATIO);
 * 4. everything else is 'dense' (small systems, and problems with no known structure).
 */
export function chooseLinearSolver(
  n: number,
  structure: { bandwidth?: Bandwidth; sparsity?: CsrPattern; choice?: LinearSolverChoice } = {},
): LinearSolverKind {
  const { bandwidth, sparsity, choice } = structure;
  if (choice !== undefined && choice !== 'auto') {
    if (choice === 'banded' && bandwidth === undefined)
      throw new Error("linearSolver 'banded' needs a bandwidth");
    if (choice === 'sparse' && sparsity === undefined)
      throw new Error("linearSolver 'sparse' needs a sparsity pattern");
    return choice;
  }
  if (bandwidth !== undefined && preferBanded(n, bandwidth)) return 'banded';
  if (sparsity !== undefined && n >= DENSE_MAX_N && patternNnz(sparsity) <= SPARSE_MAX_DENSITY * n * n) {
    return 'sparse';
  }
  return 'dense';
}

export interface ShiftedLinearSolverOptions {
  readonly sparsity?: CsrPattern;
  readonly choice?: LinearSolverChoice;
  readonly sparseLu?: SparseLuOptions;
}

export function createShiftedLinearSolver(
  n: number,
  bandwidth?: Bandwidth,
  options: ShiftedLinearSolverOptions = {},
): ShiftedLinearSolver {
  const kind = chooseLinearSolver(n, { bandwidth, sparsity: options.sparsity, choice: options.choice });
  const automatic = options.choice === undefined || options.choice === 'auto';
  let lu: SparseLu | undefined;
  if (kind === 'sparse' && options.sparsity !== undefined) {
    validatePattern(options.sparsity, n);
    lu = new SparseLu(options.sparsity, options.sparseLu);
    // A pattern that fills in badly is cheaper to factor dense.
    if (automatic && SPARSE_MIN_WORK_RATIO * lu.estimateWork() > (n * n * n) / 3) lu = undefined;
  }
  if (lu !== undefined && options.sparsity !== undefined) {
    const pattern = options.sparsity;
    const sparseLu = lu;
    return {
      n,
      kind: 'sparse',
      jacobianLength: patternNnz(pattern),
      factorShifted(alpha: number, J: Float64Array): boolean {
        sparseLu.loadShifted(alpha, J);
        return sparseLu.factor();
      },
      solve(b: Float64Array): void {
        sparseLu.solve(b);
      },
    };
  }
  if (kind === 'banded' && bandwidth !== undefined) {
    const blu: BandedLu = createBandedLu(n, bandwidth.lower, bandwidth.upper);
    return {
      n,
      kind: 'banded',
      jacobianLength: n * n,
      factorShifted(alpha: number, J: Float64Array): boolean {
        blu.loadFromDense(J, alpha, 1);
        return blu.factor();
      },
      solve(b: Float64Array): void {
        blu.solve(b);
      },
    };
  }
  const dlu: DenseLu = createDenseLu(n);
  const a = dlu.a;
  return {
    n,
    kind: 'dense',
    jacobianLength: n * n,
    factorShifted(alpha: number, J: Float64Array): boolean {
      const nn = n * n;
      for (let i = 0; i < nn; i++) a[i] = -J[i];
      for (let i = 0; i < nn; i += n + 1) a[i] += alpha;
      return dlu.factor();
    },
    solve(b: Float64Array): void {
      dlu.solve(b);
    },
  };
}
