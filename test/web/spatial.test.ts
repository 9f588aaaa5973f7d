/**
 * The Spatial tab's pure parts in Node: the viridis map and its lookup table, the shared colour scale, the CSV of a
 * frame, and the Worker side (src/web/spatial-presets.ts): presets built as the SVE experiments describe them, frames
 * that hold the simulation's own state (checked against a second, independently stepped SpatialNiche), buffers that
 * transfer, and clear errors for bad requests.
 */
import { describe, expect, it } from 'vitest';
import { loadKnowledgeBase } from '../../src/knowledge/load.js';
import { CELL_TYPES } from '../../src/spatial/model.js';
import {
  CELL_COLOURS,
  fieldScale,
  frameCsv,
  hexToRgb,
  VIRIDIS_STOPS,
  viridis,
  viridisLut,
} from '../../src/web/app/spatial-view.js';
import { FIELD_UNITS, PRESET_INFO } from '../../src/web/spatial-info.js';
import {
  findPreset,
  packFrame,
  runSpatialPreset,
  SPATIAL_PRESETS,
  spatialTransferables,
} from '../../src/web/spatial-presets.js';

const kb = loadKnowledgeBase();

/** Relative luminance (WCAG 2, sRGB). */
function luminance([r, g, b]: readonly number[]): number {
  const lin = (c: number) => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

describe('viridis colour map', () => {
  it('has the published end points and passes through its stops', () => {
    expect(viridis(0)).toEqual([0x44, 0x01, 0x54]);
    expect(viridis(1)).toEqual([0xfd, 0xe7, 0x25]);
    for (let k = 0; k < VIRIDIS_STOPS.length; k++)
      expect(viridis(k / (VIRIDIS_STOPS.length - 1))).toEqual(hexToRgb(VIRIDIS_STOPS[k]));
    // clamped and NaN-safe
    expect(viridis(-3)).toEqual(viridis(0));
    expect(viridis(7)).toEqual(viridis(1));
    expect(viridis(Number.NaN)).toEqual(viridis(0));
  });

  it('rises in luminance monotonically (a sequential map readable in grey and by colour-blind readers)', () => {
    let prev = -1;
    for (let k = 0; k <= 100; k++) {
      const y = luminance(viridis(k / 100));
      expect(y).toBeGreaterThan(prev);
      prev = y;
    }
    // dark to light by a wide margin
    expect(luminance(viridis(1)) / luminance(viridis(0))).toBeGreaterThan(20);
  });

  it('the lookup texture is the map sampled at n points, opaque', () => {
    const lut = viridisLut(256);
    expect(lut.length).toBe(1024);
    expect(Array.from(lut.subarray(0, 4))).toEqual([0x44, 0x01, 0x54, 255]);
    expect(Array.from(lut.subarray(1020, 1024))).toEqual([0xfd, 0xe7, 0x25, 255]);
    expect(Array.from(lut.subarray(4 * 128, 4 * 128 + 3))).toEqual(viridis(128 / 255));
  });

  it('cell colours are distinct Okabe-Ito colours for every cell type', () => {
    const cols = CELL_TYPES.map((t) => CELL_COLOURS[t]);
    expect(cols.every((c) => /^#[0-9A-F]{6}$/i.test(c))).toBe(true);
    expect(new Set(cols).size).toBe(CELL_TYPES.length);
  });

  it('fieldScale spans every frame; a constant field gets a band around it', () => {
    expect(fieldScale([{ fieldRange: [2, 5] }, { fieldRange: [1, 3] }])).toEqual([1, 5]);
    expect(fieldScale([{ fieldRange: [4, 4] }])).toEqual([2, 6]);
    expect(fieldScale([{ fieldRange: [0, 0] }])).toEqual([0, 1]);
    expect(fieldScale([])).toEqual([0, 1]);
  });
});

describe('spatial presets in the Worker', () => {
  it('every preset lists the fields its simulation has, with units', () => {
    expect(SPATIAL_PRESETS.map((p) => p.id)).toEqual(PRESET_INFO.map((p) => p.id));
    for (const p of SPATIAL_PRESETS) {
      const sim = p.build(kb);
      expect(sim.fields.substrates.map((s) => s.name)).toEqual(p.fields);
      expect(p.fields).toContain(p.field);
      for (const f of p.fields) expect(FIELD_UNITS[f]).toBeTruthy();
      expect(p.experiment).toMatch(/^SVE-\d$/);
    }
  });

  it('frames hold the simulation state: same agents and field as a second run stepped by hand', () => {
    const run = runSpatialPreset(kb, { preset: 'homing', steps: 6, every: 4 });
    // frame 0, step 4, and the last step (6)
    expect(run.frames.map((f) => f.time)).toEqual([0, 24, 36]);
    expect(run.grid).toEqual({ nx: 40, ny: 20, dx: 20, dy: 20, x0: 0, y0: 0 });
    expect(run.field).toEqual({ name: 'cxcl12', unit: FIELD_UNITS.cxcl12 });

    const sim = findPreset('homing').build(kb);
    for (let k = 0; k < 6; k++) sim.step();
    const c = sim.agentColumns();
    const f = run.frames[2];
    expect(f.x.length).toBe(36);
    expect(Array.from(f.x)).toEqual(Array.from(Float32Array.from(c.x)));
    expect(Array.from(f.y)).toEqual(Array.from(Float32Array.from(c.y)));
    expect(Array.from(f.type)).toEqual(Array.from(c.type));
    // 30 quiescent LSCs (state 1), 6 endothelial cells (state 0); uptake = CML + BMSC donor uptake
    expect(f.state.filter((s) => s === 1).length).toBe(
      c.type.filter((t, i) => t === 1 && c.cycling[i] === 0).length,
    );
    expect(f.state.filter((s) => s === 0).length).toBe(6);
    for (let i = 0; i < 36; i++) expect(f.uptake[i]).toBeCloseTo(c.uptakeCml[i] + c.uptakeBmsc[i], 6);
    const field = sim.fields.field(sim.fields.indexOf('cxcl12'));
    expect(Array.from(f.field)).toEqual(Array.from(Float32Array.from(field)));
    expect(f.fieldRange).toEqual([Math.min(...field), Math.max(...field)]);
    // the field is not flat: the endothelial source is the peak
    expect(f.fieldRange[1]).toBeGreaterThan(f.fieldRange[0]);
    // packFrame on the same state gives the same frame
    expect(packFrame(sim, sim.fields.indexOf('cxcl12')).field).toEqual(f.field);
    expect(run.msPerStep).toBeGreaterThan(0);
  });

  it('the frame buffers transfer (each its own buffer; detached after the transfer, equal on arrival)', () => {
    const run = runSpatialPreset(kb, { preset: 'hypoxia', steps: 2, every: 1, field: 'oxygen' });
    expect(run.frames.length).toBe(3);
    const bufs = spatialTransferables(run);
    expect(bufs.length).toBe(7 * 3);
    expect(new Set(bufs).size).toBe(bufs.length);
    const copy = JSON.parse(JSON.stringify(Array.from(run.frames[2].field)));
    const arrived = structuredClone(run, { transfer: bufs });
    expect(run.frames[2].field.byteLength).toBe(0);
    expect(Array.from(arrived.frames[2].field)).toEqual(copy);
    // oxygen is held at the faces (20 % O2) and consumed inside: the frame range lies below the boundary value
    const o2 = kb.parameter('spatial.oxygen.normoxic').value;
    expect(arrived.frames[2].fieldRange[1]).toBeLessThanOrEqual(o2 + 1e-9);
    expect(arrived.frames[2].fieldRange[0]).toBeLessThan(o2);
  });

  it('CSV of a frame: one row per agent with type and state names', () => {
    const run = runSpatialPreset(kb, { preset: 'homing', steps: 1 });
    const csv = frameCsv(run, 1).trim().split('\n');
    expect(csv[0]).toBe('time_min,x_um,y_um,radius_um,type,state,uptake');
    expect(csv.length).toBe(1 + 36);
    expect(csv.filter((r) => /,endo,—,/.test(r)).length).toBe(6);
    expect(csv.filter((r) => /,lsc,(quiescent|cycling),/.test(r)).length).toBe(30);
    expect(Number(csv[1].split(',')[0])).toBe(6);
    expect(() => frameCsv(run, 5)).toThrow(/frame 5: the run has 2 frames/);
  });

  it('bad requests get clear errors', () => {
    expect(() => runSpatialPreset(kb, { preset: 'nope' })).toThrow(
      /spatial preset 'nope': expected one of homing, hypoxia/,
    );
    expect(() => runSpatialPreset(kb, { preset: 'homing', steps: -1 })).toThrow(/spatial steps -1/);
    expect(() => runSpatialPreset(kb, { preset: 'homing', steps: 2.5 })).toThrow(/spatial steps 2.5/);
    expect(() => runSpatialPreset(kb, { preset: 'homing', every: 0 })).toThrow(/spatial every 0/);
    expect(() => runSpatialPreset(kb, { preset: 'homing', steps: 1, field: 'oxygen' })).toThrow(
      /spatial field 'oxygen': preset homing has cml, lsc, bmsc, cxcl12/,
    );
  });
});
