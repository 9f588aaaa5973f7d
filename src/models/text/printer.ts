/**
 * Prints any model IR (from the text, SBML or code) as model language text, such that parsing the text gives
 * back the same model up to source locations. Every element is declared explicitly, in IR order, before
 * it is used, so the reparsed element order matches.
 */
import type { Expr } from '../../numerics/expr/ast.js';
import type { Model, Provenance, Reaction, Species } from '../ir.js';
import { symbolsOf } from './build.js';
import { isReservedName, SHADOWABLE_CONSTANTS } from './builtins.js';

const PREC = { or: 1, xor: 2, and: 3, cmp: 4, add: 5, mul: 6, unary: 7, pow: 8, atom: 9 } as const;

const REL: Record<string, string> = { eq: '==', neq: '!=', lt: '<', gt: '>', leq: '<=', geq: '>=' };

function fmtNum(v: number, shadow: ReadonlySet<string>): string {
  if (Number.isNaN(v)) return 'notanumber';
  if (v === Number.POSITIVE_INFINITY) return 'infinity';
  if (v === Number.NEGATIVE_INFINITY) return '-infinity';
  if (v === Math.PI && !shadow.has('pi')) return 'pi';
  if (v === Math.E) return 'exponentiale';
  if (Object.is(v, -0)) return '-0';
  return String(v);
}

/** Prints an expression; `shadow` holds model ids that hide the constants pi, e, inf, NaN. */
export function printExpr(e: Expr, shadow: ReadonlySet<string> = new Set()): string {
  return p(e, shadow).text;
}

interface Printed {
  readonly text: string;
  readonly prec: number;
}

function p(e: Expr, shadow: ReadonlySet<string>): Printed {
  const sub = (x: Expr) => p(x, shadow);
  const wrap = (x: Printed, need: boolean) => (need ? `(${x.text})` : x.text);
  switch (e.kind) {
    case 'num': {
      const t = fmtNum(e.value, shadow) + (e.units !== undefined ? ` ${e.units}` : '');
      const neg = e.value < 0 || Object.is(e.value, -0);
      return { text: t, prec: neg ? PREC.unary : PREC.atom };
    }
    case 'sym':
      return { text: e.name, prec: PREC.atom };
    case 'time':
      return { text: 'time', prec: PREC.atom };
    case 'avogadro':
      return { text: 'avogadro', prec: PREC.atom };
    case 'apply':
      return { text: `${e.fn}(${e.args.map((a) => sub(a).text).join(', ')})`, prec: PREC.atom };
    case 'piecewise': {
      const args = e.pieces.flatMap((x) => [sub(x.value).text, sub(x.condition).text]);
      if (e.otherwise) args.push(sub(e.otherwise).text);
      return { text: `piecewise(${args.join(', ')})`, prec: PREC.atom };
    }
    case 'call':
      break;
  }
  const a = e.args;
  const fn = (): Printed => ({ text: `${e.op}(${a.map((x) => sub(x).text).join(', ')})`, prec: PREC.atom });
  const isCall = (x: Expr, op: string) => x.kind === 'call' && x.op === op;
  switch (e.op) {
    case 'plus':
    case 'times': {
      if (a.length < 2) return fn();
      const level = e.op === 'plus' ? PREC.add : PREC.mul;
      const parts = a.map((x, i) => {
        const s = sub(x);
        return wrap(s, s.prec < level || isCall(x, e.op) || (i > 0 && s.prec === level));
      });
      return { text: parts.join(e.op === 'plus' ? ' + ' : ' * '), prec: level };
    }
    case 'minus':
    case 'divide': {
      if (e.op === 'minus' && a.length === 1) {
        const x = a[0];
        const s = sub(x);
        const need =
          s.prec < PREC.pow ||
          (x.kind === 'num' && x.value >= 0 && !Object.is(x.value, -0) && !Number.isNaN(x.value)) ||
          (x.kind === 'num' && Number.isNaN(x.value)) ||
          (x.kind === 'sym' && SHADOWABLE_CONSTANTS.has(x.name)) ||
          (x.kind === 'num' && x.value === Number.POSITIVE_INFINITY);
        return { text: `-${wrap(s, need)}`, prec: PREC.unary };
      }
      if (a.length !== 2) return fn();
      const level = e.op === 'minus' ? PREC.add : PREC.mul;
      const l = sub(a[0]);
      const r = sub(a[1]);
      return {
        text: `${wrap(l, l.prec < level)} ${e.op === 'minus' ? '-' : '/'} ${wrap(r, r.prec <= level)}`,
        prec: level,
      };
    }
    case 'power': {
      if (a.length !== 2) return fn();
      const b = sub(a[0]);
      const x = sub(a[1]);
      return { text: `${wrap(b, b.prec <= PREC.pow)}^${wrap(x, x.prec < PREC.unary)}`, prec: PREC.pow };
    }
    case 'eq':
    case 'neq':
    case 'lt':
    case 'gt':
    case 'leq':
    case 'geq': {
      if (a.length < 2 || (e.op === 'neq' && a.length !== 2)) return fn();
      const parts = a.map((x) => {
        const s = sub(x);
        return wrap(s, s.prec <= PREC.cmp);
      });
      return { text: parts.join(` ${REL[e.op]} `), prec: PREC.cmp };
    }
    case 'and':
    case 'or': {
      if (a.length < 2) return fn();
      const level = e.op === 'and' ? PREC.and : PREC.or;
      const parts = a.map((x) => {
        const s = sub(x);
        return wrap(s, s.prec <= level);
      });
      return { text: parts.join(e.op === 'and' ? ' && ' : ' || '), prec: level };
    }
    case 'not': {
      if (a.length !== 1) return fn();
      const s = sub(a[0]);
      return { text: `!${wrap(s, s.prec < PREC.unary)}`, prec: PREC.unary };
    }
    default:
      return fn();
  }
}

