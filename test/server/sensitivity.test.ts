/**
 * Sensitivity studies through the server (POST /api/sensitivity, GET/DELETE /api/runs/:id, events): validation
 * refusals naming the field, a tiny Sobol' study (2 factors, N = 4 base samples, 16 design points, 6 months, one
 * worker thread) to `done` with indices equal to the ones `exoniche sensitivity --json` prints for the same inputs
 * (run in this process, no threads), and a study cancelled on the real pool (its pool destroyed, no `done`).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { loadKnowledgeBase } from '../../src/knowledge/index.js';
import { type RunningServer, startServer } from '../../src/server/index.js';
import { createChunkRunner } from '../../src/sweep/pool.js';
import { postJson, readEvents, type SseEvent } from './helpers.js';

const SHORT = `name: short study
durationMonths: 6
therapy:
  schedule:
    - drug: imatinib
      doseMg: 400
monitoring:
  everyMonths: 3
`;
const SEED = '3';

let server: RunningServer;
const pools: { kind: string; threads: number; closed: boolean }[] = [];

beforeAll(async () => {
  server = await startServer({
    kb: loadKnowledgeBase(),
    maxStudyPoints: 300,
    maxStudySimulations: 1000,
    createRunner: async (kind, workers) => {
      const r = await createChunkRunner(kind, workers);
      const rec = { kind, threads: r.threads, closed: false };
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

const url = (p: string) => new URL(p, server.url).href;

interface ErrorBody {
  error: string;
  issues?: { path: string; line?: number; message: string }[];
}

async function refused(body: unknown): Promise<{ status: number; body: ErrorBody }> {
  const r = await postJson(url('/api/sensitivity'), body);
  return { status: r.status, body: (await r.json()) as ErrorBody };
}

/** `exoniche sensitivity --json` in this process (no threads); returns the printed object. */
async function cliJson(args: string[]): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'exoniche-serve-sens-'));
  const file = join(dir, 'short.yaml');
  writeFileSync(file, SHORT);
  let out = '';
  const so = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  });
  const se = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    const code = await main(['node', 'exoniche', 'sensitivity', file, ...args, '--workers', '0', '--json']);
    expect(code).toBe(0);
  } finally {
    so.mockRestore();
    se.mockRestore();
  }
  return JSON.parse(out) as Record<string, unknown>;
}

