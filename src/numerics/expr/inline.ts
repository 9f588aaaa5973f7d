/** Inlining of user function definitions (SBML functionDefinition), done once at compile time. */
import type { Expr, SourceLoc } from './ast.js';
import { substitute } from './substitute.js';

export interface FunctionDef {
  readonly id: string;
  readonly args: readonly string[];
  readonly body: Expr;
  readonly loc?: SourceLoc;
}

const where = (loc?: SourceLoc): string =>
  loc ? ` (${loc.file ? `${loc.file}:` : ''}${loc.line}:${loc.column})` : '';

/**
 * Replace every `apply` node by the called function's body with its arguments substituted (after inlining
 * the arguments themselves). Function bodies may call earlier functions; recursion is an error, as are
 * unknown functions and wrong argument counts. Bodies are inlined once per function and reused.
 */
export function inlineFunctions(expr: Expr, functions: readonly FunctionDef[]): Expr {
  return makeInliner(functions)(expr);
}

/** A reusable inliner for many expressions of one model. */
export function makeInliner(functions: readonly FunctionDef[]): (expr: Expr) => Expr {
  const byId = new Map(functions.map((f) => [f.id, f]));
  const expanded = new Map<string, Expr>();
  const inProgress: string[] = [];

  const body = (id: string, loc?: SourceLoc): FunctionDef & { body: Expr } => {
    const f = byId.get(id);
    if (!f) throw new Error(`unknown function '${id}'${where(loc)}`);
    let b = expanded.get(id);
    if (!b) {
      if (inProgress.includes(id))
        throw new Error(
          `function definitions are recursive: ${[...inProgress, id].join(' -> ')}${where(f.loc)}`,
        );
      inProgress.push(id);
      b = inline(f.body);
      inProgress.pop();
      expanded.set(id, b);
    }
    return { ...f, body: b };
  };

  const inline = (e: Expr): Expr => {
    const memo = new Map<Expr, Expr>();
    const go = (x: Expr): Expr => {
      const hit = memo.get(x);
      if (hit) return hit;
      let out: Expr = x;
      if (x.kind === 'apply') {
        const f = body(x.fn, x.loc);
        if (f.args.length !== x.args.length)
          throw new Error(
            `function '${x.fn}' takes ${f.args.length} argument(s) but is called with ${x.args.length}${where(x.loc)}`,
          );
        const args = x.args.map(go);
        const map = new Map(f.args.map((a, i) => [a, args[i]]));
        out = substitute(f.body, (name) => map.get(name));
      } else if (x.kind === 'call') {
        const args = x.args.map(go);
        if (args.some((a, i) => a !== x.args[i])) out = { ...x, args };
      } else if (x.kind === 'piecewise') {
        const pieces = x.pieces.map((p) => ({ value: go(p.value), condition: go(p.condition) }));
        out = { ...x, pieces, otherwise: x.otherwise ? go(x.otherwise) : undefined };
      }
      memo.set(x, out);
      return out;
    };
    return go(e);
  };
  return inline;
}
