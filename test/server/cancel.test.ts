/**
 * Cancelling cohort runs on the real worker pool: DELETE stops a running cohort (status and event `cancelled`, the
 * pool destroyed: its threads have exited, counted in /proc/self/status; no progress afterwards); two runs at once
 * by default, a third is a 429; closing the server cancels every run and destroys their pools.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadKnowledgeBase } from '../../src/knowledge/index.js';
import { DEFAULT_SCENARIO } from '../../src/scenario/default.js';
import { type RunningServer, startServer } from '../../src/server/index.js';
import { createChunkRunner } from '../../src/sweep/pool.js';
import { postJson, readEvents, type SseEvent } from './helpers.js';

interface PoolRecord {
  closed: boolean;
  tasks: number;
}

/** OS threads of this process (each worker thread is one). */
const osThreads = (): number =>
  Number(/^Threads:\s+(\d+)/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]);

let server: RunningServer;
const pools: PoolRecord[] = [];

beforeAll(async () => {
  server = await startServer({
    kb: loadKnowledgeBase(),
    createRunner: async (kind, workers) => {
      const real = await createChunkRunner(kind, workers);
      const rec: PoolRecord = { closed: false, tasks: 0 };
      pools.push(rec);
      return {
        threads: real.threads,
        run: (t) => {
          rec.tasks++;
          return real.run(t);
        },
        close: async () => {
          await real.close();
          rec.closed = true;
        },
      };
    },
  });
});

afterAll(async () => {
  await server?.close();
});

const url = (p: string) => new URL(p, server.url).href;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A cohort long enough that it is still running when cancelled (72 months, many patients). */
async function startBig(workers: number): Promise<string> {
  const res = await postJson(url('/api/cohorts'), { scenario: DEFAULT_SCENARIO, patients: 2000, workers });
  expect(res.status).toBe(202);
  return ((await res.json()) as { id: string }).id;
}

function expectDestroyed(rec: PoolRecord): void {
  expect(rec.closed).toBe(true);
  expect(rec.tasks).toBeGreaterThan(0);
}

describe('cancelling cohort runs', () => {
  it('DELETE stops a running cohort: event and status cancelled, pool destroyed, no progress after', async () => {
    const threads0 = osThreads();
    const id = await startBig(2);
    let deleteMs = -1;
    let deleteStatus = -1;
    let threadsRunning = -1;
    const { events } = await readEvents(url(`/api/cohorts/${id}/events`), async (e: SseEvent) => {
      // the first progress event comes when the pool is up and the chunks are queued
      if (e.event === 'progress' && deleteStatus < 0) {
        await sleep(500);
        threadsRunning = osThreads();
        const t0 = performance.now();
        deleteStatus = (await fetch(url(`/api/cohorts/${id}`), { method: 'DELETE' })).status;
        deleteMs = performance.now() - t0;
      }
    });
    expect(deleteStatus).toBe(204);
    expect(events.at(-1)?.event).toBe('cancelled');
    expect(events.at(-1)?.data).toEqual({});
    expect(events.filter((e) => e.event === 'done')).toHaveLength(0);

    const rec = pools.at(-1) as PoolRecord;
    expectDestroyed(rec);
    // the two worker threads were there while it ran, and are gone once DELETE has answered
    expect(threadsRunning).toBeGreaterThanOrEqual(threads0 + 2);
    expect(osThreads()).toBeLessThanOrEqual(threads0);
    const state = (await (await fetch(url(`/api/cohorts/${id}`))).json()) as Record<string, unknown>;
    expect(state).toMatchObject({ id, status: 'cancelled', total: 2000 });
    expect(state.done as number).toBeLessThan(2000);
    expect(state.summary).toBeUndefined();
    const tasks = rec.tasks;
    await sleep(300);
    const later = (await (await fetch(url(`/api/cohorts/${id}`))).json()) as Record<string, unknown>;
    expect(later.done).toBe(state.done);
    expect(rec.tasks).toBe(tasks);

    // a late client is told at once
    const late = await readEvents(url(`/api/cohorts/${id}/events`), undefined, 5000);
    expect(late.events.map((e) => e.event)).toEqual(['cancelled']);
    console.log(
      `DELETE /api/cohorts/:id (pool of 2 threads destroyed) answered in ${deleteMs.toFixed(0)} ms`,
    );
  });

  it('two runs at once; a third is a 429; closing the server cancels both and destroys their pools', async () => {
    const before = pools.length;
    const threads0 = osThreads();
    const a = await startBig(1);
    const b = await startBig(1);
    const third = await postJson(url('/api/cohorts'), { scenario: DEFAULT_SCENARIO, patients: 5 });
    expect(third.status).toBe(429);
    expect(((await third.json()) as { error: string }).error).toMatch(/2 cohort runs are already running/);

    const streams = [a, b].map((id) => readEvents(url(`/api/cohorts/${id}/events`)));
    for (let i = 0; i < 400 && pools.slice(before).filter((p) => p.tasks > 0).length < 2; i++)
      await sleep(50);
    const mine = pools.slice(before);
    expect(mine).toHaveLength(2);

    expect(osThreads()).toBeGreaterThanOrEqual(threads0 + 2);

    await server.close();
    for (const s of await Promise.all(streams)) expect(s.events.at(-1)?.event).toBe('cancelled');
    for (const rec of mine) expectDestroyed(rec);
    expect(osThreads()).toBeLessThanOrEqual(threads0);
    await expect(fetch(url('/api/health'))).rejects.toThrow();
  });
});
