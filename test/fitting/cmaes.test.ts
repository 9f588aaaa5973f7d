import { describe, expect, it } from 'vitest';
import { cmaes } from '../../src/fitting/cmaes.js';
import type { ParameterSpec } from '../../src/fitting/transform.js';

const box = (n: number, lo: number, hi: number, scale: 'linear' | 'log' = 'linear'): ParameterSpec[] =>
  Array.from({ length: n }, (_, i) => ({ name: `x${i}`, lo, hi, scale }));

const sphere = (x: Float64Array) => {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += (x[i] - 1) ** 2;
  return s;
};

/** Ellipsoid with condition 1e6 in coordinates rotated by a fixed orthogonal matrix (Householder reflection). */
function rotatedEllipsoid(n: number) {
  const v = Float64Array.from({ length: n }, (_, i) => Math.cos(1 + 2 * i));
  const vv = v.reduce((a, b) => a + b * b, 0);
  const y = new Float64Array(n);
  return (x: Float64Array) => {
    let vx = 0;
    for (let i = 0; i < n; i++) vx += v[i] * (x[i] - 0.5);
    for (let i = 0; i < n; i++) y[i] = x[i] - 0.5 - (2 * v[i] * vx) / vv;
    let s = 0;
    for (let i = 0; i < n; i++) s += 10 ** ((6 * i) / (n - 1)) * y[i] * y[i];
    return s;
  };
}

const rosenbrock = (x: Float64Array) => {
  let s = 0;
  for (let i = 0; i < x.length - 1; i++) s += 100 * (x[i + 1] - x[i] * x[i]) ** 2 + (1 - x[i]) ** 2;
  return s;
};

const rastrigin = (x: Float64Array) => {
  let s = 10 * x.length;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i] - 10 * Math.cos(2 * Math.PI * x[i]);
  return s;
};

describe('cmaes', () => {
  it('sphere (8-D) converges to 1e-10 and every evaluated point is inside the box', () => {
    const specs = box(8, -5, 4);
    let outside = 0;
    const f = (x: Float64Array) => {
      for (let i = 0; i < x.length; i++) if (!(x[i] >= specs[i].lo && x[i] <= specs[i].hi)) outside++;
      return sphere(x);
    };
    const r = cmaes(f, specs, { seed: 1, sigma0: 0.5 });
    expect(outside).toBe(0);
    expect(r.value).toBeLessThan(1e-10);
    for (const xi of r.x) expect(Math.abs(xi - 1)).toBeLessThan(1e-5);
    expect(r.history.length).toBeGreaterThan(10);
    expect(r.history.at(-1)?.best).toBe(r.value);
  });

  it('rotated ellipsoid (6-D, condition 1e6) converges to 1e-10', () => {
    const r = cmaes(rotatedEllipsoid(6), box(6, -3, 3), { seed: 2 });
    expect(r.value).toBeLessThan(1e-10);
  });

  it('Rosenbrock 10-D reaches 1e-8', () => {
    const r = cmaes(rosenbrock, box(10, -2, 3), { seed: 3, tolFun: 1e-14 });
    expect(r.restarts).toBe(0);
    expect(r.value).toBeLessThan(1e-8);
    for (const xi of r.x) expect(Math.abs(xi - 1)).toBeLessThan(1e-3);
  });

  it('Rastrigin 5-D: IPOP restarts reach the global minimum, bit-for-bit reproducibly', () => {
    const specs = box(5, -5.12, 5.12);
    const opts = { seed: 2026, restarts: 8, stopValue: 1e-9, maxEvaluations: 200_000 };
    const r = cmaes(rastrigin, specs, opts);
    expect(r.value).toBeLessThan(1e-9);
    for (const xi of r.x) expect(Math.abs(xi)).toBeLessThan(1e-5);
    expect(r.restarts).toBeGreaterThan(0);
    const again = cmaes(rastrigin, specs, opts);
    expect(again.x).toEqual(r.x);
    expect(again.value).toBe(r.value);
    expect(again.evaluations).toBe(r.evaluations);
    expect(again.history).toEqual(r.history);
  });

  it('reaches an optimum on a bound (log-scale ranges) without leaving the box', () => {
    const specs = box(3, 1e-3, 10, 'log');
    let outside = 0;
    const f = (x: Float64Array) => {
      for (let i = 0; i < x.length; i++) if (!(x[i] >= 1e-3 && x[i] <= 10)) outside++;
      // Minimum at x0 = lo (the function decreases towards it), x1 = 0.5, x2 = hi.
      return Math.log(x[0]) + Math.log(x[1] / 0.5) ** 2 - x[2];
    };
    const r = cmaes(f, specs, { seed: 9 });
    expect(outside).toBe(0);
    expect(r.x[0]).toBeCloseTo(1e-3, 9);
    expect(r.x[1]).toBeCloseTo(0.5, 5);
    expect(r.x[2]).toBeCloseTo(10, 8);
  });

  it('works in one dimension', () => {
    const r = cmaes((x) => (x[0] - 0.3) ** 2, box(1, -1, 1), { seed: 4 });
    expect(Math.abs(r.x[0] - 0.3)).toBeLessThan(1e-6);
    expect(r.value).toBeLessThan(1e-12);
  });

  it('rejects bad options with a clear message', () => {
    const specs = box(2, 0, 1);
    expect(() => cmaes(sphere, specs, { seed: 1, sigma0: 0 })).toThrow(/sigma0/);
    expect(() => cmaes(sphere, specs, { seed: 1, populationSize: 1 })).toThrow(/populationSize/);
    expect(() => cmaes(sphere, specs, { seed: 1, initial: [2, 0.5] })).toThrow(/initial value of 'x0'/);
  });
});
