/**
 * The browser engine API, run in Node: it must give what `runScenario` gives for the default scenario (the same
 * code path with cached builds and compilations), re-runs must reuse the compiled models, and parameter
 * overrides must act as `patient.parameters` do.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { webDataTexts } from '../../scripts/build-web.js';
import { loadKnowledgeBase } from '../../src/knowledge/load.js';
import { DEFAULT_SCENARIO, DEFAULT_SCENARIO_FILE } from '../../src/scenario/default.js';
import { parseScenario } from '../../src/scenario/load.js';
import { runScenario } from '../../src/scenario/run.js';
import type { ScenarioRun } from '../../src/scenario/run-result.js';
import { type Engine, type PlotData, prepareEngine } from '../../src/web/engine.js';

const REL = 1e-9;

/** Every value of `a` within REL (relative) of `b`, NaN where `b` is NaN. */
function expectClose(a: ArrayLike<number>, b: ArrayLike<number>, what: string) {
  expect(a.length, what).toBe(b.length);
  for (let i = 0; i < a.length; i++) {
    if (Number.isNaN(b[i])) expect(Number.isNaN(a[i]), `${what}[${i}]`).toBe(true);
    else if (Math.abs(a[i] - b[i]) > REL * Math.max(Math.abs(b[i]), 1e-300))
      throw new Error(`${what}[${i}]: engine ${a[i]} vs runScenario ${b[i]}`);
  }
}

function expectSameRun(p: PlotData, r: ScenarioRun) {
  expectClose(p.time, r.time, 'time');
  expect(p.series.map((x) => x.id)).toEqual(r.series.map((x) => x.id));
  p.series.forEach((x, k) => expectClose(x.values, r.values[k], x.id));
  expect(p.monitoring.length).toBe(r.monitoring.length);
  p.monitoring.forEach((m, i) => {
    expect(m.response).toBe(r.monitoring[i].response);
    expect(m.undetectable).toBe(r.monitoring[i].undetectable);
    if (m.bcrAblIS !== undefined) expectClose([m.bcrAblIS], [r.monitoring[i].bcrAblIS!], `monitoring[${i}]`);
  });
  expect(p.summary.milestones.map((m) => m.category)).toEqual(r.summary.milestones.map((m) => m.category));
  expectClose(
    p.summary.milestones.map((m) => m.bcrAblIS ?? Number.NaN),
    r.summary.milestones.map((m) => m.bcrAblIS ?? Number.NaN),
    'milestones',
  );
  expect(p.summary.tfr).toEqual(r.summary.tfr);
  expect(p.summary.bestResponse).toBe(r.summary.bestResponse);
  expect(p.therapy).toEqual(r.therapy);
  expect(p.phases).toEqual(r.phases);
  expect(p.parameterHash).toBe(r.parameterHash);
}

describe('web engine (Node)', () => {
  let engine: Engine;
  let reference: ScenarioRun;
  let first: PlotData;
  const kb = loadKnowledgeBase();

  beforeAll(() => {
    engine = prepareEngine(webDataTexts());
    first = engine.run();
    reference = runScenario(parseScenario(DEFAULT_SCENARIO, DEFAULT_SCENARIO_FILE, kb), { kb });
  }, 60_000);

  it('equals runScenario on the default scenario (BCR-ABL at 12 months, every series, within 1e-9 relative)', () => {
    expectSameRun(first, reference);
    const m12 = first.summary.milestones.find((m) => m.month === 12)!;
    // The default patient is in deep response at 12 months (ELN 2020 optimal: <= 0.1 % IS).
    expect(m12.category).toBe('optimal');
    expect(m12.bcrAblIS!).toBeGreaterThan(0);
    expect(m12.bcrAblIS!).toBeLessThanOrEqual(0.1);
    expect(first.timings.compiled).toBeGreaterThan(0);
  });

  it('re-runs from the cache: nothing compiled, the same numbers', () => {
    const again = engine.run(DEFAULT_SCENARIO);
    expect(again.timings.compiled).toBe(0);
    expectSameRun(again, reference);
  });

  it('an override acts as patient.parameters does, and changes the result', () => {
    const id = 'E_ref';
    const p0 = first.parameters.find((p) => p.id === id);
    expect(p0).toBeDefined();
    const v = p0!.value * 1.5;
    const withOverride = engine.run(undefined, { [id]: v });
    const s = parseScenario(DEFAULT_SCENARIO, DEFAULT_SCENARIO_FILE, kb);
    const r = runScenario({ ...s, patient: { ...s.patient, parameters: { [id]: v } } }, { kb });
    expectSameRun(withOverride, r);
    expect(withOverride.parameters.find((p) => p.id === id)!.value).toBe(v);
    expect(withOverride.parameterHash).not.toBe(first.parameterHash);
    // A slider step: other initial amounts in the continued segments, the same structure, nothing compiled.
    const v2 = v * 1.001;
    const moved = engine.run(undefined, { [id]: v2 });
    expect(moved.therapy).toEqual(withOverride.therapy);
    expect(moved.timings.compiled).toBe(0);
    const r2 = runScenario({ ...s, patient: { ...s.patient, parameters: { [id]: v2 } } }, { kb });
    expectSameRun(moved, r2);
  });

  it('runs a reference model from the bundled texts and reports bad input with the field', () => {
    const ref = engine.run('name: ref\nmodel:\n  reference: fassoni2018\ndurationMonths: 12\n');
    const r = runScenario(
      parseScenario('name: ref\nmodel:\n  reference: fassoni2018\ndurationMonths: 12\n', '<scenario>', kb),
      { kb },
    );
    expectClose(ref.series[0].values, r.values[0], 'fassoni bcr_abl_is');
    expect(() => engine.run('name: x\ndurationMonth: 12\n')).toThrow(
      /<scenario>:2:1: error: .*durationMonth/,
    );
  });
});
