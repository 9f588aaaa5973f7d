/**
 * The vessel network (docs/spatial.md "Vessel network"): endothelial cells sprout and regress at the niche model's
 * k_vasc, so the expected count follows dV/dt = k_vasc (T - V) with V = N / N0 (the same solution as each cell's
 * vasc activation, which relaxes exactly over every step); the network read-out on hand-built configurations;
 * checkpoint / restart and two threads with a growing network.
 */
import { describe, expect, it } from 'vitest';
import { loadKnowledgeBase } from '../../src/knowledge/load.js';
import { type SpatialCheckpoint, SpatialNiche, type SpatialOptions } from '../../src/spatial/model.js';
import { vesselNetwork } from '../../src/spatial/network.js';
import { createParallelSpatial } from '../../src/spatial/parallel.js';

const kb = loadKnowledgeBase();
const UM3_PER_ML = 1e12;

const options = (seed: number, dose: boolean, extra: Partial<SpatialOptions> = {}): SpatialOptions => {
  const probe = new SpatialNiche(kb, {
    dims: 2,
    domain: { lo: [0, 0], hi: [600, 600] },
    voxel: 20,
    seed,
    lscCapacity: 1,
  });
  const held = (probe.params.invitroDose * probe.params.invitroParticlesPerUg) / UM3_PER_ML;
  return {
    dims: 2,
    domain: { lo: [0, 0], hi: [600, 600] },
    voxel: 20,
    seed,
    setting: 'in-vitro',
    lscCapacity: 1e9,
    mechanics: false,
    dtDiffusion: 6,
    dtMechanics: 6,
    dtPhenotype: 6,
    held: { cml: dose ? held : 0, lsc: 0, bmsc: 0 },
    niche: { feedbacks: { 'il8-cxcr-retention': false, 'vcam1-cxcl12-retention': false } },
    vessels: {},
    ...extra,
  };
};

/** `rings` hexagonal rings of 6 touching endothelial cells (side 2r), 100 um apart: 6 edges each. */
function rings(sim: SpatialNiche, count: number): void {
  const d = 2 * sim.params.radius.endo;
  for (let k = 0; k < count; k++) {
    const cx = 100 + 130 * (k % 4);
    const cy = 100 + 130 * Math.floor(k / 4);
    for (let m = 0; m < 6; m++)
      sim.addCell({
        type: 'endo',
        x: cx + d * Math.cos((Math.PI / 3) * m),
        y: cy + d * Math.sin((Math.PI / 3) * m),
      });
  }
}

const meanVasc = (sim: SpatialNiche) => {
  const c = sim.agentColumns();
  let s = 0;
  let n = 0;
  for (let i = 0; i < c.id.length; i++)
    if (!Number.isNaN(c.vasc[i])) {
      s += c.vasc[i];
      n++;
    }
  return s / n;
};

describe('vessel network read-out', () => {
  const r = 7.1;
  const d = 2 * r;
  const reach = 1.25;
  it('a chain of k cells has length (k - 1) d; two chains are two components; a T has one branch point', () => {
    for (const k of [1, 2, 5, 12]) {
      const x = Float64Array.from({ length: k }, (_, i) => 10 + d * i);
      const zero = new Float64Array(k);
      const rad = new Float64Array(k).fill(r);
      const net = vesselNetwork(k, x, zero, zero, rad, reach);
      expect(net.length).toBeCloseTo((k - 1) * d, 10);
      expect(net.edges).toBe(k - 1);
      expect(net.components).toBe(1);
      expect(net.branchPoints).toBe(0);
      expect(net.tips).toBe(k === 1 ? 0 : 2);
    }
    // two parallel chains of 4, 3 d apart (beyond the reach 2.5 r): 2 components, length 2 x 3 d
    const x = [0, d, 2 * d, 3 * d, 0, d, 2 * d, 3 * d];
    const y = [0, 0, 0, 0, 3 * d, 3 * d, 3 * d, 3 * d];
    const z = new Float64Array(8);
    const two = vesselNetwork(8, x, y, z, new Float64Array(8).fill(r), reach);
    expect(two.components).toBe(2);
    expect(two.length).toBeCloseTo(6 * d, 10);
    // moved to 1.2 d apart (within the reach): the rungs join them, one component
    const yc = y.map((v) => (v > 0 ? 1.2 * d : 0));
    const ladder = vesselNetwork(8, x, yc, z, new Float64Array(8).fill(r), reach);
    expect(ladder.components).toBe(1);
    expect(ladder.edges).toBe(6 + 4);
    // a T: chain of 5 with a 2-cell branch from the middle, in 3D (z axis)
    const tx = [0, d, 2 * d, 3 * d, 4 * d, 2 * d, 2 * d];
    const tz = [0, 0, 0, 0, 0, d, 2 * d];
    const t = vesselNetwork(7, tx, new Float64Array(7), tz, new Float64Array(7).fill(r), reach);
    expect(t.branchPoints).toBe(1);
    expect(t.tips).toBe(3);
    expect(t.length).toBeCloseTo(6 * d, 10);
  });

  it('the simulation reads its endothelial cells the same way', () => {
    const sim = new SpatialNiche(kb, options(1, false, { vessels: undefined }));
    rings(sim, 3);
    for (let k = 0; k < 4; k++) sim.addCell({ type: 'endo', x: 50 + 2 * sim.params.radius.endo * k, y: 560 });
    sim.addCell({ type: 'cml', x: 300, y: 300 });
    const net = sim.vesselNetwork();
    const dd = 2 * sim.params.radius.endo;
    expect(net.cells).toBe(22);
    expect(net.components).toBe(4);
    expect(net.length).toBeCloseTo(18 * dd + 3 * dd, 8);
    expect(() => vesselNetwork(1, [0], [0], [0], [0], 1.25)).toThrow(/radius/);
  });
});

