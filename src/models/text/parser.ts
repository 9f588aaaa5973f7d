/**
 * Statement parser: model language text to a list of statements (`Stmt`), recovering after each syntax error
 * so one run reports every mistake. `build.ts` turns the statements into the model IR; order of statements
 * does not matter there (as in Antimony), so symbols may be used before they are defined.
 */
import type { Expr, SourceLoc } from '../../numerics/expr/ast.js';
import type { Provenance } from '../ir.js';
import { KEYWORDS, MODEL_UNIT_KEYWORDS } from './builtins.js';
import { describeToken, error } from './errors.js';
import { SyntaxAbort, TokenParser } from './expression.js';
import type { Token } from './lexer.js';

export interface Name {
  readonly id: string;
  readonly loc: SourceLoc;
}

export type UnitExpr =
  | { readonly kind: 'num'; readonly value: number; readonly loc: SourceLoc }
  | { readonly kind: 'ref'; readonly name: string; readonly loc: SourceLoc }
  | { readonly kind: 'mul' | 'div'; readonly a: UnitExpr; readonly b: UnitExpr }
  | { readonly kind: 'pow'; readonly base: UnitExpr; readonly exponent: number; readonly loc: SourceLoc }
  | { readonly kind: 'juxt'; readonly coef: UnitExpr; readonly unit: UnitExpr };

export interface Modifiers {
  const?: boolean;
  var?: boolean;
  substanceOnly?: boolean;
  boundary?: boolean;
}

export interface DeclItem {
  readonly name: Name;
  readonly dollar: boolean;
  readonly compartment?: Name;
  readonly init?: { readonly op: '=' | ':='; readonly expr: Expr };
}

export interface SpeciesRefStmt {
  readonly name: Name;
  readonly dollar: boolean;
  readonly stoich: number | Name;
}

export type RateStmt =
  | { readonly kind: 'law'; readonly math: Expr }
  | { readonly kind: 'massAction'; readonly forward: Expr; readonly reverse?: Expr; readonly loc: SourceLoc };

export interface EventAssignStmt {
  readonly name: Name;
  readonly expr: Expr;
}

export type StmtBody =
  | { readonly kind: 'unit'; readonly name: Name; readonly expr: UnitExpr }
  | { readonly kind: 'function'; readonly name: Name; readonly args: Name[]; readonly body: Expr }
  | {
      readonly kind: 'decl';
      readonly type?: 'species' | 'compartment' | 'parameter';
      readonly mods: Modifiers;
      readonly items: DeclItem[];
    }
  | {
      readonly kind: 'reaction';
      readonly name?: Name;
      readonly loc: SourceLoc;
      readonly compartment?: Name;
      readonly reversible: boolean;
      readonly reactants: SpeciesRefStmt[];
      readonly products: SpeciesRefStmt[];
      readonly rate?: RateStmt;
    }
  | { readonly kind: 'interaction'; readonly modifiers: SpeciesRefStmt[]; readonly reaction: Name }
  | {
      readonly kind: 'event';
      readonly name?: Name;
      readonly loc: SourceLoc;
      readonly trigger: Expr;
      readonly delay?: Expr;
      readonly priority?: Expr;
      readonly persistent?: boolean;
      readonly t0?: boolean;
      readonly fromTrigger?: boolean;
      readonly assignments: EventAssignStmt[];
    }
  | { readonly kind: 'assign'; readonly name: Name; readonly op: '=' | ':=' | "'"; readonly expr: Expr }
  | { readonly kind: 'algebraic'; readonly loc: SourceLoc; readonly expr: Expr }
  | { readonly kind: 'prop'; readonly name: Name; readonly prop: Name; readonly value: Expr | string }
  | { readonly kind: 'is'; readonly name: Name; readonly display: string }
  | { readonly kind: 'notes'; readonly name?: Name; readonly text: string }
  | { readonly kind: 'has'; readonly name: Name; readonly unit: Name }
  | {
      readonly kind: 'modelUnits';
      readonly field: 'substance' | 'time' | 'volume' | 'area' | 'length' | 'extent';
      readonly unit: Name;
    }
  | { readonly kind: 'conversionFactor'; readonly name: Name };

