import { describe, expect, it } from 'vitest';
import {
  DAYS_PER_MONTH,
  deepResponseDurationYears,
  type TfrCandidate,
  tfrEligibility,
  tfrMonitoringMonths,
  tfrOutcome,
} from '../../src/clinic/tfr.js';
import { above, below, defs } from './kb.js';

const base: TfrCandidate = {
  firstChronicPhaseOnly: true,
  lineOfTherapy: 1,
  transcript: 'e14a2',
  tki: 'imatinib',
  tkiDurationYears: 6,
  dmrDurationYears: 3.5,
  mr45DurationYears: 0,
  priorFailure: false,
};
const tfr = (c: Partial<TfrCandidate>) => tfrEligibility({ ...base, ...c }, defs().tfr);

describe('ELN 2020 TFR eligibility (V29: cml-models.md §4.1 minimal / optimal criteria)', () => {
  it('the knowledge base holds the ELN 2020 requirements', () => {
    const t = defs().tfr;
    expect([t.minimal.tkiDurationYears.value, t.minimal.tkiDurationYears.op]).toEqual([5, '>']);
    expect(t.minimal.tkiDurationYearsSecondGeneration.value).toBe(4);
    expect([t.minimal.dmrLevel, t.minimal.dmrDurationYears.value, t.minimal.dmrDurationYears.op]).toEqual([
      'MR4',
      2,
      '>',
    ]);
    expect(t.optimal.tkiDurationYears.value).toBe(5);
    expect(t.optimal.dmrDurationYearsIfMR4.value).toBe(3);
    expect(t.optimal.dmrDurationYearsIfMR45.value).toBe(2);
    expect(t.afterStop.restartWithinWeeksOfMmrLoss.value).toBe(4);
  });

  it('a first-line imatinib patient, 6 years of TKI, 3.5 years in MR4: optimal', () => {
    const r = tfr({});
    expect(r).toMatchObject({ eligible: true, level: 'optimal', reasons: [] });
    expect(r.criteria.every((c) => c.met)).toBe(true);
  });

  it('TKI duration: > 5 years (imatinib), > 4 years (second-generation TKIs), strict', () => {
    expect(tfr({ tkiDurationYears: 5 }).eligible).toBe(false);
    expect(tfr({ tkiDurationYears: above(5) }).level).toBe('optimal');
    expect(tfr({ tkiDurationYears: below(5) }).eligible).toBe(false);
    for (const tki of ['nilotinib', 'dasatinib', 'bosutinib']) {
      expect(tfr({ tki, tkiDurationYears: 4 }).eligible).toBe(false);
      expect(tfr({ tki, tkiDurationYears: above(4) })).toMatchObject({ eligible: true, level: 'minimal' });
      expect(tfr({ tki, tkiDurationYears: 5 }).level).toBe('minimal'); // optimal needs > 5 years
      expect(tfr({ tki, tkiDurationYears: above(5) }).level).toBe('optimal');
    }
    expect(tfr({ tki: 'ponatinib', tkiDurationYears: 4.5 }).eligible).toBe(false);
    expect(tfr({ tkiDurationYears: 5 }).reasons[0]).toMatch(/imatinib for 5 years/);
  });

  it('DMR duration: minimal > 2 years in MR4; optimal > 3 years in MR4 or > 2 years in MR4.5', () => {
    expect(tfr({ dmrDurationYears: 2 }).eligible).toBe(false);
    expect(tfr({ dmrDurationYears: above(2) })).toMatchObject({ eligible: true, level: 'minimal' });
    expect(tfr({ dmrDurationYears: 3 }).level).toBe('minimal');
    expect(tfr({ dmrDurationYears: above(3) }).level).toBe('optimal');
    expect(tfr({ dmrDurationYears: 2.5, mr45DurationYears: 2 }).level).toBe('minimal');
    expect(tfr({ dmrDurationYears: 2.5, mr45DurationYears: above(2) }).level).toBe('optimal');
    expect(tfr({ dmrDurationYears: 1.5, mr45DurationYears: 1.5 }).eligible).toBe(false);
  });

  it('line of therapy, transcript, prior failure and the mandatory conditions', () => {
    expect(tfr({ lineOfTherapy: 2 }).eligible).toBe(false);
    expect(tfr({ lineOfTherapy: 2, switchedForIntoleranceOnly: true }).eligible).toBe(true);
    expect(tfr({ lineOfTherapy: 3, switchedForIntoleranceOnly: true }).eligible).toBe(false);
    expect(tfr({ transcript: 'e13a2' }).eligible).toBe(true);
    expect(tfr({ transcript: 'e13a2+e14a2' }).eligible).toBe(true);
    expect(tfr({ transcript: 'e1a2' }).eligible).toBe(false);
    expect(tfr({ priorFailure: true }).eligible).toBe(false);
    expect(tfr({ firstChronicPhaseOnly: false }).eligible).toBe(false);
    expect(tfr({ agreesToMonitoring: false }).eligible).toBe(false);
    const r = tfr({ priorFailure: true, transcript: 'e1a2' });
    expect(r.reasons).toHaveLength(2);
    expect(r.criteria.filter((c) => !c.met).map((c) => c.id)).toEqual([
      'typical-transcript',
      'no-prior-failure',
    ]);
    expect(tfr({}).criteria.find((c) => c.id === 'motivatedPatient')!.detail).toMatch(/assumed/);
  });

  it('deep-response duration from a monitoring history', () => {
    const d = defs().molecularResponse;
    const s = [
      { months: 12, detected: true as const, percentIS: 0.05 },
      { months: 24, detected: true as const, percentIS: 0.008 },
      { months: 36, detected: false as const, abl1Copies: 40000 },
      { months: 48, detected: true as const, percentIS: 0.002 },
      { months: 60, detected: false as const, abl1Copies: 12000 },
    ];
    expect(deepResponseDurationYears(s, 'MR4', d)).toBe(3);
    expect(deepResponseDurationYears(s, 'MR4.5', d)).toBe(0); // last sample scores MR4 only (12,000 copies)
    expect(deepResponseDurationYears(s.slice(0, 4), 'MR4.5', d)).toBe(1);
    expect(deepResponseDurationYears(s, 'MMR', d)).toBe(4);
    expect(deepResponseDurationYears([], 'MR4', d)).toBe(0);
  });

  it('after stopping: monitoring monthly to 6 months, every 2 months to 12, then every 3 months', () => {
    expect(tfrMonitoringMonths(24, defs().tfr)).toEqual([1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 18, 21, 24]);
    expect(tfrMonitoringMonths(0.5, defs().tfr)).toEqual([]);
  });

  it('after stopping: loss of MMR (> 0.1 % IS) and restart within 4 weeks', () => {
    const d = defs();
    const s = [
      { months: 60, detected: false as const, abl1Copies: 50000 },
      { months: 61, detected: true as const, percentIS: 0.005 },
      { months: 62, detected: true as const, percentIS: 0.1 },
      { months: 63, detected: true as const, percentIS: 0.3 },
      { months: 64, detected: true as const, percentIS: 2 },
    ];
    const o = tfrOutcome(s, 60, d);
    expect(o.mmrLostAt?.months).toBe(63);
    expect(o.restartByMonths).toBeCloseTo(63 + 28 / (365.25 / 12), 12);
    expect(DAYS_PER_MONTH).toBeCloseTo(30.4375, 12);
    expect(tfrOutcome(s.slice(0, 3), 60, d)).toEqual({ restartWithinWeeks: 4 });
  });
});
