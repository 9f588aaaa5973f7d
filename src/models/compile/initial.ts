/**
 * Initial values: the values of every quantity at the start time, from literal values, initial
 * assignments and assignment rules, evaluated together in one dependency order (an initial assignment may
 * read an assignment-rule variable, which may read another initial assignment, ...). A reaction id in an
 * initial value means the reaction's rate at the start time, evaluated in that same order.
 *
 * The generated function `init(t, p, keep, y)` reads the parameter vector p (so parameter overrides
 * propagate into initial assignments), writes y (the initial state) and overwrites the p entries that are
 * computed at the start (entries with an initial assignment, and species given as initial concentrations,
 * whose amount depends on the compartment size) unless `keep[j]` is set.
 */
import type { Expr } from '../../numerics/expr/ast.js';
import { buildFunction, Emitter } from '../../numerics/expr/codegen.js';
import { containsOp, freeSymbols } from '../../numerics/expr/free-symbols.js';
import { substitute, substituteCalls } from '../../numerics/expr/substitute.js';
import type { Model } from '../ir.js';
import type { Lowerer } from './lower.js';
import { topologicalOrder, where } from './rules.js';
import { isConcentration, type Layout } from './state-layout.js';

export type InitFn = (
  t: number,
  p: Float64Array,
  keep: ArrayLike<number | boolean> | undefined,
  y: Float64Array,
) => void;

const n = (value: number): Expr => ({ kind: 'num', value });
const c = (op: 'times' | 'divide', a: Expr, b: Expr): Expr => ({ kind: 'call', op, args: [a, b] });
const P = (j: number): Expr => ({ kind: 'sym', name: `$p${j}` });

export interface InitialSystem {
  readonly init: InitFn;
  /** Literal parameter vector (before initial assignments). */
  readonly pLiteral: Float64Array;
}

