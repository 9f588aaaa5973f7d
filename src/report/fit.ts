/**
 * The fit report: one self-contained HTML page for a model fit (`exoniche fit`, src/fitting/model-fit-run.ts).
 * Per subject: the data on a log scale with the fitted curve (left-censored points drawn as open down-triangles at
 * their detection limit, since the truth lies at or below it), the log10 residuals over time, the profile
 * likelihoods with the threshold line nllMin + chi2_1(level)/2 (Raue et al. 2009), and a table of the estimates with
 * their profile intervals, verdicts and, for a validation, the published values beside. Figures are vega-lite specs
 * rendered to inline SVG in Node; style and CSS follow src/report/cohort.ts. Pure: the same input gives the same
 * bytes (pass `createdAt`).
 */
import type { TopLevelSpec } from 'vega-lite';
import type { ModelBayesResult, PosteriorHistogram, SubjectPosterior } from '../fitting/model-fit-bayes.js';
import type { ModelPopulationResult } from '../fitting/model-fit-population.js';
import type { ModelFitResult, SubjectFit } from '../fitting/model-fit-run.js';
import { VERSION } from '../version.js';
import type { Figure } from './figures.js';
import { renderSvg, vegaBase } from './figures.js';
import { escapeHtml as esc, jsonForScript } from './html.js';
import { reportCss } from './style.js';

/** Published values of one subject (a validation): parameter values and, when known, the NLL at them. */
export interface PublishedValues {
  readonly values: Readonly<Record<string, number>>;
  /** The same NLL as the fit's, evaluated at the published values. */
  readonly nll?: number;
  readonly source?: string;
}

/** What every fit report's header shows (the maximum-likelihood, Bayesian and population reports). */
export interface FitReportHeaderInput {
  readonly title?: string;
  /** exoniche version (default: the package version). */
  readonly version?: string;
  /** Creation date in the header (default: now; pass a fixed value for byte-identical output). */
  readonly createdAt?: Date | string;
  readonly inputs?: readonly { readonly path: string; readonly sha256: string }[];
  readonly extra?: Readonly<Record<string, string | number>>;
}

export interface FitReportInput extends FitReportHeaderInput {
  readonly result: ModelFitResult;
  readonly description?: string;
  /** Axis labels. */
  readonly timeLabel?: string;
  readonly valueLabel?: string;
  /** Per subject id. */
  readonly published?: Readonly<Record<string, PublishedValues>>;
}

const WIDTH = 600;
const HEIGHT = 260;

const r6 = (x: number) => (Number.isFinite(x) ? Number(x.toPrecision(6)) : null);

function num(x: number | null | undefined, digits = 4): string {
  if (x === undefined || x === null || !Number.isFinite(x)) return '–';
  return String(Number(x.toPrecision(digits)));
}

const base = (width = WIDTH, height = HEIGHT): Record<string, unknown> => vegaBase(width, height);

const slug = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, '_');

/** The whole decades around positive values (a log axis from 10^floor to 10^ceil). */
function decadeDomain(ys: readonly number[]): [number, number] {
  return [10 ** Math.floor(Math.log10(Math.min(...ys))), 10 ** Math.ceil(Math.log10(Math.max(...ys)))];
}

/** Measured points (filled circles) and left-censored limits (open down-triangles) on the x and y encodings. */
function observationLayers(measured: unknown[], censored: unknown[], x: unknown, y: unknown): unknown[] {
  const layers: unknown[] = [
    {
      data: { values: measured },
      mark: { type: 'point', filled: true, size: 40, color: '#d7301f', opacity: 0.9 },
      encoding: { x, y },
    },
  ];
  if (censored.length > 0)
    layers.push({
      data: { values: censored },
      mark: {
        type: 'point',
        shape: 'triangle-down',
        filled: false,
        size: 70,
        color: '#d7301f',
        strokeWidth: 1.5,
      },
      encoding: { x, y },
    });
  return layers;
}

