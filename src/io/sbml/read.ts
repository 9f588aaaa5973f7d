/**
 * SBML -> model IR.
 *
 * Reads SBML Level 3 Versions 1-2 core and Level 2 Versions 1-5 (the semantics SBML L3V2 shares with them).
 * Level-dependent defaults follow the specifications: in Level 2, species default to hasOnlySubstanceUnits =
 * boundaryCondition = constant = false, compartments and parameters to constant = true, compartments to 3
 * dimensions, reactions to reversible = true, species references to stoichiometry 1, and events to
 * useValuesFromTriggerTime = true with trigger initialValue = persistent = true (the Level 2 semantics; SBML
 * L3V1 section 4.12.2). Level 2 `stoichiometryMath` is translated as SBML L3 does it: the species reference
 * gets an id (generated when absent) and an assignment rule.
 *
 * Refused with an error naming the element and feature (never silently dropped): packages marked
 * required="true" (comp, fbc with required, ...), Level 1, unknown core elements, MathML outside the SBML
 * subset. Optional packages (required="false") are skipped with a warning, as are constraints, compartment
 * and species types (no effect on simulation) and elements whose optional `<math>` is absent (SBML L3V2
 * gives them no effect).
 *
 * Line numbers come from `xml.ts` (start-tag pre-scan); messages read `file:line: ...`.
 */

import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import type {
  AlgebraicRule,
  Compartment,
  Event,
  EventAssignment,
  FunctionDefinition,
  InitialAssignment,
  Kinetics,
  Model,
  ModelUnits,
  Parameter,
  Provenance,
  Reaction,
  Rule,
  Species,
  SpeciesReference,
  UnitDefinition,
  UnitTerm,
} from '../../models/ir.js';
import type { Expr } from '../../numerics/expr/ast.js';
import { substituteMap } from '../../numerics/expr/substitute.js';
import { type CompSources, flattenComp } from './comp.js';
import {
  locOf,
  type MathContext,
  parseNumber,
  prefixFor,
  readLambda,
  readMath,
  SbmlError,
} from './mathml-read.js';
import { localName, parseXml, prefixOf, textContent, type XmlElement } from './xml.js';

export { SbmlError };

export interface ReadSbmlOptions {
  /** Called for every warning (skipped optional content). Default: collect only. */
  readonly onWarning?: (message: string) => void;
  /**
   * Reads a file named by a comp externalModelDefinition `source` (relative to the including file). Default:
   * read from disk relative to `file` when the file name is known.
   */
  readonly resolveFile?: (source: string, from: string | undefined) => string;
}

export interface ReadSbmlResult {
  readonly model: Model;
  readonly warnings: readonly string[];
  readonly level: number;
  readonly version: number;
}

/** comp elements read by the flattener (`comp.ts`), not by the core reader. */
const COMP_HANDLED = new Set(['listOfReplacedElements', 'replacedBy', 'listOfSubmodels', 'listOfPorts']);

const BQBIOL = 'http://biomodels.net/biology-qualifiers/';
const BQMODEL = 'http://biomodels.net/model-qualifiers/';
/** Class of the notes block that carries exoniche provenance (kb, citation, evidence). */
export const PROVENANCE_CLASS = 'exoniche-provenance';
/** Namespace of exoniche's own annotations (mass-action kinetics). */
export const EXONICHE_NS = 'https://exoniche.org/sbml';

/** Reads an SBML document into the IR; throws `SbmlError` naming the first unsupported element. */
export function readSbml(xml: string, file?: string, options: ReadSbmlOptions = {}): Model {
  return readSbmlWithWarnings(xml, file, options).model;
}

