import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { AgentStore, Mechanics } from '../../../src/numerics/agents/index.js';
import { streamFor } from '../../../src/numerics/random/index.js';

// PhysiCell 1.x default mechanics (Mechanics constructor: repulsion 10, adhesion 0.4 um/min, relative maximum
// adhesion distance 1.25): workload settings for the engine tests, not model parameters.
const CR = 10;
const CA = 0.4;
const REACH = 1.25;

/** Pair speed f(d) (positive: apart) of two cells; both move, so d' = 2 f(d). */
function pairSpeed(
  d: number,
  r1: number,
  r2: number,
  cr: number,
  ca: number,
  a1: number,
  a2: number,
): number {
  const R = r1 + r2;
  const S = a1 * r1 + a2 * r2;
  let f = 0;
  if (d < R) f += cr * (1 - d / R) ** 2;
  if (d < S) f -= ca * (1 - d / S) ** 2;
  return f;
}

/** Where repulsion and adhesion balance: sqrt(cr) (1 - d/R) = sqrt(ca) (1 - d/S), for d < R < S. */
function equilibrium(R: number, S: number, cr: number, ca: number): number {
  return (Math.sqrt(cr) - Math.sqrt(ca)) / (Math.sqrt(cr) / R - Math.sqrt(ca) / S);
}

function twoCells(d0: number, dt: number, opts: { r2?: number; cr2?: number; ca2?: number } = {}) {
  const s = new AgentStore({ dims: 2 });
  s.add({ x: 500, y: 500, radius: 10, repulsion: CR, adhesion: CA, adhesionReach: REACH });
  s.add({
    x: 500 + d0 * 0.6,
    y: 500 + d0 * 0.8,
    radius: opts.r2 ?? 10,
    repulsion: opts.cr2 ?? CR,
    adhesion: opts.ca2 ?? CA,
    adhesionReach: REACH,
  });
  const m = new Mechanics(s, { domain: { lo: [0, 0], hi: [1000, 1000] }, dt });
  const dist = () => Math.hypot(s.x[0] - s.x[1], s.y[0] - s.y[1]);
  return { s, m, dist };
}

describe('Mechanics: two cells', () => {
  it('relax to the distance where repulsion and adhesion balance (from overlap and from apart)', () => {
    const dStar = equilibrium(20, 25, CR, CA); // 19.0476...
    expect(pairSpeed(dStar, 10, 10, CR, CA, REACH, REACH)).toBeCloseTo(0, 14);
    // (from 24.5, just inside the adhesion reach S = 25, the pull is ~1e-4 um/min: it takes days, so not here)
    for (const d0 of [12, 15, 22, 23]) {
      const { m, dist } = twoCells(d0, 0.1);
      m.run(8000);
      expect(Math.abs(dist() - dStar)).toBeLessThan(1e-9);
    }
  });

  it('use geometric means of unequal strengths and radii', () => {
    const r2 = 6;
    const cr2 = 25;
    const ca2 = 1.6;
    const dStar = equilibrium(10 + r2, REACH * (10 + r2), Math.sqrt(CR * cr2), Math.sqrt(CA * ca2));
    const { m, dist } = twoCells(12, 0.05, { r2, cr2, ca2 });
    m.run(4000);
    expect(Math.abs(dist() - dStar)).toBeLessThan(1e-9);
  });

  it('feel equal and opposite forces (bitwise)', () => {
    const { s, m } = twoCells(17.3, 0.1, { r2: 7, cr2: 3 });
    m.computeVelocities();
    expect(s.vx[0]).not.toBe(0);
    expect(Object.is(s.vx[0], -s.vx[1])).toBe(true);
    expect(Object.is(s.vy[0], -s.vy[1])).toBe(true);
  });

  it('Adams-Bashforth is second order: error ratio ~4 per halving of dt against a fine RK4 solution', () => {
    const T = 3;
    const d0 = 12;
    // reference: d' = 2 f(d), RK4 with h = 1e-4
    const rhs = (d: number) => 2 * pairSpeed(d, 10, 10, CR, CA, REACH, REACH);
    let d = d0;
    const h = 1e-4;
    for (let k = 0; k < T / h; k++) {
      const k1 = rhs(d);
      const k2 = rhs(d + (h / 2) * k1);
      const k3 = rhs(d + (h / 2) * k2);
      const k4 = rhs(d + h * k3);
      d += (h / 6) * (k1 + 2 * k2 + 2 * k3 + k4);
    }
    const errs = [0.1, 0.05, 0.025].map((dt) => {
      const c = twoCells(d0, dt);
      c.m.run(Math.round(T / dt));
      return Math.abs(c.dist() - d);
    });
    // measured: 8.2e-4, 2.1e-4, 5.2e-5 (ratios 3.96, 3.98)
    expect(errs[0]).toBeLessThan(2e-3);
    expect(errs[0] / errs[1]).toBeGreaterThan(3.6);
    expect(errs[0] / errs[1]).toBeLessThan(4.4);
    expect(errs[1] / errs[2]).toBeGreaterThan(3.6);
    expect(errs[1] / errs[2]).toBeLessThan(4.4);
  });
});

