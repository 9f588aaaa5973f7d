/**
 * Sweeps across machines: `exoniche sweep plan` writes the manifest (sweep.json), `exoniche sweep run-shard`
 * computes one shard (a cluster array task: the index comes from --index, JOB_COMPLETION_INDEX (Kubernetes
 * indexed Jobs) or SLURM_ARRAY_TASK_ID), `exoniche sweep merge` checks and merges the shards into
 * results.parquet (plus summary.json and report.html for cohorts). `run-shard` and `merge` also exist at the top
 * level. `exoniche query RUN "SQL"` runs DuckDB SQL over a run's Parquet files.
 */
import { dirname, join, resolve } from 'node:path';
import { type Command, Option } from 'commander';
import {
  defaultWorkers,
  formatCsv,
  formatIndices,
  formatJson,
  formatTable,
  JOB_KINDS,
  QueryError,
  queryRun,
  readSweepManifest,
  runShard,
  shardRange,
} from '../../sweep/index.js';
import { mergeShardColumns } from '../../sweep/merge.js';
import { finishSweepFolder, openSweepFolder } from '../../sweep/run-folder.js';
import { CliError, EXIT } from '../exit-codes.js';
import { createProgress } from '../progress.js';
import { intOption, seedOption, sweepCall, sweepCallAsync } from '../run-folder-options.js';
import { planFromScenario } from './cohort.js';
import { displayPath, EXIT_CODES_HELP, printJson, withJsonErrors } from './run.js';

/** Environment variables that carry an array task's index, in the order they are consulted. */
export const INDEX_ENV = ['JOB_COMPLETION_INDEX', 'SLURM_ARRAY_TASK_ID'] as const;

export function registerSweep(program: Command): void {
  const sweep = program
    .command('sweep')
    .description('Plan, run and merge a sharded sweep (a cohort split across machines or cluster jobs)');

  sweep
    .command('plan')
    .description('Write the sweep manifest DIR/sweep.json (scenario text, seed, patients, shards, hashes)')
    .argument('[scenario]', 'scenario file (YAML); default: the embedded default scenario')
    .option('--patients <N>', "number of virtual patients (default: the scenario's cohort.patients)")
    .option('--shards <K>', 'number of shards (patients split evenly; the last shard may be shorter)')
    .option('--shard-size <S>', 'patients per shard instead of --shards (default 100)')
    .requiredOption('--out <dir>', 'sweep folder (sweep.json, shards/, results.parquet)')
    .option('--seed <S>', 'override the scenario seed (a non-negative integer)')
    .option('--force', 'replace a folder that holds another sweep')
    .option('--json', 'print one JSON object on stdout')
    .addOption(
      new Option('--kind <kind>', 'job kind (testing)').choices(JOB_KINDS).default('cohort').hideHelp(),
    )
    .addOption(new Option('--job-spec <json>', 'job settings as JSON (testing)').hideHelp())
    .addHelpText('after', EXIT_CODES_HELP)
    .action(async (file: string | undefined, flags: PlanFlags) => {
      await withJsonErrors(flags.json, () => planCommand(file, flags));
    });

  addRunShard(sweep.command('run-shard'));
  addMerge(sweep.command('merge'));
  addRunShard(program.command('run-shard'));
  addMerge(program.command('merge'));

  program
    .command('query')
    .description(
      'Run SQL (DuckDB) over a run folder: the view `results` is RUN/results.parquet (or the shards so far), `shards` the shard files with their filename',
    )
    .argument('<run>', 'run or sweep folder (or one .parquet file)')
    .argument('<sql>', 'SQL, e.g. "SELECT stratum, count(*) FROM results GROUP BY 1"')
    .addOption(new Option('--format <f>', 'output format').choices(['table', 'csv', 'json']).default('table'))
    .addHelpText('after', EXIT_CODES_HELP)
    .action(async (run: string, sql: string, flags: { format: 'table' | 'csv' | 'json' }) => {
      let r: Awaited<ReturnType<typeof queryRun>>;
      try {
        r = await queryRun(run, sql);
      } catch (err) {
        if (err instanceof QueryError)
          throw new CliError(err.message, err.reason === 'sql' ? EXIT.dataError : EXIT.noInput);
        throw err;
      }
      const text =
        flags.format === 'csv' ? formatCsv(r) : flags.format === 'json' ? formatJson(r) : formatTable(r);
      process.stdout.write(text);
    });
}

