import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OUTCOME_COLUMNS, outcomeValue, prepareCohort, simulatePatient } from '../../src/cohort/index.js';
import { sha256 } from '../../src/io/manifest.js';
import { loadKnowledgeBase } from '../../src/knowledge/index.js';
import { parseScenario } from '../../src/scenario/load.js';
import { parquetToColumns } from '../../src/sweep/columns.js';
import {
  createChunkRunner,
  mergeShards,
  openSweepFolder,
  planJob,
  runShards,
  runSweepFolder,
  writeSweepManifest,
} from '../../src/sweep/index.js';

/** A short cohort (12 months, 3 patients) so that the real patient runner stays within a few seconds. */
const TINY = `name: tiny cohort
durationMonths: 12
therapy:
  schedule:
    - drug: imatinib
      doseMg: 400
cohort:
  patients: 3
`;

describe('the cohort job kind (real patients, in process)', () => {
  it('writes each patient as simulatePatient gives it, merges the same bytes for 1 and 3 shards, summarises', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'exoniche-cohort-job-'));
    const input = { scenarioText: TINY, scenarioFile: 'tiny.yaml', seed: '11' };
    const m3 = await planJob('cohort', input, { shards: 3 });
    expect(m3).toMatchObject({ kind: 'cohort', patients: 3, shards: 3, shardSize: 1, seed: '11' });
    expect(m3.outputSchema.map((c) => [c.name, c.type])).toEqual(
      OUTCOME_COLUMNS.map((c) => [c.name, c.type]),
    );

    const runner = await createChunkRunner('cohort', 0);
    try {
      const opened = openSweepFolder(join(dir, 'three'), m3);
      const folder = await runSweepFolder(opened.manifestPath, { workers: 0, command: 'test' });
      expect(folder).toMatchObject({ complete: true, rows: 3, shardsRun: 3, shardsSkipped: 0 });
      const one = writeSweepManifest(join(dir, 'one'), await planJob('cohort', input, { shards: 1 }));
      const out = await runShards(one, undefined, { runner });
      expect(out[0].error).toBeUndefined();
      const merged = await mergeShards(one);
      const bytes = readFileSync(merged.path);
      expect(sha256(bytes)).toBe(sha256(readFileSync(join(dir, 'three', 'results.parquet'))));

      // the rows are the runner's outcomes, column by column (NaN where an event was not reached)
      const kb = loadKnowledgeBase();
      const program = prepareCohort({ ...parseScenario(TINY, 'tiny.yaml', kb), seed: '11' }, kb);
      expect(program.modelHash).toBe(m3.modelHash);
      expect(program.parameterHash).toBe(m3.parameterHash);
      const t = await parquetToColumns(bytes, m3.outputSchema);
      for (const k of [0, 2]) {
        const o = simulatePatient(program, k);
        OUTCOME_COLUMNS.forEach((c, j) => {
          const got = (t.values[j] as ArrayLike<unknown>)[k];
          const want = outcomeValue(o, c.name);
          if (typeof want === 'number' && Number.isNaN(want)) expect(got, c.name).toBeNaN();
          else expect(got, c.name).toBe(want);
        });
      }

      const summary = JSON.parse(readFileSync(join(dir, 'three', 'summary.json'), 'utf8'));
      expect(summary.n).toBe(3);
      const html = readFileSync(join(dir, 'three', 'report.html'), 'utf8');
      expect(html).toMatch(/^<!doctype html>/i);
      expect(html).toContain('tiny cohort');
      const manifest = JSON.parse(readFileSync(join(dir, 'three', 'manifest.json'), 'utf8'));
      expect(manifest).toMatchObject({ kind: 'cohort', seed: '11', patients: 3, modelHash: m3.modelHash });
      expect(manifest.inputs).toEqual([{ path: 'tiny.yaml', sha256: sha256(TINY) }]);
      expect(manifest.outputs).toEqual([
        'manifest.json',
        'report.html',
        'results.parquet',
        'shards/',
        'summary.json',
        'sweep.json',
      ]);
    } finally {
      await runner.close();
    }
  }, 60_000);
});