function cluster(dims: 2 | 3, n: number, spread: number, seed: number, order?: number[]) {
  const rng = streamFor(seed, ['purpose', 'test-cluster']);
  const init = Array.from({ length: n }, (_, id) => ({
    id,
    x: 500 + spread * (rng.nextFloat64() - 0.5),
    y: 500 + spread * (rng.nextFloat64() - 0.5),
    z: dims === 3 ? 500 + spread * (rng.nextFloat64() - 0.5) : 0,
    radius: 7 + 3 * rng.nextFloat64(),
    repulsion: CR * (0.5 + rng.nextFloat64()),
    adhesion: CA * (0.5 + rng.nextFloat64()),
    adhesionReach: REACH,
    type: id % 3,
    speed: 0,
  }));
  const s = new AgentStore({ dims, capacity: 4 });
  for (const k of order ?? init.map((_, k) => k)) s.add(init[k]);
  return s;
}

describe('Mechanics: many cells', () => {
  it('forces sum to zero (no walls, no motility)', () => {
    for (const dims of [2, 3] as const) {
      const s = cluster(dims, 300, dims === 2 ? 150 : 80, 3);
      const lo = Array(dims).fill(0);
      const hi = Array(dims).fill(1000);
      new Mechanics(s, { domain: { lo, hi }, dt: 0.1 }).computeVelocities();
      let sx = 0;
      let sy = 0;
      let sz = 0;
      let total = 0;
      for (let i = 0; i < s.count; i++) {
        sx += s.vx[i];
        sy += s.vy[i];
        sz += s.vz[i];
        total += Math.hypot(s.vx[i], s.vy[i], s.vz[i]);
      }
      expect(total).toBeGreaterThan(100);
      expect(Math.hypot(sx, sy, sz)).toBeLessThan(1e-13 * total);
    }
  });

  it('velocities equal a brute-force sum over all pairs (2D and 3D, mixed radii and strengths)', () => {
    for (const dims of [2, 3] as const) {
      const s = cluster(dims, 400, dims === 2 ? 300 : 120, 21);
      // a few agents outside the domain (clamped into the edge bins) and one large cell (wider bins)
      s.x[0] = -15;
      s.y[1] = 1012;
      s.radius[2] = 30;
      new Mechanics(s, {
        domain: { lo: Array(dims).fill(0), hi: Array(dims).fill(1000) },
        dt: 0.1,
      }).computeVelocities();
      let worst = 0;
      for (let i = 0; i < s.count; i++) {
        let fx = 0;
        let fy = 0;
        let fz = 0;
        for (let j = 0; j < s.count; j++) {
          if (j === i) continue;
          const dx = s.x[i] - s.x[j];
          const dy = s.y[i] - s.y[j];
          const dz = s.z[i] - s.z[j];
          const d = Math.hypot(dx, dy, dz);
          const R = s.radius[i] + s.radius[j];
          const S = s.adhesionReach[i] * s.radius[i] + s.adhesionReach[j] * s.radius[j];
          let f = 0;
          if (d < R) f += Math.sqrt(s.repulsion[i] * s.repulsion[j]) * (1 - d / R) ** 2;
          if (d < S) f -= Math.sqrt(s.adhesion[i] * s.adhesion[j]) * (1 - d / S) ** 2;
          fx += (f * dx) / d;
          fy += (f * dy) / d;
          fz += (f * dz) / d;
        }
        const scale = 1 + Math.hypot(fx, fy, fz);
        worst = Math.max(worst, Math.hypot(s.vx[i] - fx, s.vy[i] - fy, s.vz[i] - fz) / scale);
      }
      expect(worst).toBeLessThan(1e-12);
    }
  });

  it('a compressed cluster expands and settles with no overlap beyond tolerance', () => {
    for (const dims of [2, 3] as const) {
      const n = dims === 2 ? 60 : 80;
      const s = new AgentStore({ dims });
      const rng = streamFor(5, ['purpose', 'test-compressed']);
      for (let k = 0; k < n; k++)
        s.add({
          x: 500 + 20 * rng.nextFloat64(),
          y: 500 + 20 * rng.nextFloat64(),
          z: dims === 3 ? 500 + 20 * rng.nextFloat64() : 0,
          radius: 10,
          repulsion: CR,
          adhesion: CA,
          adhesionReach: REACH,
        });
      const m = new Mechanics(s, {
        domain: { lo: Array(dims).fill(0), hi: Array(dims).fill(1000) },
        dt: 0.1,
      });
      const minOverlapRatio = () => {
        let q = Infinity;
        for (let i = 0; i < n; i++)
          for (let j = i + 1; j < n; j++)
            q = Math.min(q, Math.hypot(s.x[i] - s.x[j], s.y[i] - s.y[j], s.z[i] - s.z[j]) / 20);
        return q;
      };
      expect(minOverlapRatio()).toBeLessThan(0.2);
      m.computeVelocities();
      let v0 = 0;
      for (let i = 0; i < n; i++) v0 = Math.max(v0, Math.hypot(s.vx[i], s.vy[i], s.vz[i]));
      m.run(6000);
      let vmax = 0;
      for (let i = 0; i < n; i++) vmax = Math.max(vmax, Math.hypot(s.vx[i], s.vy[i], s.vz[i]));
      // settled after 600 min: the largest speed fell from tens of um/min (measured 81 in 2D) to a slow rearrangement
      // (measured 5.3e-3 in 2D, 1.3e-2 in 3D; 5e-4 in 3D after 1800 min)
      expect(v0).toBeGreaterThan(50);
      expect(vmax).toBeLessThan(0.02);
      // closest pair: two cells alone balance at d / R = 0.952; neighbours' adhesion squeezes a few percent more
      // (measured 0.919 in 2D, 0.924 in 3D; 0.936 and 0.919 after 1800 min)
      expect(minOverlapRatio()).toBeGreaterThan(0.9);
      // and the cluster holds together (adhesion): every cell has a neighbour within the adhesion range
      for (let i = 0; i < n; i++) {
        let dmin = Infinity;
        for (let j = 0; j < n; j++)
          if (j !== i) dmin = Math.min(dmin, Math.hypot(s.x[i] - s.x[j], s.y[i] - s.y[j], s.z[i] - s.z[j]));
        expect(dmin).toBeLessThan(25);
      }
    }
  });
});

