import { describe, expect, it } from 'vitest';
import {
  factorTridiagonal,
  sweepContiguous,
  sweepStrided,
  sweepTerms,
} from '../../../src/numerics/fields/thomas.js';
import { uniform } from '../../../src/numerics/random/samplers/continuous.js';
import { createStreamFactory } from '../../../src/numerics/random/stream.js';

const root = createStreamFactory(20261127).child({ purpose: 'test-fields-thomas' });

/** y = A x for the backward-Euler diffusion matrix of thomas.ts (diagonal 1 + face terms, off-diagonals -r). */
function applyMatrix(x: Float64Array, r: number, dLo: boolean, dHi: boolean): Float64Array {
  const n = x.length;
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const b = 1 + (i > 0 ? r : dLo ? 2 * r : 0) + (i < n - 1 ? r : dHi ? 2 * r : 0);
    let s = b * x[i];
    if (i > 0) s -= r * x[i - 1];
    if (i < n - 1) s -= r * x[i + 1];
    y[i] = s;
  }
  return y;
}

describe('Thomas algorithm', () => {
  const cases: [number, number, boolean, boolean][] = [
    [1, 0.3, false, false],
    [1, 5, true, true],
    [2, 1, true, false],
    [7, 0.01, false, true],
    [50, 1e4, true, true],
    [50, 2.5, false, false],
  ];
  it.each(cases)(
    'n=%i r=%f dirichlet=(%s, %s): residual of A x = scale d + q below 1e-13 relative',
    (n, r, dLo, dHi) => {
      const s = root.stream({ case: `${n}-${r}-${dLo}-${dHi}` });
      const f = factorTridiagonal(n, r, dLo, dHi);
      const lines = 3;
      const d = new Float64Array(n * lines);
      for (let i = 0; i < d.length; i++) d[i] = uniform(s, -1, 2);
      const x = d.slice();
      const scale = 0.9;
      const gLo = 1.7;
      const gHi = -0.4;
      const qLo = dLo ? 2 * r * gLo : 0;
      const qHi = dHi ? 2 * r * gHi : 0;
      sweepContiguous(x, 0, lines, f, sweepTerms(qLo, qHi, scale));
      for (let l = 0; l < lines; l++) {
        const xl = x.subarray(l * n, (l + 1) * n);
        const ax = applyMatrix(xl, r, dLo, dHi);
        for (let i = 0; i < n; i++) {
          let rhs = scale * d[l * n + i];
          if (i === 0) rhs += qLo;
          if (i === n - 1) rhs += qHi;
          expect(Math.abs(ax[i] - rhs)).toBeLessThanOrEqual(1e-13 * (1 + r) * (1 + Math.abs(rhs)));
        }
      }
      // The strided solver gives the same bits on the transposed layout (scale 1).
      const y = d.slice();
      sweepContiguous(y, 0, lines, f, sweepTerms(qLo, qHi));
      const t = new Float64Array(n * lines);
      for (let l = 0; l < lines; l++) for (let i = 0; i < n; i++) t[i * lines + l] = d[l * n + i];
      sweepStrided(t, 0, lines, lines, f, sweepTerms(qLo, qHi));
      for (let l = 0; l < lines; l++) {
        for (let i = 0; i < n; i++) expect(t[i * lines + l]).toBe(y[l * n + i]);
      }
    },
  );

  it('conserves the sum with zero-flux ends and keeps positive data positive, for any r', () => {
    for (const r of [1e-3, 1, 1e3, 1e9]) {
      const n = 40;
      const f = factorTridiagonal(n, r, false, false);
      const x = new Float64Array(n);
      x[3] = 1;
      x[n - 1] = 2;
      sweepContiguous(x, 0, 1, f, sweepTerms(0, 0));
      let sum = 0;
      for (const v of x) {
        expect(v).toBeGreaterThan(0);
        sum += v;
      }
      expect(Math.abs(sum - 3)).toBeLessThan(1e-13);
    }
  });
});
