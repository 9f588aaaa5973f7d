import { describe, expect, it } from 'vitest';
import {
  type BcrAblSample,
  classifyAnyTime,
  classifyMilestone,
  classifyMilestones,
  type ElnMilestone,
  milestoneSample,
} from '../../src/clinic/eln2020.js';
import { above, below, defs } from './kb.js';

const md = () => defs().milestones;
const at = (months: number, percentIS: number): BcrAblSample => ({ months, percentIS });
const one = (m: ElnMilestone, months: number, v: number, extra: BcrAblSample[] = []) =>
  classifyMilestone({ samples: [at(months, v), ...extra] }, m, md());

describe('ELN 2020 milestones (V28: cml-models.md §4.1 table exactly)', () => {
  it('the knowledge base holds the table', () => {
    const rows = Object.fromEntries(
      md().rows.map((r) => [
        r.id,
        [r.months, r.optimal?.op, r.optimal?.value, r.failure?.op, r.failure?.value],
      ]),
    );
    expect(rows).toEqual({
      baseline: [undefined, undefined, undefined, undefined, undefined],
      '3m': [3, '<=', 10, '>', 10],
      '6m': [6, '<=', 1, '>', 10],
      '12m': [12, '<=', 0.1, '>', 1],
      any: [undefined, '<=', 0.1, '>', 1],
    });
    expect(md().rows.find((r) => r.id === '3m')!.failureConfirmation!.windowMonths).toEqual([1, 3]);
  });

  it('3 months: ≤ 10 % optimal; > 10 % warning unless confirmed > 10 % within 1-3 months', () => {
    expect(one('3m', 3, 10).result).toBe('optimal');
    expect(one('3m', 3, below(10)).result).toBe('optimal');
    expect(one('3m', 3, 10.0001).result).toBe('warning');
    expect(one('3m', 3, 45).result).toBe('warning');
    // Confirmed within the window: failure, at both window ends.
    expect(one('3m', 3, 45, [at(4, 30)]).result).toBe('failure');
    expect(one('3m', 3, 45, [at(6, 30)]).result).toBe('failure');
    expect(one('3m', 3, 10.0001, [at(5, 10.0001)]).result).toBe('failure');
    // Not confirmed: repeat ≤ 10 %, or outside the window (too early, too late).
    expect(one('3m', 3, 45, [at(5, 10)]).result).toBe('warning');
    expect(one('3m', 3, 45, [at(3.9, 30)]).result).toBe('warning');
    expect(one('3m', 3, 45, [at(6.1, 30)]).result).toBe('warning');
    const f = one('3m', 3, 45, [at(4.5, 20)]);
    expect(f.confirmation).toEqual(at(4.5, 20));
    expect(f.sample).toEqual(at(3, 45));
  });

  it('3 months: a warning says whether the confirmation window is still open', () => {
    expect(one('3m', 3, 45).pendingConfirmation).toBe(true);
    expect(one('3m', 3, 45, [at(5, 5)]).pendingConfirmation).toBe(true);
    expect(one('3m', 3, 45, [at(6, 5)]).pendingConfirmation).toBe(false);
    expect(one('3m', 3, 5).pendingConfirmation).toBe(false);
  });

  it('6 months: ≤ 1 % optimal, > 1-10 % warning, > 10 % failure (no confirmation needed)', () => {
    expect(one('6m', 6, 1).result).toBe('optimal');
    expect(one('6m', 6, below(1)).result).toBe('optimal');
    expect(one('6m', 6, above(1)).result).toBe('warning');
    expect(one('6m', 6, 10).result).toBe('warning');
    expect(one('6m', 6, below(10)).result).toBe('warning');
    expect(one('6m', 6, above(10)).result).toBe('failure');
    expect(one('6m', 6, 10.0001).result).toBe('failure');
  });

  it('12 months: ≤ 0.1 % optimal, > 0.1-1 % warning, > 1 % failure', () => {
    expect(one('12m', 12, 0.1).result).toBe('optimal');
    expect(one('12m', 12, below(0.1)).result).toBe('optimal');
    expect(one('12m', 12, above(0.1)).result).toBe('warning');
    expect(one('12m', 12, 1).result).toBe('warning');
    expect(one('12m', 12, below(1)).result).toBe('warning');
    expect(one('12m', 12, above(1)).result).toBe('failure');
  });

  it('every row boundary from the definitions: at / just below → optimal; just above the failure cut-off → failure', () => {
    for (const r of md().rows) {
      if (r.id === 'baseline' || r.id === 'any') continue;
      const t = r.months!;
      expect(one(r.id, t, r.optimal!.value).result).toBe('optimal');
      expect(one(r.id, t, below(r.optimal!.value)).result).toBe('optimal');
      expect(one(r.id, t, above(r.optimal!.value)).result).toBe('warning');
      expect(one(r.id, t, r.failure!.value).result).toBe(
        r.failure!.value === r.optimal!.value ? 'optimal' : 'warning',
      );
      const confirm = r.failureConfirmation ? [at(t + 2, above(r.failure!.value))] : [];
      expect(one(r.id, t, above(r.failure!.value), confirm).result).toBe('failure');
    }
  });

  it('the milestone sample is the nearest within ± 0.5 months (inclusive), else not assessable', () => {
    expect(md().measurementToleranceMonths.value).toBe(0.5);
    expect(one('6m', 6.5, 0.5).result).toBe('optimal');
    expect(one('6m', 5.5, 0.5).result).toBe('optimal');
    expect(one('6m', 6.51, 0.5).result).toBe('not-assessable');
    expect(one('6m', 5.49, 0.5).result).toBe('not-assessable');
    expect(milestoneSample([at(5.7, 2), at(6.2, 0.5), at(6.4, 9)], 6, md())).toEqual(at(6.2, 0.5));
    expect(classifyMilestone({ samples: [] }, '12m', md()).result).toBe('not-assessable');
  });

  it('resistance mutations and emerging high-risk ACA are failure at the milestones and at any time', () => {
    const h = {
      samples: [at(3, 5), at(6, 0.5), at(12, 0.05)],
      mutations: [{ months: 5, mutation: 'T315I' }],
    };
    expect(classifyMilestone(h, '3m', md()).result).toBe('optimal');
    expect(classifyMilestone(h, '6m', md()).result).toBe('failure');
    expect(classifyMilestone(h, '6m', md()).events).toEqual(['resistance-mutation']);
    expect(classifyMilestone(h, '12m', md()).result).toBe('failure');
    expect(classifyAnyTime(h, 24, md()).result).toBe('failure');
    const nonResistant = { ...h, mutations: [{ months: 5, mutation: 'X', resistance: false }] };
    expect(classifyMilestone(nonResistant, '6m', md()).result).toBe('optimal');
    const aca = { samples: h.samples, highRiskAca: [{ months: 9 }] };
    expect(classifyMilestone(aca, '6m', md()).result).toBe('optimal');
    expect(classifyMilestone(aca, '12m', md()).result).toBe('failure');
  });

  it('baseline: warning for high-risk ACA at diagnosis or a high-risk ELTS score, otherwise none', () => {
    expect(classifyMilestone({ samples: [] }, 'baseline', md()).result).toBe('none');
    expect(classifyMilestone({ samples: [], highRiskElts: true }, 'baseline', md()).result).toBe('warning');
    expect(classifyMilestone({ samples: [], highRiskAca: [{ months: 0 }] }, 'baseline', md()).result).toBe(
      'warning',
    );
    // ACA at diagnosis is a baseline warning, not an on-therapy failure.
    expect(classifyMilestone({ samples: [at(3, 5)], highRiskAca: [{ months: 0 }] }, '3m', md()).result).toBe(
      'optimal',
    );
  });

  it('any time: ≤ 0.1 % optimal, > 0.1-1 % warning, > 1 % failure, loss of MMR warning (failure after TFR)', () => {
    const any = (v: number, extra: BcrAblSample[] = []) =>
      classifyAnyTime({ samples: [...extra, at(30, v)] }, 30, md());
    expect(any(0.1).result).toBe('optimal');
    expect(any(below(0.1)).result).toBe('optimal');
    expect(any(above(0.1)).result).toBe('warning');
    expect(any(1).result).toBe('warning');
    expect(any(above(1)).result).toBe('failure');
    const lost = any(0.5, [at(24, 0.05)]);
    expect(lost.result).toBe('warning');
    expect(lost.events).toEqual(['loss-of-mmr']);
    expect(any(0.5, [at(24, 0.5)]).events).toEqual([]);
    const afterTfr = classifyAnyTime({ samples: [at(60, 0.001), at(64, 0.2)], tfrStartMonths: 61 }, 64, md());
    expect(afterTfr.result).toBe('failure');
    expect(afterTfr.events).toContain('loss-of-mmr-after-tfr');
    // The latest sample at or before the time is used.
    expect(classifyAnyTime({ samples: [at(20, 5), at(30, 0.05)] }, 25, md()).result).toBe('failure');
    expect(classifyAnyTime({ samples: [at(20, 5)] }, 10, md()).result).toBe('not-assessable');
  });

  it('a typical imatinib course, milestone by milestone', () => {
    const h = { samples: [at(0, 80), at(3, 12), at(4.5, 8), at(6, 2), at(12, 0.08)] };
    const r = classifyMilestones(h, md());
    expect(r['3m'].result).toBe('warning');
    expect(r['6m'].result).toBe('warning');
    expect(r['12m'].result).toBe('optimal');
    expect(r.baseline.result).toBe('none');
  });
});