describe('Mechanics: boundaries and motility', () => {
  it('a repulsive wall keeps cells inside; reflection mirrors them back', () => {
    for (const boundary of [{ kind: 'wall', strength: 100 } as const, { kind: 'reflect' } as const]) {
      const s = new AgentStore({ dims: 3 });
      const rng = streamFor(8, ['purpose', 'test-wall']);
      // 50 cells in a slab along the x = 0 face, moving at 3 um/min with 5 min persistence
      for (let k = 0; k < 50; k++)
        s.add({
          x: 2 + 8 * rng.nextFloat64(),
          y: 100 * rng.nextFloat64(),
          z: 100 * rng.nextFloat64(),
          radius: 5,
          repulsion: CR,
          speed: 3,
          persistence: 5,
        });
      const m = new Mechanics(s, {
        domain: { lo: [0, 0, 0], hi: [100, 100, 100] },
        dt: 0.1,
        boundary,
        seed: 1,
      });
      let outside = 0;
      for (let step = 0; step < 2000; step++) {
        m.step();
        for (let i = 0; i < s.count; i++)
          for (const p of [s.x[i], s.y[i], s.z[i]]) if (p < 0 || p > 100) outside++;
      }
      expect(outside).toBe(0);
    }
  });

  it('draws directions from streamFor(seed, [purpose, agent-motility], [agent, id])', () => {
    const s = new AgentStore({ dims: 2 });
    s.add({ x: 0, y: 0, radius: 1 });
    s.add({ x: 0, y: 0, radius: 1, speed: 2, persistence: 0 });
    const m = new Mechanics(s, { domain: { lo: [-1e4, -1e4], hi: [1e4, 1e4] }, dt: 0.1, seed: 42 });
    const ref = streamFor(42, ['purpose', 'agent-motility'], ['agent', 1]);
    for (let step = 0; step < 70; step++) {
      m.computeVelocities();
      ref.nextFloat64(); // the turn draw
      const phi = 2 * Math.PI * ref.nextFloat64();
      expect(s.vx[1]).toBe(2 * Math.cos(phi));
      expect(s.vy[1]).toBe(2 * Math.sin(phi));
    }
    const t = new AgentStore({ dims: 2 });
    t.add({ x: 0, y: 0, radius: 1, speed: 2 });
    expect(() => new Mechanics(t, { domain: { lo: [0, 0], hi: [1, 1] }, dt: 0.1 }).step()).toThrow(
      /agent 0 has speed 2 but no seed/,
    );
  });

  it('random walk: mean squared displacement matches n (s dt)^2 for persistence <= dt (2D)', () => {
    const s = new AgentStore({ dims: 2 });
    const n = 1024;
    // non-interacting walkers (no strengths) on a 300 um lattice, far from the domain edges
    const start = (k: number) => [300 * (k % 32) - 4800, 300 * Math.floor(k / 32) - 4800];
    for (let k = 0; k < n; k++)
      s.add({ x: start(k)[0], y: start(k)[1], radius: 1, speed: 1, persistence: 0 });
    const m = new Mechanics(s, { domain: { lo: [-1e4, -1e4], hi: [1e4, 1e4] }, dt: 0.1, seed: 9 });
    const steps = 100;
    m.run(steps);
    let msd = 0;
    for (let i = 0; i < n; i++) {
      const [x0, y0] = start(s.id[i]);
      msd += (s.x[i] - x0) ** 2 + (s.y[i] - y0) ** 2;
    }
    msd /= n;
    // AB2 of independent unit steps: x = dt (v_1 + sum_{k>=2} (3/2 v_k - 1/2 v_{k-1})) -> E|x|^2 = dt^2 s^2 ((n-1)
    // (1 + 1/4) ... ) computed exactly below from the coefficients of each v_k.
    const coef = new Float64Array(steps);
    coef[0] = 1;
    for (let k = 1; k < steps; k++) {
      coef[k] += 1.5;
      coef[k - 1] -= 0.5;
    }
    const expected = 0.01 * coef.reduce((a, c) => a + c * c, 0);
    // standard error of the mean of |x|^2 (exponential-like, sd ~ mean) over 1024 walkers: ~3.1%
    expect(Math.abs(msd / expected - 1)).toBeLessThan(0.1);
  });
});

