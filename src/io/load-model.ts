/** Read a model file into the IR, choosing the reader by extension, or load a reference model by name. */
import { existsSync, readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { KnowledgeError } from '../knowledge/errors.js';
import {
  isReferenceModelName,
  loadReferenceModel,
  type ReferenceModel,
  ReferenceModelError,
  referenceModelNames,
} from '../knowledge/reference-models.js';
import type { Model } from '../models/ir.js';
import { parseModel } from '../models/text/index.js';
import { readSbml } from './sbml/index.js';

export const MODEL_EXTENSIONS = ['.exm', '.xml', '.sbml'] as const;

export class ModelFileError extends Error {
  override name = 'ModelFileError';
}

/** Read and parse a model file. Throws `ModelFileError` for unreadable files or unknown formats; parse errors come from the reader. */
export function loadModelFile(path: string): Model {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ModelFileError(
      code === 'ENOENT' ? `${path}: no such file` : `${path}: cannot read (${code ?? err})`,
    );
  }
  const ext = extname(path).toLowerCase();
  if (ext === '.exm') return parseModel(text, path);
  if (ext === '.xml' || ext === '.sbml') return readSbml(text, path);
  throw new ModelFileError(
    `${path}: unknown model format '${ext || '(no extension)'}'; expected one of ${MODEL_EXTENSIONS.join(', ')}`,
  );
}

export interface LoadedModel {
  readonly model: Model;
  /** The file read (for a reference model, its .exm file). */
  readonly path: string;
  /** Set when MODEL named a reference model of the catalogue. */
  readonly reference?: ReferenceModel;
}

/**
 * MODEL as given on the command line: an existing file (or a name with a model extension) is read as a file;
 * otherwise a catalogue name (`michor2005`, ...) loads that reference model with knowledge-base values bound in
 * (and patient K's parameters when `patient` is given). Throws `ModelFileError` for anything else.
 */
export function loadModelOrReference(arg: string, options: { patient?: number } = {}): LoadedModel {
  const ext = extname(arg).toLowerCase();
  if (existsSync(arg) || (MODEL_EXTENSIONS as readonly string[]).includes(ext)) {
    if (options.patient !== undefined)
      throw new ModelFileError(
        `${arg}: --patient applies only to reference models (${referenceModelNames().join(', ')})`,
      );
    return { model: loadModelFile(arg), path: arg };
  }
  if (isReferenceModelName(arg)) {
    try {
      const reference = loadReferenceModel(
        arg,
        options.patient !== undefined ? { patient: options.patient } : {},
      );
      return { model: reference.model, path: reference.path, reference };
    } catch (err) {
      if (err instanceof ReferenceModelError) throw new ModelFileError(err.message);
      if (err instanceof KnowledgeError) throw new ModelFileError(`knowledge base: ${err.message}`);
      throw err;
    }
  }
  throw new ModelFileError(
    `${arg}: no such file, and not a reference model (available: ${referenceModelNames().join(', ')})`,
  );
}
