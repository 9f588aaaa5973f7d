import { describe, expect, it } from 'vitest';
import { Grid } from '../../../src/numerics/fields/grid.js';
import { FieldSolver } from '../../../src/numerics/fields/solver.js';

/**
 * Steady states with decay and a point source.
 *
 * 3D: D lap u - lambda u + Q delta(x) = 0 in free space has u = Q exp(-r / L) / (4 pi D r), L = sqrt(D / lambda).
 * The solver's long-time state differs from it by (i) the lattice error of the 7-point finite-volume Laplacian
 * with the source spread over one voxel (largest near the source; h / L = 0.32 here) and (ii) the O(dt) error of
 * backward Euler with LOD splitting at steady state. The test separates the two: the exact discrete steady state
 * (lambda - D lap_h) u = Q delta / V is computed by conjugate gradients; it must match the Green's function to the
 * lattice tolerance, and the solver's state must approach it at first order in dt.
 */

/** Conjugate gradients for (lambda - D lap_h) u = b on a cubic n^3 grid with zero-flux faces (SPD). */
function discreteSteadyState(n: number, h: number, D: number, lambda: number, b: Float64Array): Float64Array {
  const N = n * n * n;
  const c = D / (h * h);
  const apply = (x: Float64Array, y: Float64Array) => {
    for (let k = 0; k < n; k++) {
      for (let j = 0; j < n; j++) {
        for (let i = 0; i < n; i++) {
          const v = i + n * (j + n * k);
          let s = lambda * x[v];
          if (i > 0) s += c * (x[v] - x[v - 1]);
          if (i < n - 1) s += c * (x[v] - x[v + 1]);
          if (j > 0) s += c * (x[v] - x[v - n]);
          if (j < n - 1) s += c * (x[v] - x[v + n]);
          if (k > 0) s += c * (x[v] - x[v - n * n]);
          if (k < n - 1) s += c * (x[v] - x[v + n * n]);
          y[v] = s;
        }
      }
    }
  };
  const x = new Float64Array(N);
  const r = b.slice();
  const p = b.slice();
  const ap = new Float64Array(N);
  const dot = (a: Float64Array, bb: Float64Array) => {
    let s = 0;
    for (let v = 0; v < N; v++) s += a[v] * bb[v];
    return s;
  };
  let rr = dot(r, r);
  const stop = 1e-28 * rr;
  for (let it = 0; it < 5000 && rr > stop; it++) {
    apply(p, ap);
    const alpha = rr / dot(p, ap);
    for (let v = 0; v < N; v++) {
      x[v] += alpha * p[v];
      r[v] -= alpha * ap[v];
    }
    const rn = dot(r, r);
    const beta = rn / rr;
    rr = rn;
    for (let v = 0; v < N; v++) p[v] = r[v] + beta * p[v];
  }
  if (rr > stop) throw new Error('CG did not converge');
  return x;
}

describe('3D steady state with decay and a point source', () => {
  const n = 31;
  const h = 1;
  const D = 1;
  const lambda = 0.1;
  const Q = 2.5;
  const L = Math.sqrt(D / lambda);
  const c = 15;
  const grid = new Grid({ shape: [n, n, n], spacing: h });
  const src = grid.index(c, c, c);
  const b = new Float64Array(grid.voxelCount);
  b[src] = Q / grid.voxelVolume;
  const discrete = discreteSteadyState(n, h, D, lambda, b);
  const green = (r: number) => (Q * Math.exp(-r / L)) / (4 * Math.PI * D * r);
  // The zero-flux faces reflect the source: add its mirror images in each face (and in pairs and triples of
  // faces), which makes the box solution the free-space one to ~exp(-2 * 15.5 / L) relative.
  const X = n * h;
  const xs = (c + 0.5) * h;
  const images = [xs, -xs, 2 * X - xs];
  const boxGreen = (x: number, y: number, z: number) => {
    let sum = 0;
    for (const a of images)
      for (const b2 of images) for (const d of images) sum += green(Math.hypot(x - a, y - b2, z - d));
    return sum;
  };
  // Offsets from the source: on an axis, face and body diagonals, and off-lattice directions; 3 <= r/h <= 10.
  const probes = [
    [3, 0, 0],
    [0, 4, 0],
    [0, 0, 6],
    [8, 0, 0],
    [0, -10, 0],
    [3, 3, 0],
    [-4, 0, 4],
    [3, 3, 3],
    [-4, 4, -4],
    [5, 2, 1],
    [2, -6, 3],
  ];

  function steadyBySolver(dt: number): Float64Array {
    const solver = new FieldSolver({ grid, dt, substrates: [{ name: 'u', diffusion: D, decay: lambda }] });
    solver.field(0).set(discrete);
    const vox = Int32Array.of(src);
    const rates = Float64Array.of(Q);
    // Start at the discrete steady state: the difference to the solver's own fixed point is O(dt) and decays at
    // least like exp(-lambda t); t = 100 leaves exp(-10) ~ 5e-5 of it.
    const steps = Math.round(100 / dt);
    for (let i = 0; i < steps; i++) {
      solver.addPointSources(0, vox, rates, 1);
      solver.step();
    }
    return solver.field(0).slice();
  }

  it('the discrete steady state matches the Green function (with mirror images): within 9% at 3 <= r/h < 6, within 3.5% at r/h >= 6', () => {
    // measured (h / L = 0.32): +8.3% at r = 3 on an axis, +3.2% at r = 6, -3.0% at (3,3,3), +2.5% at r = 10
    for (const [i, j, k] of probes) {
      const r = Math.hypot(i, j, k) * h;
      const exact = boxGreen(xs + i * h, xs + j * h, xs + k * h);
      const rel = discrete[grid.index(c + i, c + j, c + k)] / exact - 1;
      expect(Math.abs(rel)).toBeLessThan(r < 6 ? 0.09 : 0.035);
    }
    // The total amount balances production and decay: sum(u) V = Q / lambda.
    let sum = 0;
    for (const v of discrete) sum += v;
    expect(Math.abs((sum * grid.voxelVolume * lambda) / Q - 1)).toBeLessThan(1e-10);
  });

  it('the solver converges to the discrete steady state at first order in dt; within 5.5% of it at dt = 0.1', () => {
    const err = [0.2, 0.1].map((dt) => {
      const u = steadyBySolver(dt);
      let max = 0;
      for (const [i, j, k] of probes) {
        const v = grid.index(c + i, c + j, c + k);
        max = Math.max(max, Math.abs(u[v] / discrete[v] - 1));
      }
      // Mass of the scheme's fixed point: M = e (M + dt Q) with e = exp(-lambda dt), exactly (zero-flux faces).
      const e = Math.exp(-lambda * dt);
      let sum = 0;
      for (const x of u) sum += x;
      const expected = (e * dt * Q) / (1 - e);
      expect(Math.abs((sum * grid.voxelVolume) / expected - 1)).toBeLessThan(1e-6);
      return max;
    });
    // measured: dt 0.2 -> 9.4%, dt 0.1 -> 4.8% (the LOD splitting: axes high, diagonals low)
    expect(err[1]).toBeLessThan(0.055);
    const ratio = err[0] / err[1];
    expect(ratio).toBeGreaterThan(1.8);
    expect(ratio).toBeLessThan(2.2);
  });
});

