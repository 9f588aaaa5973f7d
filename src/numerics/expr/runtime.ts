/**
 * Numerical helpers shared by the reference evaluator and the generated code, so both give bit-identical
 * results for the operators whose meaning needs more than one JavaScript expression.
 */

/**
 * The value of the SBML csymbol avogadro: 6.02214179e23, the CODATA 2006 value that SBML Level 3 fixes for
 * every Level 3 model (L3V1/L3V2 section 3.4.6; the SBML Test Suite checks it, cases 00960, 00961, 01323).
 * Deliberately not the SI 2019 exact value 6.02214076e23: an SBML model must mean the same number in every
 * tool, whatever year it is simulated.
 */
export const AVOGADRO = 6.02214179e23;

/**
 * Lanczos approximation of Gamma (g = 7, n = 9), C. Lanczos, SIAM J. Numer. Anal. B 1 (1964) 86-96;
 * coefficients as tabulated by P. Godfrey. Relative error about 1e-15 for real arguments; the reflection
 * formula Gamma(x) Gamma(1 - x) = pi / sin(pi x) covers x < 0.5.
 */
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

export function gamma(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 0.5) {
    if (Number.isInteger(x)) return NaN; // poles at 0, -1, -2, ...
    return Math.PI / (Math.sin(Math.PI * x) * gamma(1 - x));
  }
  if (x > 171.7) return Infinity;
  const z = x - 1;
  let a = LANCZOS[0];
  const tt = z + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i] / (z + i);
  return Math.sqrt(2 * Math.PI) * tt ** (z + 0.5) * Math.exp(-tt) * a;
}

/** Exact n! for n = 0..170 (products of doubles; exact up to 22!, correctly rounded steps beyond). */
const FACTORIALS: Float64Array = (() => {
  const f = new Float64Array(171);
  f[0] = 1;
  for (let i = 1; i <= 170; i++) f[i] = f[i - 1] * i;
  return f;
})();

/**
 * factorial(x): the product table for integers 0..170, Infinity for larger integers, NaN for negative
 * integers, and Gamma(x + 1) (Lanczos) for non-integers, which is the analytic continuation MathML
 * leaves open.
 */
export function factorial(x: number): number {
  if (Number.isInteger(x)) {
    if (x < 0) return NaN;
    return x <= 170 ? FACTORIALS[x] : Infinity;
  }
  return gamma(x + 1);
}

/**
 * root(n, x): the real n-th root. For odd integer degrees a negative radicand gives the negative real root
 * (root(3, -8) = -2), as mathematicians read MathML `root`; otherwise x^(1/n) (NaN for x < 0).
 */
export function root(n: number, x: number): number {
  if (n === 2) return Math.sqrt(x);
  if (n === 3) return Math.cbrt(x);
  if (x < 0 && Number.isInteger(n) && Math.abs(n % 2) === 1) return -((-x) ** (1 / n));
  return x ** (1 / n);
}

/** log(b, x) = ln x / ln b, with the exact library functions for bases 10 and 2. */
export function logBase(b: number, x: number): number {
  if (b === 10) return Math.log10(x);
  if (b === 2) return Math.log2(x);
  return Math.log(x) / Math.log(b);
}
