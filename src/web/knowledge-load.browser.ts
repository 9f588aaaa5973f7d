/**
 * Browser stand-in for src/knowledge/load.ts in the web bundle (scripts/build-web.ts swaps it in, as a package's
 * "browser" field would): the same exports without file access. Some read-outs (src/clinic/definitions.ts
 * `defaultClinicalDefinitions`) fall back to "the shipped knowledge base" when no definitions are passed; in the
 * browser there is no folder to read, so that fallback fails loudly here instead of pulling node:fs into the
 * bundle. The engine always passes its own knowledge base (src/scenario/run.ts passes the run's definitions).
 */
import type { KnowledgeBase } from '../knowledge/parse.js';

export type { KnowledgeBase, KnowledgeText, Origin, ParseKnowledgeOptions } from '../knowledge/parse.js';
export { parseKnowledgeBase } from '../knowledge/parse.js';

const NO_FILES =
  'the browser engine has no knowledge-base folder: build the knowledge base from texts (prepareEngine) and pass it explicitly';

export function defaultKnowledgeDir(): string {
  throw new Error(NO_FILES);
}

export function loadKnowledgeBase(_dir?: string): KnowledgeBase {
  throw new Error(NO_FILES);
}
