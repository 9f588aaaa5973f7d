/**
 * Acceptance: every method on problems with closed-form solutions, at 1e-8 relative accuracy.
 * Criterion at each of 50 output times: |y_i - exact_i| <= 1e-8 * |exact_i| + 1e-14, solved at rtol 1e-11.
 * Problems: test/problems/analytic.ts (linear decay, a 2x2 linear system, logistic growth, decay with a dose
 * given by a scheduled event).
 */
import { describe, expect, it } from 'vitest';
import { METHOD_NAMES } from '../../../src/numerics/ode/methods.js';
import { solve } from '../../../src/numerics/ode/solve.js';
import { ANALYTIC_PROBLEMS, toOdeProblem } from '../../problems/index.js';

describe.each(METHOD_NAMES)('%s on closed-form problems', (method) => {
  it.each(ANALYTIC_PROBLEMS.map((p) => [p.name, p] as const))('%s to 1e-8 relative', (_n, p) => {
    const [t0, t1] = p.tspan;
    const saveat = Array.from({ length: 50 }, (_, k) => t0 + ((t1 - t0) * (k + 1)) / 50);
    const sol = solve(toOdeProblem(p), {
      method,
      rtol: 1e-11,
      atol: 1e-14,
      saveat,
      ...(p.tstops ? { tstops: p.tstops } : {}),
      ...(p.events ? { events: p.events() } : {}),
    });
    expect(sol.retcode, sol.message).toBe('Success');
    const exact = new Float64Array(p.n);
    let worst = 0;
    for (let i = 0; i < sol.t.length; i++) {
      p.exact!(sol.t[i], exact);
      for (let j = 0; j < p.n; j++) {
        const e = Math.abs(sol.u[i * p.n + j] - exact[j]) / (1e-8 * Math.abs(exact[j]) + 1e-14);
        worst = Math.max(worst, e);
      }
    }
    expect(worst).toBeLessThanOrEqual(1);
  });
});
