/**
 * Two-thread stepping of a FieldSolver: the fields live in a SharedArrayBuffer; each step the calling thread
 * applies the bulk terms of every substrate, then the substrates' diffusion sweeps are split between it and one
 * worker thread (even indices here, odd ones there) and the two meet at a barrier (Atomics.wait / notify). Every
 * substrate is computed by the same code on the same data as in `FieldSolver.step`, so the result is bit-identical
 * to one thread, whatever the split. The gain needs two or more substrates (the issue's 3D niche has four); one
 * substrate runs on the calling thread alone.
 *
 * Kept out of index.ts: it needs node:worker_threads, and the numerics layer is also bundled for the browser.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { Grid, type GridOptions } from './grid.js';
import { FieldSolver, type SubstrateSpec } from './solver.js';

export interface ParallelFieldOptions {
  readonly grid: GridOptions;
  readonly substrates: readonly SubstrateSpec[];
  readonly dt: number;
  /** 1 (no worker; same as FieldSolver) or 2. */
  readonly threads: 1 | 2;
  /** Longest wait for the worker at a barrier before giving up with an error (ms, default 60,000). */
  readonly timeoutMs?: number;
}

/** Shared control words: go sequence, done sequence, stop flag, error flag. */
const GO = 0;
const DONE = 1;
const STOP = 2;
const FAILED = 3;

export interface FieldWorkerData {
  readonly grid: GridOptions;
  readonly substrates: readonly SubstrateSpec[];
  readonly dt: number;
  readonly buffer: SharedArrayBuffer;
  readonly control: SharedArrayBuffer;
  readonly assigned: readonly number[];
}

export class ParallelFieldSolver {
  /** The calling thread's solver over the shared fields: use it for field(), the agent calls and setBulk. */
  readonly solver: FieldSolver;
  readonly threads: 1 | 2;
  private readonly control: Int32Array;
  private readonly mine: Int32Array;
  private readonly worker: Worker | null;
  private readonly timeoutMs: number;
  /** The worker's solver is built for this dt; a later solver.setTimeStep would leave it behind. */
  private readonly dt: number;
  private seq = 0;

  private constructor(
    solver: FieldSolver,
    control: Int32Array,
    mine: number[],
    worker: Worker | null,
    timeoutMs: number,
  ) {
    this.solver = solver;
    this.control = control;
    this.mine = Int32Array.from(mine);
    this.worker = worker;
    this.threads = worker === null ? 1 : 2;
    this.timeoutMs = timeoutMs;
    this.dt = solver.dt;
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
    const control = new Int32Array(new SharedArrayBuffer(4 * 4));
    const timeoutMs = options.timeoutMs ?? 60_000;
    const all = Array.from({ length: count }, (_, s) => s);
    if (threads === 1 || count < 2) return new ParallelFieldSolver(solver, control, all, null, timeoutMs);
    const assigned = all.filter((s) => s % 2 === 1);
    const data: FieldWorkerData = {
      grid: options.grid,
      substrates: options.substrates,
      dt: options.dt,
      buffer,
      control: control.buffer as SharedArrayBuffer,
      assigned,
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
    const worker = new Worker(entry, { eval: true, workerData: data });
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
    const mine = all.filter((s) => s % 2 === 0);
    return new ParallelFieldSolver(solver, control, mine, worker, timeoutMs);
  }

  /** One step of every substrate: same bits as `FieldSolver.step`. Allocation-free. */
  step(): void {
    const solver = this.solver;
    if (solver.dt !== this.dt) {
      throw new Error(
        'ParallelFieldSolver: solver.setTimeStep was called; the worker still uses the old dt (create a new ParallelFieldSolver)',
      );
    }
    const n = solver.substrateCount;
    for (let s = 0; s < n; s++) solver.applyBulk(s);
    const c = this.control;
    if (this.worker !== null) {
      const seq = ++this.seq;
      Atomics.store(c, GO, seq);
      Atomics.notify(c, GO);
      for (let i = 0; i < this.mine.length; i++) solver.diffuse(this.mine[i]);
      let done = Atomics.load(c, DONE);
      while (done !== seq) {
        if (Atomics.wait(c, DONE, done, this.timeoutMs) === 'timed-out') {
          throw new Error(
            `ParallelFieldSolver: the worker did not finish step ${solver.steps + 1} within ${this.timeoutMs} ms`,
          );
        }
        done = Atomics.load(c, DONE);
      }
      if (Atomics.load(c, FAILED) !== 0)
        throw new Error('ParallelFieldSolver: the worker failed (see its stderr)');
    } else {
      for (let i = 0; i < this.mine.length; i++) solver.diffuse(this.mine[i]);
    }
    solver.tick();
  }

  advance(steps: number): void {
    for (let i = 0; i < steps; i++) this.step();
  }

  /** Stops the worker. */
  async close(): Promise<void> {
    const w = this.worker;
    if (w === null) return;
    const exited = new Promise<void>((resolve) => w.once('exit', () => resolve()));
    Atomics.store(this.control, STOP, 1);
    Atomics.store(this.control, GO, ++this.seq);
    Atomics.notify(this.control, GO);
    await exited;
  }
}
