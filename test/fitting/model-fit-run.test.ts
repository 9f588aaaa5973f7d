import { describe, expect, it } from 'vitest';
import { fitBiexponential } from '../../src/fitting/biexponential.js';
import type { Series } from '../../src/fitting/data.js';
import { ModelFitProblem } from '../../src/fitting/model-fit.js';
import { fitModel } from '../../src/fitting/model-fit-run.js';
import { biexpCompiled, E_TKI_Y_INIT_SPECS, hahnelPatient, michorSeries } from './model-fit-fixture.js';

const BIEXP_SPECS = [
  { name: 'u_init', lo: 1, hi: 1000, scale: 'log' as const },
  { name: 'a', lo: 0.005, hi: 0.5, scale: 'log' as const },
  { name: 'v_init', lo: 1e-3, hi: 100, scale: 'log' as const },
  { name: 'b', lo: -0.02, hi: 0.02, scale: 'linear' as const },
];

describe('fitModel: the ODE bi-exponential against the closed-form fit (3 Michor 2005 patients)', () => {
  const model = biexpCompiled();
  const series = michorSeries().slice(0, 3);
  const r = fitModel({ model, observable: 'total', parameters: BIEXP_SPECS }, series, { seed: 7, starts: 4 });

  it('uses least squares with forward sensitivities and converges', () => {
    expect(r.method).toBe('lm');
    for (const s of r.subjects) expect(s.converged).toBe(true);
  });

  it('finds the closed-form optimum: rates to 1e-4, ML sigma to 1e-6 relative', () => {
    for (const s of r.subjects) {
      const c = fitBiexponential(series.find((x) => x.id === s.id) as Series);
      expect(Math.abs(s.estimates.a - c.a)).toBeLessThanOrEqual(1e-4 * c.a);
      expect(Math.abs(s.estimates.b - c.b)).toBeLessThanOrEqual(1e-4 * Math.abs(c.b) + 1e-8);
      expect(Math.abs(s.sigma - c.sigma)).toBeLessThanOrEqual(1e-6 * c.sigma);
      // with sigma at its ML value the objective of objective.ts is n/2 (sum z^2 = n)
      expect(s.objective).toBeCloseTo(s.observations / 2, 6);
      // full NLL = n/2 + n ln sigma + n ln(2 pi)/2; AIC = 2 NLL + 2 (4 + 1)
      const n = s.observations;
      expect(s.nll).toBeCloseTo(n / 2 + n * Math.log(s.sigma) + 0.5 * n * Math.log(2 * Math.PI), 8);
      expect(s.aic).toBeCloseTo(2 * s.nll + 10, 10);
      expect(s.bic).toBeCloseTo(2 * s.nll + 5 * Math.log(n), 10);
    }
  });

  it('reports starts, clusters, residuals and a trajectory through the data range', () => {
    const s = r.subjects[0];
    expect(s.starts).toHaveLength(4);
    expect(s.clusters[0].nll).toBeCloseTo(s.nll, 6);
    expect(s.residuals).toHaveLength(s.observations);
    const tr = s.trajectory[0];
    expect(tr.t[0]).toBeCloseTo(series[0].observations[0].t, 9);
    expect(tr.t[tr.t.length - 1]).toBeCloseTo(series[0].observations.at(-1)?.t as number, 9);
    expect(tr.y.every((v) => v > 0)).toBe(true);
    expect(s.identifiability?.rank).toBe(4);
  });
});

