/**
 * The spatial cell types and the layer's error class. No imports, so that readers of snapshot files (the
 * dashboard's decoding worker) do not pull in the engine and the knowledge-base schema.
 */
export const CELL_TYPES = ['cml', 'lsc', 'bmsc', 'endo', 'normal', 'tcell'] as const;
export type CellType = (typeof CELL_TYPES)[number];
export const CML = 0;
export const LSC = 1;
export const BMSC = 2;
export const ENDO = 3;
/** Normal (BCR-ABL negative) stem cells: the niche model's N, competing with cycling LSCs for the niche. */
export const NORMAL = 4;
/** Anti-leukaemic immune cells (T cells): the Hähnel 2020 immune compartment Z (option `immune`). */
export const TCELL = 5;

export class SpatialError extends Error {
  override name = 'SpatialError';
}
