/**
 * Symbolic differentiation of expression trees.
 *
 * Rules are the textbook ones; non-smooth functions get their derivative almost everywhere (abs: sign,
 * floor/ceiling/quotient: 0, min/max: the derivative of the selected argument, rem(a, b) = a - b*trunc(a/b):
 * a' - b' quotient(a, b)); relations and logic are piecewise constant (derivative 0); piecewise
 * differentiates each branch and keeps the conditions. Where no closed form is available (factorial of a
 * non-constant, a variable root degree, `delay`, `rateOf`) a `NotDifferentiableError` is thrown, so the
 * Jacobian compiler can fall back to finite differences for that entry.
 *
 * `time` and `avogadro` are constants unless the variable is `TIME_VARIABLE`, which differentiates with
 * respect to the time node itself (used to resolve `rateOf` of explicitly time-dependent rules).
 */
import type { Call, Expr, Op } from './ast.js';

/** Pass as `variable` to differentiate with respect to the `time` node. */
export const TIME_VARIABLE = '\u0000time';

export class NotDifferentiableError extends Error {
  constructor(
    message: string,
    readonly node: Expr,
  ) {
    super(message);
    this.name = 'NotDifferentiableError';
  }
}

// Small smart constructors that drop obvious zeros and ones so derivative trees stay small. They are exact:
// they only touch literal 0 and 1 factors, and a literal-0 derivative factor multiplies a finite chain-rule
// coefficient wherever the original expression is defined.
const ZERO: Expr = { kind: 'num', value: 0 };
const ONE: Expr = { kind: 'num', value: 1 };
const isNum = (e: Expr, v: number): boolean => e.kind === 'num' && e.value === v;
const n = (value: number): Expr => ({ kind: 'num', value });
const c = (op: Op, ...args: Expr[]): Call => ({ kind: 'call', op, args });

export const mul = (...xs: Expr[]): Expr => {
  if (xs.some((x) => isNum(x, 0))) return ZERO;
  const rest = xs.filter((x) => !isNum(x, 1));
  return rest.length === 0 ? ONE : rest.length === 1 ? rest[0] : c('times', ...rest);
};
export const add = (...xs: Expr[]): Expr => {
  const rest = xs.filter((x) => !isNum(x, 0));
  return rest.length === 0 ? ZERO : rest.length === 1 ? rest[0] : c('plus', ...rest);
};
export const sub = (a: Expr, b: Expr): Expr => (isNum(b, 0) ? a : isNum(a, 0) ? neg(b) : c('minus', a, b));
export const neg = (a: Expr): Expr => (isNum(a, 0) ? ZERO : a.kind === 'num' ? n(-a.value) : c('minus', a));
export const div = (a: Expr, b: Expr): Expr => (isNum(a, 0) ? ZERO : isNum(b, 1) ? a : c('divide', a, b));
const sq = (a: Expr): Expr => c('power', a, n(2));

/**
 * d expr / d variable. `memo` (keyed by node identity) may be shared between calls with the same variable so
 * that shared subtrees of a DAG, and the derivatives of rate laws used by many equations, are built once.
 */
