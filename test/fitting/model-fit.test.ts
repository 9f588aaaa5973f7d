import { describe, expect, it } from 'vitest';
import type { Series } from '../../src/fitting/data.js';
import { FIT_ODE_DEFAULTS, ModelFitError, ModelFitProblem, millsRatio } from '../../src/fitting/model-fit.js';
import { tieParameters } from '../../src/fitting/model-fit-tie.js';
import { seriesNll } from '../../src/fitting/objective.js';
import { loadReferenceModel } from '../../src/knowledge/reference-models.js';
import { compileModel } from '../../src/models/compile/compile.js';
import { simulateModel } from '../../src/models/simulate.js';
import { biexpCompiled, hahnelSeries } from './model-fit-fixture.js';

describe('ModelFitProblem: residuals against objective.ts', () => {
  const series = hahnelSeries().find((s) => s.id === '8') as Series;
  const ref = loadReferenceModel('hahnel2020', { patient: 8 });
  const compiled = compileModel(ref.model);
  const names = ['pyx', 'pxy', 'e_tki', 'Y_init'];
  const specs = names.map((name) => {
    const v = compiled.p0[compiled.parameterIds.indexOf(name)];
    return { name, lo: v / 10, hi: v * 10, scale: 'log' as const };
  });
  const problem = new ModelFitProblem(
    { model: compiled, observable: 'bcr_abl_percent', parameters: specs, sigma: 0.4 },
    [series],
  );
  const x = Float64Array.from(names, (nm) => compiled.p0[compiled.parameterIds.indexOf(nm)]);

  it('has censored points in the chosen series', () => {
    expect(problem.censored).toBeGreaterThan(3);
    expect(problem.measured).toBeGreaterThan(10);
  });

  it('0.5 ||r||^2 equals seriesNll (censored points as Tobit terms) to 1e-12 relative', () => {
    const r = new Float64Array(problem.m);
    expect(problem.residuals(problem.toWorking(x), 0.4, r)).toBe(true);
    let half = 0;
    for (const v of r) half += 0.5 * v * v;
    const pred = problem.predictions(x) as Float64Array;
    const nll = seriesNll(series, pred, { sigma: 0.4 });
    expect(Math.abs(half - nll)).toBeLessThanOrEqual(1e-12 * nll);
    expect(problem.objective(x, 0.4)).toBeCloseTo(nll, 10);
  });

  it('the ML sigma without censoring is the RMS of the log10 residuals; with censoring it minimises the full NLL', () => {
    const d = problem.logResiduals(x) as Float64Array;
    const s = problem.mlSigma(d);
    const f = (sg: number) => problem.fullNllFromLogResiduals(d, sg);
    expect(f(s)).toBeLessThanOrEqual(f(s * 1.01));
    expect(f(s)).toBeLessThanOrEqual(f(s / 1.01));
    const noCens = new ModelFitProblem(
      { model: compiled, observable: 'bcr_abl_percent', parameters: specs },
      [{ id: 'm', observations: series.observations.filter((o) => !o.censored) }],
    );
    const dm = noCens.logResiduals(x) as Float64Array;
    const rms = Math.sqrt(dm.reduce((a, v) => a + v * v, 0) / dm.length);
    expect(noCens.mlSigma(dm)).toBeCloseTo(rms, 12);
  });

  it('phi/Phi is finite in both tails and equals the closed form at 0 (2/sqrt(2 pi))', () => {
    expect(millsRatio(0)).toBeCloseTo(2 / Math.sqrt(2 * Math.PI), 6);
    expect(Number.isFinite(millsRatio(-40))).toBe(true);
    expect(millsRatio(-40)).toBeCloseTo(40, 1); // ~ -z for z -> -inf
    expect(millsRatio(40)).toBe(0);
  });
});

