/** Hybrid stochastic/deterministic simulation with dynamic partitioning. See docs/hybrid.md. */
export {
  type HybridEvents,
  type HybridOptions,
  type HybridResult,
  HybridSimulator,
  hybridStream,
  type PartitionMode,
} from './hybrid.js';
