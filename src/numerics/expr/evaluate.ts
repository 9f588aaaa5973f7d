/**
 * A reference tree-walking evaluator. Slow but obviously correct; the code generator is tested against it,
 * and the simplifier uses it for constant folding.
 *
 * Conventions (shared with the generated code): booleans are 1 and 0; a number used as a condition is true
 * when it is not 0 (so NaN counts as true, as in C); relational operators with more than two arguments are
 * chains (lt(a, b, c) is a < b && b < c, neq(a, b, c) is a != b && b != c); and() is 1, or() and xor() are 0;
 * a piecewise with no true condition and no otherwise is NaN.
 */
import type { Expr, Op } from './ast.js';
import { AVOGADRO, factorial, logBase, root } from './runtime.js';

export interface EvalContext {
  /** Value of a symbol; throw for unknown names. */
  readonly symbol: (name: string) => number;
  /** Simulation time (default 0). */
  readonly time?: number;
  /** Function definitions by id, for `apply` nodes. */
  readonly functions?: ReadonlyMap<string, { readonly args: readonly string[]; readonly body: Expr }>;
}

/** Evaluate an expression. */
export function evaluate(expr: Expr, ctx: EvalContext): number {
  switch (expr.kind) {
    case 'num':
      return expr.value;
    case 'sym':
      return ctx.symbol(expr.name);
    case 'time':
      return ctx.time ?? 0;
    case 'avogadro':
      return AVOGADRO;
    case 'piecewise': {
      for (const piece of expr.pieces)
        if (evaluate(piece.condition, ctx) !== 0) return evaluate(piece.value, ctx);
      return expr.otherwise ? evaluate(expr.otherwise, ctx) : NaN;
    }
    case 'apply': {
      const fn = ctx.functions?.get(expr.fn);
      if (!fn) throw new Error(`evaluate: unknown function '${expr.fn}'`);
      if (fn.args.length !== expr.args.length)
        throw new Error(
          `evaluate: function '${expr.fn}' takes ${fn.args.length} arguments, got ${expr.args.length}`,
        );
      const values = expr.args.map((a) => evaluate(a, ctx));
      const local = new Map(fn.args.map((name, i) => [name, values[i]]));
      return evaluate(fn.body, {
        ...ctx,
        symbol: (name) => {
          const v = local.get(name);
          return v === undefined ? ctx.symbol(name) : v;
        },
      });
    }
    case 'call': {
      if (expr.op === 'delay' || expr.op === 'rateOf')
        throw new Error(`evaluate: '${expr.op}' needs simulation history and is not supported here`);
      return applyOp(
        expr.op,
        expr.args.map((a) => evaluate(a, ctx)),
      );
    }
  }
}

const truthy = (x: number): boolean => x !== 0;
const b = (x: boolean): number => (x ? 1 : 0);

function chain(args: readonly number[], rel: (x: number, y: number) => boolean): number {
  for (let i = 0; i + 1 < args.length; i++) if (!rel(args[i], args[i + 1])) return 0;
  return 1;
}

function arity(op: Op, args: readonly number[], n: number): void {
  if (args.length !== n)
    throw new Error(`'${op}' takes ${n} argument${n === 1 ? '' : 's'}, got ${args.length}`);
}

/** The value of a built-in operator on numeric arguments (not `delay` or `rateOf`). */
export function applyOp(op: Op, a: readonly number[]): number {
  switch (op) {
    case 'plus': {
      let s = 0;
      for (let i = 0; i < a.length; i++) s = i === 0 ? a[0] : s + a[i];
      return s;
    }
    case 'times': {
      let s = 1;
      for (let i = 0; i < a.length; i++) s = i === 0 ? a[0] : s * a[i];
      return s;
    }
    case 'minus':
      if (a.length === 1) return -a[0];
      arity(op, a, 2);
      return a[0] - a[1];
    case 'divide':
      arity(op, a, 2);
      return a[0] / a[1];
    case 'power':
      arity(op, a, 2);
      return a[0] ** a[1];
    case 'exp':
      return Math.exp(a[0]);
    case 'ln':
      return Math.log(a[0]);
    case 'log10':
      return Math.log10(a[0]);
    case 'log':
      return a.length === 1 ? Math.log10(a[0]) : logBase(a[0], a[1]);
    case 'sqrt':
      return Math.sqrt(a[0]);
    case 'root':
      return a.length === 1 ? Math.sqrt(a[0]) : root(a[0], a[1]);
    case 'abs':
      return Math.abs(a[0]);
    case 'floor':
      return Math.floor(a[0]);
    case 'ceiling':
      return Math.ceil(a[0]);
    case 'factorial':
      return factorial(a[0]);
    case 'min':
      return Math.min(...a);
    case 'max':
      return Math.max(...a);
    case 'rem':
      arity(op, a, 2);
      return a[0] % a[1];
    case 'quotient':
      arity(op, a, 2);
      return Math.trunc(a[0] / a[1]);
    case 'sin':
      return Math.sin(a[0]);
    case 'cos':
      return Math.cos(a[0]);
    case 'tan':
      return Math.tan(a[0]);
    case 'sec':
      return 1 / Math.cos(a[0]);
    case 'csc':
      return 1 / Math.sin(a[0]);
    case 'cot':
      return 1 / Math.tan(a[0]);
    case 'sinh':
      return Math.sinh(a[0]);
    case 'cosh':
      return Math.cosh(a[0]);
    case 'tanh':
      return Math.tanh(a[0]);
    case 'sech':
      return 1 / Math.cosh(a[0]);
    case 'csch':
      return 1 / Math.sinh(a[0]);
    case 'coth':
      return 1 / Math.tanh(a[0]);
    case 'arcsin':
      return Math.asin(a[0]);
    case 'arccos':
      return Math.acos(a[0]);
    case 'arctan':
      return Math.atan(a[0]);
    case 'arcsec':
      return Math.acos(1 / a[0]);
    case 'arccsc':
      return Math.asin(1 / a[0]);
    case 'arccot':
      return Math.atan(1 / a[0]);
    case 'arcsinh':
      return Math.asinh(a[0]);
    case 'arccosh':
      return Math.acosh(a[0]);
    case 'arctanh':
      return Math.atanh(a[0]);
    case 'arcsech':
      return Math.acosh(1 / a[0]);
    case 'arccsch':
      return Math.asinh(1 / a[0]);
    case 'arccoth':
      return Math.atanh(1 / a[0]);
    case 'eq':
      return chain(a, (x, y) => x === y);
    case 'neq':
      return chain(a, (x, y) => x !== y);
    case 'lt':
      return chain(a, (x, y) => x < y);
    case 'gt':
      return chain(a, (x, y) => x > y);
    case 'leq':
      return chain(a, (x, y) => x <= y);
    case 'geq':
      return chain(a, (x, y) => x >= y);
    case 'and':
      return b(a.every(truthy));
    case 'or':
      return b(a.some(truthy));
    case 'xor':
      return a.filter(truthy).length % 2;
    case 'not':
      return b(!truthy(a[0]));
    case 'implies':
      arity(op, a, 2);
      return b(!truthy(a[0]) || truthy(a[1]));
    case 'delay':
    case 'rateOf':
      throw new Error(`'${op}' cannot be evaluated from argument values`);
  }
}
