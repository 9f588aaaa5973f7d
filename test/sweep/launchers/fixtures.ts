/** A small test-job sweep planned into a temporary folder, for the launcher tests (no model, no cluster). */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testJob } from '../../../src/sweep/jobs/test-job.js';
import { planSweep, writeSweepManifest } from '../../../src/sweep/manifest.js';

export async function planTestSweep(patients: number, shards: number, name = 'run'): Promise<string> {
  const dir = join(mkdtempSync(join(tmpdir(), 'exoniche-launch-')), name);
  const d = await testJob.describe({ scenarioText: 'test', patients, spec: {} });
  return writeSweepManifest(dir, planSweep({ ...d, kind: 'test-job', scenarioText: 'test' }, { shards }));
}
