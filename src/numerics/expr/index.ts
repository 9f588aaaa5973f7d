export * from './ast.js';
export {
  buildFunction,
  compileExpr,
  compileVector,
  Emitter,
  type ExprLayout,
  numberLiteral,
} from './codegen.js';
export { differentiate, NotDifferentiableError, TIME_VARIABLE } from './differentiate.js';
export { applyOp, type EvalContext, evaluate } from './evaluate.js';
export { calledFunctions, containsOp, freeSymbols, usesTime, walk } from './free-symbols.js';
export { type FunctionDef, inlineFunctions, makeInliner } from './inline.js';
export { AVOGADRO, factorial, gamma, logBase, root } from './runtime.js';
export { simplify } from './simplify.js';
export { substitute, substituteCalls, substituteMap } from './substitute.js';