/** Data, fitted curve and censored limits of one subject. */
export function dataFigure(s: SubjectFit, timeLabel: string, valueLabel: string): Figure {
  const curve = s.trajectory.flatMap((tr) =>
    tr.t.map((t, i) => ({ t: r6(t), y: r6(tr.y[i]), series: tr.id })).filter((r) => r.y !== null && r.y > 0),
  );
  const measured = s.residuals
    .filter((r) => !r.censored)
    .map((r) => ({ t: r6(r.t), y: r6(r.observed), series: r.series }));
  const censored = s.residuals
    .filter((r) => r.censored)
    .map((r) => ({ t: r6(r.t), y: r6(r.observed), series: r.series }));
  const ys = [...curve, ...measured, ...censored].map((r) => r.y as number).filter((v) => v > 0);
  const [lo, hi] = decadeDomain(ys);
  const x = { field: 't', type: 'quantitative', title: timeLabel };
  const y = { field: 'y', type: 'quantitative', title: valueLabel, scale: { type: 'log', domain: [lo, hi] } };
  const layer: unknown[] = [
    {
      data: { values: curve },
      mark: { type: 'line', strokeWidth: 2, color: '#2b5797' },
      encoding: { x, y, detail: { field: 'series' } },
    },
    ...observationLayers(measured, censored, x, y),
  ];
  return {
    id: `data-${slug(s.id)}`,
    title: `Subject ${s.id}: data and fitted curve`,
    caption:
      `Filled circles: measurements; open down-triangles: left-censored points at their detection limit (the value ` +
      `lies at or below); line: the model at the estimates (log scale). NLL ${num(s.nll)}, sigma ${num(s.sigma, 3)} log10.`,
    spec: { ...base(), layer } as unknown as TopLevelSpec,
  };
}

/** log10 residuals over time (censored: limit minus prediction, open triangles). */
export function residualFigure(s: SubjectFit, timeLabel: string): Figure {
  const rows = s.residuals.map((r) => ({
    t: r6(r.t),
    r: r6(r.residual),
    kind: r.censored ? 'censored' : 'measured',
  }));
  const x = { field: 't', type: 'quantitative', title: timeLabel };
  return {
    id: `residuals-${slug(s.id)}`,
    title: `Subject ${s.id}: residuals`,
    caption:
      `log10 observed − log10 predicted; for censored points the limit minus the prediction (a negative value means ` +
      `the model lies above the limit). Dashed: ±2 sigma.`,
    spec: {
      ...base(WIDTH, 160),
      layer: [
        {
          data: { values: [{ v: 0 }, { v: r6(2 * s.sigma) }, { v: r6(-2 * s.sigma) }] },
          mark: { type: 'rule', color: '#888', strokeDash: [4, 3] },
          encoding: { y: { field: 'v', type: 'quantitative' } },
        },
        {
          data: { values: rows },
          mark: { type: 'point', size: 40 },
          encoding: {
            x,
            y: { field: 'r', type: 'quantitative', title: 'residual (log10)' },
            shape: {
              field: 'kind',
              type: 'nominal',
              scale: { domain: ['measured', 'censored'], range: ['circle', 'triangle-down'] },
              title: null,
            },
            color: { value: '#d7301f' },
          },
        },
      ],
    } as unknown as TopLevelSpec,
  };
}

/** Profile likelihoods, one panel per parameter, threshold as a dashed rule. */
export function profileFigure(s: SubjectFit, result: ModelFitResult): Figure | undefined {
  const profiles = s.profiles;
  if (!profiles || profiles.length === 0) return undefined;
  const panels = profiles.map((p) => {
    const spec = result.parameters.find((q) => q.name === p.name);
    const rows = p.points.map((q) => ({ v: r6(q.value), nll: r6(q.nll) }));
    const x = {
      field: 'v',
      type: 'quantitative',
      title: p.name,
      scale: spec?.scale === 'log' ? { type: 'log' } : { zero: false },
    };
    return {
      width: 260,
      height: 170,
      layer: [
        {
          data: { values: rows },
          mark: { type: 'line', point: true, color: '#2b5797' },
          encoding: { x, y: { field: 'nll', type: 'quantitative', title: 'NLL', scale: { zero: false } } },
        },
        {
          data: { values: [{ t: r6(p.threshold) }] },
          mark: { type: 'rule', color: '#d7301f', strokeDash: [5, 3] },
          encoding: { y: { field: 't', type: 'quantitative' } },
        },
        {
          data: { values: [{ e: r6(p.estimate) }] },
          mark: { type: 'rule', color: '#888' },
          encoding: { x: { field: 'e', type: 'quantitative' } },
        },
      ],
    };
  });
  const { width: _w, height: _h, ...rest } = base();
  return {
    id: `profiles-${slug(s.id)}`,
    title: `Subject ${s.id}: profile likelihoods`,
    caption:
      `Each parameter fixed on a grid, the others re-optimised (sigma at its ML value when estimated). Dashed: the ` +
      `threshold NLL_min + chi2_1(${result.level})/2; grey: the estimate. A profile that stays below the threshold up ` +
      `to a range bound gives an open interval (practically non-identifiable); a flat one, a structurally ` +
      `non-identifiable parameter.`,
    spec: {
      ...rest,
      concat: panels,
      columns: 2,
      resolve: { scale: { x: 'independent', y: 'independent' } },
    } as unknown as TopLevelSpec,
  };
}

