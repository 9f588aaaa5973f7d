/**
 * The report's figures as vega-lite specifications built from a {@link ScenarioRun} (or two, overlaid as arm A
 * and arm B), and their server-side rendering to static SVG with vega (no browser, no script in the report).
 *
 * Every spec carries its data inline, so the JSON saved beside each figure reproduces the plot on its own.
 * Long series are thinned by min/max bucketing (peaks and troughs survive) and numbers are rounded to six
 * significant digits: the report stays small and byte-identical for the same input.
 */
import * as vega from 'vega';
import type { TopLevelSpec } from 'vega-lite';
import * as vl from 'vega-lite';
import type { Transform } from 'vega-lite/types_unstable/transform.js';
import { type ClinicalDefinitionSet, defaultClinicalDefinitions } from '../clinic/definitions.js';
import type { MolecularResponseLevelId } from '../knowledge/schema/clinical.js';
import type { ScenarioRun, SeriesGroup } from '../scenario/run-result.js';
import { DAYS_PER_MONTH } from '../therapy/rules.js';

/** One run and the label it carries in the figures (its name, or 'A: name' in a comparison). */
export interface Arm {
  readonly label: string;
  readonly run: ScenarioRun;
}

export interface FigureOptions {
  /** Clinical definitions the molecular-response lines are read from (default: the shipped knowledge base). */
  readonly definitions?: ClinicalDefinitionSet;
  /** Response levels drawn as horizontal rules on the BCR-ABL1 panel. */
  readonly responseLines?: readonly MolecularResponseLevelId[];
  /** Most points kept per series (min/max bucketing beyond). */
  readonly maxPoints?: number;
  /** Plot width in pixels. */
  readonly width?: number;
}

export interface Figure {
  /** Stable id, used for element ids in the HTML. */
  readonly id: string;
  readonly title: string;
  readonly caption: string;
  readonly spec: TopLevelSpec;
}

type Row = Record<string, number | string | boolean | null>;

const DEFAULT_LINES: readonly MolecularResponseLevelId[] = ['MMR', 'MR4', 'MR4.5'];
const DEFAULT_MAX_POINTS = 250;
const DEFAULT_WIDTH = 720;
const HOURS_PER_MONTH = 24 * DAYS_PER_MONTH;

/** Presentation colours (not clinical numbers). */
const CATEGORY_COLOUR: Record<string, string> = {
  optimal: '#1a9850',
  warning: '#e08214',
  failure: '#d73027',
};
const PHASE_COLOUR: Record<string, string> = {
  chronic: '#a6d96a',
  accelerated: '#fdae61',
  blast: '#d73027',
};
const DRUG_COLOURS = ['#9ecae1', '#bcbddc', '#fdd0a2', '#c7e9c0', '#fcbba1', '#d9d9d9'];
const OFF_THERAPY_COLOUR = '#f4f4f4';
const ARM_DASH: readonly (readonly number[])[] = [
  [1, 0],
  [6, 3],
];

/** Rounds to 6 significant digits (smaller, deterministic JSON). */
function r6(x: number): number {
  return Number.isFinite(x) ? Number(x.toPrecision(6)) : x;
}

/**
 * Indices to keep so that at most `max` points remain: all when few enough, otherwise the first and last point
 * and, per bucket, the minimum and the maximum in time order (an envelope-preserving thinning).
 */
export function thinIndices(y: ArrayLike<number>, max: number): number[] {
  const n = y.length;
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  const buckets = Math.max(1, Math.floor((max - 2) / 2));
  const out: number[] = [0];
  for (let b = 0; b < buckets; b++) {
    const lo = 1 + Math.floor((b * (n - 2)) / buckets);
    const hi = 1 + Math.floor(((b + 1) * (n - 2)) / buckets);
    if (hi <= lo) continue;
    let iMin = lo;
    let iMax = lo;
    for (let i = lo; i < hi; i++) {
      if (y[i] < y[iMin]) iMin = i;
      if (y[i] > y[iMax]) iMax = i;
    }
    if (iMin === iMax) out.push(iMin);
    else out.push(Math.min(iMin, iMax), Math.max(iMin, iMax));
  }
  out.push(n - 1);
  return out;
}

