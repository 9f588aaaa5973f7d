/**
 * Pure helpers of the Spatial tab (spatial.tsx): the viridis colour map for field heat maps (perceptually uniform,
 * colour-blind safe; van der Walt and Smith's matplotlib default, sampled at 9 even stops and interpolated in sRGB),
 * the Okabe-Ito colours of the cell types (Okabe and Ito 2008, colour-universal design), the scale shared by all
 * frames of a run, and a frame's agents as CSV.
 */
import type { SpatialFrame, SpatialRun } from '../spatial-info.js';
import { OKABE_ITO } from './plot-spec.js';

/** viridis at t = 0, 1/8, ..., 1. */
export const VIRIDIS_STOPS = [
  '#440154',
  '#472d7b',
  '#3b528b',
  '#2c728e',
  '#21918c',
  '#28ae80',
  '#5ec962',
  '#addc30',
  '#fde725',
] as const;

export const hexToRgb = (hex: string): [number, number, number] => {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) throw new Error(`colour '${hex}': expected #rrggbb`);
  return [Number.parseInt(m[1], 16), Number.parseInt(m[2], 16), Number.parseInt(m[3], 16)];
};

const STOPS_RGB = VIRIDIS_STOPS.map(hexToRgb);

/** viridis(t) as 0..255 RGB, t clamped to [0, 1] (NaN -> 0). */
export function viridis(t: number): [number, number, number] {
  const u = Number.isFinite(t) ? Math.min(1, Math.max(0, t)) : 0;
  const x = u * (STOPS_RGB.length - 1);
  const i = Math.min(STOPS_RGB.length - 2, Math.floor(x));
  const f = x - i;
  const a = STOPS_RGB[i];
  const b = STOPS_RGB[i + 1];
  return [0, 1, 2].map((c) => Math.round(a[c] + f * (b[c] - a[c]))) as [number, number, number];
}

/** An n x 1 RGBA8 lookup table of viridis (a WebGL texture). */
export function viridisLut(n = 256): Uint8Array {
  const out = new Uint8Array(4 * n);
  for (let k = 0; k < n; k++) {
    const [r, g, b] = viridis(n > 1 ? k / (n - 1) : 0);
    out.set([r, g, b, 255], 4 * k);
  }
  return out;
}

/**
 * Okabe-Ito colours per cell type (the plots' list): vermillion, reddish purple, sky blue, orange, blue, black; not yellow
 * or bluish green, which sit too close to the top of viridis under them. A type not listed is drawn grey
 * (UNKNOWN_COLOUR) until it gets a colour here.
 */
export const CELL_COLOURS: Readonly<Record<string, string>> = {
  cml: OKABE_ITO[6],
  lsc: OKABE_ITO[7],
  bmsc: OKABE_ITO[2],
  endo: OKABE_ITO[1],
  normal: OKABE_ITO[5],
  tcell: OKABE_ITO[0],
};
export const UNKNOWN_COLOUR = '#999999';
/** Cell types the shader can colour (its uniform array length). */
export const MAX_CELL_TYPES = 8;

export const CELL_LABELS: Readonly<Record<string, string>> = {
  cml: 'CML cell',
  lsc: 'leukaemic stem cell',
  bmsc: 'BMSC (stroma)',
  endo: 'endothelial cell',
  normal: 'normal stem cell',
  tcell: 'T cell (immune)',
};

/** Minimum and maximum of the field over every frame (one colour scale for the whole time slider). */
export function fieldScale(frames: readonly Pick<SpatialFrame, 'fieldRange'>[]): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const f of frames) {
    if (f.fieldRange[0] < lo) lo = f.fieldRange[0];
    if (f.fieldRange[1] > hi) hi = f.fieldRange[1];
  }
  if (!(hi >= lo)) return [0, 1];
  // A constant field: a band around it, so that it maps to the middle of the map rather than dividing by zero.
  if (hi === lo) return lo === 0 ? [0, 1] : [lo - Math.abs(lo) * 0.5, hi + Math.abs(hi) * 0.5];
  return [lo, hi];
}

/** Short number for labels. */
export const fmtNum = (v: number) =>
  v === 0 ? '0' : Math.abs(v) >= 1e4 || Math.abs(v) < 1e-3 ? v.toExponential(2) : `${+v.toPrecision(3)}`;

/** The agents of frame `k` as CSV: one row per agent, positions in um, time in min. */
export function frameCsv(run: SpatialRun, k: number): string {
  const f = run.frames[k];
  if (!f) throw new Error(`frame ${k}: the run has ${run.frames.length} frames`);
  const rows = ['time_min,x_um,y_um,radius_um,type,state,uptake'];
  for (let i = 0; i < f.x.length; i++)
    rows.push(
      [
        f.time,
        f.x[i],
        f.y[i],
        f.radius[i],
        run.cellTypes[f.type[i]],
        run.states[f.state[i]],
        f.uptake[i],
      ].join(','),
    );
  return `${rows.join('\n')}\n`;
}
