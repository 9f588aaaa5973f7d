/**
 * `exoniche fit MODEL --data FILE`: fit model parameters to longitudinal patient data (one series per subject,
 * left-censored points allowed) with the pipeline of src/fitting/model-fit-run.ts; print a summary (or, with
 * --json, the result object) and, with --out, write a folder with fit.json, residuals.csv, report.html and
 * manifest.json atomically. For a reference model with patient parameter sets (hahnel2020, clapp2015), a subject
 * whose id is a patient number is fitted with that patient's model (its fixed parameters), and the knowledge-base
 * values of the fitted parameters appear beside the estimates.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { FittingDataError, parseSeriesCsv, type Series } from '../../fitting/data.js';
import { McmcError } from '../../fitting/mcmc/index.js';
import type { BayesFitResult } from '../../fitting/model-bayes.js';
import { ModelFitError, ModelFitProblem, type ModelFitSetup } from '../../fitting/model-fit.js';
import {
  type BayesRunOptions,
  drawsCsv,
  fitBayes,
  type ModelBayesResult,
  type SubjectPosterior,
} from '../../fitting/model-fit-bayes.js';
import {
  fitPopulation,
  type ModelPopulationResult,
  type PopulationRunOptions,
} from '../../fitting/model-fit-population.js';
import {
  fitModel,
  type LocalMethod,
  type ModelFitResult,
  type SubjectFit,
} from '../../fitting/model-fit-run.js';
import { tieParameters } from '../../fitting/model-fit-tie.js';
import { coreFitYaml } from '../../fitting/model-population.js';
import { SaemError } from '../../fitting/population/index.js';
import { checkSpec, type ParameterSpec, ParameterSpecError } from '../../fitting/transform.js';
import { loadModelOrReference, ModelFileError } from '../../io/load-model.js';
import { fileSha256, parameterHash, sha256 } from '../../io/manifest.js';
import type { FolderFiles } from '../../io/run-folder.js';
import { KnowledgeError, loadKnowledgeBase } from '../../knowledge/index.js';
import type { ReferenceModel } from '../../knowledge/reference-models.js';
import type { CompiledModel } from '../../models/compile/compile.js';
import { compileModel } from '../../models/compile/index.js';
import { ModelError } from '../../models/diagnostic.js';
import type { Model } from '../../models/ir.js';
import {
  type PublishedValues,
  renderBayesReport,
  renderFitReport,
  renderPopulationReport,
} from '../../report/fit.js';
import { VERSION } from '../../version.js';
import { CliError, EXIT } from '../exit-codes.js';
import { collect, parseAssignments, parseNumber, positive, positiveInteger } from '../parse-args.js';
import { checkOutDir, commandLine, printJson, withJsonErrors, writeOut } from './run.js';

interface FitFlags {
  data?: string;
  id?: string;
  time?: string;
  value?: string;
  censored?: string;
  timeScale: string;
  timeOffset: string;
  tStart?: string;
  observable?: string;
  observableScale?: string;
  param: string[];
  fix: string[];
  tie: string[];
  sigma: string;
  subjects: string;
  pooled?: boolean;
  starts: string;
  method?: string;
  global?: string;
  profile?: boolean;
  level: string;
  seed: string;
  patient?: string;
  bayes?: boolean;
  chains?: string;
  warmup?: string;
  draws?: string;
  population?: boolean;
  covariance?: string;
  burnIn?: string;
  averaging?: string;
  out?: string;
  force?: boolean;
  json?: boolean;
  quiet?: boolean;
}

const FIT_HELP = `
Parameters: --param NAME=LO:HI[:log|linear][:INITIAL] (scale default: log when LO > 0 and HI/LO >= 10), or
--param NAME alone to take the range from the knowledge base (the parameter's @source kb key).
Data: a CSV with a header; --id, --time and --value default to its first three columns, --censored to a column
named 'censored' or 'upper_limit_only' when there is one (1 = left-censored: the value is an upper limit).
Model time = --time-offset + --time-scale * data time.

Example (the shipped Hähnel 2020 on-TKI data, patients 10 and 20):
  exoniche fit hahnel2020 --data data/patients/hahnel2020_figS2_on_tki.csv --subjects 10,20 \\
    --param pyx=1e-6:2 --param pxy=1e-7:1 --param e_tki=0.5:50 --param Y_init=1e3:1.999e6 \\
    --tie X_init=pyx*Y_init/pxy --profile --out runs/fit-hahnel

Bayesian fit (--bayes): per subject the posterior under independent flat priors on the --param ranges
(log-uniform for log-scale parameters; sigma log-uniform on [0.01, 3] when estimated): mean, sd, 95 % credible
interval, R-hat, bulk/tail ESS (warnings when R-hat > 1.01 or an ESS < 100 per chain), histograms and the
posterior predictive band. --out adds draws.csv.
Population fit (--population): SAEM over all subjects (log-normal random effects for log-scale parameters):
population values, random-effect SDs and sigma with standard errors, per-subject conditional estimates and the
convergence trajectories. When the fitted parameters are Hähnel 2020 core parameters, the cohort.coreFit block is
printed and written to core-fit.yaml (use it in a scenario with core: fitted; docs/cohorts.md).

Exit codes:
  0   success
  1   a fit failed (no finite likelihood at any start)
  64  wrong usage (bad --param syntax, unknown parameter or observable id, bad option value)
  65  invalid input (malformed data file: file:line:field; invalid model)
  66  an input file is missing or unreadable
  73  the output cannot be written (folder exists without --force, no permission)`;

export function registerFit(program: Command): void {
  program
    .command('fit')
    .description(
      'Fit model parameters to patient time series (log10-normal errors, left-censoring) and report',
    )
    .argument('<model>', 'model file (.exm, .xml) or reference model name (see `exoniche models`)')
    .requiredOption('--data <file>', 'CSV with one row per measurement (subject, time, value[, censored])')
    .option('--id <col>', 'subject id column (default: the first column)')
    .option('--time <col>', 'time column (default: the second column)')
    .option('--value <col>', 'measured value column (default: the third column)')
    .option(
      '--censored <col>',
      "0/1 column: 1 = left-censored (default: 'censored' or 'upper_limit_only' if present)",
    )
    .option('--time-scale <x>', 'model time = offset + scale * data time', '1')
    .option('--time-offset <x>', 'see --time-scale', '0')
    .option(
      '--t-start <T>',
      'model start time of every simulation (default 0, or the earliest observation if earlier)',
    )
    .option(
      '--observable <id>',
      'model observable compared with the data (default: bcr_abl_percent, else bcr_abl)',
    )
    .option(
      '--observable-scale <x>',
      'multiplies the observable (default 100 for bcr_abl against a percent column)',
    )
    .option(
      '--param <spec>',
      'fitted parameter NAME=LO:HI[:log|linear][:INITIAL] or NAME (repeatable)',
      collect,
      [],
    )
    .option('--fix <ID=VALUE>', 'hold a parameter at a value (repeatable)', collect, [])
    .option(
      '--tie <ID=EXPR>',
      'compute a parameter from others, e.g. X_init=pyx*Y_init/pxy (repeatable)',
      collect,
      [],
    )
    .option('--sigma <v>', "residual sd on log10, or 'estimate' (maximum likelihood)", 'estimate')
    .option('--subjects <ids>', "'all' or comma-separated subject ids", 'all')
    .option('--pooled', 'one parameter set for all subjects (default: each subject its own fit)')
    .option('--starts <N>', 'starts per fit (start 0 at the initial values, the rest a Latin hypercube)', '8')
    .option('--method <m>', 'local optimiser: lm (least squares, default) or nelder-mead')
    .option('--global <g>', 'global search before the local polish: cmaes')
    .option('--profile', 'profile likelihoods and their confidence intervals for every fitted parameter')
    .option('--level <p>', 'confidence level of the profile intervals', '0.95')
    .option('--seed <S>', 'seed of the start design and of CMA-ES (non-negative integer)', '1')
    .option('--patient <K>', "fit every subject with patient K's parameter set of a reference model")
    .option(
      '--bayes',
      'posterior by adaptive Metropolis MCMC instead of maximum likelihood (flat range prior)',
    )
    .option(
      '--chains <N>',
      'with --bayes: MCMC chains per subject (default 4); with --population: SAEM chains per subject (default ceil(50/subjects))',
    )
    .option('--warmup <N>', 'with --bayes: warm-up iterations per chain (default 1000)')
    .option('--draws <N>', 'with --bayes: kept draws per chain (default 1000)')
    .option('--population', 'population (mixed-effects) fit of all subjects together by SAEM')
    .option('--covariance <c>', 'with --population: random-effect covariance, diagonal (default) or full')
    .option('--burn-in <K1>', 'with --population: SAEM iterations with step 1 (default 300)')
    .option('--averaging <K2>', 'with --population: SAEM averaging iterations (default 100)')
    .option('--out <dir>', 'write fit.json, residuals.csv, report.html and manifest.json into this folder')
    .option('--force', 'replace an existing --out folder (only once the new one is complete)')
    .option('--json', 'print the result object as JSON on stdout and nothing else')
    .option('--quiet', 'print nothing but errors')
    .addHelpText('after', FIT_HELP)
    .action(async (modelArg: string, flags: FitFlags, cmd: Command) => {
      await withJsonErrors(flags.json, () => runFit(modelArg, flags, commandLine(cmd)));
    });
}

/** `NAME=LO:HI[:log|linear][:INITIAL]` into a ParameterSpec; `NAME` alone is returned as a name to resolve. */
export function parseParamSpec(raw: string): ParameterSpec | string {
  const eq = raw.indexOf('=');
  if (eq < 0) {
    const name = raw.trim();
    if (!/^[A-Za-z_][A-Za-z0-9_.]*$/.test(name))
      throw new CliError(
        `--param: expected NAME=LO:HI[:log|linear][:INITIAL] or NAME, got '${raw}'`,
        EXIT.usage,
      );
    return name;
  }
  const name = raw.slice(0, eq).trim();
  const parts = raw
    .slice(eq + 1)
    .split(':')
    .map((s) => s.trim());
  const bad = (why: string) =>
    new CliError(
      `--param ${name || raw}: ${why} (expected NAME=LO:HI[:log|linear][:INITIAL], got '${raw}')`,
      EXIT.usage,
    );
  if (name === '' || parts.length < 2 || parts.length > 4) throw bad('wrong number of fields');
  const lo = Number(parts[0]);
  const hi = Number(parts[1]);
  if (parts[0] === '' || parts[1] === '' || !Number.isFinite(lo) || !Number.isFinite(hi))
    throw bad('LO and HI must be numbers');
  let scale: 'log' | 'linear' = lo > 0 && hi / lo >= 10 ? 'log' : 'linear';
  let initial: number | undefined;
  for (const p of parts.slice(2)) {
    if (p === 'log' || p === 'linear') scale = p;
    else {
      const v = Number(p);
      if (p === '' || !Number.isFinite(v)) throw bad(`'${p}' is neither log, linear nor a number`);
      initial = v;
    }
  }
  const spec: ParameterSpec = { name, lo, hi, scale, ...(initial !== undefined ? { initial } : {}) };
  try {
    checkSpec(spec);
  } catch (err) {
    if (err instanceof ParameterSpecError) throw bad(err.message);
    throw err;
  }
  return spec;
}

