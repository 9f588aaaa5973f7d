/** Read a model file into the IR, choosing the reader by extension. */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import type { Model } from '../models/ir.js';
import { parseModel } from '../models/text/index.js';

export const MODEL_EXTENSIONS = ['.exm'] as const;

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
  if (ext === '.xml' || ext === '.sbml') {
    throw new ModelFileError(
      `${path}: SBML files are not supported yet; write the model in the exoniche model language (.exm)`,
    );
  }
  throw new ModelFileError(
    `${path}: unknown model format '${ext || '(no extension)'}'; expected one of ${MODEL_EXTENSIONS.join(', ')}`,
  );
}
