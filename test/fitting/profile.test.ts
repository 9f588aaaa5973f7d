import { describe, expect, it } from 'vitest';
import { identifiability } from '../../src/fitting/identifiability.js';
import { nelderMead } from '../../src/fitting/nelder-mead.js';
import { chiSquare1Quantile, nelderMeadRefit, profileLikelihood } from '../../src/fitting/profile.js';
import type { ParameterSpec } from '../../src/fitting/transform.js';
import { standardNormal, streamFor } from '../../src/numerics/random/index.js';

describe('chiSquare1Quantile', () => {
  it('matches reference quantiles of chi2(1)', () => {
    // qchisq(p, 1) to 16 digits (R 4.x); 0.682689492137086 = P(|Z| <= 1) gives exactly 1.
    expect(Math.abs(chiSquare1Quantile(0.95) - 3.841458820694124)).toBeLessThan(1e-12);
    expect(Math.abs(chiSquare1Quantile(0.99) - 6.634896601021214)).toBeLessThan(1e-12);
    expect(Math.abs(chiSquare1Quantile(0.6826894921370859) - 1)).toBeLessThan(1e-12);
    expect(chiSquare1Quantile(0.95) / 2).toBeCloseTo(1.9207, 4);
    expect(() => chiSquare1Quantile(1)).toThrow(/level must lie in/);
  });
});

describe('profile likelihood of a one-parameter model', () => {
  it('needs no refit optimisation and gives the exact interval of a normal mean', () => {
    // NLL of n = 4 observations with mean mu, sd 1: 2 (mu - 1)^2 (+ const); interval 1 +- 1.96 / 2.
    const specs: ParameterSpec[] = [{ name: 'mu', lo: -5, hi: 5, scale: 'linear' }];
    const nll = (x: Float64Array) => 2 * (x[0] - 1) ** 2;
    const [p] = profileLikelihood({ specs, nll, refit: nelderMeadRefit(specs, nll) }, Float64Array.of(1), 0);
    const half = Math.sqrt(chiSquare1Quantile(0.95)) / 2;
    expect(p.verdict).toBe('identifiable');
    expect(Math.abs((p.lower ?? 0) - (1 - half))).toBeLessThan(1e-9);
    expect(Math.abs((p.upper ?? 0) - (1 + half))).toBeLessThan(1e-9);
  });
});

