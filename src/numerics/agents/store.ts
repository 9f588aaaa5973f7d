/**
 * Structure-of-arrays store of off-lattice agents (issue #11): positions, velocities, radii and mechanical
 * coefficients as columns of one buffer, so a worker thread can share it (SharedArrayBuffer) and a snapshot is the
 * buffer plus the column table below. The engine knows geometry and forces only; biology (cycle, death, rules) is
 * the niche layer's, which keeps its own per-agent state keyed by the stable id.
 *
 * Layout for capacity C (bytes from the start of `buffer`):
 *   Float64 column c (F64_COLUMNS order) at 8 c C;
 *   Int32 column c (I32_COLUMNS order) at 8 F C + 4 c C (F = F64_COLUMNS.length);
 *   Uint8 column c (U8_COLUMNS order) at 8 F C + 4 I C + c C (I = I32_COLUMNS.length).
 * Agents occupy rows 0 .. count-1 with no holes: removal moves the last row into the hole (O(1)), so row indices
 * change but `id` (assigned once, never reused) does not; `indexOf(id)` maps back. Growing doubles C and copies
 * into a new buffer, so typed-array views must be re-read from the store after `add` (never cached across adds).
 */

/** Float64 columns, in buffer order. */
export const F64_COLUMNS = [
  'x',
  'y',
  'z',
  /** Velocity of the current mechanics step (um / min), the sum of forces over the drag. */
  'vx',
  'vy',
  'vz',
  /** Velocity of the previous step, for the Adams-Bashforth update. */
  'pvx',
  'pvy',
  'pvz',
  'radius',
  /** Cell-cell repulsion strength c_r (um / min). */
  'repulsion',
  /** Cell-cell adhesion strength c_a (um / min). */
  'adhesion',
  /** Maximum adhesion distance relative to the radius (PhysiCell's relative_maximum_adhesion_distance). */
  'adhesionReach',
  /** Random motility speed (um / min); 0: no random motility. */
  'speed',
  /** Mean persistence time of a motility direction (min). */
  'persistence',
  /** Current motility direction (unit vector; all zero before the first draw). */
  'mx',
  'my',
  'mz',
  /** Philox blocks consumed from the agent's motility stream (its position / 4). */
  'rngBlock',
  /** Chemotaxis bias b in [0, 1] (PhysiCell's chemotaxis_bias): direction = normalise((1 - b) m + b c). */
  'chemoBias',
  /** Chemotactic direction c (unit vector or zero; set by the caller, e.g. from a field gradient). */
  'cx',
  'cy',
  'cz',
] as const;
/** Int32 columns, in buffer order (k0..k3: the agent's motility stream key, see mechanics.ts). */
export const I32_COLUMNS = ['id', 'type', 'k0', 'k1', 'k2', 'k3'] as const;
/** Uint8 columns, in buffer order. */
export const U8_COLUMNS = ['alive', 'started', 'keyed'] as const;

export type F64Column = (typeof F64_COLUMNS)[number];
export type I32Column = (typeof I32_COLUMNS)[number];
export type U8Column = (typeof U8_COLUMNS)[number];

/** Bytes per agent row over all columns. */
export const BYTES_PER_AGENT = 8 * F64_COLUMNS.length + 4 * I32_COLUMNS.length + U8_COLUMNS.length;

export interface AgentInit {
  /**
   * Explicit id (restoring a checkpoint, or replaying a population in another order); must not be in use or
   * removed. Default: the next unused id.
   */
  readonly id?: number;
  readonly x: number;
  readonly y: number;
  readonly z?: number;
  readonly radius: number;
  readonly type?: number;
  readonly repulsion?: number;
  readonly adhesion?: number;
  readonly adhesionReach?: number;
  readonly speed?: number;
  readonly persistence?: number;
  /** Chemotaxis bias in [0, 1] (default 0: random motility only). */
  readonly chemotaxisBias?: number;
}

