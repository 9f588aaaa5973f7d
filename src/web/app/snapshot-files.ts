/**
 * Snapshot files of a CLI spatial run (`exoniche spatial`, docs/spatial.md "Running from the command line") for the
 * Spatial tab: which files to read, how agent and field snapshots pair up by time, and the 2D view of a 3D run (a
 * z-slice of the fields and the agents whose centre lies in that voxel layer's slab). Pure: no Arrow (decoding is
 * snapshot-decode.ts, run in a Worker), no DOM, so it runs in Node tests and in the Worker alike.
 *
 * Pairing: each file carries its own time (Arrow schema metadata `time_min`, the field header's `time`); a file
 * name `agents-<t>.arrow` / `fields-<t>.bin` (t in whole minutes, docs/spatial.md) must agree with it to within the
 * half minute the CLI rounds to. Agents and fields at the same time form one frame; a time with only one of them is
 * a frame with no agents or with the field drawn grey (NaN). All field files must share one grid and one list of
 * fields, and the agents' `dims` must be the fields' `dims`.
 */
import type { SpatialFrame, SpatialRun } from '../spatial-info.js';

export class SnapshotFilesError extends Error {
  override name = 'SnapshotFilesError';
}

export type FileKind = 'agents' | 'fields' | 'summary' | 'manifest' | 'other';

/** Kind and time (min) from a file name (the last path segment); `time` is NaN when the name carries none. */
export function classifyName(path: string): { kind: FileKind; time: number } {
  const base = path.split('/').pop() ?? path;
  const m = /^(agents|fields)-(\d+(?:\.\d+)?)\.(arrow|bin)$/i.exec(base);
  if (m && (m[1].toLowerCase() === 'agents') === (m[3].toLowerCase() === 'arrow'))
    return { kind: m[1].toLowerCase() as 'agents' | 'fields', time: Number(m[2]) };
  if (/\.arrow$/i.test(base)) return { kind: 'agents', time: Number.NaN };
  if (base === 'summary.json') return { kind: 'summary', time: Number.NaN };
  if (base === 'manifest.json') return { kind: 'manifest', time: Number.NaN };
  return { kind: 'other', time: Number.NaN };
}

const ARROW_MAGIC = 'ARROW1';
const FIELD_MAGIC = 'EXNFLD01';

/** Kind from the first bytes: an Arrow IPC file starts `ARROW1`, a field snapshot `EXNFLD01`. */
export function sniffKind(bytes: Uint8Array): 'agents' | 'fields' | 'other' {
  const head = String.fromCharCode(...bytes.subarray(0, 8));
  if (head.startsWith(ARROW_MAGIC)) return 'agents';
  if (head === FIELD_MAGIC) return 'fields';
  return 'other';
}

/** What the view needs of a decoded agent snapshot (snapshot.ts AgentSnapshot; extra columns are ignored). */
export interface AgentsPart {
  readonly source: string;
  readonly time: number;
  readonly dims: 2 | 3;
  readonly columns: {
    readonly x: ArrayLike<number>;
    readonly y: ArrayLike<number>;
    readonly z: ArrayLike<number>;
    readonly radius: ArrayLike<number>;
    /** Index into the run's cell types. */
    readonly type: ArrayLike<number>;
    readonly cycling: ArrayLike<number>;
    readonly uptakeCml?: ArrayLike<number>;
    readonly uptakeBmsc?: ArrayLike<number>;
  };
}

/** What the view needs of a decoded field snapshot (snapshot.ts FieldSnapshot). */
export interface FieldsPart {
  readonly source: string;
  readonly header: {
    readonly time: number;
    readonly dims: number;
    readonly shape: readonly number[];
    readonly spacing: readonly number[];
    readonly origin: readonly number[];
    readonly fields: readonly { readonly name: string; readonly unit: string }[];
  };
  readonly data: ArrayLike<number>;
}

export interface LoadedGrid {
  readonly nx: number;
  readonly ny: number;
  readonly nz: number;
  readonly dx: number;
  readonly dy: number;
  readonly dz: number;
  readonly x0: number;
  readonly y0: number;
  readonly z0: number;
  /** false: no field file was given; the grid is the agents' bounding box, one layer, no field values. */
  readonly fromFields: boolean;
}

