/**
 * From parsed statements to the model IR.
 *
 * As in Antimony, statement order does not matter: every statement is first entered in a symbol table, then
 * each symbol gets its kind (species if it takes part in a reaction or is declared `species`, compartment if
 * something is `in` it or it is declared `compartment`, parameter otherwise) and the IR elements are built
 * in order of first appearance. Undefined symbols in formulas are left to `validateModel`, which reports them
 * with their positions.
 */
import type { Expr, SourceLoc } from '../../numerics/expr/ast.js';
import type { Diagnostic } from '../diagnostic.js';
import type {
  AlgebraicRule,
  AssignmentRule,
  Compartment,
  Event,
  FunctionDefinition,
  InitialAssignment,
  Kinetics,
  Model,
  ModelUnits,
  Parameter,
  Provenance,
  RateRule,
  Reaction,
  Rule,
  Species,
  SpeciesReference,
  UnitDefinition,
  UnitTerm,
} from '../ir.js';
import { canonicalKind, PREDEFINED_UNITS } from '../units.js';
import { isReservedName, SHADOWABLE_CONSTANTS } from './builtins.js';
import { didYouMean, error, warning } from './errors.js';
import { FOLDABLE_NEGATION } from './expression.js';
import type { DeclItem, Name, ParsedFile, Stmt, UnitExpr } from './parser.js';

type Kind = 'species' | 'compartment' | 'parameter' | 'reaction' | 'event' | 'function' | 'speciesRef';

interface SymInfo {
  readonly id: string;
  readonly order: number;
  readonly firstLoc: SourceLoc;
  kind?: Kind;
  kindLoc?: SourceLoc;
  explicitKind?: boolean;
  explicitConst?: boolean;
  substanceOnly?: boolean;
  boundary?: boolean;
  compartment?: Name;
  init?: { expr: Expr; loc: SourceLoc };
  units?: Name;
  name?: string;
  notes?: string;
  source?: Provenance;
  props: { prop: Name; value: Expr | string; source?: Provenance }[];
}

export const DEFAULT_COMPARTMENT = 'default_compartment';

export interface BuildResult {
  readonly model: Model;
  readonly diagnostics: Diagnostic[];
}

const lineOf = (loc: SourceLoc | undefined) => (loc ? `line ${loc.line}` : 'elsewhere');

export function buildModel(parsed: ParsedFile, file?: string): BuildResult {
  return new Builder(parsed, file).build();
}

class Builder {
  private readonly diags: Diagnostic[] = [];
  private readonly syms = new Map<string, SymInfo>();
  private order = 0;
  private readonly unitStmts = new Map<string, Extract<Stmt, { kind: 'unit' }>>();
  private readonly unitDefs: UnitDefinition[] = [];
  private readonly unitIds = new Set<string>();
  private readonly builtUnits = new Map<string, UnitTerm[]>();
  private readonly unitVisiting = new Set<string>();
  private readonly targeted = new Set<string>();

  constructor(
    private readonly parsed: ParsedFile,
    private readonly file?: string,
  ) {}

  private err(code: string, message: string, loc?: SourceLoc): void {
    this.diags.push(error(code, message, loc));
  }

  private sym(name: Name): SymInfo {
    let s = this.syms.get(name.id);
    if (!s) {
      if (isReservedName(name.id))
        this.err('reserved', `'${name.id}' is a reserved word and cannot name a model element`, name.loc);
      s = { id: name.id, order: this.order++, firstLoc: name.loc, props: [] };
      this.syms.set(name.id, s);
    }
    return s;
  }

  /** Gives `name` a kind; explicit declarations conflict with any other kind, implicit ones only fill gaps. */
  private setKind(name: Name, kind: Kind, explicit: boolean): SymInfo {
    const s = this.sym(name);
    if (s.kind === undefined) {
      s.kind = kind;
      s.kindLoc = name.loc;
      s.explicitKind = explicit;
      return s;
    }
    if (s.kind === kind) {
      const unique = kind === 'reaction' || kind === 'event' || kind === 'function';
      if (unique && explicit) {
        this.err(
          'duplicate-id',
          `duplicate ${kind} id '${name.id}' (first defined at ${lineOf(s.kindLoc)})`,
          name.loc,
        );
      }
      if (explicit && !s.explicitKind) {
        s.explicitKind = true;
      }
      return s;
    }
    if (!explicit && !s.explicitKind && s.kind === 'parameter' && kind !== 'reaction' && kind !== 'event') {
      s.kind = kind;
      s.kindLoc = name.loc;
      return s;
    }
    if (!explicit && s.explicitKind === false && kind === 'parameter') return s;
    this.err(
      'duplicate-id',
      `'${name.id}' is used as a ${kindWord(kind)} here but is already a ${kindWord(s.kind)} (${lineOf(s.kindLoc)})`,
      name.loc,
    );
    return s;
  }

