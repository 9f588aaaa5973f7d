/**
 * The knowledge base from texts: YAML files already read (by src/knowledge/load.ts in Node, or bundled for the
 * browser), validated against the schema, merged, and cross-checked (unique ids, every reference resolvable).
 * Errors carry file, line, column and field path. No file-system access here, so that the same code runs in a
 * browser (issue #10).
 */
import { type Document, isNode, LineCounter, parseDocument } from 'yaml';
import type { ZodError } from 'zod';
import { formatPath, KnowledgeError, type KnowledgeIssue } from './errors.js';
import { editDistance } from './query.js';
import type { Channel, Conflict } from './schema/channel.js';
import type { ClinicalDefinitions, TrialFigure } from './schema/clinical.js';
import type { Parameter, Reference } from './schema/common.js';
import type { Drug } from './schema/drug.js';
import { KnowledgeFile } from './schema/file.js';
import type { Mutation, Sensitivity } from './schema/mutation.js';

/** Where an entry was defined. */
export interface Origin {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

export interface KnowledgeBase {
  readonly dir: string;
  readonly files: readonly string[];
  readonly references: ReadonlyMap<string, Reference>;
  readonly parameters: ReadonlyMap<string, Parameter>;
  readonly drugs: readonly Drug[];
  readonly mutations: readonly Mutation[];
  readonly sensitivities: readonly Sensitivity[];
  readonly channels: readonly Channel[];
  readonly conflicts: readonly Conflict[];
  readonly definitions: ReadonlyMap<string, ClinicalDefinitions>;
  readonly trials: readonly TrialFigure[];
  /** A parameter by key; throws with close matches when unknown. */
  parameter(key: string): Parameter;
  /** A reference by id; throws when unknown. */
  reference(id: string): Reference;
  /** Where an entry (`parameters:<key>`, `references:<id>`, `drugs:<id>`, ...) is defined. */
  origin(section: string, id: string): Origin | undefined;
  /**
   * The text of a reference model (models/reference/<name>.exm) and the path to name in messages, when this
   * knowledge base was given a source of them (the Node loader reads the shipped folder; the browser bundle
   * embeds the files). Undefined when the model is unknown to the source.
   */
  readonly referenceModelText?: (name: string) => KnowledgeText | undefined;
}

/** A file's text and the name used for it in messages. */
export interface KnowledgeText {
  readonly path: string;
  readonly text: string;
}

export interface ParseKnowledgeOptions {
  /** Reported as `KnowledgeBase.dir` (default `<texts>`). */
  readonly dir?: string;
  /** Where reference-model texts come from (see `KnowledgeBase.referenceModelText`). */
  readonly referenceModelText?: (name: string) => KnowledgeText | undefined;
}

interface ParsedFile {
  readonly path: string;
  readonly data: KnowledgeFile;
  readonly doc: Document;
  readonly lines: LineCounter;
}

/**
 * Parses, validates and merges knowledge-base files given as texts, in the order given (the Node loader sorts
 * by path). Throws KnowledgeError with every problem found.
 */
export function parseKnowledgeBase(
  files: readonly KnowledgeText[],
  options: ParseKnowledgeOptions = {},
): KnowledgeBase {
  const issues: KnowledgeIssue[] = [];
  const parsed: ParsedFile[] = [];
  for (const { path: file, text } of files) {
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
    if (doc.errors.length > 0) {
      for (const e of doc.errors) {
        const pos = lines.linePos(e.pos[0]);
        issues.push({ file, line: pos.line, column: pos.col, path: '', message: e.message.split('\n')[0] });
      }
      continue;
    }
    const result = KnowledgeFile.safeParse(doc.toJS() ?? {});
    if (!result.success) {
      issues.push(...zodIssues(result.error, doc, lines, file));
      continue;
    }
    parsed.push({ path: file, data: result.data, doc, lines });
  }
  if (issues.length > 0) throw new KnowledgeError(issues);
  return merge(options.dir ?? '<texts>', parsed, options.referenceModelText);
}

/**
 * Position of the node at `path`, or of its nearest existing ancestor (a missing field points at its parent); also
 * the scenario parser's.
 */
export function positionOf(
  doc: Document,
  lines: LineCounter,
  path: readonly PropertyKey[],
): { line: number; col: number } {
  for (let k = path.length; k >= 0; k--) {
    const node = doc.getIn(path.slice(0, k) as (string | number)[], true);
    if (isNode(node) && node.range) return lines.linePos(node.range[0]);
  }
  return { line: 1, col: 1 };
}

function zodIssues(error: ZodError, doc: Document, lines: LineCounter, file: string): KnowledgeIssue[] {
  return error.issues.map((issue) => {
    const pos = positionOf(doc, lines, issue.path);
    return { file, line: pos.line, column: pos.col, path: formatPath(issue.path), message: issue.message };
  });
}

function merge(
  dir: string,
  files: readonly ParsedFile[],
  referenceModelText: ParseKnowledgeOptions['referenceModelText'],
): KnowledgeBase {
  const issues: KnowledgeIssue[] = [];
  const origins = new Map<string, Origin>();
  const references = new Map<string, Reference>();
  const parameters = new Map<string, Parameter>();
  const definitions = new Map<string, ClinicalDefinitions>();
  const drugs: Drug[] = [];
  const mutations: Mutation[] = [];
  const sensitivities: Sensitivity[] = [];
  const channels: Channel[] = [];
  const conflicts: Conflict[] = [];
  const trials: TrialFigure[] = [];

  const claim = (f: ParsedFile, section: string, index: number | string, id: string): boolean => {
    const pos = positionOf(f.doc, f.lines, [section, index]);
    const here: Origin = { file: f.path, line: pos.line, column: pos.col };
    const key = `${section}:${id}`;
    const prior = origins.get(key);
    if (prior) {
      issues.push({
        file: here.file,
        line: here.line,
        column: here.column,
        path: `${section}[${index}]`,
        message: `duplicate ${section} id '${id}' (first defined at ${prior.file}:${prior.line}:${prior.column})`,
      });
      return false;
    }
    origins.set(key, here);
    return true;
  };

  for (const f of files) {
    const d = f.data;
    d.references?.forEach((r, i) => claim(f, 'references', i, r.id) && references.set(r.id, r));
    d.parameters?.forEach((p, i) => claim(f, 'parameters', i, p.key) && parameters.set(p.key, p));
    d.drugs?.forEach((x, i) => claim(f, 'drugs', i, x.id) && drugs.push(x));
    d.mutations?.forEach((x, i) => claim(f, 'mutations', i, x.id) && mutations.push(x));
    d.sensitivities?.forEach(
      (x, i) => claim(f, 'sensitivities', i, `${x.mutation}/${x.drug}`) && sensitivities.push(x),
    );
    d.channels?.forEach((x, i) => claim(f, 'channels', i, x.id) && channels.push(x));
    d.conflicts?.forEach((x, i) => claim(f, 'conflicts', i, x.id) && conflicts.push(x));
    d.trials?.forEach((x, i) => claim(f, 'trials', i, x.id) && trials.push(x));
    for (const [name, defs] of Object.entries(d.definitions ?? {})) {
      if (claim(f, 'definitions', name, name)) definitions.set(name, defs);
    }
  }

  // Every `refs: [...]` anywhere must name a known reference.
  for (const f of files) {
    walkRefs(f.data, [], (ref, path) => {
      if (!references.has(ref)) {
        const pos = positionOf(f.doc, f.lines, path);
        issues.push({
          file: f.path,
          line: pos.line,
          column: pos.col,
          path: formatPath(path),
          message: `unknown reference '${ref}'${suggest(ref, references.keys())}`,
        });
      }
    });
  }
  if (issues.length > 0) throw new KnowledgeError(issues);

  return {
    dir,
    files: files.map((f) => f.path),
    references,
    parameters,
    drugs,
    mutations,
    sensitivities,
    channels,
    conflicts,
    definitions,
    trials,
    parameter(key) {
      const p = parameters.get(key);
      if (!p) throw new Error(`unknown knowledge-base parameter '${key}'${suggest(key, parameters.keys())}`);
      return p;
    },
    reference(id) {
      const r = references.get(id);
      if (!r) throw new Error(`unknown reference '${id}'${suggest(id, references.keys())}`);
      return r;
    },
    origin: (section, id) => origins.get(`${section}:${id}`),
    ...(referenceModelText ? { referenceModelText } : {}),
  };
}

function walkRefs(
  value: unknown,
  path: PropertyKey[],
  visit: (ref: string, path: PropertyKey[]) => void,
): void {
  if (Array.isArray(value)) {
    value.forEach((v, i) => walkRefs(v, [...path, i], visit));
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'refs' && Array.isArray(v)) {
        v.forEach((ref, i) => {
          if (typeof ref === 'string') visit(ref, [...path, k, i]);
        });
      } else walkRefs(v, [...path, k], visit);
    }
  }
}

/** ` (did you mean 'x'?)` for the closest candidate within a small edit distance. */
function suggest(name: string, candidates: Iterable<string>): string {
  let best = '';
  let bestD = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    const d = editDistance(name, c);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return bestD <= Math.max(2, Math.floor(name.length / 4)) ? ` (did you mean '${best}'?)` : '';
}