/** One time point: agents packed for drawing, and every field over the whole grid (or null: no field file). */
export interface LoadedFrame {
  readonly time: number;
  readonly agentsFile: string | null;
  readonly fieldsFile: string | null;
  readonly x: Float32Array;
  readonly y: Float32Array;
  readonly z: Float32Array;
  readonly radius: Float32Array;
  readonly type: Uint8Array;
  /** STATE_NAMES index (spatial-info.ts): 0 none, 1 quiescent LSC, 2 cycling LSC. */
  readonly state: Uint8Array;
  /** uptakeCml + uptakeBmsc (0 when the columns are absent). */
  readonly uptake: Float32Array;
  /** Field f, voxel v (x fastest) at fields[f nx ny nz + v]. */
  readonly fields: Float32Array | null;
  /** Minimum and maximum of each field over the whole grid (NaN when no field file). */
  readonly ranges: readonly (readonly [number, number])[];
}

/** Facts of summary.json and manifest.json (absent ones undefined). */
export interface RunFacts {
  readonly name?: string;
  readonly version?: string;
  readonly seed?: number;
  readonly optionsHash?: string;
  readonly parameterHash?: string;
  readonly createdAt?: string;
  readonly input?: string;
  readonly threads?: number;
  readonly durationMin?: number;
  readonly snapshotEveryMin?: number;
  /** Cells by type at the end of the run. */
  readonly counts?: Readonly<Record<string, number>>;
}

export interface LoadedRun {
  readonly name: string;
  readonly dims: 2 | 3;
  readonly grid: LoadedGrid;
  readonly fields: readonly { readonly name: string; readonly unit: string }[];
  readonly cellTypes: readonly string[];
  readonly frames: readonly LoadedFrame[];
  readonly facts: RunFacts;
  /** Files read and files passed over (not snapshots, in a folder). */
  readonly read: readonly string[];
  readonly ignored: readonly string[];
  /** Agents over all frames, and voxels per frame (nx ny nz). */
  readonly agentCount: number;
  readonly voxelCount: number;
  /** Decode time in the Worker (ms). */
  readonly ms: number;
}

const sameTime = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));

const fmtTime = (t: number) => `${+t.toFixed(6)} min`;

function checkNameTime(source: string, kind: 'agents' | 'fields', time: number, what: string): void {
  if (!Number.isFinite(time))
    throw new SnapshotFilesError(`${source}: ${what} is ${time}, expected a finite time in minutes`);
  const fromName = classifyName(source);
  // The CLI names files by the time rounded to whole minutes.
  if (fromName.kind === kind && Number.isFinite(fromName.time) && Math.abs(fromName.time - time) > 0.5)
    throw new SnapshotFilesError(
      `${source}: the file name says t = ${fmtTime(fromName.time)} but its ${what} is ${fmtTime(time)}`,
    );
}

const GRID_KEYS = ['dims', 'shape', 'spacing', 'origin'] as const;

