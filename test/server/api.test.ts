/**
 * The dashboard API's request handling (docs/dashboard.md): every malformed, oversized or mistyped request is a
 * 4xx with `{ error, issues? }` and the server keeps answering. Cohort runs here use a pool stand-in whose chunks
 * never finish (the real pool is exercised in cohort.test.ts and cancel.test.ts).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KnowledgeBase, loadKnowledgeBase } from '../../src/knowledge/index.js';
import { DEFAULT_SCENARIO } from '../../src/scenario/default.js';
import { defaultThreads } from '../../src/server/app.js';
import { type RunningServer, startServer } from '../../src/server/index.js';
import { blockingRunner, postJson, rawRequest } from './helpers.js';

const PKG_VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

const MAX_BODY = 4096;
const MAX_PATIENTS = 300;

let kb: KnowledgeBase;
let server: RunningServer;
let base: string;
const runners: ReturnType<typeof blockingRunner>[] = [];

beforeAll(async () => {
  kb = loadKnowledgeBase();
  server = await startServer({
    kb,
    root: '/nonexistent/exoniche-dist-web',
    maxBodyBytes: MAX_BODY,
    maxPatients: MAX_PATIENTS,
    maxRuns: 1,
    createRunner: async () => {
      const r = blockingRunner();
      runners.push(r);
      return r;
    },
  });
  base = server.url;
});

afterAll(async () => {
  await server?.close();
});

async function expectError(res: Response, status: number, pattern: RegExp) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  const body = (await res.json()) as { error: string; issues?: unknown[] };
  expect(body.error).toMatch(pattern);
  return body;
}

const api = (path: string) => new URL(path, base).href;

describe('dashboard API: requests', () => {
  it('binds to 127.0.0.1 on a free port and reports the package version', async () => {
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const res = await fetch(api('/api/health'));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ version: PKG_VERSION });
  });

  it('validates scenarios with the CLI parser: ok, or issues with line, column and field path', async () => {
    const ok = await postJson(api('/api/scenario/validate'), { scenario: DEFAULT_SCENARIO });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ ok: true });

    const bad = `name: x\ndurationMonths: -3\ntherapy:\n  schedule:\n    - drug: imatinibb\n      doseMg: 400\nfoo: 1\n`;
    const body = await expectError(
      await postJson(api('/api/scenario/validate'), { scenario: bad }),
      400,
      /invalid scenario/,
    );
    const issues = body.issues as { path: string; line: number; column: number; message: string }[];
    const byPath = new Map(issues.map((i) => [i.path, i]));
    expect(byPath.get('durationMonths')).toMatchObject({ line: 2, column: 17 });
    expect(byPath.get('foo')).toMatchObject({ line: 7, column: 1 });
    expect(byPath.get('foo')?.message).toMatch(/unknown field 'foo'/);

    // YAML syntax: a position, no field
    const syntax = await expectError(
      await postJson(api('/api/scenario/validate'), { scenario: 'name: [x\n' }),
      400,
      /invalid scenario/,
    );
    expect((syntax.issues as { path: string; line: number }[])[0]).toMatchObject({ path: '' });
    expect((syntax.issues as { line: number }[])[0].line).toBeGreaterThanOrEqual(1);

    // a drug the knowledge base does not know (checked after the schema, as in the CLI)
    const drug = await expectError(
      await postJson(api('/api/scenario/validate'), {
        scenario: 'name: x\ntherapy:\n  schedule:\n    - drug: aspirin\n      doseMg: 100\n',
      }),
      400,
      /invalid scenario/,
    );
    expect((drug.issues as { path: string; line: number }[])[0]).toMatchObject({
      path: 'therapy.schedule[0].drug',
      line: 4,
    });
  });

  it('415 for anything but JSON, 400 for malformed JSON, bad UTF-8 and wrong fields', async () => {
    const url = api('/api/scenario/validate');
    await expectError(
      await fetch(url, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' }),
      415,
      /application\/json/,
    );
    await expectError(
      await fetch(url, { method: 'POST', body: new Uint8Array([123, 125]) }),
      415,
      /application\/json, got "none"/,
    );
    const post = (body: string | Uint8Array) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: body as NonNullable<RequestInit['body']>,
      });
    await expectError(await post('{"scenario": '), 400, /^malformed JSON/);
    await expectError(await post(''), 400, /^malformed JSON/);
    await expectError(await post(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])), 400, /not valid UTF-8/);
    const arr = await expectError(await post('[1,2]'), 400, /^invalid request/);
    expect(arr.issues).toHaveLength(1);
    const num = await expectError(await post('{"scenario": 3}'), 400, /scenario/);
    expect(num.issues).toEqual([{ path: 'scenario', message: expect.stringMatching(/string/) }]);
    const extra = await expectError(await post('{"scenario": "name: x", "evil": true}'), 400, /evil/);
    expect(extra.issues).toHaveLength(1);
  });

  it('413 for bodies over maxBodyBytes, by Content-Length and while reading a chunked body', async () => {
    const big = JSON.stringify({ scenario: `# ${'x'.repeat(MAX_BODY)}\nname: x\n` });
    const a = await postJson(api('/api/cohorts'), JSON.parse(big));
    await expectError(a, 413, new RegExp(`over the limit of ${MAX_BODY}`));

    // no Content-Length: the stream is counted as it arrives
    const bytes = new TextEncoder().encode(big);
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < bytes.length; i += 1000) c.enqueue(bytes.subarray(i, i + 1000));
        c.close();
      },
    });
    const b = await fetch(api('/api/scenario/validate'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    await expectError(b, 413, /over the limit/);

    // a lying Content-Length
    const r = await rawRequest(base, '/api/scenario/validate', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': 'abc' },
      body: '{}',
    });
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.status).toBeLessThan(500);
  });

  it('POST /api/cohorts: 400 for bad fields and invalid scenarios, with the offending field', async () => {
    const url = api('/api/cohorts');
    const cases: [Record<string, unknown>, string][] = [
      [{ scenario: DEFAULT_SCENARIO }, 'patients'],
      [{ scenario: DEFAULT_SCENARIO, patients: 0 }, 'patients'],
      [{ scenario: DEFAULT_SCENARIO, patients: 2.5 }, 'patients'],
      [{ scenario: DEFAULT_SCENARIO, patients: '20' }, 'patients'],
      [{ scenario: DEFAULT_SCENARIO, patients: MAX_PATIENTS + 1 }, 'patients'],
      [{ scenario: DEFAULT_SCENARIO, patients: 5, seed: 'abc' }, 'seed'],
      [{ scenario: DEFAULT_SCENARIO, patients: 5, seed: '-1' }, 'seed'],
      [{ scenario: DEFAULT_SCENARIO, patients: 5, seed: '18446744073709551616' }, 'seed'],
      [{ scenario: DEFAULT_SCENARIO, patients: 5, seed: 7 }, 'seed'],
      [{ scenario: DEFAULT_SCENARIO, patients: 5, workers: 0 }, 'workers'],
      [{ patients: 5 }, 'scenario'],
    ];
    for (const [body, field] of cases) {
      const res = await postJson(url, body);
      const e = await expectError(res, 400, /^invalid request/);
      expect(
        (e.issues as { path: string }[]).map((i) => i.path),
        JSON.stringify(body).slice(0, 80),
      ).toContain(field);
    }
    const sc = await expectError(
      await postJson(url, { scenario: 'name: x\nengine: odee\n', patients: 5 }),
      400,
      /invalid scenario/,
    );
    expect(sc.issues).toEqual([expect.objectContaining({ path: 'engine', line: 2 })]);
    expect(runners).toHaveLength(0);
  });

  it('unknown ids, routes and methods are 404 JSON under /api/', async () => {
    const unknown = '00000000-0000-4000-8000-000000000000';
    for (const path of [
      `/api/cohorts/${unknown}`,
      `/api/cohorts/${unknown}/events`,
      '/api/cohorts/not-an-id',
      '/api/cohorts/%2e%2e%2fhealth',
      `/api/cohorts/${unknown.toUpperCase()}`,
      '/api/nothing',
      '/api',
      '/api/cohorts',
    ])
      await expectError(await fetch(api(path)), 404, /./);
    await expectError(
      await fetch(api(`/api/cohorts/${unknown}`), { method: 'DELETE' }),
      404,
      /no cohort run/,
    );
    await expectError(await fetch(api('/api/health'), { method: 'POST' }), 404, /no API route POST/);
    await expectError(await fetch(api('/api/cohorts'), { method: 'PUT' }), 404, /no API route/);
  });

  it('one run at a time here (maxRuns 1): a second is a 429, cancel frees the slot and closes the pool', async () => {
    const url = api('/api/cohorts');
    // Large enough that it cannot finish before the DELETE below.
    const first = await postJson(url, { scenario: DEFAULT_SCENARIO, patients: MAX_PATIENTS, seed: '3' });
    expect(first.status).toBe(202);
    const { id } = (await first.json()) as { id: string };
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(first.headers.get('location')).toBe(`/api/cohorts/${id}`);

    const second = await postJson(url, { scenario: DEFAULT_SCENARIO, patients: 10 });
    const e = await expectError(second, 429, /at most 1/);
    expect(e.error).toMatch(/already running/);
    expect(second.headers.get('retry-after')).toBe('5');

    const state = (await (await fetch(api(`/api/cohorts/${id}`))).json()) as Record<string, unknown>;
    expect(state).toMatchObject({ id, status: 'running', total: MAX_PATIENTS });
    expect(state.done).toBeLessThan(MAX_PATIENTS);
    expect(state.summary).toBeUndefined();

    // wait until the pool exists and has chunks, then cancel
    for (let i = 0; i < 200 && (runners.length === 0 || runners[0].started === 0); i++)
      await new Promise((r) => setTimeout(r, 25));
    expect(runners).toHaveLength(1);
    expect(runners[0].started).toBeGreaterThan(0);
    const del = await fetch(api(`/api/cohorts/${id}`), { method: 'DELETE' });
    expect(del.status).toBe(204);
    expect(runners[0].closed).toBe(true);
    const after = (await (await fetch(api(`/api/cohorts/${id}`))).json()) as Record<string, unknown>;
    expect(after).toMatchObject({ id, status: 'cancelled', total: MAX_PATIENTS });
    expect(after.done).toBeLessThan(MAX_PATIENTS);
    // cancelling again is harmless
    expect((await fetch(api(`/api/cohorts/${id}`), { method: 'DELETE' })).status).toBe(204);

    const third = await postJson(url, { scenario: DEFAULT_SCENARIO, patients: 5 });
    expect(third.status).toBe(202);
    const id3 = ((await third.json()) as { id: string }).id;
    expect((await fetch(api(`/api/cohorts/${id3}`), { method: 'DELETE' })).status).toBe(204);
  });

  it('a cohort the runner refuses (engine ssa per patient) ends in status error with the reason', async () => {
    const res = await postJson(api('/api/cohorts'), {
      scenario: `${DEFAULT_SCENARIO.replace('engine: ode', 'engine: ssa')}`,
      patients: 3,
    });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    let state: { status: string; error?: string } = { status: 'running' };
    for (let i = 0; i < 400 && state.status === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 25));
      state = (await (await fetch(api(`/api/cohorts/${id}`))).json()) as typeof state;
    }
    expect(state.status).toBe('error');
    expect(state.error).toMatch(/'ssa' per patient is not supported/);
  });

  it('default threads: one per 50 patients, at least one, at most the cores', () => {
    expect([1, 20, 50, 51, 100, 101, 5000].map((n) => defaultThreads(n, 4))).toEqual([1, 1, 1, 2, 2, 3, 4]);
    expect(defaultThreads(5000, 1)).toBe(1);
  });

  it('refuses Host headers that are not loopback (DNS rebinding) and accepts localhost', async () => {
    const evil = await rawRequest(base, '/api/health', { headers: { host: 'attacker.example:80' } });
    expect(evil.status).toBe(403);
    expect(JSON.parse(evil.body).error).toMatch(/loopback/);
    const port = new URL(base).port;
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`]) {
      const ok = await rawRequest(base, '/api/health', { headers: { host } });
      expect(ok.status, host).toBe(200);
    }
  });

  it('without a built app, / is a 404 that says how to build it; the server still answers', async () => {
    const res = await fetch(api('/'));
    expect(res.status).toBe(404);
    expect(await res.text()).toMatch(/npm run build:web/);
    expect((await fetch(api('/api/health'))).status).toBe(200);
  });
});
