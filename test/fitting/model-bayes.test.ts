/**
 * bayesFit against the exact posterior of a model whose solution is closed-form: first-order decay
 * Y(t) = Y_init e^{-e_tki t}, written as an .exm model and solved by the ODE engine. Under the flat range prior
 * (log-uniform on both parameters) the posterior density in (ln e_tki, ln Y_init) is proportional to the
 * likelihood, which the test evaluates in closed form (log10-normal with Tobit terms for the censored points) on
 * a fine grid: posterior means, sds and curve quantiles by quadrature are the reference.
 */
import { describe, expect, it } from 'vitest';
import type { Series } from '../../src/fitting/data.js';
import { bayesFit } from '../../src/fitting/model-bayes.js';
import { ModelFitError, ModelFitProblem, type ModelFitSetup } from '../../src/fitting/model-fit.js';
import { logNormalCdf } from '../../src/fitting/objective.js';
import { compileModel } from '../../src/models/compile/compile.js';
import { parseModel } from '../../src/models/text/index.js';
import { standardNormal, streamFor } from '../../src/numerics/random/index.js';

const DECAY = `model decay
  compartment c = 1
  substanceOnly species Y in c
  Y_init = 1000
  Y = Y_init
  e_tki = 0.4
  kill: Y => ; e_tki*Y
end`;

const model = compileModel(parseModel(DECAY, 'decay.exm'));
const TRUE = { k: 0.4, y0: 1000, sigma: 0.15 };
const LIMIT = 20;
const TIMES = [0.5, 1, 2, 3, 4, 6, 8, 10, 12];
const LN10 = Math.LN10;

/** Synthetic data: log10-normal noise from a keyed stream, values below LIMIT reported as "< LIMIT". */
function synthetic(seed: number): Series {
  const s = streamFor(seed, ['purpose', 'test-model-bayes']);
  return {
    id: 'p1',
    observations: TIMES.map((t) => {
      const v = TRUE.y0 * Math.exp(-TRUE.k * t) * 10 ** (TRUE.sigma * standardNormal(s));
      return v < LIMIT ? { t, value: LIMIT, censored: true } : { t, value: v, censored: false };
    }),
  };
}

const data = synthetic(11);

/** Exact log-likelihood (constants included) at natural k, y0, sigma. */
function logLik(k: number, y0: number, sigma: number): number {
  let ll = 0;
  for (const o of data.observations) {
    const z = (Math.log10(o.value) - (Math.log10(y0) - (k * o.t) / LN10)) / sigma;
    ll += o.censored ? logNormalCdf(z) : -0.5 * z * z - Math.log(sigma) - 0.5 * Math.log(2 * Math.PI);
  }
  return ll;
}

interface GridPosterior {
  /** Posterior mean and sd of each natural coordinate. */
  mean: [number, number];
  sd: [number, number];
  /** Largest log-likelihood on the fine grid. */
  maxLl: number;
  /** Posterior expectation and median of g(a, b) over the fine grid. */
  expectation(g: (a: number, b: number) => number): number;
  median(g: (a: number, b: number) => number): number;
}

/**
 * Posterior on a grid in (ln a, ln b) with density proportional to exp(ll): a coarse pass over the prior box
 * finds the mass, then an n x n midpoint grid over the mode +- 9 sd (clipped to the box).
 */
