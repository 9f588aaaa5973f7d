/** Run the exoniche CLI from source in a child process, as a user would, and capture everything. */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

const ROOT = resolve(import.meta.dirname, '../..');

/**
 * tsx's loader as a file URL for `node --import`: a bare 'tsx' is resolved from the child's working directory,
 * which fails when a test runs the CLI in a temporary folder outside the repository.
 */
export const TSX_IMPORT = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

export function runCli(args: readonly string[], cwd = ROOT): CliResult {
  const r = spawnSync(
    process.execPath,
    ['--import', TSX_IMPORT, resolve(ROOT, 'src/cli/entry.ts'), ...args],
    {
      cwd,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
      timeout: 60_000,
    },
  );
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export const REPO_ROOT = ROOT;
