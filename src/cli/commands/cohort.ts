/**
 * `exoniche cohort [SCENARIO] --patients N`: a virtual cohort on all local cores, into a resumable run folder
 * (src/sweep/run-folder.ts): sweep.json, shards/shard-*.parquet, results.parquet (sorted by patient),
 * summary.json, report.html, manifest.json. Running the same command again after an interruption skips the
 * finished shards; the results are byte-identical to an uninterrupted run, whatever --workers and --shard-size.
 *
 * The helpers here (integer options, the plan from a scenario, error mapping for sweeps) are shared with
 * `exoniche sweep` (commands/sweep.ts).
 */
import { join, resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { DEFAULT_SCENARIO, DEFAULT_SCENARIO_FILE } from '../../scenario/default.js';
import {
  defaultWorkers,
  JOB_KINDS,
  JobKindError,
  planJob,
  planKey,
  type SweepManifest,
} from '../../sweep/index.js';
import { openSweepFolder, runSweepFolder } from '../../sweep/run-folder.js';
import { CliError, EXIT } from '../exit-codes.js';
import {
  defaultRunDir,
  failedShardsError,
  intOption,
  readText,
  seedOption,
  sweepCall,
  withRunProgress,
} from '../run-folder-options.js';
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

  const result = await withRunProgress(`cohort ${m.scenario.name}`, flags, (onProgress) =>
    runSweepFolder(opened.manifestPath, { workers, command, planMs: tPlan - t0, onProgress }),
  );
  if (!result.complete) throw failedShardsError(result.failed, result.reasons, m.shards, out);
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

/** `runs/<name>-<kind>-<first 12 hex of the plan key>`: the same inputs give the same folder, so a rerun resumes. */
export function defaultCohortDir(m: SweepManifest): string {
  return defaultRunDir(m, m.kind, 'scenario');
}