export type Stmt = StmtBody & { readonly source?: Provenance; readonly sourceLoc?: SourceLoc };

export interface ModelHeader {
  readonly name: Name;
  readonly display?: string;
  readonly source?: Provenance;
}

export interface ParsedFile {
  readonly header?: ModelHeader;
  readonly statements: Stmt[];
}

const EVIDENCE = new Set(['V', 'V2', 'T', 'C', 'R', 'A']);
const ARROWS = new Set(['->', '=>']);
const DECL_TYPES: Record<string, 'species' | 'compartment' | 'parameter'> = {
  species: 'species',
  compartment: 'compartment',
  formula: 'parameter',
  parameter: 'parameter',
};

export class StatementParser extends TokenParser {
  private header?: ModelHeader;
  private readonly statements: Stmt[] = [];
  private sawModel = false;
  /** Identifiers in statements that failed to parse: not reported later as unknown symbols. */
  readonly failedNames = new Set<string>();
  private modelClosed = false;

  parseFile(): ParsedFile {
    for (;;) {
      this.skipSeparators();
      const t = this.peek();
      if (t.type === 'eof') break;
      const start = this.pos;
      try {
        this.parseTopLevel();
      } catch (e) {
        if (!(e instanceof SyntaxAbort)) throw e;
        this.depth = 0;
        this.recover();
        for (let k = start; k < this.pos; k++) {
          const tok = this.tokens[k];
          if (tok.type === 'ident') this.failedNames.add(tok.value);
        }
      }
    }
    if (this.sawModel && !this.modelClosed) {
      const t = this.peek();
      this.diagnostics.push(
        error('syntax', "expected 'end' to close the model, found end of file", this.loc(t)),
      );
    }
    return { header: this.header, statements: this.statements };
  }

  private skipSeparators(): void {
    while (this.peek().type === 'newline' || this.isOp(';')) this.next();
  }

  /** Skips to the end of the current statement (newline or `;`) after an error. */
  private recover(): void {
    while (!this.atStatementEnd()) this.next();
  }

  private parseTopLevel(): void {
    const t = this.peek();
    if ((this.isIdent('model') || this.isIdent('module')) && !this.sawModel && !this.isOp('.', 1)) {
      this.next();
      this.sawModel = true;
      this.acceptOp('*');
      const name = this.expectIdent("a model name after 'model'");
      if (this.acceptOp('('))
        this.expectOp(')', "after '(' in the model header (models take no arguments here)");
      let display: string | undefined;
      if (this.peek().type === 'string') display = this.next().value;
      let source: Provenance | undefined;
      if (this.acceptOp('@')) source = this.parseSource();
      this.header = { name: { id: name.value, loc: this.loc(name) }, display, source };
      this.endStatement();
      return;
    }
    if ((this.isIdent('model') || this.isIdent('module')) && this.sawModel && !this.isIdent('notes', 1)) {
      if (!this.isOp('.', 1) && !this.isIdent('is', 1)) {
        this.fail('only one model per file is supported', t);
      }
    }
    if (this.isIdent('end')) {
      this.next();
      if (!this.sawModel) this.fail("'end' without 'model'", t);
      if (this.modelClosed) this.fail("'end' after the model was already closed", t);
      this.modelClosed = true;
      this.endStatement();
      return;
    }
    if (this.modelClosed && !this.isIdent('function') && !this.isIdent('unit')) {
      this.fail(`statement after the model's 'end': put it inside the model`, t);
    }
    const stmt = this.parseStatement();
    if (stmt) this.statements.push(stmt);
  }

  /** Expects the end of a statement (newline, `;` or end of file), after an optional `@source(...)`. */
  private endStatement(): void {
    if (this.atStatementEnd()) return;
    const t = this.peek();
    this.fail(`expected end of statement, found ${describeToken(t)}`, t);
  }

  private name(t: Token): Name {
    return { id: t.value, loc: this.loc(t) };
  }

