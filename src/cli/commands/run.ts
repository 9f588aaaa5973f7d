/**
 * `exoniche run [SCENARIO]`: run a scenario (or the embedded default) and write a run folder (results as CSV and
 * Parquet, monitoring and therapy tables, manifest, report.html, the scenario as given) atomically.
 * The summary (milestones with their ELN 2020 category, best response, times to MMR and MR4.5, phase, TFR
 * outcome) goes to stdout; with --json one JSON object instead. The helpers here (scenario loading, error
 * mapping, output folder names) are shared by `validate`, `compare` and `export`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { loadModelFile, ModelFileError } from '../../io/load-model.js';
import { type FolderFiles, RunFolderError, runFolderFiles, writeFolderAtomic } from '../../io/run-folder.js';
import { type KnowledgeBase, KnowledgeError, loadKnowledgeBase } from '../../knowledge/index.js';
import { compileModel } from '../../models/compile/index.js';
import { ModelError } from '../../models/diagnostic.js';
import type { Model } from '../../models/ir.js';
import { DEFAULT_SCENARIO, DEFAULT_SCENARIO_FILE } from '../../scenario/default.js';
import { parseScenario, ScenarioError } from '../../scenario/load.js';
import type { RunSummary, ScenarioRun } from '../../scenario/run-result.js';
import type { Scenario } from '../../scenario/schema.js';
import { CliError, EXIT } from '../exit-codes.js';
import { createProgress } from '../progress.js';

/** The exit codes of run, compare, validate and export (src/cli/exit-codes.ts), for --help. */
export const EXIT_CODES_HELP = `
Exit codes:
  0   success
  1   the simulation failed (solver gave up)
  64  wrong usage (unknown option, bad option value)
  65  invalid input (scenario, model, SBML feature not supported); nothing is written
  66  an input file is missing or unreadable
  70  internal error (a bug: please report it)
  73  the output cannot be written (folder exists without --force, no permission)`;

/** Where run folders go when --out is not given (relative to the working directory). */
export const RUNS_DIR = 'runs';

interface RunFlags {
  out?: string;
  force?: boolean;
  seed?: string;
  engine?: string;
  json?: boolean;
  quiet?: boolean;
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .description(
      'Run a scenario (default: the embedded default scenario) and write a run folder with report.html',
    )
    .argument('[scenario]', 'scenario file (YAML); see `exoniche schema` and `exoniche validate`')
    .option('--out <dir>', `run folder (default: ${RUNS_DIR}/<scenario name>-<yyyymmdd-hhmmss>, UTC)`)
    .option('--force', 'replace an existing run folder (only once the new one is complete)')
    .option('--seed <S>', 'override the scenario seed (a non-negative integer)')
    .option('--engine <E>', 'override the scenario engine: ode, hybrid, ssa or tau')
    .option('--json', 'print one JSON object (summary, paths) on stdout and nothing else')
    .option('--quiet', 'print nothing but errors')
    .addHelpText('after', EXIT_CODES_HELP)
    .action(async (file: string | undefined, flags: RunFlags, cmd: Command) => {
      await withJsonErrors(flags.json, () => runCommand(file, flags, commandLine(cmd)));
    });
}