/** The figures of one subject. */
export function subjectFigures(s: SubjectFit, input: FitReportInput): Figure[] {
  const tl = input.timeLabel ?? 'time';
  const vl = input.valueLabel ?? input.result.observable;
  const figs = [dataFigure(s, tl, vl), residualFigure(s, tl), profileFigure(s, input.result)];
  return figs.filter((f): f is Figure => f !== undefined);
}

function estimateTable(s: SubjectFit, input: FitReportInput): string {
  const pub = input.published?.[s.id];
  const prof = new Map((s.profiles ?? []).map((p) => [p.name, p]));
  const head =
    `<tr><th>parameter</th><th>estimate</th><th>${Math.round(100 * input.result.level)} % profile CI</th>` +
    `<th>verdict</th>${s.identifiability ? '<th>Wald SE (working)</th>' : ''}` +
    `${pub ? '<th>published</th><th>fitted / published</th>' : ''}<th>range</th></tr>`;
  const rows = input.result.parameters.map((spec) => {
    const est = s.estimates[spec.name];
    const p = prof.get(spec.name);
    const ci = p
      ? `${p.lower === null ? '(open)' : num(p.lower)} – ${p.upper === null ? '(open)' : num(p.upper)}`
      : '–';
    const verdict = p?.verdict ?? s.identifiability?.verdicts[spec.name] ?? '–';
    const se = s.identifiability
      ? `<td class="num">${num(s.identifiability.standardErrors[spec.name], 3)}</td>`
      : '';
    const pv = pub?.values[spec.name];
    const pubCells = pub
      ? `<td class="num">${num(pv)}</td><td class="num">${pv !== undefined ? num(est / pv, 3) : '–'}</td>`
      : '';
    return (
      `<tr data-parameter="${esc(spec.name)}"><td>${esc(spec.name)}</td><td class="num">${num(est)}</td>` +
      `<td class="num">${esc(ci)}</td><td>${esc(verdict)}</td>${se}${pubCells}` +
      `<td class="num">${num(spec.lo, 3)} – ${num(spec.hi, 3)} (${esc(spec.scale)})</td></tr>`
    );
  });
  const sigmaRow =
    `<tr data-parameter="sigma"><td>sigma (log10)</td><td class="num">${num(s.sigma)}</td><td class="num">–</td>` +
    `<td>${s.sigmaEstimated ? 'ML estimate' : 'given'}</td>${s.identifiability ? '<td></td>' : ''}${pub ? '<td></td><td></td>' : ''}<td></td></tr>`;
  return `<table class="estimates">${head}${rows.join('')}${sigmaRow}</table>`;
}

function fitSummary(s: SubjectFit, input: FitReportInput): string {
  const pub = input.published?.[s.id];
  const items: [string, string][] = [
    ['NLL', num(s.nll, 6)],
    ['AIC', num(s.aic, 6)],
    ['BIC', num(s.bic, 6)],
    ['observations', `${s.observations} (${s.censored} censored)`],
    ['RMS log10 residual', num(s.rmsLog10, 3)],
    ['NLL at the initial values', num(s.initialNll, 6)],
    ['converged', s.converged ? 'yes' : 'no'],
    ['solves', String(s.solves)],
    ['time', `${num(s.seconds, 3)} s`],
  ];
  if (pub?.nll !== undefined) items.splice(1, 0, ['NLL at the published values', num(pub.nll, 6)]);
  return `<div class="summary">${items.map(([k, v]) => `<div>${esc(k)}<br><b>${esc(v)}</b></div>`).join('')}</div>`;
}

function startsTable(s: SubjectFit): string {
  const names = Object.keys(s.estimates);
  const head = `<tr><th>start</th><th>NLL</th><th>converged</th>${names.map((n) => `<th>${esc(n)}</th>`).join('')}</tr>`;
  const rows = [...s.starts]
    .sort((a, b) => a.nll - b.nll || a.start - b.start)
    .map(
      (r) =>
        `<tr><td>${r.start}</td><td class="num">${num(r.nll, 6)}</td><td>${r.converged ? 'yes' : 'no'}</td>` +
        names.map((n) => `<td class="num">${num(r.estimates[n])}</td>`).join('') +
        '</tr>',
    );
  const clusters = s.clusters.length > 0 ? ` ${s.clusters.length} distinct optima.` : '';
  return `<details><summary>${s.starts.length} starts.${esc(clusters)}</summary><table>${head}${rows.join('')}</table></details>`;
}