function parseTies(raw: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of raw) {
    const eq = t.indexOf('=');
    if (eq <= 0) throw new CliError(`--tie: expected ID=EXPR, got '${t}'`, EXIT.usage);
    out[t.slice(0, eq).trim()] = t.slice(eq + 1).trim();
  }
  return out;
}

function loadData(flags: FitFlags): { series: Series[]; text: string; columns: Record<string, string> } {
  const path = flags.data as string;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CliError(
      code === 'ENOENT' ? `${path}: no such file` : `${path}: cannot read (${code ?? err})`,
      EXIT.noInput,
    );
  }
  const header = (text.split(/\r?\n/, 1)[0] ?? '').split(',').map((s) => s.trim());
  const pick = (given: string | undefined, k: number, what: string) => {
    const c = given ?? header[k];
    if (!c)
      throw new CliError(
        `${path}:1: no ${what} column (header has ${header.length} columns); give --${what}`,
        EXIT.dataError,
      );
    return c;
  };
  const columns = {
    id: pick(flags.id, 0, 'id'),
    time: pick(flags.time, 1, 'time'),
    value: pick(flags.value, 2, 'value'),
  };
  const censored = flags.censored ?? header.find((h) => h === 'censored' || h === 'upper_limit_only');
  try {
    const series = parseSeriesCsv(text, {
      source: path,
      ...columns,
      ...(censored !== undefined ? { censored } : {}),
    });
    if (series.length === 0) throw new CliError(`${path}: no data rows`, EXIT.dataError);
    return { series, text, columns: { ...columns, ...(censored !== undefined ? { censored } : {}) } };
  } catch (err) {
    if (err instanceof FittingDataError) throw new CliError(err.message, EXIT.dataError);
    throw err;
  }
}

