import { describe, expect, it } from 'vitest';
import {
  adaptiveMetropolis,
  McmcError,
  type McmcResult,
  type McmcTarget,
  parameterDraws,
  summarizeMcmc,
} from '../../../src/fitting/mcmc/index.js';
import { type ParameterSpec, toUnbounded, toUnit } from '../../../src/fitting/transform.js';
import { standardNormal, streamFor } from '../../../src/numerics/random/index.js';

/** Gaussian log density with the given means, sds and a common correlation rho (compound symmetry). */
function gaussianTarget(means: readonly number[], sds: readonly number[], rho: number): McmcTarget {
  const d = means.length;
  // (R)^-1 = (I - c 1 1^T) / (1 - rho), c = rho / (1 + (d - 1) rho).
  const c = rho / (1 + (d - 1) * rho);
  return {
    parameters: means.map((m, j) => ({
      name: `x${j}`,
      lo: m - 30 * sds[j],
      hi: m + 30 * sds[j],
      scale: 'linear',
    })),
    logLikelihood(x) {
      let q = 0;
      let s = 0;
      for (let j = 0; j < d; j++) {
        const z = (x[j] - means[j]) / sds[j];
        q += z * z;
        s += z;
      }
      return (-0.5 * (q - c * s * s)) / (1 - rho);
    },
  };
}

/** Pooled sample covariance of the draws (natural values). */
function pooledCovariance(res: McmcResult): { mean: Float64Array; cov: Float64Array } {
  const d = res.d;
  const mean = new Float64Array(d);
  const cov = new Float64Array(d * d);
  let n = 0;
  for (const ch of res.chains)
    for (let i = 0; i < res.draws; i++) {
      n++;
      for (let j = 0; j < d; j++) mean[j] += ch.samples[i * d + j];
    }
  for (let j = 0; j < d; j++) mean[j] /= n;
  for (const ch of res.chains)
    for (let i = 0; i < res.draws; i++)
      for (let a = 0; a < d; a++)
        for (let b = 0; b < d; b++)
          cov[a * d + b] += (ch.samples[i * d + a] - mean[a]) * (ch.samples[i * d + b] - mean[b]);
  for (let k = 0; k < d * d; k++) cov[k] /= n - 1;
  return { mean, cov };
}

function checkGaussian(res: McmcResult, means: readonly number[], sds: readonly number[], rho: number) {
  const d = means.length;
  const sum = summarizeMcmc(res);
  const { cov } = pooledCovariance(res);
  for (let j = 0; j < d; j++) {
    const s = sum.parameters[`x${j}`];
    expect(Math.abs(s.mean - means[j])).toBeLessThanOrEqual(4 * s.mcseMean);
    expect(s.rhat).toBeLessThan(1.01);
    for (let k = 0; k < d; k++) {
      const exact = (j === k ? 1 : rho) * sds[j] * sds[k];
      expect(Math.abs(cov[j * d + k] - exact)).toBeLessThanOrEqual(0.1 * Math.abs(exact));
    }
  }
  return sum;
}

