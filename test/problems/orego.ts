/**
 * OREGO: the Oregonator, Field and Noyes' model of the Belousov-Zhabotinskii reaction.
 *
 *   y1' = s (y2 + y1 (1 - q y1 - y2))
 *   y2' = (y3 - (1 + y1) y2) / s
 *   y3' = w (y1 - y3)
 *
 * s = 77.27, w = 0.161, q = 8.375e-6, y(0) = (1, 2, 3), t in [0, 360].
 * R. J. Field and R. M. Noyes (1974), J. Chem. Phys. 60, 1877-1884; Hairer and Wanner, Solving ODEs II,
 * sec. IV.10 (OREGO). Reference at t = 360: Bari test set (Mazzia & Magherini), also in Hairer & Wanner.
 */
import type { TestProblem } from './types.js';

const s = 77.27;
const w = 0.161;
const q = 8.375e-6;

export const orego: TestProblem = {
  name: 'orego',
  title: 'OREGO (Oregonator)',
  description:
    'Oregonator model of the Belousov-Zhabotinskii reaction, 3 species, periodic with sharp fronts; t in [0, 360].',
  citation:
    'Field & Noyes, J. Chem. Phys. 60 (1974) 1877-1884; Hairer & Wanner, Solving ODEs II (1996), sec. IV.10; Mazzia & Magherini, Test Set for IVP Solvers (Univ. Bari).',
  stiff: true,
  n: 3,
  f(_t, y, dy) {
    dy[0] = s * (y[1] + y[0] * (1 - q * y[0] - y[1]));
    dy[1] = (y[2] - (1 + y[0]) * y[1]) / s;
    dy[2] = w * (y[0] - y[2]);
  },
  jac(_t, y, J) {
    J[0] = s * (1 - 2 * q * y[0] - y[1]);
    J[1] = s * (1 - y[0]);
    J[2] = 0;
    J[3] = -y[1] / s;
    J[4] = -(1 + y[0]) / s;
    J[5] = 1 / s;
    J[6] = w;
    J[7] = 0;
    J[8] = -w;
  },
  y0: [1, 2, 3],
  tspan: [0, 360],
  names: ['y1', 'y2', 'y3'],
  reference: {
    t: 360,
    y: [0.1000814870318523e1, 0.1228178521549917e4, 0.1320554942846706e3],
    source:
      'Bari test set (Mazzia & Magherini), OREGO solut at t = 360 (RADAU, rtol = 1.1e-18, atol = 1.1e-40)',
    rtol: 1e-14,
    atol: [1e-15, 1e-12, 1e-13],
  },
  atolPerRtol: 1e-6,
  recommendedAtol: 1e-8,
};
