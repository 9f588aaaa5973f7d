/**
 * A model's reactions as stochastic propensities (hazards, in firings per unit time) for the exact engines.
 *
 * Conventions (documented in docs/stochastic.md):
 *  - A rate law given as a formula (`kinetics.kind === 'law'`, everything SBML files contain) IS the
 *    propensity: it is evaluated as written, in substance per time with the usual meaning of the symbols, and
 *    species amounts are molecule counts. This is the SBML / DSMTS convention: the DSMTS models are built so
 *    that their kinetic laws are the propensities (for example `k1*P*(P-1)/2` for 2P -> P2), with species
 *    declared `hasOnlySubstanceUnits="true"` so that symbols are counts. A law that becomes negative (a net
 *    rate of a reversible reaction) is an error at run time: split such a reaction in two.
 *  - Mass action (`kinetics.kind === 'massAction'`, `mass_action(k)` in the model language) is read with
 *    falling factorials, as the IR specifies: a = k * prod_i x_i (x_i - 1) ... (x_i - s_i + 1) over reactants
 *    with amounts (counts) x_i and integer stoichiometries s_i, e.g. k*x*(x-1) for 2A -> .... The ODE engines
 *    read the same reaction as k * prod_i S_i^s_i, so for amount species one `k` means the same thing in both
 *    engines: the propensity tends to the ODE rate as counts grow (Catalyst instead divides both by s_i!; we
 *    keep SBML's k * S^s for the ODE and match it). For concentration species the ODE constant carries volume
 *    factors: to reproduce the mean-field ODE k_d * prod [S_i]^s_i in a volume V with amounts in molecules use
 *    k = k_d / V^(sum_i s_i - 1). A reversible mass-action reaction becomes two jump reactions (forward with
 *    k, reverse with kr on the products).
 *  - A propensity that reads `time` (directly or through rules) is flagged time-dependent.
 *  - Reactions change state by their stoichiometry times conversion factors, as `compileModel` computes it
 *    (evaluated with the initial parameter values).
 */
import type { Expr } from '../../numerics/expr/ast.js';
import { buildFunction, Emitter } from '../../numerics/expr/codegen.js';
import { freeSymbols, usesTime } from '../../numerics/expr/free-symbols.js';
import type { Propensity, PropensityInto } from '../../numerics/ssa/problem.js';
import type { Model, SpeciesReference } from '../ir.js';
import type { CompiledModel } from './compile.js';
import { Lowerer, loweredResolver, paramName, stateIndexOf } from './lower.js';
import { buildScalarFunction } from './rhs.js';
import { buildLayout } from './state-layout.js';

export interface StochasticReactions {
  /** One jump reaction per model reaction, plus one per reverse direction of a reversible mass-action one. */
  readonly propensities: Propensity[];
  /** All propensities as one generated switch (the engines' fast path); absent for very large networks. */
  readonly propensityInto?: PropensityInto;
  /** Lowered propensity formulas (over `$y<i>`, `$p<j>`, time). */
  readonly exprs: Expr[];
  /** Model reaction behind each jump reaction, and +1 / -1 for the forward / reverse direction. */
  readonly reaction: Int32Array;
  readonly direction: Int8Array;
  readonly names: string[];
  /** State indices each propensity reads. */
  readonly reads: number[][];
  /** Net state change of each jump reaction as [state index, delta]. */
  readonly changes: [number, number][][];
  readonly timeDependent: Uint8Array;
}

/** Above this many jump reactions the one-function switch is not generated (V8 optimizes huge functions badly). */
const MAX_SWITCH = 2000;

/** `(j, t, y, p, out)` writing out[j] = a_j: one case per reaction, each with its own temporaries. */
function buildInto(exprs: readonly Expr[]): PropensityInto {
  const cases = exprs.map((e, j) => {
    const em = new Emitter(loweredResolver, 't', `v${j}_`);
    const v = em.value(e);
    return `case ${j}: {\n${em.body()}\nout[${j}] = ${v};\nreturn;\n}`;
  });
  return buildFunction(['j', 't', 'y', 'p', 'out'], `switch (j) {\n${cases.join('\n')}\n}`) as PropensityInto;
}

