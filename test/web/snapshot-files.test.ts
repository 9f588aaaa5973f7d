/**
 * Opening the snapshot files of a CLI spatial run in the Spatial tab (src/web/app/snapshot-files.ts, pure, and
 * snapshot-decode.ts, the Worker's decoder): file names and magic bytes, pairing by time with the clear errors of
 * issue #11 (not a snapshot, truncated, mismatched domains, names that contradict the files' times), the z-slice of
 * a 3D run checked voxel by voxel against the simulation's own field store, slab membership of agents, and the
 * facts of summary.json / manifest.json.
 */
import { describe, expect, it } from 'vitest';
import { loadKnowledgeBase } from '../../src/knowledge/load.js';
import { CELL_TYPES, SpatialNiche } from '../../src/spatial/model.js';
import { agentSnapshot, encodeAgents, encodeFields, fieldSnapshot } from '../../src/spatial/snapshot.js';
import { decodeSnapshotFiles, type SnapshotFileInput } from '../../src/web/app/snapshot-decode.js';
import {
  type AgentsPart,
  assembleRun,
  classifyName,
  type FieldsPart,
  layerOf,
  loadedTransferables,
  runFacts,
  selectFiles,
  sliceRanges,
  sliceRun,
  sniffKind,
} from '../../src/web/app/snapshot-files.js';

const TYPES = ['cml', 'lsc', 'bmsc', 'endo', 'normal', 'tcell'];

/** A synthetic field snapshot: field f at voxel (i, j, k) = 1000 f + 100 k + 10 j + i + t. */
function fieldsPart(
  source: string,
  t: number,
  shape: [number, number, number],
  over: Partial<FieldsPart['header']> = {},
): FieldsPart {
  const [nx, ny, nz] = shape;
  const names = over.fields ?? [
    { name: 'oxygen', unit: 'mmHg' },
    { name: 'cxcl12', unit: 'relative' },
  ];
  const data = new Float64Array(names.length * nx * ny * nz);
  for (let f = 0; f < names.length; f++)
    for (let k = 0; k < nz; k++)
      for (let j = 0; j < ny; j++)
        for (let i = 0; i < nx; i++)
          data[f * nx * ny * nz + i + nx * (j + ny * k)] = 1000 * f + 100 * k + 10 * j + i + t;
  return {
    source,
    header: {
      time: t,
      dims: nz > 1 ? 3 : 2,
      shape,
      spacing: [20, 20, 20],
      origin: [0, 0, 0],
      fields: names,
      ...over,
    },
    data,
  };
}

function agentsPart(
  source: string,
  t: number,
  dims: 2 | 3,
  rows: [number, number, number, number, number][],
): AgentsPart {
  // rows: x, y, z, type, cycling
  return {
    source,
    time: t,
    dims,
    columns: {
      x: rows.map((r) => r[0]),
      y: rows.map((r) => r[1]),
      z: rows.map((r) => r[2]),
      radius: rows.map(() => 5),
      type: rows.map((r) => r[3]),
      cycling: rows.map((r) => r[4]),
      uptakeCml: rows.map(() => 0.25),
      uptakeBmsc: rows.map(() => 0.5),
    },
  };
}

const opts = { cellTypes: TYPES, name: 'test' };

