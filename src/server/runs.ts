/**
 * Runs of the dashboard server, in memory: cohorts and sensitivity studies, each the same computation as its CLI
 * command without the run folder. A run is a sweep plan (`planJob(kind, ...)`, so the same seed, model and parameter
 * hashes as the CLI), chunks of rows on a piscina pool of its own (`createChunkRunner(kind, ...)`), the chunks
 * assembled in row order (`concatColumns`), and a kind-specific summary of the columns:
 *
 * - cohort (`cohortJob`): the CLI's summary.json (`columnsToOutcomes`, `summarizeCohort` with the scenario's
 *   not-modelled endpoints, `summaryToJSON`, then JSON with `jsonSafe`);
 * - sensitivity (`sensitivityRunJob` in sensitivity.ts): the indices of `exoniche sensitivity --json`.
 *
 * Row k depends only on (plan, k), so a summary equals the CLI's for the same inputs whatever the workers.
 *
 * Nothing touches the disk. Cancelling destroys the run's pool (its threads are terminated, queued chunks
 * rejected), so nothing is left running. At most `maxActive` runs (of any kind) compute at once; finished runs are
 * kept (up to `maxStored`, oldest dropped first) so that a client can read the result after the run ended.
 */
import { randomUUID } from 'node:crypto';
import { summarizeCohort, summaryToJSON } from '../cohort/summary.js';
import type { KnowledgeBase } from '../knowledge/index.js';
import { type ColumnValues, concatColumns } from '../sweep/columns.js';
import { planJob } from '../sweep/index.js';
import { columnsToOutcomes, readScenarioText, seedOverride } from '../sweep/jobs/cohort.js';
import { planKey, type SweepManifest } from '../sweep/manifest.js';
import { type ChunkRunner, createChunkRunner } from '../sweep/pool.js';
import { jsonSafe } from '../sweep/run-folder.js';

export type RunStatus = 'running' | 'done' | 'error' | 'cancelled';

/** What a run tells its listeners (the server-sent events of GET /api/runs/:id/events). */
export type RunEvent =
  | { readonly type: 'progress'; readonly data: { readonly done: number; readonly total: number } }
  | { readonly type: 'done'; readonly data: { readonly summary: unknown } }
  | { readonly type: 'error'; readonly data: { readonly error: string } }
  | { readonly type: 'cancelled'; readonly data: Record<string, never> };

/** GET /api/runs/:id (and /api/cohorts/:id). */
export interface RunState {
  readonly id: string;
  /** The sweep job kind: 'cohort' or 'sensitivity'. */
  readonly kind: string;
  readonly status: RunStatus;
  /** Rows done and in all: patients of a cohort, design points of a study. */
  readonly done: number;
  readonly total: number;
  readonly summary?: unknown;
  readonly error?: string;
  /** Wall-clock times of the phases so far (ms): plan, pool start, simulate, summary, total. */
  readonly timings: Readonly<Record<string, number>>;
}

/** One run of some job kind: how to plan it and how to summarise its columns. */
export interface RunJob {
  /** Sweep job kind (planJob, createChunkRunner). */
  readonly kind: string;
  /** Rows of the plan, known before planning (the progress total). */
  readonly rows: number;
  /** Worker threads (>= 1). */
  readonly workers: number;
  /** Simulations per row (1 for a cohort; the patients per design point of a cohort study): sizes the chunks. */
  readonly rowCost?: number;
  /** The plan (planned lazily, after the 202 is written, or given when the route planned it to validate). */
  plan(): Promise<SweepManifest>;
  /** Time the route spent planning before the run started (ms), counted in `timings.planMs`. */
  readonly plannedMs?: number;
  /** The `done` event's summary from the plan and all rows' columns (plain JSON). */
  summarize(m: SweepManifest, values: readonly ColumnValues[]): Promise<unknown>;
}

