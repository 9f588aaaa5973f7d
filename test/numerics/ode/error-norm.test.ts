import { describe, expect, it } from 'vitest';
import { initialStepSize } from '../../../src/numerics/ode/error-norm.js';

describe('initialStepSize', () => {
  const tol = { rtol: 1e-6, atol: 1e-10 };
  const w1 = new Float64Array(1);
  const w2 = new Float64Array(1);

  it("follows the Hairer-Norsett-Wanner estimate on y' = -y at t0 = 0", () => {
    const f = (_t: number, y: Float64Array, dy: Float64Array): void => {
      dy[0] = -y[0];
    };
    const y0 = Float64Array.of(1);
    const h = initialStepSize(f, 0, y0, Float64Array.of(-1), 1, 4, tol, Infinity, w1, w2);
    // d0 = d1 = 1/(1e-10 + 1e-6) gives h0 = 0.01; d2 = |f(h0) - f0|/sc/h0 = d1, so
    // h1 = (0.01 / 999900.01)^(1/5) = 0.0251191 (Hairer, Norsett & Wanner, Solving ODEs I, II.4).
    expect(h).toBeCloseTo(0.0251191, 6);
  });

  it('never proposes a step that t0 + h cannot resolve (large t0, huge derivative)', () => {
    const f = (_t: number, _y: Float64Array, dy: Float64Array): void => {
      dy[0] = 1e30;
    };
    const t0 = 1e6;
    const h = initialStepSize(f, t0, Float64Array.of(1), Float64Array.of(1e30), 1, 4, tol, Infinity, w1, w2);
    expect(t0 + h).toBeGreaterThan(t0);
    expect(h).toBeGreaterThanOrEqual(100 * Number.EPSILON * t0);
  });

  it('respects hmax even below the floor', () => {
    const f = (_t: number, _y: Float64Array, dy: Float64Array): void => {
      dy[0] = 1e30;
    };
    const h = initialStepSize(f, 1e6, Float64Array.of(1), Float64Array.of(1e30), 1, 4, tol, 1e-12, w1, w2);
    expect(h).toBe(1e-12);
  });
});
