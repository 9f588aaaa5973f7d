/**
 * Diagnostics: what the model language parser, the validator and later stages report about a model.
 *
 * A diagnostic prints like a compiler message (`model.exm:7:23: error: ...`) so editors and terminals can
 * jump to it. Models without source positions (built in code, or read from a format that has none) print
 * without the position prefix.
 */
import type { SourceLoc } from '../numerics/expr/ast.js';

export type Severity = 'error' | 'warning' | 'note';

export interface Diagnostic {
  readonly severity: Severity;
  readonly message: string;
  readonly loc?: SourceLoc;
  /** Stable machine-readable kind, e.g. `syntax`, `unknown-symbol`, `units`. */
  readonly code: string;
}

/** `file:line:col: severity: message` (file and position omitted when unknown). */
export function formatDiagnostic(d: Diagnostic): string {
  return `${formatLoc(d.loc)}${d.severity}: ${d.message}`;
}

/** `file:line:col: ` or `line:col: ` or the empty string. */
export function formatLoc(loc: SourceLoc | undefined): string {
  if (!loc) return '';
  const file = loc.file ?? '<input>';
  return `${file}:${loc.line}:${loc.column}: `;
}

/** Diagnostics sorted by file, line and column; those without a position last. Stable for equal keys. */
export function sortDiagnostics(ds: readonly Diagnostic[]): Diagnostic[] {
  return ds
    .map((d, i) => ({ d, i }))
    .sort((a, b) => {
      const la = a.d.loc;
      const lb = b.d.loc;
      if (la && lb) {
        if ((la.file ?? '') !== (lb.file ?? '')) return (la.file ?? '') < (lb.file ?? '') ? -1 : 1;
        if (la.line !== lb.line) return la.line - lb.line;
        if (la.column !== lb.column) return la.column - lb.column;
      } else if (la) return -1;
      else if (lb) return 1;
      return a.i - b.i;
    })
    .map((x) => x.d);
}

export function hasErrors(ds: readonly Diagnostic[]): boolean {
  return ds.some((d) => d.severity === 'error');
}

/** Thrown when a model cannot be used; carries every diagnostic found, not just the first. */
export class ModelError extends Error {
  readonly diagnostics: readonly Diagnostic[];

  constructor(diagnostics: readonly Diagnostic[]) {
    const sorted = sortDiagnostics(diagnostics);
    const errors = sorted.filter((d) => d.severity === 'error');
    const shown = errors.length > 0 ? errors : sorted;
    super(shown.map(formatDiagnostic).join('\n') || 'invalid model');
    this.name = 'ModelError';
    this.diagnostics = sorted;
  }
}
