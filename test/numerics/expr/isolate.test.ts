import { describe, expect, it } from 'vitest';
import { call, type Expr, num, sym } from '../../../src/numerics/expr/ast.js';
import { evaluate } from '../../../src/numerics/expr/evaluate.js';
import { isolateLinear } from '../../../src/numerics/expr/isolate.js';

const x = sym('x');
const S = sym('S');
const T = sym('T');
const k = sym('k');
const at = (e: Expr, vals: Record<string, number>) => evaluate(e, { symbol: (n) => vals[n], time: 0.5 });

describe('isolateLinear: solve 0 = f for a symbol in which f is linear', () => {
  it('0 = S + x - T gives x = T - S', () => {
    const sol = isolateLinear(call('minus', call('plus', S, x), T), 'x')!;
    expect(sol).toBeDefined();
    expect(at(sol, { S: 2, T: 7 })).toBe(5);
  });

  it('coefficients that depend on other symbols and time: 0 = k*(x - S)/2 + sin(time) * x - 3', () => {
    const f = call(
      'minus',
      call(
        'plus',
        call('divide', call('times', k, call('minus', x, S)), num(2)),
        call('times', call('sin', { kind: 'time' }), x),
      ),
      num(3),
    );
    const sol = isolateLinear(f, 'x')!;
    const vals = { k: 1.7, S: 0.3 };
    const xv = at(sol, vals);
    // Substituting the solution back gives 0 (to rounding).
    expect(Math.abs(at(f, { ...vals, x: xv }))).toBeLessThan(1e-14);
    const expected = (3 + (1.7 * 0.3) / 2) / (1.7 / 2 + Math.sin(0.5));
    expect(Math.abs(xv - expected)).toBeLessThan(1e-14 * expected);
  });

  it('x-free parts the differentiator cannot handle (rateOf, delay) are kept as they are', () => {
    const f = call('minus', call('rateOf', S), x);
    const sol = isolateLinear(f, 'x')!;
    expect(sol).toBeDefined();
    expect(JSON.stringify(sol)).toContain('"rateOf"');
    expect(JSON.stringify(sol)).not.toContain('isolate');
  });

  it('refuses nonlinear, non-smooth and absent occurrences', () => {
    expect(isolateLinear(call('minus', call('power', x, num(2)), num(4)), 'x')).toBeUndefined();
    expect(isolateLinear(call('minus', call('times', x, S), call('divide', num(1), x)), 'x')).toBeUndefined();
    expect(isolateLinear(call('plus', call('abs', x), num(-1)), 'x')).toBeUndefined();
    expect(isolateLinear(call('plus', call('floor', x), x), 'x')).toBeUndefined();
    expect(
      isolateLinear(
        { kind: 'piecewise', pieces: [{ value: x, condition: call('gt', x, num(0)) }], otherwise: num(1) },
        'x',
      ),
    ).toBeUndefined();
    expect(isolateLinear(call('minus', S, T), 'x')).toBeUndefined();
    // x - x: coefficient 0.
    expect(isolateLinear(call('minus', x, x), 'x')).toBeUndefined();
  });
});
