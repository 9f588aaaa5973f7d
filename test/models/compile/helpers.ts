/** Test helpers: build IR objects directly (no dependency on the text parser). */

import {
  type Compartment,
  type Event,
  emptyModel,
  type Model,
  type Parameter,
  type Reaction,
  type Species,
} from '../../../src/models/ir.js';
import type { Expr, Op } from '../../../src/numerics/expr/ast.js';

const OPS = new Set<string>([
  'exp',
  'ln',
  'log10',
  'log',
  'sqrt',
  'root',
  'abs',
  'floor',
  'ceiling',
  'factorial',
  'min',
  'max',
  'rem',
  'quotient',
  'sin',
  'cos',
  'tan',
  'sec',
  'csc',
  'cot',
  'sinh',
  'cosh',
  'tanh',
  'arcsin',
  'arccos',
  'arctan',
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
  'piecewise',
]);

/**
 * A tiny infix reader for test formulas: numbers, identifiers, + - * / ^, unary minus, parentheses and
 * calls `f(a, b)` (built-in ops by MathML name, `piecewise(v1, c1, ..., otherwise)`, other names are user
 * functions). `time` is the time csymbol. Relations are written as calls: gt(a, b).
 */
export function ex(src: string): Expr {
  let i = 0;
  const peek = (): string => {
    while (src[i] === ' ') i++;
    return src[i] ?? '';
  };
  const eat = (ch: string): void => {
    if (peek() !== ch) throw new Error(`ex: expected '${ch}' at ${i} in ${src}`);
    i++;
  };
  const primary = (): Expr => {
    const ch = peek();
    if (ch === '(') {
      i++;
      const e = sum();
      eat(')');
      return e;
    }
    if (ch === '-') {
      i++;
      return { kind: 'call', op: 'minus', args: [power()] };
    }
    const num = /^(\d+\.?\d*(e[-+]?\d+)?|\.\d+)/.exec(src.slice(i));
    if (num) {
      i += num[0].length;
      return { kind: 'num', value: Number(num[0]) };
    }
    const id = /^[A-Za-z_][A-Za-z_0-9]*/.exec(src.slice(i));
    if (!id) throw new Error(`ex: unexpected '${ch}' at ${i} in ${src}`);
    i += id[0].length;
    const name = id[0];
    if (peek() === '(') {
      i++;
      const args: Expr[] = [];
      if (peek() !== ')') {
        args.push(sum());
        while (peek() === ',') {
          i++;
          args.push(sum());
        }
      }
      eat(')');
      if (name === 'piecewise') {
        const pieces = [];
        for (let k = 0; k + 1 < args.length; k += 2) pieces.push({ value: args[k], condition: args[k + 1] });
        return {
          kind: 'piecewise',
          pieces,
          otherwise: args.length % 2 === 1 ? args[args.length - 1] : undefined,
        };
      }
      if (OPS.has(name)) return { kind: 'call', op: name as Op, args };
      return { kind: 'apply', fn: name, args };
    }
    if (name === 'time') return { kind: 'time' };
    return { kind: 'sym', name };
  };
  const power = (): Expr => {
    const b = primary();
    if (peek() === '^') {
      i++;
      return { kind: 'call', op: 'power', args: [b, power()] };
    }
    return b;
  };
  const product = (): Expr => {
    let e = power();
    for (;;) {
      const ch = peek();
      if (ch !== '*' && ch !== '/') return e;
      i++;
      e = { kind: 'call', op: ch === '*' ? 'times' : 'divide', args: [e, power()] };
    }
  };
  const sum = (): Expr => {
    let e = product();
    for (;;) {
      const ch = peek();
      if (ch !== '+' && ch !== '-') return e;
      i++;
      e = { kind: 'call', op: ch === '+' ? 'plus' : 'minus', args: [e, product()] };
    }
  };
  const e = sum();
  if (peek() !== '') throw new Error(`ex: trailing input at ${i} in ${src}`);
  return e;
}

export const comp = (
  id: string,
  size: number | undefined,
  extra: Partial<Compartment> = {},
): Compartment => ({
  id,
  size,
  constant: true,
  spatialDimensions: 3,
  ...extra,
});

export const conc = (id: string, compartment: string, c: number, extra: Partial<Species> = {}): Species => ({
  id,
  compartment,
  initialConcentration: c,
  hasOnlySubstanceUnits: false,
  boundaryCondition: false,
  constant: false,
  ...extra,
});

export const amt = (id: string, compartment: string, a: number, extra: Partial<Species> = {}): Species => ({
  id,
  compartment,
  initialAmount: a,
  hasOnlySubstanceUnits: true,
  boundaryCondition: false,
  constant: false,
  ...extra,
});

export const par = (id: string, value: number | undefined, extra: Partial<Parameter> = {}): Parameter => ({
  id,
  value,
  constant: true,
  ...extra,
});

export const rxn = (
  id: string,
  reactants: [string, number][],
  products: [string, number][],
  law: string | Expr,
  extra: Partial<Reaction> = {},
): Reaction => ({
  id,
  reversible: false,
  reactants: reactants.map(([species, stoichiometry]) => ({ species, stoichiometry })),
  products: products.map(([species, stoichiometry]) => ({ species, stoichiometry })),
  modifiers: [],
  kinetics: { kind: 'law', math: typeof law === 'string' ? ex(law) : law },
  localParameters: [],
  ...extra,
});

export const event = (
  id: string,
  trigger: string,
  assignments: [string, string][],
  extra: Partial<Omit<Event, 'trigger'>> & { initialValue?: boolean; persistent?: boolean } = {},
): Event => {
  const { initialValue, persistent, ...rest } = extra;
  return {
    id,
    trigger: { math: ex(trigger), initialValue: initialValue ?? false, persistent: persistent ?? true },
    useValuesFromTriggerTime: true,
    assignments: assignments.map(([variable, math]) => ({ variable, math: ex(math) })),
    ...rest,
  };
};

export const model = (parts: Partial<Model>): Model => ({ ...emptyModel('test'), ...parts });

/** Deterministic PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** max_i |a_i - b_i| / (|b_i| + scale), scale = max |b| * 1e-3 (guards exact zeros). */
export function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let scale = 0;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]));
  let e = 0;
  for (let i = 0; i < b.length; i++)
    e = Math.max(e, Math.abs(a[i] - b[i]) / (Math.abs(b[i]) + 1e-3 * scale + 1e-300));
  if (a.length !== b.length) return Infinity;
  return e;
}
