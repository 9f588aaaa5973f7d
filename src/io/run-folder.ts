/**
 * The run folder: everything one scenario run produced, written as a whole or not at all.
 *
 *   results.csv       time (months) and every series, header `time,<series ids>`
 *   results.parquet   the same table (Float64 columns; units and labels in the key-value metadata)
 *   monitoring.csv    the molecular-monitoring samples (the assay's view, detection limit applied)
 *   therapy.csv       the therapy intervals (drug, dose, interval, reason)
 *   drug.csv          drug concentration over the dosing grid (only when the run has a drug course)
 *   manifest.json     version, command, scenario (sha256 of the input text and the resolved form), seed,
 *                     engine, parameter hash and values, timings, summary, outputs
 *   report.html       the report
 *   scenario.yaml     the scenario text as given
 *
 * Atomic as a whole: the files go into a sibling temporary folder `<dir>.tmp-<pid>-<rand>` that is renamed onto
 * `<dir>` once complete. An existing `<dir>` is refused unless `force`, which replaces it only after the new
 * folder is complete. On any error the temporary folder is removed, so a reader never sees half a run.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { ScenarioRun } from '../scenario/run-result.js';
import { VERSION } from '../version.js';
import { sha256 } from './manifest.js';

export class RunFolderError extends Error {
  override name = 'RunFolderError';
  constructor(
    message: string,
    /** 'exists': the folder is there and `force` was not given; 'write': a file system error. */
    readonly reason: 'exists' | 'write',
  ) {
    super(message);
  }
}

/** What the caller knows and the run does not: how it was invoked and from which file. */
export interface ManifestInput {
  /** The command line, e.g. `exoniche run scenarios/x.yaml --seed 3`. */
  readonly command: string;
  /** The scenario file read; absent for the embedded default scenario. */
  readonly scenarioFile?: string;
  /** Extra timings (ms) measured by the caller, e.g. `reportMs`, `totalMs`. */
  readonly timings?: Readonly<Record<string, number>>;
  /** Anything else worth recording (settings of the command). */
  readonly settings?: Readonly<Record<string, unknown>>;
  /** ISO time of the run (default: now); pass the report's so both agree. */
  readonly createdAt?: string;
}

export interface WriteRunFolderOptions {
  /** The report; omitted for the arms of a comparison (one report at the top compares them). */
  readonly reportHtml?: string;
  /** The scenario text as given (YAML), written verbatim as scenario.yaml and hashed into the manifest. */
  readonly scenarioText: string;
  readonly manifest: ManifestInput;
  /** Replace an existing folder (only once the new one is complete). */
  readonly force?: boolean;
}

export interface ScenarioManifest {
  readonly tool: 'exoniche';
  readonly version: string;
  readonly command: string;
  readonly createdAt: string;
  readonly node: string;
  readonly scenario: {
    readonly name: string;
    readonly description?: string;
    readonly file?: string;
    /** sha256 of the scenario text (scenario.yaml). */
    readonly sha256: string;
    readonly resolved: unknown;
  };
  readonly engine: string;
  readonly seed: string;
  readonly parameterHash: string;
  readonly parameters: ScenarioRun['parameters'];
  readonly settings?: Readonly<Record<string, unknown>>;
  readonly timings: Readonly<Record<string, number>>;
  readonly summary: ScenarioRun['summary'];
  readonly warnings: readonly string[];
  readonly outputs: readonly string[];
}

/** A folder's content: relative path (may contain '/') -> bytes or text. Order is the write order. */
export type FolderFiles = Map<string, string | Uint8Array>;

export const RUN_FOLDER_FILES = [
  'results.csv',
  'results.parquet',
  'monitoring.csv',
  'therapy.csv',
  'manifest.json',
  'report.html',
  'scenario.yaml',
] as const;

/** Write the run folder `dir` atomically; returns the absolute folder and the files written (relative). */
export async function writeRunFolder(
  dir: string,
  run: ScenarioRun,
  options: WriteRunFolderOptions,
): Promise<{ dir: string; files: string[] }> {
  const files = await runFolderFiles(run, options);
  writeFolderAtomic(dir, files, { force: options.force });
  return { dir: resolve(dir), files: [...files.keys()] };
}

