/** Diffusion-reaction fields on a regular grid (LOD implicit solver, as in BioFVM). See docs/fields.md. */

export { gradientAt } from './gradient.js';
export { Grid, type GridDims, type GridOptions } from './grid.js';
export {
  type BoundaryCondition,
  type BulkTerms,
  FACE_NAMES,
  type FaceName,
  FieldSolver,
  type FieldSolverOptions,
  type SubstrateSpec,
} from './solver.js';
export {
  factorTridiagonal,
  type SweepTerms,
  sweepContiguous,
  sweepStrided,
  sweepTerms,
  type TridiagonalFactor,
} from './thomas.js';
