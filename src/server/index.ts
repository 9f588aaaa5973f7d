/**
 * The local dashboard server (`exoniche serve`, issue #10): the app's static files from `root` (dist-web/, built by
 * `npm run build:web`) and the JSON API of docs/dashboard.md. Single-patient runs happen in the browser; cohorts and
 * sensitivity studies run here, on worker threads, with progress as server-sent events. Binds to 127.0.0.1 unless told otherwise.
 */
import { realpathSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { createAdaptorServer } from '@hono/node-server';
import { type KnowledgeBase, loadKnowledgeBase } from '../knowledge/index.js';
import { createApp } from './app.js';
import { isLoopbackHost } from './host.js';
import { type RunnerFactory, Runs } from './runs.js';

export { type ApiErrorBody, type ApiIssue, HttpError } from './errors.js';
export { isLoopbackHost } from './host.js';
export type { RunEvent, RunnerFactory, RunState, RunStatus } from './runs.js';
export { SENSITIVITY_DEFAULTS } from './sensitivity.js';

export interface ServerOptions {
  /** Address to bind (default 127.0.0.1). */
  readonly host?: string;
  /** Port (default 0: any free port). */
  readonly port?: number;
  /** Folder of the app's static files (default dist-web, relative to the working directory). */
  readonly root?: string;
  /** Largest request body accepted (bytes, default 1 000 000); more is a 413. */
  readonly maxBodyBytes?: number;
  /** Largest cohort a request may ask for (default 5000). */
  readonly maxPatients?: number;
  /** Runs (cohorts and sensitivity studies) computing at once (default 2); one more is a 429. */
  readonly maxRuns?: number;
  /** Largest sensitivity study a request may ask for: design points (default 5000). */
  readonly maxStudyPoints?: number;
  /** ... and simulations, design points x patients per point (default 200 000). */
  readonly maxStudySimulations?: number;
  /** The knowledge base (default: the shipped one, loaded once here). */
  readonly kb?: KnowledgeBase;
  /** The pool factory of the runs (default createChunkRunner; tests observe the pools through it). */
  readonly createRunner?: RunnerFactory;
}

export interface RunningServer {
  /** Where it listens, e.g. http://127.0.0.1:8737/ (the loopback address when bound to all interfaces). */
  readonly url: string;
  /** Cancel the runs (their workers stopped), end the event streams, stop listening. */
  close(): Promise<void>;
}

function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::' || host === '[::]') return '[::1]';
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

export async function startServer(o: ServerOptions = {}): Promise<RunningServer> {
  const host = o.host ?? '127.0.0.1';
  const port = o.port ?? 0;
  if (!Number.isSafeInteger(port) || port < 0 || port > 65535)
    throw new RangeError(`port: expected an integer 0..65535, got ${port}`);
  const maxBodyBytes = o.maxBodyBytes ?? 1_000_000;
  const maxPatients = o.maxPatients ?? 5000;
  if (!Number.isSafeInteger(maxBodyBytes) || maxBodyBytes < 1)
    throw new RangeError(`maxBodyBytes: expected an integer >= 1, got ${maxBodyBytes}`);
  if (!Number.isSafeInteger(maxPatients) || maxPatients < 1)
    throw new RangeError(`maxPatients: expected an integer >= 1, got ${maxPatients}`);
  const kb = o.kb ?? loadKnowledgeBase();
  let root = resolve(o.root ?? 'dist-web');
  try {
    root = realpathSync(root);
  } catch {
    // not there (yet): pages are 404 with a hint, the API works
  }
  const maxStudyPoints = o.maxStudyPoints ?? 5000;
  const maxStudySimulations = o.maxStudySimulations ?? 200_000;
  for (const [name, v] of [
    ['maxStudyPoints', maxStudyPoints],
    ['maxStudySimulations', maxStudySimulations],
  ] as const)
    if (!Number.isSafeInteger(v) || v < 1)
      throw new RangeError(`${name}: expected an integer >= 1, got ${v}`);
  const runs = new Runs({
    kb,
    ...(o.maxRuns !== undefined ? { maxActive: o.maxRuns } : {}),
    ...(o.createRunner ? { createRunner: o.createRunner } : {}),
  });
  const { app, closeStreams } = createApp({
    kb,
    runs,
    root,
    maxBodyBytes,
    maxPatients,
    study: { maxPoints: maxStudyPoints, maxSimulations: maxStudySimulations, maxPatients },
    loopbackOnly: isLoopbackHost(host),
  });
  const server = createAdaptorServer({ fetch: app.fetch, hostname: host }) as Server;
  await new Promise<void>((ok, fail) => {
    const onError = (err: Error) => {
      server.off('listening', onListening);
      fail(err);
    };
    const onListening = () => {
      server.off('error', onError);
      ok();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
  // a socket error after start (a client reset) must not end the process
  server.on('error', (err) => process.stderr.write(`exoniche serve: ${err.message}\n`));
  const addr = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost(host)}:${addr.port}/`,
    close() {
      closing ??= (async () => {
        await runs.close();
        closeStreams();
        await new Promise<void>((ok) => {
          server.close(() => ok());
          server.closeIdleConnections();
          // event streams and keep-alive sockets would hold close() open
          setTimeout(() => server.closeAllConnections(), 100).unref();
        });
      })();
      return closing;
    },
  };
}