  private parseStatement(): Stmt | undefined {
    const body = this.parseStatementBody();
    let source: Provenance | undefined;
    let sourceLoc: SourceLoc | undefined;
    if (this.isOp('@')) {
      const at = this.next();
      sourceLoc = this.loc(at);
      source = this.parseSource();
    }
    if (body.kind === 'reaction' || body.kind === 'event') {
      // a reaction or event may end with ';'
    }
    this.endStatement();
    return source ? { ...body, source, sourceLoc } : body;
  }

  /** `@source(kb = "...", citation = "...", evidence = T, refs = ["doi:...", ...])` after the `@`. */
  private parseSource(): Provenance {
    const kw = this.peek();
    if (!this.isIdent('source')) this.fail(`expected 'source' after '@', found ${describeToken(kw)}`, kw);
    this.next();
    this.expectOp('(', "after '@source'");
    const p: { kb?: string; citation?: string; evidence?: Provenance['evidence']; refs?: string[] } = {};
    while (!this.isOp(')')) {
      const key = this.expectIdent('a provenance field (kb, citation, evidence, refs)');
      this.expectOp('=', `after '${key.value}'`);
      switch (key.value) {
        case 'kb':
        case 'citation': {
          const v = this.peek();
          if (v.type !== 'string')
            this.fail(`expected a string for ${key.value}, found ${describeToken(v)}`, v);
          p[key.value] = this.next().value;
          break;
        }
        case 'evidence': {
          const v = this.next();
          if (!EVIDENCE.has(v.value) || (v.type !== 'ident' && v.type !== 'string')) {
            this.fail(`unknown evidence tag ${describeToken(v)}: expected one of V, V2, T, C, R, A`, v);
          }
          p.evidence = v.value as Provenance['evidence'];
          break;
        }
        case 'refs':
        case 'ref': {
          const refs: string[] = p.refs ?? [];
          if (this.acceptOp('[')) {
            while (!this.isOp(']')) {
              const v = this.peek();
              if (v.type !== 'string') this.fail(`expected a string in refs, found ${describeToken(v)}`, v);
              refs.push(this.next().value);
              if (!this.acceptOp(',')) break;
            }
            this.expectOp(']', 'to close the list of refs');
          } else {
            const v = this.peek();
            if (v.type !== 'string')
              this.fail(`expected a string or [list] for refs, found ${describeToken(v)}`, v);
            refs.push(this.next().value);
          }
          p.refs = refs;
          break;
        }
        default:
          this.fail(`unknown provenance field '${key.value}': expected kb, citation, evidence or refs`, key);
      }
      if (!this.acceptOp(',')) break;
    }
    this.expectOp(')', 'to close @source(');
    return p;
  }

