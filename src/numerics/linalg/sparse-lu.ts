/**
 * Sparse LU factorisation P A Q = L U for the iteration matrices of implicit ODE methods, which keep one
 * sparsity pattern for a whole integration and are refactored many times with new values.
 *
 * - Symbolic analysis, once per pattern: the pattern is augmented with the diagonal (M = alpha I - J always
 *   has one), converted to compressed columns, and a fill-reducing column order Q is chosen by approximate
 *   minimum degree on the pattern of A + A^T (ordering.ts; Amestoy, Davis and Duff 1996), as in KLU (Davis and
 *   Palamadai Natarajan, "Algorithm 907: KLU, a direct sparse solver for circuit simulation problems", ACM
 *   TOMS 37(3), 2010).
 * - Full factorisation (`factorFresh`): the left-looking algorithm of Gilbert and Peierls ("Sparse partial
 *   pivoting in time proportional to arithmetic operations", SIAM J. Sci. Stat. Comput. 9, 1988). Column k
 *   solves L x = A(:, q_k) sparsely: a depth-first search in the graph of the columns of L computed so far
 *   gives the nonzero pattern of x in topological order, then the numeric solve touches only those entries.
 *   The pivot is chosen by threshold partial pivoting that prefers the diagonal entry: it is kept when
 *   |x_diag| >= pivotTolerance * max_i |x_i| (default 0.1), which preserves the fill-reducing order on the
 *   usually diagonally dominant M, otherwise the largest entry is taken.
 * - Numeric refactorisation (`factor`, after a successful full one): KLU's "refactor" — same pivot sequence and
 *   same patterns of L and U, replaying the stored topological order, so the work is proportional to the
 *   flops and nothing is searched or allocated. Since the pivots were chosen for other values, every new pivot
 *   is checked: if it is zero, not finite, or smaller than refactorTolerance (default 0.01) times the largest
 *   entry of its column of L before scaling (i.e. the element growth is unbounded by 1 / tolerance), the
 *   refactorisation is abandoned and a full factorisation with fresh pivoting is made instead.
 * - `solve` is allocation-free. Memory for L and U is allocated at construction (estimate) and grows only
 *   inside a full factorisation, should the pivoting produce more fill than ever before.
 *
 * Written from the papers' descriptions; no code from SuiteSparse or elsewhere.
 */
import { type CsrPattern, patternSize } from './csr.js';
import { approximateMinimumDegreeOrdering, minimumDegreeOrdering, naturalOrdering } from './ordering.js';

export interface SparseLuOptions {
  /**
   * Fill-reducing column order on the pattern of A + A^T: 'amd' (approximate minimum degree, default),
   * 'minimum-degree' (exact external degrees on the explicit elimination graph) or 'natural' (none).
   */
  readonly ordering?: 'amd' | 'minimum-degree' | 'natural';
  /** Diagonal preference threshold of the full factorisation (0 < tol <= 1); default 0.1. */
  readonly pivotTolerance?: number;
  /** Smallest acceptable |pivot| / max |column| in a refactorisation before falling back; default 0.01. */
  readonly refactorTolerance?: number;
}

export class SparseLu {
  readonly n: number;
  /** Column order: column k of the factorisation is column q[k] of A. */
  readonly q: Int32Array;
  /** Full factorisations and refactorisations made so far (for diagnostics and tests). */
  fullFactorizations = 0;
  refactorizations = 0;

  // Augmented pattern (pattern of A plus the diagonal) in compressed columns, with its values.
  private readonly colPtr: Int32Array;
  private readonly rowIdx: Int32Array;
  /** A's values in the column-compressed augmented pattern. */
  readonly values: Float64Array;
  /** For each entry of the user's CSR pattern, its index in `values`. */
  private readonly csrToCsc: Int32Array;
  /** Index in `values` of A(i, i). */
  private readonly diagPos: Int32Array;

  private readonly pivotTol: number;
  private readonly refactorTol: number;

  // Factors. L: unit lower, stored by columns without the diagonal, row indices in the original numbering.
  // U: by columns, row indices are pivot steps, stored in the topological order of the sparse solve.
  private Lp: Int32Array;
  private Li: Int32Array;
  private Lx: Float64Array;
  private Up: Int32Array;
  private Ui: Int32Array;
  private Ux: Float64Array;
  private readonly Udiag: Float64Array;
  /** pinv[i]: step at which row i became pivot row (-1: not yet); prow is its inverse. */
  private readonly pinv: Int32Array;
  private readonly prow: Int32Array;
  private valid = false;