describe('Mechanics: determinism', () => {
  const runOnce = (order?: number[], removeShuffle = false) => {
    const s = cluster(3, 200, 90, 11, order);
    if (removeShuffle) {
      // add and remove 40 extra agents: rows get moved around by swap-with-last
      const extra: number[] = [];
      for (let k = 0; k < 40; k++) extra.push(s.add({ x: 0, y: 0, z: 0, radius: 1 }));
      for (const id of extra) s.remove(id);
    }
    for (let i = 0; i < s.count; i++) {
      s.speed[i] = 2;
      s.persistence[i] = 3;
    }
    const m = new Mechanics(s, {
      domain: { lo: [0, 0, 0], hi: [1000, 1000, 1000] },
      dt: 0.1,
      boundary: { kind: 'wall', strength: 100 },
      seed: 2024,
      sortEvery: removeShuffle ? 7 : 0,
    });
    m.run(150);
    const out = new Float64Array(3 * 200);
    for (let id = 0; id < 200; id++) {
      const i = s.indexOf(id);
      out[3 * id] = s.x[i];
      out[3 * id + 1] = s.y[i];
      out[3 * id + 2] = s.z[i];
    }
    return out;
  };

  it('same seed, same bits; insertion order and row moves change nothing but the rows', () => {
    const a = runOnce();
    const b = runOnce();
    expect(b).toEqual(a);
    const perm = [...Array(200).keys()].reverse();
    const rng = streamFor(1, ['purpose', 'test-shuffle']);
    for (let k = 199; k > 0; k--) {
      const j = Math.floor(rng.nextFloat64() * (k + 1));
      [perm[k], perm[j]] = [perm[j], perm[k]];
    }
    const c = runOnce(perm, true);
    for (let k = 0; k < a.length; k++) expect(Object.is(c[k], a[k])).toBe(true);
    // and it moved
    const s0 = cluster(3, 200, 90, 11);
    expect(Math.abs(a[0] - s0.x[0])).toBeGreaterThan(0.1);
  });
});