async function runCommand(file: string | undefined, flags: RunFlags, command: string): Promise<void> {
  const t0 = performance.now();
  // cheap refusals first (bad option, existing --out), before the knowledge base is loaded
  const overrides = checkOverrides(flags);
  if (flags.out !== undefined) checkOutDir(flags.out, flags.force);
  const kb = loadKb();
  const input = readScenario(file, kb);
  const scenario = { ...input.scenario, ...overrides };
  const out = flags.out ?? uniqueDir(defaultRunDir(scenario.name));
  checkOutDir(out, flags.force);
  const tLoad = performance.now();

  // one bar over the whole run (terminal only, after 1 s): simulation 0-80 %, report 80-95 %, files to 100 %
  const progress = createProgress({
    quiet: flags.quiet === true || flags.json === true,
    label: scenario.name,
  });
  let run: ScenarioRun;
  let tSim: number;
  let tReport: number;
  let files: FolderFiles;
  try {
    run = await simulate(scenario, input, kb, (f) => progress.update(0.8 * f));
    tSim = performance.now();
    progress.update(0.8);
    // the report (vega, ~1 s to load) and the runner are imported on demand: other commands start faster
    const { renderReport } = await import('../../report/html.js');
    const createdAt = new Date().toISOString();
    const reportHtml = await renderReport(run, { createdAt });
    tReport = performance.now();
    progress.update(0.95);
    files = await runFolderFiles(run, {
      reportHtml,
      scenarioText: input.text,
      manifest: {
        command,
        ...(input.file !== undefined ? { scenarioFile: input.file } : {}),
        timings: { loadMs: tLoad - t0, reportMs: tReport - tSim },
        settings: overrideSettings(flags),
        createdAt,
      },
    });
    writeOut(out, files, flags.force);
    progress.update(1);
  } finally {
    progress.done();
  }
  const tEnd = performance.now();
  const timings = {
    loadMs: tLoad - t0,
    buildMs: run.timings.buildMs,
    simulateMs: run.timings.simulateMs,
    reportMs: tReport - tSim,
    writeMs: tEnd - tReport,
    totalMs: tEnd - t0,
  };
  if (flags.json) {
    printJson({
      ok: true,
      command: 'run',
      scenario: { name: run.name, file: input.file ?? null, engine: run.engine, seed: run.seed },
      out: resolve(out),
      files: [...files.keys()].sort(),
      report: resolve(out, 'report.html'),
      summary: run.summary,
      warnings: run.warnings,
      parameterHash: run.parameterHash,
      timings,
    });
    return;
  }
  if (!flags.quiet) {
    for (const w of run.warnings) process.stderr.write(`exoniche: warning: ${w}\n`);
    process.stdout.write(
      `${formatSummary(run).join('\n')}\n` +
        `wrote ${displayPath(out)}/ (${[...files.keys()].join(', ')}) in ${(timings.totalMs / 1000).toFixed(1)} s\n` +
        `report: ${displayPath(join(out, 'report.html'))}\n`,
    );
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Shared by run, compare, validate and export

export interface ScenarioInput {
  readonly scenario: Scenario;
  /** The scenario text as given (written to the run folder as scenario.yaml). */
  readonly text: string;
  /** The file read; undefined for the embedded default. */
  readonly file?: string;
}

/** The knowledge base, or a data error naming the bad file and line. */
export function loadKb(): KnowledgeBase {
  try {
    return loadKnowledgeBase();
  } catch (err) {
    if (err instanceof KnowledgeError)
      throw new CliError(`invalid knowledge base:\n${err.message}`, EXIT.dataError);
    throw err;
  }
}

/** Read and validate a scenario file (or the embedded default when `file` is undefined). */
export function readScenario(file: string | undefined, kb: KnowledgeBase): ScenarioInput {
  if (file === undefined) {
    return { scenario: parseOrExit(DEFAULT_SCENARIO, DEFAULT_SCENARIO_FILE, kb), text: DEFAULT_SCENARIO };
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EISDIR')
      throw new CliError(`${file}: is a directory, expected a scenario file`, EXIT.noInput);
    throw new CliError(
      code === 'ENOENT' ? `${file}: no such file` : `${file}: cannot read (${code ?? String(err)})`,
      EXIT.noInput,
    );
  }
  return { scenario: parseOrExit(text, file, kb), text, file };
}

function parseOrExit(text: string, file: string, kb: KnowledgeBase): Scenario {
  try {
    return parseScenario(text, file, kb);
  } catch (err) {
    if (err instanceof ScenarioError) throw new ScenarioCliError(err);
    throw err;
  }
}

/** A scenario error keeps its diagnostics for --json. */
export class ScenarioCliError extends CliError {
  readonly diagnostics: ScenarioError['diagnostics'];
  constructor(err: ScenarioError) {
    super(err.message, EXIT.dataError);
    this.diagnostics = err.diagnostics;
  }
}

const ENGINES = ['ode', 'hybrid', 'ssa', 'tau'] as const;

/** --seed and --engine, checked: the fields of the scenario they replace. */
function checkOverrides(flags: {
  seed?: string;
  engine?: string;
}): Partial<Pick<Scenario, 'seed' | 'engine'>> {
  const out: { seed?: Scenario['seed']; engine?: Scenario['engine'] } = {};
  if (flags.seed !== undefined) {
    if (!/^\d+$/.test(flags.seed.trim()))
      throw new CliError(`--seed: expected a non-negative integer, got '${flags.seed}'`, EXIT.usage);
    out.seed = flags.seed.trim();
  }
  if (flags.engine !== undefined) {
    const e = flags.engine.trim().toLowerCase();
    if (!(ENGINES as readonly string[]).includes(e))
      throw new CliError(
        `--engine: expected one of ${ENGINES.join(', ')}, got '${flags.engine}'`,
        EXIT.usage,
      );
    out.engine = e as Scenario['engine'];
  }
  return out;
}

function overrideSettings(flags: { seed?: string; engine?: string }): Record<string, unknown> {
  return {
    ...(flags.seed !== undefined ? { seedOverride: flags.seed } : {}),
    ...(flags.engine !== undefined ? { engineOverride: flags.engine } : {}),
  };
}

/**
 * The model of a `model: { file }` scenario, read relative to the scenario file and compiled once here, so that a
 * bad or unsupported model (e.g. SBML delay()) is a data error naming the file and element, not a crash mid-run.
 */
export function loadScenarioModel(scenario: Scenario, scenarioFile: string | undefined): Model | undefined {
  const m = scenario.model;
  if (typeof m !== 'object' || !('file' in m)) return undefined;
  const path = scenarioFile !== undefined ? resolve(dirname(scenarioFile), m.file) : resolve(m.file);
  const shown = displayPath(path);
  let model: Model;
  try {
    model = loadModelFile(path);
  } catch (err) {
    if (err instanceof ModelFileError)
      throw new CliError(
        `${scenarioFile ?? DEFAULT_SCENARIO_FILE}: model.file: ${err.message}`,
        /no such file/.test(err.message) ? EXIT.noInput : EXIT.dataError,
      );
    if (err instanceof ModelError || (err as Error)?.name === 'SbmlError')
      throw new CliError((err as Error).message, EXIT.dataError);
    throw err;
  }
  const problem = compileProblem(model);
  if (problem)
    throw new CliError(
      `${shown}${problem.line ? `:${problem.line}:${problem.column}` : ''}: ${problem.message}`,
      EXIT.dataError,
    );
  return model;
}

/** Compile `model`; a failure becomes a message (with the source position of the element it names, if any). */
export function compileProblem(
  model: Model,
): { message: string; line?: number; column?: number } | undefined {
  try {
    compileModel(model);
    return undefined;
  } catch (err) {
    if (err instanceof ModelError) return { message: err.message };
    if (!(err instanceof Error)) throw err;
    const loc = elementLoc(model, err.message);
    return { message: `not supported by the simulators: ${err.message}`, ...loc };
  }
}

/** The source position of the first element a message names in quotes ('P1'), if the model kept one. */
function elementLoc(model: Model, message: string): { line: number; column: number } | undefined {
  const all = [
    ...model.species,
    ...model.parameters,
    ...model.compartments,
    ...model.reactions,
    ...model.events,
  ] as readonly { id?: string; loc?: { line: number; column: number } }[];
  for (const m of message.matchAll(/'([^']+)'/g)) {
    const hit = all.find((e) => e.id === m[1] && e.loc);
    if (hit?.loc) return { line: hit.loc.line, column: hit.loc.column };
  }
  return undefined;
}

/** Run one scenario; user-caused failures map to exit codes. `onProgress` gets the simulated fraction. */
export async function simulate(
  scenario: Scenario,
  input: ScenarioInput,
  kb: KnowledgeBase,
  onProgress?: (fraction: number) => void,
): Promise<ScenarioRun> {
  const model = loadScenarioModel(scenario, input.file);
  const { runScenario } = await import('../../scenario/run.js');
  try {
    return runScenario(scenario, { kb, ...(onProgress ? { onProgress } : {}), ...(model ? { model } : {}) });
  } catch (err) {
    throw mapRunError(err, input.file ?? DEFAULT_SCENARIO_FILE);
  }
}

/** Errors a user can cause while a scenario runs (a bad model file, a bad option) -> CliError; others pass. */
export function mapRunError(err: unknown, file: string): unknown {
  if (err instanceof CliError) return err;
  if (err instanceof ScenarioError) return new ScenarioCliError(err);
  if (err instanceof ModelFileError)
    return new CliError(err.message, /no such file/.test(err.message) ? EXIT.noInput : EXIT.dataError);
  if (err instanceof ModelError) return new CliError(err.message, EXIT.dataError);
  if (err instanceof KnowledgeError) return new CliError(`knowledge base: ${err.message}`, EXIT.dataError);
  const name = (err as Error)?.name;
  if (['SbmlError', 'NicheOptionsError', 'ReferenceModelError', 'ScheduleError'].includes(name))
    return new CliError(`${file}: ${(err as Error).message}`, EXIT.dataError);
  if (name === 'ScenarioRunError') return new CliError(`${file}: ${(err as Error).message}`, EXIT.dataError);
  // the solver gave up (step-size underflow, budget): the run failed, the input may be fine
  if (name === 'SimulationError' || /^ODE solver stopped/.test((err as Error)?.message ?? ''))
    return new CliError(`${file}: simulation failed: ${(err as Error).message}`, EXIT.simulationFailed);
  return err;
}

/** Refuse early (before simulating) when the output folder exists and --force is not given. */
export function checkOutDir(out: string, force: boolean | undefined): void {
  if (existsSync(out) && !force)
    throw new CliError(`${out} already exists (use --force to replace it)`, EXIT.cantCreate);
}

export function writeOut(out: string, files: FolderFiles, force: boolean | undefined): void {
  try {
    writeFolderAtomic(out, files, { force: force === true });
  } catch (err) {
    if (err instanceof RunFolderError) throw new CliError(err.message, EXIT.cantCreate);
    throw err;
  }
}

/** `runs/<name>-<yyyymmdd-hhmmss>` (UTC), the name reduced to letters, digits, '-', '_' and '.'. */
export function defaultRunDir(name: string, now = new Date()): string {
  const safe = name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+|-+$/g, '') || 'scenario';
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${now.getUTCFullYear()}${p(now.getUTCMonth() + 1)}${p(now.getUTCDate())}-${p(now.getUTCHours())}${p(now.getUTCMinutes())}${p(now.getUTCSeconds())}`;
  return join(RUNS_DIR, `${safe}-${stamp}`);
}

/** `dir`, or `dir-2`, `dir-3`, ... if taken (two runs in the same second). */
export function uniqueDir(dir: string): string {
  let out = dir;
  for (let k = 2; existsSync(out); k++) out = `${dir}-${k}`;
  return out;
}

/** The command line as typed, for the manifest. */
export function commandLine(cmd: Command): string {
  const argv = cmd.parent?.args ?? [];
  return ['exoniche', ...argv].join(' ');
}

export function displayPath(p: string): string {
  const rel = relative(process.cwd(), resolve(p));
  return rel && !rel.startsWith('..') ? rel : resolve(p);
}

export function printJson(value: unknown): void {
  process.stdout.write(
    `${JSON.stringify(value, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`,
  );
}

/**
 * With --json, a user error is also reported as one JSON object on stdout (`ok: false`, the exit code, the
 * message and, for scenarios, the diagnostics), so scripts need not parse stderr. The error is rethrown for the
 * exit code and the stderr message.
 */
export async function withJsonErrors(
  json: boolean | undefined,
  body: () => Promise<void> | void,
): Promise<void> {
  try {
    await body();
  } catch (err) {
    if (json && err instanceof CliError) {
      printJson({
        ok: false,
        exitCode: err.exitCode,
        error: err.message,
        ...(err instanceof ScenarioCliError ? { diagnostics: err.diagnostics } : {}),
      });
    }
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The summary

/** BCR-ABL1 % IS with sensible digits: 12.3, 0.456, 0.0032. */
export function formatIS(x: number | undefined): string {
  if (x === undefined || !Number.isFinite(x)) return 'n/a';
  if (x === 0) return '0 %';
  const digits = Math.max(0, Math.min(6, 2 - Math.floor(Math.log10(Math.abs(x)))));
  return `${x.toFixed(digits)} %`;
}

function months(x: number | undefined): string {
  return x === undefined ? 'not reached' : `${x.toFixed(1)} months`;
}

export function formatSummary(run: ScenarioRun): string[] {
  const s: RunSummary = run.summary;
  const lines = [`scenario '${run.name}' (engine ${run.engine}, seed ${run.seed})`];
  if (run.description) lines.push(`  ${run.description}`);
  lines.push('BCR-ABL1 IS (ELN 2020 milestones):');
  for (const m of s.milestones) {
    lines.push(`  month ${String(m.month).padStart(2)}: ${formatIS(m.bcrAblIS).padStart(10)}  ${m.category}`);
  }
  lines.push(`best molecular response: ${s.bestResponse}`);
  lines.push(`time to MMR: ${months(s.monthsToMMR)}; time to MR4.5: ${months(s.monthsToMR45)}`);
  lines.push(`phase at the end: ${s.phaseAtEnd}`);
  if (s.tfr) {
    const t = s.tfr;
    const why = `${t.eligible ? 'eligible' : 'not eligible'}: ${t.reason}`;
    if (t.stopMonth === undefined) lines.push(`TFR: ${t.outcome} (${why})`);
    else {
      const relapse = t.relapseMonth !== undefined ? ` at month ${t.relapseMonth.toFixed(1)}` : '';
      lines.push(`TFR: stopped at month ${t.stopMonth.toFixed(1)}; ${t.outcome}${relapse} (${why})`);
    }
  } else {
    lines.push('TFR: not part of this scenario');
  }
  return lines;
}
