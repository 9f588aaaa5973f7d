/**
 * Algebraic simplification: constant folding, neutral and absorbing elements, flattening of nested sums and
 * products, and pruning of piecewise branches with constant conditions.
 *
 * Contract: wherever the original expression has a finite, well-defined value, the simplified one has the
 * same mathematical value. Two rules are only value-preserving in that sense:
 *  - `x * 0 -> 0` and `0 / x -> 0`: differ only where x is infinite or NaN (or x = 0 for the quotient), where
 *    the original is NaN, i.e. undefined. Derivative trees are full of such zero factors, so this matters.
 *  - flattening `(a + b) + c` or `a + (b + c)` into one n-ary sum and merging numeric literals reassociates
 *    floating-point operations, which can change the last bits of the result (never the mathematical value).
 * Constant folding uses the reference evaluator, so a folded constant is exactly the value the generated
 * code would have computed. `delay` and `rateOf` are never folded.
 */
import type { Call, Expr, Piecewise } from './ast.js';
import { applyOp } from './evaluate.js';

const num = (value: number): Expr => ({ kind: 'num', value });
const isNum = (e: Expr, v?: number): boolean => e.kind === 'num' && (v === undefined || e.value === v);

/** Simplify an expression (memoised by node identity, so DAGs stay DAGs). */
export function simplify(expr: Expr, memo: Map<Expr, Expr> = new Map()): Expr {
  const go = (e: Expr): Expr => {
    const hit = memo.get(e);
    if (hit) return hit;
    const out = step(e);
    memo.set(e, out);
    return out;
  };

  const step = (e: Expr): Expr => {
    switch (e.kind) {
      case 'num':
      case 'sym':
      case 'time':
      case 'avogadro':
        return e;
      case 'apply': {
        const args = e.args.map(go);
        return args.some((a, i) => a !== e.args[i]) ? { ...e, args } : e;
      }
      case 'piecewise':
        return piecewise(e, go);
      case 'call':
        return callStep(e, e.args.map(go));
    }
  };
  return go(expr);
}

function piecewise(e: Piecewise, go: (x: Expr) => Expr): Expr {
  const pieces: { value: Expr; condition: Expr }[] = [];
  for (const p of e.pieces) {
    const condition = go(p.condition);
    if (isNum(condition, 0)) continue; // never taken
    const value = go(p.value);
    if (condition.kind === 'num') {
      // Always true (non-zero, NaN included): this value, unless an earlier piece was possible.
      if (pieces.length === 0) return value;
      return { kind: 'piecewise', pieces, otherwise: value };
    }
    pieces.push({ value, condition });
  }
  const otherwise = e.otherwise ? go(e.otherwise) : undefined;
  if (pieces.length === 0) return otherwise ?? num(NaN);
  const unchanged =
    pieces.length === e.pieces.length &&
    otherwise === e.otherwise &&
    pieces.every((p, i) => p.value === e.pieces[i].value && p.condition === e.pieces[i].condition);
  return unchanged ? e : { kind: 'piecewise', pieces, otherwise };
}

function rebuild(e: Call, args: Expr[]): Call {
  return args.length === e.args.length && args.every((a, i) => a === e.args[i]) ? e : { ...e, args };
}

function callStep(e: Call, args: Expr[]): Expr {
  const op = e.op;
  if (op === 'delay' || op === 'rateOf') return rebuild(e, args);
  if (args.every((a) => a.kind === 'num')) {
    try {
      return num(
        applyOp(
          op,
          args.map((a) => (a as { value: number }).value),
        ),
      );
    } catch {
      return rebuild(e, args); // wrong arity: leave it for the code generator to report
    }
  }
  switch (op) {
    case 'plus': {
      const flat: Expr[] = [];
      let k = 0;
      let nk = 0;
      for (const a of args) {
        for (const x of a.kind === 'call' && a.op === 'plus' ? a.args : [a]) {
          if (x.kind === 'num') {
            k += x.value;
            nk++;
          } else flat.push(x);
        }
      }
      if (nk > 0 && k !== 0) flat.push(num(k));
      else if (nk > 0 && Number.isNaN(k)) flat.push(num(k));
      if (flat.length === 0) return num(k);
      if (flat.length === 1) return flat[0];
      return rebuild(e, flat);
    }
    case 'times': {
      const flat: Expr[] = [];
      let k = 1;
      for (const a of args) {
        for (const x of a.kind === 'call' && a.op === 'times' ? a.args : [a]) {
          if (x.kind === 'num') k *= x.value;
          else flat.push(x);
        }
      }
      if (k === 0) return num(0);
      if (flat.length === 0) return num(k);
      if (k === -1) {
        const inner = flat.length === 1 ? flat[0] : rebuild(e, flat);
        return { kind: 'call', op: 'minus', args: [inner] };
      }
      if (k !== 1) flat.unshift(num(k));
      if (flat.length === 1) return flat[0];
      return rebuild(e, flat);
    }
    case 'minus': {
      if (args.length === 1) {
        const a = args[0];
        if (a.kind === 'call' && a.op === 'minus' && a.args.length === 1) return a.args[0];
        return rebuild(e, args);
      }
      const [a, b] = args;
      if (isNum(b, 0)) return a;
      if (isNum(a, 0)) return callStep({ kind: 'call', op: 'minus', args: [b] }, [b]);
      return rebuild(e, args);
    }
    case 'divide': {
      const [a, b] = args;
      if (isNum(b, 1)) return a;
      if (isNum(a, 0)) return num(0);
      return rebuild(e, args);
    }
    case 'power': {
      const [a, b] = args;
      if (isNum(b, 1)) return a;
      if (isNum(b, 0) || isNum(a, 1)) return num(1); // exact in IEEE: pow(x, 0) = pow(1, x) = 1
      return rebuild(e, args);
    }
    default:
      return rebuild(e, args);
  }
}