describe('file names and magic bytes', () => {
  it('reads kind and time from the names the CLI writes', () => {
    expect(classifyName('run/snapshots/agents-0000120.arrow')).toEqual({ kind: 'agents', time: 120 });
    expect(classifyName('fields-0000000.bin')).toEqual({ kind: 'fields', time: 0 });
    expect(classifyName('run/summary.json').kind).toBe('summary');
    expect(classifyName('run/manifest.json').kind).toBe('manifest');
    expect(classifyName('run/checkpoint.bin').kind).toBe('other');
    expect(classifyName('agents-12.bin').kind).toBe('other'); // agents are Arrow files
    const other = classifyName('my-agents.arrow');
    expect(other.kind).toBe('agents');
    expect(other.time).toBeNaN();
  });

  it('sniffs Arrow and field files by their first bytes', () => {
    const enc = (s: string) => new TextEncoder().encode(s);
    expect(sniffKind(enc('ARROW1\0\0rest'))).toBe('agents');
    expect(sniffKind(enc('EXNFLD01....'))).toBe('fields');
    expect(sniffKind(enc('EXNCKP01....'))).toBe('other');
    expect(sniffKind(new Uint8Array(0))).toBe('other');
  });

  it('selects snapshots, summary and manifest; the rest of a folder is set aside', () => {
    const s = selectFiles(
      [
        'r/snapshots/agents-0000000.arrow',
        'r/snapshots/fields-0000000.bin',
        'r/summary.json',
        'r/manifest.json',
        'r/checkpoint.bin',
      ].map((path) => ({ path })),
    );
    expect(s.snapshots.map((f) => f.path)).toEqual([
      'r/snapshots/agents-0000000.arrow',
      'r/snapshots/fields-0000000.bin',
    ]);
    expect(s.summary?.path).toBe('r/summary.json');
    expect(s.manifest?.path).toBe('r/manifest.json');
    expect(s.others.map((f) => f.path)).toEqual(['r/checkpoint.bin']);
  });
});

