/**
 * The exoniche CLI run in this process (fast: no child process, no tsx start-up), with stdout and stderr
 * captured. test/support/run-cli.ts runs the real entry in a child process where exit behaviour matters.
 */
import { vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { CliResult } from './run-cli.js';

export async function runCliInProcess(args: readonly string[]): Promise<CliResult> {
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
  try {
    const code = await main(['node', 'exoniche', ...args]);
    return { code, stdout, stderr };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}