function overviewTable(input: FitReportInput): string {
  const r = input.result;
  const names = r.parameters.map((p) => p.name);
  const head =
    `<tr><th>subject</th>${names.map((n) => `<th>${esc(n)}</th>`).join('')}<th>sigma</th><th>NLL</th>` +
    `${input.published ? '<th>NLL published</th>' : ''}<th>AIC</th><th>n</th></tr>`;
  const rows = r.subjects.map(
    (s) =>
      `<tr data-subject="${esc(s.id)}"><td><a href="#subject-${esc(slug(s.id))}">${esc(s.id)}</a></td>` +
      names.map((n) => `<td class="num">${num(s.estimates[n])}</td>`).join('') +
      `<td class="num">${num(s.sigma, 3)}</td><td class="num">${num(s.nll, 6)}</td>` +
      `${input.published ? `<td class="num">${num(input.published[s.id]?.nll, 6)}</td>` : ''}` +
      `<td class="num">${num(s.aic, 6)}</td><td class="num">${s.observations}</td></tr>`,
  );
  return `<table class="overview">${head}${rows.join('')}</table>`;
}

const CSS = reportCss({
  headings: 'h3{font-size:15px;margin:18px 0 6px}',
  figures: 'details summary{cursor:pointer;color:var(--accent)}',
});

/** The HTML report of a model fit. */
export async function renderFitReport(input: FitReportInput): Promise<string> {
  const r = input.result;
  const version = input.version ?? VERSION;
  const created =
    typeof input.createdAt === 'string' ? input.createdAt : (input.createdAt ?? new Date()).toISOString();
  const title =
    input.title ?? `Fit of ${r.model} to ${r.subjects.length} subject${r.subjects.length === 1 ? '' : 's'}`;
  const extra = Object.entries(input.extra ?? {})
    .map(([k, v]) => `<span>${esc(k)} <code>${esc(v)}</code></span>`)
    .join('');
  const inputs = (input.inputs ?? [])
    .map((f) => `<li><code>${esc(f.path)}</code> sha256 <code>${esc(f.sha256)}</code></li>`)
    .join('');
  const sections: string[] = [];
  let fig = 0;
  for (const s of r.subjects) {
    const parts: string[] = [];
    for (const f of subjectFigures(s, input)) {
      fig++;
      const svg = await renderSvg(f.spec, `f${fig}-`);
      parts.push(
        `<figure class="figure" id="fig-${esc(f.id)}" data-figure="${esc(f.id)}">${svg}` +
          `<figcaption><b>Figure ${fig}. ${esc(f.title)}.</b> ${esc(f.caption)}</figcaption>` +
          `<script type="application/json" class="vega-lite-spec" id="spec-${esc(f.id)}">${jsonForScript(f.spec)}</script></figure>`,
      );
    }
    const pub = input.published?.[s.id];
    sections.push(
      `<section class="subject" id="subject-${esc(slug(s.id))}" data-subject="${esc(s.id)}"><h3>Subject ${esc(s.id)}</h3>` +
        `${fitSummary(s, input)}${estimateTable(s, input)}` +
        `${pub?.source ? `<p class="cite">Published values: ${esc(pub.source)}</p>` : ''}` +
        `${s.identifiability ? `<p class="cite">Fisher information (J<sup>T</sup>J, working coordinates): rank ${s.identifiability.rank} of ${Object.keys(s.estimates).length}, condition number ${esc(num(s.identifiability.conditionNumber, 3))}${s.identifiability.strongPairs.length > 0 ? `; strongly correlated: ${esc(s.identifiability.strongPairs.map((p) => `${p.a}/${p.b} (r = ${num(p.r, 3)})`).join(', '))}` : ''}.</p>` : ''}` +
        `${startsTable(s)}${parts.join('\n')}</section>`,
    );
  }
  const setupRows: [string, string][] = [
    ['model', r.model],
    ['observable', `${r.observable}${r.observableScale !== 1 ? ` × ${r.observableScale}` : ''}`],
    ['time', `model time = ${r.timeOffset} + ${r.timeScale} × data time`],
    [
      'error model',
      `log10-normal, sigma ${r.sigma === 'estimate' ? 'estimated (ML)' : `= ${r.sigma}`}; left-censored points as Tobit terms`,
    ],
    [
      'optimiser',
      `${r.method}${r.global ? ` after ${r.global}` : ''}, ${r.starts} starts (Latin hypercube), seed ${r.seed}`,
    ],
    [
      'fixed',
      Object.entries(r.fixed)
        .map(([k, v]) => `${k} = ${v}`)
        .join(', ') || 'none',
    ],
    ['fit', r.pooled ? 'pooled (one parameter set for all series)' : 'per subject'],
  ];
  const body =
    `<header><h1>${esc(title)}</h1><p class="meta"><span>created ${esc(created)}</span><span>exoniche ${esc(version)}</span>` +
    `<span>seed <code>${esc(r.seed)}</code></span><span>${r.subjects.length} subjects</span><span>${esc(num(r.seconds, 3))} s, ${r.solves} solves</span>${extra}</p>` +
    `${input.description ? `<p>${esc(input.description)}</p>` : ''}</header>\n` +
    `<section id="setup"><h2>Set-up</h2><table>${setupRows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('')}</table>` +
    `${inputs ? `<ul class="cite">${inputs}</ul>` : ''}</section>\n` +
    `<section id="overview"><h2>Estimates</h2>${overviewTable(input)}</section>\n` +
    `<section id="subjects"><h2>Subjects</h2>\n${sections.join('\n')}</section>\n` +
    `<footer><p><b>Reproducibility.</b> Produced by exoniche ${esc(version)} with seed <code>${esc(r.seed)}</code>. ` +
    `The fit result is embedded as JSON (<code>script#fit-result</code>), and each figure's vega-lite specification ` +
    `with its data (<code>script.vega-lite-spec</code>).</p></footer>\n` +
    `<script type="application/json" id="fit-result">${jsonForScript(fitResultJson(r))}</script>`;
  return (
    `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="generator" content="exoniche">` +
    `<title>${esc(`exoniche fit report: ${title}`)}</title><style>${CSS}</style></head>\n<body>\n${body}\n</body></html>\n`
  );
}

