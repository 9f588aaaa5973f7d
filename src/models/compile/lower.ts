/**
 * Lowering: model formulas -> expressions over the run-time vectors.
 *
 * A lowered expression contains only numbers, `time`, and the internal symbols `$y<i>` (state component i)
 * and `$p<j>` (parameter-vector entry j). Function definitions are inlined, local parameters shadow globals,
 * species symbols become amount / compartment size where they mean concentrations, reaction ids become the
 * reaction's rate, `rateOf` is resolved, and assignment-rule variables are replaced by their (lowered)
 * formulas. Lowered formulas are shared objects, so the result is a DAG: a rule used by ten rate laws is one
 * node, which the code generator computes once and the differentiator differentiates once (this is the
 * chain rule through assignment rules "by substitution").
 */
import type { Expr } from '../../numerics/expr/ast.js';
import { differentiate, TIME_VARIABLE } from '../../numerics/expr/differentiate.js';
import { freeSymbols } from '../../numerics/expr/free-symbols.js';
import { makeInliner } from '../../numerics/expr/inline.js';
import { simplify } from '../../numerics/expr/simplify.js';
import type { Model, Reaction, SpeciesReference } from '../ir.js';
import { where } from './rules.js';
import { isConcentration, type Layout } from './state-layout.js';

const n = (value: number): Expr => ({ kind: 'num', value });
const call = (op: 'plus' | 'times' | 'divide' | 'power' | 'minus', ...args: Expr[]): Expr => ({
  kind: 'call',
  op,
  args,
});

/** An error already prefixed with the model element it concerns. */
export class ModelCompileError extends Error {
  override name = 'ModelCompileError';
}

export const stateName = (i: number): string => `$y${i}`;
export const paramName = (j: number): string => `$p${j}`;

/** Resolver from lowered symbol names to array reads in generated code. */
export function loweredResolver(name: string): string {
  if (name.startsWith('$y')) return `y[${name.slice(2)}]`;
  if (name.startsWith('$p')) return `p[${name.slice(2)}]`;
  throw new Error(`internal: unlowered symbol '${name}'`);
}

/** Index of the state component of a lowered symbol name, or -1. */
export const stateIndexOf = (name: string): number => (name.startsWith('$y') ? Number(name.slice(2)) : -1);

export class Lowerer {
  readonly inline: (e: Expr) => Expr;
  private readonly ySyms: Expr[];
  private readonly pSyms: Expr[];
  private readonly symMemo = new Map<string, Expr>();
  private readonly symStack: string[] = [];
  private readonly exprMemo = new Map<string, Map<Expr, Expr>>();
  private readonly rates: (Expr | undefined)[];
  private readonly rateStack: number[] = [];
  private readonly derivs: (Expr | undefined)[];
  private readonly derivStack: number[] = [];
  private readonly reactionIndex: Map<string, number>;

  constructor(
    readonly model: Model,
    readonly layout: Layout,
  ) {
    this.inline = makeInliner(model.functions);
    this.ySyms = layout.stateIds.map((_, i) => ({ kind: 'sym', name: stateName(i) }));
    this.pSyms = layout.parameterIds.map((_, j) => ({ kind: 'sym', name: paramName(j) }));
    this.rates = model.reactions.map(() => undefined);
    this.derivs = layout.stateIds.map(() => undefined);
    this.reactionIndex = new Map(model.reactions.map((r, k) => [r.id, k]));
  }

  yVar(i: number): Expr {
    return this.ySyms[i];
  }

  /** The amount of a species (not assignment-ruled) as stored. */
  private stored(id: string): Expr {
    const info = this.layout.symbols.get(id)!;
    return info.where === 'y' ? this.ySyms[info.index] : this.pSyms[info.index];
  }

