/**
 * A PlotSpec as a standalone SVG document (the export; the PNG export rasterises this SVG, so both carry the
 * title, axes with units, legend, response lines, milestone markers and the therapy/phase strips). Pure string
 * building: testable in Node.
 */
import { finiteRange, type PlotSpec } from './plot-spec.js';

const W = 760;
const H = 420;
const M = { left: 78, right: 16, top: 58, bottom: 50 };
const LEGEND_ROW = 16;

const esc = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Round numbers for tick labels. */
export function formatTick(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(0).replace('e+', 'e');
  return `${+v.toPrecision(3)}`;
}

/** About `n` "nice" ticks (1, 2, 5 x 10^k steps) covering [lo, hi]. */
export function linearTicks(lo: number, hi: number, n = 6): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((f) => f * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(+v.toPrecision(12));
  return out;
}

/** Decades covering [lo, hi] (lo > 0), thinned to at most ~8. */
export function logTicks(lo: number, hi: number): number[] {
  const a = Math.floor(Math.log10(lo));
  const b = Math.ceil(Math.log10(hi));
  const every = Math.max(1, Math.ceil((b - a) / 8));
  const out: number[] = [];
  for (let k = a; k <= b; k += every) out.push(10 ** k);
  return out;
}

export function specToSvg(spec: PlotSpec): string {
  const legendRows = Math.ceil((spec.series.length + spec.hLines.length + spec.markers.length) / 3);
  const height = H + legendRows * LEGEND_ROW;
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const xs = spec.x;
  const x0 = xs.length ? xs[0] : 0;
  const x1 = xs.length ? xs[xs.length - 1] : 1;
  const range = finiteRange(spec) ?? [spec.yLog ? 1 : 0, spec.yLog ? 10 : 1];
  let [y0, y1] = range;
  if (spec.yLog) {
    y0 = 10 ** Math.floor(Math.log10(y0));
    y1 = 10 ** Math.ceil(Math.log10(y1));
  } else {
    const pad = (y1 - y0) * 0.05 || Math.abs(y1) * 0.05 || 1;
    y0 = y0 >= 0 && y0 - pad < 0 ? 0 : y0 - pad;
    y1 += pad;
  }
  const sx = (x: number) => M.left + ((x - x0) / (x1 - x0 || 1)) * pw;
  const sy = spec.yLog
    ? (y: number) => M.top + ph - ((Math.log10(y) - Math.log10(y0)) / (Math.log10(y1) - Math.log10(y0))) * ph
    : (y: number) => M.top + ph - ((y - y0) / (y1 - y0)) * ph;
  const ok = (y: number) => Number.isFinite(y) && (!spec.yLog || y > 0);
  const f = (v: number) => v.toFixed(1);
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" viewBox="0 0 ${W} ${height}" font-family="system-ui, sans-serif" font-size="12" role="img" aria-label="${esc(spec.title)}">`,
    `<title>${esc(spec.title)}</title>`,
    `<rect width="${W}" height="${height}" fill="#ffffff"/>`,
    `<text x="${M.left}" y="20" font-size="15" font-weight="600">${esc(spec.title)}</text>`,
  );
  // Therapy / phase strips above the plot area.
  for (const b of spec.bands) {
    const a = sx(Math.max(b.from, x0));
    const e = sx(Math.min(b.to, x1));
    if (!(e > a)) continue;
    const y = M.top - 22 + b.row * 10;
    out.push(
      `<rect x="${f(a)}" y="${y}" width="${f(e - a)}" height="9" fill="${b.color}" stroke="#888" stroke-width="0.5"><title>${esc(b.label)}</title></rect>`,
    );
  }
  // Axes and grid.
  const yt = spec.yLog ? logTicks(y0, y1) : linearTicks(y0, y1);
  for (const t of yt) {
    const y = sy(t);
    out.push(
      `<line x1="${M.left}" x2="${M.left + pw}" y1="${f(y)}" y2="${f(y)}" stroke="#e5e5e5"/>`,
      `<text x="${M.left - 6}" y="${f(y + 4)}" text-anchor="end">${formatTick(t)}</text>`,
    );
  }
  for (const t of linearTicks(x0, x1, 8)) {
    const x = sx(t);
    out.push(
      `<line x1="${f(x)}" x2="${f(x)}" y1="${M.top}" y2="${M.top + ph}" stroke="#f0f0f0"/>`,
      `<text x="${f(x)}" y="${M.top + ph + 16}" text-anchor="middle">${formatTick(t)}</text>`,
    );
  }
  out.push(
    `<rect x="${M.left}" y="${M.top}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`,
    `<text x="${M.left + pw / 2}" y="${M.top + ph + 36}" text-anchor="middle">${esc(spec.xLabel)}</text>`,
    `<text transform="translate(18 ${M.top + ph / 2}) rotate(-90)" text-anchor="middle">${esc(spec.yLabel)}</text>`,
  );
  // Response lines.
  for (const l of spec.hLines) {
    if (!ok(l.value) || l.value < y0 || l.value > y1) continue;
    const y = sy(l.value);
    out.push(
      `<line x1="${M.left}" x2="${M.left + pw}" y1="${f(y)}" y2="${f(y)}" stroke="${l.color}" stroke-dasharray="4 4"/>`,
      `<text x="${M.left + pw - 4}" y="${f(y - 3)}" text-anchor="end" fill="${l.color}" font-size="11">${esc(l.label)}</text>`,
    );
  }
  // Series.
  for (const s of spec.series) {
    if (s.points) {
      for (let i = 0; i < xs.length; i++)
        if (ok(s.values[i]))
          out.push(`<circle cx="${f(sx(xs[i]))}" cy="${f(sy(s.values[i]))}" r="3" fill="${s.color}"/>`);
      continue;
    }
    const parts: string[] = [];
    let pen = false;
    for (let i = 0; i < xs.length; i++) {
      const v = s.values[i];
      if (!ok(v)) {
        pen = false;
        continue;
      }
      const X = f(sx(xs[i]));
      const Y = f(sy(Math.min(Math.max(v, y0), y1)));
      parts.push(!pen ? `M${X} ${Y}` : spec.stepped ? `H${X}V${Y}` : `L${X} ${Y}`);
      pen = true;
    }
    if (parts.length)
      out.push(
        `<path d="${parts.join('')}" fill="none" stroke="${s.color}" stroke-width="1.6"${s.dash.length ? ` stroke-dasharray="${s.dash.join(' ')}"` : ''}/>`,
      );
  }
  // Milestone markers.
  for (const m of spec.markers) {
    if (!ok(m.y)) continue;
    const x = sx(m.x);
    const y = sy(Math.min(Math.max(m.y, y0), y1));
    out.push(
      `<path d="M${f(x)} ${f(y - 7)}L${f(x + 6)} ${f(y)}L${f(x)} ${f(y + 7)}L${f(x - 6)} ${f(y)}Z" fill="${m.color}" stroke="#000" stroke-width="0.8"><title>${esc(m.label)}</title></path>`,
    );
  }
  // Legend.
  const items = [
    ...spec.series.map((s) => ({
      label: s.label,
      color: s.color,
      kind: s.points ? 'point' : 'line',
      dash: s.dash,
    })),
    ...spec.hLines.map((l) => ({ label: l.label, color: l.color, kind: 'dashed', dash: [4, 4] })),
    ...spec.markers.map((m) => ({
      label: m.label,
      color: m.color,
      kind: 'marker',
      dash: [] as readonly number[],
    })),
  ];
  items.forEach((it, k) => {
    const col = k % 3;
    const row = Math.floor(k / 3);
    const x = M.left + col * (pw / 3);
    const y = H + row * LEGEND_ROW;
    const sym =
      it.kind === 'point' || it.kind === 'marker'
        ? `<circle cx="${f(x + 9)}" cy="${y - 4}" r="4" fill="${it.color}"/>`
        : `<line x1="${f(x)}" x2="${f(x + 18)}" y1="${y - 4}" y2="${y - 4}" stroke="${it.color}" stroke-width="2"${it.dash.length ? ` stroke-dasharray="${it.dash.join(' ')}"` : ''}/>`;
    out.push(sym, `<text x="${f(x + 24)}" y="${y}" font-size="11">${esc(it.label)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n');
}
