/**
 * The run folder of a local sweep (`exoniche cohort`):
 *
 *   sweep.json            the plan (sweep manifest: scenario text, seed, patients, split, hashes, schema)
 *   shards/shard-00000.parquet ...   one file per shard of patients, written as each shard completes
 *   results.parquet       all rows, sorted by patient (the merge; byte-identical whatever the split or workers)
 *   summary.json          the kind's summary of the merged rows (cohorts: summarizeCohort)
 *   report.html           the kind's report (cohorts: renderCohortReport)
 *   manifest.json         what ran: version, command, inputs with sha256, seed, hashes, workers, shards run and
 *                         skipped, timings, outputs; written last, so its presence means the run completed
 *
 * Unlike a scenario run folder (src/io/run-folder.ts), this one is not renamed into place as a whole: its shards
 * must survive an interruption so that the same command resumes. Every file is written atomically instead, and
 * the folder is complete exactly when manifest.json exists. Rerunning into a folder with the same plan skips the
 * shards already there; a folder with another plan is refused unless forced.
 */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '../io/atomic-write.js';
import { sha256 } from '../io/manifest.js';
import { VERSION } from '../version.js';
import type { ColumnValues } from './columns.js';
import { loadJobKind } from './jobs.js';
import {
  planKey,
  readSweepManifest,
  SHARDS_DIR,
  SWEEP_MANIFEST_FILE,
  type SweepManifest,
  writeSweepManifest,
} from './manifest.js';
import { mergeShardColumns, RESULTS_FILE } from './merge.js';
import { runShards, type ShardOutcome } from './shard.js';

export class SweepFolderError extends Error {
  override name = 'SweepFolderError';
  constructor(
    message: string,
    /** 'exists': a non-empty folder that is not this sweep; 'plan': a sweep folder with another plan. */
    readonly reason: 'exists' | 'plan',
  ) {
    super(message);
  }
}

/** What differs between two plans, for the refusal message. */
function planDifferences(a: SweepManifest, b: SweepManifest): string[] {
  const out: string[] = [];
  const cmp = (name: string, x: unknown, y: unknown) => {
    if (JSON.stringify(x) !== JSON.stringify(y))
      out.push(`${name} ${JSON.stringify(x)} -> ${JSON.stringify(y)}`);
  };
  cmp('kind', a.kind, b.kind);
  if (a.scenario.sha256 !== b.scenario.sha256) out.push('scenario text');
  cmp('seed', a.seed, b.seed);
  cmp('patients', a.patients, b.patients);
  cmp('shardSize', a.shardSize, b.shardSize);
  cmp('spec', a.spec, b.spec);
  if (a.modelHash !== b.modelHash) out.push('model hash');
  if (a.parameterHash !== b.parameterHash) out.push('parameter hash');
  cmp('exonicheVersion', a.exonicheVersion, b.exonicheVersion);
  return out;
}

/** Temporary files of writers that no longer run (killed mid-write); those of live processes are left alone. */
function removeStaleTemps(dir: string): void {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    const m = /^\..+\.(\d+)\.[0-9a-f]+\.tmp$/.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    let alive = pid === process.pid;
    if (!alive) {
      try {
        process.kill(pid, 0);
        alive = true;
      } catch (err) {
        alive = (err as NodeJS.ErrnoException).code === 'EPERM';
      }
    }
    if (!alive) rmSync(join(dir, name), { force: true });
  }
}

/**
 * Make `dir` the home of the sweep `m`: a new or empty folder gets sweep.json; a folder with the same plan (same
 * plan key and shard size, or any shard size with `adoptSplit`) is resumed, keeping its sweep.json; anything else is refused unless `force`, which
 * deletes it first. Returns the manifest in force (the existing one when resuming) and its path.
 */