function str(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\t/g, '\\t')}"`;
}

function printSource(src: Provenance | undefined): string {
  if (!src) return '';
  const parts: string[] = [];
  if (src.kb !== undefined) parts.push(`kb = ${str(src.kb)}`);
  if (src.evidence !== undefined) parts.push(`evidence = ${src.evidence}`);
  if (src.citation !== undefined) parts.push(`citation = ${str(src.citation)}`);
  if (src.refs !== undefined) parts.push(`refs = [${src.refs.map(str).join(', ')}]`);
  return `  @source(${parts.join(', ')})`;
}

interface Meta {
  readonly id: string;
  readonly name?: string;
  readonly notes?: string;
  readonly sboTerm?: string;
}

function metaLines(el: Meta, indent: string): string[] {
  const out: string[] = [];
  if (el.name !== undefined) out.push(`${indent}${el.id} is ${str(el.name)}`);
  if (el.notes !== undefined) out.push(`${indent}${el.id} notes ${str(el.notes)}`);
  if (el.sboTerm !== undefined) {
    out.push(`${indent}${el.id}.sboTerm = ${/^SBO:\d{7}$/.test(el.sboTerm) ? el.sboTerm : str(el.sboTerm)}`);
  }
  return out;
}

/**
 * One SBML unit term `(multiplier * 10^scale * kind)^exponent`. A factor on a term after the first is written
 * with an explicit power (`^1`): the parser attaches a bare coefficient to the first term of the definition.
 */
function unitTermText(
  t: { kind: string; exponent: number; scale: number; multiplier: number },
  index: number,
): string {
  let core = t.kind;
  const scaled = t.multiplier !== 1 || t.scale !== 0;
  if (scaled) {
    const parts: string[] = [];
    if (t.multiplier !== 1) parts.push(String(t.multiplier));
    if (t.scale !== 0) parts.push(`10^${t.scale}`);
    parts.push(t.kind);
    core = `(${parts.join(' * ')})`;
  }
  return t.exponent === 1 && !(scaled && index > 0) ? core : `${core}^${t.exponent}`;
}

