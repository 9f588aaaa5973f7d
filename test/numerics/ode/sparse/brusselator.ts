/**
 * Brusselator reaction-diffusion test problems (Hairer and Wanner, Solving ODEs II, 2nd ed.: the 1D problem of
 * sec. IV.1, eq. (1.6'), and the 2D problem BRUSS-2D of sec. IV.10), with analytic dense and sparse Jacobians
 * and their sparsity patterns. Unknowns are interleaved (u_k at 2k, v_k at 2k + 1) so the 1D problem is banded
 * with kl = ku = 2.
 */
import { type CsrPattern, patternFromEntries } from '../../../../src/numerics/linalg/csr.js';
import type { LinearSolverChoice, OdeProblem } from '../../../../src/numerics/ode/problem.js';

export interface SparseTestProblem {
  readonly problem: OdeProblem;
  readonly pattern: CsrPattern;
  /** Dense row-major Jacobian (for comparison). */
  readonly jacDense: (t: number, y: Float64Array, J: Float64Array) => void;
}

/**
 * 1D Brusselator: u_i' = 1 + u_i^2 v_i - 4 u_i + c (u_{i-1} - 2 u_i + u_{i+1}), v_i' = 3 u_i - u_i^2 v_i +
 * c (v_{i-1} - 2 v_i + v_{i+1}), c = alpha / dx^2, alpha = 1/50, dx = 1 / (N + 1), boundary u = 1, v = 3,
 * u(x, 0) = 1 + sin(2 pi x), v(x, 0) = 3; t in [0, tEnd].
 */
export function brusselator1d(
  N: number,
  tEnd: number,
  opts: { linearSolver?: LinearSolverChoice; withJac?: boolean; band?: boolean; pattern?: boolean } = {},
): SparseTestProblem {
  const n = 2 * N;
  const alpha = 1 / 50;
  const dx = 1 / (N + 1);
  const c = alpha / (dx * dx);
  const f = (_t: number, y: Float64Array, dy: Float64Array): void => {
    for (let i = 0; i < N; i++) {
      const u = y[2 * i];
      const v = y[2 * i + 1];
      const ul = i > 0 ? y[2 * i - 2] : 1;
      const ur = i < N - 1 ? y[2 * i + 2] : 1;
      const vl = i > 0 ? y[2 * i - 1] : 3;
      const vr = i < N - 1 ? y[2 * i + 3] : 3;
      const uuv = u * u * v;
      dy[2 * i] = 1 + uuv - 4 * u + c * (ul - 2 * u + ur);
      dy[2 * i + 1] = 3 * u - uuv + c * (vl - 2 * v + vr);
    }
  };
  const rows: number[] = [];
  const cols: number[] = [];
  for (let i = 0; i < N; i++) {
    for (const comp of [0, 1]) {
      const r = 2 * i + comp;
      rows.push(r, r);
      cols.push(2 * i, 2 * i + 1);
      if (i > 0) {
        rows.push(r);
        cols.push(r - 2);
      }
      if (i < N - 1) {
        rows.push(r);
        cols.push(r + 2);
      }
    }
  }
  const pattern = patternFromEntries(n, rows, cols);
  const entry = (y: Float64Array, r: number, col: number): number => {
    const i = r >> 1;
    const u = y[2 * i];
    const v = y[2 * i + 1];
    if (r % 2 === 0) {
      if (col === r) return 2 * u * v - 4 - 2 * c;
      if (col === r + 1) return u * u;
      return c;
    }
    if (col === r) return -u * u - 2 * c;
    if (col === r - 1) return 3 - 2 * u * v;
    return c;
  };
  const sparseJac = (_t: number, y: Float64Array, values: Float64Array): void => {
    for (let r = 0; r < n; r++) {
      for (let k = pattern.rowPtr[r]; k < pattern.rowPtr[r + 1]; k++)
        values[k] = entry(y, r, pattern.colIdx[k]);
    }
  };
  const jacDense = (_t: number, y: Float64Array, J: Float64Array): void => {
    J.fill(0);
    for (let r = 0; r < n; r++) {
      for (let k = pattern.rowPtr[r]; k < pattern.rowPtr[r + 1]; k++) {
        const col = pattern.colIdx[k];
        J[r * n + col] = entry(y, r, col);
      }
    }
  };
  const y0 = new Float64Array(n);
  for (let i = 0; i < N; i++) {
    const x = (i + 1) * dx;
    y0[2 * i] = 1 + Math.sin(2 * Math.PI * x);
    y0[2 * i + 1] = 3;
  }
  const withJac = opts.withJac ?? true;
  const problem: OdeProblem = {
    f,
    y0,
    tspan: [0, tEnd],
    ...(opts.band !== false ? { bandwidth: { lower: 2, upper: 2 } } : {}),
    ...(opts.pattern !== false ? { sparsity: pattern } : {}),
    ...(withJac ? { jac: jacDense, ...(opts.pattern !== false ? { sparseJac } : {}) } : {}),
    ...(opts.linearSolver ? { linearSolver: opts.linearSolver } : {}),
  };
  return { problem, pattern, jacDense };
}

