/**
 * A real sweep through a real Slurm: `exoniche sweep plan` (6 patients in 3 shards), `exoniche submit --slurm`
 * (a job array of 3, throttle 2, and the merge job depending on it), wait for both jobs, and check that
 * results.parquet is byte for byte the file a local run of the same manifest merges to. Beside it, a sweep
 * whose only shard fails: its merge must be cancelled by Slurm (--kill-on-invalid-dep), not left pending.
 *
 * The default sweep is the `test-job` kind (the sweep engine's deterministic stand-in, seconds per shard), so
 * the test exercises the cluster path and not the model; EXONICHE_SLURM_COHORT=1 runs a real 6-month cohort
 * instead (about a minute on a busy 2-core machine).
 *
 * Needs a reachable Slurm controller (`sinfo` answers): CI starts a one-node cluster with .ci/slurm-up.sh. Off
 * CI the test is skipped when there is no Slurm; on CI (CI=true) it runs regardless and fails with sinfo's
 * error, so a broken cluster cannot pass silently.
 */
import { execFile, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mergeShards } from '../../src/sweep/merge.js';
import { runShards } from '../../src/sweep/shard.js';
import { REPO_ROOT, TSX_IMPORT } from '../support/run-cli.js';

const sinfo = spawnSync('sinfo', ['-h', '-o', '%P %a %D %T'], { encoding: 'utf8', timeout: 15_000 });
const slurmUp = sinfo.status === 0 && sinfo.stdout.trim() !== '';
const onCi = process.env.CI === 'true';
const cohort = process.env.EXONICHE_SLURM_COHORT === '1';

const SHORT_COHORT = `name: slurm cohort
durationMonths: 6
therapy:
  schedule:
    - drug: imatinib
      doseMg: 400
`;

/** The CLI from source, as test/support/run-cli does, but without blocking (CLI processes start slowly). */
function cli(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      ['--import', TSX_IMPORT, join(REPO_ROOT, 'src/cli/entry.ts'), ...args],
      { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 120_000 },
      (err, stdout, stderr) =>
        done({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stdout, stderr }),
    );
  });
}

