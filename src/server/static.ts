/**
 * Static files of the dashboard app (dist-web/) with no way out of the root: the request path is split into
 * segments, each percent-decoded on its own, and a segment that decodes to '.' or '..', holds a slash, backslash or
 * NUL, or starts with a dot (hidden files) is refused before the file system is asked. The file's real path
 * (symlinks followed) must still lie inside the root's real path. A folder serves its index.html; anything else
 * missing is a 404.
 */
import { readFile, realpath, stat } from 'node:fs/promises';
import { extname, join, sep } from 'node:path';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.yaml': 'text/yaml; charset=utf-8',
  '.yml': 'text/yaml; charset=utf-8',
};

export function contentType(path: string): string {
  return TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

export type StaticResult =
  | { readonly ok: true; readonly path: string; readonly body: Buffer; readonly type: string }
  | { readonly ok: false; readonly status: 400 | 404; readonly message: string };

/**
 * The safe relative segments of a URL path, or undefined if the path tries to leave the root or hide something
 * (the caller answers 404 or 400 without touching the disk).
 */
export function safeSegments(urlPath: string): string[] | undefined {
  if (!urlPath.startsWith('/')) return undefined;
  const out: string[] = [];
  for (const raw of urlPath.slice(1).split('/')) {
    if (raw === '') continue;
    let s: string;
    try {
      s = decodeURIComponent(raw);
    } catch {
      return undefined;
    }
    if (s === '.' || s === '..' || s.startsWith('.') || /[/\\\0]/.test(s)) return undefined;
    out.push(s);
  }
  return out;
}

/** Resolve and read `urlPath` under `rootReal` (the real path of the root folder). */
export async function readStatic(rootReal: string, urlPath: string): Promise<StaticResult> {
  const segs = safeSegments(urlPath);
  if (!segs) return { ok: false, status: 404, message: 'not found' };
  let path = join(rootReal, ...segs);
  try {
    let st = await stat(path);
    if (st.isDirectory()) {
      path = join(path, 'index.html');
      st = await stat(path);
    }
    if (!st.isFile()) return { ok: false, status: 404, message: 'not found' };
    const real = await realpath(path);
    if (real !== rootReal && !real.startsWith(rootReal.endsWith(sep) ? rootReal : rootReal + sep))
      return { ok: false, status: 404, message: 'not found' };
    return { ok: true, path: real, body: await readFile(real), type: contentType(real) };
  } catch {
    return { ok: false, status: 404, message: 'not found' };
  }
}
