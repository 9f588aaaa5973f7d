/**
 * Unit algebra for model checking.
 *
 * A unit is a scale factor times a product of powers of the base dimensions (metre, kilogram, second,
 * ampere, kelvin, mole, candela, item). SBML unit definitions (`(multiplier * 10^scale * kind)^exponent`,
 * SBML L3V2 section 4.4) reduce to this form, so `mole/litre/second` and `1000 mole/metre^3/second` compare
 * equal. `item` is its own dimension, as in SBML: a count is not a mole.
 *
 * `inferUnits` computes the units of an expression bottom-up. Literals without units are adaptive: they take
 * the units of whatever they are added to or compared with and are dimensionless in products. A symbol with
 * no declared units makes the result unknown, and nothing unknown is ever flagged, so models that declare no
 * units are never reported.
 */
import type { Expr, SourceLoc } from '../numerics/expr/ast.js';
import { AVOGADRO } from '../numerics/expr/runtime.js';
import type { Model, UnitDefinition, UnitTerm } from './ir.js';
import { OP_ARITY } from './text/builtins.js';

export const BASE_DIMENSIONS = [
  'metre',
  'kilogram',
  'second',
  'ampere',
  'kelvin',
  'mole',
  'candela',
  'item',
] as const;
const NDIM = BASE_DIMENSIONS.length;

export interface Unit {
  readonly factor: number;
  /** Exponents of BASE_DIMENSIONS (may be fractional after sqrt). */
  readonly dims: readonly number[];
}

const d = (m = 0, kg = 0, s = 0, A = 0, K = 0, mol = 0, cd = 0, item = 0) => [m, kg, s, A, K, mol, cd, item];

/** SBML base unit kinds (SBML L3V2 Table 2) in SI base dimensions. */
const KINDS: Record<string, Unit> = {
  ampere: { factor: 1, dims: d(0, 0, 0, 1) },
  avogadro: { factor: AVOGADRO, dims: d() }, // the SBML L3 value, as for csymbol avogadro
  becquerel: { factor: 1, dims: d(0, 0, -1) },
  candela: { factor: 1, dims: d(0, 0, 0, 0, 0, 0, 1) },
  coulomb: { factor: 1, dims: d(0, 0, 1, 1) },
  dimensionless: { factor: 1, dims: d() },
  farad: { factor: 1, dims: d(-2, -1, 4, 2) },
  gram: { factor: 1e-3, dims: d(0, 1) },
  gray: { factor: 1, dims: d(2, 0, -2) },
  henry: { factor: 1, dims: d(2, 1, -2, -2) },
  hertz: { factor: 1, dims: d(0, 0, -1) },
  item: { factor: 1, dims: d(0, 0, 0, 0, 0, 0, 0, 1) },
  joule: { factor: 1, dims: d(2, 1, -2) },
  katal: { factor: 1, dims: d(0, 0, -1, 0, 0, 1) },
  kelvin: { factor: 1, dims: d(0, 0, 0, 0, 1) },
  kilogram: { factor: 1, dims: d(0, 1) },
  litre: { factor: 1e-3, dims: d(3) },
  lumen: { factor: 1, dims: d(0, 0, 0, 0, 0, 0, 1) },
  lux: { factor: 1, dims: d(-2, 0, 0, 0, 0, 0, 1) },
  metre: { factor: 1, dims: d(1) },
  mole: { factor: 1, dims: d(0, 0, 0, 0, 0, 1) },
  newton: { factor: 1, dims: d(1, 1, -2) },
  ohm: { factor: 1, dims: d(2, 1, -3, -2) },
  pascal: { factor: 1, dims: d(-1, 1, -2) },
  radian: { factor: 1, dims: d() },
  second: { factor: 1, dims: d(0, 0, 1) },
  siemens: { factor: 1, dims: d(-2, -1, 3, 2) },
  sievert: { factor: 1, dims: d(2, 0, -2) },
  steradian: { factor: 1, dims: d() },
  tesla: { factor: 1, dims: d(0, 1, -2, -1) },
  volt: { factor: 1, dims: d(2, 1, -3, -1) },
  watt: { factor: 1, dims: d(2, 1, -3) },
  weber: { factor: 1, dims: d(2, 1, -2, -1) },
};

