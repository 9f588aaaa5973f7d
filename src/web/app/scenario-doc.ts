/**
 * Edits of scenario YAML that keep the user's comments and layout (the `yaml` package's Document), so that forms,
 * sliders and the crosstalk map change one field and the YAML view shows exactly that change.
 */
import { isMap, parseDocument } from 'yaml';

export type Path = readonly (string | number)[];

/** The scenario text as plain data (undefined when it does not parse): parse once, then read with `valueAt`. */
export function toData(text: string): unknown {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) return undefined;
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch {
    return undefined;
  }
}

/** The value at `path` of plain data, or undefined. */
export function valueAt(data: unknown, path: Path): unknown {
  let v: unknown = data;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[k];
  }
  return v;
}

/** The value at `path` of scenario text, or undefined (also when the text does not parse). */
export function getIn(text: string, path: Path): unknown {
  return valueAt(toData(text), path);
}

/** `text` with the value at `path` set (maps created as needed) or, for undefined, deleted. Throws on bad YAML. */
export function setIn(text: string, path: Path, value: unknown): string {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new Error(`the scenario YAML does not parse: ${doc.errors[0].message}`);
  if (value === undefined) {
    doc.deleteIn(path as (string | number)[]);
    // Drop maps left empty by the deletion (e.g. niche.channels: {}).
    for (let k = path.length - 1; k > 0; k--) {
      const parent = doc.getIn(path.slice(0, k) as (string | number)[], true);
      if (isMap(parent) && parent.items.length === 0) doc.deleteIn(path.slice(0, k) as (string | number)[]);
      else break;
    }
  } else doc.setIn(path as (string | number)[], value);
  return doc.toString({ lineWidth: 0 });
}
