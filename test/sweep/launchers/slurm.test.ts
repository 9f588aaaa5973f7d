import { execFile, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LauncherError, SubmitError } from '../../../src/sweep/launchers/common.js';
import {
  parseSbatchId,
  slurmArrayScript,
  slurmMergeScript,
  slurmOptions,
  submitSlurm,
  sweepTarget,
} from '../../../src/sweep/launchers/slurm.js';
import { REPO_ROOT, TSX_IMPORT } from '../../support/run-cli.js';
import { planTestSweep } from './fixtures.js';

/** runCli (test/support) without blocking, so several CLI processes can start at once. */
function runCliAsync(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      ['--import', TSX_IMPORT, join(REPO_ROOT, 'src/cli/entry.ts'), ...args],
      { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
        done({ code, stdout, stderr });
      },
    );
  });
}

/** The #SBATCH directives of a script as option -> value (sbatch reads them up to the first command line). */
function directives(script: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of script.split('\n')) {
    if (line.startsWith('#!') || line === '') continue;
    if (!line.startsWith('#')) break;
    const m = /^#SBATCH --([a-z-]+)=(.*)$/.exec(line);
    if (m) out.set(m[1], m[2]);
  }
  return out;
}

/** A stand-in for sbatch: logs its arguments and the script, prints "<id>;cluster" (ids 1001, 1002, ...). */
function fakeSbatch(exit = 0): { program: string; log: string } {
  const dir = mkdtempSync(join(tmpdir(), 'exoniche-sbatch-'));
  const log = join(dir, 'calls.log');
  const program = join(dir, 'sbatch');
  writeFileSync(
    program,
    `#!/bin/sh
echo "$@" >> ${log}
n=$(wc -l < ${log})
if [ ${exit} -ne 0 ]; then echo "sbatch: error: Batch job submission failed: Invalid account" >&2; exit ${exit}; fi
echo "$((1000 + n));testcluster"
`,
  );
  chmodSync(program, 0o755);
  return { program, log };
}

