/**
 * The virtual population against its definition, by Monte Carlo with stated tolerances (4 standard errors):
 * the log-normal core's sample mean and covariance of the logs against the Hähnel 2020 ones (computed here by hand
 * from the knowledge base's 21 patients), the bootstrap's 1/21 per patient, the strata shares, and the
 * truncation of the core to the read-out's domain.
 */
import { describe, expect, it } from 'vitest';
import {
  calibratedCoreFit,
  choleskySemidefinite,
  coreIndex,
  drawLogCore,
  drawPatient,
  HAHNEL_CORE,
  hahnelCoreTable,
  preparePopulation,
} from '../../src/cohort/population.js';
import { loadKnowledgeBase } from '../../src/knowledge/load.js';
import { streamFor } from '../../src/numerics/random/index.js';
import { DEFAULT_SCENARIO } from '../../src/scenario/default.js';
import { parseScenario } from '../../src/scenario/load.js';

const kb = loadKnowledgeBase();
const scenario = (cohort: string) =>
  parseScenario(`${DEFAULT_SCENARIO}\ncohort:\n${cohort}`, 'test.yaml', kb);
const N = 20_000;

describe('log-normal core', () => {
  const pop = preparePopulation(scenario('  core: lognormal\n  pk: false\n'), kb);
  const d = HAHNEL_CORE.length;
  // The reference moments by hand: logs of the KB's 21 patients, mean and (n - 1) covariance.
  const rows: number[][] = [];
  for (let k = 1; k <= 21; k++)
    rows.push(
      HAHNEL_CORE.map((c) =>
        Math.log(kb.parameter(`hahnel2020.patient${String(k).padStart(2, '0')}.${c.symbol}`).value),
      ),
    );
  const mu = HAHNEL_CORE.map((_, j) => rows.reduce((a, r) => a + r[j], 0) / 21);
  const sigma = (i: number, j: number) => rows.reduce((a, r) => a + (r[i] - mu[i]) * (r[j] - mu[j]), 0) / 20;

  it('prepares the Hähnel moments and a Cholesky factor that reproduces them', () => {
    expect(pop.table.length).toBe(21);
    for (let i = 0; i < d; i++) {
      expect(pop.logMean[i]).toBeCloseTo(mu[i], 12);
      for (let j = 0; j < d; j++) {
        expect(pop.logCov[i * d + j]).toBeCloseTo(sigma(i, j), 10);
        let llt = 0;
        for (let k = 0; k < d; k++) llt += pop.cholesky[i * d + k] * pop.cholesky[j * d + k];
        expect(Math.abs(llt - sigma(i, j))).toBeLessThan(1e-9 * Math.sqrt(sigma(i, i) * sigma(j, j)) + 1e-12);
      }
    }
  });

  it(`sample mean and covariance of ${N} draws within 4 standard errors`, () => {
    const x = new Float64Array(d);
    const sum = new Float64Array(d);
    const cross = new Float64Array(d * d);
    for (let k = 0; k < N; k++) {
      drawLogCore(pop, streamFor(pop.seed, ['purpose', 'cohort-patient'], ['patient', k]), x);
      for (let i = 0; i < d; i++) {
        sum[i] += x[i];
        for (let j = 0; j < d; j++) cross[i * d + j] += (x[i] - mu[i]) * (x[j] - mu[j]);
      }
    }
    for (let i = 0; i < d; i++) {
      const se = Math.sqrt(sigma(i, i) / N);
      expect(Math.abs(sum[i] / N - mu[i]), `mean ${HAHNEL_CORE[i].symbol}`).toBeLessThan(4 * se + 1e-12);
      for (let j = 0; j <= i; j++) {
        // Gaussian: Var(s_ij) = (s_ii s_jj + s_ij^2) / N (moments about the true mean).
        const seC = Math.sqrt((sigma(i, i) * sigma(j, j) + sigma(i, j) ** 2) / N);
        expect(
          Math.abs(cross[i * d + j] / N - sigma(i, j)),
          `cov ${HAHNEL_CORE[i].symbol},${HAHNEL_CORE[j].symbol}`,
        ).toBeLessThan(4 * seC + 1e-12);
      }
    }
  });

  it('drawPatient keeps draws with Y0 < 2 Ky, a first accepted draw being drawLogCore itself', () => {
    const x = new Float64Array(d);
    let firstTry = 0;
    const M = 2000;
    for (let k = 0; k < M; k++) {
      const p = drawPatient(pop, k);
      expect(p.parameters.Y_init).toBeLessThan(2e6);
      const st = streamFor(pop.seed, ['purpose', 'cohort-patient'], ['patient', k]);
      st.nextFloat64(); // the stratum's uniform comes first
      drawLogCore(pop, st, x);
      if (Math.exp(x[6]) < 2e6) {
        firstTry++;
        HAHNEL_CORE.forEach((c, i) => expect(p.parameters[c.id]).toBe(Math.exp(x[i])));
      }
    }
    expect(firstTry / M).toBeGreaterThan(0.8); // the truncation removes a minority (P(Y0 >= 2 Ky) ~ 0.1)
  });

  it('semi-definite Cholesky: a dependent coordinate gets a zero column and keeps the relation', () => {
    // x3 = x1 + x2 exactly.
    const a = Float64Array.from([2, 1, 3, 1, 2, 3, 3, 3, 6]);
    const L = choleskySemidefinite(a, 3);
    expect(L[8]).toBe(0);
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++) {
        let s = 0;
        for (let k = 0; k < 3; k++) s += L[i * 3 + k] * L[j * 3 + k];
        expect(s).toBeCloseTo(a[i * 3 + j], 12);
      }
  });
});

