import { describe, expect, it } from 'vitest';
import { parseSeriesCsv } from '../../src/fitting/data.js';
import { logNormalCdf, pointNll, residualSummary, seriesResiduals } from '../../src/fitting/objective.js';

describe('logNormalCdf', () => {
  // Phi(x) to 15 digits (standard tables; e.g. Abramowitz & Stegun 26.2, or erfc in any CAS).
  const cases: [number, number][] = [
    [0, 0.5],
    [-1, 0.158655253931457],
    [1.959963984540054, 0.975],
    [-3, 0.00134989803163009],
    [-5, 2.86651571879194e-7],
    [-10, 7.61985302416047e-24],
    [-30, 4.906713927148187e-198],
    [4, 0.999968328758167],
  ];
  for (const [x, phi] of cases)
    it(`log Phi(${x}) to 2e-7 relative in Phi`, () => {
      expect(Math.abs(Math.exp(logNormalCdf(x)) / phi - 1)).toBeLessThan(2e-7);
    });
  it('stays finite far in the tail (log Phi(-40) about -804.6)', () => {
    expect(logNormalCdf(-40)).toBeCloseTo(-804.608442013754, 4);
  });
});

describe('censored log10 error model', () => {
  const model = { sigma: 0.25 };
  it('measured points: squared log10 residual over 2 sigma^2', () => {
    const r = pointNll({ t: 0, value: 10, censored: false }, 1, model);
    expect(r.residual).toBeCloseTo(1, 14);
    expect(r.nll).toBeCloseTo(0.5 * 16, 12);
  });
  it('censored points: -log Phi((log10 limit - log10 model)/sigma)', () => {
    const lim = { t: 0, value: 1e-3, censored: true };
    // Model at the limit: probability 1/2.
    expect(pointNll(lim, 1e-3, model).nll).toBeCloseTo(Math.log(2), 7);
    // Model one decade below the limit: z = 4, almost free.
    expect(pointNll(lim, 1e-4, model).nll).toBeCloseTo(-Math.log(0.999968328758167), 9);
    // Model one decade above: z = -4, about z^2/2 + log(-z sqrt(2 pi)).
    expect(pointNll(lim, 1e-2, model).nll).toBeCloseTo(-Math.log(3.167124183312e-5), 5);
  });
  it('residual tables and summaries', () => {
    const [s] = parseSeriesCsv('id,t,v,c\na,0,10,0\na,1,1,0\na,2,0.01,1\n', {
      source: 'x.csv',
      id: 'id',
      time: 't',
      value: 'v',
      censored: 'c',
    });
    const rs = seriesResiduals(s, [10, 10, 0.1], model);
    const sum = residualSummary(rs);
    expect(sum.measured).toBe(2);
    expect(sum.rmsLog10).toBeCloseTo(Math.SQRT1_2, 12);
    expect(sum.censored).toBe(1);
    expect(sum.censoredAbove).toBe(1);
    expect(() => seriesResiduals(s, [1], model)).toThrow(/3 observations but 1 predictions/);
  });
});

describe('parseSeriesCsv', () => {
  const spec = { source: 'p.csv', id: 'patient', time: 'day', value: 'v', censored: 'lod', timeScale: 0.5 };
  it('groups by subject, sorts by time and scales time', () => {
    const s = parseSeriesCsv('patient,day,v,lod\n2,4,1,0\n1,2,3,1\n2,0,5,0\n', spec);
    expect(s.map((x) => x.id)).toEqual(['2', '1']);
    expect(s[0].observations).toEqual([
      { t: 0, value: 5, censored: false },
      { t: 2, value: 1, censored: false },
    ]);
    expect(s[1].observations[0].censored).toBe(true);
  });
  it('names the file, line and field of bad input', () => {
    expect(() => parseSeriesCsv('patient,day,v,lod\n1,2,-3,0\n', spec)).toThrow(
      "p.csv:2: field 'v': expected a positive number, got '-3'",
    );
    expect(() => parseSeriesCsv('patient,day,v,lod\n1,2,3,0\n1,x,3,0\n', spec)).toThrow(
      "p.csv:3: field 'day': expected a finite number, got 'x'",
    );
    expect(() => parseSeriesCsv('patient,day,v,lod\n1,2,3,2\n', spec)).toThrow(/p.csv:2: field 'lod'/);
    expect(() => parseSeriesCsv('patient,day,v\n1,2,3\n', spec)).toThrow("p.csv:1: missing column 'lod'");
    expect(() => parseSeriesCsv('patient,day,v,lod\n1,2,3\n', spec)).toThrow(
      'p.csv:2: expected 4 fields, got 3',
    );
  });
});
