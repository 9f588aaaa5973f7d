/**
 * The sensitivity report: one self-contained HTML page for a global sensitivity study (`exoniche sensitivity`).
 * Per output: a Sobol' bar chart (first-order and total indices with their percentile bootstrap intervals as
 * rules) or a Morris tornado chart (mu* per factor, sorted, with sigma beside it: Campolongo et al. 2007 read mu* as
 * importance and sigma as nonlinearity or interaction), a table of the numbers, and how many design rows were
 * dropped for missing values; then the factors with their ranges and sources, failures, the study spec and the
 * sweep manifest. Figures are vega-lite specs rendered to inline SVG in Node as in the cohort report (style and
 * CSS follow src/report/cohort.ts). Pure: the same input gives the same bytes.
 */
import type { TopLevelSpec } from 'vega-lite';
import { VERSION } from '../version.js';
import type { Figure } from './figures.js';
import { renderSvg, vegaBase } from './figures.js';
import { escapeHtml as esc, jsonForScript } from './html.js';
import { reportCss } from './style.js';

/** The indices of one output (src/sweep/sensitivity-spec.ts computes them as OutputIndices, this type). */
export interface SensitivityOutput {
  readonly label: string;
  readonly method: 'sobol' | 'morris';
  readonly names: readonly string[];
  /** Base rows (Sobol') or trajectories (Morris) used, and dropped for a missing value. */
  readonly used: number;
  readonly dropped: number;
  /** Design points whose value is missing (NaN: failed run or undefined output). */
  readonly missingPoints: number;
  /** Why there are no indices (too few complete rows, zero variance). */
  readonly error?: string;
  readonly first?: readonly number[];
  readonly total?: readonly number[];
  readonly firstCI?: readonly (readonly [number, number])[];
  readonly totalCI?: readonly (readonly [number, number])[];
  readonly variance?: number;
  readonly mu?: readonly number[];
  readonly muStar?: readonly number[];
  readonly sigma?: readonly number[];
}

export interface SensitivityFactor {
  readonly name: string;
  readonly lo: number;
  readonly hi: number;
  readonly scale: 'linear' | 'log';
  readonly source: string;
}

export interface SensitivityReportInput {
  readonly name: string;
  /** What was varied and read (scenario and mode, or model and time). */
  readonly subject: string;
  readonly method: string;
  readonly methodKind: 'sobol' | 'morris';
  readonly seed: string;
  readonly version?: string;
  /** Creation date in the header (pass a fixed value for byte-identical output). */
  readonly createdAt?: string;
  readonly factors: readonly SensitivityFactor[];
  readonly outputs: readonly SensitivityOutput[];
  readonly points: number;
  readonly failedPoints: number;
  readonly failures: readonly { readonly row: number; readonly message: string }[];
  readonly spec: unknown;
  readonly manifest: unknown;
}

const WIDTH = 560;
const BAR = 22;

/** Presentation colours (not model numbers). */
const FIRST = '#2b8cbe';
const TOTAL = '#e08214';

function num(x: number | undefined, digits = 3): string {
  if (x === undefined || !Number.isFinite(x)) return '–';
  if (x !== 0 && (Math.abs(x) < 1e-3 || Math.abs(x) >= 1e6)) return x.toExponential(digits - 1);
  return String(Number(x.toPrecision(digits)));
}

const r6 = (x: number | undefined) =>
  x !== undefined && Number.isFinite(x) ? Number(x.toPrecision(6)) : null;

const base = (height: number): Record<string, unknown> => vegaBase(WIDTH, height, 'bottom');

/** Sobol' first-order and total indices per factor, grouped bars with bootstrap-interval rules. */
export function sobolFigure(o: SensitivityOutput, id: string): Figure {
  const rows = o.names.flatMap((name, i) => [
    {
      factor: name,
      index: 'first order S_i',
      value: r6(o.first?.[i]),
      lo: r6(o.firstCI?.[i]?.[0]),
      hi: r6(o.firstCI?.[i]?.[1]),
    },
    {
      factor: name,
      index: 'total S_Ti',
      value: r6(o.total?.[i]),
      lo: r6(o.totalCI?.[i]?.[0]),
      hi: r6(o.totalCI?.[i]?.[1]),
    },
  ]);
  const order = o.names
    .map((n, i) => ({ n, t: o.total?.[i] ?? 0 }))
    .sort((a, b) => b.t - a.t || (a.n < b.n ? -1 : 1))
    .map((x) => x.n);
  const y = { field: 'factor', type: 'nominal', sort: order, title: null };
  const colour = {
    field: 'index',
    type: 'nominal',
    title: null,
    scale: { domain: ['first order S_i', 'total S_Ti'], range: [FIRST, TOTAL] },
  };
  const spec = {
    ...base(Math.max(60, 2 * BAR * o.names.length)),
    data: { values: rows },
    encoding: { y, yOffset: { field: 'index', sort: ['first order S_i', 'total S_Ti'] } },
    layer: [
      {
        mark: { type: 'bar', height: { band: 0.9 } },
        encoding: {
          x: {
            field: 'value',
            type: 'quantitative',
            title: 'Sobol index',
            scale: { domain: [0, 1], clamp: true },
          },
          color: colour,
          tooltip: [
            { field: 'factor' },
            { field: 'index' },
            { field: 'value', format: '.3f' },
            { field: 'lo', format: '.3f' },
            { field: 'hi', format: '.3f' },
          ],
        },
      },
      {
        mark: { type: 'rule', color: '#222', strokeWidth: 1.2 },
        encoding: { x: { field: 'lo', type: 'quantitative' }, x2: { field: 'hi' } },
      },
    ],
  };
  return {
    id,
    title: `Sobol indices of ${o.label}`,
    caption:
      `First-order (Saltelli 2010) and total (Jansen 1999) indices from ${o.used} base samples` +
      `${o.dropped > 0 ? ` (${o.dropped} dropped for a missing value)` : ''}; lines: percentile bootstrap intervals. ` +
      'Total minus first order is the share of variance in interactions; indices are clamped to [0, 1] in the plot only.',
    spec: spec as unknown as TopLevelSpec,
  };
}

