/**
 * The pool of worker threads (piscina) that computes chunks of rows of one job kind. `workers: 0` computes in
 * this thread instead (debugging, or where threads are unwelcome); results are the same either way, since a row
 * depends only on (manifest, k).
 *
 * Each thread loads workers/<kind>.js. Running from TypeScript sources (tests, `node --import tsx`), that is
 * workers/<kind>.ts and each thread registers tsx itself.
 */
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { JobKindError, loadJobKind } from './jobs.js';
import { type ChunkResult, type ChunkTask, chunkWorker } from './worker.js';

export interface ChunkRunner {
  /** Threads computing (0: in-process). */
  readonly threads: number;
  run(task: ChunkTask): Promise<ChunkResult>;
  close(): Promise<void>;
}

export function defaultWorkers(): number {
  return availableParallelism();
}

/** Worker entries in workers/ (one per job kind). */
const WORKER_ENTRIES: ReadonlySet<string> = new Set(['cohort', 'sensitivity', 'test-job']);

export async function createChunkRunner(
  kind: string,
  workers: number = defaultWorkers(),
): Promise<ChunkRunner> {
  if (!Number.isSafeInteger(workers) || workers < 0)
    throw new RangeError(`workers: expected an integer >= 0, got ${workers}`);
  if (workers === 0) return { threads: 0, run: chunkWorker(await loadJobKind(kind)), close: async () => {} };
  if (!WORKER_ENTRIES.has(kind)) throw new JobKindError(`job kind '${kind}' has no worker entry`);
  const { Piscina } = await import('piscina');
  const fromSource = import.meta.url.endsWith('.ts');
  const filename = new URL(`./workers/${kind}${fromSource ? '.ts' : '.js'}`, import.meta.url).href;
  // tsx as an absolute URL: a bare specifier would be resolved from the working directory, outside the repository
  // when the CLI runs (from source) in another folder
  const execArgv =
    fromSource && !process.execArgv.join(' ').includes('tsx')
      ? [...process.execArgv, '--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href]
      : process.execArgv;
  const pool = new Piscina<ChunkTask, ChunkResult>({
    filename,
    minThreads: workers,
    maxThreads: workers,
    idleTimeout: 60_000,
    execArgv,
  });
  // a thread that cannot start (a module fails to load) rejects its task, which is reported per shard; without a
  // listener the pool's 'error' event would also end the process
  pool.on('error', () => {});
  return {
    threads: workers,
    run: (task) => pool.run(task),
    close: () => pool.destroy(),
  };
}
