import { describe, expect, it } from 'vitest';
import { svd, symmetricEigen } from '../../../src/numerics/linalg/symmetric-eigen.js';
import { standardNormal, streamFor } from '../../../src/numerics/random/index.js';

/** A random orthogonal n*n matrix (row-major): Gram-Schmidt on Gaussian columns. */
function randomOrthogonal(n: number, seed: number): Float64Array {
  const s = streamFor(seed, ['purpose', 'test-orthogonal']);
  const q = new Float64Array(n * n);
  for (let i = 0; i < n * n; i++) q[i] = standardNormal(s);
  for (let c = 0; c < n; c++) {
    for (let p = 0; p < c; p++) {
      let d = 0;
      for (let r = 0; r < n; r++) d += q[r * n + c] * q[r * n + p];
      for (let r = 0; r < n; r++) q[r * n + c] -= d * q[r * n + p];
    }
    let nn = 0;
    for (let r = 0; r < n; r++) nn += q[r * n + c] ** 2;
    for (let r = 0; r < n; r++) q[r * n + c] /= Math.sqrt(nn);
  }
  return q;
}

/** Q diag(lam) Q^T. */
function withSpectrum(q: Float64Array, lam: number[]): Float64Array {
  const n = lam.length;
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += q[i * n + k] * lam[k] * q[j * n + k];
      a[i * n + j] = s;
    }
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) a[j * n + i] = a[i * n + j];
  return a;
}

function orthogonalityError(v: Float64Array, rows: number, cols: number): number {
  let err = 0;
  for (let a = 0; a < cols; a++)
    for (let b = 0; b < cols; b++) {
      let d = 0;
      for (let r = 0; r < rows; r++) d += v[r * cols + a] * v[r * cols + b];
      err = Math.max(err, Math.abs(d - (a === b ? 1 : 0)));
    }
  return err;
}

describe('symmetricEigen (cyclic Jacobi)', () => {
  it('recovers a known spectrum with orthonormal eigenvectors', () => {
    const lam = [-3.5, -1, 1e-6, 0.25, 2, 2.000001, 7, 100];
    const n = lam.length;
    const q = randomOrthogonal(n, 11);
    const a = withSpectrum(q, lam);
    const { values, vectors, sweeps } = symmetricEigen(a, n);
    for (let k = 0; k < n; k++) expect(Math.abs(values[k] - lam[k])).toBeLessThanOrEqual(1e-12 * 100);
    expect(orthogonalityError(vectors, n, n)).toBeLessThan(1e-12);
    // A v = lambda v for each pair.
    let resid = 0;
    for (let k = 0; k < n; k++)
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = 0; j < n; j++) s += a[i * n + j] * vectors[j * n + k];
        resid = Math.max(resid, Math.abs(s - values[k] * vectors[i * n + k]));
      }
    expect(resid).toBeLessThan(1e-12 * 100);
    expect(sweeps).toBeLessThan(15);
  });

  it('2x2 closed form and a diagonal matrix', () => {
    // [[2, 1], [1, 2]]: eigenvalues 1, 3; eigenvectors (1, -1)/sqrt2, (1, 1)/sqrt2.
    const e = symmetricEigen([2, 1, 1, 2], 2);
    expect(e.values[0]).toBeCloseTo(1, 15);
    expect(e.values[1]).toBeCloseTo(3, 15);
    expect(Math.abs(e.vectors[0] * e.vectors[2] + e.vectors[1] * e.vectors[3])).toBeLessThan(1e-15);
    expect(Math.abs(Math.abs(e.vectors[0]) - Math.SQRT1_2)).toBeLessThan(1e-15);
    expect(Math.sign(e.vectors[0])).toBe(-Math.sign(e.vectors[2]));
    const d = symmetricEigen([3, 0, 0, 0, -1, 0, 0, 0, 2], 3);
    expect(Array.from(d.values)).toEqual([-1, 2, 3]);
  });

  it('rejects non-symmetric and malformed input', () => {
    expect(() => symmetricEigen([1, 2, 3, 4], 2)).toThrow(/not symmetric at \(0, 1\)/);
    expect(() => symmetricEigen([1, 2, 3], 2)).toThrow(/n\*n/);
    expect(() => symmetricEigen([1, Number.NaN, Number.NaN, 1], 2)).toThrow(/not finite/);
  });
});

describe('svd (one-sided Jacobi)', () => {
  it('recovers known singular values and reconstructs A, including an exact rank deficiency', () => {
    const m = 9;
    const n = 5;
    const sv = [10, 3, 1, 1e-4, 0];
    const u0 = randomOrthogonal(m, 3);
    const v0 = randomOrthogonal(n, 4);
    const a = new Float64Array(m * n);
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += u0[i * m + k] * sv[k] * v0[j * n + k];
        a[i * n + j] = s;
      }
    const r = svd(a, m, n);
    for (let k = 0; k < 4; k++) expect(Math.abs(r.s[k] - sv[k])).toBeLessThan(1e-13 * 10);
    expect(r.s[4]).toBeLessThan(1e-14);
    expect(orthogonalityError(r.v, n, n)).toBeLessThan(1e-12);
    // Left singular vectors of the non-zero singular values are orthonormal.
    let uerr = 0;
    for (let a2 = 0; a2 < 4; a2++)
      for (let b = 0; b < 4; b++) {
        let d = 0;
        for (let i = 0; i < m; i++) d += r.u[i * n + a2] * r.u[i * n + b];
        uerr = Math.max(uerr, Math.abs(d - (a2 === b ? 1 : 0)));
      }
    expect(uerr).toBeLessThan(1e-10);
    let err = 0;
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += r.u[i * n + k] * r.s[k] * r.v[j * n + k];
        err = Math.max(err, Math.abs(s - a[i * n + j]));
      }
    expect(err).toBeLessThan(1e-13);
    // The null right singular vector is v0's last column (up to sign).
    let dot = 0;
    for (let j = 0; j < n; j++) dot += r.v[j * n + 4] * v0[j * n + 4];
    expect(Math.abs(Math.abs(dot) - 1)).toBeLessThan(1e-10);
  });
});