/** Morris tornado: mu* per factor (sorted, largest on top) with sigma beside it. */
export function morrisFigure(o: SensitivityOutput, id: string): Figure {
  const rows = o.names.flatMap((name, i) => [
    { factor: name, measure: 'mu* (mean |effect|)', value: r6(o.muStar?.[i]) },
    { factor: name, measure: 'sigma (sd of effects)', value: r6(o.sigma?.[i]) },
  ]);
  const order = o.names
    .map((n, i) => ({ n, m: o.muStar?.[i] ?? 0 }))
    .sort((a, b) => b.m - a.m || (a.n < b.n ? -1 : 1))
    .map((x) => x.n);
  const spec = {
    ...base(Math.max(60, 2 * BAR * o.names.length)),
    data: { values: rows },
    mark: { type: 'bar', height: { band: 0.9 } },
    encoding: {
      y: { field: 'factor', type: 'nominal', sort: order, title: null },
      yOffset: { field: 'measure', sort: ['mu* (mean |effect|)', 'sigma (sd of effects)'] },
      x: { field: 'value', type: 'quantitative', title: `elementary effect on ${o.label} (per unit range)` },
      color: {
        field: 'measure',
        type: 'nominal',
        title: null,
        scale: { domain: ['mu* (mean |effect|)', 'sigma (sd of effects)'], range: [FIRST, TOTAL] },
      },
      tooltip: [{ field: 'factor' }, { field: 'measure' }, { field: 'value', format: '.4g' }],
    },
  };
  return {
    id,
    title: `Morris screening of ${o.label}`,
    caption:
      `Tornado of mu*, the mean absolute elementary effect (Campolongo et al. 2007), from ${o.used} trajectories` +
      `${o.dropped > 0 ? ` (${o.dropped} dropped for a missing value)` : ''}, with sigma, their standard deviation ` +
      '(nonlinearity or interactions). Effects are per unit of the factor range (the whole range = 1).',
    spec: spec as unknown as TopLevelSpec,
  };
}

function sobolTable(o: SensitivityOutput): string {
  const ci = (c: readonly [number, number] | undefined) => (c ? `${num(c[0])} – ${num(c[1])}` : '–');
  const rows = o.names
    .map(
      (n, i) =>
        `<tr><td>${esc(n)}</td><td class="num">${num(o.first?.[i])}</td><td class="num">${ci(o.firstCI?.[i])}</td>` +
        `<td class="num">${num(o.total?.[i])}</td><td class="num">${ci(o.totalCI?.[i])}</td></tr>`,
    )
    .join('');
  return (
    `<table class="indices"><thead><tr><th>factor</th><th>first order S_i</th><th>interval</th><th>total S_Ti</th>` +
    `<th>interval</th></tr></thead><tbody>${rows}</tbody></table>` +
    `<p class="cite">Output variance ${num(o.variance, 4)}; sum of first-order indices ${num(o.first?.reduce((a, b) => a + b, 0))}.</p>`
  );
}

