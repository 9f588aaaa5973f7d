/**
 * Convergence orders with fixed steps h = 2^-k, k = 3..7, against analytic solutions.
 *
 * Propagated solution: global error O(h^5). Dense output: the continuous extensions have order 4 (local error
 * O(h^5)); the interpolation error does not accumulate, so at interior points the error is
 * O(h^5) (global error of the step's start) + O(h^5) (interpolation) = O(h^5) as well
 * (Hairer, Norsett & Wanner, Solving ODEs I, sec. II.6).
 */
import { describe, expect, it } from 'vitest';
import { DP5, Tsit5 } from '../../../../src/numerics/ode/erk/index.js';
import {
  type Exact,
  integrate,
  linearScalar,
  maxAbsDiff,
  observedOrder,
  rotation,
  tTimesY,
} from './helpers.js';

const KS = [3, 4, 5, 6, 7];

function errors(method: typeof DP5, ex: Exact): { final: number[]; dense: number[] } {
  const final: number[] = [];
  const dense: number[] = [];
  const out = new Float64Array(ex.problem.y0.length);
  for (const k of KS) {
    const run = integrate(method, ex.problem, { fixedStep: 2 ** -k }, { segments: true });
    expect(run.status).toBe('ok');
    expect(run.stepper.t).toBe(ex.problem.tspan[1]);
    // Exactly (tEnd - t0) / h steps: fixed steps are not adapted.
    expect(run.stats.steps).toBe((ex.problem.tspan[1] - ex.problem.tspan[0]) * 2 ** k);
    expect(run.stats.rejected).toBe(0);
    final.push(maxAbsDiff(run.stepper.y, ex.exact(run.stepper.t)));
    let d = 0;
    for (const seg of run.segments) {
      for (const theta of [0.2, 0.5, 0.8]) {
        const tq = seg.t0 + theta * (seg.t1 - seg.t0);
        seg.evaluate(tq, out);
        d = Math.max(d, maxAbsDiff(out, ex.exact(tq)));
      }
    }
    dense.push(d);
  }
  return { final, dense };
}

describe.each([DP5, Tsit5])('$name fixed-step convergence', (method) => {
  const problems: Exact[] = [linearScalar(-1, [0, 4]), rotation(1, [0, 8]), tTimesY([0, 2])];
  it.each(problems)('has order 5 at the final time and in the dense output on $name', (ex) => {
    const { final, dense } = errors(method, ex);
    // Errors must stay above roundoff (relative to the solution) for the ratios to mean anything.
    const yEnd = Math.max(...ex.exact(ex.problem.tspan[1]).map(Math.abs));
    expect(final[final.length - 1]).toBeGreaterThan(10 * Number.EPSILON * yEnd);
    expect(final[0]).toBeLessThan(1e-6);
    expect(Math.abs(observedOrder(final) - 5)).toBeLessThan(0.2);
    expect(Math.abs(observedOrder(dense) - 5)).toBeLessThan(0.3);
  });
});
