import { createHash } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { MechanicsOptions } from '../../../src/numerics/agents/mechanics.js';
import { MechanicsWorker, ParallelMechanics } from '../../../src/numerics/agents/parallel.js';
import { AgentStore } from '../../../src/numerics/agents/store.js';
import { streamFor } from '../../../src/numerics/random/index.js';

/**
 * Guard for speed work on the 3D mechanics (issue #11): the state after ~50 steps must keep every bit of the
 * state the kernel produced before the neighbour lists existed. The digests below were computed by the code as of
 * commit a96cfa2 (cell-list pair loop only), on one thread; two threads must give the same bytes.
 */
const REFERENCE = {
  mixed: 'fe43232a28dae905b7b49cc451a1a2dca6e5d6e06284d100bca7892b1355d46b',
  niche: '95cdfd5cc5d406a8864e9f5ca7043345252add52f57ec769847efb568d8eb7d3',
  wider: '8a590adb64f4a74857724cde5dcd22c9f7ae77b8345e723190e56ba42eae3b4b',
};

/** SHA-256 of id, x, y, z, vx, vy, vz, pvx, pvy, pvz of every agent, in id order. */
function digest(s: AgentStore): string {
  const n = s.count;
  const rows = Array.from({ length: n }, (_, i) => i).sort((a, b) => s.id[a] - s.id[b]);
  const buf = new Float64Array(10 * n);
  rows.forEach((i, k) => {
    buf.set(
      [s.id[i], s.x[i], s.y[i], s.z[i], s.vx[i], s.vy[i], s.vz[i], s.pvx[i], s.pvy[i], s.pvz[i]],
      10 * k,
    );
  });
  return createHash('sha256').update(new Uint8Array(buf.buffer)).digest('hex');
}

/**
 * 'mixed': 3000 agents of mixed radii, strengths and reach in a 150 um box with walls and random motility, 50
 * steps, rows sorted every 20 steps.
 */
function mixed(shared: boolean): {
  store: AgentStore;
  opts: MechanicsOptions;
  drive: (m: ParallelMechanics) => void;
} {
  const store = new AgentStore({ dims: 3, shared, capacity: 4096 });
  const rng = streamFor(21, ['purpose', 'test-agents-bitwise-mixed']);
  const L = 150;
  for (let k = 0; k < 3000; k++)
    store.add({
      x: L * rng.nextFloat64(),
      y: L * rng.nextFloat64(),
      z: L * rng.nextFloat64(),
      radius: 4 + 4 * rng.nextFloat64(),
      repulsion: 5 + 10 * rng.nextFloat64(),
      adhesion: 0.4 * rng.nextFloat64(),
      adhesionReach: 1 + 0.5 * rng.nextFloat64(),
      speed: k % 3 === 0 ? 0 : 1 + rng.nextFloat64(),
      persistence: 2,
    });
  const opts: MechanicsOptions = {
    domain: { lo: [0, 0, 0], hi: [L, L, L] },
    dt: 0.1,
    boundary: { kind: 'wall', strength: 100 },
    seed: 9,
    sortEvery: 20,
  };
  return { store, opts, drive: (m) => m.run(50) };
}

/**
 * 'niche': the spatial niche's use (src/spatial/model.ts): a fixed bin size of exactly twice the largest reach,
 * reflecting faces, radii 3.5-10 um with the largest agents (fixed, put back to their anchors after every step)
 * exactly at the bin width, agents added and removed and rows sorted mid-run, a radius changed.
 */
