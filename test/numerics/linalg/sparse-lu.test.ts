import { describe, expect, it } from 'vitest';
import { colorColumns, isValidColoring } from '../../../src/numerics/linalg/coloring.js';
import {
  bandedPattern,
  type CsrPattern,
  patternFromEntries,
  scatterToDense,
  validatePattern,
} from '../../../src/numerics/linalg/csr.js';
import { createDenseLu } from '../../../src/numerics/linalg/dense-lu.js';
import { chooseLinearSolver, createShiftedLinearSolver } from '../../../src/numerics/linalg/linear-solver.js';
import {
  approximateMinimumDegreeOrdering,
  minimumDegreeOrdering,
} from '../../../src/numerics/linalg/ordering.js';
import { SparseLu } from '../../../src/numerics/linalg/sparse-lu.js';

/** mulberry32: small deterministic PRNG for reproducible random matrices. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Random sparse n x n matrix: the diagonal, a random permutation sigma and about `perRow` more entries a row.
 * 'dominant': large diagonal, so no pivoting is needed; 'weak' / 'zero': tiny / zero diagonal and a large
 * entry at (i, sigma(i)), so the matrix is nonsingular only thanks to off-diagonal pivots.
 */
function randomSparse(
  n: number,
  perRow: number,
  seed: number,
  diag: 'dominant' | 'weak' | 'zero',
): { pattern: CsrPattern; values: Float64Array; sigma: Int32Array } {
  const r = rng(seed);
  const sigma = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    const t = sigma[i];
    sigma[i] = sigma[j];
    sigma[j] = t;
  }
  const rows: number[] = [];
  const cols: number[] = [];
  for (let i = 0; i < n; i++) {
    rows.push(i, i);
    cols.push(i, sigma[i]);
    for (let k = 0; k < perRow; k++) {
      rows.push(i);
      cols.push(Math.floor(r() * n));
    }
  }
  const pattern = patternFromEntries(n, rows, cols);
  const values = new Float64Array(pattern.colIdx.length);
  const big = 2 * perRow + 3;
  for (let i = 0; i < n; i++) {
    for (let k = pattern.rowPtr[i]; k < pattern.rowPtr[i + 1]; k++) {
      const j = pattern.colIdx[k];
      if (j === i) values[k] = diag === 'dominant' ? big + r() : diag === 'weak' ? 1e-3 * r() : 0;
      else if (j === sigma[i] && diag !== 'dominant') values[k] = (r() < 0.5 ? -1 : 1) * (big + r());
      else values[k] = 2 * r() - 1;
    }
  }
  return { pattern, values, sigma };
}

/** Relative residual ||A x - b||_inf / (||A||_inf ||x||_inf + ||b||_inf) with A given dense. */
function relResidual(A: Float64Array, n: number, x: Float64Array, b: Float64Array): number {
  let rmax = 0;
  let anorm = 0;
  let xnorm = 0;
  let bnorm = 0;
  for (let i = 0; i < n; i++) {
    let s = 0;
    let rowSum = 0;
    for (let j = 0; j < n; j++) {
      s += A[i * n + j] * x[j];
      rowSum += Math.abs(A[i * n + j]);
    }
    rmax = Math.max(rmax, Math.abs(s - b[i]));
    anorm = Math.max(anorm, rowSum);
    xnorm = Math.max(xnorm, Math.abs(x[i]));
    bnorm = Math.max(bnorm, Math.abs(b[i]));
  }
  return rmax / (anorm * xnorm + bnorm);
}