  build(): BuildResult {
    const stmts = this.parsed.statements;
    // Pass 0: order of first appearance, in text order, whatever the kind of statement.
    for (const st of stmts) this.registerNames(st);
    // Pass 1: explicit kinds and functions/units, so implicit uses are classified against them.
    for (const st of stmts) this.registerExplicit(st);
    // Pass 2: implicit kinds.
    for (const st of stmts) this.registerImplicit(st);
    // Pass 3: everything else on symbols.
    for (const st of stmts) this.collect(st);
    for (const s of this.syms.values()) if (s.kind === undefined) s.kind = 'parameter';
    return { model: this.assemble(), diagnostics: this.diags };
  }

  private registerNames(st: Stmt): void {
    switch (st.kind) {
      case 'decl':
        for (const it of st.items) {
          this.sym(it.name);
          if (it.compartment) this.sym(it.compartment);
        }
        return;
      case 'reaction':
        if (st.name) this.sym(st.name);
        if (st.compartment) this.sym(st.compartment);
        for (const r of [...st.reactants, ...st.products]) {
          if (typeof r.stoich !== 'number') this.sym(r.stoich);
          this.sym(r.name);
        }
        return;
      case 'event':
      case 'function':
        if (st.name) this.sym(st.name);
        return;
      case 'assign':
      case 'has':
      case 'is':
      case 'prop':
        this.sym(st.name);
        return;
      default:
        return;
    }
  }

  private registerExplicit(st: Stmt): void {
    switch (st.kind) {
      case 'function':
        this.setKind(st.name, 'function', true);
        return;
      case 'unit': {
        const prev = this.unitStmts.get(st.name.id);
        if (prev) {
          this.err(
            'duplicate-id',
            `duplicate unit '${st.name.id}' (first defined at ${lineOf(prev.name.loc)})`,
            st.name.loc,
          );
        } else if (canonicalKind(st.name.id) !== undefined) {
          this.err(
            'duplicate-id',
            `'${st.name.id}' is an SBML base unit and cannot be redefined`,
            st.name.loc,
          );
        } else this.unitStmts.set(st.name.id, st);
        return;
      }
      case 'decl':
        if (st.type) for (const it of st.items) this.setKind(it.name, st.type, true);
        return;
      case 'reaction':
        if (st.name) this.setKind(st.name, 'reaction', true);
        return;
      case 'event':
        if (st.name) this.setKind(st.name, 'event', true);
        return;
      default:
        return;
    }
  }

  private registerImplicit(st: Stmt): void {
    switch (st.kind) {
      case 'reaction':
        for (const r of [...st.reactants, ...st.products]) {
          const sp = this.setKind(r.name, 'species', false);
          if (r.dollar) sp.boundary = true;
          if (typeof r.stoich !== 'number') this.setKind(r.stoich, 'speciesRef', true);
        }
        if (st.compartment) this.setKind(st.compartment, 'compartment', false);
        return;
      case 'interaction':
        for (const r of st.modifiers) {
          const sp = this.setKind(r.name, 'species', false);
          if (r.dollar) sp.boundary = true;
        }
        return;
      case 'decl':
        for (const it of st.items) {
          if (it.compartment) this.setKind(it.compartment, 'compartment', false);
          if (!st.type && (it.compartment || it.dollar || st.mods.substanceOnly || st.mods.boundary)) {
            this.setKind(it.name, 'species', false);
          } else this.sym(it.name);
        }
        return;
      case 'assign':
      case 'has':
      case 'is':
      case 'prop':
        this.sym(st.name);
        return;
      case 'notes':
        if (st.name) this.sym(st.name);
        return;
      default:
        return;
    }
  }

  private collect(st: Stmt): void {
    switch (st.kind) {
      case 'decl':
        for (const it of st.items) this.collectDeclItem(st, it);
        return;
      case 'assign': {
        const s = this.sym(st.name);
        if (st.op === '=') {
          if (s.init) {
            this.diags.push(
              warning(
                'redefined',
                `'${st.name.id}' was already given a value at ${lineOf(s.init.loc)}; this later value wins`,
                st.name.loc,
              ),
            );
          }
          s.init = { expr: st.expr, loc: st.name.loc };
        } else this.targeted.add(st.name.id);
        if (st.source) s.source = st.source;
        return;
      }
      case 'event':
        for (const a of st.assignments) this.targeted.add(a.name.id);
        return;
      case 'has': {
        const s = this.sym(st.name);
        s.units = st.unit;
        if (st.source) s.source = st.source;
        return;
      }
      case 'is': {
        const s = this.sym(st.name);
        s.name = st.display;
        if (st.source) s.source = st.source;
        return;
      }
      case 'notes':
        if (st.name) this.sym(st.name).notes = st.text;
        return;
      case 'prop':
        this.sym(st.name).props.push({ prop: st.prop, value: st.value, source: st.source });
        return;
      case 'reaction':
        if (st.name && st.source) this.sym(st.name).source = st.source;
        return;
      default:
        return;
    }
  }