/** The result without the bulky trajectories (what the report embeds). */
export function fitResultJson(r: ModelFitResult): unknown {
  return { ...r, subjects: r.subjects.map(({ trajectory: _t, ...s }) => s) };
}

// ---------------------------------------------------------------------------------------------------------------
// Bayesian fits (exoniche fit --bayes)

export interface BayesReportInput extends FitReportHeaderInput {
  readonly result: ModelBayesResult;
  readonly timeLabel?: string;
  readonly valueLabel?: string;
}

/** Data with the posterior median curve, the 95 % credible band of the curve and the 95 % predictive band. */
export function bandFigure(s: SubjectPosterior, timeLabel: string, valueLabel: string): Figure | undefined {
  const b = s.bands;
  if (!b || b.used === 0) return undefined;
  const rows = b.t.map((t, k) => ({
    t: r6(t),
    plo: r6(b.predictive.q025[k]),
    phi: r6(b.predictive.q975[k]),
    clo: r6(b.curve.q025[k]),
    chi: r6(b.curve.q975[k]),
    med: r6(b.curve.q50[k]),
  }));
  const measured = s.observations.filter((o) => !o.censored).map((o) => ({ t: r6(o.t), y: r6(o.value) }));
  const censored = s.observations.filter((o) => o.censored).map((o) => ({ t: r6(o.t), y: r6(o.value) }));
  const ys = [
    ...rows.flatMap((r) => [r.plo, r.phi, r.med]),
    ...measured.map((r) => r.y),
    ...censored.map((r) => r.y),
  ].filter((v): v is number => v !== null && v > 0);
  const [lo, hi] = decadeDomain(ys);
  const x = { field: 't', type: 'quantitative', title: timeLabel };
  const yScale = { type: 'log', domain: [lo, hi] };
  const layer: unknown[] = [
    {
      data: { values: rows },
      mark: { type: 'area', color: '#9ecae1', opacity: 0.45 },
      encoding: {
        x,
        y: { field: 'plo', type: 'quantitative', title: valueLabel, scale: yScale },
        y2: { field: 'phi' },
      },
    },
    {
      data: { values: rows },
      mark: { type: 'area', color: '#3182bd', opacity: 0.45 },
      encoding: { x, y: { field: 'clo', type: 'quantitative', scale: yScale }, y2: { field: 'chi' } },
    },
    {
      data: { values: rows },
      mark: { type: 'line', strokeWidth: 2, color: '#08306b' },
      encoding: { x, y: { field: 'med', type: 'quantitative', scale: yScale } },
    },
    ...observationLayers(measured, censored, x, { field: 'y', type: 'quantitative', scale: yScale }),
  ];
  return {
    id: `band-${slug(s.id)}`,
    title: `Subject ${s.id}: posterior predictive band`,
    caption:
      `Light band: 95 % posterior predictive interval of a new measurement (curve times log10-normal noise); dark ` +
      `band: 95 % credible band of the model curve; line: posterior median curve (${b.used} draws` +
      `${b.failed > 0 ? `, ${b.failed} failed solves left out` : ''}). Circles: measurements; open down-triangles: ` +
      `left-censored points at their detection limit.`,
    spec: { ...base(), layer } as unknown as TopLevelSpec,
  };
}

