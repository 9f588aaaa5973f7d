import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sha256 } from '../../src/io/manifest.js';
import type { SensitivityRequest } from '../../src/sweep/jobs/sensitivity.js';
import { readSweepManifest, shardPath } from '../../src/sweep/manifest.js';
import { runStudyFolder } from '../../src/sweep/sensitivity-run.js';
import { ISHIGAMI_EXM, ISHIGAMI_FACTORS, plan, tmp, writeModel } from './sensitivity-fixture.js';

describe('sensitivity study on worker threads', () => {
  it('1 and 2 worker threads give the same results.parquet bytes and indices; a lost shard is recomputed alone', async () => {
    const dir = tmp();
    const file = writeModel(dir, 'ishigami.exm', ISHIGAMI_EXM);
    const req: SensitivityRequest = {
      target: 'model',
      method: { kind: 'sobol', samples: 128, bootstrap: 50, confidence: 0.95 },
      factors: ISHIGAMI_FACTORS,
      outputs: ['f', 'lin'],
      model: { format: 'exm' },
    };
    const m = await plan(file, req, { shardSize: 100 });
    expect(m.shards).toBe(7); // 128 x 5 = 640 design points
    const a = await runStudyFolder(join(dir, 'w1'), m, { workers: 1, command: 'test' });
    const b = await runStudyFolder(join(dir, 'w2'), m, { workers: 2, command: 'test' });
    const bytes = (d: string, f: string) => sha256(readFileSync(join(dir, d, f)));
    expect(bytes('w1', 'results.parquet')).toBe(bytes('w2', 'results.parquet'));
    expect(bytes('w1', 'indices.json')).toBe(bytes('w2', 'indices.json'));
    expect(a.shardsRun).toBe(7);
    // interrupted run: shard 3 lost, no merge yet -> only shard 3 runs again, same bytes
    const manifestPath = join(dir, 'w1', 'sweep.json');
    rmSync(shardPath(manifestPath, 3));
    for (const f of ['results.parquet', 'indices.json', 'manifest.json']) rmSync(join(dir, 'w1', f));
    const c = await runStudyFolder(join(dir, 'w1'), readSweepManifest(manifestPath), {
      workers: 0,
      command: 'test',
    });
    expect(c.resumed).toBe(true);
    expect(c.shardsRun).toBe(1);
    expect(c.shardsSkipped).toBe(6);
    expect(bytes('w1', 'results.parquet')).toBe(bytes('w2', 'results.parquet'));
    expect(b.summary!.outputs[1]!.first).toEqual(c.summary!.outputs[1]!.first);
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);
});
