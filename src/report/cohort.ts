/**
 * The cohort report: one self-contained HTML page for a virtual cohort's {@link CohortSummary}. Figures are
 * vega-lite specs rendered to inline SVG in Node (cumulative-incidence curves with their shaded log-log bands and
 * the published imatinib-arm trial figures as points beside them); tables give the milestone rates with their
 * intervals next to the trial figures (name, evidence tag, citation; [R] figures marked "not a target"), the
 * strata, the decline slopes and the TFR outcome. Every text from the input is escaped; the output is
 * byte-identical for the same summary and meta.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { StepCurve } from '../cohort/km.js';
import type {
  CohortSummary,
  EndpointId,
  MetricValue,
  StratumSummary,
  TrialComparison,
} from '../cohort/summary.js';
import { summaryToJSON } from '../cohort/summary.js';
import { VERSION } from '../version.js';
import type { Figure } from './figures.js';
import { renderSvg } from './figures.js';
import { escapeHtml as esc, jsonForScript } from './html.js';
import { reportCss } from './style.js';

export interface CohortReportMeta {
  readonly name: string;
  readonly seed: number | string;
  readonly patients: number;
  /** exoniche version (default: the package version). */
  readonly version?: string;
  readonly description?: string;
  /** Creation date in the header (default: now; pass a fixed value for byte-identical output). */
  readonly createdAt?: Date | string;
  /** Further key-value pairs shown in the header (engine, scenario file, shards, wall time, ...). */
  readonly extra?: Readonly<Record<string, string | number>>;
}

/** Presentation colours per endpoint (not clinical numbers). */
const COLOUR: Record<EndpointId, string> = {
  MMR: '#2b8cbe',
  MR4: '#7b3294',
  'MR4.5': '#1a9850',
  progression: '#d7301f',
  blastCrisis: '#7f0000',
  mutation: '#e08214',
  tfrEligible: '#3182bd',
  tfrStop: '#636363',
};

const WIDTH = 640;
const HEIGHT = 300;

const r6 = (x: number) => (Number.isFinite(x) ? Number(x.toPrecision(6)) : null);

function pct(x: number | undefined, digits = 3): string {
  if (x === undefined || !Number.isFinite(x)) return '–';
  return `${Number((100 * x).toPrecision(digits))} %`;
}

function num(x: number | undefined, digits = 3): string {
  if (x === undefined || !Number.isFinite(x)) return '–';
  if (x !== 0 && Math.abs(x) < 1e-3) return x.toExponential(digits - 1);
  return String(Number(x.toPrecision(digits)));
}

function base(): Record<string, unknown> {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: WIDTH,
    height: HEIGHT,
    background: 'white',
    config: {
      aria: false,
      font: 'Helvetica, Arial, sans-serif',
      axis: { labelFontSize: 11, titleFontSize: 12, grid: true, gridOpacity: 0.4 },
      legend: { labelFontSize: 11, titleFontSize: 11, labelLimit: 320, orient: 'right' },
    },
  };
}

type Row = Record<string, number | string | boolean | null>;

/** Curve points (percent) from the origin, for a step-after line and band. */
function curveRows(curve: StepCurve, label: string, originValue: number): Row[] {
  const est = curve.kind === 'survival' ? curve.survival : curve.incidence;
  const rows: Row[] = [];
  if (curve.time.length === 0 || curve.time[0] > 0)
    rows.push({ t: 0, v: 100 * originValue, lo: 100 * originValue, hi: 100 * originValue, curve: label });
  for (let i = 0; i < curve.time.length; i++)
    rows.push({
      t: r6(curve.time[i]),
      v: r6(100 * est[i]),
      lo: r6(100 * curve.lower[i]),
      hi: r6(100 * curve.upper[i]),
      curve: label,
    });
  return rows;
}

