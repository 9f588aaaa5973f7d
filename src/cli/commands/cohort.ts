/**
 * `exoniche cohort [SCENARIO] --patients N`: a virtual cohort on all local cores, into a resumable run folder
 * (src/sweep/run-folder.ts): sweep.json, shards/shard-*.parquet, results.parquet (sorted by patient),
 * summary.json, report.html, manifest.json. Running the same command again after an interruption skips the
 * finished shards; the results are byte-identical to an uninterrupted run, whatever --workers and --shard-size.
 *
 * The helpers here (integer options, the plan from a scenario, error mapping for sweeps) are shared with
 * `exoniche sweep` (commands/sweep.ts).
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { DEFAULT_SCENARIO, DEFAULT_SCENARIO_FILE } from '../../scenario/default.js';
import {
  defaultWorkers,
  formatIndices,
  JOB_KINDS,
  JobKindError,
  planJob,
  planKey,
  ShardError,
  SweepFolderError,
  type SweepManifest,
  SweepManifestError,
} from '../../sweep/index.js';
import { openSweepFolder, runSweepFolder } from '../../sweep/run-folder.js';
import { CliError, EXIT } from '../exit-codes.js';
import { createProgress } from '../progress.js';
import {
  commandLine,
  displayPath,
  EXIT_CODES_HELP,
  loadKb,
  mapRunError,
  printJson,
  RUNS_DIR,
  readScenario,
  withJsonErrors,
} from './run.js';

interface CohortFlags {
  patients?: string;
  out?: string;
  workers?: string;
  shardSize?: string;
  seed?: string;
  force?: boolean;
  json?: boolean;
  quiet?: boolean;
  kind?: string;
  jobSpec?: string;
}

export function registerCohort(program: Command): void {
  program
    .command('cohort')
    .description(
      'Simulate a virtual cohort of a scenario on all local cores; resumable (rerun the same command after an interruption)',
    )
    .argument(
      '[scenario]',
      'scenario file (YAML) with a cohort section; default: the embedded default scenario',
    )
    .option('--patients <N>', "number of virtual patients (default: the scenario's cohort.patients)")
    .option(
      '--out <dir>',
      `run folder (default: ${RUNS_DIR}/<scenario name>-cohort-<plan key>, so reruns resume)`,
    )
    .option('--workers <W>', `worker threads (default: all cores, here ${defaultWorkers()}; 0: no threads)`)
    .option('--shard-size <S>', 'patients per shard file (default 100); the results do not depend on it')
    .option('--seed <S>', 'override the scenario seed (a non-negative integer)')
    .option('--force', 'replace an existing folder that holds something else (another plan)')
    .option('--json', 'print one JSON object (paths, counts, timings, summary) on stdout and nothing else')
    .option('--quiet', 'print nothing but errors')
    .addOption(
      new Option('--kind <kind>', 'job kind (testing)').choices(JOB_KINDS).default('cohort').hideHelp(),
    )
    .addOption(new Option('--job-spec <json>', 'job settings as JSON (testing)').hideHelp())
    .addHelpText('after', EXIT_CODES_HELP)
    .action(async (file: string | undefined, flags: CohortFlags, cmd: Command) => {
      await withJsonErrors(flags.json, () => cohortCommand(file, flags, commandLine(cmd)));
    });
}

async function cohortCommand(file: string | undefined, flags: CohortFlags, command: string): Promise<void> {
  const t0 = performance.now();
  const patients = intOption('--patients', flags.patients, 1);
  const workers = intOption('--workers', flags.workers, 0) ?? defaultWorkers();
  const shardSize = intOption('--shard-size', flags.shardSize, 1);
  const manifest = await planFromScenario(file, {
    kind: flags.kind ?? 'cohort',
    patients,
    seed: seedOption(flags.seed),
    spec: jobSpecOption(flags.jobSpec),
    split: shardSize !== undefined ? { shardSize } : {},
  });
  const out = flags.out ?? defaultCohortDir(manifest);
  // without --shard-size, a rerun takes the folder's split (the results do not depend on it)
  const opened = sweepCall(() =>
    openSweepFolder(out, manifest, { force: flags.force === true, adoptSplit: shardSize === undefined }),
  );
  const tPlan = performance.now();
  const m = opened.manifest;

  const progress = createProgress({
    quiet: flags.quiet === true || flags.json === true,
    label: `cohort ${m.scenario.name}`,
  });
  let result: Awaited<ReturnType<typeof runSweepFolder>>;
  try {
    result = await sweepCallAsync(() =>
      runSweepFolder(opened.manifestPath, {
        workers,
        command,
        planMs: tPlan - t0,
        onProgress: (done, total) => progress.update(total > 0 ? done / total : 1),
      }),
    );
  } finally {
    progress.done();
  }
  if (!result.complete) {
    const reasons = result.failed
      .slice(0, 5)
      .map((i) => `  shard ${i}: ${result.reasons[i] ?? 'missing'}`)
      .join('\n');
    throw new CliError(
      `${result.failed.length} of ${m.shards} shards failed (${formatIndices(result.failed)}); the others are ` +
        `kept in ${displayPath(out)}/shards, rerun the same command to retry:\n${reasons}`,
      EXIT.simulationFailed,
    );
  }
  const totalS = (performance.now() - t0) / 1000;
  if (flags.json) {
    printJson({
      ok: true,
      command: 'cohort',
      kind: m.kind,
      scenario: { name: m.scenario.name, file: m.scenario.file ?? null },
      seed: m.seed,
      patients: m.patients,
      shards: m.shards,
      shardSize: m.shardSize,
      shardsRun: result.shardsRun,
      shardsSkipped: result.shardsSkipped,
      resumed: opened.resumed,
      workers,
      out: resolve(out),
      results: resolve(out, 'results.parquet'),
      files: result.outputs,
      planKey: planKey(m),
      modelHash: m.modelHash,
      parameterHash: m.parameterHash,
      summary: result.summary ?? null,
      timings: result.timings,
    });
    return;
  }
  if (!flags.quiet) {
    const resumed = result.shardsSkipped > 0 ? ` (${result.shardsSkipped} already done, resumed)` : '';
    const failed = failedCount(result.summary);
    process.stdout.write(
      `cohort '${m.scenario.name}': ${m.patients} patients (seed ${m.seed}${failed ? `, ${failed} failed runs` : ''})` +
        ` in ${m.shards} shard${m.shards === 1 ? '' : 's'}${resumed}, ${result.shardsRun} run on ${workers || 'no'} worker thread${workers === 1 ? '' : 's'}\n` +
        formatCohortSummary(result.summary)
          .map((l) => `${l}\n`)
          .join('') +
        `wrote ${displayPath(out)}/ (${result.outputs.join(', ')}) in ${totalS.toFixed(1)} s\n` +
        (result.outputs.includes('report.html') ? `report: ${displayPath(join(out, 'report.html'))}\n` : '') +
        `query: exoniche query ${displayPath(out)} "SELECT count(*) FROM results"\n`,
    );
  }
}

interface SummaryLike {
  overall?: {
    metrics?: { label?: unknown; estimate?: unknown; lower?: unknown; upper?: unknown; n?: unknown }[];
    endpoints?: { label?: unknown; events?: unknown; median?: { estimate?: unknown } }[];
  };
}

const pct = (x: unknown): string =>
  typeof x === 'number' && Number.isFinite(x) ? `${(100 * x).toFixed(1)} %` : 'n/a';

/**
 * A few lines of the cohort summary (milestone rates with their intervals, events per endpoint) for the terminal;
 * read defensively (the summary is the cohort layer's JSON form, summary.json has all of it).
 */
