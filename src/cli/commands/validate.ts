/**
 * `exoniche validate FILE`: check a scenario (YAML) or a model file (.exm text, SBML .xml/.sbml) without running it.
 * Valid: exit 0 and `FILE: valid ...` on stdout. Invalid: exit 65 and one `file:line:col: error: field: message`
 * line per problem on stderr (with --json: one object on stdout with every diagnostic). A scenario that names a
 * model file or a reference model has that checked too; a model file is read, validated and compiled, so SBML
 * features the engines do not support (e.g. delay()) are reported here rather than at run time.
 */
import { readFileSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import type { Command } from 'commander';
import { loadModelFile, MODEL_EXTENSIONS, ModelFileError } from '../../io/load-model.js';
import type { KnowledgeBase } from '../../knowledge/index.js';
import { isReferenceModelName, referenceModelNames } from '../../knowledge/reference-models.js';
import { type formatDiagnostic, hasErrors, ModelError } from '../../models/diagnostic.js';
import { validateModel } from '../../models/validate.js';
import { CliError, EXIT } from '../exit-codes.js';
import { compileProblem, EXIT_CODES_HELP, loadKb, printJson, readScenario, ScenarioCliError } from './run.js';

interface ValidateFlags {
  json?: boolean;
  quiet?: boolean;
}

/** One problem, as printed and as in --json. Line and column are 0 when the format gives no position. */
export interface ValidationIssue {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly path: string;
  readonly message: string;
  readonly severity: 'error' | 'warning';
}

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description(
      'Check scenarios (YAML) or model files (.exm, .xml) without running them; exit 65 if any is invalid',
    )
    .argument('<files...>', 'scenario files (.yaml) or model files (.exm, .xml, .sbml)')
    .option('--json', 'print one JSON object ({ valid, files: [{ file, kind, valid, issues }] }) on stdout')
    .option('--quiet', 'print only the problems')
    .addHelpText('after', EXIT_CODES_HELP)
    .action((files: string[], flags: ValidateFlags) => {
      const kb = lazy(loadKb);
      const results = files.map((file) => ({ file, ...validateFile(file, kb) }));
      const errorsOf = (r: (typeof results)[number]) => r.issues.filter((i) => i.severity === 'error').length;
      if (flags.json) {
        printJson({
          valid: results.every((r) => errorsOf(r) === 0),
          files: results.map((r) => ({
            file: r.file,
            kind: r.kind,
            valid: errorsOf(r) === 0,
            issues: r.issues,
          })),
        });
      } else {
        for (const r of results) {
          for (const i of r.issues) process.stderr.write(`${formatIssue(i)}\n`);
          if (errorsOf(r) === 0 && !flags.quiet)
            process.stdout.write(`${r.file}: valid ${r.kind}${r.detail}\n`);
        }
      }
      const bad = results.filter((r) => errorsOf(r) > 0);
      if (bad.length > 0) {
        const missing = bad.some((r) => r.kind === 'missing');
        const n = bad.reduce((acc, r) => acc + errorsOf(r), 0);
        throw new CliError(
          `${bad.map((r) => r.file).join(', ')}: ${n} error${n === 1 ? '' : 's'}`,
          missing ? EXIT.noInput : EXIT.dataError,
        );
      }
    });
}

function lazy<T>(f: () => T): () => T {
  let value: T | undefined;
  return () => {
    value ??= f();
    return value;
  };
}

export function formatIssue(i: ValidationIssue): string {
  const pos = i.line > 0 ? `${i.file}:${i.line}:${i.column}: ` : `${i.file}: `;
  return `${pos}${i.severity}: ${i.path ? `${i.path}: ` : ''}${i.message}`;
}

interface ValidateResult {
  /** 'missing': the file cannot be read (exit 66). */
  readonly kind: 'scenario' | 'model' | 'missing';
  readonly issues: ValidationIssue[];
  /** e.g. ` 'default' (niche model, ode engine, 72 months)` */
  readonly detail: string;
}

function isModelPath(file: string): boolean {
  return (MODEL_EXTENSIONS as readonly string[]).includes(extname(file).toLowerCase());
}

function validateFile(file: string, kb: () => KnowledgeBase): ValidateResult {
  try {
    readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const message = code === 'ENOENT' ? 'no such file' : `cannot read (${code})`;
    return {
      kind: 'missing',
      detail: '',
      issues: [{ file, line: 0, column: 0, path: '', message, severity: 'error' }],
    };
  }
  if (isModelPath(file)) return { kind: 'model', ...validateModelFile(file, file) };
  return validateScenarioFile(file, kb());
}