/** Poll squeue until none of `ids` is queued or running; returns the seconds waited. */
async function waitForJobs(ids: readonly string[], timeoutS: number): Promise<number> {
  const t0 = performance.now();
  for (;;) {
    const q = spawnSync('squeue', ['-h', '-j', ids.join(','), '-o', '%i %T %r'], { encoding: 'utf8' });
    // squeue refuses ids it no longer knows (MinJobAge passed): those are finished too
    if (q.status !== 0 && !/Invalid job id/i.test(q.stderr)) throw new Error(`squeue failed: ${q.stderr}`);
    if (q.status !== 0 || q.stdout.trim() === '') break;
    if (performance.now() - t0 > timeoutS * 1000)
      throw new Error(`jobs ${ids.join(',')} still queued after ${timeoutS} s:\n${q.stdout}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return (performance.now() - t0) / 1000;
}

/**
 * [JobState, Reason] of the job, or of each task of an array, from the controller's memory (this cluster keeps
 * no accounting database, so sacct has nothing; finished jobs stay in memory for MinJobAge = 600 s).
 */
function jobStates(id: string): string[] {
  const r = spawnSync('scontrol', ['show', 'job', '-o', id], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout
    .trim()
    .split('\n')
    .map((line) => `${/JobState=(\S+)/.exec(line)?.[1]} ${/Reason=(\S+)/.exec(line)?.[1]}`);
}

function logs(dir: string): string {
  if (!existsSync(dir)) return '(no log folder)';
  return readdirSync(dir)
    .filter((f) => f.endsWith('.out'))
    .map((f) => `--- ${f}\n${readFileSync(join(dir, f), 'utf8')}`)
    .join('\n');
}

const SUBMIT = ['--throttle', '2', '--time', '10', '--mem', '1G', '--json'];

describe.skipIf(!slurmUp && !onCi)('sweep on a real Slurm cluster', () => {
  it(`job array + dependent merge give the same results.parquet as a local run (${cohort ? 'cohort' : 'test-job'}); a failed shard cancels the merge`, async () => {
    expect(sinfo.status, `sinfo failed (did .ci/slurm-up.sh run?): ${sinfo.stderr || sinfo.error}`).toBe(0);
    expect(sinfo.stdout).toMatch(/\bup\b/);

    const root = mkdtempSync(join(tmpdir(), 'exoniche-slurm-'));
    const runDir = join(root, 'good');
    const badDir = join(root, 'bad');
    const scenario = join(root, 'short.yaml');
    writeFileSync(scenario, SHORT_COHORT);
    const kind = cohort ? [] : ['--kind', 'test-job'];
    const plans = await Promise.all([
      cli(['sweep', 'plan', scenario, '--patients', '6', '--shards', '3', '--out', runDir, ...kind]),
      cli([
        'sweep',
        'plan',
        '--kind',
        'test-job',
        '--job-spec',
        '{"failAt":0}',
        '--patients',
        '1',
        '--out',
        badDir,
      ]),
    ]);
    for (const p of plans) expect(p.code, p.stderr).toBe(0);
    const manifest = join(runDir, 'sweep.json');

    const t0 = performance.now();
    const [good, bad] = await Promise.all([
      cli(['submit', '--slurm', '--manifest', manifest, '--name', 'exoniche-ci', ...SUBMIT]),
      cli([
        'submit',
        '--slurm',
        '--manifest',
        join(badDir, 'sweep.json'),
        '--name',
        'exoniche-ci-fail',
        ...SUBMIT,
      ]),
    ]);
    expect(good.code, good.stderr).toBe(0);
    expect(bad.code, bad.stderr).toBe(0);
    const s = JSON.parse(good.stdout);
    const f = JSON.parse(bad.stdout);
    for (const id of [s.arrayJobId, s.mergeJobId, f.arrayJobId, f.mergeJobId]) expect(id).toMatch(/^\d+$/);

    const ids = [s.arrayJobId, s.mergeJobId, f.arrayJobId, f.mergeJobId];
    const waited = await waitForJobs(ids, cohort ? 800 : 240);
    const array = jobStates(s.arrayJobId);
    const merge = jobStates(s.mergeJobId);
    const diagnosis = `array ${s.arrayJobId}: ${array.join(',')}; merge ${s.mergeJobId}: ${merge.join(',')}\n${logs(s.logDir)}`;
    expect(array, diagnosis).toEqual(['COMPLETED None', 'COMPLETED None', 'COMPLETED None']);
    expect(merge, diagnosis).toEqual(['COMPLETED None']);
    process.stdout.write(
      `slurm: array ${s.arrayJobId} (3 tasks) + merge ${s.mergeJobId} COMPLETED ${((performance.now() - t0) / 1000).toFixed(1)} s after submit (waited ${waited.toFixed(1)} s)\n`,
    );
    // one log per array task and the merge's
    expect(readdirSync(s.logDir).filter((name) => name.endsWith('.out'))).toHaveLength(4);

    // the failing sweep: its task failed, so Slurm cancelled the merge rather than leave it pending
    expect(jobStates(f.arrayJobId), logs(f.logDir)).toEqual(['FAILED NonZeroExitCode']);
    expect(jobStates(f.mergeJobId)).toEqual(['CANCELLED DependencyNeverSatisfied']);
    expect(existsSync(join(badDir, 'results.parquet'))).toBe(false);

    // the same manifest, run and merged locally in this process
    const local = join(root, 'local');
    mkdirSync(local);
    copyFileSync(manifest, join(local, 'sweep.json'));
    const outcomes = await runShards(join(local, 'sweep.json'), undefined, { workers: 0 });
    expect(outcomes.map((o) => o.error ?? 'ok')).toEqual(['ok', 'ok', 'ok']);
    const merged = await mergeShards(join(local, 'sweep.json'));
    expect(merged.rows).toBe(6);

    const onCluster = readFileSync(join(runDir, 'results.parquet'));
    expect(onCluster.length).toBeGreaterThan(0);
    expect(onCluster.equals(readFileSync(merged.path))).toBe(true);
  }, 900_000);
});
