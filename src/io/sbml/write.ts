/**
 * Model IR -> SBML Level 3 Version 2 core.
 *
 * Deterministic output (IR order, fixed attribute order, two-space indentation, shortest round-trip numbers),
 * so exports diff cleanly. Provenance is carried two ways: MIRIAM `isDescribedBy` resources in an RDF
 * annotation (refs; other qualifiers stored by the reader as "bqbiol:is URI" are written back under their
 * qualifier), and a `<dl class="exoniche-provenance">` block in the notes (kb, citation, evidence tag).
 * Mass-action kinetics are written as the explicit formula k * prod(reactant^stoich) [- kr * prod(product^
 * stoich)] with an exoniche annotation so that the reader restores the shorthand.
 * Exports pass libSBML's consistency checks without errors (test/io/sbml/libsbml-validate.test.ts); where the IR
 * allows what L3V2 does not (a local parameter named like a species of its reaction), the export renames.
 */
import type {
  Element,
  Expr,
  Kinetics,
  Model,
  Parameter,
  Provenance,
  Reaction,
  SpeciesReference,
} from '../../models/ir.js';
import { freeSymbols } from '../../numerics/expr/free-symbols.js';
import { substituteMap } from '../../numerics/expr/substitute.js';
import { writeLambda, writeMath } from './mathml-write.js';
import { EXONICHE_NS, PROVENANCE_CLASS } from './read.js';
import { escapeAttr, escapeText } from './xml.js';

const L3V2 = 'http://www.sbml.org/sbml/level3/version2/core';
const XHTML = 'http://www.w3.org/1999/xhtml';

/** Number as an XML Schema double (INF, -INF, NaN; shortest round-trip decimal otherwise). */
export function fmtNumber(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return 'INF';
  if (v === Number.NEGATIVE_INFINITY) return '-INF';
  if (Object.is(v, -0)) return '-0';
  return String(v);
}

type Attr = readonly [string, string | number | boolean | undefined];

class Writer {
  private readonly out: string[] = [];
  private readonly metaids = new Set<string>();

  line(s: string): void {
    this.out.push(s);
  }

  text(): string {
    return `${this.out.join('\n')}\n`;
  }

  private attrs(list: readonly Attr[]): string {
    let s = '';
    for (const [k, v] of list) {
      if (v === undefined) continue;
      s += ` ${k}="${typeof v === 'number' ? fmtNumber(v) : escapeAttr(String(v))}"`;
    }
    return s;
  }

  private metaid(stem: string): string {
    const base = `meta_${stem.replace(/[^A-Za-z0-9_.-]/g, '_')}`;
    let id = base;
    for (let k = 2; this.metaids.has(id); k++) id = `${base}_${k}`;
    this.metaids.add(id);
    return id;
  }

  /**
   * Opens an element with SBase content (notes, annotation) and `body` lines; self-closes when empty.
   * `extraAnnotation`: lines inside <annotation> after the RDF.
   */
  element(
    tag: string,
    ind: string,
    el: Partial<Element> | undefined,
    attrs: readonly Attr[],
    body: (ind: string) => void,
    metaStem?: string,
    extraAnnotation?: readonly string[],
    isModel = false,
  ): void {
    const src = el?.source;
    const refs = src?.refs ?? [];
    const meta = refs.length ? this.metaid(metaStem ?? el?.id ?? tag) : undefined;
    const head = `${ind}<${tag}${this.attrs([...(meta ? [['metaid', meta] as Attr] : []), ...attrs, ['sboTerm', el?.sboTerm]])}`;
    const i2 = `${ind}  `;
    const start = this.out.length;
    this.out.push(`${head}>`);
    const bodyStart = this.out.length;
    this.notes(el?.notes, src, i2);
    if (meta || extraAnnotation?.length) {
      this.line(`${i2}<annotation>`);
      if (meta) this.rdf(meta, refs, `${i2}  `, isModel);
      for (const l of extraAnnotation ?? []) this.line(`${i2}  ${l}`);
      this.line(`${i2}</annotation>`);
    }
    body(i2);
    if (this.out.length === bodyStart) this.out[start] = `${head}/>`;
    else this.line(`${ind}</${tag}>`);
  }

  private notes(text: string | undefined, src: Provenance | undefined, ind: string): void {
    const prov: [string, string][] = [];
    if (src?.kb !== undefined) prov.push(['kb', src.kb]);
    if (src?.citation !== undefined) prov.push(['citation', src.citation]);
    if (src?.evidence !== undefined) prov.push(['evidence', src.evidence]);
    if (text === undefined && prov.length === 0) return;
    this.line(`${ind}<notes>`);
    this.line(`${ind}  <body xmlns="${XHTML}">`);
    if (text !== undefined) this.line(`${ind}    <pre>${escapeText(text)}</pre>`);
    if (prov.length) {
      this.line(`${ind}    <dl class="${PROVENANCE_CLASS}">`);
      for (const [k, v] of prov) {
        this.line(`${ind}      <dt>${k}</dt>`);
        this.line(`${ind}      <dd>${escapeText(v)}</dd>`);
      }
      this.line(`${ind}    </dl>`);
    }
    this.line(`${ind}  </body>`);
    this.line(`${ind}</notes>`);
  }

