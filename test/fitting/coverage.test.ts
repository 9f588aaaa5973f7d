/**
 * Coverage of the profile-likelihood intervals: R synthetic patients, each a biphasic BCR-ABL-like decline
 * y(t) = 100 ((1 - f) e^{-a t} + f e^{-b t}) measured every 2 months for 4 years with log10-normal noise (sigma
 * 0.15, known) and left-censoring at 1e-3 %, as in fit-recovery.test.ts. Each patient is fitted by bounded least
 * squares (least-squares.ts; the censored points enter as pseudo-residuals whose squares are twice their Tobit
 * terms, so 0.5 ||r||^2 is the negative log-likelihood of objective.ts), then each parameter is profiled
 * (profile.ts, refits by least squares with the parameter fixed). A 95 % interval should contain the true value in
 * about 95 % of the patients: with R = 200 the binomial standard error is 1.5 %, and the test accepts 90-99.5 %
 * (below: -3.2 SE; the upper end only guards against intervals that are far too wide). The numbers are printed.
 */
import { describe, expect, it } from 'vitest';
import type { Series } from '../../src/fitting/data.js';
import { leastSquares } from '../../src/fitting/least-squares.js';
import { logNormalCdf, seriesNll } from '../../src/fitting/objective.js';
import { profileLikelihood } from '../../src/fitting/profile.js';
import type { ParameterSpec } from '../../src/fitting/transform.js';
import { standardNormal, streamFor } from '../../src/numerics/random/index.js';

const TRUE = [0.9, 0.2, 2e-3]; // a, b (per month), f
const LOD = 1e-3;
const SIGMA = 0.15;
const R = 200;
const SPECS: ParameterSpec[] = [
  { name: 'a', lo: 0.05, hi: 5, scale: 'log' },
  { name: 'b', lo: 0.005, hi: 1, scale: 'log' },
  { name: 'f', lo: 1e-5, hi: 0.1, scale: 'log' },
];
const decay = (x: ArrayLike<number>, t: number) =>
  100 * ((1 - x[2]) * Math.exp(-x[0] * t) + x[2] * Math.exp(-x[1] * t));

function patient(r: number): Series {
  const s = streamFor(2027, ['purpose', 'test-fit-coverage'], ['patient', r]);
  const observations = Array.from({ length: 25 }, (_, i) => {
    const t = 2 * i;
    const y = decay(TRUE, t) * 10 ** (SIGMA * standardNormal(s));
    return y < LOD ? { t, value: LOD, censored: true } : { t, value: y, censored: false };
  });
  return { id: String(r), observations };
}

/** Residuals in the log coordinates w = ln x of the free parameters (`fixed`: index and value held, or -1). */
function residualProblem(data: Series, fixed: number, fixedValue: number) {
  const free = [0, 1, 2].filter((j) => j !== fixed);
  const x = new Float64Array(3);
  if (fixed >= 0) x[fixed] = fixedValue;
  return {
    free,
    problem: {
      n: free.length,
      m: data.observations.length,
      lo: free.map((j) => Math.log(SPECS[j].lo)),
      hi: free.map((j) => Math.log(SPECS[j].hi)),
      residuals(w: Float64Array, r: Float64Array): boolean {
        free.forEach((j, k) => {
          x[j] = Math.exp(w[k]);
        });
        data.observations.forEach((o, i) => {
          const z = (Math.log10(o.value) - Math.log10(Math.max(decay(x, o.t), 1e-12))) / SIGMA;
          r[i] = o.censored ? Math.sqrt(-2 * logNormalCdf(z)) : z;
        });
        return true;
      },
    },
  };
}

function fitPatient(
  data: Series,
  fixed = -1,
  fixedValue = 0,
  start: ArrayLike<number> = TRUE.map((v) => v * 1.5),
) {
  const { free, problem } = residualProblem(data, fixed, fixedValue);
  const w0 = free.map((j) => Math.log(start[j]));
  const res = leastSquares(problem, w0, { ftol: 1e-12, xtol: 1e-10, gtol: 1e-10 });
  const x = Float64Array.from(start);
  if (fixed >= 0) x[fixed] = fixedValue;
  free.forEach((j, k) => {
    x[j] = Math.exp(res.x[k]);
  });
  return { x, value: res.cost, converged: res.status !== 'failed', evaluations: res.evaluations };
}

describe('profile-likelihood intervals cover the truth at their nominal level', () => {
  it(`${R} synthetic censored patients: 95 % coverage of a, b and f within the binomial band`, () => {
    const covered = [0, 0, 0];
    let censored = 0;
    let objectiveMatches = 0;
    for (let r = 0; r < R; r++) {
      const data = patient(r);
      censored += data.observations.filter((o) => o.censored).length;
      const best = fitPatient(data);
      // 0.5 ||r||^2 of the pseudo-residuals is the Tobit NLL of objective.ts.
      const nll = seriesNll(
        data,
        data.observations.map((o) => decay(best.x, o.t)),
        { sigma: SIGMA },
      );
      if (Math.abs(nll - best.value) <= 1e-9 * Math.max(1, nll)) objectiveMatches++;
      const profiles = profileLikelihood(
        {
          specs: SPECS,
          nll: (x) =>
            seriesNll(
              data,
              data.observations.map((o) => decay(x, o.t)),
              { sigma: SIGMA },
            ),
          refit: (j, v, x0) => fitPatient(data, j, v, x0),
        },
        best.x,
        best.value,
        { refine: 10, crossingTol: 1e-6 },
      );
      profiles.forEach((p, j) => {
        const lo = p.lower ?? SPECS[j].lo;
        const hi = p.upper ?? SPECS[j].hi;
        if (lo <= TRUE[j] && TRUE[j] <= hi) covered[j]++;
      });
    }
    const coverage = covered.map((c) => c / R);
    console.log(
      `coverage over ${R} patients (${(censored / R).toFixed(1)} censored points each on average): a ${coverage[0]}, b ${coverage[1]}, f ${coverage[2]}`,
    );
    expect(censored).toBeGreaterThan(R); // the censoring is exercised
    expect(objectiveMatches).toBe(R);
    for (const c of coverage) {
      expect(c).toBeGreaterThanOrEqual(0.9);
      expect(c).toBeLessThanOrEqual(0.995);
    }
  }, 60_000);
});
