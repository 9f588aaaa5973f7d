/**
 * The worker-thread side of the pool: compute rows [start, end) of a sweep. Each job kind has an entry in
 * workers/ (`export default chunkWorker(kind)`) that piscina loads in every thread; the kind is imported there
 * statically, because dynamic imports inside worker threads are not reliable when running from TypeScript
 * sources (tsx). The job is prepared once per thread and plan (for cohorts: knowledge base, scenario, compiled
 * model) and kept for the next chunks: the only state here, per thread and keyed by the plan.
 */
import { allocateColumns, type ColumnValues } from './columns.js';
import type { JobKind, PreparedJob } from './jobs.js';
import type { SweepManifest } from './manifest.js';

export interface ChunkTask {
  readonly manifest: SweepManifest;
  /** planKey(manifest): the cache key of the prepared job. */
  readonly key: string;
  readonly start: number;
  readonly end: number;
}

export interface ChunkResult {
  readonly start: number;
  readonly end: number;
  readonly values: ColumnValues[];
}

/** The chunk function of one job kind (used by worker threads and, with workers = 0, in-process). */
export function chunkWorker(kind: JobKind): (task: ChunkTask) => Promise<ChunkResult> {
  let prepared: { key: string; job: Promise<PreparedJob> } | undefined;
  return async (task) => {
    if (task.manifest.kind !== kind.name)
      throw new Error(`worker for job kind '${kind.name}' got a '${task.manifest.kind}' task`);
    if (prepared?.key !== task.key) {
      const job = kind.prepare(task.manifest);
      // a failed preparation is not kept: the next task retries (and fails with the same message if it must)
      job.catch(() => {
        if (prepared?.job === job) prepared = undefined;
      });
      prepared = { key: task.key, job };
    }
    const job = await prepared.job;
    const values = allocateColumns(task.manifest.outputSchema, task.end - task.start);
    job.rows(task.start, task.end, values);
    return { start: task.start, end: task.end, values };
  };
}
