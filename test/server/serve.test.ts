/**
 * `exoniche serve` as a user runs it (a child process): the URL on stdout, the warning for a non-loopback host,
 * the API answering another process (the POST latency measured across processes), a clean stop on SIGTERM while
 * a cohort runs, a clear message for a port in use and for a missing dist-web/index.html; and the browser opener,
 * which uses xdg-open only when it exists.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findExecutable, openBrowser } from '../../src/cli/commands/serve.js';
import { isLoopbackHost } from '../../src/server/index.js';
import { runCliInProcess } from '../support/cli.js';
import { TSX_IMPORT } from '../support/run-cli.js';
import { postJson } from './helpers.js';

const ROOT = resolve(import.meta.dirname, '../..');

interface Proc {
  readonly child: ChildProcess;
  stdout: string;
  stderr: string;
  readonly exited: Promise<number | null>;
}

/** `exoniche serve ARGS` in a child process, from source. */
function serve(args: readonly string[]): Proc {
  const child = spawn(
    process.execPath,
    ['--import', TSX_IMPORT, resolve(ROOT, 'src/cli/entry.ts'), 'serve', ...args],
    { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } },
  );
  const p: Proc = {
    child,
    stdout: '',
    stderr: '',
    exited: new Promise((ok) => child.on('exit', (code) => ok(code))),
  };
  child.stdout?.on('data', (d: Buffer) => {
    p.stdout += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    p.stderr += d.toString();
  });
  return p;
}

async function waitFor(p: Proc, pattern: RegExp, ms = 30_000): Promise<RegExpExecArray> {
  const t0 = Date.now();
  for (;;) {
    const m = pattern.exec(p.stdout);
    if (m) return m;
    if (p.child.exitCode !== null || Date.now() - t0 > ms)
      throw new Error(`no ${pattern} (exit ${p.child.exitCode}); stdout: ${p.stdout}\nstderr: ${p.stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('exoniche serve', () => {
  it('serves, warns off loopback, answers another process, stops cleanly on SIGTERM during a cohort', async () => {
    const web = mkdtempSync(join(tmpdir(), 'exoniche-serve-web-'));
    writeFileSync(join(web, 'index.html'), '<!doctype html><title>dash</title>');
    const tStart = performance.now();
    const p = serve(['--port', '0', '--host', '0.0.0.0', '--no-open', '--root', web]);
    try {
      const url = (await waitFor(p, /exoniche dashboard: (http:\/\/127\.0\.0\.1:\d+\/)/))[1];
      const startMs = performance.now() - tStart;
      // the same port again, in this process: a clear usage error, and the missing app is named
      const port = new URL(url).port;
      const busy = await runCliInProcess([
        'serve',
        '--port',
        port,
        '--host',
        '0.0.0.0',
        '--no-open',
        '--root',
        join(web, 'no'),
      ]);
      expect(busy.code).toBe(64);
      expect(busy.stderr).toMatch(new RegExp(`port ${port} on 0\\.0\\.0\\.0 is in use`));
      expect(busy.stderr).toMatch(/index\.html is missing: build the app with `npm run build:web`/);
      expect(busy.stdout).toBe('');

      expect(p.stderr).toMatch(/warning: listening on 0\.0\.0\.0, not on loopback/);
      expect(p.stderr).not.toMatch(/index\.html is missing/);
      const health = await fetch(new URL('/api/health', url));
      expect(health.status).toBe(200);
      expect(await (await fetch(url)).text()).toContain('<title>dash</title>');

      const scenario =
        'name: s\ndurationMonths: 72\ntherapy:\n  schedule:\n    - drug: imatinib\n      doseMg: 400\n';
      await postJson(new URL('/api/scenario/validate', url).href, { scenario }); // warm
      const t0 = performance.now();
      const res = await postJson(new URL('/api/cohorts', url).href, { scenario, patients: 500, workers: 1 });
      const postMs = performance.now() - t0;
      expect(res.status).toBe(202);
      const { id } = (await res.json()) as { id: string };
      const state = (await (await fetch(new URL(`/api/cohorts/${id}`, url))).json()) as { status: string };
      expect(state.status).toBe('running');

      const t1 = performance.now();
      p.child.kill('SIGTERM');
      expect(await p.exited).toBe(0);
      const stopMs = performance.now() - t1;
      expect(p.stdout).toMatch(/SIGTERM: cancelling cohort runs and stopping the server\nstopped\n$/);
      expect(stopMs).toBeLessThan(10_000);
      await expect(fetch(new URL('/api/health', url))).rejects.toThrow();
      console.log(
        `serve: listening ${startMs.toFixed(0)} ms after spawn (tsx); POST /api/cohorts from another process ` +
          `answered in ${postMs.toFixed(1)} ms; SIGTERM with a cohort running -> exit 0 in ${stopMs.toFixed(0)} ms`,
      );
    } finally {
      if (p.child.exitCode === null) p.child.kill('SIGKILL');
    }
  });

  it('opens the browser with xdg-open only if there is one; never fails without', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'exoniche-nopath-'));
    expect(findExecutable('xdg-open', empty)).toBeUndefined();
    expect(findExecutable('xdg-open', '')).toBeUndefined();
    expect(openBrowser('http://127.0.0.1:1/', empty)).toBe(false);
    if (process.platform === 'darwin' || process.platform === 'win32') return;
    const bin = mkdtempSync(join(tmpdir(), 'exoniche-fakebin-'));
    const log = join(bin, 'opened.txt');
    writeFileSync(join(bin, 'xdg-open'), `#!/bin/sh\necho "$1" > '${log}'\n`);
    chmodSync(join(bin, 'xdg-open'), 0o755);
    expect(findExecutable('xdg-open', `${empty}:${bin}`)).toBe(join(bin, 'xdg-open'));
    expect(openBrowser('http://127.0.0.1:8737/', `${empty}:${bin}`)).toBe(true);
    for (let i = 0; i < 100; i++) {
      try {
        if (readFileSync(log, 'utf8').trim() !== '') break;
      } catch {
        // not yet written
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(readFileSync(log, 'utf8').trim()).toBe('http://127.0.0.1:8737/');
  });

  it('knows loopback addresses', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', 'LOCALHOST', '::1', '[::1]', '::ffff:127.0.0.1'])
      expect(isLoopbackHost(h), h).toBe(true);
    for (const h of [
      '0.0.0.0',
      '::',
      '192.168.1.10',
      '10.0.0.1',
      'example.com',
      '128.0.0.1',
      'localhost.evil.com',
    ])
      expect(isLoopbackHost(h), h).toBe(false);
  });
});
