import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { shardIndex } from '../../src/cli/commands/sweep.js';
import { main } from '../../src/cli/main.js';
import { sha256 } from '../../src/io/manifest.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'exoniche-cohort-'));
const NO_STACK = /\n\s+at /;

/** The CLI in this process (fast), capturing stdout and stderr. */
async function inProcess(args: readonly string[], cwd?: string) {
  let stdout = '';
  let stderr = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
    stdout += String(chunk);
    return true;
  });
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: unknown) => {
    stderr += String(chunk);
    return true;
  });
  const before = process.cwd();
  if (cwd) process.chdir(cwd);
  try {
    const code = await main(['node', 'exoniche', ...args]);
    return { code, stdout, stderr };
  } finally {
    if (cwd) process.chdir(before);
    o.mockRestore();
    e.mockRestore();
  }
}

const fileHash = (p: string) => sha256(readFileSync(p));
const shardFiles = (dir: string) =>
  existsSync(join(dir, 'shards'))
    ? readdirSync(join(dir, 'shards')).filter((f) => /^shard-\d+\.parquet$/.test(f))
    : [];

describe('exoniche cohort (in process)', () => {
  it('writes the run folder, prints where, and a rerun of a complete folder only re-merges', async () => {
    const cwd = tmp();
    const args = [
      'cohort',
      '--kind',
      'test-job',
      '--patients',
      '250',
      '--shard-size',
      '60',
      '--workers',
      '0',
    ];
    const r = await inProcess(args, cwd);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /^cohort 'test-job': 250 patients \(seed 1\) in 5 shards, 5 run on no worker threads\n/,
    );
    const runs = readdirSync(join(cwd, 'runs'));
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatch(/^test-job-test-job-[0-9a-f]{12}$/);
    const dir = join(cwd, 'runs', runs[0]);
    expect(readdirSync(dir).sort()).toEqual([
      'manifest.json',
      'results.parquet',
      'shards',
      'summary.json',
      'sweep.json',
    ]);
    expect(shardFiles(dir)).toEqual([0, 1, 2, 3, 4].map((i) => `shard-0000${i}.parquet`));
    const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
    expect(summary.rows).toBe(250);
    const sweep = JSON.parse(readFileSync(join(dir, 'sweep.json'), 'utf8'));
    expect(sweep).toMatchObject({
      version: 1,
      kind: 'test-job',
      patients: 250,
      shards: 5,
      shardSize: 60,
      seed: '1',
    });

    const before = fileHash(join(dir, 'results.parquet'));
    // without --shard-size the rerun takes the folder's split; another explicit size is refused
    const noSize = await inProcess(
      ['cohort', '--kind', 'test-job', '--patients', '250', '--workers', '0', '--json'],
      cwd,
    );
    expect(JSON.parse(noSize.stdout)).toMatchObject({ resumed: true, shardSize: 60, shardsSkipped: 5 });
    const otherSize = await inProcess([...args.slice(0, -4), '--shard-size', '50', '--workers', '0'], cwd);
    expect(otherSize.code).toBe(73);
    expect(otherSize.stderr).toMatch(/holds another sweep \(shardSize 60 -> 50\)/);
    const again = await inProcess([...args, '--json'], cwd);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ resumed: true, shardsSkipped: 5, shardsRun: 0 });
    expect(fileHash(join(dir, 'results.parquet'))).toBe(before);

    // query over the folder: aligned table, CSV, JSON, and DuckDB's message for bad SQL
    const q = await inProcess([
      'query',
      dir,
      'SELECT count(*) AS n, sum(CASE WHEN odd THEN 1 ELSE 0 END) AS odd FROM results',
    ]);
    expect(q.code, q.stderr).toBe(0);
    expect(q.stdout).toBe('  n  odd\n---  ---\n250  125\n(1 row)\n');
    const csv = await inProcess([
      'query',
      dir,
      'SELECT patient, label FROM results WHERE patient < 2 ORDER BY 1',
      '--format',
      'csv',
    ]);
    expect(csv.stdout.split('\n').slice(0, 2)).toEqual([
      'patient,label',
      expect.stringMatching(/^0,p0-[0-9a-f]+$/),
    ]);
    const json = await inProcess([
      'query',
      dir,
      'SELECT patient, maybe FROM results WHERE isnan(maybe) LIMIT 1',
      '--format',
      'json',
    ]);
    expect(JSON.parse(json.stdout)).toEqual([{ patient: expect.any(Number), maybe: null }]);
    const shards = await inProcess(['query', dir, 'SELECT count(DISTINCT filename) AS files FROM shards']);
    expect(shards.stdout).toContain('    5');
    const bad = await inProcess(['query', dir, 'SELEC 1']);
    expect(bad.code).toBe(65);
    expect(bad.stderr).toMatch(/^exoniche: Parser Error: syntax error at or near "SELEC"/);
    expect(bad.stderr).not.toMatch(NO_STACK);
    const unknownColumn = await inProcess(['query', dir, 'SELECT nope FROM results']);
    expect(unknownColumn.code).toBe(65);
    expect(unknownColumn.stderr).toMatch(/Binder Error: .*"nope"/);
    expect((await inProcess(['query', join(cwd, 'nothing'), 'SELECT 1'])).code).toBe(66);
  }, 30_000);

  it('refuses bad options and a folder with another plan, with exit codes and no stack traces', async () => {
    const cwd = tmp();
    const base = ['cohort', '--kind', 'test-job', '--workers', '0', '--out', 'x'];
    const cases: [string[], number, RegExp][] = [
      [[...base, '--patients', '0'], 64, /--patients: expected an integer >= 1, got '0'/],
      [[...base, '--patients', 'ten'], 64, /--patients: expected an integer/],
      [[...base, '--seed', '-3'], 64, /--seed: expected a non-negative integer/],
      [[...base, '--workers', '1.5'], 64, /--workers: expected an integer >= 0/],
      [['cohort', join(cwd, 'missing.yaml'), '--patients', '3'], 66, /missing\.yaml: no such file/],
    ];
    for (const [args, code, message] of cases) {
      const r = await inProcess(args, cwd);
      expect(r.code, args.join(' ')).toBe(code);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(NO_STACK);
    }
    expect((await inProcess([...base, '--patients', '5'], cwd)).code).toBe(0);
    const other = await inProcess([...base, '--patients', '6'], cwd);
    expect(other.code).toBe(73);
    expect(other.stderr).toMatch(/x holds another sweep \(patients 5 -> 6; .*\); use --force/);
    const forced = await inProcess([...base, '--patients', '6', '--force', '--json'], cwd);
    expect(forced.code).toBe(0);
    expect(JSON.parse(forced.stdout)).toMatchObject({ patients: 6, resumed: false });
    writeFileSync(join(cwd, 'file-not-dir'), 'x');
    const notDir = await inProcess([...base.slice(0, -1), 'file-not-dir/sub', '--patients', '2'], cwd);
    expect(notDir.code).toBe(73);
    expect(notDir.stderr).not.toMatch(NO_STACK);
  }, 30_000);

  it('reports failed shards with exit 1 and keeps the others for a rerun', async () => {
    const cwd = tmp();
    const r = await inProcess(
      [
        'cohort',
        '--kind',
        'test-job',
        '--job-spec',
        '{"failAt":7}',
        '--patients',
        '20',
        '--shard-size',
        '5',
        '--workers',
        '0',
        '--out',
        'f',
      ],
      cwd,
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /1 of 4 shards failed \(1\).*\n {2}shard 1: test-job: injected failure at patient 7/s,
    );
    expect(shardFiles(join(cwd, 'f'))).toEqual([
      'shard-00000.parquet',
      'shard-00002.parquet',
      'shard-00003.parquet',
    ]);
    expect(existsSync(join(cwd, 'f', 'results.parquet'))).toBe(false);
  });
});

