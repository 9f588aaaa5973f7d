/**
 * The plan hint of runScenario (options.planHint, used by the web engine when a slider moves): a run given an earlier
 * run's final plan returns the same result as a run without it, and simulates less when the decisions are the hinted
 * ones; a wrong hint costs time, never correctness.
 */
import { describe, expect, it } from 'vitest';
import { loadKnowledgeBase } from '../../src/knowledge/load.js';
import { buildNiche } from '../../src/niche/build.js';
import { DEFAULT_SCENARIO } from '../../src/scenario/default.js';
import { parseScenario } from '../../src/scenario/load.js';
import { firstPlanDifference, type PlanEntry, runScenario } from '../../src/scenario/run.js';
import type { ScenarioRun } from '../../src/scenario/run-result.js';

const kb = loadKnowledgeBase();

/** A run, the number of segment models it built (one per simulated segment) and its final plan. */
function run(yaml: string, planHint?: readonly PlanEntry[]) {
  let builds = 0;
  let finalPlan: readonly PlanEntry[] = [];
  const r = runScenario(parseScenario(yaml, 'test.yaml', kb), {
    kb,
    buildNiche: (o, k) => {
      builds++;
      return buildNiche(o, k);
    },
    ...(planHint ? { planHint } : {}),
    onFinalPlan: (p) => {
      finalPlan = p;
    },
  });
  return { r, builds, finalPlan };
}

function expectSameRun(a: ScenarioRun, b: ScenarioRun) {
  expect(b.time).toEqual(a.time);
  expect(b.series.map((x) => x.id)).toEqual(a.series.map((x) => x.id));
  a.values.forEach((col, k) => expect(b.values[k], a.series[k].id).toEqual(col));
  expect(b.monitoring).toEqual(a.monitoring);
  expect(b.therapy).toEqual(a.therapy);
  expect(b.summary).toEqual(a.summary);
}

const entry = (o: Partial<PlanEntry> & { startMonth: number }): PlanEntry => ({
  drug: 'imatinib',
  doseMg: 400,
  intervalHours: 24,
  doseChanges: [],
  interruptions: [],
  reason: 'plan',
  ...o,
});

describe('firstPlanDifference', () => {
  it('is the first month two plans can differ: a stop, a new entry, a changed entry', () => {
    const a = [entry({ startMonth: 0 })];
    expect(firstPlanDifference(a, a)).toBe(Number.POSITIVE_INFINITY);
    expect(firstPlanDifference(a, [entry({ startMonth: 0, stopMonth: 60 })])).toBe(60);
    expect(
      firstPlanDifference(
        [entry({ startMonth: 0, stopMonth: 60 })],
        [entry({ startMonth: 0, stopMonth: 60 }), entry({ startMonth: 64 })],
      ),
    ).toBe(64);
    expect(firstPlanDifference(a, [entry({ startMonth: 0, doseMg: 600 })])).toBe(0);
    expect(firstPlanDifference([entry({ startMonth: 0, stopMonth: 60, reason: 'x' })], a)).toBe(60);
  });
});

describe('runScenario with a plan hint', () => {
  // The default scenario stops for TFR, relapses and restarts: three decisions' worth of re-simulation.
  const cold = run(DEFAULT_SCENARIO);

  it('the default run decides a stop and a restart (the case the hint is for)', () => {
    expect(cold.finalPlan.length).toBe(2);
    expect(cold.finalPlan[0].stopMonth).toBeDefined();
    expect(cold.r.summary.tfr?.outcome).toBe('molecular relapse');
  });

  it('with its own final plan as the hint: the same result, with fewer segment builds', () => {
    const warm = run(DEFAULT_SCENARIO, cold.finalPlan);
    expectSameRun(cold.r, warm.r);
    expect(warm.finalPlan).toEqual(cold.finalPlan);
    // Without the hint: the one-segment plan, again with the stop, again split at the restart (1 + 1 + 2).
    expect(cold.builds).toBe(4);
    expect(warm.builds).toBe(2);
  });

  it('a hint whose decisions do not happen (a stop at month 12) changes nothing in the result', () => {
    const wrong = [entry({ startMonth: 0, stopMonth: 12, reason: 'start' })];
    const w = run(DEFAULT_SCENARIO, wrong);
    expectSameRun(cold.r, w.r);
    expect(w.finalPlan).toEqual(cold.finalPlan);
  });

  it('a hint from a slightly different patient (a slider step) gives what a cold run of the new scenario gives', () => {
    const moved = DEFAULT_SCENARIO.replace(
      '  transcript: e14a2',
      '  transcript: e14a2\n  parameters:\n    e_tki: 2.5',
    );
    const c = run(moved);
    const h = run(moved, cold.finalPlan);
    expectSameRun(c.r, h.r);
    expect(h.finalPlan).toEqual(c.finalPlan);
  });

  it('a hint that differs only after the last visit is not taken as the result', () => {
    // 71 months, PCR every 3 months: the last visit is month 69; the hint adds a dose change at month 70.
    const short = DEFAULT_SCENARIO.replace('durationMonths: 72', 'durationMonths: 71');
    const c = run(short);
    const last = c.finalPlan[c.finalPlan.length - 1];
    const hint = [
      ...c.finalPlan,
      entry({ startMonth: 70, doseMg: 800, ...(last ? { drug: last.drug } : {}) }),
    ];
    const h = run(short, hint);
    expectSameRun(c.r, h.r);
    expect(h.finalPlan).toEqual(c.finalPlan);
  });
});
