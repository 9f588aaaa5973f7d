import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { sha256 } from '../../src/io/manifest.js';
import { REPO_ROOT, TSX_IMPORT } from '../support/run-cli.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'exoniche-cohort-'));

/** The CLI in this process (quicker to start than a child), capturing stdout and stderr. */
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

describe('exoniche cohort: kill -9 and resume (child processes)', () => {
  it('a rerun after SIGKILL skips finished shards and merges to the bytes of an uninterrupted run', async () => {
    const cwd = tmp();
    // test-job rows with a 2 ms pause each: 10 shards of 30 rows take >= 0.6 s, long enough to interrupt
    const args = ['cohort', '--kind', 'test-job', '--job-spec', '{"delayMs":2}', '--patients', '300'];
    args.push('--shard-size', '30', '--seed', '9');
    const child = spawn(
      process.execPath,
      [
        '--import',
        TSX_IMPORT,
        resolve(REPO_ROOT, 'src/cli/entry.ts'),
        ...args,
        '--workers',
        '1',
        '--out',
        'run',
      ],
      { cwd, stdio: 'ignore' },
    );
    const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
    let killed = false;
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (shardFiles(join(cwd, 'run')).length > 0) {
        killed = child.kill('SIGKILL');
        break;
      }
      if (child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    await exited;
    expect(killed).toBe(true);
    const left = shardFiles(join(cwd, 'run'));
    expect(left.length).toBeGreaterThan(0);
    expect(left.length).toBeLessThan(10);
    expect(existsSync(join(cwd, 'run', 'results.parquet'))).toBe(false);
    expect(existsSync(join(cwd, 'run', 'manifest.json'))).toBe(false);
    const leftHashes = new Map(left.map((f) => [f, fileHash(join(cwd, 'run', 'shards', f))]));

    // the same command again (with another worker count; in this process, which is quicker to start): resumes
    const again = await inProcess([...args, '--workers', '2', '--out', 'run', '--json'], cwd);
    expect(again.code, again.stderr).toBe(0);
    const j = JSON.parse(again.stdout);
    expect(j).toMatchObject({ ok: true, resumed: true, shards: 10, patients: 300, seed: '9' });
    expect(j.shardsSkipped).toBe(left.length);
    expect(j.shardsRun).toBe(10 - left.length);
    for (const [f, h] of leftHashes) expect(fileHash(join(cwd, 'run', 'shards', f))).toBe(h);

    // an uninterrupted run in one shard, in this process, without threads: the same results.parquet
    const clean = await inProcess(
      [
        ...args.filter((a, i) => a !== '--shard-size' && args[i - 1] !== '--shard-size'),
        '--workers',
        '0',
        '--out',
        'clean',
        '--quiet',
      ],
      cwd,
    );
    expect(clean.code, clean.stderr).toBe(0);
    expect(shardFiles(join(cwd, 'clean')).length).toBe(3); // default shard size 100
    expect(fileHash(join(cwd, 'run', 'results.parquet'))).toBe(
      fileHash(join(cwd, 'clean', 'results.parquet')),
    );
    const manifest = JSON.parse(readFileSync(join(cwd, 'run', 'manifest.json'), 'utf8'));
    expect(manifest.resultsSha256).toBe(fileHash(join(cwd, 'run', 'results.parquet')));
    expect(manifest.run).toEqual({
      shardsRun: 10 - left.length,
      shardsSkipped: left.length,
      patientsSimulated: 300 - 30 * left.length,
    });
  }, 60_000);
});