describe('sparse LU (Gilbert-Peierls with threshold pivoting, minimum-degree order)', () => {
  const cases: [number, number, number, 'dominant' | 'weak' | 'zero'][] = [
    [60, 3, 1, 'dominant'],
    [150, 4, 2, 'dominant'],
    [100, 3, 3, 'weak'],
    [120, 5, 4, 'zero'],
    [200, 2, 5, 'zero'],
  ];
  it.each(cases)(
    'n = %i, %i off-diagonals per row (seed %i, %s diagonal): matches dense LU to 1e-12',
    (n, perRow, seed, diag) => {
      const { pattern, values } = randomSparse(n, perRow, seed, diag);
      const A = new Float64Array(n * n);
      scatterToDense(pattern, values, A);
      const dense = createDenseLu(n);
      dense.a.set(A);
      expect(dense.factor()).toBe(true); // the seeds give nonsingular draws
      const lu = new SparseLu(pattern);
      lu.loadCsr(values);
      expect(lu.factor()).toBe(true);
      const r = rng(seed + 100);
      const b = Float64Array.from({ length: n }, () => 2 * r() - 1);
      const xs = Float64Array.from(b);
      lu.solve(xs);
      const xd = Float64Array.from(b);
      dense.solve(xd);
      expect(relResidual(A, n, xs, b)).toBeLessThan(1e-12);
      let diff = 0;
      let scale = 0;
      for (let i = 0; i < n; i++) {
        diff = Math.max(diff, Math.abs(xs[i] - xd[i]));
        scale = Math.max(scale, Math.abs(xd[i]));
      }
      expect(diff / scale).toBeLessThan(1e-9); // both solutions carry cond(A) * eps error
    },
  );

  it('needs and does off-diagonal pivoting when the diagonal is zero', () => {
    // A permutation-like matrix with zero diagonal: any diagonal-only pivoting fails.
    const n = 50;
    const rows: number[] = [];
    const cols: number[] = [];
    for (let i = 0; i < n; i++) {
      rows.push(i, i);
      cols.push(i, (i + 1) % n);
    }
    const pattern = patternFromEntries(n, rows, cols);
    const values = new Float64Array(pattern.colIdx.length);
    for (let i = 0; i < n; i++) {
      for (let k = pattern.rowPtr[i]; k < pattern.rowPtr[i + 1]; k++)
        values[k] = pattern.colIdx[k] === i ? 0 : 1 + i;
    }
    const lu = new SparseLu(pattern);
    lu.loadCsr(values);
    expect(lu.factor()).toBe(true);
    const A = new Float64Array(n * n);
    scatterToDense(pattern, values, A);
    const b = Float64Array.from({ length: n }, (_, i) => Math.cos(i));
    const x = Float64Array.from(b);
    lu.solve(x);
    expect(relResidual(A, n, x, b)).toBeLessThan(1e-14);
  });

  it('refactors with the stored pivots, and falls back to fresh pivoting when a pivot collapses', () => {
    const n = 80;
    const { pattern, values, sigma } = randomSparse(n, 3, 7, 'dominant');
    const lu = new SparseLu(pattern);
    lu.loadCsr(values);
    expect(lu.factor()).toBe(true);
    expect(lu.fullFactorizations).toBe(1);
    const r = rng(9);
    const A = new Float64Array(n * n);
    const b = Float64Array.from({ length: n }, () => 2 * r() - 1);
    // New values, same pattern, still dominant: a refactorisation suffices.
    const v2 = values.map((v) => v * (1 + 0.3 * (r() - 0.5)));
    lu.loadCsr(v2);
    expect(lu.factor()).toBe(true);
    expect(lu.refactorizations).toBe(1);
    expect(lu.fullFactorizations).toBe(1);
    scatterToDense(pattern, v2, A);
    let x = Float64Array.from(b);
    lu.solve(x);
    expect(relResidual(A, n, x, b)).toBeLessThan(1e-12);
    // Zero the diagonal and make (i, sigma(i)) dominant: the old pivots are unusable, so the factorisation
    // starts afresh with new pivots.
    const v3 = Float64Array.from(v2);
    for (let i = 0; i < n; i++) {
      for (let k = pattern.rowPtr[i]; k < pattern.rowPtr[i + 1]; k++) {
        if (pattern.colIdx[k] === i) v3[k] = 0;
        else if (pattern.colIdx[k] === sigma[i]) v3[k] = 20;
      }
    }
    scatterToDense(pattern, v3, A);
    const dense = createDenseLu(n);
    dense.a.set(A);
    expect(dense.factor()).toBe(true);
    lu.loadCsr(v3);
    expect(lu.factor()).toBe(true);
    expect(lu.fullFactorizations).toBe(2);
    expect(lu.refactorizations).toBe(1);
    x = Float64Array.from(b);
    lu.solve(x);
    expect(relResidual(A, n, x, b)).toBeLessThan(1e-12);
  });

  it('reports a singular matrix', () => {
    const pattern = patternFromEntries(3, [0, 0, 1, 1, 2], [0, 1, 0, 1, 2]);
    const lu = new SparseLu(pattern);
    lu.loadCsr(Float64Array.from([1, 2, 2, 4, 1])); // rows 0 and 1 are parallel
    expect(lu.factor()).toBe(false);
  });

  it('solves alpha I - J through the shifted linear-solver interface like the dense back end', () => {
    const n = 90;
    const { pattern, values } = randomSparse(n, 4, 11, 'weak');
    const sparse = createShiftedLinearSolver(n, undefined, { sparsity: pattern, choice: 'sparse' });
    const dense = createShiftedLinearSolver(n);
    expect(sparse.kind).toBe('sparse');
    expect(sparse.jacobianLength).toBe(pattern.colIdx.length);
    const J = new Float64Array(n * n);
    scatterToDense(pattern, values, J);
    for (const alpha of [0.5, 3, 1e4]) {
      expect(sparse.factorShifted(alpha, values)).toBe(true);
      expect(dense.factorShifted(alpha, J)).toBe(true);
      const b = Float64Array.from({ length: n }, (_, i) => Math.sin(i + alpha));
      const xs = Float64Array.from(b);
      const xd = Float64Array.from(b);
      sparse.solve(xs);
      dense.solve(xd);
      for (let i = 0; i < n; i++) expect(Math.abs(xs[i] - xd[i])).toBeLessThan(1e-10 * (1 + Math.abs(xd[i])));
    }
  });
});