  private parseStatementBody(): StmtBody {
    const t = this.peek();
    if (t.type === 'ident') {
      switch (t.value) {
        case 'unit':
          return this.parseUnitDef();
        case 'function':
          return this.parseFunction();
        case 'at':
          return this.parseEvent(undefined);
        case 'import':
        case 'delete':
          this.fail(`'${t.value}' (Antimony modules) is not supported: one model per file`, t);
      }
      if (this.isDeclStart()) return this.parseDecl();
      if (MODEL_UNIT_KEYWORDS.has(t.value) && this.isOp('=', 1)) {
        this.next();
        this.next();
        const u = this.expectIdent('a unit name');
        return { kind: 'modelUnits', field: MODEL_UNIT_KEYWORDS.get(t.value)!, unit: this.name(u) };
      }
      if (t.value === 'conversionFactor' && this.isOp('=', 1)) {
        this.next();
        this.next();
        const u = this.expectIdent('a parameter name');
        return { kind: 'conversionFactor', name: this.name(u) };
      }
      if ((t.value === 'model' || t.value === 'module') && this.isIdent('notes', 1)) {
        this.next();
        this.next();
        return { kind: 'notes', text: this.expectString('notes') };
      }
    }
    if (
      t.type === 'ident' &&
      !KEYWORDS.has(t.value) &&
      (this.isOp(':', 1) || (this.isIdent('in', 1) && this.isOp(':', 3)))
    ) {
      {
        // label: reaction, event, algebraic rule, or `J0 in comp: reaction`
        this.next();
        const label = this.name(t);
        let compartment: Name | undefined;
        if (this.acceptIdent('in')) compartment = this.name(this.expectIdent('a compartment name'));
        this.expectOp(':');
        if (this.isIdent('at')) return this.parseEvent(label);
        if (this.peek().type === 'number' && this.isOp('=', 1)) {
          const z = this.next();
          this.next();
          this.diagnostics.push({
            severity: 'warning',
            code: 'ignored',
            message: `the label '${label.id}' of an algebraic rule is dropped (algebraic rules have no id)`,
            loc: label.loc,
          });
          return { kind: 'algebraic', loc: this.loc(z), expr: this.parseExpr() };
        }
        return this.parseReaction(label, compartment);
      }
    }
    if (this.statementHasArrow()) return this.parseReaction(undefined, undefined);
    if (t.type === 'number' && t.value.match(/^0(\.0*)?$/) && this.isOp('=', 1)) {
      this.next();
      this.next();
      return { kind: 'algebraic', loc: this.loc(t), expr: this.parseExpr() };
    }
    if (t.type === 'ident') {
      if (KEYWORDS.has(t.value)) this.fail(`unexpected keyword '${t.value}' at the start of a statement`, t);
      this.next();
      const name = this.name(t);
      const n = this.peek();
      if (this.isOp("'") && !n.spaced) {
        this.next();
        this.expectOp('=', `after "${t.value}'" (a rate rule reads ${t.value}' = expression)`);
        return { kind: 'assign', name, op: "'", expr: this.parseExpr() };
      }
      if (this.acceptOp(':=')) return { kind: 'assign', name, op: ':=', expr: this.parseExpr() };
      if (this.acceptOp('=')) return { kind: 'assign', name, op: '=', expr: this.parseExpr() };
      if (this.isOp('.') && !n.spaced) {
        this.next();
        const prop = this.expectIdent("a property name after '.'");
        this.expectOp('=', `after '${t.value}.${prop.value}'`);
        const v = this.peek();
        let value: Expr | string;
        if (v.type === 'string') value = this.next().value;
        else if (v.type === 'ident' && v.value === 'SBO' && this.isOp(':', 1)) {
          this.next();
          this.next();
          const num = this.peek();
          if (num.type !== 'number') this.fail(`expected an SBO number, found ${describeToken(num)}`, num);
          value = `SBO:${this.next().value.padStart(7, '0')}`;
        } else value = this.parseExpr();
        return { kind: 'prop', name, prop: this.name(prop), value };
      }
      if (this.acceptIdent('is')) {
        return { kind: 'is', name, display: this.expectString(`after '${t.value} is'`) };
      }
      if (this.acceptIdent('notes')) {
        return { kind: 'notes', name, text: this.expectString('notes') };
      }
      if (this.acceptIdent('has')) {
        const u = this.expectIdent("a unit name after 'has'");
        return { kind: 'has', name, unit: this.name(u) };
      }
      if (this.isIdent('in')) {
        this.pos--;
        return this.parseDecl();
      }
      if (this.atStatementEnd()) {
        this.fail(`expected '=', ':=', "'" or ':' after '${t.value}', found ${describeToken(n)}`, n);
      }
      this.fail(`expected '=', ':=', "'" or ':' after '${t.value}', found ${describeToken(n)}`, n);
    }
    return this.fail(`expected a statement, found ${describeToken(t)}`, t);
  }

  private expectString(context: string): string {
    const t = this.peek();
    if (t.type !== 'string') this.fail(`expected a quoted string ${context}, found ${describeToken(t)}`, t);
    return this.next().value;
  }

  private isDeclStart(): boolean {
    let k = 0;
    let mods = 0;
    while (
      this.isIdent('const', k) ||
      this.isIdent('var', k) ||
      this.isIdent('substanceOnly', k) ||
      this.isIdent('boundary', k)
    ) {
      k++;
      mods++;
    }
    const t = this.peek(k);
    if (t.type === 'ident' && DECL_TYPES[t.value] !== undefined) {
      // `species = 3` would be an assignment to a symbol named like a keyword; keywords are reserved anyway.
      return true;
    }
    return mods > 0;
  }

