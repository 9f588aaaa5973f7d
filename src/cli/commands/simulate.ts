/** `exoniche simulate MODEL`: one deterministic time course, written as CSV or JSON. */
import { extname } from 'node:path';
import type { Command } from 'commander';
import { writeFileAtomic } from '../../io/atomic-write.js';
import { loadModelOrReference, ModelFileError } from '../../io/load-model.js';
import { fileSha256, parameterHash, type RunManifest } from '../../io/manifest.js';
import { timeCourseToCsv, timeCourseToJson } from '../../io/timecourse-csv.js';
import { compileModel } from '../../models/compile/index.js';
import { ModelError } from '../../models/diagnostic.js';
import { simulateModel } from '../../models/simulate.js';
import { METHOD_NAMES } from '../../numerics/ode/methods.js';
import { VERSION } from '../../version.js';
import { CliError, EXIT } from '../exit-codes.js';
import { collect, parseAssignments, parseNumber, positive, positiveInteger } from '../parse-args.js';
import { parseEngine, runStochasticSimulate } from './simulate-stochastic.js';

interface SimulateFlags {
  tEnd: string;
  tStart: string;
  steps: string;
  solver: string;
  rtol: string;
  atol: string;
  param: string[];
  vars?: string;
  format?: string;
  out?: string;
  quiet?: boolean;
  patient?: string;
  engine?: string;
  replicates?: string;
  seed?: string;
}

export function registerSimulate(program: Command): void {
  program
    .command('simulate')
    .description('Simulate a model file and write its time course (CSV header: time,<ids>)')
    .argument('<model>', 'model file (.exm, .xml) or reference model name (see `exoniche models`)')
    .requiredOption('--t-end <T>', 'end time, in the model time unit')
    .option('--t-start <T0>', 'start time', '0')
    .option('--steps <N>', 'number of output intervals (N + 1 rows)', '100')
    .option('--solver <name>', `ODE method: ${METHOD_NAMES.join(', ') || 'auto'}`, 'auto')
    .option('--rtol <R>', 'relative tolerance', '1e-6')
    .option('--atol <A>', 'absolute tolerance', '1e-10')
    .option(
      '--param <ID=VALUE>',
      'override a parameter, compartment or initial value (repeatable)',
      collect,
      [],
    )
    .option('--vars <ids>', 'comma-separated ids to output (default: every species)')
    .option('--format <fmt>', 'csv or json (default: from the --out extension, else csv)')
    .option('--out <file>', 'write here instead of stdout (atomically), with a manifest beside it')
    .option('--quiet', 'print nothing but errors')
    .option(
      '--engine <name>',
      'ode (default), ssa (exact, direct method), nrm (exact, next-reaction method), tau (tau-leaping) or hybrid (ODE + jumps)',
    )
    .option('--replicates <N>', 'stochastic engines: N runs; writes time,<id>-mean,<id>-sd,...')
    .option('--seed <S>', 'stochastic engines: run seed (integer, default 0)')
    .option('--patient <K>', 'patient K of a reference model with patient parameters (hahnel2020, clapp2015)')
    .action((modelPath: string, flags: SimulateFlags, cmd: Command) => {
      runSimulate(modelPath, flags, cmd.parent?.args ?? []);
    });
}