  private rdf(meta: string, refs: readonly string[], ind: string, isModel: boolean): void {
    // Group by qualifier, keeping first-appearance order.
    const groups = new Map<string, string[]>();
    for (const r of refs) {
      const m = /^(bqbiol|bqmodel):([A-Za-z]+) (.*)$/.exec(r);
      const q = m ? `${m[1]}:${m[2]}` : isModel ? 'bqmodel:isDescribedBy' : 'bqbiol:isDescribedBy';
      const uri = m ? m[3] : r;
      const g = groups.get(q) ?? [];
      g.push(uri);
      groups.set(q, g);
    }
    this.line(
      `${ind}<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:bqbiol="http://biomodels.net/biology-qualifiers/" xmlns:bqmodel="http://biomodels.net/model-qualifiers/">`,
    );
    this.line(`${ind}  <rdf:Description rdf:about="#${escapeAttr(meta)}">`);
    for (const [q, uris] of groups) {
      this.line(`${ind}    <${q}>`);
      this.line(`${ind}      <rdf:Bag>`);
      for (const u of uris) this.line(`${ind}        <rdf:li rdf:resource="${escapeAttr(u)}"/>`);
      this.line(`${ind}      </rdf:Bag>`);
      this.line(`${ind}    </${q}>`);
    }
    this.line(`${ind}  </rdf:Description>`);
    this.line(`${ind}</rdf:RDF>`);
  }

  math(e: Expr, ind: string, boolean = false): void {
    this.line(writeMath(e, ind, boolean));
  }

  list<T>(tag: string, items: readonly T[], ind: string, each: (item: T, ind: string) => void): void {
    if (items.length === 0) return;
    this.line(`${ind}<${tag}>`);
    for (const it of items) each(it, `${ind}  `);
    this.line(`${ind}</${tag}>`);
  }
}

const pow = (s: SpeciesReference): Expr => {
  const x: Expr = { kind: 'sym', name: s.species };
  return s.stoichiometry === 1
    ? x
    : { kind: 'call', op: 'power', args: [x, { kind: 'num', value: s.stoichiometry }] };
};

/** The explicit formula of mass-action kinetics (as the ODE engines read the shorthand). */
export function massActionLaw(
  k: Extract<Kinetics, { kind: 'massAction' }>,
  reactants: readonly SpeciesReference[],
  products: readonly SpeciesReference[],
): Expr {
  const term = (rate: Expr, refs: readonly SpeciesReference[]): Expr =>
    refs.length === 0 ? rate : { kind: 'call', op: 'times', args: [rate, ...refs.map(pow)] };
  const fwd = term(k.forward, reactants);
  return k.reverse ? { kind: 'call', op: 'minus', args: [fwd, term(k.reverse, products)] } : fwd;
}

/** The ids of the model's global SId namespace, plus the unit ids (so that a new id never reads as a unit). */
function globalIds(model: Model): Set<string> {
  const ids = new Set<string>();
  for (const xs of [
    model.functions,
    model.unitDefinitions,
    model.compartments,
    model.species,
    model.parameters,
    model.reactions,
    model.events,
  ])
    for (const x of xs) if (x.id) ids.add(x.id);
  for (const r of model.reactions)
    for (const s of [...r.reactants, ...r.products]) if (s.id !== undefined) ids.add(s.id);
  return ids;
}

/**
 * The reaction as L3V2 can write it: no local parameter may share its id with a species the reaction refers to.
 * SBML L3V1 allowed that (the local parameter shadows the species in the rate law, and the IR keeps that
 * meaning); L3V2 forbids it (libSBML rule 21173, L3V2 section 4.11.6). Such a local parameter gets the first
 * free id of `<id>_local`, `<id>_local_2`, ... (free: not a global id, not read by the rate law, not another
 * local parameter) and its uses in the rate law are renamed; `renamed` maps the new id to the IR id (written as
 * an exoniche annotation on the local parameter). Mass-action species factors are built from the species
 * references afterwards, so they keep meaning the species.
 */
