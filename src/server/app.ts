/**
 * The dashboard's HTTP routes (Hono): health, scenario validation, cohort runs and sensitivity studies with
 * server-sent progress (sensitivity.ts, runs.ts), and the app's static files. Every request body is read by readJsonBody (content type, size, UTF-8, JSON, zod schema)
 * and every scenario by parseScenarioText, the parser of the CLI; anything a client can send ends in a 4xx with
 * `{ error, issues? }`, and a bug in a handler in a 500 with the same shape, never in a dead server.
 */
import { availableParallelism } from 'node:os';
import type { HttpBindings } from '@hono/node-server';
import { Hono } from 'hono';
import { z } from 'zod';
import type { KnowledgeBase } from '../knowledge/index.js';
import { parseScenarioText, ScenarioError } from '../scenario/parse.js';
import type { Scenario } from '../scenario/schema.js';
import { VERSION } from '../version.js';
import { type ApiIssue, HttpError, readJsonBody } from './errors.js';
import { hostOfHeader, isLoopbackHost } from './host.js';
import { type RunEvent, type Runs, TooManyRunsError } from './runs.js';
import {
  checkLimits,
  planSensitivity,
  type SensitivityLimits,
  sensitivityBody,
  sensitivityRequest,
  sensitivityRunJob,
  studyChoices,
  studySize,
} from './sensitivity.js';
import { readStatic } from './static.js';

/** The name scenarios from requests carry in diagnostics (`<scenario>:3:5: error: ...`). */
export const REQUEST_SCENARIO_FILE = '<scenario>';

/** Seconds between SSE comments that keep idle connections (and proxies) open. */
const HEARTBEAT_MS = 15_000;

const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface AppOptions {
  readonly kb: KnowledgeBase;
  readonly runs: Runs;
  /** Real path of the static root (may not exist: the API still works, pages are 404). */
  readonly root: string;
  readonly maxBodyBytes: number;
  readonly maxPatients: number;
  /** Sensitivity studies: design points, simulations (points x patients per point), cohort per point. */
  readonly study: SensitivityLimits;
  /** Bound to loopback: refuse Host headers that do not name a loopback address. */
  readonly loopbackOnly: boolean;
}

/** A seed as the CLI's --seed takes it: a non-negative integer below 2^64, as a decimal string. */
const Seed = z
  .string()
  .trim()
  .regex(/^\d{1,20}$/, 'expected a non-negative integer (decimal string)')
  .refine((s) => !/^\d+$/.test(s) || BigInt(s) < 2n ** 64n, 'expected a seed below 2^64')
  .transform((s) => (/^\d+$/.test(s) ? BigInt(s).toString() : s));

const ValidateBody = z.strictObject({ scenario: z.string() });

function cohortBody(maxPatients: number) {
  return z.strictObject({
    scenario: z.string(),
    patients: z.int().min(1).max(maxPatients),
    seed: Seed.optional(),
    workers: z.int().min(1).max(1024).optional(),
  });
}

/** Parse a scenario from a request: 400 with one issue per diagnostic (line, column, field path). */
function parseRequestScenario(text: string, kb: KnowledgeBase): Scenario {
  try {
    return parseScenarioText(text, REQUEST_SCENARIO_FILE, kb);
  } catch (err) {
    if (!(err instanceof ScenarioError)) throw err;
    const issues: ApiIssue[] = err.diagnostics.map((d) => ({
      path: d.path,
      line: d.line,
      column: d.column,
      message: d.message,
    }));
    throw new HttpError(
      400,
      `invalid scenario: ${issues.length} problem${issues.length === 1 ? '' : 's'}`,
      issues,
    );
  }
}

/**
 * Settles once the response of this request is on the wire (node:http 'finish' or 'close'), so that work which
 * blocks this thread (planning a cohort) starts after the client has its answer; at once without node bindings.
 */
function responseWritten(env: unknown): Promise<void> {
  const out = (env as Partial<HttpBindings> | undefined)?.outgoing;
  if (!out || typeof out.once !== 'function') return Promise.resolve();
  return new Promise((ok) => {
    out.once('finish', ok);
    out.once('close', ok);
  });
}

/**
 * Threads for a cohort when the request does not say: each thread first loads the knowledge base and compiles the
 * model (about a second), which small cohorts do not win back, so one thread per 50 patients, up to all cores.
 */
export function defaultThreads(patients: number, cores: number = availableParallelism()): number {
  return Math.max(1, Math.min(cores, Math.ceil(patients / 50)));
}

/** One server-sent event. */
function sseText(e: RunEvent): string {
  return `event: ${e.type}\ndata: ${JSON.stringify(e.data)}\n\n`;
}