function gridPosterior(
  ll: (a: number, b: number) => number,
  boxA: [number, number],
  boxB: [number, number],
  n = 400,
): GridPosterior {
  const pass = (la: [number, number], lb: [number, number], m: number) => {
    const w = new Float64Array(m * m);
    const av = new Float64Array(m);
    const bv = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      av[i] = Math.exp(la[0] + ((i + 0.5) * (la[1] - la[0])) / m);
      bv[i] = Math.exp(lb[0] + ((i + 0.5) * (lb[1] - lb[0])) / m);
    }
    let max = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < m; i++)
      for (let j = 0; j < m; j++) {
        w[i * m + j] = ll(av[i], bv[j]);
        max = Math.max(max, w[i * m + j]);
      }
    const maxLl = max;
    let z = 0;
    for (let q = 0; q < m * m; q++) {
      w[q] = Math.exp(w[q] - max);
      z += w[q];
    }
    for (let q = 0; q < m * m; q++) w[q] /= z;
    const mom = (f: (a: number, b: number) => number) => {
      let s = 0;
      for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) s += w[i * m + j] * f(av[i], bv[j]);
      return s;
    };
    return { w, av, bv, mom, maxLl };
  };
  const box = (x: [number, number]): [number, number] => [Math.log(x[0]), Math.log(x[1])];
  const coarse = pass(box(boxA), box(boxB), 200);
  const la = coarse.mom((a) => Math.log(a));
  const lb = coarse.mom((_, b) => Math.log(b));
  const sa = Math.sqrt(coarse.mom((a) => (Math.log(a) - la) ** 2));
  const sb = Math.sqrt(coarse.mom((_, b) => (Math.log(b) - lb) ** 2));
  const clip = (c: number, s: number, bx: [number, number]): [number, number] => [
    Math.max(Math.log(bx[0]), c - 9 * s),
    Math.min(Math.log(bx[1]), c + 9 * s),
  ];
  const fine = pass(clip(la, sa, boxA), clip(lb, sb, boxB), n);
  const ma = fine.mom((a) => a);
  const mb = fine.mom((_, b) => b);
  return {
    mean: [ma, mb],
    sd: [Math.sqrt(fine.mom((a) => (a - ma) ** 2)), Math.sqrt(fine.mom((_, b) => (b - mb) ** 2))],
    maxLl: fine.maxLl,
    expectation: fine.mom,
    median(g) {
      const vals: { v: number; w: number }[] = [];
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) vals.push({ v: g(fine.av[i], fine.bv[j]), w: fine.w[i * n + j] });
      vals.sort((x, y) => x.v - y.v);
      let c = 0;
      for (const x of vals) {
        c += x.w;
        if (c >= 0.5) return x.v;
      }
      return vals[vals.length - 1].v;
    },
  };
}

const K_RANGE: [number, number] = [0.05, 3];
const Y_RANGE: [number, number] = [10, 1e5];
const setup: ModelFitSetup = {
  model,
  observable: 'Y',
  parameters: [
    { name: 'e_tki', lo: K_RANGE[0], hi: K_RANGE[1], scale: 'log' },
    { name: 'Y_init', lo: Y_RANGE[0], hi: Y_RANGE[1], scale: 'log' },
  ],
};

