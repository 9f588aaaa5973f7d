/** Emax/Hill pharmacodynamics and clone potency from the knowledge base. */
import { describe, expect, it } from 'vitest';
import { loadKnowledgeBase } from '../../src/knowledge/index.js';
import {
  clonePotency,
  DEFAULT_HILL,
  hillEffect,
  PotencyError,
  rateUnderDrug,
} from '../../src/therapy/index.js';

const kb = loadKnowledgeBase();

describe('Hill effect', () => {
  it('is half-maximal at the IC50 for every Hill coefficient', () => {
    for (const hill of [0.5, 1, 2, 3]) {
      expect(hillEffect(13, { ic50: 13, hill })).toBeCloseTo(0.5, 14);
      expect(hillEffect(13, { ic50: 13, hill, emax: 0.8 })).toBeCloseTo(0.4, 14);
    }
  });

  it('is monotone increasing, 0 at 0, bounded by Emax, steeper with larger h', () => {
    for (const hill of [0.5, 1, 2.5]) {
      let prev = -1;
      for (let c = 0; c <= 1e4; c = c === 0 ? 1e-3 : c * 1.3) {
        const e = hillEffect(c, { ic50: 10, hill });
        expect(e).toBeGreaterThan(prev);
        expect(e).toBeLessThanOrEqual(1);
        prev = e;
      }
    }
    expect(hillEffect(0, { ic50: 10, hill: 1 })).toBe(0);
    expect(hillEffect(1e300, { ic50: 10, hill: 3 })).toBe(1);
    expect(hillEffect(20, { ic50: 10, hill: 2 })).toBeGreaterThan(hillEffect(20, { ic50: 10, hill: 1 }));
    expect(hillEffect(5, { ic50: 10, hill: 2 })).toBeLessThan(hillEffect(5, { ic50: 10, hill: 1 }));
    // closed form: c = 3 IC50, h = 2 -> 9/10
    expect(hillEffect(30, { ic50: 10, hill: 2 })).toBeCloseTo(0.9, 14);
  });

  it('the default Hill coefficient is an explicit assumption with a range', () => {
    expect(DEFAULT_HILL.evidence).toBe('A');
    expect(DEFAULT_HILL.range[0]).toBeLessThanOrEqual(DEFAULT_HILL.value);
    expect(DEFAULT_HILL.range[1]).toBeGreaterThanOrEqual(DEFAULT_HILL.value);
  });

  it('acts on a rate by inhibition or added kill', () => {
    expect(rateUnderDrug(0.02, 0.25, 'inhibit')).toBeCloseTo(0.015, 15);
    expect(rateUnderDrug(0.01, 0.5, 'kill', 0.08)).toBeCloseTo(0.05, 15);
  });
});

describe('clone potency from kb.sensitivities', () => {
  it('reads the native and mutant IC50s of the mutation table', () => {
    const nat = kb.sensitivities.find((s) => s.mutation === 'native' && s.drug === 'ponatinib');
    const p = clonePotency(kb, 'ponatinib');
    expect(p.ic50).toBe(nat?.ic50?.value);
    expect(p.source).toBe('ic50');
    const t315i = kb.sensitivities.find((s) => s.mutation === 'T315I' && s.drug === 'ponatinib');
    expect(clonePotency(kb, 'ponatinib', 'T315I').ic50).toBe(t315i?.ic50?.value);
  });

  it('marks censored IC50s as lower bounds', () => {
    const row = kb.sensitivities.find((s) => s.mutation === 'T315I' && s.drug === 'imatinib');
    expect(clonePotency(kb, 'imatinib', 'T315I').lowerBound).toBe(row?.ic50?.bound === '>');
  });

  it('applies fold resistance to the native IC50 when only a fold is known', () => {
    const foldOnly = kb.sensitivities.find((s) => s.fold && !s.ic50 && s.mutation !== 'native');
    const synthetic = {
      ...kb,
      sensitivities: [
        ...kb.sensitivities.filter((s) => !(s.mutation === 'E255K' && s.drug === 'nilotinib')),
        {
          mutation: 'E255K',
          drug: 'nilotinib',
          fold: { value: 7, units: '1', evidence: 'V' as const, refs: ['x'] },
          evidence: 'V' as const,
          refs: ['x'],
        },
      ],
    };
    const p = clonePotency(synthetic, 'nilotinib', 'E255K');
    expect(p.source).toBe('fold');
    expect(p.ic50).toBeCloseTo(7 * clonePotency(kb, 'nilotinib').ic50, 12);
    if (foldOnly) expect(clonePotency(kb, foldOnly.drug, foldOnly.mutation).source).toBe('fold');
  });

  it('says why when there is no number', () => {
    expect(() => clonePotency(kb, 'imatinib', 'Q999X')).toThrow(PotencyError);
  });
});
