/**
 * What the commands that fill a resumable run folder share (`exoniche cohort`, `sweep`, `sensitivity`): integer and
 * seed options, reading an input file, sweep-layer errors mapped to exit codes, the default folder name from the
 * plan key (so a rerun resumes), the progress bar around the run, and the message for failed shards.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  formatIndices,
  JobKindError,
  planKey,
  ShardError,
  SweepFolderError,
  type SweepManifest,
  SweepManifestError,
} from '../sweep/index.js';
import { displayPath, RUNS_DIR } from './commands/run.js';
import { CliError, EXIT } from './exit-codes.js';
import { createProgress } from './progress.js';

/** An integer option >= min, or undefined when absent; a usage error otherwise. */
export function intOption(name: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(Number(v)) || Number(v) < min)
    throw new CliError(`${name}: expected an integer >= ${min}, got '${value}'`, EXIT.usage);
  return Number(v);
}

export function seedOption(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (!/^\d+$/.test(v) || BigInt(v) >= 2n ** 64n)
    throw new CliError(`--seed: expected a non-negative integer below 2^64, got '${value}'`, EXIT.usage);
  return BigInt(v).toString();
}

/** A UTF-8 input file; a missing or unreadable one is a no-input error naming it. */
export function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CliError(
      code === 'ENOENT' ? `${file}: no such file` : `${file}: cannot read (${code ?? String(err)})`,
      EXIT.noInput,
    );
  }
}

/**
 * `runs/<name>-<label>-<first 12 hex of the plan key>`: the same inputs give the same folder, so a rerun resumes.
 * `fallback` names a scenario whose name has no safe character.
 */
export function defaultRunDir(m: SweepManifest, label: string, fallback: string): string {
  const safe = m.scenario.name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+|-+$/g, '') || fallback;
  return join(RUNS_DIR, `${safe}-${label}-${planKey(m).slice(0, 12)}`);
}

/** Sweep-layer errors -> exit codes. */
export function mapSweepError(err: unknown): unknown {
  if (err instanceof CliError) return err;
  if (err instanceof SweepManifestError)
    return new CliError(err.message, err.reason === 'missing' ? EXIT.noInput : EXIT.dataError);
  if (err instanceof SweepFolderError) return new CliError(err.message, EXIT.cantCreate);
  if (err instanceof ShardError)
    return new CliError(err.message, err.reason === 'version' ? EXIT.dataError : EXIT.simulationFailed);
  if (err instanceof JobKindError) return new CliError(err.message, EXIT.dataError);
  const code = (err as NodeJS.ErrnoException)?.code;
  if (typeof code === 'string' && ['EACCES', 'EPERM', 'ENOSPC', 'EROFS', 'ENOTDIR', 'EEXIST'].includes(code))
    return new CliError(`cannot write: ${(err as Error).message}`, EXIT.cantCreate);
  return err;
}

export function sweepCall<T>(f: () => T): T {
  try {
    return f();
  } catch (err) {
    throw mapSweepError(err);
  }
}

export async function sweepCallAsync<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (err) {
    throw mapSweepError(err);
  }
}

/**
 * Run `f` with a progress bar labelled `label` (none with --quiet or --json), sweep errors mapped to exit codes;
 * the bar is cleared and `cleanup` runs whether `f` succeeds or throws.
 */
export async function withRunProgress<T>(
  label: string,
  flags: { readonly quiet?: boolean; readonly json?: boolean },
  f: (onProgress: (done: number, total: number) => void) => Promise<T>,
  cleanup?: () => void,
): Promise<T> {
  const progress = createProgress({ quiet: flags.quiet === true || flags.json === true, label });
  try {
    return await sweepCallAsync(() => f((done, total) => progress.update(total > 0 ? done / total : 1)));
  } finally {
    progress.done();
    cleanup?.();
  }
}

/**
 * The error for an incomplete run: how many of `shards` failed, which, and the first five reasons. `kept` is the
 * folder whose finished shards stay for a rerun (undefined when the folder is temporary and removed).
 */
export function failedShardsError(
  failed: readonly number[],
  reasons: Readonly<Record<number, string>>,
  shards: number,
  kept: string | undefined,
): CliError {
  const lines = failed
    .slice(0, 5)
    .map((i) => `  shard ${i}: ${reasons[i] ?? 'missing'}`)
    .join('\n');
  const where =
    kept === undefined
      ? ''
      : `the others are kept in ${displayPath(kept)}/shards, rerun the same command to retry`;
  return new CliError(
    `${failed.length} of ${shards} shards failed (${formatIndices([...failed])}); ${where}:\n${lines}`,
    EXIT.simulationFailed,
  );
}