/** The files of one run folder, in memory (the compare command nests two of them). */
export async function runFolderFiles(run: ScenarioRun, options: WriteRunFolderOptions): Promise<FolderFiles> {
  checkRun(run);
  const files: FolderFiles = new Map();
  files.set('results.csv', resultsCsv(run));
  files.set('results.parquet', await resultsParquet(run));
  files.set('monitoring.csv', monitoringCsv(run));
  files.set('therapy.csv', therapyCsv(run));
  if (run.drug) files.set('drug.csv', drugCsv(run.drug));
  if (options.reportHtml !== undefined) files.set('report.html', options.reportHtml);
  files.set('scenario.yaml', options.scenarioText);
  const manifest = buildScenarioManifest(run, options.scenarioText, options.manifest, [
    ...files.keys(),
    'manifest.json',
  ]);
  files.set('manifest.json', `${JSON.stringify(manifest, jsonSafe, 2)}\n`);
  return files;
}

export function buildScenarioManifest(
  run: ScenarioRun,
  scenarioText: string,
  input: ManifestInput,
  outputs: readonly string[],
): ScenarioManifest {
  return {
    tool: 'exoniche',
    version: VERSION,
    command: input.command,
    createdAt: input.createdAt ?? new Date().toISOString(),
    node: process.version,
    scenario: {
      name: run.name,
      ...(run.description !== undefined ? { description: run.description } : {}),
      ...(input.scenarioFile !== undefined ? { file: input.scenarioFile } : {}),
      sha256: sha256(scenarioText),
      resolved: run.scenario,
    },
    engine: run.engine,
    seed: run.seed,
    parameterHash: run.parameterHash,
    parameters: run.parameters,
    ...(input.settings ? { settings: input.settings } : {}),
    timings: { ...run.timings, ...input.timings },
    summary: run.summary,
    warnings: run.warnings,
    outputs: [...outputs].sort(),
  };
}

/**
 * Write `files` under `dir` as a whole: into a sibling temporary folder, then one rename. With `force` an
 * existing `dir` is moved aside, replaced, and then deleted; if the final rename fails it is put back.
 */
export function writeFolderAtomic(dir: string, files: FolderFiles, options: { force?: boolean } = {}): void {
  const target = resolve(dir);
  if (existsSync(target) && !options.force) {
    throw new RunFolderError(`${dir} already exists (use --force to replace it)`, 'exists');
  }
  const parent = dirname(target);
  const tag = `${process.pid}-${randomBytes(3).toString('hex')}`;
  const tmp = join(parent, `${basename(target)}.tmp-${tag}`);
  try {
    mkdirSync(tmp, { recursive: true });
    for (const [rel, data] of files) {
      if (rel.startsWith('/') || rel.split('/').includes('..')) throw new Error(`bad file name '${rel}'`);
      const path = join(tmp, rel);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, data);
    }
    if (existsSync(target)) {
      if (!options.force)
        throw new RunFolderError(`${dir} already exists (use --force to replace it)`, 'exists');
      const old = join(parent, `${basename(target)}.old-${tag}`);
      renameSync(target, old);
      try {
        renameSync(tmp, target);
      } catch (err) {
        renameSync(old, target);
        throw err;
      }
      rmSync(old, { recursive: true, force: true });
    } else {
      renameSync(tmp, target);
    }
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    if (err instanceof RunFolderError) throw err;
    throw new RunFolderError(`cannot write ${dir}: ${(err as Error).message}`, 'write');
  }
}

function checkRun(run: ScenarioRun): void {
  const n = run.time.length;
  if (run.values.length !== run.series.length) {
    throw new Error(`run '${run.name}': ${run.series.length} series but ${run.values.length} value columns`);
  }
  run.values.forEach((col, k) => {
    if (col.length !== n) {
      throw new Error(
        `run '${run.name}': series '${run.series[k].id}' has ${col.length} values, time has ${n}`,
      );
    }
  });
  const seen = new Set<string>(['time']);
  for (const s of run.series) {
    if (seen.has(s.id))
      throw new Error(`run '${run.name}': series id '${s.id}' appears twice (or is 'time')`);
    seen.add(s.id);
  }
}

