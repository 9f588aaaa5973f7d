/**
 * Coefficients of the variable-step BDF formulas in fixed-leading-coefficient Nordsieck form, and of their
 * local error estimates at orders q - 1, q and q + 1.
 *
 * The formulation is the one of VODE/CVODE: Jackson and Sacks-Davis, "An alternative implementation of
 * variable step-size multistep formulas for stiff ODEs", ACM TOMS 6 (1980) 295-318; Byrne and Hindmarsh,
 * "A polyalgorithm for the numerical solution of ODEs", ACM TOMS 1 (1975) 71-96; Brown, Byrne and Hindmarsh,
 * "VODE: a variable-coefficient ODE solver", SIAM J. Sci. Stat. Comput. 10 (1989) 1038-1051; Cohen and
 * Hindmarsh, "CVODE, a stiff/nonstiff ODE solver in C", Computers in Physics 10 (1996) 138-143; and the
 * SUNDIALS CVODE documentation, chapter "Mathematical Considerations".
 *
 * With the step history tau[1] = h_{n-1}, tau[2] = h_{n-2}, ... and the new step h, the corrector updates the
 * predicted Nordsieck array z_n(0) by z_n = z_n(0) + l * Delta_n, where l[0..q] are the coefficients of the
 * polynomial Lambda(x) = prod_{i=1}^{q-1} (1 + x / xi_i) * (1 + x / xi*_q) (xi_i = (t_n - t_{n-i}) / h),
 * l[0] = 1. The error constants are returned in tq[1..5] (tq[1]: order q - 1 estimate, tq[2]: order q,
 * tq[3]: order q + 1, tq[4]: Newton convergence test constant, tq[5]: for the order-raise estimate).
 */

/** Newton convergence coefficient: the iteration error must be below 0.1 of the local error test level. */
export const NLS_COEF = 0.1;

/**
 * Fill l[0..q] and tq[1..5] for order q, step h, step history tau (1-based, tau[1] = last step), and the number
 * of steps `qwait` still to take before an order change may be considered (tq[1] and tq[3] are needed only
 * when qwait === 1, i.e. on the step after which the order is chosen).
 */
export function setBdfCoefficients(
  q: number,
  h: number,
  tau: Float64Array,
  qwait: number,
  l: Float64Array,
  tq: Float64Array,
): void {
  l[0] = 1;
  l[1] = 1;
  for (let i = 2; i <= q; i++) l[i] = 0;
  let xiInv = 1;
  let xistarInv = 1;
  let alpha0 = -1;
  let alpha0Hat = -1;
  let hsum = h;
  if (q > 1) {
    for (let j = 2; j < q; j++) {
      hsum += tau[j - 1];
      xiInv = h / hsum;
      alpha0 -= 1 / j;
      // multiply the polynomial by (1 + x * xiInv)
      for (let i = j; i >= 1; i--) l[i] += l[i - 1] * xiInv;
    }
    alpha0 -= 1 / q;
    xistarInv = -l[1] - alpha0;
    hsum += tau[q - 1];
    xiInv = h / hsum;
    alpha0Hat = -l[1] - xiInv;
    for (let i = q; i >= 1; i--) l[i] += l[i - 1] * xistarInv;
  }
  // error constants (Jackson and Sacks-Davis 1980; CVODE math documentation, eqs. for C, C', C'')
  const a1 = 1 - alpha0Hat + alpha0;
  const a2 = 1 + q * a1;
  tq[2] = Math.abs(a1 / (alpha0 * a2));
  tq[5] = Math.abs((a2 * xistarInv) / (l[q] * xiInv));
  if (qwait === 1) {
    if (q > 1) {
      const c = xistarInv / l[q];
      const a3 = alpha0 + 1 / q;
      const a4 = alpha0Hat + xiInv;
      const cpInv = (1 - a4 + a3) / a3;
      tq[1] = Math.abs(c * cpInv);
    } else {
      tq[1] = 1;
    }
    hsum += tau[q];
    const xiInvP = h / hsum;
    const a5 = alpha0 - 1 / (q + 1);
    const a6 = alpha0Hat - xiInvP;
    const cppInv = (1 - a6 + a5) / a2;
    tq[3] = Math.abs(cppInv / (xiInvP * (q + 2) * a5));
  }
  tq[4] = NLS_COEF / tq[2];
}

/**
 * Coefficients for raising the order from q to q + 1 (CVODE's order increase for BDF): the new column
 * z[q+1] = a1 * Delta (Delta the last correction, saved), and z[j] += l[j] * z[q+1] for j = 2..q.
 * Writes l[0..q+1]; returns a1. `hscale` is the step size the array is currently scaled with.
 */
export function increaseOrderCoefficients(
  q: number,
  hscale: number,
  tau: Float64Array,
  l: Float64Array,
): number {
  for (let i = 0; i < l.length; i++) l[i] = 0;
  l[2] = 1;
  let alpha1 = 1;
  let prod = 1;
  let xiold = 1;
  let alpha0 = -1;
  let hsum = hscale;
  if (q > 1) {
    for (let j = 1; j < q; j++) {
      hsum += tau[j + 1];
      const xi = hsum / hscale;
      prod *= xi;
      alpha0 -= 1 / (j + 1);
      alpha1 += 1 / xi;
      for (let i = j + 2; i >= 2; i--) l[i] = l[i] * xiold + l[i - 1];
      xiold = xi;
    }
  }
  return (-alpha0 - alpha1) / prod;
}

/**
 * Coefficients for lowering the order from q to q - 1: z[j] -= l[j] * z[q] for j = 2..q-1 (the polynomial
 * is reinterpolated so it stays consistent with the retained history). Writes l[0..q].
 */
export function decreaseOrderCoefficients(
  q: number,
  hscale: number,
  tau: Float64Array,
  l: Float64Array,
): void {
  for (let i = 0; i < l.length; i++) l[i] = 0;
  l[2] = 1;
  let hsum = 0;
  for (let j = 1; j <= q - 2; j++) {
    hsum += tau[j];
    const xi = hsum / hscale;
    for (let i = j + 2; i >= 2; i--) l[i] = l[i] * xi + l[i - 1];
  }
}