describe('vessel growth and regression at k_vasc', () => {
  it('under a constant angiogenic signal E[N]/N0 follows the vasc relaxation; at the plateau N/N0 = T', () => {
    const reps = 8;
    const kv = new SpatialNiche(kb, options(0, true)).params.kVasc;
    const t1 = Math.round(1 / kv / 6) * 6;
    const ratios: number[] = [];
    let vasc = 0;
    let sims: SpatialNiche[] = [];
    for (let s = 0; s < reps; s++) {
      const sim = new SpatialNiche(kb, options(100 + s, true));
      rings(sim, 6);
      sim.run(t1);
      ratios.push(sim.counts().endo / 36);
      vasc = meanVasc(sim);
      sims.push(sim);
    }
    const mean = ratios.reduce((a, b) => a + b, 0) / reps;
    const sd = Math.sqrt(ratios.reduce((a, b) => a + (b - mean) ** 2, 0) / (reps - 1));
    const se = sd / Math.sqrt(reps);
    // vasc(t) = T - (T - 1) e^{-k t}: the niche model's V after one relaxation time, from the same k_vasc
    expect(vasc).toBeGreaterThan(1.5);
    expect(Math.abs(mean - vasc)).toBeLessThan(3 * Math.max(se, 0.01));
    expect(Math.abs(mean - vasc) / vasc).toBeLessThan(0.04);
    // The networks grew as networks: sprouts adhered, branch points on the rings, length = edges x 2r
    for (const sim of sims) {
      // every sprout found room (beside its parent or further along its vessel), so the rate is k_vasc's
      expect(sim.failedSprouts).toBe(0);
      const net = sim.vesselNetwork();
      expect(net.components).toBe(6);
      expect(net.branchPoints).toBeGreaterThan(0);
      expect(net.edges).toBe(net.cells); // each ring has 6 edges for 6 cells; each sprout adds one cell, one edge
      expect(net.length).toBeCloseTo(net.edges * 2 * sim.params.radius.endo, 6);
    }
    // Plateau (4 more relaxation times): N / N0 reaches T (vasc at 5 relaxation times is T to 0.7 %)
    sims = sims.slice(0, 2);
    for (const sim of sims) {
      sim.run(4 * t1);
      const T = meanVasc(sim);
      expect(Math.abs(sim.counts().endo / 36 - T)).toBeLessThan(2 / 36 + 0.01 * T);
    }
  });

  it('in 3D a chain grows into a tree (one edge per new cell, one component)', () => {
    const sim = new SpatialNiche(
      kb,
      options(41, true, { dims: 3, domain: { lo: [0, 0, 0], hi: [200, 200, 200] }, voxel: 40 }),
    );
    const d = 2 * sim.params.radius.endo;
    for (let k = 0; k < 8; k++) sim.addCell({ type: 'endo', x: 50 + d * k, y: 100, z: 100 });
    sim.run(Math.round(2 / sim.params.kVasc / 6) * 6);
    const net = sim.vesselNetwork();
    expect(net.cells).toBeGreaterThan(11);
    expect(sim.failedSprouts).toBe(0);
    expect(net.components).toBe(1);
    expect(net.edges).toBe(net.cells - 1);
    expect(net.length).toBeCloseTo(net.edges * d, 6);
    // every cell stays inside the domain
    const c = sim.agentColumns();
    for (let i = 0; i < c.id.length; i++)
      for (const v of [c.x[i], c.y[i], c.z[i]]) expect(v >= 0 && v < 200).toBe(true);
  });

  it('without a signal the network regresses to its baseline at k_vasc', () => {
    const reps = 8;
    const kv = new SpatialNiche(kb, options(0, false)).params.kVasc;
    const t1 = Math.round(1 / kv / 6) * 6;
    const n0 = 12;
    const counts: number[] = [];
    for (let s = 0; s < reps; s++) {
      const sim = new SpatialNiche(kb, options(200 + s, false, { vessels: { baseline: n0 } }));
      rings(sim, 6);
      const before = sim.vesselNetwork();
      sim.run(t1);
      const after = sim.vesselNetwork();
      counts.push(after.cells);
      expect(after.length).toBeLessThan(before.length);
      expect(sim.vesselBaselineCount).toBe(n0);
    }
    const mean = counts.reduce((a, b) => a + b, 0) / reps;
    const sd = Math.sqrt(counts.reduce((a, b) => a + (b - mean) ** 2, 0) / (reps - 1));
    // dN/dt = k (N0 - N): E[N(t)] = N0 + (36 - N0) e^{-k t}, with t the whole steps run
    const expected = n0 + (36 - n0) * Math.exp(-kv * t1);
    expect(Math.abs(mean - expected)).toBeLessThan(3 * (sd / Math.sqrt(reps)) + 0.5);
    expect(Math.abs(mean - expected) / expected).toBeLessThan(0.08);
    // At baseline without a signal nothing happens (net rate 0): the network is unchanged
    const still = new SpatialNiche(kb, options(300, false));
    rings(still, 2);
    still.run(t1);
    expect(still.counts().endo).toBe(12);
    expect(() => new SpatialNiche(kb, options(1, false, { vessels: { baseline: 2.5 } }))).toThrow(
      /vessels.baseline/,
    );
  });
});

