/**
 * Where every model quantity lives at run time.
 *
 *  - `y` (the ODE state): species amounts changed by reactions (neither boundary nor constant) or by a rate
 *    rule, and parameters/compartments/species references with a rate rule.
 *  - `p` (the mutable parameter vector): everything else that has a value - parameters, compartment sizes,
 *    amounts of species not in y and without assignment rule, species-reference stoichiometries with an id,
 *    and local parameters (as `reaction.param`, so they can be scanned and overridden). Events mutate p in
 *    place.
 *  - `rule`: assignment-rule variables, computed from y, p and t wherever they are needed.
 *
 * Species are always stored as amounts; the symbol of a species with hasOnlySubstanceUnits = false means
 * amount / compartment size (except in 0-dimensional compartments, where it means the amount).
 */
import type {
  AssignmentRule,
  Compartment,
  Model,
  Parameter,
  RateRule,
  Reaction,
  Species,
  SpeciesReference,
} from '../ir.js';
import { where } from './rules.js';

export type SymbolKind =
  | 'species'
  | 'compartment'
  | 'parameter'
  | 'localParameter'
  | 'speciesReference'
  | 'reaction';

export interface SymbolInfo {
  readonly id: string;
  readonly kind: SymbolKind;
  where: 'y' | 'p' | 'rule' | 'reaction';
  index: number;
  readonly species?: Species;
  readonly compartment?: Compartment;
  readonly parameter?: Parameter;
  readonly speciesReference?: SpeciesReference;
  readonly reaction?: Reaction;
  readonly constant: boolean;
  readonly loc?: Model['loc'];
}

export interface Layout {
  readonly symbols: Map<string, SymbolInfo>;
  /** Local parameters by reaction id then parameter id. */
  readonly locals: Map<string, Map<string, SymbolInfo>>;
  readonly stateIds: string[];
  readonly parameterIds: string[];
  readonly assignmentRules: Map<string, AssignmentRule>;
  readonly rateRules: Map<string, RateRule>;
  /** For each state index: the species changed by reactions (undefined for pure rate-rule states). */
  readonly reactionSpecies: Set<string>;
}

/** True when a species symbol means amount / size. */
export function isConcentration(s: Species, model: Model): boolean {
  if (s.hasOnlySubstanceUnits) return false;
  const c = model.compartments.find((x) => x.id === s.compartment);
  return c?.spatialDimensions !== 0;
}