/** A figure of cumulative-incidence curves with bands, trial points beside them. */
function incidenceFigure(
  id: string,
  title: string,
  caption: string,
  s: StratumSummary,
  endpoints: readonly EndpointId[],
  trials: readonly TrialComparison[],
): Figure | undefined {
  const eps = s.endpoints.filter((e) => endpoints.includes(e.id));
  if (eps.length === 0) return undefined;
  const labels = eps.map((e) => e.label);
  const colours = eps.map((e) => COLOUR[e.id]);
  const rows = eps.flatMap((e) => curveRows(e.curve, e.label, 0));
  const points: Row[] = [];
  for (const t of trials) {
    if (t.model?.kind !== 'by') continue;
    const ep = eps.find((e) => t.metricId === `by${t.months}-${e.id}`);
    if (!ep || !Number.isFinite(t.comparable)) continue;
    points.push({
      t: t.months,
      v: r6(100 * t.comparable),
      curve: ep.label,
      trial: `${t.trial} [${t.evidence}]${t.target ? '' : ' not a target'}`,
      target: t.target,
    });
  }
  const x = { field: 't', type: 'quantitative', title: 'months from diagnosis' };
  const color = {
    field: 'curve',
    type: 'nominal',
    title: 'endpoint',
    scale: { domain: labels, range: colours },
  };
  // One band layer per endpoint with a fixed colour: no colour encoding, so the legend comes from the lines alone.
  const layer: Record<string, unknown>[] = [
    ...eps.map((e) => ({
      data: { values: rows.filter((r) => r.curve === e.label) },
      mark: { type: 'area', interpolate: 'step-after', opacity: 0.16, color: COLOUR[e.id] },
      encoding: {
        x,
        y: {
          field: 'lo',
          type: 'quantitative',
          title: 'cumulative incidence (%)',
          scale: { domain: [0, 100] },
        },
        y2: { field: 'hi' },
      },
    })),
    {
      data: { values: rows },
      mark: { type: 'line', interpolate: 'step-after', strokeWidth: 2 },
      encoding: { x, y: { field: 'v', type: 'quantitative' }, color },
    },
  ];
  const shape = { field: 'trial', type: 'nominal', title: 'trial (imatinib arm)' };
  const targets = points.filter((p) => p.target);
  const others = points.filter((p) => !p.target);
  if (targets.length > 0)
    layer.push({
      data: { values: targets },
      mark: { type: 'point', filled: true, size: 80, stroke: 'black', strokeWidth: 0.6 },
      encoding: { x, y: { field: 'v', type: 'quantitative' }, color, shape },
    });
  if (others.length > 0)
    layer.push({
      data: { values: others },
      mark: { type: 'point', filled: false, size: 80, strokeWidth: 1.5 },
      encoding: { x, y: { field: 'v', type: 'quantitative' }, color, shape },
    });
  return {
    id,
    title,
    caption,
    spec: { ...base(), layer } as unknown as TopLevelSpec,
  };
}

function relapseFigure(s: StratumSummary): Figure | undefined {
  const c = s.tfr.relapseFree;
  if (!c) return undefined;
  const rows = curveRows(c, 'relapse-free', 1);
  const x = { field: 't', type: 'quantitative', title: 'months since the TFR stop' };
  return {
    id: 'tfr-relapse-free',
    title: 'Molecular relapse-free survival after the TFR stop',
    caption:
      `Kaplan-Meier estimate over the ${s.tfr.stopped} patients who stopped (${s.tfr.relapses} relapses: loss of MMR), ` +
      `time from the stop; shaded: ${Math.round(100 * c.level)} % log-log band.`,
    spec: {
      ...base(),
      layer: [
        {
          data: { values: rows },
          mark: { type: 'area', interpolate: 'step-after', opacity: 0.16, color: '#3182bd' },
          encoding: {
            x,
            y: { field: 'lo', type: 'quantitative', title: 'relapse-free (%)', scale: { domain: [0, 100] } },
            y2: { field: 'hi' },
          },
        },
        {
          data: { values: rows },
          mark: { type: 'line', interpolate: 'step-after', strokeWidth: 2, color: '#3182bd' },
          encoding: { x, y: { field: 'v', type: 'quantitative' } },
        },
      ],
    } as unknown as TopLevelSpec,
  };
}