export function readSbmlWithWarnings(
  xml: string,
  file?: string,
  options: ReadSbmlOptions = {},
): ReadSbmlResult {
  let root: XmlElement;
  try {
    root = parseXml(xml, file);
  } catch (err) {
    throw new SbmlError((err as Error).message);
  }
  const resolveFile =
    options.resolveFile ??
    ((source: string, from: string | undefined) =>
      readFileSync(isAbsolute(source) || from === undefined ? source : join(dirname(from), source), 'utf8'));
  const reader = new Reader(file, { ...options, resolveFile });
  const model = reader.document(root);
  return { model, warnings: reader.warnings, level: reader.level, version: reader.version };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

class Reader {
  level = 3;
  version = 2;
  warnings: string[] = [];
  /** Prefixes of optional packages to skip. */
  private readonly skipPrefixes = new Map<string, string>();
  private warnedPackages = new Set<string>();
  private readonly usedIds = new Set<string>();

  compPrefix: string | undefined;

  constructor(
    readonly file: string | undefined,
    readonly options: ReadSbmlOptions,
    from?: Reader,
  ) {
    if (from) {
      this.level = from.level;
      this.version = from.version;
      this.compPrefix = from.compPrefix;
      for (const [k, v] of from.skipPrefixes) this.skipPrefixes.set(k, v);
      this.warnings = from.warnings;
      this.warnedPackages = from.warnedPackages;
    }
  }

  private at(e: XmlElement): string {
    return prefixFor(e, this.file);
  }

  private fail(e: XmlElement, msg: string): never {
    throw new SbmlError(`${this.at(e)}: ${msg}`);
  }

  private warn(e: XmlElement, msg: string): void {
    const m = `${this.at(e)}: ${msg}`;
    this.warnings.push(m);
    this.options.onWarning?.(m);
  }

  /** `headerOnly`: check the root and packages, do not read the model. */
  document(root: XmlElement, headerOnly = false): Model {
    if (localName(root.name) !== 'sbml') this.fail(root, `root element <${root.name}> is not <sbml>`);
    this.level = Number(root.attrs.level);
    this.version = Number(root.attrs.version);
    if (this.level === 1) this.fail(root, 'SBML Level 1 is not supported (convert to Level 2 or 3)');
    if (
      !(this.level === 2 && this.version >= 1 && this.version <= 5) &&
      !(this.level === 3 && this.version >= 1 && this.version <= 2)
    )
      this.fail(root, `SBML Level ${root.attrs.level} Version ${root.attrs.version} is not supported`);
    // Packages: xmlns:p="...level3/.../NAME/versionN" with p:required.
    for (const [k, v] of Object.entries(root.attrs)) {
      if (!k.startsWith('xmlns:')) continue;
      const prefix = k.slice(6);
      const m = /^http:\/\/www\.sbml\.org\/sbml\/level3\/version\d+\/([^/]+)\/version\d+/.exec(v);
      if (!m) continue;
      const pkg = m[1];
      if (pkg === 'comp') {
        this.compPrefix = prefix;
        continue;
      }
      const required = root.attrs[`${prefix}:required`];
      if (required === 'true') this.fail(root, `SBML package '${pkg}' (required="true") is not supported`);
      this.skipPrefixes.set(prefix, pkg);
    }
    if (headerOnly) return undefined as unknown as Model;
    const cp = this.compPrefix;
    const compLists = ['listOfModelDefinitions', 'listOfExternalModelDefinitions'];
    const isCompList = (e: XmlElement): boolean =>
      cp !== undefined && prefixOf(e.name) === cp && compLists.includes(localName(e.name));
    const models = root.elements.filter(
      (e) =>
        e.name !== 'notes' &&
        e.name !== 'annotation' &&
        !isCompList(e) &&
        !this.skippable(e, 'the <sbml> element'),
    );
    for (const e of models)
      if (localName(e.name) !== 'model' || prefixOf(e.name))
        this.fail(e, `<${e.name}> in <sbml> is not supported`);
    if (models.length !== 1) this.fail(root, `expected one <model>, found ${models.length}`);
    if (cp === undefined) return this.model(models[0]);
    return flattenComp(models[0], this.compSources(root, cp));
  }

  /** comp: model definitions of this document and resolvers for external ones. */
  compSources(root: XmlElement, cp: string): CompSources {
    const definitions = new Map<string, XmlElement>();
    const external = new Map<string, () => { el: XmlElement; sources: CompSources }>();
    for (const list of root.elements.filter((e) => prefixOf(e.name) === cp)) {
      for (const d of list.elements) {
        const ln = localName(d.name);
        const id = d.attrs[`${cp}:id`] ?? d.attrs.id;
        if (!id) this.fail(d, `<${d.name}> without id`);
        if (ln === 'modelDefinition') definitions.set(id, d);
        else if (ln === 'externalModelDefinition') {
          const source = d.attrs[`${cp}:source`] ?? this.fail(d, `<${d.name}> '${id}' without source`);
          const modelRef = d.attrs[`${cp}:modelRef`];
          external.set(id, () => {
            const resolve = this.options.resolveFile;
            if (!resolve)
              this.fail(
                d,
                `<${d.name}> '${id}': external model file '${source}' cannot be read (no file resolver)`,
              );
            let text: string;
            try {
              text = resolve(source, this.file);
            } catch (err) {
              this.fail(d, `<${d.name}> '${id}': cannot read '${source}' (${(err as Error).message})`);
            }
            const subFile =
              isAbsolute(source) || this.file === undefined ? source : join(dirname(this.file), source);
            let subRoot: XmlElement;
            try {
              subRoot = parseXml(text, subFile);
            } catch (err) {
              throw new SbmlError((err as Error).message);
            }
            const sub = new Reader(subFile, this.options);
            sub.document(subRoot, true);
            const srcs = sub.compSources(subRoot, sub.compPrefix ?? cp);
            const main = subRoot.elements.find((e) => localName(e.name) === 'model' && !prefixOf(e.name));
            let el: XmlElement | undefined;
            if (modelRef === undefined || main?.attrs.id === modelRef) el = main;
            else el = srcs.definitions.get(modelRef);
            if (!el) this.fail(d, `<${d.name}> '${id}': '${source}' has no model '${modelRef ?? ''}'`);
            return { el, sources: srcs };
          });
        } else this.fail(d, `<${d.name}> is not supported`);
      }
    }
    return {
      prefix: cp,
      file: this.file,
      readModel: (el) => new Reader(this.file, this.options, this).model(el),
      definitions,
      external,
    };
  }

  /** True (after a warning) for elements of an optional package; notes and annotation are handled by callers. */
  private skippable(e: XmlElement, where: string): boolean {
    const p = prefixOf(e.name);
    if (!p) return false;
    const pkg = this.skipPrefixes.get(p);
    if (pkg === undefined) return false;
    if (!this.warnedPackages.has(pkg)) {
      this.warnedPackages.add(pkg);
      this.warn(
        e,
        `optional SBML package '${pkg}' (required="false") is ignored (first element <${e.name}> in ${where})`,
      );
    }
    return true;
  }

  /** Child elements of `e` except notes/annotation, checked against the allowed local names. */
  private kids(e: XmlElement, allowed: readonly string[], where: string): XmlElement[] {
    const out: XmlElement[] = [];
    for (const k of e.elements) {
      const n = k.name;
      if (n === 'notes' || n === 'annotation') continue;
      if (this.skippable(k, where)) continue;
      if (this.compPrefix !== undefined && prefixOf(n) === this.compPrefix && COMP_HANDLED.has(localName(n)))
        continue;
      if (prefixOf(n) || !allowed.includes(n)) this.fail(k, `<${n}> in ${where} is not supported`);
      out.push(k);
    }
    return out;
  }

  private list(e: XmlElement, listName: string, item: string, where: string): XmlElement[] {
    const out: XmlElement[] = [];
    for (const l of e.elements.filter((k) => k.name === listName))
      out.push(...this.kids(l, [item], `<${listName}> of ${where}`));
    return out;
  }

  private bool(e: XmlElement, attr: string, dflt: boolean): boolean {
    const v = e.attrs[attr];
    if (v === undefined) return dflt;
    if (v === 'true' || v === '1') return true;
    if (v === 'false' || v === '0') return false;
    this.fail(e, `<${e.name}> attribute ${attr}="${v}" is not a boolean`);
  }

  private number(e: XmlElement, attr: string): number | undefined {
    const v = e.attrs[attr];
    if (v === undefined) return undefined;
    const x = parseNumber(v);
    if (Number.isNaN(x) && !/nan/i.test(v))
      this.fail(e, `<${e.name}> attribute ${attr}="${v}" is not a number`);
    return x;
  }

  private requireId(e: XmlElement, what: string): string {
    const id = e.attrs.id;
    if (!id) this.fail(e, `<${e.name}> (${what}) without an id`);
    return id;
  }

  private math(e: XmlElement, where: string): Expr | undefined {
    const m = e.elements.filter((k) => localName(k.name) === 'math');
    if (m.length > 1) this.fail(m[1], `more than one <math> in ${where}`);
    if (m.length === 0) return undefined;
    const ctx: MathContext = { file: this.file, where };
    return readMath(m[0], ctx);
  }

  /** name, notes, sboTerm, provenance and loc of an element. */
  private base(e: XmlElement): {
    name?: string;
    notes?: string;
    sboTerm?: string;
    source?: Provenance;
    loc?: Model['loc'];
  } {
    const out: Mutable<ReturnType<Reader['base']>> = {};
    if (e.attrs.name !== undefined) out.name = e.attrs.name;
    const notesEl = e.elements.find((k) => k.name === 'notes');
    let kb: string | undefined;
    let citation: string | undefined;
    let evidence: string | undefined;
    if (notesEl) {
      const n = readNotes(notesEl);
      if (n.text) out.notes = n.text;
      ({ kb, citation, evidence } = n);
    }
    if (e.attrs.sboTerm !== undefined) out.sboTerm = e.attrs.sboTerm;
    const ann = e.elements.find((k) => k.name === 'annotation');
    const refs = ann ? readMiriam(ann) : [];
    if (kb !== undefined || citation !== undefined || evidence !== undefined || refs.length) {
      const ev = evidence as Provenance['evidence'];
      if (ev !== undefined && !['V', 'V2', 'T', 'C', 'R', 'A'].includes(ev))
        this.fail(notesEl ?? e, `unknown evidence tag '${ev}' in the provenance notes`);
      out.source = {
        ...(kb !== undefined ? { kb } : {}),
        ...(citation !== undefined ? { citation } : {}),
        ...(ev !== undefined ? { evidence: ev } : {}),
        ...(refs.length ? { refs } : {}),
      };
    }
    const loc = locOf(e, this.file);
    if (loc) out.loc = loc;
    return out;
  }

  private model(m: XmlElement): Model {
    const lists = [
      'listOfFunctionDefinitions',
      'listOfUnitDefinitions',
      'listOfCompartmentTypes',
      'listOfSpeciesTypes',
      'listOfCompartments',
      'listOfSpecies',
      'listOfParameters',
      'listOfInitialAssignments',
      'listOfRules',
      'listOfConstraints',
      'listOfReactions',
      'listOfEvents',
    ];
    for (const k of this.kids(m, lists, '<model>')) {
      if (['listOfCompartmentTypes', 'listOfSpeciesTypes'].includes(k.name) && k.elements.length)
        this.warn(k, `<${k.name}> is ignored (types have no effect on simulation)`);
      if (k.name === 'listOfConstraints' && k.elements.length)
        this.warn(k, '<listOfConstraints> is ignored (constraints are not checked during simulation)');
    }
    const id = m.attrs.id ?? 'model';
    const units: Mutable<ModelUnits> = {};
    for (const [attr, key] of [
      ['substanceUnits', 'substance'],
      ['timeUnits', 'time'],
      ['volumeUnits', 'volume'],
      ['areaUnits', 'area'],
      ['lengthUnits', 'length'],
      ['extentUnits', 'extent'],
    ] as const)
      if (m.attrs[attr] !== undefined) units[key] = m.attrs[attr];

    const functions: FunctionDefinition[] = [];
    for (const f of this.list(m, 'listOfFunctionDefinitions', 'functionDefinition', 'the model')) {
      this.kids(f, ['math'], `functionDefinition '${f.attrs.id}'`);
      const fid = this.requireId(f, 'function definition');
      const mathEl = f.elements.find((k) => k.name === 'math');
      if (!mathEl) {
        this.warn(f, `functionDefinition '${fid}' has no <math> and is ignored`);
        continue;
      }
      const { args, body } = readLambda(mathEl, { file: this.file, where: `functionDefinition '${fid}'` });
      functions.push({ id: fid, ...this.base(f), args, body });
    }

    const unitDefinitions: UnitDefinition[] = [];
    for (const u of this.list(m, 'listOfUnitDefinitions', 'unitDefinition', 'the model')) {
      const uid = this.requireId(u, 'unit definition');
      const terms: UnitTerm[] = [];
      for (const t of this.list(u, 'listOfUnits', 'unit', `unitDefinition '${uid}'`)) {
        const offset = this.number(t, 'offset');
        if (offset !== undefined && offset !== 0)
          this.fail(t, `<unit offset="${offset}"> in unitDefinition '${uid}' is not supported`);
        terms.push({
          kind: t.attrs.kind ?? this.fail(t, `<unit> without kind in unitDefinition '${uid}'`),
          exponent: this.number(t, 'exponent') ?? 1,
          scale: this.number(t, 'scale') ?? 0,
          multiplier: this.number(t, 'multiplier') ?? 1,
        });
      }
      this.kids(u, ['listOfUnits'], `unitDefinition '${uid}'`);
      unitDefinitions.push({ id: uid, ...this.base(u), terms });
    }

    const compartments: Compartment[] = [];
    for (const c of this.list(m, 'listOfCompartments', 'compartment', 'the model')) {
      const cid = this.requireId(c, 'compartment');
      this.kids(c, [], `compartment '${cid}'`);
      const dims = this.number(c, 'spatialDimensions') ?? (this.level === 2 ? 3 : undefined);
      const size = this.number(c, 'size') ?? this.number(c, 'volume');
      compartments.push({
        id: cid,
        ...this.base(c),
        ...(dims !== undefined ? { spatialDimensions: dims } : {}),
        ...(size !== undefined ? { size } : {}),
        constant: this.bool(c, 'constant', true),
        ...(c.attrs.units !== undefined ? { units: c.attrs.units } : {}),
      });
    }

    const species: Species[] = [];
    for (const s of this.list(m, 'listOfSpecies', 'species', 'the model')) {
      const sid = this.requireId(s, 'species');
      this.kids(s, [], `species '${sid}'`);
      const ia = this.number(s, 'initialAmount');
      const ic = this.number(s, 'initialConcentration');
      if (ia !== undefined && ic !== undefined)
        this.fail(s, `species '${sid}' has both initialAmount and initialConcentration`);
      species.push({
        id: sid,
        ...this.base(s),
        compartment: s.attrs.compartment ?? this.fail(s, `species '${sid}' without a compartment`),
        ...(ia !== undefined ? { initialAmount: ia } : {}),
        ...(ic !== undefined ? { initialConcentration: ic } : {}),
        hasOnlySubstanceUnits: this.bool(s, 'hasOnlySubstanceUnits', false),
        boundaryCondition: this.bool(s, 'boundaryCondition', false),
        constant: this.bool(s, 'constant', false),
        ...(s.attrs.substanceUnits !== undefined ? { substanceUnits: s.attrs.substanceUnits } : {}),
        ...(s.attrs.conversionFactor !== undefined ? { conversionFactor: s.attrs.conversionFactor } : {}),
      });
    }

    const parameters: Parameter[] = [];
    for (const p of this.list(m, 'listOfParameters', 'parameter', 'the model'))
      parameters.push(this.parameter(p, 'parameter'));

    const initialAssignments: InitialAssignment[] = [];
    for (const a of this.list(m, 'listOfInitialAssignments', 'initialAssignment', 'the model')) {
      const symbol = a.attrs.symbol ?? this.fail(a, '<initialAssignment> without symbol');
      this.kids(a, ['math'], `initialAssignment to '${symbol}'`);
      const math = this.math(a, `initialAssignment to '${symbol}'`);
      if (!math) {
        this.warn(a, `initialAssignment to '${symbol}' has no <math> and is ignored`);
        continue;
      }
      const loc = locOf(a, this.file);
      initialAssignments.push({ symbol, math, ...(loc ? { loc } : {}) });
    }

    const rules: Rule[] = [];
    const rulesList = m.elements.filter((k) => k.name === 'listOfRules');
    for (const l of rulesList)
      for (const r of this.kids(l, ['assignmentRule', 'rateRule', 'algebraicRule'], '<listOfRules>')) {
        const variable = r.attrs.variable;
        const what = r.name === 'algebraicRule' ? 'algebraicRule' : `${r.name} for '${variable}'`;
        if (r.name !== 'algebraicRule' && !variable) this.fail(r, `<${r.name}> without variable`);
        this.kids(r, ['math'], what);
        const math = this.math(r, what);
        if (!math) {
          this.warn(r, `${what} has no <math> and is ignored`);
          continue;
        }
        const loc = locOf(r, this.file);
        const L = loc ? { loc } : {};
        if (r.name === 'algebraicRule') rules.push({ kind: 'algebraic', math, ...L } satisfies AlgebraicRule);
        else
          rules.push({
            kind: r.name === 'assignmentRule' ? 'assignment' : 'rate',
            variable: variable!,
            math,
            ...L,
          });
      }

    const reactions: Reaction[] = [];
    const extraRules: Rule[] = [];
    for (const r of this.list(m, 'listOfReactions', 'reaction', 'the model'))
      reactions.push(this.reaction(r, extraRules));
    rules.push(...extraRules);

    const events: Event[] = [];
    const eventEls = this.list(m, 'listOfEvents', 'event', 'the model');
    for (const e of [...compartments, ...species, ...parameters, ...reactions, ...functions])
      this.usedIds.add(e.id);
    for (const r of reactions)
      for (const ref of [...r.reactants, ...r.products]) if (ref.id) this.usedIds.add(ref.id);
    for (const e of eventEls) if (e.attrs.id) this.usedIds.add(e.attrs.id);
    eventEls.forEach((e, i) => {
      const ev = this.event(e, i);
      if (ev) events.push(ev);
    });

    if (this.level === 2)
      addLevel2BuiltinUnits(unitDefinitions, compartments, species, parameters, reactions);
    const base = this.base(m);
    return {
      id,
      ...base,
      units,
      ...(m.attrs.conversionFactor !== undefined ? { conversionFactor: m.attrs.conversionFactor } : {}),
      unitDefinitions,
      functions,
      compartments,
      species,
      parameters,
      initialAssignments,
      rules,
      reactions,
      events,
    };
  }

  private parameter(p: XmlElement, what: 'parameter' | 'local parameter', reaction?: string): Parameter {
    const pid = this.requireId(p, what);
    this.kids(p, [], `${what} '${pid}'`);
    const value = this.number(p, 'value');
    return {
      id: pid,
      ...this.base(p),
      ...(value !== undefined ? { value } : {}),
      constant: reaction !== undefined ? true : this.bool(p, 'constant', true),
      ...(p.attrs.units !== undefined ? { units: p.attrs.units } : {}),
    };
  }

  private fresh(stem: string): string {
    let id = stem;
    for (let k = 2; this.usedIds.has(id); k++) id = `${stem}_${k}`;
    this.usedIds.add(id);
    return id;
  }

  private reaction(r: XmlElement, extraRules: Rule[]): Reaction {
    const rid = this.requireId(r, 'reaction');
    const where = `reaction '${rid}'`;
    this.kids(r, ['listOfReactants', 'listOfProducts', 'listOfModifiers', 'kineticLaw'], where);
    const refs = (listName: string): SpeciesReference[] =>
      this.list(r, listName, 'speciesReference', where).map((s) => {
        const species = s.attrs.species ?? this.fail(s, `<speciesReference> without species in ${where}`);
        const sm = this.kids(s, ['stoichiometryMath'], `speciesReference to '${species}' in ${where}`);
        let stoich = this.number(s, 'stoichiometry');
        let id = s.attrs.id;
        let constant = this.level === 3 ? this.bool(s, 'constant', true) : undefined;
        if (sm.length) {
          // SBML L2 stoichiometryMath: a time-varying stoichiometry; L3 writes it as an id plus an assignment rule.
          const math = this.math(sm[0], `stoichiometryMath of species '${species}' in ${where}`);
          if (!math) this.fail(sm[0], `<stoichiometryMath> without <math> in ${where}`);
          id ??= this.fresh(`${rid}_${species}_stoichiometry`);
          constant = false;
          stoich = undefined;
          const loc = locOf(sm[0], this.file);
          extraRules.push({ kind: 'assignment', variable: id, math, ...(loc ? { loc } : {}) });
        }
        if (id) this.usedIds.add(id);
        return {
          species,
          // L3 leaves an unset stoichiometry undefined (set by an initial assignment or rule then); 1 is the L2 default.
          stoichiometry: stoich ?? 1,
          ...(id !== undefined ? { id } : {}),
          ...(constant !== undefined ? { constant } : {}),
        };
      });
    const reactants = refs('listOfReactants');
    const products = refs('listOfProducts');
    const modifiers = this.list(r, 'listOfModifiers', 'modifierSpeciesReference', where).map(
      (s) => s.attrs.species ?? this.fail(s, `<modifierSpeciesReference> without species in ${where}`),
    );
    let kinetics: Kinetics | undefined;
    const localParameters: Parameter[] = [];
    const kl = r.elements.find((k) => k.name === 'kineticLaw');
    if (kl) {
      this.kids(kl, ['math', 'listOfLocalParameters', 'listOfParameters'], `kinetic law of ${where}`);
      for (const p of this.list(kl, 'listOfLocalParameters', 'localParameter', `kinetic law of ${where}`))
        localParameters.push(this.parameter(p, 'local parameter', rid));
      for (const p of this.list(kl, 'listOfParameters', 'parameter', `kinetic law of ${where}`))
        localParameters.push(this.parameter(p, 'local parameter', rid));
      const read = this.math(kl, `kinetic law of ${where}`);
      const renames = exportRenames(kl, localParameters);
      const math = read && renames.size ? substituteMap(read, renames) : read;
      if (math) kinetics = massActionFromAnnotation(kl, math, reactants, products) ?? { kind: 'law', math };
      else this.warn(kl, `kinetic law of ${where} has no <math>: the reaction has no rate`);
    }
    if (r.attrs.fast === 'true' || r.attrs.fast === '1' || markedFast(r))
      this.warn(
        r,
        `${where} is fast="true": it is simulated as an ordinary reaction (no rapid-equilibrium approximation)`,
      );
    return {
      id: rid,
      ...this.base(r),
      reversible: this.bool(r, 'reversible', this.level === 2),
      ...(r.attrs.fast !== undefined
        ? { fast: this.bool(r, 'fast', false) }
        : markedFast(r)
          ? { fast: true }
          : {}),
      ...(r.attrs.compartment !== undefined ? { compartment: r.attrs.compartment } : {}),
      reactants,
      products,
      modifiers,
      ...(kinetics ? { kinetics } : {}),
      localParameters,
    };
  }

  private event(e: XmlElement, index: number): Event | undefined {
    const id = e.attrs.id ?? this.fresh(`event${index + 1}`);
    const where = `event '${id}'`;
    this.kids(e, ['trigger', 'delay', 'priority', 'listOfEventAssignments'], where);
    const trig = e.elements.find((k) => k.name === 'trigger');
    const l2 = this.level === 2;
    let trigger: Event['trigger'];
    if (!trig) {
      if (l2) this.fail(e, `${where} without a <trigger>`);
      this.warn(e, `${where} has no <trigger> and never fires`);
      trigger = { math: { kind: 'num', value: 0 }, initialValue: true, persistent: true };
    } else {
      this.kids(trig, ['math'], `trigger of ${where}`);
      let math = this.math(trig, `trigger of ${where}`);
      if (!math) {
        this.warn(trig, `trigger of ${where} has no <math>: the event never fires`);
        math = { kind: 'num', value: 0 };
      }
      trigger = {
        math,
        initialValue: this.bool(trig, 'initialValue', true),
        persistent: this.bool(trig, 'persistent', true),
      };
    }
    const sub = (name: string): Expr | undefined => {
      const el = e.elements.find((k) => k.name === name);
      if (!el) return undefined;
      this.kids(el, ['math'], `${name} of ${where}`);
      const math = this.math(el, `${name} of ${where}`);
      if (!math) this.warn(el, `${name} of ${where} has no <math> and is ignored`);
      return math;
    };
    const delay = sub('delay');
    const priority = sub('priority');
    const assignments: EventAssignment[] = [];
    for (const a of this.list(e, 'listOfEventAssignments', 'eventAssignment', where)) {
      const variable = a.attrs.variable ?? this.fail(a, `<eventAssignment> without variable in ${where}`);
      this.kids(a, ['math'], `assignment to '${variable}' in ${where}`);
      const math = this.math(a, `assignment to '${variable}' in ${where}`);
      if (!math) {
        this.warn(a, `assignment to '${variable}' in ${where} has no <math> and is ignored`);
        continue;
      }
      const loc = locOf(a, this.file);
      assignments.push({ variable, math, ...(loc ? { loc } : {}) });
    }
    return {
      id,
      ...this.base(e),
      trigger,
      ...(delay ? { delay } : {}),
      ...(priority ? { priority } : {}),
      useValuesFromTriggerTime: this.bool(e, 'useValuesFromTriggerTime', true),
      assignments,
    };
  }
}

/**
 * exoniche's L3V2 export renames a local parameter that shares its id with a species of its reaction (allowed in
 * L3V1, forbidden in L3V2, rule 21173) and records the IR id in an `<exoniche:localParameter id>` annotation.
 * Restores the ids in `params` (in place) and returns the substitution for the rate law.
 */
function exportRenames(kl: XmlElement, params: Parameter[]): Map<string, Expr> {
  const out = new Map<string, Expr>();
  const list = kl.elements.find((k) => k.name === 'listOfLocalParameters');
  for (const el of list?.elements.filter((k) => k.name === 'localParameter') ?? []) {
    const mark = el.elements
      .find((k) => k.name === 'annotation')
      ?.elements.find(
        (k) => localName(k.name) === 'localParameter' && Object.values(k.attrs).includes(EXONICHE_NS),
      );
    const irId = mark?.attrs.id;
    const k = params.findIndex((p) => p.id === el.attrs.id);
    if (irId === undefined || k < 0) continue;
    out.set(params[k].id, { kind: 'sym', name: irId });
    params[k] = { ...params[k], id: irId };
  }
  return out;
}

/** exoniche's L3V2 export marks fast reactions in an annotation (L3V2 removed the attribute). */
function markedFast(r: XmlElement): boolean {
  const ann = r.elements.find((k) => k.name === 'annotation');
  return !!ann?.elements.some(
    (k) =>
      localName(k.name) === 'reaction' &&
      Object.values(k.attrs).includes(EXONICHE_NS) &&
      k.attrs.fast === 'true',
  );
}

/**
 * SBML Level 2 predefines the unit ids substance (mole), volume (litre), area (square metre), length (metre)
 * and time (second); Level 3 does not. Definitions are added for those a Level 2 model uses without
 * redefining, so that the IR (and an L3 export) is self-contained.
 */
function addLevel2BuiltinUnits(
  defs: UnitDefinition[],
  compartments: readonly Compartment[],
  species: readonly Species[],
  parameters: readonly Parameter[],
  reactions: readonly Reaction[],
): void {
  const builtin: Record<string, UnitTerm> = {
    substance: { kind: 'mole', exponent: 1, scale: 0, multiplier: 1 },
    volume: { kind: 'litre', exponent: 1, scale: 0, multiplier: 1 },
    area: { kind: 'metre', exponent: 2, scale: 0, multiplier: 1 },
    length: { kind: 'metre', exponent: 1, scale: 0, multiplier: 1 },
    time: { kind: 'second', exponent: 1, scale: 0, multiplier: 1 },
  };
  const used = new Set<string>();
  for (const c of compartments) if (c.units) used.add(c.units);
  for (const s of species) if (s.substanceUnits) used.add(s.substanceUnits);
  for (const p of [...parameters, ...reactions.flatMap((r) => r.localParameters)])
    if (p.units) used.add(p.units);
  for (const [id, term] of Object.entries(builtin))
    if (used.has(id) && !defs.some((d) => d.id === id)) defs.push({ id, terms: [term] });
}

/**
 * exoniche writes mass-action kinetics as an explicit formula plus an annotation; reading the annotation back
 * recovers the shorthand from the formula's known shape (forward [* reactant factors] [- reverse [* product
 * factors]]). Anything else is read as the formula it is.
 */
function massActionFromAnnotation(
  kl: XmlElement,
  math: Expr,
  reactants: readonly SpeciesReference[],
  products: readonly SpeciesReference[],
): Kinetics | undefined {
  const ann = kl.elements.find((k) => k.name === 'annotation');
  const mark = ann?.elements.find(
    (k) => localName(k.name) === 'massAction' && Object.values(k.attrs).includes(EXONICHE_NS),
  );
  if (!mark) return undefined;
  const reversible = mark.attrs.reversible === 'true';
  const strip = (e: Expr, refs: readonly SpeciesReference[]): Expr | undefined => {
    if (refs.length === 0) return e;
    if (e.kind !== 'call' || e.op !== 'times' || e.args.length !== refs.length + 1) return undefined;
    return e.args[0];
  };
  if (!reversible) {
    const forward = strip(math, reactants);
    return forward ? { kind: 'massAction', forward } : undefined;
  }
  if (math.kind !== 'call' || math.op !== 'minus' || math.args.length !== 2) return undefined;
  const forward = strip(math.args[0], reactants);
  const reverse = strip(math.args[1], products);
  return forward && reverse ? { kind: 'massAction', forward, reverse } : undefined;
}

/** MIRIAM resources of an annotation: isDescribedBy as plain URIs, other qualifiers as "prefix:qualifier URI". */
function readMiriam(ann: XmlElement): string[] {
  const refs: string[] = [];
  const ns = new Map<string, string>();
  const collectNs = (e: XmlElement): void => {
    for (const [k, v] of Object.entries(e.attrs)) if (k.startsWith('xmlns:')) ns.set(k.slice(6), v);
  };
  collectNs(ann);
  for (const rdf of ann.elements.filter((k) => localName(k.name) === 'RDF')) {
    collectNs(rdf);
    for (const desc of rdf.elements.filter((k) => localName(k.name) === 'Description')) {
      collectNs(desc);
      for (const q of desc.elements) {
        collectNs(q);
        const uri = ns.get(prefixOf(q.name));
        const tag = uri === BQBIOL ? 'bqbiol' : uri === BQMODEL ? 'bqmodel' : undefined;
        if (!tag) continue;
        const qualifier = localName(q.name);
        for (const bag of q.elements)
          for (const li of bag.elements) {
            const res = Object.entries(li.attrs).find(([k]) => localName(k) === 'resource')?.[1];
            if (res === undefined) continue;
            refs.push(qualifier === 'isDescribedBy' ? res : `${tag}:${qualifier} ${res}`);
          }
      }
    }
  }
  return refs;
}

const BLOCKS = new Set([
  'p',
  'div',
  'pre',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'li',
  'ul',
  'ol',
  'tr',
  'table',
  'dt',
  'dd',
  'dl',
  'br',
  'blockquote',
  'body',
  'html',
  'head',
  'title',
]);

/** Notes as plain text (block elements become lines; `<pre>` verbatim) and the exoniche provenance block. */
export function readNotes(notes: XmlElement): {
  text: string;
  kb?: string;
  citation?: string;
  evidence?: string;
} {
  const prov: Record<string, string> = {};
  // Flowing text (lines trimmed, empty lines dropped) alternates with <pre> blocks (kept as written).
  const segments: { pre: boolean; text: string }[] = [{ pre: false, text: '' }];
  const cur = () => segments[segments.length - 1];
  const walk = (e: XmlElement | string, pre: boolean): void => {
    if (typeof e === 'string') {
      cur().text += pre ? e : e.replace(/\s+/g, ' ');
      return;
    }
    const n = localName(e.name);
    if (n === 'dl' && e.attrs.class === PROVENANCE_CLASS) {
      let key = '';
      for (const k of e.elements) {
        if (localName(k.name) === 'dt') key = textContent(k).trim();
        else if (localName(k.name) === 'dd' && key) prov[key] = textContent(k);
      }
      return;
    }
    const block = BLOCKS.has(n);
    if (n === 'pre' && !pre) {
      segments.push({ pre: true, text: '' });
      for (const c of e.content) walk(c, true);
      segments.push({ pre: false, text: '' });
      return;
    }
    if (block && !pre) cur().text += '\n';
    for (const c of e.content) walk(c, pre);
    if (block && !pre) cur().text += '\n';
  };
  for (const c of notes.content) walk(c, false);
  const lines: string[] = [];
  for (const seg of segments) {
    if (seg.pre) lines.push(seg.text);
    else
      for (const l of seg.text.split('\n')) {
        const t = l.replace(/ {2,}/g, ' ').trim();
        if (t) lines.push(t);
      }
  }
  return {
    text: lines.join('\n'),
    ...(prov.kb !== undefined ? { kb: prov.kb } : {}),
    ...(prov.citation !== undefined ? { citation: prov.citation } : {}),
    ...(prov.evidence !== undefined ? { evidence: prov.evidence } : {}),
  };
}
