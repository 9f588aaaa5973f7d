/**
 * ROBER: Robertson's autocatalytic chemical reaction, the classic stiff kinetics test.
 *
 *   y1' = -k1 y1 + k3 y2 y3
 *   y2' =  k1 y1 - k3 y2 y3 - k2 y2^2
 *   y3' =  k2 y2^2
 *
 * k1 = 0.04, k2 = 3e7, k3 = 1e4, y(0) = (1, 0, 0), t in [0, 1e11].
 * H. H. Robertson (1966), "The solution of a set of reaction rate equations", in J. Walsh (ed.), Numerical
 * Analysis: An Introduction, pp. 178-182; Hairer and Wanner, Solving ODEs II, sec. IV.1 and IV.10.
 * Reference at t = 1e11: Bari test set (F. Mazzia, C. Magherini, Test Set for IVP Solvers, problem ROBER),
 * computed there with RADAU5 in extended precision (uround 1.01e-19, rtol = atol = 1.1e-18).
 */
import type { TestProblem } from './types.js';

const k1 = 0.04;
const k2 = 3e7;
const k3 = 1e4;

export const rober: TestProblem = {
  name: 'rober',
  title: 'ROBER (Robertson)',
  description: 'Robertson chemical kinetics, 3 species, rates 0.04 / 1e4 / 3e7, integrated to t = 1e11.',
  citation:
    'Robertson (1966); Hairer & Wanner, Solving ODEs II (1996), sec. IV.10; Mazzia & Magherini, Test Set for IVP Solvers (Univ. Bari), problem ROBER.',
  stiff: true,
  n: 3,
  f(_t, y, dy) {
    const a = k1 * y[0];
    const b = k3 * y[1] * y[2];
    const c = k2 * y[1] * y[1];
    dy[0] = -a + b;
    dy[1] = a - b - c;
    dy[2] = c;
  },
  jac(_t, y, J) {
    J[0] = -k1;
    J[1] = k3 * y[2];
    J[2] = k3 * y[1];
    J[3] = k1;
    J[4] = -k3 * y[2] - 2 * k2 * y[1];
    J[5] = -k3 * y[1];
    J[6] = 0;
    J[7] = 2 * k2 * y[1];
    J[8] = 0;
  },
  y0: [1, 0, 0],
  tspan: [0, 1e11],
  names: ['y1', 'y2', 'y3'],
  reference: {
    t: 1e11,
    y: [0.2083340149701255e-7, 0.8333360770334713e-13, 0.999999979166505],
    source: 'Bari test set (Mazzia & Magherini), ROBER solut at t = 1e11 (RADAU5, rtol = atol = 1.1e-18)',
    rtol: 1e-14,
    atol: [1e-22, 1e-27, 1e-15],
  },
  // y2 is O(1e-5) at its peak and O(1e-13) at the end; y1 is O(1e-8) at the end.
  atolPerRtol: 1e-6,
  recommendedAtol: 1e-12,
};
