/**
 * fitPopulation (the --population path): SAEM over subjects whose set-ups differ in a fixed parameter (each its
 * own Y_init, as reference-model patients differ in their fixed values). Data from a known log-normal population
 * of the decay rate; the estimates must recover it within their standard errors, and fitting with one shared
 * Y_init instead must not (so the per-subject set-ups matter and the test can fail).
 */
import { describe, expect, it } from 'vitest';
import type { Series } from '../../src/fitting/data.js';
import { ModelFitError, type ModelFitSetup } from '../../src/fitting/model-fit.js';
import { fitPopulation } from '../../src/fitting/model-fit-population.js';
import { standardNormal, streamFor } from '../../src/numerics/random/index.js';
import { decayCompiled } from './model-fit-fixture.js';

const model = decayCompiled();
const TRUE = { k: 0.4, omega: 0.3, sigma: 0.1 };
const TIMES = [0.5, 1, 2, 4, 6];
const N = 10;
const y0 = (i: number) => 100 * 4 ** i; // 100 .. 2.6e7: very different fixed starting values
const rng = streamFor(7, ['purpose', 'test-model-fit-population']);
const series: Series[] = [];
for (let i = 0; i < N; i++) {
  const k = TRUE.k * Math.exp(TRUE.omega * standardNormal(rng));
  series.push({
    id: `s${i}`,
    observations: TIMES.map((t) => ({
      t,
      value: y0(i) * Math.exp(-k * t) * 10 ** (TRUE.sigma * standardNormal(rng)),
      censored: false,
    })),
  });
}
const spec = { name: 'e_tki', lo: 0.01, hi: 5, scale: 'log' as const };
const setupFor = (i: number): ModelFitSetup => ({
  model,
  observable: 'Y',
  parameters: [spec],
  fixed: { Y_init: y0(i) },
});
const options = { seed: 3, burnIn: 80, averaging: 40, chains: 2 };

describe('fitPopulation with per-subject set-ups', () => {
  const { result } = fitPopulation(
    series.map((_, i) => setupFor(i)),
    series,
    options,
  );
  it('recovers the population median, omega and sigma within 3 standard errors', () => {
    const p = result.parameters[0];
    expect(p.name).toBe('e_tki');
    expect(p.transform).toBe('log');
    expect(Math.abs(p.value - TRUE.k)).toBeLessThan(3 * p.se);
    expect(Math.abs(p.omega - TRUE.omega)).toBeLessThan(3 * p.omegaSe);
    expect(Math.abs(result.sigma.value - TRUE.sigma)).toBeLessThan(3 * result.sigma.se);
    expect(result.sigma.estimated).toBe(true);
  });
  it('has trajectories over every iteration, per-subject estimates and the coreFit of e_tki', () => {
    expect(result.trajectory.sigma).toHaveLength(120);
    expect(result.trajectory.mu.e_tki).toHaveLength(120);
    expect(result.trajectory.mu.e_tki[119]).toBeCloseTo(result.parameters[0].value, 12);
    expect(result.subjects).toHaveLength(N);
    expect(result.subjects.map((s) => s.id)).toEqual(series.map((s) => s.id));
    expect(result.coreFit?.names).toEqual(['e_tki']);
    expect(result.coreFit?.mean[0]).toBeCloseTo(Math.log(result.parameters[0].value), 12);
    expect(result.coreFit?.cov[0][0]).toBeCloseTo(result.parameters[0].omega ** 2, 12);
  });
  it('is far off with one shared Y_init (the per-subject fixed values matter)', () => {
    const shared = fitPopulation(
      series.map(() => setupFor(3)),
      series,
      options,
    ).result;
    expect(shared.sigma.value).toBeGreaterThan(3 * result.sigma.value);
  });
});

describe('fitPopulation: errors', () => {
  it('needs two subjects and one set-up per subject with the same parameters', () => {
    expect(() => fitPopulation([setupFor(0)], [series[0]], options)).toThrow(/at least 2 subjects/);
    expect(() => fitPopulation([setupFor(0)], series.slice(0, 2), options)).toThrow(ModelFitError);
    const other = { ...setupFor(1), parameters: [{ ...spec, name: 'Y_init' }], fixed: {} };
    expect(() => fitPopulation([setupFor(0), other], series.slice(0, 2), options)).toThrow(/fits Y_init/);
  });
});
