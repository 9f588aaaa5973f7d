/**
 * Worker thread of ParallelMechanics (parallel.ts): each time the go word advances it (re)attaches to the shared
 * buffers if they changed, then computes the velocities of the agents in the upper bins with the shared kernel.
 */
import { type MessagePort, parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { awaitGoWord } from '../util/go-word.js';
import { finishRange, gatherHalo, gatherRange, type KernelState, pairs } from './kernel.js';
import { CTRL, type MechanicsWorkerConfig } from './parallel.js';
import { columnViews } from './store.js';

const data = workerData as { control: SharedArrayBuffer; port: MessagePort };
const control = new Int32Array(data.control);
const port = data.port;
let version = 0;
let bins = 0;
let s: KernelState | null = null;

function attach(cfg: MechanicsWorkerConfig): void {
  const cols = columnViews(cfg.buffer, cfg.capacity).columns;
  const cap = Math.max(cfg.capacity, cfg.order.length);
  const old = s;
  const scratch = (a: Float64Array | undefined) =>
    a !== undefined && a.length >= cap ? a : new Float64Array(cap);
  s = {
    dims: cfg.dims,
    dt: cfg.dt,
    boundary: cfg.boundary,
    wallStrength: cfg.wallStrength,
    lo: Float64Array.from(cfg.lo),
    hi: Float64Array.from(cfg.hi),
    words: new Uint32Array(8),
    ...cols,
    order: cfg.order,
    binStart: cfg.binStart,
    nx: cfg.nx,
    ny: cfg.ny,
    nz: cfg.nz,
    sx: scratch(old?.sx),
    sy: scratch(old?.sy),
    sz: scratch(old?.sz),
    sr: scratch(old?.sr),
    sqr: scratch(old?.sqr),
    sqa: scratch(old?.sqa),
    sreach: scratch(old?.sreach),
    ax: scratch(old?.ax),
    ay: scratch(old?.ay),
    az: scratch(old?.az),
    listMode: 0,
    skin: cfg.skin,
    halfBin: cfg.halfBin,
    x0: cfg.origin[0],
    y0: cfg.origin[1],
    z0: cfg.origin[2],
    ix: cfg.inverseWidth[0],
    iy: cfg.inverseWidth[1],
    iz: cfg.inverseWidth[2],
    pos: cfg.pos,
    binOf: cfg.binOf,
    nbr: cfg.nbr,
    nbrCount: cfg.nbrCount,
    nbK: cfg.nbK,
    vbuf: old !== null && old.vbuf.length >= cfg.nbK ? old.vbuf : new Int32Array(Math.max(1, cfg.nbK)),
  };
  bins = cfg.bins;
  version = cfg.version;
}

function state(): KernelState {
  if (s === null) throw new Error('mechanics worker: stepped before it was configured');
  return s;
}

parentPort?.postMessage('ready');
let seq = 0;
for (;;) {
  seq = awaitGoWord(control, CTRL.GO, seq); // a late notify of a done step is not a new step
  if (Atomics.load(control, CTRL.STOP) !== 0) break;
  try {
    const want = Atomics.load(control, CTRL.CONFIG);
    while (version !== want) {
      const m = receiveMessageOnPort(port);
      if (m === undefined) throw new Error(`mechanics worker: configuration ${want} not received`);
      attach(m.message as MechanicsWorkerConfig);
    }
    const k = state();
    const n = Atomics.load(control, CTRL.N);
    const split = Atomics.load(control, CTRL.SPLIT);
    const { binStart } = k;
    k.listMode = Atomics.load(control, CTRL.LIST_MODE) as 0 | 1 | 2;
    gatherRange(k, binStart[Math.max(0, split - gatherHalo(k.dims, k.nx, k.ny, k.listMode))], n);
    Atomics.store(control, CTRL.LONGEST, pairs(k, split, bins));
    finishRange(k, binStart[split], n);
  } catch (e) {
    console.error(e);
    Atomics.store(control, CTRL.FAILED, 1);
  }
  Atomics.store(control, CTRL.DONE, seq);
  Atomics.notify(control, CTRL.DONE);
}
