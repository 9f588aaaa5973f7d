/**
 * Validation suite: every shared validation case of cml-models.md §9 and every virtual experiment of biology.md §4.
 *
 *   npm run validate [-- --quick] [--out DIR]
 *
 * Prints the table (case, expected, obtained, tolerance, pass / fail / pending / not reproducible) and writes it to
 * DIR/latest.md and DIR/latest.json (default: validation/, atomic writes). Cases checked by existing test files
 * (V27-V29) are run as they are with vitest; `--quick` skips them (they are then pending). Cohort-level cases are
 * pending until virtual cohorts exist (issue 8). Exit code 1 when a case fails, else 0.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  runValidation,
  type TestCounts,
  validationMarkdown,
  validationText,
} from '../src/experiments/validate.js';
import { writeFileAtomic } from '../src/io/atomic-write.js';
import { loadKnowledgeBase } from '../src/knowledge/load.js';

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

const quick = process.argv.includes('--quick');
const outDir = resolve(arg('--out') ?? join(ROOT, 'validation'));
const kb = loadKnowledgeBase();
const report = runValidation(kb, quick ? {} : { runTests });
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
