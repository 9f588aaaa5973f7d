/**
 * SBML Level 3 Hierarchical Model Composition (comp, version 1): flattening into one core model.
 *
 * Follows the comp specification (Smith, Hucka, Hoops et al. 2015, J Integr Bioinform 12:268) the way
 * libSBML's flattening converter names things: every element of submodel `A` gets the id `A__id` (nested:
 * `A__B__id`); a `replacedElement` removes the submodel's element and points its references at the
 * replacing element; a `replacedBy` removes the parent's element and gives its id to the submodel's; `deletion`s remove elements (with the rules, initial assignments and event assignments that
 * target them); ports are resolved to the elements they name. Conversion factors are applied as the spec
 * defines them: a replacedElement's `conversionFactor` f makes the submodel's references read
 * `replacement / f` and its assignments write `value * f`; a submodel's `extentConversionFactor` multiplies
 * its reaction rates; a `timeConversionFactor` f rescales the submodel's time (see `scaleTime`).
 *
 * Refused with an error naming the element: references by `metaIdRef` or `unitRef` (not yet),
 * cycles of model definitions.
 */

import type { Event, Model, Reaction, Rule } from '../../models/ir.js';
import type { Expr } from '../../numerics/expr/ast.js';
import { prefixFor, SbmlError } from './mathml-read.js';
import { localName, prefixOf, type XmlElement } from './xml.js';

/** A reference to an element of a submodel: a chain of idRef/portRef through nested submodels. */
interface SRef {
  readonly idRef?: string;
  readonly portRef?: string;
  readonly deletion?: string;
  readonly metaIdRef?: string;
  readonly child?: SRef;
  readonly el: XmlElement;
}

interface Replacement {
  readonly kind: 'replacedElement' | 'replacedBy';
  /** Id of the parent element carrying the replacement (undefined for rules and other elements without id). */
  readonly target?: string;
  readonly submodel: string;
  readonly ref: SRef;
  readonly conversionFactor?: string;
  readonly el: XmlElement;
}

interface SubmodelDecl {
  readonly id: string;
  readonly modelRef: string;
  readonly deletions: readonly SRef[];
  readonly extentConversionFactor?: string;
  readonly timeConversionFactor?: string;
  readonly el: XmlElement;
}

/** A flattened model definition, with what references into it need. */
interface Flat {
  readonly model: Model;
  /** Port id -> the element it exposes (flattened local ids). */
  readonly ports: ReadonlyMap<string, Target>;
  /** Submodel id -> its flattened definition (for nested references). */
  readonly subs: ReadonlyMap<string, Flat>;
  /** metaid -> the element it marks (ids in this flattened model's namespace). */
  readonly metaids: ReadonlyMap<string, Target>;
  /** Pre-replacement id -> the id of the element that stands for it after flattening. */
  readonly final: (id: string) => string;
}

export interface CompSources {
  /** The `comp` namespace prefix used in the document. */
  readonly prefix: string;
  readonly file?: string;
  /** Reads a core model element (model or modelDefinition) into the IR. */
  readModel(el: XmlElement): Model;
  /** Model definitions of this document by id. */
  readonly definitions: ReadonlyMap<string, XmlElement>;
  /** External model definitions: id -> resolver of the model element (and the comp prefix of its document). */
  readonly external: ReadonlyMap<string, () => { el: XmlElement; sources: CompSources }>;
}

const SEP = '__';

/** Flattens a model element with comp content into a core model. */
export function flattenComp(modelEl: XmlElement, src: CompSources): Model {
  return new Flattener().flatten(modelEl, src, []).model;
}

class Flattener {
  private fail(e: XmlElement, src: CompSources, msg: string): never {
    throw new SbmlError(`${prefixFor(e, src.file)}: ${msg}`);
  }

  private attr(e: XmlElement, src: CompSources, name: string): string | undefined {
    return e.attrs[`${src.prefix}:${name}`] ?? e.attrs[name];
  }

  private compKids(e: XmlElement, src: CompSources, name: string): XmlElement[] {
    return e.elements.filter((k) => prefixOf(k.name) === src.prefix && localName(k.name) === name);
  }