describe('exoniche sweep plan / run-shard / merge (in process)', () => {
  it('plans, runs shards by --index and by array-task variables, merges to the bytes of a local cohort run', async () => {
    const cwd = tmp();
    const plan = await inProcess(
      [
        'sweep',
        'plan',
        '--kind',
        'test-job',
        '--patients',
        '70',
        '--shards',
        '3',
        '--seed',
        '5',
        '--out',
        'sw',
      ],
      cwd,
    );
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(/^planned: 70 patients in 3 shards of 24 \(seed 5\) -> sw\/sweep\.json\n/);
    expect(plan.stdout).toContain('exoniche run-shard --manifest sw/sweep.json --index I');
    const same = await inProcess(
      [
        'sweep',
        'plan',
        '--kind',
        'test-job',
        '--patients',
        '70',
        '--shards',
        '3',
        '--seed',
        '5',
        '--out',
        'sw',
      ],
      cwd,
    );
    expect(same.stdout).toMatch(/^unchanged: /);
    const manifest = join(cwd, 'sw', 'sweep.json');

    // merge before any shard ran: all missing, exit 1
    const early = await inProcess(['merge', '--manifest', manifest]);
    expect(early.code).toBe(1);
    expect(early.stderr).toMatch(/cannot merge .*: 3 of 3 shards missing \(not run\): 0-2/);

    const r0 = await inProcess([
      'sweep',
      'run-shard',
      '--manifest',
      manifest,
      '--index',
      '0',
      '--workers',
      '0',
    ]);
    expect(r0.code, r0.stderr).toBe(0);
    expect(r0.stdout).toMatch(/^shard 0 \(patients 0-23\) written to .*shard-00000\.parquet in \d/);
    process.env.JOB_COMPLETION_INDEX = '2';
    try {
      const r2 = await inProcess(['run-shard', '--manifest', manifest, '--workers', '0', '--json']);
      expect(r2.code, r2.stderr).toBe(0);
      expect(JSON.parse(r2.stdout)).toMatchObject({ index: 2, rows: { start: 48, end: 70 }, skipped: false });
    } finally {
      delete process.env.JOB_COMPLETION_INDEX;
    }
    const partial = await inProcess(['sweep', 'merge', '--manifest', manifest]);
    expect(partial.code).toBe(1);
    expect(partial.stderr).toMatch(/1 of 3 shards missing \(not run\): 1\b/);
    const r1 = await inProcess(['run-shard', '--manifest', manifest, '--index', '1', '--workers', '1']);
    expect(r1.code, r1.stderr).toBe(0);
    const again = await inProcess(['run-shard', '--manifest', manifest, '--index', '1']);
    expect(again.stdout).toMatch(/^shard 1 \(patients 24-47\) already done/);
    const merged = await inProcess(['merge', '--manifest', manifest]);
    expect(merged.code, merged.stderr).toBe(0);
    expect(merged.stdout).toMatch(/^merged 70 rows from 3 shards -> .*results\.parquet\n/);
    expect(existsSync(join(cwd, 'sw', 'manifest.json'))).toBe(true);

    const local = await inProcess(
      [
        'cohort',
        '--kind',
        'test-job',
        '--patients',
        '70',
        '--seed',
        '5',
        '--workers',
        '0',
        '--out',
        'local',
        '--quiet',
      ],
      cwd,
    );
    expect(local.code).toBe(0);
    expect(fileHash(join(cwd, 'sw', 'results.parquet'))).toBe(
      fileHash(join(cwd, 'local', 'results.parquet')),
    );

    // errors: index out of range, no index at all, missing and broken manifests
    expect((await inProcess(['run-shard', '--manifest', manifest, '--index', '3'])).stderr).toMatch(
      /shard index 3 is out of range: .* has shards 0 to 2/,
    );
    const noIndex = await inProcess(['run-shard', '--manifest', manifest]);
    expect(noIndex.code).toBe(64);
    expect(noIndex.stderr).toMatch(/give --index I or set JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID/);
    expect((await inProcess(['merge', '--manifest', join(cwd, 'none.json')])).code).toBe(66);
    writeFileSync(join(cwd, 'broken.json'), '{"version": 1}');
    const broken = await inProcess(['merge', '--manifest', join(cwd, 'broken.json')]);
    expect(broken.code).toBe(65);
    expect(broken.stderr).toMatch(/broken\.json: exonicheVersion: expected a non-empty string/);
  }, 30_000);

  it('takes the shard index from --index, then JOB_COMPLETION_INDEX, then SLURM_ARRAY_TASK_ID', () => {
    expect(shardIndex('4', { JOB_COMPLETION_INDEX: '1' })).toBe(4);
    expect(shardIndex(undefined, { JOB_COMPLETION_INDEX: '1', SLURM_ARRAY_TASK_ID: '2' })).toBe(1);
    expect(shardIndex(undefined, { SLURM_ARRAY_TASK_ID: '2' })).toBe(2);
    expect(() => shardIndex(undefined, { SLURM_ARRAY_TASK_ID: 'x' })).toThrow(
      /SLURM_ARRAY_TASK_ID: expected an integer/,
    );
    expect(() => shardIndex(undefined, {})).toThrow(/no shard index/);
  });
});