  /** Lowered value of a symbol as formulas see it. `scope`: a reaction id, for its local parameters. */
  symbol(name: string, scope?: string, loc?: Expr['loc']): Expr {
    if (scope !== undefined) {
      const local = this.layout.locals.get(scope)?.get(name);
      if (local) return this.pSyms[local.index];
    }
    const hit = this.symMemo.get(name);
    if (hit) return hit;
    const info = this.layout.symbols.get(name);
    if (!info)
      throw new Error(`unknown symbol '${name}'${where(loc)}${scope ? ` in reaction '${scope}'` : ''}`);
    if (this.symStack.includes(name))
      throw new Error(
        `assignment rules form a cycle: ${[...this.symStack.slice(this.symStack.indexOf(name)), name].join(' -> ')}${where(this.layout.assignmentRules.get(name)?.loc)}`,
      );
    this.symStack.push(name);
    let out: Expr;
    if (info.kind === 'reaction') {
      out = this.rate(this.reactionIndex.get(name)!);
    } else if (info.where === 'rule') {
      const rule = this.layout.assignmentRules.get(name)!;
      out = this.expr(rule.math, undefined, `assignment rule for '${name}'`);
    } else if (info.kind === 'species' && isConcentration(info.species!, this.model)) {
      out = call('divide', this.stored(name), this.symbol(info.species!.compartment));
    } else {
      out = this.stored(name);
    }
    this.symStack.pop();
    this.symMemo.set(name, out);
    return out;
  }

  /** Lower a formula (inlining functions first). `context` names the element in error messages. */
  expr(e: Expr, scope?: string, context?: string): Expr {
    const key = scope ?? '';
    let memo = this.exprMemo.get(key);
    if (!memo) this.exprMemo.set(key, (memo = new Map()));
    let inlined: Expr;
    try {
      inlined = this.inline(e);
    } catch (err) {
      throw new Error(`${context ?? 'formula'}: ${(err as Error).message}`);
    }
    const m = memo;
    const go = (x: Expr): Expr => {
      const hit = m.get(x);
      if (hit) return hit;
      let out: Expr = x;
      switch (x.kind) {
        case 'sym':
          out = this.symbol(x.name, scope, x.loc);
          break;
        case 'avogadro':
          out = x;
          break;
        case 'call':
          if (x.op === 'delay')
            throw new Error(`${context ?? 'formula'}: delay() is not supported (yet)${where(x.loc)}`);
          if (x.op === 'rateOf') {
            const arg = x.args[0];
            if (x.args.length !== 1 || arg.kind !== 'sym')
              throw new Error(`${context ?? 'formula'}: rateOf needs one symbol argument${where(x.loc)}`);
            out = this.rateOf(arg.name, scope);
          } else {
            const args = x.args.map(go);
            out = args.some((a, i) => a !== x.args[i]) ? { ...x, args } : x;
          }
          break;
        case 'piecewise':
          out = {
            ...x,
            pieces: x.pieces.map((p) => ({ value: go(p.value), condition: go(p.condition) })),
            otherwise: x.otherwise ? go(x.otherwise) : undefined,
          };
          break;
        default:
          break;
      }
      m.set(x, out);
      return out;
    };
    try {
      return go(inlined);
    } catch (err) {
      // Name the innermost element once; outer formulas rethrow unchanged.
      if (err instanceof ModelCompileError || !context) throw err;
      throw new ModelCompileError(`${context}: ${(err as Error).message}`);
    }
  }

  /** Stoichiometry of a species reference (its id's value when it has one). */
  stoichiometry(ref: SpeciesReference): Expr {
    return ref.id ? this.symbol(ref.id) : n(ref.stoichiometry);
  }

  /** Lowered rate of reaction k (substance per time). A reaction without kinetics has rate 0. */
  rate(k: number): Expr {
    const hit = this.rates[k];
    if (hit) return hit;
    const r = this.model.reactions[k];
    if (this.rateStack.includes(k))
      throw new Error(`reaction '${r.id}': its rate depends on itself${where(r.loc)}`);
    this.rateStack.push(k);
    const out = this.buildRate(r);
    this.rateStack.pop();
    this.rates[k] = out;
    return out;
  }