/** The % IS cut-offs of the requested response levels, from the knowledge base's clinical definitions. */
export function responseThresholds(
  defs: ClinicalDefinitionSet = defaultClinicalDefinitions(),
  ids: readonly MolecularResponseLevelId[] = DEFAULT_LINES,
): { id: string; percentIS: number; label: string }[] {
  return ids.map((id) => {
    const level = defs.molecularResponse.levels.find((l) => l.id === id);
    if (!level) throw new Error(`clinical definitions have no molecular response level '${id}'`);
    const v = level.maxPercentIS.value;
    return { id, percentIS: v, label: `${id} ${v} ${level.maxPercentIS.units}` };
  });
}

function seriesOf(run: ScenarioRun, group: SeriesGroup): number[] {
  const out: number[] = [];
  run.series.forEach((s, k) => {
    if (s.group === group) out.push(k);
  });
  return out;
}

/**
 * The series of `group` in every arm as wide rows {t, arm?, s0, s1, ...} (one column per series label, shared by
 * the arms) with the vega-lite transforms that fold them to long form {t, arm, key, v, s}: about a quarter of the
 * size of long rows. Labels reach the plot through a lookup table, never through an expression.
 */
interface SeriesData {
  readonly values: Row[];
  readonly transform: Transform[];
  /** Every finite value (for domains). */
  readonly numbers: number[];
  /** Series labels in input order (colour legend order). */
  readonly labels: string[];
}

function seriesData(arms: readonly Arm[], group: SeriesGroup, maxPoints: number, log: boolean): SeriesData {
  const compare = arms.length > 1;
  const keyOf = new Map<string, string>();
  const values: Row[] = [];
  const numbers: number[] = [];
  for (const { label, run } of arms) {
    const ks = seriesOf(run, group);
    if (ks.length === 0) continue;
    const keep = new Set<number>();
    for (const k of ks) for (const i of thinIndices(run.values[k], maxPoints)) keep.add(i);
    const cols = ks.map((k) => {
      const info = run.series[k];
      const name = info.units ? `${info.label} (${info.units})` : info.label;
      if (!keyOf.has(name)) keyOf.set(name, `s${keyOf.size}`);
      return { key: keyOf.get(name)!, y: run.values[k] };
    });
    for (const i of [...keep].sort((a, b) => a - b)) {
      const row: Row = compare ? { t: r6(run.time[i]), arm: label } : { t: r6(run.time[i]) };
      for (const c of cols) {
        const v = c.y[i];
        const ok = Number.isFinite(v) && (!log || v > 0);
        row[c.key] = ok ? r6(v) : null;
        if (ok) numbers.push(v);
      }
      values.push(row);
    }
  }
  const keys = [...keyOf.entries()].map(([s, key]) => ({ key, s }));
  return {
    values,
    numbers,
    labels: keys.map((k) => k.s),
    transform: [
      { fold: keys.map((k) => k.key), as: ['key', 'v'] },
      { filter: 'isValid(datum.v) && isFinite(datum.v)' },
      { lookup: 'key', from: { data: { values: keys }, key: 'key', fields: ['s'] } },
    ],
  };
}

/** Tick labels of a log axis: plain numbers between 0.001 and 10,000, powers of ten (1e+6) beyond. */
const LOG_LABEL =
  "datum.value >= 1e4 || datum.value < 1e-3 ? format(datum.value, '.0e') : format(datum.value, '~g')";

function decadeTicks(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) out.push(r6(10 ** e));
  return out;
}

/** A log-axis domain spanning whole decades around the positive values. */
function logDomain(values: readonly number[]): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = 0;
  for (const v of values) {
    if (v > 0 && Number.isFinite(v)) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  if (!(hi > 0)) return [1, 10];
  const a = 10 ** Math.floor(Math.log10(lo));
  let b = 10 ** Math.ceil(Math.log10(hi));
  if (b <= a) b = a * 10;
  return [r6(a), r6(b)];
}

