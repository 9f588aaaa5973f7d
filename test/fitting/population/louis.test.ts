import { describe, expect, it } from 'vitest';
import { gaussianDerivatives } from '../../../src/fitting/population/louis.js';
import {
  cholesky,
  forwardSolveNorm2,
  invertSpd,
  logDetFromCholesky,
} from '../../../src/fitting/population/small-linalg.js';

const q = 3;
const phi = [0.3, -1.2, 2.0];
const mu0 = [0.1, -0.9, 1.5];
const omega0 = [0.5, 0.1, -0.05, 0.1, 0.3, 0.08, -0.05, 0.08, 0.4];

/** log N(phi; mu, Omega) from theta = (mu, Omega elements (a, b) for the given pairs). */
function logDensity(theta: number[], pairs: [number, number][]): number {
  const mu = theta.slice(0, q);
  const om = [...omega0];
  pairs.forEach(([a, b], x) => {
    om[a * q + b] = theta[q + x];
    om[b * q + a] = theta[q + x];
  });
  const l = new Float64Array(q * q);
  if (!cholesky(om, q, l)) throw new Error('not SPD');
  const r = Float64Array.from(phi, (v, j) => v - mu[j]);
  return -0.5 * (q * Math.log(2 * Math.PI) + logDetFromCholesky(l, q) + forwardSolveNorm2(l, q, r));
}

describe('Louis derivatives of the Gaussian population density', () => {
  for (const full of [true, false]) {
    it(`gradient and Hessian match central differences (${full ? 'full' : 'diagonal'} Omega)`, () => {
      const pairs: [number, number][] = [];
      for (let a = 0; a < q; a++)
        if (full) for (let b = a; b < q; b++) pairs.push([a, b]);
        else pairs.push([a, a]);
      const theta = [...mu0, ...pairs.map(([a, b]) => omega0[a * q + b])];
      const P = theta.length;
      const grad = new Float64Array(P);
      const hess = new Float64Array(P * P);
      const inv = invertSpd(omega0, q)!;
      gaussianDerivatives(
        Float64Array.from(phi, (v, j) => v - mu0[j]),
        inv,
        q,
        Int32Array.from(pairs, (x) => x[0]),
        Int32Array.from(pairs, (x) => x[1]),
        grad,
        hess,
        P,
        new Float64Array(q),
      );
      const h = 1e-4;
      const f = (d: number[]) =>
        logDensity(
          theta.map((v, k) => v + d[k] * h),
          pairs,
        );
      const unit = (k: number, s: number) => theta.map((_, j) => (j === k ? s : 0));
      for (let a = 0; a < P; a++) {
        const g = (f(unit(a, 1)) - f(unit(a, -1))) / (2 * h);
        expect(Math.abs(grad[a] - g)).toBeLessThan(1e-6 * (1 + Math.abs(g)));
        for (let b = 0; b < P; b++) {
          const e = (sa: number, sb: number) => theta.map((_, j) => (j === a ? sa : 0) + (j === b ? sb : 0));
          const hh = (f(e(1, 1)) - f(e(1, -1)) - f(e(-1, 1)) + f(e(-1, -1))) / (4 * h * h);
          expect(Math.abs(hess[a * P + b] - hh)).toBeLessThan(1e-4 * (1 + Math.abs(hh)));
        }
      }
    });
  }
});
