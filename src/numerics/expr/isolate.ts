/**
 * Solving an equation 0 = f for one symbol x when f is linear in x: f = a x + b with a free of x, so
 * x = -b / a. The coefficient is the symbolic derivative a = df/dx; linearity is checked structurally
 * (a must not contain x, and x must not occur under a non-smooth operator, a relation or a piecewise
 * condition, where the derivative is only an almost-everywhere one and f need not be a x + b); then
 * b = f with x replaced by 0.
 */
import type { Expr, Op } from './ast.js';
import { differentiate } from './differentiate.js';
import { freeSymbols } from './free-symbols.js';
import { simplify } from './simplify.js';
import { substitute } from './substitute.js';

/** Operators whose derivative is only piecewise (or undefined): x under them makes f non-linear in x. */
const NON_SMOOTH = new Set<Op>([
  'abs',
  'floor',
  'ceiling',
  'factorial',
  'min',
  'max',
  'rem',
  'quotient',
  'eq',
  'neq',
  'lt',
  'gt',
  'leq',
  'geq',
  'and',
  'or',
  'xor',
  'not',
  'implies',
  'delay',
  'rateOf',
]);

/** True when x occurs in e only where f is smooth in x (no non-smooth operator or condition depends on x). */
function smoothIn(e: Expr, x: string): boolean {
  switch (e.kind) {
    case 'call':
      if (NON_SMOOTH.has(e.op)) return !freeSymbols(e).has(x);
      return e.args.every((a) => smoothIn(a, x));
    case 'apply':
      return !freeSymbols(e).has(x); // user functions are inlined before; an opaque call is not analysable
    case 'piecewise':
      return (
        e.pieces.every((p) => !freeSymbols(p.condition).has(x) && smoothIn(p.value, x)) &&
        (!e.otherwise || smoothIn(e.otherwise, x))
      );
    default:
      return true;
  }
}

/**
 * The solution x = -b / a of 0 = f when f = a x + b is linear in symbol x (a free of x and not the literal
 * 0); undefined when x does not occur, f is not linear in x, or f cannot be differentiated.
 */
export function isolateLinear(f: Expr, x: string): Expr | undefined {
  if (!freeSymbols(f).has(x) || !smoothIn(f, x)) return undefined;
  // Subtrees free of x are constants here: hide the ones the differentiator cannot handle (delay, rateOf,
  // factorial, ...) behind placeholder symbols, and put them back in the result.
  const hidden = new Map<string, Expr>();
  const hide = (e: Expr): Expr => {
    if (e.kind === 'call' && !freeSymbols(e).has(x)) {
      const name = `\u0000isolate${hidden.size}`;
      hidden.set(name, e);
      return { kind: 'sym', name };
    }
    if (e.kind === 'call') {
      const args = e.args.map(hide);
      return args.some((a, i) => a !== e.args[i]) ? { ...e, args } : e;
    }
    if (e.kind === 'piecewise')
      return {
        ...e,
        pieces: e.pieces.map((p) => ({ value: hide(p.value), condition: p.condition })),
        ...(e.otherwise ? { otherwise: hide(e.otherwise) } : {}),
      };
    return e;
  };
  const g = hide(f);
  const unhide = (e: Expr): Expr => (hidden.size === 0 ? e : substitute(e, (name) => hidden.get(name)));
  let a: Expr;
  try {
    a = simplify(differentiate(g, x));
  } catch {
    return undefined;
  }
  if (freeSymbols(a).has(x)) return undefined;
  if (a.kind === 'num' && (a.value === 0 || !Number.isFinite(a.value))) return undefined;
  const b = simplify(substitute(g, (name) => (name === x ? { kind: 'num', value: 0 } : undefined)));
  const negB: Expr =
    b.kind === 'num' ? { kind: 'num', value: -b.value } : { kind: 'call', op: 'minus', args: [b] };
  if (a.kind === 'num' && a.value === 1) return unhide(negB);
  return unhide({ kind: 'call', op: 'divide', args: [negB, a] });
}