export interface CohortRequest {
  /** Scenario text (YAML), already validated by the caller. */
  readonly scenarioText: string;
  readonly patients: number;
  /** Seed override (decimal string). */
  readonly seed?: string;
  /** Worker threads (>= 1). */
  readonly workers: number;
}

/** Makes the pool of one run (createChunkRunner; tests wrap it to watch the pool). */
export type RunnerFactory = (kind: string, workers: number) => Promise<ChunkRunner>;

export class TooManyRunsError extends Error {
  override name = 'TooManyRunsError';
}

export interface RunsOptions {
  /** The knowledge base, loaded once by the server (the summaries' input, as in the CLI's finalize steps). */
  readonly kb: KnowledgeBase;
  /** Runs computing at once (default 2); one more is refused with TooManyRunsError. */
  readonly maxActive?: number;
  /** Runs kept in memory, finished ones dropped oldest first (default 50). */
  readonly maxStored?: number;
  readonly createRunner?: RunnerFactory;
}

/** @deprecated name of RunsOptions (the runs were cohorts only). */
export type CohortRunsOptions = RunsOptions;

/** The JSON a summary is sent as: non-finite numbers null, typed arrays plain (as the CLI writes its files). */
export const toJson = (x: unknown): unknown => JSON.parse(JSON.stringify(x, jsonSafe)) as unknown;

/** A cohort of the current scenario: the CLI's summary.json content (finalizeCohort without the report). */
export function cohortJob(req: CohortRequest, kb: KnowledgeBase): RunJob {
  return {
    kind: 'cohort',
    rows: req.patients,
    workers: req.workers,
    plan: () =>
      planJob('cohort', {
        scenarioText: req.scenarioText,
        patients: req.patients,
        ...(req.seed !== undefined ? { seed: req.seed } : {}),
      }),
    async summarize(m, values) {
      // loaded on demand: cohort-report.ts brings in the report stack, which only the summary step needs
      const { notModelled } = await import('../sweep/jobs/cohort-report.js');
      const scenario = readScenarioText(m.scenario.text, m.scenario.file, kb, seedOverride(m.spec));
      const summary = summarizeCohort(columnsToOutcomes(values), kb, { notModelled: notModelled(scenario) });
      return toJson(summaryToJSON(summary));
    },
  };
}

/**
 * Rows per pool task: small enough for smooth progress (about 8 tasks per thread), large enough to keep threads
 * busy, and at most about 64 simulations per task (a design point of a cohort study is `rowCost` simulations).
 */
function chunkSize(rows: number, threads: number, rowCost: number): number {
  const perCost = Math.max(1, Math.floor(64 / Math.max(1, rowCost)));
  return Math.max(1, Math.min(perCost, Math.ceil(rows / (8 * Math.max(1, threads)))));
}

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

class Run {
  status: RunStatus = 'running';
  done = 0;
  summary: unknown;
  error: string | undefined;
  readonly timings: Record<string, number> = {};
  readonly listeners = new Set<(e: RunEvent) => void>();
  /** Settles when the run has stopped computing (its pool destroyed). */
  finished: Promise<void> = Promise.resolve();
  /** The run's pool, once started. */
  runner: ChunkRunner | undefined;
  private runnerClosed: Promise<void> | undefined;
  readonly t0 = performance.now();

  constructor(
    readonly id: string,
    readonly kind: string,
    readonly total: number,
  ) {}

  state(): RunState {
    return {
      id: this.id,
      kind: this.kind,
      status: this.status,
      done: this.done,
      total: this.total,
      ...(this.status === 'done' ? { summary: this.summary } : {}),
      ...(this.error !== undefined ? { error: this.error } : {}),
      timings: { ...this.timings },
    };
  }