/** Marginal histograms of the pooled draws, one small panel per parameter (log axis for log-scale ones). */
export function histogramFigure(s: SubjectPosterior): Figure {
  const panel = (h: PosteriorHistogram) => {
    const rows = h.counts.map((c, k) => ({ a: r6(h.edges[k]), b: r6(h.edges[k + 1]), n: c }));
    const p = s.parameters.find((q) => q.name === h.name);
    const xs = {
      field: 'a',
      type: 'quantitative',
      title: h.name,
      ...(h.log ? { scale: { type: 'log' } } : {}),
    };
    const layer: unknown[] = [
      {
        data: { values: rows },
        mark: { type: 'rect', color: '#6baed6', stroke: 'white', strokeWidth: 0.5 },
        encoding: { x: xs, x2: { field: 'b' }, y: { field: 'n', type: 'quantitative', title: 'draws' } },
      },
    ];
    if (p)
      layer.push({
        data: { values: [{ v: r6(p.q025) }, { v: r6(p.q975) }] },
        mark: { type: 'rule', color: '#d7301f', strokeDash: [4, 3] },
        encoding: { x: { field: 'v', type: 'quantitative' } },
      });
    return { width: 180, height: 120, layer };
  };
  const { width: _w, height: _h, ...b } = base();
  return {
    id: `hist-${slug(s.id)}`,
    title: `Subject ${s.id}: marginal posteriors`,
    caption:
      'Histograms of the pooled kept draws (equal-width bins, on the log axis for log-scale parameters); dashed ' +
      'lines: the 95 % credible interval (2.5 and 97.5 % quantiles).',
    spec: { ...b, columns: 3, concat: s.histograms.map(panel) } as unknown as TopLevelSpec,
  };
}

function posteriorTable(s: SubjectPosterior, chains: number): string {
  const head =
    '<tr><th>parameter</th><th>mean</th><th>sd</th><th>2.5 %</th><th>median</th><th>97.5 %</th>' +
    '<th>R-hat</th><th>ESS bulk</th><th>ESS tail</th></tr>';
  const rows = s.parameters.map((p) => {
    const bad = !(p.rhat <= 1.01) || !(p.essBulk >= 100 * chains) || !(p.essTail >= 100 * chains);
    return (
      `<tr${bad ? ' class="warn"' : ''}><td>${esc(p.name)}</td><td class="num">${num(p.mean)}</td><td class="num">${num(p.sd, 3)}</td>` +
      `<td class="num">${num(p.q025)}</td><td class="num">${num(p.q50)}</td><td class="num">${num(p.q975)}</td>` +
      `<td class="num">${num(p.rhat, 4)}</td><td class="num">${num(p.essBulk, 4)}</td><td class="num">${num(p.essTail, 4)}</td></tr>`
    );
  });
  return `<table class="posterior">${head}${rows.join('')}</table>`;
}

async function figuresHtml(figs: readonly Figure[], start: number): Promise<{ html: string; next: number }> {
  let fig = start;
  const parts: string[] = [];
  for (const f of figs) {
    fig++;
    const svg = await renderSvg(f.spec, `f${fig}-`);
    parts.push(
      `<figure class="figure" id="fig-${esc(f.id)}" data-figure="${esc(f.id)}">${svg}` +
        `<figcaption><b>Figure ${fig}. ${esc(f.title)}.</b> ${esc(f.caption)}</figcaption>` +
        `<script type="application/json" class="vega-lite-spec" id="spec-${esc(f.id)}">${jsonForScript(f.spec)}</script></figure>`,
    );
  }
  return { html: parts.join('\n'), next: fig };
}

function page(title: string, body: string): string {
  return (
    `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="generator" content="exoniche">` +
    `<title>${esc(`exoniche fit report: ${title}`)}</title><style>${CSS}tr.warn td{background:#fff3cd}.warning{color:#8a4b00}</style></head>\n<body>\n${body}\n</body></html>\n`
  );
}

function header(
  title: string,
  meta: string,
  input: { version?: string; createdAt?: Date | string; extra?: Readonly<Record<string, string | number>> },
): string {
  const version = input.version ?? VERSION;
  const created =
    typeof input.createdAt === 'string' ? input.createdAt : (input.createdAt ?? new Date()).toISOString();
  const extra = Object.entries(input.extra ?? {})
    .map(([k, v]) => `<span>${esc(k)} <code>${esc(v)}</code></span>`)
    .join('');
  return (
    `<header><h1>${esc(title)}</h1><p class="meta"><span>created ${esc(created)}</span><span>exoniche ${esc(version)}</span>` +
    `${meta}${extra}</p></header>\n`
  );
}

const inputsList = (inputs: readonly { path: string; sha256: string }[] | undefined) => {
  const li = (inputs ?? [])
    .map((f) => `<li><code>${esc(f.path)}</code> sha256 <code>${esc(f.sha256)}</code></li>`)
    .join('');
  return li ? `<ul class="cite">${li}</ul>` : '';
};

