/**
 * Merging shards into results.parquet (beside sweep.json): every shard is read and checked (its plan key, its
 * rows), the columns are concatenated in shard order, which is patient order, and written once, atomically,
 * with the writer settings and metadata of columns.ts / sweepMetadata. The file thus depends only on the rows:
 * the same plan split 1, 3 or 7 ways, run on 1 or 16 threads, interrupted and resumed, merges to the same bytes.
 *
 * Nothing is written unless every shard is there and valid; the caller gets the missing ones (no file) and the
 * failed ones (a failure marker, or a file that does not verify) to report or rerun.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../io/atomic-write.js';
import { type ColumnValues, columnsToParquet, concatColumns } from './columns.js';
import { readSweepManifest, type SweepManifest, shardFailurePath } from './manifest.js';
import { readShard, sweepMetadata } from './shard.js';

export const RESULTS_FILE = 'results.parquet';

export interface MergeResult {
  /** results.parquet (written only when nothing is missing or failed). */
  readonly path: string;
  /** Rows written (0 when nothing was written). */
  readonly rows: number;
  /** Shards with no file and no failure marker: not run yet (or killed while running). */
  readonly missing: number[];
  /** Shards that failed (marker) or whose file does not verify. */
  readonly failed: number[];
  /** Why each failed shard failed. */
  readonly reasons: Readonly<Record<number, string>>;
}

/** Merge the shards of the sweep at `manifestPath` into results.parquet. */
export async function mergeShards(manifestPath: string): Promise<MergeResult> {
  const r = await mergeShardColumns(manifestPath);
  return { path: r.path, rows: r.rows, missing: r.missing, failed: r.failed, reasons: r.reasons };
}

/** mergeShards, also returning the manifest and the merged columns (for summaries) when it wrote them. */
export async function mergeShardColumns(
  manifestPath: string,
): Promise<MergeResult & { manifest: SweepManifest; values?: ColumnValues[] }> {
  const m = readSweepManifest(manifestPath);
  const path = join(dirname(manifestPath), RESULTS_FILE);
  const missing: number[] = [];
  const failed: number[] = [];
  const reasons: Record<number, string> = {};
  const parts: ColumnValues[][] = [];
  for (let i = 0; i < m.shards; i++) {
    const s = await readShard(manifestPath, m, i);
    if (s.values) {
      parts.push(s.values);
      continue;
    }
    const marker = shardFailurePath(manifestPath, i);
    if (s.reason === 'missing' && !existsSync(marker)) {
      missing.push(i);
      continue;
    }
    failed.push(i);
    reasons[i] = s.reason === 'missing' ? failureMessage(marker) : `shard file does not verify: ${s.reason}`;
  }
  if (missing.length > 0 || failed.length > 0)
    return { path, rows: 0, missing, failed, reasons, manifest: m };
  const values = concatColumns(m.outputSchema, parts);
  writeFileAtomic(path, await columnsToParquet(m.outputSchema, values, sweepMetadata(m)));
  return { path, rows: values[0].length, missing, failed, reasons, manifest: m, values };
}

function failureMessage(marker: string): string {
  try {
    const j = JSON.parse(readFileSync(marker, 'utf8')) as { message?: unknown };
    return typeof j.message === 'string' ? j.message : 'failed (no message)';
  } catch {
    return 'failed (unreadable failure marker)';
  }
}

/** Indices as compact ranges for messages: [0,1,2,5,7,8] -> '0-2, 5, 7-8'. */
export function formatIndices(indices: readonly number[]): string {
  const out: string[] = [];
  for (let i = 0; i < indices.length; ) {
    let j = i;
    while (j + 1 < indices.length && indices[j + 1] === indices[j] + 1) j++;
    out.push(j === i ? String(indices[i]) : `${indices[i]}-${indices[j]}`);
    i = j + 1;
  }
  return out.join(', ');
}
