/**
 * The Results view's plots as data (PlotSpec), independent of the drawing library: the same spec feeds uPlot on
 * screen, the SVG export (svg.ts, rasterised for PNG) and the CSV export (csv.ts), so the three never disagree.
 * Colours are the Okabe-Ito palette (Okabe & Ito 2008, "Color Universal Design"), distinguishable with the common
 * colour-vision deficiencies; beyond eight series the dash pattern tells lines apart.
 */
import type { PlotData } from '../engine.js';
import type { DashboardMeta } from '../meta.js';

/** Okabe-Ito: black, orange, sky blue, bluish green, yellow, blue, vermillion, reddish purple. */
export const OKABE_ITO = [
  '#000000',
  '#E69F00',
  '#56B4E9',
  '#009E73',
  '#F0E442',
  '#0072B2',
  '#D55E00',
  '#CC79A7',
] as const;

/** Line colours in drawing order: yellow last (weak contrast on white). */
export const LINE_COLOURS = [
  OKABE_ITO[5],
  OKABE_ITO[6],
  OKABE_ITO[3],
  OKABE_ITO[7],
  OKABE_ITO[1],
  OKABE_ITO[2],
  OKABE_ITO[0],
  OKABE_ITO[4],
];
const DASHES: readonly (readonly number[])[] = [[], [6, 3], [2, 3], [8, 3, 2, 3]];

export interface SpecSeries {
  readonly id: string;
  readonly label: string;
  readonly units: string;
  readonly color: string;
  readonly dash: readonly number[];
  /** Values at the spec's x; NaN = no value (a gap, or no sample there for a points series). */
  readonly values: Float64Array;
  /** Drawn as markers only (measured samples). */
  readonly points?: boolean;
}

export interface SpecLine {
  readonly value: number;
  readonly label: string;
  readonly color: string;
}

export interface SpecMarker {
  readonly x: number;
  readonly y: number;
  readonly label: string;
  readonly color: string;
}

export interface SpecBand {
  readonly from: number;
  readonly to: number;
  readonly label: string;
  readonly color: string;
  /** Which strip along the top of the plot: therapy or phase. */
  readonly row: 0 | 1;
}

export interface PlotSpec {
  readonly id: string;
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly yLog: boolean;
  readonly x: Float64Array;
  readonly series: readonly SpecSeries[];
  readonly hLines: readonly SpecLine[];
  readonly markers: readonly SpecMarker[];
  readonly bands: readonly SpecBand[];
  /** Step function (value held until the next x), e.g. Kaplan-Meier incidence. */
  readonly stepped?: boolean;
}

const X_LABEL = 'time (months from diagnosis)';

/** "label (units)" of an axis over series that may carry different units. */
function axisLabel(what: string, units: readonly string[]): string {
  const u = [...new Set(units)];
  return `${what} (${u.join(', ')})`;
}

function styled(k: number) {
  return {
    color: LINE_COLOURS[k % LINE_COLOURS.length],
    dash: DASHES[Math.floor(k / LINE_COLOURS.length) % 4],
  };
}

/** Category colours of ELN milestones and phases (Okabe-Ito: green good, orange warning, vermillion bad). */
export const CATEGORY_COLOUR: Readonly<Record<string, string>> = {
  optimal: OKABE_ITO[3],
  warning: OKABE_ITO[1],
  failure: OKABE_ITO[6],
  'not evaluable': '#999999',
  chronic: '#d9efe6',
  accelerated: '#fbe3b3',
  blast: '#f5c2a8',
};

function groupSpec(
  d: PlotData,
  id: string,
  title: string,
  what: string,
  groups: readonly string[],
  yLog: boolean,
): PlotSpec | undefined {
  const chosen = d.series.filter((s) => groups.includes(s.group));
  if (chosen.length === 0) return undefined;
  return {
    id,
    title,
    xLabel: X_LABEL,
    yLabel: axisLabel(
      what,
      chosen.map((s) => s.units),
    ),
    yLog,
    x: d.time,
    series: chosen.map((s, k) => ({
      id: s.id,
      label: s.label,
      units: s.units,
      ...styled(k),
      values: s.values,
    })),
    hLines: [],
    markers: [],
    bands: [],
  };
}

/** Index of the grid time nearest to t. */
function nearest(time: Float64Array, t: number): number {
  let lo = 0;
  let hi = time.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (time[mid] <= t) lo = mid;
    else hi = mid;
  }
  return Math.abs(time[hi] - t) < Math.abs(time[lo] - t) ? hi : lo;
}

/** Therapy (on / off drug) and phase intervals as the two strips along the top of the time plots. */
function bandsOf(d: PlotData): SpecBand[] {
  return [
    ...d.therapy.map((t) => ({
      from: t.startMonth,
      to: t.endMonth,
      label:
        t.drug === 'none' ? `off therapy (${t.reason})` : `${t.drug} ${t.doseMg} mg / ${t.intervalHours} h`,
      color: t.drug === 'none' ? '#ffffff' : '#cfe3f3',
      row: 0 as const,
    })),
    ...d.phases.map((p) => ({
      from: p.startMonth,
      to: p.endMonth,
      label: `${p.phase} phase`,
      color: CATEGORY_COLOUR[p.phase] ?? '#eeeeee',
      row: 1 as const,
    })),
  ];
}

