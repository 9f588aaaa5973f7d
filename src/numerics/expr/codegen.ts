/**
 * JavaScript code generation for expressions.
 *
 * Expressions become straight-line code in a function built with `new Function`, which V8 compiles like any
 * hand-written function: symbols are resolved at generation time to array reads (`y[3]`, `p[7]`) or locals,
 * every operator node is computed once into a `const` local, and structurally identical nodes share one
 * local (hash-consing on the generated text of the node), so common subexpressions within one generated
 * function - the same Michaelis-Menten denominator in two rate laws, a rate used by several equations, a
 * derivative shared by several Jacobian entries - are evaluated once.
 *
 * Piecewise branches are therefore evaluated eagerly before the selection. That is safe (JavaScript
 * arithmetic never throws; a NaN in an unselected branch is discarded) and keeps the code branch-free
 * except for conditional expressions.
 *
 * Semantics are those of the reference evaluator (`evaluate.ts`): relations and logic yield 1/0, relational
 * chains with more than two operands, a number is a true condition when it is not 0, factorial/root/log(b, x)
 * use the shared helpers in `runtime.ts`, and sec, csc, cot and the inverse hyperbolic secant, cosecant and
 * cotangent are written out as 1/cos(x), acosh(1/x) and so on.
 */
import type { Expr, Op } from './ast.js';
import { AVOGADRO, factorial, logBase, root } from './runtime.js';

/** A JavaScript literal for a number (parenthesised when negative). */
export function numberLiteral(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '(-Infinity)';
  if (Object.is(v, -0)) return '(-0)';
  return v < 0 ? `(${String(v)})` : String(v);
}

const UNARY_MATH: Partial<Record<Op, string>> = {
  exp: 'Math.exp',
  ln: 'Math.log',
  log10: 'Math.log10',
  sqrt: 'Math.sqrt',
  abs: 'Math.abs',
  floor: 'Math.floor',
  ceiling: 'Math.ceil',
  sin: 'Math.sin',
  cos: 'Math.cos',
  tan: 'Math.tan',
  sinh: 'Math.sinh',
  cosh: 'Math.cosh',
  tanh: 'Math.tanh',
  arcsin: 'Math.asin',
  arccos: 'Math.acos',
  arctan: 'Math.atan',
  arcsinh: 'Math.asinh',
  arccosh: 'Math.acosh',
  arctanh: 'Math.atanh',
  factorial: '$fact',
};

/** Reciprocal-argument or reciprocal-result functions written out. */
const RECIPROCAL: Partial<Record<Op, (x: string) => string>> = {
  sec: (x) => `1 / Math.cos(${x})`,
  csc: (x) => `1 / Math.sin(${x})`,
  cot: (x) => `1 / Math.tan(${x})`,
  sech: (x) => `1 / Math.cosh(${x})`,
  csch: (x) => `1 / Math.sinh(${x})`,
  coth: (x) => `1 / Math.tanh(${x})`,
  arcsec: (x) => `Math.acos(1 / ${x})`,
  arccsc: (x) => `Math.asin(1 / ${x})`,
  arccot: (x) => `Math.atan(1 / ${x})`,
  arcsech: (x) => `Math.acosh(1 / ${x})`,
  arccsch: (x) => `Math.asinh(1 / ${x})`,
  arccoth: (x) => `Math.atanh(1 / ${x})`,
};

const RELATION: Partial<Record<Op, string>> = {
  eq: '===',
  neq: '!==',
  lt: '<',
  gt: '>',
  leq: '<=',
  geq: '>=',
};
const LOGIC = new Set<Op>(['and', 'or', 'xor', 'not', 'implies']);

/** Is this node boolean-valued by construction (a relation or a logical operator)? */
export const isBooleanNode = (e: Expr): boolean =>
  e.kind === 'call' && (RELATION[e.op] !== undefined || LOGIC.has(e.op));

function arity(op: Op, args: readonly string[], ...allowed: number[]): void {
  if (!allowed.includes(args.length))
    throw new Error(`'${op}' takes ${allowed.join(' or ')} argument(s), got ${args.length}`);
}

/**
 * Emits straight-line code for expressions into `lines`. One emitter is one function body: temporaries are
 * shared by every expression emitted through it.
 */