function rangeOf(a: Float32Array, from: number, to: number): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let i = from; i < to; i++) {
    const v = a[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : [Number.NaN, Number.NaN];
}

/**
 * Pairs decoded snapshots into frames in time order. Throws SnapshotFilesError naming the file for: no snapshot at
 * all, a time that is not finite or disagrees with the file name, two files of one kind at one time, field files on
 * different grids or with different fields, agents whose `dims` differ from the fields' (or from each other's), a
 * cell type index the run's list lacks.
 */
export function assembleRun(
  agents: readonly AgentsPart[],
  fields: readonly FieldsPart[],
  options: {
    readonly cellTypes: readonly string[];
    readonly name: string;
    readonly facts?: RunFacts;
    readonly read?: readonly string[];
    readonly ignored?: readonly string[];
    readonly ms?: number;
  },
): LoadedRun {
  if (agents.length === 0 && fields.length === 0)
    throw new SnapshotFilesError(
      'no snapshot among the files: expected snapshots/agents-<t>.arrow (Apache Arrow IPC) or snapshots/fields-<t>.bin (EXNFLD01) files of an `exoniche spatial` run',
    );
  const ref = fields[0];
  for (const f of fields) {
    checkNameTime(f.source, 'fields', f.header.time, "header 'time'");
    for (const k of GRID_KEYS)
      if (JSON.stringify(f.header[k]) !== JSON.stringify(ref.header[k]))
        throw new SnapshotFilesError(
          `${f.source}: header '${k}' is ${JSON.stringify(f.header[k])}, expected ${JSON.stringify(ref.header[k])} as in ${ref.source} (files of one run share one domain)`,
        );
    const names = f.header.fields.map((x) => x.name).join(', ');
    const refNames = ref.header.fields.map((x) => x.name).join(', ');
    if (names !== refNames)
      throw new SnapshotFilesError(
        `${f.source}: fields [${names}], expected [${refNames}] as in ${ref.source} (files of one run hold the same fields)`,
      );
  }
  const dims = (ref ? ref.header.dims : agents[0].dims) as number;
  for (const a of agents) {
    checkNameTime(a.source, 'agents', a.time, "schema metadata 'time_min'");
    if (a.dims !== dims)
      throw new SnapshotFilesError(
        `${a.source}: metadata 'dims' is ${a.dims}, expected ${dims} as in ${ref ? ref.source : agents[0].source}`,
      );
    const c = a.columns;
    for (let i = 0; i < c.type.length; i++)
      if (!(c.type[i] >= 0 && c.type[i] < options.cellTypes.length))
        throw new SnapshotFilesError(
          `${a.source}: row ${i} cell type index ${c.type[i]}, expected 0..${options.cellTypes.length - 1}`,
        );
  }
  if (dims !== 2 && dims !== 3)
    throw new SnapshotFilesError(
      `${ref ? ref.source : agents[0].source}: dims ${dims}, expected 2 or 3 (the Spatial tab draws 2D runs and slices of 3D runs)`,
    );

  // One slot per distinct time, each kind at most once.
  const slots: { time: number; a?: AgentsPart; f?: FieldsPart }[] = [];
  const slotAt = (t: number) => {
    let s = slots.find((x) => sameTime(x.time, t));
    if (!s) {
      s = { time: t };
      slots.push(s);
    }
    return s;
  };
  for (const a of agents) {
    const s = slotAt(a.time);
    if (s.a)
      throw new SnapshotFilesError(
        `${a.source}: a second agent snapshot at t = ${fmtTime(a.time)} (${s.a.source} has that time); expected one per time`,
      );
    s.a = a;
  }
  for (const f of fields) {
    const s = slotAt(f.header.time);
    if (s.f)
      throw new SnapshotFilesError(
        `${f.source}: a second field snapshot at t = ${fmtTime(f.header.time)} (${s.f.source} has that time); expected one per time`,
      );
    s.f = f;
  }
  slots.sort((p, q) => p.time - q.time);

  let grid: LoadedGrid;
  if (ref) {
    const [nx, ny, nz] = ref.header.shape;
    const [dx, dy, dz] = ref.header.spacing;
    const [x0, y0, z0] = ref.header.origin;
    grid = { nx, ny, nz, dx, dy, dz, x0, y0, z0, fromFields: true };
  } else grid = boundingGrid(agents);
  const voxels = grid.nx * grid.ny * grid.nz;
  const nf = ref ? ref.header.fields.length : 0;

  let agentCount = 0;
  const frames: LoadedFrame[] = slots.map((s) => {
    const n = s.a ? s.a.columns.x.length : 0;
    agentCount += n;
    const x = new Float32Array(n);
    const y = new Float32Array(n);
    const z = new Float32Array(n);
    const radius = new Float32Array(n);
    const type = new Uint8Array(n);
    const state = new Uint8Array(n);
    const uptake = new Float32Array(n);
    if (s.a) {
      const c = s.a.columns;
      const lsc = options.cellTypes.indexOf('lsc');
      for (let i = 0; i < n; i++) {
        x[i] = c.x[i];
        y[i] = c.y[i];
        z[i] = c.z[i];
        radius[i] = c.radius[i];
        type[i] = c.type[i];
        state[i] = c.type[i] === lsc ? (c.cycling[i] === 1 ? 2 : 1) : 0;
        uptake[i] = (c.uptakeCml?.[i] ?? 0) + (c.uptakeBmsc?.[i] ?? 0);
      }
    }
    let data: Float32Array | null = null;
    const ranges: [number, number][] = [];
    if (s.f) {
      if (s.f.data.length !== nf * voxels)
        throw new SnapshotFilesError(
          `${s.f.source}: ${s.f.data.length} values, expected ${nf} fields x ${voxels} voxels`,
        );
      data = Float32Array.from(s.f.data);
      for (let f = 0; f < nf; f++) ranges.push(rangeOf(data, f * voxels, (f + 1) * voxels));
    } else for (let f = 0; f < nf; f++) ranges.push([Number.NaN, Number.NaN]);
    return {
      time: s.time,
      agentsFile: s.a?.source ?? null,
      fieldsFile: s.f?.source ?? null,
      x,
      y,
      z,
      radius,
      type,
      state,
      uptake,
      fields: data,
      ranges,
    };
  });
  return {
    name: options.name,
    dims: dims as 2 | 3,
    grid,
    fields: ref ? ref.header.fields.map((f) => ({ name: f.name, unit: f.unit })) : [],
    cellTypes: options.cellTypes,
    frames,
    facts: options.facts ?? {},
    read: options.read ?? [],
    ignored: options.ignored ?? [],
    agentCount,
    voxelCount: voxels,
    ms: options.ms ?? 0,
  };
}

/** With no field file: the agents' bounding box (cells included) as a one-voxel, one-layer grid. */
function boundingGrid(agents: readonly AgentsPart[]): LoadedGrid {
  let x0 = Number.POSITIVE_INFINITY;
  let y0 = Number.POSITIVE_INFINITY;
  let x1 = Number.NEGATIVE_INFINITY;
  let y1 = Number.NEGATIVE_INFINITY;
  for (const a of agents) {
    const c = a.columns;
    for (let i = 0; i < c.x.length; i++) {
      x0 = Math.min(x0, c.x[i] - c.radius[i]);
      x1 = Math.max(x1, c.x[i] + c.radius[i]);
      y0 = Math.min(y0, c.y[i] - c.radius[i]);
      y1 = Math.max(y1, c.y[i] + c.radius[i]);
    }
  }
  if (!(x1 > x0 && y1 > y0)) [x0, y0, x1, y1] = [0, 0, 1, 1];
  return { nx: 1, ny: 1, nz: 1, dx: x1 - x0, dy: y1 - y0, dz: 1, x0, y0, z0: 0, fromFields: false };
}

/**
 * Voxel layer of a height z: floor((z - z0) / dz), clamped to [0, nz) (a centre on the top face belongs to the top
 * layer, as the field solver's voxel of that point).
 */
export function layerOf(z: number, grid: Pick<LoadedGrid, 'nz' | 'dz' | 'z0'>): number {
  const k = Math.floor((z - grid.z0) / grid.dz);
  return k < 0 ? 0 : k >= grid.nz ? grid.nz - 1 : k;
}

/**
 * The run as the renderer's SpatialRun for one field and one voxel layer: each frame's field is layer `layer` of
 * field `field` (a view into the frame's array, no copy; NaN when the time has no field file) and its agents those
 * whose centre lies in that layer's slab [z0 + layer dz, z0 + (layer + 1) dz) (2D runs: all agents). Agents outside
 * the domain in z count for the nearest layer. `fieldRange` is the field's range over the whole grid at that time,
 * so that the colour scale does not change as the slice moves (`sliceRanges` gives those ranges without cutting
 * frames).
 */
export function sliceRun(run: LoadedRun, field: number, layer: number): SpatialRun {
  const g = run.grid;
  if (!Number.isInteger(layer) || layer < 0 || layer >= g.nz)
    throw new SnapshotFilesError(`layer ${layer}: expected an integer 0..${g.nz - 1}`);
  const nf = run.fields.length;
  if (nf > 0 && !(Number.isInteger(field) && field >= 0 && field < nf))
    throw new SnapshotFilesError(`field ${field}: expected an integer 0..${nf - 1}`);
  const plane = g.nx * g.ny;
  let blank: Float32Array | null = null;
  const build = (f: LoadedFrame): SpatialFrame => {
    let values: Float32Array;
    if (f.fields && nf > 0) {
      const at = field * g.nx * g.ny * g.nz + layer * plane;
      values = f.fields.subarray(at, at + plane);
    } else {
      blank ??= new Float32Array(plane).fill(Number.NaN);
      values = blank;
    }
    const n = f.x.length;
    let keep = n;
    let idx: Int32Array | null = null;
    if (run.dims === 3) {
      idx = new Int32Array(n);
      keep = 0;
      for (let i = 0; i < n; i++) if (layerOf(f.z[i], g) === layer) idx[keep++] = i;
    }
    const pick = <T extends Float32Array | Uint8Array>(a: T, make: (m: number) => T): T => {
      if (!idx) return a;
      const out = make(keep);
      for (let i = 0; i < keep; i++) out[i] = a[idx[i]];
      return out;
    };
    const f32 = (m: number) => new Float32Array(m);
    const u8 = (m: number) => new Uint8Array(m);
    return {
      time: f.time,
      x: pick(f.x, f32),
      y: pick(f.y, f32),
      radius: pick(f.radius, f32),
      type: pick(f.type, u8),
      state: pick(f.state, u8),
      uptake: pick(f.uptake, f32),
      field: values,
      fieldRange: nf > 0 ? f.ranges[field] : [Number.NaN, Number.NaN],
    };
  };
  // Frames are cut when first read (the slider shows one at a time): moving the z-slice of a long run of 100,000
  // agents per frame costs one frame's filter, not every frame's.
  const frames: SpatialFrame[] = new Array(run.frames.length);
  run.frames.forEach((f, k) => {
    let cut: SpatialFrame | undefined;
    Object.defineProperty(frames, k, { enumerable: true, get: () => (cut ??= build(f)) });
  });
  const fieldInfo = run.fields[field] ?? { name: 'no field', unit: '—' };
  return {
    preset: run.name,
    experiment: 'CLI run',
    cellTypes: run.cellTypes,
    states: ['—', 'quiescent', 'cycling'],
    grid: { nx: g.nx, ny: g.ny, dx: g.dx, dy: g.dy, x0: g.x0, y0: g.y0 },
    fields: run.fields.map((x) => x.name),
    field: { name: fieldInfo.name, unit: fieldInfo.unit },
    dtPhenotype: 0,
    frames,
    ms: run.ms,
    msPerStep: 0,
  };
}

/** The `fieldRange` of each frame of `sliceRun(run, field, *)`, for the colour scale, without cutting frames. */
export function sliceRanges(run: LoadedRun, field: number): { fieldRange: readonly [number, number] }[] {
  return run.frames.map((f) => ({ fieldRange: f.ranges[field] ?? [Number.NaN, Number.NaN] }));
}

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const rec = (v: unknown) =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

function parseJson(source: string, text: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new SnapshotFilesError(`${source}: not JSON (${(e as Error).message})`);
  }
  const r = rec(v);
  if (!r) throw new SnapshotFilesError(`${source}: expected a JSON object`);
  return r;
}