  private sref(e: XmlElement, src: CompSources): SRef {
    if (this.attr(e, src, 'unitRef') !== undefined)
      this.fail(e, src, `<${e.name}> with comp:unitRef (replacement of unit definitions) is not supported`);
    const child = this.compKids(e, src, 'sBaseRef')[0];
    const idRef = this.attr(e, src, 'idRef');
    const portRef = this.attr(e, src, 'portRef');
    const deletion = this.attr(e, src, 'deletion');
    const metaIdRef = this.attr(e, src, 'metaIdRef');
    return {
      el: e,
      ...(idRef !== undefined ? { idRef } : {}),
      ...(portRef !== undefined ? { portRef } : {}),
      ...(deletion !== undefined ? { deletion } : {}),
      ...(metaIdRef !== undefined ? { metaIdRef } : {}),
      ...(child ? { child: this.sref(child, src) } : {}),
    };
  }

  /** Resolves a reference (by id, port or metaid) into flattened definition `f`. */
  private target(f: Flat, ref: SRef, src: CompSources): Target {
    if (ref.metaIdRef !== undefined && !ref.child) {
      const t = f.metaids.get(ref.metaIdRef);
      if (!t) this.fail(ref.el, src, `unknown metaid '${ref.metaIdRef}' (comp:metaIdRef)`);
      return t;
    }
    if (ref.portRef !== undefined && !ref.child) {
      const p = f.ports.get(ref.portRef);
      if (p === undefined) this.fail(ref.el, src, `unknown port '${ref.portRef}'`);
      return p;
    }
    if (ref.child && ref.metaIdRef !== undefined)
      this.fail(
        ref.el,
        src,
        `<${ref.el.name}> with comp:metaIdRef and a nested <comp:sBaseRef> is not supported`,
      );
    if (ref.child && ref.idRef !== undefined) {
      const sub = f.subs.get(ref.idRef);
      if (!sub) this.fail(ref.child.el, src, `'${ref.idRef}' is not a submodel`);
      return mapTarget(this.target(sub, ref.child, src), (id) => f.final(`${ref.idRef}${SEP}${id}`));
    }
    return { kind: 'id', id: this.resolve(f, ref, src) };
  }

  /** Resolves a reference into flattened definition `f` to the local id of the element there. */
  private resolve(f: Flat, ref: SRef, src: CompSources): string {
    let id: string;
    if (ref.portRef !== undefined) {
      const p = f.ports.get(ref.portRef);
      if (p === undefined) this.fail(ref.el, src, `unknown port '${ref.portRef}'`);
      if (p.kind !== 'id') this.fail(ref.el, src, `port '${ref.portRef}' names an element without id here`);
      id = p.id;
    } else if (ref.idRef !== undefined) id = ref.idRef;
    else this.fail(ref.el, src, `<${ref.el.name}> without idRef or portRef`);
    if (ref.child) {
      const sub = f.subs.get(id);
      if (!sub) this.fail(ref.child.el, src, `'${id}' is not a submodel`);
      return f.final(`${id}${SEP}${this.resolve(sub, ref.child, src)}`);
    }
    return f.final(id);
  }

