/**
 * Two-thread stepping of a FieldSolver: the fields live in a SharedArrayBuffer and the substrates are split between
 * the calling thread and one worker. Every substrate is computed by the same code on the same data as on one thread
 * (no substrate's step reads another's data), so the result is bit-identical to one thread, whatever the split.
 *
 * - `run(k)` (the FieldRunner contract, solver.ts): k base steps of every substrate with the agents' point sources
 *   and uptakes held (copied into shared arrays by setSources / setUptake), ONE start signal and ONE barrier per
 *   run. A driver with PhysiCell's clocks runs dtMechanics / dtDiffusion steps per mechanics step, so a 2D day at
 *   dt 0.01 min needs 14,400 barriers instead of 144,000 (a substrate step on 100 x 100 voxels is only ~60 us, the
 *   size of a wake-up). Multirate substrates (every[s] > 1) step every[s] dt at once; the split balances the
 *   work (steps per run), so slow fields go to one side and fast ones to the other.
 * - `step()`: one step of every substrate (bulk terms applied by the calling thread, then the sweeps split), one
 *   barrier per step; agent terms are applied by the caller on `solver` before it.
 *
 * The gain needs two or more substrates that are not frozen; with fewer the calling thread does all the work.
 * Substrates with bulk terms (setBulk on `solver`) stay on the calling thread in `run` (the worker cannot see the
 * bulk arrays).
 *
 * Kept out of index.ts: it needs node:worker_threads, and the numerics layer is also bundled for the browser.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { Grid, type GridOptions } from './grid.js';
import {
  AgentTerms,
  checkRun,
  checkTerms,
  type FieldRunner,
  FieldSolver,
  multirateSolvers,
  type SubstrateSpec,
  stepMultiples,
} from './solver.js';

export interface ParallelFieldOptions {
  readonly grid: GridOptions;
  readonly substrates: readonly SubstrateSpec[];
  readonly dt: number;
  /** 1 (no worker; same as SerialFieldRunner) or 2. */
  readonly threads: 1 | 2;
  /** Per substrate, base steps per step in `run` (multirate; default all 1). */
  readonly every?: readonly number[];
  /** Longest wait for the worker at a barrier before giving up with an error (ms, default 60,000). */
  readonly timeoutMs?: number;
  /**
   * 'balance' (default): substrates split by work between the threads. 'worker': every substrate (bar those with
   * bulk terms) on the worker, so that the calling thread is free for other work during `run` (its `during`
   * callback, e.g. the agents' mechanics beside a single diffusing field).
   */
  readonly split?: 'balance' | 'worker';
}

/** Shared control words. */
export const FIELD_CTRL = { GO: 0, DONE: 1, STOP: 2, FAILED: 3, CONFIG: 4, MODE: 5, STEPS: 6 } as const;
/** MODE: the sweeps of one step (`step`), or `run` of STEPS base steps with the agent terms. */
export const MODE_STEP = 0;
export const MODE_RUN = 1;
/** Owner of a substrate: the calling thread, the worker, or nobody (frozen, in `run`). */
export const OWNER_MAIN = 0;
export const OWNER_WORKER = 1;
export const OWNER_NONE = -1;

export interface FieldWorkerData {
  readonly grid: GridOptions;
  readonly substrates: readonly SubstrateSpec[];
  readonly dt: number;
  readonly every: readonly number[];
  readonly buffer: SharedArrayBuffer;
  readonly control: SharedArrayBuffer;
  /** Int32 per substrate: OWNER_*. */
  readonly owner: SharedArrayBuffer;
  /** Int32 per substrate: source count, uptake count. */
  readonly counts: SharedArrayBuffer;
  readonly port: MessagePort;
}

/** The shared term arrays, posted to the worker whenever one of them is replaced (grown). */
export interface FieldWorkerConfig {
  readonly version: number;
  readonly sourceVoxels: SharedArrayBuffer[];
  readonly sourceRates: SharedArrayBuffer[];
  readonly uptakeVoxels: SharedArrayBuffer[];
  readonly uptakeCoefficients: SharedArrayBuffer[];
}

const sharedI32 = (n: number) => new Int32Array(new SharedArrayBuffer(4 * Math.max(1, n)));
const sharedF64 = (n: number) => new Float64Array(new SharedArrayBuffer(8 * Math.max(1, n)));