describe('adaptiveMetropolis on Gaussian targets (correlation 0.9)', () => {
  it('2-D: means within 4 MCSE, covariances within 10 %, R-hat < 1.01', () => {
    const means = [1, -2];
    const sds = [1, 0.5];
    const res = adaptiveMetropolis(gaussianTarget(means, sds, 0.9), { seed: 21, warmup: 2000, draws: 10000 });
    const sum = checkGaussian(res, means, sds, 0.9);
    expect(sum.converged).toBe(true);
    expect(res.evaluations).toBe(4 * (1 + 2000 + 10000));
  });

  it("2-D with adapt: 'always' (Haario's original, adaptation never stops) targets the same posterior", () => {
    const means = [1, -2];
    const sds = [1, 0.5];
    const res = adaptiveMetropolis(gaussianTarget(means, sds, 0.9), {
      seed: 22,
      warmup: 1000,
      draws: 10000,
      adapt: 'always',
    });
    checkGaussian(res, means, sds, 0.9);
  });

  it('5-D: also acceptance within the optimal 0.23-0.35 and the adapted proposal ~ (2.38^2/d) Sigma_u', () => {
    const means = [0, 1, -1, 2, 0.5];
    const sds = [1, 2, 0.5, 3, 1];
    const target = gaussianTarget(means, sds, 0.9);
    const res = adaptiveMetropolis(target, { seed: 5, warmup: 5000, draws: 20000 });
    const sum = checkGaussian(res, means, sds, 0.9);
    expect(sum.minEssBulk).toBeGreaterThan(2000);
    for (const a of sum.acceptance) {
      expect(a).toBeGreaterThan(0.23);
      expect(a).toBeLessThan(0.35);
    }
    // The proposal of chain 0 against the posterior covariance in working coordinates (within 25 %: it is
    // estimated from the second half of one chain's warm-up).
    const d = 5;
    const ps = target.parameters;
    const u = new Float64Array(res.draws * d);
    const ch = res.chains[0];
    for (let i = 0; i < res.draws; i++)
      for (let j = 0; j < d; j++) u[i * d + j] = toUnbounded(ps[j], ch.samples[i * d + j]);
    for (let j = 0; j < d; j++) {
      let m = 0;
      for (let i = 0; i < res.draws; i++) m += u[i * d + j];
      m /= res.draws;
      let v = 0;
      for (let i = 0; i < res.draws; i++) v += (u[i * d + j] - m) ** 2;
      v /= res.draws - 1;
      const ratio = (ch.proposalCovariance[j * d + j] * d) / (2.38 * 2.38) / v;
      expect(ratio).toBeGreaterThan(0.75);
      expect(ratio).toBeLessThan(1.25);
    }
  });
});

/** Exact gamma(shape, rate) posterior check: mean within 4 MCSE, sd within 5 % and 4 MCSE. */
function checkMoments(res: McmcResult, mean: number, sd: number) {
  const s = summarizeMcmc(res).parameters[res.names[0]];
  expect(Math.abs(s.mean - mean)).toBeLessThanOrEqual(4 * s.mcseMean);
  expect(Math.abs(s.sd - sd)).toBeLessThanOrEqual(Math.min(0.05 * sd, 4 * s.mcseSd));
  expect(s.rhat).toBeLessThan(1.01);
}

describe('conjugate posteriors (exact mean and sd)', () => {
  // Normal mean, known sd 2, prior N(0, 5^2), 20 observations.
  const sigma = 2;
  const tau0 = 5;
  const ys = (() => {
    const s = streamFor(8, ['purpose', 'test-data']);
    return Array.from({ length: 20 }, () => 3 + sigma * standardNormal(s));
  })();
  const ySum = ys.reduce((a, b) => a + b, 0);

  it('normal mean with known variance and a normal prior (logPrior on a linear range)', () => {
    const prec = 1 / tau0 ** 2 + ys.length / sigma ** 2;
    const postMean = ySum / sigma ** 2 / prec;
    const res = adaptiveMetropolis(
      {
        parameters: [{ name: 'mu', lo: -50, hi: 50, scale: 'linear' }],
        negLogLikelihood: (x) => ys.reduce((a, y) => a + (y - x[0]) ** 2, 0) / (2 * sigma ** 2),
        logPrior: (x) => -(x[0] ** 2) / (2 * tau0 ** 2),
      },
      { seed: 3, warmup: 1000, draws: 10000 },
    );
    checkMoments(res, postMean, 1 / Math.sqrt(prec));
  });

  // Poisson rate from 8 counts, sum 32.
  const counts = [3, 5, 2, 4, 6, 3, 4, 5];
  const kSum = counts.reduce((a, b) => a + b, 0);
  const poissonLogLik = (x: Float64Array) => kSum * Math.log(x[0]) - counts.length * x[0];
  const rate: ParameterSpec = { name: 'lambda', lo: 1e-3, hi: 1e3, scale: 'log' };

  it("Poisson rate, default prior on a 'log' spec = log-uniform: posterior Gamma(sum k, n)", () => {
    const res = adaptiveMetropolis(
      // lo = 1 puts the posterior near the lower end of the logit map, where a wrong Jacobian would show
      // (P(Gamma(32, 8) < 1) ~ 1e-10, so the truncation is negligible).
      { parameters: [{ ...rate, lo: 1 }], logLikelihood: poissonLogLik },
      { seed: 4, warmup: 1000, draws: 10000 },
    );
    checkMoments(res, kSum / counts.length, Math.sqrt(kSum) / counts.length);
  });

  it("Poisson rate with a Gamma(2, 1) logPrior on a 'log' spec: posterior Gamma(2 + sum k, 1 + n)", () => {
    const res = adaptiveMetropolis(
      { parameters: [rate], logLikelihood: poissonLogLik, logPrior: (x) => Math.log(x[0]) - x[0] },
      { seed: 4, warmup: 1000, draws: 10000 },
    );
    checkMoments(res, (2 + kSum) / (1 + counts.length), Math.sqrt(2 + kSum) / (1 + counts.length));
  });

  it("default prior on a 'linear' spec is uniform: posterior Gamma(1 + sum k, n)", () => {
    const res = adaptiveMetropolis(
      { parameters: [{ ...rate, lo: 0, hi: 100, scale: 'linear' }], logLikelihood: poissonLogLik },
      { seed: 4, warmup: 1000, draws: 10000 },
    );
    checkMoments(res, (1 + kSum) / counts.length, Math.sqrt(1 + kSum) / counts.length);
  });
});