function timeDomain(arms: readonly Arm[]): [number, number] {
  let hi = 0;
  for (const { run } of arms) {
    if (run.time.length) hi = Math.max(hi, run.time[run.time.length - 1]);
    for (const p of run.phases) hi = Math.max(hi, p.endMonth);
    for (const p of run.therapy) hi = Math.max(hi, p.endMonth);
  }
  return [0, r6(hi > 0 ? hi : 1)];
}

const X_TITLE = 'months since start of therapy';

function xEnc(arms: readonly Arm[], field = 't') {
  return {
    field,
    type: 'quantitative' as const,
    title: X_TITLE,
    scale: { domain: timeDomain(arms), nice: false },
  };
}

/** Arm encodings (dash pattern, grouping) in a comparison; nothing for a single run. */
function armEncodings(arms: readonly Arm[]) {
  if (arms.length < 2) return {};
  return {
    strokeDash: {
      field: 'arm',
      type: 'nominal' as const,
      title: 'arm',
      scale: { domain: arms.map((a) => a.label), range: ARM_DASH.slice(0, arms.length) as number[][] },
    },
    detail: { field: 'arm' },
  };
}

/** The top of every report figure's vega-lite spec: size, white background, fonts, axes, legend (right or below). */
export function vegaBase(width: number, height: number, legendOrient: 'right' | 'bottom' = 'right') {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width,
    height,
    background: 'white',
    config: {
      // No per-mark ARIA labels: they would repeat every datum in the SVG; the figure caption describes the plot.
      aria: false,
      font: 'Helvetica, Arial, sans-serif',
      axis: { labelFontSize: 11, titleFontSize: 12, grid: true, gridOpacity: 0.4 },
      legend: { labelFontSize: 11, titleFontSize: 11, labelLimit: 320, orient: legendOrient },
    },
  };
}

