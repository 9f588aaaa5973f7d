import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sha256 } from '../../src/io/manifest.js';
import { streamFor } from '../../src/numerics/random/index.js';
import { parquetToColumns } from '../../src/sweep/columns.js';
import {
  formatIndices,
  mergeShards,
  openSweepFolder,
  planJob,
  planKey,
  planSweep,
  readShard,
  readSweepManifest,
  runShard,
  runShards,
  type SweepManifest,
  shardFailurePath,
  shardPath,
  shardRange,
  writeSweepManifest,
} from '../../src/sweep/index.js';
import { TEST_JOB_COLUMNS } from '../../src/sweep/jobs/test-job.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'exoniche-sweep-'));
const CREATED = '2026-01-02T03:04:05.678Z';

async function plan(
  patients: number,
  split: { shards?: number; shardSize?: number },
  spec = {},
  seed = '42',
) {
  return planJob('test-job', { scenarioText: 'any text', patients, seed, spec }, split, CREATED);
}

/** Plan into a fresh folder, run all shards with `workers`, merge; returns the merged bytes. */
async function sweepBytes(m: SweepManifest, workers: number, chunkSize?: number): Promise<Uint8Array> {
  const dir = tmp();
  const path = writeSweepManifest(dir, m);
  const out = await runShards(path, undefined, { workers, ...(chunkSize ? { chunkSize } : {}) });
  expect(out.every((o) => !o.skipped && o.error === undefined)).toBe(true);
  const r = await mergeShards(path);
  expect(r).toMatchObject({ rows: m.patients, missing: [], failed: [] });
  return readFileSync(r.path);
}

describe('planSweep', () => {
  it('splits patients into contiguous shards by size or count', async () => {
    const bySize = await plan(10, { shardSize: 4 });
    expect([bySize.shards, bySize.shardSize]).toEqual([3, 4]);
    expect([0, 1, 2].map((i) => shardRange(bySize, i))).toEqual([
      { start: 0, end: 4 },
      { start: 4, end: 8 },
      { start: 8, end: 10 },
    ]);
    const byCount = await plan(100, { shards: 7 });
    expect([byCount.shards, byCount.shardSize]).toEqual([7, 15]);
    expect(shardRange(byCount, 6)).toEqual({ start: 90, end: 100 });
    const capped = await plan(5, { shardSize: 100 });
    expect([capped.shards, capped.shardSize]).toEqual([1, 5]);
    expect(() => shardRange(byCount, 7)).toThrow(/shards 0 to 6/);
    await expect(plan(3, { shards: 4 })).rejects.toThrow(/at most one shard per patient/);
    await expect(plan(0, {})).rejects.toThrow(/patients/);
    await expect(plan(10, { shards: 2, shardSize: 5 })).rejects.toThrow(/either/);
  });

  it('has a plan key that ignores the split and the time but not the inputs', async () => {
    const a = await plan(20, { shards: 1 });
    const b = await planJob(
      'test-job',
      { scenarioText: 'any text', patients: 20, seed: '42' },
      { shards: 3 },
    );
    expect(planKey(a)).toBe(planKey(b));
    expect(planKey(await plan(20, {}, {}, '43'))).not.toBe(planKey(a));
    expect(planKey(await plan(21, {}))).not.toBe(planKey(a));
    expect(planKey(await plan(20, {}, { work: 1 }))).not.toBe(planKey(a));
    expect(a.scenario.sha256).toBe(sha256('any text'));
    expect(a.outputSchema.map((c) => c.name)).toEqual(TEST_JOB_COLUMNS.map((c) => c.name));
  });
});

