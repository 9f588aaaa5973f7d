/**
 * The catalogue of published CML reference models (models/reference/*.exm): list them with their conventions,
 * load one by name, and bind knowledge-base values into it so that no literature value lives only in a model
 * file. Every element with `@source(kb = "...")` takes its value from the knowledge base; a missing key, a value
 * that differs from the knowledge base, or a unit that differs is an error. Literature parameters without a
 * `kb` key are errors too; the only values a model file may set on its own are its scenario controls
 * (treatment switches and times, listed per model) and zero initial amounts.
 *
 * Patient-specific keys look like `<model>.patientNN.<symbol>`; the file carries one patient (patient 1) and
 * `loadReferenceModel(name, { patient: K })` rebinds every such key to patient K.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadKnowledgeBase } from './load.js';
import type { KnowledgeBase } from './parse.js';
import {
  type ReferenceModel,
  ReferenceModelError,
  referenceModelFromText,
  referenceModelInfo,
  referencePatient,
} from './reference-catalogue.js';

export * from './reference-catalogue.js';

export interface LoadReferenceOptions {
  /** Patient number, 1..info.patients (default 1 for models with patients). */
  readonly patient?: number;
  /** Knowledge base (default: the shipped one). */
  readonly kb?: KnowledgeBase;
  /** Folder with the .exm files (default: models/reference). */
  readonly dir?: string;
}

/** Folder of the reference model files (models/reference beside src/ or dist/). */
export function referenceModelDir(): string {
  return fileURLToPath(new URL('../../models/reference', import.meta.url));
}

/** Path of a reference model's `.exm` file. */
export function referenceModelPath(name: string, dir: string = referenceModelDir()): string {
  return join(dir, `${referenceModelInfo(name).name}.exm`);
}

/** Load a reference model by name, with knowledge-base values (and patient K's) bound in. */
export function loadReferenceModel(name: string, options: LoadReferenceOptions = {}): ReferenceModel {
  const info = referenceModelInfo(name);
  referencePatient(name, info, options.patient);
  const path = referenceModelPath(name, options.dir);
  if (!existsSync(path)) throw new ReferenceModelError(`${path}: reference model file missing`);
  const text = readFileSync(path, 'utf8');
  return referenceModelFromText(
    name,
    { path, text },
    options.kb ?? loadKnowledgeBase(),
    options.patient !== undefined ? { patient: options.patient } : {},
  );
}
