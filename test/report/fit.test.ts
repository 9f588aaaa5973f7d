import { beforeAll, describe, expect, it } from 'vitest';
import type { Series } from '../../src/fitting/data.js';
import type { ModelFitSetup } from '../../src/fitting/model-fit.js';
import { fitBayes } from '../../src/fitting/model-fit-bayes.js';
import { fitPopulation } from '../../src/fitting/model-fit-population.js';
import type { ModelFitResult, SubjectFit } from '../../src/fitting/model-fit-run.js';
import {
  fitResultJson,
  renderBayesReport,
  renderFitReport,
  renderPopulationReport,
} from '../../src/report/fit.js';
import { decayCompiled } from '../fitting/model-fit-fixture.js';
import { dataMarks, figuresOf } from './svg.js';

const CREATED = '2026-11-27T08:00:00.000Z';

/** A hand-made subject: 6 measured and 2 censored points, a curve, two profiles and identifiability. */
function subject(id: string, withProfiles: boolean): SubjectFit {
  const ts = [0, 3, 6, 9, 12, 18, 24, 30];
  const y = (t: number) => 40 * Math.exp(-1.2 * t) + 0.05 * Math.exp(-0.04 * t);
  const residuals = ts.map((t, i) => {
    const censored = i >= 6;
    const observed = censored ? 0.1 : y(t) * 10 ** (0.1 * Math.sin(i));
    const residual = Math.log10(observed) - Math.log10(y(t));
    return {
      series: id,
      t,
      observed,
      predicted: y(t),
      censored,
      residual,
      contribution: 0.5 * (residual / 0.2) ** 2,
    };
  });
  const grid = Array.from({ length: 31 }, (_, k) => k);
  const profile = (name: string, est: number, lower: number | null, upper: number | null) => ({
    name,
    estimate: est,
    lower,
    upper,
    verdict: (lower !== null && upper !== null ? 'identifiable' : 'practically-non-identifiable') as
      | 'identifiable'
      | 'practically-non-identifiable',
    points: [0.5, 0.8, 1, 1.25, 2].map((f) => ({ value: est * f, nll: 3 + 2 * Math.log(f) ** 2 })),
    threshold: 3 + 1.920729,
  });
  return {
    id,
    series: [id],
    estimates: { e_tki: 2.7048, pxy: 0.0090673 },
    sigma: 0.3732,
    sigmaEstimated: true,
    nll: 10.831936,
    objective: 8.4,
    initialNll: 18.4866,
    aic: 27.663872,
    bic: 31.3,
    k: 3,
    observations: 8,
    censored: 2,
    residuals,
    rmsLog10: 0.07,
    trajectory: [{ id, t: grid, y: grid.map(y) }],
    starts: [
      {
        start: 0,
        from: { e_tki: 2.77, pxy: 0.0447 },
        estimates: { e_tki: 2.7048, pxy: 0.0090673 },
        nll: 10.831936,
        converged: true,
        evaluations: 40,
      },
      {
        start: 1,
        from: { e_tki: 9, pxy: 0.1 },
        estimates: { e_tki: 3.1, pxy: 0.2 },
        nll: 14.2,
        converged: true,
        evaluations: 55,
      },
    ],
    clusters: [{ estimates: { e_tki: 2.7048, pxy: 0.0090673 }, nll: 10.831936, count: 1 }],
    ...(withProfiles
      ? { profiles: [profile('e_tki', 2.7048, 2.33, 24.7), profile('pxy', 0.0090673, null, 0.0294)] }
      : {}),
    identifiability: {
      eigenvalues: [0.5, 40],
      conditionNumber: 80,
      rank: 2,
      standardErrors: { e_tki: 0.12, pxy: 0.9 },
      strongPairs: [{ a: 'e_tki', b: 'pxy', r: 0.97 }],
      verdicts: { e_tki: 'identifiable', pxy: 'practically-non-identifiable' },
    },
    converged: true,
    method: 'lm',
    evaluations: 95,
    solves: 120,
    seconds: 1.5,
  };
}

const result: ModelFitResult = {
  model: 'hahnel2020',
  observable: 'bcr_abl_percent',
  observableScale: 1,
  timeScale: 1,
  timeOffset: 0,
  parameters: [
    { name: 'e_tki', lo: 0.5, hi: 50, scale: 'log' },
    { name: 'pxy', lo: 1e-7, hi: 1, scale: 'log' },
  ],
  fixed: { pz: 473 },
  sigma: 'estimate',
  seed: 2020,
  starts: 2,
  method: 'lm',
  pooled: false,
  level: 0.95,
  subjects: [subject('10', true), subject('<b>x</b>', false)],
  seconds: 3,
  solves: 240,
};

