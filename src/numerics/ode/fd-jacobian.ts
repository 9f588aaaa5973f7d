/**
 * Finite-difference Jacobians for problems without an analytic one, and the plumbing that delivers J to an
 * implicit method in the layout of its linear solver.
 *
 * Increments follow CVODE's difference-quotient Jacobian (SUNDIALS CVODE documentation, "Mathematical
 * Considerations", difference-quotient Jacobian approximation): column j is perturbed by
 *   inc_j = max(sqrt(uround) |y_j|, minInc / w_j),  minInc = 1000 |h| uround N ||f(t, y)||_wrms  (1 if that is 0),
 * with the error weights w_j = 1 / (rtol |y_j| + atol_j). The floor scales with each component's own tolerance,
 * so a component near zero with a tiny atol gets an increment at its own scale rather than a fixed 1e-13 that
 * may be huge for it. The increment actually used is (y_j + inc_j) - y_j, which is exactly representable.
 *
 * The caller passes f(t, y), which every stepper already has, so a dense Jacobian costs n evaluations of f,
 * a banded one kl + ku + 1 (banded-fd-jacobian.ts) and one with a declared pattern as many as there are
 * colours in a Curtis-Powell-Reid column grouping (linalg/coloring.ts).
 */
import { colorColumns } from '../linalg/coloring.js';
import { type CsrPattern, cscOf, gatherFromDense, scatterToDense, validatePattern } from '../linalg/csr.js';
import type { LinearSolverKind } from '../linalg/linear-solver.js';
import { bandedDifferenceJacobian } from './banded-fd-jacobian.js';
import type { OdeJacobian, OdeProblem, OdeRhs } from './problem.js';

const UROUND = Number.EPSILON;
const SQRT_EPS = Math.sqrt(UROUND);
/** CVODE's MIN_INC_MULT. */
const MIN_INC_MULT = 1000;

/**
 * A difference Jacobian with the stepper's context: `fy` = f(t, y) (not modified), `h` the current step size,
 * `ewt` the error weights 1 / (rtol |y_j| + atol_j). Writes J into `out` (layout depends on the builder).
 */
export type DifferenceJacobian = (
  t: number,
  y: Float64Array,
  fy: Float64Array,
  h: number,
  ewt: Float64Array,
  out: Float64Array,
) => void;

/** CVODE's minInc = 1000 |h| uround N ||fy||_wrms, or 1 when the norm is 0 (non-finite weights are skipped). */
export function minIncrement(fy: Float64Array, ewt: Float64Array, h: number): number {
  const n = fy.length;
  let s = 0;
  for (let i = 0; i < n; i++) {
    const w = ewt[i];
    if (fy[i] !== 0 && Number.isFinite(w)) {
      const r = fy[i] * w;
      s += r * r;
    }
  }
  const fnorm = n === 0 ? 0 : Math.sqrt(s / n);
  return fnorm !== 0 && Number.isFinite(fnorm) ? MIN_INC_MULT * Math.abs(h) * UROUND * n * fnorm : 1;
}

/**
 * inc_j = max(sqrt(uround) |y_j|, minInc / w_j); should that be zero or not finite (atol_j = 0 and y_j = 0, or an
 * unusable weight) the scale-free sqrt(uround) max(|y_j|, 1e-5) is used instead.
 */
export function increment(yj: number, wj: number, minInc: number): number {
  let inc = Math.max(SQRT_EPS * Math.abs(yj), minInc / wj);
  if (!(inc > 0) || !Number.isFinite(inc)) inc = SQRT_EPS * Math.max(Math.abs(yj), 1e-5);
  return inc;
}

