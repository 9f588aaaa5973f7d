/**
 * What the page needs to know about the spatial presets (src/web/spatial-presets.ts) and their frames, with no
 * import of the model, so that the dashboard page (dist-web/app.js) does not bundle the spatial engine (the units
 * table has no imports).
 */

export { FIELD_UNITS } from '../spatial/units.js';

/** Agent state in a frame: 0 no state shown, 1 quiescent LSC, 2 cycling LSC. */
export const STATE_NAMES = ['—', 'quiescent', 'cycling'] as const;

/** One frame: the agents (one entry each, ascending id) and the selected field (nx ny Float32, x fastest). */
export interface SpatialFrame {
  /** Simulated time (min). */
  readonly time: number;
  readonly x: Float32Array;
  readonly y: Float32Array;
  readonly radius: Float32Array;
  /** Index into CELL_TYPES. */
  readonly type: Uint8Array;
  /** STATE_NAMES index. */
  readonly state: Uint8Array;
  /** Exosome uptake (CML + BMSC donors) per cell, the niche model's per-cell uptake unit. */
  readonly uptake: Float32Array;
  readonly field: Float32Array;
  /** Minimum and maximum of the field in this frame. */
  readonly fieldRange: readonly [number, number];
}

export interface SpatialRun {
  readonly preset: string;
  readonly experiment: string;
  readonly cellTypes: readonly string[];
  /** Names of the SpatialFrame.state values. */
  readonly states: readonly string[];
  readonly grid: {
    readonly nx: number;
    readonly ny: number;
    readonly dx: number;
    readonly dy: number;
    readonly x0: number;
    readonly y0: number;
  };
  readonly fields: readonly string[];
  readonly field: { readonly name: string; readonly unit: string };
  readonly dtPhenotype: number;
  readonly frames: readonly SpatialFrame[];
  /** Worker time for the whole run and per phenotype step (ms). */
  readonly ms: number;
  readonly msPerStep: number;
}

export interface SpatialPresetInfo {
  readonly id: string;
  /** The virtual experiment the set-up comes from. */
  readonly experiment: string;
  readonly title: string;
  readonly description: string;
  /** Default phenotype steps and frame interval. */
  readonly steps: number;
  readonly every: number;
  /** Field shown first, and the fields the preset has (substrate order). */
  readonly field: string;
  readonly fields: readonly string[];
}

export const PRESET_INFO: readonly SpatialPresetInfo[] = [
  {
    id: 'homing',
    experiment: 'SVE-5',
    title: 'LSC homing along CXCL12',
    description:
      'An 800 × 400 µm slab: 6 fixed endothelial cells at x = 640 µm secrete CXCL12; 30 quiescent LSCs start ' +
      'on the left and move up the CXCL12 gradient (chemotaxis bias spatial.chemotaxis.bias_lsc). The CXCL12 ' +
      'arm of SVE-5 (Taverna 2014); 12 h in the experiment (120 steps of 6 min).',
    steps: 120,
    every: 4,
    field: 'cxcl12',
    fields: ['cml', 'lsc', 'bmsc', 'cxcl12'],
  },
  {
    id: 'hypoxia',
    experiment: 'SVE-3',
    title: 'Hypoxic niche: a K562 cluster consumes oxygen',
    description:
      'A 600 × 600 µm well with oxygen held at 20 % O2 on the faces and consumed by every cell: a packed K562 ' +
      'cluster (radius 150 µm) becomes hypoxic inside and releases more (hypoxia-weighted) exosomes; 24 fixed ' +
      'endothelial cells on a ring at 220 µm take them up. The 20 % O2 arm of SVE-3 (Tadokoro 2013); 72 h ' +
      '(720 steps of 6 min), as in the experiment.',
    steps: 720,
    every: 24,
    field: 'oxygen',
    fields: ['cml', 'lsc', 'bmsc', 'cml_hyp', 'oxygen'],
  },
];