describe('fitModel: profile intervals equal the exact interval of a linear problem', () => {
  // log10 y = log10 u - a t/ln 10 is linear in (ln u, a): with sigma given, the profile interval of a is the
  // regression interval a_hat +- z_{0.975} sigma ln(10)/sqrt(Sxx) exactly.
  const ts = [0, 10, 20, 35, 50, 80, 120];
  const noise = [0.05, -0.1, 0.02, 0.12, -0.07, -0.03, 0.04];
  const obs = ts.map((t, i) => ({ t, value: 80 * Math.exp(-0.04 * t) * 10 ** noise[i], censored: false }));
  const sigma = 0.1;
  const r = fitModel(
    {
      model: biexpCompiled(),
      observable: 'total',
      parameters: [
        { name: 'u_init', lo: 1, hi: 1000, scale: 'log' },
        { name: 'a', lo: 0.01, hi: 0.1, scale: 'linear' },
      ],
      fixed: { v_init: 0 },
      sigma,
    },
    [{ id: 'lin', observations: obs }],
    { seed: 1, starts: 2, profile: true },
  );
  it('matches the regression slope and its interval to 1e-5', () => {
    const s = r.subjects[0];
    const tm = ts.reduce((a, b) => a + b, 0) / ts.length;
    const ly = obs.map((o) => Math.log10(o.value));
    const ym = ly.reduce((a, b) => a + b, 0) / ly.length;
    let sxx = 0;
    let sxy = 0;
    for (const [i, t] of ts.entries()) {
      sxx += (t - tm) ** 2;
      sxy += (t - tm) * (ly[i] - ym);
    }
    const aHat = (-sxy / sxx) * Math.LN10;
    const half = (1.959963984540054 * sigma * Math.LN10) / Math.sqrt(sxx);
    expect(s.estimates.a).toBeCloseTo(aHat, 7);
    const p = s.profiles?.find((q) => q.name === 'a');
    expect(p?.verdict).toBe('identifiable');
    expect(Math.abs((p?.lower as number) - (aHat - half))).toBeLessThanOrEqual(1e-5 * aHat);
    expect(Math.abs((p?.upper as number) - (aHat + half))).toBeLessThanOrEqual(1e-5 * aHat);
    expect(s.sigmaEstimated).toBe(false);
    expect(s.k).toBe(2);
  });
});

describe('fitModel: censored data and estimated sigma (Hähnel 2020 patient 8, reduced starts)', () => {
  const { series, model } = hahnelPatient(8);
  const specs = E_TKI_Y_INIT_SPECS;
  const setup = { model, observable: 'bcr_abl_percent', parameters: specs };
  const r = fitModel(setup, [series], { seed: 3, starts: 3 });
  const s = r.subjects[0];
  const problem = new ModelFitProblem(setup, [series]);

  it('returns a stationary point of the joint likelihood: sigma is the ML value given the residuals', () => {
    const x = [s.estimates.e_tki, s.estimates.Y_init];
    const d = problem.logResiduals(x) as Float64Array;
    expect(problem.mlSigma(d)).toBeCloseTo(s.sigma, 4);
    expect(s.censored).toBe(8);
    for (const [j] of specs.entries())
      for (const f of [0.995, 1.005]) {
        const y = [...x];
        y[j] *= f;
        expect(problem.fullNll(y).nll).toBeGreaterThanOrEqual(s.nll - 1e-6);
      }
  });

  it('is at least as good as the published values for these two parameters', () => {
    const pub = problem.fullNll([1.86, 61731]).nll; // Table S1 patient 8 (hahnel2020.patient08.*)
    expect(s.nll).toBeLessThanOrEqual(pub + 1e-9);
  });
});