function l3v2LocalParameters(
  r: Reaction,
  globals: ReadonlySet<string>,
): { reaction: Reaction; renamed: ReadonlyMap<string, string> } {
  const species = new Set([
    ...r.reactants.map((s) => s.species),
    ...r.products.map((s) => s.species),
    ...r.modifiers,
  ]);
  const clashes = r.localParameters.filter((p) => species.has(p.id));
  if (clashes.length === 0) return { reaction: r, renamed: new Map() };
  const k = r.kinetics;
  const taken = new Set([...globals, ...species, ...r.localParameters.map((p) => p.id)]);
  if (k?.kind === 'law') freeSymbols(k.math, taken);
  else if (k) {
    freeSymbols(k.forward, taken);
    if (k.reverse) freeSymbols(k.reverse, taken);
  }
  const newId = new Map<string, string>();
  const to = new Map<string, Expr>();
  const renamed = new Map<string, string>();
  for (const p of clashes) {
    let id = `${p.id}_local`;
    for (let n = 2; taken.has(id); n++) id = `${p.id}_local_${n}`;
    taken.add(id);
    newId.set(p.id, id);
    to.set(p.id, { kind: 'sym', name: id });
    renamed.set(id, p.id);
  }
  const sub = (e: Expr): Expr => substituteMap(e, to);
  const kinetics: Kinetics | undefined =
    k?.kind === 'law'
      ? { ...k, math: sub(k.math) }
      : k
        ? { ...k, forward: sub(k.forward), ...(k.reverse ? { reverse: sub(k.reverse) } : {}) }
        : undefined;
  return {
    reaction: {
      ...r,
      ...(kinetics ? { kinetics } : {}),
      localParameters: r.localParameters.map((p) => {
        const id = newId.get(p.id);
        return id === undefined ? p : { ...p, id };
      }),
    },
    renamed,
  };
}