describe('bounded targets', () => {
  it('every draw lies inside its range when the mass sits at the bounds; the truncated mean is right', () => {
    const a = 50;
    const res = adaptiveMetropolis(
      {
        parameters: [
          { name: 'up', lo: 0, hi: 1, scale: 'linear' },
          { name: 'down', lo: 1e-4, hi: 1, scale: 'log' },
        ],
        // Density of 'up' proportional to e^(a x) on [0, 1]; 'down' has e^(-1000 y) / y on [1e-4, 1].
        logLikelihood: (x) => a * x[0] - 1000 * x[1],
      },
      { seed: 9, warmup: 1000, draws: 5000 },
    );
    for (const ch of res.chains)
      for (let i = 0; i < res.draws; i++) {
        expect(ch.samples[2 * i] > 0 && ch.samples[2 * i] < 1).toBe(true);
        expect(ch.samples[2 * i + 1] > 1e-4 && ch.samples[2 * i + 1] < 1).toBe(true);
      }
    const s = summarizeMcmc(res).parameters.up;
    const exact = Math.exp(a) / Math.expm1(a) - 1 / a;
    expect(Math.abs(s.mean - exact)).toBeLessThanOrEqual(4 * s.mcseMean);
  });
});

describe('determinism and keyed streams', () => {
  const target = gaussianTarget([0, 0, 0], [1, 1, 1], 0.5);
  const bits = (a: Float64Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

  it('the same seed gives the same bits; another seed does not', () => {
    const a = adaptiveMetropolis(target, { seed: 77, warmup: 300, draws: 300 });
    const b = adaptiveMetropolis(target, { seed: 77, warmup: 300, draws: 300 });
    const c = adaptiveMetropolis(target, { seed: 78, warmup: 300, draws: 300 });
    a.chains.forEach((ch, i) => {
      expect(bits(ch.samples).equals(bits(b.chains[i].samples))).toBe(true);
      expect(bits(ch.proposalCovariance).equals(bits(b.chains[i].proposalCovariance))).toBe(true);
      expect(bits(ch.samples).equals(bits(c.chains[i].samples))).toBe(false);
    });
  });

  it("chain 1's draws do not depend on the number of chains (2 or 4)", () => {
    const two = adaptiveMetropolis(target, { seed: 5, chains: 2, warmup: 300, draws: 300 });
    const four = adaptiveMetropolis(target, { seed: 5, chains: 4, warmup: 300, draws: 300 });
    for (const c of [0, 1])
      expect(bits(two.chains[c].samples).equals(bits(four.chains[c].samples))).toBe(true);
  });

  it("'spread' starts stratify each range: 4 chains, one start per quarter on the first axis, thirds on the second", () => {
    const res = adaptiveMetropolis(target, { seed: 6, chains: 4, warmup: 0, draws: 5, margin: 0 });
    const ps = target.parameters;
    const quarters = res.chains.map((ch) => Math.floor(4 * toUnit(ps[0], ch.start[0]))).sort();
    expect(quarters).toEqual([0, 1, 2, 3]);
    const thirds = res.chains.slice(0, 3).map((ch) => Math.floor(3 * toUnit(ps[1], ch.start[1])));
    expect(thirds.sort()).toEqual([0, 1, 2]);
  });

  it('thinning keeps every k-th draw; explicit starts and LHS starts work', () => {
    const res = adaptiveMetropolis(target, {
      seed: 1,
      chains: 2,
      warmup: 10,
      draws: 7,
      thin: 3,
      start: [
        [0.1, 0.2, 0.3],
        [-1, -2, 3],
      ],
    });
    expect(res.chains[0].samples.length).toBe(21);
    // The start goes through the logit map and back: equal to rounding.
    [-1, -2, 3].forEach((v, j) => expect(res.chains[1].start[j]).toBeCloseTo(v, 12));
    expect(res.evaluations).toBe(2 * (1 + 10 + 21));
    expect(parameterDraws(res, 'x2')[1].length).toBe(7);
    const lhs = adaptiveMetropolis(target, { seed: 1, chains: 3, warmup: 10, draws: 5, start: 'lhs' });
    expect(lhs.chains.length).toBe(3);
  });

  it("adapt: 'never' keeps the initial proposal initialStep^2 I", () => {
    const res = adaptiveMetropolis(target, { seed: 1, chains: 1, warmup: 200, draws: 10, adapt: 'never' });
    const pc = res.chains[0].proposalCovariance;
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++) expect(pc[i * 3 + j]).toBe(i === j ? 0.1 * 0.1 : 0);
  });
});

