/**
 * Running a sensitivity study (`exoniche sensitivity`) in a resumable folder, on the same shard / pool / merge
 * machinery as cohorts (run-folder.ts):
 *
 *   sweep.json         the plan: kind 'sensitivity', the scenario or model text, the study spec (factors, ranges,
 *                      method, outputs), one sweep row per design point
 *   design.csv         the design points (row, factor values), regenerated from the spec
 *   shards/*.parquet   rows of design points with their output values (failed points: NaN and a message)
 *   results.parquet    all design points in row order
 *   indices.json       the indices per output (Sobol' first/total with bootstrap intervals, or Morris mu, mu*,
 *                      sigma), how many rows or trajectories were dropped for missing values, failure messages
 *   report.html        src/report/sensitivity.ts
 *   manifest.json      written last: its presence means the study completed
 *
 * A killed run resumes with the same command (finished shards are verified and skipped); the rows, and so the
 * results and indices, are the same whatever the worker count. Rows run on the shared worker pool (pool.ts,
 * entry workers/sensitivity.ts).
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '../io/atomic-write.js';
import { sha256 } from '../io/manifest.js';
import type { ColumnValues } from './columns.js';
import type { JobFinalOutputs } from './jobs.js';
import {
  planKey,
  readSweepManifest,
  SHARDS_DIR,
  SWEEP_MANIFEST_FILE,
  type SweepManifest,
} from './manifest.js';
import { RESULTS_FILE } from './merge.js';
import { type ChunkRunner, createChunkRunner, defaultWorkers } from './pool.js';
import { jsonSafe, manifestHashes, manifestHead, mergeOutcomes, openSweepFolder } from './run-folder.js';
import {
  describeMethod,
  type OutputIndices,
  outputIndices,
  type StudySpec,
  studyDesign,
} from './sensitivity-spec.js';
import { runShards } from './shard.js';

export const INDICES_FILE = 'indices.json';
export const DESIGN_FILE = 'design.csv';

export interface StudySummary {
  readonly kind: 'sensitivity';
  readonly name: string;
  readonly mode: StudySpec['mode'];
  readonly method: string;
  readonly seed: string;
  readonly factors: StudySpec['factors'];
  readonly points: number;
  /** Design points with at least one failed run (all outputs NaN for a typical patient or a model). */
  readonly failedPoints: number;
  /** Up to 10 failure messages with their design row. */
  readonly failures: readonly { readonly row: number; readonly message: string }[];
  readonly outputs: readonly OutputIndices[];
}

/** Indices of every output from the merged columns (see sensitivity-spec.ts for the missing-value policy). */
export function studySummary(m: SweepManifest, values: readonly ColumnValues[]): StudySummary {
  const spec = m.spec as unknown as StudySpec;
  const design = studyDesign(spec);
  const d = design.d;
  const nOut = spec.outputs.length;
  const failed = values[1 + d + nOut] as Int32Array;
  const messages = values[2 + d + nOut] as string[];
  const failures: { row: number; message: string }[] = [];
  let failedPoints = 0;
  for (let k = 0; k < failed.length; k++) {
    if ((failed[k] as number) > 0 || messages[k] !== '') {
      failedPoints += (failed[k] as number) > 0 ? 1 : 0;
      if (failures.length < 10 && messages[k] !== '')
        failures.push({ row: k, message: messages[k] as string });
    }
  }
  return {
    kind: 'sensitivity',
    name: m.scenario.name,
    mode: spec.mode,
    method: describeMethod(spec.method, d),
    seed: m.seed,
    factors: spec.factors,
    points: design.rows,
    failedPoints,
    failures,
    outputs: spec.outputs.map((o, j) =>
      outputIndices(spec, design, o.label, values[1 + d + j] as Float64Array),
    ),
  };
}

/** The study's report (the report stack is imported here, in the main thread only). */
export async function studyReport(
  m: SweepManifest,
  summary: StudySummary,
  createdAt: string,
): Promise<string> {
  const { renderSensitivityReport } = await import('../report/sensitivity.js');
  const spec = m.spec as unknown as StudySpec;
  const what =
    spec.mode === 'model'
      ? `model '${m.scenario.name}'${spec.model?.reference ? ` (reference model${spec.model.patient ? `, patient ${spec.model.patient}` : ''})` : ''}, observables at t = ${spec.time ?? 0}`
      : spec.mode === 'typical'
        ? `scenario '${m.scenario.name}', its typical patient (Hähnel patient of the scenario, typical PK)`
        : `scenario '${m.scenario.name}', ${spec.patients} virtual patients per design point (the same patients 0..${(spec.patients ?? 1) - 1} at every point)`;
  const { text: _text, ...scenarioInfo } = m.scenario;
  return renderSensitivityReport({
    name: m.scenario.name,
    subject: what,
    method: summary.method,
    methodKind: spec.method.kind,
    seed: m.seed,
    version: m.exonicheVersion,
    createdAt,
    factors: summary.factors,
    outputs: summary.outputs,
    points: summary.points,
    failedPoints: summary.failedPoints,
    failures: summary.failures,
    spec,
    manifest: { ...m, scenario: scenarioInfo, planKey: planKey(m) },
  });
}

