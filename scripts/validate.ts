/**
 * Validation suite: every shared validation case of cml-models.md §9 and every virtual experiment of biology.md §4.
 *
 *   npm run validate [-- --quick] [--out DIR] [--cohort-patients N] [--no-cohorts] [--workers W]
 *
 * Prints the table (case, expected, obtained, tolerance, pass / fail / pending / not reproducible) and writes it to
 * DIR/latest.md and DIR/latest.json (default: validation/, atomic writes). Cases checked by existing test files
 * (V27-V29) are run as they are with vitest; `--quick` skips them (they are then pending). Cohort-level cases run
 * the cohorts of src/cohort/validation.ts (COHORT_SCENARIOS, default 1,000 patients each) through the sweep engine
 * into DIR/cohorts/<id>/ (resumable: an interrupted validation reuses the finished shards); `--quick` and
 * `--no-cohorts` leave them pending. Exit code 1 when a case fails, else 0.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DAYS_PER_MONTH } from '../src/clinic/tfr.js';
import {
  COHORT_SCENARIOS,
  type CohortCaseInputs,
  eln3MonthCut,
  evaluateCohortCases,
  type FirstPhaseReference,
  firstPhaseReference,
} from '../src/cohort/validation.js';
import {
  runValidation,
  type TestCounts,
  type ValidationReport,
  type ValidationRow,
  validationMarkdown,
  validationText,
} from '../src/experiments/validate.js';
import { parseSeriesCsv } from '../src/fitting/data.js';
import { writeFileAtomic } from '../src/io/atomic-write.js';
import type { KnowledgeBase } from '../src/knowledge/load.js';
import { loadKnowledgeBase } from '../src/knowledge/load.js';
import { planJob } from '../src/sweep/index.js';
import { columnsToOutcomes } from '../src/sweep/jobs/cohort.js';
import { mergeShardColumns } from '../src/sweep/merge.js';
import { openSweepFolder, runSweepFolder } from '../src/sweep/run-folder.js';

const ROOT = resolve(import.meta.dirname, '..');

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** Runs test files with vitest's JSON reporter and counts passed and failed tests. */
function runTests(files: readonly string[]): TestCounts {
  const dir = mkdtempSync(join(tmpdir(), 'exoniche-validate-'));
  const out = join(dir, 'vitest.json');
  try {
    const r = spawnSync(
      process.execPath,
      [
        join(ROOT, 'node_modules/vitest/vitest.mjs'),
        'run',
        ...files,
        '--reporter=json',
        `--outputFile=${out}`,
      ],
      { cwd: ROOT, encoding: 'utf8', timeout: 120_000 },
    );
    let json: { numPassedTests?: number; numFailedTests?: number };
    try {
      json = JSON.parse(readFileSync(out, 'utf8'));
    } catch {
      throw new Error(`vitest did not report on ${files.join(', ')}: ${r.stderr || r.stdout}`);
    }
    return { passed: json.numPassedTests ?? 0, failed: json.numFailedTests ?? 0 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Runs each validation cohort (sweep engine, run folder under `dir`) and evaluates the cohort cases. A cohort that
 * fails to complete leaves its cases pending with the reason.
 */
async function cohortRows(kb: KnowledgeBase, dir: string, patients: number, workers?: number) {
  const inputs: { -readonly [K in keyof CohortCaseInputs]: CohortCaseInputs[K] } = {};
  const notes: string[] = [];
  for (const c of COHORT_SCENARIOS) {
    const t0 = performance.now();
    const manifest = await planJob('cohort', {
      scenarioText: c.yaml,
      scenarioFile: `validation cohort ${c.id}`,
      patients,
    });
    const opened = openSweepFolder(join(dir, c.id), manifest, { force: true, adoptSplit: true });
    const r = await runSweepFolder(opened.manifestPath, {
      command: `npm run validate (cohort ${c.id})`,
      ...(workers !== undefined ? { workers } : {}),
    });
    if (!r.complete) {
      notes.push(`${c.id}: incomplete (${Object.values(r.reasons).join('; ')})`);
      continue;
    }
    const merged = await mergeShardColumns(opened.manifestPath);
    if (!merged.values) continue;
    const outcomes = columnsToOutcomes(merged.values);
    process.stdout.write(
      `cohort ${c.id}: ${outcomes.length} patients in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`,
    );
    if (c.id === 'imatinib-10y') inputs.imatinib = outcomes;
    else if (c.id === 'untreated') inputs.untreated = outcomes;
    else if (c.id === 'stop-resistant-clone') inputs.stopResistantClone = outcomes;
  }
  for (const n of notes) process.stdout.write(`warning: ${n}\n`);
  inputs.firstPhase = michorFirstPhase(kb);
  return evaluateCohortCases(inputs, kb);
}

/** V04's reference: the Michor 2005 patients (data/patients) read by the cohort's rule (firstPhaseReference). */
function michorFirstPhase(kb: KnowledgeBase): FirstPhaseReference {
  const path = join(ROOT, 'data/patients/michor2005_imatinib_patients.csv');
  const series = parseSeriesCsv(readFileSync(path, 'utf8'), {
    source: path,
    id: 'patient',
    time: 'day',
    value: 'bcr_abl_percent',
    timeScale: 1 / DAYS_PER_MONTH,
  });
  return firstPhaseReference(series, eln3MonthCut(kb));
}

/** The report with the pending cohort rows replaced by the evaluated ones (same case ids), counts recomputed. */
function withCohortRows(report: ValidationReport, rows: readonly ValidationRow[]): ValidationReport {
  const byCase = new Map<string, ValidationRow[]>();
  for (const r of rows) {
    const id = r.case.split(' ')[0];
    byCase.set(id, [...(byCase.get(id) ?? []), r]);
  }
  const merged = report.rows.flatMap((r) =>
    r.status === 'pending' && byCase.has(r.case) ? byCase.get(r.case)! : [r],
  );
  const counts = { pass: 0, fail: 0, pending: 0, 'not reproducible': 0 };
  for (const r of merged) counts[r.status]++;
  return { ...report, rows: merged, counts };
}

const quick = process.argv.includes('--quick');
const outDir = resolve(arg('--out') ?? join(ROOT, 'validation'));
const kb = loadKnowledgeBase();
let report = runValidation(kb, quick ? {} : { runTests });
if (!quick && !process.argv.includes('--no-cohorts')) {
  const patients = Number(arg('--cohort-patients') ?? 1000);
  const workersArg = arg('--workers');
  if (!Number.isInteger(patients) || patients < 1)
    throw new Error('--cohort-patients must be a positive integer');
  const t0 = performance.now();
  const rows = await cohortRows(
    kb,
    join(outDir, 'cohorts'),
    patients,
    workersArg ? Number(workersArg) : undefined,
  );
  report = withCohortRows(report, rows);
  report = { ...report, seconds: report.seconds + (performance.now() - t0) / 1000 };
}
const when = new Date().toISOString();
process.stdout.write(validationText(report));
process.stdout.write(`(${report.seconds.toFixed(1)} s)\n`);
writeFileAtomic(join(outDir, 'latest.md'), validationMarkdown(report, when));
writeFileAtomic(
  join(outDir, 'latest.json'),
  `${JSON.stringify({ generated: when, seconds: report.seconds, counts: report.counts, rows: report.rows, experiments: report.experiments }, null, 2)}\n`,
);
process.stdout.write(`wrote ${join(outDir, 'latest.md')} and ${join(outDir, 'latest.json')}\n`);
process.exitCode = report.counts.fail > 0 ? 1 : 0;