  private collectDeclItem(st: Extract<Stmt, { kind: 'decl' }>, it: DeclItem): void {
    const s = this.sym(it.name);
    if (st.mods.const) s.explicitConst = true;
    if (st.mods.var) s.explicitConst = false;
    if (st.mods.substanceOnly) s.substanceOnly = true;
    if (st.mods.boundary || it.dollar) s.boundary = true;
    if (it.compartment) s.compartment = it.compartment;
    if (it.init) {
      if (it.init.op === '=') {
        if (s.init) {
          this.diags.push(
            warning(
              'redefined',
              `'${it.name.id}' was already given a value at ${lineOf(s.init.loc)}; this later value wins`,
              it.name.loc,
            ),
          );
        }
        s.init = { expr: it.init.expr, loc: it.name.loc };
      } else this.targeted.add(it.name.id);
    }
    if (st.source) s.source = st.source;
  }

  // ---------------------------------------------------------------- units

  /** A unit id as stored in the IR: user unit, canonical base kind, or a predefined unit (added on use). */
  private unitRef(name: Name): string | undefined {
    if (this.unitStmts.has(name.id)) {
      this.unitTerms(name.id);
      return name.id;
    }
    const k = canonicalKind(name.id);
    if (k) return k;
    const pre = PREDEFINED_UNITS.get(name.id);
    if (pre) {
      if (!this.unitIds.has(name.id)) {
        this.unitIds.add(name.id);
        this.unitDefs.push({ id: name.id, terms: pre.map((t) => ({ ...t })) });
      }
      return name.id;
    }
    const cands = [
      ...this.unitStmts.keys(),
      ...PREDEFINED_UNITS.keys(),
      'second',
      'mole',
      'litre',
      'item',
      'metre',
      'gram',
    ];
    this.err('unknown-unit', `unknown unit '${name.id}'${didYouMean(name.id, cands)}`, name.loc);
    return undefined;
  }

  private unitTerms(id: string): UnitTerm[] {
    const done = this.builtUnits.get(id);
    if (done) return done;
    const st = this.unitStmts.get(id)!;
    if (this.unitVisiting.has(id)) {
      this.err('unit-cycle', `unit '${id}' is defined in terms of itself`, st.name.loc);
      return [];
    }
    this.unitVisiting.add(id);
    const terms = this.evalUnit(st.expr);
    this.unitVisiting.delete(id);
    this.builtUnits.set(id, terms);
    return terms;
  }

  private evalUnit(e: UnitExpr): UnitTerm[] {
    const r = this.evalU(e);
    const terms = attach(r.terms, r.coef, r.scale);
    return terms.length > 0 ? terms : [{ kind: 'dimensionless', exponent: 1, scale: 0, multiplier: 1 }];
  }

  private evalU(e: UnitExpr): { terms: UnitTerm[]; coef: number; scale: number } {
    switch (e.kind) {
      case 'num':
        return { terms: [], coef: e.value, scale: 0 };
      case 'ref': {
        if (this.unitStmts.has(e.name)) {
          return { terms: this.unitTerms(e.name).map((t) => ({ ...t })), coef: 1, scale: 0 };
        }
        const k = canonicalKind(e.name);
        if (k) return { terms: [{ kind: k, exponent: 1, scale: 0, multiplier: 1 }], coef: 1, scale: 0 };
        const pre = PREDEFINED_UNITS.get(e.name);
        if (pre) return { terms: pre.map((t) => ({ ...t })), coef: 1, scale: 0 };
        const cands = [
          ...this.unitStmts.keys(),
          ...PREDEFINED_UNITS.keys(),
          'second',
          'mole',
          'litre',
          'item',
          'metre',
          'gram',
        ];
        this.err('unknown-unit', `unknown unit '${e.name}'${didYouMean(e.name, cands)}`, e.loc);
        return { terms: [], coef: 1, scale: 0 };
      }
      case 'mul':
      case 'juxt': {
        const a = this.evalU(e.kind === 'juxt' ? e.coef : e.a);
        const b = this.evalU(e.kind === 'juxt' ? e.unit : e.b);
        return { terms: [...a.terms, ...b.terms], coef: a.coef * b.coef, scale: a.scale + b.scale };
      }
      case 'div': {
        const a = this.evalU(e.a);
        const b = this.evalU(e.b);
        const bt = attach(b.terms, b.terms.length > 0 ? b.coef : 1, b.terms.length > 0 ? b.scale : 0);
        const coef = b.terms.length > 0 ? a.coef : a.coef / b.coef;
        const scale = b.terms.length > 0 ? a.scale : a.scale - b.scale;
        return { terms: [...a.terms, ...bt.map((t) => ({ ...t, exponent: -t.exponent }))], coef, scale };
      }
      case 'pow': {
        if (e.base.kind === 'num') {
          if (e.base.value === 10 && Number.isInteger(e.exponent))
            return { terms: [], coef: 1, scale: e.exponent };
          return { terms: [], coef: e.base.value ** e.exponent, scale: 0 };
        }
        const b = this.evalU(e.base);
        if (b.terms.length === 0)
          return { terms: [], coef: b.coef ** e.exponent, scale: b.scale * e.exponent };
        const bt = attach(b.terms, b.coef, b.scale);
        return { terms: bt.map((t) => ({ ...t, exponent: t.exponent * e.exponent })), coef: 1, scale: 0 };
      }
    }
  }