/** BCR-ABL1 % IS on a log axis: model line, PCR samples (undetectable open at the limit), MR lines, milestones. */
function bcrAblFigure(
  arms: readonly Arm[],
  o: Required<Omit<FigureOptions, 'definitions'>>,
  defs?: ClinicalDefinitionSet,
): Figure | undefined {
  const lines = seriesData(arms, 'bcr-abl', o.maxPoints, true);
  const compare = arms.length > 1;
  const samples: Row[] = [];
  const milestones: Row[] = [];
  let armIndex = 0;
  for (const { label, run } of arms) {
    for (const m of run.monitoring) {
      const y = m.undetectable ? m.limitIS : m.bcrAblIS;
      if (y === undefined || !(y > 0)) continue;
      samples.push({
        t: r6(m.month),
        v: r6(y),
        arm: label,
        kind: m.undetectable ? 'undetectable (at limit)' : 'PCR sample',
        response: m.response,
      });
    }
    for (const m of run.summary.milestones) {
      milestones.push({
        t: m.month,
        v: m.bcrAblIS !== undefined && m.bcrAblIS > 0 ? r6(m.bcrAblIS) : null,
        arm: label,
        row: armIndex,
        colour: CATEGORY_COLOUR[m.category] ?? '#999999',
        text: `${compare ? `${label} ` : ''}${m.month} m${m.bcrAblIS === undefined ? ' (no sample)' : ''}`,
        category: m.category,
      });
    }
    armIndex++;
  }
  if (lines.numbers.length === 0 && samples.length === 0) return undefined;
  const thresholds = responseThresholds(defs, o.responseLines);
  const [lo, hi] = logDomain([
    ...lines.numbers,
    ...samples.map((r) => r.v as number),
    ...thresholds.map((t) => t.percentIS),
    100,
  ]);
  // Milestone labels sit in a row per arm along the top (each row a quarter decade lower), clear of the data.
  const labels = milestones.map((m) => ({ ...m, v: r6(hi * 10 ** (-0.25 * (m.row as number))) }));
  const months = [...new Set(milestones.map((m) => m.t as number))].map((t) => ({ t }));
  const y = {
    field: 'v',
    type: 'quantitative' as const,
    title: 'BCR-ABL1 (% IS)',
    scale: { type: 'log' as const, domain: [lo, hi], nice: false },
    axis: { values: decadeTicks(lo, hi), labelExpr: LOG_LABEL },
  };
  const x = xEnc(arms);
  const colour = compare
    ? { field: 'arm', type: 'nominal' as const, title: 'arm', scale: { domain: arms.map((a) => a.label) } }
    : { field: 's', type: 'nominal' as const, title: null, legend: { symbolType: 'stroke' } };
  const sampleColour = compare ? colour : { value: '#222222' };
  const spec: TopLevelSpec = {
    ...vegaBase(o.width, 300),
    layer: [
      {
        data: { values: thresholds.map((t) => ({ v: t.percentIS, label: t.label, t: 0 })) },
        layer: [
          { mark: { type: 'rule', strokeDash: [5, 4], color: '#555555' }, encoding: { y } },
          {
            mark: {
              type: 'text',
              align: 'left',
              baseline: 'bottom',
              dx: 3,
              dy: -2,
              fontSize: 10,
              color: '#333333',
            },
            encoding: { x, y, text: { field: 'label' } },
          },
        ],
      },
      {
        data: { values: lines.values },
        transform: lines.transform,
        mark: { type: 'line', clip: true, strokeWidth: 2 },
        encoding: compare ? { x, y, color: colour, detail: { field: 'arm' } } : { x, y, color: colour },
      },
      {
        data: { values: samples },
        transform: [{ filter: "datum.kind === 'PCR sample'" }],
        mark: { type: 'point', filled: true, size: 40, clip: true },
        encoding: { x, y, color: sampleColour, tooltip: [{ field: 'response' }] },
      },
      {
        data: { values: samples },
        transform: [{ filter: "datum.kind !== 'PCR sample'" }],
        mark: { type: 'point', filled: false, size: 50, strokeWidth: 1.5, clip: true },
        encoding: { x, y, color: sampleColour },
      },
      {
        data: { values: months },
        mark: { type: 'rule', strokeDash: [2, 3], color: '#888888' },
        encoding: { x },
      },
      {
        data: { values: milestones },
        transform: [{ filter: 'isValid(datum.v)' }],
        mark: {
          type: 'point',
          shape: 'diamond',
          filled: true,
          size: 170,
          stroke: '#000000',
          strokeWidth: 0.8,
        },
        encoding: {
          x,
          y,
          fill: { field: 'colour', type: 'nominal', scale: null },
          tooltip: [{ field: 'category' }],
        },
      },
      {
        data: { values: labels },
        mark: { type: 'text', baseline: 'top', dy: 3, fontSize: 10, fontWeight: 'bold' },
        encoding: { x, y, text: { field: 'text' }, color: { field: 'colour', type: 'nominal', scale: null } },
      },
    ],
  };
  return {
    id: 'bcr-abl',
    title: 'BCR-ABL1 transcript level (% IS)',
    caption:
      `BCR-ABL1 on the International Scale, log axis. Line: model; filled dots: PCR samples; open dots: ` +
      `undetectable samples drawn at the assay limit. Dashed lines: ${thresholds.map((t) => t.label).join(', ')} ` +
      `(knowledge base clinical definitions). Diamonds: ELN 2020 milestones at 3, 6 and 12 months, coloured by ` +
      `category (green optimal, orange warning, red failure), labelled along the top; dotted lines mark their months.`,
    spec,
  };
}

interface PanelDef {
  /** Figure id (default: the group). */
  readonly id?: string;
  readonly group: SeriesGroup;
  readonly title: string;
  readonly caption: string;
  /** 'log' always, 'auto' when all positive and spanning more than three decades, 'linear' never. */
  readonly scale: 'log' | 'auto' | 'linear';
  /** One small chart per series with its own y axis (series of different units). */
  readonly facet?: boolean;
  readonly yTitle?: string;
}

