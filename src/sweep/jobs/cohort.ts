/**
 * `cohort`: the sweep job of `exoniche cohort` — row k is virtual patient k of the scenario's cohort
 * (src/cohort: prepareCohort once per worker thread, simulatePatient per patient, pure in (program, k)); the
 * columns are OUTCOME_COLUMNS. After the merge, summary.json (summarizeCohort) and report.html
 * (renderCohortReport) come from the merged rows (cohort-report.ts, main thread only).
 *
 * This file and cohort-report.ts are the only places the sweep engine touches the cohort API. Each worker re-reads the scenario text
 * from the manifest with its own knowledge base and checks that the model and parameter hashes are still the
 * planned ones, so a shard run on another machine (or after the knowledge base changed) cannot silently mix
 * different models into one result.
 */
import { prepareCohort, simulatePatient } from '../../cohort/index.js';
import { OUTCOME_COLUMNS, outcomeValue, type PatientOutcome } from '../../cohort/outcome.js';
import { type KnowledgeBase, loadKnowledgeBase } from '../../knowledge/index.js';
import { DEFAULT_SCENARIO_FILE } from '../../scenario/default.js';
import { parseScenario } from '../../scenario/load.js';
import type { Scenario } from '../../scenario/schema.js';
import { type ColumnSpec, type ColumnValues, setValue } from '../columns.js';
import type { JobDescription, JobKind, JobPlanInput, PreparedJob } from '../jobs.js';
import type { SweepManifest } from '../manifest.js';

export const COHORT_COLUMNS: readonly ColumnSpec[] = OUTCOME_COLUMNS.map((c) => ({
  name: c.name,
  type: c.type,
  units: c.units,
}));

export function readScenarioText(
  text: string,
  file: string | undefined,
  kb: KnowledgeBase,
  seed?: string,
): Scenario {
  const scenario = parseScenario(text, file ?? DEFAULT_SCENARIO_FILE, kb);
  return seed !== undefined ? { ...scenario, seed } : scenario;
}

export function seedOverride(spec: Readonly<Record<string, unknown>>): string | undefined {
  const s = spec.seedOverride;
  return typeof s === 'string' ? s : undefined;
}

/** Merged columns back to outcome rows (the summary's input). */
export function columnsToOutcomes(values: readonly ColumnValues[]): PatientOutcome[] {
  const n = values[0].length;
  const out: PatientOutcome[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const row: Record<string, unknown> = {};
    const milestones: Record<string, number> = {};
    OUTCOME_COLUMNS.forEach((c, j) => {
      const v = (values[j] as ArrayLike<unknown>)[i];
      if (c.name.startsWith('bcrAblM')) milestones[c.name] = v as number;
      else row[c.name] = v;
    });
    row.milestones = milestones;
    out[i] = row as unknown as PatientOutcome;
  }
  return out;
}

export const cohortJob: JobKind = {
  name: 'cohort',
  async describe(input: JobPlanInput): Promise<JobDescription> {
    const kb = loadKnowledgeBase();
    const scenario = readScenarioText(input.scenarioText, input.scenarioFile, kb, input.seed);
    const program = prepareCohort(
      scenario,
      kb,
      input.patients !== undefined ? { patients: input.patients } : undefined,
    );
    return {
      scenarioName: scenario.name,
      patients: program.patients,
      seed: program.seed.toString(),
      modelHash: program.modelHash,
      parameterHash: program.parameterHash,
      columns: COHORT_COLUMNS,
      spec: input.seed !== undefined ? { seedOverride: input.seed } : {},
    };
  },
  async prepare(m: SweepManifest): Promise<PreparedJob> {
    const kb = loadKnowledgeBase();
    const scenario = readScenarioText(m.scenario.text, m.scenario.file, kb, seedOverride(m.spec));
    const program = prepareCohort(scenario, kb, { patients: m.patients });
    const changed: string[] = [];
    if (program.seed.toString() !== m.seed) changed.push(`seed ${program.seed} (planned ${m.seed})`);
    if (program.modelHash !== m.modelHash) changed.push('model hash');
    if (program.parameterHash !== m.parameterHash) changed.push('parameter hash');
    if (changed.length > 0)
      throw new Error(
        `the cohort no longer matches its plan (${changed.join(', ')} differ): the knowledge base or exoniche ` +
          'changed since the sweep was planned; plan it again',
      );
    const columns = m.outputSchema;
    return {
      rows(start: number, end: number, out: ColumnValues[]): void {
        for (let k = start; k < end; k++) {
          const o = simulatePatient(program, k);
          if (o.patient !== k)
            throw new Error(`simulatePatient(program, ${k}) returned patient ${o.patient}`);
          const i = k - start;
          for (let j = 0; j < columns.length; j++)
            setValue(columns[j], out[j], i, outcomeValue(o, columns[j].name));
        }
      },
    };
  },
  // the report stack (vega) is loaded only here, in the main thread: worker threads never import it
  async finalize(m, values, meta) {
    return (await import('./cohort-report.js')).finalizeCohort(m, values, meta);
  },
};