describe('profile likelihood and Wald analysis: linear regression with known sigma', () => {
  const sigma = 0.3;
  const t = Float64Array.from({ length: 12 }, (_, i) => i * 0.5);
  const noise = streamFor(17, ['purpose', 'test-linreg']);
  const y = Float64Array.from(t, (ti) => 1.5 + 0.8 * ti + sigma * standardNormal(noise));
  const specs: ParameterSpec[] = [
    { name: 'b0', lo: -10, hi: 10, scale: 'linear' },
    { name: 'b1', lo: -5, hi: 5, scale: 'linear' },
  ];
  const nll = (x: Float64Array) => {
    let s = 0;
    for (let i = 0; i < t.length; i++) s += ((y[i] - x[0] - x[1] * t[i]) / sigma) ** 2;
    return s / 2;
  };
  // Normal equations in closed form.
  const m = t.length;
  const st = t.reduce((a, b) => a + b, 0);
  const stt = t.reduce((a, b) => a + b * b, 0);
  const sy = y.reduce((a, b) => a + b, 0);
  const sty = t.reduce((a, ti, i) => a + ti * y[i], 0);
  const det = m * stt - st * st;
  const bhat = Float64Array.of((stt * sy - st * sty) / det, (m * sty - st * sy) / det);
  // (X^T X)^-1 sigma^2.
  const cov = [(stt / det) * sigma ** 2, (-st / det) * sigma ** 2, (m / det) * sigma ** 2];
  const se = [Math.sqrt(cov[0]), Math.sqrt(cov[2])];
  // Exact refit: least squares in the free coefficient.
  const refit = (j: number, v: number) => {
    const x = new Float64Array(2);
    x[j] = v;
    if (j === 1) x[0] = (sy - v * st) / m;
    else x[1] = (sty - v * st) / stt;
    return { x, value: nll(x), converged: true, evaluations: 1 };
  };

  it('profile intervals equal the exact chi-square intervals to 1e-6', () => {
    const half = Math.sqrt(chiSquare1Quantile(0.95));
    const seen: string[] = [];
    const profiles = profileLikelihood({ specs, nll, refit }, bhat, nll(bhat), {
      onPoint: (name) => seen.push(name),
    });
    for (const j of [0, 1]) {
      const p = profiles[j];
      expect(p.verdict).toBe('identifiable');
      expect(Math.abs((p.lower ?? Number.NaN) - (bhat[j] - half * se[j]))).toBeLessThan(1e-6);
      expect(Math.abs((p.upper ?? Number.NaN) - (bhat[j] + half * se[j]))).toBeLessThan(1e-6);
      for (let k = 1; k < p.points.length; k++)
        expect(p.points[k].value).toBeGreaterThanOrEqual(p.points[k - 1].value);
      for (const q of p.points) expect(q.x[j]).toBe(q.value);
      expect(p.better).toBeUndefined();
    }
    expect(seen.filter((s) => s === 'b0').length).toBe(profiles[0].points.length - 1);
    // At 99 % the interval widens by sqrt(6.6349 / 3.8415).
    const p99 = profileLikelihood({ specs, nll, refit }, bhat, nll(bhat), { level: 0.99, parameters: [1] });
    expect(p99.length).toBe(1);
    expect(
      Math.abs((p99[0].upper ?? 0) - (bhat[1] + Math.sqrt(chiSquare1Quantile(0.99)) * se[1])),
    ).toBeLessThan(1e-6);
  });

  it('plain linear interpolation (refine 0) is close but coarser', () => {
    const [p] = profileLikelihood({ specs, nll, refit }, bhat, nll(bhat), { parameters: [1], refine: 0 });
    const exact = bhat[1] + Math.sqrt(chiSquare1Quantile(0.95)) * se[1];
    expect(Math.abs((p.upper ?? 0) - exact)).toBeLessThan(0.05 * se[1]);
  });

  it('reports a better optimum found while profiling', () => {
    const off = Float64Array.of(bhat[0] + 0.3, bhat[1]);
    const [p] = profileLikelihood({ specs, nll, refit }, off, nll(off), { parameters: [1] });
    expect(p.better).toBeDefined();
    expect(p.better?.nll).toBeLessThan(nll(off));
  });

  it('Wald standard errors and correlation equal (X^T X)^-1 sigma^2', () => {
    const J = new Float64Array(m * 2);
    for (let i = 0; i < m; i++) {
      J[2 * i] = -1 / sigma;
      J[2 * i + 1] = -t[i] / sigma;
    }
    const r = identifiability(J, m, specs, bhat);
    expect(r.rank).toBe(2);
    expect(Math.abs(r.standardErrors[0] / se[0] - 1)).toBeLessThan(1e-12);
    expect(Math.abs(r.standardErrors[1] / se[1] - 1)).toBeLessThan(1e-12);
    expect(Math.abs(r.correlation[1] - cov[1] / (se[0] * se[1]))).toBeLessThan(1e-12);
    expect(r.correlation[2]).toBe(r.correlation[1]);
    expect(r.nullDirections).toEqual([]);
    // Eigenvalues of X^T X / sigma^2: trace and determinant.
    const tr = (m + stt) / sigma ** 2;
    const dt = det / sigma ** 4;
    expect(Math.abs(r.eigenvalues[0] + r.eigenvalues[1] - tr) / tr).toBeLessThan(1e-13);
    expect(Math.abs((r.eigenvalues[0] * r.eigenvalues[1]) / dt - 1)).toBeLessThan(1e-12);
    expect(r.conditionNumber).toBeCloseTo(r.eigenvalues[1] / r.eigenvalues[0], 10);
    expect(r.verdicts).toEqual({ b0: 'identifiable', b1: 'identifiable' });
    const half = Math.sqrt(chiSquare1Quantile(0.95));
    expect(r.intervals?.[1]?.upper).toBeCloseTo(bhat[1] + half * se[1], 12);
  });
});