interface PlanFlags {
  patients?: string;
  shards?: string;
  shardSize?: string;
  out: string;
  seed?: string;
  force?: boolean;
  json?: boolean;
  kind?: string;
  jobSpec?: string;
}

async function planCommand(file: string | undefined, flags: PlanFlags): Promise<void> {
  const shards = intOption('--shards', flags.shards, 1);
  const shardSize = intOption('--shard-size', flags.shardSize, 1);
  if (shards !== undefined && shardSize !== undefined)
    throw new CliError('give either --shards or --shard-size, not both', EXIT.usage);
  let spec: Record<string, unknown> | undefined;
  if (flags.jobSpec !== undefined) {
    try {
      spec = JSON.parse(flags.jobSpec) as Record<string, unknown>;
    } catch {
      throw new CliError(`--job-spec: expected a JSON object, got '${flags.jobSpec}'`, EXIT.usage);
    }
  }
  const m = await planFromScenario(file, {
    kind: flags.kind ?? 'cohort',
    patients: intOption('--patients', flags.patients, 1),
    seed: seedOption(flags.seed),
    ...(spec ? { spec } : {}),
    split: shards !== undefined ? { shards } : shardSize !== undefined ? { shardSize } : {},
  });
  const opened = sweepCall(() =>
    openSweepFolder(flags.out, m, {
      force: flags.force === true,
      adoptSplit: shards === undefined && shardSize === undefined,
    }),
  );
  const path = opened.manifestPath;
  const p = opened.manifest;
  if (flags.json) {
    printJson({
      ok: true,
      command: 'sweep plan',
      manifest: resolve(path),
      unchanged: opened.resumed,
      kind: p.kind,
      patients: p.patients,
      shards: p.shards,
      shardSize: p.shardSize,
      seed: p.seed,
      modelHash: p.modelHash,
      parameterHash: p.parameterHash,
    });
    return;
  }
  const shown = displayPath(path);
  process.stdout.write(
    `${opened.resumed ? 'unchanged' : 'planned'}: ${p.patients} patients in ${p.shards} shard${p.shards === 1 ? '' : 's'} of ` +
      `${p.shardSize} (seed ${p.seed}) -> ${shown}\n` +
      `run each shard (index 0 to ${p.shards - 1}; or set JOB_COMPLETION_INDEX / SLURM_ARRAY_TASK_ID):\n` +
      `  exoniche run-shard --manifest ${shown} --index I\n` +
      `then: exoniche merge --manifest ${shown}\n`,
  );
}

interface RunShardFlags {
  manifest: string;
  index?: string;
  workers?: string;
  json?: boolean;
  quiet?: boolean;
}

function addRunShard(cmd: Command): void {
  cmd
    .description('Compute one shard of a sweep (skipped if its file is already there and valid)')
    .requiredOption('--manifest <path>', 'the sweep manifest (sweep.json)')
    .option('--index <I>', `shard index (default: $${INDEX_ENV.join(' or $')})`)
    .option('--workers <W>', `worker threads (default: all cores, here ${defaultWorkers()}; 0: no threads)`)
    .option('--json', 'print one JSON object on stdout')
    .option('--quiet', 'print nothing but errors')
    .addHelpText('after', EXIT_CODES_HELP)
    .action(async (flags: RunShardFlags) => {
      await withJsonErrors(flags.json, () => runShardCommand(flags));
    });
}

/** --index, else the first of INDEX_ENV that is set. */
export function shardIndex(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): number {
  if (flag !== undefined) return intOption('--index', flag, 0)!;
  for (const name of INDEX_ENV) {
    const v = env[name];
    if (v !== undefined && v !== '') return intOption(name, v, 0)!;
  }
  throw new CliError(`no shard index: give --index I or set ${INDEX_ENV.join(' or ')}`, EXIT.usage);
}