describe('fill-reducing ordering', () => {
  it('minimum degree cuts the fill of a 2D Laplacian (30 x 30 grid) far below the natural order', () => {
    const k = 30;
    const n = k * k;
    const rows: number[] = [];
    const cols: number[] = [];
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < k; j++) {
        const p = i * k + j;
        rows.push(p);
        cols.push(p);
        if (i > 0) {
          rows.push(p);
          cols.push(p - k);
        }
        if (i < k - 1) {
          rows.push(p);
          cols.push(p + k);
        }
        if (j > 0) {
          rows.push(p);
          cols.push(p - 1);
        }
        if (j < k - 1) {
          rows.push(p);
          cols.push(p + 1);
        }
      }
    }
    const pattern = patternFromEntries(n, rows, cols);
    const values = new Float64Array(pattern.colIdx.length);
    for (let i = 0; i < n; i++) {
      for (let q = pattern.rowPtr[i]; q < pattern.rowPtr[i + 1]; q++)
        values[q] = pattern.colIdx[q] === i ? 4 : -1;
    }
    const fill = (ordering: 'natural' | 'minimum-degree' | 'amd') => {
      const lu = new SparseLu(pattern, { ordering });
      lu.loadCsr(values);
      expect(lu.factor()).toBe(true);
      const b = Float64Array.from({ length: n }, (_, i) => 1 + (i % 7));
      const x = Float64Array.from(b);
      lu.solve(x);
      const A = new Float64Array(n * n);
      scatterToDense(pattern, values, A);
      expect(relResidual(A, n, x, b)).toBeLessThan(1e-13);
      return lu.nnzL + lu.nnzU;
    };
    const natural = fill('natural');
    const md = fill('minimum-degree');
    const amd = fill('amd');
    const nnzA = pattern.colIdx.length;
    console.log(
      `2D Laplacian 30x30: nnz(A) = ${nnzA}, nnz(L+U) natural = ${natural}, minimum degree = ${md}, AMD = ${amd}`,
    );
    // Natural order fills the whole band (about 2 k n); minimum-degree orders give O(n log n)-like fill.
    expect(natural).toBeGreaterThan(2 * k * n * 0.9);
    expect(md).toBeLessThan(0.45 * natural);
    expect(amd).toBeLessThan(0.45 * natural);
    expect(amd).toBeLessThan(1.2 * md);
  });

  it('eliminates indistinguishable nodes together (3 fully coupled species per point of a 12 x 12 grid)', () => {
    const k = 12;
    const sp = 3;
    const n = sp * k * k;
    const rows: number[] = [];
    const cols: number[] = [];
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < k; j++) {
        const pt = i * k + j;
        const nbs = [
          i > 0 ? pt - k : -1,
          i < k - 1 ? pt + k : -1,
          j > 0 ? pt - 1 : -1,
          j < k - 1 ? pt + 1 : -1,
        ];
        for (let a = 0; a < sp; a++) {
          for (let b = 0; b < sp; b++) {
            rows.push(sp * pt + a);
            cols.push(sp * pt + b);
          }
          for (const nb of nbs) {
            if (nb < 0) continue;
            for (let b = 0; b < sp; b++) {
              rows.push(sp * pt + a);
              cols.push(sp * nb + b);
            }
          }
        }
      }
    }
    const pattern = patternFromEntries(n, rows, cols);
    const perm = minimumDegreeOrdering(pattern);
    expect(Array.from(perm).sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
    // the species of one point come out consecutively
    for (let q = 0; q < n; q += sp) {
      const pt = Math.floor(perm[q] / sp);
      for (let a = 1; a < sp; a++) expect(Math.floor(perm[q + a] / sp)).toBe(pt);
    }
    const values = new Float64Array(pattern.colIdx.length);
    const r = rng(5);
    for (let i = 0; i < n; i++) {
      for (let q = pattern.rowPtr[i]; q < pattern.rowPtr[i + 1]; q++) {
        values[q] = pattern.colIdx[q] === i ? 60 + r() : 2 * r() - 1;
      }
    }
    const fill: Record<string, number> = {};
    for (const ordering of ['natural', 'minimum-degree', 'amd'] as const) {
      const lu = new SparseLu(pattern, { ordering });
      lu.loadCsr(values);
      expect(lu.factor()).toBe(true);
      const A = new Float64Array(n * n);
      scatterToDense(pattern, values, A);
      const b = Float64Array.from({ length: n }, (_, i) => Math.sin(i));
      const x = Float64Array.from(b);
      lu.solve(x);
      expect(relResidual(A, n, x, b)).toBeLessThan(1e-13);
      fill[ordering] = lu.nnzL + lu.nnzU;
    }
    expect(fill['minimum-degree']).toBeLessThan(0.6 * fill.natural);
    expect(fill.amd).toBeLessThan(0.6 * fill.natural);
  });

  it('returns permutations', () => {
    for (const seed of [21, 22, 23]) {
      const { pattern } = randomSparse(70, 3, seed, 'dominant');
      for (const perm of [minimumDegreeOrdering(pattern), approximateMinimumDegreeOrdering(pattern)]) {
        expect(Array.from(perm).sort((a, b) => a - b)).toEqual(Array.from({ length: 70 }, (_, i) => i));
      }
    }
  });
});

