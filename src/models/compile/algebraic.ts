/**
 * Algebraic rules (0 = f) turned into assignment rules, when each can be solved symbolically for one
 * variable.
 *
 * The variable of an algebraic rule is, as SBML L3V2 section 4.11.5 prescribes, one that nothing else
 * determines: not constant, without an assignment or rate rule, not a species changed by reactions
 * (non-boundary), and not assigned by an event. Among the rules' free symbols (after inlining function definitions and substituting
 * assignment rules, so `0 = y - T` with `y := x + 1` determines x) the candidates are those variables in
 * which f is linear (`isolateLinear`); every rule is matched to a distinct candidate (a bipartite matching,
 * Kuhn's augmenting paths; candidates are tried in order of appearance), and rule k becomes the
 * assignment rule x_k = -b / a. A rule whose variable occurs nonlinearly, or a set of rules without such a
 * matching, is refused with a message naming the rule ("not supported"), since solving it would need a
 * DAE solver. An initial assignment to a variable so determined is dropped (the rule defines its value).
 */
import type { Expr } from '../../numerics/expr/ast.js';
import { freeSymbols } from '../../numerics/expr/free-symbols.js';
import { makeInliner } from '../../numerics/expr/inline.js';
import { isolateLinear } from '../../numerics/expr/isolate.js';
import { substitute } from '../../numerics/expr/substitute.js';
import type { AlgebraicRule, AssignmentRule, Model, Rule } from '../ir.js';
import { where } from './rules.js';

export function resolveAlgebraicRules(model: Model): Model {
  const algebraic = model.rules.filter((r): r is AlgebraicRule => r.kind === 'algebraic');
  if (algebraic.length === 0) return model;
  const inline = makeInliner(model.functions);

  // Variables determined otherwise.
  const determined = new Set<string>();
  for (const r of model.rules) if (r.kind !== 'algebraic') determined.add(r.variable);
  // Event assignments cannot target a variable that an algebraic rule determines (L3V2 section 4.12.4).
  for (const ev of model.events) for (const a of ev.assignments) determined.add(a.variable);
  for (const r of model.reactions)
    for (const ref of [...r.reactants, ...r.products]) {
      const s = model.species.find((x) => x.id === ref.species);
      if (s && !s.boundaryCondition) determined.add(s.id);
    }
  const variables = new Set<string>();
  for (const x of [...model.compartments, ...model.species, ...model.parameters])
    if (!x.constant && !determined.has(x.id)) variables.add(x.id);
  for (const r of model.reactions)
    for (const ref of [...r.reactants, ...r.products])
      if (ref.id && ref.constant === false && !determined.has(ref.id)) variables.add(ref.id);

  // Assignment rules substituted (recursively; a cycle is left for the lowerer to report).
  const assigned = new Map<string, Expr>();
  for (const r of model.rules) if (r.kind === 'assignment') assigned.set(r.variable, inline(r.math));
  const expanded = new Map<string, Expr>();
  const stack: string[] = [];
  const expand = (e: Expr): Expr =>
    substitute(e, (name) => {
      const def = assigned.get(name);
      if (!def || stack.includes(name)) return undefined;
      const hit = expanded.get(name);
      if (hit) return hit;
      stack.push(name);
      const out = expand(def);
      stack.pop();
      expanded.set(name, out);
      return out;
    });

  const fs = algebraic.map((r) => expand(inline(r.math)));
  const candidates: string[][] = [];
  const solutions: Map<string, Expr>[] = [];
  algebraic.forEach((r, k) => {
    const sol = new Map<string, Expr>();
    for (const x of freeSymbols(fs[k])) {
      if (!variables.has(x)) continue;
      const s = isolateLinear(fs[k], x);
      if (s) sol.set(x, s);
    }
    solutions.push(sol);
    candidates.push([...sol.keys()]);
    if (sol.size === 0) {
      const free = [...freeSymbols(fs[k])].filter((x) => variables.has(x));
      throw new Error(
        `algebraic rule${where(r.loc)}: not supported: ${
          free.length === 0
            ? 'every variable in it is already determined (constant, by a rule or by reactions)'
            : `it is not linear in any undetermined variable (${free.join(', ')}); solving it needs a DAE solver`
        }`,
      );
    }
  });

  // Match rules to distinct variables (Kuhn's algorithm).
  const owner = new Map<string, number>();
  const tryRule = (k: number, seen: Set<string>): boolean => {
    for (const x of candidates[k]) {
      if (seen.has(x)) continue;
      seen.add(x);
      const o = owner.get(x);
      if (o === undefined || tryRule(o, seen)) {
        owner.set(x, k);
        return true;
      }
    }
    return false;
  };
  for (let k = 0; k < algebraic.length; k++)
    if (!tryRule(k, new Set()))
      throw new Error(
        `algebraic rule${where(algebraic[k].loc)}: not supported: no variable left for it to determine (candidates ${candidates[k].join(', ')} are taken by other algebraic rules)`,
      );

  const replacement = new Map<AlgebraicRule, AssignmentRule>();
  for (const [x, k] of owner) {
    const r = algebraic[k];
    replacement.set(r, {
      kind: 'assignment',
      variable: x,
      math: solutions[k].get(x)!,
      ...(r.loc ? { loc: r.loc } : {}),
    });
  }
  const solved = new Set(owner.keys());
  return {
    ...model,
    rules: model.rules.map((r): Rule => (r.kind === 'algebraic' ? replacement.get(r)! : r)),
    initialAssignments: model.initialAssignments.filter((ia) => !solved.has(ia.symbol)),
  };
}
