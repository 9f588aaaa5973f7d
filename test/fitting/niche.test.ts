/**
 * The niche fitting layer: overriding the model parameters that a KB key feeds equals rebuilding the model from a
 * knowledge base holding the new value; the calibration objective is finite and responds to the niche keys.
 */
import { describe, expect, it } from 'vitest';
import type { Series } from '../../src/fitting/data.js';
import { bindKeys, kbParameterSpec, NicheSubject } from '../../src/fitting/niche.js';
import { binnedMedian, median, NicheCalibration } from '../../src/fitting/niche-calibration.js';
import { type KnowledgeBase, loadKnowledgeBase } from '../../src/knowledge/load.js';
import { simulateModel } from '../../src/models/simulate.js';
import { buildNiche, buildNicheModel } from '../../src/niche/index.js';

const kb = loadKnowledgeBase();
const KEYS = ['niche.ch.bmsc_protection.emax', 'niche.cargo.ec50', 'niche.exo.clearance'];

function withValues(base: KnowledgeBase, values: Record<string, number>): KnowledgeBase {
  return {
    ...base,
    parameter: (key: string) => {
      const p = base.parameter(key);
      return key in values ? { ...p, value: values[key] } : p;
    },
  };
}

describe('NicheSubject', () => {
  it('overrides equal a rebuilt model (patient 3, exosomes on) to 1e-7 relative', () => {
    const x = [0.3, 1.2, 900];
    const times = [0, 1, 3, 6, 12, 24];
    const s = new NicheSubject(kb, { patient: 3, tki: { kind: 'switch' } }, KEYS);
    const a = s.predict(x, times);
    const model = buildNicheModel(
      { patient: 3, tki: { kind: 'switch' } },
      withValues(kb, Object.fromEntries(KEYS.map((k, i) => [k, x[i]]))),
    );
    const b = simulateModel(model, {
      method: 'rodas5p',
      rtol: 1e-6,
      atol: 1e-10,
      tEnd: 24,
      saveat: times,
    }).column('bcr_abl_percent');
    for (let i = 0; i < times.length; i++)
      expect(Math.abs(a[i] - b[i])).toBeLessThanOrEqual(1e-7 * Math.abs(b[i]));
    // And the values matter: other values give a different course.
    const other = s.predict([3, 0.05, 60], times);
    expect(Math.abs(Math.log10(other[5] / a[5]))).toBeGreaterThan(0.1);
    expect(s.solves).toBe(2);
  });

  it('binds keys to model parameter ids and rejects keys the model does not use', () => {
    const nm = buildNiche({ patient: 1 }, kb);
    expect(bindKeys(nm, kb, ['niche.exo.clearance'])[0].uses).toEqual([{ id: 'k_clear', scale: 1 }]);
    expect(() => bindKeys(nm, kb, ['niche.bc.growth_rate'])).toThrow(/does not use 'niche.bc.growth_rate'/);
    const [lo, hi] = kb.parameter('niche.exo.clearance').range as [number, number];
    expect(kbParameterSpec(kb, 'niche.exo.clearance', Math.sqrt(lo * hi))).toEqual({
      name: 'niche.exo.clearance',
      lo,
      hi,
      scale: 'log',
      initial: Math.sqrt(lo * hi),
    });
    // A value on a range end is no valid start (the logit needs an interior point): the midpoint is used.
    expect(kbParameterSpec(kb, 'niche.exo.clearance', hi).initial).toBeUndefined();
  });
});

describe('NicheCalibration', () => {
  it('medians and binned medians', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    const s = (id: string, v: number[]): Series => ({
      id,
      observations: v.map((value, t) => ({ t, value, censored: false })),
    });
    const m = binnedMedian([s('a', [100, 10]), s('b', [100, 1]), s('c', [100, 0.1])], [0, 0.5, 1.5], 3);
    expect(m.observations.map((o) => o.value)).toEqual([100, 1]);
    expect(m.counts).toEqual([3, 3]);
  });

  it('evaluates Hähnel patients on TKI only, with censored points, and a Michor-like median', () => {
    const hahnel: Series[] = [
      {
        id: '2',
        observations: [
          { t: 0, value: 50, censored: false },
          { t: 6, value: 0.1, censored: false },
          { t: 12, value: 0.01, censored: true },
          // After patient 2's TKI stop: excluded.
          { t: 1000, value: 1, censored: false },
        ],
      },
    ];
    const c = new NicheCalibration({
      kb,
      parameters: KEYS.map((k) => kbParameterSpec(kb, k)),
      hahnel,
      michorMedian: { id: 'm', observations: [{ t: 3, value: 1, censored: false }] },
      patients: [2],
      error: { sigma: 0.3 },
    });
    const x = Float64Array.from(KEYS, (k) => kb.parameter(k).value);
    const e = c.evaluate(x);
    expect(e.hahnel).toHaveLength(3);
    expect(e.hahnel[2].censored).toBe(true);
    expect(e.michor).toHaveLength(1);
    expect(Number.isFinite(e.objective)).toBe(true);
    const sum = [...e.hahnel, ...e.michor].reduce((s, r) => s + r.contribution, 0);
    expect(e.objective).toBeCloseTo(sum, 10);
    expect(c.objective(x)).toBe(e.objective);
    expect(c.solves()).toBe(2);
    expect(e.nll).toBe(e.objective);
    expect(e.penalty).toBe(0);
    // the joint objective adds the penalty at the fitted values (the VE constraints in the script)
    const seen: number[] = [];
    const withPenalty = new NicheCalibration({
      ...c.setup,
      penalty: (v) => {
        seen.push(v[0]);
        return 2.5 * v[0];
      },
    });
    const j = withPenalty.evaluate(x);
    expect(j.nll).toBeCloseTo(e.nll, 12);
    expect(j.penalty).toBe(2.5 * x[0]);
    expect(j.objective).toBeCloseTo(e.nll + 2.5 * x[0], 10);
    expect(seen).toEqual([x[0]]);
    const inf = new NicheCalibration({ ...c.setup, penalty: () => Number.NaN });
    expect(inf.evaluate(x).objective).toBe(Number.POSITIVE_INFINITY);
  });
});