export class Emitter {
  readonly lines: string[] = [];
  private readonly memo = new Map<Expr, string>();
  private readonly condMemo = new Map<Expr, string>();
  private readonly byKey = new Map<string, string>();
  private count = 0;

  /**
   * @param resolve JavaScript code reading a symbol (throw for unknown names).
   * @param timeName name of the time variable in the generated function.
   * @param prefix prefix of the temporaries (distinct per emitter if bodies are concatenated).
   */
  constructor(
    private readonly resolve: (name: string) => string,
    private readonly timeName = 't',
    private readonly prefix = 'v',
  ) {}

  /** Add a statement to the body. */
  statement(code: string): void {
    this.lines.push(code);
  }

  /** Body text so far. */
  body(): string {
    return this.lines.join('\n');
  }

  private temp(code: string): string {
    const hit = this.byKey.get(code);
    if (hit) return hit;
    const name = `${this.prefix}${this.count++}`;
    this.lines.push(`const ${name} = ${code};`);
    this.byKey.set(code, name);
    return name;
  }

  /** Code of a numeric value (a literal, a symbol read or a temporary). */
  value(e: Expr): string {
    const hit = this.memo.get(e);
    if (hit !== undefined) return hit;
    const out = this.valueOf(e);
    this.memo.set(e, out);
    return out;
  }

  /** Code of a JavaScript boolean (for conditions). */
  condition(e: Expr): string {
    const hit = this.condMemo.get(e);
    if (hit !== undefined) return hit;
    let out: string;
    if (e.kind === 'num') out = e.value !== 0 ? 'true' : 'false';
    else if (isBooleanNode(e)) out = this.temp(this.booleanCode(e as Expr & { kind: 'call' }));
    else out = `(${this.value(e)} !== 0)`;
    this.condMemo.set(e, out);
    return out;
  }

  private booleanCode(e: { op: Op; args: readonly Expr[] }): string {
    const rel = RELATION[e.op];
    if (rel) {
      const a = e.args.map((x) => this.value(x));
      if (a.length < 2) throw new Error(`'${e.op}' needs at least 2 arguments, got ${a.length}`);
      const parts: string[] = [];
      for (let i = 0; i + 1 < a.length; i++) parts.push(`${a[i]} ${rel} ${a[i + 1]}`);
      return parts.join(' && ');
    }
    const c = e.args.map((x) => this.condition(x));
    switch (e.op) {
      case 'and':
        return c.length === 0 ? 'true' : c.join(' && ');
      case 'or':
        return c.length === 0 ? 'false' : c.join(' || ');
      case 'xor':
        return c.length === 0 ? 'false' : `(${c.map((x) => `(${x} ? 1 : 0)`).join(' + ')}) % 2 === 1`;
      case 'not':
        arity(e.op, c, 1);
        return `!${c[0]}`;
      case 'implies':
        arity(e.op, c, 2);
        return `!${c[0]} || ${c[1]}`;
      default:
        throw new Error(`internal: '${e.op}' is not boolean`);
    }
  }

  private valueOf(e: Expr): string {
    switch (e.kind) {
      case 'num':
        return numberLiteral(e.value);
      case 'sym':
        return this.resolve(e.name);
      case 'time':
        return this.timeName;
      case 'avogadro':
        return numberLiteral(AVOGADRO);
      case 'apply':
        throw new Error(`code generation: function '${e.fn}' must be inlined first`);
      case 'piecewise': {
        const parts: string[] = [];
        // Conditions first, then values, all hoisted; then one conditional expression.
        const conds = e.pieces.map((p) => this.condition(p.condition));
        const vals = e.pieces.map((p) => this.value(p.value));
        const other = e.otherwise ? this.value(e.otherwise) : 'NaN';
        for (let i = 0; i < conds.length; i++) parts.push(`${conds[i]} ? ${vals[i]} : `);
        return this.temp(`${parts.join('')}${other}`);
      }
      case 'call': {
        if (isBooleanNode(e)) return this.temp(`${this.condition(e)} ? 1 : 0`);
        return this.temp(this.callCode(e.op, e.args));
      }
    }
  }

