/**
 * Compressed sparse row (CSR) patterns: row i owns column indices colIdx[rowPtr[i] .. rowPtr[i + 1]), strictly
 * increasing. A pattern carries no values; values live in a separate Float64Array of length nnz in the same
 * order ("pattern order"). Helpers here build the transposed (CSC) view and the pattern of a shifted matrix
 * alpha * I - J, which always needs the diagonal.
 */

export interface CsrPattern {
  /** Length n + 1; rowPtr[0] = 0, rowPtr[n] = nnz. */
  readonly rowPtr: Int32Array;
  /** Length nnz; column indices of each row, strictly increasing within the row. */
  readonly colIdx: Int32Array;
}

/** Number of rows (= columns; patterns here are square). */
export function patternSize(p: CsrPattern): number {
  return p.rowPtr.length - 1;
}

export function patternNnz(p: CsrPattern): number {
  return p.rowPtr[p.rowPtr.length - 1];
}

/** Throws unless `p` is a valid n x n CSR pattern with sorted, duplicate-free rows. */
export function validatePattern(p: CsrPattern, n: number): void {
  const { rowPtr, colIdx } = p;
  if (rowPtr.length !== n + 1)
    throw new Error(`sparsity: rowPtr has length ${rowPtr.length}, expected ${n + 1}`);
  if (rowPtr[0] !== 0 || rowPtr[n] !== colIdx.length) {
    throw new Error('sparsity: rowPtr[0] must be 0 and rowPtr[n] must equal colIdx.length');
  }
  for (let i = 0; i < n; i++) {
    const a = rowPtr[i];
    const b = rowPtr[i + 1];
    if (b < a) throw new Error(`sparsity: rowPtr decreases at row ${i}`);
    for (let p2 = a; p2 < b; p2++) {
      const j = colIdx[p2];
      if (!(j >= 0 && j < n)) throw new Error(`sparsity: column index ${j} out of range in row ${i}`);
      if (p2 > a && j <= colIdx[p2 - 1]) throw new Error(`sparsity: row ${i} is not strictly increasing`);
    }
  }
}

/** Build a CSR pattern from (row, col) pairs (duplicates merged, rows sorted). */
export function patternFromEntries(n: number, rows: ArrayLike<number>, cols: ArrayLike<number>): CsrPattern {
  const sets: number[][] = Array.from({ length: n }, () => []);
  for (let k = 0; k < rows.length; k++) sets[rows[k]].push(cols[k]);
  const rowPtr = new Int32Array(n + 1);
  const all: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = Array.from(new Set(sets[i])).sort((a, b) => a - b);
    for (const j of s) all.push(j);
    rowPtr[i + 1] = all.length;
  }
  return { rowPtr, colIdx: Int32Array.from(all) };
}

/** Pattern of a banded matrix (for tests and for comparing storage schemes). */
export function bandedPattern(n: number, lower: number, upper: number): CsrPattern {
  const rows: number[] = [];
  const cols: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = Math.max(0, i - lower); j <= Math.min(n - 1, i + upper); j++) {
      rows.push(i);
      cols.push(j);
    }
  }
  return patternFromEntries(n, rows, cols);
}

/**
 * Transpose of a CSR pattern, i.e. the same matrix in compressed sparse column form: column j owns row indices
 * rowIdx[colPtr[j] .. colPtr[j + 1]) (increasing), and `pos[k]` is the index in the CSR value array of the k-th
 * CSC entry, so CSC values can be gathered from CSR values without a search.
 */
export interface CscView {
  readonly colPtr: Int32Array;
  readonly rowIdx: Int32Array;
  readonly pos: Int32Array;
}

export function cscOf(p: CsrPattern): CscView {
  const n = patternSize(p);
  const nnz = patternNnz(p);
  const { rowPtr, colIdx } = p;
  const colPtr = new Int32Array(n + 1);
  for (let k = 0; k < nnz; k++) colPtr[colIdx[k] + 1]++;
  for (let j = 0; j < n; j++) colPtr[j + 1] += colPtr[j];
  const next = colPtr.slice(0, n);
  const rowIdx = new Int32Array(nnz);
  const pos = new Int32Array(nnz);
  for (let i = 0; i < n; i++) {
    for (let k = rowPtr[i]; k < rowPtr[i + 1]; k++) {
      const q = next[colIdx[k]]++;
      rowIdx[q] = i;
      pos[q] = k;
    }
  }
  return { colPtr, rowIdx, pos };
}

/** Dense row-major copy (n x n) of CSR values; for tests and for a dense back end fed a sparse Jacobian. */
export function scatterToDense(p: CsrPattern, values: Float64Array, out: Float64Array): void {
  const n = patternSize(p);
  out.fill(0, 0, n * n);
  const { rowPtr, colIdx } = p;
  for (let i = 0; i < n; i++) {
    const ro = i * n;
    for (let k = rowPtr[i]; k < rowPtr[i + 1]; k++) out[ro + colIdx[k]] = values[k];
  }
}

/** Gather the pattern entries of a dense row-major n x n matrix into CSR values. */
export function gatherFromDense(p: CsrPattern, dense: Float64Array, values: Float64Array): void {
  const n = patternSize(p);
  const { rowPtr, colIdx } = p;
  for (let i = 0; i < n; i++) {
    const ro = i * n;
    for (let k = rowPtr[i]; k < rowPtr[i + 1]; k++) values[k] = dense[ro + colIdx[k]];
  }
}

/** Smallest (lower, upper) bandwidth containing the pattern. */
export function patternBandwidth(p: CsrPattern): { lower: number; upper: number } {
  const n = patternSize(p);
  let lower = 0;
  let upper = 0;
  for (let i = 0; i < n; i++) {
    for (let k = p.rowPtr[i]; k < p.rowPtr[i + 1]; k++) {
      const d = p.colIdx[k] - i;
      if (d > upper) upper = d;
      if (-d > lower) lower = -d;
    }
  }
  return { lower, upper };
}
