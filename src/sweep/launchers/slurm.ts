/**
 * Slurm launcher: one job array runs the K shards of a sweep (array index = shard index, at most T at a time),
 * and one merge job starts only when every array task succeeded (`--dependency=afterok:<array job id>`; with
 * `--kill-on-invalid-dep=yes` it is cancelled instead of pending forever when a shard fails, so a
 * resubmission, which skips the shards already done, is the recovery path). Scripts are plain sbatch files
 * written into the run folder, so what ran can be read back and resubmitted by hand.
 * Reference: Slurm sbatch(1) and job_array documentation (--array=0-N%T, %A/%a output patterns, --parsable).
 */
import { spawnSync } from 'node:child_process';
import { basename, dirname, join, resolve } from 'node:path';
import { writeFileAtomic } from '../../io/atomic-write.js';
import { readSweepManifest } from '../manifest.js';
import {
  checkShards,
  dnsLabel,
  formatWallTime,
  LauncherError,
  localCliCommand,
  parseMemory,
  parseWallTime,
  positiveInt,
  SubmitError,
  type SweepTarget,
  shardWorkers,
  shellQuote,
  type TaskResources,
} from './common.js';

export interface SlurmOptions extends TaskResources {
  /** Job name (sbatch --job-name); the merge job is `<name>-merge`. */
  readonly jobName: string;
  /** At most this many array tasks run at once (the %T of --array). */
  readonly throttle: number;
  readonly partition?: string;
  readonly account?: string;
  /** Absolute folder for the per-task logs (default <run dir>/slurm/logs). */
  readonly logDir?: string;
  /** The exoniche command words, already absolute (default: this node binary and CLI entry). */
  readonly command: readonly string[];
}

/** The flags of `exoniche submit --slurm`, as text, before validation. */
export interface SlurmFlags {
  jobName?: string;
  throttle?: string | number;
  time?: string;
  mem?: string;
  cpusPerTask?: string | number;
  partition?: string;
  account?: string;
  logDir?: string;
  command?: readonly string[];
}

export const SLURM_DEFAULTS = { throttle: 32, time: '01:00:00', mem: '2G', cpusPerTask: 1 } as const;

