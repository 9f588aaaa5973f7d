/**
 * fitBayes (the --bayes reduction of model-bayes.ts) on first-order decay y = Y0 e^{-k t} with Y0 and sigma known:
 * the posterior of k under the log-uniform prior on its range is, by Bayes, proportional to likelihood / k, which
 * the test integrates by quadrature on a fine grid (independent of the sampler). Plus the exact bookkeeping of the
 * histograms, the warnings and draws.csv.
 */
import { describe, expect, it } from 'vitest';
import type { Series } from '../../src/fitting/data.js';
import { summarizeDraws } from '../../src/fitting/mcmc/index.js';
import { ModelFitError, type ModelFitSetup } from '../../src/fitting/model-fit.js';
import { drawsCsv, fitBayes, histogram } from '../../src/fitting/model-fit-bayes.js';
import { standardNormal, streamFor } from '../../src/numerics/random/index.js';
import { decayCompiled } from './model-fit-fixture.js';

const model = decayCompiled();
const SIGMA = 0.2;
const TIMES = [0.5, 1, 2, 3, 5, 8];

function synthetic(id: string, k: number, seed: number): Series {
  const s = streamFor(seed, ['purpose', 'test-model-fit-bayes'], ['subject', id]);
  return {
    id,
    observations: TIMES.map((t) => ({
      t,
      value: 1000 * Math.exp(-k * t) * 10 ** (SIGMA * standardNormal(s)),
      censored: false,
    })),
  };
}

const series = [synthetic('a', 0.4, 1), synthetic('b', 0.25, 1)];
const setup: ModelFitSetup = {
  model,
  observable: 'Y',
  parameters: [{ name: 'e_tki', lo: 0.05, hi: 2, scale: 'log' }],
  sigma: SIGMA,
};

/** Posterior mean and sd of k by quadrature: density prop. to L(k)/k on [lo, hi] (uniform in ln k). */
function quadrature(s: Series): { mean: number; sd: number } {
  const N = 20000;
  const a = Math.log(0.05);
  const b = Math.log(2);
  let z = 0;
  let m1 = 0;
  let m2 = 0;
  const lls: number[] = [];
  for (let i = 0; i <= N; i++) {
    const k = Math.exp(a + ((b - a) * i) / N);
    let ll = 0;
    for (const o of s.observations) {
      const r = (Math.log10(o.value) - Math.log10(1000 * Math.exp(-k * o.t))) / SIGMA;
      ll -= 0.5 * r * r;
    }
    lls.push(ll);
  }
  const mx = Math.max(...lls);
  for (let i = 0; i <= N; i++) {
    const k = Math.exp(a + ((b - a) * i) / N);
    const w = Math.exp(lls[i] - mx) * (i === 0 || i === N ? 0.5 : 1);
    z += w;
    m1 += w * k;
    m2 += w * k * k;
  }
  const mean = m1 / z;
  return { mean, sd: Math.sqrt(m2 / z - mean * mean) };
}

describe('fitBayes: per-subject posteriors against quadrature', () => {
  const { result, raw } = fitBayes(setup, series, {
    seed: 4,
    chains: 4,
    warmup: 400,
    draws: 500,
    bandDraws: 40,
    gridPoints: 20,
  });

  it('has one posterior per subject, mean within 4 MCSE + 1 % and sd within 15 % of quadrature', () => {
    expect(result.subjects.map((s) => s.id)).toEqual(['a', 'b']);
    for (const s of result.subjects) {
      const q = quadrature(series.find((x) => x.id === s.id) as Series);
      const p = s.parameters[0];
      expect(p.name).toBe('e_tki');
      expect(Math.abs(p.mean - q.mean)).toBeLessThanOrEqual(4 * p.mcseMean + 0.01 * q.mean);
      expect(Math.abs(p.sd / q.sd - 1)).toBeLessThan(0.15);
      expect(p.q025).toBeLessThan(p.q50);
      expect(p.q50).toBeLessThan(p.q975);
    }
  });

  it('reports the diagnostics of the raw draws and warns exactly where they fail the thresholds', () => {
    for (const s of result.subjects) {
      const r = raw.get(s.id);
      expect(r).toBeDefined();
      const chains = (r?.mcmc.chains ?? []).map((c) => c.samples);
      const d = summarizeDraws(chains);
      const p = s.parameters[0];
      expect(p.rhat).toBe(d.rhat);
      expect(p.essBulk).toBe(d.essBulk);
      expect(p.essTail).toBe(d.essTail);
      const shouldWarn = d.rhat > 1.01 || d.essBulk < 400 || d.essTail < 400;
      expect(s.warnings.length > 0).toBe(shouldWarn);
      expect(s.converged).toBe(!shouldWarn);
    }
  });

  it('has histograms over all draws and predictive bands wider than the curve bands', () => {
    for (const s of result.subjects) {
      const h = s.histograms[0];
      expect(h.counts.reduce((a, b) => a + b, 0)).toBe(4 * 500);
      expect(h.edges).toHaveLength(31);
      expect(h.log).toBe(true);
      const b = s.bands;
      expect(b?.t).toHaveLength(20);
      for (let k = 0; k < 20; k++) {
        expect(b?.predictive.q025[k] as number).toBeLessThan(b?.curve.q025[k] as number);
        expect(b?.predictive.q975[k] as number).toBeGreaterThan(b?.curve.q975[k] as number);
      }
    }
  });

  it('writes every kept draw to draws.csv', () => {
    const lines = drawsCsv(raw).trim().split('\n');
    expect(lines[0]).toBe('subject,chain,draw,e_tki');
    expect(lines).toHaveLength(1 + 2 * 4 * 500);
    expect(lines[1].split(',')[0]).toBe('a');
  });
});

describe('histogram', () => {
  it('bins equal widths in ln x for log parameters and counts every finite draw', () => {
    const draws = Float64Array.from([1, 10, 100, 1000, Number.NaN]);
    const h = histogram('x', draws, 1, 0, true, 3);
    expect(h.counts).toEqual([1, 1, 2]);
    expect(h.edges[0]).toBeCloseTo(1, 12);
    expect(h.edges[1]).toBeCloseTo(10, 9);
    expect(h.edges[3]).toBeCloseTo(1000, 9);
    const lin = histogram('y', Float64Array.from([0, 1, 2, 3, 4]), 1, 0, false, 4);
    expect(lin.counts).toEqual([1, 1, 1, 2]);
  });
});

describe('fitBayes: errors', () => {
  it('rejects an empty series list', () => {
    expect(() => fitBayes(setup, [], { seed: 1 })).toThrow(ModelFitError);
  });
});
