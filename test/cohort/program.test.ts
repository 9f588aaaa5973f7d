/**
 * The cohort runner against runScenario: a patient with core 'fixed' and pk false must reproduce the scenario run
 * (same model, same resolved exposure, same rules) — milestone BCR-ABL1 within 1e-3 relative (the two differ only
 * by solver path: Rodas5P landing on the visits against runScenario's 'auto' with model events, both at rtol 1e-6)
 * and the same visits for MMR, MR4, MR4.5, the TFR stop, the relapse and the switch. Then determinism: the same
 * bits for patient k whatever the order, the cohort size or a fresh program.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { clinicalDefinitions } from '../../src/clinic/definitions.js';
import {
  MILESTONE_MONTHS,
  milestoneColumn,
  OUTCOME_COLUMNS,
  outcomeValue,
} from '../../src/cohort/outcome.js';
import { prepareCohort, simulatePatient } from '../../src/cohort/program.js';
import { COHORT_SCENARIOS } from '../../src/cohort/validation.js';
import { loadKnowledgeBase } from '../../src/knowledge/load.js';
import { phaseCourse } from '../../src/niche/readouts.js';
import { cloneSuffix } from '../../src/niche/tki.js';
import { DEFAULT_SCENARIO } from '../../src/scenario/default.js';
import { parseScenario } from '../../src/scenario/load.js';
import { runScenario } from '../../src/scenario/run.js';
import { drugPk } from '../../src/therapy/pk-params.js';
import { steadyState } from '../../src/therapy/steady-state.js';

const kb = loadKnowledgeBase();
const EXAMPLES = resolve(import.meta.dirname, '../../examples');
const FIXED = '\ncohort:\n  core: fixed\n  pk: false\n';
const nan = (x: number | undefined) => x ?? Number.NaN;

function compare(text: string) {
  const s = parseScenario(text + FIXED, 'test.yaml', kb);
  const r = runScenario(s, { kb });
  const o = simulatePatient(prepareCohort(s, kb, { patients: 1 }), 0);
  expect(o.status, o.message).toBe('ok');
  expect(o.followUpMonths).toBe(s.durationMonths);
  let worst = 0;
  for (const m of MILESTONE_MONTHS) {
    const smp = r.monitoring.find((x) => x.month === m);
    if (!smp) {
      if (m > s.durationMonths) expect(o.milestones[milestoneColumn(m)]).toBeNaN();
      continue;
    }
    const ref = smp.bcrAblIS ?? (smp.limitIS as number);
    const rel = Math.abs(o.milestones[milestoneColumn(m)] - ref) / ref;
    worst = Math.max(worst, rel);
    expect(rel, `month ${m}`).toBeLessThan(1e-3);
  }
  expect(o.timeMMR).toEqual(nan(r.summary.monthsToMMR));
  expect(o.timeMR4).toEqual(nan(r.summary.monthsToMR4));
  expect(o.timeMR45).toEqual(nan(r.summary.monthsToMR45));
  expect(o.timeTfrStop).toEqual(nan(r.summary.tfr?.stopMonth));
  expect(o.timeTfrRelapse).toEqual(nan(r.summary.tfr?.relapseMonth));
  return { s, r, o, worst };
}

describe('simulatePatient reproduces runScenario (core fixed, pk false)', () => {
  it('default scenario (6 years): TFR stop, relapse and restart at the same visits', () => {
    const { r, o, worst } = compare(DEFAULT_SCENARIO);
    expect(r.summary.tfr?.outcome).toBe('molecular relapse'); // the case exercises stop, relapse and restart
    expect(o.timeTfrEligible).toBe(o.timeTfrStop);
    expect(worst).toBeLessThan(1e-5); // measured 6e-7 (solver paths differ at rtol 1e-6)
    // cmin: the closed-form steady-state trough of the typical imatinib PK at 400 mg daily.
    const pk = drugPk(kb, 'imatinib');
    expect(o.cminNgPerMl).toBeCloseTo(steadyState(pk.params, 400, 24).cmin, 9);
    expect(o.timeProgression).toBeNaN(); // blast-crisis route off: not modelled
    expect(o.mutantShareAtStop).toBeNaN(); // no resistant clone
    expect(o.mutantShare6mAfterStop).toBeNaN();
    // Slopes: least squares of ln(IS) over the visits, by hand from runScenario's monitoring (months 0-3).
    const v = r.monitoring
      .filter((m) => m.month <= 3)
      .map((m) => [m.month * (365.25 / 12), Math.log(m.bcrAblIS!)]);
    const slope = (v[1][1] - v[0][1]) / (v[1][0] - v[0][0]);
    expect(o.slopePhase1).toBeCloseTo(-slope, 6);
    expect(o.slopePhase1).toBeGreaterThan(0);
  });

  it("the blood read-out (niche.readout: blood): the runner reads the model's blood ratio", () => {
    const blood = DEFAULT_SCENARIO.replace('niche:\n', 'niche:\n  readout: blood\n');
    expect(blood).not.toBe(DEFAULT_SCENARIO);
    const { o, worst } = compare(blood);
    expect(worst).toBeLessThan(1e-5);
    // the block of the differentiated cells' output puts the blood ratio below the stem ratio on the drug
    const stem = simulatePatient(prepareCohort(parseScenario(DEFAULT_SCENARIO + FIXED, 'x.yaml', kb), kb), 0);
    expect(o.milestones[milestoneColumn(3)]).toBeLessThan(0.5 * stem.milestones[milestoneColumn(3)]);
    expect(o.slopePhase1).toBeGreaterThan(stem.slopePhase1);
  });

  it('a relapse at the last visit (restart with no time left) ends cleanly', () => {
    const { o } = compare(DEFAULT_SCENARIO.replace('durationMonths: 72', 'durationMonths: 65'));
    expect(o.timeTfrRelapse).toBe(65);
  });

  it('V23 columns: resistant share of all LSCs at the scheduled stop and 6 months later, as in runScenario', () => {
    const c = COHORT_SCENARIOS.find(
      (x) => x.id === 'stop-resistant-clone',
    ) as (typeof COHORT_SCENARIOS)[number];
    const { s, r, o } = compare(c.yaml);
    const stop = s.therapy.schedule[0].stopMonth as number;
    const suf = cloneSuffix('T315I');
    const col = (id: string) => r.values[r.series.findIndex((x) => x.id === id)];
    for (const id of ['X', 'Y', `X${suf}`, `Y${suf}`]) expect(col(id), id).toBeDefined();
    const share = (month: number) => {
      const i = r.time.findIndex((x) => Math.abs(x - month) < 1e-9);
      expect(i, `grid month ${month}`).toBeGreaterThanOrEqual(0);
      const mut = col(`X${suf}`)[i] + col(`Y${suf}`)[i];
      return mut / (mut + col('X')[i] + col('Y')[i]);
    };
    const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);
    expect(rel(o.mutantShareAtStop, share(stop))).toBeLessThan(1e-6);
    expect(rel(o.mutantShare6mAfterStop, share(stop + 6))).toBeLessThan(1e-6);
    // The clone dominates at the stop (the model's own dynamics decide V23; here only the read-out is checked).
    expect(o.mutantShareAtStop).toBeGreaterThan(0.5);
    expect(o.mutantShare6mAfterStop).toBeLessThanOrEqual(1);
    // A stop less than 6 months before the end: the second share is beyond follow-up.
    const short = simulatePatient(
      prepareCohort(
        parseScenario(c.yaml.replace('durationMonths: 60', 'durationMonths: 52') + FIXED, 't.yaml', kb),
        kb,
        {
          patients: 1,
        },
      ),
      0,
    );
    expect(short.mutantShareAtStop).toBeCloseTo(o.mutantShareAtStop, 9);
    expect(short.mutantShare6mAfterStop).toBeNaN();
  });

  it('switch on mutation detection (T315I -> asciminib) at the same visit', () => {
    const { r, o } = compare(readFileSync(resolve(EXAMPLES, 'switch-on-mutation.yaml'), 'utf8'));
    const sw = r.therapy.find((t) => t.reason.startsWith('switch'));
    expect(sw).toBeDefined();
    expect(o.timeMutation).toBe(sw?.startMonth);
  });

  it('progression: phase onsets of the blast-crisis route as in the phase read-out of runScenario', () => {
    // Hähnel patient 2, imatinib only from month 24, an early TKI-insensitive blast-crisis founder (its threshold
    // and kind set): progresses to accelerated, then blast phase.
    const text = [
      'name: progression',
      'durationMonths: 72',
      'patient: { hahnelPatient: 2, parameters: { bc_threshold_1: 0.01, bc_kind_1: 0 } }',
      'niche: { blastCrisis: true }',
      'therapy: { schedule: [{ drug: imatinib, doseMg: 400, startMonth: 24 }] }',
    ].join('\n');
    const { s, r, o } = compare(text);
    const col = (id: string) => r.values[r.series.findIndex((x) => x.id === id)];
    const pc = phaseCourse(
      { time: r.time, column: (id: string) => col(id) },
      s.outputs.phaseScheme,
      clinicalDefinitions(kb),
    );
    expect(pc.onset.accelerated).toBeDefined();
    expect(o.timeProgression).toBe(pc.onset.accelerated);
    expect(o.timeBlastCrisis).toBe(pc.onset.blast);
    expect(o.timeBlastCrisis).toBeGreaterThanOrEqual(o.timeProgression);
  });

  it('a dose reduction (resolved transients at the regimen change)', () => {
    const { worst } = compare(readFileSync(resolve(EXAMPLES, 'dose-reduction.yaml'), 'utf8'));
    expect(worst).toBeLessThan(1e-5);
  });
});

describe('simulatePatient is a pure function of (program, k)', () => {
  const text = `${DEFAULT_SCENARIO.replace('durationMonths: 72', 'durationMonths: 120')}\ncohort:\n  patients: 50\n`;
  const s = parseScenario(text, 'test.yaml', kb);
  const bits = (o: ReturnType<typeof simulatePatient>) =>
    OUTCOME_COLUMNS.map((c) => {
      const v = outcomeValue(o, c.name);
      return typeof v === 'number' ? Buffer.from(new Float64Array([v]).buffer).toString('hex') : v;
    });

  it('same bits twice, in another order, from a fresh program and at another cohort size', () => {
    const a = prepareCohort(s, kb);
    const ks = [0, 7, 3, 12];
    const first = ks.map((k) => bits(simulatePatient(a, k)));
    const again = [...ks]
      .reverse()
      .map((k) => bits(simulatePatient(a, k)))
      .reverse();
    expect(again).toEqual(first);
    const b = prepareCohort(s, kb, { patients: 10_000 });
    expect(b.patients).toBe(10_000);
    expect(ks.map((k) => bits(simulatePatient(b, k)))).toEqual(first);
    expect(b.modelHash).toBe(a.modelHash);
    // Different patients differ (the draws are not all the same).
    expect(new Set(first.map((x) => x.join())).size).toBe(ks.length);
  });

  it('fills every outcome column', () => {
    const o = simulatePatient(prepareCohort(s, kb), 1);
    for (const c of OUTCOME_COLUMNS) {
      const v = outcomeValue(o, c.name);
      expect(typeof v === 'number' ? 'float64 int32'.includes(c.type) : 'utf8' === c.type, c.name).toBe(true);
    }
    expect(o.stratum).toBe('all');
    expect(o.cminNgPerMl).toBeGreaterThan(0);
  });
});