export function buildLayout(model: Model): Layout {
  const symbols = new Map<string, SymbolInfo>();
  const add = (info: SymbolInfo): void => {
    if (symbols.has(info.id)) throw new Error(`duplicate id '${info.id}'${where(info.loc)}`);
    symbols.set(info.id, info);
  };
  for (const c of model.compartments)
    add({
      id: c.id,
      kind: 'compartment',
      where: 'p',
      index: -1,
      compartment: c,
      constant: c.constant,
      loc: c.loc,
    });
  for (const s of model.species) {
    if (!model.compartments.some((c) => c.id === s.compartment))
      throw new Error(`species '${s.id}': unknown compartment '${s.compartment}'${where(s.loc)}`);
    add({ id: s.id, kind: 'species', where: 'p', index: -1, species: s, constant: s.constant, loc: s.loc });
  }
  for (const p of model.parameters)
    add({
      id: p.id,
      kind: 'parameter',
      where: 'p',
      index: -1,
      parameter: p,
      constant: p.constant,
      loc: p.loc,
    });
  for (const r of model.reactions) {
    add({
      id: r.id,
      kind: 'reaction',
      where: 'reaction',
      index: -1,
      reaction: r,
      constant: false,
      loc: r.loc,
    });
    for (const ref of [...r.reactants, ...r.products]) {
      if (symbols.get(ref.species)?.kind !== 'species')
        throw new Error(`reaction '${r.id}': unknown species '${ref.species}'${where(r.loc)}`);
      if (ref.id)
        add({
          id: ref.id,
          kind: 'speciesReference',
          where: 'p',
          index: -1,
          speciesReference: ref,
          constant: ref.constant ?? true,
          loc: r.loc,
        });
    }
    for (const m of r.modifiers)
      if (symbols.get(m)?.kind !== 'species')
        throw new Error(`reaction '${r.id}': unknown modifier species '${m}'${where(r.loc)}`);
  }

  const assignmentRules = new Map<string, AssignmentRule>();
  const rateRules = new Map<string, RateRule>();
  for (const rule of model.rules) {
    if (rule.kind === 'algebraic')
      throw new Error(
        `algebraic rules are not supported (yet)${where(rule.loc)}: ${JSON.stringify(rule.math).slice(0, 80)}`,
      );
    const info = symbols.get(rule.variable);
    const what = rule.kind === 'assignment' ? 'assignment rule' : 'rate rule';
    if (!info || info.kind === 'reaction')
      throw new Error(`${what} for unknown variable '${rule.variable}'${where(rule.loc)}`);
    if (info.constant) throw new Error(`${what} for '${rule.variable}', which is constant${where(rule.loc)}`);
    if (assignmentRules.has(rule.variable) || rateRules.has(rule.variable))
      throw new Error(`'${rule.variable}' has more than one rule${where(rule.loc)}`);
    if (rule.kind === 'rate' && info.kind === 'species' && !info.species?.boundaryCondition) {
      const r = model.reactions.find((x) =>
        [...x.reactants, ...x.products].some((ref) => ref.species === info.id),
      );
      if (r)
        throw new Error(
          `rate rule for species '${info.id}', which reaction '${r.id}' also changes (make it a boundary species)${where(rule.loc)}`,
        );
    }
    if (rule.kind === 'assignment') assignmentRules.set(rule.variable, rule);
    else rateRules.set(rule.variable, rule);
  }

  const reactionSpecies = new Set<string>();
  for (const r of model.reactions)
    for (const ref of [...r.reactants, ...r.products]) {
      const s = symbols.get(ref.species)?.species;
      if (s && !s.boundaryCondition && !s.constant) {
        if (assignmentRules.has(s.id))
          throw new Error(
            `species '${s.id}' is changed by reaction '${r.id}' and also set by an assignment rule${where(s.loc)}`,
          );
        reactionSpecies.add(s.id);
      }
    }

  const stateIds: string[] = [];
  const parameterIds: string[] = [];
  // States: species first, then compartments, parameters, species references (document order within a kind).
  // Parameters: parameters, compartments, species, species references, then local parameters.
  const rank = (k: SymbolKind, order: readonly SymbolKind[]): number => order.indexOf(k);
  const yOrder: SymbolKind[] = ['species', 'compartment', 'parameter', 'speciesReference'];
  const pOrder: SymbolKind[] = ['parameter', 'compartment', 'species', 'speciesReference'];
  const all = [...symbols.values()].filter((i) => i.kind !== 'reaction');
  const isState = (info: SymbolInfo): boolean =>
    !assignmentRules.has(info.id) && (rateRules.has(info.id) || reactionSpecies.has(info.id));
  const sorted = [
    ...all.filter(isState).sort((a, b) => rank(a.kind, yOrder) - rank(b.kind, yOrder)),
    ...all.filter((i) => !isState(i)).sort((a, b) => rank(a.kind, pOrder) - rank(b.kind, pOrder)),
  ];
  for (const info of sorted) {
    if (assignmentRules.has(info.id)) {
      info.where = 'rule';
    } else if (rateRules.has(info.id) || reactionSpecies.has(info.id)) {
      info.where = 'y';
      info.index = stateIds.length;
      stateIds.push(info.id);
    } else {
      info.where = 'p';
      info.index = parameterIds.length;
      parameterIds.push(info.id);
    }
  }
  const locals = new Map<string, Map<string, SymbolInfo>>();
  for (const r of model.reactions) {
    const m = new Map<string, SymbolInfo>();
    for (const lp of r.localParameters) {
      const id = `${r.id}.${lp.id}`;
      const info: SymbolInfo = {
        id,
        kind: 'localParameter',
        where: 'p',
        index: parameterIds.length,
        parameter: lp,
        constant: true,
        loc: lp.loc,
      };
      parameterIds.push(id);
      m.set(lp.id, info);
    }
    locals.set(r.id, m);
  }
  return { symbols, locals, stateIds, parameterIds, assignmentRules, rateRules, reactionSpecies };
}
