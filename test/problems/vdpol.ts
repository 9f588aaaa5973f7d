/**
 * Van der Pol oscillator with mu = 1000 in the standard (unscaled) form
 *
 *   y1' = y2
 *   y2' = mu (1 - y1^2) y2 - y1,       y(0) = (2, 0),  t in [0, 2000].
 *
 * This is the Bari test-set problem VDPOL in other variables: the test set uses the scaled form
 * z1' = z2, z2' = ((1 - z1^2) z2 - z1) / eps with eps = 1e-6, z(0) = (2, 0), tau in [0, 2]. Substituting
 * tau = t / mu, z1 = y1, z2 = mu y2 and eps = 1 / mu^2 turns one into the other exactly, so the published
 * reference z(2) = (1.706167732170483, -0.8928097010247975) gives y(2000) = (z1(2), z2(2) / mu).
 * The R package deTestSet (Soetaert, Cash, Mazzia) ships this unscaled form with the reference
 * (1.706167732170469, -0.8928097010248125e-3); the two published values differ by 1.4e-14 relative, which is
 * the stated accuracy of the reference. The solution has relaxation oscillations: long slow phases (stiffness
 * ratio ~ mu^2) separated by fast jumps.
 */
import type { TestProblem } from './types.js';

const mu = 1000;

export const vdpol: TestProblem = {
  name: 'vdpol',
  title: 'VDPOL (Van der Pol, mu = 1000)',
  description: 'Van der Pol relaxation oscillator, mu = 1000, unscaled form, y(0) = (2, 0), t in [0, 2000].',
  citation:
    'Hairer & Wanner, Solving ODEs II (1996), sec. IV.10; Mazzia & Magherini, Test Set for IVP Solvers (Univ. Bari), problem VDPOL (scaled, eps = 1e-6), mapped by tau = t/mu.',
  stiff: true,
  n: 2,
  f(_t, y, dy) {
    dy[0] = y[1];
    dy[1] = mu * (1 - y[0] * y[0]) * y[1] - y[0];
  },
  jac(_t, y, J) {
    J[0] = 0;
    J[1] = 1;
    J[2] = -2 * mu * y[0] * y[1] - 1;
    J[3] = mu * (1 - y[0] * y[0]);
  },
  y0: [2, 0],
  tspan: [0, 2000],
  names: ['y1', 'y2'],
  reference: {
    t: 2000,
    y: [1.706167732170483, -0.8928097010247975e-3],
    source:
      'Bari test set (Mazzia & Magherini), VDPOL solut at tau = 2 (RADAU, rtol = atol = 1.1e-18), second component divided by mu = 1000; agrees with deTestSet to 1.4e-14 relative',
    rtol: 2e-14,
    atol: [1e-16, 1e-17],
  },
  atolPerRtol: 1e-6,
  recommendedAtol: 1e-12,
};