/**
 * BRUSS-2D (Hairer and Wanner II, sec. IV.10) without the time-dependent source term: on the unit square with
 * periodic boundaries, N x N grid (dx = 1 / N),
 *   u' = 1 + u^2 v - 4.4 u + alpha Lap(u),  v' = 3.4 u - u^2 v + alpha Lap(v),  alpha = 0.1,
 *   u(x, y, 0) = 22 y (1 - y)^{3/2},  v(x, y, 0) = 27 x (1 - x)^{3/2}.
 * 2 N^2 unknowns; each row has 6 nonzeros (own pair plus 4 neighbours).
 */
export function brusselator2d(
  N: number,
  tEnd: number,
  opts: { linearSolver?: LinearSolverChoice; withJac?: boolean; denseJac?: boolean } = {},
): SparseTestProblem {
  const m = N * N;
  const n = 2 * m;
  const alpha = 0.1;
  const c = alpha * N * N;
  const idx = (i: number, j: number): number => ((i + N) % N) * N + ((j + N) % N);
  const nb = new Int32Array(4 * m);
  for (let i = 0; i < N; i++) {
    for (let j = 0; j < N; j++) {
      const k = idx(i, j);
      nb[4 * k] = idx(i - 1, j);
      nb[4 * k + 1] = idx(i + 1, j);
      nb[4 * k + 2] = idx(i, j - 1);
      nb[4 * k + 3] = idx(i, j + 1);
    }
  }
  const f = (_t: number, y: Float64Array, dy: Float64Array): void => {
    for (let k = 0; k < m; k++) {
      const u = y[2 * k];
      const v = y[2 * k + 1];
      const b = 4 * k;
      const a0 = 2 * nb[b];
      const a1 = 2 * nb[b + 1];
      const a2 = 2 * nb[b + 2];
      const a3 = 2 * nb[b + 3];
      const lu = y[a0] + y[a1] + y[a2] + y[a3] - 4 * u;
      const lv = y[a0 + 1] + y[a1 + 1] + y[a2 + 1] + y[a3 + 1] - 4 * v;
      const uuv = u * u * v;
      dy[2 * k] = 1 + uuv - 4.4 * u + c * lu;
      dy[2 * k + 1] = 3.4 * u - uuv + c * lv;
    }
  };
  const rows: number[] = [];
  const cols: number[] = [];
  for (let k = 0; k < m; k++) {
    for (const comp of [0, 1]) {
      const r = 2 * k + comp;
      rows.push(r, r);
      cols.push(2 * k, 2 * k + 1);
      for (let q = 0; q < 4; q++) {
        rows.push(r);
        cols.push(2 * nb[4 * k + q] + comp);
      }
    }
  }
  const pattern = patternFromEntries(n, rows, cols);
  // Entry of J in row r, column col (col in the pattern). Neighbour entries sum when N is small (N = 2).
  const entry = (y: Float64Array, r: number, col: number): number => {
    const k = r >> 1;
    const comp = r & 1;
    const u = y[2 * k];
    const v = y[2 * k + 1];
    let val = 0;
    if (comp === 0) {
      if (col === r) val += 2 * u * v - 4.4 - 4 * c;
      if (col === r + 1) val += u * u;
    } else {
      if (col === r) val += -u * u - 4 * c;
      if (col === r - 1) val += 3.4 - 2 * u * v;
    }
    for (let q = 0; q < 4; q++) if (2 * nb[4 * k + q] + comp === col) val += c;
    return val;
  };
  const sparseJac = (_t: number, y: Float64Array, values: Float64Array): void => {
    for (let r = 0; r < n; r++) {
      for (let k = pattern.rowPtr[r]; k < pattern.rowPtr[r + 1]; k++)
        values[k] = entry(y, r, pattern.colIdx[k]);
    }
  };
  const jacDense = (_t: number, y: Float64Array, J: Float64Array): void => {
    J.fill(0);
    for (let r = 0; r < n; r++) {
      for (let k = pattern.rowPtr[r]; k < pattern.rowPtr[r + 1]; k++) {
        const col = pattern.colIdx[k];
        J[r * n + col] = entry(y, r, col);
      }
    }
  };
  const y0 = new Float64Array(n);
  for (let i = 0; i < N; i++) {
    for (let j = 0; j < N; j++) {
      const x = i / N;
      const yy = j / N;
      const k = idx(i, j);
      y0[2 * k] = 22 * yy * (1 - yy) ** 1.5;
      y0[2 * k + 1] = 27 * x * (1 - x) ** 1.5;
    }
  }
  const withJac = opts.withJac ?? true;
  const problem: OdeProblem = {
    f,
    y0,
    tspan: [0, tEnd],
    sparsity: pattern,
    ...(withJac ? { sparseJac, ...(opts.denseJac ? { jac: jacDense } : {}) } : {}),
    ...(opts.linearSolver ? { linearSolver: opts.linearSolver } : {}),
  };
  return { problem, pattern, jacDense };
}