describe('bootstrap core, strata and further parameters', () => {
  it(`bootstrap picks each of the 21 patients with frequency 1/21 (4 SE, ${N} draws)`, () => {
    const pop = preparePopulation(scenario('  core: bootstrap\n  pk: false\n'), kb);
    const count = new Array(22).fill(0);
    for (let k = 0; k < N; k++) {
      const p = drawPatient(pop, k);
      count[p.hahnelPatient as number]++;
      if (k < 50) expect(p.parameters.e_tki).toBe(pop.table[(p.hahnelPatient as number) - 1][2]);
    }
    const q = 1 / 21;
    const se = Math.sqrt((q * (1 - q)) / N);
    for (let i = 1; i <= 21; i++) expect(Math.abs(count[i] / N - q), `patient ${i}`).toBeLessThan(4 * se);
  });

  it('strata shares within 4 SE; stratum distributions override the cohort ones', () => {
    const s = scenario(
      [
        '  core: fixed',
        '  pk: false',
        '  parameters:',
        '    e_tki: { lognormal: { median: 3, cv: 0.5 } }',
        '  strata:',
        '    - { name: low, share: 0.5 }',
        '    - { name: intermediate, share: 0.3, parameters: { e_tki: { uniform: [1, 2] } } }',
        '    - { name: high, share: 0.2, parameters: { e_tki: { normal: { mean: 10, sd: 0 } } } }',
      ].join('\n'),
    );
    const pop = preparePopulation(s, kb);
    const shares: Record<string, number> = { low: 0.5, intermediate: 0.3, high: 0.2 };
    const count: Record<string, number> = { low: 0, intermediate: 0, high: 0 };
    let logSum = 0;
    let nLow = 0;
    for (let k = 0; k < N; k++) {
      const p = drawPatient(pop, k);
      count[p.stratum]++;
      const e = p.parameters.e_tki;
      if (p.stratum === 'high') expect(e).toBe(10);
      if (p.stratum === 'intermediate') expect(e >= 1 && e < 2).toBe(true);
      if (p.stratum === 'low') {
        logSum += Math.log(e);
        nLow++;
      }
    }
    for (const [name, q] of Object.entries(shares))
      expect(Math.abs(count[name] / N - q), name).toBeLessThan(4 * Math.sqrt((q * (1 - q)) / N));
    // Log-normal by median and CV: ln e ~ N(ln 3, ln(1 + cv^2)).
    const omega = Math.sqrt(Math.log1p(0.25));
    expect(Math.abs(logSum / nLow - Math.log(3))).toBeLessThan(4 * (omega / Math.sqrt(nLow)));
  });

  it('PK draws are the pk-variability streams of src/therapy (patient k = draw k) and absent with pk: false', () => {
    const on = preparePopulation(scenario('  pk: true\n'), kb);
    const a = drawPatient(on, 5);
    const b = drawPatient(on, 5);
    expect(a.pk?.imatinib).toEqual(b.pk?.imatinib);
    expect(a.pk?.imatinib.clF).not.toBe(drawPatient(on, 6).pk?.imatinib.clF);
    const off = preparePopulation(scenario('  pk: false\n'), kb);
    expect(drawPatient(off, 5).pk).toBeUndefined();
  });
});

