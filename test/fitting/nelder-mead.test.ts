import { describe, expect, it } from 'vitest';
import { fitParameters } from '../../src/fitting/fit.js';
import { nelderMead } from '../../src/fitting/nelder-mead.js';

const rosenbrock = (x: Float64Array) => 100 * (x[1] - x[0] * x[0]) ** 2 + (1 - x[0]) ** 2;

describe('nelderMead', () => {
  it('finds the Rosenbrock minimum (1, 1) from (-1.2, 1) to 1e-6', () => {
    const r = nelderMead(rosenbrock, [-1.2, 1], { fTol: 1e-16, xTol: 1e-9, maxEvaluations: 2000 });
    expect(r.converged).toBe(true);
    expect(Math.abs(r.x[0] - 1)).toBeLessThan(1e-6);
    expect(Math.abs(r.x[1] - 1)).toBeLessThan(1e-6);
    expect(r.value).toBeLessThan(1e-12);
    expect(r.evaluations).toBeLessThan(2000);
  });

  it('minimises a 6-dimensional ill-conditioned quadratic (adaptive coefficients)', () => {
    const c = [1, 2, 3, -1, 0.5, 4];
    const w = [1, 10, 100, 3, 30, 0.3];
    const f = (x: Float64Array) => x.reduce((s, xi, i) => s + w[i] * (xi - c[i]) ** 2, 0);
    const r = nelderMead(f, new Float64Array(6), { fTol: 1e-18, xTol: 1e-9, maxEvaluations: 20000 });
    expect(r.converged).toBe(true);
    for (let i = 0; i < 6; i++) expect(Math.abs(r.x[i] - c[i])).toBeLessThan(1e-6);
  });

  it('stops at the evaluation limit and says so; non-finite values are bad points, not errors', () => {
    const r = nelderMead(rosenbrock, [-1.2, 1], { maxEvaluations: 20 });
    expect(r.converged).toBe(false);
    expect(r.reason).toBe('max-evaluations');
    expect(r.evaluations).toBeLessThanOrEqual(22);
    const g = (x: Float64Array) => (x[0] < 0 ? Number.NaN : (x[0] - 2) ** 2 + (x[1] + 1) ** 2);
    const s = nelderMead(g, [1, 0], { fTol: 1e-14, xTol: 1e-8 });
    expect(Math.abs(s.x[0] - 2)).toBeLessThan(1e-5);
    expect(Math.abs(s.x[1] + 1)).toBeLessThan(1e-5);
  });
});

describe('fit (bounded, multi-start)', () => {
  it('Rosenbrock on the box [-2, 2]^2 through the logit transform: (1, 1) to 1e-4', () => {
    const r = fitParameters(
      {
        parameters: [
          { name: 'a', lo: -2, hi: 2, scale: 'linear', initial: -1.2 },
          { name: 'b', lo: -2, hi: 2, scale: 'linear', initial: 1 },
        ],
        objective: rosenbrock,
      },
      { seed: 7, starts: 3, nelderMead: { fTol: 1e-16, xTol: 1e-10, maxEvaluations: 3000 } },
    );
    expect(Math.abs(r.estimates.a - 1)).toBeLessThan(1e-4);
    expect(Math.abs(r.estimates.b - 1)).toBeLessThan(1e-4);
    expect(r.starts).toHaveLength(3);
    expect(r.initialValue).toBeCloseTo(rosenbrock(Float64Array.of(-1.2, 1)), 10);
    expect(r.evaluations).toBe(1 + r.starts.reduce((s, x) => s + x.evaluations, 0));
  });

  it('keeps every trial point inside the ranges and is reproducible from its seed', () => {
    let outside = 0;
    const problem = {
      parameters: [
        { name: 'k', lo: 1e-3, hi: 10, scale: 'log' as const },
        { name: 'f', lo: 0, hi: 1, scale: 'linear' as const },
      ],
      // Unconstrained minimum outside the box (k = 100, f = -1): the fit must stop at the bounds.
      objective: (x: Float64Array) => {
        if (x[0] < 1e-3 || x[0] > 10 || x[1] < 0 || x[1] > 1) outside++;
        return (Math.log10(x[0]) - 2) ** 2 + (x[1] + 1) ** 2;
      },
    };
    const a = fitParameters(problem, { seed: 11, starts: 4 });
    const b = fitParameters(problem, { seed: 11, starts: 4 });
    expect(outside).toBe(0);
    expect(a.estimates.k).toBeGreaterThan(9.9);
    expect(a.estimates.f).toBeLessThan(0.01);
    expect(b.starts.map((s) => s.from)).toEqual(a.starts.map((s) => s.from));
    expect(b.x).toEqual(a.x);
    const c = fitParameters(problem, { seed: 12, starts: 4 });
    expect(c.starts[1].from).not.toEqual(a.starts[1].from);
  });
});