  // ---------------------------------------------------------------- expressions

  private ids(): Set<string> {
    return new Set(this.syms.keys());
  }

  /** Resolves shadowable constants and negated constants, and unit ids on literals. */
  private fix(e: Expr, shadow: { has(name: string): boolean }): Expr {
    const go = (x: Expr): Expr => {
      switch (x.kind) {
        case 'sym': {
          const c = SHADOWABLE_CONSTANTS.get(x.name);
          if (c !== undefined && !shadow.has(x.name)) return { kind: 'num', value: c, loc: x.loc };
          return x;
        }
        case 'num': {
          if (x.units === undefined || !x.loc) return x;
          const u = this.unitRef({ id: x.units, loc: unitLoc(x.loc, x.value) });
          return u === undefined || u === x.units ? x : { ...x, units: u };
        }
        case 'call': {
          if (FOLDABLE_NEGATION.has(x) && x.args[0].kind === 'sym') {
            const c = SHADOWABLE_CONSTANTS.get(x.args[0].name);
            if (c !== undefined && !shadow.has(x.args[0].name)) return { kind: 'num', value: -c, loc: x.loc };
          }
          return { ...x, args: x.args.map(go) };
        }
        case 'apply':
          return { ...x, args: x.args.map(go) };
        case 'piecewise':
          return {
            ...x,
            pieces: x.pieces.map((p) => ({ value: go(p.value), condition: go(p.condition) })),
            ...(x.otherwise ? { otherwise: go(x.otherwise) } : {}),
          };
        default:
          return x;
      }
    };
    return go(e);
  }

  // ---------------------------------------------------------------- assembly