  /** `[const|var] [substanceOnly] [boundary] [species|compartment|formula|parameter] item, item, ...` */
  private parseDecl(): StmtBody {
    const mods: Modifiers = {};
    for (;;) {
      const t = this.peek();
      if (this.acceptIdent('const')) {
        if (mods.var) this.fail("'const' and 'var' cannot both apply", t);
        mods.const = true;
      } else if (this.acceptIdent('var')) {
        if (mods.const) this.fail("'const' and 'var' cannot both apply", t);
        mods.var = true;
      } else if (this.acceptIdent('substanceOnly')) mods.substanceOnly = true;
      else if (this.acceptIdent('boundary')) mods.boundary = true;
      else break;
    }
    let type: 'species' | 'compartment' | 'parameter' | undefined;
    const tt = this.peek();
    if (tt.type === 'ident' && DECL_TYPES[tt.value] !== undefined) {
      this.next();
      type = DECL_TYPES[tt.value];
    }
    if ((mods.substanceOnly || mods.boundary) && type !== undefined && type !== 'species') {
      this.fail(`'${mods.substanceOnly ? 'substanceOnly' : 'boundary'}' applies only to species`, tt);
    }
    const items: DeclItem[] = [];
    for (;;) {
      const dollar = this.acceptOp('$') !== undefined;
      const id = this.expectIdent(type ? `a ${type} name` : 'a name');
      let compartment: Name | undefined;
      if (this.acceptIdent('in')) compartment = this.name(this.expectIdent("a compartment name after 'in'"));
      let init: DeclItem['init'];
      if (this.acceptOp('=')) init = { op: '=', expr: this.parseExpr() };
      else if (this.acceptOp(':=')) init = { op: ':=', expr: this.parseExpr() };
      items.push({ name: this.name(id), dollar, compartment, init });
      if (!this.acceptOp(',')) break;
    }
    return { kind: 'decl', type, mods, items };
  }

  /** Does the current statement contain a reaction arrow (or an interaction arrow) before its end? */
  private statementHasArrow(): boolean {
    for (let k = 0; ; k++) {
      const t = this.peek(k);
      if (t.type === 'newline' || t.type === 'eof') return false;
      if (t.type === 'op' && (t.value === ';' || t.value === ':=' || t.value === '=' || t.value === '@')) {
        return false;
      }
      if (t.type === 'ident' && t.value === 'at') return false;
      if (t.type === 'op' && ARROWS.has(t.value)) return true;
      if (this.isInteractionArrow(k)) return true;
    }
  }

  /** Antimony interactions `-o`, `-|`, `-(` (no space after the minus). */
  private isInteractionArrow(k: number): boolean {
    const t = this.peek(k);
    if (t.type !== 'op' || t.value !== '-') return false;
    const n = this.peek(k + 1);
    if (n.spaced) return false;
    return (
      (n.type === 'ident' && n.value === 'o') || (n.type === 'op' && (n.value === '|' || n.value === '('))
    );
  }

  /** `n A` (a stoichiometry symbol before a species) followed by the end of the reaction side. */
  private isNamedStoichiometry(): boolean {
    if (!this.isIdent()) return false;
    let k = 1;
    if (this.isOp('$', k)) k++;
    const s = this.peek(k);
    if (s.type !== 'ident' || KEYWORDS.has(s.value)) return false;
    const after = this.peek(k + 1);
    if (after.type === 'newline' || after.type === 'eof') return true;
    if (after.type === 'op' && ['+', '->', '=>', ';', '@'].includes(after.value)) return true;
    return this.isInteractionArrow(k + 1);
  }

  private parseSide(): SpeciesRefStmt[] {
    const refs: SpeciesRefStmt[] = [];
    if (
      this.isOp('->') ||
      this.isOp('=>') ||
      this.isOp(';') ||
      this.atStatementEnd() ||
      this.isInteractionArrow(0)
    ) {
      return refs;
    }
    for (;;) {
      let stoich: number | Name = 1;
      const t = this.peek();
      if (t.type === 'number') {
        this.next();
        stoich = Number(t.value);
        this.acceptOp('*');
      } else if (this.isNamedStoichiometry()) {
        // named stoichiometry: `n A`
        this.next();
        stoich = this.name(t);
      }
      const dollar = this.acceptOp('$') !== undefined;
      const s = this.peek();
      if (s.type !== 'ident' || KEYWORDS.has(s.value)) {
        this.fail(`expected a species name in the reaction, found ${describeToken(s)}`, s);
      }
      this.next();
      refs.push({ name: this.name(s), dollar, stoich });
      if (!this.acceptOp('+')) break;
    }
    return refs;
  }

