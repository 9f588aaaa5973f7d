/** Time courses as CSV (`time,<ids>`) and JSON. Numbers are written with full precision (shortest round-trip form). */

export interface TimeCourseTable {
  readonly ids: readonly string[];
  readonly time: Float64Array;
  /** Row-major: row i holds the values of every id at time[i]. */
  readonly values: Float64Array;
}

export function timeCourseToCsv(tc: TimeCourseTable): string {
  const m = tc.ids.length;
  const lines: string[] = [['time', ...tc.ids.map(csvField)].join(',')];
  for (let i = 0; i < tc.time.length; i++) {
    const row: string[] = [String(tc.time[i])];
    for (let j = 0; j < m; j++) row.push(String(tc.values[i * m + j]));
    lines.push(row.join(','));
  }
  return `${lines.join('\n')}\n`;
}

export function timeCourseToJson(tc: TimeCourseTable, extra: Record<string, unknown> = {}): string {
  const m = tc.ids.length;
  const series: Record<string, number[]> = {};
  tc.ids.forEach((id, j) => {
    const col: number[] = [];
    for (let i = 0; i < tc.time.length; i++) col.push(tc.values[i * m + j]);
    series[id] = col;
  });
  // JSON has no NaN or Infinity: encode them as null and say so
  return `${JSON.stringify({ ...extra, time: Array.from(tc.time), series }, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v))}\n`;
}

function csvField(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
