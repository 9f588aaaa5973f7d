/**
 * A spatial niche on two threads: the fields with src/numerics/fields/parallel.ts (substrates split between the
 * calling thread and one worker, one synchronisation per mechanics step; multirate exosome fields balanced against
 * the fast ones) and the mechanics with src/numerics/agents/parallel.ts (bins split between the calling thread and
 * a second worker; without chemotaxis the model moves the agents, and so runs this worker, while the field worker
 * steps the fields), both bit-identical to one thread; or (mode
 * 'beside') all fields on the worker while the calling thread moves the agents. A checkpoint restores onto the
 * same engines. Kept out of index.ts because it needs node:worker_threads (the rest of
 * src/spatial stays browser-pure).
 */
import type { KnowledgeBase } from '../knowledge/load.js';
import { CHANNELS } from '../niche/channels.js';
import { resolveOptions } from '../niche/options.js';
import type { MechanicsOptions } from '../numerics/agents/mechanics.js';
import { MechanicsWorker, ParallelMechanics } from '../numerics/agents/parallel.js';
import type { AgentStore } from '../numerics/agents/store.js';
import { ParallelFieldSolver } from '../numerics/fields/parallel.js';
import {
  fieldLayout,
  fieldStepMultiples,
  type SpatialCheckpoint,
  SpatialNiche,
  type SpatialOptions,
} from './model.js';
import { spatialParameters } from './params.js';

export interface ParallelSpatialOptions {
  /**
   * How two threads share the work. 'split' (default): the mechanics (bins) and the fields (substrates) each split
   * between the calling thread and a worker. 'beside': every field on the field worker while the calling thread
   * moves the agents alone (no mechanics worker): pays when the fields cost more than the mechanics, e.g. the
   * PhysiCell-sized 2D run (one diffusing field, ~900 agents). Needs no chemotaxis (CXCL12 off); with it the fields
   * and the mechanics alternate. Either gives the same bits as one thread.
   */
  readonly mode?: 'split' | 'beside';
}

export interface ParallelSpatial {
  readonly sim: SpatialNiche;
  /** Stops the workers. */
  close(): Promise<void>;
}

/**
 * A SpatialNiche on `threads` threads (1: the built-in solver and mechanics, no worker), new or restored from
 * `checkpoint` (SpatialNiche.restore with the two-thread engines). The same bits either way.
 */
export async function createParallelSpatial(
  kb: KnowledgeBase,
  options: SpatialOptions,
  threads: 1 | 2,
  checkpoint?: SpatialCheckpoint,
  parallel: ParallelSpatialOptions = {},
): Promise<ParallelSpatial> {
  if (threads !== 1 && threads !== 2)
    throw new Error(`createParallelSpatial: threads must be 1 or 2, got ${JSON.stringify(threads)}`);
  const mode = parallel.mode ?? 'split';
  if (mode !== 'split' && mode !== 'beside')
    throw new Error(`createParallelSpatial: mode must be 'split' or 'beside', got ${JSON.stringify(mode)}`);
  if (threads === 1) {
    const sim = checkpoint ? SpatialNiche.restore(kb, options, checkpoint) : new SpatialNiche(kb, options);
    return { sim, close: async () => {} };
  }
  const niche = resolveOptions(options.niche ?? {});
  const params = spatialParameters(kb, CHANNELS, {
    patient: options.patient ?? niche.patient,
    setting: options.setting ?? 'in-vivo',
  });
  const layout = fieldLayout(params, options);
  // Validates the time steps before any worker starts.
  const every = fieldStepMultiples(layout, options);
  const mw = mode === 'split' ? await MechanicsWorker.start() : null;
  let pfs: ParallelFieldSolver | undefined;
  try {
    pfs = await ParallelFieldSolver.create({
      grid: layout.grid,
      substrates: layout.substrates,
      dt: options.dtDiffusion ?? 0.1,
      every,
      threads,
      split: mode === 'split' ? 'balance' : 'worker',
    });
    const agents =
      mw === null
        ? undefined
        : {
            shared: true,
            create: (store: AgentStore, mo: MechanicsOptions) => new ParallelMechanics(store, mo, mw),
          };
    const sim = checkpoint
      ? SpatialNiche.restore(kb, options, checkpoint, pfs, agents)
      : new SpatialNiche(kb, options, pfs, agents);
    const fields = pfs;
    return {
      sim,
      close: async () => {
        await fields.close();
        await mw?.close();
      },
    };
  } catch (err) {
    await pfs?.close();
    await mw?.close();
    throw err;
  }
}
