/**
 * The spatial niche (issue #11, docs/spatial.md): the niche model's cells as off-lattice agents and its exosome
 * pools, oxygen and the TKI as diffusing fields, with the link back to the ODE model. Its virtual experiments
 * (SVE-*) are in src/experiments/spatial.ts. Two threads (fields and mechanics): ./parallel.js (Node only); snapshots (Arrow, binary fields):
 * ./snapshot.js; neither is re-exported here.
 */
export { cargoEffect, channelConstants, uptakeFraction } from './channels.js';
export {
  domainVolume,
  type EffectiveQuantities,
  effectiveQuantities,
  nicheParametersFor,
  WELL_MIXED_CHANNELS,
} from './link.js';
export {
  type AddCell,
  type AgentColumns,
  type AgentEngine,
  CELL_TYPES,
  type CellType,
  EXOSOME_FIELDS,
  type FieldEngine,
  fieldLayout,
  type SpatialCheckpoint,
  SpatialError,
  SpatialNiche,
  type SpatialOptions,
} from './model.js';
export { type VesselNetwork, vesselNetwork } from './network.js';
export {
  type DrugAction,
  drugAction,
  MIN_PER_MONTH,
  type SpatialParams,
  spatialParameters,
  tkiEffect,
} from './params.js';