  private buildRate(r: Reaction): Expr {
    const kin = r.kinetics;
    const ctx = `reaction '${r.id}'`;
    if (!kin) return n(0);
    if (kin.kind === 'law') return this.expr(kin.math, r.id, ctx);
    // Mass action: k * prod(S^s) - kr * prod(P^s), species symbols with the usual meaning.
    const side = (refs: readonly SpeciesReference[]): Expr[] =>
      refs.map((ref) => {
        const s = this.symbol(ref.species, r.id);
        const st = this.stoichiometry(ref);
        return st.kind === 'num' && st.value === 1 ? s : call('power', s, st);
      });
    const fwd = call('times', this.expr(kin.forward, r.id, ctx), ...side(r.reactants));
    if (!kin.reverse) return fwd;
    return call('minus', fwd, call('times', this.expr(kin.reverse, r.id, ctx), ...side(r.products)));
  }

  /** Lowered right-hand side of state component i. */
  derivative(i: number): Expr {
    const hit = this.derivs[i];
    if (hit) return hit;
    const id = this.layout.stateIds[i];
    if (this.derivStack.includes(i))
      throw new Error(`rateOf: the rate of '${id}' depends on itself (through rateOf)`);
    this.derivStack.push(i);
    const out = this.buildDerivative(i, id);
    this.derivStack.pop();
    this.derivs[i] = out;
    return out;
  }

  private buildDerivative(i: number, id: string): Expr {
    const info = this.layout.symbols.get(id)!;
    const rr = this.layout.rateRules.get(id);
    if (rr) {
      const rhs = this.expr(rr.math, undefined, `rate rule for '${id}'`);
      const s = info.species;
      if (!s || !isConcentration(s, this.model)) return rhs;
      // Rate rule on a concentration c = amount / V: d amount/dt = V dc/dt + c dV/dt (SBML: the rule gives
      // dc/dt; the amount follows from c and V). dV/dt is rateOf(V): 0 for a constant compartment.
      const V = this.symbol(s.compartment);
      const dV = this.rateOf(s.compartment);
      return call('plus', call('times', V, rhs), call('times', call('divide', this.ySyms[i], V), dV));
    }
    // Species changed by reactions: sum of conversionFactor * stoichiometry * rate.
    const s = info.species!;
    const cf = s.conversionFactor ?? this.model.conversionFactor;
    let factor: Expr | undefined;
    try {
      factor = cf ? this.symbol(cf) : undefined;
    } catch (err) {
      throw new ModelCompileError(
        `conversion factor of species '${id}': ${(err as Error).message}${where(s.loc)}`,
      );
    }
    const terms: Expr[] = [];
    this.model.reactions.forEach((r, k) => {
      let st: Expr | undefined;
      const add = (x: Expr, sign: number): void => {
        const term = x.kind === 'num' ? n(sign * x.value) : sign < 0 ? call('minus', x) : x;
        st = st ? call('plus', st, term) : term;
      };
      for (const ref of r.reactants) if (ref.species === id) add(this.stoichiometry(ref), -1);
      for (const ref of r.products) if (ref.species === id) add(this.stoichiometry(ref), 1);
      if (!st) return;
      const parts = [st, this.rate(k)];
      if (factor) parts.unshift(factor);
      terms.push(simplify(call('times', ...parts)));
    });
    return terms.length === 0 ? n(0) : terms.length === 1 ? terms[0] : call('plus', ...terms);
  }

  /**
   * rateOf(x): the time derivative of x's value. For a state it is its right-hand side; for anything else it
   * is the total derivative of its lowered value along the flow: sum_j d x/d y_j * f_j + d x/d t. Constants
   * give 0. (A parameter changed only by events has rate 0 between events, as SBML says.)
   */
  rateOf(name: string, scope?: string): Expr {
    const L = this.symbol(name, scope);
    const terms: Expr[] = [];
    for (const s of freeSymbols(L)) {
      const i = stateIndexOf(s);
      if (i < 0) continue;
      terms.push(call('times', differentiate(L, s), this.derivative(i)));
    }
    terms.push(differentiate(L, TIME_VARIABLE));
    return simplify(call('plus', ...terms));
  }
}
