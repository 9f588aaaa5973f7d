/**
 * Built-in functions and constants of the model language, mapped to the `Op` names of the expression tree
 * (the SBML Level 3 MathML set) with their arities.
 */
import type { Op } from '../../numerics/expr/ast.js';

export interface Arity {
  readonly min: number;
  /** Infinity for n-ary operators. */
  readonly max: number;
}

const INF = Number.POSITIVE_INFINITY;
const one: Arity = { min: 1, max: 1 };
const two: Arity = { min: 2, max: 2 };

/** Arity of every operator, whatever front end produced the call. */
export const OP_ARITY: Record<Op, Arity> = {
  plus: { min: 0, max: INF },
  minus: { min: 1, max: 2 },
  times: { min: 0, max: INF },
  divide: two,
  power: two,
  exp: one,
  ln: one,
  log10: one,
  log: two,
  sqrt: one,
  root: two,
  abs: one,
  floor: one,
  ceiling: one,
  factorial: one,
  min: { min: 1, max: INF },
  max: { min: 1, max: INF },
  rem: two,
  quotient: two,
  sin: one,
  cos: one,
  tan: one,
  sec: one,
  csc: one,
  cot: one,
  sinh: one,
  cosh: one,
  tanh: one,
  sech: one,
  csch: one,
  coth: one,
  arcsin: one,
  arccos: one,
  arctan: one,
  arcsec: one,
  arccsc: one,
  arccot: one,
  arcsinh: one,
  arccosh: one,
  arctanh: one,
  arcsech: one,
  arccsch: one,
  arccoth: one,
  eq: { min: 2, max: INF },
  neq: two,
  lt: { min: 2, max: INF },
  gt: { min: 2, max: INF },
  leq: { min: 2, max: INF },
  geq: { min: 2, max: INF },
  and: { min: 0, max: INF },
  or: { min: 0, max: INF },
  xor: { min: 0, max: INF },
  not: one,
  implies: two,
  delay: two,
  rateOf: one,
};

/** Function names accepted in the text, with the operator they denote (MathML names plus common aliases). */
export const FUNCTION_NAMES: ReadonlyMap<string, Op> = new Map<string, Op>([
  ...(Object.keys(OP_ARITY) as Op[]).map((op) => [op, op] as [string, Op]),
  ['ceil', 'ceiling'],
  ['pow', 'power'],
  ['asin', 'arcsin'],
  ['acos', 'arccos'],
  ['atan', 'arctan'],
  ['asinh', 'arcsinh'],
  ['acosh', 'arccosh'],
  ['atanh', 'arctanh'],
]);

/** Functions with special syntax, also reserved. */
export const SPECIAL_FUNCTIONS = new Set(['piecewise', 'if', 'mass_action']);

/** Identifiers that always mean a built-in constant and cannot name model elements. */
export const RESERVED_CONSTANTS = new Set([
  'time',
  'avogadro',
  'true',
  'false',
  'exponentiale',
  'infinity',
  'notanumber',
]);

/** Constants that a model may shadow by defining an element of the same name (documented). */
export const SHADOWABLE_CONSTANTS: ReadonlyMap<string, number> = new Map([
  ['pi', Math.PI],
  ['e', Math.E],
  ['inf', Number.POSITIVE_INFINITY],
  ['NaN', Number.NaN],
]);

/** Keywords of the language; they cannot be element ids. */
export const KEYWORDS = new Set([
  'model',
  'module',
  'end',
  'function',
  'unit',
  'species',
  'compartment',
  'formula',
  'parameter',
  'const',
  'var',
  'substanceOnly',
  'boundary',
  'at',
  'after',
  'in',
  'is',
  'has',
  'notes',
  'and',
  'or',
  'not',
  'xor',
  'import',
  'delete',
]);

/** Model-level unit settings: statement keyword -> ModelUnits field. */
export const MODEL_UNIT_KEYWORDS: ReadonlyMap<
  string,
  'substance' | 'time' | 'volume' | 'area' | 'length' | 'extent'
> = new Map([
  ['substanceUnits', 'substance'],
  ['timeUnits', 'time'],
  ['volumeUnits', 'volume'],
  ['areaUnits', 'area'],
  ['lengthUnits', 'length'],
  ['extentUnits', 'extent'],
]);

/**
 * Names that cannot be element ids: keywords, reserved constants and model-unit settings. Built-in function
 * names are not reserved: `exp` followed by `(` is the function, otherwise an ordinary symbol.
 */
export function isReservedName(name: string): boolean {
  return (
    KEYWORDS.has(name) ||
    RESERVED_CONSTANTS.has(name) ||
    MODEL_UNIT_KEYWORDS.has(name) ||
    name === 'conversionFactor'
  );
}
