import { describe, expect, it } from 'vitest';
import {
  divide,
  formatUnit,
  inferUnits,
  PREDEFINED_UNITS,
  sameUnit,
  type Unit,
  unitFromTerms,
} from '../../src/models/units.js';
import type { Expr } from '../../src/numerics/expr/ast.js';

const u = (id: string) => unitFromTerms(PREDEFINED_UNITS.get(id)!);
const sym = (name: string): Expr => ({ kind: 'sym', name });

describe('unit algebra', () => {
  it('reduces SBML terms to a factor and base dimensions', () => {
    expect(u('day').factor).toBe(86400);
    expect(u('nM').factor).toBeCloseTo(1e-9 / 1e-3, 20); // mol/m^3
    expect(sameUnit(divide(u('mM'), u('uM')), { factor: 1000, dims: [0, 0, 0, 0, 0, 0, 0, 0] })).toBe(true);
    expect(formatUnit(u('per_day'))).toBe('per_day');
  });
  it('infers units bottom-up; literals adapt; unknown symbols silence checks', () => {
    const issues: string[] = [];
    const units: Record<string, Unit> = { k: u('per_day'), A: u('mM') };
    const ctx = {
      symbol: (n: string) => units[n],
      unit: () => undefined,
      report: (i: { message: string }) => issues.push(i.message),
    };
    const r = inferUnits(
      { kind: 'call', op: 'times', args: [sym('k'), sym('A'), { kind: 'num', value: 2 }] },
      ctx,
    );
    expect(r.kind === 'known' && sameUnit(r.unit, divide(u('mM'), u('day')))).toBe(true);
    expect(
      inferUnits({ kind: 'call', op: 'plus', args: [sym('A'), { kind: 'num', value: 1 }] }, ctx).kind,
    ).toBe('known');
    expect(inferUnits({ kind: 'call', op: 'plus', args: [sym('A'), sym('unknown')] }, ctx).kind).toBe(
      'known',
    );
    expect(issues).toEqual([]);
    inferUnits({ kind: 'call', op: 'plus', args: [sym('A'), sym('k')] }, ctx);
    inferUnits({ kind: 'call', op: 'exp', args: [sym('k')] }, ctx);
    expect(issues).toEqual([
      'addition of quantities with different units: mM and per_day',
      'the argument of exp() must be dimensionless, but has units per_day',
    ]);
  });
});
