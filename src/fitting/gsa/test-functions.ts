/**
 * Analytic test functions for global sensitivity methods, with their exact Sobol' indices.
 *
 * Ishigami & Homma (1990): f = sin x1 + a sin^2 x2 + b x3^4 sin x1, x_i ~ U(-pi, pi). Partial variances
 * V1 = (1 + b pi^4 / 5)^2 / 2, V2 = a^2 / 8, V3 = 0, V13 = 8 b^2 pi^8 / 225, V = V1 + V2 + V13
 * (Saltelli et al. 2008, Global Sensitivity Analysis: The Primer, Sec. 4.6; a = 7, b = 0.1 is the usual choice).
 *
 * Sobol' G function: g = prod_i (|4 x_i - 2| + a_i) / (1 + a_i), x_i ~ U(0, 1). V_i = 1 / (3 (1 + a_i)^2),
 * V = prod_i (1 + V_i) - 1, S_i = V_i / V, S_Ti = V_i prod_{j != i} (1 + V_j) / V (Saltelli et al. 2010, Sec. 5).
 */

import type { GsaSpec } from './sobol.js';

export interface AnalyticIndices {
  readonly first: readonly number[];
  readonly total: readonly number[];
}

export const ISHIGAMI_A = 7;
export const ISHIGAMI_B = 0.1;

export function ishigami(x: ArrayLike<number>, a = ISHIGAMI_A, b = ISHIGAMI_B): number {
  const x1 = x[0] as number;
  const s2 = Math.sin(x[1] as number);
  const x3 = x[2] as number;
  return Math.sin(x1) * (1 + b * x3 * x3 * x3 * x3) + a * s2 * s2;
}

export function ishigamiSpec(): GsaSpec {
  return ['x1', 'x2', 'x3'].map((name) => ({ name, lo: -Math.PI, hi: Math.PI, scale: 'linear' as const }));
}

export function ishigamiIndices(a = ISHIGAMI_A, b = ISHIGAMI_B): AnalyticIndices {
  const pi4 = Math.PI ** 4;
  const v1 = 0.5 * (1 + (b * pi4) / 5) ** 2;
  const v2 = (a * a) / 8;
  const v13 = (8 * b * b * pi4 * pi4) / 225;
  const v = v1 + v2 + v13;
  return { first: [v1 / v, v2 / v, 0], total: [(v1 + v13) / v, v2 / v, v13 / v] };
}

/** Sobol' G function at x in [0, 1]^d with coefficients a (a_i >= 0; small a_i = important x_i). */
export function sobolG(x: ArrayLike<number>, a: readonly number[]): number {
  let g = 1;
  for (let i = 0; i < a.length; i++) {
    const ai = a[i] as number;
    g *= (Math.abs(4 * (x[i] as number) - 2) + ai) / (1 + ai);
  }
  return g;
}

export function sobolGSpec(d: number): GsaSpec {
  return Array.from({ length: d }, (_, i) => ({ name: `x${i + 1}`, lo: 0, hi: 1, scale: 'linear' as const }));
}

export function sobolGIndices(a: readonly number[]): AnalyticIndices {
  const vi = a.map((ai) => 1 / (3 * (1 + ai) ** 2));
  const prod = vi.reduce((p, v) => p * (1 + v), 1);
  const v = prod - 1;
  return { first: vi.map((x) => x / v), total: vi.map((x) => (x * prod) / (1 + x) / v) };
}
