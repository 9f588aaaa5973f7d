/**
 * populationFit on a synthetic population of a first-order decay model written as .exm text,
 * Y(t) = Y_init e^{-e_tki t}, with log-normal e_tki and Y_init (omega 0.3 each), log10-normal noise and values
 * below a detection limit reported as censored. Checks: (1) the ODE-backed fit equals SAEM run with the same
 * seed on the closed-form solution (the structural model is wired correctly: subject order, time mapping, fixed
 * parameters, censoring); (2) the truth is recovered within 3 Louis standard errors; (3) the coreFit block is
 * valid scenario YAML whose cohort draws (src/cohort/population.ts) follow the fitted law.
 */
import { describe, expect, it } from 'vitest';
import { drawPatient, preparePopulation } from '../../src/cohort/population.js';
import type { Series } from '../../src/fitting/data.js';
import { ModelFitError, type ModelFitSetup } from '../../src/fitting/model-fit.js';
import {
  coreFitOf,
  coreFitYaml,
  populationFit,
  populationModel,
} from '../../src/fitting/model-population.js';
import { type PopulationModel, saem } from '../../src/fitting/population/index.js';
import { loadKnowledgeBase } from '../../src/knowledge/load.js';
import { compileModel } from '../../src/models/compile/compile.js';
import { parseModel } from '../../src/models/text/index.js';
import { standardNormal, streamFor } from '../../src/numerics/random/index.js';
import { DEFAULT_SCENARIO } from '../../src/scenario/default.js';
import { parseScenario } from '../../src/scenario/load.js';

const DECAY = `model decay
  compartment c = 1
  substanceOnly species Y in c
  Y_init = 1
  Y = Y_init
  e_tki = 1
  kill: Y => ; e_tki*Y
end`;

const model = compileModel(parseModel(DECAY, 'decay.exm'));
const N = 20;
const TRUE = { k: 0.25, y0: 1e4, omega: 0.3, sigma: 0.15 };
const LIMIT = 20;
/** Data times in weeks; the model runs in months (timeScale 12/52), so the time mapping is exercised. */
const WEEKS = [0, 4, 8, 13, 26, 39, 52, 78, 104];
const TS = 12 / 52;

function population(seed: number): { data: Series[]; k: number[]; y0: number[] } {
  const data: Series[] = [];
  const k: number[] = [];
  const y0: number[] = [];
  for (let i = 0; i < N; i++) {
    const s = streamFor(seed, ['purpose', 'test-model-population'], ['subject', i]);
    const ki = TRUE.k * Math.exp(TRUE.omega * standardNormal(s));
    const yi = TRUE.y0 * Math.exp(TRUE.omega * standardNormal(s));
    k.push(ki);
    y0.push(yi);
    data.push({
      id: `s${i + 1}`,
      observations: WEEKS.map((w) => {
        const v = yi * Math.exp(-ki * TS * w) * 10 ** (TRUE.sigma * standardNormal(s));
        return v < LIMIT ? { t: w, value: LIMIT, censored: true } : { t: w, value: v, censored: false };
      }),
    });
  }
  return { data, k, y0 };
}

const { data, k: trueK } = population(2026);
const setup: ModelFitSetup = {
  model,
  observable: 'Y',
  timeScale: TS,
  ode: { method: 'Tsit5' }, // non-stiff: skips the auto method's Rosenbrock set-up per solve
  parameters: [
    { name: 'e_tki', lo: 0.01, hi: 5, scale: 'log', initial: 0.1 },
    { name: 'Y_init', lo: 10, hi: 1e6, scale: 'log', initial: 3000 },
  ],
};
const OPTIONS = { seed: 9, burnIn: 100, averaging: 60, chains: 1, omega: 1, sigmaInitial: 0.5 } as const;

/** The same structural model in closed form (data time in weeks). */
const closedForm: PopulationModel = {
  names: ['e_tki', 'Y_init'],
  predict(_i, psi, times, out) {
    for (let j = 0; j < times.length; j++) out[j] = psi[1] * Math.exp(-psi[0] * TS * times[j]);
    return true;
  },
};

