/**
 * Mechanics on two threads over a SharedArrayBuffer store, bit-identical to one thread (kernel.ts explains why):
 * the calling thread rebuilds the cell list and derives motility keys, then the bins are split at the first bin
 * boundary past half the agents; the calling thread computes the velocities of the agents in the lower bins, one
 * worker those in the upper bins (each with its own scratch, a prepass over the stencil's halo and writes to its
 * own agents only), they meet at a barrier (Atomics.wait / notify) and the calling thread moves every agent.
 *
 * Kept out of index.ts: it needs node:worker_threads, and the numerics layer is also bundled for the browser.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import type { CellList } from './cell-list.js';
import { finishRange, gatherHalo, gatherRange, pairs } from './kernel.js';
import { Mechanics, type MechanicsOptions } from './mechanics.js';
import type { AgentStore } from './store.js';

/** Shared control words. */
export const CTRL = {
  GO: 0,
  DONE: 1,
  STOP: 2,
  FAILED: 3,
  CONFIG: 4,
  N: 5,
  SPLIT: 6,
  LIST_MODE: 7,
  LONGEST: 8,
} as const;

/** What the worker needs to (re)attach to the shared data; posted whenever a buffer changes. */
export interface MechanicsWorkerConfig {
  readonly version: number;
  readonly dims: 2 | 3;
  readonly dt: number;
  readonly boundary: 0 | 1 | 2;
  readonly wallStrength: number;
  readonly lo: readonly number[];
  readonly hi: readonly number[];
  readonly buffer: SharedArrayBuffer;
  readonly capacity: number;
  readonly order: Int32Array;
  readonly binStart: Int32Array;
  readonly nx: number;
  readonly ny: number;
  readonly nz: number;
  readonly bins: number;
  // neighbour lists (kernel.ts, pairs)
  readonly pos: Int32Array;
  readonly binOf: Int32Array;
  readonly nbr: Int32Array;
  readonly nbrCount: Int32Array;
  readonly nbK: number;
  readonly skin: number;
  readonly halfBin: number;
  readonly origin: readonly number[];
  readonly inverseWidth: readonly number[];
}

/** A started mechanics worker thread; give it to one ParallelMechanics at a time. */
export class MechanicsWorker {
  readonly control: Int32Array;
  readonly port: MessagePort;
  private readonly worker: Worker;
  readonly timeoutMs: number;
  seq = 0;
  /**
   * Last configuration version posted: counted per worker, not per ParallelMechanics, so that a second instance
   * on the same worker (bench/agents.ts runs several) never repeats the version the worker holds (it would then
   * keep the first instance's buffers).
   */
  configVersion = 0;

  private constructor(worker: Worker, control: Int32Array, port: MessagePort, timeoutMs: number) {
    this.worker = worker;
    this.control = control;
    this.port = port;
    this.timeoutMs = timeoutMs;
  }

