import { describe, expect, it } from 'vitest';
import { readLambda, readMath, SbmlError } from '../../../src/io/sbml/mathml-read.js';
import { writeLambda, writeMath } from '../../../src/io/sbml/mathml-write.js';
import { parseXml } from '../../../src/io/sbml/xml.js';
import type { Expr, Op } from '../../../src/numerics/expr/ast.js';

const NS =
  'xmlns="http://www.w3.org/1998/Math/MathML" xmlns:sbml="http://www.sbml.org/sbml/level3/version2/core"';
const math = (inner: string): Expr =>
  readMath(parseXml(`<math ${NS}>${inner}</math>`, 't.xml'), { file: 't.xml', where: 'test' });
const noLoc = (e: unknown): unknown =>
  Array.isArray(e)
    ? e.map(noLoc)
    : e && typeof e === 'object'
      ? Object.fromEntries(
          Object.entries(e)
            .filter(([k]) => k !== 'loc')
            .map(([k, v]) => [k, noLoc(v)]),
        )
      : e;
const read = (inner: string): unknown => noLoc(math(inner));
const x = { kind: 'sym', name: 'x' } as const;
const y = { kind: 'sym', name: 'y' } as const;
const n = (value: number) => ({ kind: 'num', value }) as const;
const roundTrip = (e: Expr, boolean = false): unknown =>
  noLoc(readMath(parseXml(writeMath(e, '', boolean)), { where: 'round trip' }));

const UNARY: Op[] = [
  'exp',
  'ln',
  'abs',
  'floor',
  'ceiling',
  'factorial',
  'not',
  'sin',
  'cos',
  'tan',
  'sec',
  'csc',
  'cot',
  'sinh',
  'cosh',
  'tanh',
  'sech',
  'csch',
  'coth',
  'arcsin',
  'arccos',
  'arctan',
  'arcsec',
  'arccsc',
  'arccot',
  'arcsinh',
  'arccosh',
  'arctanh',
  'arcsech',
  'arccsch',
  'arccoth',
];
const BINARY: Op[] = ['divide', 'power', 'rem', 'quotient', 'neq', 'implies', 'minus'];
const NARY: Op[] = ['plus', 'times', 'and', 'or', 'xor', 'min', 'max', 'eq', 'lt', 'gt', 'leq', 'geq'];