export async function finalizeStudy(
  m: SweepManifest,
  values: readonly ColumnValues[],
  meta: { readonly createdAt: string },
): Promise<JobFinalOutputs> {
  const summary = studySummary(m, values);
  return { summary, reportHtml: await studyReport(m, summary, meta.createdAt) };
}

/** A pool of `workers` threads computing sensitivity rows (0: in this thread). */
export function createSensitivityRunner(workers: number = defaultWorkers()): Promise<ChunkRunner> {
  return createChunkRunner('sensitivity', workers);
}

function designCsv(spec: StudySpec): string {
  const design = studyDesign(spec);
  const d = design.d;
  const lines = [['row', ...design.names].join(',')];
  for (let k = 0; k < design.rows; k++) {
    const cells = [String(k)];
    for (let j = 0; j < d; j++) cells.push(String(design.points[k * d + j]));
    lines.push(cells.join(','));
  }
  return `${lines.join('\n')}\n`;
}

export interface StudyRunOptions {
  readonly workers?: number;
  readonly force?: boolean;
  /** Shard size was not asked for: resume a folder with the same plan whatever its split. */
  readonly adoptSplit?: boolean;
  readonly chunkSize?: number;
  readonly onProgress?: (done: number, total: number) => void;
  readonly command: string;
  readonly planMs?: number;
}

export interface StudyRunResult {
  readonly dir: string;
  readonly manifest: SweepManifest;
  readonly resumed: boolean;
  readonly complete: boolean;
  readonly shardsRun: number;
  readonly shardsSkipped: number;
  /** Failed or missing shards, and why (a shard fails only if its rows throw outside an evaluation). */
  readonly failedShards: readonly number[];
  readonly reasons: Readonly<Record<number, string>>;
  readonly summary?: StudySummary;
  readonly outputs: readonly string[];
  readonly timings: Readonly<Record<string, number>>;
}

/** Plan into `dir` (or resume there), run the shards, merge, and write indices, report and manifest. */
export async function runStudyFolder(
  dir: string,
  planned: SweepManifest,
  options: StudyRunOptions,
): Promise<StudyRunResult> {
  const t0 = performance.now();
  const opened = openSweepFolder(dir, planned, {
    force: options.force === true,
    adoptSplit: options.adoptSplit === true,
  });
  const m = opened.manifest;
  const spec = m.spec as unknown as StudySpec;
  writeFileAtomic(join(dir, DESIGN_FILE), designCsv(spec));
  const runner = await createSensitivityRunner(options.workers ?? defaultWorkers());
  let outcomes: Awaited<ReturnType<typeof runShards>>;
  try {
    outcomes = await runShards(opened.manifestPath, undefined, {
      runner,
      ...(options.chunkSize !== undefined ? { chunkSize: options.chunkSize } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
  } finally {
    await runner.close();
  }
  const merged = await mergeOutcomes(opened.manifestPath, outcomes, t0);
  const tMerge = performance.now();
  const { shardsRun, shardsSkipped } = merged;
  const base = { dir, manifest: m, resumed: opened.resumed, shardsRun, shardsSkipped };
  if (!merged.complete)
    return {
      ...base,
      complete: false,
      failedShards: merged.failed,
      reasons: merged.reasons,
      outputs: [],
      timings: merged.timings,
    };
  const createdAt = new Date().toISOString();
  const summary = studySummary(m, merged.values);
  writeFileAtomic(join(dir, INDICES_FILE), `${JSON.stringify(summary, jsonSafe, 2)}\n`);
  writeFileAtomic(join(dir, 'report.html'), await studyReport(m, summary, createdAt));
  const tEnd = performance.now();
  const timings = {
    ...(options.planMs !== undefined ? { planMs: options.planMs } : {}),
    ...merged.timings,
    indicesMs: tEnd - tMerge,
    totalMs: tEnd - t0 + (options.planMs ?? 0),
  };
  const outputs = [
    SWEEP_MANIFEST_FILE,
    `${SHARDS_DIR}/`,
    DESIGN_FILE,
    RESULTS_FILE,
    INDICES_FILE,
    'report.html',
    'manifest.json',
  ].sort();
  const manifest = {
    ...manifestHead(m, options.command, createdAt),
    study: spec,
    seed: m.seed,
    designPoints: m.patients,
    shards: m.shards,
    shardSize: m.shardSize,
    ...manifestHashes(m, dir),
    indicesSha256: sha256(readFileSync(join(dir, INDICES_FILE))),
    settings: { workers: options.workers ?? defaultWorkers(), planCreatedAt: m.createdAt },
    run: { shardsRun, shardsSkipped, failedPoints: summary.failedPoints },
    timings,
    outputs,
  };
  writeFileAtomic(join(dir, 'manifest.json'), `${JSON.stringify(manifest, jsonSafe, 2)}\n`);
  return { ...base, complete: true, failedShards: [], reasons: {}, summary, outputs, timings };
}

/** The indices file of a finished study folder. */
export function readStudyIndices(dir: string): StudySummary {
  return JSON.parse(readFileSync(resolve(dir, INDICES_FILE), 'utf8')) as StudySummary;
}

/** Re-read the plan of a study folder. */
export function readStudyManifest(dir: string): SweepManifest {
  return readSweepManifest(join(dir, SWEEP_MANIFEST_FILE));
}
