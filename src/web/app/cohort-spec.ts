/**
 * Plot specs of the Cohort and Compare views (pure): the cumulative-incidence curves of a cohort summary (the
 * JSON the server sends, as the CLI writes summary.json: typed arrays as plain arrays) and two runs overlaid.
 */
import type { PlotData } from '../engine.js';
import { LINE_COLOURS, OKABE_ITO, type PlotSpec, type SpecSeries } from './plot-spec.js';

/** The part of a cohort summary this view reads (src/cohort/summary.ts CohortSummary, as JSON). */
export interface CohortSummaryJson {
  readonly n: number;
  readonly failed: number;
  readonly overall: {
    readonly endpoints: readonly {
      readonly id: string;
      readonly label: string;
      readonly events: number;
      readonly curve: { readonly time: readonly number[]; readonly incidence: readonly number[] };
    }[];
  };
}

/** The plots' line colours without the last (yellow: weak contrast for thin steps on white). */
const COLOURS = LINE_COLOURS.slice(0, -1);

/** Value of a right-continuous step function (times ascending) at t; 0 before the first time. */
export function stepAt(time: readonly number[], value: readonly number[], t: number): number {
  let lo = 0;
  let hi = time.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (time[mid] <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo === 0 ? 0 : value[lo - 1];
}

/** Cumulative incidence (%) of every endpoint on the union of their event times. */
export function incidenceSpec(s: CohortSummaryJson): PlotSpec {
  const eps = s.overall.endpoints.filter((e) => e.curve && e.curve.time.length > 0);
  const times = [...new Set([0, ...eps.flatMap((e) => e.curve.time)])].sort((a, b) => a - b);
  const x = Float64Array.from(times);
  const series: SpecSeries[] = eps.map((e, k) => ({
    id: e.id,
    label: `${e.label} (${e.events} events)`,
    units: '%',
    color: COLOURS[k % COLOURS.length],
    dash: k >= COLOURS.length ? [6, 3] : [],
    values: x.map((t) => 100 * stepAt(e.curve.time, e.curve.incidence, t)),
  }));
  return {
    id: 'cohort-incidence',
    stepped: true,
    title: `Cumulative incidence in ${s.n} virtual patients`,
    xLabel: 'time (months from diagnosis)',
    yLabel: 'cumulative incidence (%)',
    yLog: false,
    x,
    series,
    hLines: [],
    markers: [],
    bands: [],
  };
}

/** Linear interpolation of (xs, ys) at t; NaN outside. */
function interp(xs: Float64Array, ys: Float64Array, t: number): number {
  if (xs.length === 0 || t < xs[0] || t > xs[xs.length - 1]) return Number.NaN;
  let lo = 0;
  let hi = xs.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] <= t) lo = mid;
    else hi = mid;
  }
  if (xs[hi] === xs[lo]) return ys[lo];
  return ys[lo] + ((ys[hi] - ys[lo]) * (t - xs[lo])) / (xs[hi] - xs[lo]);
}

/** Two arms overlaid: one spec per series id both runs have among `ids` (on the union of their grids). */
export function compareSpecs(a: PlotData, b: PlotData, ids: readonly string[]): PlotSpec[] {
  const same = a.time.length === b.time.length && a.time.every((t, i) => t === b.time[i]);
  const x = same ? a.time : Float64Array.from([...new Set([...a.time, ...b.time])].sort((p, q) => p - q));
  const on = (d: PlotData, v: Float64Array) => (same ? v : x.map((t) => interp(d.time, v, t)));
  return ids.flatMap((id) => {
    const sa = a.series.find((s) => s.id === id);
    const sb = b.series.find((s) => s.id === id);
    if (!sa || !sb) return [];
    return [
      {
        id: `compare-${id}`,
        title: `${sa.label}: arm A versus arm B`,
        xLabel: 'time (months from diagnosis)',
        yLabel: `${sa.group === 'bcr-abl' ? 'BCR-ABL1' : sa.label} (${sa.units})`,
        yLog: sa.units === 'cells' || sa.group === 'bcr-abl',
        x,
        series: [
          {
            id: 'A',
            label: `A: ${a.name}`,
            units: sa.units,
            color: OKABE_ITO[5],
            dash: [],
            values: on(a, sa.values),
          },
          {
            id: 'B',
            label: `B: ${b.name}`,
            units: sb.units,
            color: OKABE_ITO[6],
            dash: [6, 3],
            values: on(b, sb.values),
          },
        ],
        hLines: [],
        markers: [],
        bands: [],
      },
    ];
  });
}
