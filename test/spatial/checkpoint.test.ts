/**
 * Checkpoint and restart of the complete state (agents with their stream positions, per-cell rule state, fields,
 * time): run(2T) equals run(T) + checkpoint + restore + run(T), bit for bit.
 */
import { describe, expect, it } from 'vitest';
import { loadKnowledgeBase } from '../../src/knowledge/load.js';
import type { ParallelMechanics } from '../../src/numerics/agents/parallel.js';
import { type SpatialCheckpoint, SpatialNiche, type SpatialOptions } from '../../src/spatial/model.js';
import { createParallelSpatial } from '../../src/spatial/parallel.js';

const kb = loadKnowledgeBase();

const options = (seed: number): SpatialOptions => ({
  dims: 2,
  domain: { lo: [0, 0], hi: [400, 400] },
  voxel: 20,
  seed,
  dtDiffusion: 0.1,
  dtMechanics: 0.1,
  dtPhenotype: 6,
  lscCapacity: 400,
  drug: { name: 'imatinib', nM: 400, supply: 'boundary' },
  oxygen: { boundary: 32 },
  // chemokine fields, retention and LSC chemotaxis up the CXCL12 gradient are part of the state too
  chemokines: { il8: true, cxcl12: true },
  // rows re-sorted by position every third phenotype step (the restore point, step 100, is not a multiple)
  sortRowsEvery: 3,
});

function populate(sim: SpatialNiche): void {
  for (let k = 0; k < 6; k++) sim.addCell({ type: 'bmsc', x: 60 + 55 * k, y: 200 });
  for (let k = 0; k < 6; k++) sim.addCell({ type: 'endo', x: 60 + 55 * k, y: 340 });
  for (let k = 0; k < 40; k++)
    sim.addCell({ type: 'cml', x: 40 + 8 * (k % 10) * 4, y: 60 + 12 * Math.floor(k / 10) });
  for (let k = 0; k < 120; k++)
    sim.addCell({
      type: 'lsc',
      x: 30 + 3 * (k % 40) * 3,
      y: 150 + 10 * Math.floor(k / 40),
      quiescent: k % 3 === 0,
    });
}

function same(a: SpatialCheckpoint, b: SpatialCheckpoint): string[] {
  const bad: string[] = [];
  const eq = (name: string, x: ArrayLike<number>, y: ArrayLike<number>) => {
    if (x.length !== y.length) return bad.push(`${name}: length ${x.length} vs ${y.length}`);
    for (let i = 0; i < x.length; i++)
      if (!Object.is(x[i], y[i])) return bad.push(`${name}[${i}]: ${x[i]} vs ${y[i]}`);
    return 0;
  };
  for (const k of ['time', 'phenotypeSteps', 'mechanicsSteps', 'nextId', 'count'] as const)
    if (a[k] !== b[k]) bad.push(`${k}: ${a[k]} vs ${b[k]}`);
  eq('f64', a.f64, b.f64);
  eq('i32', a.i32, b.i32);
  eq('u8', a.u8, b.u8);
  eq('fields', a.fields, b.fields);
  for (const k of Object.keys(a.perId)) eq(`perId.${k}`, a.perId[k], b.perId[k]);
  return bad;
}