const countsOf = (v: unknown) => {
  const r = rec(v);
  if (!r) return undefined;
  const out: Record<string, number> = {};
  for (const [k, n] of Object.entries(r)) if (typeof n === 'number') out[k] = n;
  return out;
};

/** The facts of a run folder's summary.json and manifest.json (either may be missing; bad JSON throws). */
export function runFacts(
  summary?: { source: string; text: string },
  manifest?: { source: string; text: string },
): RunFacts {
  const s = summary ? parseJson(summary.source, summary.text) : {};
  const m = manifest ? parseJson(manifest.source, manifest.text) : {};
  const settings = rec(m.settings) ?? {};
  const inputs = Array.isArray(m.inputs) ? m.inputs : [];
  const facts: Record<string, unknown> = {
    name: str(s.name),
    version: str(m.version),
    seed: num(m.seed),
    optionsHash: str(settings.optionsHash),
    parameterHash: str(m.parameterHash),
    createdAt: str(m.createdAt),
    input: str(rec(inputs[0])?.path),
    threads: num(settings.threads),
    durationMin: num(settings.durationMin),
    snapshotEveryMin: num(settings.snapshotEveryMin),
    counts: countsOf(s.counts) ?? countsOf(rec(m.result)?.counts),
  };
  return Object.fromEntries(Object.entries(facts).filter(([, v]) => v !== undefined)) as RunFacts;
}

