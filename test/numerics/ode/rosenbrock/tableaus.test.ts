/**
 * Consistency of the transformed tableaus with the classical Rosenbrock order conditions (Hairer & Wanner,
 * Solving ODEs II, sec. IV.7, Table 7.1). The transformed coefficients are a = alpha Gamma^-1,
 * C = diag(1/gamma) - Gamma^-1, m = b^T Gamma^-1; the test undoes that transform and checks the
 * conditions on (alpha, Gamma, b) for the solution and the embedded method.
 */
import { describe, expect, it } from 'vitest';
import {
  RODAS4_TABLEAU,
  RODAS5P_TABLEAU,
  type RosenbrockTableau,
} from '../../../../src/numerics/ode/rosenbrock/tableaus.js';

function untransform(tb: RosenbrockTableau) {
  const s = tb.stages;
  // Gamma^-1 = I / gamma - C (lower triangular); invert by forward substitution.
  const gInv = new Float64Array(s * s);
  for (let i = 0; i < s; i++) {
    for (let j = 0; j < i; j++) gInv[i * s + j] = -tb.C[i * s + j];
    gInv[i * s + i] = 1 / tb.gamma;
  }
  const G = new Float64Array(s * s);
  for (let col = 0; col < s; col++) {
    for (let i = 0; i < s; i++) {
      let v = i === col ? 1 : 0;
      for (let j = 0; j < i; j++) v -= gInv[i * s + j] * G[j * s + col];
      G[i * s + col] = v / gInv[i * s + i];
    }
  }
  const alpha = new Float64Array(s * s);
  for (let i = 0; i < s; i++)
    for (let j = 0; j < s; j++) {
      let v = 0;
      for (let k = 0; k < s; k++) v += tb.a[i * s + k] * G[k * s + j];
      alpha[i * s + j] = v;
    }
  const weights = (m: Float64Array) =>
    Float64Array.from({ length: s }, (_, j) => {
      let v = 0;
      for (let i = 0; i < s; i++) v += m[i] * G[i * s + j];
      return v;
    });
  const mHat = Float64Array.from(tb.m, (v, j) => v - tb.e[j]);
  return { s, G, alpha, b: weights(tb.m), bHat: weights(mHat) };
}

describe.each([RODAS4_TABLEAU, RODAS5P_TABLEAU])('$name tableau', (tb) => {
  const { s, G, alpha, b, bHat } = untransform(tb);
  const rowSum = (M: Float64Array, i: number) => {
    let v = 0;
    for (let j = 0; j < s; j++) v += M[i * s + j];
    return v;
  };

  it('has d_i = sum_j gamma_ij and c_i = sum_j alpha_ij', () => {
    for (let i = 0; i < s; i++) {
      expect(rowSum(G, i)).toBeCloseTo(tb.d[i], 9);
      expect(rowSum(alpha, i)).toBeCloseTo(tb.c[i], 9);
    }
  });

  it('is stiffly accurate: c_s = 1 and the last stage value is the solution', () => {
    expect(tb.c[s - 1]).toBe(1);
    expect(tb.e[s - 1]).toBe(1);
    for (let j = 0; j < s - 1; j++) expect(tb.m[j]).toBe(tb.a[(s - 1) * s + j]);
  });

  it.each([
    ['solution', 'b'],
    ['embedded', 'bHat'],
  ] as const)('%s weights satisfy the order conditions up to order 3', (_label, key) => {
    const w = key === 'b' ? b : bHat;
    const g = tb.gamma;
    const cA = Float64Array.from({ length: s }, (_, i) => rowSum(alpha, i));
    // beta_ij = alpha_ij + gamma_ij (j < i); beta'_i = sum_{j<i} beta_ij = c_i + d_i - gamma.
    const betaP = Float64Array.from({ length: s }, (_, i) => cA[i] + tb.d[i] - g);
    let o1 = 0;
    let o2 = 0;
    let o3a = 0;
    let o3b = 0;
    for (let i = 0; i < s; i++) {
      o1 += w[i];
      o2 += w[i] * betaP[i];
      o3a += w[i] * cA[i] * cA[i];
      let inner = 0;
      for (let j = 0; j < i; j++) inner += (alpha[i * s + j] + G[i * s + j]) * betaP[j];
      o3b += w[i] * inner;
    }
    expect(o1).toBeCloseTo(1, 9);
    expect(o2).toBeCloseTo(0.5 - g, 9);
    expect(o3a).toBeCloseTo(1 / 3, 9);
    expect(o3b).toBeCloseTo(1 / 6 - g + g * g, 9);
  });
});
