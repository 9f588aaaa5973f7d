/**
 * Semantic checks on any model IR, whatever front end produced it: undefined symbols (with a "did you mean"
 * suggestion), duplicate ids, arities of built-in and user functions, rule conflicts and cycles, assignments
 * to constants, and unit consistency (`units.ts`). Positions come from the `loc` fields when present.
 */
import type { Expr, SourceLoc } from '../numerics/expr/ast.js';
import type { Diagnostic } from './diagnostic.js';
import type { Compartment, Model, Species } from './ir.js';
import { OP_ARITY } from './text/builtins.js';
import { didYouMean } from './text/errors.js';
import {
  describeDimension,
  divide,
  formatUnit,
  inferUnits,
  sameDimension,
  sameUnit,
  type Unit,
  type UnitContext,
  UnitTable,
} from './units.js';

type ElementKind =
  | 'compartment'
  | 'species'
  | 'parameter'
  | 'reaction'
  | 'event'
  | 'function'
  | 'stoichiometry symbol';

interface Known {
  kind: ElementKind;
  loc?: SourceLoc;
  constant?: boolean;
}

const where = (loc: SourceLoc | undefined) => (loc ? ` (line ${loc.line})` : '');
const atLine = (loc: SourceLoc | undefined) => (loc ? ` at line ${loc.line}` : ' elsewhere');

/** The leftmost source position in an expression, for messages about the whole expression. */
export function exprStart(e: Expr): SourceLoc | undefined {
  let best = e.loc;
  const visit = (x: Expr) => {
    if (
      x.loc &&
      (!best || x.loc.line < best.line || (x.loc.line === best.line && x.loc.column < best.column))
    ) {
      best = x.loc;
    }
    if (x.kind === 'call' || x.kind === 'apply') x.args.forEach(visit);
    else if (x.kind === 'piecewise') {
      for (const p of x.pieces) {
        visit(p.value);
        visit(p.condition);
      }
      if (x.otherwise) visit(x.otherwise);
    }
  };
  visit(e);
  return best;
}

function symbolRefs(
  e: Expr,
  out: { name: string; loc?: SourceLoc }[] = [],
): { name: string; loc?: SourceLoc }[] {
  switch (e.kind) {
    case 'sym':
      out.push({ name: e.name, loc: e.loc });
      break;
    case 'call':
    case 'apply':
      for (const a of e.args) symbolRefs(a, out);
      break;
    case 'piecewise':
      for (const p of e.pieces) {
        symbolRefs(p.value, out);
        symbolRefs(p.condition, out);
      }
      if (e.otherwise) symbolRefs(e.otherwise, out);
      break;
    default:
      break;
  }
  return out;
}

function walk(e: Expr, f: (x: Expr) => void): void {
  f(e);
  if (e.kind === 'call' || e.kind === 'apply') for (const a of e.args) walk(a, f);
  else if (e.kind === 'piecewise') {
    for (const p of e.pieces) {
      walk(p.value, f);
      walk(p.condition, f);
    }
    if (e.otherwise) walk(e.otherwise, f);
  }
}