  flatten(modelEl: XmlElement, src: CompSources, stack: readonly string[]): Flat {
    const parent = src.readModel(modelEl);
    const P = src.prefix;
    // comp content of this model: submodels, ports, replacements on its elements.
    const submodels: SubmodelDecl[] = [];
    for (const list of this.compKids(modelEl, src, 'listOfSubmodels'))
      for (const s of list.elements) {
        if (s.name !== `${P}:submodel`) this.fail(s, src, `<${s.name}> in <${list.name}> is not supported`);
        const id = this.attr(s, src, 'id') ?? this.fail(s, src, '<comp:submodel> without id');
        const modelRef =
          this.attr(s, src, 'modelRef') ?? this.fail(s, src, `<comp:submodel> '${id}' without modelRef`);
        const tcf = this.attr(s, src, 'timeConversionFactor');
        const ecf = this.attr(s, src, 'extentConversionFactor');
        const deletions: SRef[] = [];
        for (const dl of s.elements) {
          if (dl.name !== `${P}:listOfDeletions`) {
            if (dl.name === 'notes' || dl.name === 'annotation') continue;
            this.fail(dl, src, `<${dl.name}> in <comp:submodel> is not supported`);
          }
          for (const d of dl.elements) deletions.push(this.sref(d, src));
        }
        submodels.push({
          id,
          modelRef,
          deletions,
          ...(ecf !== undefined ? { extentConversionFactor: ecf } : {}),
          ...(tcf !== undefined ? { timeConversionFactor: tcf } : {}),
          el: s,
        });
      }
    const replacements: Replacement[] = [];
    const walk = (e: XmlElement): void => {
      for (const k of e.elements) {
        if (prefixOf(k.name) === P) {
          const ln = localName(k.name);
          const target = e.attrs.id ?? this.attr(e, src, 'id');
          if (ln === 'listOfReplacedElements' || ln === 'replacedBy') {
            const items = ln === 'replacedBy' ? [k] : k.elements;
            for (const r of items) {
              const submodel =
                this.attr(r, src, 'submodelRef') ?? this.fail(r, src, `<${r.name}> without submodelRef`);
              const cf = this.attr(r, src, 'conversionFactor');
              if (cf !== undefined && ln === 'replacedBy')
                this.fail(r, src, '<comp:replacedBy> with a conversion factor is not supported');
              replacements.push({
                kind: ln === 'replacedBy' ? 'replacedBy' : 'replacedElement',
                ...(target !== undefined ? { target } : {}),
                submodel,
                ref: this.sref(r, src),
                ...(cf !== undefined ? { conversionFactor: cf } : {}),
                el: r,
              });
            }
          }
          continue;
        }
        walk(k);
      }
    };
    walk(modelEl);

    // Flatten and instantiate every submodel.
    const subs = new Map<string, Flat>();
    const instances: Model[] = [];
    const instanceIndex = new Map<string, number>();
    const rename = new Map<string, string>();
    const removed = new Set<string>();
    const replaced = new Set<string>();
    /** Submodel-local ids replaced with a conversion factor: flattened id -> [replacement id, factor id]. */
    const converted = new Map<string, [string, string]>();
    for (const s of submodels) {
      if (stack.includes(s.modelRef))
        this.fail(s.el, src, `model definitions form a cycle: ${[...stack, s.modelRef].join(' -> ')}`);
      let flat: Flat;
      const def = src.definitions.get(s.modelRef);
      if (def) flat = this.flatten(def, src, [...stack, s.modelRef]);
      else {
        const ext = src.external.get(s.modelRef);
        if (!ext) this.fail(s.el, src, `<comp:submodel> '${s.id}': unknown model '${s.modelRef}'`);
        const { el, sources } = ext();
        flat = this.flatten(el, sources, [...stack, s.modelRef]);
      }
      subs.set(s.id, flat);
      const pre = `${s.id}${SEP}`;
      // Local-parameter deletions come first: the kinetic law's symbol then names the global, which gets prefixed.
      const dels = s.deletions.map((d) => this.target(flat, d, src));
      let base = flat.model;
      for (const t of dels) if (t.kind === 'localParameter') base = deleteTarget(base, t);
      let inst = prefixModel(base, pre);
      // A replaced reaction's reads take only the replacement's conversion (SBML Test Suite 01182, 01183).
      const replacedHere = new Set(
        replacements
          .filter((r) => r.submodel === s.id && r.ref.deletion === undefined)
          .map((r) => this.target(flat, r.ref, src))
          .flatMap((t) => (t.kind === 'id' ? [pre + t.id] : [])),
      );
      const ecf = s.extentConversionFactor;
      const tcf = s.timeConversionFactor;
      if (ecf !== undefined) inst = scaleRates(rescaleReactionReads(inst, ecf, 'divide', replacedHere), ecf);
      if (tcf !== undefined) inst = scaleTime(rescaleReactionReads(inst, tcf, 'times', replacedHere), tcf);
      for (const d0 of dels) {
        if (d0.kind === 'localParameter') continue;
        const t = mapTarget(d0, (id) => pre + id);
        if (t.kind === 'id') removed.add(t.id);
        else inst = deleteTarget(inst, t);
      }
      instanceIndex.set(s.id, instances.length);
      instances.push(inst);
    }
    for (const r of replacements) {
      const flat = subs.get(r.submodel);
      const k = instanceIndex.get(r.submodel);
      if (!flat) this.fail(r.el, src, `unknown submodel '${r.submodel}'`);
      if (r.ref.deletion !== undefined) continue; // replaces something already deleted
      const t = mapTarget(this.target(flat, r.ref, src), (id) => `${r.submodel}${SEP}${id}`);
      if (t.kind === 'localParameter' && r.target !== undefined && r.kind === 'replacedElement') {
        // A local parameter replaced by a global: the kinetic law now reads the global.
        if (k !== undefined) instances[k] = replaceLocal(instances[k], t.reaction, t.id, r.target);
        continue;
      }
      if (t.kind !== 'id') {
        // A rule, assignment, delay... replaced by the parent's: the submodel's one goes.
        if (r.kind === 'replacedBy')
          this.fail(r.el, src, '<comp:replacedBy> pointing at an element without id is not supported');
        if (k !== undefined) instances[k] = deleteTarget(instances[k], t);
        continue;
      }
      const x = t.id;
      if (r.target === undefined)
        this.fail(r.el, src, `<${r.el.name}> on an element without id replacing '${x}' is not supported`);
      if (r.kind === 'replacedElement') {
        replaced.add(x);
        rename.set(x, r.target);
        if (r.conversionFactor !== undefined) converted.set(x, [r.target, r.conversionFactor]);
      } else {
        // The submodel's element survives under the parent's id (which outside references and outputs use).
        replaced.add(r.target);
        rename.set(x, r.target);
      }
    }
    // Conversion factors: rewrite the submodel's use of the replaced element before renaming.
    const instances2 = converted.size ? instances.map((m) => applyConversion(m, converted)) : instances;
    const final = (id: string): string => {
      const seen = new Set<string>();
      let cur = id;
      while (rename.has(cur) && !seen.has(cur)) {
        seen.add(cur);
        cur = rename.get(cur)!;
      }
      return cur;
    };
    // Elements to remove are looked up by their pre-rename ids, so remove first, then rename.
    let merged = mergeModels(parent, instances2);
    merged = removeElements(merged, removed, true);
    merged = removeElements(merged, replaced, false);
    merged = renameModel(merged, final, (u) => u);

    const ports = new Map<string, Target>();
    for (const list of this.compKids(modelEl, src, 'listOfPorts'))
      for (const p of list.elements) {
        const pid = this.attr(p, src, 'id') ?? this.fail(p, src, '<comp:port> without id');
        const ref = this.sref(p, src);
        const here = new Map([...metaidTargets(modelEl)].map(([k, t]) => [k, mapTarget(t, final)]));
        ports.set(
          pid,
          this.target({ model: merged, ports: new Map(), subs, final, metaids: here }, ref, src),
        );
      }
    const metaids = new Map<string, Target>();
    for (const [k, t] of metaidTargets(modelEl)) metaids.set(k, mapTarget(t, final));
    for (const [sid, f] of subs)
      for (const [k, t] of f.metaids)
        if (!metaids.has(k))
          metaids.set(
            k,
            mapTarget(t, (id) => final(`${sid}${SEP}${id}`)),
          );
    return { model: merged, ports, subs, final, metaids };
  }
}

