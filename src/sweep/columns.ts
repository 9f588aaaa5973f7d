/**
 * Column-oriented tables of job rows and their Parquet form. A job (see jobs.ts) declares its columns (name and
 * type, as src/cohort/outcome.ts does for cohorts); workers return the values of a range of rows as one array per
 * column; shards and the merged result are these columns written to Parquet.
 *
 * Reproducible bytes: the writer settings are fixed here (Snappy, one row group up to ROW_GROUP_ROWS, dictionary
 * and statistics at the parquet-rs defaults), the Arrow table is always one contiguous batch, NaN is written in
 * its canonical form and the key-value metadata holds only what is the same for every split of a sweep (never a
 * time, a host, a path, a shard count). The same rows thus give the same bytes however they were computed.
 */
import type { ColumnType } from '../cohort/outcome.js';

export type { ColumnType };

export interface ColumnSpec {
  readonly name: string;
  readonly type: ColumnType;
  /** Optional documentation carried into the Parquet metadata (units of the value, '' if none). */
  readonly units?: string;
}

/** The values of one column over a range of rows. */
export type ColumnValues = Int32Array | Float64Array | string[] | boolean[];

/** Rows per Parquet row group (one million: a whole shard, and the merged file in a few groups). */
export const ROW_GROUP_ROWS = 1 << 20;

export class ColumnError extends Error {
  override name = 'ColumnError';
}

/** Empty arrays of `length` rows for each column, to be filled by index. */
export function allocateColumns(columns: readonly ColumnSpec[], length: number): ColumnValues[] {
  return columns.map((c) => {
    switch (c.type) {
      case 'int32':
        return new Int32Array(length);
      case 'float64':
        return new Float64Array(length);
      case 'utf8':
        return new Array<string>(length).fill('');
      case 'bool':
        return new Array<boolean>(length).fill(false);
    }
    throw new ColumnError(`column '${c.name}': unknown type '${String(c.type)}'`);
  });
}

/**
 * Store `value` at row `i` of column `col` (of spec `c`), checking the type: a job that returns a string where a
 * number is declared is a bug worth a clear message, not a silently wrong file.
 */
export function setValue(c: ColumnSpec, col: ColumnValues, i: number, value: unknown): void {
  switch (c.type) {
    case 'int32':
      if (typeof value !== 'number' || !Number.isInteger(value) || value < -2147483648 || value > 2147483647)
        throw new ColumnError(`column '${c.name}' (int32): got ${String(value)}`);
      (col as Int32Array)[i] = value;
      return;
    case 'float64':
      if (typeof value !== 'number')
        throw new ColumnError(`column '${c.name}' (float64): got ${typeof value}`);
      // one NaN bit pattern whatever produced it (NaN payloads could otherwise differ between runs)
      (col as Float64Array)[i] = Number.isNaN(value) ? Number.NaN : value;
      return;
    case 'utf8':
      if (typeof value !== 'string') throw new ColumnError(`column '${c.name}' (utf8): got ${typeof value}`);
      (col as string[])[i] = value;
      return;
    case 'bool':
      if (typeof value !== 'boolean') throw new ColumnError(`column '${c.name}' (bool): got ${typeof value}`);
      (col as boolean[])[i] = value;
      return;
  }
}

/** Concatenate row ranges (in the order given) into one array per column. */
export function concatColumns(
  columns: readonly ColumnSpec[],
  parts: readonly ColumnValues[][],
): ColumnValues[] {
  const n = parts.reduce((s, p) => s + (p[0]?.length ?? 0), 0);
  const out = allocateColumns(columns, n);
  let at = 0;
  for (const part of parts) {
    const len = part[0]?.length ?? 0;
    columns.forEach((c, j) => {
      const src = part[j];
      if (src.length !== len)
        throw new ColumnError(`column '${c.name}': ${src.length} values, expected ${len}`);
      if (c.type === 'int32' || c.type === 'float64') (out[j] as Int32Array).set(src as Int32Array, at);
      else for (let i = 0; i < len; i++) (out[j] as unknown[])[at + i] = (src as unknown[])[i];
    });
    at += len;
  }
  return out;
}

/** Columns as Parquet bytes (see the file comment for what makes the bytes reproducible). */
export async function columnsToParquet(
  columns: readonly ColumnSpec[],
  values: readonly ColumnValues[],
  metadata: ReadonlyMap<string, string>,
): Promise<Uint8Array> {
  const arrow = await import('apache-arrow');
  const pq = await import('parquet-wasm');
  const vectors: Record<string, import('apache-arrow').Vector> = {};
  columns.forEach((c, j) => {
    const v = values[j];
    switch (c.type) {
      case 'int32':
      case 'float64':
        vectors[c.name] = arrow.makeVector(v as Int32Array | Float64Array);
        break;
      case 'utf8':
        vectors[c.name] = arrow.vectorFromArray(v as string[], new arrow.Utf8());
        break;
      case 'bool':
        vectors[c.name] = arrow.vectorFromArray(v as boolean[], new arrow.Bool());
        break;
    }
  });
  const table = new arrow.Table(vectors);
  const props = new pq.WriterPropertiesBuilder()
    .setCompression(pq.Compression.SNAPPY)
    .setMaxRowGroupSize(ROW_GROUP_ROWS)
    .setKeyValueMetadata(new Map(metadata))
    .build();
  return pq.writeParquet(pq.Table.fromIPCStream(arrow.tableToIPC(table, 'stream')), props);
}

export interface ParquetColumns {
  readonly rows: number;
  /** Column names and Arrow type names as read (e.g. 'Int32', 'Float64', 'Utf8', 'Bool'). */
  readonly fields: readonly { readonly name: string; readonly type: string }[];
  readonly values: ColumnValues[];
  readonly metadata: ReadonlyMap<string, string>;
}

const ARROW_TYPE: Record<ColumnType, string> = {
  int32: 'Int32',
  float64: 'Float64',
  utf8: 'Utf8',
  bool: 'Bool',
};

/**
 * Read Parquet bytes back into columns, checked against `columns` (names, order and types). Throws ColumnError
 * with what differs; a file that is not Parquet at all throws ColumnError too.
 */
export async function parquetToColumns(
  bytes: Uint8Array,
  columns: readonly ColumnSpec[],
): Promise<ParquetColumns> {
  const arrow = await import('apache-arrow');
  const pq = await import('parquet-wasm');
  let table: import('apache-arrow').Table;
  try {
    table = arrow.tableFromIPC(pq.readParquet(bytes).intoIPCStream());
  } catch (err) {
    throw new ColumnError(`not a readable Parquet file (${String((err as Error)?.message ?? err)})`);
  }
  const fields = table.schema.fields.map((f) => ({ name: f.name, type: String(f.type) }));
  const expected = columns.map((c) => `${c.name}:${ARROW_TYPE[c.type]}`).join(', ');
  const got = fields.map((f) => `${f.name}:${f.type}`).join(', ');
  if (expected !== got)
    throw new ColumnError(`columns differ from the plan: expected [${expected}], got [${got}]`);
  const values = columns.map((c): ColumnValues => {
    const raw = table.getChild(c.name)!.toArray() as unknown;
    if (c.type === 'int32')
      return raw instanceof Int32Array ? raw : Int32Array.from(raw as ArrayLike<number>);
    if (c.type === 'float64')
      return raw instanceof Float64Array ? raw : Float64Array.from(raw as ArrayLike<number>);
    return Array.from(raw as ArrayLike<string | boolean>) as string[] | boolean[];
  });
  return { rows: table.numRows, fields, values, metadata: new Map(table.schema.metadata) };
}
