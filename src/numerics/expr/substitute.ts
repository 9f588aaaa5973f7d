/** Replacing symbols by expressions. Expressions have no binders, so substitution cannot capture. */
import type { Expr, Op } from './ast.js';

/**
 * Rebuild `expr` with every symbol for which `lookup` returns an expression replaced by it. Unchanged
 * subtrees are returned as the same objects, and shared subtrees stay shared (results are memoised by node
 * identity), so substituting into a DAG costs time linear in its number of distinct nodes.
 */
export function substitute(
  expr: Expr,
  lookup: (name: string) => Expr | undefined,
  memo: Map<Expr, Expr> = new Map(),
): Expr {
  const go = (e: Expr): Expr => {
    const hit = memo.get(e);
    if (hit) return hit;
    let out: Expr = e;
    switch (e.kind) {
      case 'sym':
        out = lookup(e.name) ?? e;
        break;
      case 'call':
      case 'apply': {
        const args = e.args.map(go);
        if (args.some((a, i) => a !== e.args[i])) out = { ...e, args };
        break;
      }
      case 'piecewise': {
        const pieces = e.pieces.map((p) => ({ value: go(p.value), condition: go(p.condition) }));
        const otherwise = e.otherwise ? go(e.otherwise) : undefined;
        const changed =
          otherwise !== e.otherwise ||
          pieces.some((p, i) => p.value !== e.pieces[i].value || p.condition !== e.pieces[i].condition);
        if (changed) out = { ...e, pieces, otherwise };
        break;
      }
      default:
        break;
    }
    memo.set(e, out);
    return out;
  };
  return go(expr);
}

/** Substitute from a map of names. */
export function substituteMap(expr: Expr, map: ReadonlyMap<string, Expr>): Expr {
  return substitute(expr, (name) => map.get(name));
}

/** Replace every call of `op` (innermost first) by `replace(args)`. */
export function substituteCalls(expr: Expr, op: Op, replace: (args: readonly Expr[]) => Expr): Expr {
  const memo = new Map<Expr, Expr>();
  const go = (e: Expr): Expr => {
    const hit = memo.get(e);
    if (hit) return hit;
    let out: Expr = e;
    if (e.kind === 'call' || e.kind === 'apply') {
      const args = e.args.map(go);
      if (e.kind === 'call' && e.op === op) out = replace(args);
      else if (args.some((a, i) => a !== e.args[i])) out = { ...e, args };
    } else if (e.kind === 'piecewise') {
      out = {
        ...e,
        pieces: e.pieces.map((p) => ({ value: go(p.value), condition: go(p.condition) })),
        otherwise: e.otherwise ? go(e.otherwise) : undefined,
      };
    }
    memo.set(e, out);
    return out;
  };
  return go(expr);
}