// ---------------------------------------------------------------------------------------------------------
// IR transformations

type Fn = (id: string) => string;

function renameExpr(e: Expr, f: Fn, bound?: ReadonlySet<string>): Expr {
  switch (e.kind) {
    case 'sym':
      return bound?.has(e.name) ? e : { ...e, name: f(e.name) };
    case 'call':
      return { ...e, args: e.args.map((a) => renameExpr(a, f, bound)) };
    case 'apply':
      return { ...e, fn: f(e.fn), args: e.args.map((a) => renameExpr(a, f, bound)) };
    case 'piecewise':
      return {
        ...e,
        pieces: e.pieces.map((p) => ({
          value: renameExpr(p.value, f, bound),
          condition: renameExpr(p.condition, f, bound),
        })),
        ...(e.otherwise ? { otherwise: renameExpr(e.otherwise, f, bound) } : {}),
      };
    default:
      return e;
  }
}

/** Renames every id and id reference (`f`) and unit reference (`u`) in a model. */
export function renameModel(m: Model, f: Fn, u: Fn): Model {
  const ex = (e: Expr): Expr => renameExpr(e, f);
  const un = <T extends { units?: string }>(x: T): T =>
    x.units !== undefined ? { ...x, units: u(x.units) } : x;
  const unitsInExpr = (e: Expr): Expr =>
    mapNums(e, (n) => (n.units !== undefined ? { ...n, units: u(n.units) } : n));
  const full = (e: Expr): Expr => unitsInExpr(ex(e));
  return {
    ...m,
    ...(m.conversionFactor !== undefined ? { conversionFactor: f(m.conversionFactor) } : {}),
    unitDefinitions: m.unitDefinitions.map((d) => ({ ...d, id: u(d.id) })),
    functions: m.functions.map((fd) => ({
      ...fd,
      id: f(fd.id),
      body: unitsInExpr(renameExpr(fd.body, f, new Set(fd.args))),
    })),
    compartments: m.compartments.map((c) => un({ ...c, id: f(c.id) })),
    species: m.species.map((s) => ({
      ...s,
      id: f(s.id),
      compartment: f(s.compartment),
      ...(s.substanceUnits !== undefined ? { substanceUnits: u(s.substanceUnits) } : {}),
      ...(s.conversionFactor !== undefined ? { conversionFactor: f(s.conversionFactor) } : {}),
    })),
    parameters: m.parameters.map((p) => un({ ...p, id: f(p.id) })),
    initialAssignments: m.initialAssignments.map((a) => ({ ...a, symbol: f(a.symbol), math: full(a.math) })),
    rules: m.rules.map(
      (r): Rule =>
        r.kind === 'algebraic'
          ? { ...r, math: full(r.math) }
          : { ...r, variable: f(r.variable), math: full(r.math) },
    ),
    reactions: m.reactions.map((r): Reaction => {
      const locals = new Set(r.localParameters.map((p) => p.id));
      const kx = (e: Expr): Expr => unitsInExpr(renameExpr(e, f, locals));
      const k = r.kinetics;
      return {
        ...r,
        id: f(r.id),
        ...(r.compartment !== undefined ? { compartment: f(r.compartment) } : {}),
        reactants: r.reactants.map((s) => ({
          ...s,
          species: f(s.species),
          ...(s.id !== undefined ? { id: f(s.id) } : {}),
        })),
        products: r.products.map((s) => ({
          ...s,
          species: f(s.species),
          ...(s.id !== undefined ? { id: f(s.id) } : {}),
        })),
        modifiers: r.modifiers.map(f),
        ...(k
          ? {
              kinetics:
                k.kind === 'law'
                  ? { kind: 'law', math: kx(k.math) }
                  : {
                      kind: 'massAction',
                      forward: kx(k.forward),
                      ...(k.reverse ? { reverse: kx(k.reverse) } : {}),
                    },
            }
          : {}),
        localParameters: r.localParameters.map((p) => un(p)),
      };
    }),
    events: m.events.map(
      (e): Event => ({
        ...e,
        id: f(e.id),
        trigger: { ...e.trigger, math: full(e.trigger.math) },
        ...(e.delay ? { delay: full(e.delay) } : {}),
        ...(e.priority ? { priority: full(e.priority) } : {}),
        assignments: e.assignments.map((a) => ({ ...a, variable: f(a.variable), math: full(a.math) })),
      }),
    ),
  };
}