/** Slurm paths in #SBATCH lines are not shell words: refuse what sbatch would misread or expand. */
function checkDirectivePath(path: string, what: string): string {
  if (/[\s"'%\\]/.test(path))
    throw new LauncherError(
      `${what} '${path}' contains a space, quote, backslash or '%', which #SBATCH lines cannot carry; use a plainer path`,
    );
  return path;
}

function checkWord(value: string, option: string): string {
  if (!/^[A-Za-z0-9_.+-]+$/.test(value))
    throw new LauncherError(`${option}: expected letters, digits, '.', '_', '+' or '-', got '${value}'`);
  return value;
}

export function slurmOptions(flags: SlurmFlags, target: SweepTarget): SlurmOptions {
  return {
    jobName: checkWord(flags.jobName ?? dnsLabel(`exoniche-${basename(target.runDir)}`, 64), '--name'),
    throttle: positiveInt(flags.throttle ?? SLURM_DEFAULTS.throttle, '--throttle'),
    timeSeconds: parseWallTime(flags.time ?? SLURM_DEFAULTS.time),
    memMiB: parseMemory(flags.mem ?? SLURM_DEFAULTS.mem),
    cpusPerTask: positiveInt(flags.cpusPerTask ?? SLURM_DEFAULTS.cpusPerTask, '--cpus-per-task'),
    ...(flags.partition !== undefined ? { partition: checkWord(flags.partition, '--partition') } : {}),
    ...(flags.account !== undefined ? { account: checkWord(flags.account, '--account') } : {}),
    logDir: checkDirectivePath(resolve(flags.logDir ?? join(target.runDir, 'slurm', 'logs')), '--log-dir'),
    command: flags.command ?? localCliCommand(),
  };
}

function directives(o: SlurmOptions, name: string, output: string): string[] {
  return [
    `#SBATCH --job-name=${name}`,
    `#SBATCH --time=${formatWallTime(o.timeSeconds)}`,
    `#SBATCH --mem=${o.memMiB}M`,
    '#SBATCH --ntasks=1',
    `#SBATCH --cpus-per-task=${o.cpusPerTask}`,
    ...(o.partition !== undefined ? [`#SBATCH --partition=${o.partition}`] : []),
    ...(o.account !== undefined ? [`#SBATCH --account=${o.account}`] : []),
    `#SBATCH --output=${output}`,
  ];
}

function logDirOf(target: SweepTarget, o: SlurmOptions): string {
  return o.logDir ?? join(target.runDir, 'slurm', 'logs');
}

/** The sbatch script of the shard array: task i runs `exoniche sweep run-shard --index i`. */
export function slurmArrayScript(target: SweepTarget, o: SlurmOptions): string {
  const k = checkShards(target.shards, target.manifestPath);
  const throttle = Math.min(o.throttle, k);
  const workers = String(shardWorkers(o.cpusPerTask));
  const cmd = [...o.command, 'sweep', 'run-shard', '--manifest', target.manifestPath, '--workers', workers]
    .map(shellQuote)
    .join(' ');
  return [
    '#!/bin/bash',
    `# exoniche sweep: ${k} shard(s) of ${target.manifestPath}, at most ${throttle} at a time.`,
    ...directives(o, o.jobName, join(logDirOf(target, o), `${o.jobName}-%A_%a.out`)),
    `#SBATCH --array=0-${k - 1}%${throttle}`,
    'set -eu',
    `cd ${shellQuote(target.runDir)}`,
    `exec ${cmd} --index "$SLURM_ARRAY_TASK_ID"`,
    '',
  ].join('\n');
}

/**
 * The sbatch script of the merge job. With `arrayJobId` the dependency is written into the script;
 * without it (dry run) the script says how to submit it.
 */
export function slurmMergeScript(target: SweepTarget, o: SlurmOptions, arrayJobId?: string): string {
  const name = `${o.jobName}-merge`;
  const cmd = [...o.command, 'sweep', 'merge', '--manifest', target.manifestPath].map(shellQuote).join(' ');
  return [
    '#!/bin/bash',
    `# exoniche sweep: merge the shards of ${target.manifestPath} once every array task succeeded.`,
    ...directives(o, name, join(logDirOf(target, o), `${name}-%j.out`)),
    arrayJobId !== undefined
      ? `#SBATCH --dependency=afterok:${arrayJobId}`
      : '# submit with: sbatch --dependency=afterok:<array job id> merge.sbatch',
    '#SBATCH --kill-on-invalid-dep=yes',
    'set -eu',
    `cd ${shellQuote(target.runDir)}`,
    `exec ${cmd}`,
    '',
  ].join('\n');
}

export interface SlurmSubmission {
  readonly arrayJobId: string;
  readonly mergeJobId: string;
  readonly arrayScript: string;
  readonly mergeScript: string;
  readonly shards: number;
  readonly logDir: string;
}

export interface SubmitSlurmOptions extends SlurmFlags {
  /** The sbatch program (default `sbatch` on PATH). */
  readonly sbatch?: string;
}

/** The sweep behind a manifest file, for the launchers. */
export function sweepTarget(manifestPath: string): SweepTarget {
  const abs = resolve(manifestPath);
  const manifest = readSweepManifest(abs);
  return { manifestPath: abs, runDir: dirname(abs), shards: checkShards(manifest.shards, abs) };
}

/** Parse `sbatch --parsable` output: "<job id>" or "<job id>;<cluster>". */
export function parseSbatchId(stdout: string): string {
  const id = stdout.trim().split(';')[0];
  if (!/^\d+$/.test(id)) throw new SubmitError(`sbatch printed no job id (output: '${stdout.trim()}')`);
  return id;
}

function sbatch(program: string, script: string, runDir: string): string {
  const r = spawnSync(program, ['--parsable', script], { cwd: runDir, encoding: 'utf8' });
  if (r.error)
    throw new SubmitError(
      `cannot run ${program}: ${(r.error as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found on PATH (is Slurm installed on this host?)' : r.error.message}`,
    );
  if (r.status !== 0) {
    const msg = r.stderr.trim() || r.stdout.trim();
    // MaxArraySize (default 1001) caps the array indices: the usual cause of an invalid array specification
    const hint = /array/i.test(msg)
      ? " (the cluster's MaxArraySize, 1001 by default, caps K: plan fewer shards)"
      : '';
    throw new SubmitError(`${program} ${script} failed (exit ${r.status}): ${msg}${hint}`);
  }
  return parseSbatchId(r.stdout);
}

/**
 * Write the two scripts into <run dir>/slurm/ and submit them: the array first, then the merge depending on it.
 * Returns both job ids.
 */
export function submitSlurm(manifestPath: string, flags: SubmitSlurmOptions = {}): SlurmSubmission {
  const target = sweepTarget(manifestPath);
  const o = slurmOptions(flags, target);
  const dir = join(target.runDir, 'slurm');
  const arrayScript = join(dir, 'shards.sbatch');
  const mergeScript = join(dir, 'merge.sbatch');
  const logDir = logDirOf(target, o);
  writeFileAtomic(arrayScript, slurmArrayScript(target, o));
  // Slurm opens the --output files itself and does not create their folder
  writeFileAtomic(join(logDir, '.keep'), '');
  const program = flags.sbatch ?? 'sbatch';
  const arrayJobId = sbatch(program, arrayScript, target.runDir);
  writeFileAtomic(mergeScript, slurmMergeScript(target, o, arrayJobId));
  let mergeJobId: string;
  try {
    mergeJobId = sbatch(program, mergeScript, target.runDir);
  } catch (err) {
    // the shards are queued already: say so, and how to finish or undo by hand
    throw new SubmitError(
      `job array ${arrayJobId} was submitted but the merge was not (${(err as Error).message}); ` +
        `submit it with 'sbatch --dependency=afterok:${arrayJobId} ${mergeScript}' or cancel the array with 'scancel ${arrayJobId}'`,
    );
  }
  const submission = { arrayJobId, mergeJobId, arrayScript, mergeScript, shards: target.shards, logDir };
  writeFileAtomic(
    join(dir, 'submitted.json'),
    `${JSON.stringify({ ...submission, submittedAt: new Date().toISOString() }, null, 2)}\n`,
  );
  return submission;
}