function bcrAblSpec(d: PlotData, meta: DashboardMeta): PlotSpec | undefined {
  const s = d.series.find((x) => x.group === 'bcr-abl');
  if (!s) return undefined;
  const samples = new Float64Array(d.time.length).fill(Number.NaN);
  for (const m of d.monitoring)
    samples[nearest(d.time, m.month)] =
      m.bcrAblIS ?? (m.undetectable ? (m.limitIS ?? Number.NaN) : Number.NaN);
  const lineColour = ['#555555', '#555555', '#555555'];
  return {
    id: 'bcr-abl',
    title: 'BCR-ABL1 on the International Scale',
    xLabel: X_LABEL,
    yLabel: `BCR-ABL1 (${s.units})`,
    yLog: true,
    x: d.time,
    series: [
      { id: s.id, label: s.label, units: s.units, ...styled(0), values: s.values },
      {
        id: 'monitoring',
        label: 'RT-qPCR samples (undetectable: at the detection limit)',
        units: s.units,
        ...styled(1),
        values: samples,
        points: true,
      },
    ],
    hLines: meta.responseLines.map((l, k) => ({
      value: l.percentIS,
      label: `${l.id} (${l.percentIS} %)`,
      color: lineColour[k % lineColour.length],
    })),
    markers: d.summary.milestones.flatMap((m) => {
      const line = meta.milestones.find((x) => x.months === m.month);
      const v = m.bcrAblIS ?? line?.optimal;
      if (v === undefined) return [];
      return [
        {
          x: m.month,
          y: v,
          label: `ELN ${m.month} mo: ${m.category}${line ? ` (optimal <= ${line.optimal} %)` : ''}`,
          color: CATEGORY_COLOUR[m.category] ?? '#999999',
        },
      ];
    }),
    bands: bandsOf(d),
  };
}

/**
 * The drug curve is given on dosing windows (e.g. the first weeks and the last week of a run), not over the whole
 * run: a NaN point between windows keeps the line from bridging the gap.
 */
export function withGaps(x: Float64Array, y: Float64Array): { x: Float64Array; y: Float64Array } {
  if (x.length < 3) return { x, y };
  const steps = Array.from(x.subarray(1), (v, i) => v - x[i]).sort((a, b) => a - b);
  const typical = steps[Math.floor(steps.length / 2)];
  const xs: number[] = [x[0]];
  const ys: number[] = [y[0]];
  for (let i = 1; i < x.length; i++) {
    if (x[i] - x[i - 1] > 24 * typical) {
      xs.push((x[i] + x[i - 1]) / 2);
      ys.push(Number.NaN);
    }
    xs.push(x[i]);
    ys.push(y[i]);
  }
  return { x: Float64Array.from(xs), y: Float64Array.from(ys) };
}

function drugSpec(d: PlotData, hoursPerMonth: number): PlotSpec | undefined {
  if (!d.drug) return undefined;
  const { x, y } = withGaps(
    d.drug.timeHours.map((h) => h / hoursPerMonth),
    d.drug.concentration,
  );
  return {
    id: 'drug',
    title: `${d.drug.name} plasma concentration (dosing windows)`,
    xLabel: X_LABEL,
    yLabel: 'concentration (ng/mL)',
    yLog: false,
    x,
    series: [
      {
        id: 'concentration',
        label: `${d.drug.name} (ng/mL)`,
        units: 'ng/mL',
        ...styled(0),
        values: y,
      },
    ],
    hLines: [],
    markers: [],
    bands: [],
  };
}

/** The Results plots of a run: BCR-ABL, compartments, exosome pools, cargo effects, niche markers, drug. */
export function resultSpecs(d: PlotData, meta: DashboardMeta): PlotSpec[] {
  const bands = bandsOf(d);
  const withBands = (s: PlotSpec | undefined) => (s ? { ...s, bands } : undefined);
  return [
    bcrAblSpec(d, meta),
    withBands(
      groupSpec(
        d,
        'compartments',
        'Cell compartments and leukaemic stem cells',
        'cells',
        ['compartments', 'lsc'],
        true,
      ),
    ),
    withBands(groupSpec(d, 'exosomes', 'Exosome pools by donor', 'pool size', ['exosomes'], true)),
    withBands(groupSpec(d, 'cargo', 'Cargo effects by channel', 'effect', ['cargo'], false)),
    withBands(groupSpec(d, 'niche', 'Niche markers', 'level', ['niche'], false)),
    drugSpec(d, meta.hoursPerMonth),
  ].filter((s): s is PlotSpec => s !== undefined);
}

/** Finite values of a spec, for scale ranges and tests (log plots: positive only). */
export function finiteRange(spec: PlotSpec): [number, number] | undefined {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const s of spec.series)
    for (const v of s.values)
      if (Number.isFinite(v) && (!spec.yLog || v > 0)) {
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
  for (const l of spec.hLines) {
    lo = Math.min(lo, l.value);
    hi = Math.max(hi, l.value);
  }
  return lo <= hi ? [lo, hi] : undefined;
}
