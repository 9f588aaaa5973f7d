/** Judging measures (criteria), overall status, and the set-up transforms on the model IR. */
import { describe, expect, it } from 'vitest';
import { buildSetUp, readAt, SetUpError } from '../../src/experiments/culture.js';
import { describeCriterion, judge, overall, runExperiment } from '../../src/experiments/evaluate.js';
import type { CheckResult, Experiment } from '../../src/experiments/types.js';
import { loadKnowledgeBase } from '../../src/knowledge/load.js';

const kb = loadKnowledgeBase();

describe('judge', () => {
  it('directions need a change beyond 1e-6', () => {
    expect(judge({ kind: 'increase' }, 1.01)).toBe('pass');
    expect(judge({ kind: 'increase' }, 1 + 1e-9)).toBe('fail');
    expect(judge({ kind: 'decrease' }, 0.99)).toBe('pass');
    expect(judge({ kind: 'decrease' }, 1.2)).toBe('fail');
    expect(judge({ kind: 'increase' }, Number.NaN)).toBe('fail');
  });
  it('bands are inclusive; thresholds are one-sided', () => {
    const band = { kind: 'band', target: 2, low: 1.5, high: 2.5 } as const;
    expect(judge(band, 1.5)).toBe('pass');
    expect(judge(band, 2.51)).toBe('fail');
    expect(judge({ kind: 'atMost', limit: 0.5 }, 0.5)).toBe('pass');
    expect(judge({ kind: 'atLeast', limit: 0.8 }, 0.79)).toBe('fail');
    expect(describeCriterion(band)).toBe('2 (1.5 – 2.5)');
  });
  it('dose series must rise at every step', () => {
    expect(judge({ kind: 'increasingSeries' }, [1, 1.1, 1.2])).toBe('pass');
    expect(judge({ kind: 'increasingSeries' }, [1, 1.1, 1.1])).toBe('fail');
    expect(() => judge({ kind: 'increasingSeries' }, 2)).toThrow();
  });
  it('not reproducible never passes; a failed run is not reproducible, never a pass', () => {
    expect(judge({ kind: 'notReproducible', reason: 'x' }, undefined)).toBe('not reproducible');
    const row = (status: CheckResult['status']) => ({ status }) as CheckResult;
    expect(overall([row('not reproducible')])).toBe('not reproducible');
    expect(overall([row('pass'), row('not reproducible')])).toBe('pass');
    expect(overall([row('pass'), row('fail')])).toBe('fail');
    // [R] targets (recalled, unverified) are shown but do not decide the status (biology.md §0.1)
    const rr = (status: CheckResult['status']) => ({ status, evidence: 'R' }) as CheckResult;
    expect(overall([row('pass'), rr('fail')])).toBe('pass');
    expect(overall([rr('pass')])).toBe('not reproducible');
    const broken: Experiment = {
      id: 'VE-0',
      title: 'broken',
      source: { study: 'E1', ref: 'mineo2012' },
      setting: 'in-vitro',
      protocol: '-',
      mapping: '-',
      expectations: [
        { id: 'm', statement: 's', measure: 'm', criterion: { kind: 'increase' }, evidence: 'V' },
      ],
      run: () => {
        throw new Error('boom');
      },
    };
    const r = runExperiment(broken, kb);
    expect(r.status).toBe('not reproducible');
    expect(r.checks[0].detail).toMatch(/run failed: boom/);
  });
});

describe('set-ups on the model IR', () => {
  it('a held species keeps its value; an initial amount replaces the initial assignment', () => {
    const s = {
      options: { immune: false, lineages: false, tki: { kind: 'none' } } as const,
      params: { X_init: 0, Y_init: 1000 },
      held: { E_cml: 5e10 },
      initial: { E_bmsc: 1e6 },
    };
    const r = readAt(kb, s, [0, 0.5, 1], ['E_cml', 'E_bmsc', 'Y']);
    expect(r.E_cml).toEqual([5e10, 5e10, 5e10]);
    expect(r.E_bmsc[0]).toBe(1e6);
    expect(r.Y[2]).toBeGreaterThan(r.Y[0]);
  });
  it('rejects unknown species and negative amounts with a clear error', () => {
    expect(() => buildSetUp(kb, { options: {}, held: { E_foo: 1 } })).toThrow(SetUpError);
    expect(() => buildSetUp(kb, { options: {}, held: { E_foo: 1 } })).toThrow(/E_foo.*species: /);
    expect(() => buildSetUp(kb, { options: {}, held: { E_cml: -1 } })).toThrow(/>= 0/);
  });
});
