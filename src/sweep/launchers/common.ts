/**
 * What the cluster launchers share: the sweep they launch (manifest, run folder, shard count), resource options
 * validated once with errors that name the option, and the shell quoting the generated scripts rely on.
 */
import { realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** A bad launcher option: the message names the option and what was expected. */
export class LauncherError extends Error {
  override name = 'LauncherError';
}

/** The scheduler refused or could not be reached (sbatch missing, rejected the script, printed no job id). */
export class SubmitError extends Error {
  override name = 'SubmitError';
}

/** The sweep a launcher submits: the K shards of one manifest, run from the manifest's folder. */
export interface SweepTarget {
  /** Absolute path of sweep.json. */
  readonly manifestPath: string;
  /** Absolute path of the run folder (the manifest's folder): shards and the merge write under it. */
  readonly runDir: string;
  /** Number of shards K (array indices 0..K-1). */
  readonly shards: number;
}

/** Per-task resources, in the scheduler-neutral form both launchers translate. */
export interface TaskResources {
  /** Wall-time limit per task, seconds. */
  readonly timeSeconds: number;
  /** Memory per task, MiB. */
  readonly memMiB: number;
  readonly cpusPerTask: number;
}

export function checkShards(shards: unknown, where: string): number {
  if (typeof shards !== 'number' || !Number.isInteger(shards) || shards < 1)
    throw new LauncherError(`${where}: shards must be a positive integer, got ${JSON.stringify(shards)}`);
  return shards;
}

export function positiveInt(value: string | number, option: string): number {
  const n = typeof value === 'number' ? value : /^\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 1)
    throw new LauncherError(`${option}: expected a positive integer, got '${value}'`);
  return n;
}

export function nonNegativeInt(value: string | number, option: string): number {
  const n = typeof value === 'number' ? value : /^\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 0)
    throw new LauncherError(`${option}: expected a non-negative integer, got '${value}'`);
  return n;
}

/**
 * A wall time in Slurm's notation (sbatch --time): MM, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS.
 * Returns seconds; rejects anything else rather than guess.
 */
export function parseWallTime(text: string, option = '--time'): number {
  const s = text.trim();
  const bad = () =>
    new LauncherError(
      `${option}: expected MM, MM:SS, HH:MM:SS or D-HH[:MM[:SS]] (Slurm notation), got '${text}'`,
    );
  let days = 0;
  let rest = s;
  const dash = /^(\d+)-(.+)$/.exec(s);
  if (dash) {
    days = Number(dash[1]);
    rest = dash[2];
  }
  if (!/^\d+(:\d+){0,2}$/.test(rest)) throw bad();
  const parts = rest.split(':').map(Number);
  let seconds: number;
  if (dash) {
    // D-HH, D-HH:MM, D-HH:MM:SS
    const [h, m = 0, sec = 0] = parts;
    if (m > 59 || sec > 59) throw bad();
    seconds = ((days * 24 + h) * 60 + m) * 60 + sec;
  } else if (parts.length === 1) seconds = parts[0] * 60;
  else if (parts.length === 2) {
    if (parts[1] > 59) throw bad();
    seconds = parts[0] * 60 + parts[1];
  } else {
    if (parts[1] > 59 || parts[2] > 59) throw bad();
    seconds = (parts[0] * 60 + parts[1]) * 60 + parts[2];
  }
  if (seconds < 1) throw bad();
  return seconds;
}

/** Seconds as Slurm's D-HH:MM:SS / HH:MM:SS. */
export function formatWallTime(seconds: number): string {
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const hms = `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
  return d > 0 ? `${d}-${hms}` : hms;
}

/** Memory as Slurm writes it (binary units, default MiB): 500, 500M, 2G, 1T. Returns MiB. */
export function parseMemory(text: string, option = '--mem'): number {
  const m = /^(\d+)([KMGT]?)$/i.exec(text.trim());
  if (!m)
    throw new LauncherError(
      `${option}: expected an integer with an optional unit K, M, G or T, got '${text}'`,
    );
  const n = Number(m[1]);
  const unit = m[2].toUpperCase();
  const mib =
    unit === 'K' ? Math.ceil(n / 1024) : unit === 'G' ? n * 1024 : unit === 'T' ? n * 1024 * 1024 : n;
  if (mib < 1) throw new LauncherError(`${option}: must be at least 1M, got '${text}'`);
  return mib;
}

/**
 * Worker threads for a shard given its CPUs: one CPU computes in the main thread (no pool to start), more
 * CPUs get one worker thread each. Never "all cores of the node": a cluster node is shared.
 */
export function shardWorkers(cpusPerTask: number): number {
  return cpusPerTask > 1 ? cpusPerTask : 0;
}

/** Single-quote for POSIX sh: the word reaches the program exactly as given. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * The command that runs this very exoniche on a compute node with no PATH set up: the absolute node binary,
 * its loader flags (`--import tsx` when run from source, resolved to an absolute file URL because the job
 * starts in another directory) and the absolute CLI entry script.
 */
export function localCliCommand(
  entry: string | undefined = process.argv[1],
  execArgv: readonly string[] = process.execArgv,
  execPath: string = process.execPath,
): string[] {
  if (entry === undefined || entry === '')
    throw new LauncherError('cannot tell which script is running exoniche');
  const script = realpathSync(resolve(entry));
  const require = createRequire(script);
  const absolute = (spec: string): string => {
    if (spec.startsWith('file:') || spec.startsWith('data:') || spec.startsWith('node:')) return spec;
    if (isAbsolute(spec)) return pathToFileURL(spec).href;
    if (spec.startsWith('.')) return pathToFileURL(resolve(spec)).href;
    try {
      return pathToFileURL(require.resolve(spec)).href;
    } catch {
      return spec;
    }
  };
  const flags: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const a = execArgv[i];
    const eq = /^(--import|--loader|--experimental-loader|--require|-r)=(.*)$/.exec(a);
    if (eq) flags.push(`${eq[1]}=${absolute(eq[2])}`);
    else if (/^(--import|--loader|--experimental-loader|--require|-r)$/.test(a) && i + 1 < execArgv.length)
      flags.push(a, absolute(execArgv[++i]));
    // inspector and eval flags are the user's session, not the job's
    else if (!/^--(inspect|inspect-brk|eval|print)/.test(a)) flags.push(a);
  }
  return [execPath, ...flags, script];
}

/** A name Slurm and Kubernetes both accept: lower-case letters, digits and '-', at most `max` characters. */
export function dnsLabel(name: string, max = 63): string {
  const s = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, max)
    .replace(/-+$/, '');
  return s === '' ? 'sweep' : s;
}
