export {
  type CompiledEvent,
  type CompiledModel,
  type CompileOptions,
  compileModel,
  type EventTarget,
  type Stoichiometry,
  triggerIndicator,
} from './compile.js';
export { createModelEvents, type ModelEventOptions, type ModelEventSet } from './events.js';
export type { SparsityPattern } from './jacobian.js';
export { ModelCompileError } from './lower.js';
export { topologicalOrder } from './rules.js';