function loadModel(
  arg: string,
  patient: number | undefined,
): { model: Model; path: string; reference?: ReferenceModel } {
  try {
    return loadModelOrReference(arg, patient !== undefined ? { patient } : {});
  } catch (err) {
    if (err instanceof ModelFileError)
      throw new CliError(
        err.message,
        /no such file/.test(err.message) && /\.(exm|xml|sbml)$/i.test(arg) ? EXIT.noInput : EXIT.dataError,
      );
    if (err instanceof ModelError || err instanceof KnowledgeError)
      throw new CliError(err.message, EXIT.dataError);
    throw err;
  }
}

/** --bayes / --population and their options, checked before any work (usage errors). */
function modeOptions(flags: FitFlags):
  | { kind: 'ml' }
  | { kind: 'bayes'; chains?: number; warmup?: number; draws?: number }
  | {
      kind: 'population';
      covariance?: 'diagonal' | 'full';
      burnIn?: number;
      averaging?: number;
      chains?: number;
    } {
  if (flags.bayes && flags.population)
    throw new CliError('--bayes and --population exclude each other: choose one', EXIT.usage);
  const only = (flag: string, set: unknown, needs: string, on: boolean | undefined) => {
    if (set !== undefined && set !== false && !on) throw new CliError(`${flag} needs ${needs}`, EXIT.usage);
  };
  only('--chains', flags.chains, '--bayes or --population', flags.bayes || flags.population);
  only('--warmup', flags.warmup, '--bayes', flags.bayes);
  only('--draws', flags.draws, '--bayes', flags.bayes);
  only('--covariance', flags.covariance, '--population', flags.population);
  only('--burn-in', flags.burnIn, '--population', flags.population);
  only('--averaging', flags.averaging, '--population', flags.population);
  if (!flags.bayes && !flags.population) return { kind: 'ml' };
  const which = flags.bayes ? '--bayes' : '--population';
  for (const [flag, v] of [
    ['--profile', flags.profile],
    ['--global', flags.global],
    ['--method', flags.method],
  ] as const)
    if (v !== undefined && v !== false)
      throw new CliError(`${flag} applies to maximum-likelihood fits, not to ${which}`, EXIT.usage);
  if (flags.population && flags.pooled)
    throw new CliError(
      '--population and --pooled exclude each other (a population fit uses every subject)',
      EXIT.usage,
    );
  const int = (flag: string, v: string | undefined, min: number) =>
    v === undefined
      ? undefined
      : parseNumber(flag, v, (x) =>
          Number.isInteger(x) && x >= min ? undefined : `expected an integer >= ${min}`,
        );
  if (flags.bayes) {
    const chains = int('--chains', flags.chains, 1);
    const warmup = int('--warmup', flags.warmup, 1);
    const draws = int('--draws', flags.draws, 4);
    return {
      kind: 'bayes',
      ...(chains !== undefined ? { chains } : {}),
      ...(warmup !== undefined ? { warmup } : {}),
      ...(draws !== undefined ? { draws } : {}),
    };
  }
  if (flags.covariance !== undefined && flags.covariance !== 'diagonal' && flags.covariance !== 'full')
    throw new CliError(`--covariance: expected diagonal or full, got '${flags.covariance}'`, EXIT.usage);
  const burnIn = int('--burn-in', flags.burnIn, 1);
  const averaging = int('--averaging', flags.averaging, 1);
  const chains = int('--chains', flags.chains, 1);
  return {
    kind: 'population',
    ...(chains !== undefined ? { chains } : {}),
    ...(flags.covariance !== undefined ? { covariance: flags.covariance as 'diagonal' | 'full' } : {}),
    ...(burnIn !== undefined ? { burnIn } : {}),
    ...(averaging !== undefined ? { averaging } : {}),
  };
}