describe('MathML reader: operators', () => {
  it.each(UNARY)('<%s/> with one argument', (op) => {
    expect(read(`<apply><${op}/><ci> x </ci></apply>`)).toEqual({ kind: 'call', op, args: [x] });
  });
  it.each(BINARY)('<%s/> with two arguments', (op) => {
    expect(read(`<apply><${op}/><ci>x</ci><ci>y</ci></apply>`)).toEqual({ kind: 'call', op, args: [x, y] });
  });
  it.each(NARY)('<%s/> with 0, 1 and 3 arguments', (op) => {
    expect(read(`<apply><${op}/></apply>`)).toEqual({ kind: 'call', op, args: [] });
    expect(read(`<apply><${op}/><ci>x</ci></apply>`)).toEqual({ kind: 'call', op, args: [x] });
    expect(read(`<apply><${op}/><ci>x</ci><ci>y</ci><cn>2</cn></apply>`)).toEqual({
      kind: 'call',
      op,
      args: [x, y, n(2)],
    });
  });
  it('unary minus', () => {
    expect(read('<apply><minus/><ci>x</ci></apply>')).toEqual({ kind: 'call', op: 'minus', args: [x] });
  });
  it('root and log with and without qualifiers', () => {
    expect(read('<apply><root/><ci>x</ci></apply>')).toEqual({ kind: 'call', op: 'sqrt', args: [x] });
    expect(read('<apply><root/><degree><cn type="integer">3</cn></degree><ci>x</ci></apply>')).toEqual({
      kind: 'call',
      op: 'root',
      args: [n(3), x],
    });
    expect(read('<apply><log/><ci>x</ci></apply>')).toEqual({ kind: 'call', op: 'log10', args: [x] });
    expect(read('<apply><log/><logbase><cn>2</cn></logbase><ci>x</ci></apply>')).toEqual({
      kind: 'call',
      op: 'log',
      args: [n(2), x],
    });
  });
  it('csymbols: time, avogadro, delay, rateOf', () => {
    const base = 'http://www.sbml.org/sbml/symbols/';
    expect(read(`<csymbol encoding="text" definitionURL="${base}time"> t </csymbol>`)).toEqual({
      kind: 'time',
    });
    expect(read(`<csymbol definitionURL="${base}avogadro">N</csymbol>`)).toEqual({ kind: 'avogadro' });
    expect(
      read(`<apply><csymbol definitionURL="${base}delay">d</csymbol><ci>x</ci><cn>1</cn></apply>`),
    ).toEqual({
      kind: 'call',
      op: 'delay',
      args: [x, n(1)],
    });
    expect(read(`<apply><csymbol definitionURL="${base}rateOf">r</csymbol><ci>x</ci></apply>`)).toEqual({
      kind: 'call',
      op: 'rateOf',
      args: [x],
    });
  });
  it('function calls, piecewise, semantics', () => {
    expect(read('<apply><ci> f </ci><ci>x</ci><cn>1</cn></apply>')).toEqual({
      kind: 'apply',
      fn: 'f',
      args: [x, n(1)],
    });
    expect(
      read(
        '<piecewise><piece><ci>x</ci><apply><lt/><ci>x</ci><cn>0</cn></apply></piece><otherwise><ci>y</ci></otherwise></piecewise>',
      ),
    ).toEqual({
      kind: 'piecewise',
      pieces: [{ value: x, condition: { kind: 'call', op: 'lt', args: [x, n(0)] } }],
      otherwise: y,
    });
    expect(read('<piecewise><piece><cn>1</cn><true/></piece></piecewise>')).toEqual({
      kind: 'piecewise',
      pieces: [{ value: n(1), condition: n(1) }],
    });
    expect(
      read('<semantics><ci>x</ci><annotation encoding="text">whatever</annotation></semantics>'),
    ).toEqual(x);
  });
  it('lambda with bound variables', () => {
    const el = parseXml(
      `<math ${NS}><lambda><bvar><ci>a</ci></bvar><bvar><ci>b</ci></bvar><apply><times/><ci>a</ci><ci>b</ci></apply></lambda></math>`,
    );
    const { args, body } = readLambda(el, { where: 'f' });
    expect(args).toEqual(['a', 'b']);
    expect(noLoc(body)).toEqual({
      kind: 'call',
      op: 'times',
      args: [
        { kind: 'sym', name: 'a' },
        { kind: 'sym', name: 'b' },
      ],
    });
  });
});

describe('MathML reader: numbers and constants', () => {
  it('cn types', () => {
    expect(read('<cn type="integer"> 42 </cn>')).toEqual(n(42));
    expect(read('<cn> -1.5e-3 </cn>')).toEqual(n(-1.5e-3));
    expect(read('<cn type="real">.5</cn>')).toEqual(n(0.5));
    expect(read('<cn type="e-notation"> 6.0221 <sep/> 23 </cn>')).toEqual(n(6.0221e23));
    expect(read('<cn type="e-notation"> 1 <sep/> -3 </cn>')).toEqual(n(1e-3));
    expect(read('<cn type="rational"> 1 <sep/> 4 </cn>')).toEqual(n(0.25));
    expect(read('<cn sbml:units="mole"> 2 </cn>')).toEqual({ kind: 'num', value: 2, units: 'mole' });
    expect(read('<cn> INF </cn>')).toEqual(n(Number.POSITIVE_INFINITY));
  });
  it('constants', () => {
    expect(read('<true/>')).toEqual(n(1));
    expect(read('<false/>')).toEqual(n(0));
    expect(read('<pi/>')).toEqual(n(Math.PI));
    expect(read('<exponentiale/>')).toEqual(n(Math.E));
    expect(read('<infinity/>')).toEqual(n(Number.POSITIVE_INFINITY));
    expect(read('<notanumber/>')).toEqual(n(Number.NaN));
  });
});

