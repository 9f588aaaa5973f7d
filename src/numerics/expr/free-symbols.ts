/** Structural queries on expression trees. */
import type { Expr, Op } from './ast.js';

/** Call `visit` on every node once (shared subtrees of a DAG are visited once). */
export function walk(expr: Expr, visit: (node: Expr) => void, seen: Set<Expr> = new Set()): void {
  if (seen.has(expr)) return;
  seen.add(expr);
  visit(expr);
  switch (expr.kind) {
    case 'call':
    case 'apply':
      for (const a of expr.args) walk(a, visit, seen);
      break;
    case 'piecewise':
      for (const p of expr.pieces) {
        walk(p.value, visit, seen);
        walk(p.condition, visit, seen);
      }
      if (expr.otherwise) walk(expr.otherwise, visit, seen);
      break;
    default:
      break;
  }
}

/** Names of the symbols an expression reads (function ids of `apply` nodes are not symbols). */
export function freeSymbols(expr: Expr, into: Set<string> = new Set()): Set<string> {
  walk(expr, (n) => {
    if (n.kind === 'sym') into.add(n.name);
  });
  return into;
}

/** True when some node is a call of `op`. */
export function containsOp(expr: Expr, op: Op): boolean {
  let found = false;
  walk(expr, (n) => {
    if (n.kind === 'call' && n.op === op) found = true;
  });
  return found;
}

/** True when the expression reads the simulation time. */
export function usesTime(expr: Expr): boolean {
  let found = false;
  walk(expr, (n) => {
    if (n.kind === 'time') found = true;
  });
  return found;
}

/** Ids of the user functions an expression calls. */
export function calledFunctions(expr: Expr, into: Set<string> = new Set()): Set<string> {
  walk(expr, (n) => {
    if (n.kind === 'apply') into.add(n.fn);
  });
  return into;
}