async function runShardCommand(flags: RunShardFlags): Promise<void> {
  const t0 = performance.now();
  const index = shardIndex(flags.index);
  const workers = intOption('--workers', flags.workers, 0) ?? defaultWorkers();
  const m = sweepCall(() => readSweepManifest(flags.manifest));
  if (index >= m.shards)
    throw new CliError(
      `shard index ${index} is out of range: ${flags.manifest} has shards 0 to ${m.shards - 1}`,
      EXIT.usage,
    );
  const { start, end } = shardRange(m, index);
  const progress = createProgress({
    quiet: flags.quiet === true || flags.json === true,
    label: `shard ${index}`,
  });
  let r: Awaited<ReturnType<typeof runShard>>;
  try {
    r = await sweepCallAsync(() =>
      runShard(flags.manifest, index, {
        workers,
        onProgress: (done, total) => progress.update(total > 0 ? done / total : 1),
      }),
    );
  } finally {
    progress.done();
  }
  const seconds = (performance.now() - t0) / 1000;
  if (flags.json) {
    printJson({
      ok: true,
      command: 'run-shard',
      index,
      rows: { start, end },
      skipped: r.skipped,
      ...(r.replaced ? { replaced: r.replaced } : {}),
      path: resolve(r.path),
      seconds,
    });
    return;
  }
  if (r.replaced)
    process.stderr.write(`exoniche: warning: shard ${index}: replaced a bad file (${r.replaced})\n`);
  if (!flags.quiet)
    process.stdout.write(
      r.skipped
        ? `shard ${index} (patients ${start}-${end - 1}) already done: ${displayPath(r.path)}\n`
        : `shard ${index} (patients ${start}-${end - 1}) written to ${displayPath(r.path)} in ${seconds.toFixed(1)} s\n`,
    );
}

/** The command line as typed, for nested commands too (`exoniche sweep merge ...`). */
function rootCommandLine(cmd: Command): string {
  let root = cmd;
  while (root.parent) root = root.parent;
  return ['exoniche', ...root.args].join(' ');
}

interface MergeFlags {
  manifest: string;
  json?: boolean;
  quiet?: boolean;
}

function addMerge(cmd: Command): void {
  cmd
    .description(
      'Check and merge the shards of a sweep into results.parquet (and, for cohorts, summary.json and report.html)',
    )
    .requiredOption('--manifest <path>', 'the sweep manifest (sweep.json)')
    .option('--json', 'print one JSON object on stdout')
    .option('--quiet', 'print nothing but errors')
    .addHelpText(
      'after',
      `${EXIT_CODES_HELP}\n  (1 also when shards are missing or failed: nothing is merged)`,
    )
    .action(async (flags: MergeFlags, cmd: Command) => {
      await withJsonErrors(flags.json, () => mergeCommand(flags, rootCommandLine(cmd)));
    });
}

async function mergeCommand(flags: MergeFlags, command: string): Promise<void> {
  const t0 = performance.now();
  const r = await sweepCallAsync(() => mergeShardColumns(flags.manifest));
  if (!r.values) {
    const parts = [
      ...(r.missing.length > 0 ? [`missing (not run): ${formatIndices(r.missing)}`] : []),
      ...(r.failed.length > 0 ? [`failed: ${formatIndices(r.failed)}`] : []),
    ];
    const reasons = r.failed
      .slice(0, 5)
      .map((i) => `\n  shard ${i}: ${r.reasons[i]}`)
      .join('');
    throw new CliError(
      `cannot merge ${flags.manifest}: ${r.missing.length + r.failed.length} of ${r.manifest.shards} shards ` +
        `${parts.join('; ')}${reasons}\nrun them with: exoniche run-shard --manifest ${flags.manifest} --index I`,
      EXIT.simulationFailed,
    );
  }
  const tMerge = performance.now();
  const fin = await sweepCallAsync(() =>
    finishSweepFolder(flags.manifest, r.values!, { command, timings: { mergeMs: tMerge - t0 } }),
  );
  const dir = dirname(flags.manifest);
  if (flags.json) {
    printJson({
      ok: true,
      command: 'merge',
      rows: r.rows,
      shards: r.manifest.shards,
      results: resolve(r.path),
      files: fin.outputs,
      summary: fin.summary ?? null,
      timings: fin.timings,
    });
    return;
  }
  if (!flags.quiet)
    process.stdout.write(
      `merged ${r.rows} rows from ${r.manifest.shards} shards -> ${displayPath(r.path)}\n` +
        (fin.outputs.includes('report.html') ? `report: ${displayPath(join(dir, 'report.html'))}\n` : ''),
    );
}
