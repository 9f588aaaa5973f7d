/**
 * Acceptance: every stiff method on the standard stiff test problems (Hairer & Wanner; the Bari IVP test set)
 * against their published reference solutions. Criterion, per component i at the final time:
 *   |y_i - ref_i| <= 1e-5 * |ref_i| + atol      with rtol = 1e-8 and the problem's atol = atolPerRtol * rtol
 * (the absolute floor is the tolerance the solver was given: below it a difference says nothing).
 * Problem definitions and references: test/problems/ (each file cites its source).
 */
import { describe, expect, it } from 'vitest';
import { STIFF_METHOD_NAMES } from '../../../src/numerics/ode/methods.js';
import { solve } from '../../../src/numerics/ode/solve.js';
import { rober, STIFF_PROBLEMS, toOdeProblem } from '../../problems/index.js';

const RTOL = 1e-8;
const REL_ACCURACY = 1e-5;

describe.each([...STIFF_METHOD_NAMES, 'auto'])('%s on the stiff test set at rtol 1e-8', (method) => {
  it.each(STIFF_PROBLEMS.map((p) => [p.name, p] as const))(
    '%s matches the reference within 1e-5 relative',
    (_n, p) => {
      const atol = p.atolPerRtol * RTOL;
      const sol = solve(toOdeProblem(p), { method, rtol: RTOL, atol, saveat: [p.tspan[1]] });
      expect(sol.retcode, sol.message).toBe('Success');
      const y = sol.state(0);
      const bad: string[] = [];
      p.reference.y.forEach((ref, i) => {
        const err = Math.abs(y[i] - ref);
        if (!(err <= REL_ACCURACY * Math.abs(ref) + atol))
          bad.push(`y${i + 1}: got ${y[i]}, reference ${ref}`);
      });
      expect(bad).toEqual([]);
    },
  );
});

describe('ROBER conserves mass', () => {
  it.each([...STIFF_METHOD_NAMES, 'auto'])(
    '%s keeps y1 + y2 + y3 = 1 within 1e-12 up to t = 1e11',
    (method) => {
      const sol = solve(toOdeProblem(rober), { method, rtol: RTOL, atol: rober.atolPerRtol * RTOL });
      expect(sol.retcode).toBe('Success');
      let worst = 0;
      for (let i = 0; i < sol.t.length; i++)
        worst = Math.max(worst, Math.abs(sol.u[3 * i] + sol.u[3 * i + 1] + sol.u[3 * i + 2] - 1));
      expect(worst).toBeLessThan(1e-12);
    },
  );
});
