/**
 * A spatial niche on two threads: the fields step with src/numerics/fields/parallel.ts (substrates split between
 * the calling thread and one worker) and the mechanics with src/numerics/agents/parallel.ts (bins split between
 * the calling thread and a second worker; the two workers never run at the same time), both bit-identical to one
 * thread. With dtExosome > dtDiffusion (multirate fields, built-in solver only) just the mechanics are split.
 * Kept out of index.ts because it needs node:worker_threads (the rest of src/spatial stays browser-pure).
 */
import type { KnowledgeBase } from '../knowledge/load.js';
import { CHANNELS } from '../niche/channels.js';
import { resolveOptions } from '../niche/options.js';
import type { MechanicsOptions } from '../numerics/agents/mechanics.js';
import { MechanicsWorker, ParallelMechanics } from '../numerics/agents/parallel.js';
import type { AgentStore } from '../numerics/agents/store.js';
import { ParallelFieldSolver } from '../numerics/fields/parallel.js';
import { fieldLayout, SpatialNiche, type SpatialOptions } from './model.js';
import { spatialParameters } from './params.js';

export interface ParallelSpatial {
  readonly sim: SpatialNiche;
  /** Stops the workers. */
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
  const mw = await MechanicsWorker.start();
  const agents = {
    shared: true,
    create: (store: AgentStore, mo: MechanicsOptions) => new ParallelMechanics(store, mo, mw),
  };
  const dtDiffusion = options.dtDiffusion ?? 0.1;
  if ((options.dtExosome ?? dtDiffusion) !== dtDiffusion) {
    const sim = new SpatialNiche(kb, options, undefined, agents);
    return { sim, close: () => mw.close() };
  }
  const niche = resolveOptions(options.niche ?? {});
  const params = spatialParameters(kb, CHANNELS, {
    patient: options.patient ?? niche.patient,
    setting: options.setting ?? 'in-vivo',
  });
  const layout = fieldLayout(params, options);
  const pfs = await ParallelFieldSolver.create({
    grid: layout.grid,
    substrates: layout.substrates,
    dt: dtDiffusion,
    threads,
  });
  const sim = new SpatialNiche(kb, options, { fields: pfs.solver, step: () => pfs.step() }, agents);
  return {
    sim,
    close: async () => {
      await pfs.close();
      await mw.close();
    },
  };
}