/** The HTML report of a Bayesian fit: posterior tables with diagnostics, predictive bands, histograms. */
export async function renderBayesReport(input: BayesReportInput): Promise<string> {
  const r = input.result;
  const title =
    input.title ??
    `Bayesian fit of ${r.model} to ${r.subjects.length} subject${r.subjects.length === 1 ? '' : 's'}`;
  let fig = 0;
  const sections: string[] = [];
  for (const s of r.subjects) {
    const figs = [
      bandFigure(s, input.timeLabel ?? 'time', input.valueLabel ?? r.observable),
      histogramFigure(s),
    ].filter((f): f is Figure => f !== undefined);
    const out = await figuresHtml(figs, fig);
    fig = out.next;
    const warn = s.warnings.map((w) => `<li>${esc(w)}</li>`).join('');
    sections.push(
      `<section class="subject" id="subject-${esc(slug(s.id))}" data-subject="${esc(s.id)}"><h3>Subject ${esc(s.id)}</h3>` +
        `<div class="summary"><div>${s.converged ? 'converged' : '<b class="warning">not converged</b>'}</div>` +
        `<div>acceptance <b>${esc(s.acceptance.map((a) => num(a, 2)).join(', '))}</b></div>` +
        `<div>best draw NLL <b>${esc(num(s.best.nll, 6))}</b></div></div>` +
        `${posteriorTable(s, r.chains)}${warn ? `<ul class="warning">${warn}</ul>` : ''}${out.html}</section>`,
    );
  }
  const setupRows: [string, string][] = [
    ['model', r.model],
    ['observable', r.observable],
    [
      'error model',
      `log10-normal, sigma ${r.sigma === 'estimate' ? 'sampled' : `= ${r.sigma}`}; left-censored points as Tobit terms`,
    ],
    ['prior', r.subjects[0]?.prior ?? ''],
    [
      'sampler',
      `adaptive Metropolis (Haario et al. 2001), ${r.chains} chains, ${r.warmup} warm-up + ${r.draws} kept draws each, seed ${r.seed}`,
    ],
    [
      'diagnostics',
      'rank-normalised split R-hat and bulk/tail ESS (Vehtari et al. 2021); want R-hat <= 1.01, ESS >= 100 per chain',
    ],
  ];
  const body =
    header(
      title,
      `<span>seed <code>${esc(r.seed)}</code></span><span>${esc(num(r.seconds, 3))} s, ${r.solves} solves</span>`,
      input,
    ) +
    `<section id="setup"><h2>Set-up</h2><table>${setupRows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('')}</table>` +
    `${inputsList(input.inputs)}</section>\n` +
    `<section id="subjects"><h2>Posteriors</h2>\n${sections.join('\n')}</section>\n` +
    `<footer><p><b>Reproducibility.</b> Seed <code>${esc(r.seed)}</code>; the result is embedded as JSON ` +
    `(<code>script#fit-result</code>), the draws are in draws.csv.</p></footer>\n` +
    `<script type="application/json" id="fit-result">${jsonForScript(r)}</script>`;
  return page(title, body);
}

// ---------------------------------------------------------------------------------------------------------------
// Population fits (exoniche fit --population)

export interface PopulationReportInput extends FitReportHeaderInput {
  readonly result: ModelPopulationResult;
  /** The cohort.coreFit YAML block, when there is one. */
  readonly coreFitYaml?: string;
}

/** SAEM trajectories: population value, omega and sigma per iteration, with the end of the burn-in marked. */
export function saemTrajectoryFigure(r: ModelPopulationResult): Figure {
  const panel = (title: string, ys: readonly number[], log: boolean) => ({
    width: 260,
    height: 110,
    title,
    layer: [
      {
        data: { values: ys.map((y, k) => ({ k: k + 1, y: r6(y) })) },
        mark: { type: 'line', color: '#2b5797', strokeWidth: 1.5 },
        encoding: {
          x: { field: 'k', type: 'quantitative', title: 'iteration' },
          y: {
            field: 'y',
            type: 'quantitative',
            title: null,
            scale: log && ys.every((v) => v > 0) ? { type: 'log' } : { zero: false },
          },
        },
      },
      {
        data: { values: [{ k: r.burnIn }] },
        mark: { type: 'rule', color: '#d7301f', strokeDash: [4, 3] },
        encoding: { x: { field: 'k', type: 'quantitative' } },
      },
    ],
  });
  const panels = [
    ...r.parameters.flatMap((p) => [
      panel(`${p.name} (population)`, r.trajectory.mu[p.name], p.transform === 'log'),
      panel(`omega ${p.name}`, r.trajectory.omega[p.name], false),
    ]),
    panel('sigma', r.trajectory.sigma, false),
  ];
  const { width: _w, height: _h, ...b } = base();
  return {
    id: 'saem-trajectories',
    title: 'SAEM convergence',
    caption:
      `Population values (natural scale), random-effect SDs (transformed scale) and sigma at every iteration; ` +
      `dashed line: end of the ${r.burnIn} burn-in iterations (step 1), after which the ${r.averaging} averaging ` +
      `iterations (step 1/k) should settle to a flat line.`,
    spec: { ...b, columns: 2, concat: panels } as unknown as TopLevelSpec,
  };
}

