/** The cohort kind's summary.json and report.html from the merged rows (main thread; imports the report stack). */
import { type EndpointId, summarizeCohort, summaryToJSON } from '../../cohort/summary.js';
import { loadKnowledgeBase } from '../../knowledge/index.js';
import { renderCohortReport } from '../../report/cohort.js';
import type { Scenario } from '../../scenario/schema.js';
import type { ColumnValues } from '../columns.js';
import type { JobFinalOutputs } from '../jobs.js';
import type { SweepManifest } from '../manifest.js';
import { columnsToOutcomes, readScenarioText, seedOverride } from './cohort.js';

export async function finalizeCohort(
  m: SweepManifest,
  values: readonly ColumnValues[],
  meta: { readonly createdAt: string },
): Promise<JobFinalOutputs> {
  const kb = loadKnowledgeBase();
  const outcomes = columnsToOutcomes(values);
  const scenario = readScenarioText(m.scenario.text, m.scenario.file, kb, seedOverride(m.spec));
  const summary = summarizeCohort(outcomes, kb, { notModelled: notModelled(scenario) });
  const reportHtml = await renderCohortReport(summary, {
    name: m.scenario.name,
    seed: m.seed,
    patients: m.patients,
    version: m.exonicheVersion,
    ...(scenario.description !== undefined ? { description: scenario.description } : {}),
    createdAt: meta.createdAt,
    extra: {
      ...(m.scenario.file !== undefined ? { scenario: m.scenario.file } : {}),
      shards: m.shards,
      'model hash': m.modelHash.slice(0, 12),
      'parameter hash': m.parameterHash.slice(0, 12),
    },
  });
  return { summary: summaryToJSON(summary), reportHtml };
}

/**
 * Endpoints a scenario cannot produce: without the blast-crisis route there is no progression, without a
 * switch-on-mutation rule nothing watches for a clone, without a TFR attempt nobody stops. Their columns are NaN,
 * which must not read as "never happened".
 */
export function notModelled(s: Scenario): EndpointId[] {
  const out: EndpointId[] = [];
  if (s.model !== 'niche') return out;
  if (!s.niche.blastCrisis) out.push('progression', 'blastCrisis');
  if (!s.therapy.switchOnMutation) out.push('mutation');
  if (!s.therapy.tfr?.attempt) out.push('tfrStop');
  return out;
}
