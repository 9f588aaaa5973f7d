/**
 * Scenario text -> Scenario: YAML with source positions (the `yaml` package's LineCounter), validated by the zod
 * schema and against the knowledge base. Every problem becomes a diagnostic `file:line:col: error: field.path:
 * message`, all of them collected in one ScenarioError (never a stack trace for bad input). No file access (runs
 * in a browser); load.ts reads files in Node.
 */
import { type Document, isNode, LineCounter, parseDocument } from 'yaml';
import { formatPath } from '../knowledge/errors.js';
import { type KnowledgeBase, positionOf } from '../knowledge/parse.js';
import { closestNames } from '../knowledge/query.js';
import { checkScenarioKnowledge, Scenario, type ScenarioIssue } from './schema.js';

export interface ScenarioDiagnostic {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** Field path, e.g. `therapy.schedule[0].doseMg` (empty for syntax errors). */
  readonly path: string;
  readonly message: string;
}

export function formatScenarioDiagnostic(d: ScenarioDiagnostic): string {
  return `${d.file}:${d.line}:${d.column}: error: ${d.path ? `${d.path}: ` : ''}${d.message}`;
}

export class ScenarioError extends Error {
  override name = 'ScenarioError';
  constructor(readonly diagnostics: readonly ScenarioDiagnostic[]) {
    super(diagnostics.map(formatScenarioDiagnostic).join('\n') || 'invalid scenario');
  }
}

/** Position of a key inside a mapping (for unrecognised keys). */
function keyPosition(
  doc: Document,
  lines: LineCounter,
  parent: readonly PropertyKey[],
  key: string,
): { line: number; col: number } | undefined {
  const map = parent.length === 0 ? doc.contents : doc.getIn(parent as (string | number)[], true);
  const items = (map as { items?: { key?: unknown }[] } | null)?.items;
  if (!Array.isArray(items)) return undefined;
  for (const pair of items) {
    const k = pair.key as { value?: unknown; range?: [number, number, number] } | undefined;
    if (k && isNode(k) && k.value === key && k.range) return lines.linePos(k.range[0]);
  }
  return undefined;
}

/**
 * Parses and validates scenario text; `file` names it in the messages. Throws ScenarioError. The knowledge base
 * (or a function giving it, called only once the text passed the schema) checks drugs, mutations and keys.
 */
export function parseScenarioText(
  text: string,
  file: string,
  kb: KnowledgeBase | (() => KnowledgeBase),
): Scenario {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const diags: ScenarioDiagnostic[] = [];
  if (doc.errors.length > 0) {
    for (const e of doc.errors) {
      const pos = lines.linePos(e.pos[0]);
      diags.push({ file, line: pos.line, column: pos.col, path: '', message: e.message.split('\n')[0] });
    }
    throw new ScenarioError(diags);
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 }) ?? {};
  } catch (e) {
    throw new ScenarioError([{ file, line: 1, column: 1, path: '', message: (e as Error).message }]);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new ScenarioError([
      {
        file,
        line: 1,
        column: 1,
        path: '',
        message: 'a scenario is a YAML mapping (name: ..., therapy: ...)',
      },
    ]);
  const at = (path: readonly PropertyKey[], message: string, key?: string): ScenarioDiagnostic => {
    const pos =
      (key !== undefined ? keyPosition(doc, lines, path, key) : undefined) ?? positionOf(doc, lines, path);
    const full = key !== undefined ? [...path, key] : path;
    return { file, line: pos.line, column: pos.col, path: formatPath(full), message };
  };
  const r = Scenario.safeParse(raw);
  if (!r.success) {
    for (const issue of r.error.issues) {
      if (issue.code === 'unrecognized_keys') {
        const known = knownKeys(issue.path);
        for (const key of issue.keys) {
          const near = closestNames(key, known);
          const hint =
            near.length > 0
              ? ` (did you mean ${near.map((n) => `'${n}'`).join(', ')}?)`
              : known.length > 0
                ? `; expected one of: ${known.join(', ')}`
                : '';
          diags.push(at(issue.path, `unknown field '${key}'${hint}`, key));
        }
      } else diags.push(at(issue.path, messageOf(issue)));
    }
    throw new ScenarioError(sortDiags(diags));
  }
  const base = typeof kb === 'function' ? kb() : kb;
  const issues: ScenarioIssue[] = checkScenarioKnowledge(r.data, base);
  if (issues.length > 0) throw new ScenarioError(sortDiags(issues.map((i) => at(i.path, i.message))));
  return r.data;
}

interface SchemaNode {
  readonly shape?: Record<string, SchemaNode>;
  readonly _zod?: {
    readonly def: {
      readonly type: string;
      readonly innerType?: SchemaNode;
      readonly element?: SchemaNode;
      readonly keyType?: { readonly options?: readonly unknown[] };
      readonly valueType?: SchemaNode;
      readonly options?: readonly SchemaNode[];
    };
  };
}

/** The field names the schema accepts at `path` (for 'did you mean'): object keys or a record's enum keys. */
function knownKeys(path: readonly PropertyKey[]): string[] {
  const unwrap = (n: SchemaNode | undefined): SchemaNode | undefined => {
    let x = n;
    for (let k = 0; k < 10 && x?._zod?.def.innerType; k++) x = x._zod.def.innerType;
    return x;
  };
  let node = unwrap(Scenario as unknown as SchemaNode);
  for (const p of path) {
    if (!node) return [];
    const def = node._zod?.def;
    if (typeof p === 'number' && def?.element) node = unwrap(def.element);
    else if (node.shape && typeof p === 'string') node = unwrap(node.shape[p]);
    else if (def?.valueType) node = unwrap(def.valueType);
    else if (def?.options) node = unwrap(def.options.find((o) => unwrap(o)?.shape?.[String(p)]));
    else return [];
  }
  if (node?.shape) return Object.keys(node.shape);
  const opts = node?._zod?.def.keyType?.options;
  return opts ? opts.map(String) : [];
}

function messageOf(issue: { code: string; message: string; expected?: unknown; input?: unknown }): string {
  if (issue.code === 'invalid_type' && issue.input === undefined) return `missing field (${issue.message})`;
  return issue.message;
}

function sortDiags(ds: ScenarioDiagnostic[]): ScenarioDiagnostic[] {
  return [...ds].sort((a, b) => a.line - b.line || a.column - b.column);
}