async function runFit(modelArg: string, flags: FitFlags, command: string): Promise<void> {
  const t0 = performance.now();
  // Option checks first (usage errors before any work).
  const timeScale = parseNumber('--time-scale', flags.timeScale, positive);
  const timeOffset = parseNumber('--time-offset', flags.timeOffset);
  const tStartOpt = flags.tStart !== undefined ? parseNumber('--t-start', flags.tStart) : undefined;
  const starts = parseNumber('--starts', flags.starts, positiveInteger);
  const level = parseNumber('--level', flags.level, (x) =>
    x > 0 && x < 1 ? undefined : 'expected a number in (0, 1)',
  );
  const seed = parseNumber('--seed', flags.seed, (x) =>
    Number.isInteger(x) && x >= 0 ? undefined : 'expected a non-negative integer',
  );
  const sigma = flags.sigma === 'estimate' ? 'estimate' : parseNumber('--sigma', flags.sigma, positive);
  if (flags.method !== undefined && flags.method !== 'lm' && flags.method !== 'nelder-mead')
    throw new CliError(`--method: expected lm or nelder-mead, got '${flags.method}'`, EXIT.usage);
  if (flags.global !== undefined && flags.global !== 'cmaes')
    throw new CliError(`--global: expected cmaes, got '${flags.global}'`, EXIT.usage);
  const patientOpt =
    flags.patient !== undefined ? parseNumber('--patient', flags.patient, positiveInteger) : undefined;
  const mode = modeOptions(flags);
  const specsRaw = flags.param.map(parseParamSpec);
  if (specsRaw.length === 0) throw new CliError('give at least one --param to fit', EXIT.usage);
  const fixed = parseAssignments('--fix', flags.fix);
  const ties = parseTies(flags.tie);
  const observableScaleOpt =
    flags.observableScale !== undefined
      ? parseNumber('--observable-scale', flags.observableScale, positive)
      : undefined;
  if (flags.out !== undefined) checkOutDir(flags.out, flags.force);

  const data = loadData(flags);
  let series = data.series;
  if (flags.subjects !== 'all') {
    const want = flags.subjects
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const known = new Set(series.map((s) => s.id));
    const missing = want.filter((w) => !known.has(w));
    if (missing.length > 0)
      throw new CliError(
        `--subjects: no data for ${missing.join(', ')} in ${flags.data} (subjects: ${[...known].join(', ')})`,
        EXIT.usage,
      );
    series = want.map((w) => series.find((s) => s.id === w) as Series);
  }

  // One model for all, or (reference model with patient sets) one per subject that names a patient.
  const base = loadModel(modelArg, patientOpt);
  const patients = base.reference?.info.patients;
  const perPatient = patients !== undefined && patientOpt === undefined && !flags.pooled;
  const patientOf = (id: string): number | undefined => {
    const k = Number(id);
    return perPatient && Number.isInteger(k) && k >= 1 && k <= (patients as number) ? k : undefined;
  };

  const kb = specsRaw.some((s) => typeof s === 'string') ? loadKbOrFail() : undefined;
  const resolveSpecs = (ref: ReferenceModel | undefined, model: Model): ParameterSpec[] =>
    specsRaw.map((s) => {
      if (typeof s !== 'string') return s;
      const key =
        ref?.bindings.find((b) => b.id === s)?.key ?? model.parameters.find((p) => p.id === s)?.source?.kb;
      if (!key)
        throw new CliError(
          `--param ${s}: no range given and '${s}' has no knowledge-base key; give ${s}=LO:HI`,
          EXIT.usage,
        );
      const p = kb?.parameters.get(key);
      if (!p?.range)
        throw new CliError(
          `--param ${s}: knowledge-base parameter '${key}' has no range; give ${s}=LO:HI`,
          EXIT.usage,
        );
      const [lo, hi] = p.range;
      const v = p.value;
      return {
        name: s,
        lo,
        hi,
        scale: lo > 0 && hi / lo >= 10 ? 'log' : 'linear',
        ...(v > lo && v < hi ? { initial: v } : {}),
      };
    });

  const compiledCache = new Map<
    number | 'base',
    { compiled: CompiledModel; ref?: ReferenceModel; model: Model }
  >();
  const compiledFor = (k: number | undefined) => {
    const key = k ?? 'base';
    let c = compiledCache.get(key);
    if (!c) {
      const loaded = k === undefined ? base : loadModel(modelArg, k);
      const model = wrap(() => tieParameters(loaded.model, ties));
      const compiled = wrap(() => compileModel(model), EXIT.dataError);
      c = { compiled, model, ...(loaded.reference ? { ref: loaded.reference } : {}) };
      compiledCache.set(key, c);
    }
    return c;
  };

  const first = compiledFor(undefined).compiled;
  const observable =
    flags.observable ??
    (first.observableIds.includes('bcr_abl_percent')
      ? 'bcr_abl_percent'
      : first.observableIds.includes('bcr_abl')
        ? 'bcr_abl'
        : undefined);
  if (!observable)
    throw new CliError(
      `give --observable (model observables: ${first.observableIds.join(', ')})`,
      EXIT.usage,
    );
  const observableScale =
    observableScaleOpt ?? (observable === 'bcr_abl' && /percent|%/i.test(data.columns.value) ? 100 : 1);

  const groups = flags.pooled ? [series] : series.map((s) => [s]);
  const subjects: SubjectFit[] = [];
  const published: Record<string, PublishedValues> = {};
  let solves = 0;
  let last: ModelFitResult | undefined;
  const progress = (m: string) => {
    if (!flags.quiet && !flags.json) process.stderr.write(`${m}\n`);
  };
  const setupOf = (g: readonly Series[]) => {
    const k = g.length === 1 ? patientOf(g[0].id) : undefined;
    const c = compiledFor(k);
    const specs = resolveSpecs(c.ref, c.model);
    // Digitised times can fall slightly before 0: by default the model starts at the earliest observation then.
    const earliest = Math.min(...g.map((s) => timeOffset + timeScale * s.observations[0].t));
    const tStart = tStartOpt ?? Math.min(0, earliest);
    const setup: ModelFitSetup = {
      model: c.compiled,
      observable,
      observableScale,
      timeScale,
      timeOffset,
      tStart,
      parameters: specs,
      fixed,
      sigma,
    };
    return { k, c, specs, setup };
  };
  const inputs = [
    { path: flags.data as string, sha256: sha256(data.text) },
    { path: base.path, sha256: fileSha256(base.path) },
  ];
  // Settings recorded in every manifest (the maximum-likelihood one adds its own after these).
  const settings = {
    model: modelArg,
    observable,
    observableScale,
    timeScale,
    timeOffset,
    columns: data.columns,
    parameters: specsRaw,
    ties,
    sigma,
  };
  if (mode.kind !== 'ml') {
    const ctx: ModeContext = {
      modelArg,
      flags,
      command,
      t0,
      seed,
      inputs,
      columns: data.columns,
      settings: { ...settings, ...(patientOpt !== undefined ? { patient: patientOpt } : {}) },
      fixed,
      progress,
    };
    if (mode.kind === 'bayes') {
      const opts = { seed, ...mode, ...(flags.pooled ? { pooled: true } : {}) };
      const groupsSetups = groups.map((g) => ({ g, setup: setupOf(g).setup }));
      await runBayes(ctx, groupsSetups, opts);
    } else {
      const setups = series.map((s) => setupOf([s]).setup);
      await runPopulation(ctx, setups, series, { seed, ...mode });
    }
    return;
  }
  for (const g of groups) {
    const { k, c, specs, setup } = setupOf(g);
    const r = wrap(() =>
      fitModel(setup, g, {
        seed,
        starts,
        level,
        ...(flags.method ? { method: flags.method as LocalMethod } : {}),
        ...(flags.global ? { global: 'cmaes' as const } : {}),
        ...(flags.profile ? { profile: true } : {}),
        ...(flags.pooled ? { pooled: true } : {}),
        onProgress: progress,
      }),
    );
    last = r;
    solves += r.solves;
    subjects.push(...r.subjects);
    // Knowledge-base values of the fitted parameters beside the estimates (reference models).
    if (c.ref && g.length === 1) {
      const values: Record<string, number> = {};
      for (const s of specs) {
        const b = c.ref.bindings.find((x) => x.id === s.name);
        if (b) values[s.name] = b.value;
      }
      if (Object.keys(values).length === specs.length) {
        const problem = new ModelFitProblem(setup, g);
        const nll = problem.fullNll(
          specs.map((s) => values[s.name]),
          typeof sigma === 'number' ? sigma : undefined,
        ).nll;
        published[g[0].id] = {
          values,
          ...(Number.isFinite(nll) ? { nll } : {}),
          source: `knowledge base (${c.ref.info.citation}${k !== undefined ? `, patient ${k}` : ''})`,
        };
      }
    }
  }
  const result: ModelFitResult = {
    ...(last as ModelFitResult),
    subjects,
    solves,
    seconds: (performance.now() - t0) / 1000,
  };
  const failed = subjects.filter((s) => !Number.isFinite(s.nll));

  if (flags.json) printJson({ ok: failed.length === 0, version: VERSION, command, inputs, result });
  else if (!flags.quiet) process.stdout.write(summaryText(result, published));

  if (flags.out !== undefined) {
    const html = await renderFitReport({
      result,
      inputs,
      ...(Object.keys(published).length > 0 ? { published } : {}),
      timeLabel: data.columns.time,
      valueLabel: data.columns.value,
      extra: { command },
    });
    const files: FolderFiles = new Map();
    const json = (v: unknown) =>
      `${JSON.stringify(v, (_k, x) => (typeof x === 'number' && !Number.isFinite(x) ? null : x), 2)}\n`;
    files.set('fit.json', json({ version: VERSION, result, published }));
    files.set('residuals.csv', residualsCsv(result));
    files.set('report.html', html);
    files.set(
      'manifest.json',
      json({
        tool: 'exoniche',
        version: VERSION,
        command,
        createdAt: new Date().toISOString(),
        node: process.version,
        inputs,
        parameters: fixed,
        parameterHash: parameterHash(fixed),
        seed,
        settings: {
          ...settings,
          starts,
          method: result.method,
          ...(flags.global ? { global: flags.global } : {}),
          profile: flags.profile === true,
          level,
          pooled: flags.pooled === true,
          ...(patientOpt !== undefined ? { patient: patientOpt } : {}),
        },
        outputs: ['fit.json', 'residuals.csv', 'report.html', 'manifest.json'],
        timings: { totalMs: performance.now() - t0 },
        result: { subjects: subjects.length, failed: failed.length, solves },
      }),
    );
    writeOut(flags.out, files, flags.force);
    progress(`wrote ${flags.out}`);
  }
  if (failed.length > 0)
    throw new CliError(
      `the fit failed for ${failed.map((s) => s.id).join(', ')} (no finite likelihood)`,
      EXIT.simulationFailed,
    );
}