describe('populationFit: SAEM over an ODE model, synthetic log-normal population with censoring', () => {
  const r = populationFit(setup, data, OPTIONS);

  it('the data have censored points (test self-check)', () => {
    const cens = data.reduce((a, s) => a + s.observations.filter((o) => o.censored).length, 0);
    expect(cens).toBeGreaterThan(10);
    expect(cens).toBeLessThan(0.4 * N * WEEKS.length);
  });

  it('equals SAEM on the closed-form solution with the same seed (ODE error only)', () => {
    const ref = saem(closedForm, data, {
      ...OPTIONS,
      initial: [0.1, 3000],
      transforms: ['log', 'log'],
      estimateSigma: true,
      sigma: 0.5,
      omega: [1, 1],
    });
    for (let j = 0; j < 2; j++) {
      expect(Math.abs(r.muPhi[j] - ref.muPhi[j])).toBeLessThan(1e-5);
      expect(Math.abs(r.omegaSd[j] / ref.omegaSd[j] - 1)).toBeLessThan(1e-4);
    }
    expect(Math.abs(r.sigma / ref.sigma - 1)).toBeLessThan(1e-4);
    expect(r.solves).toBeGreaterThan(N * (OPTIONS.burnIn + OPTIONS.averaging));
  });

  it('recovers the population values within 3 Louis standard errors', () => {
    const se = r.standardErrors;
    expect(se?.covariance).toBeDefined();
    if (!se) return;
    const truthPhi = [Math.log(TRUE.k), Math.log(TRUE.y0)];
    for (let j = 0; j < 2; j++) {
      expect(Math.abs(r.muPhi[j] - truthPhi[j])).toBeLessThan(3 * se.mu[j]);
      expect(Math.abs(r.omegaSd[j] - TRUE.omega)).toBeLessThan(3 * se.omega[j]);
      // The SEs themselves are of the size 20 subjects give: omega / sqrt(N) for mu.
      expect(se.mu[j]).toBeGreaterThan(0.3 * (TRUE.omega / Math.sqrt(N)));
      expect(se.mu[j]).toBeLessThan(3 * (TRUE.omega / Math.sqrt(N)));
    }
    expect(Math.abs(r.sigma - TRUE.sigma)).toBeLessThan(3 * se.sigma);
  });

  it('individual conditional means track the true rates (correlation of logs > 0.8)', () => {
    const a = r.subjects.map((s) => Math.log(s.meanPsi[0]));
    const b = trueK.map(Math.log);
    const ma = a.reduce((x, y) => x + y, 0) / N;
    const mb = b.reduce((x, y) => x + y, 0) / N;
    let sab = 0;
    let saa = 0;
    let sbb = 0;
    for (let i = 0; i < N; i++) {
      sab += (a[i] - ma) * (b[i] - mb);
      saa += (a[i] - ma) ** 2;
      sbb += (b[i] - mb) ** 2;
    }
    expect(sab / Math.sqrt(saa * sbb)).toBeGreaterThan(0.8);
    expect(r.subjects.map((s) => s.id)).toEqual(data.map((s) => s.id));
  });

  it('coreFit is the log-scale population law of the core parameters; its YAML drives a cohort', () => {
    const cf = r.coreFit;
    expect(cf).toBeDefined();
    if (!cf) return;
    expect(r.coreFitNote).toBeUndefined();
    expect(cf.names).toEqual(['e_tki', 'Y_init']);
    expect(cf.mean).toEqual([r.muPhi[0], r.muPhi[1]]);
    expect(cf.cov[0][0]).toBeCloseTo(r.omegaSd[0] ** 2, 12);
    expect(cf.cov[0][1]).toBe(0); // diagonal Omega
    const yaml = coreFitYaml(cf, 'test: synthetic decay population');
    const kb = loadKnowledgeBase();
    const scenario = parseScenario(`${DEFAULT_SCENARIO}${yaml}  pk: false\n`, 'fit.yaml', kb);
    expect(scenario.cohort?.core).toBe('fitted');
    expect(scenario.cohort?.coreFit?.source).toBe('test: synthetic decay population');
    expect(scenario.cohort?.coreFit?.mean).toEqual(cf.mean);
    const pop = preparePopulation(scenario, kb);
    const M = 2000;
    const logs = [0, 0];
    const sq = [0, 0];
    for (let k = 0; k < M; k++) {
      const v = drawPatient(pop, k);
      ['e_tki', 'Y_init'].forEach((id, j) => {
        const l = Math.log(v.parameters[id]);
        logs[j] += l / M;
        sq[j] += (l * l) / M;
      });
    }
    for (let j = 0; j < 2; j++) {
      const sd = Math.sqrt(cf.cov[j][j]);
      expect(Math.abs(logs[j] - cf.mean[j])).toBeLessThan(4 * (sd / Math.sqrt(M)));
      expect(Math.abs(Math.sqrt(sq[j] - logs[j] ** 2) / sd - 1)).toBeLessThan(4 * Math.sqrt(1 / (2 * M)));
    }
  });
});