describe("fitted core (cohort.coreFit: a population fit's log-normal, the rest conditional)", () => {
  const d = HAHNEL_CORE.length;
  const full = preparePopulation(scenario('  core: lognormal\n  pk: false\n'), kb);
  const names = ['pyx', 'pxy', 'e_tki', 'Y_init'];
  const idx = names.map(coreIndex);
  const fitYaml = (mean: number[], cov: number[][], ns = names) =>
    `  core: fitted\n  pk: false\n  coreFit:\n    source: test\n    names: [${ns.join(', ')}]\n    mean: [${mean.join(', ')}]\n    cov: [${cov.map((r) => `[${r.join(', ')}]`).join(', ')}]\n`;
  const marginalMean = idx.map((i) => full.logMean[i]);
  const marginalCov = idx.map((i) => idx.map((j) => full.logCov[i * d + j]));

  const moments = (pop: ReturnType<typeof preparePopulation>) => {
    const x = new Float64Array(d);
    const sum = new Float64Array(d);
    const cross = new Float64Array(d * d);
    const draws: Float64Array[] = [];
    for (let k = 0; k < N; k++) {
      drawLogCore(pop, streamFor(pop.seed, ['purpose', 'cohort-patient'], ['patient', k]), x);
      draws.push(x.slice());
      for (let i = 0; i < d; i++) sum[i] += x[i];
    }
    const mean = Array.from(sum, (s) => s / N);
    for (const y of draws)
      for (let i = 0; i < d; i++)
        for (let j = 0; j < d; j++) cross[i * d + j] += ((y[i] - mean[i]) * (y[j] - mean[j])) / (N - 1);
    return { mean, cov: cross, draws };
  };

  it('with the marginal of the 21 patients as the fit, the joint law is the full log-normal (4 SE)', () => {
    const pop = preparePopulation(scenario(fitYaml(marginalMean, marginalCov)), kb);
    const { mean, cov } = moments(pop);
    for (let i = 0; i < d; i++) {
      const sii = full.logCov[i * d + i];
      expect(Math.abs(mean[i] - full.logMean[i]), `mean ${HAHNEL_CORE[i].symbol}`).toBeLessThan(
        4 * Math.sqrt(sii / N) + 1e-12,
      );
      for (let j = 0; j <= i; j++) {
        const sij = full.logCov[i * d + j];
        const se = Math.sqrt((sii * full.logCov[j * d + j] + sij * sij) / N);
        expect(
          Math.abs(cov[i * d + j] - sij),
          `cov ${HAHNEL_CORE[i].symbol},${HAHNEL_CORE[j].symbol}`,
        ).toBeLessThan(4 * se + 1e-9);
      }
    }
  });

  it('a shifted, narrower fit moves the fitted block and keeps the quasi-equilibrium X0 = pyx Y0 / pxy', () => {
    const mean = marginalMean.slice();
    mean[2] += 0.5; // e_tki
    const cov = marginalCov.map((r, i) => r.map((v, j) => (i === 2 || j === 2 ? v / (i === j ? 4 : 2) : v)));
    const pop = preparePopulation(scenario(fitYaml(mean, cov)), kb);
    const m = moments(pop);
    const e = idx[2];
    expect(Math.abs(m.mean[e] - mean[2])).toBeLessThan(4 * Math.sqrt(cov[2][2] / N));
    expect(Math.abs(m.cov[e * d + e] / cov[2][2] - 1)).toBeLessThan(4 * Math.sqrt(2 / N));
    // The table's own residual of log X0 - (log pyx + log Y0 - log pxy) (transcriber's rounding) bounds the draws'.
    const X = coreIndex('X0');
    const rel = (x: ArrayLike<number>) => x[X] - (x[idx[0]] + x[idx[3]] - x[idx[1]]);
    const tableSd = Math.sqrt(full.table.reduce((a, r) => a + rel(r.map(Math.log)) ** 2, 0) / 21);
    const drawSd = Math.sqrt(m.draws.reduce((a, x) => a + rel(x) ** 2, 0) / N);
    expect(tableSd).toBeLessThan(0.05);
    expect(drawSd).toBeLessThan(2 * tableSd + 1e-6);
  });

  it('errors name the field: fitted without coreFit, unknown or repeated names, a covariance that is not PSD', () => {
    expect(() => scenario('  core: fitted\n')).toThrow(/coreFit/);
    expect(() => scenario(fitYaml([0], [[1]], ['pyx']).replace('core: fitted', 'core: lognormal'))).toThrow(
      /set core: fitted/,
    );
    expect(() => preparePopulation(scenario(fitYaml([0], [[1]], ['nope'])), kb)).toThrow(
      /'nope' is not a core/,
    );
    expect(() =>
      preparePopulation(
        scenario(
          fitYaml(
            [0, 0],
            [
              [1, 0],
              [0, 1],
            ],
            ['Y0', 'Y_init'],
          ),
        ),
        kb,
      ),
    ).toThrow(/named twice/);
    expect(() =>
      preparePopulation(
        scenario(
          fitYaml(
            [0, 0],
            [
              [1, 2],
              [2, 1],
            ],
            ['pyx', 'pxy'],
          ),
        ),
        kb,
      ),
    ).toThrow(/not positive semi-definite/);
    expect(() => scenario(fitYaml([0, 0], [[1, 0]], ['pyx', 'pxy']))).toThrow(/cov/);
  });
});