function loadKbOrFail() {
  try {
    return loadKnowledgeBase();
  } catch (err) {
    if (err instanceof KnowledgeError) throw new CliError(`knowledge base: ${err.message}`, EXIT.dataError);
    throw err;
  }
}

/** Maps the fitting layer's errors onto exit codes (unknown ids and bad ranges are usage errors). */
function wrap<T>(f: () => T, code: number = EXIT.usage): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof ModelFitError || err instanceof ParameterSpecError)
      throw new CliError(err.message, code);
    if (err instanceof ModelError) throw new CliError(err.message, EXIT.dataError);
    if (err instanceof SaemError || err instanceof McmcError)
      throw new CliError(err.message, EXIT.simulationFailed);
    throw err;
  }
}

const fmt = (x: number | null | undefined, d = 4) =>
  x === null || x === undefined || !Number.isFinite(x) ? '-' : String(Number(x.toPrecision(d)));

function summaryText(r: ModelFitResult, published: Record<string, PublishedValues>): string {
  const names = r.parameters.map((p) => p.name);
  const lines = [
    `${r.model}: ${r.subjects.length} fit(s) of ${names.join(', ')} to ${r.observable}; ${r.method}, ${r.starts} starts, seed ${r.seed}; ${fmt(r.seconds, 3)} s, ${r.solves} solves`,
    [
      'subject',
      ...names,
      'sigma',
      'nll',
      'aic',
      'n',
      ...(Object.keys(published).length > 0 ? ['nll_published'] : []),
    ].join('\t'),
  ];
  for (const s of r.subjects) {
    lines.push(
      [
        s.id,
        ...names.map((n) => {
          const p = s.profiles?.find((q) => q.name === n);
          return p ? `${fmt(s.estimates[n])} [${fmt(p.lower, 3)}, ${fmt(p.upper, 3)}]` : fmt(s.estimates[n]);
        }),
        fmt(s.sigma, 3),
        fmt(s.nll, 6),
        fmt(s.aic, 6),
        String(s.observations),
        ...(Object.keys(published).length > 0 ? [fmt(published[s.id]?.nll, 6)] : []),
      ].join('\t'),
    );
  }
  return `${lines.join('\n')}\n`;
}