const PANELS: readonly PanelDef[] = [
  {
    group: 'compartments',
    title: 'Cell compartments',
    caption: 'Cell numbers by compartment, normal and leukaemic lineages (log axis).',
    scale: 'log',
  },
  {
    group: 'lsc',
    title: 'Leukaemic stem cells: quiescent and cycling',
    caption: 'Quiescent (TKI-insensitive) and cycling leukaemic stem cells.',
    scale: 'auto',
  },
  {
    group: 'exosomes',
    title: 'Exosome pools by donor',
    caption: 'Exosome concentrations in the marrow by donor cell type.',
    scale: 'auto',
  },
  {
    group: 'cargo',
    title: 'Exosome cargo effects',
    caption: 'Cargo-effect levels delivered to recipient cells (relative units).',
    scale: 'linear',
  },
  {
    group: 'niche',
    title: 'Niche markers',
    caption:
      'Niche markers, each on its own axis: IL-8, VCAM1, CXCL12, vascular density, stromal activation.',
    scale: 'linear',
    facet: true,
  },
  {
    id: 'drug-effect',
    group: 'drug',
    title: 'Drug exposure and effect',
    caption:
      'Drug-related model outputs on the simulation grid (concentration or effect), each on its own axis.',
    scale: 'linear',
    facet: true,
  },
  { group: 'blasts', title: 'Blasts', caption: 'Blast percentage in blood and marrow.', scale: 'linear' },
  { group: 'other', title: 'Other outputs', caption: 'Further model outputs.', scale: 'auto' },
];

function seriesFigure(
  arms: readonly Arm[],
  p: PanelDef,
  o: Required<Omit<FigureOptions, 'definitions'>>,
): Figure | undefined {
  const probe = seriesData(arms, p.group, o.maxPoints, false);
  if (probe.numbers.length === 0) return undefined;
  const positive = probe.numbers.every((v) => v > 0);
  const [lo, hi] = logDomain(probe.numbers);
  const log = p.scale === 'log' || (p.scale === 'auto' && positive && hi / lo > 1e3);
  const data = log ? seriesData(arms, p.group, o.maxPoints, true) : probe;
  const vals = data.numbers;
  const units = new Set<string>();
  for (const { run } of arms) for (const k of seriesOf(run, p.group)) units.add(run.series[k].units);
  const yTitle = units.size === 1 ? [...units][0] : 'value';
  const x = xEnc(arms);
  const compare = arms.length > 1;
  const y = {
    field: 'v',
    type: 'quantitative' as const,
    title: p.facet ? null : yTitle,
    scale: log
      ? { type: 'log' as const, domain: logDomain(vals.filter((v) => v > 0)), nice: false }
      : { zero: false },
    ...(log
      ? { axis: { values: decadeTicks(...logDomain(vals.filter((v) => v > 0))), labelExpr: LOG_LABEL } }
      : {}),
  };
  let spec: TopLevelSpec;
  if (p.facet) {
    spec = {
      ...vegaBase(o.width - 160, 90),
      data: { values: data.values },
      transform: data.transform,
      facet: {
        row: {
          field: 's',
          type: 'nominal',
          title: null,
          header: { labelAngle: 0, labelAlign: 'left', labelLimit: 200 },
        },
      },
      resolve: { scale: { y: 'independent' } },
      spec: {
        width: o.width - 160,
        height: 90,
        mark: { type: 'line', clip: true, strokeWidth: 1.8 },
        encoding: {
          x,
          y,
          ...(compare
            ? { color: { field: 'arm', type: 'nominal' as const, title: 'arm' }, ...armEncodings(arms) }
            : { color: { value: '#1f77b4' } }),
        },
      },
    };
    // A facet spec has no top-level width/height.
    const s = spec as unknown as Record<string, unknown>;
    delete s.width;
    delete s.height;
  } else {
    spec = {
      ...vegaBase(o.width, 260),
      data: { values: data.values },
      transform: data.transform,
      mark: { type: 'line', clip: true, strokeWidth: 1.8 },
      encoding: {
        x,
        y,
        color: {
          field: 's',
          type: 'nominal',
          title: null,
          sort: data.labels,
          legend: { symbolType: 'stroke' },
        },
        ...armEncodings(arms),
      },
    };
  }
  return {
    id: p.id ?? p.group,
    title: p.title,
    caption: compare ? `${p.caption} Solid: arm A; dashed: arm B.` : p.caption,
    spec,
  };
}

