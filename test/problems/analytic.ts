/**
 * Problems with closed-form solutions, for convergence-order and tolerance-proportionality tests:
 * scalar linear decay, a stiff 2x2 linear system with known matrix exponential, logistic growth, and
 * first-order elimination with a bolus dose at a known time (piecewise solution, needs the event machinery).
 */
import type { EventContext, EventSet } from '../../src/numerics/ode/events.js';
import { exactReference, type TestProblem } from './types.js';

/** y' = lambda y, y(0) = 1: y(t) = exp(lambda t). */
const lambda = -3;
const linearExact = (t: number, out: Float64Array): void => {
  out[0] = Math.exp(lambda * t);
};
export const linear: TestProblem = {
  name: 'linear',
  title: "Dahlquist test equation y' = lambda y",
  description: "Scalar linear decay y' = -3 y, y(0) = 1 on [0, 2]; exact y = exp(-3 t).",
  citation: 'Dahlquist, Math. Scand. 4 (1956) 33-53 (the linear test equation); closed form.',
  stiff: false,
  n: 1,
  f(_t, y, dy) {
    dy[0] = lambda * y[0];
  },
  jac(_t, _y, J) {
    J[0] = lambda;
  },
  y0: [1],
  tspan: [0, 2],
  reference: exactReference(linearExact, 1, 2, 'closed form exp(-3 t)'),
  exact: linearExact,
  atolPerRtol: 1e-6,
  recommendedAtol: 1e-12,
};

/**
 * y' = A y with A = [[998, 1998], [-999, -1999]], y(0) = (1, 0): eigenvalues -1 and -1000 with eigenvectors
 * (2, -1) and (1, -1), so y1 = 2 e^-t - e^-1000t, y2 = -e^-t + e^-1000t (exp(At) applied to y0).
 * The classic stiff linear example, e.g. Burden and Faires, Numerical Analysis, sec. 5.11.
 */
const linear2Exact = (t: number, out: Float64Array): void => {
  const a = Math.exp(-t);
  const b = Math.exp(-1000 * t);
  out[0] = 2 * a - b;
  out[1] = -a + b;
};
export const linear2x2: TestProblem = {
  name: 'linear2x2',
  title: 'Stiff 2x2 linear system',
  description:
    "y' = A y, A = [[998, 1998], [-999, -1999]] (eigenvalues -1, -1000), y(0) = (1, 0) on [0, 10].",
  citation:
    'Burden & Faires, Numerical Analysis, sec. 5.11 (stiff differential equations); closed form via exp(At).',
  stiff: true,
  n: 2,
  f(_t, y, dy) {
    dy[0] = 998 * y[0] + 1998 * y[1];
    dy[1] = -999 * y[0] - 1999 * y[1];
  },
  jac(_t, _y, J) {
    J[0] = 998;
    J[1] = 1998;
    J[2] = -999;
    J[3] = -1999;
  },
  y0: [1, 0],
  tspan: [0, 10],
  reference: exactReference(linear2Exact, 2, 10, 'closed form: exp(At) y0 via the eigen-decomposition'),
  exact: linear2Exact,
  atolPerRtol: 1e-6,
  recommendedAtol: 1e-12,
};

/** Logistic growth y' = r y (1 - y / K): y(t) = K y0 e^{rt} / (K + y0 (e^{rt} - 1)). */
const r = 2;
const K = 10;
const L0 = 0.5;
const logisticExact = (t: number, out: Float64Array): void => {
  const e = Math.exp(r * t);
  out[0] = (K * L0 * e) / (K + L0 * (e - 1));
};
export const logistic: TestProblem = {
  name: 'logistic',
  title: 'Logistic growth',
  description:
    "y' = r y (1 - y/K), r = 2, K = 10, y(0) = 0.5 on [0, 10]; exact K y0 e^{rt} / (K + y0 (e^{rt} - 1)).",
  citation: 'Verhulst (1838), logistic equation; closed form.',
  stiff: false,
  n: 1,
  f(_t, y, dy) {
    dy[0] = r * y[0] * (1 - y[0] / K);
  },
  jac(_t, y, J) {
    J[0] = r * (1 - (2 * y[0]) / K);
  },
  y0: [L0],
  tspan: [0, 10],
  reference: exactReference(logisticExact, 1, 10, 'closed form of the logistic equation'),
  exact: logisticExact,
  atolPerRtol: 1e-6,
  recommendedAtol: 1e-12,
};

/**
 * First-order elimination y' = -ke y with a bolus dose D added at t = tDose:
 * y = y0 e^{-ke t} before tDose, (y0 e^{-ke tDose} + D) e^{-ke (t - tDose)} after (the state after the dose at
 * t = tDose). The dose needs the event machinery: `events()` schedules it exactly at tDose.
 */
const ke = 0.5;
const D0 = 1;
const dose = 2;
const tDose = 3;
const doseExact = (t: number, out: Float64Array): void => {
  out[0] =
    t < tDose ? D0 * Math.exp(-ke * t) : (D0 * Math.exp(-ke * tDose) + dose) * Math.exp(-ke * (t - tDose));
};
export const DOSE_TIME = tDose;
export const DOSE_AMOUNT = dose;
export const doseDecay: TestProblem = {
  name: 'dose',
  title: 'Exponential decay with a bolus dose',
  description:
    "y' = -0.5 y, y(0) = 1 on [0, 10], plus a dose of 2 added to y at t = 3; piecewise exponential.",
  citation:
    'One-compartment pharmacokinetics with first-order elimination (e.g. Gibaldi & Perrier, Pharmacokinetics, ch. 1); closed form.',
  stiff: false,
  n: 1,
  f(_t, y, dy) {
    dy[0] = -ke * y[0];
  },
  jac(_t, _y, J) {
    J[0] = -ke;
  },
  y0: [D0],
  tspan: [0, 10],
  reference: exactReference(doseExact, 1, 10, 'closed form, piecewise around the dose'),
  exact: doseExact,
  tstops: [tDose],
  events(): EventSet {
    return {
      count: 0,
      indicators() {},
      handle() {},
      start(ctx: EventContext) {
        ctx.schedule(tDose, 0);
      },
      onTime(ctx: EventContext) {
        ctx.y[0] += dose;
      },
    };
  },
  atolPerRtol: 1e-6,
  recommendedAtol: 1e-12,
};