describe('POST /api/sensitivity refuses bad requests with a 4xx naming the field', () => {
  it('checks the body shape, the method options and the limits before planning', async () => {
    const base = { scenario: SHORT, outputs: ['bcrAblM6'] };
    let r = await refused({ scenario: SHORT });
    expect(r.status).toBe(400);
    expect(r.body.issues?.[0]?.path).toBe('outputs');

    r = await refused({ ...base, factors: [{ name: 'pyx', lo: 0.01 }] });
    expect(r.status).toBe(400);
    expect(r.body.issues?.[0]?.path).toBe('factors[0]');

    r = await refused({ ...base, factors: [{ name: 'pyx', lo: 0.1, hi: 0.01 }] });
    expect(r.status).toBe(400);
    expect(r.body.issues?.[0]).toMatchObject({
      path: 'factors[0]',
      message: expect.stringMatching(/LO < HI/),
    });

    r = await refused({ ...base, factors: [{ name: 'pyx', lo: -1, hi: 1, log: true }] });
    expect(r.status).toBe(400);
    expect(r.body.issues?.[0]?.message).toMatch(/log range needs LO > 0/);

    r = await refused({ ...base, method: 'morris', samples: 8 });
    expect(r.status).toBe(400);
    expect(r.body.issues?.[0]?.path).toBe('samples');

    r = await refused({ ...base, samples: 1 });
    expect(r.status).toBe(400);
    expect(r.body.issues?.[0]?.path).toBe('samples');

    r = await refused({ ...base, extra: 1 });
    expect(r.status).toBe(400);

    // limits of this server: 300 design points, 1000 simulations
    r = await refused({ ...base, factors: [{ name: 'pyx' }, { name: 'pz' }], samples: 100 });
    expect(r.status).toBe(400);
    expect(r.body.issues?.[0]).toMatchObject({
      path: 'samples',
      message: expect.stringMatching(/400 design points .* 300/),
    });

    r = await refused({
      scenario: SHORT,
      outputs: ['bcrAblM6@median'],
      factors: [{ name: 'pyx' }, { name: 'pz' }],
      samples: 4,
      patients: 100,
    });
    expect(r.status).toBe(400);
    expect(r.body.issues?.[0]).toMatchObject({
      path: 'patients',
      message: expect.stringMatching(/1600 simulations/),
    });

    r = await refused({ ...base, scenario: 'name: x\nengine: warp\n' });
    expect(r.status).toBe(400);
    expect(r.body.issues?.[0]?.line).toBe(2);
  });

  it('refuses unknown factors and outputs, and sizes the design cannot take, after planning', async () => {
    const base = { scenario: SHORT, samples: 4 };
    let r = await refused({ ...base, outputs: ['bcrAblM6'], factors: [{ name: 'pyx' }, { name: 'pyxx' }] });
    expect(r.status).toBe(400);
    expect(r.body.issues?.[0]).toMatchObject({
      path: 'factors[1].name',
      message: expect.stringMatching(/^factor pyxx: not a parameter .*did you mean .*'pyx'/),
    });

    r = await refused({ ...base, outputs: ['bcrAblM6', 'bcrAbl13'], factors: [{ name: 'pyx' }] });
    expect(r.status).toBe(400);
    expect(r.body.issues?.[0]?.path).toBe('outputs[1]');

    r = await refused({
      ...base,
      outputs: ['bcrAblM6@median', 'bcrAblM6'],
      factors: [{ name: 'pyx' }],
      patients: 5,
    });
    expect(r.status).toBe(400);
    expect(r.body.issues?.[0]?.path).toBe('outputs');

    r = await refused({
      scenario: SHORT,
      outputs: ['bcrAblM6'],
      factors: [{ name: 'pyx' }],
      method: 'morris',
      trajectories: 3,
      levels: 3,
    });
    expect(r.status).toBe(400);
    expect(r.body.issues?.[0]?.path).toBe('levels');

    const notFound = await fetch(url('/api/runs/00000000-0000-4000-8000-000000000000'));
    expect(notFound.status).toBe(404);
  }, 30_000);
});

describe('POST /api/sensitivity/factors', () => {
  it('lists the Hähnel core first with the ranges the CLI would use, and the output columns', async () => {
    const r = await postJson(url('/api/sensitivity/factors'), { scenario: SHORT });
    expect(r.status).toBe(200);
    const c = (await r.json()) as {
      factors: { name: string; lo: number; hi: number; scale: string; source: string }[];
      defaults: string[];
      columns: string[];
    };
    expect(c.defaults).toEqual(['pyx', 'pxy', 'e_tki', 'pz', 'Kz']);
    expect(new Set(c.factors.slice(0, 5).map((f) => f.name))).toEqual(new Set(c.defaults));
    // pyx: min-max of the 21 Hähnel patients in the knowledge base (the CLI printed the same range)
    const kb = loadKnowledgeBase();
    const pyx = Array.from(
      { length: 21 },
      (_, k) => kb.parameter(`hahnel2020.patient${String(k + 1).padStart(2, '0')}.pyx`).value,
    );
    expect(c.factors.find((f) => f.name === 'pyx')).toMatchObject({
      lo: Math.min(...pyx),
      hi: Math.max(...pyx),
      scale: 'log',
    });
    expect(c.factors.length).toBeGreaterThan(5);
    expect(c.columns).toEqual(expect.arrayContaining(['bcrAblM12', 'timeMMR', 'tfrSuccess12']));
    const bad = await postJson(url('/api/sensitivity/factors'), { scenario: 'name: x\nengine: warp\n' });
    expect(bad.status).toBe(400);
  });
});