/**
 * Drug concentration: the profile itself when short, otherwise its min/max envelope per time bucket (trough to
 * peak of each dosing cycle survive the thinning), and the trough samples. A profile shorter than two months is
 * drawn in days.
 */
function drugFigure(
  arms: readonly Arm[],
  o: Required<Omit<FigureOptions, 'definitions'>>,
): Figure | undefined {
  const band: Row[] = [];
  const line: Row[] = [];
  const troughs: Row[] = [];
  const names: string[] = [];
  let maxHour = 0;
  for (const { run } of arms) {
    const d = run.drug;
    if (!d || d.timeHours.length === 0) continue;
    maxHour = Math.max(maxHour, d.timeHours[d.timeHours.length - 1], ...d.troughs.map((t) => t.hour));
  }
  if (!(maxHour > 0)) return undefined;
  const inDays = maxHour < 2 * HOURS_PER_MONTH;
  const unit = inDays ? 24 : HOURS_PER_MONTH;
  let thinned = false;
  for (const { label, run } of arms) {
    const d = run.drug;
    if (!d || d.timeHours.length === 0) continue;
    names.push(d.name);
    const n = d.timeHours.length;
    if (n <= o.maxPoints) {
      // A gap in the sampling (e.g. a profile recorded in windows) breaks the line: a null row.
      const steps = Array.from({ length: n - 1 }, (_, i) => d.timeHours[i + 1] - d.timeHours[i]).sort(
        (a, b) => a - b,
      );
      const gap = 4 * (steps[Math.floor(steps.length / 2)] ?? 0);
      for (let i = 0; i < n; i++) {
        if (i > 0 && gap > 0 && d.timeHours[i] - d.timeHours[i - 1] > gap)
          line.push({ t: r6((d.timeHours[i] + d.timeHours[i - 1]) / 2 / unit), v: null, arm: label });
        if (Number.isFinite(d.concentration[i]))
          line.push({ t: r6(d.timeHours[i] / unit), v: r6(d.concentration[i]), arm: label });
      }
    } else {
      thinned = true;
      const buckets = Math.max(1, Math.floor(o.maxPoints / 2));
      const h0 = d.timeHours[0];
      const span = d.timeHours[n - 1] - h0 || 1;
      const lo = new Float64Array(buckets).fill(Number.POSITIVE_INFINITY);
      const hi = new Float64Array(buckets).fill(Number.NEGATIVE_INFINITY);
      for (let i = 0; i < n; i++) {
        const c = d.concentration[i];
        if (!Number.isFinite(c)) continue;
        const b = Math.min(buckets - 1, Math.floor(((d.timeHours[i] - h0) / span) * buckets));
        if (c < lo[b]) lo[b] = c;
        if (c > hi[b]) hi[b] = c;
      }
      for (let b = 0; b < buckets; b++) {
        if (!(hi[b] >= lo[b])) {
          // No sample in this bucket: break the band (one null row per gap) rather than bridge the gap.
          if (band.length && band[band.length - 1].lo !== null)
            band.push({ t: r6((h0 + ((b + 0.5) * span) / buckets) / unit), lo: null, hi: null, arm: label });
          continue;
        }
        const tMid = h0 + ((b + 0.5) * span) / buckets;
        band.push({ t: r6(tMid / unit), lo: r6(lo[b]), hi: r6(hi[b]), arm: label });
      }
    }
    const tr = d.troughs;
    const stride = Math.max(1, Math.ceil(tr.length / Math.max(1, Math.floor(o.maxPoints / 4))));
    if (stride > 1) thinned = true;
    for (let i = 0; i < tr.length; i += stride)
      troughs.push({ t: r6(tr[i].hour / unit), v: r6(tr[i].concentration), arm: label });
  }
  const x = {
    field: 't',
    type: 'quantitative' as const,
    title: inDays ? 'days since start of therapy' : X_TITLE,
    scale: { domain: [0, r6(maxHour / unit)], nice: false },
  };
  const y = { field: 'v', type: 'quantitative' as const, title: 'concentration (ng/mL)' };
  const colour =
    arms.length > 1
      ? { field: 'arm', type: 'nominal' as const, title: 'arm', scale: { domain: arms.map((a) => a.label) } }
      : { value: '#6a51a3' };
  const layer: Record<string, unknown>[] = [];
  if (band.length)
    layer.push({
      data: { values: band },
      mark: { type: 'area', opacity: 0.35, clip: true },
      encoding: { x, y: { ...y, field: 'lo' }, y2: { field: 'hi' }, color: colour },
    });
  if (line.length)
    layer.push({
      data: { values: line },
      mark: { type: 'line', clip: true, strokeWidth: 1.2 },
      encoding: { x, y, color: colour, ...(arms.length > 1 ? { detail: { field: 'arm' } } : {}) },
    });
  if (troughs.length)
    layer.push({
      data: { values: troughs },
      mark: { type: 'point', filled: true, size: 14, clip: true },
      encoding: { x, y, color: colour },
    });
  const spec = { ...vegaBase(o.width, 220), layer } as unknown as TopLevelSpec;
  return {
    id: 'drug',
    title: `Drug concentration: ${[...new Set(names)].join(' vs ')}`,
    caption:
      'Plasma concentration (ng/mL)' +
      (band.length
        ? ': the shaded band spans the lowest to the highest concentration within each time bucket (troughs to ' +
          'peaks of the dosing cycle)'
        : '') +
      (troughs.length
        ? `; dots are the trough concentrations before each dose${thinned ? ' (thinned)' : ''}`
        : '') +
      '.',
    spec,
  };
}