describe('ModelFitProblem: predictions (prepared simulation) equal simulateModel bit for bit', () => {
  // Plain solves go through one prepared simulation (src/models/prepared-simulation.ts); the reference is a
  // fresh simulateModel call per point with the fitted and fixed values in `params`, as before the change.
  for (const patient of [8, 10]) {
    it(`Hähnel 2020 patient ${patient}: 5 parameter points, a fixed parameter, the data times`, () => {
      const series = hahnelSeries().find((s) => s.id === String(patient)) as Series;
      const compiled = compileModel(
        tieParameters(loadReferenceModel('hahnel2020', { patient }).model, { X_init: 'pyx*Y_init/pxy' }),
      );
      const names = ['pyx', 'pxy', 'e_tki', 'Y_init'];
      const p0 = (nm: string) => compiled.p0[compiled.parameterIds.indexOf(nm)];
      const specs = names.map((name) => ({
        name,
        lo: p0(name) / 10,
        hi: p0(name) * 10,
        scale: 'log' as const,
      }));
      const fixed = { t_stop: 1e6 };
      const problem = new ModelFitProblem(
        { model: compiled, observable: 'bcr_abl_percent', parameters: specs, fixed },
        [series],
      );
      const times = [...new Set(series.observations.map((o) => o.t))].sort((a, b) => a - b);
      for (let k = 0; k < 5; k++) {
        const x = names.map((nm, j) => p0(nm) * Math.exp(0.4 * Math.sin(1.3 * k + j)));
        const tc = simulateModel(compiled, {
          tStart: 0,
          tEnd: times[times.length - 1],
          saveat: times,
          params: { ...fixed, ...Object.fromEntries(names.map((nm, j) => [nm, x[j]])) },
          ...FIT_ODE_DEFAULTS,
        });
        expect(tc.retcode).toBe('Success');
        const q = tc.ids.indexOf('bcr_abl_percent');
        const ref = times.map((t) => tc.values[tc.time.lastIndexOf(t) * tc.ids.length + q]);
        const got = problem.simulate(x, times) as Float64Array;
        expect(Array.from(got)).toEqual(ref);
        for (let i = 0; i < ref.length; i++) expect(Object.is(got[i], ref[i])).toBe(true);
        const pred = problem.predictions(x) as Float64Array;
        series.observations.forEach((o, i) => expect(pred[i]).toBe(ref[times.indexOf(o.t)]));
      }
      expect(problem.solves).toBe(10);
    });
  }

  it('a failed solve (maxSteps exhausted) gives null, and the next good solve is unaffected', () => {
    const model = biexpCompiled();
    const specs = [{ name: 'a', lo: 0.005, hi: 0.5, scale: 'log' as const }];
    const ok = new ModelFitProblem({ model, observable: 'total', parameters: specs }, [
      { id: 's', observations: [{ t: 50, value: 10, censored: false }] },
    ]);
    const tight = new ModelFitProblem(
      { model, observable: 'total', parameters: specs, ode: { maxSteps: 2 } },
      [{ id: 's', observations: [{ t: 50, value: 10, censored: false }] }],
    );
    expect(tight.predictions([0.05])).toBeNull();
    const y = ok.simulate([0.05], [0, 50]) as Float64Array;
    expect(Math.abs(y[1] - (100 * Math.exp(-2.5) + Math.exp(-0.25)))).toBeLessThanOrEqual(1e-6 * y[1]);
    expect(ok.simulate([0.05], [0, 50])).toEqual(y);
  });
});

