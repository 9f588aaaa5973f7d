/**
 * Error bodies of the dashboard API (`{ error, issues? }`, see docs/dashboard.md) and the reading of JSON request
 * bodies: the content type must be JSON (415 otherwise), the body at most `maxBytes` (413, checked on the
 * declared length and again while reading, so a chunked or lying request cannot get past it), UTF-8 and JSON (400),
 * and then the route's zod schema (400 with one issue per field).
 */
import type { z } from 'zod';

export interface ApiIssue {
  readonly path: string;
  readonly line?: number;
  readonly column?: number;
  readonly message: string;
}

export interface ApiErrorBody {
  readonly error: string;
  readonly issues?: readonly ApiIssue[];
}

/** A request the server refuses: an HTTP status and the JSON body to send. */
export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly status: 400 | 403 | 404 | 405 | 413 | 415 | 429 | 500 | 503,
    message: string,
    readonly issues?: readonly ApiIssue[],
  ) {
    super(message);
  }

  body(): ApiErrorBody {
    return { error: this.message, ...(this.issues ? { issues: this.issues } : {}) };
  }
}

/** `application/json` or `application/*+json`, with any parameters (charset=utf-8). */
export function isJsonType(contentType: string | undefined | null): boolean {
  if (!contentType) return false;
  const media = contentType.split(';')[0].trim().toLowerCase();
  return media === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(media);
}

/** Read the raw body, refusing more than `maxBytes` (413) without buffering the excess. */
async function readLimited(req: Request, maxBytes: number): Promise<Uint8Array> {
  const declared = req.headers.get('content-length');
  if (declared !== null) {
    const n = Number(declared);
    if (!Number.isSafeInteger(n) || n < 0) throw new HttpError(400, `bad Content-Length '${declared}'`);
    if (n > maxBytes) throw new HttpError(413, `request body of ${n} bytes is over the limit of ${maxBytes}`);
  }
  if (!req.body) return new Uint8Array(0);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    let r: Awaited<ReturnType<typeof reader.read>>;
    try {
      r = await reader.read();
    } catch {
      throw new HttpError(400, 'the request body could not be read (connection closed?)');
    }
    if (r.done) break;
    size += r.value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      throw new HttpError(413, `request body is over the limit of ${maxBytes} bytes`);
    }
    chunks.push(r.value);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/** zod issues as API issues (`path` in the dotted/bracket form the CLI prints). */
export function zodIssues(error: z.ZodError): ApiIssue[] {
  return error.issues.map((i) => ({
    path: i.path
      .map((p, k) => (typeof p === 'number' ? `[${p}]` : `${k > 0 ? '.' : ''}${String(p)}`))
      .join(''),
    message: i.message,
  }));
}

/** The JSON body of `req`, checked against `schema`; throws HttpError (415, 413, 400). */
export async function readJsonBody<T>(req: Request, schema: z.ZodType<T>, maxBytes: number): Promise<T> {
  if (!isJsonType(req.headers.get('content-type')))
    throw new HttpError(
      415,
      `expected Content-Type: application/json, got ${JSON.stringify(req.headers.get('content-type') ?? 'none')}`,
    );
  const bytes = await readLimited(req, maxBytes);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new HttpError(400, 'the request body is not valid UTF-8');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new HttpError(400, `malformed JSON: ${(err as Error).message}`);
  }
  const r = schema.safeParse(json);
  if (!r.success) {
    const issues = zodIssues(r.error);
    throw new HttpError(
      400,
      `invalid request: ${issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ')}`,
      issues,
    );
  }
  return r.data;
}
