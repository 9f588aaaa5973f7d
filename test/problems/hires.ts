/**
 * HIRES: "High Irradiance RESponse" of photomorphogenesis on the basis of phytochrome, 8 species.
 *
 * E. Schaefer (1975), "A new approach to explain the 'high irradiance responses' of photomorphogenesis on the
 * basis of phytochrome", J. Math. Biology 2, 41-56; Hairer and Wanner, Solving ODEs II, sec. IV.10.
 * y(0) = (1, 0, 0, 0, 0, 0, 0, 0.0057), t in [0, 321.8122].
 * Reference at t = 321.8122: Bari test set (Mazzia & Magherini, problem HIRES), RADAU5 in extended precision.
 */
import type { TestProblem } from './types.js';

export const hires: TestProblem = {
  name: 'hires',
  title: 'HIRES',
  description:
    'Plant photomorphogenesis kinetics (phytochrome), 8 species, one bilinear reaction; t in [0, 321.8122].',
  citation:
    'Schaefer, J. Math. Biology 2 (1975) 41-56; Hairer & Wanner, Solving ODEs II (1996), sec. IV.10; Mazzia & Magherini, Test Set for IVP Solvers (Univ. Bari), problem HIRES.',
  stiff: true,
  n: 8,
  f(_t, y, dy) {
    const r = 280 * y[5] * y[7];
    dy[0] = -1.71 * y[0] + 0.43 * y[1] + 8.32 * y[2] + 0.0007;
    dy[1] = 1.71 * y[0] - 8.75 * y[1];
    dy[2] = -10.03 * y[2] + 0.43 * y[3] + 0.035 * y[4];
    dy[3] = 8.32 * y[1] + 1.71 * y[2] - 1.12 * y[3];
    dy[4] = -1.745 * y[4] + 0.43 * y[5] + 0.43 * y[6];
    dy[5] = -r + 0.69 * y[3] + 1.71 * y[4] - 0.43 * y[5] + 0.69 * y[6];
    dy[6] = r - 1.81 * y[6];
    dy[7] = -r + 1.81 * y[6];
  },
  jac(_t, y, J) {
    J.fill(0);
    J[0 * 8 + 0] = -1.71;
    J[0 * 8 + 1] = 0.43;
    J[0 * 8 + 2] = 8.32;
    J[1 * 8 + 0] = 1.71;
    J[1 * 8 + 1] = -8.75;
    J[2 * 8 + 2] = -10.03;
    J[2 * 8 + 3] = 0.43;
    J[2 * 8 + 4] = 0.035;
    J[3 * 8 + 1] = 8.32;
    J[3 * 8 + 2] = 1.71;
    J[3 * 8 + 3] = -1.12;
    J[4 * 8 + 4] = -1.745;
    J[4 * 8 + 5] = 0.43;
    J[4 * 8 + 6] = 0.43;
    J[5 * 8 + 3] = 0.69;
    J[5 * 8 + 4] = 1.71;
    J[5 * 8 + 5] = -0.43 - 280 * y[7];
    J[5 * 8 + 6] = 0.69;
    J[5 * 8 + 7] = -280 * y[5];
    J[6 * 8 + 5] = 280 * y[7];
    J[6 * 8 + 6] = -1.81;
    J[6 * 8 + 7] = 280 * y[5];
    J[7 * 8 + 5] = -280 * y[7];
    J[7 * 8 + 6] = 1.81;
    J[7 * 8 + 7] = -280 * y[5];
  },
  y0: [1, 0, 0, 0, 0, 0, 0, 0.0057],
  tspan: [0, 321.8122],
  names: ['y1', 'y2', 'y3', 'y4', 'y5', 'y6', 'y7', 'y8'],
  reference: {
    t: 321.8122,
    y: [
      0.7371312573325668e-3, 0.1442485726316185e-3, 0.5888729740967575e-4, 0.1175651343283149e-2,
      0.2386356198831331e-2, 0.6238968252742796e-2, 0.2849998395185769e-2, 0.2850001604814231e-2,
    ],
    source: 'Bari test set (Mazzia & Magherini), HIRES solut at t = 321.8122 (RADAU5, rtol = atol = 1.1e-18)',
    rtol: 1e-14,
    atol: [1e-18, 1e-18, 1e-18, 1e-18, 1e-18, 1e-18, 1e-18, 1e-18],
  },
  atolPerRtol: 1e-4,
  recommendedAtol: 1e-10,
};