describe('renderFitReport', () => {
  let html: string;
  const input = {
    result,
    title: 'Refit <test>',
    createdAt: CREATED,
    version: '0.0.0-test',
    inputs: [{ path: 'data/x.csv', sha256: 'ab'.repeat(32) }],
    published: { '10': { values: { e_tki: 2.77, pxy: 0.0447 }, nll: 18.4866, source: 'Table S1' } },
    timeLabel: 'months',
    valueLabel: 'BCR-ABL1 (%)',
  };
  beforeAll(async () => {
    html = await renderFitReport(input);
  });

  it('is one self-contained page with per-subject figures as inline SVG', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).not.toMatch(/<script src=|<link /);
    const ids = figuresOf(html).map((f) => f.id);
    expect(ids).toEqual(['data-10', 'residuals-10', 'profiles-10', 'data-_b_x__b_', 'residuals-_b_x__b_']);
    for (const f of figuresOf(html)) {
      expect(f.svg).toMatch(/^<svg/);
      expect(() => JSON.parse(f.specJson)).not.toThrow();
    }
  });

  it('draws measured points, censored limits as down-triangles, and the fitted curve', () => {
    const data = figuresOf(html)[0];
    const spec = JSON.parse(data.specJson);
    const censoredLayer = spec.layer.find(
      (l: { mark: { shape?: string } }) => l.mark.shape === 'triangle-down',
    );
    expect(censoredLayer.mark.filled).toBe(false);
    expect(censoredLayer.data.values).toHaveLength(2);
    expect(censoredLayer.data.values[0].y).toBe(0.1);
    expect(spec.layer[0].encoding.y.scale.type).toBe('log');
    const marks = dataMarks(data.svg);
    expect(marks.symbol).toBe(8); // 6 measured + 2 censored
    expect(marks.line ?? 0).toBeGreaterThan(0);
  });

  it('draws the profile threshold and every profile point', () => {
    const prof = figuresOf(html)[2];
    const spec = JSON.parse(prof.specJson);
    expect(spec.concat).toHaveLength(2);
    expect(spec.concat[0].layer[1].data.values[0].t).toBeCloseTo(4.92073, 5);
    expect(spec.concat[0].layer[0].data.values).toHaveLength(5);
    expect(prof.caption).toMatch(/chi2_1\(0\.95\)\/2/);
  });

  it('tabulates estimates, intervals, verdicts, published values and their ratio', () => {
    expect(html).toMatch(
      /<tr data-parameter="e_tki"><td>e_tki<\/td><td class="num">2\.705<\/td><td class="num">2\.33 – 24\.7<\/td><td>identifiable<\/td>/,
    );
    expect(html).toMatch(/data-parameter="pxy".*\(open\) – 0\.0294.*practically-non-identifiable/);
    // published 2.77, ratio 2.7048/2.77 = 0.976
    expect(html).toMatch(/<td class="num">2\.77<\/td><td class="num">0\.976<\/td>/);
    expect(html).toContain('NLL at the published values');
    expect(html).toContain('18.4866');
    expect(html).toContain('<b>10.8319</b>');
    expect(html).toContain('e_tki/pxy (r = 0.97)');
    expect(html).toContain('pz = 473');
  });

  it('escapes input text', () => {
    expect(html).toContain('Refit &lt;test&gt;');
    expect(html).toContain('Subject &lt;b&gt;x&lt;/b&gt;');
    expect(html).not.toContain('<b>x</b>');
  });

  it('embeds the result (without trajectories) and is byte-identical for the same input', async () => {
    const j = /<script type="application\/json" id="fit-result">([\s\S]*?)<\/script>/.exec(html)?.[1];
    const parsed = JSON.parse(j as string);
    expect(parsed.seed).toBe(2020);
    expect(parsed.subjects[0].trajectory).toBeUndefined();
    expect(parsed).toEqual(JSON.parse(JSON.stringify(fitResultJson(result))));
    expect(html).toContain('ab'.repeat(32));
    expect(await renderFitReport(input)).toBe(html);
  });
});

describe('renderBayesReport and renderPopulationReport', () => {
  /** A one-parameter decay posterior and a two-subject population fit of the same model (fast). */
  const model = decayCompiled();
  const mk = (id: string, k: number): Series => ({
    id,
    observations: [0.5, 1, 2, 4, 6].map((t, i) => ({
      t,
      value: i === 4 ? 200 : 1000 * Math.exp(-k * t) * 10 ** (0.05 * Math.cos(3 * i)),
      censored: i === 4,
    })),
  });
  const series = [mk('a', 0.4), mk('b', 0.3)];
  const setup: ModelFitSetup = {
    model,
    observable: 'Y',
    parameters: [{ name: 'e_tki', lo: 0.05, hi: 2, scale: 'log' }],
    sigma: 0.1,
  };
  const bayes = fitBayes(setup, series, {
    seed: 2,
    chains: 2,
    warmup: 100,
    draws: 50,
    bandDraws: 20,
    gridPoints: 15,
  }).result;
  const pop = fitPopulation([setup, setup], series, { seed: 2, burnIn: 10, averaging: 5, chains: 1 }).result;

  it('Bayes: one band and one histogram figure per subject, the band with data points and two areas', async () => {
    const html = await renderBayesReport({ result: bayes, createdAt: CREATED });
    expect(await renderBayesReport({ result: bayes, createdAt: CREATED })).toBe(html);
    const figs = figuresOf(html);
    expect(figs.map((f) => f.id)).toEqual(['band-a', 'hist-a', 'band-b', 'hist-b']);
    const marks = dataMarks(figs[0].svg);
    expect(marks.area).toBe(2);
    expect(marks.symbol).toBe(5); // 4 measured + 1 censored
    expect(marks.rect).toBeUndefined();
    expect(dataMarks(figs[1].svg).rect).toBe(30);
    // the warning rows are highlighted exactly for the subjects with warnings
    const warnRows = (html.match(/<tr class="warn">/g) ?? []).length;
    expect(warnRows).toBe(bayes.subjects.filter((s) => s.warnings.length > 0).length);
  });

  it('Population: the convergence panels (parameter, omega, sigma) and the coreFit block', async () => {
    const yaml = 'cohort:\n  core: fitted\n';
    const html = await renderPopulationReport({ result: pop, createdAt: CREATED, coreFitYaml: yaml });
    const figs = figuresOf(html);
    expect(figs.map((f) => f.id)).toEqual(['saem-trajectories']);
    // three panels of 15 iterations each: three lines and three burn-in rules
    const marks = dataMarks(figs[0].svg);
    expect(marks.line).toBe(3);
    expect(marks.rule).toBe(3);
    expect(html).toContain('<pre>cohort:\n  core: fitted\n</pre>');
    expect(html).toContain('<td>a</td>');
  });
});
