/**
 * `exoniche serve [--port 8737] [--host 127.0.0.1] [--no-open] [--root DIR]`: the local dashboard server
 * (src/server) serving the built app (dist-web/, `npm run build:web`) and the cohort API, until Ctrl-C or SIGTERM,
 * which cancel the running cohorts (their worker threads stopped) and close the server. It builds nothing itself.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { isLoopbackHost, type RunningServer, startServer } from '../../server/index.js';
import { CliError, EXIT } from '../exit-codes.js';
import { intOption } from '../run-folder-options.js';
import { EXIT_CODES_HELP, loadKb } from './run.js';

export const DEFAULT_PORT = 8737;

/** dist-web/ of the package (src/cli/commands/ and dist/cli/commands/ are both three levels down). */
export const DEFAULT_ROOT = fileURLToPath(new URL('../../../dist-web', import.meta.url));

interface ServeFlags {
  port: string;
  host: string;
  open: boolean;
  root?: string;
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description(
      'Start the local dashboard: the browser app (dist-web/, built by `npm run build:web`) and the cohort API; Ctrl-C stops it',
    )
    .option('--port <N>', 'port to listen on (0: any free port)', String(DEFAULT_PORT))
    .option(
      '--host <address>',
      'address to bind; anything but loopback lets other machines run simulations here',
      '127.0.0.1',
    )
    .option('--no-open', 'do not open the browser')
    .option('--root <dir>', 'folder of the built app (default: dist-web/ of the exoniche package)')
    .addHelpText('after', EXIT_CODES_HELP)
    .action(async (flags: ServeFlags) => {
      await serveCommand(flags);
    });
}

/** The first executable `name` on `path` (PATH syntax), or undefined. */
export function findExecutable(
  name: string,
  path: string | undefined = process.env.PATH,
): string | undefined {
  for (const dir of (path ?? '').split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * Open `url` in the user's browser with `open` (macOS) or `xdg-open` (elsewhere) if that program exists; false
 * (and nothing printed) when it does not or fails to start: the URL is printed anyway.
 */
export function openBrowser(url: string, path: string | undefined = process.env.PATH): boolean {
  const opener = findExecutable(process.platform === 'darwin' ? 'open' : 'xdg-open', path);
  if (!opener) return false;
  try {
    const child = spawn(opener, [url], { detached: true, stdio: 'ignore' });
    child.on('error', () => {});
    child.unref();
    return true;
  } catch {
    return false;
  }
}

/** Resolves with the signal's name at the first SIGINT or SIGTERM (listeners removed). */
function untilStopped(): Promise<NodeJS.Signals> {
  return new Promise((ok) => {
    const on = (sig: NodeJS.Signals) => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      ok(sig);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

async function serveCommand(flags: ServeFlags): Promise<void> {
  const port = intOption('--port', flags.port, 0) ?? DEFAULT_PORT;
  if (port > 65535)
    throw new CliError(`--port: expected an integer 0..65535, got '${flags.port}'`, EXIT.usage);
  const host = flags.host.trim();
  if (host === '') throw new CliError('--host: expected an address, got an empty string', EXIT.usage);
  const root = flags.root !== undefined ? resolve(flags.root) : DEFAULT_ROOT;
  const err = (line: string) => process.stderr.write(`exoniche: ${line}\n`);
  if (!existsSync(join(root, 'index.html')))
    err(
      `${join(root, 'index.html')} is missing: build the app with \`npm run build:web\` ` +
        '(the server starts anyway; the API under /api/ works)',
    );
  if (!isLoopbackHost(host))
    err(
      `warning: listening on ${host}, not on loopback: anyone who can reach this machine can use the ` +
        'dashboard and run cohorts on it (there is no authentication)',
    );
  const kb = loadKb();
  let server: RunningServer;
  try {
    server = await startServer({ host, port, root, kb });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE')
      throw new CliError(`port ${port} on ${host} is in use; choose another with --port`, EXIT.usage);
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN')
      throw new CliError(`--host ${host}: not an address of this machine`, EXIT.usage);
    if (code === 'EACCES')
      throw new CliError(`port ${port}: permission denied (ports below 1024 need privileges)`, EXIT.usage);
    throw e;
  }
  const stopped = untilStopped();
  process.stdout.write(`exoniche dashboard: ${server.url}  (Ctrl-C to stop)\n`);
  if (flags.open) openBrowser(server.url);
  const sig = await stopped;
  process.stdout.write(`${sig}: cancelling cohort runs and stopping the server\n`);
  await server.close();
  process.stdout.write('stopped\n');
}
