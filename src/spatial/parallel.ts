/**
 * A spatial niche whose fields step on two threads (src/numerics/fields/parallel.ts: substrates split between the
 * calling thread and one worker, bit-identical to one thread). Kept out of index.ts because it needs
 * node:worker_threads (the rest of src/spatial stays browser-pure).
 */
import type { KnowledgeBase } from '../knowledge/load.js';
import { CHANNELS } from '../niche/channels.js';
import { resolveOptions } from '../niche/options.js';
import { ParallelFieldSolver } from '../numerics/fields/parallel.js';
import { fieldLayout, SpatialNiche, type SpatialOptions } from './model.js';
import { spatialParameters } from './params.js';

export interface ParallelSpatial {
  readonly sim: SpatialNiche;
  /** Stops the field worker. */
  close(): Promise<void>;
}

/** A SpatialNiche with its fields on `threads` threads (1: the built-in solver, no worker). */
export async function createParallelSpatial(
  kb: KnowledgeBase,
  options: SpatialOptions,
  threads: 1 | 2,
): Promise<ParallelSpatial> {
  // One thread: the built-in solver (the same bits; it also supports dtExosome).
  if (threads === 1) return { sim: new SpatialNiche(kb, options), close: async () => {} };
  const niche = resolveOptions(options.niche ?? {});
  const params = spatialParameters(kb, CHANNELS, {
    patient: options.patient ?? niche.patient,
    setting: options.setting ?? 'in-vivo',
  });
  const layout = fieldLayout(params, options);
  const pfs = await ParallelFieldSolver.create({
    grid: layout.grid,
    substrates: layout.substrates,
    dt: options.dtDiffusion ?? 0.1,
    threads,
  });
  const sim = new SpatialNiche(kb, options, { fields: pfs.solver, step: () => pfs.step() });
  return { sim, close: () => pfs.close() };
}