function mapNums(e: Expr, g: (n: Extract<Expr, { kind: 'num' }>) => Expr): Expr {
  switch (e.kind) {
    case 'num':
      return g(e);
    case 'call':
      return { ...e, args: e.args.map((a) => mapNums(a, g)) };
    case 'apply':
      return { ...e, args: e.args.map((a) => mapNums(a, g)) };
    case 'piecewise':
      return {
        ...e,
        pieces: e.pieces.map((p) => ({ value: mapNums(p.value, g), condition: mapNums(p.condition, g) })),
        ...(e.otherwise ? { otherwise: mapNums(e.otherwise, g) } : {}),
      };
    default:
      return e;
  }
}

/** The ids a model defines (global namespace). */
function definedIds(m: Model): Set<string> {
  const ids = new Set<string>();
  for (const x of [
    ...m.functions,
    ...m.compartments,
    ...m.species,
    ...m.parameters,
    ...m.reactions,
    ...m.events,
  ])
    ids.add(x.id);
  for (const r of m.reactions)
    for (const s of [...r.reactants, ...r.products]) if (s.id !== undefined) ids.add(s.id);
  return ids;
}

/** Prefixes every id the model defines (and its unit definitions); species inherit the model's conversionFactor. */
function prefixModel(m: Model, pre: string): Model {
  const ids = definedIds(m);
  const units = new Set(m.unitDefinitions.map((d) => d.id));
  const withCf: Model =
    m.conversionFactor !== undefined
      ? {
          ...m,
          species: m.species.map((s) =>
            s.conversionFactor !== undefined ? s : { ...s, conversionFactor: m.conversionFactor },
          ),
        }
      : m;
  return renameModel(
    withCf,
    (id) => (ids.has(id) ? pre + id : id),
    (u) => (units.has(u) ? pre + u : u),
  );
}

/** Multiplies every reaction rate by an extent conversion factor (a parent parameter id). */
function scaleRates(m: Model, factor: string): Model {
  const times = (e: Expr): Expr => ({ kind: 'call', op: 'times', args: [e, { kind: 'sym', name: factor }] });
  return {
    ...m,
    reactions: m.reactions.map((r) => {
      const k = r.kinetics;
      if (!k) return r;
      return {
        ...r,
        kinetics:
          k.kind === 'law'
            ? { kind: 'law', math: times(k.math) }
            : {
                kind: 'massAction',
                forward: times(k.forward),
                ...(k.reverse ? { reverse: times(k.reverse) } : {}),
              },
      };
    }),
  };
}

