import { describe, expect, it } from 'vitest';
import type { PatientOutcome } from '../../src/cohort/outcome.js';
import {
  annualRates,
  COHORT_SCENARIOS,
  caseV04,
  caseV07,
  caseV08,
  caseV10,
  caseV11,
  caseV12,
  caseV14,
  caseV16,
  caseV23,
  caseV26,
  evaluateCohortCases,
  firstPhaseReference,
  mutantShareSamples,
} from '../../src/cohort/validation.js';
import { loadKnowledgeBase } from '../../src/knowledge/load.js';
import { parseScenario } from '../../src/scenario/load.js';
import { outcomeRow } from './outcome-row.js';

const kb = loadKnowledgeBase();
const N = Number.NaN;

const row = outcomeRow;

const cohort = (n: number, f: (i: number) => Partial<PatientOutcome> & { m?: Record<number, number> }) =>
  Array.from({ length: n }, (_, i) => row(i, f(i)));

describe('cohort V cases on synthetic outcome tables', () => {
  it('V04: median first-phase slope of the responders (<= 10 % at 3 months) inside / outside 0.040-0.060', () => {
    // 11 responders at 0.040..0.060/day (median 0.05), 11 non-responders at 0.01/day that must not count
    const mixed = cohort(22, (i) =>
      i < 11 ? { slopePhase1: 0.04 + 0.002 * i, m: { 3: 5 } } : { slopePhase1: 0.01, m: { 3: 20 } },
    );
    const ok = caseV04(mixed, kb);
    expect(ok[0]).toMatchObject({ case: 'V04', status: 'pass' });
    expect(ok[0].obtained).toMatch(/median 0\.05\/day.*n = 11/);
    expect(ok[0].detail).toMatch(/all patients: median 0\.025\/day \(n = 22\)/);
    // the same slopes without the selection fail
    const unselected = cohort(22, (i) => ({ slopePhase1: i < 11 ? 0.04 + 0.002 * i : 0.01, m: { 3: 5 } }));
    expect(caseV04(unselected, kb)[0].status).toBe('fail');
    expect(
      caseV04(
        cohort(5, () => ({ slopePhase1: 0.02, m: { 3: 5 } })),
        kb,
      )[0].status,
    ).toBe('fail');
    expect(
      caseV04(
        cohort(5, () => ({ m: { 3: 5 } })),
        kb,
      )[0].status,
    ).toBe('fail');
  });

  it('V04 reference: the data read by the same rule (responders at the visit nearest 3 months)', () => {
    const obs = (pts: [number, number][]) => pts.map(([t, value]) => ({ t, value, censored: false }));
    const ln = Math.log;
    const series = [
      // exact exponential 100 -> 1 % over 3 months: rate ln(100)/(3 x 365.25/12) per day, responder
      {
        id: 'a',
        observations: obs([
          [0, 100],
          [1.5, 10],
          [3, 1],
        ]),
      },
      // 100 -> 50 % at 2.9 months (nearest to 3 within half a month): non-responder
      {
        id: 'b',
        observations: obs([
          [0, 100],
          [2.9, 50],
          [6, 1],
        ]),
      },
      // no sample within half a month of 3: its rate over months 0-3 counts for all patients only
      {
        id: 'c',
        observations: obs([
          [0, 100],
          [2, 20],
          [4, 1],
        ]),
      },
      // a single point: no rate
      { id: 'd', observations: obs([[0, 100]]) },
    ];
    const ref = firstPhaseReference(series, 10);
    const day = 365.25 / 12;
    expect(ref.responders).toBe(1);
    expect(ref.patients).toBe(3);
    expect(ref.median).toBeCloseTo(ln(100) / (3 * day), 12);
    const rates = [ln(100) / (3 * day), ln(2) / (2.9 * day), ln(5) / (2 * day)].sort((x, y) => x - y);
    expect(ref.allMedian).toBeCloseTo(rates[1], 12);
    const row = caseV04(
      cohort(3, () => ({ slopePhase1: 0.05, m: { 3: 1 } })),
      kb,
      ref,
    )[0];
    expect(row.expected).toMatch(/Michor 2005 data, same rule: median 0\.0504\/day .*1 of 3 patients/);
  });

  it('V07: share declining and median decline', () => {
    // 7 of 10 declining at 0.002/day, 3 rising: median 0.002, 70 % declining.
    const o = cohort(10, (i) => ({ slopePhase3: i < 7 ? 0.002 : -0.001 }));
    expect(caseV07(o)[0]).toMatchObject({ status: 'pass' });
    expect(caseV07(o)[0].obtained).toMatch(/declining in 70 %/);
    const rising = cohort(10, (i) => ({ slopePhase3: i < 5 ? 0.002 : -0.001 }));
    expect(caseV07(rising)[0].status).toBe('fail');
  });

  it('V08 / V10: milestone proportions with Wilson intervals', () => {
    const o = cohort(100, (i) => ({
      m: { 3: i < 64 ? 8 : 15, 12: i < 30 ? 0.05 : 0.5 },
      timeMMR: i < 34 ? 12 : N,
    }));
    const v8 = caseV08(o, kb)[0];
    expect(v8.status).toBe('pass');
    expect(v8.obtained).toMatch(/^64 % \(Wilson 95 % CI 54\.2 %–72\.7 %; 64\/100\)$/);
    const v10 = caseV10(o, kb)[0];
    expect(v10).toMatchObject({ status: 'pass' });
    expect(v10.obtained).toMatch(/^30 %/);
    expect(v10.detail).toMatch(/by 12 months 34 %/);
    const low = cohort(100, (i) => ({ m: { 3: i < 50 ? 8 : 15 } }));
    expect(caseV08(low, kb)[0].status).toBe('fail');
  });

  it('V11 / V12: cumulative incidences from the curves', () => {
    const o = cohort(100, (i) => ({
      timeMMR: i < 62 ? 12 : N,
      timeMR45: i < 35 ? 36 : N,
      timeTfrEligible: i < 30 ? 84 : N,
    }));
    expect(caseV11(o).map((r) => r.status)).toEqual(['pass', 'pass']);
    expect(caseV12(o).map((r) => r.status)).toEqual(['pass', 'pass', 'pass']);
    expect(caseV12(o)[0].obtained).toMatch(/^62 %/);
    const few = cohort(100, (i) => ({ timeMMR: i < 40 ? 12 : N }));
    expect(caseV11(few)[0].status).toBe('fail');
    // Follow-up shorter than 10 years: no estimate, a failure that says why.
    const short = cohort(10, () => ({ followUpMonths: 60 }));
    expect(caseV12(short)[0]).toMatchObject({ status: 'fail', detail: 'follow-up shorter than 120 months' });
  });

  it('V14: cumulative progression at 7 years and the shape of the annual hazard', () => {
    const months = [6, 18, 18, 18, 30, 30, 42];
    const o = cohort(100, (i) => ({ timeProgression: i < months.length ? months[i] : N }));
    const rates = annualRates(o, 'timeProgression', 7);
    expect(rates[0]).toBeCloseTo(1 / 100, 14);
    expect(rates[1]).toBeCloseTo(3 / 99, 14);
    expect(rates[2]).toBeCloseTo(2 / 96, 14);
    expect(rates[3]).toBeCloseTo(1 / 94, 14);
    expect(caseV14(o).map((r) => r.status)).toEqual(['pass', 'pass']);
    const early = cohort(100, (i) => ({ timeProgression: i < 7 ? 6 : N }));
    expect(caseV14(early).map((r) => r.status)).toEqual(['pass', 'fail']);
  });

  it('V16: median time to blast crisis (proxy) in years', () => {
    const o = cohort(100, (i) => ({ timeBlastCrisis: i < 60 ? 48 : N }));
    expect(caseV16(o)[0]).toMatchObject({ status: 'pass' });
    expect(caseV16(o)[0].obtained).toMatch(/^4 y/);
    expect(caseV16(cohort(10, () => ({})))[0].status).toBe('fail');
  });

  it('V23: median mutant share 6 months after the stop among dominant clones', () => {
    const s = [0.97, 0.95, 0.2].map((a, i) => ({
      patient: i,
      shareAtStop: a,
      shareAfter6Months: [0.08, 0.1, 0.01][i],
    }));
    expect(caseV23(s)[0]).toMatchObject({ status: 'pass' });
    expect(caseV23(s)[0].obtained).toMatch(/96 % -> 9 % \(median of 2 patients\)/);
    expect(caseV23([{ patient: 0, shareAtStop: 0.97, shareAfter6Months: 0.5 }])[0].status).toBe('fail');
  });

  it('V23 from outcome rows (stop-resistant-clone cohort): columns mutantShareAtStop / mutantShare6mAfterStop', () => {
    const o = cohort(4, (i) => ({
      mutantShareAtStop: [0.97, 0.95, 0.3, 0.99][i],
      mutantShare6mAfterStop: [0.08, 0.1, 0.01, N][i], // patient 3: 6 months beyond follow-up
    }));
    expect(mutantShareSamples(o)).toHaveLength(4);
    const v = evaluateCohortCases({ stopResistantClone: o }, kb).find((r) => r.case === 'V23');
    expect(v).toMatchObject({ status: 'pass' });
    expect(v?.obtained).toMatch(/96 % -> 9 % \(median of 2 patients\)/);
    const bad = cohort(3, () => ({ mutantShareAtStop: 0.97, mutantShare6mAfterStop: 0.4 }));
    expect(evaluateCohortCases({ stopResistantClone: bad }, kb).find((r) => r.case === 'V23')?.status).toBe(
      'fail',
    );
    // Failed rows are left out; no stop at all (NaN): no dominant clone, fail.
    const failed = cohort(2, () => ({
      status: 'failed',
      mutantShareAtStop: 0.97,
      mutantShare6mAfterStop: 0.08,
    }));
    expect(mutantShareSamples(failed)).toHaveLength(0);
    expect(caseV23(mutantShareSamples(cohort(2, () => ({}))))[0].status).toBe('fail');
  });

  it('V26: MMR by 12 months above vs below the trough threshold', () => {
    const o = cohort(100, (i) => ({
      cminNgPerMl: i < 50 ? 700 : 1400,
      timeMMR: (i < 50 && i < 10) || (i >= 50 && i < 80) ? 12 : N,
    }));
    const r = caseV26(o)[0];
    expect(r.status).toBe('pass');
    expect(r.obtained).toMatch(/ratio 3$/);
    const flat = cohort(100, (i) => ({ cminNgPerMl: i < 50 ? 700 : 1400, timeMMR: i % 2 === 0 ? 12 : N }));
    expect(caseV26(flat)[0].status).toBe('fail');
  });

  it('evaluateCohortCases: pending without cohorts, no V24 (computed in src/experiments), V30 not reproducible', () => {
    const rows = evaluateCohortCases({}, kb);
    expect(rows.map((r) => r.case)).toEqual([
      'V04',
      'V05',
      'V07',
      'V08',
      'V10',
      'V11',
      'V12',
      'V14',
      'V16',
      'V23',
      'V26',
      'V30',
    ]);
    expect(rows.filter((r) => r.status === 'pending')).toHaveLength(11);
    expect(rows.at(-1)).toMatchObject({ case: 'V30', status: 'not reproducible' });
    const im = cohort(20, (i) => ({ slopePhase1: 0.05, m: { 3: i < 13 ? 5 : 20 } }));
    const some = evaluateCohortCases({ imatinib: im }, kb);
    expect(some.find((r) => r.case === 'V04')?.status).toBe('pass');
    expect(some.find((r) => r.case === 'V16')?.status).toBe('pending');
  });
});

describe('COHORT_SCENARIOS', () => {
  it('every scenario is a valid scenario file for the knowledge base', () => {
    for (const s of COHORT_SCENARIOS) {
      const sc = parseScenario(s.yaml, `${s.id}.yaml`, kb);
      expect(sc.name).toMatch(/^validation-/);
    }
    const im = parseScenario(COHORT_SCENARIOS[0].yaml, 'x.yaml', kb);
    expect(im).toMatchObject({
      durationMonths: 120,
      niche: { blastCrisis: true },
      therapy: { tfr: { attempt: false } },
    });
    expect(im.therapy.schedule[0]).toMatchObject({ drug: 'imatinib', doseMg: 400, intervalHours: 24 });
  });

  it('covers every cohort case that needs a cohort', () => {
    const covered = COHORT_SCENARIOS.flatMap((s) => s.cases).sort();
    expect(covered).toEqual(['V04', 'V05', 'V07', 'V08', 'V10', 'V11', 'V12', 'V14', 'V16', 'V23', 'V26']);
  });
});