export function formatCohortSummary(summary: unknown, maxMetrics = 8): string[] {
  const o = (summary as SummaryLike | undefined)?.overall;
  if (!o) return [];
  const lines: string[] = [];
  const metrics = (o.metrics ?? []).filter((m) => typeof m.estimate === 'number').slice(0, maxMetrics);
  if (metrics.length > 0) {
    const width = Math.max(...metrics.map((m) => String(m.label).length));
    const level = (summary as { level?: unknown }).level;
    lines.push(`milestones (${typeof level === 'number' ? Math.round(100 * level) : 95} % interval):`);
    for (const m of metrics)
      lines.push(
        `  ${String(m.label).padEnd(width)}  ${pct(m.estimate).padStart(7)}  [${pct(m.lower)}, ${pct(m.upper)}]`,
      );
  }
  const endpoints = o.endpoints ?? [];
  if (endpoints.length > 0) {
    lines.push(
      `patients with the event: ${endpoints.map((e) => `${String(e.label)} ${String(e.events)}`).join(', ')}`,
    );
    const mmr = endpoints.find((e) => e.label === 'MMR')?.median?.estimate;
    if (mmr !== undefined)
      lines.push(
        `median time to MMR: ${typeof mmr === 'number' && Number.isFinite(mmr) ? `${mmr.toFixed(1)} months` : 'not reached'}`,
      );
  }
  return lines;
}