describe('MathML reader: refusals name the element and line', () => {
  const err = (inner: string): string => {
    try {
      math(inner);
    } catch (e) {
      expect(e).toBeInstanceOf(SbmlError);
      return (e as Error).message;
    }
    throw new Error('no error');
  };
  it('unknown elements and operators', () => {
    expect(err('<apply><gcd/><ci>x</ci><ci>y</ci></apply>')).toBe(
      't.xml:1: MathML operator <gcd> is not supported in test',
    );
    expect(err('<matrix/>')).toBe('t.xml:1: MathML element <matrix> is not supported in test');
    expect(err('<csymbol definitionURL="http://example.org/x">x</csymbol>')).toMatch(
      /csymbol definitionURL="http:\/\/example.org\/x"> is not supported/,
    );
    expect(err('<cn type="complex-cartesian">1<sep/>2</cn>')).toMatch(
      /<cn type="complex-cartesian"> is not supported/,
    );
    expect(err('<cn>abc</cn>')).toMatch(/is not a number/);
  });
  it('wrong arity', () => {
    expect(err('<apply><divide/><ci>x</ci></apply>')).toMatch(/<divide> with 1 argument \(expected 2\)/);
    expect(err('<apply><sin/></apply>')).toMatch(/<sin> with 0 arguments/);
  });
  it('line numbers of nested elements', () => {
    const el = parseXml(`<math ${NS}>\n<apply>\n<plus/>\n<ci>x</ci>\n<foo/>\n</apply>\n</math>`, 'm.xml');
    expect(() => readMath(el, { file: 'm.xml', where: 'rule x' })).toThrow(
      'm.xml:5: MathML element <foo> is not supported in rule x',
    );
  });
});

describe('MathML writer', () => {
  const all: Expr[] = [
    ...UNARY.map((op) => ({ kind: 'call', op, args: [x] }) as Expr),
    ...BINARY.map((op) => ({ kind: 'call', op, args: [x, y] }) as Expr),
    ...NARY.map((op) => ({ kind: 'call', op, args: [x, y, n(3)] }) as Expr),
    { kind: 'call', op: 'plus', args: [] },
    { kind: 'call', op: 'minus', args: [x] },
    { kind: 'call', op: 'sqrt', args: [x] },
    { kind: 'call', op: 'root', args: [n(3), x] },
    { kind: 'call', op: 'log10', args: [x] },
    { kind: 'call', op: 'log', args: [n(2), x] },
    { kind: 'call', op: 'delay', args: [x, n(0.5)] },
    { kind: 'call', op: 'rateOf', args: [x] },
    { kind: 'apply', fn: 'f', args: [x, { kind: 'time' }, { kind: 'avogadro' }] },
    {
      kind: 'piecewise',
      pieces: [{ value: x, condition: { kind: 'call', op: 'gt', args: [x, n(1)] } }],
      otherwise: n(-2.5),
    },
    { kind: 'piecewise', pieces: [{ value: n(1), condition: n(0) }] },
  ];
  it.each(all.map((e, i) => [i, e] as const))('expression %i round-trips', (_, e) => {
    expect(roundTrip(e)).toEqual(e);
  });
  it('numbers round-trip exactly (integers, reals, exponents, special values, units)', () => {
    for (const v of [
      0,
      -0,
      1,
      -7,
      2 ** 53,
      2 ** 60,
      0.1,
      1 / 3,
      -1.5e-300,
      6.02214076e23,
      1e21,
      5e-324,
      Math.PI,
      Math.E,
      Infinity,
      -Infinity,
      Number.NaN,
    ])
      expect(roundTrip(n(v))).toEqual(n(v));
    for (const v of [2, 0.1, 1e-30, Infinity])
      expect(roundTrip({ kind: 'num', value: v, units: 'mole' })).toEqual({
        kind: 'num',
        value: v,
        units: 'mole',
      });
  });
  it('booleans in conditions are written as <true/>/<false/>', () => {
    const xml = writeMath({ kind: 'call', op: 'and', args: [n(1), n(0)] }, '');
    expect(xml).toContain('<true/>');
    expect(xml).toContain('<false/>');
    expect(writeMath(n(1), '', true)).toContain('<true/>');
    expect(writeMath(n(1), '')).toContain('<cn type="integer"> 1 </cn>');
  });
  it('lambda round-trips', () => {
    const body: Expr = { kind: 'call', op: 'plus', args: [{ kind: 'sym', name: 'a' }, n(1)] };
    const { args, body: b } = readLambda(parseXml(writeLambda(['a'], body, '')), { where: 'f' });
    expect(args).toEqual(['a']);
    expect(noLoc(b)).toEqual(body);
  });
});