/** Phase bands (chronic, accelerated, blast) and therapy intervals (drug, dose) on one time axis. */
function timelineFigure(
  arms: readonly Arm[],
  o: Required<Omit<FigureOptions, 'definitions'>>,
): Figure | undefined {
  const rows: Row[] = [];
  const tracks: string[] = [];
  const drugColour = new Map<string, string>();
  const [, tEnd] = timeDomain(arms);
  const compare = arms.length > 1;
  for (const { label, run } of arms) {
    const pre = compare ? `${label} · ` : '';
    const phaseTrack = `${pre}phase`;
    const therapyTrack = `${pre}therapy`;
    if (run.phases.length) tracks.push(phaseTrack);
    if (run.therapy.length) tracks.push(therapyTrack);
    for (const p of run.phases) {
      rows.push({
        track: phaseTrack,
        a: r6(p.startMonth),
        b: r6(p.endMonth),
        mid: r6((p.startMonth + p.endMonth) / 2),
        colour: PHASE_COLOUR[p.phase] ?? '#cccccc',
        text: (p.endMonth - p.startMonth) / tEnd > 0.06 ? p.phase : '',
        tip: `${p.phase}: ${r6(p.startMonth)}-${r6(p.endMonth)} months`,
      });
    }
    for (const t of run.therapy) {
      const off = t.drug === 'none';
      if (!off && !drugColour.has(t.drug))
        drugColour.set(t.drug, DRUG_COLOURS[drugColour.size % DRUG_COLOURS.length]);
      const name = off ? 'off therapy' : `${t.drug} ${r6(t.doseMg)} mg q${r6(t.intervalHours)}h`;
      rows.push({
        track: therapyTrack,
        a: r6(t.startMonth),
        b: r6(t.endMonth),
        mid: r6((t.startMonth + t.endMonth) / 2),
        colour: off ? OFF_THERAPY_COLOUR : drugColour.get(t.drug)!,
        text: (t.endMonth - t.startMonth) / tEnd > 0.06 ? name : '',
        tip: `${name} (${t.reason})`,
      });
    }
  }
  if (rows.length === 0) return undefined;
  const x = { ...xEnc(arms, 'a') };
  const y = {
    field: 'track',
    type: 'nominal' as const,
    title: null,
    sort: tracks,
    scale: { domain: tracks },
  };
  const spec: TopLevelSpec = {
    ...vegaBase(o.width, 34 * tracks.length),
    data: { values: rows },
    layer: [
      {
        mark: { type: 'rect', stroke: '#ffffff', strokeWidth: 1 },
        encoding: {
          x,
          x2: { field: 'b' },
          y,
          fill: { field: 'colour', type: 'nominal', scale: null },
          tooltip: { field: 'tip' },
        },
      },
      {
        mark: { type: 'text', fontSize: 10, color: '#111111', limit: 200 },
        encoding: { x: { field: 'mid', type: 'quantitative' }, y, text: { field: 'text' } },
      },
    ],
  };
  return {
    id: 'timeline',
    title: 'Phase and therapy timeline',
    caption:
      'Disease phase (green chronic, orange accelerated, red blast) and therapy intervals with drug, dose and ' +
      'dosing interval; light grey: off therapy (e.g. a treatment-free remission attempt).',
    spec,
  };
}

