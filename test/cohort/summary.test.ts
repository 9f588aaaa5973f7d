import { describe, expect, it } from 'vitest';
import { kaplanMeier } from '../../src/cohort/km.js';
import type { PatientOutcome } from '../../src/cohort/outcome.js';
import { wilsonInterval } from '../../src/cohort/rates.js';
import { eventData, summarizeCohort, summaryToJSON, tfrRelapseData } from '../../src/cohort/summary.js';
import { loadKnowledgeBase } from '../../src/knowledge/load.js';
import { outcomeRow } from './outcome-row.js';

const kb = loadKnowledgeBase();
const NaN_ = Number.NaN;

const row = outcomeRow;

/** Ten patients: MMR at 12 (4) and 24 (2) months; 6 of 10 <= 10 % at 3 months; progression at 6 and 18 months. */
function cohort(): PatientOutcome[] {
  const rows: PatientOutcome[] = [];
  for (let i = 0; i < 10; i++) {
    rows.push(
      row(i, {
        stratum: i < 5 ? 'low' : 'high',
        timeMMR: i < 4 ? 12 : i < 6 ? 24 : NaN_,
        timeProgression: i === 8 ? 6 : i === 9 ? 18 : NaN_,
        slopePhase1: 0.01 * (i + 1),
        m: { 3: i < 6 ? 5 : 20, 12: i < 4 ? 0.05 : 2 },
      }),
    );
  }
  return rows;
}

describe('summarizeCohort', () => {
  const s = summarizeCohort(cohort(), kb);
  const metric = (id: string) => {
    const m = s.overall.metrics.find((x) => x.id === id);
    if (!m) throw new Error(`no metric ${id}: ${s.overall.metrics.map((x) => x.id).join(', ')}`);
    return m;
  };

  it('counts patients, strata and events', () => {
    expect([s.n, s.failed]).toEqual([10, 0]);
    expect(s.strata.map((x) => [x.stratum, x.n])).toEqual([
      ['low', 5],
      ['high', 5],
    ]);
    const mmr = s.overall.endpoints.find((e) => e.id === 'MMR')!;
    expect(mmr.events).toBe(6);
    expect(mmr.median.estimate).toBe(24);
  });

  it('cumulative MMR by 12 and 24 months from the curve, with the Kaplan-Meier band', () => {
    expect(metric('by12-MMR').estimate).toBeCloseTo(0.4, 15);
    expect(metric('by24-MMR').estimate).toBeCloseTo(0.6, 15);
    const d = eventData(cohort(), 'timeMMR');
    const km = kaplanMeier(d.time, d.event);
    const i = km.time.indexOf(12);
    expect(metric('by12-MMR').lower).toBeCloseTo(1 - km.upper[i], 15);
    expect(metric('by12-MMR').upper).toBeCloseTo(1 - km.lower[i], 15);
  });

  it('state milestones as Wilson proportions over patients with a value', () => {
    const m = metric('at3-le10');
    expect([m.events, m.n]).toEqual([6, 10]);
    expect(m.lower).toBeCloseTo(wilsonInterval(6, 10).lower, 15);
    expect(metric('at12-le0.1')).toMatchObject({ events: 4, n: 10, estimate: 0.4 });
    // No value at 6 months: no patient counted.
    expect(metric('at6-le1').n).toBe(0);
    expect(metric('at6-le1').estimate).toBeNaN();
  });

  it('annual progression: conditional on being progression-free at the start of the year', () => {
    expect(metric('annual12-progression').estimate).toBeCloseTo(0.1, 15);
    expect(metric('annual24-progression').estimate).toBeCloseTo(1 - 0.8 / 0.9, 15);
    expect(metric('annual36-progression').estimate).toBeCloseTo(0, 15);
    expect(metric('free84-progression').estimate).toBeCloseTo(0.8, 15);
  });

  it('slopes: median, quartiles and share declining over finite values', () => {
    const p1 = s.overall.slopes[0];
    expect(p1).toMatchObject({ column: 'slopePhase1', n: 10, declining: 1 });
    expect(p1.median).toBeCloseTo(0.055, 15);
    expect(s.overall.slopes[1].n).toBe(0);
  });

  it('places the imatinib trial figures beside the model numbers, [R] marked not a target', () => {
    const f = (id: string) => s.trials.find((t) => t.figureId === id)!;
    expect(s.trials.length).toBe(kb.trials.filter((t) => t.drug === 'imatinib').length);
    expect(f('dasision.imatinib.mmr-by-12m')).toMatchObject({
      trial: 'DASISION',
      target: true,
      metricId: 'by12-MMR',
    });
    expect(f('dasision.imatinib.mmr-by-12m').model?.estimate).toBeCloseTo(0.4, 15);
    expect(f('dasision.imatinib.mmr-by-12m').citation).toMatch(/SPRYCEL/);
    expect(f('iris.imatinib.mmr-12m')).toMatchObject({
      evidence: 'R',
      target: false,
      metricId: 'at12-le0.1',
    });
    const emr = f('enestnd.imatinib.emr-failure-3m');
    expect(emr.metricId).toBe('at3-le10');
    expect(emr.comparable).toBeCloseTo(0.67, 15);
    expect(f('iris.imatinib.os-7y').metricId).toBeNull();
    expect(f('iris.imatinib.ap-bc-annual-y2').model?.estimate).toBeCloseTo(1 - 0.8 / 0.9, 15);
    expect(f('enestnd.imatinib.tfr-eligible-by-10y').metricId).toBe('by120-tfrEligible');
  });

  it('is JSON-serialisable (typed arrays become arrays)', () => {
    const j = summaryToJSON(s) as { overall: { endpoints: { curve: { time: unknown } }[] } };
    expect(Array.isArray(j.overall.endpoints[0].curve.time)).toBe(true);
    expect(JSON.parse(JSON.stringify(j))).toEqual(j);
  });

  it('counts failed runs and censors them where they stopped', () => {
    const rows = cohort();
    rows[0] = row(0, { status: 'failed', message: 'solver failed', followUpMonths: 6 });
    const f = summarizeCohort(rows, kb, { strata: false });
    expect(f.failed).toBe(1);
    expect(f.strata).toEqual([]);
    // 3 of the 9 at risk at 12 months reach MMR then: 1 - 6/9.
    expect(f.overall.metrics.find((m) => m.id === 'by12-MMR')!.estimate).toBeCloseTo(1 - 6 / 9, 15);
  });
});

