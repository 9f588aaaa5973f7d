import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emptyModel, type Model } from '../../../src/models/ir.js';
import {
  parseModel,
  parseModelWithDiagnostics,
  printExpr,
  printModel,
} from '../../../src/models/text/index.js';
import type { Expr, Op } from '../../../src/numerics/expr/ast.js';
import { stripLoc } from './helpers.js';

const EXAMPLES = resolve(import.meta.dirname, '../../../models/examples');
const files = readdirSync(EXAMPLES).filter((f) => f.endsWith('.exm'));

describe('examples', () => {
  it('has the required examples', () => {
    for (const f of ['decay', 'logistic', 'michaelis-menten', 'lotka-volterra', 'dosing', 'michor2005']) {
      expect(files).toContain(`${f}.exm`);
    }
  });
  for (const f of files) {
    it(`${f} parses and validates without errors or warnings, and round-trips through the printer`, () => {
      const path = join(EXAMPLES, f);
      const r = parseModelWithDiagnostics(readFileSync(path, 'utf8'), path);
      expect(r.diagnostics).toEqual([]);
      const m = r.model!;
      const again = parseModel(printModel(m), 'printed.exm');
      expect(stripLoc(again)).toEqual(stripLoc(m));
    });
  }
  it('michor2005 holds the published parameters and the leukaemic amplification', () => {
    const m = parseModel(readFileSync(join(EXAMPLES, 'michor2005.exm'), 'utf8'));
    const v = Object.fromEntries(
      m.parameters.filter((p) => p.value !== undefined).map((p) => [p.id, p.value!]),
    );
    expect(v).toMatchObject({
      d0: 0.003,
      d1: 0.008,
      d2: 0.05,
      d3: 1,
      ax: 0.8,
      bx: 5,
      cx: 100,
      ay: 1.6,
      by: 10,
      cy: 100,
      ry: 0.008,
      rz: 0.023,
      u: 4e-8,
    });
    // y3/y0 amplification (ay/d1)(by/d2)(cy/d3) = 4e6 (cml-models.md section 2.2), reduced 75,000-fold on imatinib
    expect((v.ay / v.d1) * (v.by / v.d2) * (v.cy / v.d3)).toBeCloseTo(4e6, 6);
    expect(v.ay_fold * v.by_fold).toBe(75000);
    expect(m.species).toHaveLength(12);
    expect(m.reactions).toHaveLength(25);
    expect(m.parameters.find((p) => p.id === 'd0')!.source).toEqual({
      kb: 'michor2005.d0',
      evidence: 'T',
      citation: 'Michor et al. 2005 Nature 435:1267',
    });
  });
});