export function printModel(model: Model): string {
  assertPrintable(model);
  const ind = '  ';
  const out: string[] = [];
  const ids = new Set<string>([
    ...model.compartments.map((c) => c.id),
    ...model.species.map((s) => s.id),
    ...model.parameters.map((x) => x.id),
    ...model.reactions.map((r) => r.id),
    ...model.events.map((e) => e.id),
    ...model.functions.map((f) => f.id),
  ]);
  for (const r of model.reactions)
    for (const sr of [...r.reactants, ...r.products]) if (sr.id) ids.add(sr.id);
  const ex = (e: Expr) => printExpr(e, ids);
  const targeted = new Set<string>();
  for (const r of model.rules) if (r.kind !== 'algebraic') targeted.add(r.variable);
  for (const ev of model.events) for (const a of ev.assignments) targeted.add(a.variable);
  const constPrefix = (id: string, constant: boolean) => {
    const inferred = !targeted.has(id);
    return constant === inferred ? '' : constant ? 'const ' : 'var ';
  };

  out.push(
    `model ${model.id}${model.name !== undefined ? ` ${str(model.name)}` : ''}${printSource(model.source)}`,
  );
  if (model.notes !== undefined) out.push(`${ind}model notes ${str(model.notes)}`);

  if (model.unitDefinitions.length > 0) {
    out.push('', `${ind}// Units`);
    for (const u of model.unitDefinitions) {
      out.push(
        `${ind}unit ${u.id} = ${u.terms.map((t, i) => unitTermText(t, i)).join(' * ') || 'dimensionless'}${printSource(u.source)}`,
      );
    }
  }
  const mu = model.units;
  const unitLines: string[] = [];
  if (mu.substance !== undefined) unitLines.push(`${ind}substanceUnits = ${mu.substance}`);
  if (mu.time !== undefined) unitLines.push(`${ind}timeUnits = ${mu.time}`);
  if (mu.volume !== undefined) unitLines.push(`${ind}volumeUnits = ${mu.volume}`);
  if (mu.area !== undefined) unitLines.push(`${ind}areaUnits = ${mu.area}`);
  if (mu.length !== undefined) unitLines.push(`${ind}lengthUnits = ${mu.length}`);
  if (mu.extent !== undefined) unitLines.push(`${ind}extentUnits = ${mu.extent}`);
  if (model.conversionFactor !== undefined)
    unitLines.push(`${ind}conversionFactor = ${model.conversionFactor}`);
  if (unitLines.length > 0) out.push('', ...unitLines);

  if (model.functions.length > 0) {
    out.push('', `${ind}// Functions`);
    for (const f of model.functions) {
      out.push(`${ind}function ${f.id}(${f.args.join(', ')})${printSource(f.source)}`);
      out.push(`${ind}${ind}${printExpr(f.body, new Set(f.args))}`);
      out.push(`${ind}end`);
      out.push(...metaLines(f, ind));
    }
  }

  if (model.compartments.length > 0) {
    out.push('', `${ind}// Compartments`);
    for (const c of model.compartments) {
      let line = `${ind}${constPrefix(c.id, c.constant)}compartment ${c.id}`;
      if (c.size !== undefined)
        line += ` = ${fmtNum(c.size, ids)}${c.units !== undefined ? ` ${c.units}` : ''}`;
      out.push(line + printSource(c.source));
      if (c.size === undefined && c.units !== undefined) out.push(`${ind}${c.id} has ${c.units}`);
      if (c.spatialDimensions !== undefined)
        out.push(`${ind}${c.id}.spatialDimensions = ${c.spatialDimensions}`);
      out.push(...metaLines(c, ind));
    }
  }

  if (model.species.length > 0) {
    out.push('', `${ind}// Species`);
    for (const s of model.species) out.push(...speciesLines(s, ind, ids));
  }

  if (model.parameters.length > 0) {
    out.push('', `${ind}// Parameters`);
    for (const x of model.parameters) {
      const pre = constPrefix(x.id, x.constant);
      let line: string;
      if (x.value !== undefined) {
        line = `${ind}${pre}${x.id} = ${fmtNum(x.value, ids)}${x.units !== undefined ? ` ${x.units}` : ''}`;
      } else line = `${ind}${pre}parameter ${x.id}`;
      out.push(line + printSource(x.source));
      if (x.value === undefined && x.units !== undefined) out.push(`${ind}${x.id} has ${x.units}`);
      out.push(...metaLines(x, ind));
    }
  }

  const srefs = model.reactions
    .flatMap((r) => [...r.reactants, ...r.products])
    .filter((sr) => sr.id !== undefined);
  const seenRefs = new Set<string>();
  const srefLines: string[] = [];
  for (const sr of srefs) {
    if (seenRefs.has(sr.id!)) continue;
    seenRefs.add(sr.id!);
    srefLines.push(
      `${ind}${constPrefix(sr.id!, sr.constant ?? true)}${sr.id} = ${fmtNum(sr.stoichiometry, ids)}`,
    );
  }
  if (srefLines.length > 0) out.push('', `${ind}// Stoichiometry symbols`, ...srefLines);

  if (model.initialAssignments.length > 0) {
    out.push('', `${ind}// Initial assignments`);
    for (const ia of model.initialAssignments) out.push(`${ind}${ia.symbol} = ${ex(ia.math)}`);
  }

  if (model.rules.length > 0) {
    out.push('', `${ind}// Rules`);
    for (const r of model.rules) {
      if (r.kind === 'assignment') out.push(`${ind}${r.variable} := ${ex(r.math)}`);
      else if (r.kind === 'rate') out.push(`${ind}${r.variable}' = ${ex(r.math)}`);
      else out.push(`${ind}0 = ${ex(r.math)}`);
    }
  }

  if (model.reactions.length > 0) {
    out.push('', `${ind}// Reactions`);
    const speciesIds = new Set(model.species.map((s) => s.id));
    for (const r of model.reactions) out.push(...reactionLines(r, ind, ids, ex, speciesIds));
  }

  if (model.events.length > 0) {
    out.push('', `${ind}// Events`);
    for (const ev of model.events) {
      const opts: string[] = [];
      if (ev.delay) opts.push(`delay = ${ex(ev.delay)}`);
      if (ev.priority) opts.push(`priority = ${ex(ev.priority)}`);
      if (!ev.trigger.persistent) opts.push('persistent = false');
      if (!ev.trigger.initialValue) opts.push('t0 = false');
      if (!ev.useValuesFromTriggerTime) opts.push('fromTrigger = false');
      const assigns = ev.assignments.map((a) => `${a.variable} = ${ex(a.math)}`).join(', ');
      out.push(
        `${ind}${ev.id}: at (${ex(ev.trigger.math)})${opts.map((o) => `, ${o}`).join('')}: ${assigns}${printSource(ev.source)}`,
      );
      out.push(...metaLines(ev, ind));
    }
  }
  out.push('end', '');
  return out.join('\n');
}

