/**
 * Expression parser: infix math to the expression tree, with source locations on every node.
 *
 * Precedence, loosest first (as Antimony / the libSBML Level 3 infix syntax):
 *   `||` `or` < `xor` < `&&` `and` < comparisons < `+ -` < `* /` < unary `- ! not` < `^` (right-associative).
 * So `-2^2` is `-(2^2)` and `2^-1` is allowed. Unparenthesised chains of `+`, `*`, `&&`, `||` become one n-ary
 * call; chains of one comparison become one n-ary relation (`a < b < c`, as MathML); a parenthesised operand is
 * kept as a separate node, so printing and reparsing reproduces the tree exactly.
 */
import type { Expr, Num, Op, SourceLoc, Sym } from '../../numerics/expr/ast.js';
import type { Diagnostic } from '../diagnostic.js';
import { FUNCTION_NAMES, KEYWORDS } from './builtins.js';
import { describeToken, error, tokenLoc } from './errors.js';
import type { Token } from './lexer.js';

/** Thrown to abandon the current statement after a syntax error has been recorded. */
export class SyntaxAbort extends Error {}

/** Unary minus applied directly to `inf` or `NaN`: folded into a negative literal when the name is a constant. */
export const FOLDABLE_NEGATION = new WeakSet<Expr>();

const COMPARISONS: Record<string, Op> = {
  '<': 'lt',
  '>': 'gt',
  '<=': 'leq',
  '>=': 'geq',
  '==': 'eq',
  '!=': 'neq',
};

export class TokenParser {
  protected pos = 0;
  readonly diagnostics: Diagnostic[] = [];

  constructor(
    protected readonly tokens: readonly Token[],
    protected readonly file?: string,
  ) {}

  /** Open parentheses: inside them newlines do not end the statement. */
  protected depth = 0;

  protected peek(k = 0): Token {
    let i = this.pos;
    const last = this.tokens.length - 1;
    for (let n = 0; ; n++) {
      while (this.depth > 0 && i < last && this.tokens[i].type === 'newline') i++;
      if (n === k || i >= last) return this.tokens[Math.min(i, last)];
      i++;
    }
  }

  protected next(): Token {
    while (this.depth > 0 && this.pos < this.tokens.length - 1 && this.tokens[this.pos].type === 'newline')
      this.pos++;
    const t = this.tokens[this.pos];
    if (this.pos < this.tokens.length - 1) this.pos++;
    return t;
  }

  /** Parses `inner` between an already consumed `(` (at `open`) and its `)`. */
  protected parenthesised<T>(open: Token, inner: () => T, context: string): T {
    this.depth++;
    let v: T;
    try {
      v = inner();
      if (!this.isOp(')')) {
        const t = this.peek();
        this.fail(
          `expected ')' ${context} (the '(' is at line ${open.line}, column ${open.column}), found ${describeToken(t)}`,
          t,
        );
      }
      this.depth--;
      this.next();
    } catch (e) {
      this.depth--;
      throw e;
    }
    return v!;
  }

  protected isOp(value: string, k = 0): boolean {
    const t = this.peek(k);
    return t.type === 'op' && t.value === value;
  }

  protected isIdent(value?: string, k = 0): boolean {
    const t = this.peek(k);
    return t.type === 'ident' && (value === undefined || t.value === value);
  }

  protected acceptOp(value: string): Token | undefined {
    return this.isOp(value) ? this.next() : undefined;
  }

  protected acceptIdent(value: string): Token | undefined {
    return this.isIdent(value) ? this.next() : undefined;
  }

  protected loc(t: Token): SourceLoc {
    return tokenLoc(t, this.file);
  }

  /** Records a syntax error at token `t` and abandons the statement. */
  protected fail(message: string, t: Token = this.peek()): never {
    this.diagnostics.push(error('syntax', message, this.loc(t)));
    throw new SyntaxAbort(message);
  }

  protected expectOp(value: string, context = ''): Token {
    if (this.isOp(value)) return this.next();
    const t = this.peek();
    return this.fail(`expected '${value}'${context ? ` ${context}` : ''}, found ${describeToken(t)}`, t);
  }

  protected expectIdent(what = 'a name'): Token {
    const t = this.peek();
    if (t.type === 'ident' && !KEYWORDS.has(t.value)) return this.next();
    return this.fail(`expected ${what}, found ${describeToken(t)}`, t);
  }

  protected atStatementEnd(): boolean {
    const t = this.peek();
    return t.type === 'newline' || t.type === 'eof' || (t.type === 'op' && t.value === ';');
  }

  // ---- expressions ----

  parseExpr(): Expr {
    return this.parseOr();
  }