  private parseReaction(label: Name | undefined, compartment: Name | undefined): StmtBody {
    const start = this.peek();
    const reactants = this.parseSide();
    if (this.isInteractionArrow(0)) {
      this.next();
      this.next();
      const r = this.expectIdent('a reaction name after the interaction arrow');
      return { kind: 'interaction', modifiers: reactants, reaction: this.name(r) };
    }
    const arrow = this.peek();
    if (!this.isOp('->') && !this.isOp('=>')) {
      this.fail(`expected '->' or '=>' in the reaction, found ${describeToken(arrow)}`, arrow);
    }
    this.next();
    const products = this.parseSide();
    const loc = label?.loc ?? this.loc(start);
    const base = {
      kind: 'reaction' as const,
      name: label,
      loc,
      compartment,
      reversible: arrow.value === '->',
    };
    if (!this.isOp(';')) {
      if (this.atStatementEnd() || this.isOp('@')) return { ...base, reactants, products };
      const t = this.peek();
      this.fail(`expected ';' after reaction equation, found ${describeToken(t)}`, t);
    }
    this.next();
    if (this.atStatementEnd() || this.isOp('@')) return { ...base, reactants, products };
    let rate: RateStmt;
    if (this.isIdent('mass_action') && this.isOp('(', 1)) {
      const m = this.next();
      this.next();
      const forward = this.parseExpr();
      let reverse: Expr | undefined;
      if (this.acceptOp(',')) reverse = this.parseExpr();
      this.expectOp(')', 'to close mass_action(');
      rate = reverse
        ? { kind: 'massAction', forward, reverse, loc: this.loc(m) }
        : { kind: 'massAction', forward, loc: this.loc(m) };
    } else {
      rate = { kind: 'law', math: this.parseExpr() };
    }
    return { ...base, reactants, products, rate };
  }

  /**
   * `at (trigger), delay = d, priority = p, persistent = b, t0 = b, fromTrigger = b: x = e, y = f`, and
   * Antimony's `at d after (trigger): ...`.
   */
  private parseEvent(label: Name | undefined): StmtBody {
    const at = this.next();
    let delay: Expr | undefined;
    let trigger = this.parseExpr();
    if (this.acceptIdent('after')) {
      delay = trigger;
      trigger = this.parseExpr();
    }
    let priority: Expr | undefined;
    let persistent: boolean | undefined;
    let t0: boolean | undefined;
    let fromTrigger: boolean | undefined;
    while (this.acceptOp(',')) {
      const key = this.expectIdent('an event option (delay, priority, persistent, t0, fromTrigger)');
      this.expectOp('=', `after '${key.value}'`);
      switch (key.value) {
        case 'delay':
          if (delay) this.fail('the delay is given twice', key);
          delay = this.parseExpr();
          break;
        case 'priority':
          priority = this.parseExpr();
          break;
        case 'persistent':
          persistent = this.parseBool(key.value);
          break;
        case 't0':
          t0 = this.parseBool(key.value);
          break;
        case 'fromTrigger':
          fromTrigger = this.parseBool(key.value);
          break;
        default:
          this.fail(
            `unknown event option '${key.value}': expected delay, priority, persistent, t0 or fromTrigger`,
            key,
          );
      }
    }
    const colon = this.peek();
    if (!this.isOp(':'))
      this.fail(`expected ':' before the event assignments, found ${describeToken(colon)}`);
    this.next();
    while (this.peek().type === 'newline') this.next();
    const assignments: EventAssignStmt[] = [];
    for (;;) {
      const v = this.expectIdent('a variable to assign in the event');
      this.expectOp('=', `after '${v.value}' in the event assignment`);
      assignments.push({ name: this.name(v), expr: this.parseExpr() });
      if (!this.acceptOp(',')) break;
      while (this.peek().type === 'newline') this.next();
    }
    return {
      kind: 'event',
      name: label,
      loc: label?.loc ?? this.loc(at),
      trigger,
      delay,
      priority,
      persistent,
      t0,
      fromTrigger,
      assignments,
    };
  }

