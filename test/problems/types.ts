/**
 * Shared shape of the standard test problems: the ODE itself, an analytic Jacobian, a reference solution with
 * its provenance, and the tolerance convention used by the benchmark harness (bench/).
 */
import type { EventSet } from '../../src/numerics/ode/events.js';
import type { OdeJacobian, OdeProblem, OdeRhs } from '../../src/numerics/ode/problem.js';

/** Reference values of the solution at one time, with how far they can be trusted. */
export interface ReferenceSolution {
  /** Time of the reference values (the end of `tspan` for every problem here). */
  readonly t: number;
  readonly y: readonly number[];
  /** Where the numbers come from (paper, test-set report, closed form). */
  readonly source: string;
  /** Relative accuracy of the reference values themselves. */
  readonly rtol: number;
  /**
   * Absolute accuracy floor of the reference, per component: below this a difference from the reference says
   * nothing about the solver.
   */
  readonly atol: readonly number[];
}

export interface TestProblem {
  /** Short key used on the command line (`rober`, `hires`, ...). */
  readonly name: string;
  /** Name as in the literature. */
  readonly title: string;
  readonly description: string;
  /** The paper or report that defines the problem and its reference values. */
  readonly citation: string;
  readonly stiff: boolean;
  readonly n: number;
  readonly f: OdeRhs;
  /** Hand-written dense Jacobian, row-major J[i*n + j] = d f_i / d y_j. */
  readonly jac: OdeJacobian;
  readonly y0: readonly number[];
  readonly tspan: readonly [number, number];
  readonly names?: readonly string[];
  readonly reference: ReferenceSolution;
  /**
   * Benchmark tolerance convention: a run at relative tolerance rtol uses atol = atolPerRtol * rtol (scalar,
   * every component). The same ratio is the absolute floor of the mixed error measure (`mixedError`), as in the
   * Bari test set's "mixed error significant digits".
   */
  readonly atolPerRtol: number;
  /** A sensible absolute tolerance for everyday use (at rtol 1e-6). */
  readonly recommendedAtol: number;
  /** Closed-form solution, for the analytic problems. */
  readonly exact?: (t: number, out: Float64Array) => void;
  /** Times the integrator must land on (discontinuities such as a dose). */
  readonly tstops?: readonly number[];
  /** Fresh event set for problems whose solution has a discontinuity (a dose); not shared between solves. */
  readonly events?: () => EventSet;
}

/** The problem as the solver sees it. */
export function toOdeProblem(p: TestProblem): OdeProblem {
  return {
    f: p.f,
    jac: p.jac,
    y0: Float64Array.from(p.y0),
    tspan: p.tspan,
    ...(p.names ? { names: p.names } : {}),
  };
}

/**
 * Mixed relative/absolute error of `y` against the reference: max_i |y_i - ref_i| / (floor + |ref_i|), with
 * floor = atolPerRtol. This is the measure behind the "mescd" of the Bari test set (Mazzia and Magherini,
 * Test Set for IVP Solvers, release 2.4, 2008), -log10 of which is the number of correct digits.
 */
export function mixedError(p: TestProblem, y: ArrayLike<number>): number {
  const ref = p.reference.y;
  let m = 0;
  for (let i = 0; i < ref.length; i++) {
    const e = Math.abs(y[i] - ref[i]) / (p.atolPerRtol + Math.abs(ref[i]));
    if (e > m || Number.isNaN(e)) m = e;
  }
  return m;
}

/** Build a reference entry from a closed-form solution at the end time. */
export function exactReference(
  exact: (t: number, out: Float64Array) => void,
  n: number,
  t: number,
  source: string,
): ReferenceSolution {
  const y = new Float64Array(n);
  exact(t, y);
  return { t, y: Array.from(y), source, rtol: 1e-15, atol: new Array<number>(n).fill(0) };
}