describe('printer', () => {
  const exprCases = [
    'a - (b - c)',
    'a - b - c',
    '(a + b) + c',
    'a + b + c',
    'a / (b * c)',
    'a * b / c',
    '-2^2',
    '(-2)^2',
    '2^-1',
    'a^b^c',
    '(a^b)^c',
    '-(2)',
    '-(-a)',
    '!(a && b) || c',
    'a < b < c',
    '(a < b) == (c > d)',
    'piecewise(1, a > 2, b)',
    'exp(-k * time) * avogadro',
    'x^(1 / 3)',
    '-infinity + notanumber',
    '3 mg + 2 mg',
  ];
  for (const src of exprCases) {
    it(`reprints ${src} to the same tree`, () => {
      const m = parseModel(
        `model m\na = 1; b = 1; c = 1; d = 1; k = 1; x = 1\ny := ${src}\nend\n`,
        undefined,
        { validate: false },
      );
      const rule = m.rules[0];
      const text = printModel(m);
      const again = parseModel(text, undefined, { validate: false });
      expect(stripLoc(again.rules[0])).toEqual(stripLoc(rule));
    });
  }

  it('prints trees that the parser never builds (nested n-ary, unary on literals, function forms)', () => {
    const s = (n: string): Expr => ({ kind: 'sym', name: n });
    const n = (v: number): Expr => ({ kind: 'num', value: v });
    const c = (op: Op, ...args: Expr[]): Expr => ({ kind: 'call', op, args });
    const trees: Expr[] = [
      c('plus', c('plus', s('a'), s('b')), s('c')),
      c('plus', s('a')),
      c('times'),
      c('minus', n(2)),
      c('minus', n(-2)),
      c('power', n(-2), n(2)),
      c('and', s('a')),
      c('xor', s('a'), s('b'), s('c')),
      c('eq', s('a')),
      c('times', s('a'), c('divide', s('b'), s('c'))),
      n(Math.PI),
      n(-Number.POSITIVE_INFINITY),
      c('minus', s('a'), n(-1)),
    ];
    for (const t of trees) {
      const m: Model = {
        ...emptyModel('m'),
        parameters: ['a', 'b', 'c', 'y'].map((id) => ({ id, value: 1, constant: id !== 'y' })),
        rules: [{ kind: 'assignment', variable: 'y', math: t }],
      };
      const again = parseModel(printModel(m), undefined, { validate: false });
      expect(stripLoc(again.rules[0]), printExpr(t)).toEqual(stripLoc(m.rules[0]));
    }
  });

  it('round-trips random small models (property test)', () => {
    let seed = 12345;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
    const names = ['A', 'B', 'C', 'k1', 'k2'];
    const ops: Op[] = ['plus', 'minus', 'times', 'divide', 'power', 'exp', 'lt', 'and', 'not', 'max'];
    const gen = (depth: number): Expr => {
      if (depth === 0 || rnd() < 0.3) {
        return rnd() < 0.5
          ? { kind: 'sym', name: pick(names) }
          : { kind: 'num', value: Math.round((rnd() - 0.3) * 1000) / 100 };
      }
      const op = pick(ops);
      const arity =
        op === 'exp' || op === 'not'
          ? 1
          : op === 'minus'
            ? pick([1, 2])
            : op === 'plus' || op === 'times' || op === 'max'
              ? pick([2, 3])
              : 2;
      return { kind: 'call', op, args: Array.from({ length: arity }, () => gen(depth - 1)) };
    };
    for (let i = 0; i < 200; i++) {
      const m: Model = {
        ...emptyModel(`m${i}`),
        compartments: [{ id: 'c', size: 1, constant: true }],
        species: ['A', 'B', 'C'].map((id) => ({
          id,
          compartment: 'c',
          initialConcentration: rnd(),
          hasOnlySubstanceUnits: rnd() < 0.3,
          boundaryCondition: rnd() < 0.2,
          constant: false,
        })),
        parameters: [
          { id: 'k1', value: rnd(), constant: true },
          { id: 'k2', value: rnd(), constant: true },
        ],
        reactions: [
          {
            id: 'J1',
            reversible: rnd() < 0.5,
            reactants: [{ species: 'A', stoichiometry: pick([1, 2]), constant: true }],
            products: [{ species: 'B', stoichiometry: 1, constant: true }],
            modifiers: [],
            kinetics: { kind: 'law', math: gen(3) },
            localParameters: [],
          },
        ],
      };
      // the parser derives modifiers from the rate law; set them the same way
      const math = (m.reactions[0].kinetics as { math: Expr }).math;
      const syms: string[] = [];
      const visit = (e: Expr) => {
        if (e.kind === 'sym' && e.name === 'C' && !syms.includes(e.name)) syms.push(e.name);
        if (e.kind === 'call') e.args.forEach(visit);
      };
      visit(math);
      const model: Model = { ...m, reactions: [{ ...m.reactions[0], modifiers: syms }] };
      const again = parseModel(printModel(model), undefined, { validate: false });
      expect(stripLoc(again), printModel(model)).toEqual(stripLoc(model));
    }
  });
});

describe('kitchen sink', () => {
  it('every construct of docs/model-language.md round-trips through the printer', () => {
    const path = resolve(import.meta.dirname, 'fixtures/kitchen-sink.exm');
    const r = parseModelWithDiagnostics(readFileSync(path, 'utf8'), path);
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const m = r.model!;
    expect(m.events.map((e) => e.id)).toEqual(['E1', '_E0', 'E2', 'E3']);
    expect(m.reactions.find((x) => x.id === 'J6')!.modifiers).toEqual(['G']);
    expect(m.species.find((s) => s.id === 'A')!.notes).toBe('Multi-line notes,\n  Antimony style.');
    expect(m.unitDefinitions.find((u) => u.id === 'flux')!.terms).toEqual([
      { kind: 'second', exponent: -1, scale: 0, multiplier: 86400 },
      { kind: 'mole', exponent: 1, scale: 0, multiplier: 1 },
    ]);
    const printed = printModel(m);
    const again = parseModel(printed, 'printed.exm', { validate: false });
    expect(stripLoc(again)).toEqual(stripLoc(m));
    expect(printModel(again)).toBe(printed);
  });
});

describe('printer: unit definitions and limits', () => {
  it('round-trips arbitrary SBML unit terms exactly', () => {
    let seed = 7;
    const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const kinds = ['mole', 'litre', 'second', 'item', 'gram', 'metre', 'dimensionless'];
    for (let i = 0; i < 100; i++) {
      const n = 1 + Math.floor(rnd() * 3);
      const terms = Array.from({ length: n }, () => ({
        kind: kinds[Math.floor(rnd() * kinds.length)],
        exponent: [1, -1, 2, -3, 0.5][Math.floor(rnd() * 5)],
        scale: [0, 0, -3, 6][Math.floor(rnd() * 4)],
        multiplier: [1, 1, 60, 86400, 0.25][Math.floor(rnd() * 5)],
      }));
      const m: Model = { ...emptyModel('m'), unitDefinitions: [{ id: 'u', terms }] };
      const again = parseModel(printModel(m));
      expect(again.unitDefinitions[0].terms, printModel(m)).toEqual(terms);
    }
  });
  it('refuses ids that are reserved words instead of printing text that does not parse', () => {
    const m: Model = { ...emptyModel('m'), parameters: [{ id: 'time', value: 1, constant: true }] };
    expect(() => printModel(m)).toThrow("'time' is not a valid id");
  });
});