describe('calibrated core (the knowledge base imatinib law: SAEM on the Hähnel on-TKI series, e_tki moved)', () => {
  const d = HAHNEL_CORE.length;
  const v = (k: string) => kb.parameter(`population.imatinib.${k}`).value;

  it('reads its law from the knowledge base: SAEM means and SDs, e_tki moved, pz from the 21 patients narrowed', () => {
    const f = calibratedCoreFit(kb);
    expect(f.names).toEqual(['pyx', 'pxy', 'e_tki', 'Y0', 'pz']);
    expect(f.mean[0]).toBe(v('mu_ln_pyx'));
    expect(f.mean[2]).toBeCloseTo(v('mu_ln_e_tki') + v('delta_ln_e_tki'), 14);
    expect(Math.sqrt(f.cov[2][2])).toBeCloseTo(v('sd_ln_e_tki') * Math.exp(v('lambda_sd_e_tki')), 14);
    expect(Math.sqrt(f.cov[1][1])).toBeCloseTo(v('sd_ln_pxy'), 14);
    expect(f.cov[0][2]).toBe(0);
    // pz: the log-mean and log-SD of the 21 published values (ln 293 and 7.89), the SD scaled by exp(lambda_pz)
    const pz = hahnelCoreTable(kb).map((r) => Math.log(r[coreIndex('pz')]));
    const m = pz.reduce((a, b) => a + b, 0) / pz.length;
    const sd = Math.sqrt(pz.reduce((a, b) => a + (b - m) ** 2, 0) / (pz.length - 1));
    expect(m).toBeCloseTo(Math.log(293.3), 3);
    expect(sd).toBeCloseTo(7.888, 3);
    expect(f.mean[4]).toBeCloseTo(m, 12);
    expect(Math.sqrt(f.cov[4][4])).toBeCloseTo(sd * Math.exp(v('lambda_sd_pz')), 12);
    expect(f.cov[4][2]).toBe(0);
    // The calibration's hyper-parameters at 0 give the SAEM law and the 21 patients' spread of pz.
    const saem = calibratedCoreFit(kb, { deltaLnEtki: 0, lambdaSdEtki: 0, lambdaSdPz: 0 });
    expect(saem.mean[2]).toBe(v('mu_ln_e_tki'));
    expect(Math.sqrt(saem.cov[2][2])).toBeCloseTo(v('sd_ln_e_tki'), 14);
    expect(Math.sqrt(saem.cov[4][4])).toBeCloseTo(sd, 12);
  });

  it(`draws of core: calibrated have that law for the named parameters (${N} draws, 4 SE)`, () => {
    const pop = preparePopulation(scenario('  core: calibrated\n  pk: false\n'), kb);
    const f = calibratedCoreFit(kb);
    const x = new Float64Array(d);
    const idx = f.names.map(coreIndex);
    const sum = idx.map(() => 0);
    const sq = idx.map(() => 0);
    for (let k = 0; k < N; k++) {
      drawLogCore(pop, streamFor(pop.seed, ['purpose', 'cohort-patient'], ['patient', k]), x);
      idx.forEach((i, a) => {
        sum[a] += x[i];
        sq[a] += x[i] * x[i];
      });
    }
    idx.forEach((_, a) => {
      const m = sum[a] / N;
      const s2 = sq[a] / N - m * m;
      const sd = Math.sqrt(f.cov[a][a]);
      expect(Math.abs(m - f.mean[a]), `mean ${f.names[a]}`).toBeLessThan((4 * sd) / Math.sqrt(N));
      expect(Math.abs(s2 / f.cov[a][a] - 1), `variance ${f.names[a]}`).toBeLessThan(4 * Math.sqrt(2 / N));
    });
  });

  it('the scenario schema takes core: calibrated and refuses a coreFit beside it', () => {
    expect(scenario('  core: calibrated\n').cohort?.core).toBe('calibrated');
    expect(() =>
      scenario('  core: calibrated\n  coreFit:\n    names: [pyx]\n    mean: [0]\n    cov: [[1]]\n'),
    ).toThrow(/set core: fitted/);
  });
});