  /** Starts the worker (resolves once it is ready). timeoutMs: longest wait at a barrier (default 60,000). */
  static async start(timeoutMs = 60_000): Promise<MechanicsWorker> {
    const control = new Int32Array(new SharedArrayBuffer(4 * 16));
    const { port1, port2 } = new MessageChannel();
    // From TypeScript sources (tests, tsx) the worker is mechanics-worker.ts: a small eval'd entry registers tsx's
    // loader in the thread first (as src/numerics/fields/parallel.ts does).
    const fromSource = import.meta.url.endsWith('.ts');
    const url = new URL(`./mechanics-worker.${fromSource ? 'ts' : 'js'}`, import.meta.url).href;
    let entry = `import(${JSON.stringify(url)});`;
    if (fromSource) {
      const cjs = createRequire(import.meta.url).resolve('tsx/esm/api');
      const api = pathToFileURL(cjs.replace(/\.cjs$/, '.mjs')).href;
      entry = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(url)}); });`;
    }
    const worker = new Worker(entry, {
      eval: true,
      workerData: { control: control.buffer, port: port2 },
      transferList: [port2],
    });
    await new Promise<void>((resolve, reject) => {
      worker.once('message', (m) => (m === 'ready' ? resolve() : reject(new Error(String(m)))));
      worker.once('error', reject);
      worker.once('exit', (code) =>
        reject(new Error(`mechanics worker exited with code ${code} before it was ready`)),
      );
    });
    worker.removeAllListeners('exit');
    worker.removeAllListeners('error');
    worker.on('error', () => {});
    return new MechanicsWorker(worker, control, port1, timeoutMs);
  }

  /** Stops the worker. */
  async close(): Promise<void> {
    const w = this.worker;
    const exited = new Promise<void>((resolve) => w.once('exit', () => resolve()));
    Atomics.store(this.control, CTRL.STOP, 1);
    Atomics.store(this.control, CTRL.GO, ++this.seq);
    Atomics.notify(this.control, CTRL.GO);
    this.port.close();
    await exited;
  }
}

export class ParallelMechanics extends Mechanics {
  readonly worker: MechanicsWorker | null;
  /** 1 (no worker: plain Mechanics) or 2. */
  readonly threads: 1 | 2;
  private boundBuffer: ArrayBuffer | SharedArrayBuffer | null = null;
  private boundOrder: Int32Array | null = null;
  private boundBinStart: Int32Array | null = null;
  private boundNbr: Int32Array | null = null;
  private boundPos: Int32Array | null = null;
  private boundSkin = -1;

  /**
   * `worker` null: one thread (same bits). With a worker, the store must be shared
   * (`new AgentStore({ dims, shared: true })`).
   */
  constructor(store: AgentStore, options: MechanicsOptions, worker: MechanicsWorker | null) {
    super(store, options);
    if (worker !== null && !store.shared)
      throw new RangeError('ParallelMechanics: the store must be created with shared: true for a worker');
    this.worker = worker;
    this.threads = worker === null ? 1 : 2;
    this.sharedCells = worker !== null;
  }

  protected override velocities(n: number): number {
    const w = this.worker;
    if (w === null || n < 2) return super.velocities(n);
    const cells = this.cells as CellList;
    const { binStart, binCount } = cells;
    // Split at the first bin whose start reaches n / 2 (binary search over the monotone binStart).
    let a = 0;
    let b = binCount;
    const half = n >>> 1;
    while (a < b) {
      const mid = (a + b) >>> 1;
      if (binStart[mid] < half) a = mid + 1;
      else b = mid;
    }
    const split = a;
    const st = this.store;
    const k = this.kernel;
    if (
      st.buffer !== this.boundBuffer ||
      cells.order !== this.boundOrder ||
      binStart !== this.boundBinStart ||
      this.nbr !== this.boundNbr ||
      cells.pos !== this.boundPos ||
      k.skin !== this.boundSkin
    )
      this.configure(w, cells);
    const c = w.control;
    Atomics.store(c, CTRL.N, n);
    Atomics.store(c, CTRL.SPLIT, split);
    Atomics.store(c, CTRL.LIST_MODE, k.listMode);
    const seq = ++w.seq;
    Atomics.store(c, CTRL.GO, seq);
    Atomics.notify(c, CTRL.GO);
    const halo = gatherHalo(this.dims, cells.nx, cells.ny, k.listMode);
    gatherRange(k, 0, binStart[Math.min(binCount, split + halo)]);
    const longest = pairs(k, 0, split);
    finishRange(k, 0, binStart[split]);
    let done = Atomics.load(c, CTRL.DONE);
    while (done !== seq) {
      if (Atomics.wait(c, CTRL.DONE, done, w.timeoutMs) === 'timed-out')
        throw new Error(
          `ParallelMechanics: the worker did not finish step ${this.steps + 1} within ${w.timeoutMs} ms`,
        );
      done = Atomics.load(c, CTRL.DONE);
    }
    if (Atomics.load(c, CTRL.FAILED) !== 0)
      throw new Error('ParallelMechanics: the worker failed (see its stderr)');
    return Math.max(longest, Atomics.load(c, CTRL.LONGEST));
  }

  /** Sends the worker the current buffers (after the store grew or the cell list was rebuilt larger). */
  private configure(w: MechanicsWorker, cells: CellList): void {
    const st = this.store;
    const k = this.kernel;
    const cfg: MechanicsWorkerConfig = {
      version: ++w.configVersion,
      dims: this.dims,
      dt: this.dt,
      boundary: k.boundary,
      wallStrength: k.wallStrength,
      lo: Array.from(k.lo),
      hi: Array.from(k.hi),
      buffer: st.buffer as SharedArrayBuffer,
      capacity: st.capacity,
      order: cells.order,
      binStart: cells.binStart,
      nx: cells.nx,
      ny: cells.ny,
      nz: cells.nz,
      bins: cells.binCount,
      pos: cells.pos,
      binOf: cells.binOf,
      nbr: this.nbr,
      nbrCount: this.nbrCount,
      nbK: this.nbK,
      skin: k.skin,
      halfBin: k.halfBin,
      origin: [k.x0, k.y0, k.z0],
      inverseWidth: [k.ix, k.iy, k.iz],
    };
    w.port.postMessage(cfg);
    Atomics.store(w.control, CTRL.CONFIG, cfg.version);
    this.boundBuffer = st.buffer;
    this.boundOrder = cells.order;
    this.boundBinStart = cells.binStart;
    this.boundNbr = this.nbr;
    this.boundPos = cells.pos;
    this.boundSkin = k.skin;
  }
}
