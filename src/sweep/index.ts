/** Sweeps: virtual cohorts and other row-per-patient jobs split into shards, run on worker threads, merged. */
export { type ColumnSpec, type ColumnValues, columnsToParquet, parquetToColumns } from './columns.js';
export {
  checkColumns,
  JOB_KINDS,
  type JobDescription,
  type JobKind,
  JobKindError,
  type JobPlanInput,
  loadJobKind,
} from './jobs.js';
export {
  DEFAULT_SHARD_SIZE,
  planKey,
  planSweep,
  readSweepManifest,
  SHARDS_DIR,
  SWEEP_MANIFEST_FILE,
  type SweepManifest,
  SweepManifestError,
  shardFailurePath,
  shardFileName,
  shardPath,
  shardRange,
  writeSweepManifest,
} from './manifest.js';
export { formatIndices, type MergeResult, mergeShards, RESULTS_FILE } from './merge.js';
export { type ChunkRunner, createChunkRunner, defaultWorkers } from './pool.js';
export { formatCsv, formatJson, formatTable, QueryError, type QueryResult, queryRun } from './query.js';
export { openSweepFolder, runSweepFolder, SweepFolderError, type SweepFolderResult } from './run-folder.js';
export { readShard, runShard, runShards, ShardError, type ShardOutcome } from './shard.js';

import type { JobPlanInput } from './jobs.js';
import { loadJobKind } from './jobs.js';
import { type PlanInput, planSweep, type SplitOptions, type SweepManifest } from './manifest.js';

/** Plan a sweep of job `kind` over `input`: the kind reads the inputs (scenario, defaults, hashes), then split. */
export async function planJob(
  kind: string,
  input: JobPlanInput,
  split: SplitOptions = {},
  createdAt?: string,
): Promise<SweepManifest> {
  const job = await loadJobKind(kind);
  const d = await job.describe(input);
  const plan: PlanInput = {
    ...d,
    kind,
    scenarioText: input.scenarioText,
    ...(input.scenarioFile !== undefined ? { scenarioFile: input.scenarioFile } : {}),
  };
  return planSweep(plan, split, createdAt);
}