const num = (value: number): Expr => ({ kind: 'num', value });
const times = (...args: Expr[]): Expr => ({ kind: 'call', op: 'times', args });
const minus = (a: Expr, b: Expr): Expr => ({ kind: 'call', op: 'minus', args: [a, b] });

export function compilePropensities(model: Model, compiled: CompiledModel): StochasticReactions {
  const layout = buildLayout(model);
  const lowerer = new Lowerer(model, layout);
  const out: StochasticReactions = {
    propensities: [],
    exprs: [],
    reaction: new Int32Array(0),
    direction: new Int8Array(0),
    names: [],
    reads: [],
    changes: [],
    timeDependent: new Uint8Array(0),
  };
  const reaction: number[] = [];
  const direction: number[] = [];
  const td: number[] = [];

  // Net stoichiometry per model reaction from the compiled model.
  const st = compiled.stoichiometry;
  const net: [number, number][][] = model.reactions.map(() => []);
  for (let q = 0; q < st.reaction.length; q++) net[st.reaction[q]].push([st.state[q], st.coefficient[q]]);

  /** The amount (count) of a species as an expression. */
  const amount = (id: string, rid: string): Expr => {
    const info = layout.symbols.get(id);
    if (!info) throw new Error(`reaction '${rid}': unknown species '${id}'`);
    if (info.where === 'y') return lowerer.yVar(info.index);
    if (info.where === 'p') return { kind: 'sym', name: paramName(info.index) };
    return lowerer.symbol(id);
  };
  /** k * prod x (x - 1) ... (x - s + 1) over the given side: the propensity whose large-count limit is k * prod x^s. */
  const combinatorial = (k: Expr, refs: readonly SpeciesReference[], rid: string): Expr => {
    const factors: Expr[] = [k];
    for (const ref of refs) {
      const s = ref.stoichiometry;
      if (ref.id || !Number.isInteger(s) || s < 0)
        throw new Error(
          `reaction '${rid}': mass action needs constant non-negative integer stoichiometries for stochastic simulation ('${ref.species}' has ${ref.id ?? s})`,
        );
      const x = amount(ref.species, rid);
      for (let i = 0; i < s; i++) factors.push(i === 0 ? x : minus(x, num(i)));
    }
    return times(...factors);
  };

  const push = (e: Expr, k: number, dir: 1 | -1, name: string): void => {
    out.exprs.push(e);
    out.propensities.push(buildScalarFunction(e));
    reaction.push(k);
    direction.push(dir);
    out.names.push(name);
    const reads = new Set<number>();
    for (const s of freeSymbols(e)) {
      const i = stateIndexOf(s);
      if (i >= 0) reads.add(i);
    }
    out.reads.push([...reads].sort((a, b) => a - b));
    out.changes.push(net[k].map(([i, d]) => [i, dir * d]));
    td.push(usesTime(e) ? 1 : 0);
  };

  model.reactions.forEach((r, k) => {
    const kin = r.kinetics;
    if (!kin) {
      push(num(0), k, 1, r.id);
      return;
    }
    if (kin.kind === 'law') {
      push(lowerer.rate(k), k, 1, r.id);
      return;
    }
    const ctx = `reaction '${r.id}'`;
    push(combinatorial(lowerer.expr(kin.forward, r.id, ctx), r.reactants, r.id), k, 1, r.id);
    if (kin.reverse)
      push(combinatorial(lowerer.expr(kin.reverse, r.id, ctx), r.products, r.id), k, -1, `${r.id}(reverse)`);
  });
  return {
    ...out,
    propensityInto: out.exprs.length <= MAX_SWITCH ? buildInto(out.exprs) : undefined,
    reaction: Int32Array.from(reaction),
    direction: Int8Array.from(direction),
    timeDependent: Uint8Array.from(td),
  };
}