describe('column colouring (Curtis-Powell-Reid)', () => {
  it('gives kl + ku + 1 groups for a band and a valid grouping for random patterns', () => {
    const band = bandedPattern(100, 2, 3);
    const cb = colorColumns(band);
    expect(cb.colors).toBe(6);
    expect(isValidColoring(band, cb)).toBe(true);
    for (const seed of [1, 2, 3]) {
      const { pattern } = randomSparse(120, 3, seed, 'dominant');
      const c = colorColumns(pattern);
      expect(isValidColoring(pattern, c)).toBe(true);
      // every column has exactly one group
      const seen = new Int32Array(120);
      for (const j of c.groupCols) seen[j]++;
      expect(seen.every((s) => s === 1)).toBe(true);
      expect(c.colors).toBeLessThan(40);
    }
  });

  it('detects an invalid grouping', () => {
    const band = bandedPattern(10, 1, 1);
    const c = colorColumns(band);
    const bad = { ...c, color: new Int32Array(10) }; // everything in colour 0
    expect(isValidColoring(band, bad)).toBe(false);
  });
});

describe('CSR patterns', () => {
  it('rejects malformed patterns', () => {
    const ok = { rowPtr: Int32Array.from([0, 2, 3]), colIdx: Int32Array.from([0, 1, 1]) };
    expect(() => validatePattern(ok, 2)).not.toThrow();
    expect(() => validatePattern(ok, 3)).toThrow(/rowPtr/);
    expect(() => validatePattern({ rowPtr: ok.rowPtr, colIdx: Int32Array.from([1, 0, 1]) }, 2)).toThrow(
      /increasing/,
    );
    expect(() => validatePattern({ rowPtr: ok.rowPtr, colIdx: Int32Array.from([0, 2, 1]) }, 2)).toThrow(
      /range/,
    );
  });
});