function same(a: SpatialCheckpoint, b: SpatialCheckpoint): string[] {
  const bad: string[] = [];
  const eq = (name: string, x: ArrayLike<number>, y: ArrayLike<number>) => {
    if (x.length !== y.length) return bad.push(`${name}: length ${x.length} vs ${y.length}`);
    for (let i = 0; i < x.length; i++)
      if (!Object.is(x[i], y[i])) return bad.push(`${name}[${i}]: ${x[i]} vs ${y[i]}`);
    return 0;
  };
  for (const k of [
    'time',
    'phenotypeSteps',
    'mechanicsSteps',
    'nextId',
    'count',
    'vesselBaseline',
    'influxBlock',
  ] as const)
    if (a[k] !== b[k]) bad.push(`${k}: ${a[k]} vs ${b[k]}`);
  eq('f64', a.f64, b.f64);
  eq('i32', a.i32, b.i32);
  eq('u8', a.u8, b.u8);
  eq('fields', a.fields, b.fields);
  for (const k of Object.keys(a.perId)) eq(`perId.${k}`, a.perId[k], b.perId[k]);
  return bad;
}

describe('vessels, normal stem cells and T cells: checkpoint / restart and two threads', () => {
  // mechanics on (sprouts are anchored; LSCs move around them), fields at a coarse step to keep the run short
  const opts = (seed: number) =>
    options(seed, true, {
      mechanics: true,
      dtDiffusion: 1,
      dtMechanics: 1,
      lscCapacity: 100,
      // normal stem cells over their capacity: they die at pn (N + w_ln Y)/Kn - pn (part of the compared state)
      normalCapacity: 3,
      // T cells: influx at random positions (the domain's stream), recruitment, death, kill by voxel
      immune: { scale: 0.5 },
    });
  const populate = (sim: SpatialNiche) => {
    rings(sim, 4);
    for (let k = 0; k < 20; k++) sim.addCell({ type: 'lsc', x: 60 + 25 * k, y: 400 + 10 * (k % 3) });
    for (let k = 0; k < 12; k++) sim.addCell({ type: 'normal', x: 70 + 30 * k, y: 480 });
    for (let k = 0; k < 5; k++) sim.addCell({ type: 'tcell', x: 90 + 40 * k, y: 420 });
  };

  it('run(2T) equals run(T) + checkpoint + restore + run(T) with sprouts', () => {
    const T = 6000;
    const full = new SpatialNiche(kb, opts(11));
    populate(full);
    full.run(2 * T);
    const half = new SpatialNiche(kb, opts(11));
    populate(half);
    half.run(T);
    const resumed = SpatialNiche.restore(kb, opts(11), structuredClone(half.checkpoint()));
    resumed.run(T);
    const a = full.checkpoint();
    expect(same(a, resumed.checkpoint())).toEqual([]);
    // the network grew in this run (the comparison covers sprouts) and normal stem cells died
    expect(full.counts().endo).toBeGreaterThan(24);
    expect(full.counts().normal).toBeLessThan(12);
    expect(full.counts().normal).toBeGreaterThan(0);
    expect(full.counts().tcell).not.toBe(5);
    expect(a.influxBlock).toBeGreaterThan(0);
  });

  it('two threads give the same bits as one with a growing network', async () => {
    const one = new SpatialNiche(kb, opts(12));
    populate(one);
    one.run(6000);
    const two = await createParallelSpatial(kb, opts(12), 2);
    try {
      populate(two.sim);
      two.sim.run(6000);
      expect(same(one.checkpoint(), two.sim.checkpoint())).toEqual([]);
      expect(one.counts().endo).toBeGreaterThan(24);
    } finally {
      await two.close();
    }
  });
});
