/**
 * SAEM options beyond the basic recovery: parameters without random effect, the logit transform, determinism of
 * the keyed streams, and input errors (data from test/fitting/population/biphasic.ts).
 */
import { describe, expect, it } from 'vitest';
import { cohortDistribution, SaemError, saem } from '../../../src/fitting/population/index.js';
import { biphasicModel, biphasicPopulation, TRUTH } from './biphasic.js';

const base = {
  initial: [0.5, 0.05, 1e-2],
  omega: [1, 1, 1],
  sigma: 0.5,
  burnIn: 200,
  averaging: 100,
  chains: 4,
};

describe('parameters without random effect', () => {
  it('a fixed-only f is estimated by its Nelder-Mead M-step (within 10 %) and reported with zero variance', () => {
    const { data } = biphasicPopulation(30, 99, [0.3, 0.3, 0]);
    const r = saem(biphasicModel, data, {
      ...base,
      burnIn: 100,
      averaging: 50,
      chains: 2,
      seed: 3,
      randomEffects: [true, true, false],
      omega: [1, 1, 0.5],
      modes: false,
    });
    expect(Math.abs(r.mu[2] / TRUTH.f - 1)).toBeLessThan(0.1);
    expect(Math.abs(r.mu[1] / TRUTH.b - 1)).toBeLessThan(0.1);
    expect(r.omegaSd[2]).toBe(0);
    expect(Number.isNaN(r.standardErrors!.mu[2])).toBe(true);
    expect(r.standardErrors!.labels).toEqual(['mu_a', 'mu_b', 'omega2_a', 'omega2_b', 'sigma2']);
  });
});

describe('determinism and input checks', () => {
  const { data } = biphasicPopulation(12, 5);
  const opts = { ...base, burnIn: 30, averaging: 20, chains: 2, importanceSamples: 50 };

  it('the same seed gives identical bits; another seed gives different draws', () => {
    const seen: number[] = [];
    const r1 = saem(biphasicModel, data, { ...opts, seed: 42, onIteration: (it) => seen.push(it.iteration) });
    const r2 = saem(biphasicModel, data, { ...opts, seed: 42 });
    const r3 = saem(biphasicModel, data, { ...opts, seed: 43 });
    expect(seen).toEqual(Array.from({ length: 50 }, (_, k) => k + 1));
    expect(Buffer.from(r1.trajectory.mu.buffer).equals(Buffer.from(r2.trajectory.mu.buffer))).toBe(true);
    expect(Buffer.from(r1.omega.buffer).equals(Buffer.from(r2.omega.buffer))).toBe(true);
    expect(Object.is(r1.likelihood!.minus2LogLikelihood, r2.likelihood!.minus2LogLikelihood)).toBe(true);
    expect(r1.subjects.map((s) => [...s.meanPhi])).toEqual(r2.subjects.map((s) => [...s.meanPhi]));
    expect(r3.mu[0]).not.toBe(r1.mu[0]);
  });

  it('bad input gets a clear error', () => {
    expect(() => saem(biphasicModel, data, { ...opts, seed: 1, initial: [0.5, -1, 1e-3] })).toThrow(
      /option 'initial' entry 1 \(b\): expected a positive number, got -1/,
    );
    expect(() => saem(biphasicModel, data, { ...opts, seed: 1, initial: [0.5, 0.1] })).toThrow(
      /expected 3 entries/,
    );
    expect(() => saem(biphasicModel, [{ id: 'x', observations: [] }], { ...opts, seed: 1 })).toThrow(
      /series 'x'.*expected observations/,
    );
    const failing = { names: ['a', 'b', 'f'], predict: () => false };
    expect(() => saem(failing, data, { ...opts, seed: 1 })).toThrow(SaemError);
    const logit = saem(biphasicModel, data, {
      ...opts,
      seed: 1,
      transforms: ['log', 'log', 'logit'],
      standardErrors: false,
      importanceSamples: 0,
    });
    expect(() => cohortDistribution(logit)).toThrow(/'f' uses the 'logit' transform/);
  });
});