/** Full precision (shortest round-trip form); NaN and infinities as written by JavaScript. */
function num(x: number | undefined): string {
  return x === undefined ? '' : String(x);
}

function csvField(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function csv(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const lines = [header.map(csvField).join(',')];
  for (const row of rows) lines.push(row.map(csvField).join(','));
  return `${lines.join('\n')}\n`;
}

export function resultsCsv(run: ScenarioRun): string {
  const lines: string[] = [['time', ...run.series.map((s) => s.id)].map(csvField).join(',')];
  const row: string[] = new Array(run.series.length + 1);
  for (let i = 0; i < run.time.length; i++) {
    row[0] = num(run.time[i]);
    for (let k = 0; k < run.values.length; k++) row[k + 1] = num(run.values[k][i]);
    lines.push(row.join(','));
  }
  return `${lines.join('\n')}\n`;
}

export function monitoringCsv(run: ScenarioRun): string {
  return csv(
    ['month', 'bcr_abl_is', 'undetectable', 'limit_is', 'response'],
    run.monitoring.map((m) => [
      num(m.month),
      num(m.bcrAblIS),
      String(m.undetectable),
      num(m.limitIS),
      m.response,
    ]),
  );
}

export function therapyCsv(run: ScenarioRun): string {
  return csv(
    ['start_month', 'end_month', 'drug', 'dose_mg', 'interval_hours', 'reason'],
    run.therapy.map((t) => [
      num(t.startMonth),
      num(t.endMonth),
      t.drug,
      num(t.doseMg),
      num(t.intervalHours),
      t.reason,
    ]),
  );
}

function drugCsv(drug: NonNullable<ScenarioRun['drug']>): string {
  const lines = ['time_hours,concentration_ng_ml'];
  for (let i = 0; i < drug.timeHours.length; i++) {
    lines.push(`${num(drug.timeHours[i])},${num(drug.concentration[i])}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * results.parquet: the results table as Float64 columns, Snappy-compressed. Units and labels go into the
 * file's key-value metadata (one key, `exoniche`: JSON with version, scenario and series) so the file is self-describing. Arrow and parquet-wasm are
 * loaded on demand (~0.25 s) so commands that write no Parquet do not pay for them.
 */
export async function resultsParquet(run: ScenarioRun): Promise<Uint8Array> {
  const arrow = await import('apache-arrow');
  const pq = await import('parquet-wasm');
  const columns: Record<string, Float64Array> = { time: run.time };
  run.series.forEach((s, k) => {
    columns[s.id] = run.values[k];
  });
  const table = arrow.tableFromArrays(columns);
  // One key: parquet-wasm keeps key-value metadata in a hash map whose order varies between processes, so several
  // keys would make the same run's bytes differ from one process to the next.
  const metadata = new Map<string, string>([
    [
      'exoniche',
      JSON.stringify({
        version: VERSION,
        scenario: run.name,
        series: [
          { id: 'time', label: 'time', units: 'month', group: 'time' },
          ...run.series.map((s) => ({ id: s.id, label: s.label, units: s.units, group: s.group })),
        ],
      }),
    ],
  ]);
  const props = new pq.WriterPropertiesBuilder()
    .setCompression(pq.Compression.SNAPPY)
    .setKeyValueMetadata(metadata)
    .build();
  const wasmTable = pq.Table.fromIPCStream(arrow.tableToIPC(table, 'stream'));
  return pq.writeParquet(wasmTable, props);
}

/** JSON has no NaN or Infinity: write null (the manifest is read by scripts). */
function jsonSafe(_key: string, value: unknown): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) return null;
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    return Array.from(value as unknown as ArrayLike<number>);
  }
  return value;
}
