/** Helpers of the server tests: raw HTTP requests (paths fetch would normalise) and a server-sent-event reader. */
import { request } from 'node:http';
import type { ChunkRunner } from '../../src/sweep/pool.js';

export interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** A request with the path sent byte for byte (no URL normalisation) and any headers, Host included. */
export function rawRequest(
  base: string,
  path: string,
  o: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<RawResponse> {
  const u = new URL(base);
  return new Promise((ok, fail) => {
    const req = request(
      { host: u.hostname, port: u.port, method: o.method ?? 'GET', path, headers: o.headers ?? {} },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          ok({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', fail);
      },
    );
    req.on('error', fail);
    if (o.body !== undefined) req.write(o.body);
    req.end();
  });
}

export interface SseEvent {
  readonly event: string;
  readonly data: unknown;
  /** ms since the reader started */
  readonly at: number;
}

/**
 * Read the event stream at `url` until it ends (the server closes it after a terminal event) or `timeoutMs`;
 * `onEvent` may act on each event as it comes (e.g. cancel the run).
 */
export async function readEvents(
  url: string,
  onEvent: (e: SseEvent) => void | Promise<void> = () => {},
  timeoutMs = 60_000,
): Promise<{ events: SseEvent[]; contentType: string | null; status: number }> {
  const t0 = performance.now();
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), timeoutMs);
  const res = await fetch(url, { signal: ctl.signal });
  const events: SseEvent[] = [];
  if (!res.body) return { events, contentType: res.headers.get('content-type'), status: res.status };
  const decoder = new TextDecoder();
  let buf = '';
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buf += decoder.decode(chunk, { stream: true });
      let i = buf.indexOf('\n\n');
      while (i >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        let event = 'message';
        const data: string[] = [];
        for (const line of block.split('\n')) {
          if (line.startsWith('event: ')) event = line.slice(7);
          else if (line.startsWith('data: ')) data.push(line.slice(6));
        }
        if (data.length > 0) {
          const e = { event, data: JSON.parse(data.join('\n')) as unknown, at: performance.now() - t0 };
          events.push(e);
          await onEvent(e);
        }
        i = buf.indexOf('\n\n');
      }
    }
  } finally {
    clearTimeout(timer);
  }
  return { events, contentType: res.headers.get('content-type'), status: res.status };
}

/** A pool stand-in whose chunks never finish: they wait until close(), which rejects them (as piscina's destroy). */
export function blockingRunner(): ChunkRunner & { closed: boolean; started: number } {
  const pending: ((err: Error) => void)[] = [];
  const r = {
    threads: 1,
    closed: false,
    started: 0,
    run: () =>
      new Promise<never>((_, reject) => {
        r.started++;
        if (r.closed) reject(new Error('destroyed'));
        else pending.push(reject);
      }),
    close: async () => {
      r.closed = true;
      for (const reject of pending.splice(0)) reject(new Error('destroyed'));
    },
  };
  return r;
}

/** JSON POST. */
export function postJson(url: string, body: unknown): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}
