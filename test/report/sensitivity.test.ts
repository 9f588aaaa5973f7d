import { describe, expect, it } from 'vitest';
import {
  morrisFigure,
  renderSensitivityReport,
  type SensitivityReportInput,
  sobolFigure,
} from '../../src/report/sensitivity.js';

const sobol = {
  label: 'bcrAblM12',
  method: 'sobol' as const,
  names: ['pyx', 'pxy'],
  used: 60,
  dropped: 4,
  missingPoints: 5,
  first: [0.61, 0.21],
  total: [0.7, 0.33],
  firstCI: [
    [0.5, 0.72],
    [0.1, 0.3],
  ] as [number, number][],
  totalCI: [
    [0.6, 0.8],
    [0.25, 0.41],
  ] as [number, number][],
  variance: 0.0123,
};

const morris = {
  label: 'timeMMR',
  method: 'morris' as const,
  names: ['pyx', 'pxy', 'Kz'],
  used: 10,
  dropped: 0,
  missingPoints: 0,
  mu: [-1.5, 4.25, 0],
  muStar: [2.5, 4.25, 0],
  sigma: [1.2, 0.5, 0],
};

const input = (over: Partial<SensitivityReportInput> = {}): SensitivityReportInput => ({
  name: 'default <b>',
  subject: "scenario 'default', its typical patient",
  method: "Sobol' N = 16",
  methodKind: 'sobol',
  seed: '1',
  version: '0.0.0-test',
  createdAt: '2026-01-01T00:00:00.000Z',
  factors: [
    { name: 'pyx', lo: 0.001, hi: 0.9, scale: 'log', source: 'patients:hahnel2020.patientNN.pyx' },
    { name: 'pxy', lo: 1e-6, hi: 0.05, scale: 'log', source: 'given' },
  ],
  outputs: [sobol, { ...morris, label: 'none', error: 'only 1 of 10 trajectories have a value' }],
  points: 64,
  failedPoints: 2,
  failures: [{ row: 7, message: 'patient 0: step size <underflow>' }],
  spec: { study: 1, factors: ['pyx'] },
  manifest: { kind: 'sensitivity' },
  ...over,
});

describe('sensitivity report', () => {
  it('Sobol bar chart: first and total with their intervals, factors sorted by total', () => {
    const f = sobolFigure(sobol, 'x');
    const spec = f.spec as unknown as {
      data: { values: { factor: string; index: string; value: number; lo: number; hi: number }[] };
      encoding: { y: { sort: string[] } };
    };
    expect(spec.encoding.y.sort).toEqual(['pyx', 'pxy']);
    expect(spec.data.values).toContainEqual({
      factor: 'pxy',
      index: 'total S_Ti',
      value: 0.33,
      lo: 0.25,
      hi: 0.41,
    });
    expect(f.caption).toContain('60 base samples (4 dropped');
  });

  it('Morris tornado: mu* sorted largest first, with sigma', () => {
    const f = morrisFigure(morris, 'm');
    const spec = f.spec as unknown as {
      data: { values: { factor: string; measure: string; value: number }[] };
      encoding: { y: { sort: string[] } };
    };
    expect(spec.encoding.y.sort).toEqual(['pxy', 'pyx', 'Kz']);
    expect(spec.data.values.filter((r) => r.measure.startsWith('sigma')).map((r) => r.value)).toEqual([
      1.2, 0.5, 0,
    ]);
  });

  it('renders figures, tables, dropped rows, errors and failures; escapes text; same input, same bytes', async () => {
    const a = await renderSensitivityReport(input());
    const b = await renderSensitivityReport(input());
    expect(a).toBe(b);
    expect(a.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(a.match(/<svg/g)?.length).toBe(1); // the Sobol figure; the failed output has none
    expect(a).toContain('default &lt;b&gt;');
    expect(a).not.toContain('default <b>');
    expect(a).toContain('step size &lt;underflow&gt;');
    expect(a).toContain('<td class="num">0.61</td><td class="num">0.5 – 0.72</td>');
    expect(a).toContain('5 of 64 design points have no value');
    expect(a).toContain('No indices: only 1 of 10 trajectories have a value');
    expect(a).toContain('log-uniform');
    expect(a).toContain('id="sensitivity-indices"');
    const m = await renderSensitivityReport(input({ methodKind: 'morris', outputs: [morris], failures: [] }));
    expect(m).toContain('Morris screening of timeMMR');
    expect(m).toContain('<td class="num">4.25</td>');
    expect(m).toContain('No run failed.');
  }, 20_000);
});
