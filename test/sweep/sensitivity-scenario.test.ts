import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { prepareCohort, simulatePatient } from '../../src/cohort/index.js';
import type { PatientOutcome } from '../../src/cohort/outcome.js';
import { loadKnowledgeBase } from '../../src/knowledge/index.js';
import { DEFAULT_SCENARIO, DEFAULT_SCENARIO_FILE } from '../../src/scenario/default.js';
import { parseScenario } from '../../src/scenario/load.js';
import { runScenario } from '../../src/scenario/run.js';
import type { Scenario } from '../../src/scenario/schema.js';
import { parquetToColumns } from '../../src/sweep/columns.js';
import { planJob } from '../../src/sweep/index.js';
import type { SensitivityRequest } from '../../src/sweep/jobs/sensitivity.js';
import { runStudyFolder } from '../../src/sweep/sensitivity-run.js';
import {
  aggregator,
  parseFactorArg,
  parseOutputArg,
  patientValue,
  SensitivitySpecError,
  type StudySpec,
} from '../../src/sweep/sensitivity-spec.js';

const kb = loadKnowledgeBase();
const tmp = () => mkdtempSync(join(tmpdir(), 'exoniche-gsa-'));

async function plan(req: SensitivityRequest, split: { shards?: number } = {}) {
  return planJob(
    'sensitivity',
    { scenarioText: DEFAULT_SCENARIO, spec: req as unknown as Record<string, unknown> },
    split,
  );
}

async function results(dir: string, schema: Parameters<typeof parquetToColumns>[1]) {
  return parquetToColumns(readFileSync(join(dir, 'results.parquet')), schema);
}