  // Work arrays.
  private readonly x: Float64Array;
  private readonly z: Float64Array;
  private readonly mark: Int32Array;
  private readonly stack: Int32Array;
  private readonly pstack: Int32Array;
  private readonly topo: Int32Array;

  constructor(pattern: CsrPattern, options: SparseLuOptions = {}) {
    const n = patternSize(pattern);
    this.n = n;
    this.pivotTol = options.pivotTolerance ?? 0.1;
    this.refactorTol = options.refactorTolerance ?? 0.01;
    const { rowPtr, colIdx } = pattern;
    // Count entries per column of the augmented pattern.
    const hasDiag = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      for (let k = rowPtr[i]; k < rowPtr[i + 1]; k++) if (colIdx[k] === i) hasDiag[i] = 1;
    }
    const colPtr = new Int32Array(n + 1);
    for (let k = 0; k < colIdx.length; k++) colPtr[colIdx[k] + 1]++;
    for (let i = 0; i < n; i++) if (!hasDiag[i]) colPtr[i + 1]++;
    for (let j = 0; j < n; j++) colPtr[j + 1] += colPtr[j];
    const nnz = colPtr[n];
    const rowIdx = new Int32Array(nnz);
    const csrToCsc = new Int32Array(colIdx.length);
    const diagPos = new Int32Array(n);
    const next = colPtr.slice(0, n);
    // Rows in increasing order, so each column's row indices come out sorted.
    for (let i = 0; i < n; i++) {
      let diagDone = hasDiag[i] === 1;
      for (let k = rowPtr[i]; k < rowPtr[i + 1]; k++) {
        const j = colIdx[k];
        if (!diagDone && j > i) {
          const d = next[i]++;
          rowIdx[d] = i;
          diagPos[i] = d;
          diagDone = true;
        }
        const d = next[j]++;
        rowIdx[d] = i;
        csrToCsc[k] = d;
        if (j === i) diagPos[i] = d;
      }
      if (!diagDone) {
        const d = next[i]++;
        rowIdx[d] = i;
        diagPos[i] = d;
      }
    }
    this.colPtr = colPtr;
    this.rowIdx = rowIdx;
    this.values = new Float64Array(nnz);
    this.csrToCsc = csrToCsc;
    this.diagPos = diagPos;

    // The orderings symmetrise the pattern, so the column-compressed one (the transpose) serves as well.
    const csrAug = { rowPtr: colPtr, colIdx: rowIdx };
    const ordering = options.ordering ?? 'amd';
    this.q =
      ordering === 'natural'
        ? naturalOrdering(n)
        : ordering === 'minimum-degree'
          ? minimumDegreeOrdering(csrAug)
          : approximateMinimumDegreeOrdering(csrAug);

