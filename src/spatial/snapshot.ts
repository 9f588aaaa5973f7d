/**
 * Snapshots of a spatial run as bytes (pure: the caller writes them, atomically, e.g. with src/io/atomic-write.ts):
 *
 * - agents: an Apache Arrow IPC file, one row per agent in ascending id, columns of `AgentColumns` (model.ts) with
 *   `type` as a dictionary-encoded string (CELL_TYPES); schema metadata `format` = 'exoniche-agents', `version`,
 *   `time_min`, `dims`. Arrow files open in pyarrow, polars, DuckDB and the browser (apache-arrow).
 * - fields: the layout of docs/spatial.md ("Snapshots"): 8-byte magic `EXNFLD01`, a uint32 little-endian header
 *   length H, H bytes of UTF-8 JSON (grid, field names and units, time), zero padding to a multiple of 8 bytes,
 *   then each field's voxels as little-endian Float64, x fastest (voxel i + nx (j + ny k)).
 *
 * Kept out of index.ts so the dashboard bundle takes Arrow only if it imports this module.
 */
import {
  Dictionary,
  Int32,
  makeData,
  makeVector,
  Schema,
  Table,
  tableFromIPC,
  tableToIPC,
  Utf8,
  vectorFromArray,
} from 'apache-arrow';
import type { Grid } from '../numerics/fields/grid.js';
import { CELL_TYPES, SpatialError } from './cell-types.js';
import type { AgentColumns, SpatialNiche } from './model.js';
import { FIELD_UNITS } from './units.js';

export const AGENT_SNAPSHOT_FORMAT = 'exoniche-agents';
export const FIELD_MAGIC = 'EXNFLD01';

const F64_NAMES = [
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
] as const;

export interface AgentSnapshot {
  readonly time: number;
  readonly dims: 2 | 3;
  readonly columns: AgentColumns;
  /**
   * Lineage option only: the domain's differentiated (y2) and mature (y3) leukaemic cells, which are counts, not
   * agents (schema metadata `lineage_y2`, `lineage_y3`; the progenitors are the rows of type cml).
   */
  readonly lineage?: { readonly y2: number; readonly y3: number };
}

/** Agent columns as an Arrow IPC file. */
export function encodeAgents(snapshot: AgentSnapshot): Uint8Array {
  const c = snapshot.columns;
  for (let i = 0; i < c.type.length; i++)
    if (CELL_TYPES[c.type[i]] === undefined)
      throw new SpatialError(`agent snapshot: row ${i} type index ${c.type[i]} is not a cell type`);
  // Dictionary id fixed at 0 (Arrow JS otherwise numbers dictionaries per process): the same run gives the same
  // bytes.
  const type = makeVector(
    makeData({
      type: new Dictionary(new Utf8(), new Int32(), 0),
      length: c.type.length,
      nullCount: 0,
      data: c.type,
      dictionary: vectorFromArray([...CELL_TYPES], new Utf8()),
    }),
  );
  const vectors: Record<string, ReturnType<typeof makeVector>> = { id: makeVector(c.id), type };
  for (const k of F64_NAMES) vectors[k] = makeVector(c[k]);
  vectors.cycling = makeVector(c.cycling);
  const t = new Table(vectors);
  const meta = new Map([
    ['format', AGENT_SNAPSHOT_FORMAT],
    ['version', '1'],
    ['time_min', String(snapshot.time)],
    ['dims', String(snapshot.dims)],
    ...(snapshot.lineage
      ? [
          ['lineage_y2', String(snapshot.lineage.y2)] as [string, string],
          ['lineage_y3', String(snapshot.lineage.y3)] as [string, string],
        ]
      : []),
  ]);
  return tableToIPC(new Table(new Schema(t.schema.fields, meta), t.batches), 'file');
}

/** Reads `encodeAgents` bytes back; clear errors for a file of another kind. */
export function decodeAgents(bytes: Uint8Array, source = 'agent snapshot'): AgentSnapshot {
  let t: Table;
  try {
    t = tableFromIPC(bytes);
  } catch (e) {
    throw new SpatialError(`${source}: not an Arrow IPC file (${(e as Error).message})`);
  }
  const md = t.schema.metadata;
  if (md.get('format') !== AGENT_SNAPSHOT_FORMAT)
    throw new SpatialError(
      `${source}: schema metadata 'format' is ${md.get('format')}, expected ${AGENT_SNAPSHOT_FORMAT}`,
    );
  const dims = Number(md.get('dims'));
  if (dims !== 2 && dims !== 3)
    throw new SpatialError(`${source}: metadata 'dims' ${md.get('dims')}: expected 2 or 3`);
  const col = (name: string) => {
    const v = t.getChild(name);
    if (v === null) throw new SpatialError(`${source}: column '${name}' missing`);
    return v;
  };
  const n = t.numRows;
  const f64 = (name: string) => Float64Array.from(col(name).toArray() as ArrayLike<number>);
  const typeNames = col('type').toArray() as ArrayLike<string>;
  const type = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const k = (CELL_TYPES as readonly string[]).indexOf(typeNames[i]);
    if (k < 0)
      throw new SpatialError(`${source}: row ${i} column 'type': '${typeNames[i]}' is not a cell type`);
    type[i] = k;
  }
  const columns = {
    id: Int32Array.from(col('id').toArray() as ArrayLike<number>),
    type,
    cycling: Uint8Array.from(col('cycling').toArray() as ArrayLike<number>),
    ...Object.fromEntries(F64_NAMES.map((k) => [k, f64(k)])),
  } as unknown as AgentColumns;
  const y2 = md.get('lineage_y2');
  const y3 = md.get('lineage_y3');
  const lineage = y2 !== undefined && y3 !== undefined ? { y2: Number(y2), y3: Number(y3) } : undefined;
  if (lineage && !(Number.isFinite(lineage.y2) && Number.isFinite(lineage.y3)))
    throw new SpatialError(`${source}: metadata 'lineage_y2' / 'lineage_y3' ${y2} / ${y3}: expected numbers`);
  return { time: Number(md.get('time_min')), dims, columns, ...(lineage ? { lineage } : {}) };
}