describe('sensitivity of a scenario outcome', () => {
  it('typical patient: design points equal runScenario with the factors as patient.parameters', async () => {
    const dir = tmp();
    const req: SensitivityRequest = {
      target: 'scenario',
      method: { kind: 'morris', trajectories: 2, levels: 4 },
      factors: [parseFactorArg('pxy=0.01:0.1:log'), parseFactorArg('e_tki=5:20')],
      outputs: ['bcrAblM12', 'timeMMR'],
    };
    const m = await plan(req, { shards: 2 });
    expect((m.spec as unknown as StudySpec).mode).toBe('typical');
    const r = await runStudyFolder(join(dir, 's'), m, { workers: 0, command: 'test' });
    expect(r.complete).toBe(true);
    const t = await results(join(dir, 's'), m.outputSchema);
    expect(t.rows).toBe(6);
    const s = parseScenario(DEFAULT_SCENARIO, DEFAULT_SCENARIO_FILE, kb);
    // runScenario takes about a second per run: three points, both trajectories, every factor changed once
    for (const k of [0, 2, 4]) {
      const pxy = (t.values[1] as Float64Array)[k]!;
      const eTki = (t.values[2] as Float64Array)[k]!;
      const run = runScenario(
        {
          ...s,
          patient: { ...s.patient, parameters: { ...s.patient.parameters, pxy, e_tki: eTki } },
        } as Scenario,
        { kb },
      );
      const smp = run.monitoring.find((x) => x.month === 12)!;
      const ref = smp.bcrAblIS ?? (smp.limitIS as number);
      // the cohort runner reproduces runScenario to 1e-3 relative (test/cohort/program.test.ts: solver paths differ)
      expect(Math.abs((t.values[3] as Float64Array)[k]! - ref) / ref, `row ${k}`).toBeLessThan(1e-3);
      expect((t.values[4] as Float64Array)[k]).toEqual(run.summary.monthsToMMR ?? Number.NaN);
      expect((t.values[5] as Int32Array)[k]).toBe(0);
    }
    rmSync(dir, { recursive: true, force: true });
  }, 20_000);

  it('cohort aggregate: the same virtual patients 0..M-1 at every point (common random numbers)', async () => {
    const dir = tmp();
    const req: SensitivityRequest = {
      target: 'scenario',
      method: { kind: 'morris', trajectories: 2, levels: 4 },
      factors: [parseFactorArg('r_cml=100:100000:log'), parseFactorArg('niche.release.tki_reduction')],
      outputs: ['bcrAblM12@mean', 'timeMMR@share', 'bcrAblM12@share<=0.1'],
      patients: 3,
    };
    const m = await plan(req);
    const spec = m.spec as unknown as StudySpec;
    expect(spec.mode).toBe('cohort');
    // a knowledge-base key names its parameter; its range is the entry's plausible range
    expect(spec.factors[1]).toEqual({
      name: 'tki_red',
      lo: kb.parameter('niche.release.tki_reduction').range![0],
      hi: kb.parameter('niche.release.tki_reduction').range![1],
      scale: 'linear',
      source: 'kb:niche.release.tki_reduction',
    });
    const r = await runStudyFolder(join(dir, 'c'), m, { workers: 0, command: 'test' });
    expect(r.complete).toBe(true);
    const t = await results(join(dir, 'c'), m.outputSchema);
    const s = parseScenario(DEFAULT_SCENARIO, DEFAULT_SCENARIO_FILE, kb);
    for (const k of [0, 3, 5]) {
      const parameters = {
        ...s.patient.parameters,
        r_cml: (t.values[1] as Float64Array)[k]!,
        tki_red: (t.values[2] as Float64Array)[k]!,
      };
      // the other route: the factors as scenario parameters, the scenario's own cohort of 3 patients
      const prog = prepareCohort({ ...s, patient: { ...s.patient, parameters } } as Scenario, kb, {
        patients: 3,
      });
      const os = [0, 1, 2].map((j) => simulatePatient(prog, j));
      const v12 = os.map((o) => o.milestones.bcrAblM12!);
      const mean = v12.reduce((a, b) => a + b, 0) / 3;
      expect((t.values[3] as Float64Array)[k]).toBeCloseTo(mean, 12);
      expect((t.values[4] as Float64Array)[k]).toBe(os.filter((o) => Number.isFinite(o.timeMMR)).length / 3);
      expect((t.values[5] as Float64Array)[k]).toBe(v12.filter((v) => v <= 0.1).length / 3);
    }
    rmSync(dir, { recursive: true, force: true });
  }, 20_000);

  it('default factors: the Hähnel core over the range of the 21 fitted patients, log-uniform', async () => {
    const m = await plan({
      target: 'scenario',
      method: { kind: 'sobol', samples: 4, bootstrap: 0, confidence: 0.95 },
      factors: [],
      outputs: ['bcrAblM12'],
    });
    const spec = m.spec as unknown as StudySpec;
    expect(spec.factors.map((f) => f.name)).toEqual(['pyx', 'pxy', 'e_tki', 'pz', 'Kz']);
    const pyx: number[] = [];
    for (let k = 1; k <= 21; k++)
      pyx.push(kb.parameter(`hahnel2020.patient${String(k).padStart(2, '0')}.pyx`).value);
    expect(spec.factors[0]).toMatchObject({ lo: Math.min(...pyx), hi: Math.max(...pyx), scale: 'log' });
    expect(m.patients).toBe(4 * 7);
  }, 20_000);

  it('bad outputs and factors: clear errors naming the option', async () => {
    const fails = async (req: Partial<SensitivityRequest>, re: RegExp, kind: 'usage' | 'data') => {
      const err = await plan({
        target: 'scenario',
        method: { kind: 'sobol', samples: 4, bootstrap: 0, confidence: 0.95 },
        factors: [],
        outputs: ['bcrAblM12'],
        ...req,
      }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SensitivitySpecError);
      expect((err as Error).message).toMatch(re);
      expect((err as SensitivitySpecError).kind).toBe(kind);
    };
    await fails(
      { outputs: ['bcrAblM13'] },
      /'bcrAblM13' is not a numeric outcome column \(did you mean 'bcrAblM12'/,
      'data',
    );
    await fails(
      { outputs: ['bcrAblM12', 'timeMMR@mean'] },
      /either every --output has an aggregate/,
      'usage',
    );
    await fails({ factors: [{ name: 'pyy' }] }, /--factor pyy: not a parameter.*did you mean/, 'data');
    await fails({ patients: 5 }, /--patients needs outputs with an aggregate/, 'usage');
    expect(() => parseFactorArg('pyx=1:0.1')).toThrow(/LO < HI/);
    expect(() => parseFactorArg('pyx=0:1:log')).toThrow(/log range needs LO > 0/);
    expect(() => parseFactorArg('pyx=a:b')).toThrow(/expected NAME, NAME=LO:HI/);
    expect(() => parseOutputArg('timeMMR@sum')).toThrow(/unknown aggregate 'sum'/);
    expect(parseOutputArg('timeMMR@share<=12')).toEqual({
      label: 'timeMMR@share<=12',
      column: 'timeMMR',
      agg: 'share<=12',
    });
  }, 20_000);
});

describe('aggregates and derived outcome columns', () => {
  it('mean and median of the defined values, share of defined values, share meeting a condition', () => {
    const v = Float64Array.from([3, Number.NaN, 1, 10, Number.NaN, 2]);
    expect(aggregator('mean').reduce(v.slice(), 6)).toBe(4);
    expect(aggregator('median').reduce(v.slice(), 6)).toBe(2.5);
    expect(aggregator('median').reduce(v.slice(), 3)).toBe(2);
    expect(aggregator('share').reduce(v.slice(), 6)).toBe(4 / 6);
    expect(aggregator('share<=2').reduce(v.slice(), 6)).toBe(2 / 6);
    expect(aggregator('share>3').reduce(v.slice(), 6)).toBe(1 / 6);
    expect(aggregator('mean').reduce(v.slice(), 0)).toBeNaN();
  });

  it('tfrSuccess<M>: 1 in MMR M months after the stop, 0 relapsed by then, NaN without a stop or when censored', () => {
    const o = (stop: number, relapse: number, followUp = 72) =>
      ({ timeTfrStop: stop, timeTfrRelapse: relapse, followUpMonths: followUp }) as unknown as PatientOutcome;
    expect(patientValue(o(40, Number.NaN), 'tfrSuccess12')).toBe(1);
    expect(patientValue(o(40, 45), 'tfrSuccess12')).toBe(0);
    expect(patientValue(o(40, 60), 'tfrSuccess12')).toBe(1);
    expect(patientValue(o(Number.NaN, Number.NaN), 'tfrSuccess12')).toBeNaN();
    expect(patientValue(o(66, Number.NaN), 'tfrSuccess12')).toBeNaN();
    expect(patientValue(o(40, 45), 'tfrRelapseMonths')).toBe(5);
  });
});