export const BASE_UNIT_KINDS: ReadonlySet<string> = new Set(Object.keys(KINDS));

/** US spellings and Antimony's plurals (`seconds`) of base kinds. */
export function canonicalKind(name: string): string | undefined {
  if (KINDS[name]) return name;
  if (name === 'liter' || name === 'liters') return 'litre';
  if (name === 'meter' || name === 'meters') return 'metre';
  if (name.endsWith('s') && KINDS[name.slice(0, -1)]) return name.slice(0, -1);
  return undefined;
}

const t = (kind: string, exponent = 1, scale = 0, multiplier = 1): UnitTerm => ({
  kind,
  exponent,
  scale,
  multiplier,
});

/**
 * Units every model may use without defining them; a model that uses one gets its definition added. Decimal
 * prefixes use `scale`, other factors `multiplier`. month = year/12 and year = 365.25 days (Julian year).
 */
export const PREDEFINED_UNITS: ReadonlyMap<string, readonly UnitTerm[]> = new Map<string, UnitTerm[]>([
  ['ms', [t('second', 1, -3)]],
  ['minute', [t('second', 1, 0, 60)]],
  ['hour', [t('second', 1, 0, 3600)]],
  ['day', [t('second', 1, 0, 86400)]],
  ['week', [t('second', 1, 0, 604800)]],
  ['month', [t('second', 1, 0, 2629800)]],
  ['year', [t('second', 1, 0, 31557600)]],
  ['per_second', [t('second', -1)]],
  ['per_minute', [t('second', -1, 0, 60)]],
  ['per_hour', [t('second', -1, 0, 3600)]],
  ['per_day', [t('second', -1, 0, 86400)]],
  ['per_week', [t('second', -1, 0, 604800)]],
  ['per_month', [t('second', -1, 0, 2629800)]],
  ['per_year', [t('second', -1, 0, 31557600)]],
  ['L', [t('litre')]],
  ['mL', [t('litre', 1, -3)]],
  ['uL', [t('litre', 1, -6)]],
  ['nL', [t('litre', 1, -9)]],
  ['pL', [t('litre', 1, -12)]],
  ['fL', [t('litre', 1, -15)]],
  ['mmol', [t('mole', 1, -3)]],
  ['umol', [t('mole', 1, -6)]],
  ['nmol', [t('mole', 1, -9)]],
  ['pmol', [t('mole', 1, -12)]],
  ['M', [t('mole'), t('litre', -1)]],
  ['mM', [t('mole', 1, -3), t('litre', -1)]],
  ['uM', [t('mole', 1, -6), t('litre', -1)]],
  ['nM', [t('mole', 1, -9), t('litre', -1)]],
  ['pM', [t('mole', 1, -12), t('litre', -1)]],
  ['mg', [t('gram', 1, -3)]],
  ['ug', [t('gram', 1, -6)]],
  ['ng', [t('gram', 1, -9)]],
  ['kg', [t('kilogram')]],
  ['cm', [t('metre', 1, -2)]],
  ['mm', [t('metre', 1, -3)]],
  ['um', [t('metre', 1, -6)]],
  ['nm', [t('metre', 1, -9)]],
]);

export const DIMENSIONLESS: Unit = { factor: 1, dims: d() };

export function unitFromTerms(terms: readonly UnitTerm[]): Unit {
  let factor = 1;
  const dims = new Array<number>(NDIM).fill(0);
  for (const term of terms) {
    const k = KINDS[canonicalKind(term.kind) ?? ''];
    if (!k) throw new Error(`unknown unit kind '${term.kind}'`);
    factor *= (term.multiplier * 10 ** term.scale * k.factor) ** term.exponent;
    for (let i = 0; i < NDIM; i++) dims[i] += k.dims[i] * term.exponent;
  }
  return { factor, dims };
}

