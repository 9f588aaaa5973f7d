/**
 * The scenario report as one self-contained HTML file: inline CSS, figures as inline SVG rendered in Node (no
 * script is needed to see them), every figure's vega-lite spec with its data as JSON beside it, the summary,
 * therapy, parameters with their sources, warnings and what is needed to reproduce the run. Every text that
 * comes from the input is escaped. The output is byte-identical for the same input and `createdAt`.
 */
import type { ScenarioRun } from '../scenario/run-result.js';
import { VERSION } from '../version.js';
import { comparisonFigures, type Figure, type FigureOptions, renderSvg, runFigures } from './figures.js';

export interface ReportOptions extends FigureOptions {
  /** Creation date written in the header (default: now). Pass a fixed value for byte-identical output. */
  readonly createdAt?: Date | string;
  /** Version string in the header and footer (default: the package version). */
  readonly version?: string;
}

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(s: unknown): string {
  return String(s)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** JSON safe inside a <script type="application/json"> element (no `</script>`, no `<!--`). */
export function jsonForScript(value: unknown): string {
  let text: string;
  try {
    text =
      JSON.stringify(value, (_k, v) =>
        ArrayBuffer.isView(v) ? Array.from(v as unknown as ArrayLike<number>) : v,
      ) ?? 'null';
  } catch (e) {
    text = JSON.stringify({ error: `not serialisable: ${(e as Error).message}` });
  }
  return text
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

const esc = escapeHtml;

function num(x: number | undefined, digits = 4): string {
  if (x === undefined || !Number.isFinite(x)) return '–';
  if (x !== 0 && (Math.abs(x) >= 1e6 || Math.abs(x) < 1e-4)) return x.toExponential(digits - 1);
  return String(Number(x.toPrecision(digits)));
}

function months(x: number | undefined): string {
  return x === undefined ? 'not reached' : `${num(x, 3)} months`;
}

function dateText(d: Date | string | undefined): string {
  if (typeof d === 'string') return d;
  return (d ?? new Date()).toISOString();
}

const CSS = `
:root{--fg:#1b1b1b;--muted:#5a5a5a;--line:#d0d0d0;--bg:#fff;--accent:#2b5797}
*{box-sizing:border-box}
body{font-family:Helvetica,Arial,sans-serif;color:var(--fg);background:var(--bg);margin:0 auto;max-width:1000px;padding:24px;line-height:1.4;font-size:14px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:2px solid var(--accent);padding-bottom:2px}
h3{font-size:15px;margin:16px 0 6px}
.meta{color:var(--muted);font-size:12.5px}.meta span{margin-right:14px;white-space:nowrap}
.desc{margin:8px 0 0}
.summary{display:flex;flex-wrap:wrap;gap:16px;border:1px solid var(--line);border-radius:6px;padding:12px 16px;background:#fafafa}
.summary>div{flex:1 1 280px}
table{border-collapse:collapse;width:100%;font-size:12.5px}
th,td{border-bottom:1px solid var(--line);padding:3px 6px;text-align:left;vertical-align:top}
th{background:#f0f0f0}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.cat{display:inline-block;padding:0 6px;border-radius:3px;color:#fff;font-size:12px}
.cat-optimal{background:#1a9850}.cat-warning{background:#e08214}.cat-failure{background:#d73027}.cat-other{background:#888}
figure.figure{margin:18px 0;page-break-inside:avoid;break-inside:avoid}
figure.figure svg{max-width:100%;height:auto}
figcaption{font-size:12.5px;color:var(--muted);margin-top:4px}
figcaption b{color:var(--fg)}
.warnings li{color:#8a4b00}
.diff td{background:#fff4d6}
footer{margin-top:32px;border-top:1px solid var(--line);padding-top:8px;font-size:12px;color:var(--muted)}
code{font-size:12px;background:#f3f3f3;padding:0 3px;border-radius:2px}
details>summary{cursor:pointer;font-weight:bold;margin:6px 0}
@media print{body{max-width:none;padding:0}h2{page-break-after:avoid}details>summary{display:none}}
`;

/** Opens collapsed sections when printing (the only script; the report reads fine without it). */
const PRINT_SCRIPT = `window.addEventListener('beforeprint',function(){document.querySelectorAll('details').forEach(function(d){d.open=true})});`;

function categoryBadge(cat: string): string {
  const cls = cat === 'optimal' || cat === 'warning' || cat === 'failure' ? cat : 'other';
  return `<span class="cat cat-${cls}">${esc(cat)}</span>`;
}

function summaryBlock(run: ScenarioRun): string {
  const s = run.summary;
  const ms = s.milestones
    .map(
      (m) =>
        `<tr><td>${m.month} months</td><td class="num">${m.bcrAblIS === undefined ? '–' : `${num(m.bcrAblIS)} %`}</td><td>${categoryBadge(m.category)}</td></tr>`,
    )
    .join('');
  const tfr = s.tfr
    ? `<tr><th>TFR</th><td>${s.tfr.eligible ? 'eligible' : 'not eligible'}: ${esc(s.tfr.reason)}; ` +
      `outcome: <b>${esc(s.tfr.outcome)}</b>${s.tfr.stopMonth !== undefined ? `; stop at ${num(s.tfr.stopMonth, 3)} months` : ''}` +
      `${s.tfr.relapseMonth !== undefined ? `; relapse at ${num(s.tfr.relapseMonth, 3)} months` : ''}</td></tr>`
    : '<tr><th>TFR</th><td>no attempt in this scenario</td></tr>';
  return (
    `<div class="summary"><div><h3>ELN 2020 milestones</h3><table class="milestones"><thead><tr><th>milestone</th><th>BCR-ABL1 IS</th><th>category</th></tr></thead><tbody>${ms}</tbody></table></div>` +
    `<div><h3>Response</h3><table class="response"><tbody>` +
    `<tr><th>best response</th><td><b>${esc(s.bestResponse)}</b></td></tr>` +
    `<tr><th>time to MMR</th><td>${months(s.monthsToMMR)}</td></tr>` +
    `<tr><th>time to MR4</th><td>${months(s.monthsToMR4)}</td></tr>` +
    `<tr><th>time to MR4.5</th><td>${months(s.monthsToMR45)}</td></tr>` +
    `<tr><th>phase at end</th><td>${esc(s.phaseAtEnd)}</td></tr>${tfr}</tbody></table></div></div>`
  );
}

function therapyTable(run: ScenarioRun): string {
  if (run.therapy.length === 0) return '<p>No therapy.</p>';
  const rows = run.therapy
    .map(
      (t) =>
        `<tr><td class="num">${num(t.startMonth)}</td><td class="num">${num(t.endMonth)}</td><td>${esc(t.drug)}</td>` +
        `<td class="num">${t.drug === 'none' ? '–' : num(t.doseMg)}</td><td class="num">${t.drug === 'none' ? '–' : num(t.intervalHours)}</td><td>${esc(t.reason)}</td></tr>`,
    )
    .join('');
  return `<table class="therapy"><thead><tr><th>from (months)</th><th>to (months)</th><th>drug</th><th>dose (mg)</th><th>interval (h)</th><th>reason</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function parameterTable(run: ScenarioRun): string {
  const rows = run.parameters
    .map(
      (p) =>
        `<tr><td><code>${esc(p.id)}</code></td><td>${esc(p.key ?? '')}</td><td class="num">${num(p.value, 6)}</td><td>${esc(p.units ?? '')}</td>` +
        `<td>${esc(p.evidence ?? '')}</td><td>${esc(p.source ?? '')}</td><td>${esc(p.note ?? '')}</td></tr>`,
    )
    .join('');
  return (
    `<details open><summary>${run.parameters.length} parameters</summary>` +
    `<table class="parameters"><thead><tr><th>id</th><th>knowledge-base key</th><th>value</th><th>units</th><th>evidence</th><th>source</th><th>note</th></tr></thead><tbody>${rows}</tbody></table></details>`
  );
}

function warningsBlock(warnings: readonly string[]): string {
  return warnings.length === 0
    ? '<p>None.</p>'
    : `<ul class="warnings">${warnings.map((w) => `<li>${esc(w)}</li>`).join('')}</ul>`;
}

async function figuresBlock(figures: readonly Figure[], armsNote = ''): Promise<string> {
  const parts: string[] = [];
  for (const [i, f] of figures.entries()) {
    const svg = await renderSvg(f.spec, `f${i}-`);
    parts.push(
      `<figure class="figure" id="fig-${esc(f.id)}" data-figure="${esc(f.id)}">${svg}` +
        `<figcaption><b>Figure ${i + 1}. ${esc(f.title)}.</b> ${esc(f.caption)}${armsNote}</figcaption>` +
        `<script type="application/json" class="vega-lite-spec" id="spec-${esc(f.id)}">${jsonForScript(f.spec)}</script></figure>`,
    );
  }
  return parts.join('\n');
}

function page(title: string, body: string): string {
  return (
    `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<meta name="generator" content="exoniche">` +
    `<title>${esc(title)}</title><style>${CSS}</style></head>\n<body>\n${body}\n<script>${PRINT_SCRIPT}</script>\n</body></html>\n`
  );
}

function metaLine(run: ScenarioRun, created: string, version: string): string {
  return (
    `<p class="meta"><span>created ${esc(created)}</span><span>exoniche ${esc(version)}</span>` +
    `<span>engine ${esc(run.engine)}</span><span>seed <code>${esc(run.seed)}</code></span>` +
    `<span>parameter hash <code>${esc(run.parameterHash)}</code></span></p>`
  );
}

function footer(runs: readonly ScenarioRun[], version: string): string {
  const items = runs
    .map(
      (r) =>
        `<li>${esc(r.name)}: engine <code>${esc(r.engine)}</code>, seed <code>${esc(r.seed)}</code>, parameter hash ` +
        `<code>${esc(r.parameterHash)}</code>, ${r.time.length} output times, build ${num(r.timings.buildMs, 3)} ms, ` +
        `simulation ${num(r.timings.simulateMs, 3)} ms</li>`,
    )
    .join('');
  return (
    `<footer><p><b>Reproducibility.</b> Produced by exoniche ${esc(version)}. The resolved scenario is embedded ` +
    `below as JSON (<code>script#scenario</code>), and each figure's vega-lite specification with its data ` +
    `(<code>script.vega-lite-spec</code>). Running the same scenario with the same version, engine and seed gives ` +
    `the same parameter hash and results.</p><ul>${items}</ul></footer>`
  );
}

/** The HTML report of one scenario run. */
export async function renderReport(run: ScenarioRun, options: ReportOptions = {}): Promise<string> {
  const version = options.version ?? VERSION;
  const created = dateText(options.createdAt);
  const figures = await figuresBlock(runFigures(run, options));
  const body =
    `<header><h1>${esc(run.name)}</h1>${metaLine(run, created, version)}` +
    `${run.description ? `<p class="desc">${esc(run.description)}</p>` : ''}</header>\n` +
    `<section id="summary"><h2>Summary</h2>${summaryBlock(run)}</section>\n` +
    `<section id="figures"><h2>Figures</h2>\n${figures}</section>\n` +
    `<section id="therapy"><h2>Therapy</h2>${therapyTable(run)}</section>\n` +
    `<section id="parameters"><h2>Parameters</h2>${parameterTable(run)}</section>\n` +
    `<section id="warnings"><h2>Warnings</h2>${warningsBlock(run.warnings)}</section>\n` +
    `${footer([run], version)}\n<script type="application/json" id="scenario">${jsonForScript(run.scenario)}</script>`;
  return page(`exoniche report: ${run.name}`, body);
}

function comparisonParameters(a: ScenarioRun, b: ScenarioRun): string {
  const ids: string[] = [];
  const pa = new Map(a.parameters.map((p) => [p.id, p]));
  const pb = new Map(b.parameters.map((p) => [p.id, p]));
  for (const p of [...a.parameters, ...b.parameters]) if (!ids.includes(p.id)) ids.push(p.id);
  const rows = ids
    .map((id) => {
      const x = pa.get(id);
      const y = pb.get(id);
      const differ = x?.value !== y?.value || x?.units !== y?.units;
      const p = x ?? y!;
      return (
        `<tr${differ ? ' class="diff"' : ''}><td><code>${esc(id)}</code></td><td class="num">${num(x?.value, 6)}</td>` +
        `<td class="num">${num(y?.value, 6)}</td><td>${esc(p.units ?? '')}</td><td>${esc(p.evidence ?? '')}</td>` +
        `<td>${esc(p.source ?? '')}</td></tr>`
      );
    })
    .join('');
  return (
    `<details open><summary>${ids.length} parameters (highlighted: values that differ)</summary>` +
    `<table class="parameters"><thead><tr><th>id</th><th>A value</th><th>B value</th><th>units</th><th>evidence</th><th>source</th></tr></thead><tbody>${rows}</tbody></table></details>`
  );
}

/** The HTML report of two runs side by side: summaries in two columns, every figure with both arms overlaid. */
export async function renderComparison(
  a: ScenarioRun,
  b: ScenarioRun,
  options: ReportOptions = {},
): Promise<string> {
  const version = options.version ?? VERSION;
  const created = dateText(options.createdAt);
  const armsNote = ` Arm A: ${esc(a.name)}; arm B: ${esc(b.name)}.`;
  const figures = await figuresBlock(comparisonFigures(a, b, options), armsNote);
  const arm = (tag: string, r: ScenarioRun) =>
    `<div><h3>${tag}: ${esc(r.name)}</h3>${metaLine(r, created, version)}${r.description ? `<p class="desc">${esc(r.description)}</p>` : ''}${summaryBlock(r)}</div>`;
  const body =
    `<header><h1>${esc(a.name)} vs ${esc(b.name)}</h1><p class="meta"><span>created ${esc(created)}</span>` +
    `<span>exoniche ${esc(version)}</span><span>comparison of two arms</span></p></header>\n` +
    `<section id="summary"><h2>Summary</h2>${arm('A', a)}${arm('B', b)}</section>\n` +
    `<section id="figures"><h2>Figures (A solid, B dashed)</h2>\n${figures}</section>\n` +
    `<section id="therapy"><h2>Therapy</h2><h3>A: ${esc(a.name)}</h3>${therapyTable(a)}<h3>B: ${esc(b.name)}</h3>${therapyTable(b)}</section>\n` +
    `<section id="parameters"><h2>Parameters</h2>${comparisonParameters(a, b)}</section>\n` +
    `<section id="warnings"><h2>Warnings</h2><h3>A</h3>${warningsBlock(a.warnings)}<h3>B</h3>${warningsBlock(b.warnings)}</section>\n` +
    `${footer([a, b], version)}\n<script type="application/json" id="scenario">${jsonForScript({ a: a.scenario, b: b.scenario })}</script>`;
  return page(`exoniche comparison: ${a.name} vs ${b.name}`, body);
}