export function differentiate(expr: Expr, variable: string, memo: Map<Expr, Expr> = new Map()): Expr {
  const d = (e: Expr): Expr => {
    const hit = memo.get(e);
    if (hit) return hit;
    const out = rule(e);
    memo.set(e, out);
    return out;
  };

  const rule = (e: Expr): Expr => {
    switch (e.kind) {
      case 'num':
      case 'avogadro':
        return ZERO;
      case 'time':
        return variable === TIME_VARIABLE ? ONE : ZERO;
      case 'sym':
        return e.name === variable ? ONE : ZERO;
      case 'apply':
        throw new Error(`differentiate: inline function '${e.fn}' first`);
      case 'piecewise': {
        const pieces = e.pieces.map((p) => ({ value: d(p.value), condition: p.condition }));
        const otherwise = e.otherwise ? d(e.otherwise) : undefined;
        if (pieces.every((p) => isNum(p.value, 0)) && (!otherwise || isNum(otherwise, 0))) return ZERO;
        // With no otherwise the original is NaN there; keep the derivative NaN too.
        return { kind: 'piecewise', pieces, otherwise: otherwise ?? n(NaN) };
      }
      case 'call':
        return callRule(e);
    }
  };

  const callRule = (e: Call): Expr => {
    const a = e.args;
    const u = a[0];
    const du = (): Expr => d(u);
    switch (e.op) {
      case 'plus':
        return add(...a.map(d));
      case 'minus':
        return a.length === 1 ? neg(d(u)) : sub(d(a[0]), d(a[1]));
      case 'times': {
        const terms: Expr[] = [];
        for (let i = 0; i < a.length; i++) {
          const di = d(a[i]);
          if (isNum(di, 0)) continue;
          terms.push(mul(...a.map((x, j) => (j === i ? di : x))));
        }
        return add(...terms);
      }
      case 'divide': {
        const [f, g] = a;
        const df = d(f);
        const dg = d(g);
        return sub(div(df, g), div(mul(f, dg), sq(g)));
      }
      case 'power': {
        const [f, g] = a;
        const df = d(f);
        const dg = d(g);
        if (isNum(dg, 0)) {
          if (isNum(df, 0)) return ZERO;
          if (g.kind === 'num') {
            if (g.value === 0) return ZERO;
            if (g.value === 1) return df;
            if (g.value === 2) return mul(n(2), f, df);
            return mul(g, c('power', f, n(g.value - 1)), df);
          }
          return mul(g, c('power', f, sub(g, ONE)), df);
        }
        if (isNum(df, 0)) return mul(e, c('ln', f), dg);
        return mul(e, add(mul(dg, c('ln', f)), div(mul(g, df), f)));
      }
      case 'exp':
        return mul(e, du());
      case 'ln':
        return div(du(), u);
      case 'log10':
        return div(du(), mul(u, n(Math.LN10)));
      case 'log': {
        if (a.length === 1) return div(du(), mul(u, n(Math.LN10)));
        // log_b x = ln x / ln b
        return d(c('divide', c('ln', a[1]), c('ln', a[0])));
      }
      case 'sqrt':
        return div(du(), mul(n(2), e));
      case 'root': {
        if (a.length === 1) return div(du(), mul(n(2), e));
        const [deg, x] = a;
        if (!isNum(d(deg), 0)) throw new NotDifferentiableError('root with a variable degree', e);
        // d root(n, x) = root(n, x) / (n x) dx, valid for negative x with odd n as well.
        return mul(div(e, mul(deg, x)), d(x));
      }
      case 'abs':
        return mul(sign(u), du());
      case 'floor':
      case 'ceiling':
      case 'quotient':
        return ZERO;
      case 'factorial':
        if (isNum(du(), 0)) return ZERO;
        throw new NotDifferentiableError('factorial of a variable argument (needs the digamma function)', e);
      case 'min':
      case 'max':
        return selectDerivative(e, a.map(d));
      case 'rem':
        return sub(d(a[0]), mul(d(a[1]), c('quotient', a[0], a[1])));
      case 'sin':
        return mul(c('cos', u), du());
      case 'cos':
        return neg(mul(c('sin', u), du()));
      case 'tan':
        return div(du(), sq(c('cos', u)));
      case 'sec':
        return mul(e, c('tan', u), du());
      case 'csc':
        return neg(mul(e, c('cot', u), du()));
      case 'cot':
        return neg(div(du(), sq(c('sin', u))));
      case 'sinh':
        return mul(c('cosh', u), du());
      case 'cosh':
        return mul(c('sinh', u), du());
      case 'tanh':
        return div(du(), sq(c('cosh', u)));
      case 'sech':
        return neg(mul(e, c('tanh', u), du()));
      case 'csch':
        return neg(mul(e, c('coth', u), du()));
      case 'coth':
        return neg(div(du(), sq(c('sinh', u))));
      case 'arcsin':
        return div(du(), c('sqrt', c('minus', ONE, sq(u))));
      case 'arccos':
        return neg(div(du(), c('sqrt', c('minus', ONE, sq(u)))));
      case 'arctan':
        return div(du(), c('plus', ONE, sq(u)));
      case 'arcsec':
        return div(du(), mul(c('abs', u), c('sqrt', c('minus', sq(u), ONE))));
      case 'arccsc':
        return neg(div(du(), mul(c('abs', u), c('sqrt', c('minus', sq(u), ONE)))));
      case 'arccot':
        return neg(div(du(), c('plus', ONE, sq(u))));
      case 'arcsinh':
        return div(du(), c('sqrt', c('plus', sq(u), ONE)));
      case 'arccosh':
        return div(du(), c('sqrt', c('minus', sq(u), ONE)));
      case 'arctanh':
      case 'arccoth':
        return div(du(), c('minus', ONE, sq(u)));
      case 'arcsech':
        return neg(div(du(), mul(u, c('sqrt', c('minus', ONE, sq(u))))));
      case 'arccsch':
        return neg(div(du(), mul(c('abs', u), c('sqrt', c('plus', ONE, sq(u))))));
      case 'eq':
      case 'neq':
      case 'lt':
      case 'gt':
      case 'leq':
      case 'geq':
      case 'and':
      case 'or':
      case 'xor':
      case 'not':
      case 'implies':
        return ZERO;
      case 'delay':
      case 'rateOf':
        throw new NotDifferentiableError(`'${e.op}' has no symbolic derivative here`, e);
    }
  };

  return d(expr);
}

/** sign(u) as a piecewise (0 at 0, where |u| has no derivative). */
function sign(u: Expr): Expr {
  return {
    kind: 'piecewise',
    pieces: [
      { value: ONE, condition: c('gt', u, ZERO) },
      { value: n(-1), condition: c('lt', u, ZERO) },
    ],
    otherwise: ZERO,
  };
}

/**
 * Derivative of min/max: the derivative of the first argument that attains the extremum (a one-sided choice
 * at ties, where the function has a kink).
 */
function selectDerivative(e: Call, ds: Expr[]): Expr {
  if (ds.every((x) => isNum(x, 0))) return ZERO;
  if (e.args.length === 1) return ds[0];
  const rel: Op = e.op === 'min' ? 'leq' : 'geq';
  const pieces = [];
  for (let i = 0; i < e.args.length - 1; i++) {
    const conds = e.args.filter((_, j) => j !== i).map((other) => c(rel, e.args[i], other));
    pieces.push({ value: ds[i], condition: conds.length === 1 ? conds[0] : c('and', ...conds) });
  }
  return { kind: 'piecewise', pieces, otherwise: ds[e.args.length - 1] };
}
