/**
 * Longitudinal measurements for fitting: a series of (time, value) observations per subject, where a value may be
 * left-censored (below the detection limit: the true value is at most `value`). Parsers take text, not paths, so
 * the layer does no file I/O; bad input names the source, the line and the field.
 */

export interface Observation {
  readonly t: number;
  /** The measured value, or the upper limit (detection limit) when `censored`. */
  readonly value: number;
  /** Left-censored: the true value is at or below `value` (below detection). */
  readonly censored: boolean;
}

export interface Series {
  readonly id: string;
  /** Sorted by time. */
  readonly observations: readonly Observation[];
}

export class FittingDataError extends Error {
  override name = 'FittingDataError';
}

export interface CsvSeriesSpec {
  /** Where the text came from (file name), for error messages. */
  readonly source: string;
  /** Column holding the subject id. */
  readonly id: string;
  readonly time: string;
  readonly value: string;
  /** Optional 0/1 column: 1 = left-censored (value is an upper limit). */
  readonly censored?: string;
  /** Multiplies the time column (e.g. 12/365.25 for days to months). */
  readonly timeScale?: number;
}

/** Parses a comma-separated table with a header line into one series per subject (in order of first appearance). */
export function parseSeriesCsv(text: string, spec: CsvSeriesSpec): Series[] {
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? '').split(',').map((s) => s.trim());
  const col = (name: string): number => {
    const k = header.indexOf(name);
    if (k < 0)
      throw new FittingDataError(
        `${spec.source}:1: missing column '${name}' (header has: ${header.join(', ') || 'nothing'})`,
      );
    return k;
  };
  const ci = col(spec.id);
  const ct = col(spec.time);
  const cv = col(spec.value);
  const cc = spec.censored !== undefined ? col(spec.censored) : -1;
  const scale = spec.timeScale ?? 1;
  const by = new Map<string, Observation[]>();
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    const f = line.split(',').map((s) => s.trim());
    const where = `${spec.source}:${i + 1}`;
    if (f.length !== header.length)
      throw new FittingDataError(`${where}: expected ${header.length} fields, got ${f.length}`);
    const num = (k: number, what: string, check: (x: number) => boolean, expected: string): number => {
      const x = Number(f[k]);
      if (f[k] === '' || !Number.isFinite(x) || !check(x))
        throw new FittingDataError(`${where}: field '${what}': expected ${expected}, got '${f[k]}'`);
      return x;
    };
    const t = num(ct, spec.time, () => true, 'a finite number') * scale;
    const value = num(cv, spec.value, (x) => x > 0, 'a positive number');
    const censored =
      cc >= 0 ? num(cc, spec.censored as string, (x) => x === 0 || x === 1, '0 or 1') === 1 : false;
    const id = f[ci];
    if (id === '') throw new FittingDataError(`${where}: field '${spec.id}': expected a subject id, got ''`);
    let list = by.get(id);
    if (!list) by.set(id, (list = []));
    list.push({ t, value, censored });
  }
  return [...by].map(([id, obs]) => ({ id, observations: obs.sort((a, b) => a.t - b.t) }));
}

/** The series restricted to observations with t in [from, to]. */
export function window(s: Series, from: number, to: number): Series {
  return { id: s.id, observations: s.observations.filter((o) => o.t >= from && o.t <= to) };
}