  private assemble(): Model {
    const ids = this.ids();
    const fx = (e: Expr) => this.fix(e, ids);
    const stmts = this.parsed.statements;
    const header = this.parsed.header;

    for (const id of this.unitStmts.keys()) this.unitTerms(id);
    const userUnits: UnitDefinition[] = [];
    for (const [id, st] of this.unitStmts) {
      userUnits.push(
        withMeta(
          { id, terms: this.builtUnits.get(id) ?? [], loc: st.name.loc },
          this.syms.get(id),
          st.source,
        ),
      );
    }
    this.unitIds.clear();
    for (const id of this.unitStmts.keys()) this.unitIds.add(id);

    const units: { -readonly [K in keyof ModelUnits]: ModelUnits[K] } = {};
    let conversionFactor: string | undefined;
    let modelNotes: string | undefined;
    for (const st of stmts) {
      if (st.kind === 'modelUnits') {
        const u = this.unitRef(st.unit);
        if (u) units[st.field] = u;
      } else if (st.kind === 'conversionFactor') conversionFactor = st.name.id;
      else if (st.kind === 'notes' && !st.name) modelNotes = st.text;
    }

    const functions: FunctionDefinition[] = [];
    const initialAssignments: InitialAssignment[] = [];
    const rules: Rule[] = [];
    const reactions: Reaction[] = [];
    const events: Event[] = [];

    for (const st of stmts) {
      if (st.kind !== 'function') continue;
      const args = new Set(st.args.map((a) => a.id));
      for (const a of st.args) {
        if (isReservedName(a.id))
          this.err('reserved', `'${a.id}' is a reserved word and cannot be an argument name`, a.loc);
      }
      const s = this.syms.get(st.name.id);
      functions.push(
        withMeta(
          { id: st.name.id, args: st.args.map((a) => a.id), body: this.fix(st.body, args), loc: st.name.loc },
          s,
          st.source,
        ),
      );
    }

    // Rules and reaction rates given by assignment to a reaction id.
    const rateByAssignment = new Map<string, Expr>();
    for (const st of stmts) {
      if (st.kind === 'assign' && st.op !== '=') {
        const math = fx(st.expr);
        const r: AssignmentRule | RateRule =
          st.op === ':='
            ? { kind: 'assignment', variable: st.name.id, math, loc: st.name.loc }
            : { kind: 'rate', variable: st.name.id, math, loc: st.name.loc };
        rules.push(r);
      } else if (st.kind === 'decl') {
        for (const it of st.items) {
          if (it.init?.op === ':=') {
            rules.push({
              kind: 'assignment',
              variable: it.name.id,
              math: fx(it.init.expr),
              loc: it.name.loc,
            });
          }
        }
      } else if (st.kind === 'algebraic') {
        const r: AlgebraicRule = { kind: 'algebraic', math: fx(st.expr), loc: st.loc };
        rules.push(r);
      }
    }

    const sorted = [...this.syms.values()].sort((a, b) => a.order - b.order);
    for (const s of sorted) if (s.init) s.init = { ...s.init, expr: fx(s.init.expr) };
    const compartments: Compartment[] = [];
    const species: Species[] = [];
    const parameters: Parameter[] = [];
    const speciesRefs = new Map<string, { stoich: number; constant: boolean }>();
    let needDefault = false;

    const literal = (s: SymInfo): { value: number; units?: string } | undefined => {
      const e = s.init?.expr;
      if (e?.kind !== 'num') return undefined;
      return e.units === undefined ? { value: e.value } : { value: e.value, units: e.units };
    };
    const unitsOf = (s: SymInfo): string | undefined => {
      const lit = literal(s);
      let u: string | undefined;
      if (s.units) u = this.unitRef(s.units);
      if (lit?.units !== undefined) {
        const inline = this.unitRef({
          id: lit.units,
          loc: unitLoc(s.init!.expr.loc ?? s.init!.loc, lit.value),
        });
        if (u !== undefined && inline !== undefined && inline !== u) {
          this.err(
            'units',
            `'${s.id}' has units '${u}' but its value is given in '${inline}'`,
            s.init!.expr.loc,
          );
        }
        u ??= inline;
      }
      return u;
    };
    const addIA = (s: SymInfo) => {
      if (s.init && s.init.expr.kind !== 'num') {
        initialAssignments.push({ symbol: s.id, math: fx(s.init.expr), loc: s.init.loc });
      }
    };
    const isConst = (s: SymInfo) => s.explicitConst ?? !this.targeted.has(s.id);

    for (const s of sorted) {
      const props = this.props(s);
      switch (s.kind) {
        case 'compartment': {
          if (s.compartment) {
            this.diags.push(
              warning(
                'ignored',
                `compartment nesting ('${s.id} in ${s.compartment.id}') is not represented in the model and is ignored`,
                s.compartment.loc,
              ),
            );
          }
          const lit = literal(s);
          const c: Compartment = {
            id: s.id,
            ...(props.spatialDimensions !== undefined ? { spatialDimensions: props.spatialDimensions } : {}),
            ...(lit ? { size: lit.value } : {}),
            constant: props.constant ?? isConst(s),
            ...optional('units', unitsOf(s)),
          };
          compartments.push(withMeta(c, s, undefined, props.sboTerm));
          addIA(s);
          break;
        }
        case 'species': {
          const lit = literal(s);
          let compartment = s.compartment?.id;
          if (compartment === undefined) {
            compartment = DEFAULT_COMPARTMENT;
            needDefault = true;
          }
          const hosu = props.hasOnlySubstanceUnits ?? !!s.substanceOnly;
          let initialAmount = props.initialAmount;
          let initialConcentration = props.initialConcentration;
          let substanceUnits = s.units ? this.unitRef(s.units) : undefined;
          if (lit) {
            if (initialAmount !== undefined || initialConcentration !== undefined) {
              this.err(
                'duplicate-value',
                `species '${s.id}' has both a value and an explicit initialAmount/initialConcentration`,
                s.init!.loc,
              );
            } else if (hosu) initialAmount = lit.value;
            else initialConcentration = lit.value;
            if (lit.units !== undefined) {
              if (!hosu) {
                this.err(
                  'units',
                  `the initial concentration of '${s.id}' cannot carry units: give the species substance units with '${s.id} has <unit>' (concentration units follow from the compartment)`,
                  s.init!.expr.loc,
                );
              } else {
                const u = this.unitRef({
                  id: lit.units,
                  loc: unitLoc(s.init!.expr.loc ?? s.init!.loc, lit.value),
                });
                if (substanceUnits !== undefined && u !== undefined && u !== substanceUnits) {
                  this.err(
                    'units',
                    `'${s.id}' has units '${substanceUnits}' but its value is given in '${u}'`,
                    s.init!.expr.loc,
                  );
                }
                substanceUnits ??= u;
              }
            }
          }
          if (props.substanceUnits !== undefined) substanceUnits = props.substanceUnits;
          const sp: Species = {
            id: s.id,
            compartment,
            ...(initialAmount !== undefined ? { initialAmount } : {}),
            ...(initialConcentration !== undefined ? { initialConcentration } : {}),
            hasOnlySubstanceUnits: hosu,
            boundaryCondition: props.boundaryCondition ?? (!!s.boundary || s.explicitConst === true),
            constant: props.constant ?? s.explicitConst === true,
            ...optional('substanceUnits', substanceUnits),
            ...optional('conversionFactor', props.conversionFactor),
          };
          species.push(withMeta(sp, s, undefined, props.sboTerm));
          addIA(s);
          break;
        }
        case 'parameter': {
          const lit = literal(s);
          const p: Parameter = {
            id: s.id,
            ...(lit ? { value: lit.value } : {}),
            constant: props.constant ?? isConst(s),
            ...optional('units', unitsOf(s)),
          };
          parameters.push(withMeta(p, s, undefined, props.sboTerm));
          addIA(s);
          break;
        }
        case 'speciesRef': {
          const lit = literal(s);
          speciesRefs.set(s.id, { stoich: lit?.value ?? 1, constant: props.constant ?? isConst(s) });
          addIA(s);
          break;
        }
        case 'reaction':
          if (s.init) rateByAssignment.set(s.id, s.init.expr);
          break;
        default:
          if (s.init && (s.kind === 'event' || s.kind === 'function')) {
            this.err('invalid-target', `cannot assign a value to the ${s.kind} '${s.id}'`, s.init.loc);
          }
      }
    }
    if (needDefault && !this.syms.has(DEFAULT_COMPARTMENT)) {
      compartments.push({ id: DEFAULT_COMPARTMENT, size: 1, constant: true });
    }

    // Reactions and events, numbering unnamed ones as Antimony does (_J0, _E0, ...).
    let jn = 0;
    let en = 0;
    const interactions = stmts.filter((s) => s.kind === 'interaction');
    for (const st of stmts) {
      if (st.kind === 'reaction') {
        let id = st.name?.id;
        while (id === undefined || (!st.name && this.syms.has(id))) id = `_J${jn++}`;
        const s = this.syms.get(id);
        const props = s ? this.props(s) : {};
        const ref = (r: (typeof st.reactants)[number]): SpeciesReference => {
          if (typeof r.stoich === 'number')
            return { species: r.name.id, stoichiometry: r.stoich, constant: true };
          const sr = speciesRefs.get(r.stoich.id);
          return {
            species: r.name.id,
            stoichiometry: sr?.stoich ?? 1,
            id: r.stoich.id,
            constant: sr?.constant ?? true,
          };
        };
        const reactants = st.reactants.map(ref);
        const products = st.products.map(ref);
        const locals = s ? this.localParameters(s) : [];
        let kinetics: Kinetics | undefined;
        const byAssign = rateByAssignment.get(id);
        if (st.rate && byAssign) {
          this.err(
            'duplicate-value',
            `reaction '${id}' has a rate law here and another at ${lineOf(s?.init?.loc)}`,
            st.loc,
          );
        }
        const localNameSet = new Set(locals.map((p) => p.id));
        const localIds = { has: (n: string) => localNameSet.has(n) || ids.has(n) };
        if (st.rate?.kind === 'law') kinetics = { kind: 'law', math: this.fix(st.rate.math, localIds) };
        else if (st.rate?.kind === 'massAction') {
          kinetics = st.rate.reverse
            ? {
                kind: 'massAction',
                forward: this.fix(st.rate.forward, localIds),
                reverse: this.fix(st.rate.reverse, localIds),
              }
            : { kind: 'massAction', forward: this.fix(st.rate.forward, localIds) };
        } else if (byAssign) kinetics = { kind: 'law', math: this.fix(byAssign, localIds) };
        const modifiers: string[] = [];
        for (const it of interactions) {
          if (it.kind === 'interaction' && it.reaction.id === id) {
            for (const m of it.modifiers) if (!modifiers.includes(m.name.id)) modifiers.push(m.name.id);
          }
        }
        const inEq = new Set([...reactants, ...products].map((r) => r.species));
        const localNames = new Set(locals.map((p) => p.id));
        const exprs =
          kinetics?.kind === 'law'
            ? [kinetics.math]
            : kinetics
              ? [kinetics.forward, ...(kinetics.reverse ? [kinetics.reverse] : [])]
              : [];
        for (const e of exprs) {
          for (const n of symbolsOf(e)) {
            if (localNames.has(n) || inEq.has(n) || modifiers.includes(n)) continue;
            if (this.syms.get(n)?.kind === 'species') modifiers.push(n);
          }
        }
        const r: Reaction = {
          id,
          reversible: st.reversible,
          ...(props.fast !== undefined ? { fast: props.fast } : {}),
          ...optional('compartment', st.compartment?.id),
          reactants,
          products,
          modifiers,
          ...(kinetics ? { kinetics } : {}),
          localParameters: locals,
        };
        reactions.push(withMeta({ ...r, loc: st.loc }, s, st.source, props.sboTerm));
      } else if (st.kind === 'event') {
        let id = st.name?.id;
        while (id === undefined || (!st.name && this.syms.has(id))) id = `_E${en++}`;
        const s = this.syms.get(id);
        const props = s ? this.props(s) : {};
        const ev: Event = {
          id,
          trigger: { math: fx(st.trigger), initialValue: st.t0 ?? true, persistent: st.persistent ?? true },
          ...(st.delay ? { delay: fx(st.delay) } : {}),
          ...(st.priority ? { priority: fx(st.priority) } : {}),
          useValuesFromTriggerTime: st.fromTrigger ?? true,
          assignments: st.assignments.map((a) => ({
            variable: a.name.id,
            math: fx(a.expr),
            loc: a.name.loc,
          })),
        };
        events.push(withMeta({ ...ev, loc: st.loc }, s, st.source, props.sboTerm));
      }
    }
    for (const it of interactions) {
      if (it.kind === 'interaction' && this.syms.get(it.reaction.id)?.kind !== 'reaction') {
        this.err(
          'unknown-symbol',
          `'${it.reaction.id}' is not a reaction${didYouMean(
            it.reaction.id,
            reactions.map((r) => r.id),
          )}`,
          it.reaction.loc,
        );
      }
    }

    const model: Model = {
      id: header?.name.id ?? modelIdFromFile(this.file),
      ...optional('name', header?.display),
      ...optional('notes', modelNotes),
      ...(header?.source ? { source: header.source } : {}),
      ...(header ? { loc: header.name.loc } : {}),
      units,
      ...optional('conversionFactor', conversionFactor),
      unitDefinitions: [...userUnits, ...this.unitDefs.filter((u) => !this.unitStmts.has(u.id))],
      functions,
      compartments,
      species,
      parameters,
      initialAssignments,
      rules,
      reactions,
      events,
    };
    return model;
  }

