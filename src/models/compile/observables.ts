/**
 * Observables: what a simulation reports. Every species as SBML reports it (its symbol value: the
 * concentration unless hasOnlySubstanceUnits, else the amount), every compartment size, every global
 * parameter (assignment-rule variables among them), then every reaction rate as `rate:<reactionId>`.
 */
import type { Expr } from '../../numerics/expr/ast.js';
import type { Model } from '../ir.js';
import type { Lowerer } from './lower.js';

export interface ObservableList {
  readonly ids: string[];
  readonly exprs: Expr[];
}

export function buildObservables(model: Model, lowerer: Lowerer): ObservableList {
  const ids: string[] = [];
  const exprs: Expr[] = [];
  for (const s of model.species) {
    ids.push(s.id);
    exprs.push(lowerer.symbol(s.id));
  }
  for (const c of model.compartments) {
    ids.push(c.id);
    exprs.push(lowerer.symbol(c.id));
  }
  for (const p of model.parameters) {
    ids.push(p.id);
    exprs.push(lowerer.symbol(p.id));
  }
  model.reactions.forEach((r, k) => {
    ids.push(`rate:${r.id}`);
    exprs.push(lowerer.rate(k));
  });
  return { ids, exprs };
}
