import { describe, expect, it } from 'vitest';
import { bcrAblRatio, bcrAblSeries, logReduction, toPercentIS } from '../../src/clinic/bcr-abl.js';

describe('bcrAblRatio conventions (cml-models.md §1.2)', () => {
  it('allele counting: L/(L + 2N)', () => {
    expect(bcrAblRatio({ leukaemic: 1, normal: 1 }, 'allele')).toBeCloseTo(1 / 3, 15);
    expect(bcrAblRatio({ leukaemic: 10, normal: 1 }, 'allele')).toBeCloseTo(10 / 12, 15);
    expect(bcrAblRatio({ leukaemic: 0, normal: 5 }, 'allele')).toBe(0);
    expect(bcrAblRatio({ leukaemic: 5, normal: 0 }, 'allele')).toBe(1);
  });

  it('cell fraction: L/(L + N), 2x (0.3 log) the allele form at low burden, equal at 100 %', () => {
    expect(bcrAblRatio({ leukaemic: 1, normal: 3 }, 'cell-fraction')).toBe(0.25);
    const low = { leukaemic: 1, normal: 1e6 };
    const ratio = bcrAblRatio(low, 'cell-fraction') / bcrAblRatio(low, 'allele');
    expect(ratio).toBeCloseTo(2, 5);
    expect(Math.log10(ratio)).toBeCloseTo(0.301, 3);
    expect(bcrAblRatio({ leukaemic: 1, normal: 0 }, 'cell-fraction')).toBe(
      bcrAblRatio({ leukaemic: 1, normal: 0 }, 'allele'),
    );
  });

  it('relative: L/L_ref (Fassoni 100 Y/TY)', () => {
    expect(bcrAblRatio({ leukaemic: 5e4, reference: 1e6 }, 'relative')).toBeCloseTo(0.05, 15);
    expect(() => bcrAblRatio({ leukaemic: 1, reference: 0 }, 'relative')).toThrow(RangeError);
  });

  it('Hähnel: l/(2 - l) with l = L/K; ~l/2 at low load; 100 % at l = 1', () => {
    expect(bcrAblRatio({ leukaemic: 1e6, reference: 1e6 }, 'hahnel')).toBe(1);
    expect(bcrAblRatio({ leukaemic: 5e5, reference: 1e6 }, 'hahnel')).toBeCloseTo(1 / 3, 15);
    expect(bcrAblRatio({ leukaemic: 1, reference: 1e6 }, 'hahnel')).toBeCloseTo(1e-6 / (2 - 1e-6), 20);
    expect(() => bcrAblRatio({ leukaemic: 2e6, reference: 1e6 }, 'hahnel')).toThrow(/L\/K < 2/);
  });

  it('scale multiplies the ratio (Clapp beta = 3)', () => {
    expect(bcrAblRatio({ leukaemic: 1.5e8, normal: 1.5e8, scale: 3 }, 'allele')).toBeCloseTo(1, 15);
  });

  it('rejects missing or invalid inputs', () => {
    expect(() => bcrAblRatio({ leukaemic: 1 }, 'allele')).toThrow(/needs normal/);
    expect(() => bcrAblRatio({ leukaemic: 1 }, 'hahnel')).toThrow(/needs reference/);
    expect(() => bcrAblRatio({ leukaemic: -1, normal: 1 }, 'allele')).toThrow(/non-negative/);
    expect(() => bcrAblRatio({ leukaemic: Number.NaN, normal: 1 }, 'allele')).toThrow(RangeError);
    expect(() => bcrAblRatio({ leukaemic: 1, normal: 1 }, 'bogus' as never)).toThrow(/unknown convention/);
    expect(bcrAblRatio({ leukaemic: 0, normal: 0 }, 'allele')).toBeNaN();
  });
});

describe('percent IS and log reduction', () => {
  it('100 * ratio * conversion factor', () => {
    expect(toPercentIS(0.001)).toBeCloseTo(0.1, 15);
    expect(toPercentIS(0.001, 0.8)).toBeCloseTo(0.08, 15);
  });
  it('log reduction from 100 % IS: MMR 0.1 % = 3, MR4 0.01 % = 4, MR4.5 0.0032 % ~ 4.5', () => {
    expect(logReduction(100)).toBe(0);
    expect(logReduction(0.1)).toBeCloseTo(3, 14);
    expect(logReduction(0.01)).toBeCloseTo(4, 14);
    expect(logReduction(0.0032)).toBeCloseTo(4.49, 2);
  });
});

describe('bcrAblSeries over a time course', () => {
  const tc = {
    ids: ['y3', 'z3', 'x3', 'x', 'beta', 'Y', 'Ky'],
    time: [0, 1],
    values: [1, 1, 1, 2, 3, 5e5, 1e6, /* row 2 */ 2, 0, 4, 2, 3, 1e6, 1e6],
  };
  it('sums the leukaemic and normal species (allele and cell fraction)', () => {
    const r = bcrAblSeries(tc, {
      leukaemic: ['y3', 'z3'],
      normal: ['x3'],
      defaultConvention: 'allele',
      conventions: ['allele'],
    });
    expect(Array.from(r)).toEqual([2 / 4, 2 / 10]);
    const f = bcrAblSeries(
      tc,
      { leukaemic: ['y3', 'z3'], normal: ['x3'], defaultConvention: 'allele', conventions: [] },
      'cell-fraction',
    );
    expect(Array.from(f)).toEqual([2 / 3, 2 / 6]);
  });
  it('reads a constant normal population and a scale from parameters (Clapp)', () => {
    const r = bcrAblSeries(tc, {
      leukaemic: ['y3'],
      normalParameter: 'x',
      scaleParameter: 'beta',
      defaultConvention: 'allele',
      conventions: ['allele'],
    });
    expect(r[0]).toBeCloseTo((3 * 1) / (1 + 4), 15);
    expect(r[1]).toBeCloseTo((3 * 2) / (2 + 4), 15);
  });
  it('uses the capacity parameter for the Hähnel convention', () => {
    const r = bcrAblSeries(tc, {
      leukaemic: ['Y'],
      referenceParameter: 'Ky',
      defaultConvention: 'hahnel',
      conventions: ['hahnel'],
    });
    expect(r[0]).toBeCloseTo(1 / 3, 15);
    expect(r[1]).toBe(1);
  });
  it('names a missing column', () => {
    expect(() =>
      bcrAblSeries(tc, { leukaemic: ['nope'], normal: ['x3'], defaultConvention: 'allele', conventions: [] }),
    ).toThrow(/'nope'/);
  });
});