/** One row per observation: subject, time, observed, predicted, censored, log10 residual, NLL contribution. */
export function residualsCsv(r: ModelFitResult): string {
  const rows = ['subject,time,observed,predicted,censored,residual_log10,contribution'];
  for (const s of r.subjects)
    for (const q of s.residuals)
      rows.push(
        [q.series, q.t, q.observed, q.predicted, q.censored ? 1 : 0, q.residual, q.contribution].join(','),
      );
  return `${rows.join('\n')}\n`;
}

/** What the --bayes and --population paths share with the maximum-likelihood one. */
interface ModeContext {
  readonly modelArg: string;
  readonly flags: FitFlags;
  readonly command: string;
  readonly t0: number;
  readonly seed: number;
  readonly inputs: { path: string; sha256: string }[];
  readonly columns: Record<string, string>;
  readonly settings: Record<string, unknown>;
  readonly fixed: Record<string, number>;
  readonly progress: (m: string) => void;
}

const jsonText = (v: unknown) =>
  `${JSON.stringify(v, (_k, x) => (typeof x === 'number' && !Number.isFinite(x) ? null : x), 2)}\n`;

function writeModeFolder(
  ctx: ModeContext,
  files: FolderFiles,
  settings: Record<string, unknown>,
  result: Record<string, unknown>,
): void {
  const out = ctx.flags.out;
  if (out === undefined) return;
  files.set(
    'manifest.json',
    jsonText({
      tool: 'exoniche',
      version: VERSION,
      command: ctx.command,
      createdAt: new Date().toISOString(),
      node: process.version,
      inputs: ctx.inputs,
      parameters: ctx.fixed,
      parameterHash: parameterHash(ctx.fixed),
      seed: ctx.seed,
      settings: { ...ctx.settings, ...settings },
      outputs: [...files.keys(), 'manifest.json'],
      timings: { totalMs: performance.now() - ctx.t0 },
      result,
    }),
  );
  writeOut(out, files, ctx.flags.force);
  ctx.progress(`wrote ${out}`);
}

