/**
 * `exoniche sensitivity [SCENARIO_OR_MODEL] --output COLUMN[@agg] [--factor NAME[=LO:HI[:log]]] ...`: global
 * sensitivity (Sobol' or Morris) of a scenario outcome (the typical patient, or a cohort aggregate per design point)
 * or of a model observable at a time, in a resumable folder on all local cores (src/sweep/sensitivity-run.ts);
 * docs/sensitivity.md. --json prints the indices on stdout (into a temporary folder, removed after, unless --out).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { ModelFileError } from '../../io/load-model.js';
import {
  isReferenceModelName,
  loadReferenceModel,
  referenceModelNames,
} from '../../knowledge/reference-models.js';
import { DEFAULT_SCENARIO_FILE } from '../../scenario/default.js';
import { defaultWorkers, planJob, planKey, type SweepManifest } from '../../sweep/index.js';
import type { SensitivityRequest } from '../../sweep/jobs/sensitivity.js';
import { runStudyFolder, type StudySummary } from '../../sweep/sensitivity-run.js';
import {
  type FactorArg,
  type OutputIndices,
  parseFactorArg,
  SensitivitySpecError,
  STUDY_DEFAULTS,
  type StudyMethod,
} from '../../sweep/sensitivity-spec.js';
import { CliError, EXIT } from '../exit-codes.js';
import {
  defaultRunDir,
  failedShardsError,
  intOption,
  readText,
  seedOption,
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

interface SensitivityFlags {
  output: string[];
  factor: string[];
  method: 'sobol' | 'morris';
  samples?: string;
  trajectories?: string;
  levels?: string;
  bootstrap?: string;
  patients?: string;
  patient?: string;
  time?: string;
  workers?: string;
  shardSize?: string;
  seed?: string;
  out?: string;
  force?: boolean;
  json?: boolean;
  quiet?: boolean;
}

const collect = (v: string, acc: string[]) => [...acc, v];

const {
  samples: DEFAULT_SAMPLES,
  trajectories: DEFAULT_TRAJECTORIES,
  levels: DEFAULT_LEVELS,
  bootstrap: DEFAULT_BOOTSTRAP,
} = STUDY_DEFAULTS;

export function registerSensitivity(program: Command): void {
  program
    .command('sensitivity')
    .description(
      'Global sensitivity (Sobol or Morris) of a scenario outcome or a model observable; resumable, on all local cores',
    )
    .argument(
      '[target]',
      'scenario file (.yaml), model file (.exm, .xml) or reference model name; default: the embedded default scenario',
    )
    .option(
      '--output <COLUMN[@agg]>',
      'output (repeatable): an outcome column (bcrAblM12, timeMMR, tfrSuccess12, ...) of the typical patient, with @mean, @median, @share or @share<=X over a cohort per design point; for a model, an observable',
      collect,
      [],
    )
    .option(
      '--factor <NAME[=LO:HI[:log]]>',
      "factor (repeatable): a model parameter id or knowledge-base key; range from the knowledge base unless given (default for scenarios: the Hähnel core pyx, pxy, e_tki, pz, Kz over the 21 patients' range)",
      collect,
      [],
    )
    .addOption(
      new Option('--method <method>', 'sobol or morris').choices(['sobol', 'morris']).default('sobol'),
    )
    .option('--samples <N>', `Sobol base samples, N (d + 2) runs (default ${DEFAULT_SAMPLES})`)
    .option('--trajectories <R>', `Morris trajectories, R (d + 1) runs (default ${DEFAULT_TRAJECTORIES})`)
    .option('--levels <P>', `Morris grid levels, even (default ${DEFAULT_LEVELS})`)
    .option('--bootstrap <B>', `bootstrap resamples for the Sobol intervals (default ${DEFAULT_BOOTSTRAP})`)
    .option(
      '--patients <M>',
      'virtual patients per design point, for outputs with an aggregate (default 100)',
    )
    .option('--patient <K>', 'patient of a reference model with patients (Hähnel 2020: 1-21)')
    .option('--time <T>', 'time (model units) at which a model observable is read (default 0)')
    .option('--workers <W>', `worker threads (default: all cores, here ${defaultWorkers()}; 0: no threads)`)
    .option('--shard-size <S>', 'design points per shard file (default 100); the results do not depend on it')
    .option(
      '--seed <S>',
      'seed of the design and of the virtual patients (default: the scenario seed, 1 for models)',
    )
    .option(
      '--out <dir>',
      `study folder (default: ${RUNS_DIR}/<name>-sensitivity-<plan key>; with --json: none)`,
    )
    .option('--force', 'replace an existing folder that holds something else')
    .option('--json', 'print the indices as one JSON object on stdout and nothing else')
    .option('--quiet', 'print nothing but errors')
    .addHelpText('after', EXIT_CODES_HELP)
    .action(async (target: string | undefined, flags: SensitivityFlags, cmd: Command) => {
      await withJsonErrors(flags.json, () => sensitivityCommand(target, flags, commandLine(cmd)));
    });
}

interface Target {
  readonly text: string;
  readonly file?: string;
  readonly target: 'scenario' | 'model';
  readonly model?: SensitivityRequest['model'];
}

function resolveTarget(arg: string | undefined, patient: number | undefined): Target {
  const ext = extname(arg ?? '').toLowerCase();
  if (arg === undefined || arg === 'default' || ext === '.yaml' || ext === '.yml') {
    if (patient !== undefined) throw new CliError('--patient applies to reference models only', EXIT.usage);
    const input = readScenario(arg === 'default' ? undefined : arg, loadKb());
    return {
      text: input.text,
      ...(input.file !== undefined ? { file: input.file } : {}),
      target: 'scenario',
    };
  }
  if (ext === '.exm' || ext === '.xml' || ext === '.sbml') {
    if (patient !== undefined) throw new CliError('--patient applies to reference models only', EXIT.usage);
    return {
      text: readText(arg),
      file: arg,
      target: 'model',
      model: { format: ext === '.exm' ? 'exm' : 'sbml' },
    };
  }
  if (isReferenceModelName(arg)) {
    let path: string;
    try {
      path = loadReferenceModel(arg, patient !== undefined ? { patient } : {}).path;
    } catch (err) {
      throw new CliError((err as Error).message, EXIT.dataError);
    }
    return {
      text: readText(path),
      file: path,
      target: 'model',
      model: { reference: arg, format: 'exm', ...(patient !== undefined ? { patient } : {}) },
    };
  }
  throw new CliError(
    `${arg}: not a scenario (.yaml), a model file (.exm, .xml, .sbml) or a reference model (${referenceModelNames().join(', ')})`,
    EXIT.noInput,
  );
}

function numberOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const v = Number(value.trim());
  if (value.trim() === '' || !Number.isFinite(v) || v < 0)
    throw new CliError(`${name}: expected a number >= 0, got '${value}'`, EXIT.usage);
  return v;
}

function specError(err: unknown): unknown {
  if (err instanceof SensitivitySpecError)
    return new CliError(err.message, err.kind === 'usage' ? EXIT.usage : EXIT.dataError);
  return err;
}

async function sensitivityCommand(
  arg: string | undefined,
  flags: SensitivityFlags,
  command: string,
): Promise<void> {
  const t0 = performance.now();
  if (flags.output.length === 0) throw new CliError('give at least one --output COLUMN[@agg]', EXIT.usage);
  const workers = intOption('--workers', flags.workers, 0) ?? defaultWorkers();
  const shardSize = intOption('--shard-size', flags.shardSize, 1);
  const patient = intOption('--patient', flags.patient, 1);
  const patients = intOption('--patients', flags.patients, 1);
  const time = numberOption('--time', flags.time);
  let method: StudyMethod;
  if (flags.method === 'morris') {
    if (flags.samples !== undefined || flags.bootstrap !== undefined)
      throw new CliError('--samples and --bootstrap apply to --method sobol', EXIT.usage);
    method = {
      kind: 'morris',
      trajectories: intOption('--trajectories', flags.trajectories, 2) ?? DEFAULT_TRAJECTORIES,
      levels: intOption('--levels', flags.levels, 2) ?? DEFAULT_LEVELS,
    };
  } else {
    if (flags.trajectories !== undefined || flags.levels !== undefined)
      throw new CliError('--trajectories and --levels apply to --method morris', EXIT.usage);
    method = {
      kind: 'sobol',
      samples: intOption('--samples', flags.samples, 2) ?? DEFAULT_SAMPLES,
      bootstrap: intOption('--bootstrap', flags.bootstrap, 0) ?? DEFAULT_BOOTSTRAP,
      confidence: 0.95,
    };
  }
  let factors: FactorArg[];
  try {
    factors = flags.factor.map(parseFactorArg);
  } catch (err) {
    throw specError(err);
  }
  const seed = seedOption(flags.seed);
  const t = resolveTarget(arg, patient);
  if (t.target === 'scenario' && time !== undefined)
    throw new CliError(
      '--time applies to models (scenario outputs are read at their own months)',
      EXIT.usage,
    );
  if (t.target === 'model' && patients !== undefined)
    throw new CliError('--patients applies to scenarios', EXIT.usage);
  const request: SensitivityRequest = {
    target: t.target,
    method,
    factors,
    outputs: flags.output,
    ...(patients !== undefined ? { patients } : {}),
    ...(time !== undefined ? { time } : {}),
    ...(t.model ? { model: t.model } : {}),
  };
  let manifest: SweepManifest;
  try {
    manifest = await planJob(
      'sensitivity',
      {
        scenarioText: t.text,
        ...(t.file !== undefined ? { scenarioFile: t.file } : {}),
        ...(seed !== undefined ? { seed } : {}),
        spec: request as unknown as Record<string, unknown>,
      },
      shardSize !== undefined ? { shardSize } : {},
    );
  } catch (err) {
    const e = specError(err);
    if (e instanceof CliError) throw e;
    if (err instanceof ModelFileError) throw new CliError(err.message, EXIT.dataError);
    if ((err as Error)?.name === 'GsaError') throw new CliError((err as Error).message, EXIT.usage);
    if (err instanceof RangeError) throw new CliError(err.message, EXIT.usage);
    throw mapRunError(err, t.file ?? DEFAULT_SCENARIO_FILE);
  }
  const temporary = flags.out === undefined && flags.json === true;
  const out =
    flags.out ??
    (temporary ? mkdtempSync(join(tmpdir(), 'exoniche-sensitivity-')) : defaultStudyDir(manifest));
  const tPlan = performance.now();
  const result = await withRunProgress(
    `sensitivity ${manifest.scenario.name}`,
    flags,
    (onProgress) =>
      runStudyFolder(out, manifest, {
        workers,
        force: flags.force === true || temporary,
        adoptSplit: shardSize === undefined,
        command,
        planMs: tPlan - t0,
        onProgress,
      }),
    temporary ? () => rmSync(out, { recursive: true, force: true }) : undefined,
  );
  if (!result.complete)
    throw failedShardsError(
      result.failedShards,
      result.reasons,
      result.manifest.shards,
      temporary ? undefined : out,
    );
  const summary = result.summary as StudySummary;
  const m = result.manifest;
  if (flags.json) {
    printJson({
      ok: true,
      command: 'sensitivity',
      name: summary.name,
      mode: summary.mode,
      method: summary.method,
      seed: summary.seed,
      factors: summary.factors,
      designPoints: summary.points,
      failedPoints: summary.failedPoints,
      failures: summary.failures,
      outputs: summary.outputs,
      shards: m.shards,
      shardsRun: result.shardsRun,
      shardsSkipped: result.shardsSkipped,
      workers,
      out: temporary ? null : resolve(out),
      planKey: planKey(m),
      timings: result.timings,
    });
    return;
  }
  if (flags.quiet) return;
  const lines: string[] = [];
  const resumed = result.shardsSkipped > 0 ? ` (${result.shardsSkipped} shards already done, resumed)` : '';
  lines.push(
    `sensitivity '${summary.name}' (${summary.mode}): ${summary.method}; ${summary.points} design points${resumed}` +
      `${summary.failedPoints > 0 ? `, ${summary.failedPoints} with failed runs` : ''}`,
  );
  for (const o of summary.outputs) lines.push(...formatIndicesTable(o));
  const totalS = (performance.now() - t0) / 1000;
  lines.push(`wrote ${displayPath(out)}/ (${result.outputs.join(', ')}) in ${totalS.toFixed(1)} s`);
  lines.push(`report: ${displayPath(join(out, 'report.html'))}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

const f3 = (x: number | undefined) =>
  x === undefined || !Number.isFinite(x) ? '   n/a' : x.toFixed(3).padStart(6);
const g4 = (x: number | undefined) =>
  x === undefined || !Number.isFinite(x) ? 'n/a' : String(Number(x.toPrecision(4)));

/** One output's indices as aligned text lines. */
export function formatIndicesTable(o: OutputIndices): string[] {
  const out = [
    `${o.label}:${o.dropped > 0 ? ` (${o.dropped} ${o.method === 'sobol' ? 'base samples' : 'trajectories'} dropped for missing values, ${o.used} used)` : ''}`,
  ];
  if (o.error !== undefined) return [...out, `  no indices: ${o.error}`];
  const w = Math.max(6, ...o.names.map((n) => n.length));
  if (o.method === 'sobol') {
    out.push(`  ${'factor'.padEnd(w)}  first [95 % CI]            total [95 % CI]`);
    o.names.forEach((n, i) => {
      const fc = o.firstCI?.[i];
      const tc = o.totalCI?.[i];
      out.push(
        `  ${n.padEnd(w)}  ${f3(o.first?.[i])} [${f3(fc?.[0])}, ${f3(fc?.[1])}]  ${f3(o.total?.[i])} [${f3(tc?.[0])}, ${f3(tc?.[1])}]`,
      );
    });
  } else {
    out.push(`  ${'factor'.padEnd(w)}  mu*  sigma  mu`);
    o.names.forEach((n, i) => {
      out.push(`  ${n.padEnd(w)}  ${g4(o.muStar?.[i])}  ${g4(o.sigma?.[i])}  ${g4(o.mu?.[i])}`);
    });
  }
  return out;
}

/** `runs/<name>-sensitivity-<first 12 hex of the plan key>`: the same inputs give the same folder (a rerun resumes). */
function defaultStudyDir(m: SweepManifest): string {
  return defaultRunDir(m, 'sensitivity', 'study');
}