  private callCode(op: Op, args: readonly Expr[]): string {
    if (op === 'delay' || op === 'rateOf')
      throw new Error(`code generation: '${op}' must be resolved by the model compiler`);
    const a = args.map((x) => this.value(x));
    const fn = UNARY_MATH[op];
    if (fn) {
      arity(op, a, 1);
      return `${fn}(${a[0]})`;
    }
    const rec = RECIPROCAL[op];
    if (rec) {
      arity(op, a, 1);
      return rec(a[0]);
    }
    switch (op) {
      case 'plus':
        return a.length === 0 ? '0' : a.join(' + ');
      case 'times':
        return a.length === 0 ? '1' : a.join(' * ');
      case 'minus':
        arity(op, a, 1, 2);
        return a.length === 1 ? `-${a[0]}` : `${a[0]} - ${a[1]}`;
      case 'divide':
        arity(op, a, 2);
        return `${a[0]} / ${a[1]}`;
      case 'power':
        arity(op, a, 2);
        // x^2 as x * x: one correctly rounded product, which is what V8's Math.pow(x, 2) returns too.
        if (a[1] === '2') return `${a[0]} * ${a[0]}`;
        return `Math.pow(${a[0]}, ${a[1]})`;
      case 'log':
        arity(op, a, 1, 2);
        return a.length === 1 ? `Math.log10(${a[0]})` : `$logb(${a[0]}, ${a[1]})`;
      case 'root':
        arity(op, a, 1, 2);
        return a.length === 1 ? `Math.sqrt(${a[0]})` : `$root(${a[0]}, ${a[1]})`;
      case 'min':
        return `Math.min(${a.join(', ')})`;
      case 'max':
        return `Math.max(${a.join(', ')})`;
      case 'rem':
        arity(op, a, 2);
        return `${a[0]} % ${a[1]}`;
      case 'quotient':
        arity(op, a, 2);
        return `Math.trunc(${a[0]} / ${a[1]})`;
      default:
        throw new Error(`code generation: unsupported operator '${op}'`);
    }
  }
}

/**
 * Build a function from parameter names and a body. The runtime helpers `$fact`, `$root`, `$logb` are in
 * scope. The body runs in strict mode.
 */
// biome-ignore lint/complexity/noBannedTypes: generated functions are typed by their callers
export function buildFunction(params: readonly string[], body: string): Function {
  const factory = new Function(
    '$fact',
    '$root',
    '$logb',
    `"use strict";\nreturn function generated(${params.join(', ')}) {\n${body}\n};`,
  );
  return factory(factorial, root, logBase);
}

export interface ExprLayout {
  /** Symbols read from the `y` argument, by index. */
  readonly y?: readonly string[];
  /** Symbols read from the `p` argument, by index. */
  readonly p?: readonly string[];
}

export type CompiledExpr = (t: number, y: ArrayLike<number>, p: ArrayLike<number>) => number;

/** A resolver for a y/p layout that throws on unknown symbols. */
export function layoutResolver(layout: ExprLayout): (name: string) => string {
  const map = new Map<string, string>();
  (layout.p ?? []).forEach((s, j) => map.set(s, `p[${j}]`));
  (layout.y ?? []).forEach((s, i) => map.set(s, `y[${i}]`));
  return (name) => {
    const code = map.get(name);
    if (code === undefined) throw new Error(`unknown symbol '${name}'`);
    return code;
  };
}

/** Compile one expression to `(t, y, p) => number`. */
export function compileExpr(expr: Expr, layout: ExprLayout = {}): CompiledExpr {
  const em = new Emitter(layoutResolver(layout));
  const v = em.value(expr);
  em.statement(`return ${v};`);
  return buildFunction(['t', 'y', 'p'], em.body()) as CompiledExpr;
}

/** Compile several expressions to `(t, y, p, out) => void` writing out[k]; subexpressions are shared. */
export function compileVector(
  exprs: readonly Expr[],
  layout: ExprLayout = {},
): (t: number, y: ArrayLike<number>, p: ArrayLike<number>, out: Float64Array) => void {
  const em = new Emitter(layoutResolver(layout));
  const vals = exprs.map((e) => em.value(e));
  vals.forEach((v, k) => em.statement(`out[${k}] = ${v};`));
  return buildFunction(['t', 'y', 'p', 'out'], em.body()) as (
    t: number,
    y: ArrayLike<number>,
    p: ArrayLike<number>,
    out: Float64Array,
  ) => void;
}
