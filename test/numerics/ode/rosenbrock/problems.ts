/**
 * Local copies of standard stiff test problems with their published reference values, for the Rosenbrock
 * tests. The analytic Jacobians are written out by hand from the equations.
 */
import type { OdeProblem } from '../../../../src/numerics/ode/problem.js';
import { odeProblem } from '../../../../src/numerics/ode/problem.js';

/**
 * Robertson's chemical kinetics (Hairer & Wanner, Solving ODEs II, sec. IV.1, eq. (1.4)).
 * y1' = -0.04 y1 + 1e4 y2 y3, y2' = 0.04 y1 - 1e4 y2 y3 - 3e7 y2^2, y3' = 3e7 y2^2; y(0) = (1, 0, 0).
 */
export function robertson(tEnd: number): OdeProblem {
  return odeProblem(
    (_t, y, dy) => {
      const r1 = 0.04 * y[0];
      const r2 = 1e4 * y[1] * y[2];
      const r3 = 3e7 * y[1] * y[1];
      dy[0] = -r1 + r2;
      dy[1] = r1 - r2 - r3;
      dy[2] = r3;
    },
    [1, 0, 0],
    [0, tEnd],
    {
      jac: (_t, y, J) => {
        J[0] = -0.04;
        J[1] = 1e4 * y[2];
        J[2] = 1e4 * y[1];
        J[3] = 0.04;
        J[4] = -1e4 * y[2] - 6e7 * y[1];
        J[5] = -1e4 * y[1];
        J[6] = 0;
        J[7] = 6e7 * y[1];
        J[8] = 0;
      },
    },
  );
}

/**
 * Robertson at t = 40, computed to about 12 digits by several independent codes and consistent with the
 * 10 digits printed in Hairer & Wanner II, sec. IV.10 (0.7158270687, 0.9185534764e-5, 0.2841637457).
 */
export const ROBERTSON_T40 = [0.7158270687194048, 9.185534764557822e-6, 0.2841637457458297];

/** Van der Pol oscillator y1' = y2, y2' = mu (1 - y1^2) y2 - y1, y(0) = (2, 0) (unscaled form). */
export function vanDerPol(mu: number, tEnd: number): OdeProblem {
  return odeProblem(
    (_t, y, dy) => {
      dy[0] = y[1];
      dy[1] = mu * (1 - y[0] * y[0]) * y[1] - y[0];
    },
    [2, 0],
    [0, tEnd],
    {
      jac: (_t, y, J) => {
        J[0] = 0;
        J[1] = 1;
        J[2] = -2 * mu * y[0] * y[1] - 1;
        J[3] = mu * (1 - y[0] * y[0]);
      },
    },
  );
}

/**
 * HIRES (Schäfer 1975), from the IVP test set of the University of Bari (F. Mazzia, C. Magherini et al.,
 * "Test Set for IVP Solvers", problem HIRES): 8 species, t in [0, 321.8122].
 */