/**
 * timeConversionFactor f (comp spec section 3.5.1): submodel time is parent time / f. In the submodel's
 * formulas `time` becomes time / f, delays (csymbol delay, event delays) are multiplied by f, rateOf is
 * multiplied by f, and rates (kinetic laws, rate rules) are divided by f.
 */
function scaleTime(m: Model, factor: string): Model {
  const f: Expr = { kind: 'sym', name: factor };
  const c = (op: 'times' | 'divide', ...args: Expr[]): Expr => ({ kind: 'call', op, args });
  const tx = (e: Expr): Expr => {
    switch (e.kind) {
      case 'time':
        return c('divide', e, f);
      case 'call':
        if (e.op === 'delay') return { ...e, args: [tx(e.args[0]), c('times', tx(e.args[1]), f)] };
        if (e.op === 'rateOf') return c('times', e, f);
        return { ...e, args: e.args.map(tx) };
      case 'apply':
        return { ...e, args: e.args.map(tx) };
      case 'piecewise':
        return {
          ...e,
          pieces: e.pieces.map((p) => ({ value: tx(p.value), condition: tx(p.condition) })),
          ...(e.otherwise ? { otherwise: tx(e.otherwise) } : {}),
        };
      default:
        return e;
    }
  };
  const rate = (e: Expr): Expr => c('divide', tx(e), f);
  return {
    ...m,
    functions: m.functions.map((fd) => ({ ...fd, body: tx(fd.body) })),
    initialAssignments: m.initialAssignments.map((a) => ({ ...a, math: tx(a.math) })),
    rules: m.rules.map(
      (r): Rule => (r.kind === 'rate' ? { ...r, math: rate(r.math) } : { ...r, math: tx(r.math) }),
    ),
    reactions: m.reactions.map((r) => {
      const k = r.kinetics;
      if (!k) return r;
      return {
        ...r,
        kinetics:
          k.kind === 'law'
            ? { kind: 'law', math: rate(k.math) }
            : {
                kind: 'massAction',
                forward: rate(k.forward),
                ...(k.reverse ? { reverse: rate(k.reverse) } : {}),
              },
      };
    }),
    events: m.events.map((e) => ({
      ...e,
      trigger: { ...e.trigger, math: tx(e.trigger.math) },
      ...(e.delay ? { delay: c('times', tx(e.delay), f) } : {}),
      ...(e.priority ? { priority: tx(e.priority) } : {}),
      assignments: e.assignments.map((a) => ({ ...a, math: tx(a.math) })),
    })),
  };
}

/**
 * replacedElement conversionFactor (comp spec section 3.6.2): replacement = factor * replaced, so the
 * submodel's references to the replaced element read replacement / factor, and its rules, initial
 * assignments and event assignments to it write value * factor.
 */
function applyConversion(m: Model, conv: ReadonlyMap<string, [string, string]>): Model {
  const factors = new Map([...conv].map(([id, [, factor]]) => [id, factor] as const));
  const write = (target: string, e: Expr): Expr => {
    const f = factors.get(target);
    return f ? { kind: 'call', op: 'times', args: [e, { kind: 'sym', name: f }] } : e;
  };
  return rewriteMath(m, rescaleReads(factors, 'divide'), write);
}

/** Reads of the ids in `factors` become `id op factor`. */
function rescaleReads(factors: ReadonlyMap<string, string>, op: 'times' | 'divide'): (e: Expr) => Expr {
  const read = (e: Expr): Expr => {
    switch (e.kind) {
      case 'sym': {
        const f = factors.get(e.name);
        return f ? { kind: 'call', op, args: [e, { kind: 'sym', name: f }] } : e;
      }
      case 'call':
        return { ...e, args: e.args.map(read) };
      case 'apply':
        return { ...e, args: e.args.map(read) };
      case 'piecewise':
        return {
          ...e,
          pieces: e.pieces.map((p) => ({ value: read(p.value), condition: read(p.condition) })),
          ...(e.otherwise ? { otherwise: read(e.otherwise) } : {}),
        };
      default:
        return e;
    }
  };
  return read;
}

/**
 * A submodel's reaction ids, read in its math, are rates in its own extent and time units: with an extent
 * conversion factor the flattened rate is `factor` times larger (so a read becomes id / factor), with a
 * time conversion factor it is `factor` times smaller (id * factor).
 */