describe('a sensitivity study run by the dashboard server', () => {
  it('streams progress to done with the indices of exoniche sensitivity --json', async () => {
    const t0 = performance.now();
    const res = await postJson(url('/api/sensitivity'), {
      scenario: SHORT,
      factors: [{ name: 'pyx' }, { name: 'pz' }],
      outputs: ['bcrAblM6', 'log10(bcrAblM6)'],
      method: 'sobol',
      samples: 4,
      seed: SEED,
      workers: 1,
    });
    const postMs = performance.now() - t0;
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    expect(res.headers.get('location')).toBe(`/api/runs/${id}`);

    const { events } = await readEvents(url(`/api/runs/${id}/events`));
    const runMs = performance.now() - t0;
    const progress = events
      .filter((e) => e.event === 'progress')
      .map((e) => e.data as { done: number; total: number });
    expect(progress.every((p) => p.total === 16)).toBe(true);
    expect(progress.at(-1)?.done).toBe(16);
    const last = events.at(-1) as SseEvent;
    expect(last.event).toBe('done');
    const summary = (last.data as { summary: Record<string, unknown> }).summary;
    expect(summary).toMatchObject({
      kind: 'sensitivity',
      mode: 'typical',
      methodKind: 'sobol',
      designPoints: 16,
    });

    const state = (await (await fetch(url(`/api/runs/${id}`))).json()) as Record<string, unknown>;
    expect(state).toMatchObject({ id, kind: 'sensitivity', status: 'done', done: 16, total: 16 });
    expect(state.summary).toEqual(summary);
    expect(pools.filter((p) => p.kind === 'sensitivity')).toEqual([
      { kind: 'sensitivity', threads: 1, closed: true },
    ]);

    const cli = await cliJson([
      '--factor',
      'pyx',
      '--factor',
      'pz',
      '--output',
      'bcrAblM6',
      '--output',
      'log10(bcrAblM6)',
      '--samples',
      '4',
      '--seed',
      SEED,
    ]);
    for (const k of [
      'name',
      'mode',
      'method',
      'seed',
      'factors',
      'designPoints',
      'failedPoints',
      'failures',
      'outputs',
    ])
      expect(summary[k], k).toEqual(cli[k]);
    const outs = summary.outputs as {
      label: string;
      first: number[];
      total: number[];
      firstCI: number[][];
    }[];
    // real indices: finite, with intervals around them
    expect(outs.map((o) => o.label)).toEqual(['bcrAblM6', 'log10(bcrAblM6)']);
    for (const o of outs) {
      expect(o.first.every(Number.isFinite)).toBe(true);
      expect(o.total.every(Number.isFinite)).toBe(true);
      expect(o.firstCI.every(([a, b]) => a <= b)).toBe(true);
    }
    console.log(
      `POST /api/sensitivity (plans in the request) answered in ${postMs.toFixed(0)} ms; 16 design points x 6 months ` +
        `on 1 thread: ${runMs.toFixed(0)} ms to done; S1(pyx) on bcrAblM6 ${outs[0].first[0].toFixed(3)}`,
    );
  }, 60_000);

  it('cancels a running study: status and event cancelled, its pool destroyed', async () => {
    const res = await postJson(url('/api/sensitivity'), {
      scenario: SHORT,
      factors: [{ name: 'pyx' }, { name: 'pxy' }, { name: 'pz' }],
      outputs: ['bcrAblM6'],
      method: 'morris',
      trajectories: 60,
      workers: 1,
    });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    let cancelStatus = 0;
    const { events } = await readEvents(url(`/api/runs/${id}/events`), async (e) => {
      if (e.event === 'progress' && cancelStatus === 0) {
        cancelStatus = -1;
        cancelStatus = (await fetch(url(`/api/runs/${id}`), { method: 'DELETE' })).status;
      }
    });
    expect(cancelStatus).toBe(204);
    expect(events.at(-1)?.event).toBe('cancelled');
    expect(events.some((e) => e.event === 'done')).toBe(false);
    const state = (await (await fetch(url(`/api/runs/${id}`))).json()) as Record<string, unknown>;
    expect(state).toMatchObject({ id, kind: 'sensitivity', status: 'cancelled', total: 240 });
    expect(state.done as number).toBeLessThan(240);
    expect(pools.at(-1)).toMatchObject({ kind: 'sensitivity', closed: true });
    // the cohort routes serve the same runs
    const viaCohorts = await fetch(url(`/api/cohorts/${id}`));
    expect(viaCohorts.status).toBe(200);
  }, 30_000);
});