  /** The latest state as one event (what a client connecting late receives first). */
  snapshot(): RunEvent {
    switch (this.status) {
      case 'running':
        return { type: 'progress', data: { done: this.done, total: this.total } };
      case 'done':
        return { type: 'done', data: { summary: this.summary } };
      case 'error':
        return { type: 'error', data: { error: this.error ?? 'the run failed' } };
      case 'cancelled':
        return { type: 'cancelled', data: {} };
    }
  }

  emit(e: RunEvent): void {
    for (const l of [...this.listeners]) {
      try {
        l(e);
      } catch {
        this.listeners.delete(l);
      }
    }
  }

  /** Destroy the pool (once): piscina terminates the threads and rejects the queued tasks. */
  closeRunner(): Promise<void> {
    if (!this.runner) return Promise.resolve();
    this.runnerClosed ??= this.runner.close().catch(() => {});
    return this.runnerClosed;
  }

  finish(status: Exclude<RunStatus, 'running'>, event: RunEvent): void {
    if (this.status !== 'running') return;
    this.status = status;
    if (event.type === 'error') this.error = event.data.error;
    this.timings.totalMs = performance.now() - this.t0;
    this.emit(event);
  }
}

/** "2 cohort runs", "1 cohort run and 1 sensitivity run" (the 429 message). */
function describeActive(kinds: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const k of kinds) counts.set(k, (counts.get(k) ?? 0) + 1);
  const parts = [...counts].map(([k, n]) => `${n} ${k} run${n === 1 ? '' : 's'}`);
  return `${parts.join(' and ')} ${kinds.length === 1 ? 'is' : 'are'}`;
}

export class Runs {
  private readonly runs = new Map<string, Run>();
  private readonly maxActive: number;
  private readonly maxStored: number;
  private readonly createRunner: RunnerFactory;
  readonly kb: KnowledgeBase;
  private closed = false;

  constructor(o: RunsOptions) {
    this.kb = o.kb;
    this.maxActive = o.maxActive ?? 2;
    this.maxStored = o.maxStored ?? 50;
    this.createRunner = o.createRunner ?? createChunkRunner;
  }

  get active(): number {
    let n = 0;
    for (const r of this.runs.values()) if (r.status === 'running') n++;
    return n;
  }

  get limit(): number {
    return this.maxActive;
  }

  /** Throws TooManyRunsError when no run may start now (server closing, or maxActive computing). */
  checkCapacity(): void {
    if (this.closed) throw new TooManyRunsError('the server is shutting down');
    const active = [...this.runs.values()].filter((r) => r.status === 'running').map((r) => r.kind);
    if (active.length >= this.maxActive)
      throw new TooManyRunsError(
        `${describeActive(active)} already running (at most ${this.maxActive}); wait for one to finish or cancel it`,
      );
  }

  /**
   * Start a cohort run (the /api/cohorts route); returns its id at once. Planning (knowledge base, model
   * compilation: a few 100 ms of this thread) waits for `after`, then simulating follows.
   */
  start(req: CohortRequest, after: Promise<unknown> = Promise.resolve()): string {
    return this.startJob(cohortJob(req, this.kb), after);
  }

  /**
   * Start a run of any kind; returns its id at once. Its plan and pool wait for `after` (the server passes "the
   * 202 response is written", so that work blocking this thread starts after the client has its answer).
   */
  startJob(job: RunJob, after: Promise<unknown> = Promise.resolve()): string {
    this.checkCapacity();
    const run = new Run(randomUUID(), job.kind, job.rows);
    this.runs.set(run.id, run);
    this.evict();
    run.finished = this.execute(run, job, after);
    return run.id;
  }

  get(id: string): RunState | undefined {
    return this.runs.get(id)?.state();
  }

  /**
   * Listen to a run: `listener` gets the latest state at once, then every change until the run ends. Returns the
   * function that stops listening, or undefined for an unknown id.
   */
  subscribe(id: string, listener: (e: RunEvent) => void): (() => void) | undefined {
    const run = this.runs.get(id);
    if (!run) return undefined;
    listener(run.snapshot());
    if (run.status !== 'running') return () => {};
    run.listeners.add(listener);
    return () => run.listeners.delete(listener);
  }

