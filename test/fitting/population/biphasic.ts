/**
 * A synthetic population for SAEM tests: the biphasic BCR-ABL-like decay y(t) = 100 ((1 - f) e^{-a t} + f e^{-b t})
 * of test/fitting/fit-recovery.test.ts with log-normal individual (a, b, f), measured every 2 months for 4 years
 * with log10-normal noise; values below the detection limit are reported as censored at the limit.
 */
import type { Series } from '../../../src/fitting/data.js';
import type { PopulationModel } from '../../../src/fitting/population/index.js';
import { standardNormal, streamFor } from '../../../src/numerics/random/index.js';

export const TRUTH = { a: 0.9, b: 0.2, f: 2e-3, omega: 0.3, sigma: 0.15, lod: 1e-3 };

export const biphasicModel: PopulationModel = {
  names: ['a', 'b', 'f'],
  predict(_subject, psi, times, out) {
    const a = psi[0];
    const b = psi[1];
    const f = psi[2];
    for (let k = 0; k < times.length; k++)
      out[k] = 100 * ((1 - f) * Math.exp(-a * times[k]) + f * Math.exp(-b * times[k]));
    return true;
  },
};

/** Subjects' data and their true (a, b, f), from the keyed stream (seed, 'test-saem-biphasic', subject). */
export function biphasicPopulation(
  subjects: number,
  seed: number,
  omega: readonly [number, number, number] = [TRUTH.omega, TRUTH.omega, TRUTH.omega],
): { data: Series[]; truth: number[][] } {
  const data: Series[] = [];
  const truth: number[][] = [];
  for (let i = 0; i < subjects; i++) {
    const s = streamFor(seed, ['purpose', 'test-saem-biphasic'], ['subject', i]);
    const a = TRUTH.a * Math.exp(omega[0] * standardNormal(s));
    const b = TRUTH.b * Math.exp(omega[1] * standardNormal(s));
    const f = TRUTH.f * Math.exp(omega[2] * standardNormal(s));
    truth.push([a, b, f]);
    const observations = Array.from({ length: 25 }, (_, j) => {
      const t = 2 * j;
      const y =
        100 * ((1 - f) * Math.exp(-a * t) + f * Math.exp(-b * t)) * 10 ** (TRUTH.sigma * standardNormal(s));
      return y < TRUTH.lod ? { t, value: TRUTH.lod, censored: true } : { t, value: y, censored: false };
    });
    data.push({ id: `s${i}`, observations });
  }
  return { data, truth };
}
