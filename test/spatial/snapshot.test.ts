import { tableFromIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { loadKnowledgeBase } from '../../src/knowledge/load.js';
import { CELL_TYPES, SpatialNiche } from '../../src/spatial/model.js';
import {
  agentSnapshot,
  decodeAgents,
  decodeFields,
  encodeFields,
  FIELD_MAGIC,
  fieldSnapshot,
} from '../../src/spatial/snapshot.js';

const kb = loadKnowledgeBase();

function run(): SpatialNiche {
  const sim = new SpatialNiche(kb, {
    dims: 2,
    domain: { lo: [0, 0], hi: [300, 200] },
    voxel: 20,
    seed: 3,
    dtDiffusion: 0.1,
    dtMechanics: 0.1,
    dtPhenotype: 6,
    lscCapacity: 200,
    drug: { name: 'imatinib', nM: 300, supply: 'boundary' },
    oxygen: { boundary: 32 },
  });
  sim.addCell({ type: 'bmsc', x: 100, y: 100 });
  sim.addCell({ type: 'endo', x: 200, y: 60 });
  for (let k = 0; k < 12; k++) sim.addCell({ type: 'cml', x: 40 + 18 * k, y: 150 });
  for (let k = 0; k < 20; k++)
    sim.addCell({ type: 'lsc', x: 30 + 12 * k, y: 40 + (k % 3) * 20, quiescent: k % 2 === 0 });
  sim.run(60);
  return sim;
}

describe('snapshots', () => {
  const sim = run();

  it('agents: an Arrow IPC file, one row per agent in id order, that reads back exactly', () => {
    const bytes = agentSnapshot(sim);
    // Arrow IPC file magic at both ends
    expect(String.fromCharCode(...bytes.subarray(0, 6))).toBe('ARROW1');
    expect(String.fromCharCode(...bytes.subarray(bytes.length - 6))).toBe('ARROW1');
    // the same state gives the same bytes (no per-process dictionary numbering)
    expect(agentSnapshot(sim)).toEqual(bytes);
    const table = tableFromIPC(bytes);
    expect(String(table.schema.fields.find((f) => f.name === 'type')?.type)).toBe('Dictionary<Int32, Utf8>');
    expect(table.numRows).toBe(sim.store.count);
    expect(table.schema.metadata.get('time_min')).toBe(String(sim.time));
    const back = decodeAgents(bytes);
    const ids = [...sim.ids()].sort((a, b) => a - b);
    expect(Array.from(back.columns.id)).toEqual(ids);
    expect(back.time).toBe(60);
    expect(back.dims).toBe(2);
    for (let k = 0; k < ids.length; k++) {
      const id = ids[k];
      const i = sim.store.indexOf(id);
      const c = sim.cell(id);
      expect(CELL_TYPES[back.columns.type[k]]).toBe(c.type);
      expect(back.columns.x[k]).toBe(sim.store.x[i]);
      expect(back.columns.y[k]).toBe(sim.store.y[i]);
      expect(back.columns.radius[k]).toBe(sim.store.radius[i]);
      expect(back.columns.cycling[k]).toBe(c.type === 'lsc' && c.cycling ? 1 : 0);
      expect(back.columns.protection[k]).toBe(c.protection);
      expect(back.columns.uptakeBmsc[k]).toBe(c.uptakeBmsc);
      expect(back.columns.cargoCml[k]).toBe(c.cargo[0]);
      if (c.type === 'bmsc') {
        expect(back.columns.il8[k]).toBe(c.activation[0]);
        expect(back.columns.support[k]).toBe(c.activation[1]);
        expect(back.columns.vasc[k]).toBeNaN();
      } else if (c.type === 'endo') {
        expect(back.columns.vasc[k]).toBe(c.activation[0]);
        expect(back.columns.il8[k]).toBe(c.activation[1]);
      } else expect(back.columns.il8[k]).toBeNaN();
    }
    // the state columns are not trivial: the BMSC protects some LSCs, the CML cells took up exosomes
    expect(Math.max(...back.columns.protection)).toBeGreaterThan(0);
    expect(Math.max(...back.columns.cargoCml)).toBeGreaterThan(0);
  });

  it('fields: documented header + little-endian Float64 that reads back bit for bit', () => {
    const bytes = fieldSnapshot(sim);
    expect(String.fromCharCode(...bytes.subarray(0, 8))).toBe(FIELD_MAGIC);
    const hl = new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true);
    const start = Math.ceil((12 + hl) / 8) * 8;
    const { header, data } = decodeFields(bytes);
    expect(header.shape).toEqual([15, 10, 1]);
    expect(header.spacing.slice(0, 2)).toEqual([20, 20]);
    expect(header.fields.map((f) => f.name)).toEqual(sim.fields.substrates.map((s) => s.name));
    expect(header.fields.find((f) => f.name === 'oxygen')?.unit).toBe('mmHg');
    expect(bytes.length).toBe(start + 8 * data.length);
    expect(data).toEqual(sim.fields.data.subarray(0, data.length));
    // voxel (i, j) of field f at f * nx ny + i + nx j, read directly from the bytes as little-endian
    const dv = new DataView(bytes.buffer, bytes.byteOffset);
    const f = header.fields.findIndex((x) => x.name === 'oxygen');
    const v = 3 + 15 * 7;
    expect(dv.getFloat64(start + 8 * (f * 150 + v), true)).toBe(sim.fields.field(f)[v]);
    // re-encoding gives the same bytes
    expect(encodeFields({ header, data })).toEqual(bytes);
  });

  it('bad input: clear errors', () => {
    const bytes = fieldSnapshot(sim);
    const bad = bytes.slice();
    bad[0] = 0x41;
    expect(() => decodeFields(bad, 'f.bin')).toThrow(/f.bin: bytes 0-7/);
    expect(() => decodeFields(bytes.subarray(0, bytes.length - 8), 'f.bin')).toThrow(/bytes, expected/);
    expect(() => decodeAgents(bytes, 'a.arrow')).toThrow(/a.arrow: not an Arrow IPC file/);
  });
});
