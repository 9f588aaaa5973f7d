import { describe, expect, it } from 'vitest';
import { call, type Expr, num, type Op, sym, time } from '../../../src/numerics/expr/ast.js';
import { compileExpr, compileVector } from '../../../src/numerics/expr/codegen.js';
import {
  differentiate,
  NotDifferentiableError,
  TIME_VARIABLE,
} from '../../../src/numerics/expr/differentiate.js';
import { evaluate } from '../../../src/numerics/expr/evaluate.js';
import { freeSymbols } from '../../../src/numerics/expr/free-symbols.js';
import { inlineFunctions } from '../../../src/numerics/expr/inline.js';
import { factorial, gamma, root } from '../../../src/numerics/expr/runtime.js';
import { simplify } from '../../../src/numerics/expr/simplify.js';

/** Deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const x = sym('x');
const z = sym('z');
const w = sym('w');
const layout = { y: ['x', 'z'], p: ['w'] };

/** Every operator with an argument pattern and a sampler of the variables where it is smooth. */
type Case = { op: Op; expr: Expr; lo: number; hi: number; smooth: boolean };
const un = (op: Op, lo: number, hi: number, smooth = true): Case => ({
  op,
  expr: call(op, x),
  lo,
  hi,
  smooth,
});
const bin = (op: Op, lo: number, hi: number, smooth = true): Case => ({
  op,
  expr: call(op, x, z),
  lo,
  hi,
  smooth,
});
const CASES: Case[] = [
  { op: 'plus', expr: call('plus', x, z, w), lo: -3, hi: 3, smooth: true },
  { op: 'minus', expr: call('minus', x, z), lo: -3, hi: 3, smooth: true },
  { op: 'minus', expr: call('minus', x), lo: -3, hi: 3, smooth: true },
  { op: 'times', expr: call('times', x, z, w), lo: -3, hi: 3, smooth: true },
  bin('divide', 0.5, 3),
  bin('power', 0.5, 3),
  { op: 'power', expr: call('power', x, num(3)), lo: -2, hi: 2, smooth: true },
  { op: 'power', expr: call('power', x, num(2)), lo: -1e3, hi: 1e3, smooth: true },
  un('exp', -3, 3),
  un('ln', 0.1, 5),
  un('log10', 0.1, 5),
  { op: 'log', expr: call('log', z, x), lo: 1.5, hi: 5, smooth: true },
  { op: 'log', expr: call('log', x), lo: 0.1, hi: 5, smooth: true },
  un('sqrt', 0.1, 5),
  { op: 'root', expr: call('root', num(3), x), lo: -5, hi: 5, smooth: true },
  { op: 'root', expr: call('root', z, x), lo: 1.5, hi: 4, smooth: false },
  un('abs', -3, 3),
  un('floor', -3, 3),
  un('ceiling', -3, 3),
  un('factorial', 0, 6, false),
  bin('min', -3, 3),
  bin('max', -3, 3),
  { op: 'min', expr: call('min', x, z, w), lo: -3, hi: 3, smooth: true },
  bin('rem', 0.5, 7),
  bin('quotient', 0.5, 7),
  un('sin', -3, 3),
  un('cos', -3, 3),
  un('tan', -1.2, 1.2),
  un('sec', -1.2, 1.2),
  un('csc', 0.2, 3),
  un('cot', 0.2, 3),
  un('sinh', -3, 3),
  un('cosh', -3, 3),
  un('tanh', -3, 3),
  un('sech', -3, 3),
  un('csch', 0.2, 3),
  un('coth', 0.2, 3),
  un('arcsin', -0.9, 0.9),
  un('arccos', -0.9, 0.9),
  un('arctan', -3, 3),
  un('arcsec', 1.1, 4),
  un('arccsc', 1.1, 4),
  un('arccot', 0.2, 4),
  un('arcsinh', -3, 3),
  un('arccosh', 1.1, 4),
  un('arctanh', -0.9, 0.9),
  un('arcsech', 0.1, 0.9),
  un('arccsch', 0.2, 4),
  un('arccoth', 1.1, 4),
  bin('eq', -2, 2),
  bin('neq', -2, 2),
  bin('lt', -2, 2),
  bin('gt', -2, 2),
  bin('leq', -2, 2),
  bin('geq', -2, 2),
  { op: 'lt', expr: call('lt', x, z, w), lo: -2, hi: 2, smooth: true },
  { op: 'and', expr: call('and', call('gt', x, num(0)), call('lt', z, num(0))), lo: -2, hi: 2, smooth: true },
  { op: 'or', expr: call('or', call('gt', x, num(0)), call('lt', z, num(0))), lo: -2, hi: 2, smooth: true },
  {
    op: 'xor',
    expr: call('xor', call('gt', x, num(0)), call('lt', z, num(0)), w),
    lo: -2,
    hi: 2,
    smooth: true,
  },
  { op: 'not', expr: call('not', call('gt', x, num(0))), lo: -2, hi: 2, smooth: true },
  {
    op: 'implies',
    expr: call('implies', call('gt', x, num(0)), call('lt', z, num(0))),
    lo: -2,
    hi: 2,
    smooth: true,
  },
];