describe('Mechanics: allocation', () => {
  for (const lists of [false, true])
    it(`a step allocates nothing after warm-up: heap growth over 2x10^4 steps of 300 agents < 400 kB${lists ? ' (neighbour lists)' : ''}`, () => {
      const probe = join(dirname(fileURLToPath(import.meta.url)), 'alloc-probe.ts');
      const res = spawnSync(
        process.execPath,
        ['--expose-gc', '--import', 'tsx', probe, ...(lists ? ['lists'] : [])],
        { encoding: 'utf8' },
      );
      expect(res.status, res.stderr).toBe(0);
      const { steps, grown, retained, listBuilds } = JSON.parse(res.stdout) as {
        steps: number;
        grown: number;
        retained: number;
        listBuilds: number;
      };
      expect(steps).toBe(20_000);
      expect(grown).toBeLessThan(400_000);
      expect(retained).toBeLessThan(400_000);
      // with lists the probe rebuilds them often (motile agents: ~3500 builds in 3x10^4 steps); without, never
      if (lists) expect(listBuilds).toBeGreaterThan(100);
      else expect(listBuilds).toBe(0);
    });
});

describe('Mechanics: chemotaxis', () => {
  it('bias 1 moves along c at the motility speed; bias 0.5 drifts up c; bias 0 ignores c (same bits as no c)', () => {
    const run = (bias: number, withC: boolean) => {
      const s = new AgentStore({ dims: 2 });
      for (let k = 0; k < 200; k++)
        s.add({ x: 500, y: 500, radius: 5, speed: 2, persistence: 1, chemotaxisBias: bias });
      for (let i = 0; i < s.count; i++) if (withC) s.cx[i] = 1;
      const m = new Mechanics(s, { domain: { lo: [0, 0], hi: [1000, 1000] }, dt: 0.1, seed: 4 });
      // agents on top of each other feel no force (d = 0), so this is pure motility
      m.run(100);
      let mx = 0;
      let my = 0;
      for (let i = 0; i < s.count; i++) {
        mx += s.x[i] - 500;
        my += s.y[i] - 500;
      }
      return { mx: mx / s.count, my: my / s.count, x: Array.from(s.x.subarray(0, s.count)) };
    };
    const full = run(1, true);
    // 100 steps of 0.1 min at 2 um/min: 20 um along x, nothing along y
    expect(full.mx).toBeCloseTo(20, 9);
    expect(Math.abs(full.my)).toBeLessThan(1e-9);
    const half = run(0.5, true);
    expect(half.mx).toBeGreaterThan(10);
    expect(half.mx).toBeLessThan(20);
    expect(run(0, true).x).toEqual(run(0, false).x);
    expect(Math.abs(run(0, true).mx)).toBeLessThan(3);
  });
});
