/**
 * Dense LU factorisation with partial pivoting, in place on a row-major Float64Array.
 * Allocation-free after construction: implicit solvers factor (I/(gamma h) - J) once per step or less
 * and back-substitute many times.
 */
export interface DenseLu {
  readonly n: number;
  /** Row-major n*n storage: the matrix before `factor`, its L\U factors after. */
  readonly a: Float64Array;
  readonly pivots: Int32Array;
  /** Factor `a` in place. Returns false if a pivot is exactly zero (singular matrix). */
  factor(): boolean;
  /** Solve A x = b in place (b becomes x), using the last factorisation. */
  solve(b: Float64Array): void;
}

export function createDenseLu(n: number): DenseLu {
  const a = new Float64Array(n * n);
  const pivots = new Int32Array(n);
  return {
    n,
    a,
    pivots,
    factor(): boolean {
      for (let k = 0; k < n; k++) {
        let p = k;
        let max = Math.abs(a[k * n + k]);
        for (let i = k + 1; i < n; i++) {
          const v = Math.abs(a[i * n + k]);
          if (v > max) {
            max = v;
            p = i;
          }
        }
        pivots[k] = p;
        if (max === 0 || Number.isNaN(max)) return false;
        if (p !== k) {
          const rk = k * n;
          const rp = p * n;
          for (let j = 0; j < n; j++) {
            const tmp = a[rk + j];
            a[rk + j] = a[rp + j];
            a[rp + j] = tmp;
          }
        }
        const rk = k * n;
        const inv = 1 / a[rk + k];
        for (let i = k + 1; i < n; i++) {
          const ri = i * n;
          const lik = a[ri + k] * inv;
          a[ri + k] = lik;
          if (lik !== 0) for (let j = k + 1; j < n; j++) a[ri + j] -= lik * a[rk + j];
        }
      }
      return true;
    },
    solve(b: Float64Array): void {
      for (let k = 0; k < n; k++) {
        const p = pivots[k];
        if (p !== k) {
          const tmp = b[k];
          b[k] = b[p];
          b[p] = tmp;
        }
      }
      for (let i = 1; i < n; i++) {
        const ri = i * n;
        let s = b[i];
        for (let j = 0; j < i; j++) s -= a[ri + j] * b[j];
        b[i] = s;
      }
      for (let i = n - 1; i >= 0; i--) {
        const ri = i * n;
        let s = b[i];
        for (let j = i + 1; j < n; j++) s -= a[ri + j] * b[j];
        b[i] = s / a[ri + i];
      }
    },
  };
}