function validateScenarioFile(file: string, kb: KnowledgeBase): ValidateResult {
  let scenario: ReturnType<typeof readScenario>['scenario'];
  try {
    scenario = readScenario(file, kb).scenario;
  } catch (err) {
    if (err instanceof ScenarioCliError) {
      return {
        kind: 'scenario',
        detail: '',
        issues: err.diagnostics.map((d) => ({ ...d, severity: 'error' as const })),
      };
    }
    throw err;
  }
  const issues: ValidationIssue[] = [];
  const model = scenario.model;
  let modelText = 'niche model';
  if (typeof model === 'object' && 'file' in model) {
    const path = resolve(dirname(file), model.file);
    modelText = `model ${model.file}`;
    let exists = true;
    try {
      readFileSync(path);
    } catch {
      exists = false;
    }
    if (!exists) {
      issues.push({
        file,
        line: 0,
        column: 0,
        path: 'model.file',
        message: `model file '${model.file}' not found (resolved to ${path})`,
        severity: 'error',
      });
    } else issues.push(...validateModelFile(path, model.file).issues);
  } else if (typeof model === 'object' && 'reference' in model) {
    modelText = `reference model ${model.reference}`;
    if (!isReferenceModelName(model.reference)) {
      issues.push({
        file,
        line: 0,
        column: 0,
        path: 'model.reference',
        message: `unknown reference model '${model.reference}'; available: ${referenceModelNames().join(', ')}`,
        severity: 'error',
      });
    }
  }
  return {
    kind: 'scenario',
    issues,
    detail: ` '${scenario.name}' (${modelText}, ${scenario.engine} engine, ${scenario.durationMonths} months)`,
  };
}

/** Read, validate (text models) and compile a model file; every problem becomes an issue. */
function validateModelFile(path: string, shown: string): { issues: ValidationIssue[]; detail: string } {
  const issues: ValidationIssue[] = [];
  let model: ReturnType<typeof loadModelFile>;
  try {
    model = loadModelFile(path);
  } catch (err) {
    if (err instanceof ModelError) {
      for (const d of err.diagnostics) issues.push(fromDiagnostic(d, shown));
      return { issues, detail: '' };
    }
    if (err instanceof ModelFileError || (err as Error)?.name === 'SbmlError') {
      issues.push({ ...located((err as Error).message, path, shown), severity: 'error' });
      return { issues, detail: '' };
    }
    throw err;
  }
  // SBML in the wild often has unit inconsistencies that SBML tolerates (docs/sbml.md): validate text models only
  if (extname(path).toLowerCase() === '.exm') {
    const diags = validateModel(model);
    for (const d of diags) issues.push(fromDiagnostic(d, shown));
    if (hasErrors(diags)) return { issues, detail: '' };
  }
  const problem = compileProblem(model);
  if (problem) {
    issues.push({
      file: shown,
      line: problem.line ?? 0,
      column: problem.column ?? 0,
      path: '',
      message: problem.message,
      severity: 'error',
    });
  }
  const detail = ` '${model.id}' (${model.species.length} species, ${model.reactions.length} reactions)`;
  return { issues, detail };
}

function fromDiagnostic(d: Parameters<typeof formatDiagnostic>[0], shown: string): ValidationIssue {
  return {
    file: d.loc?.file ?? shown,
    line: d.loc?.line ?? 0,
    column: d.loc?.column ?? 0,
    path: '',
    message: d.message,
    severity: d.severity === 'error' ? 'error' : 'warning',
  };
}

/** Reader messages read `file:line: message` or `file: message`; split off the position. */
function located(
  message: string,
  path: string,
  shown: string,
): { file: string; line: number; column: number; path: string; message: string } {
  const rest = message.startsWith(`${path}:`) ? message.slice(path.length) : undefined;
  const m = rest !== undefined ? /^:(\d+)(?::(\d+))?: ([\s\S]*)$/.exec(rest) : null;
  if (m) return { file: shown, line: Number(m[1]), column: Number(m[2] ?? 1), path: '', message: m[3] };
  const plain = rest?.startsWith(': ') ? rest.slice(2) : message;
  return { file: shown, line: 0, column: 0, path: '', message: plain };
}