  private parseNary(op: Op, tokens: readonly string[], operand: () => Expr): Expr {
    const first = operand();
    const args: Expr[] = [first];
    let opTok: Token | undefined;
    while (this.peek().type !== 'eof') {
      const t = this.peek();
      const hit = t.type === 'op' ? tokens.includes(t.value) : t.type === 'ident' && tokens.includes(t.value);
      if (!hit) break;
      opTok ??= t;
      this.next();
      args.push(operand());
    }
    if (args.length === 1) return first;
    return { kind: 'call', op, args, loc: this.loc(opTok!) };
  }

  private parseOr(): Expr {
    return this.parseNary('or', ['||', 'or'], () => this.parseXor());
  }

  private parseXor(): Expr {
    return this.parseNary('xor', ['xor'], () => this.parseAnd());
  }

  private parseAnd(): Expr {
    return this.parseNary('and', ['&&', 'and'], () => this.parseComparison());
  }

  private parseComparison(): Expr {
    const first = this.parseAdditive();
    const args: Expr[] = [first];
    let op: Op | undefined;
    let opTok: Token | undefined;
    while (this.peek().type === 'op' && COMPARISONS[this.peek().value] !== undefined) {
      const t = this.next();
      const o = COMPARISONS[t.value];
      if (op !== undefined && o !== op) {
        this.fail(`cannot chain '${opTok!.value}' and '${t.value}': combine the comparisons with '&&'`, t);
      }
      if (op !== undefined && o === 'neq') this.fail("'!=' cannot be chained", t);
      op = o;
      opTok ??= t;
      args.push(this.parseAdditive());
    }
    if (op === undefined) return first;
    return { kind: 'call', op, args, loc: this.loc(opTok!) };
  }

  private parseAdditive(): Expr {
    let acc = this.parseMultiplicative();
    let flat: Expr[] | undefined;
    let flatLoc: SourceLoc | undefined;
    const close = () => {
      if (flat) acc = { kind: 'call', op: 'plus', args: flat, loc: flatLoc };
      flat = undefined;
    };
    while (this.isOp('+') || this.isOp('-')) {
      const t = this.next();
      const rhs = this.parseMultiplicative();
      if (t.value === '+') {
        if (!flat) {
          flat = [acc];
          flatLoc = this.loc(t);
        }
        flat.push(rhs);
      } else {
        close();
        acc = { kind: 'call', op: 'minus', args: [acc, rhs], loc: this.loc(t) };
      }
    }
    close();
    return acc;
  }

  private parseMultiplicative(): Expr {
    let acc = this.parseUnary();
    let flat: Expr[] | undefined;
    let flatLoc: SourceLoc | undefined;
    const close = () => {
      if (flat) acc = { kind: 'call', op: 'times', args: flat, loc: flatLoc };
      flat = undefined;
    };
    while (this.isOp('*') || this.isOp('/')) {
      const t = this.next();
      const rhs = this.parseUnary();
      if (t.value === '*') {
        if (!flat) {
          flat = [acc];
          flatLoc = this.loc(t);
        }
        flat.push(rhs);
      } else {
        close();
        acc = { kind: 'call', op: 'divide', args: [acc, rhs], loc: this.loc(t) };
      }
    }
    close();
    return acc;
  }

  private parseUnary(): Expr {
    const t = this.peek();
    if (this.isOp('-')) {
      this.next();
      const n = this.peek();
      // `-3` is the literal -3, but `-3^2` is -(3^2) and `-(3)` stays a negation.
      if (n.type === 'number' && !this.powerFollowsLiteral()) {
        const lit = this.parsePrimary() as Num;
        return { ...lit, value: -lit.value, loc: this.loc(t) };
      }
      if (n.type === 'ident' && n.value === 'infinity' && !this.isOp('^', 1) && !this.isOp('(', 1)) {
        this.next();
        return { kind: 'num', value: Number.NEGATIVE_INFINITY, loc: this.loc(t) };
      }
      if (
        n.type === 'ident' &&
        (n.value === 'inf' || n.value === 'NaN') &&
        !this.isOp('^', 1) &&
        !this.isOp('(', 1)
      ) {
        const s = this.parsePrimary();
        const node: Expr = { kind: 'call', op: 'minus', args: [s], loc: this.loc(t) };
        FOLDABLE_NEGATION.add(node);
        return node;
      }
      const arg = this.parseUnary();
      return { kind: 'call', op: 'minus', args: [arg], loc: this.loc(t) };
    }
    if (this.isOp('+')) {
      this.next();
      return this.parseUnary();
    }
    if (this.isOp('!') || (this.isIdent('not') && !this.isOp('(', 1))) {
      this.next();
      const arg = this.parseUnary();
      return { kind: 'call', op: 'not', args: [arg], loc: this.loc(t) };
    }
    return this.parsePower();
  }

