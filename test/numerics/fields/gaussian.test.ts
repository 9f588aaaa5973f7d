import { describe, expect, it } from 'vitest';
import { Grid } from '../../../src/numerics/fields/grid.js';
import { FieldSolver } from '../../../src/numerics/fields/solver.js';

/**
 * A spreading Gaussian: u(x, 0) = exp(-|x|^2 / (2 s0^2)) solves du/dt = D lap u in free space as
 * u(x, t) = (s0^2 / s^2)^(d/2) exp(-|x|^2 / (2 s^2)), s^2 = s0^2 + 2 D t. The box [-L, L]^d with zero-flux faces
 * is "infinite-like": at |x| = L the profile is below exp(-L^2 / (2 s^2)) ~ 1e-7 for the cases below.
 * Errors: max |u - exact| and the relative discrete L2 norm sqrt(sum err^2 / sum exact^2).
 */
function gaussianError(dims: 1 | 2 | 3, n: number, halfWidth: number, dt: number, tEnd: number) {
  const D = 1;
  const s0 = 1;
  const h = (2 * halfWidth) / n;
  const grid = new Grid({
    shape: new Array(dims).fill(n),
    spacing: h,
    origin: new Array(dims).fill(-halfWidth),
  });
  const solver = new FieldSolver({ grid, dt, substrates: [{ name: 'u', diffusion: D, decay: 0 }] });
  const u = solver.field(0);
  const c = new Float64Array(3);
  for (let v = 0; v < u.length; v++) {
    grid.centre(v, c);
    u[v] = Math.exp(-(c[0] ** 2 + c[1] ** 2 + c[2] ** 2) / (2 * s0 * s0));
  }
  solver.advance(Math.round(tEnd / dt));
  const s2 = s0 * s0 + 2 * D * tEnd;
  const amp = ((s0 * s0) / s2) ** (dims / 2);
  let max = 0;
  let e2 = 0;
  let x2 = 0;
  for (let v = 0; v < u.length; v++) {
    grid.centre(v, c);
    const exact = amp * Math.exp(-(c[0] ** 2 + c[1] ** 2 + c[2] ** 2) / (2 * s2));
    const e = u[v] - exact;
    max = Math.max(max, Math.abs(e));
    e2 += e * e;
    x2 += exact * exact;
  }
  return { max, l2: Math.sqrt(e2 / x2) };
}

describe('spreading Gaussian against the free-space solution (D = 1, s0 = 1, t = 1)', () => {
  it('1D: first order in dt (fine grid, h = 0.005): error ratio per halving of dt in [1.9, 2.1]', () => {
    const e = [0.1, 0.05, 0.025].map((dt) => gaussianError(1, 4000, 10, dt, 1));
    // measured: max 9.5e-3, 4.8e-3, 2.4e-3
    expect(e[0].max).toBeLessThan(0.01);
    expect(e[2].max).toBeLessThan(0.0025);
    for (let k = 1; k < e.length; k++) {
      for (const key of ['max', 'l2'] as const) {
        const ratio = e[k - 1][key] / e[k][key];
        expect(ratio).toBeGreaterThan(1.9);
        expect(ratio).toBeLessThan(2.1);
      }
    }
  });

  it('1D: second order in h (dt = 1e-4): error ratio per halving of h in [3.7, 4.2]', () => {
    const e = [40, 80, 160].map((n) => gaussianError(1, n, 10, 1e-4, 1));
    // measured: max 3.9e-3, 1.0e-3, 2.6e-4
    expect(e[2].max).toBeLessThan(3e-4);
    for (let k = 1; k < e.length; k++) {
      for (const key of ['max', 'l2'] as const) {
        const ratio = e[k - 1][key] / e[k][key];
        expect(ratio).toBeGreaterThan(3.7);
        expect(ratio).toBeLessThan(4.2);
      }
    }
  });

  it('2D: h halved and dt quartered: error ratio in [3.6, 4.3] (second order in h, first in dt)', () => {
    const e = [
      [32, 0.1],
      [64, 0.025],
      [128, 0.00625],
    ].map(([n, dt]) => gaussianError(2, n, 8, dt, 1));
    // measured: max 1.50e-2, 3.89e-3, 9.8e-4; L2 2.9e-2, 7.4e-3, 1.9e-3
    expect(e[2].max).toBeLessThan(1.1e-3);
    expect(e[2].l2).toBeLessThan(2e-3);
    for (let k = 1; k < e.length; k++) {
      for (const key of ['max', 'l2'] as const) {
        const ratio = e[k - 1][key] / e[k][key];
        expect(ratio).toBeGreaterThan(3.6);
        expect(ratio).toBeLessThan(4.3);
      }
    }
  });

  it('3D: h halved and dt quartered: error ratio in [3.3, 4.3]', () => {
    const e = [
      [16, 0.1],
      [32, 0.025],
    ].map(([n, dt]) => gaussianError(3, n, 8, dt, 1));
    // measured: max 2.06e-2, 6.1e-3; L2 7.4e-2, 1.8e-2 (64^3 with dt 0.00625: max 1.6e-3, L2 4.5e-3)
    expect(e[1].max).toBeLessThan(7e-3);
    expect(e[1].l2).toBeLessThan(2e-2);
    for (const key of ['max', 'l2'] as const) {
      const ratio = e[0][key] / e[1][key];
      expect(ratio).toBeGreaterThan(3.3);
      expect(ratio).toBeLessThan(4.3);
    }
  });
});