function resolved(o: FigureOptions): Required<Omit<FigureOptions, 'definitions'>> {
  return {
    responseLines: o.responseLines ?? DEFAULT_LINES,
    maxPoints: Math.max(8, o.maxPoints ?? DEFAULT_MAX_POINTS),
    width: o.width ?? DEFAULT_WIDTH,
  };
}

/** The figures of one or more arms (overlaid), in report order; panels without data are left out. */
export function buildFigures(arms: readonly Arm[], options: FigureOptions = {}): Figure[] {
  if (arms.length === 0) throw new Error('buildFigures: at least one run is needed');
  const o = resolved(options);
  const out: (Figure | undefined)[] = [
    bcrAblFigure(arms, o, options.definitions),
    timelineFigure(arms, o),
    ...PANELS.slice(0, 5).map((p) => seriesFigure(arms, p, o)),
    drugFigure(arms, o),
    ...PANELS.slice(5).map((p) => seriesFigure(arms, p, o)),
  ];
  return out.filter((f): f is Figure => f !== undefined);
}

/** The figures of one run. */
export function runFigures(run: ScenarioRun, options: FigureOptions = {}): Figure[] {
  return buildFigures([{ label: run.name, run }], options);
}

/**
 * The figures of two runs overlaid. The arms are labelled 'A' and 'B' in the plots (short labels keep the
 * embedded data small and no scenario text reaches a vega expression); the report names them beside the plots.
 */
export function comparisonFigures(a: ScenarioRun, b: ScenarioRun, options: FigureOptions = {}): Figure[] {
  return buildFigures(
    [
      { label: 'A', run: a },
      { label: 'B', run: b },
    ],
    options,
  );
}

/**
 * Renders a vega-lite spec to a static SVG string with vega's headless view. Element ids inside the SVG (clip
 * paths, gradients) come from a process-wide vega counter; they are renumbered in order of appearance with
 * `idPrefix`, so the output does not depend on what was rendered before and several figures can share a page.
 */
export async function renderSvg(spec: TopLevelSpec, idPrefix = 'v'): Promise<string> {
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' });
  let svg: string;
  try {
    svg = await view.toSVG();
  } finally {
    view.finalize();
  }
  const ids = new Map<string, string>();
  for (const m of svg.matchAll(/\bid="([^"]+)"/g))
    if (!ids.has(m[1])) ids.set(m[1], `${idPrefix}${ids.size + 1}`);
  if (ids.size === 0) return svg;
  return svg
    .replace(/\bid="([^"]+)"/g, (_, id: string) => `id="${ids.get(id)}"`)
    .replace(/url\(#([^)]+)\)/g, (whole, id: string) => (ids.has(id) ? `url(#${ids.get(id)})` : whole));
}
