/**
 * The dashboard end to end (issue #10) in headless Chromium (Debian's `chromium`, driven by playwright-core): build
 * dist-web in-process, serve it with the local server (src/server startServer), load the app, run the default
 * scenario and check that the plot holds data, move a slider (slider -> redraw time logged), switch an exosome
 * channel off on the crosstalk map and see the result change, get an inline error from the scenario form, open a
 * shareable link, run a virtual experiment, start and cancel a small cohort, run a tiny sensitivity study to its
 * bar chart, run a spatial preset in WebGL2 (pixels read back, time slider), and open the snapshot folder of a
 * small 3D spatial run written here with the library (z-slice slider, a bad file refused). With SCREENSHOTS=1 it saves a screenshot of each main view to docs/screenshots/. Skips with a note when Chromium is missing (a failure with
 * CI=true), like test/web/browser.test.ts.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWeb } from '../../scripts/build-web.js';

const CHROMIUM = process.env.EXONICHE_CHROMIUM ?? '/usr/bin/chromium';
const HAVE = existsSync(CHROMIUM);
const CI = process.env.CI === 'true';
const SHOTS = process.env.SCREENSHOTS === '1';
/** Slider steps measured (SLIDER_STEPS=20 for a steadier median). */
const STEPS = Math.max(1, Number(process.env.SLIDER_STEPS ?? 4));
const SHOT_DIR = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));
if (!HAVE && !CI) console.warn(`web e2e test skipped: no Chromium at ${CHROMIUM} (apt-get install chromium)`);

/** src/web/app/spatial.tsx SpatialProbe (restated: the app is type-checked with the DOM lib, this file is not). */
interface SpatialProbe {
  runs: number;
  frames: number;
  frame: number;
  time: number;
  draws: number;
  drawMs: number;
  workerMs: number;
  webgl2: boolean;
  loads: number;
  agents: number;
  layer: number;
  layers: number;
  agentsLoaded: number;
  voxels: number;
  decodeMs: number;
  loadError: string;
}

/** The WebGL2 calls the pixel read-back uses. */
interface GlRead {
  drawingBufferWidth: number;
  drawingBufferHeight: number;
  RGBA: number;
  UNSIGNED_BYTE: number;
  readPixels(x: number, y: number, w: number, h: number, f: number, t: number, px: Uint8Array): void;
}

interface Probe {
  runs: number;
  lastRun?: { name: string; bcrAblMax: number; bcrAblEnd: number; parameterHash: string; engineMs: number };
  redraws: { redrawMs: number; engineMs: number }[];
  error?: string;
}

const probe = (page: Page) =>
  page.evaluate(() => (globalThis as unknown as { __exoniche: Probe }).__exoniche);
const waitRuns = (page: Page, n: number) =>
  page.waitForFunction((k) => (globalThis as unknown as { __exoniche?: Probe }).__exoniche!.runs > k, n, {
    timeout: 90_000,
  });

