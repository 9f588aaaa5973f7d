/**
 * SQL over a run's Parquet files (`exoniche query RUN "SELECT ..."`), with DuckDB in memory: the view `results`
 * is RUN/results.parquet or, before the merge, the union of RUN/shards/shard-*.parquet (the rows so far); the view
 * `shards` is the shard files with their file name (column `filename`). RUN may also be one .parquet file.
 * Results come back as plain JavaScript values; the formatters below turn them into an aligned table, CSV or JSON.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SHARDS_DIR } from './manifest.js';
import { RESULTS_FILE } from './merge.js';

export class QueryError extends Error {
  override name = 'QueryError';
  constructor(
    message: string,
    /** 'input': RUN is missing or holds no Parquet files; 'sql': DuckDB refused the statement. */
    readonly reason: 'input' | 'sql',
  ) {
    super(message);
  }
}

export interface QueryResult {
  readonly columns: string[];
  /** DuckDB type names (INTEGER, DOUBLE, VARCHAR, BIGINT, ...). */
  readonly types: string[];
  readonly rows: unknown[][];
  /** What `results` reads (a file or a glob). */
  readonly source: string;
}

const quote = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/** The Parquet sources of RUN: `results` (a file or glob) and `shards` (glob, if there are shard files). */
export function querySources(run: string): { results: string; shards?: string } {
  if (!existsSync(run)) throw new QueryError(`${run}: no such file or folder`, 'input');
  if (statSync(run).isFile()) {
    if (!run.endsWith('.parquet'))
      throw new QueryError(`${run}: expected a run folder or a .parquet file`, 'input');
    return { results: run };
  }
  const shardsDir = join(run, SHARDS_DIR);
  const hasShards =
    existsSync(shardsDir) && readdirSync(shardsDir).some((f) => /^shard-\d+\.parquet$/.test(f));
  const shards = hasShards ? join(shardsDir, 'shard-*.parquet') : undefined;
  const merged = join(run, RESULTS_FILE);
  if (existsSync(merged)) return { results: merged, ...(shards ? { shards } : {}) };
  if (shards) return { results: shards, shards };
  throw new QueryError(`${run}: no ${RESULTS_FILE} and no ${SHARDS_DIR}/shard-*.parquet to query`, 'input');
}

export async function queryRun(run: string, sql: string): Promise<QueryResult> {
  const src = querySources(run);
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:');
  const con = await instance.connect();
  try {
    try {
      await con.run(`CREATE VIEW results AS SELECT * FROM read_parquet(${quote(src.results)})`);
      if (src.shards)
        await con.run(
          `CREATE VIEW shards AS SELECT * FROM read_parquet(${quote(src.shards)}, filename = true)`,
        );
    } catch (err) {
      throw new QueryError(`${run}: cannot read the Parquet files: ${(err as Error).message}`, 'input');
    }
    let reader: Awaited<ReturnType<typeof con.runAndReadAll>>;
    try {
      reader = await con.runAndReadAll(sql);
    } catch (err) {
      throw new QueryError((err as Error).message, 'sql');
    }
    return {
      columns: reader.columnNames(),
      types: reader.columnTypes().map((t) => String(t)),
      rows: reader.getRowsJS() as unknown[][],
      source: src.results,
    };
  } finally {
    con.closeSync();
    instance.closeSync();
  }
}

/** One value as text: full precision numbers, NaN as 'NaN', NULL as `nullText`. */
export function valueText(v: unknown, nullText: string): string {
  if (v === null || v === undefined) return nullText;
  if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : String(v);
  if (typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  if (typeof v === 'string') return v;
  if (v instanceof Date) return v.toISOString();
  return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x));
}

const NUMERIC =
  /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL)/;

/** An aligned text table (numbers right-aligned), then `(n rows)`. */
export function formatTable(r: QueryResult): string {
  const cells = r.rows.map((row) => row.map((v) => valueText(v, 'NULL')));
  const widths = r.columns.map((c, j) => Math.max(c.length, ...cells.map((row) => row[j].length)));
  const right = r.types.map((t) => NUMERIC.test(t));
  const line = (row: readonly string[]) =>
    row
      .map((s, j) => (right[j] ? s.padStart(widths[j]) : s.padEnd(widths[j])))
      .join('  ')
      .trimEnd();
  const out = [line(r.columns), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)];
  out.push(`(${r.rows.length} row${r.rows.length === 1 ? '' : 's'})`);
  return `${out.join('\n')}\n`;
}

function csvField(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** CSV with a header; NULL is an empty field, NaN is 'NaN'. */
export function formatCsv(r: QueryResult): string {
  const lines = [r.columns.map(csvField).join(',')];
  for (const row of r.rows) lines.push(row.map((v) => csvField(valueText(v, ''))).join(','));
  return `${lines.join('\n')}\n`;
}

/** A JSON array of row objects; NaN and NULL are null, integers beyond 2^53 are strings. */
export function formatJson(r: QueryResult): string {
  const objects = r.rows.map((row) =>
    Object.fromEntries(
      r.columns.map((c, j) => {
        const v = row[j];
        if (typeof v === 'bigint')
          return [
            c,
            v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= -BigInt(Number.MAX_SAFE_INTEGER)
              ? Number(v)
              : v.toString(),
          ];
        if (typeof v === 'number' && !Number.isFinite(v)) return [c, null];
        return [c, v ?? null];
      }),
    ),
  );
  return `${JSON.stringify(objects, null, 2)}\n`;
}