async function runBayes(
  ctx: ModeContext,
  groups: readonly { g: readonly Series[]; setup: ModelFitSetup }[],
  options: BayesRunOptions,
): Promise<void> {
  const t0 = performance.now();
  const subjects: SubjectPosterior[] = [];
  const raw = new Map<string, BayesFitResult>();
  let solves = 0;
  let shape: ModelBayesResult | undefined;
  for (const { g, setup } of groups) {
    const r = wrap(() => fitBayes(setup, g, { ...options, onProgress: ctx.progress }));
    shape = r.result;
    subjects.push(...r.result.subjects);
    for (const [k, v] of r.raw) raw.set(k, v);
    solves += r.result.solves;
  }
  const result: ModelBayesResult = {
    ...(shape as ModelBayesResult),
    subjects,
    solves,
    seconds: (performance.now() - t0) / 1000,
  };
  const flags = ctx.flags;
  if (flags.json) printJson({ ok: true, version: VERSION, command: ctx.command, inputs: ctx.inputs, result });
  else if (!flags.quiet) process.stdout.write(bayesSummaryText(result));
  if (flags.out !== undefined) {
    const files: FolderFiles = new Map();
    files.set('fit.json', jsonText({ version: VERSION, result }));
    files.set('draws.csv', drawsCsv(raw));
    files.set(
      'report.html',
      await renderBayesReport({
        result,
        inputs: ctx.inputs,
        timeLabel: ctx.columns.time,
        valueLabel: ctx.columns.value,
        extra: { command: ctx.command },
      }),
    );
    writeModeFolder(
      ctx,
      files,
      {
        mode: 'bayes',
        chains: result.chains,
        warmup: result.warmup,
        draws: result.draws,
        pooled: result.pooled,
      },
      {
        subjects: subjects.length,
        notConverged: subjects.filter((s) => !s.converged).map((s) => s.id),
        solves,
      },
    );
  }
}