export interface AgentStoreOptions {
  readonly dims: 2 | 3;
  /** Initial capacity (rows); default 64. */
  readonly capacity?: number;
  /** Back the columns by a SharedArrayBuffer (for worker threads); default false. */
  readonly shared?: boolean;
}

function finite(name: string, v: number, min = -Infinity): number {
  if (!Number.isFinite(v) || v < min)
    throw new RangeError(`agent ${name} = ${v}: expected a finite number >= ${min}`);
  return v;
}

export class AgentStore {
  readonly dims: 2 | 3;
  readonly shared: boolean;
  private cap: number;
  private n = 0;
  private nextId = 0;
  /** Ids below nextId never used (skipped by an explicit id); any other id below nextId is live or removed. */
  private readonly skipped = new Set<number>();
  /** Row of each id ever issued (-1 once removed). */
  private rowOfId = new Int32Array(64).fill(-1);
  buffer!: ArrayBuffer | SharedArrayBuffer;
  private f64!: Float64Array;
  private i32!: Int32Array;
  private u8!: Uint8Array;
  private scratchF = new Float64Array(0);
  private scratchI = new Int32Array(0);
  private scratchU = new Uint8Array(0);

  x!: Float64Array;
  y!: Float64Array;
  z!: Float64Array;
  vx!: Float64Array;
  vy!: Float64Array;
  vz!: Float64Array;
  pvx!: Float64Array;
  pvy!: Float64Array;
  pvz!: Float64Array;
  radius!: Float64Array;
  repulsion!: Float64Array;
  adhesion!: Float64Array;
  adhesionReach!: Float64Array;
  speed!: Float64Array;
  persistence!: Float64Array;
  mx!: Float64Array;
  my!: Float64Array;
  mz!: Float64Array;
  rngBlock!: Float64Array;
  chemoBias!: Float64Array;
  cx!: Float64Array;
  cy!: Float64Array;
  cz!: Float64Array;
  id!: Int32Array;
  type!: Int32Array;
  k0!: Int32Array;
  k1!: Int32Array;
  k2!: Int32Array;
  k3!: Int32Array;
  alive!: Uint8Array;
  started!: Uint8Array;
  keyed!: Uint8Array;

  constructor(options: AgentStoreOptions) {
    if (options.dims !== 2 && options.dims !== 3)
      throw new RangeError(`AgentStore dims ${options.dims}: 2 or 3`);
    this.dims = options.dims;
    this.shared = options.shared ?? false;
    const c = options.capacity ?? 64;
    if (!Number.isInteger(c) || c < 1) throw new RangeError(`AgentStore capacity ${c}: a positive integer`);
    this.cap = c;
    this.allocate(c);
  }

  get count(): number {
    return this.n;
  }

  get capacity(): number {
    return this.cap;
  }

  /** Row of agent `id`, or -1 if it was removed or never issued. */
  indexOf(id: number): number {
    return id >= 0 && id < this.nextId ? this.rowOfId[id] : -1;
  }