/** Dense difference Jacobian (row-major n*n); n evaluations of f per call. */
export function denseDifferenceJacobian(
  f: OdeRhs,
  n: number,
  onEval?: (count: number) => void,
): DifferenceJacobian {
  const f1 = new Float64Array(n);
  const yp = new Float64Array(n);
  return (t, y, fy, h, ewt, J) => {
    const minInc = minIncrement(fy, ewt, h);
    yp.set(y);
    for (let j = 0; j < n; j++) {
      const yj = y[j];
      yp[j] = yj + increment(yj, ewt[j], minInc);
      const step = yp[j] - yj;
      f(t, yp, f1);
      yp[j] = yj;
      const inv = 1 / step;
      for (let i = 0; i < n; i++) J[i * n + j] = (f1[i] - fy[i]) * inv;
    }
    onEval?.(n);
  };
}

/**
 * Difference Jacobian for a declared sparsity pattern, written as CSR values in pattern order. Columns are
 * grouped by a greedy colouring of the column intersection graph (Curtis, Powell and Reid, J. Inst. Maths
 * Applics 13, 1974): all columns of one colour are perturbed together, one f evaluation per colour.
 */
export function sparseDifferenceJacobian(
  f: OdeRhs,
  n: number,
  pattern: CsrPattern,
  onEval?: (count: number) => void,
): DifferenceJacobian & { readonly colors: number } {
  const coloring = colorColumns(pattern);
  const csc = cscOf(pattern);
  const { groupPtr, groupCols, colors } = coloring;
  const f1 = new Float64Array(n);
  const yp = new Float64Array(n);
  const inc = new Float64Array(n);
  const fn: DifferenceJacobian = (t, y, fy, h, ewt, values) => {
    const minInc = minIncrement(fy, ewt, h);
    yp.set(y);
    for (let c = 0; c < colors; c++) {
      const g0 = groupPtr[c];
      const g1 = groupPtr[c + 1];
      for (let g = g0; g < g1; g++) {
        const j = groupCols[g];
        const yj = y[j];
        yp[j] = yj + increment(yj, ewt[j], minInc);
        inc[j] = yp[j] - yj;
      }
      f(t, yp, f1);
      for (let g = g0; g < g1; g++) {
        const j = groupCols[g];
        yp[j] = y[j];
        const invInc = 1 / inc[j];
        for (let k = csc.colPtr[j]; k < csc.colPtr[j + 1]; k++) {
          const i = csc.rowIdx[k];
          values[csc.pos[k]] = (f1[i] - fy[i]) * invInc;
        }
      }
    }
    onEval?.(colors);
  };
  return Object.assign(fn, { colors });
}

/** How an implicit method obtains J, in the layout its linear solver expects. */
export interface JacobianEvaluator {
  /** Where J comes from: the problem's dense or sparse Jacobian, or differences (dense, banded, coloured). */
  readonly source: 'analytic' | 'analytic-sparse' | 'fd-dense' | 'fd-banded' | 'fd-colored';
  /** True for differences, which need `fy`, `h` and `ewt`; an analytic Jacobian ignores them. */
  readonly usesDifferences: boolean;
  /** Length of the array `evaluate` writes: n*n for the dense and banded solvers, nnz for the sparse one. */
  readonly length: number;
  evaluate: DifferenceJacobian;
}

/**
 * Pick the Jacobian source for a problem and a linear-solver kind:
 * - sparse solver: `sparseJac`, else the dense `jac` gathered onto the pattern, else coloured differences;
 * - dense / banded solvers: `jac`, else `sparseJac` scattered, else coloured differences scattered (pattern
 *   declared), else grouped banded differences (narrow band declared), else dense differences.
 * `onEval(k)` is told how many f evaluations each difference Jacobian used.
 */
