/**
 * Content MathML (the SBML Level 2/3 subset, SBML L3V2 section 3.4) -> expression tree.
 *
 * One-to-one with the `Op` union of `numerics/expr/ast.ts`, with two MathML spellings resolved: `<root/>`
 * without `<degree>` is `sqrt` and with one is `root(degree, x)`; `<log/>` without `<logbase>` is `log10`
 * and with one is `log(base, x)`. The constants true/false/pi/exponentiale/infinity/notanumber become
 * numbers. `<semantics>` keeps its first child and drops the annotations. Anything outside the subset is
 * refused with an error naming the element.
 */
import type { Expr, Op, SourceLoc } from '../../numerics/expr/ast.js';
import { directText, localName, type XmlElement } from './xml.js';

export const CSYMBOL = {
  time: 'http://www.sbml.org/sbml/symbols/time',
  delay: 'http://www.sbml.org/sbml/symbols/delay',
  avogadro: 'http://www.sbml.org/sbml/symbols/avogadro',
  rateOf: 'http://www.sbml.org/sbml/symbols/rateOf',
} as const;

/** MathML operator elements that map to an `Op` of the same name. */
export const MATHML_OPS: ReadonlySet<string> = new Set<Op>([
  'plus',
  'minus',
  'times',
  'divide',
  'power',
  'exp',
  'ln',
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
]);

export class SbmlError extends Error {
  override name = 'SbmlError';
}

/** Context for error messages: the file name and a description of where the math sits. */
export interface MathContext {
  readonly file?: string;
  /** e.g. "kinetic law of reaction R1" */
  readonly where: string;
}

export function locOf(e: XmlElement, file?: string): SourceLoc | undefined {
  if (!e.line) return undefined;
  return file !== undefined ? { file, line: e.line, column: 1 } : { line: e.line, column: 1 };
}

export function prefixFor(e: XmlElement, file?: string): string {
  const f = file ?? '<input>';
  return e.line ? `${f}:${e.line}` : f;
}

function fail(e: XmlElement, ctx: MathContext, msg: string): never {
  throw new SbmlError(`${prefixFor(e, ctx.file)}: ${msg} in ${ctx.where}`);
}

