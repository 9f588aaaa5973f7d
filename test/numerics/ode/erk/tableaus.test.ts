import { describe, expect, it } from 'vitest';
import { DP5_TABLEAU, type Fsal7Tableau, TSIT5_TABLEAU } from '../../../../src/numerics/ode/erk/tableaus.js';

/** Full Butcher matrix (7x7, strictly lower) and c of a Fsal7Tableau. */
function butcher(tab: Fsal7Tableau): { A: number[][]; c: number[] } {
  const A = [
    [0, 0, 0, 0, 0, 0, 0],
    [tab.a21, 0, 0, 0, 0, 0, 0],
    [tab.a31, tab.a32, 0, 0, 0, 0, 0],
    [tab.a41, tab.a42, tab.a43, 0, 0, 0, 0],
    [tab.a51, tab.a52, tab.a53, tab.a54, 0, 0, 0],
    [tab.a61, tab.a62, tab.a63, tab.a64, tab.a65, 0, 0],
    [...tab.b.slice(0, 6), 0],
  ];
  return { A, c: [0, tab.c2, tab.c3, tab.c4, tab.c5, 1, 1] };
}

const mv = (A: number[][], v: number[]) => A.map((row) => row.reduce((s, a, j) => s + a * v[j], 0));
const had = (u: number[], v: number[]) => u.map((x, i) => x * v[i]);
const dot = (u: number[], v: number[]) => u.reduce((s, x, i) => s + x * v[i], 0);

/**
 * The elementary weights Phi(t) of all rooted trees with up to 5 nodes, with their densities gamma(t)
 * (Butcher; HNW I, Table II.2.2). Order conditions: b . Phi(t) = 1 / gamma(t).
 */
function trees(A: number[][], c: number[]): { order: number; phi: number[]; gamma: number }[] {
  const one = c.map(() => 1);
  const c2 = had(c, c);
  const c3 = had(c2, c);
  const Ac = mv(A, c);
  const Ac2 = mv(A, c2);
  const AAc = mv(A, Ac);
  return [
    { order: 1, phi: one, gamma: 1 },
    { order: 2, phi: c, gamma: 2 },
    { order: 3, phi: c2, gamma: 3 },
    { order: 3, phi: Ac, gamma: 6 },
    { order: 4, phi: c3, gamma: 4 },
    { order: 4, phi: had(c, Ac), gamma: 8 },
    { order: 4, phi: Ac2, gamma: 12 },
    { order: 4, phi: AAc, gamma: 24 },
    { order: 5, phi: had(c3, c), gamma: 5 },
    { order: 5, phi: had(c2, Ac), gamma: 10 },
    { order: 5, phi: had(c, Ac2), gamma: 15 },
    { order: 5, phi: had(c, AAc), gamma: 30 },
    { order: 5, phi: had(Ac, Ac), gamma: 20 },
    { order: 5, phi: mv(A, c3), gamma: 20 },
    { order: 5, phi: mv(A, had(c, Ac)), gamma: 40 },
    { order: 5, phi: mv(A, Ac2), gamma: 60 },
    { order: 5, phi: mv(A, AAc), gamma: 120 },
  ];
}

describe.each([DP5_TABLEAU, TSIT5_TABLEAU])('$name tableau', (tab) => {
  const { A, c } = butcher(tab);
  const all = trees(A, c);

  it('has consistent row sums c_i = sum_j a_ij', () => {
    for (let i = 1; i < 7; i++) expect(A[i].reduce((s, a) => s + a, 0)).toBeCloseTo(c[i], 14);
  });

  it('satisfies all 17 order conditions of order 5', () => {
    expect(all.length).toBe(17);
    for (const t of all) expect(Math.abs(dot([...tab.b], t.phi) - 1 / t.gamma)).toBeLessThan(1e-14);
  });

  it('has an embedded solution of order exactly 4', () => {
    const bhat = tab.b.map((b, i) => b - tab.e[i]);
    for (const t of all.filter((t) => t.order <= 4))
      expect(Math.abs(dot(bhat, t.phi) - 1 / t.gamma)).toBeLessThan(1e-14);
    // Order exactly 4: some 5th-order condition fails, so the estimate is O(h^5).
    const defect = Math.max(
      ...all.filter((t) => t.order === 5).map((t) => Math.abs(dot(bhat, t.phi) - 1 / t.gamma)),
    );
    expect(defect).toBeGreaterThan(1e-4);
  });

  it('has dense-output weights of order 4 with b(1) = b', () => {
    const w = new Float64Array(7);
    for (const theta of [0.1, 0.25, 0.5, 0.77, 0.9]) {
      tab.denseWeights(theta, w);
      // Scaled conditions: sum_j b_j(theta) Phi_j(t) = theta^rho(t) / gamma(t).
      for (const t of all.filter((t) => t.order <= 4))
        expect(Math.abs(dot([...w], t.phi) - theta ** t.order / t.gamma)).toBeLessThan(1e-13);
    }
    tab.denseWeights(1, w);
    for (let j = 0; j < 7; j++) expect(w[j]).toBeCloseTo(tab.b[j], 13);
    tab.denseWeights(0, w);
    for (let j = 0; j < 7; j++) expect(Math.abs(w[j])).toBe(0);
  });
});