export function buildInitial(model: Model, layout: Layout, lowerer: Lowerer): InitialSystem {
  const ias = new Map<string, (typeof model.initialAssignments)[number]>();
  for (const ia of model.initialAssignments) {
    const info = layout.symbols.get(ia.symbol);
    if (!info || info.kind === 'reaction')
      throw new Error(`initial assignment to unknown symbol '${ia.symbol}'${where(ia.loc)}`);
    if (info.where === 'rule')
      throw new Error(`initial assignment to '${ia.symbol}', which has an assignment rule${where(ia.loc)}`);
    if (ias.has(ia.symbol)) throw new Error(`'${ia.symbol}' has two initial assignments${where(ia.loc)}`);
    ias.set(ia.symbol, ia);
  }

  // rateOf(x) in an initial value: the lowered rate, with run-time vector reads mapped back to symbols.
  const amountOf = (id: string): Expr => {
    const sp = layout.symbols.get(id)?.species;
    return sp && isConcentration(sp, model)
      ? {
          kind: 'call',
          op: 'times',
          args: [
            { kind: 'sym', name: id },
            { kind: 'sym', name: sp.compartment },
          ],
        }
      : { kind: 'sym', name: id };
  };
  const unlower = (e: Expr): Expr =>
    substitute(e, (name) => {
      if (name.startsWith('$y')) return amountOf(layout.stateIds[Number(name.slice(2))]);
      const id = layout.parameterIds[Number(name.slice(2))];
      return layout.symbols.has(id) ? amountOf(id) : undefined;
    });
  const prepare = (e: Expr): Expr => {
    const inlined = lowerer.inline(e);
    if (!containsOp(inlined, 'rateOf')) return inlined;
    return substituteCalls(inlined, 'rateOf', (args) => {
      const a = args[0];
      if (args.length !== 1 || a.kind !== 'sym') throw new Error('rateOf needs one symbol argument');
      return unlower(lowerer.rateOf(a.name));
    });
  };

  const pLiteral = new Float64Array(layout.parameterIds.length).fill(NaN);
  // Local parameters.
  for (const m of layout.locals.values())
    for (const info of m.values()) pLiteral[info.index] = info.parameter?.value ?? NaN;

  // Definition (symbol value) of every symbol, in terms of model symbol names and $p<j>.
  const defs = new Map<string, { expr: Expr; keepable: boolean; fromP?: Expr }>();
  const ids: string[] = [];
  for (const info of layout.symbols.values()) {
    if (info.kind === 'reaction') continue;
    ids.push(info.id);
    const ia = ias.get(info.id);
    const inP = info.where === 'p';
    const s = info.species;
    const conc = s ? isConcentration(s, model) : false;
    const V: Expr = s ? { kind: 'sym', name: s.compartment } : n(NaN);
    // Symbol value from a stored amount.
    const fromAmount = (amount: Expr): Expr => (conc ? c('divide', amount, V) : amount);
    const literal = (): number | undefined =>
      info.parameter?.value ?? info.compartment?.size ?? info.speciesReference?.stoichiometry;
    if (inP && !s) pLiteral[info.index] = literal() ?? NaN;
    if (inP && s) pLiteral[info.index] = s.initialAmount ?? NaN;
    const fromP = inP ? (s ? fromAmount(P(info.index)) : P(info.index)) : undefined;
    if (ia) {
      defs.set(info.id, { expr: prepare(ia.math), keepable: inP, fromP });
    } else if (info.where === 'rule') {
      defs.set(info.id, { expr: prepare(layout.assignmentRules.get(info.id)!.math), keepable: false });
    } else if (s) {
      let expr: Expr;
      if (s.initialAmount !== undefined) expr = inP ? fromP! : fromAmount(n(s.initialAmount));
      else if (s.initialConcentration !== undefined)
        expr = conc ? n(s.initialConcentration) : c('times', n(s.initialConcentration), V);
      else expr = n(NaN);
      defs.set(info.id, { expr, keepable: inP && s.initialAmount === undefined, fromP });
    } else if (inP) {
      defs.set(info.id, { expr: fromP!, keepable: false });
    } else {
      defs.set(info.id, { expr: n(literal() ?? NaN), keepable: false });
    }
  }
  // Reaction ids in initial values mean the rate at the start: its lowered rate law with run-time reads
  // mapped back to symbols, evaluated in the same dependency order as everything else.
  const reactionIndex = new Map(model.reactions.map((r, k) => [r.id, k]));
  for (const [id, d] of [...defs]) {
    for (const s of freeSymbols(d.expr)) {
      const info = layout.symbols.get(s);
      if (s.startsWith('$p')) continue;
      if (!info) throw new Error(`initial value of '${id}': unknown symbol '${s}'`);
      if (info.kind === 'reaction' && !defs.has(s)) {
        defs.set(s, { expr: unlower(lowerer.rate(reactionIndex.get(s)!)), keepable: false });
        ids.push(s);
      }
    }
  }
  const deps = (id: string): string[] => {
    const d = defs.get(id)!;
    const out = [...freeSymbols(d.expr)];
    if (d.fromP) out.push(...freeSymbols(d.fromP));
    const s = layout.symbols.get(id)?.species;
    if (s) out.push(s.compartment);
    return out;
  };
  const order = topologicalOrder(
    ids,
    deps,
    'initial assignments and assignment rules',
    (id) => ias.get(id)?.loc,
  );

  const local = new Map<string, string>();
  const em = new Emitter(
    (name) => {
      if (name.startsWith('$p')) return `p[${name.slice(2)}]`;
      const v = local.get(name);
      if (v === undefined) throw new Error(`initial values: '${name}' is used before it is defined`);
      return v;
    },
    't',
    'v',
  );
  for (const [k, id] of order.entries()) {
    const d = defs.get(id)!;
    const info = layout.symbols.get(id)!;
    let code: string;
    try {
      code = em.value(d.expr);
    } catch (err) {
      throw new Error(`initial value of '${id}': ${(err as Error).message}`);
    }
    const name = `s${k}`;
    if (d.keepable && d.fromP) {
      const kept = em.value(d.fromP);
      em.statement(`const ${name} = keep !== undefined && keep[${info.index}] ? ${kept} : ${code};`);
    } else em.statement(`const ${name} = ${code};`);
    local.set(id, name);
  }
  // Writes: amounts for species, values otherwise.
  for (const id of order) {
    const info = layout.symbols.get(id)!;
    if (info.where === 'rule' || info.where === 'reaction') continue;
    const d = defs.get(id)!;
    if (info.where === 'p' && d.expr === d.fromP) continue; // read from p, nothing to write
    const s = info.species;
    const v = local.get(id)!;
    const value = s && isConcentration(s, model) ? `${v} * ${local.get(s.compartment)}` : v;
    if (info.where === 'y') em.statement(`y[${info.index}] = ${value};`);
    else if (d.keepable)
      em.statement(`if (keep === undefined || !keep[${info.index}]) p[${info.index}] = ${value};`);
    else em.statement(`p[${info.index}] = ${value};`);
  }
  const init = buildFunction(['t', 'p', 'keep', 'y'], em.body()) as InitFn;
  return { init, pLiteral };
}