export function openSweepFolder(
  dir: string,
  m: SweepManifest,
  options: {
    force?: boolean;
    /** The split was not asked for: a folder with the same plan but another shard size is resumed as it is. */
    adoptSplit?: boolean;
  } = {},
): { manifestPath: string; manifest: SweepManifest; resumed: boolean } {
  const manifestPath = join(dir, SWEEP_MANIFEST_FILE);
  if (existsSync(dir)) {
    if (existsSync(manifestPath)) {
      let old: SweepManifest | undefined;
      try {
        old = readSweepManifest(manifestPath);
      } catch {
        old = undefined;
      }
      if (old && planKey(old) === planKey(m) && (old.shardSize === m.shardSize || options.adoptSplit)) {
        removeStaleTemps(dir);
        removeStaleTemps(join(dir, SHARDS_DIR));
        return { manifestPath, manifest: old, resumed: true };
      }
      if (!options.force) {
        const what = old
          ? planDifferences(old, m).join('; ') || 'plan key'
          : 'its sweep.json is not readable';
        throw new SweepFolderError(
          `${dir} holds another sweep (${what}); use --force to replace it, or another --out`,
          'plan',
        );
      }
      rmSync(dir, { recursive: true, force: true });
    } else if (readdirSync(dir).length > 0) {
      if (!options.force)
        throw new SweepFolderError(
          `${dir} already exists and is not a sweep folder (use --force to replace it)`,
          'exists',
        );
      rmSync(dir, { recursive: true, force: true });
    }
  }
  writeSweepManifest(dir, m);
  return { manifestPath, manifest: m, resumed: false };
}

export interface SweepFolderOptions {
  /** Worker threads (default: all cores); 0 computes in this thread. */
  readonly workers?: number;
  readonly onProgress?: (done: number, total: number) => void;
  readonly chunkSize?: number;
  /** The command line, for manifest.json. */
  readonly command: string;
  /** Time spent planning before this call (ms), for manifest.json. */
  readonly planMs?: number;
}

export interface SweepFolderResult {
  readonly dir: string;
  /** All shards ran (or were there) and the outputs were written. */
  readonly complete: boolean;
  readonly shardsRun: number;
  readonly shardsSkipped: number;
  readonly patientsSimulated: number;
  readonly failed: number[];
  readonly reasons: Readonly<Record<number, string>>;
  readonly rows: number;
  readonly outputs: string[];
  readonly summary?: unknown;
  readonly timings: Readonly<Record<string, number>>;
}

/** JSON has no NaN or Infinity: null (as src/io/run-folder.ts writes manifests). */
export function jsonSafe(_key: string, value: unknown): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) return null;
  if (typeof value === 'bigint') return value.toString();
  if (ArrayBuffer.isView(value) && !(value instanceof DataView))
    return Array.from(value as unknown as ArrayLike<number>);
  return value;
}

/**
 * Run every shard of the sweep whose manifest is `manifestPath` (skipping finished ones), merge, summarise,
 * report, and write manifest.json. Shard failures are returned (complete: false), not thrown.
 */
export async function runSweepFolder(
  manifestPath: string,
  options: SweepFolderOptions,
): Promise<SweepFolderResult> {
  const t0 = performance.now();
  const dir = resolve(manifestPath, '..');
  let patientsSimulated = 0;
  const outcomes = await runShards(manifestPath, undefined, {
    ...(options.workers !== undefined ? { workers: options.workers } : {}),
    ...(options.chunkSize !== undefined ? { chunkSize: options.chunkSize } : {}),
    onProgress: (done, total) => {
      patientsSimulated = total;
      options.onProgress?.(done, total);
    },
  });
  const merged = await mergeOutcomes(manifestPath, outcomes, t0);
  const { shardsRun, shardsSkipped } = merged;
  const base = { dir, shardsRun, shardsSkipped, patientsSimulated };
  if (!merged.complete)
    return {
      ...base,
      complete: false,
      failed: merged.failed,
      reasons: merged.reasons,
      rows: 0,
      outputs: [],
      timings: merged.timings,
    };
  const fin = await finishSweepFolder(manifestPath, merged.values, {
    command: options.command,
    run: { shardsRun, shardsSkipped, patientsSimulated },
    timings: {
      ...(options.planMs !== undefined ? { planMs: options.planMs } : {}),
      ...merged.timings,
    },
    settings: { workers: options.workers ?? null },
  });
  return { ...base, complete: true, failed: [], reasons: {}, rows: merged.rows, ...fin };
}

/**
 * After a complete merge: the kind's summary.json and report.html, then manifest.json (last). `timings` are the
 * caller's so far; the summary time and the total are added. Returns the outputs, summary and all timings.
 */
