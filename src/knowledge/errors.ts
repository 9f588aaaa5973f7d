/** Errors in knowledge-base files, each with its file, line, column and field path. */

export interface KnowledgeIssue {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** Field path inside the file, e.g. `parameters[3].value`. */
  readonly path: string;
  readonly message: string;
}

export function formatIssue(i: KnowledgeIssue): string {
  return `${i.file}:${i.line}:${i.column}: error: ${i.path ? `${i.path}: ` : ''}${i.message}`;
}

export class KnowledgeError extends Error {
  override name = 'KnowledgeError';
  constructor(readonly issues: readonly KnowledgeIssue[]) {
    super(issues.map(formatIssue).join('\n'));
  }
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out;
}
