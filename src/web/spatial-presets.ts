/**
 * Spatial presets for the dashboard's Spatial tab (issue #11): small 2D SpatialNiche set-ups taken from the spatial
 * virtual experiments (src/experiments/spatial.ts), run in the Worker for a number of phenotype steps, with a frame
 * (agents and one field) packed every k steps into typed arrays that the Worker transfers to the page.
 *
 * The set-ups are the experiments' own (SVE-5 LSC homing with CXCL12, SVE-3 hypoxic niche at 20 % O2), built by
 * their exported setup functions; every rate comes from the knowledge base through SpatialNiche. Browser-pure (no
 * Arrow snapshot module, no worker threads).
 */

import { homingSetup, hypoxiaSetup } from '../experiments/spatial.js';
import type { KnowledgeBase } from '../knowledge/parse.js';
import { CELL_TYPES, type SpatialNiche } from '../spatial/model.js';
import {
  FIELD_UNITS,
  PRESET_INFO,
  type SpatialFrame,
  type SpatialPresetInfo,
  type SpatialRun,
  STATE_NAMES,
} from './spatial-info.js';

export type { SpatialFrame, SpatialRun } from './spatial-info.js';

export interface SpatialPreset extends SpatialPresetInfo {
  readonly build: (kb: KnowledgeBase) => SpatialNiche;
}

const BUILDERS: Readonly<Record<string, (kb: KnowledgeBase) => SpatialNiche>> = {
  homing: (kb) => homingSetup(kb, true),
  hypoxia: (kb) => hypoxiaSetup(kb, kb.parameter('spatial.oxygen.normoxic').value).sim,
};

export const SPATIAL_PRESETS: readonly SpatialPreset[] = PRESET_INFO.map((info) => {
  const build = BUILDERS[info.id];
  if (!build) throw new Error(`spatial preset '${info.id}' has no builder`);
  return { ...info, build };
});

export function findPreset(id: string): SpatialPreset {
  const p = SPATIAL_PRESETS.find((q) => q.id === id);
  if (!p)
    throw new Error(`spatial preset '${id}': expected one of ${SPATIAL_PRESETS.map((q) => q.id).join(', ')}`);
  return p;
}

/** Packs the current state of `sim` into a frame with field `s` (a substrate index). */
export function packFrame(sim: SpatialNiche, s: number): SpatialFrame {
  const c = sim.agentColumns();
  const n = c.id.length;
  const state = new Uint8Array(n);
  const uptake = new Float32Array(n);
  for (let k = 0; k < n; k++) {
    state[k] = CELL_TYPES[c.type[k]] === 'lsc' ? (c.cycling[k] === 1 ? 2 : 1) : 0;
    uptake[k] = c.uptakeCml[k] + c.uptakeBmsc[k];
  }
  const src = sim.fields.field(s);
  const field = new Float32Array(src);
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let v = 0; v < src.length; v++) {
    if (src[v] < lo) lo = src[v];
    if (src[v] > hi) hi = src[v];
  }
  return {
    time: sim.time,
    x: Float32Array.from(c.x),
    y: Float32Array.from(c.y),
    radius: Float32Array.from(c.radius),
    type: Uint8Array.from(c.type),
    state,
    uptake,
    field,
    fieldRange: [lo, hi],
  };
}

export interface SpatialRequest {
  readonly preset: string;
  readonly steps?: number;
  readonly every?: number;
  readonly field?: string;
}

const MAX_STEPS = 2000;

/** Builds the preset, packs frame 0, then runs `steps` phenotype steps with a frame every `every` (and the last). */
export function runSpatialPreset(kb: KnowledgeBase, req: SpatialRequest): SpatialRun {
  const p = findPreset(req.preset);
  const steps = req.steps ?? p.steps;
  const every = req.every ?? p.every;
  if (!Number.isInteger(steps) || steps < 0 || steps > MAX_STEPS)
    throw new Error(`spatial steps ${steps}: expected an integer 0..${MAX_STEPS}`);
  if (!Number.isInteger(every) || every < 1)
    throw new Error(`spatial every ${every}: expected an integer >= 1`);
  const t0 = performance.now();
  const sim = p.build(kb);
  const names = sim.fields.substrates.map((x) => x.name);
  const name = req.field ?? p.field;
  const s = names.indexOf(name);
  if (s < 0) throw new Error(`spatial field '${name}': preset ${p.id} has ${names.join(', ')}`);
  const frames: SpatialFrame[] = [packFrame(sim, s)];
  for (let k = 1; k <= steps; k++) {
    sim.step();
    if (k % every === 0 || k === steps) frames.push(packFrame(sim, s));
  }
  const ms = performance.now() - t0;
  const g = sim.grid;
  return {
    preset: p.id,
    experiment: p.experiment,
    cellTypes: CELL_TYPES,
    states: STATE_NAMES,
    grid: { nx: g.nx, ny: g.ny, dx: g.dx, dy: g.dy, x0: g.x0, y0: g.y0 },
    fields: names,
    field: { name, unit: FIELD_UNITS[name] ?? 'unknown' },
    dtPhenotype: sim.dtPhenotype,
    frames,
    ms,
    msPerStep: steps > 0 ? ms / steps : 0,
  };
}

/** The buffers of a run, for postMessage's transfer list. */
export function spatialTransferables(run: SpatialRun): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  for (const f of run.frames)
    for (const a of [f.x, f.y, f.radius, f.type, f.state, f.uptake, f.field])
      out.push(a.buffer as ArrayBuffer);
  return out;
}