describe('bad input', () => {
  const p: ParameterSpec = { name: 'k', lo: 0, hi: 1, scale: 'linear' };
  it('names the problem', () => {
    expect(() => adaptiveMetropolis({ parameters: [p] }, { seed: 1 })).toThrow(
      /exactly one of logLikelihood/,
    );
    expect(() =>
      adaptiveMetropolis({ parameters: [p], logLikelihood: () => 0, negLogLikelihood: () => 0 }, { seed: 1 }),
    ).toThrow(McmcError);
    expect(() =>
      adaptiveMetropolis({ parameters: [p], logLikelihood: () => 0 }, { seed: 1, chains: 0 }),
    ).toThrow(/'chains' must be an integer >= 1, got 0/);
    expect(() =>
      adaptiveMetropolis({ parameters: [{ ...p, scale: 'log' }], logLikelihood: () => 0 }, { seed: 1 }),
    ).toThrow(/log scale needs lo > 0/);
    expect(() =>
      adaptiveMetropolis({ parameters: [p], logLikelihood: () => 0 }, { seed: 1, chains: 1, start: [[2]] }),
    ).toThrow(/'k' = 2 must lie strictly inside \[0, 1\]/);
    expect(() =>
      adaptiveMetropolis(
        { parameters: [p], logLikelihood: () => Number.NaN },
        { seed: 1, chains: 1, maxStartTries: 5 },
      ),
    ).toThrow(/chain 0: no start with a finite log target in 5 attempts/);
  });

  it('rejects proposals whose likelihood is not finite (a failed solve) and stays where it is', () => {
    // Likelihood undefined above 0.5: the chain must never report a draw there.
    const res = adaptiveMetropolis(
      { parameters: [p], logLikelihood: (x) => (x[0] > 0.5 ? Number.NaN : 0) },
      { seed: 2, chains: 2, warmup: 200, draws: 2000, start: [[0.2], [0.3]] },
    );
    for (const ch of res.chains) for (const v of ch.samples) expect(v).toBeLessThanOrEqual(0.5);
  });
});
