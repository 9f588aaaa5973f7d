/**
 * Worker thread of ParallelFieldSolver (parallel.ts): attaches a FieldSolver to the shared fields and, each time
 * the go word advances, runs the diffusion sweeps of its substrates and publishes the step number as done.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Grid } from './grid.js';
import type { FieldWorkerData } from './parallel.js';
import { FieldSolver } from './solver.js';

const GO = 0;
const DONE = 1;
const STOP = 2;
const FAILED = 3;

const data = workerData as FieldWorkerData;
const solver = new FieldSolver({
  grid: new Grid(data.grid),
  substrates: data.substrates,
  dt: data.dt,
  buffer: data.buffer,
  keepBufferContents: true,
});
const control = new Int32Array(data.control);
const assigned = Int32Array.from(data.assigned);
parentPort?.postMessage('ready');
let seq = 0;
for (;;) {
  Atomics.wait(control, GO, seq);
  seq = Atomics.load(control, GO);
  if (Atomics.load(control, STOP) !== 0) break;
  try {
    for (let i = 0; i < assigned.length; i++) solver.diffuse(assigned[i]);
  } catch (e) {
    console.error(e);
    Atomics.store(control, FAILED, 1);
  }
  Atomics.store(control, DONE, seq);
  Atomics.notify(control, DONE);
}