export function multiply(a: Unit, b: Unit): Unit {
  return { factor: a.factor * b.factor, dims: a.dims.map((x, i) => x + b.dims[i]) };
}

export function divide(a: Unit, b: Unit): Unit {
  return { factor: a.factor / b.factor, dims: a.dims.map((x, i) => x - b.dims[i]) };
}

export function power(a: Unit, n: number): Unit {
  return { factor: a.factor ** n, dims: a.dims.map((x) => x * n) };
}

const EPS = 1e-9;

export function sameDimension(a: Unit, b: Unit): boolean {
  return a.dims.every((x, i) => Math.abs(x - b.dims[i]) < EPS);
}

export function sameUnit(a: Unit, b: Unit): boolean {
  return (
    sameDimension(a, b) &&
    Math.abs(a.factor - b.factor) <= EPS * Math.max(Math.abs(a.factor), Math.abs(b.factor))
  );
}

export function isDimensionless(a: Unit): boolean {
  return a.dims.every((x) => Math.abs(x) < EPS);
}

/** Resolves unit ids: the model's unit definitions, then base kinds, then predefined units. */
export class UnitTable {
  private readonly defs = new Map<string, UnitDefinition>();

  constructor(model: Pick<Model, 'unitDefinitions'>) {
    for (const u of model.unitDefinitions) this.defs.set(u.id, u);
  }

  has(id: string): boolean {
    return this.lookup(id) !== undefined;
  }

  lookup(id: string): Unit | undefined {
    const def = this.defs.get(id);
    try {
      if (def) return unitFromTerms(def.terms);
      const k = canonicalKind(id);
      if (k) return KINDS[k];
      const p = PREDEFINED_UNITS.get(id);
      if (p) return unitFromTerms(p);
    } catch {
      return undefined;
    }
    return undefined;
  }
}

// ---------------------------------------------------------------- formatting

function fmtExp(name: string, e: number): string {
  return e === 1 ? name : `${name}^${Number.isInteger(e) ? e : e.toFixed(3)}`;
}

function formatProduct(parts: readonly { name: string; exp: number }[], factor: number): string {
  const num = parts.filter((p) => p.exp > 0).map((p) => fmtExp(p.name, p.exp));
  const den = parts.filter((p) => p.exp < 0).map((p) => fmtExp(p.name, -p.exp));
  let s = num.length > 0 ? num.join('*') : den.length > 0 ? '1' : 'dimensionless';
  if (den.length > 0) s += `/${den.join('/')}`;
  if (Math.abs(factor - 1) > 1e-12) s = `${Number(factor.toPrecision(6))} ${s}`;
  return s;
}

/** Units in SI base dimensions, e.g. `1000 mole/metre^3/second`. */
export function formatBase(u: Unit): string {
  return formatProduct(
    BASE_DIMENSIONS.map((name, i) => ({ name, exp: u.dims[i] })).filter((p) => Math.abs(p.exp) > EPS),
    u.factor,
  );
}

/**
 * Units in terms of the given named units when an exact combination with small integer exponents exists
 * (e.g. `mole/litre/second`), otherwise in SI base dimensions.
 */