export function validateModel(model: Model): Diagnostic[] {
  const diags: Diagnostic[] = [];
  const err = (code: string, message: string, loc?: SourceLoc) =>
    diags.push(loc ? { severity: 'error', code, message, loc } : { severity: 'error', code, message });
  const warn = (code: string, message: string, loc?: SourceLoc) =>
    diags.push(loc ? { severity: 'warning', code, message, loc } : { severity: 'warning', code, message });

  // ---- ids
  const known = new Map<string, Known>();
  const define = (id: string, k: Known) => {
    const prev = known.get(id);
    if (prev) {
      err('duplicate-id', `duplicate id '${id}': already a ${prev.kind}${where(prev.loc)}`, k.loc);
      return;
    }
    known.set(id, k);
  };
  for (const f of model.functions) define(f.id, { kind: 'function', loc: f.loc });
  for (const c of model.compartments) define(c.id, { kind: 'compartment', loc: c.loc, constant: c.constant });
  for (const s of model.species) define(s.id, { kind: 'species', loc: s.loc, constant: s.constant });
  for (const p of model.parameters) define(p.id, { kind: 'parameter', loc: p.loc, constant: p.constant });
  for (const r of model.reactions) define(r.id, { kind: 'reaction', loc: r.loc, constant: true });
  for (const e of model.events) define(e.id, { kind: 'event', loc: e.loc });
  for (const r of model.reactions) {
    for (const sr of [...r.reactants, ...r.products]) {
      if (sr.id !== undefined && !known.has(sr.id)) {
        known.set(sr.id, { kind: 'stoichiometry symbol', loc: r.loc, constant: sr.constant ?? true });
      }
    }
  }
  const unitIds = new Set<string>();
  for (const u of model.unitDefinitions) {
    if (unitIds.has(u.id)) err('duplicate-id', `duplicate unit definition '${u.id}'`, u.loc);
    unitIds.add(u.id);
  }
  const valueIds = [...known.entries()]
    .filter(([, k]) => k.kind !== 'function' && k.kind !== 'event')
    .map(([id]) => id);
  const functions = new Map(model.functions.map((f) => [f.id, f]));

  // ---- math checks: symbols, functions, arities
  const checkMath = (
    e: Expr,
    context: string,
    locals: ReadonlySet<string> = new Set(),
    inFunction?: readonly string[],
  ) => {
    walk(e, (x) => {
      if (x.kind === 'sym') {
        if (locals.has(x.name)) return;
        if (inFunction) {
          err(
            'unknown-symbol',
            `unknown symbol '${x.name}' ${context}: a function body can use only its arguments (${inFunction.join(', ')})${didYouMean(x.name, inFunction)}`,
            x.loc,
          );
          return;
        }
        const k = known.get(x.name);
        if (!k) {
          err(
            'unknown-symbol',
            `unknown symbol '${x.name}' ${context}${didYouMean(x.name, [...valueIds, ...locals])}`,
            x.loc,
          );
        } else if (k.kind === 'function' || k.kind === 'event') {
          err(
            'unknown-symbol',
            `'${x.name}' is ${k.kind === 'event' ? 'an event' : 'a function'} and has no value ${context}`,
            x.loc,
          );
        }
      } else if (x.kind === 'call') {
        const a = OP_ARITY[x.op];
        if (!a) {
          err('unknown-function', `unknown operator '${x.op}' ${context}`, x.loc);
        } else if (x.args.length < a.min || x.args.length > a.max) {
          const expected =
            a.min === a.max
              ? `${a.min}`
              : a.max === Number.POSITIVE_INFINITY
                ? `at least ${a.min}`
                : `${a.min} to ${a.max}`;
          const hint =
            x.op === 'log' && x.args.length === 1 ? ': write ln(x) or log10(x), or log(base, x)' : '';
          err(
            'arity',
            `${x.op}() takes ${expected} argument${expected === '1' ? '' : 's'}, got ${x.args.length} ${context}${hint}`,
            x.loc,
          );
        }
        if (x.op === 'rateOf' && x.args.length === 1 && x.args[0].kind !== 'sym') {
          err('arity', `rateOf() takes the name of a variable ${context}`, x.loc);
        }
      } else if (x.kind === 'apply') {
        const f = functions.get(x.fn);
        if (!f) {
          err(
            'unknown-function',
            `unknown function '${x.fn}' ${context}${didYouMean(x.fn, [...functions.keys()])}`,
            x.loc,
          );
        } else if (f.args.length !== x.args.length) {
          err(
            'arity',
            `function ${x.fn}(${f.args.join(', ')}) takes ${f.args.length} argument${f.args.length === 1 ? '' : 's'}, got ${x.args.length} ${context}`,
            x.loc,
          );
        }
      }
    });
  };

  for (const f of model.functions) {
    checkMath(f.body, `in the body of function ${f.id}`, new Set(f.args), f.args);
    const seen = new Set<string>();
    for (const a of f.args) {
      if (seen.has(a)) err('duplicate-id', `function ${f.id} has two arguments named '${a}'`, f.loc);
      seen.add(a);
    }
  }
  // recursion among functions
  {
    const calls = new Map(model.functions.map((f) => [f.id, new Set<string>()]));
    for (const f of model.functions) walk(f.body, (x) => x.kind === 'apply' && calls.get(f.id)!.add(x.fn));
    for (const cycle of findCycles(calls)) {
      const f = functions.get(cycle[0]);
      err('cycle', `recursive function definitions: ${[...cycle, cycle[0]].join(' -> ')}`, f?.loc);
    }
  }

  // ---- compartments and species
  const compartments = new Map(model.compartments.map((c) => [c.id, c]));
  for (const s of model.species) {
    if (!compartments.has(s.compartment)) {
      err(
        'unknown-symbol',
        `species ${s.id} is in '${s.compartment}', which is not a compartment${didYouMean(s.compartment, compartments.keys())}`,
        s.loc,
      );
    }
    if (s.conversionFactor !== undefined && known.get(s.conversionFactor)?.kind !== 'parameter') {
      err(
        'unknown-symbol',
        `conversion factor '${s.conversionFactor}' of species ${s.id} is not a parameter`,
        s.loc,
      );
    }
  }
  if (model.conversionFactor !== undefined && known.get(model.conversionFactor)?.kind !== 'parameter') {
    err(
      'unknown-symbol',
      `model conversion factor '${model.conversionFactor}' is not a parameter`,
      model.loc,
    );
  }

  // ---- rules, initial assignments
  const assignmentRule = new Map<string, SourceLoc | undefined>();
  const rateRule = new Map<string, SourceLoc | undefined>();
  const initial = new Map<string, SourceLoc | undefined>();
  const checkTarget = (variable: string, what: string, loc: SourceLoc | undefined): Known | undefined => {
    const k = known.get(variable);
    if (!k) {
      err(
        'unknown-symbol',
        `unknown symbol '${variable}' as the target of ${what}${didYouMean(variable, valueIds)}`,
        loc,
      );
      return undefined;
    }
    if (k.kind === 'reaction' || k.kind === 'function' || k.kind === 'event') {
      err('invalid-target', `${what} cannot set the ${k.kind} '${variable}'`, loc);
      return undefined;
    }
    return k;
  };
  for (const ia of model.initialAssignments) {
    checkTarget(ia.symbol, `the initial assignment of ${ia.symbol}`, ia.loc);
    if (initial.has(ia.symbol)) {
      err(
        'duplicate-rule',
        `second initial assignment for '${ia.symbol}' (the first is${atLine(initial.get(ia.symbol))})`,
        ia.loc,
      );
    }
    initial.set(ia.symbol, ia.loc);
    checkMath(ia.math, `in the initial assignment of ${ia.symbol}`);
  }
  for (const r of model.rules) {
    if (r.kind === 'algebraic') {
      checkMath(r.math, 'in the algebraic rule');
      continue;
    }
    const what =
      r.kind === 'assignment' ? `the assignment rule for ${r.variable}` : `the rate rule for ${r.variable}`;
    const k = checkTarget(r.variable, what, r.loc);
    if (k?.constant) {
      err(
        'constant-target',
        `${what}: '${r.variable}' is declared constant (remove 'const' or declare it 'var')`,
        r.loc,
      );
    }
    const mine = r.kind === 'assignment' ? assignmentRule : rateRule;
    const other = r.kind === 'assignment' ? rateRule : assignmentRule;
    if (mine.has(r.variable)) {
      err(
        'duplicate-rule',
        `second ${r.kind} rule for '${r.variable}' (the first is${atLine(mine.get(r.variable))})`,
        r.loc,
      );
    }
    if (other.has(r.variable)) {
      err(
        'rule-conflict',
        `'${r.variable}' has both an assignment rule and a rate rule (the ${r.kind === 'assignment' ? 'rate' : 'assignment'} rule is${atLine(other.get(r.variable))})`,
        r.loc,
      );
    }
    if (r.kind === 'assignment' && initial.has(r.variable)) {
      err(
        'rule-conflict',
        `'${r.variable}' has both an assignment rule and an initial assignment${where(initial.get(r.variable))}: the rule already fixes its initial value`,
        r.loc,
      );
    }
    mine.set(r.variable, r.loc);
    checkMath(r.math, `in ${what}`);
  }

  // assignment-rule cycles (these must be evaluable in order)
  {
    const deps = new Map<string, Set<string>>();
    for (const r of model.rules) {
      if (r.kind !== 'assignment') continue;
      deps.set(
        r.variable,
        new Set(
          symbolRefs(r.math)
            .map((s) => s.name)
            .filter((n) => assignmentRule.has(n)),
        ),
      );
    }
    for (const cycle of findCycles(deps)) {
      err(
        'cycle',
        `cyclic assignment rules: ${[...cycle, cycle[0]].join(' -> ')}`,
        assignmentRule.get(cycle[0]),
      );
    }
    // initial values: initial assignments and assignment rules together
    const ideps = new Map<string, Set<string>>();
    const defined = new Set([...initial.keys(), ...assignmentRule.keys()]);
    for (const ia of model.initialAssignments) {
      ideps.set(
        ia.symbol,
        new Set(
          symbolRefs(ia.math)
            .map((s) => s.name)
            .filter((n) => defined.has(n)),
        ),
      );
    }
    for (const r of model.rules) {
      if (r.kind === 'assignment') {
        ideps.set(
          r.variable,
          new Set(
            symbolRefs(r.math)
              .map((s) => s.name)
              .filter((n) => defined.has(n)),
          ),
        );
      }
    }
    for (const cycle of findCycles(ideps)) {
      if (cycle.every((v) => assignmentRule.has(v))) continue; // already reported
      err(
        'cycle',
        `cyclic initial assignments: ${[...cycle, cycle[0]].join(' -> ')}`,
        initial.get(cycle[0]) ?? assignmentRule.get(cycle[0]),
      );
    }
  }

  // ---- reactions
  const speciesById = new Map(model.species.map((s) => [s.id, s]));
  for (const r of model.reactions) {
    for (const sr of [...r.reactants, ...r.products]) {
      const s = speciesById.get(sr.species);
      if (!s) {
        err(
          'unknown-symbol',
          `reaction ${r.id} refers to '${sr.species}', which is not a species${didYouMean(sr.species, speciesById.keys())}`,
          r.loc,
        );
        continue;
      }
      if (!s.boundaryCondition) {
        if (s.constant) {
          err(
            'constant-target',
            `reaction ${r.id} changes species ${s.id}, which is constant: make it a boundary species ($${s.id})`,
            r.loc,
          );
        }
        if (assignmentRule.has(s.id) || rateRule.has(s.id)) {
          err(
            'rule-conflict',
            `species ${s.id} is set by a ${assignmentRule.has(s.id) ? 'assignment' : 'rate'} rule and changed by reaction ${r.id}: make it a boundary species ($${s.id})`,
            assignmentRule.get(s.id) ?? rateRule.get(s.id),
          );
        }
      }
      if (!Number.isFinite(sr.stoichiometry))
        err('invalid-value', `reaction ${r.id}: stoichiometry of ${sr.species} is not finite`, r.loc);
    }
    for (const m of r.modifiers) {
      if (!speciesById.has(m))
        err('unknown-symbol', `modifier '${m}' of reaction ${r.id} is not a species`, r.loc);
    }
    if (r.compartment !== undefined && !compartments.has(r.compartment)) {
      err('unknown-symbol', `reaction ${r.id} is in '${r.compartment}', which is not a compartment`, r.loc);
    }
    const locals = new Set<string>();
    for (const p of r.localParameters) {
      if (locals.has(p.id))
        err('duplicate-id', `duplicate local parameter '${p.id}' in reaction ${r.id}`, p.loc);
      locals.add(p.id);
    }
    const k = r.kinetics;
    if (k?.kind === 'law') checkMath(k.math, `in the rate law of ${r.id}`, locals);
    else if (k?.kind === 'massAction') {
      checkMath(k.forward, `in the mass-action rate constant of ${r.id}`, locals);
      if (k.reverse) {
        checkMath(k.reverse, `in the reverse mass-action rate constant of ${r.id}`, locals);
        if (!r.reversible) {
          warn(
            'irreversible',
            `reaction ${r.id} is irreversible ('=>') but has a reverse rate constant: write '->'`,
            r.loc,
          );
        }
      }
    }
  }

  // ---- events
  for (const ev of model.events) {
    checkMath(ev.trigger.math, `in the trigger of event ${ev.id}`);
    if (ev.delay) checkMath(ev.delay, `in the delay of event ${ev.id}`);
    if (ev.priority) checkMath(ev.priority, `in the priority of event ${ev.id}`);
    const seen = new Set<string>();
    for (const a of ev.assignments) {
      const what = `event ${ev.id}`;
      const k = checkTarget(a.variable, `an assignment in ${what}`, a.loc);
      if (k?.constant) {
        err(
          'constant-target',
          `event ${ev.id} assigns to '${a.variable}', which is constant (declare it 'var')`,
          a.loc,
        );
      }
      if (assignmentRule.has(a.variable)) {
        err(
          'rule-conflict',
          `event ${ev.id} assigns to '${a.variable}', which is set by an assignment rule`,
          a.loc,
        );
      }
      if (seen.has(a.variable))
        err('duplicate-rule', `event ${ev.id} assigns to '${a.variable}' twice`, a.loc);
      seen.add(a.variable);
      checkMath(a.math, `in the assignment to ${a.variable} in event ${ev.id}`);
    }
  }

  // ---- values present
  for (const p of model.parameters) {
    if (p.value === undefined && !initial.has(p.id) && !assignmentRule.has(p.id)) {
      warn('no-value', `parameter ${p.id} has no value (give it one with '${p.id} = ...')`, p.loc);
    }
  }
  for (const s of model.species) {
    if (
      s.initialAmount === undefined &&
      s.initialConcentration === undefined &&
      !initial.has(s.id) &&
      !assignmentRule.has(s.id)
    ) {
      warn('no-value', `species ${s.id} has no initial value (give it one with '${s.id} = ...')`, s.loc);
    }
  }
  for (const c of model.compartments) {
    if (c.size === undefined && !initial.has(c.id) && !assignmentRule.has(c.id)) {
      warn('no-value', `compartment ${c.id} has no size (give it one with '${c.id} = ...')`, c.loc);
    }
  }

  checkUnits(model, known, diags);
  return diags;
}