describe('structural non-identifiability: y = a b exp(-c t)', () => {
  const sigma = 0.05;
  const t = Float64Array.from({ length: 11 }, (_, i) => i * 0.5);
  const noise = streamFor(23, ['purpose', 'test-abc']);
  const y = Float64Array.from(t, (ti) => 3 * Math.exp(-0.7 * ti) + sigma * standardNormal(noise));
  const specs: ParameterSpec[] = [
    { name: 'a', lo: 0.1, hi: 10, scale: 'log' },
    { name: 'b', lo: 0.1, hi: 10, scale: 'log' },
    { name: 'c', lo: 0.01, hi: 10, scale: 'log' },
  ];
  const nll = (x: Float64Array) => {
    let s = 0;
    for (let i = 0; i < t.length; i++) s += ((y[i] - x[0] * x[1] * Math.exp(-x[2] * t[i])) / sigma) ** 2;
    return s / 2;
  };
  // Optimum over (P = a b, c), then split P = 2 * (P / 2).
  const fit = nelderMead(
    (u) => nll(Float64Array.of(2, Math.exp(u[0]) / 2, Math.exp(u[1]))),
    [Math.log(2), Math.log(0.5)],
    { fTol: 1e-14, xTol: 1e-10, maxEvaluations: 5000, restarts: 2 },
  );
  const xhat = Float64Array.of(2, Math.exp(fit.x[0]) / 2, Math.exp(fit.x[1]));
  const nllMin = nll(xhat);
  const refit = nelderMeadRefit(specs, nll, { fTol: 1e-12, xTol: 1e-9, maxEvaluations: 4000 });

  it('profiles of a and b are flat (structural), c is identifiable', () => {
    const profiles = profileLikelihood({ specs, nll, refit }, xhat, nllMin);
    expect(profiles.map((p) => p.verdict)).toEqual([
      'structurally-non-identifiable',
      'structurally-non-identifiable',
      'identifiable',
    ]);
    // Flat: between a = 0.5 and a = 10 the profile stays at the minimum.
    for (const q of profiles[0].points) if (q.value >= 0.5) expect(q.nll - nllMin).toBeLessThan(1e-6);
    // The rise below a ~ 0.3 only comes from b reaching its upper bound 10 (a b ~ 3): flagged as range-limited.
    expect(profiles[0].limitedBy?.lower).toEqual(['b']);
    expect(profiles[2].limitedBy).toBeUndefined();
    const c = profiles[2];
    expect(c.lower).toBeLessThan(xhat[2]);
    expect(c.upper).toBeGreaterThan(xhat[2]);
  });

  it('the Fisher information has rank 2 with null direction (1, -1, 0)/sqrt2 in log coordinates', () => {
    const m = t.length;
    const J = new Float64Array(m * 3);
    const [a, b, c] = xhat;
    for (let i = 0; i < m; i++) {
      const e = Math.exp(-c * t[i]);
      J[3 * i] = (-b * e) / sigma;
      J[3 * i + 1] = (-a * e) / sigma;
      J[3 * i + 2] = (a * b * t[i] * e) / sigma;
    }
    const r = identifiability(J, m, specs, xhat);
    expect(r.rank).toBe(2);
    expect(r.nullDirections.length).toBe(1);
    const v = r.nullDirections[0].vector;
    expect(Math.abs(v[0] - Math.SQRT1_2)).toBeLessThan(1e-12);
    expect(Math.abs(v[1] + Math.SQRT1_2)).toBeLessThan(1e-12);
    expect(Math.abs(v[2])).toBeLessThan(1e-12);
    expect(r.eigenvalues[0]).toBeLessThan(1e-20 * r.eigenvalues[2]);
    expect(r.conditionNumber).toBeGreaterThan(1e20);
    expect(r.standardErrors[0]).toBe(Number.POSITIVE_INFINITY);
    expect(r.standardErrors[1]).toBe(Number.POSITIVE_INFINITY);
    expect(Number.isFinite(r.standardErrors[2])).toBe(true);
    expect(r.strongPairs).toContainEqual({ a: 'a', b: 'b', r: -1 });
    expect(r.verdicts).toEqual({
      a: 'structurally-non-identifiable',
      b: 'structurally-non-identifiable',
      c: 'identifiable',
    });
    expect(r.intervals?.[0]).toBeNull();
  });
});

describe('practical non-identifiability: saturating y = V x / (K + x) observed only at x << K', () => {
  const x = Float64Array.from({ length: 10 }, (_, i) => 0.1 * (i + 1));
  const y = Float64Array.from(x, (xi) => (10 * xi) / (5 + xi));
  // Noise level chosen so the best straight line (the K -> infinity limit) is 1 NLL unit worse than the truth: the
  // data cannot rule out K -> infinity at 95 % (threshold 1.92), but do rule out small K.
  const slope = x.reduce((s, xi, i) => s + xi * y[i], 0) / x.reduce((s, xi) => s + xi * xi, 0);
  const rssLine = x.reduce((s, xi, i) => s + (y[i] - slope * xi) ** 2, 0);
  const sigma = Math.sqrt(rssLine / 2);
  const specs: ParameterSpec[] = [
    { name: 'V', lo: 0.1, hi: 1e5, scale: 'log' },
    { name: 'K', lo: 0.01, hi: 1e4, scale: 'log' },
  ];
  const nll = (p: Float64Array) => {
    let s = 0;
    for (let i = 0; i < x.length; i++) s += ((y[i] - (p[0] * x[i]) / (p[1] + x[i])) / sigma) ** 2;
    return s / 2;
  };
  const xhat = Float64Array.of(10, 5);

  it('the profile of K crosses the threshold below the estimate only (one-sided, open above)', () => {
    const refit = nelderMeadRefit(specs, nll, { fTol: 1e-13, xTol: 1e-10, maxEvaluations: 2000 });
    const [pK] = profileLikelihood({ specs, nll, refit }, xhat, nll(xhat), { parameters: [1] });
    expect(nll(xhat)).toBe(0);
    expect(pK.verdict).toBe('practically-non-identifiable');
    expect(pK.upper).toBeNull();
    expect(pK.lower).not.toBeNull();
    expect(pK.lower).toBeLessThan(5);
    // The profile rises towards the straight-line limit (1 NLL unit) but stays below the threshold.
    const last = pK.points[pK.points.length - 1];
    expect(last.value).toBe(1e4);
    expect(last.nll).toBeGreaterThan(0.9);
    expect(last.nll).toBeLessThan(chiSquare1Quantile(0.95) / 2);
  });

  it('a crossing caused only by another parameter reaching its range bound does not make V identifiable', () => {
    const refit = nelderMeadRefit(specs, nll, { fTol: 1e-13, xTol: 1e-10, maxEvaluations: 2000 });
    const [pV] = profileLikelihood({ specs, nll, refit }, xhat, nll(xhat), { parameters: [0] });
    expect(pV.lower).toBeLessThan(10);
    expect(pV.limitedBy).toEqual({ upper: ['K'] });
    expect(pV.verdict).toBe('practically-non-identifiable');
  });
});