describe('pairing by time', () => {
  it('pairs agents and fields of the same time, in time order, whatever the file order', () => {
    const run = assembleRun(
      [
        agentsPart('agents-0000120.arrow', 120, 2, [[10, 10, 0, 1, 1]]),
        agentsPart('agents-0000000.arrow', 0, 2, [
          [10, 10, 0, 1, 0],
          [30, 10, 0, 3, 0],
        ]),
      ],
      [fieldsPart('fields-0000120.bin', 120, [4, 3, 1]), fieldsPart('fields-0000000.bin', 0, [4, 3, 1])],
      opts,
    );
    expect(run.frames.map((f) => f.time)).toEqual([0, 120]);
    expect(run.frames.map((f) => [f.agentsFile, f.fieldsFile])).toEqual([
      ['agents-0000000.arrow', 'fields-0000000.bin'],
      ['agents-0000120.arrow', 'fields-0000120.bin'],
    ]);
    expect(run.agentCount).toBe(3);
    expect(run.voxelCount).toBe(12);
    expect(run.dims).toBe(2);
    expect(run.grid).toMatchObject({ nx: 4, ny: 3, nz: 1, dx: 20, fromFields: true });
    // LSC state: quiescent (1) at t = 0, cycling (2) at t = 120; the endothelial cell none (0).
    expect(Array.from(run.frames[0].state)).toEqual([1, 0]);
    expect(Array.from(run.frames[1].state)).toEqual([2]);
    expect(run.frames[0].uptake[0]).toBeCloseTo(0.75, 6);
    // Ranges over the whole 4 x 3 grid: oxygen 0..23 (+t), cxcl12 1000..1023 (+t).
    expect(run.frames[1].ranges).toEqual([
      [120, 143],
      [1120, 1143],
    ]);
    // Every typed array transfers.
    expect(loadedTransferables(run).length).toBe(2 * 8);
  });

  it('keeps a time with only one kind of file: no agents, or the field as NaN', () => {
    const run = assembleRun(
      [agentsPart('agents-0000060.arrow', 60, 2, [[10, 10, 0, 0, 0]])],
      [fieldsPart('fields-0000000.bin', 0, [4, 3, 1])],
      opts,
    );
    expect(run.frames.map((f) => [f.time, f.x.length, f.fields === null])).toEqual([
      [0, 0, false],
      [60, 1, true],
    ]);
    const s = sliceRun(run, 0, 0);
    expect(s.frames[1].field.length).toBe(12);
    expect(Number.isNaN(s.frames[1].field[5])).toBe(true);
    expect(Number.isNaN(s.frames[1].fieldRange[0])).toBe(true);
  });

  it('agents alone: the grid is their extent, one layer, no field', () => {
    const run = assembleRun(
      [
        agentsPart('a.arrow', 0, 2, [
          [10, 20, 0, 0, 0],
          [110, 70, 0, 2, 0],
        ]),
      ],
      [],
      opts,
    );
    expect(run.grid).toMatchObject({
      nx: 1,
      ny: 1,
      nz: 1,
      x0: 5,
      y0: 15,
      dx: 110,
      dy: 60,
      fromFields: false,
    });
    expect(run.fields).toEqual([]);
    expect(sliceRun(run, 0, 0).field.name).toBe('no field');
  });

  const bad = (agents: AgentsPart[], fields: FieldsPart[]) => () => assembleRun(agents, fields, opts);

  it('refuses an empty set, a name that contradicts the time, two files at one time', () => {
    expect(bad([], [])).toThrow(/no snapshot among the files: expected snapshots\/agents-<t>\.arrow/);
    expect(bad([agentsPart('agents-0000120.arrow', 240, 2, [])], [])).toThrow(
      "agents-0000120.arrow: the file name says t = 120 min but its schema metadata 'time_min' is 240 min",
    );
    expect(bad([], [fieldsPart('fields-0000360.bin', 0, [2, 2, 1])])).toThrow(
      "fields-0000360.bin: the file name says t = 360 min but its header 'time' is 0 min",
    );
    expect(
      bad(
        [agentsPart('x/agents-0000000.arrow', 0, 2, []), agentsPart('y/agents-0000000.arrow', 0, 2, [])],
        [],
      ),
    ).toThrow(
      'y/agents-0000000.arrow: a second agent snapshot at t = 0 min (x/agents-0000000.arrow has that time)',
    );
    expect(bad([agentsPart('a.arrow', Number.NaN, 2, [])], [])).toThrow(
      /a\.arrow: schema metadata 'time_min' is NaN/,
    );
  });

  it('refuses files of different domains, fields or dimensions, naming both files', () => {
    expect(
      bad(
        [],
        [fieldsPart('fields-0000000.bin', 0, [4, 3, 1]), fieldsPart('fields-0000120.bin', 120, [5, 3, 1])],
      ),
    ).toThrow(
      "fields-0000120.bin: header 'shape' is [5,3,1], expected [4,3,1] as in fields-0000000.bin (files of one run share one domain)",
    );
    expect(
      bad(
        [],
        [
          fieldsPart('fields-0000000.bin', 0, [4, 3, 1]),
          fieldsPart('fields-0000120.bin', 120, [4, 3, 1], { origin: [0, 20, 0] }),
        ],
      ),
    ).toThrow("fields-0000120.bin: header 'origin' is [0,20,0], expected [0,0,0]");
    expect(
      bad(
        [],
        [
          fieldsPart('fields-0000000.bin', 0, [4, 3, 1]),
          fieldsPart('fields-0000120.bin', 120, [4, 3, 1], { fields: [{ name: 'drug', unit: 'nM' }] }),
        ],
      ),
    ).toThrow('fields-0000120.bin: fields [drug], expected [oxygen, cxcl12] as in fields-0000000.bin');
    expect(
      bad([agentsPart('agents-0000000.arrow', 0, 3, [])], [fieldsPart('fields-0000000.bin', 0, [4, 3, 1])]),
    ).toThrow("agents-0000000.arrow: metadata 'dims' is 3, expected 2 as in fields-0000000.bin");
    expect(bad([agentsPart('agents-0000000.arrow', 0, 2, [[1, 1, 0, 9, 0]])], [])).toThrow(
      'agents-0000000.arrow: row 0 cell type index 9, expected 0..5',
    );
  });
});

