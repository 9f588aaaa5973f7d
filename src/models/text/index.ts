/**
 * The exoniche model language (`.exm`): an Antimony dialect for reaction-network models.
 *
 * `parseModel(text, file)` returns the model IR or throws a `ModelError` listing every error with its
 * position; `parseModelWithDiagnostics` returns the diagnostics instead; `printModel(model)` writes any model
 * back as text such that parsing the text reproduces the model. The language is documented in
 * docs/model-language.md.
 */
import { type Diagnostic, hasErrors, ModelError, sortDiagnostics } from '../diagnostic.js';
import type { Model } from '../ir.js';
import { validateModel } from '../validate.js';
import { buildModel } from './build.js';
import { lex } from './lexer.js';
import { StatementParser } from './parser.js';

export { DEFAULT_COMPARTMENT } from './build.js';
export { printExpr, printModel } from './printer.js';

export interface ParseOptions {
  /** Run `validateModel` on the result (default true). */
  readonly validate?: boolean;
}

export interface ParseResult {
  /** The model, unless syntax errors made building it impossible. */
  readonly model?: Model;
  /** All diagnostics (syntax, building, validation), sorted by position. */
  readonly diagnostics: readonly Diagnostic[];
}

/** Parses without throwing: the model (when it could be built) and every diagnostic. */
export function parseModelWithDiagnostics(
  text: string,
  file?: string,
  options: ParseOptions = {},
): ParseResult {
  const { tokens, diagnostics: lexDiags } = lex(text, file);
  const parser = new StatementParser(tokens, file);
  const parsed = parser.parseFile();
  const diags: Diagnostic[] = [];
  const add = (d: Diagnostic) => {
    if (!diags.some((x) => sameDiag(x, d))) diags.push(d);
  };
  [...lexDiags, ...parser.diagnostics].forEach(add);
  const { model, diagnostics: buildDiags } = buildModel(parsed, file);
  buildDiags.forEach(add);
  if (options.validate !== false) {
    // Symbols defined by statements that failed to parse would be reported as unknown: skip those.
    for (const d of validateModel(model)) {
      const m = d.code === 'unknown-symbol' ? /unknown symbol '([^']+)'/.exec(d.message) : null;
      if (m && parser.failedNames.has(m[1])) continue;
      add(d);
    }
  }
  return { model, diagnostics: sortDiagnostics(diags) };
}

function sameDiag(a: Diagnostic, b: Diagnostic): boolean {
  if (a.code !== b.code) return false;
  if (!a.loc || !b.loc) return a.message === b.message;
  return a.loc.line === b.loc.line && a.loc.column === b.loc.column;
}

/** Parses model text into the IR; throws `ModelError` (with every diagnostic) if there is any error. */
export function parseModel(text: string, file?: string, options: ParseOptions = {}): Model {
  const { model, diagnostics } = parseModelWithDiagnostics(text, file, options);
  if (!model || hasErrors(diagnostics)) throw new ModelError(diagnostics);
  return model;
}