/** The HTML report of a population fit. */
export async function renderPopulationReport(input: PopulationReportInput): Promise<string> {
  const r = input.result;
  const title = input.title ?? `Population fit of ${r.model} to ${r.subjects.length} subjects`;
  const pop =
    '<table class="population"><tr><th>parameter</th><th>population value</th><th>SE</th><th>omega (SD of the random effect)</th><th>SE</th><th>transform</th></tr>' +
    r.parameters
      .map(
        (p) =>
          `<tr><td>${esc(p.name)}</td><td class="num">${num(p.value)}</td><td class="num">${num(p.se, 3)}</td>` +
          `<td class="num">${num(p.omega, 3)}</td><td class="num">${num(p.omegaSe, 3)}</td><td>${esc(p.transform)}</td></tr>`,
      )
      .join('') +
    `<tr><td>sigma (log10)</td><td class="num">${num(r.sigma.value, 4)}</td><td class="num">${num(r.sigma.se, 3)}</td><td></td><td></td><td>${r.sigma.estimated ? 'estimated' : 'fixed'}</td></tr></table>`;
  const subj =
    `<table class="subjects"><tr><th>subject</th>${r.names.map((n) => `<th>${esc(n)}</th>`).join('')}</tr>` +
    r.subjects
      .map(
        (s) =>
          `<tr><td>${esc(s.id)}</td>${r.names.map((n) => `<td class="num">${num(s.mean[n])}</td>`).join('')}</tr>`,
      )
      .join('') +
    '</table>';
  const figs = await figuresHtml([saemTrajectoryFigure(r)], 0);
  const core = input.coreFitYaml
    ? `<section id="core-fit"><h2>Cohort core fit</h2><p>The log-normal population law of ${esc(r.coreFit?.names.join(', ') ?? '')} ` +
      `as a scenario's <code>cohort.coreFit</code> (also written to core-fit.yaml). Use it with <code>core: fitted</code> ` +
      `(docs/cohorts.md).</p><pre>${esc(input.coreFitYaml)}</pre>${r.coreFitNote ? `<p class="cite">${esc(r.coreFitNote)}</p>` : ''}</section>\n`
    : r.coreFitNote
      ? `<section id="core-fit"><h2>Cohort core fit</h2><p class="cite">${esc(r.coreFitNote)}</p></section>\n`
      : '';
  const body =
    header(
      title,
      `<span>seed <code>${esc(r.seed)}</code></span><span>${esc(num(r.seconds, 3))} s, ${r.solves} solves</span>`,
      input,
    ) +
    `<section id="setup"><h2>Set-up</h2><table>` +
    `<tr><th>model</th><td>${esc(r.model)}</td></tr><tr><th>observable</th><td>${esc(r.observable)}</td></tr>` +
    `<tr><th>algorithm</th><td>SAEM (Kuhn &amp; Lavielle 2005), ${esc(r.covariance)} covariance, ${r.burnIn} burn-in + ${r.averaging} averaging iterations, ${r.chains} chain(s) per subject, seed ${esc(r.seed)}</td></tr>` +
    `<tr><th>error model</th><td>log10-normal, left-censored points as Tobit terms; standard errors by Louis' principle</td></tr>` +
    `</table>${inputsList(input.inputs)}</section>\n` +
    `<section id="population"><h2>Population estimates</h2>${pop}${r.standardErrorsNote ? `<p class="cite">${esc(r.standardErrorsNote)}</p>` : ''}</section>\n` +
    core +
    `<section id="convergence"><h2>Convergence</h2>${figs.html}</section>\n` +
    `<section id="subjects"><h2>Conditional estimates per subject</h2>${subj}</section>\n` +
    `<footer><p><b>Reproducibility.</b> Seed <code>${esc(r.seed)}</code>; the result is embedded as JSON (<code>script#fit-result</code>).</p></footer>\n` +
    `<script type="application/json" id="fit-result">${jsonForScript(r)}</script>`;
  return page(title, body);
}
