/**
 * Static files of the dashboard: content types, index.html for / and directories, and no way out of the root
 * (dot-dot segments raw and percent-encoded, encoded slashes and backslashes, NUL, dotfiles, a symlink leading
 * outside), sent byte for byte with node:http because fetch would normalise the paths first.
 */
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadKnowledgeBase } from '../../src/knowledge/index.js';
import { type RunningServer, startServer } from '../../src/server/index.js';
import { safeSegments } from '../../src/server/static.js';
import { rawRequest } from './helpers.js';

const SECRET = 'TOP-SECRET-OUTSIDE-THE-ROOT';
let server: RunningServer;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'exoniche-static-'));
  const root = join(dir, 'root');
  mkdirSync(join(root, 'sub'), { recursive: true });
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>exoniche</title>');
  writeFileSync(join(root, 'app.js'), 'console.log(1);');
  writeFileSync(join(root, 'style.css'), 'body{}');
  writeFileSync(join(root, 'data.json'), '{"a":1}');
  writeFileSync(join(root, 'logo.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  writeFileSync(join(root, 'blob.bin'), Buffer.from([0, 1, 2]));
  writeFileSync(join(root, 'a b.txt'), 'spaced');
  writeFileSync(join(root, 'sub', 'index.html'), '<p>sub</p>');
  writeFileSync(join(root, '.env'), SECRET);
  writeFileSync(join(dir, 'secret.txt'), SECRET);
  writeFileSync(join(dir, 'package.json'), SECRET);
  symlinkSync(join(dir, 'secret.txt'), join(root, 'link.txt'));
  symlinkSync(dir, join(root, 'up'));
  server = await startServer({ root, kb: loadKnowledgeBase() });
});

afterAll(async () => {
  await server?.close();
});

describe('dashboard static files', () => {
  it('serves files with their content types, index.html for / and for folders', async () => {
    const cases: [string, number, RegExp, string][] = [
      ['/', 200, /^text\/html/, '<title>exoniche</title>'],
      ['/index.html', 200, /^text\/html/, '<title>exoniche</title>'],
      ['/app.js', 200, /^text\/javascript/, 'console.log(1);'],
      ['/style.css', 200, /^text\/css/, 'body{}'],
      ['/data.json', 200, /^application\/json/, '{"a":1}'],
      ['/logo.svg', 200, /^image\/svg\+xml/, '<svg'],
      ['/blob.bin', 200, /^application\/octet-stream/, ''],
      ['/a%20b.txt', 200, /^text\/plain/, 'spaced'],
      ['/sub/', 200, /^text\/html/, '<p>sub</p>'],
      ['/sub', 200, /^text\/html/, '<p>sub</p>'],
      ['/app.js?v=2', 200, /^text\/javascript/, 'console.log(1);'],
    ];
    for (const [path, status, type, text] of cases) {
      const r = await rawRequest(server.url, path);
      expect(r.status, path).toBe(status);
      expect(String(r.headers['content-type']), path).toMatch(type);
      expect(r.body, path).toContain(text);
      expect(r.headers['x-content-type-options']).toBe('nosniff');
    }
    const head = await rawRequest(server.url, '/app.js', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect((await rawRequest(server.url, '/nothing.js')).status).toBe(404);
    expect((await rawRequest(server.url, '/app.js', { method: 'POST' })).status).toBe(405);
  });

  it('never serves anything outside the root, however the path is spelled', async () => {
    const attacks = [
      '/../package.json',
      '/../secret.txt',
      '/../../../../etc/passwd',
      '/%2e%2e/secret.txt',
      '/%2E%2E/secret.txt',
      '/.%2e/secret.txt',
      '/..%2fsecret.txt',
      '/%2e%2e%2fsecret.txt',
      '/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
      '/sub/../../secret.txt',
      '/sub/%2e%2e/%2e%2e/secret.txt',
      '/..%5csecret.txt',
      '/%5c..%5csecret.txt',
      '/..\\secret.txt',
      '/%00',
      '/app.js%00.html',
      '/.env',
      '/%2eenv',
      '/link.txt',
      '/up/secret.txt',
      '/up/package.json',
      '/%',
      '/%zz',
      '//etc/passwd',
      `/${dir}/secret.txt`,
    ];
    for (const path of attacks) {
      const r = await rawRequest(server.url, path);
      expect(r.body, path).not.toContain(SECRET);
      expect(r.body, path).not.toMatch(/root:.*:0:0:/);
      expect([400, 404], `${path} -> ${r.status}`).toContain(r.status);
    }
    // the server is still there
    expect((await rawRequest(server.url, '/api/health')).status).toBe(200);
  });

  it('safeSegments: refuses dot segments, encoded separators, NUL and dotfiles before any file access', () => {
    expect(safeSegments('/a/b%20c/d.js')).toEqual(['a', 'b c', 'd.js']);
    expect(safeSegments('/')).toEqual([]);
    for (const p of [
      '/..',
      '/a/../b',
      '/%2e%2e',
      '/a%2fb',
      '/a%5cb',
      '/a%00',
      '/.git/config',
      '/%E0%A4%A',
      'x',
    ])
      expect(safeSegments(p), p).toBeUndefined();
  });
});