describe('codegen agrees with the reference evaluator', () => {
  const r = rng(42);
  for (const c of CASES) {
    it(`${c.op}: ${JSON.stringify(c.expr).length} chars`, () => {
      const f = compileExpr(c.expr, layout);
      for (let k = 0; k < 50; k++) {
        // Round some samples to integers so eq, floor, factorial and ties are exercised.
        const s = () => {
          const v = c.lo + (c.hi - c.lo) * r();
          return k % 5 === 0 ? Math.round(v) : v;
        };
        const vals = { x: s(), z: s(), w: s() };
        const ref = evaluate(c.expr, { symbol: (n) => vals[n as 'x' | 'z' | 'w'] });
        const got = f(0, [vals.x, vals.z], [vals.w]);
        expect(Object.is(got, ref) || got === ref).toBe(true);
      }
    });
  }

  it('piecewise, time, avogadro and shared subexpressions', () => {
    const shared = call('divide', x, call('plus', z, num(1)));
    const e = call('plus', shared, call('times', num(2), shared), {
      kind: 'piecewise',
      pieces: [
        { value: call('sin', time()), condition: call('gt', x, num(0)) },
        { value: { kind: 'avogadro' }, condition: z },
      ],
      otherwise: num(-1),
    });
    const f = compileExpr(e, layout);
    const r2 = rng(7);
    for (let k = 0; k < 100; k++) {
      const t = r2() * 10;
      const vals = { x: r2() * 4 - 2, z: k % 3 === 0 ? 0 : r2() * 4 - 2 };
      const ref = evaluate(e, { symbol: (n) => vals[n as 'x' | 'z'], time: t });
      expect(f(t, [vals.x, vals.z], [0])).toBe(ref);
    }
    // CSE: the shared quotient is generated once.
    const g = compileVector([shared, call('exp', shared)], layout);
    expect(g.toString().match(/\/ /g)?.length).toBe(1);
  });

  it('piecewise without otherwise is NaN when no condition holds', () => {
    const e: Expr = { kind: 'piecewise', pieces: [{ value: num(1), condition: call('gt', x, num(0)) }] };
    const f = compileExpr(e, layout);
    expect(f(0, [-1, 0], [0])).toBeNaN();
    expect(f(0, [1, 0], [0])).toBe(1);
  });

  it('unknown symbols are errors', () => {
    expect(() => compileExpr(sym('nope'), layout)).toThrow(/nope/);
  });
});

