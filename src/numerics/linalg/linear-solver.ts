/**
 * The linear-algebra back end of the implicit ODE methods: factor M = alpha * I - J (J the dense row-major
 * Jacobian, alpha = 1 / (h * gamma)) and solve with it many times. Dense LU by default; banded LU when the
 * problem declares a band that is narrow relative to n, where it costs O(n * kl * (kl + ku)) instead of
 * O(n^3 / 3).
 */
import type { Bandwidth } from '../ode/problem.js';
import { type BandedLu, createBandedLu } from './banded-lu.js';
import { createDenseLu, type DenseLu } from './dense-lu.js';

export interface ShiftedLinearSolver {
  readonly n: number;
  readonly kind: 'dense' | 'banded';
  /** Form alpha * I - J from the dense row-major J (length n*n) and factor it. False if singular. */
  factorShifted(alpha: number, J: Float64Array): boolean;
  /** Solve (alpha * I - J) x = b in place with the last factorisation. */
  solve(b: Float64Array): void;
}

/**
 * Banded storage pays off once its row count 2 * kl + ku + 1 is well below n (the dense factorisation is
 * cheap and cache-friendly for small n, so small systems stay dense).
 */
export function preferBanded(n: number, bandwidth: Bandwidth | undefined): boolean {
  if (bandwidth === undefined || n < 16) return false;
  const kl = Math.max(0, bandwidth.lower);
  const ku = Math.max(0, bandwidth.upper);
  return 2 * (2 * kl + ku + 1) <= n;
}

export function createShiftedLinearSolver(n: number, bandwidth?: Bandwidth): ShiftedLinearSolver {
  if (bandwidth !== undefined && preferBanded(n, bandwidth)) {
    const lu: BandedLu = createBandedLu(n, bandwidth.lower, bandwidth.upper);
    return {
      n,
      kind: 'banded',
      factorShifted(alpha: number, J: Float64Array): boolean {
        lu.loadFromDense(J, alpha, 1);
        return lu.factor();
      },
      solve(b: Float64Array): void {
        lu.solve(b);
      },
    };
  }
  const lu: DenseLu = createDenseLu(n);
  const a = lu.a;
  return {
    n,
    kind: 'dense',
    factorShifted(alpha: number, J: Float64Array): boolean {
      const nn = n * n;
      for (let i = 0; i < nn; i++) a[i] = -J[i];
      for (let i = 0; i < nn; i += n + 1) a[i] += alpha;
      return lu.factor();
    },
    solve(b: Float64Array): void {
      lu.solve(b);
    },
  };
}
