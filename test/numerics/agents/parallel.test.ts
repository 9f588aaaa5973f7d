import { afterAll, describe, expect, it } from 'vitest';
import type { MechanicsOptions } from '../../../src/numerics/agents/mechanics.js';
import { CTRL, MechanicsWorker, ParallelMechanics } from '../../../src/numerics/agents/parallel.js';
import { AgentStore } from '../../../src/numerics/agents/store.js';
import { streamFor } from '../../../src/numerics/random/index.js';

/** A mixed population (radii, strengths, motility) packed densely enough for many cross-split pairs. */
function populate(dims: 2 | 3, n: number, L: number, shared: boolean, capacity = 16): AgentStore {
  const store = new AgentStore({ dims, shared, capacity });
  const rng = streamFor(11, ['purpose', 'test-agents-parallel'], ['dims', dims]);
  for (let k = 0; k < n; k++)
    store.add({
      x: L * rng.nextFloat64(),
      y: L * rng.nextFloat64(),
      ...(dims === 3 ? { z: L * rng.nextFloat64() } : {}),
      radius: 4 + 4 * rng.nextFloat64(),
      repulsion: 5 + 10 * rng.nextFloat64(),
      adhesion: 0.4 * rng.nextFloat64(),
      adhesionReach: 1 + 0.5 * rng.nextFloat64(),
      speed: k % 3 === 0 ? 0 : 1 + rng.nextFloat64(),
      persistence: 2,
    });
  return store;
}

function bytes(s: AgentStore): Uint8Array {
  return new Uint8Array(s.buffer.slice(0));
}

describe('ParallelMechanics', () => {
  const workers: MechanicsWorker[] = [];
  afterAll(async () => {
    for (const w of workers) await w.close();
  });

  for (const dims of [2, 3] as const) {
    it(`two threads give the same bytes as one (${dims}D, walls, motility, growth, removals, row sorting)`, async () => {
      const n = dims === 3 ? 4050 : 2000; // + 60 below: past the capacity, so the store grows mid-run
      const L = dims === 3 ? 160 : 400;
      const opts: MechanicsOptions = {
        domain: { lo: dims === 3 ? [0, 0, 0] : [0, 0], hi: dims === 3 ? [L, L, L] : [L, L] },
        dt: 0.1,
        boundary: { kind: 'wall', strength: 50 },
        seed: 5,
        sortEvery: 7,
      };
      const w = await MechanicsWorker.start();
      workers.push(w);
      const one = populate(dims, n, L, false);
      const two = populate(dims, n, L, true);
      const m1 = new ParallelMechanics(one, opts, null);
      const m2 = new ParallelMechanics(two, opts, w);
      expect(m2.threads).toBe(2);
      const drive = (store: AgentStore, m: ParallelMechanics) => {
        m.run(20);
        // the store grows (new buffer for the worker) and loses rows (rows move)
        for (let k = 0; k < 60; k++)
          store.add({
            x: L / 2 + k,
            y: L / 2,
            ...(dims === 3 ? { z: L / 2 } : {}),
            radius: 6,
            repulsion: 10,
            speed: 1,
            persistence: 3,
          });
        for (let id = 0; id < 100; id += 9) store.remove(id);
        m.run(20);
      };
      drive(one, m1);
      drive(two, m2);
      expect(one.count).toBe(two.count);
      // compare the used rows of every column (capacities may differ only if growth differed: they do not)
      expect(one.capacity).toBe(two.capacity);
      const a = bytes(one);
      const b = bytes(two);
      expect(a.length).toBe(b.length);
      let diff = 0;
      for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) diff++;
      expect(diff).toBe(0);
      // the agents did move and interact (a real test): velocities are not all zero
      let moving = 0;
      for (let i = 0; i < two.count; i++) if (two.vx[i] !== 0) moving++;
      expect(moving).toBeGreaterThan(two.count / 2);
    }, 20_000);
  }

  it('a second ParallelMechanics on the same worker computes on its own store (configuration versions per worker)', async () => {
    const w = await MechanicsWorker.start();
    workers.push(w);
    const opts = (L: number): MechanicsOptions => ({
      domain: { lo: [0, 0, 0], hi: [L, L, L] },
      dt: 0.1,
      boundary: { kind: 'wall', strength: 50 },
      seed: 3,
    });
    // the first instance (2D, no lists, no growth) configures the worker once: version 1, as the second's first
    // configuration would be numbered if versions were counted per instance
    const first = populate(2, 500, 200, true, 1024);
    new ParallelMechanics(first, { domain: { lo: [0, 0], hi: [200, 200] }, dt: 0.1, seed: 3 }, w).run(3);
    const one = populate(3, 1200, 110, false, 2048);
    const two = populate(3, 1200, 110, true, 2048);
    new ParallelMechanics(one, opts(110), null).run(5);
    new ParallelMechanics(two, opts(110), w).run(5);
    const a = bytes(one);
    const b = bytes(two);
    let diff = 0;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) diff++;
    expect(diff).toBe(0);
  });

  it('a late notify of a step already done does not run it again (the motility streams advance once per step)', async () => {
    // Under load the calling thread can be descheduled between storing the go word and notifying it; the worker
    // then does the step, waits again, and only then receives that notify. It must not take it as a new step.
    const w = await MechanicsWorker.start();
    workers.push(w);
    const store = populate(2, 400, 200, true, 1024);
    const m = new ParallelMechanics(store, { domain: { lo: [0, 0], hi: [200, 200] }, dt: 0.1, seed: 9 }, w);
    m.run(3);
    const blocks = Float64Array.from(store.rngBlock.subarray(0, store.count));
    const velocities = Float64Array.from(store.vx.subarray(0, store.count));
    // the worker's half had motile agents (so a repeated step would show in their blocks)
    const cells = m.cells as NonNullable<typeof m.cells>;
    const split = Atomics.load(w.control, CTRL.SPLIT);
    let workerMotile = 0;
    for (let k = cells.binStart[split]; k < store.count; k++)
      if (store.speed[cells.order[k]] > 0) workerMotile++;
    expect(workerMotile).toBeGreaterThan(50);
    const done = Atomics.load(w.control, CTRL.DONE);
    await new Promise((r) => setTimeout(r, 50));
    expect(Atomics.notify(w.control, CTRL.GO)).toBe(1); // the worker was waiting, and is woken
    await new Promise((r) => setTimeout(r, 200));
    expect(Atomics.load(w.control, CTRL.DONE)).toBe(done);
    expect(Array.from(store.rngBlock.subarray(0, store.count))).toEqual(Array.from(blocks));
    expect(Array.from(store.vx.subarray(0, store.count))).toEqual(Array.from(velocities));
    // and it still takes the next real step
    m.run(1);
    expect(Atomics.load(w.control, CTRL.DONE)).toBe(done + 1);
  });

  it('a worker needs a shared store', async () => {
    const w = await MechanicsWorker.start();
    workers.push(w);
    const store = new AgentStore({ dims: 2 });
    expect(() => new ParallelMechanics(store, { domain: { lo: [0, 0], hi: [10, 10] }, dt: 0.1 }, w)).toThrow(
      /shared: true/,
    );
  });
});
