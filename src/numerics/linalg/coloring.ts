/**
 * Column grouping for finite-difference Jacobians (Curtis, Powell and Reid, "On the estimation of sparse
 * Jacobian matrices", J. Inst. Maths Applics 13, 1974): columns that share no row can be perturbed in the
 * same f evaluation. Finding such groups is colouring the column intersection graph (Coleman and Moré,
 * "Estimation of sparse Jacobian matrices and graph coloring problems", SIAM J. Numer. Anal. 20, 1983);
 * we use the sequential greedy colouring in natural column order, which is CPR's own algorithm and gives
 * the optimal kl + ku + 1 groups for a banded pattern.
 */
import { type CsrPattern, cscOf, patternSize } from './csr.js';

export interface ColumnColoring {
  /** Number of groups. */
  readonly colors: number;
  /** color[j] in [0, colors): the group of column j. */
  readonly color: Int32Array;
  /** Columns grouped by colour: groupPtr (length colors + 1) into groupCols. */
  readonly groupPtr: Int32Array;
  readonly groupCols: Int32Array;
}

export function colorColumns(p: CsrPattern): ColumnColoring {
  const n = patternSize(p);
  const csc = cscOf(p);
  const color = new Int32Array(n).fill(-1);
  // forbidden[c] === j + 1: colour c is used by a column sharing a row with column j.
  const forbidden = new Int32Array(n + 1);
  let colors = 0;
  for (let j = 0; j < n; j++) {
    for (let k = csc.colPtr[j]; k < csc.colPtr[j + 1]; k++) {
      const i = csc.rowIdx[k];
      for (let q = p.rowPtr[i]; q < p.rowPtr[i + 1]; q++) {
        const c = color[p.colIdx[q]];
        if (c >= 0) forbidden[c] = j + 1;
      }
    }
    let c = 0;
    while (forbidden[c] === j + 1) c++;
    color[j] = c;
    if (c + 1 > colors) colors = c + 1;
  }
  const groupPtr = new Int32Array(colors + 1);
  for (let j = 0; j < n; j++) groupPtr[color[j] + 1]++;
  for (let c = 0; c < colors; c++) groupPtr[c + 1] += groupPtr[c];
  const next = groupPtr.slice(0, colors);
  const groupCols = new Int32Array(n);
  for (let j = 0; j < n; j++) groupCols[next[color[j]]++] = j;
  return { colors, color, groupPtr, groupCols };
}

/** True if no two columns of the same colour have an entry in the same row. */
export function isValidColoring(p: CsrPattern, coloring: ColumnColoring): boolean {
  const n = patternSize(p);
  const seen = new Int32Array(coloring.colors).fill(-1);
  for (let i = 0; i < n; i++) {
    for (let q = p.rowPtr[i]; q < p.rowPtr[i + 1]; q++) {
      const c = coloring.color[p.colIdx[q]];
      if (seen[c] === i) return false;
      seen[c] = i;
    }
  }
  return true;
}