/** Elementary cycles found by depth-first search, each reported once (rotated to start at its smallest id). */
function findCycles(graph: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
  const out: string[][] = [];
  const seen = new Set<string>();
  const state = new Map<string, number>(); // 1 on stack, 2 done
  const stack: string[] = [];
  const dfs = (v: string) => {
    state.set(v, 1);
    stack.push(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      const st = state.get(w);
      if (st === 1) {
        const cyc = stack.slice(stack.indexOf(w));
        const min = cyc.indexOf([...cyc].sort()[0]);
        const rot = [...cyc.slice(min), ...cyc.slice(0, min)];
        const key = rot.join('\u0000');
        if (!seen.has(key)) {
          seen.add(key);
          out.push(rot);
        }
      } else if (st === undefined) dfs(w);
    }
    stack.pop();
    state.set(v, 2);
  };
  for (const v of graph.keys()) if (!state.has(v)) dfs(v);
  return out;
}

// ---------------------------------------------------------------- units

function checkUnits(model: Model, known: ReadonlyMap<string, Known>, diags: Diagnostic[]): void {
  const table = new UnitTable(model);
  const err = (code: string, message: string, loc?: SourceLoc) =>
    diags.push(loc ? { severity: 'error', code, message, loc } : { severity: 'error', code, message });
  const warn = (message: string, loc?: SourceLoc) =>
    diags.push(
      loc
        ? { severity: 'warning', code: 'units', message, loc }
        : { severity: 'warning', code: 'units', message },
    );

  const ref = (id: string | undefined, what: string, loc?: SourceLoc): Unit | undefined => {
    if (id === undefined) return undefined;
    const u = table.lookup(id);
    if (!u)
      err(
        'unknown-unit',
        `unknown unit '${id}' ${what}${didYouMean(
          id,
          model.unitDefinitions.map((d) => d.id),
        )}`,
        loc,
      );
    return u;
  };
  for (const u of model.unitDefinitions) {
    try {
      for (const t of u.terms) if (!table.has(t.kind)) throw new Error(t.kind);
    } catch (e) {
      err('unknown-unit', `unit ${u.id} uses unknown base unit '${(e as Error).message}'`, u.loc);
    }
  }
  const mu = model.units;
  const substance = ref(mu.substance, 'in substanceUnits', model.loc);
  const time = ref(mu.time, 'in timeUnits', model.loc);
  const volume = ref(mu.volume, 'in volumeUnits', model.loc);
  const area = ref(mu.area, 'in areaUnits', model.loc);
  const length = ref(mu.length, 'in lengthUnits', model.loc);
  const extent = ref(mu.extent, 'in extentUnits', model.loc) ?? substance;

  const compUnits = (c: Compartment | undefined): Unit | undefined => {
    if (!c) return undefined;
    const own = ref(c.units, `of compartment ${c.id}`, c.loc);
    if (own) return own;
    const dim = c.spatialDimensions ?? 3;
    if (dim === 3) return volume;
    if (dim === 2) return area;
    if (dim === 1) return length;
    if (dim === 0) return { factor: 1, dims: [0, 0, 0, 0, 0, 0, 0, 0] };
    return undefined;
  };
  const compartments = new Map(model.compartments.map((c) => [c.id, c]));
  const substanceOf = (s: Species): Unit | undefined =>
    ref(s.substanceUnits, `of species ${s.id}`, s.loc) ?? substance;
  const speciesUnits = (s: Species): Unit | undefined => {
    const sub = substanceOf(s);
    if (!sub) return undefined;
    if (s.hasOnlySubstanceUnits) return sub;
    const c = compartments.get(s.compartment);
    if (c && (c.spatialDimensions ?? 3) === 0) return sub;
    const cu = compUnits(c);
    return cu ? divide(sub, cu) : undefined;
  };
  const symUnits = new Map<string, Unit | undefined>();
  for (const c of model.compartments) symUnits.set(c.id, compUnits(c));
  for (const s of model.species) symUnits.set(s.id, speciesUnits(s));
  for (const p of model.parameters) symUnits.set(p.id, ref(p.units, `of parameter ${p.id}`, p.loc));
  for (const r of model.reactions) symUnits.set(r.id, extent && time ? divide(extent, time) : undefined);
  for (const [id, k] of known)
    if (k.kind === 'stoichiometry symbol') symUnits.set(id, { factor: 1, dims: [0, 0, 0, 0, 0, 0, 0, 0] });

  const named: { name: string; unit: Unit }[] = [];
  if (mu.substance && substance) named.push({ name: mu.substance, unit: substance });
  if (mu.volume && volume) named.push({ name: mu.volume, unit: volume });
  if (mu.time && time) named.push({ name: mu.time, unit: time });
  for (const c of model.compartments) {
    const u = symUnits.get(c.id);
    if (c.units && u && !named.some((n) => n.name === c.units)) named.push({ name: c.units, unit: u });
  }
  for (const s of model.species) {
    const u = substanceOf(s);
    if (s.substanceUnits && u && !named.some((n) => n.name === s.substanceUnits))
      named.push({ name: s.substanceUnits, unit: u });
  }
  for (const u of model.unitDefinitions) {
    const v = table.lookup(u.id);
    if (v && !named.some((n) => n.name === u.id)) named.push({ name: u.id, unit: v });
  }
  const fmt = (u: Unit) => formatUnit(u, named);
  const functions = new Map(model.functions.map((f) => [f.id, f]));

  const ctx = (locals?: ReadonlyMap<string, Unit | undefined>): UnitContext => ({
    symbol: (n) => (locals?.has(n) ? locals.get(n) : symUnits.get(n)),
    unit: (id) => table.lookup(id),
    time,
    func: (id) => functions.get(id),
    named,
    report: (issue) => err('units', issue.message, issue.loc),
  });

  /** Checks that `math` has the units `expected` (when both are known). */
  const expect = (
    math: Expr,
    expected: Unit | undefined,
    what: string,
    expectedWord: string | undefined,
    c: UnitContext,
    hint?: (got: Unit) => string,
  ) => {
    const got = inferUnits(math, c);
    if (!expected || got.kind !== 'known') return;
    const g = got.unit;
    if (sameUnit(g, expected)) return;
    const loc = exprStart(math);
    const desc = describeDimension(g);
    const exp = expectedWord ? `${expectedWord} (${fmt(expected)})` : fmt(expected);
    if (!sameDimension(g, expected)) {
      err(
        'units',
        `${what} has units ${fmt(g)}${desc ? ` (${desc})` : ''}, expected ${exp}${hint ? hint(g) : ''}`,
        loc,
      );
    } else if (!sameUnit(g, expected)) {
      warn(
        `${what} has units ${fmt(g)}, expected ${exp}: the values differ by a factor ${Number((g.factor / expected.factor).toPrecision(6))}`,
        loc,
      );
    }
  };
  const volumeHint = (expected: Unit) => (got: Unit) => {
    const ratio = divide(expected, got);
    if (sameDimension(ratio, { factor: 1, dims: [3, 0, 0, 0, 0, 0, 0, 0] }))
      return ': multiply by the compartment volume';
    if (sameDimension(ratio, { factor: 1, dims: [-3, 0, 0, 0, 0, 0, 0, 0] }))
      return ': divide by the compartment volume';
    return '';
  };

  const speciesIndex = new Map(model.species.map((s) => [s.id, s]));
  for (const r of model.reactions) {
    const locals = new Map<string, Unit | undefined>();
    for (const p of r.localParameters)
      locals.set(p.id, ref(p.units, `of local parameter ${r.id}.${p.id}`, p.loc));
    const c = ctx(locals);
    const first = [...r.reactants, ...r.products][0];
    const sp = first ? speciesIndex.get(first.species) : undefined;
    const ext = ref(mu.extent, '', undefined) ?? (sp ? substanceOf(sp) : substance);
    const expected = ext && time ? divide(ext, time) : undefined;
    const k = r.kinetics;
    if (k?.kind === 'law') {
      expect(
        k.math,
        expected,
        `rate law of ${r.id}`,
        'substance/time',
        c,
        expected ? volumeHint(expected) : undefined,
      );
    } else if (k?.kind === 'massAction') {
      inferUnits(k.forward, c);
      if (k.reverse) inferUnits(k.reverse, c);
    }
  }
  const varUnits = (id: string) => symUnits.get(id);
  for (const rule of model.rules) {
    if (rule.kind === 'algebraic') {
      inferUnits(rule.math, ctx());
    } else if (rule.kind === 'assignment') {
      expect(rule.math, varUnits(rule.variable), `assignment rule for ${rule.variable}`, undefined, ctx());
    } else {
      const v = varUnits(rule.variable);
      const expected = v && time ? divide(v, time) : undefined;
      expect(rule.math, expected, `rate rule for ${rule.variable}`, `${rule.variable}/time`, ctx());
    }
  }
  for (const ia of model.initialAssignments) {
    expect(ia.math, varUnits(ia.symbol), `initial assignment of ${ia.symbol}`, undefined, ctx());
  }
  for (const ev of model.events) {
    inferUnits(ev.trigger.math, ctx());
    if (ev.delay) expect(ev.delay, time, `delay of event ${ev.id}`, 'time', ctx());
    if (ev.priority) inferUnits(ev.priority, ctx());
    for (const a of ev.assignments) {
      expect(a.math, varUnits(a.variable), `assignment to ${a.variable} in event ${ev.id}`, undefined, ctx());
    }
  }
  for (const f of model.functions) {
    // Argument units are unknown here; this only checks the built-in function arguments inside the body.
    inferUnits(f.body, { ...ctx(), symbol: () => undefined });
  }
}