export function createApp(o: AppOptions): { app: Hono; closeStreams(): void } {
  const app = new Hono();
  const streams = new Set<() => void>();
  const CohortBody = cohortBody(o.maxPatients);
  const SensitivityBody = sensitivityBody(o.study);

  app.onError((err, c) => {
    if (err instanceof HttpError) return c.json(err.body(), err.status);
    process.stderr.write(`exoniche serve: internal error: ${err?.stack ?? String(err)}\n`);
    return c.json({ error: `internal error: ${err.message}` }, 500);
  });

  // DNS rebinding: bound to loopback, only loopback names may address us
  app.use('*', async (c, next) => {
    if (o.loopbackOnly) {
      const host = c.req.header('host');
      if (host !== undefined && !isLoopbackHost(hostOfHeader(host)))
        throw new HttpError(
          403,
          `Host '${host}' refused: the dashboard server answers loopback addresses only`,
        );
    }
    await next();
    c.header('X-Content-Type-Options', 'nosniff');
  });

  app.get('/api/health', (c) => c.json({ version: VERSION }));

  app.post('/api/scenario/validate', async (c) => {
    const body = await readJsonBody(c.req.raw, ValidateBody, o.maxBodyBytes);
    parseRequestScenario(body.scenario, o.kb);
    return c.json({ ok: true as const });
  });

  app.post('/api/cohorts', async (c) => {
    const body = await readJsonBody(c.req.raw, CohortBody, o.maxBodyBytes);
    parseRequestScenario(body.scenario, o.kb);
    const cores = availableParallelism();
    let id: string;
    try {
      id = o.runs.start(
        {
          scenarioText: body.scenario,
          patients: body.patients,
          ...(body.seed !== undefined ? { seed: body.seed } : {}),
          workers: Math.min(body.workers ?? defaultThreads(body.patients), cores),
        },
        responseWritten(c.env),
      );
    } catch (err) {
      if (err instanceof TooManyRunsError) {
        c.header('Retry-After', '5');
        throw new HttpError(429, err.message);
      }
      throw err;
    }
    c.header('Location', `/api/cohorts/${id}`);
    return c.json({ id }, 202);
  });

  app.post('/api/sensitivity/factors', async (c) => {
    const body = await readJsonBody(c.req.raw, ValidateBody, o.maxBodyBytes);
    return c.json(studyChoices(parseRequestScenario(body.scenario, o.kb), o.kb));
  });

  // Planned in the request (about a second: knowledge base, model): an unknown factor or output is a 400 here.
  app.post('/api/sensitivity', async (c) => {
    const body = await readJsonBody(c.req.raw, SensitivityBody, o.maxBodyBytes);
    parseRequestScenario(body.scenario, o.kb);
    const req = sensitivityRequest(body);
    checkLimits(req, o.study);
    let id: string;
    try {
      o.runs.checkCapacity();
      const tPlan = performance.now();
      const m = await planSensitivity(body, req);
      const plannedMs = performance.now() - tPlan;
      // simulations, not design points, set the default threads (a cohort study's point is many patients)
      const threads = defaultThreads(studySize(req).simulations);
      const workers = Math.min(body.workers ?? threads, availableParallelism());
      id = o.runs.startJob(sensitivityRunJob(m, workers, plannedMs), responseWritten(c.env));
    } catch (err) {
      if (err instanceof TooManyRunsError) {
        c.header('Retry-After', '5');
        throw new HttpError(429, err.message);
      }
      throw err;
    }
    c.header('Location', `/api/runs/${id}`);
    return c.json({ id }, 202);
  });

  const knownId = (id: string, what: string): string => {
    if (!ID.test(id) || o.runs.get(id) === undefined) throw new HttpError(404, `no ${what} '${id}'`);
    return id;
  };

  const events = (id: string): Response => {
    const encoder = new TextEncoder();
    let stop = () => {};
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        let open = true;
        let unsubscribe: (() => void) | undefined;
        const timer = setInterval(() => send(': keep-alive\n\n'), HEARTBEAT_MS);
        timer.unref();
        stop = () => {
          if (!open) return;
          open = false;
          clearInterval(timer);
          unsubscribe?.();
          streams.delete(stop);
          try {
            controller.close();
          } catch {
            // already closed by the client
          }
        };
        const send = (text: string) => {
          if (!open) return;
          try {
            controller.enqueue(encoder.encode(text));
          } catch {
            stop();
          }
        };
        streams.add(stop);
        send('retry: 2000\n\n');
        unsubscribe = o.runs.subscribe(id, (e) => {
          send(sseText(e));
          if (e.type !== 'progress') queueMicrotask(stop);
        });
        if (unsubscribe === undefined) stop();
      },
      cancel() {
        stop();
      },
    });
    return new Response(body, {
      headers: {
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-cache',
        'X-Accel-Buffering': 'no',
      },
    });
  };

  // /api/runs/... serves runs of every kind; /api/cohorts/... is the same for the cohort view (and older clients).
  for (const [prefix, what] of [
    ['/api/runs', 'run'],
    ['/api/cohorts', 'cohort run'],
  ] as const) {
    app.get(`${prefix}/:id/events`, (c) => events(knownId(c.req.param('id'), what)));
    app.get(`${prefix}/:id`, (c) => c.json(o.runs.get(knownId(c.req.param('id'), what))));
    app.delete(`${prefix}/:id`, async (c) => {
      await o.runs.cancel(knownId(c.req.param('id'), what));
      return c.body(null, 204);
    });
  }

  app.all('/api', () => {
    throw new HttpError(404, 'no such API route');
  });
  app.all('/api/*', (c) => {
    throw new HttpError(404, `no API route ${c.req.method} ${new URL(c.req.url).pathname}`);
  });

  app.on(['GET', 'HEAD'], '*', async (c) => {
    // the WHATWG-normalised, still percent-encoded path: readStatic decodes each segment itself
    const path = new URL(c.req.url).pathname;
    const r = await readStatic(o.root, path === '/' ? '/index.html' : path);
    if (!r.ok) {
      const missingApp = path === '/' || path === '/index.html';
      return c.text(
        missingApp
          ? 'The dashboard app is not built: run `npm run build:web`, then reload (the API under /api/ works).\n'
          : 'not found\n',
        404,
      );
    }
    const headers = { 'Content-Type': r.type, 'Cache-Control': 'no-cache' };
    if (c.req.method === 'HEAD') return c.body(null, 200, headers);
    return c.body(new Uint8Array(r.body), 200, headers);
  });

  app.all('*', (c) => c.text(`method ${c.req.method} not allowed here\n`, 405));

  return {
    app,
    closeStreams() {
      for (const s of [...streams]) s();
    },
  };
}