async function runPopulation(
  ctx: ModeContext,
  setups: readonly ModelFitSetup[],
  series: readonly Series[],
  options: PopulationRunOptions,
): Promise<void> {
  const { result } = wrap(() => fitPopulation(setups, series, { ...options, onProgress: ctx.progress }));
  const flags = ctx.flags;
  const source = `exoniche fit --population of ${ctx.modelArg} to ${flags.data} (${series.length} subjects, seed ${ctx.seed})`;
  const yaml = result.coreFit ? coreFitYaml(result.coreFit, source) : undefined;
  if (flags.json)
    printJson({
      ok: true,
      version: VERSION,
      command: ctx.command,
      inputs: ctx.inputs,
      result,
      ...(yaml ? { coreFitYaml: yaml } : {}),
    });
  else if (!flags.quiet) process.stdout.write(populationSummaryText(result, yaml, flags.out));
  if (flags.out !== undefined) {
    const files: FolderFiles = new Map();
    files.set('fit.json', jsonText({ version: VERSION, result }));
    files.set('subjects.csv', populationSubjectsCsv(result));
    if (yaml) files.set('core-fit.yaml', yaml);
    files.set(
      'report.html',
      await renderPopulationReport({
        result,
        inputs: ctx.inputs,
        ...(yaml ? { coreFitYaml: yaml } : {}),
        extra: { command: ctx.command },
      }),
    );
    writeModeFolder(
      ctx,
      files,
      {
        mode: 'population',
        covariance: result.covariance,
        burnIn: result.burnIn,
        averaging: result.averaging,
        chains: result.chains,
      },
      { subjects: series.length, solves: result.solves, coreFit: yaml !== undefined },
    );
  }
}

function bayesSummaryText(r: ModelBayesResult): string {
  const lines = [
    `${r.model}: posterior of ${r.subjects[0]?.names.join(', ')} (${r.observable}); ${r.chains} chains x ${r.draws} draws after ${r.warmup} warm-up, seed ${r.seed}; ${fmt(r.seconds, 3)} s, ${r.solves} solves`,
    ['subject', 'parameter', 'mean', 'sd', '2.5%', '97.5%', 'R-hat', 'ESS bulk', 'ESS tail'].join('\t'),
  ];
  for (const s of r.subjects) {
    for (const p of s.parameters)
      lines.push(
        [
          s.id,
          p.name,
          fmt(p.mean),
          fmt(p.sd, 3),
          fmt(p.q025),
          fmt(p.q975),
          fmt(p.rhat, 4),
          fmt(p.essBulk, 4),
          fmt(p.essTail, 4),
        ].join('\t'),
      );
    for (const w of s.warnings) lines.push(`warning: subject ${s.id}: ${w}`);
  }
  return `${lines.join('\n')}\n`;
}

function populationSummaryText(r: ModelPopulationResult, yaml: string | undefined, out?: string): string {
  const lines = [
    `${r.model}: SAEM population fit of ${r.names.join(', ')} to ${r.subjects.length} subjects (${r.observable}); ${r.covariance} covariance, ${r.burnIn} + ${r.averaging} iterations, ${r.chains} chain(s) per subject, seed ${r.seed}; ${fmt(r.seconds, 3)} s, ${r.solves} solves`,
    ['parameter', 'population', 'se', 'omega', 'se(omega)'].join('\t'),
    ...r.parameters.map((p) =>
      [p.name, fmt(p.value), fmt(p.se, 3), fmt(p.omega, 3), fmt(p.omegaSe, 3)].join('\t'),
    ),
    `sigma\t${fmt(r.sigma.value, 4)}\t${fmt(r.sigma.se, 3)}${r.sigma.estimated ? '' : ' (fixed)'}`,
    ...(r.standardErrorsNote ? [`note: ${r.standardErrorsNote}`] : []),
    '',
    ['subject', ...r.names.map((n) => `${n} (cond. mean)`)].join('\t'),
    ...r.subjects.map((s) => [s.id, ...r.names.map((n) => fmt(s.mean[n]))].join('\t')),
  ];
  if (yaml) {
    lines.push(
      '',
      `# cohort.coreFit (log-normal law of ${r.coreFit?.names.join(', ')})${out !== undefined ? `, also in ${out}/core-fit.yaml` : ''}:`,
      yaml.trimEnd(),
      '# To use it: put these keys into the cohort section of a scenario (core: fitted); see docs/cohorts.md, "Core parameters".',
    );
  }
  if (r.coreFitNote) lines.push(`# coreFit: ${r.coreFitNote}`);
  return `${lines.join('\n')}\n`;
}

/** Conditional estimates per subject: mean of psi and sd of phi per parameter (and the mode when computed). */
export function populationSubjectsCsv(r: ModelPopulationResult): string {
  const hasMode = r.subjects.some((s) => s.mode);
  const head = [
    'subject',
    ...r.names.map((n) => `${n}_mean`),
    ...r.names.map((n) => `${n}_sd_phi`),
    ...(hasMode ? r.names.map((n) => `${n}_mode`) : []),
  ];
  const rows = r.subjects.map((s) =>
    [
      s.id,
      ...r.names.map((n) => s.mean[n]),
      ...r.names.map((n) => s.sdPhi[n]),
      ...(hasMode ? r.names.map((n) => s.mode?.[n] ?? '') : []),
    ].join(','),
  );
  return `${[head.join(','), ...rows].join('\n')}\n`;
}