/** The report's figures (also usable on their own, e.g. for a dashboard). */
export function cohortFigures(summary: CohortSummary): Figure[] {
  const s = summary.overall;
  const band = `${Math.round(100 * summary.level)} % log-log band`;
  const note =
    'Cumulative incidence = 1 − Kaplan-Meier (no competing risks are modelled); an event not seen is censored at the end of follow-up.';
  const points = 'Points: published imatinib-arm figures (filled: targets; open: [R], not a target).';
  const figs = [
    incidenceFigure(
      'molecular-response',
      'Cumulative molecular response',
      `MMR (≤ 0.1 % IS), MR4 and MR4.5 from diagnosis; shaded: ${band}. ${points} ${note}`,
      s,
      ['MMR', 'MR4', 'MR4.5'],
      summary.trials,
    ),
    incidenceFigure(
      'progression',
      'Progression, blast crisis and resistant clones',
      `First time in accelerated or blast phase, in blast phase, and first detection of a resistant clone; shaded: ${band}. ${points} ${note}`,
      s,
      ['progression', 'blastCrisis', 'mutation'],
      summary.trials,
    ),
    incidenceFigure(
      'tfr',
      'TFR eligibility and stops',
      `First visit meeting the ELN 2020 TFR criteria, and TFR stops; shaded: ${band}. ${points} ${note}`,
      s,
      ['tfrEligible', 'tfrStop'],
      summary.trials,
    ),
    relapseFigure(s),
  ];
  return figs.filter((f): f is Figure => f !== undefined);
}

const CSS = reportCss({
  tables:
    '.tag{display:inline-block;padding:0 5px;border-radius:3px;font-size:11.5px;background:#e8e8e8}\n.tag-R{background:#fde0dd;color:#8a1c1c}',
});

function interval(m: MetricValue): string {
  return Number.isFinite(m.lower) && Number.isFinite(m.upper) ? `${pct(m.lower)}–${pct(m.upper)}` : '–';
}

function trialCell(t: TrialComparison): string {
  const tag = `<span class="tag tag-${esc(t.evidence)}">${esc(t.evidence)}</span>`;
  const role = t.target ? '' : ' <b>not a target</b>';
  const shown = t.comparable !== t.value / 100 && t.units === '%' ? ` → ${pct(t.comparable)}` : '';
  return (
    `<b>${esc(t.trial)}</b> ${esc(num(t.value))} ${esc(t.units)}${esc(shown)} ${tag}${role}` +
    `${t.remark ? ` <span class="cite">(${esc(t.remark)})</span>` : ''}`
  );
}

function milestoneTable(summary: CohortSummary): string {
  const byMetric = new Map<string, TrialComparison[]>();
  for (const t of summary.trials) {
    if (!t.metricId) continue;
    const l = byMetric.get(t.metricId) ?? [];
    l.push(t);
    byMetric.set(t.metricId, l);
  }
  const rows = summary.overall.metrics
    .map((m) => {
      const trials = byMetric.get(m.id) ?? [];
      const count = m.kind === 'at' ? `${m.events ?? 0}/${m.n}` : `${m.n} at risk`;
      return (
        `<tr data-metric="${esc(m.id)}"><td>${esc(m.label)}</td><td class="num">${pct(m.estimate)}</td>` +
        `<td class="num">${interval(m)}</td><td class="num">${esc(count)}</td><td>${esc(m.interval)}</td>` +
        `<td>${trials.map(trialCell).join('<br>') || '–'}</td></tr>`
      );
    })
    .join('');
  return (
    `<table class="milestones"><thead><tr><th>milestone</th><th>model</th><th>${Math.round(100 * summary.level)} % CI</th>` +
    `<th>n</th><th>interval</th><th>published (imatinib arm)</th></tr></thead><tbody>${rows}</tbody></table>`
  );
}

function trialTable(summary: CohortSummary): string {
  const rows = summary.trials
    .map(
      (t) =>
        `<tr><td>${esc(t.trial)}</td><td>${esc(t.arm)}</td><td>${esc(t.endpoint)}</td><td>${esc(t.measure)}</td>` +
        `<td class="num">${esc(num(t.months))}</td><td class="num">${esc(num(t.value))} ${esc(t.units)}</td>` +
        `<td><span class="tag tag-${esc(t.evidence)}">${esc(t.evidence)}</span>${t.target ? '' : ' not a target'}</td>` +
        `<td class="num">${t.model ? `${pct(t.model.estimate)} (${interval(t.model)})` : '–'}</td>` +
        `<td>${t.remark ? esc(t.remark) : ''}${t.note ? ` <span class="cite">${esc(t.note)}</span>` : ''}` +
        `<div class="cite">${esc(t.citation)}</div></td></tr>`,
    )
    .join('');
  return (
    `<table class="trials"><thead><tr><th>trial</th><th>arm</th><th>endpoint</th><th>measure</th><th>months</th>` +
    `<th>published</th><th>evidence</th><th>model</th><th>remarks and source</th></tr></thead><tbody>${rows}</tbody></table>`
  );
}