describe('readSweepManifest', () => {
  it('names the file and the field of every problem', async () => {
    const dir = tmp();
    expect(() => readSweepManifest(join(dir, 'nope.json'))).toThrow(/nope\.json: no such file/);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{ "version": 1, ');
    expect(() => readSweepManifest(bad)).toThrow(/bad\.json: not valid JSON/);
    const m = await plan(10, { shardSize: 3 });
    const write = (patch: Record<string, unknown>) => {
      writeFileSync(bad, JSON.stringify({ ...m, ...patch }));
      return () => readSweepManifest(bad);
    };
    expect(write({ version: 2 })).toThrow(/version: expected 1/);
    expect(write({ shards: 3 })).toThrow(/shards: expected ceil\(patients \/ shardSize\) = 4, got 3/);
    expect(write({ seed: '-1' })).toThrow(/seed:/);
    expect(write({ scenario: { ...m.scenario, text: 'edited' } })).toThrow(/scenario\.sha256: .*edited\?/);
    expect(write({ outputSchema: [{ name: 'patient', type: 'int64' }] })).toThrow(/outputSchema\[0\]\.type/);
    expect(readSweepManifest(writeSweepManifest(dir, m))).toEqual(m);
  });
});

describe('runShards and mergeShards', () => {
  it('merge to the same bytes for 1, 3 and 7 shards, 0, 1 and 2 workers and any chunking', async () => {
    const n = 200;
    const one = await sweepBytes(await plan(n, { shards: 1 }), 1);
    const three = await sweepBytes(await plan(n, { shards: 3 }), 2, 7);
    const seven = await sweepBytes(await plan(n, { shards: 7 }), 2);
    const inProcess = await sweepBytes(await plan(n, { shards: 7 }), 0, 3);
    expect(sha256(three)).toBe(sha256(one));
    expect(sha256(seven)).toBe(sha256(one));
    expect(sha256(inProcess)).toBe(sha256(one));
    // nothing that varies between runs is in the file: no time, no folder
    const text = Buffer.from(one).toString('latin1');
    expect(text).not.toContain(CREATED);
    expect(text).not.toContain(tmpdir());

    // the rows are the keyed draws of each patient, sorted by patient (checked against the stream directly)
    const t = await parquetToColumns(one, TEST_JOB_COLUMNS);
    expect(t.rows).toBe(n);
    expect(Array.from(t.values[0] as Int32Array)).toEqual(Array.from({ length: n }, (_, k) => k));
    for (const k of [0, 1, 99, 199]) {
      const s = streamFor(42n, ['patient', k], ['purpose', 'test-job']);
      const u = s.nextFloat64();
      const word = s.nextUint32() | 0;
      expect((t.values[1] as Float64Array)[k]).toBe(u);
      expect((t.values[2] as Int32Array)[k]).toBe(word);
      expect((t.values[5] as string[])[k]).toBe(`p${k}-${(word >>> 0).toString(16)}`);
      expect((t.values[6] as boolean[])[k]).toBe(k % 2 === 1);
      if (u < 0.25) expect((t.values[4] as Float64Array)[k]).toBeNaN();
      else expect((t.values[4] as Float64Array)[k]).toBe(u * 100);
    }
    expect(Array.from(t.values[4] as Float64Array).some(Number.isNaN)).toBe(true);
    // another seed gives other rows
    expect(sha256(await sweepBytes(await plan(n, { shards: 1 }, {}, '43'), 0))).not.toBe(sha256(one));
  });

  it('skips verified shards, recomputes bad ones, and reports failed and missing shards', async () => {
    const dir = tmp();
    const m = await plan(30, { shardSize: 10 }, { failAt: 25 });
    const path = writeSweepManifest(dir, m);
    const first = await runShards(path, undefined, { workers: 0 });
    expect(first.map((o) => [o.index, o.skipped, o.error ?? null])).toEqual([
      [0, false, null],
      [1, false, null],
      [2, false, 'test-job: injected failure at patient 25'],
    ]);
    expect(existsSync(shardPath(path, 2))).toBe(false);
    expect(JSON.parse(readFileSync(shardFailurePath(path, 2), 'utf8'))).toMatchObject({
      index: 2,
      start: 20,
      end: 30,
    });
    await expect(runShard(path, 2, { workers: 0 })).rejects.toThrow(
      /shard 2: test-job: injected failure at patient 25/,
    );

    // shard 0 is skipped once done; a corrupt shard 1 and a shard of another plan are recomputed
    const before = readFileSync(shardPath(path, 0));
    expect(await runShard(path, 0, { workers: 0 })).toMatchObject({ skipped: true });
    writeFileSync(shardPath(path, 1), 'not parquet');
    const redo = await runShard(path, 1, { workers: 0 });
    expect(redo.skipped).toBe(false);
    expect(redo.replaced).toMatch(/not a readable Parquet file/);
    const other = tmp();
    const otherPath = writeSweepManifest(other, await plan(30, { shardSize: 10 }, {}, '7'));
    await runShard(otherPath, 0, { workers: 0 });
    copyFileSync(shardPath(otherPath, 0), shardPath(path, 0));
    expect((await readShard(path, m, 0)).reason).toMatch(/another plan/);
    expect(await runShard(path, 0, { workers: 0 })).toMatchObject({ skipped: false });
    expect(readFileSync(shardPath(path, 0)).equals(before)).toBe(true);

    const merged = await mergeShards(path);
    expect(merged).toMatchObject({ rows: 0, missing: [], failed: [2] });
    expect(merged.reasons[2]).toMatch(/injected failure/);
    expect(existsSync(merged.path)).toBe(false);

    // a sweep with shards not run yet reports them missing
    const fresh = writeSweepManifest(join(dir, 'fresh'), await plan(30, { shardSize: 5 }));
    await runShard(fresh, 3, { workers: 0 });
    expect(await mergeShards(fresh)).toMatchObject({ rows: 0, missing: [0, 1, 2, 4, 5], failed: [] });
    expect(formatIndices([0, 1, 2, 4, 5, 9])).toBe('0-2, 4-5, 9');
  });

  it('reports progress up to the rows computed, and resuming a folder removes temp files of dead writers', async () => {
    const dir = join(tmp(), 'run');
    const m = await plan(50, { shardSize: 20 });
    const opened = openSweepFolder(dir, m);
    expect(opened.resumed).toBe(false);
    const seen: [number, number][] = [];
    await runShards(opened.manifestPath, [0, 2, 0], {
      workers: 0,
      chunkSize: 7,
      onProgress: (d, t) => seen.push([d, t]),
    });
    expect(seen[0]).toEqual([0, 30]);
    expect(seen[seen.length - 1]).toEqual([30, 30]);
    expect(seen.every(([d], i) => i === 0 || d >= seen[i - 1][0])).toBe(true);
    const dead = join(dir, 'shards', '.shard-00001.parquet.999999999.0a1b2c3d.tmp');
    const mine = join(dir, 'shards', `.shard-00001.parquet.${process.pid}.0a1b2c3d.tmp`);
    writeFileSync(dead, 'half');
    writeFileSync(mine, 'half');
    const again = openSweepFolder(dir, { ...m, createdAt: 'later' });
    expect(again.resumed).toBe(true);
    expect(again.manifest.createdAt).toBe(CREATED);
    expect(existsSync(dead)).toBe(false);
    expect(existsSync(mine)).toBe(true);
    expect(() => openSweepFolder(dir, { ...m, seed: '99' })).toThrow(
      /holds another sweep \(seed "42" -> "99"\)/,
    );
  });

  it('refuses a manifest planned by another exoniche version', async () => {
    const dir = tmp();
    mkdirSync(dir, { recursive: true });
    const m = { ...(await plan(5, {})), exonicheVersion: '0.0.0-other' };
    const path = writeSweepManifest(dir, m);
    await expect(runShard(path, 0, { workers: 0 })).rejects.toThrow(/planned with exoniche 0\.0\.0-other/);
  });

  it('keeps plans reproducible: planSweep is pure apart from createdAt', async () => {
    const d = await plan(10, {});
    const again = planSweep(
      {
        kind: d.kind,
        scenarioText: d.scenario.text,
        scenarioName: d.scenario.name,
        patients: d.patients,
        seed: d.seed,
        modelHash: d.modelHash,
        parameterHash: d.parameterHash,
        columns: d.outputSchema,
        spec: d.spec,
      },
      {},
      CREATED,
    );
    expect(again).toEqual(d);
  });
});