describe('TFR relapse-free survival from the stop', () => {
  const rows = [
    row(0, { timeTfrStop: 60, timeTfrRelapse: 63 }),
    row(1, { timeTfrStop: 60, timeTfrRelapse: 66 }),
    row(2, { timeTfrStop: 70 }),
    row(3, { timeTfrStop: 72, followUpMonths: 80 }),
    row(4),
  ];

  it('only stopped patients are at risk; time counted from the stop', () => {
    const d = tfrRelapseData(rows);
    expect(Array.from(d.time)).toEqual([3, 6, 50, 8]);
    expect(Array.from(d.event)).toEqual([1, 1, 0, 0]);
    const s = summarizeCohort(rows, kb);
    expect([s.overall.tfr.stopped, s.overall.tfr.relapses]).toEqual([4, 2]);
    expect(s.overall.tfr.at[0].value.estimate).toBeCloseTo(0.5, 15);
    expect(s.overall.tfr.at[1].value.estimate).toBeCloseTo(0.5, 15);
  });

  it('a relapse before the stop is a clear error', () => {
    expect(() => tfrRelapseData([row(7, { timeTfrStop: 60, timeTfrRelapse: 3 })])).toThrow(
      /patient 7.*before timeTfrStop/,
    );
  });
});

describe('summarizeCohort: endpoints that were not modelled and rates with no events', () => {
  it('drops the curves of endpoints not modelled and reports their metrics as NaN, not as 0 %', () => {
    const s = summarizeCohort(cohort(), kb, { notModelled: ['progression', 'blastCrisis'] });
    expect(s.overall.endpoints.map((e) => e.id)).not.toContain('progression');
    expect(s.overall.endpoints.map((e) => e.id)).toContain('MMR');
    const prog = s.overall.metrics.filter((m) => m.id.endsWith('-progression'));
    expect(prog.length).toBeGreaterThan(0);
    for (const m of prog) {
      expect(m.estimate).toBeNaN();
      expect(m.interval).toBe('not modelled in this run');
    }
  });

  it('gives a cumulative rate with no events an exact upper bound, not a [0, 0] band', () => {
    // Nobody has progressed by 2 years (progression at 6 and 18 months are removed): 0 of 10 at risk.
    const rows = cohort().map((r) => ({ ...r, timeProgression: NaN_ }));
    const s = summarizeCohort(rows, kb);
    const m = s.overall.metrics.find((x) => x.id === 'by24-progression');
    expect(m).toBeDefined();
    expect(m!.estimate).toBe(0);
    expect(m!.lower).toBe(0);
    // Two-sided 95 % Clopper-Pearson upper bound for 0 of 10: 1 - 0.025^(1/10).
    expect(m!.upper).toBeCloseTo(1 - 0.025 ** 0.1, 10);
  });
});
