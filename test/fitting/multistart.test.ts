import { describe, expect, it } from 'vitest';
import { multistart } from '../../src/fitting/multistart.js';
import { nelderMead } from '../../src/fitting/nelder-mead.js';
import { fromUnbounded, type ParameterSpec, toUnbounded, toUnit } from '../../src/fitting/transform.js';

const specs: ParameterSpec[] = [
  { name: 'x', lo: -2, hi: 2, scale: 'linear', initial: 0.9 },
  { name: 'k', lo: 0.01, hi: 100, scale: 'log' },
];
/** Double well in x (minima near x = -1.04, global, and x = +0.96) times a single minimum at k = 1 (log scale). */
const f = (p: Float64Array) => (p[0] * p[0] - 1) ** 2 + 0.3 * p[0] + Math.log(p[1]) ** 2;

const local = (x0: Float64Array) => {
  const g = (u: Float64Array) => f(Float64Array.from(u, (v, j) => fromUnbounded(specs[j], v)));
  const r = nelderMead(
    g,
    Float64Array.from(x0, (v, j) => toUnbounded(specs[j], v)),
    { fTol: 1e-14, xTol: 1e-9 },
  );
  return {
    x: Float64Array.from(r.x, (v, j) => fromUnbounded(specs[j], v)),
    value: r.value,
    converged: r.converged,
    evaluations: r.evaluations,
  };
};

describe('multistart', () => {
  it('finds both optima, clusters them best first, and starts from the initial values then a Latin hypercube', () => {
    const seen: number[] = [];
    const r = multistart(specs, local, { starts: 12, seed: 5, onStart: (k) => seen.push(k) });
    expect(seen).toEqual([...Array(12).keys()]);
    expect(r.starts.length).toBe(12);
    // The log-scale midpoint of [0.01, 100] is 1 (to rounding of exp/log).
    expect(r.starts[0].from[0]).toBe(0.9);
    expect(r.starts[0].from[1]).toBeCloseTo(1, 14);
    // Start 0 begins in the basin of the local optimum x ~ +0.96.
    expect(r.starts[0].x[0]).toBeGreaterThan(0.9);
    // LHS starts: one per stratum of [margin, 1 - margin] on each axis.
    for (let j = 0; j < 2; j++) {
      const strata = r.starts
        .slice(1)
        .map((s) => Math.floor(((toUnit(specs[j], s.from[j]) - 0.05) / 0.9) * 11))
        .sort((a, b) => a - b);
      expect(strata).toEqual([...Array(11).keys()]);
    }
    expect(r.clusters.length).toBe(2);
    expect(r.clusters[0].value).toBeLessThan(r.clusters[1].value);
    expect(r.clusters[0].count + r.clusters[1].count).toBe(12);
    // Stationary points of the x part: 4 x^3 - 4 x + 0.3 = 0.
    const dfdx = (x: number) => 4 * x ** 3 - 4 * x + 0.3;
    expect(r.best.x[0]).toBeLessThan(-1);
    expect(Math.abs(dfdx(r.best.x[0]))).toBeLessThan(1e-4);
    expect(r.best.x[1]).toBeCloseTo(1, 5);
    expect(r.best.value).toBe(r.clusters[0].value);
    expect(r.clusters[1].x[0]).toBeGreaterThan(0.9);
    expect(Math.abs(dfdx(r.clusters[1].x[0]))).toBeLessThan(1e-4);
    const again = multistart(specs, local, { starts: 12, seed: 5 });
    expect(again.starts.map((s) => Array.from(s.from))).toEqual(r.starts.map((s) => Array.from(s.from)));
  });

  it('groups failed starts and rejects bad options', () => {
    let calls = 0;
    const flaky = (x0: Float64Array) => {
      calls++;
      return calls % 2 === 0
        ? { x: Float64Array.from(x0), value: Number.NaN, converged: false, evaluations: 1 }
        : local(x0);
    };
    const r = multistart(specs, flaky, { starts: 6, seed: 1 });
    const failed = r.clusters.filter((c) => !Number.isFinite(c.value));
    expect(failed.length).toBe(1);
    expect(failed[0].count).toBe(3);
    expect(Number.isFinite(r.best.value)).toBe(true);
    expect(() => multistart(specs, local, { starts: 0, seed: 1 })).toThrow(/starts must be an integer >= 1/);
    expect(() => multistart(specs, local, { starts: 2, seed: 1, margin: 0.5 })).toThrow(/margin/);
  });
});