  /** Cancel a running run and wait until its workers are stopped; false for an unknown id. */
  async cancel(id: string): Promise<boolean> {
    const run = this.runs.get(id);
    if (!run) return false;
    if (run.status === 'running') {
      run.finish('cancelled', { type: 'cancelled', data: {} });
      run.listeners.clear();
      await run.closeRunner();
    }
    await run.finished;
    return true;
  }

  /** Cancel everything and refuse new runs (server shutdown). */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.runs.keys()].map((id) => this.cancel(id)));
  }

  /** Drop the oldest finished runs beyond maxStored (running ones are never dropped). */
  private evict(): void {
    let excess = this.runs.size - this.maxStored;
    for (const [id, r] of this.runs) {
      if (excess <= 0) break;
      if (r.status !== 'running') {
        this.runs.delete(id);
        excess--;
      }
    }
  }

  private async execute(run: Run, job: RunJob, after: Promise<unknown>): Promise<void> {
    const t0 = run.t0;
    const stopped = () => run.status !== 'running';
    try {
      await after.catch(() => {});
      await new Promise((r) => setImmediate(r));
      if (stopped()) return;
      const m = await job.plan();
      if (m.patients !== run.total)
        throw new Error(`the plan has ${m.patients} rows, the request ${run.total} (a bug)`);
      run.timings.planMs = (job.plannedMs ?? 0) + performance.now() - t0;
      if (stopped()) return;
      const t1 = performance.now();
      run.runner = await this.createRunner(job.kind, job.workers);
      run.timings.poolMs = performance.now() - t1;
      if (stopped()) return;
      const t2 = performance.now();
      const values = await this.simulate(run, m, job.workers, job.rowCost ?? 1);
      if (stopped() || !values) return;
      run.timings.simulateMs = performance.now() - t2;
      await run.closeRunner();
      const t3 = performance.now();
      const summary = await job.summarize(m, values);
      run.timings.summaryMs = performance.now() - t3;
      if (stopped()) return;
      run.summary = summary;
      run.finish('done', { type: 'done', data: { summary } });
    } catch (err) {
      if (!stopped()) run.finish('error', { type: 'error', data: { error: message(err) } });
    } finally {
      await run.closeRunner();
      run.listeners.clear();
    }
  }

  /** All chunks on the run's pool, at most two per thread in flight; undefined once cancelled. */
  private async simulate(
    run: Run,
    m: SweepManifest,
    threads: number,
    rowCost: number,
  ): Promise<ColumnValues[] | undefined> {
    const runner = run.runner!;
    const key = planKey(m);
    const size = chunkSize(m.patients, threads, rowCost);
    const n = Math.ceil(m.patients / size);
    const parts: ColumnValues[][] = new Array(n);
    let next = 0;
    let failure: { err: unknown } | undefined;
    run.emit({ type: 'progress', data: { done: 0, total: run.total } });
    const lane = async (): Promise<void> => {
      while (next < n && run.status === 'running' && !failure) {
        const i = next++;
        const start = i * size;
        const end = Math.min(m.patients, start + size);
        try {
          parts[i] = (await runner.run({ manifest: m, key, start, end })).values;
        } catch (err) {
          failure ??= { err };
          return;
        }
        if (run.status !== 'running') return;
        run.done += end - start;
        run.emit({ type: 'progress', data: { done: run.done, total: run.total } });
      }
    };
    await Promise.all(Array.from({ length: Math.min(n, 2 * Math.max(1, threads)) }, lane));
    if (run.status !== 'running') return undefined;
    if (failure) throw failure.err;
    return concatColumns(m.outputSchema, parts);
  }
}

/** @deprecated name of Runs (the runs were cohorts only). */
export const CohortRuns = Runs;
export type CohortRuns = Runs;