describe('Slurm scripts', () => {
  it('array: 0..K-1 throttled, resources, per-task logs, run-shard with the task index', async () => {
    const manifest = await planTestSweep(7, 3);
    const t = sweepTarget(manifest);
    expect(t).toEqual({ manifestPath: manifest, runDir: dirname(manifest), shards: 3 });
    const o = slurmOptions(
      { jobName: 'cml-sweep', throttle: '2', time: '1-02:00', mem: '3G', cpusPerTask: 4, partition: 'short' },
      t,
    );
    const script = slurmArrayScript(t, { ...o, command: ['/opt/node', '/opt/exoniche/entry.js'] });
    const d = directives(script);
    expect(Object.fromEntries(d)).toEqual({
      'job-name': 'cml-sweep',
      time: '1-02:00:00',
      mem: '3072M',
      ntasks: '1',
      'cpus-per-task': '4',
      partition: 'short',
      output: join(t.runDir, 'slurm/logs/cml-sweep-%A_%a.out'),
      array: '0-2%2',
    });
    expect(script.startsWith('#!/bin/bash\n')).toBe(true);
    expect(script).toContain(`\ncd ${t.runDir}\n`);
    expect(script).toContain(
      `\nexec /opt/node /opt/exoniche/entry.js sweep run-shard --manifest ${manifest} --workers 4 --index "$SLURM_ARRAY_TASK_ID"\n`,
    );
    // bash accepts it
    const dir = mkdtempSync(join(tmpdir(), 'exoniche-sh-'));
    writeFileSync(join(dir, 's.sh'), script);
    expect(spawnSync('bash', ['-n', join(dir, 's.sh')]).status).toBe(0);
  });

  it('the throttle never exceeds K; the default command is this node with an absolute CLI entry', async () => {
    const manifest = await planTestSweep(4, 4);
    const t = sweepTarget(manifest);
    const o = slurmOptions({ throttle: 100 }, t);
    expect(directives(slurmArrayScript(t, o)).get('array')).toBe('0-3%4');
    expect(o.command[0]).toBe(process.execPath);
    expect(o.command.at(-1)).toMatch(/^\//);
  });

  it('running the array body as task i hands exactly (manifest, i) to exoniche, from the run folder', async () => {
    const manifest = await planTestSweep(6, 3, 'a run with spaces');
    const t = sweepTarget(manifest);
    const o = { ...slurmOptions({ logDir: join(tmpdir(), 'plain-logs') }, t), command: ['printf', '%s|'] };
    const script = slurmArrayScript(t, o);
    const r = spawnSync('bash', ['-c', `${script}`], {
      encoding: 'utf8',
      env: { ...process.env, SLURM_ARRAY_TASK_ID: '2' },
    });
    expect(r.status, r.stderr).toBe(0);
    // one CPU: computed in the main thread (--workers 0), never a pool over all the node's cores
    expect(r.stdout).toBe(`sweep|run-shard|--manifest|${manifest}|--workers|0|--index|2|`);
    const pwd = spawnSync('bash', ['-c', script.replace(/\nexec .*\n/, '\npwd\n')], { encoding: 'utf8' });
    expect(pwd.stdout.trim()).toBe(t.runDir);
  });

  it('a log folder that #SBATCH lines cannot carry is refused with the reason', async () => {
    const manifest = await planTestSweep(2, 1, 'has space');
    const t = sweepTarget(manifest);
    expect(() => slurmOptions({}, t)).toThrow(
      /--log-dir '.*has space.*' contains a space, quote, backslash or '%'/,
    );
    expect(() => slurmOptions({ logDir: 'logs/100%' }, t)).toThrow(/contains a space/);
  });

  it('merge: afterok on the array when the id is known, cancelled (not left pending) if a shard fails', async () => {
    const manifest = await planTestSweep(6, 3);
    const t = sweepTarget(manifest);
    const o = { ...slurmOptions({ jobName: 'sw', time: '30' }, t), command: ['/n', '/e.js'] };
    const d = directives(slurmMergeScript(t, o, '4242'));
    expect(d.get('dependency')).toBe('afterok:4242');
    expect(d.get('kill-on-invalid-dep')).toBe('yes');
    expect(d.get('job-name')).toBe('sw-merge');
    expect(d.get('time')).toBe('00:30:00');
    expect(d.get('output')).toBe(join(t.runDir, 'slurm/logs/sw-merge-%j.out'));
    expect(d.has('array')).toBe(false);
    expect(slurmMergeScript(t, o, '4242')).toContain(`\nexec /n /e.js sweep merge --manifest ${manifest}\n`);
    // dry run: no dependency directive (there is no id yet), a note instead
    const dry = slurmMergeScript(t, o);
    expect(directives(dry).has('dependency')).toBe(false);
    expect(dry).toContain('# submit with: sbatch --dependency=afterok:<array job id> merge.sbatch');
  });

  it('bad options name the option', async () => {
    const t = sweepTarget(await planTestSweep(2, 2));
    expect(() => slurmOptions({ throttle: '0' }, t)).toThrow(
      "--throttle: expected a positive integer, got '0'",
    );
    expect(() => slurmOptions({ time: '1h' }, t)).toThrow(/--time: expected/);
    expect(() => slurmOptions({ mem: '2GB' }, t)).toThrow(/--mem: expected/);
    expect(() => slurmOptions({ jobName: 'a b' }, t)).toThrow(LauncherError);
    expect(() => slurmOptions({ partition: 'x;rm' }, t)).toThrow(/--partition: expected/);
  });

  it('parseSbatchId reads "<id>" and "<id>;<cluster>" and refuses anything else', () => {
    expect(parseSbatchId('123\n')).toBe('123');
    expect(parseSbatchId('77;cluster-a\n')).toBe('77');
    expect(() => parseSbatchId('Submitted batch job 5')).toThrow(SubmitError);
  });
});

describe('submitSlurm (fake sbatch)', () => {
  it('submits the array, then the merge depending on it; writes scripts, log folder and submitted.json', async () => {
    const manifest = await planTestSweep(6, 3);
    const { program, log } = fakeSbatch();
    const s = submitSlurm(manifest, { sbatch: program, throttle: 2 });
    const slurmDir = join(dirname(manifest), 'slurm');
    expect(s).toMatchObject({
      arrayJobId: '1001',
      mergeJobId: '1002',
      shards: 3,
      arrayScript: join(slurmDir, 'shards.sbatch'),
      mergeScript: join(slurmDir, 'merge.sbatch'),
      logDir: join(slurmDir, 'logs'),
    });
    expect(readFileSync(log, 'utf8')).toBe(`--parsable ${s.arrayScript}\n--parsable ${s.mergeScript}\n`);
    expect(directives(readFileSync(s.arrayScript, 'utf8')).get('array')).toBe('0-2%2');
    expect(directives(readFileSync(s.mergeScript, 'utf8')).get('dependency')).toBe('afterok:1001');
    expect(existsSync(s.logDir)).toBe(true);
    const rec = JSON.parse(readFileSync(join(slurmDir, 'submitted.json'), 'utf8'));
    expect(rec.arrayJobId).toBe('1001');
    expect(rec.mergeJobId).toBe('1002');
  });

  it('a refusal by sbatch or a missing sbatch is a SubmitError with sbatch’s own message', async () => {
    const manifest = await planTestSweep(2, 1);
    expect(() => submitSlurm(manifest, { sbatch: fakeSbatch(1).program })).toThrow(
      /failed \(exit 1\): sbatch: error: Batch job submission failed: Invalid account/,
    );
    expect(() => submitSlurm(manifest, { sbatch: '/nonexistent/sbatch' })).toThrow(/not found on PATH/);
    // what a real sbatch 22.05 says for --array=0-1500 under the default MaxArraySize, and the hint added to it
    const dir = mkdtempSync(join(tmpdir(), 'exoniche-sbatch-'));
    const program = join(dir, 'sbatch');
    writeFileSync(
      program,
      '#!/bin/sh\necho "sbatch: error: Batch job submission failed: Invalid job array specification" >&2\nexit 1\n',
    );
    chmodSync(program, 0o755);
    expect(() => submitSlurm(manifest, { sbatch: program })).toThrow(
      /Invalid job array specification \(the cluster's MaxArraySize, 1001 by default, caps K: plan fewer shards\)/,
    );
  });

  it('if the merge is refused after the array went in, the error gives the array id and the way out', async () => {
    const manifest = await planTestSweep(2, 1);
    const dir = mkdtempSync(join(tmpdir(), 'exoniche-sbatch-'));
    const program = join(dir, 'sbatch');
    // accepts the first script (the array), refuses the second
    writeFileSync(
      program,
      `#!/bin/sh\ncase "$2" in *shards.sbatch) echo 77;; *) echo "no" >&2; exit 1;; esac\n`,
    );
    chmodSync(program, 0o755);
    expect(() => submitSlurm(manifest, { sbatch: program })).toThrow(
      /job array 77 was submitted but the merge was not .*'sbatch --dependency=afterok:77 .*merge\.sbatch' or cancel the array with 'scancel 77'/,
    );
  });

  it('the default job name comes from the run folder', async () => {
    const t = sweepTarget(await planTestSweep(2, 1, 'CML.20k_run'));
    expect(slurmOptions({}, t).jobName).toBe('exoniche-cml-20k-run');
  });
});

describe('exoniche submit --slurm', () => {
  it('--dry-run prints both scripts and writes nothing; bad input exits 64/65/66 with a message', async () => {
    const manifest = await planTestSweep(6, 3);
    const dir = mkdtempSync(join(tmpdir(), 'exoniche-bad-'));
    mkdirSync(join(dir, 'x'));
    writeFileSync(join(dir, 'x/sweep.json'), '{"version": 1}');
    // four CLI processes at once: each spends seconds starting up
    const [r, usage, missing, invalid] = await Promise.all([
      runCliAsync(['submit', '--slurm', '--manifest', manifest, '--dry-run', '--throttle', '2', '--json']),
      runCliAsync(['submit', '--manifest', manifest]),
      runCliAsync(['submit', '--slurm', '--manifest', join(dir, 'nope.json')]),
      runCliAsync(['submit', '--slurm', '--manifest', join(dir, 'x/sweep.json'), '--json']),
    ]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ ok: true, launcher: 'slurm', dryRun: true, shards: 3 });
    expect(directives(out.array).get('array')).toBe('0-2%2');
    expect(out.merge).toContain('sweep merge --manifest');
    expect(existsSync(join(dirname(manifest), 'slurm'))).toBe(false);

    expect(usage.code).toBe(64);
    expect(usage.stderr).toContain('give exactly one of --slurm or --k8s');
    expect(missing.code).toBe(66);
    expect(missing.stderr).toContain('nope.json: no such file');
    expect(invalid.code).toBe(65);
    expect(JSON.parse(invalid.stdout)).toMatchObject({ ok: false, exitCode: 65 });
    expect(invalid.stderr).toMatch(/sweep\.json: exonicheVersion: expected a non-empty string/);
  });
});