function runSimulate(modelPath: string, flags: SimulateFlags, argv: readonly string[]): void {
  const tStart = parseNumber('--t-start', flags.tStart);
  const tEnd = parseNumber('--t-end', flags.tEnd);
  if (tEnd === tStart) throw new CliError(`--t-end must differ from --t-start (${tStart})`, EXIT.usage);
  const steps = parseNumber('--steps', flags.steps, positiveInteger);
  const rtol = parseNumber('--rtol', flags.rtol, positive);
  const atol = parseNumber('--atol', flags.atol, positive);
  const params = parseAssignments('--param', flags.param);
  const format = (
    flags.format ?? (flags.out && extname(flags.out).toLowerCase() === '.json' ? 'json' : 'csv')
  ).toLowerCase();
  if (format !== 'csv' && format !== 'json')
    throw new CliError(`--format: expected csv or json, got '${flags.format}'`, EXIT.usage);
  if (flags.solver !== 'auto' && !METHOD_NAMES.some((m) => m.toLowerCase() === flags.solver.toLowerCase())) {
    throw new CliError(
      `--solver: unknown method '${flags.solver}'; expected one of ${METHOD_NAMES.join(', ')}`,
      EXIT.usage,
    );
  }

  const engine = parseEngine(flags.engine);
  const patient =
    flags.patient !== undefined ? parseNumber('--patient', flags.patient, positiveInteger) : undefined;

  const t0 = performance.now();
  let loaded: ReturnType<typeof loadModelOrReference>;
  try {
    loaded = loadModelOrReference(modelPath, patient !== undefined ? { patient } : {});
  } catch (err) {
    if (err instanceof ModelFileError) {
      throw new CliError(err.message, /no such file/.test(err.message) ? EXIT.noInput : EXIT.dataError);
    }
    if (err instanceof ModelError) throw new CliError(err.message, EXIT.dataError);
    throw err;
  }
  const model = loaded.model;
  if (engine !== 'ode') {
    const vars = flags.vars
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const settings = { tStart, tEnd, steps, params, format, vars, out: flags.out, quiet: flags.quiet };
    runStochasticSimulate(model, {
      ...settings,
      engine,
      replicates: flags.replicates,
      seed: flags.seed,
      inputPath: loaded.path,
      argv,
      extraSettings: {
        ...(loaded.reference ? { referenceModel: loaded.reference.info.name } : {}),
        ...(loaded.reference?.patient !== undefined ? { patient: loaded.reference.patient } : {}),
      },
    });
    return;
  }
  let compiled: ReturnType<typeof compileModel>;
  try {
    compiled = compileModel(model);
  } catch (err) {
    throw new CliError(`${modelPath}: ${(err as Error).message}`, EXIT.dataError);
  }
  const tCompile = performance.now();

  let result: ReturnType<typeof simulateModel>;
  try {
    result = simulateModel(compiled, { tStart, tEnd, steps, method: flags.solver, rtol, atol, params });
  } catch (err) {
    throw new CliError((err as Error).message, EXIT.dataError);
  }
  const tSolve = performance.now();

  const vars = flags.vars
    ? flags.vars
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : (loaded.reference?.info.defaultOutputs ?? model.species.map((s) => s.id));
  const table = selectColumns(result, vars);
  const text =
    format === 'json'
      ? timeCourseToJson(table, {
          model: model.id,
          retcode: result.retcode,
          method: result.method,
          stats: result.stats,
        })
      : timeCourseToCsv(table);

  const failed = result.retcode !== 'Success' && result.retcode !== 'Terminated';
  if (flags.out) {
    try {
      writeFileAtomic(flags.out, text);
      const manifestPath = `${flags.out.replace(/\.(csv|json)$/i, '')}.manifest.json`;
      const manifest: RunManifest = {
        tool: 'exoniche',
        version: VERSION,
        command: ['exoniche', ...argv].join(' '),
        createdAt: new Date().toISOString(),
        node: process.version,
        inputs: [{ path: loaded.path, sha256: fileSha256(loaded.path) }],
        parameters: params,
        parameterHash: parameterHash(effectiveParameters(compiled, params)),
        settings: {
          tStart,
          tEnd,
          steps,
          solver: flags.solver,
          rtol,
          atol,
          vars,
          format,
          ...(loaded.reference ? { referenceModel: loaded.reference.info.name } : {}),
          ...(loaded.reference?.patient !== undefined ? { patient: loaded.reference.patient } : {}),
        },
        outputs: [flags.out],
        timings: { compileMs: tCompile - t0, solveMs: tSolve - tCompile },
        result: {
          retcode: result.retcode,
          message: result.message,
          method: result.method,
          stats: result.stats,
        },
      };
      writeFileAtomic(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
    } catch (err) {
      throw new CliError(`cannot write ${flags.out}: ${(err as Error).message}`, EXIT.cantCreate);
    }
    if (!flags.quiet) {
      process.stderr.write(
        `${model.id}: ${result.retcode} with ${result.method} in ${(tSolve - tCompile).toFixed(1)} ms ` +
          `(${result.stats.steps} steps); wrote ${flags.out}\n`,
      );
    }
  } else {
    process.stdout.write(text);
  }
  if (failed) throw new CliError(`simulation stopped early: ${result.message}`, EXIT.simulationFailed);
}

/** Every parameter-vector entry (parameters, compartment sizes, fixed species) with the overrides applied. */
function effectiveParameters(
  compiled: ReturnType<typeof compileModel>,
  overrides: Readonly<Record<string, number>>,
): Record<string, number> {
  const out: Record<string, number> = {};
  compiled.parameterIds.forEach((id, j) => {
    out[id] = compiled.p0[j];
  });
  return { ...out, ...overrides };
}

function selectColumns(
  result: { ids: readonly string[]; time: Float64Array; values: Float64Array },
  vars: readonly string[],
): { ids: readonly string[]; time: Float64Array; values: Float64Array } {
  const m = result.ids.length;
  const idx = vars.map((v) => {
    const j = result.ids.indexOf(v);
    if (j < 0) {
      throw new CliError(`--vars: unknown id '${v}'; the model outputs ${result.ids.join(', ')}`, EXIT.usage);
    }
    return j;
  });
  const rows = result.time.length;
  const values = new Float64Array(rows * idx.length);
  for (let i = 0; i < rows; i++)
    for (let k = 0; k < idx.length; k++) values[i * idx.length + k] = result.values[i * m + idx[k]];
  return { ids: vars, time: result.time, values };
}