function speciesLines(s: Species, ind: string, ids: ReadonlySet<string>): string[] {
  const out: string[] = [];
  const mods: string[] = [];
  if (s.constant) mods.push('const');
  if (s.hasOnlySubstanceUnits) mods.push('substanceOnly');
  const dollar = !s.constant && s.boundaryCondition ? '$' : '';
  let line = `${ind}${mods.length > 0 ? `${mods.join(' ')} ` : ''}species ${dollar}${s.id} in ${s.compartment}`;
  const inline = s.hasOnlySubstanceUnits ? s.initialAmount : s.initialConcentration;
  if (inline !== undefined) line += ` = ${fmtNum(inline, ids)}`;
  out.push(line + printSource(s.source));
  if (s.hasOnlySubstanceUnits && s.initialConcentration !== undefined) {
    out.push(`${ind}${s.id}.initialConcentration = ${fmtNum(s.initialConcentration, ids)}`);
  }
  if (!s.hasOnlySubstanceUnits && s.initialAmount !== undefined) {
    out.push(`${ind}${s.id}.initialAmount = ${fmtNum(s.initialAmount, ids)}`);
  }
  if (s.constant && !s.boundaryCondition) out.push(`${ind}${s.id}.boundaryCondition = false`);
  if (s.substanceUnits !== undefined) out.push(`${ind}${s.id} has ${s.substanceUnits}`);
  if (s.conversionFactor !== undefined) out.push(`${ind}${s.id}.conversionFactor = ${s.conversionFactor}`);
  out.push(...metaLines(s, ind));
  return out;
}