  private parseBool(what: string): boolean {
    const t = this.next();
    if (t.type === 'ident' && (t.value === 'true' || t.value === 'false')) return t.value === 'true';
    if (t.type === 'number' && (t.value === '0' || t.value === '1')) return t.value === '1';
    return this.fail(`expected true or false for ${what}, found ${describeToken(t)}`, t);
  }

  /** `unit id = unit expression`. */
  private parseUnitDef(): StmtBody {
    this.next();
    const id = this.expectIdent('a unit name');
    this.expectOp('=', `after 'unit ${id.value}'`);
    const expr = this.parseUnitExpr();
    return { kind: 'unit', name: this.name(id), expr };
  }

  private parseUnitExpr(): UnitExpr {
    let acc = this.parseUnitFactor();
    for (;;) {
      if (this.acceptOp('*')) acc = { kind: 'mul', a: acc, b: this.parseUnitFactor() };
      else if (this.acceptOp('/')) acc = { kind: 'div', a: acc, b: this.parseUnitFactor() };
      else break;
    }
    return acc;
  }

  /** A factor, with Antimony's juxtaposition `1e-6 mole` (coefficient times unit). */
  private parseUnitFactor(): UnitExpr {
    const f = this.parseUnitPower();
    if (f.kind === 'num' || (f.kind === 'pow' && f.base.kind === 'num')) {
      const n = this.peek();
      if ((n.type === 'ident' && !KEYWORDS.has(n.value)) || this.isOp('(')) {
        return { kind: 'juxt', coef: f, unit: this.parseUnitPower() };
      }
    }
    return f;
  }

  private parseUnitPower(): UnitExpr {
    const base = this.parseUnitAtom();
    if (this.isOp('^')) {
      const caret = this.next();
      let sign = 1;
      if (this.acceptOp('-')) sign = -1;
      else this.acceptOp('+');
      const n = this.peek();
      let value: number;
      if (this.acceptOp('(')) {
        let s2 = 1;
        if (this.acceptOp('-')) s2 = -1;
        const m = this.peek();
        if (m.type !== 'number')
          this.fail(`expected a number as unit exponent, found ${describeToken(m)}`, m);
        value = s2 * Number(this.next().value);
        this.expectOp(')');
      } else {
        if (n.type !== 'number')
          this.fail(`expected a number as unit exponent, found ${describeToken(n)}`, n);
        value = Number(this.next().value);
      }
      return { kind: 'pow', base, exponent: sign * value, loc: this.loc(caret) };
    }
    return base;
  }

  private parseUnitAtom(): UnitExpr {
    const t = this.peek();
    if (t.type === 'number') {
      this.next();
      return { kind: 'num', value: Number(t.value), loc: this.loc(t) };
    }
    if (t.type === 'ident' && !KEYWORDS.has(t.value)) {
      this.next();
      return { kind: 'ref', name: t.value, loc: this.loc(t) };
    }
    if (this.acceptOp('(')) {
      const e = this.parseUnitExpr();
      this.expectOp(')', 'in the unit expression');
      return e;
    }
    return this.fail(`expected a unit, found ${describeToken(t)}`, t);
  }

  /** `function id(a, b) expression end` */
  private parseFunction(): StmtBody {
    this.next();
    const id = this.expectIdent('a function name');
    this.expectOp('(', `after 'function ${id.value}'`);
    const args: Name[] = [];
    if (!this.isOp(')')) {
      for (;;) {
        args.push(this.name(this.expectIdent('an argument name')));
        if (!this.acceptOp(',')) break;
      }
    }
    this.expectOp(')', 'after the function arguments');
    this.skipSeparators();
    const body = this.parseExpr();
    this.skipSeparators();
    const e = this.peek();
    if (!this.isIdent('end'))
      this.fail(`expected 'end' after the body of function ${id.value}, found ${describeToken(e)}`, e);
    this.next();
    return { kind: 'function', name: this.name(id), args, body };
  }
}
