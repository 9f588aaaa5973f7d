/**
 * Banded LU factorisation with partial pivoting, in the storage scheme of LAPACK's dgbtrf / dgbtrs
 * (Anderson et al., LAPACK Users' Guide, 3rd ed., sec. 5.3.2 "Band storage"; Golub & Van Loan, Matrix
 * Computations, 4th ed., sec. 4.3.5). Row interchanges let U grow to kl + ku superdiagonals, so the band
 * array keeps kl extra rows for that fill.
 *
 * Storage: column j occupies `ab[j * ldab .. j * ldab + ldab - 1]`, with ldab = 2 * kl + ku + 1, and the
 * entry A(i, j) (for max(0, j - ku) <= i <= min(n - 1, j + kl)) lives at `ab[j * ldab + kl + ku + i - j]`.
 * After `factor`, U occupies band rows 0 .. kl + ku and the multipliers of L rows kl + ku + 1 .. ldab - 1.
 * Work is O(n * kl * (kl + ku)) per factorisation and O(n * (2 kl + ku)) per solve; nothing is allocated
 * after construction.
 */
export interface BandedLu {
  readonly n: number;
  /** Number of subdiagonals (kl). */
  readonly lower: number;
  /** Number of superdiagonals (ku) of the matrix before factorisation. */
  readonly upper: number;
  /** Rows of band storage: 2 * kl + ku + 1. */
  readonly ldab: number;
  /** Column-major band storage, length ldab * n (see the module comment for the layout). */
  readonly ab: Float64Array;
  readonly pivots: Int32Array;
  /** Index into `ab` of A(i, j); only valid inside the band (including the fill rows). */
  index(i: number, j: number): number;
  /** Zero the whole band array (fill rows included); call before writing a new matrix entry by entry. */
  clear(): void;
  /**
   * Load the band of a dense row-major n*n matrix as `alpha * I - scale * A` (entries outside the band are
   * ignored: the caller guarantees they are zero). With alpha = 0, scale = -1 this copies A itself.
   */
  loadFromDense(a: Float64Array, alpha: number, scale: number): void;
  /** Factor `ab` in place. Returns false if a pivot is exactly zero or NaN (singular matrix). */
  factor(): boolean;
  /** Solve A x = b in place (b becomes x), using the last factorisation. */
  solve(b: Float64Array): void;
}

export function createBandedLu(n: number, lower: number, upper: number): BandedLu {
  const kl = Math.max(0, Math.min(lower | 0, n - 1));
  const ku = Math.max(0, Math.min(upper | 0, n - 1));
  const kv = kl + ku; // row of the diagonal in band storage; U has kv superdiagonals after pivoting
  const ldab = 2 * kl + ku + 1;
  const ab = new Float64Array(ldab * n);
  const pivots = new Int32Array(n);

  return {
    n,
    lower: kl,
    upper: ku,
    ldab,
    ab,
    pivots,
    index(i: number, j: number): number {
      return j * ldab + kv + i - j;
    },
    clear(): void {
      ab.fill(0);
    },
    loadFromDense(a: Float64Array, alpha: number, scale: number): void {
      ab.fill(0);
      for (let j = 0; j < n; j++) {
        const i0 = Math.max(j - ku, 0);
        const i1 = Math.min(j + kl, n - 1);
        const col = j * ldab + kv - j;
        for (let i = i0; i <= i1; i++) ab[col + i] = -scale * a[i * n + j];
        ab[col + j] += alpha;
      }
    },
    factor(): boolean {
      // ju: last column touched by the row interchanges so far (U's actual upper extent).
      let ju = 0;
      for (let j = 0; j < n; j++) {
        const cj = j * ldab + kv; // index of A(j, j)
        const km = Math.min(kl, n - 1 - j);
        let jp = 0;
        let max = Math.abs(ab[cj]);
        for (let r = 1; r <= km; r++) {
          const v = Math.abs(ab[cj + r]);
          if (v > max) {
            max = v;
            jp = r;
          }
        }
        pivots[j] = j + jp;
        if (max === 0 || Number.isNaN(max)) return false;
        const reach = Math.min(j + ku + jp, n - 1);
        if (reach > ju) ju = reach;
        if (jp !== 0) {
          // Swap rows j and j + jp over columns j .. ju. In column c, row i sits at c * ldab + kv + i - c.
          for (let c = j; c <= ju; c++) {
            const base = c * ldab + kv - c;
            const p = base + j;
            const q = base + j + jp;
            const tmp = ab[p];
            ab[p] = ab[q];
            ab[q] = tmp;
          }
        }
        if (km > 0) {
          const inv = 1 / ab[cj];
          for (let r = 1; r <= km; r++) ab[cj + r] *= inv;
          for (let c = j + 1; c <= ju; c++) {
            const base = c * ldab + kv - c;
            const u = ab[base + j];
            if (u !== 0) for (let r = 1; r <= km; r++) ab[base + j + r] -= ab[cj + r] * u;
          }
        }
      }
      return true;
    },
    solve(b: Float64Array): void {
      // L y = P b, column by column with the interchanges applied as they were made.
      for (let j = 0; j < n - 1; j++) {
        const lm = Math.min(kl, n - 1 - j);
        const p = pivots[j];
        if (p !== j) {
          const tmp = b[j];
          b[j] = b[p];
          b[p] = tmp;
        }
        const bj = b[j];
        if (bj !== 0) {
          const cj = j * ldab + kv;
          for (let r = 1; r <= lm; r++) b[j + r] -= ab[cj + r] * bj;
        }
      }
      // U x = y; U has kv superdiagonals.
      for (let j = n - 1; j >= 0; j--) {
        const cj = j * ldab + kv;
        const xj = b[j] / ab[cj];
        b[j] = xj;
        if (xj !== 0) {
          const i0 = Math.max(j - kv, 0);
          const base = cj - j;
          for (let i = i0; i < j; i++) b[i] -= ab[base + i] * xj;
        }
      }
    },
  };
}