function failedCount(summary: unknown): number {
  const f = (summary as { failed?: unknown } | undefined)?.failed;
  return typeof f === 'number' ? f : 0;
}

// ---------------------------------------------------------------------------------------------------------------
// Shared with `exoniche sweep`

/** An integer option >= min, or undefined when absent; a usage error otherwise. */
export function intOption(name: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(Number(v)) || Number(v) < min)
    throw new CliError(`${name}: expected an integer >= ${min}, got '${value}'`, EXIT.usage);
  return Number(v);
}

export function seedOption(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (!/^\d+$/.test(v) || BigInt(v) >= 2n ** 64n)
    throw new CliError(`--seed: expected a non-negative integer below 2^64, got '${value}'`, EXIT.usage);
  return BigInt(v).toString();
}

function jobSpecOption(value: string | undefined): Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  try {
    const j = JSON.parse(value) as unknown;
    if (typeof j === 'object' && j !== null && !Array.isArray(j)) return j as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new CliError(`--job-spec: expected a JSON object, got '${value}'`, EXIT.usage);
}

/** Plan a sweep of `kind` over a scenario file (or the default scenario); user errors become CliErrors. */
export async function planFromScenario(
  file: string | undefined,
  o: {
    kind: string;
    patients?: number;
    seed?: string;
    spec?: Record<string, unknown>;
    split: { shards?: number; shardSize?: number };
  },
): Promise<SweepManifest> {
  let text: string;
  let scenarioFile: string | undefined;
  if (o.kind === 'cohort') {
    // read and validate first: a bad scenario is reported with file:line:col before anything else happens
    const input = readScenario(file, loadKb());
    text = input.text;
    scenarioFile = input.file;
  } else if (file !== undefined) {
    text = readText(file);
    scenarioFile = file;
  } else text = DEFAULT_SCENARIO;
  try {
    return await planJob(
      o.kind,
      {
        scenarioText: text,
        ...(scenarioFile !== undefined ? { scenarioFile } : {}),
        ...(o.patients !== undefined ? { patients: o.patients } : {}),
        ...(o.seed !== undefined ? { seed: o.seed } : {}),
        ...(o.spec !== undefined ? { spec: o.spec } : {}),
      },
      o.split,
    );
  } catch (err) {
    if (err instanceof RangeError) throw new CliError(err.message, EXIT.usage);
    if (err instanceof JobKindError) throw new CliError(err.message, EXIT.usage);
    throw mapRunError(err, scenarioFile ?? DEFAULT_SCENARIO_FILE);
  }
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CliError(
      code === 'ENOENT' ? `${file}: no such file` : `${file}: cannot read (${code ?? String(err)})`,
      EXIT.noInput,
    );
  }
}

/** `runs/<name>-cohort-<first 12 hex of the plan key>`: the same inputs give the same folder, so a rerun resumes. */
export function defaultCohortDir(m: SweepManifest): string {
  const safe = m.scenario.name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+|-+$/g, '') || 'scenario';
  const kind = m.kind === 'cohort' ? 'cohort' : m.kind;
  return join(RUNS_DIR, `${safe}-${kind}-${planKey(m).slice(0, 12)}`);
}

/** Sweep-layer errors -> exit codes. */
export function mapSweepError(err: unknown): unknown {
  if (err instanceof CliError) return err;
  if (err instanceof SweepManifestError)
    return new CliError(err.message, err.reason === 'missing' ? EXIT.noInput : EXIT.dataError);
  if (err instanceof SweepFolderError) return new CliError(err.message, EXIT.cantCreate);
  if (err instanceof ShardError)
    return new CliError(err.message, err.reason === 'version' ? EXIT.dataError : EXIT.simulationFailed);
  if (err instanceof JobKindError) return new CliError(err.message, EXIT.dataError);
  const code = (err as NodeJS.ErrnoException)?.code;
  if (typeof code === 'string' && ['EACCES', 'EPERM', 'ENOSPC', 'EROFS', 'ENOTDIR', 'EEXIST'].includes(code))
    return new CliError(`cannot write: ${(err as Error).message}`, EXIT.cantCreate);
  return err;
}

export function sweepCall<T>(f: () => T): T {
  try {
    return f();
  } catch (err) {
    throw mapSweepError(err);
  }
}

export async function sweepCallAsync<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (err) {
    throw mapSweepError(err);
  }
}