function metricOf(s: StratumSummary, id: string): string {
  const m = s.metrics.find((x) => x.id === id);
  return m ? pct(m.estimate) : '–';
}

function strataTable(summary: CohortSummary): string {
  const all = [summary.overall, ...summary.strata];
  const median = (s: StratumSummary, id: EndpointId) => {
    const e = s.endpoints.find((x) => x.id === id);
    return e ? `${num(e.median.estimate)} (${num(e.median.lower)}–${num(e.median.upper)})` : '–';
  };
  const rows = all
    .map(
      (s) =>
        `<tr><td>${esc(s.stratum)}</td><td class="num">${s.n}</td><td class="num">${s.failed}</td>` +
        `<td class="num">${metricOf(s, 'at3-le10')}</td><td class="num">${metricOf(s, 'by12-MMR')}</td>` +
        `<td class="num">${metricOf(s, 'by60-MMR')}</td><td class="num">${metricOf(s, 'by60-MR4.5')}</td>` +
        `<td class="num">${metricOf(s, 'by84-progression')}</td><td class="num">${median(s, 'MMR')}</td></tr>`,
    )
    .join('');
  return (
    `<table class="strata"><thead><tr><th>stratum</th><th>patients</th><th>failed</th><th>≤ 10 % at 3 m</th>` +
    `<th>MMR by 12 m</th><th>MMR by 5 y</th><th>MR4.5 by 5 y</th><th>AP/BC by 7 y</th>` +
    `<th>median months to MMR (CI)</th></tr></thead><tbody>${rows}</tbody></table>`
  );
}

function slopeTable(s: StratumSummary): string {
  const rows = s.slopes
    .map(
      (x) =>
        `<tr><td>${esc(x.months)}</td><td class="num">${x.n}</td><td class="num">${num(x.median)}</td>` +
        `<td class="num">${num(x.q1)}–${num(x.q3)}</td><td class="num">${pct(x.declining)}</td></tr>`,
    )
    .join('');
  return (
    `<table class="slopes"><thead><tr><th>months</th><th>patients with a slope</th><th>median decline (1/day)</th>` +
    `<th>IQR</th><th>declining</th></tr></thead><tbody>${rows}</tbody></table>` +
    `<p class="cite">Log-linear BCR-ABL1 decline rate per patient (natural log per day, decline positive). ` +
    `Trough concentration (first drug): median ${num(s.cmin.median, 4)} ng/mL (IQR ${num(s.cmin.q1, 4)}–${num(s.cmin.q3, 4)}, n = ${s.cmin.n}).</p>`
  );
}

function tfrBlock(s: StratumSummary): string {
  if (s.tfr.stopped === 0) return '<p>No patient stopped therapy for a TFR attempt.</p>';
  const rows = s.tfr.at
    .map(
      (a) =>
        `<tr><td>${a.monthsAfterStop} months after the stop</td><td class="num">${pct(a.value.estimate)}</td>` +
        `<td class="num">${pct(a.value.lower)}–${pct(a.value.upper)}</td><td class="num">${a.value.atRisk}</td></tr>`,
    )
    .join('');
  return (
    `<p>${s.tfr.stopped} patients stopped; ${s.tfr.relapses} lost MMR after the stop.</p>` +
    `<table class="tfr"><thead><tr><th>relapse-free</th><th>estimate</th><th>CI</th><th>at risk</th></tr></thead><tbody>${rows}</tbody></table>`
  );
}