export function hires(withJacobian = true): OdeProblem {
  const f = (_t: number, y: Float64Array, dy: Float64Array): void => {
    dy[0] = -1.71 * y[0] + 0.43 * y[1] + 8.32 * y[2] + 0.0007;
    dy[1] = 1.71 * y[0] - 8.75 * y[1];
    dy[2] = -10.03 * y[2] + 0.43 * y[3] + 0.035 * y[4];
    dy[3] = 8.32 * y[1] + 1.71 * y[2] - 1.12 * y[3];
    dy[4] = -1.745 * y[4] + 0.43 * y[5] + 0.43 * y[6];
    dy[5] = -280 * y[5] * y[7] + 0.69 * y[3] + 1.71 * y[4] - 0.43 * y[5] + 0.69 * y[6];
    dy[6] = 280 * y[5] * y[7] - 1.81 * y[6];
    dy[7] = -280 * y[5] * y[7] + 1.81 * y[6];
  };
  const jac = (_t: number, y: Float64Array, J: Float64Array): void => {
    J.fill(0);
    const n = 8;
    const set = (i: number, j: number, v: number) => {
      J[i * n + j] = v;
    };
    set(0, 0, -1.71);
    set(0, 1, 0.43);
    set(0, 2, 8.32);
    set(1, 0, 1.71);
    set(1, 1, -8.75);
    set(2, 2, -10.03);
    set(2, 3, 0.43);
    set(2, 4, 0.035);
    set(3, 1, 8.32);
    set(3, 2, 1.71);
    set(3, 3, -1.12);
    set(4, 4, -1.745);
    set(4, 5, 0.43);
    set(4, 6, 0.43);
    set(5, 3, 0.69);
    set(5, 4, 1.71);
    set(5, 5, -0.43 - 280 * y[7]);
    set(5, 6, 0.69);
    set(5, 7, -280 * y[5]);
    set(6, 5, 280 * y[7]);
    set(6, 6, -1.81);
    set(6, 7, 280 * y[5]);
    set(7, 5, -280 * y[7]);
    set(7, 6, 1.81);
    set(7, 7, -280 * y[5]);
  };
  return odeProblem(f, [1, 0, 0, 0, 0, 0, 0, 0.0057], [0, 321.8122], withJacobian ? { jac } : {});
}

/** HIRES reference at t = 321.8122 (Bari IVP test set, computed with RADAU5 at tight tolerance). */
export const HIRES_REF = [
  0.7371312573325668e-3, 0.1442485726316185e-3, 0.5888729740967575e-4, 0.1175651343283149e-2,
  0.2386356198831331e-2, 0.6238968252742796e-2, 0.2849998395185769e-2, 0.2850001604814231e-2,
];

/**
 * Robertson at t = 1e5, the reference used by published solver test suites (computed at very tight
 * tolerance; two independent copies agree to 1e-12).
 */
export const ROBERTSON_T1E5 = [0.1786592114209946e-1, 0.7274751468436319e-7, 0.9821340061103859];

/**
 * Van der Pol mu = 1000 at t = 2000 from y(0) = (2, 0): the Bari VDPOL reference for the scaled form
 * (z1, z2)(2) = (1.706167732170483, -0.8928097010247975), with y1 = z1, y2 = z2 / mu.
 */
export const VDP_MU1000_T2000 = [1.706167732170483, -0.8928097010247975e-3];

/**
 * Method-of-lines heat equation with a quadratic sink, u_t = u_xx - u^2 on (0, 1), u = 0 at both ends,
 * u(x, 0) = sin(pi x), n interior points: a stiff problem with a tridiagonal Jacobian (bandwidth 1, 1).
 */
export function heatSink(n: number, banded: boolean, withJacobian = true): OdeProblem {
  const dx = 1 / (n + 1);
  const c = 1 / (dx * dx);
  const y0 = Array.from({ length: n }, (_, i) => Math.sin(Math.PI * (i + 1) * dx));
  return odeProblem(
    (_t, y, dy) => {
      for (let i = 0; i < n; i++) {
        const l = i > 0 ? y[i - 1] : 0;
        const r = i < n - 1 ? y[i + 1] : 0;
        dy[i] = c * (l - 2 * y[i] + r) - y[i] * y[i];
      }
    },
    y0,
    [0, 0.5],
    {
      jac: withJacobian ? heatSinkJac : undefined,
      ...(banded ? { bandwidth: { lower: 1, upper: 1 } } : {}),
    },
  );
  function heatSinkJac(_t: number, y: Float64Array, J: Float64Array): void {
    J.fill(0);
    for (let i = 0; i < n; i++) {
      J[i * n + i] = -2 * c - 2 * y[i];
      if (i > 0) J[i * n + i - 1] = c;
      if (i < n - 1) J[i * n + i + 1] = c;
    }
  }
}
