import { describe, expect, it } from 'vitest';
import { setBdfCoefficients } from '../../../../src/numerics/ode/bdf/coefficients.js';
import { evaluate, predict, rescale, restore } from '../../../../src/numerics/ode/bdf/nordsieck.js';

/** Elementary symmetric functions of 1, 1/2, ..., 1/q: coefficients of prod_{i=1}^q (1 + x / i). */
function constantStepL(q: number): number[] {
  let c = [1];
  for (let i = 1; i <= q; i++) {
    const next = new Array<number>(c.length + 1).fill(0);
    for (let k = 0; k < c.length; k++) {
      next[k] += c[k];
      next[k + 1] += c[k] / i;
    }
    c = next;
  }
  return c;
}

describe('BDF coefficients (fixed-leading-coefficient Nordsieck form)', () => {
  it('reduce to the classical constant-step Nordsieck l-vectors (Byrne & Hindmarsh 1975)', () => {
    const tau = new Float64Array(8).fill(0.1);
    const l = new Float64Array(7);
    const tq = new Float64Array(6);
    // published normalised vectors l / l[1] for BDF2..BDF5
    const published: Record<number, number[]> = {
      2: [2 / 3, 1, 1 / 3],
      3: [6 / 11, 1, 6 / 11, 1 / 11],
      4: [12 / 25, 1, 7 / 10, 1 / 5, 1 / 50],
      5: [60 / 137, 1, 225 / 274, 85 / 274, 15 / 274, 1 / 274],
    };
    for (let q = 1; q <= 5; q++) {
      setBdfCoefficients(q, 0.1, tau, 2, l, tq);
      const ref = constantStepL(q);
      for (let j = 0; j <= q; j++) expect(l[j]).toBeCloseTo(ref[j], 14);
      const pub = published[q];
      if (pub) for (let j = 0; j <= q; j++) expect(l[j] / l[1]).toBeCloseTo(pub[j], 14);
    }
  });

  it('give the backward Euler error constant 1/2 at order 1 and decrease with the order at constant step', () => {
    const tau = new Float64Array(8).fill(1);
    const l = new Float64Array(7);
    const tq = new Float64Array(6);
    setBdfCoefficients(1, 1, tau, 2, l, tq);
    expect(tq[2]).toBeCloseTo(0.5, 15);
    let prev = tq[2];
    for (let q = 2; q <= 5; q++) {
      setBdfCoefficients(q, 1, tau, 2, l, tq);
      expect(tq[2]).toBeLessThan(prev);
      expect(tq[4]).toBeCloseTo(0.1 / tq[2], 12);
      prev = tq[2];
    }
  });

  it('at uneven steps, the correction polynomial vanishes at the past q - 1 mesh points (history is kept)', () => {
    // The corrected array is z(0) + Delta * l, i.e. the polynomial changes by Delta * Lambda((t - t_n) / h) with
    // Lambda(x) = sum_j l_j x^j = prod_{i<q} (1 + x / xi_i) * (1 + x / xi*_q), xi_i = (t_n - t_{n-i}) / h
    // (Jackson & Sacks-Davis 1980). So Lambda(0) = 1 and Lambda(-xi_i) = 0 for i = 1..q-1.
    const tau = new Float64Array(8);
    const steps = [0.3, 0.17, 0.41, 0.23, 0.35, 0.29];
    for (let i = 0; i < steps.length; i++) tau[i + 1] = steps[i];
    const h = 0.37;
    const l = new Float64Array(7);
    const tq = new Float64Array(6);
    for (let q = 1; q <= 5; q++) {
      setBdfCoefficients(q, h, tau, 1, l, tq);
      const lambda = (x: number) => {
        let s = 0;
        for (let j = q; j >= 0; j--) s = s * x + l[j];
        return s;
      };
      expect(lambda(0)).toBe(1);
      let dist = h;
      for (let i = 1; i < q; i++) {
        expect(Math.abs(lambda(-dist / h))).toBeLessThan(1e-13);
        dist += tau[i];
      }
      for (let k = 1; k <= 5; k++) expect(Number.isFinite(tq[k]) && tq[k] > 0).toBe(true);
    }
  });
});

describe('Nordsieck array operations', () => {
  it('predict is the Taylor shift and restore undoes it', () => {
    // y = 1 + 2t + 3t^2 + 4t^3 at t = 0 with h = 0.5: z = (1, 2h, 3h^2, 4h^3)
    const h = 0.5;
    const z = Float64Array.from([1, 2 * h, 3 * h * h, 4 * h ** 3]);
    const copy = z.slice();
    predict(z, 1, 3);
    const yAt = (t: number) => 1 + 2 * t + 3 * t * t + 4 * t ** 3;
    expect(z[0]).toBeCloseTo(yAt(h), 14);
    expect(z[1]).toBeCloseTo(h * (2 + 6 * h + 12 * h * h), 14);
    restore(z, 1, 3);
    for (let i = 0; i < 4; i++) expect(z[i]).toBeCloseTo(copy[i], 14);
  });

  it('rescale changes the step the array is scaled with and evaluate is Horner in s = (t - t_n) / h', () => {
    const h = 0.5;
    const z = Float64Array.from([1, 2 * h, 3 * h * h, 4 * h ** 3]);
    const yAt = (t: number) => 1 + 2 * t + 3 * t * t + 4 * t ** 3;
    const out = new Float64Array(1);
    evaluate(z, 1, 3, -0.4, out);
    expect(out[0]).toBeCloseTo(yAt(-0.2), 14);
    rescale(z, 1, 3, 0.2); // now scaled with h = 0.1
    evaluate(z, 1, 3, -2, out);
    expect(out[0]).toBeCloseTo(yAt(-0.2), 14);
  });
});
