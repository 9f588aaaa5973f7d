/** Off-lattice agents: structure-of-arrays store, cell-list neighbour search, PhysiCell mechanics. See docs/agents.md. */
export { CellList, type Domain } from './cell-list.js';
export { type AgentBoundary, Mechanics, type MechanicsOptions } from './mechanics.js';
export {
  type AgentInit,
  AgentStore,
  type AgentStoreOptions,
  BYTES_PER_AGENT,
  F64_COLUMNS,
  type F64Column,
  I32_COLUMNS,
  type I32Column,
  U8_COLUMNS,
  type U8Column,
} from './store.js';