    const cap = Math.max(4 * nnz, 16);
    this.Lp = new Int32Array(n + 1);
    this.Li = new Int32Array(cap);
    this.Lx = new Float64Array(cap);
    this.Up = new Int32Array(n + 1);
    this.Ui = new Int32Array(cap);
    this.Ux = new Float64Array(cap);
    this.Udiag = new Float64Array(n);
    this.pinv = new Int32Array(n);
    this.prow = new Int32Array(n);
    this.x = new Float64Array(n);
    this.z = new Float64Array(n);
    this.mark = new Int32Array(n);
    this.stack = new Int32Array(n);
    this.pstack = new Int32Array(n);
    this.topo = new Int32Array(n);
  }

  /** Nonzeros of the factors (L without its unit diagonal; U with its diagonal), after a factorisation. */
  get nnzL(): number {
    return this.Lp[this.n];
  }

  get nnzU(): number {
    return this.Up[this.n] + this.n;
  }

  /**
   * Predicted multiply-adds of one factorisation with the chosen order, from a structural probe: the pattern is
   * filled with column-diagonally-dominant values (diagonal = column count + 1, off-diagonals 1), which Gaussian
   * elimination factors with diagonal pivots, and the flops of that factorisation are counted. The loaded values
   * are overwritten and the next `factor` starts afresh.
   */
  estimateWork(): number {
    const n = this.n;
    const { colPtr, values, diagPos } = this;
    values.fill(1);
    for (let j = 0; j < n; j++) values[diagPos[j]] = colPtr[j + 1] - colPtr[j] + 1;
    this.fullFactorizations--; // a probe, not a factorisation of the caller's matrix
    let work = Number.POSITIVE_INFINITY;
    if (this.factorFresh()) {
      work = 0;
      const { Lp, Up, Ui } = this;
      for (let k = 0; k < n; k++) {
        for (let p = Up[k]; p < Up[k + 1]; p++) {
          const j = Ui[p];
          work += Lp[j + 1] - Lp[j];
        }
        work += Lp[k + 1] - Lp[k]; // the scaling of column k of L
      }
    }
    this.valid = false;
    values.fill(0);
    return work;
  }

  /** Load A from values in the order of the CSR pattern given at construction (diagonal entries not in it: 0). */
  loadCsr(csrValues: Float64Array): void {
    const v = this.values;
    v.fill(0);
    const map = this.csrToCsc;
    for (let k = 0; k < map.length; k++) v[map[k]] = csrValues[k];
  }

  /** Load A = alpha * I - J, J given as values in the order of the CSR pattern. */
  loadShifted(alpha: number, jValues: Float64Array): void {
    const v = this.values;
    v.fill(0);
    const map = this.csrToCsc;
    for (let k = 0; k < map.length; k++) v[map[k]] = -jValues[k];
    const dp = this.diagPos;
    for (let i = 0; i < this.n; i++) v[dp[i]] += alpha;
  }

  /**
   * Factor the loaded values: a refactorisation with the previous pivots when there are any and they are still
   * acceptable, else a full factorisation. False if A is (numerically) singular.
   */
  factor(): boolean {
    if (this.valid && this.refactor()) return true;
    return this.factorFresh();
  }

  /** Full factorisation with threshold partial pivoting (Gilbert-Peierls). False if singular. */
  factorFresh(): boolean {
    this.fullFactorizations++;
    this.valid = false;
    const n = this.n;
    const { colPtr, rowIdx, values, q, pinv, prow, Udiag, x, mark, topo } = this;
    pinv.fill(-1);
    mark.fill(0);
    const Lp = this.Lp;
    const Up = this.Up;
    Lp[0] = 0;
    Up[0] = 0;
    let lnz = 0;
    let unz = 0;
    const tol = this.pivotTol;
    for (let k = 0; k < n; k++) {
      if (lnz + n > this.Li.length) this.growL(lnz + n);
      if (unz + n > this.Ui.length) this.growU(unz + n);
      const Li = this.Li;
      const Lx = this.Lx;
      const Ui = this.Ui;
      const Ux = this.Ux;
      const col = q[k];
      const stamp = k + 1;
      // Pattern of x = L \ A(:, col): the nodes reachable from A's nonzeros, in topological order.
      let top = n;
      for (let p = colPtr[col]; p < colPtr[col + 1]; p++) {
        const i = rowIdx[p];
        if (mark[i] !== stamp) top = this.reach(i, stamp, top);
      }
      for (let p = colPtr[col]; p < colPtr[col + 1]; p++) x[rowIdx[p]] = values[p];
      for (let t = top; t < n; t++) {
        const i = topo[t];
        const j = pinv[i];
        if (j < 0) continue;
        const uij = x[i];
        Ui[unz] = j;
        Ux[unz++] = uij;
        if (uij !== 0) {
          const p1 = Lp[j + 1];
          for (let p = Lp[j]; p < p1; p++) x[Li[p]] -= Lx[p] * uij;
        }
      }
      // Threshold partial pivoting, preferring the diagonal (row `col`).
      let ipiv = -1;
      let amax = -1;
      for (let t = top; t < n; t++) {
        const i = topo[t];
        if (pinv[i] >= 0) continue;
        const a = Math.abs(x[i]);
        if (a > amax || Number.isNaN(a)) {
          amax = a;
          ipiv = i;
        }
      }
      if (ipiv < 0 || !(amax > 0) || !Number.isFinite(amax)) {
        for (let t = top; t < n; t++) x[topo[t]] = 0;
        return false;
      }
      if (mark[col] === stamp && pinv[col] < 0 && Math.abs(x[col]) >= tol * amax) ipiv = col;
      const piv = x[ipiv];
      Udiag[k] = piv;
      pinv[ipiv] = k;
      prow[k] = ipiv;
      const inv = 1 / piv;
      for (let t = top; t < n; t++) {
        const i = topo[t];
        if (pinv[i] < 0) {
          Li[lnz] = i;
          Lx[lnz++] = x[i] * inv;
        }
        x[i] = 0;
      }
      Lp[k + 1] = lnz;
      Up[k + 1] = unz;
    }
    this.valid = true;
    return true;
  }

  /**
   * Depth-first search from row i in the graph whose edges go from a pivot row to the rows of its column of L
   * (non-recursive). Finished nodes are pushed onto `topo` from the back, so topo[top..n) ends in topological
   * order. Returns the new top.
   */
  private reach(start: number, stamp: number, top0: number): number {
    const { mark, stack, pstack, pinv, topo } = this;
    const Lp = this.Lp;
    const Li = this.Li;
    let top = top0;
    let sp = 0;
    stack[0] = start;
    mark[start] = stamp;
    pstack[0] = pinv[start] >= 0 ? Lp[pinv[start]] : 0;
    while (sp >= 0) {
      const i = stack[sp];
      const j = pinv[i];
      let descended = false;
      if (j >= 0) {
        const end = Lp[j + 1];
        for (let p = pstack[sp]; p < end; p++) {
          const r = Li[p];
          if (mark[r] !== stamp) {
            mark[r] = stamp;
            pstack[sp] = p + 1;
            sp++;
            stack[sp] = r;
            pstack[sp] = pinv[r] >= 0 ? Lp[pinv[r]] : 0;
            descended = true;
            break;
          }
        }
      }
      if (!descended) {
        sp--;
        topo[--top] = i;
      }
    }
    return top;
  }

  /** Numeric refactorisation with the stored pivots and patterns; false if a pivot became unacceptable. */
  private refactor(): boolean {
    const n = this.n;
    const { colPtr, rowIdx, values, q, prow, Udiag, x, Lp, Li, Lx, Up, Ui, Ux } = this;
    const tol = this.refactorTol;
    for (let k = 0; k < n; k++) {
      const col = q[k];
      for (let p = colPtr[col]; p < colPtr[col + 1]; p++) x[rowIdx[p]] = values[p];
      const u1 = Up[k + 1];
      for (let p = Up[k]; p < u1; p++) {
        const j = Ui[p];
        const r = prow[j];
        const uij = x[r];
        x[r] = 0;
        Ux[p] = uij;
        if (uij !== 0) {
          const s1 = Lp[j + 1];
          for (let s = Lp[j]; s < s1; s++) x[Li[s]] -= Lx[s] * uij;
        }
      }
      const pr = prow[k];
      const piv = x[pr];
      x[pr] = 0;
      const l0 = Lp[k];
      const l1 = Lp[k + 1];
      let amax = 0;
      for (let p = l0; p < l1; p++) {
        const a = Math.abs(x[Li[p]]);
        if (a > amax) amax = a;
      }
      const ap = Math.abs(piv);
      if (!(ap > 0) || !Number.isFinite(ap) || ap < tol * amax || !Number.isFinite(amax)) {
        for (let p = l0; p < l1; p++) x[Li[p]] = 0;
        this.valid = false;
        return false;
      }
      Udiag[k] = piv;
      const inv = 1 / piv;
      for (let p = l0; p < l1; p++) {
        const i = Li[p];
        Lx[p] = x[i] * inv;
        x[i] = 0;
      }
    }
    this.refactorizations++;
    return true;
  }

  /** Solve A x = b in place with the last factorisation. */
  solve(b: Float64Array): void {
    const n = this.n;
    const { z, prow, q, Udiag, Lp, Li, Lx, Up, Ui, Ux } = this;
    // L z = P b, with b as the work vector in the original row numbering.
    for (let k = 0; k < n; k++) {
      const zk = b[prow[k]];
      z[k] = zk;
      if (zk !== 0) for (let p = Lp[k]; p < Lp[k + 1]; p++) b[Li[p]] -= Lx[p] * zk;
    }
    // U y = z, by columns.
    for (let k = n - 1; k >= 0; k--) {
      const yk = z[k] / Udiag[k];
      z[k] = yk;
      if (yk !== 0) for (let p = Up[k]; p < Up[k + 1]; p++) z[Ui[p]] -= Ux[p] * yk;
    }
    for (let k = 0; k < n; k++) b[q[k]] = z[k];
  }

  private growL(min: number): void {
    const cap = Math.max(min, 2 * this.Li.length);
    const li = new Int32Array(cap);
    li.set(this.Li);
    this.Li = li;
    const lx = new Float64Array(cap);
    lx.set(this.Lx);
    this.Lx = lx;
  }

  private growU(min: number): void {
    const cap = Math.max(min, 2 * this.Ui.length);
    const ui = new Int32Array(cap);
    ui.set(this.Ui);
    this.Ui = ui;
    const ux = new Float64Array(cap);
    ux.set(this.Ux);
    this.Ux = ux;
  }
}

export function createSparseLu(pattern: CsrPattern, options?: SparseLuOptions): SparseLu {
  return new SparseLu(pattern, options);
}