  private localParameters(s: SymInfo): Parameter[] {
    const out: Parameter[] = [];
    for (const p of s.props) {
      if (REACTION_PROPS.has(p.prop.id)) continue;
      const v = p.value;
      if (typeof v === 'string' || v.kind !== 'num') {
        this.err(
          'syntax',
          `local parameter ${s.id}.${p.prop.id} must be a number (with optional units), not a formula`,
          typeof v === 'string' ? p.prop.loc : v.loc,
        );
        continue;
      }
      if (out.some((q) => q.id === p.prop.id)) {
        this.err('duplicate-id', `duplicate local parameter '${p.prop.id}' in reaction ${s.id}`, p.prop.loc);
        continue;
      }
      const units =
        v.units !== undefined
          ? this.unitRef({ id: v.units, loc: unitLoc(v.loc ?? p.prop.loc, v.value) })
          : undefined;
      out.push({
        id: p.prop.id,
        value: v.value,
        constant: true,
        ...optional('units', units),
        ...(p.source ? { source: p.source } : {}),
        loc: p.prop.loc,
      });
    }
    return out;
  }

  /** Typed `X.prop = value` settings of a symbol (reaction local parameters excluded). */
  private props(s: SymInfo): PropValues {
    const out: PropValues = {};
    const allowed = PROPS_BY_KIND[s.kind ?? 'parameter'] ?? new Set<string>();
    for (const p of s.props) {
      const key = p.prop.id;
      if (s.kind === 'reaction' && !REACTION_PROPS.has(key)) continue; // local parameter
      if (!allowed.has(key)) {
        this.err(
          'unknown-property',
          `'${key}' is not a property of ${kindWord(s.kind ?? 'parameter')} '${s.id}'${didYouMean(key, allowed)}`,
          p.prop.loc,
        );
        continue;
      }
      const v = p.value;
      const num = typeof v !== 'string' && v.kind === 'num' ? v.value : undefined;
      const sym = typeof v !== 'string' && v.kind === 'sym' ? v.name : undefined;
      const bad = (what: string) =>
        this.err(
          'syntax',
          `${s.id}.${key} must be ${what}`,
          typeof v === 'string' ? p.prop.loc : (v.loc ?? p.prop.loc),
        );
      switch (key) {
        case 'sboTerm':
          if (typeof v === 'string') out.sboTerm = v;
          else if (num !== undefined && Number.isInteger(num))
            out.sboTerm = `SBO:${String(num).padStart(7, '0')}`;
          else bad('an SBO term (a number or SBO:0000xxx)');
          break;
        case 'spatialDimensions':
        case 'initialAmount':
        case 'initialConcentration':
          if (num === undefined) bad('a number');
          else out[key] = num;
          break;
        case 'constant':
        case 'boundaryCondition':
        case 'hasOnlySubstanceUnits':
        case 'fast':
          if (num === undefined || (num !== 0 && num !== 1)) bad('true or false');
          else out[key] = num === 1;
          break;
        case 'conversionFactor':
          if (sym === undefined) bad('a parameter name');
          else out.conversionFactor = sym;
          break;
        case 'substanceUnits':
          if (sym === undefined) bad('a unit name');
          else
            out.substanceUnits = this.unitRef({
              id: sym,
              loc: typeof v !== 'string' && v.loc ? v.loc : p.prop.loc,
            });
          break;
      }
    }
    return out;
  }
}