export function formatUnit(u: Unit, named: readonly { name: string; unit: Unit }[] = []): string {
  // Only units whose dimensions all occur in `u` can take part; at most four keep the search small (7^4).
  const relevant = (c: Unit) =>
    !isDimensionless(c) && c.dims.every((x, i) => Math.abs(x) < EPS || Math.abs(u.dims[i]) >= EPS);
  const cands = named
    .filter((n, i) => named.findIndex((m) => m.name === n.name) === i && relevant(n.unit))
    .slice(0, 4);
  let best: { name: string; exp: number }[] | undefined;
  const exps = new Array<number>(cands.length).fill(0);
  const search = (i: number) => {
    if (i === cands.length) {
      let acc = DIMENSIONLESS;
      for (let j = 0; j < cands.length; j++) acc = multiply(acc, power(cands[j].unit, exps[j]));
      if (sameUnit(acc, u)) {
        const parts = cands.map((c, j) => ({ name: c.name, exp: exps[j] })).filter((p) => p.exp !== 0);
        if (!best || parts.length < best.length) best = parts;
      }
      return;
    }
    for (let e = -3; e <= 3; e++) {
      exps[i] = e;
      search(i + 1);
    }
    exps[i] = 0;
  };
  if (cands.length > 0) search(0);
  if (best) return formatProduct(best, 1);
  for (const [name, terms] of [...KIND_ENTRIES, ...PREDEFINED_UNITS]) {
    const v = Array.isArray(terms) ? unitFromTerms(terms) : (terms as Unit);
    if (sameUnit(v, u)) return name;
  }
  return formatBase(u);
}

const KIND_ENTRIES: [string, Unit][] = Object.entries(KINDS).filter(
  ([k]) =>
    ![
      'radian',
      'steradian',
      'dimensionless',
      'avogadro',
      'hertz',
      'becquerel',
      'lumen',
      'gray',
      'sievert',
    ].includes(k),
);

/** A rough physical reading of a unit: `concentration/time`, `substance`, `1/time`, ... */
export function describeDimension(u: Unit): string | undefined {
  const [m, kg, s, A, K, mol, cd, item] = u.dims.map((x) => Math.round(x * 1000) / 1000);
  if (A !== 0 || K !== 0 || cd !== 0 || kg !== 0) return undefined;
  const subst = mol !== 0 ? mol : item;
  if (mol !== 0 && item !== 0) return undefined;
  const parts: string[] = [];
  const den: string[] = [];
  let vol = 0;
  let len = m;
  if (subst === 1 && m === -3) {
    parts.push('concentration');
    len = 0;
  } else if (subst === 1) parts.push('substance');
  else if (subst === -1) den.push('substance');
  else if (subst !== 0) return undefined;
  if (len !== 0) {
    if (len % 3 === 0) vol = len / 3;
    if (vol === 1) parts.push('volume');
    else if (vol === -1) den.push('volume');
    else if (len === 1) parts.push('length');
    else if (len === 2) parts.push('area');
    else if (len === -1) den.push('length');
    else if (len === -2) den.push('area');
    else return undefined;
  }
  if (s === 1) parts.push('time');
  else if (s === -1) den.push('time');
  else if (s !== 0) return undefined;
  if (parts.length === 0 && den.length === 0) return 'dimensionless';
  return `${parts.length > 0 ? parts.join('*') : '1'}${den.map((x) => `/${x}`).join('')}`;
}

// ---------------------------------------------------------------- inference

export type UnitValue =
  | { readonly kind: 'known'; readonly unit: Unit }
  /** A literal without units: adapts to the other side of + - and comparisons, dimensionless elsewhere. */
  | { readonly kind: 'literal' }
  | { readonly kind: 'unknown' };

export interface UnitIssue {
  readonly message: string;
  readonly loc?: SourceLoc;
}

export interface UnitContext {
  /** Units of a symbol; undefined when it has none (the result then is unknown). */
  symbol(name: string): Unit | undefined;
  /** Units of a unit id attached to a literal; undefined when the id is unknown. */
  unit(id: string): Unit | undefined;
  /** Model time units, if declared. */
  readonly time?: Unit;
  /** User function definitions by id. */
  func?(id: string): { args: readonly string[]; body: Expr } | undefined;
  /** Named units for messages. */
  readonly named?: readonly { name: string; unit: Unit }[];
  /** Called for every inconsistency found. */
  report?(issue: UnitIssue): void;
}