describe('bayesFit: posterior of a decay model with censoring against grid quadrature', () => {
  it('the data have censored and measured points (test self-check)', () => {
    const c = data.observations.filter((o) => o.censored).length;
    expect(c).toBeGreaterThanOrEqual(1);
    expect(data.observations.length - c).toBeGreaterThanOrEqual(6);
  });

  const sigma = TRUE.sigma;
  const r = bayesFit(setup, [data], {
    seed: 3,
    sigma,
    chains: 4,
    warmup: 600,
    draws: 1000,
    trajectoryQuantiles: 400,
    gridPoints: 25,
  });
  const exact = gridPosterior((k, y0) => logLik(k, y0, sigma), K_RANGE, Y_RANGE);

  it('R-hat < 1.05 and sane acceptance', () => {
    expect(r.summary.maxRhat).toBeLessThan(1.05);
    for (const a of r.acceptance) {
      expect(a).toBeGreaterThan(0.1);
      expect(a).toBeLessThan(0.7);
    }
    expect(r.names).toEqual(['e_tki', 'Y_init']);
    expect(r.draws.length).toBe(4 * 1000 * 2);
  });

  it('posterior means within 4 MCSE and sds within 10 % of the quadrature values', () => {
    ['e_tki', 'Y_init'].forEach((name, j) => {
      const s = r.summary.parameters[name];
      expect(Math.abs(s.mean - exact.mean[j])).toBeLessThanOrEqual(4 * s.mcseMean);
      expect(Math.abs(s.sd / exact.sd[j] - 1)).toBeLessThanOrEqual(0.1);
    });
  });

  it('the best draw reports its full NLL as ModelFitProblem computes it, near the grid maximum', () => {
    const p = new ModelFitProblem({ ...setup, jacobian: 'finite-difference' }, [data]);
    const x = Float64Array.of(r.best.x.e_tki, r.best.x.Y_init);
    const nll = p.fullNll(x, sigma).nll;
    expect(Math.abs(r.best.nll - nll)).toBeLessThanOrEqual(1e-9 * Math.abs(nll) + 1e-9);
    // ...and equals the closed-form likelihood to ODE accuracy.
    expect(Math.abs(-logLik(x[0], x[1], sigma) - nll)).toBeLessThan(1e-5);
    // The best of 4000 posterior draws in 2-D sits within ~0.1 of the maximum log-likelihood (grid maximum).
    const maxLl = exact.maxLl;
    expect(r.best.nll).toBeGreaterThanOrEqual(-maxLl - 1e-3); // the grid misses the maximum by < 1e-3
    expect(r.best.nll).toBeLessThan(-maxLl + 0.1);
  });

  it('the curve band median matches the posterior median of Y(t) from quadrature; predictive is wider', () => {
    const b = r.bands;
    expect(b).toBeDefined();
    if (!b) return;
    expect(b.used).toBe(400);
    expect(b.failed).toBe(0);
    expect(b.t[0]).toBe(0.5);
    expect(b.t[b.t.length - 1]).toBe(12);
    for (const g of [0, 12, 24]) {
      const t = b.t[g];
      const g0 = (k: number, y0: number) => Math.log(y0) - k * t;
      const exactMedian = exact.median(g0);
      const mean = exact.expectation(g0);
      const sdLog = Math.sqrt(exact.expectation((k, y0) => (g0(k, y0) - mean) ** 2));
      // Tolerance 0.2 posterior sd of ln Y(t): the MC error of a median of 400 thinned, nearly independent
      // draws is ~1.25 / sqrt(400) = 0.06 sd.
      expect(Math.abs(Math.log(b.curve.q50[g]) - exactMedian)).toBeLessThanOrEqual(0.2 * sdLog + 1e-3);
      expect(b.curve.q025[g]).toBeLessThan(b.curve.q50[g]);
      expect(b.curve.q50[g]).toBeLessThan(b.curve.q975[g]);
      expect(b.predictive.q975[g] / b.predictive.q025[g]).toBeGreaterThan(b.curve.q975[g] / b.curve.q025[g]);
      // The predictive width is dominated by the noise: log10 ratio ~ 2 * 1.96 * sigma when the curve is tight.
      expect(Math.log10(b.predictive.q975[g] / b.predictive.q025[g])).toBeGreaterThan(3.92 * sigma * 0.85);
    }
  });
});

describe('bayesFit: sampled sigma against grid quadrature over (e_tki, sigma)', () => {
  const S_RANGE: [number, number] = [0.02, 2];
  const r = bayesFit({ ...setup, parameters: [setup.parameters[0]], fixed: { Y_init: TRUE.y0 } }, [data], {
    seed: 5,
    sigma: 'estimate',
    sigmaRange: S_RANGE,
    chains: 4,
    warmup: 600,
    draws: 1000,
    trajectoryQuantiles: 0,
  });
  const exact = gridPosterior((k, s) => logLik(k, TRUE.y0, s), K_RANGE, S_RANGE);

  it('samples sigma under its log-uniform prior: means within 4 MCSE, sds within 10 %, R-hat < 1.05', () => {
    expect(r.names).toEqual(['e_tki', 'sigma']);
    expect(r.prior).toContain('sigma ~ log-uniform[0.02, 2]');
    expect(r.summary.maxRhat).toBeLessThan(1.05);
    expect(r.bands).toBeUndefined();
    ['e_tki', 'sigma'].forEach((name, j) => {
      const s = r.summary.parameters[name];
      expect(Math.abs(s.mean - exact.mean[j])).toBeLessThanOrEqual(4 * s.mcseMean);
      expect(Math.abs(s.sd / exact.sd[j] - 1)).toBeLessThanOrEqual(0.1);
    });
  });
});

describe('bayesFit: bad options', () => {
  it('rejects a non-positive sigma, a bad sigma range and a sigma-named parameter', () => {
    expect(() => bayesFit(setup, [data], { seed: 1, sigma: 0 })).toThrow(/option 'sigma'/);
    expect(() => bayesFit(setup, [data], { seed: 1, sigma: 'estimate', sigmaRange: [1, 0.5] })).toThrow(
      /sigmaRange/,
    );
    expect(() => bayesFit(setup, [], { seed: 1, sigma: 0.1 })).toThrow(ModelFitError);
    expect(() => bayesFit(setup, [data], { seed: 1, sigma: 0.1, gridPoints: 1 })).toThrow(/gridPoints/);
  });
});