  /** After a number token (and an optional unit name), is the next token `^`? */
  private powerFollowsLiteral(): boolean {
    if (this.isOp('^', 1)) return true;
    return this.peek(1).type === 'ident' && this.isUnitAfterNumber(1) && this.isOp('^', 2);
  }

  private parsePower(): Expr {
    const base = this.parsePrimary();
    if (this.isOp('^')) {
      const t = this.next();
      const exponent = this.parseUnary();
      return { kind: 'call', op: 'power', args: [base, exponent], loc: this.loc(t) };
    }
    return base;
  }

  /** Whether the identifier `k` tokens ahead, right after a number, is that number's unit (`0.1 per_day`). */
  private isUnitAfterNumber(k: number): boolean {
    const u = this.peek(k);
    if (u.type !== 'ident' || KEYWORDS.has(u.value)) return false;
    if (this.isOp('(', k + 1)) return false;
    return true;
  }

  protected parsePrimary(): Expr {
    const t = this.peek();
    if (t.type === 'number') {
      this.next();
      const value = Number(t.value);
      if (this.isUnitAfterNumber(0)) {
        const u = this.next();
        return { kind: 'num', value, units: u.value, loc: this.loc(t) };
      }
      return { kind: 'num', value, loc: this.loc(t) };
    }
    if (t.type === 'ident') {
      if (KEYWORDS.has(t.value) && !(['and', 'or', 'xor', 'not'].includes(t.value) && this.isOp('(', 1))) {
        this.fail(`expected an expression, found keyword '${t.value}'`, t);
      }
      this.next();
      if (this.isOp('(') && !this.peek().spaced) return this.parseCall(t);
      if (this.isOp('(')) return this.parseCall(t);
      switch (t.value) {
        case 'time':
          return { kind: 'time', loc: this.loc(t) };
        case 'avogadro':
          return { kind: 'avogadro', loc: this.loc(t) };
        case 'true':
          return { kind: 'num', value: 1, loc: this.loc(t) };
        case 'false':
          return { kind: 'num', value: 0, loc: this.loc(t) };
        case 'exponentiale':
          return { kind: 'num', value: Math.E, loc: this.loc(t) };
        case 'infinity':
          return { kind: 'num', value: Number.POSITIVE_INFINITY, loc: this.loc(t) };
        case 'notanumber':
          return { kind: 'num', value: Number.NaN, loc: this.loc(t) };
      }
      const s: Sym = { kind: 'sym', name: t.value, loc: this.loc(t) };
      return s;
    }
    if (this.isOp('(')) {
      const open = this.next();
      return this.parenthesised(open, () => this.parseExpr(), 'to close the parenthesis');
    }
    if (t.type === 'newline' || t.type === 'eof' || this.isOp(';')) {
      return this.fail(`expected an expression, found ${describeToken(t)}`, t);
    }
    return this.fail(`expected an expression, found ${describeToken(t)}`, t);
  }

  private parseArgs(): Expr[] {
    const open = this.expectOp('(');
    return this.parenthesised(
      open,
      () => {
        const args: Expr[] = [];
        if (!this.isOp(')')) {
          for (;;) {
            args.push(this.parseExpr());
            if (this.acceptOp(',')) continue;
            break;
          }
        }
        return args;
      },
      'after the arguments',
    );
  }

  private parseCall(name: Token): Expr {
    const loc = this.loc(name);
    if (name.value === 'mass_action') {
      this.fail("mass_action(...) can only be the whole rate law of a reaction, after ';'", name);
    }
    const args = this.parseArgs();
    if (name.value === 'piecewise') {
      if (args.length === 0) this.fail('piecewise needs at least one argument', name);
      const pieces: { value: Expr; condition: Expr }[] = [];
      for (let i = 0; i + 1 < args.length; i += 2) pieces.push({ value: args[i], condition: args[i + 1] });
      return args.length % 2 === 1
        ? { kind: 'piecewise', pieces, otherwise: args[args.length - 1], loc }
        : { kind: 'piecewise', pieces, loc };
    }
    if (name.value === 'if') {
      if (args.length !== 3)
        this.fail(`if(condition, then, else) takes 3 arguments, got ${args.length}`, name);
      return { kind: 'piecewise', pieces: [{ value: args[1], condition: args[0] }], otherwise: args[2], loc };
    }
    const op = FUNCTION_NAMES.get(name.value);
    if (op !== undefined) return { kind: 'call', op, args, loc };
    return { kind: 'apply', fn: name.value, args, loc };
  }
}