describe('checkpoint / restart', () => {
  it('run(2T) equals run(T) + checkpoint + restore + run(T) bit for bit', () => {
    const T = 600;
    const full = new SpatialNiche(kb, options(7));
    populate(full);
    full.run(2 * T);

    const half = new SpatialNiche(kb, options(7));
    populate(half);
    half.run(T);
    const cp = half.checkpoint();
    // Restore into a fresh object (the checkpoint is plain data: typed arrays and numbers).
    const resumed = SpatialNiche.restore(kb, options(7), structuredClone(cp));
    resumed.run(T);

    const a = full.checkpoint();
    const b = resumed.checkpoint();
    expect(same(a, b)).toEqual([]);

    // The run did something: divisions, deaths, switches and movement happened, and fields are non-trivial.
    const c0 = 172;
    expect(a.nextId).toBeGreaterThan(c0);
    expect(a.count).toBeLessThan(a.nextId);
    const counts = full.counts();
    expect(counts.lsc).toBeLessThan(120 + (a.nextId - c0));
    // A different seed gives different bits (the comparison can fail).
    const other = new SpatialNiche(kb, options(8));
    populate(other);
    other.run(2 * T);
    expect(same(a, other.checkpoint()).length).toBeGreaterThan(0);
  });

  it('multirate exosome fields (dtExosome 0.1, dtDiffusion 0.05 min) on two threads give the same bits as one', async () => {
    const o = { ...options(10), dtDiffusion: 0.05, dtExosome: 0.1 };
    const one = new SpatialNiche(kb, o);
    populate(one);
    one.run(60);
    const two = await createParallelSpatial(kb, o, 2);
    try {
      populate(two.sim);
      two.sim.run(60);
      const a = one.checkpoint();
      expect(same(a, two.sim.checkpoint())).toEqual([]);
      // the exosome fields and the hypoxic cargo stepped (sources released into them)
      for (const k of ['cml', 'lsc', 'bmsc', 'cml_hyp'] as const)
        expect(one.fields.totalAmount(one.fieldIndex[k]), k).toBeGreaterThan(0);
      // and multirate differs from stepping them every 0.05 min (the comparison can fail)
      const fine = new SpatialNiche(kb, { ...o, dtExosome: 0.05 });
      populate(fine);
      fine.run(60);
      expect(same(a, fine.checkpoint()).length).toBeGreaterThan(0);
    } finally {
      await two.close();
    }
  });

  it('without exosomes (niche.exosomes false) the exosome fields are held at zero, on one thread or two', async () => {
    const o = { ...options(11), niche: { exosomes: false } };
    const two = await createParallelSpatial(kb, o, 2);
    try {
      populate(two.sim);
      two.sim.run(30);
      const f = two.sim.fields;
      for (const k of ['cml', 'lsc', 'bmsc', 'cml_hyp'] as const) {
        const u = f.field(two.sim.fieldIndex[k]);
        expect(
          u.every((x) => x === 0),
          k,
        ).toBe(true);
      }
      // oxygen and the drug still diffuse
      const o2 = f.field(two.sim.fieldIndex.oxygen);
      expect(Math.min(...o2)).toBeLessThan(32);
      const one = new SpatialNiche(kb, o);
      populate(one);
      one.run(30);
      expect(same(one.checkpoint(), two.sim.checkpoint())).toEqual([]);
    } finally {
      await two.close();
    }
    expect(() => new SpatialNiche(kb, { ...o, held: { cml: 1 } })).toThrow(
      /held: the exosome fields are off \(niche.exosomes false\)/,
    );
  });

  it("mode 'beside' (fields on the worker while the calling thread moves the agents) gives the same bits as one thread", async () => {
    // no chemotaxis (CXCL12 off), so the agents move during the field run; IL-8 kept as a fifth stepped field
    const o: SpatialOptions = { ...options(12), chemokines: { il8: true } };
    const one = new SpatialNiche(kb, o);
    populate(one);
    one.run(60);
    const cp = one.checkpoint();
    one.run(60);
    const two = await createParallelSpatial(kb, o, 2, undefined, { mode: 'beside' });
    try {
      populate(two.sim);
      two.sim.run(120);
      expect(same(one.checkpoint(), two.sim.checkpoint())).toEqual([]);
    } finally {
      await two.close();
    }
    const resumed = await createParallelSpatial(kb, o, 2, structuredClone(cp), { mode: 'beside' });
    try {
      resumed.sim.run(60);
      expect(same(one.checkpoint(), resumed.sim.checkpoint())).toEqual([]);
    } finally {
      await resumed.close();
    }
  });

  it('fields on two threads give the same bits as one; a one-thread checkpoint resumes on two threads', async () => {
    const one = new SpatialNiche(kb, options(9));
    populate(one);
    one.run(60);
    const cp = one.checkpoint();
    one.run(60);
    const two = await createParallelSpatial(kb, options(9), 2);
    try {
      populate(two.sim);
      // both the fields and the mechanics run split over two threads
      expect((two.sim.mechanics as ParallelMechanics).threads).toBe(2);
      two.sim.run(120);
      expect(same(one.checkpoint(), two.sim.checkpoint())).toEqual([]);
    } finally {
      await two.close();
    }
    const resumed = await createParallelSpatial(kb, options(9), 2, structuredClone(cp));
    try {
      expect((resumed.sim.mechanics as ParallelMechanics).threads).toBe(2);
      expect(resumed.sim.time).toBe(60);
      resumed.sim.run(60);
      expect(same(one.checkpoint(), resumed.sim.checkpoint())).toEqual([]);
    } finally {
      await resumed.close();
    }
  });
});