/** Writes a model as SBML Level 3 Version 2 core. */
export function writeSbml(model: Model): string {
  const w = new Writer();
  const globals = globalIds(model);
  w.line('<?xml version="1.0" encoding="UTF-8"?>');
  w.line(`<sbml xmlns="${L3V2}" xmlns:sbml="${L3V2}" level="3" version="2">`);
  const u = model.units;
  w.element(
    'model',
    '  ',
    model,
    [
      ['id', model.id],
      ['name', model.name],
      ['substanceUnits', u.substance],
      ['timeUnits', u.time],
      ['volumeUnits', u.volume],
      ['areaUnits', u.area],
      ['lengthUnits', u.length],
      ['extentUnits', u.extent],
      ['conversionFactor', model.conversionFactor],
    ],
    (ind) => {
      w.list('listOfFunctionDefinitions', model.functions, ind, (f, i) =>
        w.element(
          'functionDefinition',
          i,
          f,
          [
            ['id', f.id],
            ['name', f.name],
          ],
          (i2) => w.line(writeLambda(f.args, f.body, i2)),
        ),
      );
      w.list('listOfUnitDefinitions', model.unitDefinitions, ind, (d, i) =>
        w.element(
          'unitDefinition',
          i,
          d,
          [
            ['id', d.id],
            ['name', d.name],
          ],
          (i2) =>
            w.list('listOfUnits', d.terms, i2, (t, i3) =>
              w.line(
                `${i3}<unit kind="${escapeAttr(t.kind)}" exponent="${fmtNumber(t.exponent)}" scale="${fmtNumber(t.scale)}" multiplier="${fmtNumber(t.multiplier)}"/>`,
              ),
            ),
        ),
      );
      w.list('listOfCompartments', model.compartments, ind, (c, i) =>
        w.element(
          'compartment',
          i,
          c,
          [
            ['id', c.id],
            ['name', c.name],
            ['spatialDimensions', c.spatialDimensions],
            ['size', c.size],
            ['units', c.units],
            ['constant', c.constant],
          ],
          () => {},
        ),
      );
      w.list('listOfSpecies', model.species, ind, (s, i) =>
        w.element(
          'species',
          i,
          s,
          [
            ['id', s.id],
            ['name', s.name],
            ['compartment', s.compartment],
            ['initialAmount', s.initialAmount],
            ['initialConcentration', s.initialConcentration],
            ['substanceUnits', s.substanceUnits],
            ['hasOnlySubstanceUnits', s.hasOnlySubstanceUnits],
            ['boundaryCondition', s.boundaryCondition],
            ['constant', s.constant],
            ['conversionFactor', s.conversionFactor],
          ],
          () => {},
        ),
      );
      const param = (
        tag: string,
        p: Parameter,
        i: string,
        stem: string,
        local: boolean,
        extra?: readonly string[],
      ): void =>
        w.element(
          tag,
          i,
          p,
          [
            ['id', p.id],
            ['name', p.name],
            ['value', p.value],
            ['units', p.units],
            ['constant', local ? undefined : p.constant],
          ],
          () => {},
          stem,
          extra,
        );
      w.list('listOfParameters', model.parameters, ind, (p, i) => param('parameter', p, i, p.id, false));
      w.list('listOfInitialAssignments', model.initialAssignments, ind, (a, i) => {
        w.line(`${i}<initialAssignment symbol="${escapeAttr(a.symbol)}">`);
        w.math(a.math, `${i}  `);
        w.line(`${i}</initialAssignment>`);
      });
      w.list('listOfRules', model.rules, ind, (r, i) => {
        const tag =
          r.kind === 'assignment' ? 'assignmentRule' : r.kind === 'rate' ? 'rateRule' : 'algebraicRule';
        w.line(`${i}<${tag}${r.kind === 'algebraic' ? '' : ` variable="${escapeAttr(r.variable)}"`}>`);
        w.math(r.math, `${i}  `);
        w.line(`${i}</${tag}>`);
      });
      w.list('listOfReactions', model.reactions, ind, (ir, i) => {
        const { reaction: r, renamed } = l3v2LocalParameters(ir, globals);
        w.element(
          'reaction',
          i,
          r,
          [
            ['id', r.id],
            ['name', r.name],
            ['reversible', r.reversible],
            ['compartment', r.compartment],
          ],
          (i2) => {
            const ref = (s: SpeciesReference, i3: string): void =>
              w.line(
                `${i3}<speciesReference${attrsOf([
                  ['id', s.id],
                  ['species', s.species],
                  ['stoichiometry', s.stoichiometry],
                  ['constant', s.constant ?? true],
                ])}/>`,
              );
            w.list('listOfReactants', r.reactants, i2, ref);
            w.list('listOfProducts', r.products, i2, ref);
            w.list('listOfModifiers', r.modifiers, i2, (m, i3) =>
              w.line(`${i3}<modifierSpeciesReference species="${escapeAttr(m)}"/>`),
            );
            if (r.kinetics || r.localParameters.length) {
              const k = r.kinetics;
              const extra =
                k?.kind === 'massAction'
                  ? [
                      `<exoniche:massAction xmlns:exoniche="${EXONICHE_NS}" reversible="${k.reverse ? 'true' : 'false'}"/>`,
                    ]
                  : undefined;
              w.element(
                'kineticLaw',
                i2,
                undefined,
                [],
                (i3) => {
                  if (k) w.math(k.kind === 'law' ? k.math : massActionLaw(k, r.reactants, r.products), i3);
                  w.list('listOfLocalParameters', r.localParameters, i3, (p, i4) => {
                    const irId = renamed.get(p.id);
                    const extra =
                      irId === undefined
                        ? undefined
                        : [
                            `<exoniche:localParameter xmlns:exoniche="${EXONICHE_NS}" id="${escapeAttr(irId)}"/>`,
                          ];
                    param('localParameter', p, i4, `${r.id}_${irId ?? p.id}`, true, extra);
                  });
                },
                undefined,
                extra,
              );
            }
          },
          undefined,
          // SBML L3V2 has no `fast` attribute; a fast reaction is marked in an exoniche annotation.
          r.fast ? [`<exoniche:reaction xmlns:exoniche="${EXONICHE_NS}" fast="true"/>`] : undefined,
        );
      });
      w.list('listOfEvents', model.events, ind, (e, i) =>
        w.element(
          'event',
          i,
          e,
          [
            ['id', e.id],
            ['name', e.name],
            ['useValuesFromTriggerTime', e.useValuesFromTriggerTime],
          ],
          (i2) => {
            w.line(
              `${i2}<trigger initialValue="${e.trigger.initialValue}" persistent="${e.trigger.persistent}">`,
            );
            w.math(e.trigger.math, `${i2}  `, true);
            w.line(`${i2}</trigger>`);
            if (e.priority) {
              w.line(`${i2}<priority>`);
              w.math(e.priority, `${i2}  `);
              w.line(`${i2}</priority>`);
            }
            if (e.delay) {
              w.line(`${i2}<delay>`);
              w.math(e.delay, `${i2}  `);
              w.line(`${i2}</delay>`);
            }
            w.list('listOfEventAssignments', e.assignments, i2, (a, i3) => {
              w.line(`${i3}<eventAssignment variable="${escapeAttr(a.variable)}">`);
              w.math(a.math, `${i3}  `);
              w.line(`${i3}</eventAssignment>`);
            });
          },
        ),
      );
    },
    model.id,
    undefined,
    true,
  );
  w.line('</sbml>');
  return w.text();
}

function attrsOf(list: readonly Attr[]): string {
  let s = '';
  for (const [k, v] of list)
    if (v !== undefined) s += ` ${k}="${typeof v === 'number' ? fmtNumber(v) : escapeAttr(String(v))}"`;
  return s;
}