/** Parses a number as SBML writes it in MathML and attributes (also INF, -INF, NaN). */
export function parseNumber(text: string): number {
  const s = text.trim();
  if (s === 'INF' || s === '+INF' || s === 'Infinity' || s === 'inf') return Number.POSITIVE_INFINITY;
  if (s === '-INF' || s === '-Infinity' || s === '-inf') return Number.NEGATIVE_INFINITY;
  if (s === 'NaN' || s === 'nan') return Number.NaN;
  if (s === '' || !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return Number.NaN;
  return Number(s);
}

const unitsAttr = (e: XmlElement): string | undefined => {
  for (const [k, v] of Object.entries(e.attrs)) if (k === 'units' || k.endsWith(':units')) return v;
  return undefined;
};

/** Converts the `<math>` element (or any MathML element) to an expression. */
export function readMath(math: XmlElement, ctx: MathContext): Expr {
  if (localName(math.name) === 'math') {
    const kids = math.elements;
    if (kids.length !== 1)
      fail(math, ctx, `<math> must contain exactly one expression (found ${kids.length})`);
    return readNode(kids[0], ctx);
  }
  return readNode(math, ctx);
}

/** Reads a `<lambda>` (function definition body): argument names and body. */
export function readLambda(math: XmlElement, ctx: MathContext): { args: string[]; body: Expr } {
  let node = math;
  if (localName(node.name) === 'math') {
    if (node.elements.length !== 1) fail(node, ctx, '<math> must contain exactly one <lambda>');
    node = node.elements[0];
  }
  while (localName(node.name) === 'semantics') node = semanticsBody(node, ctx);
  if (localName(node.name) !== 'lambda') fail(node, ctx, `expected <lambda>, found <${node.name}>`);
  const args: string[] = [];
  let body: Expr | undefined;
  for (const k of node.elements) {
    const name = localName(k.name);
    if (name === 'bvar') {
      if (body) fail(k, ctx, '<bvar> after the lambda body');
      const ci = k.elements[0];
      if (k.elements.length !== 1 || localName(ci.name) !== 'ci')
        fail(k, ctx, '<bvar> must contain one <ci>');
      args.push(directText(ci).trim());
    } else {
      if (body) fail(k, ctx, '<lambda> has more than one body');
      body = readNode(k, ctx);
    }
  }
  if (!body) fail(node, ctx, '<lambda> without a body');
  return { args, body };
}

function semanticsBody(e: XmlElement, ctx: MathContext): XmlElement {
  const first = e.elements[0];
  if (!first || ['annotation', 'annotation-xml'].includes(localName(first.name)))
    fail(e, ctx, '<semantics> without a MathML expression');
  return first;
}

function readCn(e: XmlElement, ctx: MathContext, loc: SourceLoc | undefined): Expr {
  const type = e.attrs.type ?? 'real';
  if (e.attrs.base !== undefined && e.attrs.base !== '10')
    fail(e, ctx, `<cn base="${e.attrs.base}"> (non-decimal base) is not supported`);
  const parts: string[] = [''];
  for (const c of e.content) {
    if (typeof c === 'string') parts[parts.length - 1] += c;
    else if (localName(c.name) === 'sep') parts.push('');
    else fail(c, ctx, `<${c.name}> inside <cn> is not supported`);
  }
  let value: number;
  switch (type) {
    case 'integer':
    case 'real':
    case 'double':
      if (parts.length !== 1) fail(e, ctx, `<cn type="${type}"> must not contain <sep/>`);
      value = parseNumber(parts[0]);
      break;
    case 'e-notation':
      if (parts.length !== 2) fail(e, ctx, '<cn type="e-notation"> needs mantissa <sep/> exponent');
      value = parseNumber(`${parts[0].trim()}e${parts[1].trim()}`);
      break;
    case 'rational':
      if (parts.length !== 2) fail(e, ctx, '<cn type="rational"> needs numerator <sep/> denominator');
      value = parseNumber(parts[0]) / parseNumber(parts[1]);
      break;
    default:
      fail(e, ctx, `<cn type="${type}"> is not supported`);
  }
  if (Number.isNaN(value) && !/nan/i.test(parts.join('')))
    fail(e, ctx, `<cn> '${parts.join(' ')}' is not a number`);
  const units = unitsAttr(e);
  return { kind: 'num', value, ...(units !== undefined ? { units } : {}), ...(loc ? { loc } : {}) };
}

function readNode(e: XmlElement, ctx: MathContext): Expr {
  const name = localName(e.name);
  const loc = locOf(e, ctx.file);
  const L = loc ? { loc } : {};
  const numc = (value: number): Expr => ({ kind: 'num', value, ...L });
  switch (name) {
    case 'cn':
      return readCn(e, ctx, loc);
    case 'ci': {
      const id = directText(e).trim();
      if (!id) fail(e, ctx, 'empty <ci>');
      if (e.elements.length) fail(e, ctx, `<${e.elements[0].name}> inside <ci> is not supported`);
      return { kind: 'sym', name: id, ...L };
    }
    case 'csymbol': {
      const url = (e.attrs.definitionURL ?? '').trim();
      if (url === CSYMBOL.time) return { kind: 'time', ...L };
      if (url === CSYMBOL.avogadro) return { kind: 'avogadro', ...L };
      if (url === CSYMBOL.delay || url === CSYMBOL.rateOf)
        fail(e, ctx, `<csymbol> ${url} must be the operator of an <apply>`);
      return fail(e, ctx, `<csymbol definitionURL="${url}"> is not supported`);
    }
    case 'true':
      return numc(1);
    case 'false':
      return numc(0);
    case 'pi':
      return numc(Math.PI);
    case 'exponentiale':
      return numc(Math.E);
    case 'infinity':
      return numc(Number.POSITIVE_INFINITY);
    case 'notanumber':
      return numc(Number.NaN);
    case 'semantics':
      return readNode(semanticsBody(e, ctx), ctx);
    case 'piecewise': {
      const pieces: { value: Expr; condition: Expr }[] = [];
      let otherwise: Expr | undefined;
      for (const k of e.elements) {
        const kn = localName(k.name);
        if (kn === 'piece') {
          if (k.elements.length !== 2)
            fail(k, ctx, `<piece> must have a value and a condition (found ${k.elements.length} children)`);
          pieces.push({ value: readNode(k.elements[0], ctx), condition: readNode(k.elements[1], ctx) });
        } else if (kn === 'otherwise') {
          if (otherwise) fail(k, ctx, '<piecewise> has more than one <otherwise>');
          if (k.elements.length !== 1) fail(k, ctx, '<otherwise> must have one child');
          otherwise = readNode(k.elements[0], ctx);
        } else fail(k, ctx, `<${k.name}> inside <piecewise> is not supported`);
      }
      return { kind: 'piecewise', pieces, ...(otherwise ? { otherwise } : {}), ...L };
    }
    case 'apply':
      return readApply(e, ctx, loc);
    case 'lambda':
      return fail(e, ctx, '<lambda> outside a function definition is not supported');
    default:
      fail(e, ctx, `MathML element <${e.name}> is not supported`);
  }
}

function readApply(e: XmlElement, ctx: MathContext, loc: SourceLoc | undefined): Expr {
  const L = loc ? { loc } : {};
  const [head, ...rest] = e.elements;
  if (!head) fail(e, ctx, 'empty <apply>');
  let qualifier: { kind: 'degree' | 'logbase'; value: Expr } | undefined;
  const args: Expr[] = [];
  for (const k of rest) {
    const kn = localName(k.name);
    if (kn === 'degree' || kn === 'logbase') {
      if (qualifier) fail(k, ctx, `more than one qualifier (<${k.name}>)`);
      if (k.elements.length !== 1) fail(k, ctx, `<${k.name}> must have one child`);
      qualifier = { kind: kn, value: readNode(k.elements[0], ctx) };
    } else if (kn === 'bvar') fail(k, ctx, '<bvar> outside <lambda> is not supported');
    else args.push(readNode(k, ctx));
  }
  const hn = localName(head.name);
  // -infinity: MathML has no literal for it; the writer emits <apply><minus/><infinity/></apply>.
  if (hn === 'minus' && !qualifier && rest.length === 1 && localName(rest[0].name) === 'infinity')
    return { kind: 'num', value: Number.NEGATIVE_INFINITY, ...L };
  const qualifierAllowed = (op: string, q: 'degree' | 'logbase'): void => {
    if (qualifier && (qualifier.kind !== q || op === '')) fail(head, ctx, `<${qualifier.kind}> with <${hn}>`);
  };
  const arity = (op: string, lo: number, hi: number): void => {
    if (args.length < lo || args.length > hi)
      fail(
        head,
        ctx,
        `<${op}> with ${args.length} argument${args.length === 1 ? '' : 's'} (expected ${lo === hi ? lo : `${lo}..${hi === Infinity ? 'n' : hi}`})`,
      );
  };
  if (hn === 'ci') {
    if (qualifier) fail(head, ctx, `<${qualifier.kind}> with a function call`);
    return { kind: 'apply', fn: directText(head).trim(), args, ...L };
  }
  if (hn === 'csymbol') {
    const url = (head.attrs.definitionURL ?? '').trim();
    if (qualifier) fail(head, ctx, `<${qualifier.kind}> with <csymbol>`);
    if (url === CSYMBOL.delay) {
      arity('csymbol delay', 2, 2);
      return { kind: 'call', op: 'delay', args, ...L };
    }
    if (url === CSYMBOL.rateOf) {
      arity('csymbol rateOf', 1, 1);
      return { kind: 'call', op: 'rateOf', args, ...L };
    }
    fail(head, ctx, `<csymbol definitionURL="${url}"> as a function is not supported`);
  }
  if (head.elements.length) fail(head, ctx, `operator <${head.name}> with content`);
  if (hn === 'root') {
    qualifierAllowed('root', 'degree');
    arity('root', 1, 1);
    return qualifier
      ? { kind: 'call', op: 'root', args: [qualifier.value, args[0]], ...L }
      : { kind: 'call', op: 'sqrt', args, ...L };
  }
  if (hn === 'log') {
    qualifierAllowed('log', 'logbase');
    arity('log', 1, 1);
    return qualifier
      ? { kind: 'call', op: 'log', args: [qualifier.value, args[0]], ...L }
      : { kind: 'call', op: 'log10', args, ...L };
  }
  if (qualifier) fail(head, ctx, `<${qualifier.kind}> with <${hn}>`);
  if (!MATHML_OPS.has(hn)) fail(head, ctx, `MathML operator <${head.name}> is not supported`);
  const op = hn as Op;
  switch (op) {
    case 'minus':
      arity(op, 1, 2);
      break;
    case 'divide':
    case 'power':
    case 'rem':
    case 'quotient':
    case 'neq':
    case 'implies':
      arity(op, 2, 2);
      break;
    case 'plus':
    case 'times':
    case 'and':
    case 'or':
    case 'xor':
    case 'min':
    case 'max':
    case 'eq':
    case 'lt':
    case 'gt':
    case 'leq':
    case 'geq':
      break;
    default:
      arity(op, 1, 1);
  }
  return { kind: 'call', op, args, ...L };
}