async function figuresBlock(figures: readonly Figure[]): Promise<string> {
  const parts: string[] = [];
  for (const [i, f] of figures.entries()) {
    const svg = await renderSvg(f.spec, `c${i}-`);
    parts.push(
      `<figure class="figure" id="fig-${esc(f.id)}" data-figure="${esc(f.id)}">${svg}` +
        `<figcaption><b>Figure ${i + 1}. ${esc(f.title)}.</b> ${esc(f.caption)}</figcaption>` +
        `<script type="application/json" class="vega-lite-spec" id="spec-${esc(f.id)}">${jsonForScript(f.spec)}</script></figure>`,
    );
  }
  return parts.join('\n');
}

/** The HTML report of a virtual cohort. */
export async function renderCohortReport(summary: CohortSummary, meta: CohortReportMeta): Promise<string> {
  const version = meta.version ?? VERSION;
  const created =
    typeof meta.createdAt === 'string' ? meta.createdAt : (meta.createdAt ?? new Date()).toISOString();
  const extra = Object.entries(meta.extra ?? {})
    .map(([k, v]) => `<span>${esc(k)} <code>${esc(v)}</code></span>`)
    .join('');
  const figures = await figuresBlock(cohortFigures(summary));
  const s = summary.overall;
  const mmr = s.endpoints.find((e) => e.id === 'MMR');
  const failedNote =
    summary.failed > 0
      ? `<p class="failed">${summary.failed} of ${summary.n} runs failed; they are counted up to where they stopped (censored there).</p>`
      : '';
  const body =
    `<header><h1>${esc(meta.name)}</h1><p class="meta"><span>created ${esc(created)}</span><span>exoniche ${esc(version)}</span>` +
    `<span>seed <code>${esc(meta.seed)}</code></span><span>${esc(meta.patients)} patients</span>${extra}</p>` +
    `${meta.description ? `<p>${esc(meta.description)}</p>` : ''}</header>\n` +
    `<section id="summary"><h2>Summary</h2><div class="summary">` +
    `<div>patients<br><b>${summary.n}</b></div><div>failed runs<br><b class="${summary.failed > 0 ? 'failed' : ''}">${summary.failed}</b></div>` +
    `<div>strata<br><b>${Math.max(1, summary.strata.length)}</b></div>` +
    `<div>MMR by 12 months<br><b>${metricOf(s, 'by12-MMR')}</b></div>` +
    `<div>median time to MMR<br><b>${mmr && Number.isFinite(mmr.median.estimate) ? `${num(mmr.median.estimate)} months` : 'not reached'}</b></div>` +
    `</div>${failedNote}</section>\n` +
    `<section id="figures"><h2>Figures</h2>\n${figures}</section>\n` +
    `<section id="milestones"><h2>Milestones</h2>${milestoneTable(summary)}` +
    `<p class="cite">State milestones: share of the patients with a sample at that month, Wilson interval. Cumulative ` +
    `milestones: 1 − Kaplan-Meier with its log-log band. Annual rates: conditional on being event-free at the start ` +
    `of the year. Published figures tagged [R] are recalled, unverified numbers: shown, never a target.</p></section>\n` +
    `<section id="strata"><h2>Strata</h2>${strataTable(summary)}</section>\n` +
    `<section id="slopes"><h2>Decline slopes</h2>${slopeTable(s)}</section>\n` +
    `<section id="tfr-outcome"><h2>Treatment-free remission</h2>${tfrBlock(s)}</section>\n` +
    `<section id="trials"><h2>Published imatinib-arm figures</h2>${trialTable(summary)}</section>\n` +
    `<footer><p><b>Reproducibility.</b> Produced by exoniche ${esc(version)} from ${esc(meta.patients)} virtual patients ` +
    `with seed <code>${esc(meta.seed)}</code>. The summary is embedded as JSON (<code>script#cohort-summary</code>), ` +
    `and each figure's vega-lite specification with its data (<code>script.vega-lite-spec</code>).</p></footer>\n` +
    `<script type="application/json" id="cohort-summary">${jsonForScript(summaryToJSON(summary))}</script>`;
  return (
    `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="generator" content="exoniche">` +
    `<title>${esc(`exoniche cohort report: ${meta.name}`)}</title><style>${CSS}</style></head>\n<body>\n${body}\n</body></html>\n`
  );
}
