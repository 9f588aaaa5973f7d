/**
 * The engine in a real browser (issue #10): scripts/build-web.ts bundles it, a tiny static server serves the
 * bundle, headless Chromium (Debian package `chromium`, driven by playwright-core) runs the default scenario in a
 * module Web Worker, and the numbers must equal Node's. Skips with a note when Chromium is missing locally;
 * with CI=true a missing Chromium is a failure (as in test/report/browser.test.ts).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, normalize } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWeb, webDataTexts } from '../../scripts/build-web.js';
import { type PlotData, prepareEngine } from '../../src/web/engine.js';

const CHROMIUM = process.env.EXONICHE_CHROMIUM ?? '/usr/bin/chromium';
const HAVE = existsSync(CHROMIUM);
const CI = process.env.CI === 'true';
const SKIP = !HAVE;
const SKIP_NOTE = `skipped: no Chromium at ${CHROMIUM} (apt-get install chromium, or set EXONICHE_CHROMIUM)`;
if (SKIP && !CI) console.warn(`web browser test ${SKIP_NOTE}`);

const PAGE = `<!doctype html><meta charset="utf-8"><title>exoniche web engine</title>
<script type="module">
const worker = new Worker('./worker.js', { type: 'module' });
let next = 0;
const pending = new Map();
worker.onmessage = (e) => { const p = pending.get(e.data.id); pending.delete(e.data.id); p(e.data); };
worker.onerror = (e) => { window.workerError = String(e.message); };
window.ask = (scenario, overrides) => new Promise((resolve) => {
  const id = next++;
  const t0 = performance.now();
  pending.set(id, (reply) => resolve({ ...reply, roundTripMs: performance.now() - t0 }));
  worker.postMessage({ id, scenario, overrides });
});
</script>`;

/** What the page hands back: plain arrays (typed arrays do not cross page.evaluate). */
interface Reply {
  ok: boolean;
  error?: string;
  roundTripMs: number;
  totalMs: number;
  compiled: number;
  time: number[];
  bcrAbl: number[];
  milestones: { month: number; bcrAblIS?: number; category: string }[];
  parameterHash: string;
}

describe.skipIf(SKIP)('web engine in headless Chromium (Web Worker)', () => {
  let dir = '';
  let server: Server | undefined;
  let browser: Browser | undefined;
  let base = '';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'exoniche-web-'));
    await buildWeb({ outdir: dir });
    server = createServer((req, res) => {
      const name = normalize(decodeURIComponent((req.url ?? '/').split('?')[0])).replace(/^\/+/, '');
      if (name === '' || name === 'index.html') {
        res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
        return;
      }
      const path = join(dir, name);
      if (!path.startsWith(dir) || !existsSync(path)) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(readFileSync(path));
    });
    await new Promise<void>((ok) => server!.listen(0, '127.0.0.1', ok));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((ok) => (server ? server.close(() => ok()) : ok()));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it.runIf(CI && !HAVE)('Chromium is installed (CI=true)', () => {
    throw new Error(
      `CI=true but Chromium is missing at ${CHROMIUM}: CI must install it (apt-get install chromium)`,
    );
  });

  it('runs the default scenario in a Worker with the numbers of Node', async () => {
    const page = await browser!.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(base);
    const ask = (overrides?: Record<string, number>) =>
      page.evaluate(async (o) => {
        const w = globalThis as unknown as {
          ask: (
            s: undefined,
            o?: Record<string, number>,
          ) => Promise<{
            ok: boolean;
            error?: string;
            roundTripMs: number;
            data?: PlotData;
          }>;
        };
        const r = await w.ask(undefined, o);
        const d = r.data;
        return {
          ok: r.ok,
          ...(r.error ? { error: r.error } : {}),
          roundTripMs: r.roundTripMs,
          totalMs: d?.timings.totalMs ?? Number.NaN,
          compiled: d?.timings.compiled ?? -1,
          time: d ? Array.from(d.time) : [],
          bcrAbl: d ? Array.from(d.series.find((x) => x.id === 'bcr_abl_is')!.values) : [],
          milestones: d ? d.summary.milestones.map((m) => ({ ...m })) : [],
          parameterHash: d?.parameterHash ?? '',
        } satisfies Reply;
      }, overrides);
    const node = prepareEngine(webDataTexts()).run();
    const sliderValue = node.parameters.find((p) => p.id === 'E_ref')!.value * 1.001;
    const first = await ask();
    expect(first.error).toBeUndefined();
    expect(first.ok).toBe(true);
    const reruns: Reply[] = [];
    for (let k = 0; k < 3; k++) reruns.push(await ask());
    const sliders: Reply[] = [];
    for (let k = 1; k <= 5; k++) sliders.push(await ask({ E_ref: sliderValue * (1 + 0.001 * k) }));
    await page.close();
    expect(problems).toEqual([]);

    const nodeBcr = node.series.find((x) => x.id === 'bcr_abl_is')!.values;
    expect(first.time).toEqual(Array.from(node.time));
    expect(first.bcrAbl.length).toBe(nodeBcr.length);
    for (let i = 0; i < nodeBcr.length; i++)
      expect(Math.abs(first.bcrAbl[i] - nodeBcr[i])).toBeLessThanOrEqual(1e-9 * Math.abs(nodeBcr[i]));
    // Same code, another V8 build: last-bit differences in Math functions are allowed (1e-9 relative).
    expect(first.milestones.map((m) => m.category)).toEqual(node.summary.milestones.map((m) => m.category));
    first.milestones.forEach((m, k) => {
      const want = node.summary.milestones[k].bcrAblIS!;
      expect(Math.abs(m.bcrAblIS! - want)).toBeLessThanOrEqual(1e-9 * want);
    });
    expect(first.parameterHash).toBe(node.parameterHash);
    for (const r of reruns) {
      expect(r.compiled).toBe(0);
      expect(r.bcrAbl).toEqual(first.bcrAbl);
    }
    // A slider step: new parameter values, the same structure, nothing compiled.
    for (const slider of sliders) {
      expect(slider.ok).toBe(true);
      expect(slider.compiled).toBe(0);
      expect(slider.bcrAbl).not.toEqual(first.bcrAbl);
    }
    const mid = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    console.log(
      `web engine in Chromium: first run ${first.roundTripMs.toFixed(0)} ms round trip (engine ${first.totalMs.toFixed(0)} ms); ` +
        `re-run median ${mid(reruns.map((r) => r.roundTripMs)).toFixed(0)} ms round trip (engine ${mid(reruns.map((r) => r.totalMs)).toFixed(0)} ms); ` +
        `slider steps median ${mid(sliders.map((r) => r.roundTripMs)).toFixed(0)} ms round trip (engine ${mid(sliders.map((r) => r.totalMs)).toFixed(0)} ms)`,
    );
  }, 120_000);
});
