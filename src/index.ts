/**
 * The exoniche library API. This file is the public surface: everything a script needs is exported here,
 * by name; anything not exported here is internal and may change.
 */

export * as clinic from './clinic/index.js';
// Files
export { loadModelFile } from './io/load-model.js';
export { readSbml, SbmlError, writeSbml } from './io/sbml/index.js';
// Knowledge base, reference models, clinical read-outs
export * as knowledge from './knowledge/index.js';
export { type CompiledModel, compileModel, ModelCompileError } from './models/compile/index.js';
export { type Diagnostic, formatDiagnostic, ModelError } from './models/diagnostic.js';
// Models: the IR, the text language, validation, compilation, simulation
export type * from './models/ir.js';
export { emptyModel } from './models/ir.js';
export { type SimulateOptions, simulateModel, type TimeCourse } from './models/simulate.js';
export {
  type ApproximateEngine,
  type ApproximateOptions,
  type ApproximateResult,
  simulateApproximate,
} from './models/simulate-approximate.js';
export {
  type StochasticEngine,
  type StochasticOptions,
  type StochasticResult,
  simulateStochastic,
} from './models/simulate-stochastic.js';
export { parseModel, parseModelWithDiagnostics, printExpr, printModel } from './models/text/index.js';
export { validateModel } from './models/validate.js';
// Expressions
export * as expr from './numerics/expr/index.js';
export * as hybrid from './numerics/hybrid/index.js';
export { createAutoMethod } from './numerics/ode/auto/index.js';
export { BDF } from './numerics/ode/bdf/index.js';
export { DP5, Tsit5 } from './numerics/ode/erk/index.js';
export { type EventContext, type EventSet, eventSet, type SimpleEvent } from './numerics/ode/events.js';
export { Auto, getMethod, METHOD_NAMES } from './numerics/ode/methods.js';
// ODE engine: problem, methods, solve, solution
export {
  type Bandwidth,
  type OdeJacobian,
  type OdeProblem,
  type OdeRhs,
  odeProblem,
} from './numerics/ode/problem.js';
export { isSuccessful, type ReturnCode } from './numerics/ode/return-code.js';
export { Rodas4, Rodas5P } from './numerics/ode/rosenbrock/index.js';
export type { OdeSolution } from './numerics/ode/solution.js';
export { SolveOptionsError, solve } from './numerics/ode/solve.js';
export type { SolveOptions } from './numerics/ode/solve-options.js';
export type { SolverStats } from './numerics/ode/stats.js';
export type { DenseSegment, OdeMethod, Stepper, StepperOptions } from './numerics/ode/stepper.js';
export * as random from './numerics/random/index.js';
export * as ssa from './numerics/ssa/index.js';
export * as therapy from './therapy/index.js';
export { VERSION } from './version.js';