describe('ModelFitProblem: residual Jacobian', () => {
  // Bi-exponential data with three censored points: two below the model (small pseudo-residuals) and one above it.
  const ts = [0, 14, 30, 60, 90, 120, 180, 270, 365];
  const obs = ts.map((t, i) => {
    const y = 120 * Math.exp(-0.06 * t) + 0.9 * Math.exp(-0.004 * t);
    return i >= 6
      ? { t, value: y * [0.5, 3, 20][i - 6], censored: true }
      : { t, value: y * (1 + 0.1 * Math.sin(i)), censored: false };
  });
  const problem = new ModelFitProblem(
    {
      model: biexpCompiled(),
      observable: 'total',
      parameters: [
        { name: 'u_init', lo: 1, hi: 1e4, scale: 'log' },
        { name: 'a', lo: 1e-3, hi: 1, scale: 'log' },
        { name: 'v_init', lo: 1e-3, hi: 100, scale: 'log' },
        { name: 'b', lo: -0.01, hi: 0.05, scale: 'linear' },
      ],
      // tight tolerances so that the central differences used as the reference are accurate to ~1e-6
      ode: { rtol: 1e-11, atol: 1e-13 },
    },
    [{ id: 's', observations: obs }],
  );
  const x = Float64Array.from([100, 0.05, 1, 0.005]);
  it('matches central differences of the residuals (chain rule through the censored pseudo-residuals)', () => {
    const w = problem.toWorking(x);
    const n = problem.n;
    const m = problem.m;
    const J = new Float64Array(m * n);
    expect(problem.jacobian(w, 0.3, J)).toBe(true);
    expect(problem.jacobianMethod).toBe('forward');
    // Measured rows against the closed form: r = (log10 obs - log10 y)/sigma, y = u e^{-a t} + v e^{-b t},
    // dr/dw = -(dy/dw)/(sigma ln10 y), w = (ln u, ln a, ln v, b).
    for (let i = 0; i < 6; i++) {
      const t = ts[i];
      const eu = 100 * Math.exp(-0.05 * t);
      const ev = Math.exp(-0.005 * t);
      const c = -1 / (0.3 * Math.LN10 * (eu + ev));
      const exact = [c * eu, c * (-0.05 * t * eu), c * ev, c * (-t * ev)];
      for (let j = 0; j < n; j++)
        expect(Math.abs(J[i * n + j] - exact[j])).toBeLessThanOrEqual(1e-12 + 1e-6 * Math.abs(exact[j]));
    }
    // Censored rows (pseudo-residuals) against central differences of the residuals.
    const rp = new Float64Array(m);
    const rm = new Float64Array(m);
    const hs = [1e-4, 1e-4, 1e-4, 1e-6];
    for (let j = 0; j < n; j++) {
      const wp = Float64Array.from(w);
      wp[j] += hs[j];
      problem.residuals(wp, 0.3, rp);
      wp[j] -= 2 * hs[j];
      problem.residuals(wp, 0.3, rm);
      for (let i = 6; i < m; i++) {
        const fd = (rp[i] - rm[i]) / (2 * hs[j]);
        expect(Math.abs(J[i * n + j] - fd)).toBeLessThanOrEqual(1e-5 + 1e-4 * Math.abs(fd));
      }
    }
    // the censored point above the model (limit 0.5 y) has a large pseudo-residual, the one far below a tiny one
    expect(rp[6]).toBeGreaterThan(1);
    expect(rp[8]).toBeLessThan(0.05);
  });
});

describe('ModelFitProblem: finite-difference Jacobian', () => {
  it('agrees with the forward-sensitivity Jacobian to 1e-4 relative (tight ODE tolerances)', () => {
    const ts = [0, 14, 30, 60, 90, 120];
    const obs = ts.map((t) => ({
      t,
      value: 100 * Math.exp(-0.06 * t) + Math.exp(-0.004 * t),
      censored: t > 100,
    }));
    const make = (jacobian: 'forward' | 'finite-difference') =>
      new ModelFitProblem(
        {
          model: biexpCompiled(),
          observable: 'total',
          parameters: [
            { name: 'u_init', lo: 1, hi: 1e4, scale: 'log' },
            { name: 'a', lo: 1e-3, hi: 1, scale: 'log' },
          ],
          ode: { rtol: 1e-12, atol: 1e-14 },
          jacobian,
        },
        [{ id: 's', observations: obs }],
      );
    const fwd = make('forward');
    const fd = make('finite-difference');
    expect(fd.jacobianMethod).toBe('finite-difference');
    const w = fwd.toWorking([90, 0.05]);
    const J1 = new Float64Array(fwd.m * 2);
    const J2 = new Float64Array(fwd.m * 2);
    expect(fwd.jacobian(w, 0.2, J1)).toBe(true);
    expect(fd.jacobian(w, 0.2, J2)).toBe(true);
    for (let i = 0; i < J1.length; i++)
      expect(Math.abs(J1[i] - J2[i])).toBeLessThanOrEqual(1e-8 + 1e-4 * Math.abs(J1[i]));
  });
});

