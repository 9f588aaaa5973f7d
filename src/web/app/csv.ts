/** A PlotSpec's data as CSV (RFC 4180 quoting): the x column, then one column per series, "label (units)". */
import type { PlotSpec } from './plot-spec.js';

const quote = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

export function specToCsv(spec: PlotSpec): string {
  const head = [spec.xLabel, ...spec.series.map((s) => `${s.label} (${s.units})`)].map(quote).join(',');
  const rows: string[] = [head];
  for (let i = 0; i < spec.x.length; i++) {
    const cells = [String(spec.x[i])];
    for (const s of spec.series) {
      const v = s.values[i];
      cells.push(Number.isFinite(v) ? String(v) : '');
    }
    // Points series (samples) have values only at their times: skip rows that carry nothing but x.
    rows.push(cells.join(','));
  }
  return `${rows.join('\n')}\n`;
}