export function createJacobianEvaluator(
  problem: OdeProblem,
  kind: LinearSolverKind,
  onEval?: (count: number) => void,
): JacobianEvaluator {
  const n = problem.y0.length;
  const { f, jac, sparseJac, sparsity, bandwidth } = problem;
  const wrap =
    (g: OdeJacobian): DifferenceJacobian =>
    (t, y, _fy, _h, _ewt, out) =>
      g(t, y, out);
  if (sparsity !== undefined) validatePattern(sparsity, n);
  if (sparseJac !== undefined && sparsity === undefined)
    throw new Error('sparseJac needs a sparsity pattern');
  if (kind === 'sparse') {
    if (sparsity === undefined) throw new Error('sparse linear solver without a sparsity pattern');
    const nnz = sparsity.rowPtr[n];
    if (sparseJac !== undefined) {
      return { source: 'analytic-sparse', usesDifferences: false, length: nnz, evaluate: wrap(sparseJac) };
    }
    if (jac !== undefined) {
      const dense = new Float64Array(n * n);
      return {
        source: 'analytic',
        usesDifferences: false,
        length: nnz,
        evaluate: (t, y, _fy, _h, _ewt, out) => {
          jac(t, y, dense);
          gatherFromDense(sparsity, dense, out);
        },
      };
    }
    return {
      source: 'fd-colored',
      usesDifferences: true,
      length: nnz,
      evaluate: sparseDifferenceJacobian(f, n, sparsity, onEval),
    };
  }
  const length = n * n;
  if (jac !== undefined) return { source: 'analytic', usesDifferences: false, length, evaluate: wrap(jac) };
  if (sparsity !== undefined) {
    const vals = new Float64Array(sparsity.rowPtr[n]);
    if (sparseJac !== undefined) {
      return {
        source: 'analytic-sparse',
        usesDifferences: false,
        length,
        evaluate: (t, y, _fy, _h, _ewt, out) => {
          sparseJac(t, y, vals);
          scatterToDense(sparsity, vals, out);
        },
      };
    }
    const fd = sparseDifferenceJacobian(f, n, sparsity, onEval);
    return {
      source: 'fd-colored',
      usesDifferences: true,
      length,
      evaluate: (t, y, fy, h, ewt, out) => {
        fd(t, y, fy, h, ewt, vals);
        scatterToDense(sparsity, vals, out);
      },
    };
  }
  if (bandwidth !== undefined && bandwidth.lower + bandwidth.upper + 2 < n) {
    return {
      source: 'fd-banded',
      usesDifferences: true,
      length,
      evaluate: bandedDifferenceJacobian(f, n, bandwidth, onEval),
    };
  }
  return {
    source: 'fd-dense',
    usesDifferences: true,
    length,
    evaluate: denseDifferenceJacobian(f, n, onEval),
  };
}

/** Error weights w_j = 1 / (atol_j + rtol |y_j|) into `ewt`. */
export function errorWeights(
  y: Float64Array,
  rtol: number,
  atol: number | Float64Array,
  ewt: Float64Array,
): void {
  const n = y.length;
  if (typeof atol === 'number') for (let i = 0; i < n; i++) ewt[i] = 1 / (atol + rtol * Math.abs(y[i]));
  else for (let i = 0; i < n; i++) ewt[i] = 1 / (atol[i] + rtol * Math.abs(y[i]));
}

/**
 * Self-contained dense forward-difference Jacobian (evaluates f(t, y) itself, n + 1 evaluations), for callers
 * that have no tolerances or step size at hand. Increment sqrt(eps) max(|y_j|, 1e-5): without error weights
 * there is no per-component scale to do better. Implicit methods use `createJacobianEvaluator` instead.
 */
export function finiteDifferenceJacobian(
  f: OdeRhs,
  n: number,
  onEval?: (count: number) => void,
): OdeJacobian {
  const f0 = new Float64Array(n);
  const f1 = new Float64Array(n);
  const yp = new Float64Array(n);
  return (t, y, J) => {
    f(t, y, f0);
    yp.set(y);
    for (let j = 0; j < n; j++) {
      const yj = y[j];
      const dy = SQRT_EPS * Math.max(Math.abs(yj), 1e-5);
      yp[j] = yj + dy;
      const step = yp[j] - yj; // exactly representable increment
      f(t, yp, f1);
      yp[j] = yj;
      const inv = 1 / step;
      for (let i = 0; i < n; i++) J[i * n + j] = (f1[i] - f0[i]) * inv;
    }
    onEval?.(n + 1);
  };
}