function morrisTable(o: SensitivityOutput): string {
  const rows = o.names
    .map(
      (n, i) =>
        `<tr><td>${esc(n)}</td><td class="num">${num(o.mu?.[i], 4)}</td><td class="num">${num(o.muStar?.[i], 4)}</td>` +
        `<td class="num">${num(o.sigma?.[i], 4)}</td></tr>`,
    )
    .join('');
  return `<table class="indices"><thead><tr><th>factor</th><th>mu</th><th>mu*</th><th>sigma</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function factorTable(fs: readonly SensitivityFactor[]): string {
  const rows = fs
    .map(
      (f) =>
        `<tr><td>${esc(f.name)}</td><td class="num">${num(f.lo, 4)}</td><td class="num">${num(f.hi, 4)}</td>` +
        `<td>${f.scale === 'log' ? 'log-uniform' : 'uniform'}</td><td>${esc(f.source)}</td></tr>`,
    )
    .join('');
  return `<table class="factors"><thead><tr><th>factor</th><th>low</th><th>high</th><th>distribution</th><th>range from</th></tr></thead><tbody>${rows}</tbody></table>`;
}

const CSS = reportCss({
  headings: 'h3{font-size:15px;margin:18px 0 6px}',
  figures:
    'pre{background:#f6f6f6;border:1px solid var(--line);padding:8px;font-size:11.5px;overflow:auto;max-height:360px}',
});

/** The figures of a study, one per output with indices. */
export function sensitivityFigures(input: SensitivityReportInput): Figure[] {
  return input.outputs.flatMap((o, i) =>
    o.error !== undefined
      ? []
      : [o.method === 'sobol' ? sobolFigure(o, `sobol-${i}`) : morrisFigure(o, `morris-${i}`)],
  );
}

/** The HTML report of a sensitivity study. */
export async function renderSensitivityReport(input: SensitivityReportInput): Promise<string> {
  const version = input.version ?? VERSION;
  const created = input.createdAt ?? new Date().toISOString();
  const figures = sensitivityFigures(input);
  let fig = 0;
  const sections: string[] = [];
  for (const [i, o] of input.outputs.entries()) {
    const head = `<h3>${esc(o.label)}</h3>`;
    const dropped =
      o.missingPoints > 0
        ? `<p class="failed">${o.missingPoints} of ${input.points} design points have no value (failed run or undefined output, e.g. an event that never happened); ` +
          `${o.dropped} ${o.method === 'sobol' ? 'base samples' : 'trajectories'} were dropped with them and ${o.used} used. ` +
          'Indices are then conditional on the output being defined.</p>'
        : '';
    if (o.error !== undefined) {
      sections.push(`${head}${dropped}<p class="failed">No indices: ${esc(o.error)}</p>`);
      continue;
    }
    const f = figures[fig++] as Figure;
    const svg = await renderSvg(f.spec, `s${i}-`);
    sections.push(
      `${head}<figure class="figure" id="fig-${esc(f.id)}" data-figure="${esc(f.id)}">${svg}` +
        `<figcaption><b>Figure ${fig}. ${esc(f.title)}.</b> ${esc(f.caption)}</figcaption>` +
        `<script type="application/json" class="vega-lite-spec" id="spec-${esc(f.id)}">${jsonForScript(f.spec)}</script></figure>` +
        dropped +
        (o.method === 'sobol' ? sobolTable(o) : morrisTable(o)),
    );
  }
  const failures =
    input.failures.length > 0
      ? `<table class="failures"><thead><tr><th>design row</th><th>message</th></tr></thead><tbody>${input.failures
          .map((x) => `<tr><td class="num">${x.row}</td><td>${esc(x.message)}</td></tr>`)
          .join('')}</tbody></table>`
      : '<p>No run failed.</p>';
  const body =
    `<header><h1>${esc(`Sensitivity: ${input.name}`)}</h1><p class="meta"><span>created ${esc(created)}</span>` +
    `<span>exoniche ${esc(version)}</span><span>seed <code>${esc(input.seed)}</code></span>` +
    `<span>${esc(input.points)} design points</span></p><p>${esc(input.subject)}</p></header>\n` +
    `<section id="summary"><h2>Summary</h2><div class="summary">` +
    `<div>method<br><b>${input.methodKind === 'sobol' ? 'Sobol' : 'Morris'}</b></div>` +
    `<div>factors<br><b>${input.factors.length}</b></div><div>outputs<br><b>${input.outputs.length}</b></div>` +
    `<div>design points<br><b>${input.points}</b></div>` +
    `<div>points with failed runs<br><b class="${input.failedPoints > 0 ? 'failed' : ''}">${input.failedPoints}</b></div>` +
    `</div><p>${esc(input.method)}.</p></section>\n` +
    `<section id="indices"><h2>Indices</h2>\n${sections.join('\n')}</section>\n` +
    `<section id="factors"><h2>Factors</h2>${factorTable(input.factors)}` +
    `<p class="cite">Factors are independent, uniform or log-uniform on their ranges. A range "from kb:KEY" is the ` +
    `knowledge base's plausible range of that entry; "patients:..." the smallest to the largest fitted patient value.</p></section>\n` +
    `<section id="failures"><h2>Failures</h2>${failures}</section>\n` +
    `<section id="spec"><h2>Study</h2><pre>${esc(JSON.stringify(input.spec, null, 2))}</pre></section>\n` +
    `<section id="manifest"><h2>Sweep manifest</h2><pre>${esc(JSON.stringify(input.manifest, null, 2))}</pre></section>\n` +
    `<footer><p><b>Reproducibility.</b> Produced by exoniche ${esc(version)}; the design is regenerated from the study ` +
    `and its seed, every design point is a pure function of the plan, and the indices are embedded as JSON ` +
    `(<code>script#sensitivity-indices</code>).</p></footer>\n` +
    `<script type="application/json" id="sensitivity-indices">${jsonForScript(input.outputs)}</script>`;
  return (
    `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="generator" content="exoniche">` +
    `<title>${esc(`exoniche sensitivity report: ${input.name}`)}</title><style>${CSS}</style></head>\n<body>\n${body}\n</body></html>\n`
  );
}
