import { describe, expect, it } from 'vitest';
import { createBandedLu } from '../../../src/numerics/linalg/banded-lu.js';
import { createDenseLu } from '../../../src/numerics/linalg/dense-lu.js';
import { createShiftedLinearSolver, preferBanded } from '../../../src/numerics/linalg/linear-solver.js';

/** Deterministic uniform numbers in [-1, 1) (a 32-bit LCG), so failures reproduce. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  };
}

/** Random dense row-major n*n matrix with the given band; `diag` scales the diagonal (small = pivoting). */
function randomBanded(n: number, kl: number, ku: number, diag: number, seed: number): Float64Array {
  const r = rng(seed);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = Math.max(0, i - kl); j <= Math.min(n - 1, i + ku); j++) a[i * n + j] = r();
    a[i * n + i] *= diag;
  }
  return a;
}

function matVec(a: Float64Array, x: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += a[i * n + j] * x[j];
    out[i] = s;
  }
  return out;
}

/** ||A x - b||_inf / (||A||_inf ||x||_inf): backward-error-style residual, ~eps for a stable solve. */
function relResidual(a: Float64Array, x: Float64Array, b: Float64Array, n: number): number {
  const ax = matVec(a, x, n);
  let r = 0;
  let an = 0;
  let xn = 0;
  for (let i = 0; i < n; i++) {
    r = Math.max(r, Math.abs(ax[i] - b[i]));
    let row = 0;
    for (let j = 0; j < n; j++) row += Math.abs(a[i * n + j]);
    an = Math.max(an, row);
    xn = Math.max(xn, Math.abs(x[i]));
  }
  return r / (an * xn);
}

const cases: [n: number, kl: number, ku: number, diag: number][] = [
  [1, 0, 0, 1],
  [7, 1, 1, 1],
  [20, 2, 3, 1],
  [20, 3, 1, 1e-3], // tiny diagonal forces row interchanges and fill
  [50, 0, 4, 1],
  [50, 4, 0, 1e-2],
  [64, 5, 5, 1e-4],
  [100, 1, 1, 1e-6],
  [30, 29, 29, 1], // full band
];

describe('banded LU (dgbtrf-style storage)', () => {
  it.each(cases)(
    'n=%i kl=%i ku=%i diag=%f: solves like dense LU, residual ~1e-12 or better',
    (n, kl, ku, diag) => {
      for (let seed = 1; seed <= 5; seed++) {
        const a = randomBanded(n, kl, ku, diag, seed * 7919 + n);
        const r = rng(seed);
        const b = Float64Array.from({ length: n }, () => r());

        const band = createBandedLu(n, kl, ku);
        band.loadFromDense(a, 0, -1);
        expect(band.factor()).toBe(true);
        const xb = Float64Array.from(b);
        band.solve(xb);

        const dense = createDenseLu(n);
        dense.a.set(a);
        expect(dense.factor()).toBe(true);
        const xd = Float64Array.from(b);
        dense.solve(xd);

        expect(relResidual(a, xb, b, n)).toBeLessThan(1e-14);
        let diff = 0;
        let xn = 0;
        for (let i = 0; i < n; i++) {
          diff = Math.max(diff, Math.abs(xb[i] - xd[i]));
          xn = Math.max(xn, Math.abs(xd[i]));
        }
        // Both factorisations pivot the same way (same partial-pivoting choices), so the solutions agree
        // to a few ulps of the solution scale times a modest condition number.
        expect(diff / xn).toBeLessThan(1e-10);
      }
    },
  );

  it('stores A(i, j) at ab[j * ldab + kl + ku + i - j] and can be written entry by entry', () => {
    const n = 5;
    const lu = createBandedLu(n, 1, 2);
    expect(lu.ldab).toBe(2 * 1 + 2 + 1);
    expect(lu.index(2, 3)).toBe(3 * lu.ldab + 1 + 2 + 2 - 3);
    const a = randomBanded(n, 1, 2, 1, 3);
    lu.clear();
    for (let i = 0; i < n; i++)
      for (let j = Math.max(0, i - 1); j <= Math.min(n - 1, i + 2); j++) lu.ab[lu.index(i, j)] = a[i * n + j];
    expect(lu.factor()).toBe(true);
    const x = Float64Array.from([1, -2, 3, -4, 5]);
    const b = matVec(a, x, n);
    lu.solve(b);
    for (let i = 0; i < n; i++) expect(b[i]).toBeCloseTo(x[i], 12);
  });

  it('is reusable: refactoring a new matrix in the same object gives the right answer', () => {
    const n = 40;
    const lu = createBandedLu(n, 2, 2);
    for (let seed = 10; seed < 13; seed++) {
      const a = randomBanded(n, 2, 2, 1e-2, seed);
      lu.loadFromDense(a, 0, -1);
      expect(lu.factor()).toBe(true);
      const x = Float64Array.from({ length: n }, (_, i) => Math.sin(i + seed));
      const b = matVec(a, x, n);
      lu.solve(b);
      let err = 0;
      for (let i = 0; i < n; i++) err = Math.max(err, Math.abs(b[i] - x[i]));
      expect(err).toBeLessThan(1e-9);
    }
  });

  it('reports a singular matrix (a zero column)', () => {
    const n = 6;
    const a = randomBanded(n, 1, 1, 1, 5);
    for (let i = 0; i < n; i++) a[i * n + 2] = 0;
    const lu = createBandedLu(n, 1, 1);
    lu.loadFromDense(a, 0, -1);
    expect(lu.factor()).toBe(false);
  });
});

describe('shifted linear solver (alpha I - J)', () => {
  it('chooses banded storage only for narrow bands', () => {
    expect(preferBanded(10, { lower: 1, upper: 1 })).toBe(false); // small n stays dense
    expect(preferBanded(100, { lower: 1, upper: 1 })).toBe(true);
    expect(preferBanded(100, { lower: 30, upper: 30 })).toBe(false);
    expect(preferBanded(100, undefined)).toBe(false);
    expect(createShiftedLinearSolver(100, { lower: 2, upper: 2 }).kind).toBe('banded');
    expect(createShiftedLinearSolver(100).kind).toBe('dense');
  });

  it('banded and dense back ends solve (alpha I - J) x = b alike', () => {
    const n = 60;
    const J = randomBanded(n, 2, 3, 1, 42);
    const alpha = 0.7;
    const banded = createShiftedLinearSolver(n, { lower: 2, upper: 3 });
    const dense = createShiftedLinearSolver(n);
    expect(banded.kind).toBe('banded');
    expect(banded.factorShifted(alpha, J)).toBe(true);
    expect(dense.factorShifted(alpha, J)).toBe(true);
    const b = Float64Array.from({ length: n }, (_, i) => Math.cos(i));
    const xb = Float64Array.from(b);
    const xd = Float64Array.from(b);
    banded.solve(xb);
    dense.solve(xd);
    const m = new Float64Array(n * n);
    for (let i = 0; i < n * n; i++) m[i] = -J[i];
    for (let i = 0; i < n; i++) m[i * n + i] += alpha;
    expect(relResidual(m, xb, b, n)).toBeLessThan(1e-14);
    for (let i = 0; i < n; i++) expect(Math.abs(xb[i] - xd[i])).toBeLessThan(1e-10 * (1 + Math.abs(xd[i])));
  });
});