interface PropValues {
  sboTerm?: string;
  spatialDimensions?: number;
  initialAmount?: number;
  initialConcentration?: number;
  constant?: boolean;
  boundaryCondition?: boolean;
  hasOnlySubstanceUnits?: boolean;
  fast?: boolean;
  conversionFactor?: string;
  substanceUnits?: string;
}

const REACTION_PROPS = new Set(['sboTerm', 'fast']);
const PROPS_BY_KIND: Partial<Record<Kind, Set<string>>> = {
  compartment: new Set(['sboTerm', 'spatialDimensions', 'constant']),
  species: new Set([
    'sboTerm',
    'initialAmount',
    'initialConcentration',
    'constant',
    'boundaryCondition',
    'hasOnlySubstanceUnits',
    'conversionFactor',
    'substanceUnits',
  ]),
  parameter: new Set(['sboTerm', 'constant']),
  reaction: REACTION_PROPS,
  event: new Set(['sboTerm']),
  function: new Set(['sboTerm']),
  speciesRef: new Set(['constant']),
};

function kindWord(k: Kind): string {
  return k === 'speciesRef' ? 'stoichiometry symbol' : k;
}

function optional<K extends string, V>(key: K, v: V | undefined): { [P in K]?: V } {
  return (v === undefined ? {} : { [key]: v }) as { [P in K]?: V };
}