function rescaleReactionReads(
  m: Model,
  factor: string,
  op: 'times' | 'divide',
  except: ReadonlySet<string>,
): Model {
  const factors = new Map(m.reactions.filter((r) => !except.has(r.id)).map((r) => [r.id, factor] as const));
  return rewriteMath(m, rescaleReads(factors, op), (_, e) => e);
}

/** Applies `read` to every formula of the model and `write` to the value assigned to each target. */
function rewriteMath(m: Model, read: (e: Expr) => Expr, write: (target: string, e: Expr) => Expr): Model {
  return {
    ...m,
    initialAssignments: m.initialAssignments.map((a) => ({ ...a, math: write(a.symbol, read(a.math)) })),
    rules: m.rules.map(
      (r): Rule =>
        r.kind === 'algebraic'
          ? { ...r, math: read(r.math) }
          : { ...r, math: write(r.variable, read(r.math)) },
    ),
    reactions: m.reactions.map((r) => {
      const k = r.kinetics;
      if (!k) return r;
      return {
        ...r,
        kinetics:
          k.kind === 'law'
            ? { kind: 'law', math: read(k.math) }
            : {
                kind: 'massAction',
                forward: read(k.forward),
                ...(k.reverse ? { reverse: read(k.reverse) } : {}),
              },
      };
    }),
    events: m.events.map((e) => ({
      ...e,
      trigger: { ...e.trigger, math: read(e.trigger.math) },
      ...(e.delay ? { delay: read(e.delay) } : {}),
      ...(e.priority ? { priority: read(e.priority) } : {}),
      assignments: e.assignments.map((a) => ({ ...a, math: write(a.variable, read(a.math)) })),
    })),
  };
}

function mergeModels(parent: Model, instances: readonly Model[]): Model {
  const all = [parent, ...instances];
  return {
    ...parent,
    unitDefinitions: all.flatMap((m) => m.unitDefinitions),
    functions: all.flatMap((m) => m.functions),
    compartments: all.flatMap((m) => m.compartments),
    species: all.flatMap((m) => m.species),
    parameters: all.flatMap((m) => m.parameters),
    initialAssignments: all.flatMap((m) => m.initialAssignments),
    rules: all.flatMap((m) => m.rules),
    reactions: all.flatMap((m) => m.reactions),
    events: all.flatMap((m) => m.events),
  };
}

/**
 * Removes elements by id; for deletions (`dependents`) also the rules, initial assignments and event
 * assignments that target them (for replacements those now target the replacement).
 */
function removeElements(m: Model, ids: ReadonlySet<string>, dependents: boolean): Model {
  if (ids.size === 0) return m;
  const gone = (id: string): boolean => dependents && ids.has(id);
  const keep = <T extends { id: string }>(xs: readonly T[]): T[] => xs.filter((x) => !ids.has(x.id));
  return {
    ...m,
    unitDefinitions: keep(m.unitDefinitions),
    functions: keep(m.functions),
    compartments: keep(m.compartments),
    species: keep(m.species),
    parameters: keep(m.parameters),
    initialAssignments: m.initialAssignments.filter((a) => !gone(a.symbol)),
    rules: m.rules.filter((r) => r.kind === 'algebraic' || !gone(r.variable)),
    reactions: keep(m.reactions).map((r) => ({
      ...r,
      localParameters: r.localParameters.filter((p) => !ids.has(`${r.id}.${p.id}`)),
      reactants: r.reactants.map((s) => (s.id !== undefined && ids.has(s.id) ? dropId(s) : s)),
      products: r.products.map((s) => (s.id !== undefined && ids.has(s.id) ? dropId(s) : s)),
    })),
    events: keep(m.events).map((e) => ({
      ...e,
      assignments: e.assignments.filter((a) => !gone(a.variable)),
    })),
  };
}

function dropId<T extends { id?: string }>(s: T): T {
  const { id: _, ...rest } = s;
  return rest as T;
}

/** What a metaid (or id) marks: an element with an id, or a piece of a model that has none. */
type Target =
  | { readonly kind: 'id'; readonly id: string }
  | { readonly kind: 'rule'; readonly variable: string }
  | { readonly kind: 'initialAssignment'; readonly symbol: string }
  | { readonly kind: 'eventAssignment'; readonly event: string; readonly variable: string }
  | { readonly kind: 'delay' | 'priority'; readonly event: string }
  | { readonly kind: 'localParameter'; readonly reaction: string; readonly id: string };