  /** Adds an agent and returns its id (stable for its life, never reused). */
  add(a: AgentInit): number {
    finite('x', a.x);
    finite('y', a.y);
    finite('z', a.z ?? 0);
    if (!(a.radius > 0) || !Number.isFinite(a.radius))
      throw new RangeError(`agent radius = ${a.radius}: expected a finite number > 0`);
    const id = a.id ?? this.nextId;
    if (!Number.isInteger(id) || id < 0 || id > 0x7fffffff)
      throw new RangeError(`agent id = ${id}: expected an integer in [0, 2^31)`);
    if (id >= this.rowOfId.length) {
      let len = this.rowOfId.length;
      while (len <= id) len *= 2;
      const m = new Int32Array(len).fill(-1);
      m.set(this.rowOfId);
      this.rowOfId = m;
    }
    if (id < this.nextId && (this.rowOfId[id] >= 0 || !this.unused(id)))
      throw new RangeError(`agent id ${id} is already in use or was removed`);
    if (id >= this.nextId) {
      for (let k = this.nextId; k < id; k++) this.skipped.add(k);
      this.nextId = id + 1;
    } else this.skipped.delete(id);
    if (this.n === this.cap) this.grow(2 * this.cap);
    const i = this.n++;
    this.rowOfId[id] = i;
    this.x[i] = a.x;
    this.y[i] = a.y;
    this.z[i] = this.dims === 3 ? (a.z ?? 0) : 0;
    this.vx[i] = this.vy[i] = this.vz[i] = 0;
    this.pvx[i] = this.pvy[i] = this.pvz[i] = 0;
    this.radius[i] = a.radius;
    this.repulsion[i] = finite('repulsion', a.repulsion ?? 0, 0);
    this.adhesion[i] = finite('adhesion', a.adhesion ?? 0, 0);
    this.adhesionReach[i] = finite('adhesionReach', a.adhesionReach ?? 1, 1);
    this.speed[i] = finite('speed', a.speed ?? 0, 0);
    this.persistence[i] = finite('persistence', a.persistence ?? 0, 0);
    this.mx[i] = this.my[i] = this.mz[i] = 0;
    this.rngBlock[i] = 0;
    const b = finite('chemotaxisBias', a.chemotaxisBias ?? 0, 0);
    if (b > 1) throw new RangeError(`agent chemotaxisBias = ${b}: expected a number in [0, 1]`);
    this.chemoBias[i] = b;
    this.cx[i] = this.cy[i] = this.cz[i] = 0;
    this.id[i] = id;
    this.type[i] = a.type ?? 0;
    this.k0[i] = this.k1[i] = this.k2[i] = this.k3[i] = 0;
    this.alive[i] = 1;
    this.started[i] = 0;
    this.keyed[i] = 0;
    return id;
  }

  private unused(id: number): boolean {
    return this.skipped.has(id);
  }

  /** Removes agent `id` now: the last row moves into its place (O(1)). */
  remove(id: number): void {
    const i = this.indexOf(id);
    if (i < 0) throw new RangeError(`AgentStore.remove: no agent with id ${id}`);
    const last = this.n - 1;
    if (i !== last) {
      const C = this.cap;
      for (let c = 0; c < F64_COLUMNS.length; c++) this.f64[c * C + i] = this.f64[c * C + last];
      for (let c = 0; c < I32_COLUMNS.length; c++) this.i32[c * C + i] = this.i32[c * C + last];
      for (let c = 0; c < U8_COLUMNS.length; c++) this.u8[c * C + i] = this.u8[c * C + last];
      this.rowOfId[this.id[i]] = i;
    }
    this.rowOfId[id] = -1;
    this.n = last;
  }

  /**
   * Marks agent `id` for removal without moving rows (safe inside a phase that iterates rows, e.g. on a worker);
   * it keeps taking part in mechanics until `compact()`.
   */
  kill(id: number): void {
    const i = this.indexOf(id);
    if (i < 0) throw new RangeError(`AgentStore.kill: no agent with id ${id}`);
    this.alive[i] = 0;
  }

  /** Removes every agent marked by `kill`; returns how many. */
  compact(): number {
    let removed = 0;
    for (let i = this.n - 1; i >= 0; i--) {
      if (this.alive[i] === 0) {
        this.remove(this.id[i]);
        removed++;
      }
    }
    return removed;
  }