const KNOWN = (unit: Unit): UnitValue => ({ kind: 'known', unit });
const LITERAL: UnitValue = { kind: 'literal' };
const UNKNOWN: UnitValue = { kind: 'unknown' };

const DIMENSIONLESS_ARG = new Set([
  'exp',
  'ln',
  'log10',
  'log',
  'factorial',
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
]);

/** The numeric value of a constant expression (literals and arithmetic on them), or undefined. */
export function constantValue(e: Expr): number | undefined {
  if (e.kind === 'num') return e.value;
  if (e.kind !== 'call') return undefined;
  const a = e.args.map(constantValue);
  if (a.some((x) => x === undefined)) return undefined;
  const v = a as number[];
  switch (e.op) {
    case 'minus':
      return v.length === 1 ? -v[0] : v[0] - v[1];
    case 'plus':
      return v.reduce((x, y) => x + y, 0);
    case 'times':
      return v.reduce((x, y) => x * y, 1);
    case 'divide':
      return v[0] / v[1];
    case 'power':
      return v[0] ** v[1];
    default:
      return undefined;
  }
}

export function inferUnits(
  expr: Expr,
  ctx: UnitContext,
  bindings?: ReadonlyMap<string, UnitValue>,
): UnitValue {
  const fmt = (u: Unit) => formatUnit(u, ctx.named);
  const report = (message: string, loc?: SourceLoc) => ctx.report?.({ message, loc });

  /** Units shared by operands that must agree (+, -, comparisons, min, max, piecewise values). */
  const unify = (vals: UnitValue[], what: string, loc?: SourceLoc): UnitValue => {
    let first: Unit | undefined;
    let unknown = false;
    for (const v of vals) {
      if (v.kind === 'unknown') unknown = true;
      else if (v.kind === 'known') {
        if (!first) first = v.unit;
        else if (!sameDimension(first, v.unit)) {
          report(`${what} of quantities with different units: ${fmt(first)} and ${fmt(v.unit)}`, loc);
          return UNKNOWN;
        } else if (!sameUnit(first, v.unit)) {
          report(
            `${what} of quantities in different units: ${fmt(first)} and ${fmt(v.unit)} (scale factors differ)`,
            loc,
          );
          return UNKNOWN;
        }
      }
    }
    if (first) return KNOWN(first);
    return unknown ? UNKNOWN : LITERAL;
  };

  const requireDimensionless = (v: UnitValue, what: string, loc?: SourceLoc) => {
    if (v.kind === 'known' && !isDimensionless(v.unit)) {
      report(`the argument of ${what} must be dimensionless, but has units ${fmt(v.unit)}`, loc);
    }
  };

  const go = (e: Expr, env: ReadonlyMap<string, UnitValue> | undefined): UnitValue => {
    switch (e.kind) {
      case 'num': {
        if (e.units === undefined) return LITERAL;
        const u = ctx.unit(e.units);
        return u ? KNOWN(u) : UNKNOWN;
      }
      case 'sym': {
        if (env) {
          const v = env.get(e.name);
          if (v) return v;
        }
        const u = ctx.symbol(e.name);
        return u ? KNOWN(u) : UNKNOWN;
      }
      case 'time':
        return ctx.time ? KNOWN(ctx.time) : UNKNOWN;
      case 'avogadro':
        return KNOWN({ factor: 1, dims: d(0, 0, 0, 0, 0, -1) });
      case 'piecewise': {
        for (const p of e.pieces) go(p.condition, env);
        const vals = e.pieces.map((p) => go(p.value, env));
        if (e.otherwise) vals.push(go(e.otherwise, env));
        return unify(vals, 'piecewise choice', e.loc);
      }
      case 'apply': {
        const f = ctx.func?.(e.fn);
        const args = e.args.map((a) => go(a, env));
        if (!f || f.args.length !== args.length) return UNKNOWN;
        const inner = new Map<string, UnitValue>();
        f.args.forEach((name, i) => inner.set(name, args[i]));
        // Inside the body only the arguments are visible; problems are reported at the call site.
        const outer = ctx.report;
        return inferUnits(
          f.body,
          {
            ...ctx,
            symbol: () => undefined,
            report: outer
              ? (issue) => outer({ message: `in ${e.fn}(): ${issue.message}`, loc: e.loc ?? issue.loc })
              : undefined,
          },
          inner,
        );
      }
      case 'call':
        return call(e, env);
    }
  };

  const call = (
    e: Extract<Expr, { kind: 'call' }>,
    env: ReadonlyMap<string, UnitValue> | undefined,
  ): UnitValue => {
    const args = e.args.map((a) => go(a, env));
    const arity = OP_ARITY[e.op];
    // Wrong arities are reported by validateModel; nothing to infer here.
    if (!arity || args.length < arity.min || args.length > arity.max) return UNKNOWN;
    switch (e.op) {
      case 'plus':
        return unify(args, 'addition', e.loc);
      case 'minus':
        return args.length === 1 ? args[0] : unify(args, 'subtraction', e.loc);
      case 'times':
      case 'divide': {
        if (args.some((a) => a.kind === 'unknown')) return UNKNOWN;
        if (args.every((a) => a.kind === 'literal')) return LITERAL;
        let acc = DIMENSIONLESS;
        args.forEach((a, i) => {
          const u = a.kind === 'known' ? a.unit : DIMENSIONLESS;
          acc = e.op === 'divide' && i > 0 ? divide(acc, u) : multiply(acc, u);
        });
        return KNOWN(acc);
      }
      case 'power': {
        const [b, x] = args;
        requireDimensionless(x, 'an exponent', e.loc);
        if (b.kind !== 'known') return b;
        if (isDimensionless(b.unit) && b.unit.factor === 1) return b;
        const n = constantValue(e.args[1]);
        return n === undefined ? UNKNOWN : KNOWN(power(b.unit, n));
      }
      case 'sqrt':
        return args[0].kind === 'known' ? KNOWN(power(args[0].unit, 0.5)) : args[0];
      case 'root': {
        const [n, x] = args;
        requireDimensionless(n, 'a root degree', e.loc);
        if (x.kind !== 'known') return x;
        const deg = constantValue(e.args[0]);
        return deg === undefined ? UNKNOWN : KNOWN(power(x.unit, 1 / deg));
      }
      case 'abs':
      case 'floor':
      case 'ceiling':
        return args[0];
      case 'min':
      case 'max':
        return unify(args, `${e.op}()`, e.loc);
      case 'rem':
      case 'quotient':
        return e.op === 'rem'
          ? args[0]
          : args[0].kind === 'known' && args[1].kind === 'known'
            ? KNOWN(divide(args[0].unit, args[1].unit))
            : UNKNOWN;
      case 'eq':
      case 'neq':
      case 'lt':
      case 'gt':
      case 'leq':
      case 'geq':
        unify(args, 'comparison', e.loc);
        return LITERAL;
      case 'and':
      case 'or':
      case 'xor':
      case 'not':
      case 'implies':
        return LITERAL;
      case 'delay': {
        const [x, tau] = args;
        if (ctx.time && tau.kind === 'known' && !sameDimension(tau.unit, ctx.time)) {
          report(`the delay in delay(x, tau) must have units of time, but has units ${fmt(tau.unit)}`, e.loc);
        }
        return x;
      }
      case 'rateOf': {
        const [x] = args;
        if (x.kind !== 'known') return x;
        return ctx.time ? KNOWN(divide(x.unit, ctx.time)) : UNKNOWN;
      }
      default:
        if (DIMENSIONLESS_ARG.has(e.op)) {
          if (e.op === 'log') requireDimensionless(args[0], 'log (base)', e.loc);
          requireDimensionless(args[args.length - 1], `${e.op}()`, e.loc);
          return KNOWN(DIMENSIONLESS);
        }
        return UNKNOWN;
    }
  };

  return go(expr, bindings);
}