/** Adds name, notes, source, sboTerm and loc from the symbol table. */
function withMeta<T extends { id: string; loc?: SourceLoc }>(
  el: T,
  s: SymInfo | undefined,
  source?: Provenance,
  sboTerm?: string,
): T {
  const src = source ?? s?.source;
  return {
    ...el,
    ...(s?.name !== undefined ? { name: s.name } : {}),
    ...(s?.notes !== undefined ? { notes: s.notes } : {}),
    ...(sboTerm !== undefined ? { sboTerm } : {}),
    ...(src ? { source: src } : {}),
    ...(el.loc ? {} : s ? { loc: s.kindLoc ?? s.firstLoc } : {}),
  };
}

/** Applies a pending numeric coefficient `coef * 10^scale` to the first term (or a dimensionless one). */
function attach(terms: readonly UnitTerm[], coef: number, scale: number): UnitTerm[] {
  if (coef === 1 && scale === 0) return terms.map((t) => ({ ...t }));
  if (terms.length === 0) return [{ kind: 'dimensionless', exponent: 1, scale, multiplier: coef }];
  const [first, ...rest] = terms;
  const e = first.exponent;
  const s = scale / e;
  const intScale = Number.isInteger(s);
  const multiplier = first.multiplier * coef ** (1 / e) * (intScale ? 1 : 10 ** s);
  return [{ ...first, multiplier, scale: first.scale + (intScale ? s : 0) }, ...rest.map((t) => ({ ...t }))];
}

/** Position of the unit name after a literal: best effort (the literal's column plus its printed length). */
function unitLoc(numLoc: SourceLoc, value: number): SourceLoc {
  return { ...numLoc, column: numLoc.column + String(value).length + 1 };
}

/** Every symbol name in an expression, in order of first appearance. */
export function symbolsOf(e: Expr, out: string[] = []): string[] {
  switch (e.kind) {
    case 'sym':
      if (!out.includes(e.name)) out.push(e.name);
      break;
    case 'call':
    case 'apply':
      for (const a of e.args) symbolsOf(a, out);
      break;
    case 'piecewise':
      for (const p of e.pieces) {
        symbolsOf(p.value, out);
        symbolsOf(p.condition, out);
      }
      if (e.otherwise) symbolsOf(e.otherwise, out);
      break;
    default:
      break;
  }
  return out;
}

function modelIdFromFile(file: string | undefined): string {
  if (!file) return 'model';
  const base = file.replace(/^.*[\\/]/, '').replace(/\.[^.]*$/, '');
  const id = base.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[A-Za-z_]/.test(id) ? id : `_${id}`;
}