describe('fitModel defaults: Hähnel 2020 patient 8 reaches the best optimum of a dense grid', () => {
  // The (e_tki, Y_init) landscape with sigma estimated is a set of narrow parallel valleys (a few 0.1 % of e_tki
  // apart). A hand-run MCMC reached NLL -0.35 where a 3-start fit stopped at 1.17 (sigma for all starts stuck at
  // its ML value at the initial point, 2.0 against 0.22 at the optimum); this checks the default pipeline (8 starts,
  // per-start sigma, basin hopping) against a 41 x 41 grid over the region of the best valleys.
  const { series, model } = hahnelPatient(8);
  const specs = E_TKI_Y_INIT_SPECS;
  const setup = { model, observable: 'bcr_abl_percent', parameters: specs };
  it('has an NLL <= the grid minimum + 1e-3 (and below the MCMC value -0.35)', () => {
    const s = fitModel(setup, [series], { seed: 1 }).subjects[0];
    const problem = new ModelFitProblem(setup, [series]);
    let grid = Number.POSITIVE_INFINITY;
    for (let i = 0; i <= 40; i++)
      for (let j = 0; j <= 40; j++) {
        const e = 1.775 + (0.04 * i) / 40;
        const y = 1.5e4 * (35 / 15) ** (j / 40);
        grid = Math.min(grid, problem.fullNll([e, y]).nll);
      }
    expect(grid).toBeLessThan(-0.35);
    expect(s.nll).toBeLessThanOrEqual(grid + 1e-3);
    expect(s.nll).toBeCloseTo(problem.fullNll([s.estimates.e_tki, s.estimates.Y_init]).nll, 9);
  });
});

describe('fitModel: Hähnel 2020 patient 9, all four on-TKI parameters (loose check against Table S1)', () => {
  const { series, model } = hahnelPatient(9);
  // Table S1 (hahnel2020.patient09.*): pyx 3.78e-4, pxy 7.32e-2, e_tki 2.56, Y0 739824
  const pub = { pyx: 3.78e-4, pxy: 7.32e-2, e_tki: 2.56, Y_init: 739824 };
  const specs = [
    { name: 'pyx', lo: 1e-6, hi: 2, scale: 'log' as const, initial: pub.pyx },
    { name: 'pxy', lo: 1e-7, hi: 1, scale: 'log' as const, initial: pub.pxy },
    { name: 'e_tki', lo: 0.5, hi: 50, scale: 'log' as const, initial: pub.e_tki },
    { name: 'Y_init', lo: 1e3, hi: 1.999e6, scale: 'log' as const, initial: pub.Y_init },
  ];
  const setup = { model, observable: 'bcr_abl_percent', parameters: specs };
  const s = fitModel(setup, [series], { seed: 2020, starts: 4 }).subjects[0];
  it('reaches an NLL at or below the published values and recovers e_tki and pxy', () => {
    const nllPub = new ModelFitProblem(setup, [series]).fullNll([
      pub.pyx,
      pub.pxy,
      pub.e_tki,
      pub.Y_init,
    ]).nll;
    expect(s.nll).toBeLessThanOrEqual(nllPub + 1e-9);
    expect(s.estimates.e_tki / pub.e_tki).toBeGreaterThan(0.8);
    expect(s.estimates.e_tki / pub.e_tki).toBeLessThan(1.25);
    expect(s.estimates.pxy / pub.pxy).toBeGreaterThan(0.5);
    expect(s.estimates.pxy / pub.pxy).toBeLessThan(2);
    expect(s.starts.filter((q) => Math.abs(q.nll - s.nll) < 1e-4).length).toBeGreaterThanOrEqual(2);
  });
});

describe('fitModel: pooled', () => {
  it('fits one parameter set to several series (residual count = all observations)', () => {
    const ts = [0, 20, 40, 60];
    const mk = (id: string, u: number) => ({
      id,
      observations: ts.map((t) => ({ t, value: u * Math.exp(-0.05 * t), censored: false })),
    });
    const r = fitModel(
      {
        model: biexpCompiled(),
        observable: 'total',
        parameters: [{ name: 'a', lo: 0.001, hi: 1, scale: 'log' }],
        fixed: { v_init: 0, u_init: 100 },
      },
      [mk('p1', 100), mk('p2', 100)],
      { seed: 1, starts: 2, pooled: true },
    );
    expect(r.subjects).toHaveLength(1);
    expect(r.subjects[0].id).toBe('pooled');
    expect(r.subjects[0].observations).toBe(8);
    expect(r.subjects[0].estimates.a).toBeCloseTo(0.05, 7);
  });
});