function niche(shared: boolean): {
  store: AgentStore;
  opts: MechanicsOptions;
  drive: (m: ParallelMechanics) => void;
} {
  const store = new AgentStore({ dims: 3, shared, capacity: 4096 });
  const rng = streamFor(22, ['purpose', 'test-agents-bitwise-niche']);
  const L = 200;
  const radii = [8, 3.5, 10, 7.1];
  const anchors: number[][] = [];
  for (let k = 0; k < 3500; k++) {
    const t = k % 40 === 0 ? 2 : k % 40 === 1 ? 3 : k % 7 === 0 ? 1 : 0;
    const p = [L * rng.nextFloat64(), L * rng.nextFloat64(), L * rng.nextFloat64()];
    const id = store.add({
      x: p[0],
      y: p[1],
      z: p[2],
      radius: radii[t],
      repulsion: 10,
      adhesion: 0.4,
      adhesionReach: 1.25,
      speed: t === 1 ? 0.5 : 0,
      persistence: 5,
    });
    if (t === 2) anchors.push([id, ...p]);
  }
  const opts: MechanicsOptions = {
    domain: { lo: [0, 0, 0], hi: [L, L, L] },
    dt: 0.1,
    boundary: { kind: 'reflect' },
    seed: 2026,
    binSize: 2 * 1.25 * 10,
  };
  const pin = () => {
    for (const [id, x, y, z] of anchors) {
      const i = store.indexOf(id);
      if (i < 0) continue;
      store.x[i] = x;
      store.y[i] = y;
      store.z[i] = z;
    }
  };
  const steps = (m: ParallelMechanics, n: number) => {
    for (let s = 0; s < n; s++) {
      m.step();
      pin();
    }
  };
  const drive = (m: ParallelMechanics) => {
    steps(m, 20);
    for (let id = 3; id < 3500; id += 97) store.remove(id);
    for (let k = 0; k < 40; k++) {
      // daughters placed on top of existing cells (strong repulsion: fast motion)
      const i = (k * 53) % store.count;
      store.add({
        x: store.x[i] + 1,
        y: store.y[i],
        z: store.z[i],
        radius: 8,
        repulsion: 10,
        adhesion: 0.4,
        adhesionReach: 1.25,
      });
    }
    steps(m, 10);
    m.sortRows();
    steps(m, 10);
    store.radius[store.indexOf(100)] = 9;
    steps(m, 12);
  };
  return { store, opts, drive };
}

/**
 * 'wider': 2500 agents of radius 5-7 um in a 130 um box (7 per bin) with walls and motility; at step 15 one agent
 * grows to 12 um (its reach passes the bins: a new, wider cell list mid-run, so new list geometry), at step 30
 * another one's adhesion reach changes; 45 steps.
 */
function wider(shared: boolean): {
  store: AgentStore;
  opts: MechanicsOptions;
  drive: (m: ParallelMechanics) => void;
} {
  const store = new AgentStore({ dims: 3, shared, capacity: 4096 });
  const rng = streamFor(23, ['purpose', 'test-agents-bitwise-wider']);
  const L = 130;
  for (let k = 0; k < 2500; k++)
    store.add({
      x: L * rng.nextFloat64(),
      y: L * rng.nextFloat64(),
      z: L * rng.nextFloat64(),
      radius: 5 + 2 * rng.nextFloat64(),
      repulsion: 10,
      adhesion: 0.4,
      adhesionReach: 1.25,
      speed: k % 2 === 0 ? 0.5 : 0,
      persistence: 5,
    });
  const opts: MechanicsOptions = {
    domain: { lo: [0, 0, 0], hi: [L, L, L] },
    dt: 0.1,
    boundary: { kind: 'wall', strength: 100 },
    seed: 4,
  };
  const drive = (m: ParallelMechanics) => {
    m.run(15);
    store.radius[store.indexOf(7)] = 12;
    m.run(15);
    store.adhesionReach[store.indexOf(8)] = 1.4;
    m.run(15);
  };
  return { store, opts, drive };
}

describe('Mechanics: bit-identical to the reference kernel (3D)', () => {
  const workers: MechanicsWorker[] = [];
  afterAll(async () => {
    for (const w of workers) await w.close();
  });

  for (const [name, make] of [
    ['mixed', mixed],
    ['niche', niche],
    ['wider', wider],
  ] as const) {
    it(`${name}: positions and velocities after 45-52 steps equal the reference digest, on one and two threads`, async () => {
      const one = make(false);
      const m1 = new ParallelMechanics(one.store, one.opts, null);
      one.drive(m1);
      // the run does something: most agents moved
      let moving = 0;
      for (let i = 0; i < one.store.count; i++) if (one.store.vx[i] !== 0) moving++;
      expect(moving).toBeGreaterThan(one.store.count / 2);
      expect(digest(one.store)).toBe(REFERENCE[name]);
      // the neighbour lists were built and reused (3D default skin), so the digest tests them
      console.log(`${name}: ${m1.listBuilds} list builds in ${m1.steps} steps`);
      expect(m1.listBuilds).toBeGreaterThan(0);
      expect(m1.listBuilds).toBeLessThan(m1.steps / 2);
      const w = await MechanicsWorker.start();
      workers.push(w);
      const two = make(true);
      const m2 = new ParallelMechanics(two.store, two.opts, w);
      two.drive(m2);
      expect(digest(two.store)).toBe(REFERENCE[name]);
    }, 20_000);
  }
});
