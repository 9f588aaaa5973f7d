/**
 * Mathematical expressions as a small immutable tree.
 *
 * The operator set follows SBML Level 3 Version 2 MathML so that every SBML formula has a
 * lossless representation here, and every front end (the model language, SBML, the programmatic
 * builder) lowers to the same tree. Booleans are numbers (1 true, 0 false) at evaluation time.
 */

/** Where a node came from in a source text, for error messages. Lines and columns are 1-based. */
export interface SourceLoc {
  readonly file?: string;
  readonly line: number;
  readonly column: number;
}

/** Built-in operators and functions (MathML names, so SBML import and export are one-to-one). */
export type Op =
  // arithmetic (plus and times are n-ary; minus is unary or binary)
  | 'plus'
  | 'minus'
  | 'times'
  | 'divide'
  | 'power'
  // elementary functions
  | 'exp'
  | 'ln'
  | 'log10'
  | 'log' // log(base, x)
  | 'sqrt'
  | 'root' // root(degree, x)
  | 'abs'
  | 'floor'
  | 'ceiling'
  | 'factorial'
  | 'min'
  | 'max'
  | 'rem'
  | 'quotient'
  // trigonometric and hyperbolic
  | 'sin'
  | 'cos'
  | 'tan'
  | 'sec'
  | 'csc'
  | 'cot'
  | 'sinh'
  | 'cosh'
  | 'tanh'
  | 'sech'
  | 'csch'
  | 'coth'
  | 'arcsin'
  | 'arccos'
  | 'arctan'
  | 'arcsec'
  | 'arccsc'
  | 'arccot'
  | 'arcsinh'
  | 'arccosh'
  | 'arctanh'
  | 'arcsech'
  | 'arccsch'
  | 'arccoth'
  // relational (n-ary chains as in MathML: lt(a, b, c) means a < b < c)
  | 'eq'
  | 'neq'
  | 'lt'
  | 'gt'
  | 'leq'
  | 'geq'
  // logical
  | 'and'
  | 'or'
  | 'xor'
  | 'not'
  | 'implies'
  // SBML special functions
  | 'delay' // delay(x, tau): x evaluated at time - tau
  | 'rateOf'; // rateOf(x): the current time derivative of x

export type Expr = Num | Sym | Time | Avogadro | Call | Apply | Piecewise;

/** A numeric literal; also true (1), false (0), pi, e, Infinity and NaN after parsing. */
export interface Num {
  readonly kind: 'num';
  readonly value: number;
  /** Unit attached to a literal (SBML `sbml:units`, or `3 mg` in the model language). */
  readonly units?: string;
  readonly loc?: SourceLoc;
}

/** A reference to a named quantity: species, compartment, parameter, reaction, local parameter or function argument. */
export interface Sym {
  readonly kind: 'sym';
  readonly name: string;
  readonly loc?: SourceLoc;
}

/** The simulation time (SBML csymbol time). */
export interface Time {
  readonly kind: 'time';
  readonly loc?: SourceLoc;
}

/** Avogadro's constant (SBML csymbol avogadro). */
export interface Avogadro {
  readonly kind: 'avogadro';
  readonly loc?: SourceLoc;
}

/** A built-in operator or function applied to arguments. */
export interface Call {
  readonly kind: 'call';
  readonly op: Op;
  readonly args: readonly Expr[];
  readonly loc?: SourceLoc;
}

/** A call of a user function definition, by id. */
export interface Apply {
  readonly kind: 'apply';
  readonly fn: string;
  readonly args: readonly Expr[];
  readonly loc?: SourceLoc;
}

/** piecewise(v1, c1, v2, c2, ..., otherwise): the first value whose condition holds. */
export interface Piecewise {
  readonly kind: 'piecewise';
  readonly pieces: readonly { readonly value: Expr; readonly condition: Expr }[];
  readonly otherwise?: Expr;
  readonly loc?: SourceLoc;
}

export const num = (value: number): Num => ({ kind: 'num', value });
export const sym = (name: string): Sym => ({ kind: 'sym', name });
export const time = (): Time => ({ kind: 'time' });
export const call = (op: Op, ...args: Expr[]): Call => ({ kind: 'call', op, args });
export const apply = (fn: string, ...args: Expr[]): Apply => ({ kind: 'apply', fn, args });