function reactionLines(
  r: Reaction,
  ind: string,
  ids: ReadonlySet<string>,
  ex: (e: Expr) => string,
  speciesIds: ReadonlySet<string>,
): string[] {
  const side = (refs: Reaction['reactants']) =>
    refs
      .map((sr) => {
        const st =
          sr.id !== undefined
            ? `${sr.id} `
            : sr.stoichiometry === 1
              ? ''
              : `${fmtNum(sr.stoichiometry, ids)} `;
        return `${st}${sr.species}`;
      })
      .join(' + ');
  const lhs = side(r.reactants);
  const rhs = side(r.products);
  let eq = `${lhs}${lhs ? ' ' : ''}${r.reversible ? '->' : '=>'} ${rhs}`.trimEnd();
  const label = `${r.id}${r.compartment !== undefined ? ` in ${r.compartment}` : ''}: `;
  const k = r.kinetics;
  const semi = rhs ? '; ' : ' ; ';
  if (k?.kind === 'law') eq += `${semi}${ex(k.math)}`;
  else if (k?.kind === 'massAction')
    eq += `${semi}mass_action(${ex(k.forward)}${k.reverse ? `, ${ex(k.reverse)}` : ''})`;
  const out = [`${ind}${label}${eq}${printSource(r.source)}`];
  for (const lp of r.localParameters) {
    const v = lp.value === undefined ? 'notanumber' : fmtNum(lp.value, ids);
    out.push(
      `${ind}${r.id}.${lp.id} = ${v}${lp.units !== undefined ? ` ${lp.units}` : ''}${printSource(lp.source)}`,
    );
  }
  // Modifiers: the parser adds every species of the rate law automatically; declare the rest explicitly.
  const species = speciesIds;
  const inEq = new Set([...r.reactants, ...r.products].map((x) => x.species));
  const locals = new Set(r.localParameters.map((x) => x.id));
  const auto: string[] = [];
  const exprs = k?.kind === 'law' ? [k.math] : k ? [k.forward, ...(k.reverse ? [k.reverse] : [])] : [];
  for (const e of exprs) {
    for (const n of symbolsOf(e))
      if (species.has(n) && !inEq.has(n) && !locals.has(n) && !auto.includes(n)) auto.push(n);
  }
  if (auto.join('\u0000') !== r.modifiers.join('\u0000')) {
    if (r.modifiers.length > 0) out.push(`${ind}${r.modifiers.join(' + ')} -o ${r.id}`);
  }
  if (r.fast !== undefined) out.push(`${ind}${r.id}.fast = ${r.fast}`);
  out.push(...metaLines(r, ind));
  return out;
}

/** Ids must be names of the language and not reserved words, or the text would not parse back. */
function assertPrintable(model: Model): void {
  const ids = [
    model.id,
    ...model.unitDefinitions.map((u) => u.id),
    ...model.functions.flatMap((f) => [f.id, ...f.args]),
    ...model.compartments.map((c) => c.id),
    ...model.species.map((s) => s.id),
    ...model.parameters.map((p) => p.id),
    ...model.reactions.flatMap((r) => [r.id, ...r.localParameters.map((p) => p.id)]),
    ...model.events.map((e) => e.id),
  ];
  const bad = ids.filter((id) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(id) || isReservedName(id));
  if (bad.length > 0) {
    throw new Error(
      `cannot print model ${model.id} as model language text: ${[...new Set(bad)].map((b) => `'${b}'`).join(', ')} ${bad.length === 1 ? 'is' : 'are'} not a valid id (reserved word or invalid name)`,
    );
  }
}