function mapTarget(t: Target, f: Fn): Target {
  switch (t.kind) {
    case 'id':
      return { kind: 'id', id: f(t.id) };
    case 'rule':
      return { kind: 'rule', variable: f(t.variable) };
    case 'initialAssignment':
      return { kind: 'initialAssignment', symbol: f(t.symbol) };
    case 'eventAssignment':
      return { kind: 'eventAssignment', event: f(t.event), variable: f(t.variable) };
    case 'localParameter':
      return { kind: 'localParameter', reaction: f(t.reaction), id: t.id };
    default:
      return { kind: t.kind, event: f(t.event) };
  }
}

/** metaids of a model element's descendants, as targets (ids unprefixed). */
function metaidTargets(modelEl: XmlElement): Map<string, Target> {
  const out = new Map<string, Target>();
  const visit = (e: XmlElement, event?: string, reaction?: string): void => {
    const meta = e.attrs.metaid;
    const ln = localName(e.name);
    if (meta !== undefined) {
      let t: Target | undefined;
      if ((ln === 'assignmentRule' || ln === 'rateRule') && e.attrs.variable)
        t = { kind: 'rule', variable: e.attrs.variable };
      else if (ln === 'initialAssignment' && e.attrs.symbol)
        t = { kind: 'initialAssignment', symbol: e.attrs.symbol };
      else if (ln === 'eventAssignment' && event && e.attrs.variable)
        t = { kind: 'eventAssignment', event, variable: e.attrs.variable };
      else if ((ln === 'delay' || ln === 'priority') && event) t = { kind: ln, event };
      else if ((ln === 'localParameter' || (ln === 'parameter' && reaction)) && reaction && e.attrs.id)
        t = { kind: 'localParameter', reaction, id: e.attrs.id };
      else if (e.attrs.id && ln !== 'model' && ln !== 'modelDefinition') t = { kind: 'id', id: e.attrs.id };
      if (t) out.set(meta, t);
    }
    const ev = ln === 'event' ? e.attrs.id : event;
    const rx = ln === 'reaction' ? e.attrs.id : reaction;
    for (const k of e.elements) if (prefixOf(k.name) === '') visit(k, ev, rx);
  };
  for (const k of modelEl.elements) if (prefixOf(k.name) === '') visit(k);
  return out;
}

/** Removes the piece of a model a non-id target names. */
function deleteTarget(m: Model, t: Target): Model {
  switch (t.kind) {
    case 'id':
      return removeElements(m, new Set([t.id]), true);
    case 'rule':
      return { ...m, rules: m.rules.filter((r) => r.kind === 'algebraic' || r.variable !== t.variable) };
    case 'initialAssignment':
      return { ...m, initialAssignments: m.initialAssignments.filter((a) => a.symbol !== t.symbol) };
    case 'eventAssignment':
      return {
        ...m,
        events: m.events.map((e) =>
          e.id === t.event
            ? { ...e, assignments: e.assignments.filter((a) => a.variable !== t.variable) }
            : e,
        ),
      };
    case 'delay':
    case 'priority':
      return {
        ...m,
        events: m.events.map((e) => {
          if (e.id !== t.event) return e;
          const { [t.kind]: _, ...rest } = e;
          return rest as Event;
        }),
      };
    case 'localParameter':
      return {
        ...m,
        reactions: m.reactions.map((r) =>
          r.id === t.reaction ? { ...r, localParameters: r.localParameters.filter((p) => p.id !== t.id) } : r,
        ),
      };
  }
}

/** Removes local parameter `local` of reaction `reaction` and points its kinetic law at global `global`. */
function replaceLocal(m: Model, reaction: string, local: string, global: string): Model {
  return {
    ...m,
    reactions: m.reactions.map((r) => {
      if (r.id !== reaction) return r;
      const others = new Set(r.localParameters.filter((p) => p.id !== local).map((p) => p.id));
      const f: Fn = (id) => (id === local ? global : id);
      const k = r.kinetics;
      return {
        ...r,
        localParameters: r.localParameters.filter((p) => p.id !== local),
        ...(k
          ? {
              kinetics:
                k.kind === 'law'
                  ? { kind: 'law', math: renameExpr(k.math, f, others) }
                  : {
                      kind: 'massAction',
                      forward: renameExpr(k.forward, f, others),
                      ...(k.reverse ? { reverse: renameExpr(k.reverse, f, others) } : {}),
                    },
            }
          : {}),
      };
    }),
  };
}
