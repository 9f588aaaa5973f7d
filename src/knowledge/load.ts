/**
 * Loading the knowledge base in Node: every `*.yaml` file under a directory (by default the `data/knowledge` folder
 * shipped with the package) is read and handed to `parseKnowledgeBase` (parse.ts, pure: validation, merge,
 * cross-checks, errors with file:line:col and field path). The result also reads reference-model texts from the
 * shipped models/reference folder on demand.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KnowledgeError } from './errors.js';
import { type KnowledgeBase, type KnowledgeText, parseKnowledgeBase } from './parse.js';

export type { KnowledgeBase, KnowledgeText, Origin, ParseKnowledgeOptions } from './parse.js';
export { parseKnowledgeBase } from './parse.js';

/** The knowledge base shipped with exoniche (`data/knowledge` beside `src/` or `dist/`). */
export function defaultKnowledgeDir(): string {
  return fileURLToPath(new URL('../../data/knowledge', import.meta.url));
}

/** Reference-model texts from the shipped models/reference folder (the same folder as `referenceModelDir()`). */
function shippedReferenceModel(name: string): KnowledgeText | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(name)) return undefined;
  const path = join(fileURLToPath(new URL('../../models/reference', import.meta.url)), `${name}.exm`);
  return existsSync(path) ? { path, text: readFileSync(path, 'utf8') } : undefined;
}

export function loadKnowledgeBase(dir: string = defaultKnowledgeDir()): KnowledgeBase {
  const texts = yamlFiles(dir).map((path) => ({
    path: relative(process.cwd(), path) || path,
    text: readFileSync(path, 'utf8'),
  }));
  return parseKnowledgeBase(texts, { dir, referenceModelText: shippedReferenceModel });
}

function yamlFiles(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    throw new KnowledgeError([
      { file: dir, line: 1, column: 1, path: '', message: 'knowledge-base directory not found' },
    ]);
  }
  return names.flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return yamlFiles(p);
    return /\.ya?ml$/i.test(name) ? [p] : [];
  });
}
