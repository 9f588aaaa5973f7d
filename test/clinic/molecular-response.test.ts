import { describe, expect, it } from 'vitest';
import {
  assay,
  atLeast,
  levelFromPercentIS,
  molecularResponse,
  responseDepth,
} from '../../src/clinic/molecular-response.js';
import { above, below, defs } from './kb.js';

const mr = () => defs().molecularResponse;

describe('molecular response levels (cml-models.md §1.1)', () => {
  it('the knowledge base holds the published cut-offs', () => {
    const cut = Object.fromEntries(mr().levels.map((l) => [l.id, [l.maxPercentIS.value, l.maxPercentIS.op]]));
    expect(cut).toEqual({
      MR1: [10, '<='],
      MR2: [1, '<='],
      MMR: [0.1, '<='],
      MR4: [0.01, '<='],
      'MR4.5': [0.0032, '<='],
      MR5: [0.001, '<='],
    });
    const copies = Object.fromEntries(
      mr()
        .levels.filter((l) => l.minAbl1CopiesIfUndetectable)
        .map((l) => [l.id, l.minAbl1CopiesIfUndetectable!.value]),
    );
    expect(copies).toEqual({ MR4: 10000, 'MR4.5': 32000, MR5: 100000 });
  });

  it('detectable results: every cut-off is inclusive (at and just below meet it, just above does not)', () => {
    const levels = mr().levels;
    levels.forEach((l, i) => {
      const shallower = i === 0 ? 'none' : levels[i - 1].id;
      const v = l.maxPercentIS.value;
      expect(levelFromPercentIS(v, mr())).toBe(l.id);
      expect(levelFromPercentIS(below(v), mr())).toBe(
        i === levels.length - 1 || below(v) > levels[i + 1].maxPercentIS.value ? l.id : levels[i + 1].id,
      );
      expect(levelFromPercentIS(above(v), mr())).toBe(shallower);
    });
  });

  it('detectable results: literal examples', () => {
    const d = mr();
    expect(levelFromPercentIS(150, d)).toBe('none');
    expect(levelFromPercentIS(10.01, d)).toBe('none');
    expect(levelFromPercentIS(10, d)).toBe('MR1');
    expect(levelFromPercentIS(1, d)).toBe('MR2');
    expect(levelFromPercentIS(0.1, d)).toBe('MMR');
    expect(levelFromPercentIS(0.1001, d)).toBe('MR2');
    expect(levelFromPercentIS(0.01, d)).toBe('MR4');
    expect(levelFromPercentIS(0.0033, d)).toBe('MR4');
    expect(levelFromPercentIS(0.0032, d)).toBe('MR4.5');
    expect(levelFromPercentIS(0.001, d)).toBe('MR5');
    expect(levelFromPercentIS(0, d)).toBe('MR5');
    expect(() => levelFromPercentIS(-1, d)).toThrow(RangeError);
    expect(() => levelFromPercentIS(Number.NaN, d)).toThrow(RangeError);
    expect(molecularResponse({ detected: true, percentIS: 0.05 }, d)).toMatchObject({
      level: 'MMR',
      basis: 'value',
    });
  });

  it('undetectable results: deep levels need the ABL1 copies of Cross et al. 2015 (boundaries at 10,000 / 32,000 / 100,000)', () => {
    const d = mr();
    const level = (abl1Copies: number) => molecularResponse({ detected: false, abl1Copies }, d).level;
    expect(level(9999)).toBe('MMR'); // sensitivity 0.01 % ≤ 0.1 % but too few copies for MR4
    expect(level(10000)).toBe('MR4');
    expect(level(31999)).toBe('MR4');
    expect(level(32000)).toBe('MR4.5');
    expect(level(31250)).toBe('MR4'); // 1/31,250 = 0.0032 %, yet fewer than 32,000 copies
    expect(level(99999)).toBe('MR4.5');
    expect(level(100000)).toBe('MR5');
    expect(level(1e6)).toBe('MR5');
    expect(molecularResponse({ detected: false, abl1Copies: 32000 }, d).basis).toBe('abl1-copies');
    // Shallow levels by sensitivity = one copy in the ABL1 copies.
    expect(level(1000)).toBe('MMR'); // 0.1 %
    expect(level(999)).toBe('MR2'); // 0.1001 %
    expect(level(100)).toBe('MR2'); // 1 %
    expect(level(99)).toBe('MR1');
    expect(level(10)).toBe('MR1'); // 10 %
    expect(level(9)).toBe('none');
    expect(level(0)).toBe('none');
  });

  it('undetectable results with a stated sensitivity (no copy numbers) use the % IS cut-offs, inclusive', () => {
    const d = mr();
    const level = (s: number) => molecularResponse({ detected: false, sensitivityPercentIS: s }, d).level;
    for (const l of d.levels) {
      expect(level(l.maxPercentIS.value)).toBe(l.id);
      expect(responseDepth(level(above(l.maxPercentIS.value)), d)).toBe(responseDepth(l.id, d) - 1);
    }
    expect(level(0.0005)).toBe('MR5');
    expect(() => molecularResponse({ detected: false }, d)).toThrow(RangeError);
    expect(() => molecularResponse({ detected: false, sensitivityPercentIS: 0 }, d)).toThrow(RangeError);
  });

  it('copies decide deep levels, a stated sensitivity the shallow ones, when both are given', () => {
    const d = mr();
    // 5,000 copies: not MR4 whatever the stated sensitivity; MMR from the 0.05 % sensitivity.
    expect(
      molecularResponse({ detected: false, abl1Copies: 5000, sensitivityPercentIS: 0.001 }, d).level,
    ).toBe('MMR');
    expect(
      molecularResponse({ detected: false, abl1Copies: 50000, sensitivityPercentIS: 0.5 }, d).level,
    ).toBe('MR4.5');
  });

  it('depth order and the deterministic assay', () => {
    const d = mr();
    expect(atLeast('MR4.5', 'MMR', d)).toBe(true);
    expect(atLeast('MMR', 'MMR', d)).toBe(true);
    expect(atLeast('MR2', 'MMR', d)).toBe(false);
    expect(atLeast('none', 'MR1', d)).toBe(false);
    expect(assay(0.005, { abl1Copies: 50000 })).toEqual({
      detected: true,
      percentIS: 0.005,
      abl1Copies: 50000,
    });
    const u = assay(0.001, { abl1Copies: 50000 }); // below 1/50,000 = 0.002 %
    expect(u.detected).toBe(false);
    expect(molecularResponse(u, d).level).toBe('MR4.5');
    expect(molecularResponse(assay(0.0001, { limitOfDetectionPercentIS: 0.001 }), d).level).toBe('MR5');
  });
});