describe('runtime helpers', () => {
  it('csymbol avogadro is the SBML Level 3 value 6.02214179e23, not the SI 2019 value', () => {
    const e: Expr = { kind: 'avogadro' };
    expect(evaluate(e, { symbol: () => 0, time: 0 })).toBe(6.02214179e23);
    expect(compileExpr(e, layout)(0, [0, 0], [0])).toBe(6.02214179e23);
    // SBML Test Suite 00960: avogadro - 6.0221e23 = 4.179e18 (the SI value would give 4.076e18).
    const diff = evaluate(call('minus', e, num(6.0221e23)), { symbol: () => 0, time: 0 });
    expect(Math.abs(diff - 4.179e18)).toBeLessThan(1e-10 * 4.179e18);
  });
  it('factorial: exact table, gamma for non-integers', () => {
    expect(factorial(0)).toBe(1);
    expect(factorial(5)).toBe(120);
    expect(factorial(20)).toBe(2432902008176640000);
    expect(factorial(171)).toBe(Infinity);
    expect(factorial(-1)).toBeNaN();
    // Gamma(1.5) = sqrt(pi)/2; Gamma(0.5) = sqrt(pi); Gamma(-0.5) = -2 sqrt(pi)
    expect(factorial(0.5)).toBeCloseTo(Math.sqrt(Math.PI) / 2, 13);
    expect(Math.abs(gamma(0.5) / Math.sqrt(Math.PI) - 1)).toBeLessThan(1e-14);
    expect(Math.abs(gamma(-0.5) / (-2 * Math.sqrt(Math.PI)) - 1)).toBeLessThan(1e-14);
    expect(Math.abs(gamma(1 / 3) / 2.678938534707747 - 1)).toBeLessThan(1e-14); // Gamma(1/3) = 2.6789385347077476337...
    expect(Math.abs(gamma(10.3) / (9.3 * gamma(9.3)) - 1)).toBeLessThan(1e-14);
  });
  it('root: odd roots of negatives are real', () => {
    expect(root(3, -8)).toBe(-2);
    expect(root(5, -32)).toBeCloseTo(-2, 14);
    expect(root(4, -16)).toBeNaN();
    expect(root(2, 9)).toBe(3);
  });
});

describe('differentiate agrees with central differences', () => {
  const r = rng(123);
  for (const c of CASES) {
    if (!c.smooth) continue;
    it(`d/dx, d/dz of ${c.op}`, () => {
      for (const v of ['x', 'z']) {
        const d = simplify(differentiate(c.expr, v));
        const fd = compileExpr(d, layout);
        const f = compileExpr(c.expr, layout);
        let checked = 0;
        for (let k = 0; k < 40 && checked < 20; k++) {
          const vals = [c.lo + (c.hi - c.lo) * r(), c.lo + (c.hi - c.lo) * r()];
          const pw = [c.lo + (c.hi - c.lo) * r()];
          // Stay away from kinks and jumps: skip points near integers (floor, rem) and near ties.
          const i = v === 'x' ? 0 : 1;
          const h = 1e-5 * Math.max(1, Math.abs(vals[i]));
          const at = (dv: number) => {
            const yy = vals.slice();
            yy[i] += dv;
            return f(0, yy, pw);
          };
          const f0 = at(0);
          const fp = at(h);
          const fm = at(-h);
          // Skip points where f is not smooth on [-h, h] (a jump or kink within the stencil).
          const h2 = 2 * h;
          const curvature = Math.abs(at(h2) - 2 * f0 + at(-h2)) / (h2 * h2);
          if (!Number.isFinite(f0) || curvature > 1e3 * (1 + Math.abs(f0))) continue;
          if (Math.abs(fp - fm) > 0 && Math.abs(at(h) - f0 - (f0 - at(-h))) > 1e-3 * Math.abs(fp - fm))
            continue;
          const central = (fp - fm) / (2 * h);
          const exact = fd(0, vals, pw);
          expect(Math.abs(exact - central)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(exact)));
          checked++;
        }
        expect(checked).toBeGreaterThan(5);
      }
    });
  }

  it('time is constant w.r.t. state; TIME_VARIABLE differentiates w.r.t. time', () => {
    const e = call('times', call('sin', time()), x);
    const dx = compileExpr(simplify(differentiate(e, 'x')), layout);
    const dt = compileExpr(simplify(differentiate(e, TIME_VARIABLE)), layout);
    expect(dx(0.3, [2, 0], [0])).toBe(Math.sin(0.3));
    expect(dt(0.3, [2, 0], [0])).toBeCloseTo(2 * Math.cos(0.3), 15);
    expect(simplify(differentiate({ kind: 'avogadro' }, 'x'))).toEqual(num(0));
  });

  it('marks non-differentiable cases', () => {
    expect(() => differentiate(call('factorial', x), 'x')).toThrow(NotDifferentiableError);
    expect(() => differentiate(call('delay', x, num(1)), 'x')).toThrow(NotDifferentiableError);
    expect(differentiate(call('factorial', z), 'x')).toEqual(num(0));
  });
});