export class ParallelFieldSolver implements FieldRunner {
  /** The calling thread's solver over the shared fields: use it for field(), the agent calls and setBulk. */
  readonly solver: FieldSolver;
  readonly threads: 1 | 2;
  /** Shared control words (FIELD_CTRL), as MechanicsWorker.control. */
  readonly control: Int32Array;
  private readonly owner: Int32Array;
  private readonly worker: Worker | null;
  private readonly port: MessagePort | null;
  private readonly timeoutMs: number;
  /** The worker's solvers are built for this dt; a later solver.setTimeStep would leave them behind. */
  private readonly dt: number;
  /** Base steps per step of each substrate. */
  readonly every: Int32Array;
  private readonly solvers: FieldSolver[];
  private readonly terms: AgentTerms;
  private readonly frozen: Uint8Array;
  /** Scratch of the split (allocated once). */
  private readonly cost: Float64Array;
  private readonly placed: Uint8Array;
  private readonly allOnWorker: boolean;
  private version = 0;
  private configDirty = false;
  private seq = 0;

  private constructor(
    solver: FieldSolver,
    every: Int32Array,
    control: Int32Array,
    owner: Int32Array,
    counts: Int32Array,
    worker: Worker | null,
    port: MessagePort | null,
    timeoutMs: number,
    allOnWorker: boolean,
  ) {
    this.allOnWorker = allOnWorker;
    this.solver = solver;
    this.every = every;
    this.solvers = multirateSolvers(solver, every);
    this.control = control;
    this.owner = owner;
    this.worker = worker;
    this.port = port;
    this.threads = worker === null ? 1 : 2;
    this.timeoutMs = timeoutMs;
    this.dt = solver.dt;
    const n = solver.substrateCount;
    this.terms = new AgentTerms(n, counts);
    this.frozen = new Uint8Array(n);
    this.cost = new Float64Array(n);
    this.placed = new Uint8Array(n);
  }