/**
 * Which of the picked files to read: snapshots by name, summary.json and manifest.json; `others` are the rest (a
 * run folder's checkpoint.bin and the like, which a folder pick passes over and a file pick checks by content).
 */
export function selectFiles<T extends { readonly path: string }>(
  files: readonly T[],
): { snapshots: T[]; summary?: T; manifest?: T; others: T[] } {
  const snapshots: T[] = [];
  const others: T[] = [];
  let summary: T | undefined;
  let manifest: T | undefined;
  for (const f of files) {
    const k = classifyName(f.path).kind;
    if (k === 'agents' || k === 'fields') snapshots.push(f);
    else if (k === 'summary' && !summary) summary = f;
    else if (k === 'manifest' && !manifest) manifest = f;
    else others.push(f);
  }
  return { snapshots, ...(summary ? { summary } : {}), ...(manifest ? { manifest } : {}), others };
}

/** Buffers of a loaded run, for postMessage's transfer list. */
export function loadedTransferables(run: LoadedRun): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  for (const f of run.frames) {
    for (const a of [f.x, f.y, f.z, f.radius, f.type, f.state, f.uptake]) out.push(a.buffer as ArrayBuffer);
    if (f.fields) out.push(f.fields.buffer as ArrayBuffer);
  }
  return out;
}
