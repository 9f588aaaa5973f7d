/**
 * The right-hand side as one generated function. Assignment-rule values, concentrations and rates are
 * shared subexpressions of the lowered DAG, so each is computed once per call, in dependency order (the
 * emitter writes a node after its children, which is a topological order of the rules). No allocation.
 */
import type { Expr } from '../../numerics/expr/ast.js';
import { buildFunction, Emitter } from '../../numerics/expr/codegen.js';
import { loweredResolver } from './lower.js';

export type ModelRhs = (t: number, y: Float64Array, p: Float64Array, dy: Float64Array) => void;
export type ModelVectorFn = (t: number, y: Float64Array, p: Float64Array, out: Float64Array) => void;

/** `(t, y, p, out)` writing out[k] = exprs[k] (lowered expressions). */
export function buildVectorFunction(exprs: readonly Expr[], outName = 'out'): ModelVectorFn {
  const em = new Emitter(loweredResolver);
  const codes = exprs.map((e) => em.value(e));
  codes.forEach((v, k) => em.statement(`${outName}[${k}] = ${v};`));
  return buildFunction(['t', 'y', 'p', outName], em.body()) as ModelVectorFn;
}

/** `(t, y, p) => number` for one lowered expression. */
export function buildScalarFunction(expr: Expr): (t: number, y: Float64Array, p: Float64Array) => number {
  const em = new Emitter(loweredResolver);
  const v = em.value(expr);
  em.statement(`return ${v};`);
  return buildFunction(['t', 'y', 'p'], em.body()) as (t: number, y: Float64Array, p: Float64Array) => number;
}

export function buildRhs(derivatives: readonly Expr[]): ModelRhs {
  return buildVectorFunction(derivatives, 'dy');
}