describe('simplify', () => {
  it('folds constants, removes neutral elements, flattens', () => {
    expect(simplify(call('plus', num(1), num(2)))).toEqual(num(3));
    expect(simplify(call('times', x, num(1)))).toBe(x);
    expect(simplify(call('plus', x, num(0)))).toBe(x);
    expect(simplify(call('power', x, num(1)))).toBe(x);
    expect(simplify(call('times', x, num(0)))).toEqual(num(0));
    const flat = simplify(call('plus', x, call('plus', z, call('plus', w, num(1))), num(2)));
    expect(flat).toEqual(call('plus', x, z, w, num(3)));
    const prod = simplify(call('times', num(2), call('times', x, num(3))));
    expect(prod).toEqual(call('times', num(6), x));
    const pw: Expr = {
      kind: 'piecewise',
      pieces: [
        { value: x, condition: num(0) },
        { value: z, condition: call('gt', num(2), num(1)) },
      ],
      otherwise: w,
    };
    expect(simplify(pw)).toBe(z);
  });

  it('preserves values on random expressions where they are finite', () => {
    const r = rng(99);
    const leaves = [x, z, w, num(0), num(1), num(2), num(-1)];
    const ops: Op[] = ['plus', 'times', 'minus', 'divide', 'power', 'exp', 'sin', 'max'];
    const gen = (depth: number): Expr => {
      if (depth === 0 || r() < 0.25) return leaves[Math.floor(r() * leaves.length)];
      const op = ops[Math.floor(r() * ops.length)];
      const nargs =
        op === 'exp' || op === 'sin' ? 1 : op === 'plus' || op === 'times' ? 2 + Math.floor(r() * 2) : 2;
      return call(op, ...Array.from({ length: nargs }, () => gen(depth - 1)));
    };
    for (let k = 0; k < 300; k++) {
      const e = gen(4);
      const s = simplify(e);
      const vals = { x: r() * 2 + 0.1, z: r() * 2 - 1, w: r() * 3 };
      const sym2 = (n: string) => vals[n as 'x' | 'z' | 'w'];
      const a = evaluate(e, { symbol: sym2 });
      const b = evaluate(s, { symbol: sym2 });
      if (Number.isFinite(a)) expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(a)));
    }
  });
});

describe('inline and free symbols', () => {
  it('inlines nested function definitions', () => {
    const fns = [
      { id: 'sq', args: ['a'], body: call('times', sym('a'), sym('a')) },
      {
        id: 'hyp',
        args: ['a', 'b'],
        body: call(
          'sqrt',
          call(
            'plus',
            { kind: 'apply', fn: 'sq', args: [sym('a')] } as Expr,
            { kind: 'apply', fn: 'sq', args: [sym('b')] } as Expr,
          ),
        ),
      },
    ];
    const e = inlineFunctions({ kind: 'apply', fn: 'hyp', args: [x, call('plus', z, num(1))] }, fns);
    expect([...freeSymbols(e)].sort()).toEqual(['x', 'z']);
    expect(evaluate(e, { symbol: (n) => (n === 'x' ? 3 : 3) })).toBe(5);
    expect(() => inlineFunctions({ kind: 'apply', fn: 'nope', args: [] }, fns)).toThrow(/nope/);
    expect(() => inlineFunctions({ kind: 'apply', fn: 'sq', args: [x, z] }, fns)).toThrow(/argument/);
    const rec = [{ id: 'f', args: ['a'], body: { kind: 'apply', fn: 'f', args: [sym('a')] } as Expr }];
    expect(() => inlineFunctions({ kind: 'apply', fn: 'f', args: [x] }, rec)).toThrow(/recursive/);
  });
});
