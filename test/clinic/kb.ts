/**
 * The clinical definitions for the tests, loaded from the shipped files that hold them (clinical.yaml,
 * trials.yaml and the shared references.yaml) so that these tests do not depend on the other knowledge-base files.
 */
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ClinicalDefinitionSet, clinicalDefinitions } from '../../src/clinic/definitions.js';
import { defaultKnowledgeDir, type KnowledgeBase, loadKnowledgeBase } from '../../src/knowledge/load.js';

let kb: KnowledgeBase | undefined;

export function clinicalKb(): KnowledgeBase {
  if (!kb) {
    const dir = mkdtempSync(join(tmpdir(), 'exoniche-clinic-'));
    for (const f of ['clinical.yaml', 'trials.yaml', 'references.yaml'])
      copyFileSync(join(defaultKnowledgeDir(), f), join(dir, f));
    kb = loadKnowledgeBase(dir);
  }
  return kb;
}

export function defs(): ClinicalDefinitionSet {
  return clinicalDefinitions(clinicalKb());
}

/** Just above / below x (relative step far above rounding, far below any clinical resolution). */
export const above = (x: number) => x * (1 + 1e-9) + 1e-12;
export const below = (x: number) => x * (1 - 1e-9);