describe('ModelFitProblem: set-up errors', () => {
  const compiled = biexpCompiled();
  const data: Series[] = [{ id: '1', observations: [{ t: 1, value: 50, censored: false }] }];
  const spec = { name: 'a', lo: 0.001, hi: 1, scale: 'log' as const };
  it('names an unknown parameter, observable, or a fitted-and-fixed one', () => {
    expect(
      () =>
        new ModelFitProblem(
          { model: compiled, observable: 'total', parameters: [{ ...spec, name: 'zz' }] },
          data,
        ),
    ).toThrow(/unknown parameter 'zz'.*parameters: /);
    expect(
      () => new ModelFitProblem({ model: compiled, observable: 'nope', parameters: [spec] }, data),
    ).toThrow(ModelFitError);
    expect(
      () =>
        new ModelFitProblem(
          { model: compiled, observable: 'total', parameters: [spec], fixed: { a: 1 } },
          data,
        ),
    ).toThrow(/both fitted and fixed/);
    expect(
      () =>
        new ModelFitProblem(
          { model: compiled, observable: 'total', parameters: [spec], timeOffset: -5 },
          data,
        ),
    ).toThrow(/before the start/);
  });
});

describe('ModelFitProblem: the ODE bi-exponential equals the closed form', () => {
  it('predictions match A e^{-a t} + B e^{-b t} to 1e-7 relative', () => {
    const compiled = biexpCompiled();
    const ts = [0.5, 10, 50, 100, 200, 365];
    const s: Series = { id: 'x', observations: ts.map((t) => ({ t, value: 1, censored: false })) };
    const problem = new ModelFitProblem(
      {
        model: compiled,
        observable: 'total',
        parameters: [
          { name: 'a', lo: 1e-3, hi: 1, scale: 'log' },
          { name: 'u_init', lo: 1, hi: 1e3, scale: 'log' },
        ],
      },
      [s],
    );
    const pred = problem.predictions([0.07, 120]) as Float64Array;
    for (const [i, t] of ts.entries()) {
      const exact = 120 * Math.exp(-0.07 * t) + Math.exp(-0.005 * t);
      expect(Math.abs(pred[i] - exact)).toBeLessThanOrEqual(1e-12 + 1e-7 * exact);
    }
  });
});

describe('tieParameters', () => {
  const model = loadReferenceModel('hahnel2020', { patient: 10 }).model;
  it('computes the tied parameter from the others at every start (X_init = pyx*Y_init/pxy)', () => {
    const compiled = compileModel(tieParameters(model, { X_init: 'pyx*Y_init/pxy' }));
    const j = compiled.parameterIds.indexOf('X_init');
    // patient 10: pyx 6.35e-4, pxy 4.47e-2, Y0 559804
    expect(compiled.p0[j]).toBeCloseTo((6.35e-4 * 559804) / 4.47e-2, 6);
    const p = compiled.p0.slice();
    p[compiled.parameterIds.indexOf('pyx')] = 1e-3;
    const keep = new Uint8Array(p.length);
    keep[compiled.parameterIds.indexOf('pyx')] = 1;
    const y0 = compiled.initialState(p, keep);
    expect(y0[compiled.stateIds.indexOf('X')]).toBeCloseTo((1e-3 * 559804) / 4.47e-2, 6);
  });
  it('names bad ties', () => {
    expect(() => tieParameters(model, { X_init: 'pyx*nope' })).toThrow(/'nope' is not a parameter/);
    expect(() => tieParameters(model, { nope: 'pyx' })).toThrow(/'nope' is not a parameter/);
    expect(() => tieParameters(model, { X_init: 'pyx+pxy' })).toThrow(/'pyx\+pxy' is neither/);
    expect(() => tieParameters(model, { X_init: 'X_init*2' })).toThrow(/cannot depend on itself/);
    expect(() => tieParameters(model, { X_init: 'pyx*-1' })).toThrow(
      /neither a parameter id nor a positive number/,
    );
  });
});
