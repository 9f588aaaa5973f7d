/** Test problems with known solutions and a minimal driving loop for steppers (no `solve`). */
import { type OdeProblem, odeProblem } from '../../../../src/numerics/ode/problem.js';
import { emptyStats, type SolverStats } from '../../../../src/numerics/ode/stats.js';
import type {
  DenseSegment,
  OdeMethod,
  Stepper,
  StepperOptions,
  StepStatus,
} from '../../../../src/numerics/ode/stepper.js';

export interface Exact {
  readonly name: string;
  readonly problem: OdeProblem;
  readonly exact: (t: number) => number[];
}

/** y' = lambda y. */
export function linearScalar(lambda: number, tspan: readonly [number, number] = [0, 1]): Exact {
  return {
    name: `y' = ${lambda} y`,
    problem: odeProblem(
      (_t, y, dy) => {
        dy[0] = lambda * y[0];
      },
      [1],
      tspan,
    ),
    exact: (t) => [Math.exp(lambda * (t - tspan[0]))],
  };
}

/** Rotation y1' = w y2, y2' = -w y1, y(0) = (1, 0). */
export function rotation(w: number, tspan: readonly [number, number] = [0, 1]): Exact {
  return {
    name: `rotation w=${w}`,
    problem: odeProblem(
      (_t, y, dy) => {
        dy[0] = w * y[1];
        dy[1] = -w * y[0];
      },
      [1, 0],
      tspan,
    ),
    exact: (t) => [Math.cos(w * (t - tspan[0])), -Math.sin(w * (t - tspan[0]))],
  };
}

/** Non-autonomous y' = t y, y(0) = 1: y = exp(t^2 / 2). */
export function tTimesY(tspan: readonly [number, number] = [0, 1]): Exact {
  return {
    name: "y' = t y",
    problem: odeProblem(
      (t, y, dy) => {
        dy[0] = t * y[0];
      },
      [Math.exp((tspan[0] * tspan[0]) / 2)],
      tspan,
    ),
    exact: (t) => [Math.exp((t * t) / 2)],
  };
}

/**
 * Arenstorf orbit: restricted three-body problem (Earth, Moon, satellite) with a periodic solution
 * (Hairer, Norsett & Wanner, Solving ODEs I, sec. II.0, eq. (0.1)-(0.2)).
 */
/** Period 17.0652165601579625588917206249 (HNW), rounded to the nearest double. */
export const ARENSTORF_PERIOD = 17.065216560157964;
/** y2'(0) = -2.00158510637908252240537862224 (HNW), rounded to the nearest double. */
export const ARENSTORF_Y0 = [0.994, 0, 0, -2.0015851063790824];
export function arenstorf(): OdeProblem {
  const mu = 0.012277471;
  const mup = 1 - mu;
  return odeProblem(
    (_t, y, dy) => {
      const y1 = y[0];
      const y2 = y[1];
      const v1 = y[2];
      const v2 = y[3];
      const d1 = ((y1 + mu) ** 2 + y2 * y2) ** 1.5;
      const d2 = ((y1 - mup) ** 2 + y2 * y2) ** 1.5;
      dy[0] = v1;
      dy[1] = v2;
      dy[2] = y1 + 2 * v2 - (mup * (y1 + mu)) / d1 - (mu * (y1 - mup)) / d2;
      dy[3] = y2 - 2 * v1 - (mup * y2) / d1 - (mu * y2) / d2;
    },
    ARENSTORF_Y0,
    [0, ARENSTORF_PERIOD],
  );
}

export function stepperOptions(over: Partial<StepperOptions> = {}): StepperOptions {
  return { rtol: 1e-6, atol: 1e-6, hmax: Number.POSITIVE_INFINITY, hmin: 0, stats: emptyStats(), ...over };
}

export interface Run {
  readonly stepper: Stepper;
  readonly status: StepStatus;
  readonly stats: SolverStats;
  readonly times: number[];
  readonly segments: DenseSegment[];
}

/** Step `method` from tspan[0] to tEnd (default tspan[1]) with the tiny loop the brief asks for. */
export function integrate(
  method: OdeMethod,
  problem: OdeProblem,
  over: Partial<StepperOptions> = {},
  opts: { tEnd?: number; segments?: boolean; maxSteps?: number } = {},
): Run {
  const options = stepperOptions(over);
  const s = method.create(problem, options);
  const tEnd = opts.tEnd ?? problem.tspan[1];
  const dir = tEnd >= problem.tspan[0] ? 1 : -1;
  const times: number[] = [s.t];
  const segments: DenseSegment[] = [];
  let status: StepStatus = 'ok';
  const maxSteps = opts.maxSteps ?? 1_000_000;
  while (dir * (s.t - tEnd) < 0 && times.length <= maxSteps) {
    status = s.step(tEnd);
    if (status !== 'ok') break;
    times.push(s.t);
    if (opts.segments) segments.push(s.denseSegment());
  }
  return { stepper: s, status, stats: options.stats, times, segments };
}

/** Max over components of |a_i - b_i|. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Mean of log2(e_k / e_{k+1}) for errors at successively halved step sizes. */
export function observedOrder(errors: number[]): number {
  let s = 0;
  for (let k = 0; k + 1 < errors.length; k++) s += Math.log2(errors[k] / errors[k + 1]);
  return s / (errors.length - 1);
}
