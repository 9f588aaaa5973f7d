/**
 * Worker thread of ParallelFieldSolver (parallel.ts): attaches FieldSolvers to the shared fields (one per step
 * multiple) and, each time the go word advances, re-attaches to the shared agent-term arrays if they were replaced,
 * then either sweeps its substrates for one step or runs them for STEPS base steps with their agent terms, and
 * publishes the sequence number as done. An error is posted on the port (the calling thread throws it).
 */
import { type MessagePort, parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { awaitGoWord } from '../util/go-word.js';
import { Grid } from './grid.js';
import {
  FIELD_CTRL,
  type FieldWorkerConfig,
  type FieldWorkerData,
  MODE_RUN,
  OWNER_WORKER,
} from './parallel.js';
import { AgentTerms, FieldSolver, multirateSolvers } from './solver.js';

const data = workerData as FieldWorkerData;
const solver = new FieldSolver({
  grid: new Grid(data.grid),
  substrates: data.substrates,
  dt: data.dt,
  buffer: data.buffer,
  keepBufferContents: true,
});
const every = Int32Array.from(data.every);
const solvers = multirateSolvers(solver, every);
const control = new Int32Array(data.control);
const owner = new Int32Array(data.owner);
const terms = new AgentTerms(solver.substrateCount, new Int32Array(data.counts));
const port: MessagePort = data.port;
let version = 0;

/** Takes the newest configuration posted on the port (earlier ones are superseded). */
function attach(): void {
  let cfg: FieldWorkerConfig | undefined;
  for (let m = receiveMessageOnPort(port); m !== undefined; m = receiveMessageOnPort(port))
    cfg = m.message as FieldWorkerConfig;
  if (cfg === undefined) throw new Error('field worker: configuration announced but not received');
  for (let s = 0; s < solver.substrateCount; s++) {
    terms.sourceVoxels[s] = new Int32Array(cfg.sourceVoxels[s]);
    terms.sourceRates[s] = new Float64Array(cfg.sourceRates[s]);
    terms.uptakeVoxels[s] = new Int32Array(cfg.uptakeVoxels[s]);
    terms.uptakeCoefficients[s] = new Float64Array(cfg.uptakeCoefficients[s]);
  }
  version = cfg.version;
}

parentPort?.postMessage('ready');
let seq = 0;
const n = solver.substrateCount;
for (;;) {
  seq = awaitGoWord(control, FIELD_CTRL.GO, seq); // a late notify of a done step is not a new step
  if (Atomics.load(control, FIELD_CTRL.STOP) !== 0) break;
  try {
    if (Atomics.load(control, FIELD_CTRL.CONFIG) !== version) attach();
    if (Atomics.load(control, FIELD_CTRL.MODE) === MODE_RUN) {
      const steps = Atomics.load(control, FIELD_CTRL.STEPS);
      for (let s = 0; s < n; s++)
        if (owner[s] === OWNER_WORKER) terms.advance(solvers[s], s, steps / every[s]);
    } else {
      for (let s = 0; s < n; s++) if (owner[s] === OWNER_WORKER) solver.diffuse(s);
    }
  } catch (e) {
    port.postMessage(e instanceof Error ? (e.stack ?? e.message) : String(e));
    Atomics.store(control, FIELD_CTRL.FAILED, 1);
  }
  Atomics.store(control, FIELD_CTRL.DONE, seq);
  Atomics.notify(control, FIELD_CTRL.DONE);
}
port.close();