describe.runIf(process.env.FIELDS_HEAVY === '1')(
  '3D point source, lattice error under refinement (FIELDS_HEAVY=1)',
  () => {
    it('halving h cuts the discrete steady state error against the Green function about 4x at fixed r', () => {
      const D = 1;
      const lambda = 0.1;
      const Q = 1;
      const L = Math.sqrt(D / lambda);
      const green = (r: number) => (Q * Math.exp(-r / L)) / (4 * Math.PI * D * r);
      const errors = [1, 0.5].map((h) => {
        const n = Math.round(31 / h) - (Math.round(31 / h) % 2 === 0 ? 1 : 0);
        const c = (n - 1) / 2;
        const b = new Float64Array(n * n * n);
        b[c + n * (c + n * c)] = Q / (h * h * h);
        const u = discreteSteadyState(n, h, D, lambda, b);
        let max = 0;
        for (const [i, j, k] of [
          [3, 0, 0],
          [4, 0, 0],
          [3, 3, 3],
          [6, 0, 0],
          [4, 4, 0],
        ]) {
          const [a1, a2, a3] = [i / h, j / h, k / h];
          const rel = u[c + a1 + n * (c + a2 + n * (c + a3))] / green(Math.hypot(i, j, k)) - 1;
          max = Math.max(max, Math.abs(rel));
        }
        return max;
      });
      // measured: max 8.3% at h = 1, 1.6% at h = 0.5 (r = 3 on an axis is the worst probe)
      expect(errors[1]).toBeLessThan(0.02);
      expect(errors[0] / errors[1]).toBeGreaterThan(3.5);
    });
  },
);

describe('1D steady state with decay, a point source and Dirichlet faces (cosh/sinh closed form)', () => {
  /**
   * On [0, X] with u(0) = a, u(X) = b: u = [a sinh((X - x)/L) + b sinh(x/L)] / sinh(X/L)
   *   + Q L / (D sinh(X/L)) sinh(min(x, xs)/L) sinh((X - max(x, xs))/L).
   */
  function maxError(n: number, dt: number) {
    const X = 10;
    const D = 1;
    const lambda = 1;
    const Q = 1;
    const a = 2;
    const b = 0.5;
    const grid = new Grid({ shape: [n], spacing: X / n });
    const solver = new FieldSolver({
      grid,
      dt,
      substrates: [
        {
          name: 'u',
          diffusion: D,
          decay: lambda,
          boundary: { xmin: { kind: 'dirichlet', value: a }, xmax: { kind: 'dirichlet', value: b } },
        },
      ],
    });
    const is = Math.round(0.3 * n);
    const xs = grid.centreX(is);
    const vox = Int32Array.of(is);
    const rates = Float64Array.of(Q);
    const steps = Math.round(25 / dt);
    for (let i = 0; i < steps; i++) {
      solver.addPointSources(0, vox, rates, 1);
      solver.step();
    }
    const L = Math.sqrt(D / lambda);
    const sT = Math.sinh(X / L);
    const u = solver.field(0);
    let max = 0;
    for (let i = 0; i < n; i++) {
      const x = grid.centreX(i);
      const hom = (a * Math.sinh((X - x) / L) + b * Math.sinh(x / L)) / sT;
      const gr = ((Q * L) / (D * sT)) * Math.sinh(Math.min(x, xs) / L) * Math.sinh((X - Math.max(x, xs)) / L);
      max = Math.max(max, Math.abs(u[i] - (hom + gr)));
    }
    return max;
  }

  it('max error below 2.5e-3 at h = 0.1 and second order in h (dt ~ h^2)', () => {
    const e1 = maxError(100, 1e-3);
    const e2 = maxError(200, 2.5e-4);
    // measured: 2.31e-3, 6.0e-4
    expect(e1).toBeLessThan(2.5e-3);
    expect(e2).toBeLessThan(6.5e-4);
    expect(e1 / e2).toBeGreaterThan(3.6);
    expect(e1 / e2).toBeLessThan(4.2);
  });
});
