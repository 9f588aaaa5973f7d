/**
 * The reaction-network model: exoniche's one intermediate representation.
 *
 * Plain, serialisable data. It can hold everything SBML Level 3 Version 2 core expresses, so SBML import
 * and export are translations, not redesigns. Every front end (the model language in `models/text`, SBML
 * in `io/sbml`, programmatic builders) produces it; `models/validate` checks it; `models/compile` turns it
 * into fast numerical functions.
 *
 * State semantics follow SBML: reactions change species *amounts*; a species symbol in a formula means its
 * concentration (amount / compartment size) unless `hasOnlySubstanceUnits` is true.
 */
import type { Expr, SourceLoc } from '../numerics/expr/ast.js';

export type { Expr, SourceLoc };

/** Where a number comes from: a knowledge-base entry and/or a free-text citation. */
export interface Provenance {
  /** Knowledge-base key, e.g. `michor2005.d0`. */
  readonly kb?: string;
  /** Human-readable citation. */
  readonly citation?: string;
  /** Evidence tag: V verified primary, V2 secondary, T transcribed from code, C computed, R recalled, A assumed. */
  readonly evidence?: 'V' | 'V2' | 'T' | 'C' | 'R' | 'A';
  /** Identifiers (DOI, PMID) or MIRIAM URIs. */
  readonly refs?: readonly string[];
}

/** Fields shared by every identified model element. */
export interface Element {
  readonly id: string;
  readonly name?: string;
  readonly notes?: string;
  readonly sboTerm?: string;
  readonly source?: Provenance;
  readonly loc?: SourceLoc;
}

export interface UnitTerm {
  /** SBML base unit kind: metre, second, mole, item, gram, litre, dimensionless, ... */
  readonly kind: string;
  readonly exponent: number;
  readonly scale: number;
  readonly multiplier: number;
}

export interface UnitDefinition extends Element {
  readonly terms: readonly UnitTerm[];
}

export interface Compartment extends Element {
  readonly spatialDimensions?: number;
  /** Size (volume for 3 dimensions); undefined when set only by an initial assignment or rule. */
  readonly size?: number;
  readonly constant: boolean;
  readonly units?: string;
}

export interface Species extends Element {
  readonly compartment: string;
  readonly initialAmount?: number;
  readonly initialConcentration?: number;
  /** True: the symbol means an amount in formulas. False: it means a concentration. */
  readonly hasOnlySubstanceUnits: boolean;
  /** True: reactions do not change it (rules and events still may). */
  readonly boundaryCondition: boolean;
  readonly constant: boolean;
  readonly substanceUnits?: string;
  readonly conversionFactor?: string;
}

export interface Parameter extends Element {
  readonly value?: number;
  readonly constant: boolean;
  readonly units?: string;
}

export interface FunctionDefinition extends Element {
  readonly args: readonly string[];
  readonly body: Expr;
}

export interface InitialAssignment {
  readonly symbol: string;
  readonly math: Expr;
  readonly loc?: SourceLoc;
}

export type Rule = AssignmentRule | RateRule | AlgebraicRule;

/** variable = math, at all times. */
export interface AssignmentRule {
  readonly kind: 'assignment';
  readonly variable: string;
  readonly math: Expr;
  readonly loc?: SourceLoc;
}

/** d(variable)/dt = math. */
export interface RateRule {
  readonly kind: 'rate';
  readonly variable: string;
  readonly math: Expr;
  readonly loc?: SourceLoc;
}

/** 0 = math. */
export interface AlgebraicRule {
  readonly kind: 'algebraic';
  readonly math: Expr;
  readonly loc?: SourceLoc;
}

export interface SpeciesReference {
  readonly species: string;
  readonly stoichiometry: number;
  /** SBML L3 speciesReference id: a symbol whose value is the stoichiometry. */
  readonly id?: string;
  readonly constant?: boolean;
}

/**
 * A rate law. `law`: an explicit formula in substance per time. `massAction`: the shorthand
 * k * prod(reactant^stoich) (minus kr * prod(product^stoich) when reversible); the stochastic engines read
 * it with falling factorials (k * x(x-1)...(x-s+1) on counts), so the same k means the same thing in both.
 */
export type Kinetics =
  | { readonly kind: 'law'; readonly math: Expr }
  | { readonly kind: 'massAction'; readonly forward: Expr; readonly reverse?: Expr };

export interface Reaction extends Element {
  readonly reversible: boolean;
  readonly fast?: boolean;
  readonly compartment?: string;
  readonly reactants: readonly SpeciesReference[];
  readonly products: readonly SpeciesReference[];
  readonly modifiers: readonly string[];
  readonly kinetics?: Kinetics;
  /** Parameters visible only inside this reaction's rate law (SBML localParameter). */
  readonly localParameters: readonly Parameter[];
}

export interface EventAssignment {
  readonly variable: string;
  readonly math: Expr;
  readonly loc?: SourceLoc;
}

export interface Event extends Element {
  readonly trigger: {
    readonly math: Expr;
    /** Value of the trigger just before the start time (SBML initialValue). */
    readonly initialValue: boolean;
    /** If false, the event is cancelled when the trigger turns false before its delay has elapsed. */
    readonly persistent: boolean;
  };
  readonly delay?: Expr;
  readonly priority?: Expr;
  /** Evaluate assignments at trigger time (true) or at execution time (false). */
  readonly useValuesFromTriggerTime: boolean;
  readonly assignments: readonly EventAssignment[];
}

export interface ModelUnits {
  readonly substance?: string;
  readonly time?: string;
  readonly volume?: string;
  readonly area?: string;
  readonly length?: string;
  readonly extent?: string;
}

export interface Model extends Element {
  readonly units: ModelUnits;
  readonly conversionFactor?: string;
  readonly unitDefinitions: readonly UnitDefinition[];
  readonly functions: readonly FunctionDefinition[];
  readonly compartments: readonly Compartment[];
  readonly species: readonly Species[];
  readonly parameters: readonly Parameter[];
  readonly initialAssignments: readonly InitialAssignment[];
  readonly rules: readonly Rule[];
  readonly reactions: readonly Reaction[];
  readonly events: readonly Event[];
}

/** An empty model, for builders to extend. */
export function emptyModel(id: string): Model {
  return {
    id,
    units: {},
    unitDefinitions: [],
    functions: [],
    compartments: [],
    species: [],
    parameters: [],
    initialAssignments: [],
    rules: [],
    reactions: [],
    events: [],
  };
}