/** A static server for dist-web when src/server is not there (then the cohort part is skipped). */
async function staticServer(root: string) {
  const types: Record<string, string> = {
    '.html': 'text/html',
    '.js': 'text/javascript',
    '.css': 'text/css',
  };
  const server = createServer((req, res) => {
    const name =
      normalize(decodeURIComponent((req.url ?? '/').split(/[?#]/)[0])).replace(/^\/+/, '') || 'index.html';
    const path = join(root, name);
    if (!path.startsWith(root) || !existsSync(path)) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
      return;
    }
    res
      .writeHead(200, { 'content-type': types[extname(path)] ?? 'application/octet-stream' })
      .end(readFileSync(path));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}

describe.skipIf(!HAVE)('dashboard end to end in headless Chromium', () => {
  let dir = '';
  let server: { url: string; close(): Promise<void> } | undefined;
  let withApi = false;
  let browser: Browser | undefined;
  let page: Page;
  const problems: string[] = [];

  const shot = async (name: string) => {
    if (!SHOTS) return;
    mkdirSync(SHOT_DIR, { recursive: true });
    await page.screenshot({ path: join(SHOT_DIR, `${name}.png`), fullPage: false });
  };
  const openTab = async (name: string) => {
    await page.getByRole('tab', { name }).click();
    await expect.poll(() => page.getByRole('tab', { name }).getAttribute('aria-selected')).toBe('true');
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'exoniche-e2e-'));
    await buildWeb({ outdir: dir });
    try {
      const { startServer } = await import('../../src/server/index.js');
      server = await startServer({ root: dir, port: 0 });
      withApi = true;
    } catch (e) {
      console.warn(
        `e2e: src/server not usable (${(e as Error).message}); static server, cohort part skipped`,
      );
      server = await staticServer(dir);
    }
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(server.url);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it.runIf(CI && !HAVE)('Chromium is installed (CI=true)', () => {
    throw new Error(`CI=true but Chromium is missing at ${CHROMIUM}`);
  });

  it('runs the default scenario at load and plots it; a slider re-runs and redraws', async () => {
    await waitRuns(page, 0);
    const first = await probe(page);
    expect(first.error).toBeUndefined();
    expect(first.lastRun!.name).toBe('default');
    expect(first.lastRun!.bcrAblMax).toBeGreaterThan(1);
    // The BCR-ABL plot is drawn (a uPlot canvas) with its export buttons, and the summary names the response.
    const bcr = page.locator('figure[data-plot="bcr-abl"]');
    await expect.poll(() => bcr.locator('canvas').count()).toBeGreaterThan(0);
    expect(await bcr.getByRole('button', { name: /as SVG/ }).count()).toBe(1);
    expect(await page.getByTestId('best-response').textContent()).toMatch(/^MR/);
    await expect.poll(() => page.locator('figure.plot').count()).toBe(6);

    // Slider steps: each one re-runs in the Worker and redraws.
    const slider = page.locator('[data-slider="e_tki"]');
    const step = Number(await slider.getAttribute('step'));
    const base = Number(await slider.inputValue());
    for (let k = 1; k <= STEPS; k++) {
      const n = (await probe(page)).redraws.length;
      await slider.fill(String(+(base + (((k - 1) % 50) + 1) * step).toPrecision(6)));
      await page.waitForFunction(
        (m) => (globalThis as unknown as { __exoniche: Probe }).__exoniche.redraws.length > m,
        n,
        { timeout: 60_000 },
      );
    }
    const after = await probe(page);
    expect(after.lastRun!.parameterHash).not.toBe(first.lastRun!.parameterHash);
    const ms = after.redraws.map((r) => r.redrawMs).sort((a, b) => a - b);
    const eng = after.redraws.map((r) => r.engineMs).sort((a, b) => a - b);
    console.log(
      `dashboard slider -> redraw in Chromium: median ${ms[Math.floor(ms.length / 2)].toFixed(0)} ms (engine ${eng[Math.floor(eng.length / 2)].toFixed(0)} ms) over ${ms.length} steps: ${ms.map((x) => x.toFixed(0)).join(', ')} ms`,
    );
    await page.locator('[data-slider="e_tki"]').fill(String(base));
    await waitRuns(page, after.runs);
    await shot('results');
  }, 240_000);

  it('tabs are keyboard-navigable', async () => {
    await page.getByRole('tab', { name: 'Results' }).focus();
    await page.keyboard.press('ArrowRight');
    await expect
      .poll(() => page.getByRole('tab', { name: 'Crosstalk map' }).getAttribute('aria-selected'))
      .toBe('true');
    expect(
      await page.evaluate(() =>
        (
          globalThis as unknown as {
            document: { activeElement: { getAttribute(n: string): string | null } | null };
          }
        ).document.activeElement?.getAttribute('role'),
      ),
    ).toBe('tab');
    await page.keyboard.press('ArrowLeft');
    await expect
      .poll(() => page.getByRole('tab', { name: 'Results' }).getAttribute('aria-selected'))
      .toBe('true');
  });

  it('switching an exosome channel off on the crosstalk map changes the result', async () => {
    await openTab('Crosstalk map');
    const edges = page.locator('svg.map g[role="button"]');
    expect(await edges.count()).toBeGreaterThanOrEqual(15);
    const edge = page.locator('g[data-channel="bmsc-cml-tki-protection"]');
    await edge.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => edge.getAttribute('aria-pressed')).toBe('true');
    const details = page.locator('aside.channel-details');
    expect(await details.textContent()).toContain('references');
    expect(await page.getByTestId('channel-cargo').textContent()).toBeTruthy();
    const before = await probe(page);
    const statusBefore = await page.getByTestId('map-status').textContent();
    await page.getByTestId('channel-switch').click();
    await waitRuns(page, before.runs);
    const after = await probe(page);
    expect(after.error).toBeUndefined();
    // Without the BMSC protection of LSCs, the TKI clears more: a different trajectory.
    expect(after.lastRun!.bcrAblEnd).not.toBe(before.lastRun!.bcrAblEnd);
    expect(after.lastRun!.parameterHash).not.toBe(before.lastRun!.parameterHash);
    await expect.poll(() => page.getByTestId('map-status').textContent()).not.toBe(statusBefore);
    await expect.poll(() => edge.getAttribute('class')).toContain('off');
    await shot('crosstalk-map');
    // Back on, for the next tests.
    await page.getByTestId('channel-switch').click();
    await waitRuns(page, after.runs);
  }, 180_000);

  it('the scenario form shows an inline error with the line; a shareable link restores the scenario', async () => {
    await openTab('Scenario');
    const dose = page.getByLabel('dose', { exact: true });
    await dose.fill('-5');
    const err = page.locator('.field.invalid .field-error');
    await expect.poll(() => err.count(), { timeout: 30_000 }).toBeGreaterThan(0);
    expect(await err.first().textContent()).toMatch(/line \d+: .*dose/);
    expect(await page.locator('#yaml-text').inputValue()).toContain('doseMg: -5');
    await shot('scenario-editor');
    await dose.fill('300');
    await expect.poll(() => err.count(), { timeout: 30_000 }).toBe(0);
    await expect
      .poll(() => (probe(page) as Promise<Probe>).then((p) => p.lastRun?.name), { timeout: 60_000 })
      .toBe('default');
    await page.getByRole('button', { name: 'Make a shareable link' }).click();
    await expect.poll(() => page.getByTestId('share-link').inputValue()).toMatch(/#s=/);
    const link = await page.getByTestId('share-link').inputValue();
    const other = await browser!.newPage();
    await other.goto(link);
    await other.getByRole('tab', { name: 'Scenario' }).click();
    await expect
      .poll(() => other.locator('#yaml-text').inputValue(), { timeout: 60_000 })
      .toContain('doseMg: 300');
    await other.close();
  }, 180_000);

  it('runs a virtual experiment and shows expected versus simulated read-outs', async () => {
    await openTab('Experiments');
    await page.getByRole('button', { name: 'Run VE-1', exact: true }).click();
    const verdict = page.getByTestId('verdict-VE-1');
    await verdict.waitFor({ timeout: 120_000 });
    expect(await verdict.textContent()).toMatch(/pass|fail|not reproducible/);
    const rows = page.locator('article[data-experiment="VE-1"] tbody tr');
    expect(await rows.count()).toBeGreaterThan(0);
    await shot('experiments');
  }, 180_000);

  it('starts and cancels a small cohort on the server', async (ctx) => {
    if (!withApi) ctx.skip(true, 'src/server is not available: cohort part skipped');
    await openTab('Cohort');
    await page.getByLabel('patients').fill('400');
    const posted = page.waitForResponse(
      (r) => r.url().endsWith('/api/cohorts') && r.request().method() === 'POST',
    );
    await page.getByRole('button', { name: 'Start cohort' }).click();
    const { id } = (await (await posted).json()) as { id: string };
    const status = page.getByTestId('cohort-status');
    await expect.poll(() => status.textContent(), { timeout: 60_000 }).toMatch(/of 400 patients/);
    await page.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => status.textContent(), { timeout: 60_000 }).toMatch(/cancelled/);
    // The server says so too.
    const state = (await (await fetch(`${server!.url}api/cohorts/${id}`)).json()) as { status: string };
    expect(state.status).toBe('cancelled');
    if (SHOTS) {
      // A cohort that finishes, for the screenshot of the incidence curves.
      await page.getByLabel('patients').fill('8');
      await page.getByRole('button', { name: 'Start cohort' }).click();
      await expect
        .poll(() => status.textContent(), { timeout: 240_000, interval: 1000 })
        .toMatch(/done|error/);
      await page.locator('figure[data-plot="cohort-incidence"]').waitFor({ timeout: 10_000 });
      await shot('cohort');
    }
  }, 360_000);

  it('runs a tiny sensitivity study on the server and draws its indices', async (ctx) => {
    if (!withApi) ctx.skip(true, 'src/server is not available: sensitivity part skipped');
    const t0 = performance.now();
    await openTab('Sensitivity');
    // the Hähnel core comes ticked from the server's factor list; keep two factors, N = 2: 8 design points
    const pyx = page.getByRole('checkbox', { name: /^pyx/ });
    await expect.poll(() => pyx.isChecked(), { timeout: 30_000 }).toBe(true);
    for (const f of ['pxy', 'e_tki', 'Kz'])
      await page.getByRole('checkbox', { name: new RegExp(`^${f}`) }).uncheck();
    await page.getByLabel('base samples').fill('2');
    await expect.poll(() => page.getByTestId('sensitivity-size').textContent()).toMatch(/^8 design points/);
    await page.getByRole('button', { name: 'Start study' }).click();
    const status = page.getByTestId('sensitivity-status');
    await expect.poll(() => status.textContent(), { timeout: 60_000, interval: 250 }).toMatch(/^done|error/);
    expect(await status.textContent()).toMatch(/done: Sobol' .* 8 design points/);
    const fig = page.locator('figure[data-plot^="sensitivity-0"]');
    await fig.waitFor({ timeout: 10_000 });
    // bars of S1 and ST for both factors, and the table of the same numbers
    expect(await fig.locator('svg rect[fill="#0072B2"]').count()).toBeGreaterThan(1);
    expect(await fig.locator('tbody tr').count()).toBe(2);
    expect(await fig.getByRole('button', { name: /as CSV$/ }).count()).toBe(1);
    console.log(`e2e sensitivity: tab to indices drawn in ${(performance.now() - t0).toFixed(0)} ms`);
    await shot('sensitivity');
  }, 90_000);

  it('compares two arms', async () => {
    if (!SHOTS) return;
    await openTab('Compare');
    const arm = page.locator('#arm-b');
    await arm.fill((await arm.inputValue()).replace(/doseMg: \d+/, 'doseMg: 800'));
    await page.getByRole('button', { name: 'Run both arms' }).click();
    await page.locator('figure[data-plot="compare-bcr_abl_is"]').waitFor({ timeout: 120_000 });
    await shot('compare');
  }, 180_000);

  it('Spatial tab: runs the smallest preset in WebGL2, the frame is not blank, the time slider moves frames', async () => {
    const t0 = performance.now();
    await openTab('Spatial');
    await page.getByLabel('preset', { exact: true }).selectOption('homing');
    await page.getByLabel('steps of 6 min', { exact: true }).fill('24');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const slider = page.getByTestId('spatial-time');
    await slider.waitFor({ timeout: 30_000 });
    type W = { __exonicheSpatial: SpatialProbe };
    const sp = () => page.evaluate(() => (globalThis as unknown as W).__exonicheSpatial);
    const first = await sp();
    if (!first.webgl2) {
      // No WebGL2 in this Chromium: the view must say so (and CI must have it).
      expect(CI).toBe(false);
      expect(await page.getByTestId('spatial-nogl').textContent()).toMatch(/WebGL2 is not available/);
      return;
    }
    // 24 steps with a frame every step, plus frame 0; the last frame is shown at 24 x 6 min.
    expect(first.frames).toBe(25);
    expect(first.frame).toBe(24);
    expect(first.time).toBe(144);
    // Pixels of the drawing buffer (preserveDrawingBuffer): distinct colours of the heat map, the agents' colours.
    const pixels = () =>
      page.evaluate(() => {
        const doc = (
          globalThis as unknown as {
            document: { querySelector(s: string): { getContext(k: string): unknown } };
          }
        ).document;
        const gl = doc.querySelector('[data-testid="spatial-canvas"]').getContext('webgl2') as GlRead;
        const w = gl.drawingBufferWidth;
        const h = gl.drawingBufferHeight;
        const px = new Uint8Array(4 * w * h);
        gl.readPixels(0, 0, w, h, gl.RGBA, gl.UNSIGNED_BYTE, px);
        const colours = new Set<number>();
        let lsc = 0;
        let endo = 0;
        let hash = 0;
        const near = (i: number, r: number, g: number, b: number) =>
          Math.abs(px[i] - r) + Math.abs(px[i + 1] - g) + Math.abs(px[i + 2] - b) < 12;
        for (let i = 0; i < px.length; i += 4) {
          colours.add((px[i] << 16) | (px[i + 1] << 8) | px[i + 2]);
          if (near(i, 0xcc, 0x79, 0xa7)) lsc++;
          if (near(i, 0xe6, 0x9f, 0x00)) endo++;
          hash = (hash * 31 + px[i] + 7 * px[i + 1] + 13 * px[i + 2]) >>> 0;
        }
        return { w, h, colours: colours.size, lsc, endo, hash };
      });
    const last = await pixels();
    expect(last.w).toBeGreaterThan(100);
    expect(last.colours).toBeGreaterThan(20);
    expect(last.lsc).toBeGreaterThan(50);
    expect(last.endo).toBeGreaterThan(50);
    // The slider to frame 0, then one step right by keyboard: other frames, other pixels.
    await slider.fill('0');
    await expect.poll(async () => (await sp()).frame).toBe(0);
    expect((await sp()).time).toBe(0);
    expect(await page.getByTestId('spatial-time-label').textContent()).toMatch(/^0 h \(frame 1 of 25\)/);
    const zero = await pixels();
    expect(zero.hash).not.toBe(last.hash);
    await slider.focus();
    await page.keyboard.press('ArrowRight');
    await expect.poll(async () => (await sp()).frame).toBe(1);
    expect((await sp()).time).toBe(6);
    // Exports of the frame shown: a PNG (heat map with colour bar and legend) and the agents as CSV.
    const download = async (name: string) => {
      const d = page.waitForEvent('download');
      await page.getByRole('button', { name }).click();
      const file = await d;
      const path = await file.path();
      return { name: file.suggestedFilename(), bytes: readFileSync(path) };
    };
    const png = await download('Save frame as PNG');
    expect(png.name).toBe('spatial-homing-cxcl12-6min.png');
    expect(png.bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(png.bytes.length).toBeGreaterThan(5000);
    const csv = await download('Save agents as CSV');
    expect(csv.name).toBe('spatial-homing-agents-6min.csv');
    const lines = csv.bytes.toString('utf8').trim().split('\n');
    expect(lines.length).toBe(1 + 36);
    expect(lines.slice(1).every((l) => l.startsWith('6,'))).toBe(true);
    const s = await sp();
    console.log(
      `e2e spatial: homing 24 steps in the worker ${s.workerMs.toFixed(0)} ms, frame draw ${s.drawMs.toFixed(1)} ms, ${last.colours} colours; tab to checks ${(performance.now() - t0).toFixed(0)} ms`,
    );
    if (SHOTS) {
      // The hypoxic niche (SVE-3) for the picture: oxygen under a consuming K562 cluster, 24 h.
      await page.getByLabel('preset', { exact: true }).selectOption('hypoxia');
      await page.getByLabel('steps of 6 min', { exact: true }).fill('240');
      await page.getByRole('button', { name: 'Run', exact: true }).click();
      await expect.poll(async () => (await sp()).runs, { timeout: 30_000 }).toBe(first.runs + 1);
      await shot('spatial');
    }
  }, 60_000);

  it('Spatial tab: opens the snapshot folder of a 3D run, slices it in z, refuses a file that is not a snapshot', async () => {
    const t0 = performance.now();
    // A small 3D run written as `exoniche spatial` writes it: 100 x 60 x 80 um, 20 um voxels (5 x 3 x 4), 3 snapshots.
    const { loadKnowledgeBase } = await import('../../src/knowledge/load.js');
    const { SpatialNiche } = await import('../../src/spatial/model.js');
    const { agentSnapshot, fieldSnapshot } = await import('../../src/spatial/snapshot.js');
    const sim = new SpatialNiche(loadKnowledgeBase(), {
      dims: 3,
      domain: { lo: [0, 0, 0], hi: [100, 60, 80] },
      voxel: 20,
      seed: 7,
      dtDiffusion: 0.1,
      dtMechanics: 0.1,
      dtPhenotype: 6,
      lscCapacity: 100,
      oxygen: { boundary: 32 },
    });
    sim.addCell({ type: 'endo', x: 80, y: 30, z: 30 });
    for (let k = 0; k < 12; k++)
      sim.addCell({ type: 'lsc', x: 10 + 7 * k, y: 30, z: 4 + 6.5 * k, quiescent: k % 2 === 0 });
    const runDir = join(dir, 'spatial-run');
    mkdirSync(join(runDir, 'snapshots'), { recursive: true });
    const stamp = (t: number) => String(Math.round(t)).padStart(7, '0');
    let written = 0;
    for (let k = 0; k < 3; k++) {
      if (k > 0) sim.run(6);
      written += sim.agentColumns().id.length;
      writeFileSync(join(runDir, `snapshots/agents-${stamp(sim.time)}.arrow`), agentSnapshot(sim));
      writeFileSync(join(runDir, `snapshots/fields-${stamp(sim.time)}.bin`), fieldSnapshot(sim));
    }
    writeFileSync(join(runDir, 'checkpoint.bin'), 'EXNCKP01 (not read)');
    writeFileSync(join(runDir, 'summary.json'), JSON.stringify({ name: 'e2e-3d', counts: sim.counts() }));
    writeFileSync(
      join(runDir, 'manifest.json'),
      JSON.stringify({ tool: 'exoniche', version: '0.1.0', seed: 7, settings: { optionsHash: 'e2e0hash' } }),
    );
    const zs = Array.from(sim.agentColumns().z);
    const inLayer = (k: number) =>
      zs.filter((z) => Math.min(3, Math.max(0, Math.floor(z / 20))) === k).length;

    await openTab('Spatial');
    type W = { __exonicheSpatial: SpatialProbe };
    const sp = () => page.evaluate(() => (globalThis as unknown as W).__exonicheSpatial);
    const loads = (await sp())?.loads ?? 0;
    await page.getByTestId('spatial-open-folder').setInputFiles(runDir);
    await expect.poll(async () => (await sp()).loads, { timeout: 30_000 }).toBe(loads + 1);
    let s = await sp();
    expect(s.loadError).toBe('');
    if (s.webgl2) expect(s.draws).toBeGreaterThan(0);
    expect(s.frames).toBe(3);
    expect(s.frame).toBe(2);
    expect(s.time).toBe(12);
    expect(s.layers).toBe(4);
    expect(s.voxels).toBe(60);
    expect(s.agentsLoaded).toBe(written);
    // The middle layer first (floor(4 / 2) = 2): the agents whose centre is in z [40, 60) um.
    expect(s.layer).toBe(2);
    expect(s.agents).toBe(inLayer(2));
    const info = await page.getByTestId('spatial-run-info').textContent();
    expect(info).toMatch(/e2e-3d/);
    expect(info).toMatch(/3D, 100 × 60 × 80 µm, 5 × 3 × 4 voxels/);
    expect(info).toMatch(new RegExp(`3 time points, ${written} agents`));
    expect(info).toMatch(/seed7/);
    expect(info).toMatch(/e2e0hash/);
    expect(info).toMatch(/1 passed over/);
    // The z-slice slider to layer 0, the time slider to frame 0.
    await page.getByTestId('spatial-layer').fill('0');
    await expect.poll(async () => (await sp()).layer).toBe(0);
    expect((await sp()).agents).toBe(inLayer(0));
    expect(await page.getByTestId('spatial-layer-label').textContent()).toMatch(/^layer 1 of 4, z 0–20 µm/);
    await page.getByTestId('spatial-time').fill('0');
    await expect.poll(async () => (await sp()).frame).toBe(0);
    expect((await sp()).time).toBe(0);
    if (SHOTS) {
      // For the picture: a 3D K562 cluster (CML cells) consuming oxygen beside LSCs and a vessel of endothelial
      // cells, 300 x 200 x 160 um in 10 um voxels, 2 h with a snapshot every 30 min; the middle z-slice, CML fields.
      const big = new SpatialNiche(loadKnowledgeBase(), {
        dims: 3,
        domain: { lo: [0, 0, 0], hi: [300, 200, 160] },
        voxel: 10,
        seed: 11,
        dtDiffusion: 0.1,
        dtMechanics: 0.1,
        dtPhenotype: 6,
        lscCapacity: 200,
        oxygen: { boundary: 32 },
      });
      for (let k = 0; k < 8; k++) big.addCell({ type: 'endo', x: 240, y: 30 + 20 * k, z: 80 });
      for (let i = 0; i < 5; i++)
        for (let j = 0; j < 5; j++)
          for (let k = 0; k < 5; k++)
            big.addCell({ type: 'cml', x: 60 + 16 * i, y: 60 + 16 * j, z: 48 + 16 * k });
      for (let k = 0; k < 20; k++)
        big.addCell({
          type: 'lsc',
          x: 160 + (k % 5) * 12,
          y: 40 + 30 * Math.floor(k / 5),
          z: 60 + (k % 4) * 14,
          quiescent: k % 3 !== 0,
        });
      const bigDir = join(dir, 'spatial-niche-3d');
      mkdirSync(join(bigDir, 'snapshots'), { recursive: true });
      for (let k = 0; k <= 4; k++) {
        if (k > 0) big.run(30);
        writeFileSync(join(bigDir, `snapshots/agents-${stamp(big.time)}.arrow`), agentSnapshot(big));
        writeFileSync(join(bigDir, `snapshots/fields-${stamp(big.time)}.bin`), fieldSnapshot(big));
      }
      writeFileSync(join(bigDir, 'summary.json'), JSON.stringify({ name: 'niche-3d', counts: big.counts() }));
      await page.getByTestId('spatial-open-folder').setInputFiles(bigDir);
      await expect.poll(async () => (await sp()).loads, { timeout: 30_000 }).toBe(loads + 2);
      await page.getByLabel('field', { exact: true }).selectOption({ label: 'oxygen (mmHg)' });
      await page.getByTestId('spatial-layer').fill('8');
      await shot('spatial-run');
      await page.getByTestId('spatial-open-folder').setInputFiles(runDir);
      await expect.poll(async () => (await sp()).loads, { timeout: 30_000 }).toBe(loads + 3);
    }
    // A file that is not a snapshot: a message naming it, and the run shown stays as it was.
    const draws = (await sp()).draws;
    writeFileSync(join(dir, 'notes.txt'), 'not a snapshot');
    await page
      .getByTestId('spatial-open-files')
      .setInputFiles([join(runDir, 'snapshots/agents-0000000.arrow'), join(dir, 'notes.txt')]);
    await expect
      .poll(async () => (await sp()).loadError, { timeout: 30_000 })
      .toMatch(/^notes\.txt: not a snapshot/);
    expect(await page.getByTestId('spatial-error').textContent()).toMatch(
      /Cannot open the run: notes\.txt: not a snapshot/,
    );
    s = await sp();
    expect(s.loads).toBe(loads + (SHOTS ? 3 : 1));
    expect(s.frames).toBe(3);
    expect(s.draws).toBe(draws);
    console.log(
      `e2e spatial run: 3D folder, 3 snapshots decoded in the snapshot worker in ${s.decodeMs.toFixed(0)} ms; step ${(performance.now() - t0).toFixed(0)} ms`,
    );
  }, 60_000);

  it('raised no page errors', () => {
    expect(problems).toEqual([]);
  });
});
