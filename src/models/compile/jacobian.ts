/**
 * The Jacobian df/dy, dense row-major, from symbolic derivatives of the lowered right-hand side.
 *
 * Chain rule through assignment rules is by substitution: the lowered right-hand side already contains each
 * rule's formula as a shared node, and the derivative of a shared node is built once per variable (memoised)
 * and emitted once (hash-consed), so the cost stays linear in the DAG size. Entries whose derivative cannot
 * be formed symbolically (factorial of a state, ...) are filled by forward differences of the generated
 * right-hand side, column by column, only for the columns that need it.
 */
import type { Expr } from '../../numerics/expr/ast.js';
import { buildFunction, Emitter } from '../../numerics/expr/codegen.js';
import { differentiate, NotDifferentiableError } from '../../numerics/expr/differentiate.js';
import { freeSymbols } from '../../numerics/expr/free-symbols.js';
import { simplify } from '../../numerics/expr/simplify.js';
import { loweredResolver, stateIndexOf, stateName } from './lower.js';
import type { ModelRhs } from './rhs.js';

/** Sparsity pattern in compressed-row form: row i has columns colIdx[rowPtr[i] .. rowPtr[i+1]). */
export interface SparsityPattern {
  readonly n: number;
  readonly rowPtr: Int32Array;
  readonly colIdx: Int32Array;
}

export interface JacobianBuild {
  readonly jacobian: ModelRhs;
  readonly pattern: SparsityPattern;
  /** Number of entries computed by finite differences (0 when all are symbolic). */
  readonly fdEntries: number;
}

const SQRT_EPS = Math.sqrt(Number.EPSILON);

export function buildJacobian(derivatives: readonly Expr[], rhs: ModelRhs): JacobianBuild {
  const n = derivatives.length;
  const memos: Map<Expr, Expr>[] = Array.from({ length: n }, () => new Map());
  const simp = new Map<Expr, Expr>();
  const em = new Emitter(loweredResolver);
  const rows: number[][] = Array.from({ length: n }, () => []);
  const fd: [number, number][] = [];
  for (let i = 0; i < n; i++) {
    const cols = [...freeSymbols(derivatives[i])]
      .map(stateIndexOf)
      .filter((j) => j >= 0)
      .sort((a, b) => a - b);
    for (const j of cols) {
      let d: Expr;
      try {
        d = simplify(differentiate(derivatives[i], stateName(j), memos[j]), simp);
      } catch (err) {
        if (!(err instanceof NotDifferentiableError)) throw err;
        fd.push([i, j]);
        rows[i].push(j);
        continue;
      }
      if (d.kind === 'num' && d.value === 0) continue;
      rows[i].push(j);
      em.statement(`J[${i * n + j}] = ${em.value(d)};`);
    }
  }
  const rowPtr = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) rowPtr[i + 1] = rowPtr[i] + rows[i].length;
  const colIdx = Int32Array.from(rows.flat());
  const symbolic = buildFunction(['t', 'y', 'p', 'J'], `J.fill(0);\n${em.body()}`) as ModelRhs;
  if (fd.length === 0) return { jacobian: symbolic, pattern: { n, rowPtr, colIdx }, fdEntries: 0 };

  // Finite-difference fallback for the flagged entries, grouped by column.
  const fdCols = [...new Set(fd.map(([, j]) => j))].sort((a, b) => a - b);
  const fdRows = fdCols.map((j) => Int32Array.from(fd.filter(([, jj]) => jj === j).map(([i]) => i)));
  const f0 = new Float64Array(n);
  const f1 = new Float64Array(n);
  const jacobian: ModelRhs = (t, y, p, J) => {
    symbolic(t, y, p, J);
    rhs(t, y, p, f0);
    for (let c = 0; c < fdCols.length; c++) {
      const j = fdCols[c];
      const yj = y[j];
      y[j] = yj + SQRT_EPS * Math.max(Math.abs(yj), 1e-5);
      const h = y[j] - yj;
      rhs(t, y, p, f1);
      y[j] = yj;
      const rws = fdRows[c];
      for (let k = 0; k < rws.length; k++) {
        const i = rws[k];
        J[i * n + j] = (f1[i] - f0[i]) / h;
      }
    }
  };
  return { jacobian, pattern: { n, rowPtr, colIdx }, fdEntries: fd.length };
}