describe('z-slices of a 3D run', () => {
  const grid = { nz: 4, dz: 20, z0: 0 };

  it('puts a centre in the layer of its slab, the top face in the top layer', () => {
    expect([0, 19.999, 20, 39, 40, 79.9, 80, 95, -3].map((z) => layerOf(z, grid))).toEqual([
      0, 0, 1, 1, 2, 3, 3, 3, 0,
    ]);
    expect(layerOf(25, { nz: 3, dz: 10, z0: 10 })).toBe(1);
  });

  it('shows layer k of the field and the agents whose centre lies in its slab', () => {
    const shape: [number, number, number] = [5, 4, 4];
    const rows: [number, number, number, number, number][] = [
      [10, 10, 5, 0, 0],
      [30, 10, 25, 1, 1],
      [50, 10, 39.9, 2, 0],
      [70, 10, 60, 3, 0],
      [90, 10, 80, 1, 0],
    ];
    const run = assembleRun(
      [agentsPart('agents-0000006.arrow', 6, 3, rows)],
      [fieldsPart('fields-0000006.bin', 6, shape)],
      opts,
    );
    expect(run.grid.nz).toBe(4);
    for (let layer = 0; layer < 4; layer++)
      for (const f of [0, 1]) {
        const s = sliceRun(run, f, layer);
        const fr = s.frames[0];
        expect(fr.field.length).toBe(20);
        for (let j = 0; j < 4; j++)
          for (let i = 0; i < 5; i++)
            expect(fr.field[i + 5 * j]).toBe(1000 * f + 100 * layer + 10 * j + i + 6);
        // Whole-volume range, the same for every slice.
        expect(fr.fieldRange).toEqual([1000 * f + 6, 1000 * f + 300 + 30 + 4 + 6]);
        expect(s.field.name).toBe(f === 0 ? 'oxygen' : 'cxcl12');
      }
    const xs = (layer: number) => Array.from(sliceRun(run, 0, layer).frames[0].x);
    expect(xs(0)).toEqual([10]);
    expect(xs(1)).toEqual([30, 50]);
    expect(xs(2)).toEqual([]);
    expect(xs(3)).toEqual([70, 90]);
    // Type and state follow their agents.
    const s1 = sliceRun(run, 0, 1).frames[0];
    expect(Array.from(s1.type)).toEqual([1, 2]);
    expect(Array.from(s1.state)).toEqual([2, 0]);
    // The colour scale's ranges without cutting frames: the frames' own.
    expect(sliceRanges(run, 1)).toEqual([{ fieldRange: sliceRun(run, 1, 2).frames[0].fieldRange }]);
    expect(() => sliceRun(run, 0, 4)).toThrow('layer 4: expected an integer 0..3');
    expect(() => sliceRun(run, 2, 0)).toThrow('field 2: expected an integer 0..1');
  });

  it('2D runs: every agent is shown whatever its z', () => {
    const run = assembleRun(
      [
        agentsPart('agents-0000000.arrow', 0, 2, [
          [10, 10, 0, 0, 0],
          [30, 10, 55, 0, 0],
        ]),
      ],
      [fieldsPart('fields-0000000.bin', 0, [4, 3, 1])],
      opts,
    );
    expect(sliceRun(run, 0, 0).frames[0].x.length).toBe(2);
  });
});

describe('run facts', () => {
  const summary = JSON.stringify({ name: 'spatial-homing', timeMin: 720, counts: { lsc: 30, endo: 6 } });
  const manifest = JSON.stringify({
    tool: 'exoniche',
    version: '0.1.0',
    seed: 31,
    parameterHash: 'abc123',
    createdAt: '2026-11-27T15:00:00.000Z',
    inputs: [{ path: 'examples/spatial/homing.yaml', sha256: 'ff' }],
    settings: { threads: 1, optionsHash: 'deadbeef', durationMin: 720, snapshotEveryMin: 120 },
    result: { counts: { lsc: 30, endo: 6 } },
  });

  it('reads name, version, seed, hashes and counts', () => {
    expect(
      runFacts({ source: 'summary.json', text: summary }, { source: 'manifest.json', text: manifest }),
    ).toEqual({
      name: 'spatial-homing',
      version: '0.1.0',
      seed: 31,
      optionsHash: 'deadbeef',
      parameterHash: 'abc123',
      createdAt: '2026-11-27T15:00:00.000Z',
      input: 'examples/spatial/homing.yaml',
      threads: 1,
      durationMin: 720,
      snapshotEveryMin: 120,
      counts: { lsc: 30, endo: 6 },
    });
    expect(runFacts()).toEqual({});
    expect(runFacts(undefined, { source: 'm.json', text: manifest }).counts).toEqual({ lsc: 30, endo: 6 });
  });

  it('names the file of bad JSON', () => {
    expect(() => runFacts({ source: 'run/summary.json', text: '{"name": ' })).toThrow(
      /^run\/summary\.json: not JSON/,
    );
    expect(() => runFacts(undefined, { source: 'run/manifest.json', text: '[1]' })).toThrow(
      'run/manifest.json: expected a JSON object',
    );
  });
});