describe('coreFit helpers', () => {
  const fake = (names: string[], transforms: ('log' | 'normal')[], randomEffects = names.map(() => true)) => {
    const p = names.length;
    const omega = new Float64Array(p * p);
    for (let j = 0; j < p; j++) omega[j * p + j] = randomEffects[j] ? 0.04 * (j + 1) : 0;
    return {
      names,
      transforms,
      randomEffects,
      muPhi: Float64Array.from(names, (_, j) => j + 0.5),
      omega,
    } as unknown as Parameters<typeof coreFitOf>[0];
  };

  it('keeps the core, log-normal coordinates and says what it left out', () => {
    const r = coreFitOf(
      fake(['Ky', 'pyx', 'Y0', 'a'], ['log', 'log', 'normal', 'log'], [true, true, true, false]),
    );
    expect(r.coreFit?.names).toEqual(['pyx']);
    expect(r.coreFit?.mean).toEqual([1.5]);
    expect(r.coreFit?.cov).toEqual([[0.08]]);
    expect(r.coreFitNote).toMatch(/Ky \(not a core parameter\)/);
    expect(r.coreFitNote).toMatch(/Y0 \('normal' transform/);
    expect(coreFitOf(fake(['Ky'], ['log'])).coreFit).toBeUndefined();
    const dep = coreFitOf(fake(['pyx', 'pxy', 'X_init', 'Y_init'], ['log', 'log', 'log', 'log']));
    expect(dep.coreFitNote).toMatch(/linearly dependent/);
    const fixed = coreFitOf(fake(['pz', 'Kz'], ['log', 'log'], [true, false]));
    expect(fixed.coreFit?.cov).toEqual([
      [0.04, 0],
      [0, 0],
    ]);
    expect(fixed.coreFitNote).toMatch(/zero variance.*Kz/);
  });

  it('coreFitYaml rejects malformed blocks; populationFit rejects bad options with the field named', () => {
    expect(() => coreFitYaml({ names: ['pz'], mean: [0, 1], cov: [[1]] }, 's')).toThrow(ModelFitError);
    expect(() => coreFitYaml({ names: ['pz'], mean: [Number.NaN], cov: [[1]] }, 's')).toThrow(/finite/);
    expect(() => populationFit(setup, data.slice(0, 1), { seed: 1 })).toThrow(/at least 2 subjects/);
    expect(() => populationFit(setup, data, { seed: 1, randomEffects: ['nope'] })).toThrow(
      /randomEffects.*unknown parameter 'nope'/,
    );
    expect(() => populationFit(setup, data, { seed: 1, omega: [1] })).toThrow(/option 'omega'.*expected 2/);
    expect(() => populationFit(setup, [data[0], data[0]], { seed: 1 })).toThrow(/appears twice/);
    const pm = populationModel(setup, data.slice(0, 2));
    expect(() => pm.predict(0, Float64Array.of(0.2, 1e4), new Float64Array(3), new Float64Array(9))).toThrow(
      /9 observations/,
    );
  });
});
