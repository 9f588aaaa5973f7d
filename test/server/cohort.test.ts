/**
 * A real cohort through the server (20 patients, 6 months, one worker thread): progress events, the final
 * summary, a late client getting the latest state first, and the summary equal to the one `exoniche cohort`
 * writes to summary.json for the same scenario, seed and patient count (run in this process, no threads).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { loadKnowledgeBase } from '../../src/knowledge/index.js';
import { type RunningServer, startServer } from '../../src/server/index.js';
import { createChunkRunner } from '../../src/sweep/pool.js';
import { postJson, readEvents, type SseEvent } from './helpers.js';

const SHORT = `name: short cohort
durationMonths: 6
therapy:
  schedule:
    - drug: imatinib
      doseMg: 400
monitoring:
  everyMonths: 3
`;
const PATIENTS = 20;
const SEED = '7';

let server: RunningServer;
const pools: { threads: number; closed: boolean }[] = [];

beforeAll(async () => {
  server = await startServer({
    kb: loadKnowledgeBase(),
    createRunner: async (kind, workers) => {
      const r = await createChunkRunner(kind, workers);
      const rec = { threads: r.threads, closed: false };
      pools.push(rec);
      return {
        threads: r.threads,
        run: (t) => r.run(t),
        close: async () => {
          await r.close();
          rec.closed = true;
        },
      };
    },
  });
});

afterAll(async () => {
  await server?.close();
});

/** `exoniche cohort` in this process, quiet; returns the summary.json it wrote. */
async function cliSummary(): Promise<unknown> {
  const dir = mkdtempSync(join(tmpdir(), 'exoniche-serve-cli-'));
  const file = join(dir, 'short.yaml');
  writeFileSync(file, SHORT);
  const out = join(dir, 'run');
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    const code = await main([
      'node',
      'exoniche',
      'cohort',
      file,
      '--patients',
      String(PATIENTS),
      '--seed',
      SEED,
      '--workers',
      '0',
      '--out',
      out,
      '--quiet',
    ]);
    expect(code).toBe(0);
  } finally {
    err.mockRestore();
  }
  return JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as unknown;
}

describe('a cohort run by the dashboard server', () => {
  it('streams progress to done and gives the same summary as exoniche cohort', async () => {
    // first request warms the route, zod and the scenario parser; the timed POST is then the steady state
    const cold0 = performance.now();
    await postJson(new URL('/api/scenario/validate', server.url).href, { scenario: SHORT });
    const coldMs = performance.now() - cold0;
    const t0 = performance.now();
    const res = await postJson(new URL('/api/cohorts', server.url).href, {
      scenario: SHORT,
      patients: PATIENTS,
      seed: SEED,
      workers: 1,
    });
    const postMs = performance.now() - t0;
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };

    const stream = await readEvents(new URL(`/api/cohorts/${id}/events`, server.url).href);
    const runMs = performance.now() - t0;
    expect(stream.status).toBe(200);
    expect(stream.contentType).toMatch(/^text\/event-stream/);
    const { events } = stream;
    const progress = events
      .filter((e) => e.event === 'progress')
      .map((e) => e.data as { done: number; total: number });
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(progress.every((p) => p.total === PATIENTS)).toBe(true);
    for (let i = 1; i < progress.length; i++)
      expect(progress[i].done).toBeGreaterThanOrEqual(progress[i - 1].done);
    expect(progress.at(-1)?.done).toBe(PATIENTS);
    const last = events.at(-1);
    expect(last?.event).toBe('done');
    const summary = ((last as SseEvent).data as { summary: { n: number; failed: number } }).summary;
    expect(summary.n).toBe(PATIENTS);
    expect(summary.failed).toBe(0);

    const state = (await (await fetch(new URL(`/api/cohorts/${id}`, server.url))).json()) as Record<
      string,
      unknown
    >;
    expect(state).toMatchObject({ id, status: 'done', done: PATIENTS, total: PATIENTS });
    expect(state.summary).toEqual(summary);
    const timings = state.timings as Record<string, number>;
    expect(timings.simulateMs).toBeGreaterThan(0);

    // a client connecting after the end gets the final state, and the stream ends
    const late = await readEvents(new URL(`/api/cohorts/${id}/events`, server.url).href, undefined, 10_000);
    expect(late.events.map((e) => e.event)).toEqual(['done']);
    expect((late.events[0].data as { summary: unknown }).summary).toEqual(summary);

    // the pool of the run was destroyed when the run ended; it had the threads asked for
    expect(pools).toEqual([{ threads: 1, closed: true }]);

    const cli = await cliSummary();
    expect(summary).toEqual(cli);
    console.log(
      `first request (validate, cold) ${coldMs.toFixed(0)} ms; POST /api/cohorts answered in ${postMs.toFixed(0)} ms; ` +
        `${PATIENTS} patients x 6 months on 1 thread: ` +
        `${runMs.toFixed(0)} ms to the done event (plan ${timings.planMs?.toFixed(0)} ms, pool ` +
        `${timings.poolMs?.toFixed(0)} ms, simulate ${timings.simulateMs?.toFixed(0)} ms, summary ` +
        `${timings.summaryMs?.toFixed(0)} ms)`,
    );
  });
});