describe('decoding real snapshots (the Worker side)', () => {
  const kb = loadKnowledgeBase();
  /** A small 3D niche: 60 x 40 x 80 um in 20 um voxels (3 x 2 x 4), cells in several layers, 12 min. */
  const sim = new SpatialNiche(kb, {
    dims: 3,
    domain: { lo: [0, 0, 0], hi: [60, 40, 80] },
    voxel: 20,
    seed: 5,
    dtDiffusion: 0.1,
    dtMechanics: 0.1,
    dtPhenotype: 6,
    lscCapacity: 100,
    oxygen: { boundary: 32 },
  });
  sim.addCell({ type: 'endo', x: 30, y: 20, z: 10 });
  sim.addCell({ type: 'bmsc', x: 10, y: 20, z: 50 });
  for (let k = 0; k < 6; k++)
    sim.addCell({ type: 'lsc', x: 8 + 9 * k, y: 12, z: 5 + 13 * k, quiescent: k % 2 === 0 });
  const stamp = (t: number) => String(Math.round(t)).padStart(7, '0');
  const files: SnapshotFileInput[] = [];
  const put = (path: string, b: Uint8Array) => files.push({ path, bytes: b.slice().buffer });
  const snap = () => {
    put(`run/snapshots/agents-${stamp(sim.time)}.arrow`, agentSnapshot(sim));
    put(`run/snapshots/fields-${stamp(sim.time)}.bin`, fieldSnapshot(sim));
  };
  snap();
  sim.run(12);
  snap();
  const lastCols = sim.agentColumns();
  const g = sim.grid;
  const names = sim.fields.substrates.map((s) => s.name);
  const oxygen = names.indexOf('oxygen');
  const oxygenNow = Float64Array.from(sim.fields.field(oxygen));
  put('run/checkpoint.bin', new TextEncoder().encode('EXNCKP01 not read'));
  put('run/summary.json', new TextEncoder().encode(JSON.stringify({ name: 'tiny3d', counts: sim.counts() })));

  it('decodes a 3D run folder: frames, slices equal to the simulation, agents in their slabs', () => {
    const run = decodeSnapshotFiles({ files, mode: 'folder' });
    expect(run.name).toBe('tiny3d');
    expect(run.dims).toBe(3);
    expect(run.frames.map((f) => f.time)).toEqual([0, 12]);
    expect(run.grid).toMatchObject({ nx: g.nx, ny: g.ny, nz: g.nz, dx: 20, fromFields: true });
    expect([g.nx, g.ny, g.nz]).toEqual([3, 2, 4]);
    expect(run.ignored).toEqual(['run/checkpoint.bin']);
    expect(run.cellTypes).toEqual(CELL_TYPES);
    expect(run.fields.map((f) => f.name)).toEqual(names);
    const last = run.frames[1];
    expect(last.x.length).toBe(lastCols.id.length);
    // Positions as float32 of the simulation's (relative 2^-24).
    for (let i = 0; i < lastCols.id.length; i++) {
      expect(Math.abs(last.x[i] - lastCols.x[i])).toBeLessThanOrEqual(1e-6 * Math.abs(lastCols.x[i]) + 1e-6);
      expect(Math.abs(last.z[i] - lastCols.z[i])).toBeLessThanOrEqual(1e-6 * Math.abs(lastCols.z[i]) + 1e-6);
      expect(CELL_TYPES[last.type[i]]).toBe(CELL_TYPES[lastCols.type[i]]);
    }
    let total = 0;
    for (let layer = 0; layer < g.nz; layer++) {
      const s = sliceRun(run, oxygen, layer).frames[1];
      // Voxel (i, j, layer) of the oxygen field, as float32 of the solver's value.
      for (let j = 0; j < g.ny; j++)
        for (let i = 0; i < g.nx; i++) {
          const v = oxygenNow[i + g.nx * (j + g.ny * layer)];
          expect(Math.abs(s.field[i + g.nx * j] - v)).toBeLessThanOrEqual(1e-6 * Math.abs(v));
        }
      for (let a = 0; a < s.x.length; a++) expect(s.x[a]).toBeGreaterThanOrEqual(0);
      // Every agent in the slab has its centre's z in [20 layer, 20 (layer + 1)).
      const inSlab = Array.from(lastCols.z).filter((z) => layerOf(z, run.grid) === layer).length;
      expect(s.x.length).toBe(inSlab);
      total += s.x.length;
    }
    expect(total).toBe(lastCols.id.length);
  });

  const only = (keep: (f: SnapshotFileInput) => boolean) =>
    files.filter(keep).map((f) => ({ ...f, bytes: f.bytes.slice(0) }));

  it('refuses a truncated agent or field file, naming it', () => {
    const cut = (suffix: string, n: number) =>
      only((f) => f.path.endsWith('.arrow') || f.path.endsWith('.bin')).map((f) =>
        f.path.endsWith(suffix) ? { ...f, bytes: f.bytes.slice(0, f.bytes.byteLength - n) } : f,
      );
    expect(() => decodeSnapshotFiles({ files: cut('agents-0000012.arrow', 100), mode: 'folder' })).toThrow(
      /^run\/snapshots\/agents-0000012\.arrow: truncated Arrow IPC file/,
    );
    expect(() => decodeSnapshotFiles({ files: cut('fields-0000012.bin', 8), mode: 'folder' })).toThrow(
      /^run\/snapshots\/fields-0000012\.bin: \d+ bytes, expected \d+ for the header's grid/,
    );
  });

  it('refuses a file that is not a snapshot (picked files), or a snapshot under the wrong name', () => {
    const pick = only((f) => f.path.includes('0000012')).map((f) => ({
      ...f,
      path: f.path.split('/').pop() ?? f.path,
    }));
    const ok = decodeSnapshotFiles({ files: pick, mode: 'files' });
    expect(ok.frames.length).toBe(1);
    expect(() =>
      decodeSnapshotFiles({
        files: [...pick, { path: 'notes.txt', bytes: new TextEncoder().encode('hello').buffer }],
        mode: 'files',
      }),
    ).toThrow(/^notes\.txt: not a snapshot: expected an agent snapshot \(agents-<t>\.arrow/);
    // A field file named as agents: the Arrow decoder says what it expected.
    const swapped = pick.map((f) => (f.path.endsWith('.bin') ? { ...f, path: 'agents-0000012.arrow' } : f));
    expect(() =>
      decodeSnapshotFiles({
        files: swapped.filter((f) => f.path.endsWith('.arrow')).slice(1),
        mode: 'files',
      }),
    ).toThrow(/^agents-0000012\.arrow: not an Arrow IPC file/);
    // A snapshot under another name is recognised by its bytes.
    const renamed = pick.map((f) => ({ ...f, path: f.path.endsWith('.bin') ? 'oxygen.dat' : f.path }));
    expect(decodeSnapshotFiles({ files: renamed, mode: 'files' }).frames[0].fieldsFile).toBe('oxygen.dat');
  });

  it('refuses files of two runs with different domains', () => {
    const other = new SpatialNiche(kb, {
      dims: 3,
      domain: { lo: [0, 0, 0], hi: [60, 40, 60] },
      voxel: 20,
      seed: 5,
      dtDiffusion: 0.1,
      dtMechanics: 0.1,
      dtPhenotype: 6,
      lscCapacity: 100,
      oxygen: { boundary: 32 },
    });
    const mixed = [
      ...only((f) => f.path.endsWith('fields-0000000.bin')),
      { path: 'b/snapshots/fields-0000012.bin', bytes: fieldSnapshot(other).slice().buffer },
    ];
    // other.time is 0: the name says 12, so rename by its own time first.
    mixed[1].path = 'b/snapshots/fields-0000000x.bin';
    expect(() => decodeSnapshotFiles({ files: mixed, mode: 'files' })).toThrow(
      "b/snapshots/fields-0000000x.bin: header 'shape' is [3,2,3], expected [3,2,4] as in run/snapshots/fields-0000000.bin (files of one run share one domain)",
    );
  });
});

/**
 * Size check behind a flag (EXONICHE_BIG=1): 100,000 agents (a 14.5 MB Arrow file) and a 50^3 grid of 6 fields
 * (6 MB), decoded and paired as the snapshot Worker does, then one z-slice cut.
 */
describe.runIf(process.env.EXONICHE_BIG === '1')('a 100,000-agent snapshot', () => {
  it('decodes in the Worker budget and slices fast', () => {
    const n = 100_000;
    const f64 = (s: number) => Float64Array.from({ length: n }, (_, i) => ((i * 7919 + s) % 1000) + 0.5);
    const columns = Object.fromEntries(
      [
        'x',
        'y',
        'z',
        'radius',
        'quiescence',
        'protection',
        'proliferation',
        'tki',
        'hypoxia',
        'uptakeCml',
        'uptakeBmsc',
        'cargoCml',
        'cargoLsc',
        'cargoBmsc',
        'il8',
        'support',
        'vasc',
      ].map((k, s) => [k, f64(s)]),
    );
    const agents = encodeAgents({
      time: 0,
      dims: 3,
      columns: {
        ...columns,
        id: Int32Array.from({ length: n }, (_, i) => i),
        type: Int32Array.from({ length: n }, (_, i) => i % 6),
        cycling: new Uint8Array(n),
      } as unknown as Parameters<typeof encodeAgents>[0]['columns'],
    });
    const nx = 50;
    const fields = encodeFields({
      header: {
        format: 'exoniche-fields',
        version: 1,
        time: 0,
        dims: 3,
        shape: [nx, nx, nx],
        spacing: [20, 20, 20],
        origin: [0, 0, 0],
        depth: 1,
        fields: Array.from({ length: 6 }, (_, i) => ({ name: `f${i}`, unit: 'u' })),
        order: 'x-fastest',
        dtype: 'float64-le',
      },
      data: Float64Array.from({ length: 6 * nx ** 3 }, (_, i) => i % 97),
    });
    const t0 = performance.now();
    const run = decodeSnapshotFiles({
      files: [
        { path: 'agents-0000000.arrow', bytes: agents.slice().buffer },
        { path: 'fields-0000000.bin', bytes: fields.slice().buffer },
      ],
      mode: 'files',
    });
    const t1 = performance.now();
    const s = sliceRun(run, 2, 25).frames[0];
    const t2 = performance.now();
    console.log(
      `100,000 agents (${(agents.length / 1e6).toFixed(1)} MB) + ${6 * nx ** 3} voxel values (${(fields.length / 1e6).toFixed(1)} MB): decode and pair ${(t1 - t0).toFixed(0)} ms, one z-slice ${(t2 - t1).toFixed(1)} ms (${s.x.length} agents in the slab)`,
    );
    expect(run.agentCount).toBe(n);
    // z = ((i 7919 + 2) mod 1000) + 0.5 in [500, 520): 20 values of 1000, i.e. 2 % of the agents.
    expect(s.x.length).toBe(2000);
  }, 60_000);
});