export async function finishSweepFolder(
  manifestPath: string,
  values: readonly ColumnValues[],
  info: {
    readonly command: string;
    readonly run?: Readonly<Record<string, number>>;
    readonly timings?: Readonly<Record<string, number>>;
    readonly settings?: Readonly<Record<string, unknown>>;
  },
): Promise<{ outputs: string[]; summary?: unknown; timings: Record<string, number> }> {
  const t0 = performance.now();
  const dir = resolve(manifestPath, '..');
  const m = readSweepManifest(manifestPath);
  const createdAt = new Date().toISOString();
  const kind = await loadJobKind(m.kind);
  const outputs = [SWEEP_MANIFEST_FILE, `${SHARDS_DIR}/`, RESULTS_FILE];
  let summary: unknown;
  if (kind.finalize) {
    const fin = await kind.finalize(m, values, { createdAt });
    summary = fin.summary;
    writeFileAtomic(join(dir, 'summary.json'), `${JSON.stringify(fin.summary, jsonSafe, 2)}\n`);
    outputs.push('summary.json');
    if (fin.reportHtml !== undefined) {
      writeFileAtomic(join(dir, 'report.html'), fin.reportHtml);
      outputs.push('report.html');
    }
  }
  const before = info.timings ?? {};
  const summaryMs = performance.now() - t0;
  const timings = {
    ...before,
    summaryMs,
    totalMs: Object.values(before).reduce((a, b) => a + b, 0) + summaryMs,
  };
  outputs.push('manifest.json');
  const manifest = {
    ...manifestHead(m, info.command, createdAt),
    seed: m.seed,
    patients: m.patients,
    shards: m.shards,
    shardSize: m.shardSize,
    ...manifestHashes(m, dir),
    settings: { ...info.settings, planCreatedAt: m.createdAt },
    ...(info.run ? { run: info.run } : {}),
    timings,
    outputs: outputs.sort(),
  };
  writeFileAtomic(join(dir, 'manifest.json'), `${JSON.stringify(manifest, jsonSafe, 2)}\n`);
  return { outputs, summary, timings };
}

/** Shards after `runShards` (started at `t0`): failed ones, or the merged rows with the simulate and merge times. */
export type MergedShards = { readonly shardsRun: number; readonly shardsSkipped: number } & (
  | {
      readonly complete: false;
      readonly failed: number[];
      readonly reasons: Readonly<Record<number, string>>;
      readonly timings: Record<string, number>;
    }
  | {
      readonly complete: true;
      readonly values: ColumnValues[];
      readonly rows: number;
      readonly timings: { simulateMs: number; mergeMs: number };
    }
);

/**
 * Count the shards run and skipped; stop at failed shards (the merge would refuse them), otherwise merge them,
 * which reports missing or failed shard files the same way.
 */
export async function mergeOutcomes(
  manifestPath: string,
  outcomes: readonly ShardOutcome[],
  t0: number,
): Promise<MergedShards> {
  const tSim = performance.now();
  const shardsSkipped = outcomes.filter((o) => o.skipped).length;
  const counts = { shardsRun: outcomes.length - shardsSkipped, shardsSkipped };
  const bad = outcomes.filter((o) => o.error !== undefined);
  if (bad.length > 0)
    return {
      ...counts,
      complete: false,
      failed: bad.map((o) => o.index),
      reasons: Object.fromEntries(bad.map((o) => [o.index, o.error as string])),
      timings: { simulateMs: tSim - t0 },
    };
  const merged = await mergeShardColumns(manifestPath);
  const tMerge = performance.now();
  if (!merged.values)
    return {
      ...counts,
      complete: false,
      failed: [...merged.failed, ...merged.missing],
      reasons: merged.reasons,
      timings: { simulateMs: tSim - t0, mergeMs: tMerge - tSim },
    };
  return {
    ...counts,
    complete: true,
    values: merged.values,
    rows: merged.rows,
    timings: { simulateMs: tSim - t0, mergeMs: tMerge - tSim },
  };
}

/** The first fields of a run folder's manifest.json: tool, version, command, date, Node, kind, inputs, scenario. */
export function manifestHead(m: SweepManifest, command: string, createdAt: string) {
  return {
    tool: 'exoniche',
    version: VERSION,
    command,
    createdAt,
    node: process.version,
    kind: m.kind,
    inputs: [{ path: m.scenario.file ?? '<default scenario>', sha256: m.scenario.sha256 }],
    scenario: {
      name: m.scenario.name,
      ...(m.scenario.file ? { file: m.scenario.file } : {}),
      sha256: m.scenario.sha256,
    },
  };
}

/** The plan key, model and parameter hashes and the sha256 of results.parquet in `dir`, for manifest.json. */
export function manifestHashes(m: SweepManifest, dir: string) {
  return {
    planKey: planKey(m),
    modelHash: m.modelHash,
    parameterHash: m.parameterHash,
    resultsSha256: sha256(readFileSync(join(dir, RESULTS_FILE))),
  };
}