describe('linear-solver choice', () => {
  it('is dense for small or unstructured systems, banded for a narrow band, sparse for a sparse pattern', () => {
    const sp = bandedPattern(400, 2, 2);
    expect(chooseLinearSolver(20, { sparsity: bandedPattern(20, 1, 1) })).toBe('dense');
    expect(chooseLinearSolver(400)).toBe('dense');
    expect(chooseLinearSolver(400, { bandwidth: { lower: 2, upper: 2 } })).toBe('banded');
    expect(chooseLinearSolver(400, { bandwidth: { lower: 2, upper: 2 }, sparsity: sp })).toBe('banded');
    expect(chooseLinearSolver(400, { sparsity: sp })).toBe('sparse');
    expect(chooseLinearSolver(400, { sparsity: sp, choice: 'dense' })).toBe('dense');
    expect(
      chooseLinearSolver(400, { bandwidth: { lower: 2, upper: 2 }, sparsity: sp, choice: 'sparse' }),
    ).toBe('sparse');
    expect(() => chooseLinearSolver(400, { choice: 'sparse' })).toThrow();
    // A dense-ish pattern stays dense.
    expect(chooseLinearSolver(100, { sparsity: bandedPattern(100, 20, 20) })).toBe('dense');
  });

  it('falls back to dense when the predicted sparse work is not well below n^3 / 3 (a badly filling pattern)', () => {
    // Random pattern, about 9 entries a row (density < 10 %): no ordering prevents near-complete fill.
    const { pattern } = randomSparse(100, 7, 31, 'dominant');
    expect(chooseLinearSolver(100, { sparsity: pattern })).toBe('sparse');
    const probe = new SparseLu(pattern);
    const work = probe.estimateWork();
    expect(5 * work).toBeGreaterThan(100 ** 3 / 3);
    expect(createShiftedLinearSolver(100, undefined, { sparsity: pattern }).kind).toBe('dense');
    expect(createShiftedLinearSolver(100, undefined, { sparsity: pattern, choice: 'sparse' }).kind).toBe(
      'sparse',
    );
    // A banded pattern (n = 400) keeps the sparse LU: its predicted work is a tiny fraction of dense.
    const band = bandedPattern(400, 2, 2);
    const bandLu = new SparseLu(band);
    expect(bandLu.estimateWork()).toBeLessThan(400 * 10);
    expect(createShiftedLinearSolver(400, undefined, { sparsity: band }).kind).toBe('sparse');
  });
});
