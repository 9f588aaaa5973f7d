/**
 * Reading scenario files in Node: the text parser (parse.ts, pure) with the shipped knowledge base as default and
 * file reading with the same diagnostics (file:line:col) for a missing or unreadable file.
 */
import { readFileSync } from 'node:fs';
import { type KnowledgeBase, loadKnowledgeBase } from '../knowledge/load.js';
import { parseScenarioText, ScenarioError } from './parse.js';
import type { Scenario } from './schema.js';

export {
  formatScenarioDiagnostic,
  parseScenarioText,
  type ScenarioDiagnostic,
  ScenarioError,
} from './parse.js';

/** Parses and validates scenario text; `file` names it in the messages. Throws ScenarioError. */
export function parseScenario(text: string, file: string, kb?: KnowledgeBase): Scenario {
  return parseScenarioText(text, file, kb ?? (() => loadKnowledgeBase()));
}

/** Reads and validates a scenario file. Throws ScenarioError (also for a missing or unreadable file). */
export function loadScenarioFile(path: string, kb?: KnowledgeBase): Scenario {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ScenarioError([
      {
        file: path,
        line: 1,
        column: 1,
        path: '',
        message:
          code === 'ENOENT' ? 'scenario file not found' : `cannot read the scenario (${code ?? 'error'})`,
      },
    ]);
  }
  return parseScenario(text, path, kb);
}