  static async create(options: ParallelFieldOptions): Promise<ParallelFieldSolver> {
    const { threads } = options;
    if (threads !== 1 && threads !== 2) {
      throw new Error(`ParallelFieldSolver: option threads must be 1 or 2, got ${JSON.stringify(threads)}`);
    }
    const grid = new Grid(options.grid);
    const count = options.substrates.length;
    const buffer = new SharedArrayBuffer(Math.max(1, count) * grid.voxelCount * 8);
    const solver = new FieldSolver({ grid, substrates: options.substrates, dt: options.dt, buffer });
    const every = stepMultiples(options.every, count, 'ParallelFieldSolver');
    const control = sharedI32(8);
    const owner = sharedI32(count);
    const counts = sharedI32(2 * count);
    const timeoutMs = options.timeoutMs ?? 60_000;
    const split = options.split ?? 'balance';
    if (split !== 'balance' && split !== 'worker')
      throw new Error(
        `ParallelFieldSolver: option split must be 'balance' or 'worker', got ${JSON.stringify(split)}`,
      );
    const allOnWorker = split === 'worker';
    if (threads === 1 || (count < 2 && !allOnWorker))
      return new ParallelFieldSolver(solver, every, control, owner, counts, null, null, timeoutMs, false);
    const { port1, port2 } = new MessageChannel();
    const data: FieldWorkerData = {
      grid: options.grid,
      substrates: options.substrates,
      dt: options.dt,
      every: Array.from(every),
      buffer,
      control: control.buffer as SharedArrayBuffer,
      owner: owner.buffer as SharedArrayBuffer,
      counts: counts.buffer as SharedArrayBuffer,
      port: port2,
    };
    // From TypeScript sources (tests, tsx) the worker is field-worker.ts: a tiny eval'd entry registers tsx's
    // loader in the thread, then imports it (a .ts main script or --import in the worker's execArgv is not
    // honoured by Node 20's worker threads).
    const fromSource = import.meta.url.endsWith('.ts');
    const url = new URL(`./field-worker.${fromSource ? 'ts' : 'js'}`, import.meta.url).href;
    let entry = `import(${JSON.stringify(url)});`;
    if (fromSource) {
      // The ESM build of tsx's API (require.resolve finds the CommonJS one; same folder, .mjs).
      const cjs = createRequire(import.meta.url).resolve('tsx/esm/api');
      const api = pathToFileURL(cjs.replace(/\.cjs$/, '.mjs')).href;
      entry = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(url)}); });`;
    }
    const worker = new Worker(entry, { eval: true, workerData: data, transferList: [port2] });
    await new Promise<void>((resolve, reject) => {
      worker.once('message', (m) => (m === 'ready' ? resolve() : reject(new Error(String(m)))));
      worker.once('error', reject);
      worker.once('exit', (code) =>
        reject(new Error(`field worker exited with code ${code} before it was ready`)),
      );
    });
    worker.removeAllListeners('exit');
    worker.removeAllListeners('error');
    worker.on('error', () => {});
    return new ParallelFieldSolver(
      solver,
      every,
      control,
      owner,
      counts,
      worker,
      port1,
      timeoutMs,
      allOnWorker,
    );
  }

  setSources(s: number, voxels: Int32Array, rates: Float64Array, count: number): void {
    checkTerms('ParallelFieldSolver.setSources', this.solver, s, voxels, rates, count);
    const t = this.terms;
    if (t.sourceVoxels[s].length < count) {
      const cap = grown(t.sourceVoxels[s].length, count);
      t.sourceVoxels[s] = sharedI32(cap);
      t.sourceRates[s] = sharedF64(cap);
      this.configDirty = true;
    }
    const v = t.sourceVoxels[s];
    const r = t.sourceRates[s];
    for (let a = 0; a < count; a++) {
      v[a] = voxels[a];
      r[a] = rates[a];
    }
    t.counts[2 * s] = count;
  }

  setUptake(s: number, voxels: Int32Array, coefficients: Float64Array, count: number): void {
    checkTerms('ParallelFieldSolver.setUptake', this.solver, s, voxels, coefficients, count);
    const t = this.terms;
    if (t.uptakeVoxels[s].length < count) {
      const cap = grown(t.uptakeVoxels[s].length, count);
      t.uptakeVoxels[s] = sharedI32(cap);
      t.uptakeCoefficients[s] = sharedF64(cap);
      this.configDirty = true;
    }
    const v = t.uptakeVoxels[s];
    const c = t.uptakeCoefficients[s];
    for (let a = 0; a < count; a++) {
      v[a] = voxels[a];
      c[a] = coefficients[a];
    }
    t.counts[2 * s + 1] = count;
  }

  setFrozen(s: number, frozen: boolean): void {
    this.solver.field(s);
    this.frozen[s] = frozen ? 1 : 0;
  }

  /** `steps` base steps of every substrate that is not frozen (see FieldRunner.run), one barrier. Allocation-free. */
  run(steps: number, during?: () => void): void {
    const solver = this.solver;
    checkRun('ParallelFieldSolver', solver, this.dt, steps, this.every, this.frozen);
    const both = this.split(true);
    const own = this.owner;
    const n = solver.substrateCount;
    if (both) {
      const c = this.control;
      Atomics.store(c, FIELD_CTRL.MODE, MODE_RUN);
      Atomics.store(c, FIELD_CTRL.STEPS, steps);
      const seq = this.go();
      let failure: unknown = null;
      try {
        for (let s = 0; s < n; s++)
          if (own[s] === OWNER_MAIN) this.terms.advance(this.solvers[s], s, steps / this.every[s]);
        if (during !== undefined) during();
      } catch (e) {
        failure = e;
      }
      // Never leave the worker running on the shared data: wait for it even when this side failed.
      this.await(seq);
      if (failure !== null) throw failure;
    } else {
      for (let s = 0; s < n; s++)
        if (own[s] === OWNER_MAIN) this.terms.advance(this.solvers[s], s, steps / this.every[s]);
      if (during !== undefined) during();
    }
    for (let i = 0; i < steps; i++) solver.tick();
  }

  /** One step of every substrate: same bits as `FieldSolver.step` (frozen flags do not apply). Allocation-free. */
  step(): void {
    const solver = this.solver;
    if (solver.dt !== this.dt) {
      throw new Error(
        'ParallelFieldSolver: solver.setTimeStep was called; the worker still uses the old dt (create a new ParallelFieldSolver)',
      );
    }
    const n = solver.substrateCount;
    for (let s = 0; s < n; s++) solver.applyBulk(s);
    const both = this.split(false);
    const own = this.owner;
    if (both) {
      Atomics.store(this.control, FIELD_CTRL.MODE, MODE_STEP);
      const seq = this.go();
      for (let s = 0; s < n; s++) if (own[s] === OWNER_MAIN) solver.diffuse(s);
      this.await(seq);
    } else {
      for (let s = 0; s < n; s++) solver.diffuse(s);
    }
    solver.tick();
  }

  advance(steps: number): void {
    for (let i = 0; i < steps; i++) this.step();
  }

  /** Substrate s runs on: OWNER_MAIN, OWNER_WORKER or OWNER_NONE (frozen), as of the last run or step. */
  ownerOf(s: number): number {
    this.solver.field(s);
    return this.owner[s];
  }

  /** Stops the worker. */
  async close(): Promise<void> {
    const w = this.worker;
    if (w === null) return;
    const exited = new Promise<void>((resolve) => w.once('exit', () => resolve()));
    Atomics.store(this.control, FIELD_CTRL.STOP, 1);
    Atomics.store(this.control, FIELD_CTRL.GO, ++this.seq);
    Atomics.notify(this.control, FIELD_CTRL.GO);
    this.port?.close();
    await exited;
  }

  /**
   * Splits the substrates between the threads by their work per base step (1 / every, a tenth of that without
   * diffusion), largest first onto the less loaded side (longest-processing-time rule), ties to the calling thread
   * (so a single substrate needs no worker); substrates with bulk terms stay on the calling thread in `run`, frozen
   * ones are nobody's. Deterministic and allocation-free; without a worker every substrate is the calling thread's.
   * Returns whether the worker has work.
   */
  private split(run: boolean): boolean {
    const n = this.solver.substrateCount;
    const own = this.owner;
    const cost = this.cost;
    const placed = this.placed;
    let main = 0;
    let work = 0;
    for (let s = 0; s < n; s++) {
      placed[s] = 0;
      if (run && this.frozen[s] === 1) {
        own[s] = OWNER_NONE;
        placed[s] = 1;
        continue;
      }
      cost[s] = (this.solver.substrates[s].diffusion > 0 ? 1 : 0.1) / this.every[s];
      if (this.worker === null || (run && this.solver.hasBulk(s))) {
        own[s] = OWNER_MAIN;
        placed[s] = 1;
        main += cost[s];
      } else if (this.allOnWorker) {
        own[s] = OWNER_WORKER;
        placed[s] = 1;
        work += cost[s];
      }
    }
    for (;;) {
      let best = -1;
      for (let s = 0; s < n; s++) if (placed[s] === 0 && (best < 0 || cost[s] > cost[best])) best = s;
      if (best < 0) break;
      placed[best] = 1;
      if (main <= work) {
        own[best] = OWNER_MAIN;
        main += cost[best];
      } else {
        own[best] = OWNER_WORKER;
        work += cost[best];
      }
    }
    return work > 0;
  }

  /** Sends a new configuration if needed and starts the worker; returns the sequence number to wait for. */
  private go(): number {
    const c = this.control;
    if (this.configDirty) {
      const t = this.terms;
      const cfg: FieldWorkerConfig = {
        version: ++this.version,
        sourceVoxels: t.sourceVoxels.map((a) => a.buffer as SharedArrayBuffer),
        sourceRates: t.sourceRates.map((a) => a.buffer as SharedArrayBuffer),
        uptakeVoxels: t.uptakeVoxels.map((a) => a.buffer as SharedArrayBuffer),
        uptakeCoefficients: t.uptakeCoefficients.map((a) => a.buffer as SharedArrayBuffer),
      };
      this.port?.postMessage(cfg);
      Atomics.store(c, FIELD_CTRL.CONFIG, cfg.version);
      this.configDirty = false;
    }
    const seq = ++this.seq;
    Atomics.store(c, FIELD_CTRL.GO, seq);
    Atomics.notify(c, FIELD_CTRL.GO);
    return seq;
  }

  /** Waits for the worker to finish run or step `seq`; throws with the worker's error if it failed. */
  private await(seq: number): void {
    const c = this.control;
    let done = Atomics.load(c, FIELD_CTRL.DONE);
    while (done !== seq) {
      if (Atomics.wait(c, FIELD_CTRL.DONE, done, this.timeoutMs) === 'timed-out') {
        throw new Error(
          `ParallelFieldSolver: the worker did not finish step ${this.solver.steps + 1} within ${this.timeoutMs} ms`,
        );
      }
      done = Atomics.load(c, FIELD_CTRL.DONE);
    }
    if (Atomics.load(c, FIELD_CTRL.FAILED) !== 0) {
      Atomics.store(c, FIELD_CTRL.FAILED, 0);
      const m = this.port === null ? undefined : receiveMessageOnPort(this.port);
      throw new Error(
        `ParallelFieldSolver: the worker failed: ${m === undefined ? 'see its stderr' : String(m.message)}`,
      );
    }
  }
}

/** A capacity of at least `need`, doubling from `have` (64 at least). */
function grown(have: number, need: number): number {
  let c = Math.max(64, have);
  while (c < need) c *= 2;
  return c;
}