/** The agents of a run now, as an Arrow IPC file. */
export function agentSnapshot(sim: SpatialNiche): Uint8Array {
  const l = sim.lineage();
  return encodeAgents({
    time: sim.time,
    dims: sim.dims,
    columns: sim.agentColumns(),
    ...(l ? { lineage: { y2: l.y2, y3: l.y3 } } : {}),
  });
}

export interface FieldHeader {
  readonly format: 'exoniche-fields';
  readonly version: 1;
  /** Simulated time (min). */
  readonly time: number;
  readonly dims: 1 | 2 | 3;
  /** Voxels per axis [nx, ny, nz] (1 for a missing axis). */
  readonly shape: readonly [number, number, number];
  /** Voxel edges (um). */
  readonly spacing: readonly [number, number, number];
  /** Lower corner of voxel (0, 0, 0) (um). */
  readonly origin: readonly [number, number, number];
  /** 2D runs: slab thickness (um) by which per-area amounts become per-volume; 3D: 1. */
  readonly depth: number;
  readonly fields: readonly { readonly name: string; readonly unit: string }[];
  readonly order: 'x-fastest';
  readonly dtype: 'float64-le';
}

export interface FieldSnapshot {
  readonly header: FieldHeader;
  /** Field f, voxel v at data[f * nx ny nz + v]. */
  readonly data: Float64Array;
}

/** The fields of a run now, in the documented binary layout. */
export function fieldSnapshot(sim: SpatialNiche): Uint8Array {
  const g: Grid = sim.grid;
  const header: FieldHeader = {
    format: 'exoniche-fields',
    version: 1,
    time: sim.time,
    dims: g.dims,
    shape: [g.nx, g.ny, g.nz],
    spacing: [g.dx, g.dy, g.dz],
    origin: [g.x0, g.y0, g.z0],
    depth: sim.depth,
    fields: sim.fields.substrates.map((s) => ({ name: s.name, unit: FIELD_UNITS[s.name] ?? 'unknown' })),
    order: 'x-fastest',
    dtype: 'float64-le',
  };
  return encodeFields({ header, data: sim.fields.data.subarray(0, header.fields.length * g.voxelCount) });
}

const littleEndian = new Uint8Array(Float64Array.of(1).buffer)[7] === 0x3f;

export function encodeFields(s: FieldSnapshot): Uint8Array {
  const h = s.header;
  const voxels = h.shape[0] * h.shape[1] * h.shape[2];
  if (s.data.length !== voxels * h.fields.length)
    throw new SpatialError(
      `field snapshot: ${s.data.length} values, header describes ${h.fields.length} fields x ${voxels} voxels`,
    );
  const json = new TextEncoder().encode(JSON.stringify(h));
  const start = Math.ceil((12 + json.length) / 8) * 8;
  const out = new Uint8Array(start + 8 * s.data.length);
  for (let i = 0; i < 8; i++) out[i] = FIELD_MAGIC.charCodeAt(i);
  const dv = new DataView(out.buffer);
  dv.setUint32(8, json.length, true);
  out.set(json, 12);
  if (littleEndian) out.set(new Uint8Array(s.data.buffer, s.data.byteOffset, 8 * s.data.length), start);
  else for (let i = 0; i < s.data.length; i++) dv.setFloat64(start + 8 * i, s.data[i], true);
  return out;
}

export function decodeFields(bytes: Uint8Array, source = 'field snapshot'): FieldSnapshot {
  if (bytes.length < 12) throw new SpatialError(`${source}: ${bytes.length} bytes, too short for the header`);
  const magic = String.fromCharCode(...bytes.subarray(0, 8));
  if (magic !== FIELD_MAGIC)
    throw new SpatialError(`${source}: bytes 0-7 are '${magic}', expected '${FIELD_MAGIC}'`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const hl = dv.getUint32(8, true);
  if (12 + hl > bytes.length) throw new SpatialError(`${source}: header length ${hl} runs past the end`);
  let header: FieldHeader;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + hl))) as FieldHeader;
  } catch (e) {
    throw new SpatialError(`${source}: header is not JSON (${(e as Error).message})`);
  }
  if (header.format !== 'exoniche-fields' || header.version !== 1)
    throw new SpatialError(
      `${source}: header format ${header.format} v${header.version}, expected exoniche-fields v1`,
    );
  if (
    !Array.isArray(header.shape) ||
    header.shape.length !== 3 ||
    !header.shape.every((n) => Number.isInteger(n) && n > 0)
  )
    throw new SpatialError(`${source}: header field 'shape' must be three positive integers`);
  if (!Array.isArray(header.fields))
    throw new SpatialError(`${source}: header field 'fields' must be an array`);
  const start = Math.ceil((12 + hl) / 8) * 8;
  const count = header.shape[0] * header.shape[1] * header.shape[2] * header.fields.length;
  if (bytes.length !== start + 8 * count)
    throw new SpatialError(
      `${source}: ${bytes.length} bytes, expected ${start + 8 * count} for the header's grid`,
    );
  const data = new Float64Array(count);
  for (let i = 0; i < count; i++) data[i] = dv.getFloat64(start + 8 * i, true);
  return { header, data };
}