  /**
   * Reorders rows: new row k is old row order[k] (order: a permutation of 0..count-1, e.g. a cell list's, so that
   * neighbours sit close in memory). Ids are unchanged; rows move as in `remove`. Scratch is allocated once per
   * capacity.
   */
  permute(order: Int32Array): void {
    const n = this.n;
    const C = this.cap;
    if (order.length < n)
      throw new RangeError(`AgentStore.permute: order has ${order.length} < ${n} entries`);
    if (this.scratchF.length < C) {
      this.scratchF = new Float64Array(C);
      this.scratchI = new Int32Array(C);
      this.scratchU = new Uint8Array(C);
    }
    const { scratchF, scratchI, scratchU, f64, i32, u8 } = this;
    for (let c = 0; c < F64_COLUMNS.length; c++) {
      const base = c * C;
      for (let k = 0; k < n; k++) scratchF[k] = f64[base + order[k]];
      f64.set(scratchF.subarray(0, n), base);
    }
    for (let c = 0; c < I32_COLUMNS.length; c++) {
      const base = c * C;
      for (let k = 0; k < n; k++) scratchI[k] = i32[base + order[k]];
      i32.set(scratchI.subarray(0, n), base);
    }
    for (let c = 0; c < U8_COLUMNS.length; c++) {
      const base = c * C;
      for (let k = 0; k < n; k++) scratchU[k] = u8[base + order[k]];
      u8.set(scratchU.subarray(0, n), base);
    }
    for (let k = 0; k < n; k++) this.rowOfId[this.id[k]] = k;
  }

  /** Grows (never shrinks) to at least `capacity` rows. */
  reserve(capacity: number): void {
    if (capacity > this.cap) this.grow(capacity);
  }

  private grow(capacity: number): void {
    const oldF = this.f64;
    const oldI = this.i32;
    const oldU = this.u8;
    const oldC = this.cap;
    this.allocate(capacity);
    const C = this.cap;
    for (let c = 0; c < F64_COLUMNS.length; c++)
      this.f64.set(oldF.subarray(c * oldC, c * oldC + this.n), c * C);
    for (let c = 0; c < I32_COLUMNS.length; c++)
      this.i32.set(oldI.subarray(c * oldC, c * oldC + this.n), c * C);
    for (let c = 0; c < U8_COLUMNS.length; c++)
      this.u8.set(oldU.subarray(c * oldC, c * oldC + this.n), c * C);
  }

  private allocate(capacity: number): void {
    this.cap = capacity;
    const bytes = capacity * BYTES_PER_AGENT;
    this.buffer = this.shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
    const v = columnViews(this.buffer, capacity);
    this.f64 = v.f64;
    this.i32 = v.i32;
    this.u8 = v.u8;
    Object.assign(this, v.columns);
  }
}

/** Typed-array views of every column of a store buffer of the given capacity (the layout above). */
export function columnViews(
  buffer: ArrayBuffer | SharedArrayBuffer,
  capacity: number,
): {
  f64: Float64Array;
  i32: Int32Array;
  u8: Uint8Array;
  columns: Record<F64Column, Float64Array> & Record<I32Column, Int32Array> & Record<U8Column, Uint8Array>;
} {
  const C = capacity;
  const F = F64_COLUMNS.length;
  const I = I32_COLUMNS.length;
  if (buffer.byteLength < C * BYTES_PER_AGENT)
    throw new RangeError(
      `columnViews: buffer of ${buffer.byteLength} bytes < capacity ${C} x ${BYTES_PER_AGENT}`,
    );
  const f64 = new Float64Array(buffer, 0, F * C);
  const i32 = new Int32Array(buffer, 8 * F * C, I * C);
  const u8 = new Uint8Array(buffer, 8 * F * C + 4 * I * C, U8_COLUMNS.length * C);
  const columns: Record<string, Float64Array | Int32Array | Uint8Array> = {};
  F64_COLUMNS.forEach((name, c) => {
    columns[name] = f64.subarray(c * C, (c + 1) * C);
  });
  I32_COLUMNS.forEach((name, c) => {
    columns[name] = i32.subarray(c * C, (c + 1) * C);
  });
  U8_COLUMNS.forEach((name, c) => {
    columns[name] = u8.subarray(c * C, (c + 1) * C);
  });
  return { f64, i32, u8, columns: columns as ReturnType<typeof columnViews>['columns'] };
}
