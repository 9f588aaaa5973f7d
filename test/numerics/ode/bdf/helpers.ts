/** Small local test problems and a tiny driving loop for the BDF stepper tests. */
import { BDF } from '../../../../src/numerics/ode/bdf/index.js';
import type { OdeJacobian, OdeProblem, OdeRhs } from '../../../../src/numerics/ode/problem.js';
import { emptyStats, type SolverStats } from '../../../../src/numerics/ode/stats.js';
import type { Stepper, StepStatus } from '../../../../src/numerics/ode/stepper.js';

export interface Run {
  readonly stepper: Stepper;
  readonly stats: SolverStats;
  readonly status: StepStatus;
}

export function makeProblem(
  f: OdeRhs,
  y0: number[],
  tspan: [number, number],
  extra: { jac?: OdeJacobian; bandwidth?: { lower: number; upper: number } } = {},
): OdeProblem {
  return { f, y0: Float64Array.from(y0), tspan, ...extra };
}

export function create(
  problem: OdeProblem,
  rtol: number,
  atol: number | Float64Array,
  extra: { h0?: number; hmax?: number; hmin?: number; fixedStep?: number } = {},
): { stepper: Stepper; stats: SolverStats } {
  const stats = emptyStats();
  const stepper = BDF.create(problem, {
    rtol,
    atol,
    hmax: extra.hmax ?? Number.POSITIVE_INFINITY,
    hmin: extra.hmin ?? 0,
    stats,
    ...(extra.h0 !== undefined ? { h0: extra.h0 } : {}),
    ...(extra.fixedStep !== undefined ? { fixedStep: extra.fixedStep } : {}),
  });
  return { stepper, stats };
}

/** Step until `t` reaches tEnd (landing exactly there) or a step fails. */
export function advance(stepper: Stepper, tEnd: number, maxSteps = 1_000_000): StepStatus {
  let status: StepStatus = 'ok';
  for (let k = 0; k < maxSteps && stepper.t !== tEnd; k++) {
    status = stepper.step(tEnd);
    if (status !== 'ok') return status;
  }
  return status;
}

export function integrate(problem: OdeProblem, rtol: number, atol: number | Float64Array): Run {
  const { stepper, stats } = create(problem, rtol, atol);
  const status = advance(stepper, problem.tspan[1]);
  return { stepper, stats, status };
}

/** max_i |y_i - ref_i| / (atol + rtol |ref_i|): <= 1 means the local tolerance is met at this point. */
export function scaledError(
  y: ArrayLike<number>,
  ref: ArrayLike<number>,
  rtol: number,
  atol: number,
): number {
  let m = 0;
  for (let i = 0; i < ref.length; i++) {
    const e = Math.abs(y[i] - ref[i]) / (atol + rtol * Math.abs(ref[i]));
    if (e > m || Number.isNaN(e)) m = e;
  }
  return m;
}

// ---- problems with closed-form solutions ----

/** y' = -y, y(0) = 1: y = exp(-t). */
export const decay = {
  problem: makeProblem(
    (_t, y, dy) => {
      dy[0] = -y[0];
    },
    [1],
    [0, 10],
    {
      jac: (_t, _y, J) => {
        J[0] = -1;
      },
    },
  ),
  exact(t: number, out: Float64Array): void {
    out[0] = Math.exp(-t);
  },
};

/**
 * y' = A y with A = [[998, 1998], [-999, -1999]] (eigenvalues -1 and -1000), y(0) = (1, 0):
 * y1 = 2 e^-t - e^-1000t, y2 = -e^-t + e^-1000t (A = V diag(-1, -1000) V^-1 with V = [[2, 1], [-1, -1]]).
 */
export const stiffLinear = {
  problem: makeProblem(
    (_t, y, dy) => {
      dy[0] = 998 * y[0] + 1998 * y[1];
      dy[1] = -999 * y[0] - 1999 * y[1];
    },
    [1, 0],
    [0, 10],
    {
      jac: (_t, _y, J) => {
        J[0] = 998;
        J[1] = 1998;
        J[2] = -999;
        J[3] = -1999;
      },
    },
  ),
  exact(t: number, out: Float64Array): void {
    const a = Math.exp(-t);
    const b = Math.exp(-1000 * t);
    out[0] = 2 * a - b;
    out[1] = -a + b;
  },
};

/** y' = -y + sin t, y(0) = 1: y = 1.5 e^-t + (sin t - cos t) / 2. */
export const forcedDecay = {
  problem: makeProblem(
    (t, y, dy) => {
      dy[0] = -y[0] + Math.sin(t);
    },
    [1],
    [0, 10],
    {
      jac: (_t, _y, J) => {
        J[0] = -1;
      },
    },
  ),
  exact(t: number, out: Float64Array): void {
    out[0] = 1.5 * Math.exp(-t) + 0.5 * (Math.sin(t) - Math.cos(t));
  },
};

/** y' = y^2, y(0) = 1: y = 1 / (1 - t), which blows up at t = 1. */
export const blowUp = makeProblem(
  (_t, y, dy) => {
    dy[0] = y[0] * y[0];
  },
  [1],
  [0, 2],
  {
    jac: (_t, y, J) => {
      J[0] = 2 * y[0];
    },
  },
);

/**
 * Method-of-lines heat equation u_t = u_xx on (0, 1), u = 0 at both ends, N interior points, u(x, 0) = sin(pi x).
 * The semi-discrete solution is exact in closed form: u_i(t) = exp(-lambda t) sin(pi x_i) with the discrete
 * eigenvalue lambda = (4 / dx^2) sin^2(pi dx / 2). Tridiagonal Jacobian (bandwidth 1, 1); stiffness ~ 4 / dx^2.
 */
export function heat(N: number, banded: boolean) {
  const dx = 1 / (N + 1);
  const c = 1 / (dx * dx);
  const lambda = 4 * c * Math.sin((Math.PI * dx) / 2) ** 2;
  const y0: number[] = [];
  for (let i = 0; i < N; i++) y0.push(Math.sin(Math.PI * (i + 1) * dx));
  const problem = makeProblem(
    (_t, y, dy) => {
      for (let i = 0; i < N; i++) {
        const left = i > 0 ? y[i - 1] : 0;
        const right = i < N - 1 ? y[i + 1] : 0;
        dy[i] = c * (left - 2 * y[i] + right);
      }
    },
    y0,
    [0, 0.1],
    {
      jac: (_t, _y, J) => {
        J.fill(0);
        for (let i = 0; i < N; i++) {
          J[i * N + i] = -2 * c;
          if (i > 0) J[i * N + i - 1] = c;
          if (i < N - 1) J[i * N + i + 1] = c;
        }
      },
      ...(banded ? { bandwidth: { lower: 1, upper: 1 } } : {}),
    },
  );
  const exact = (t: number, out: Float64Array): void => {
    const e = Math.exp(-lambda * t);
    for (let i = 0; i < N; i++) out[i] = e * y0[i];
  };
  return { problem, exact };
}
