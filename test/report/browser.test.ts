/**
 * The report in a real browser: headless Chromium (Debian package `chromium`) driven by playwright-core. Skips
 * with a message when Chromium is absent locally; fails when CI=true (CI installs it).
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderComparison, renderReport } from '../../src/report/html.js';
import type { ScenarioRun } from '../../src/scenario/run-result.js';
import { makeRun } from './fixtures.js';

const CHROMIUM = process.env.EXONICHE_CHROMIUM ?? '/usr/bin/chromium';
const HAVE = existsSync(CHROMIUM);
const CI = process.env.CI === 'true';
const SKIP = !HAVE;
const SKIP_NOTE = `skipped: no Chromium at ${CHROMIUM} (apt-get install chromium, or set EXONICHE_CHROMIUM)`;
if (SKIP && !CI) console.warn(`report browser test ${SKIP_NOTE}`);

const CREATED = '2026-11-27T05:00:00.000Z';
const PANELS = [
  'bcr-abl',
  'timeline',
  'compartments',
  'lsc',
  'exosomes',
  'cargo',
  'niche',
  'drug',
  'drug-effect',
  'blasts',
];

interface PageFacts {
  title: string;
  figures: { id: string; width: number; height: number; paths: number }[];
  parameterRows: number;
  images: number;
  scripts: number;
}

/** Runs in the page (a string, so that this file needs no DOM types). */
const FACTS = `(() => {
  const figs = Array.from(document.querySelectorAll('figure.figure'));
  return {
    title: document.title,
    figures: figs.map((f) => {
      const svg = f.querySelector('svg');
      const r = svg ? svg.getBoundingClientRect() : { width: 0, height: 0 };
      const paths = svg
        ? Array.from(svg.querySelectorAll('g.role-mark path')).filter((p) => (p.getAttribute('d') || '').trim().length > 0).length
        : 0;
      return { id: f.getAttribute('data-figure'), width: r.width, height: r.height, paths };
    }),
    parameterRows: document.querySelectorAll('table.parameters tbody tr').length,
    images: document.images.length,
    scripts: document.scripts.length,
  };
})()`;

describe('report in headless Chromium', () => {
  let dir = '';
  let browser: Browser | undefined;
  const files: Record<string, string> = {};
  const evil = `<script>alert(1)</script><img src=x onerror=alert(2)>`;

  beforeAll(async () => {
    if (!HAVE) return;
    dir = mkdtempSync(join(tmpdir(), 'exoniche-report-'));
    const b = makeRun({ name: 'nilotinib', rateFactor: 1.5, drugName: 'nilotinib' });
    const base = makeRun({
      name: evil,
      description: evil,
      parameterNote: evil,
      seriesLabelPrefix: evil,
      drugName: evil,
    });
    const bad: ScenarioRun = { ...base, warnings: [evil], seed: evil };
    const pages: [string, string][] = [
      ['report', await renderReport(makeRun(), { createdAt: CREATED })],
      ['comparison', await renderComparison(makeRun(), b, { createdAt: CREATED })],
      ['malicious', await renderReport(bad, { createdAt: CREATED })],
    ];
    for (const [name, html] of pages) {
      files[name] = join(dir, `${name}.html`);
      writeFileSync(files[name], html);
    }
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it.runIf(CI && !HAVE)('Chromium is installed (CI=true)', () => {
    throw new Error(
      `CI=true but Chromium is missing at ${CHROMIUM}: CI must install it (apt-get install chromium)`,
    );
  });

  /** Opens a report offline: every request that is not the file itself is recorded and aborted. */
  async function open(name: string) {
    const page = await browser!.newPage({ viewport: { width: 1100, height: 900 } });
    const problems: string[] = [];
    const external: string[] = [];
    const dialogs: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('file:')) return route.continue();
      external.push(url);
      return route.abort();
    });
    await page.goto(pathToFileURL(files[name]).href, { waitUntil: 'load' });
    const facts = (await page.evaluate(FACTS)) as PageFacts;
    await page.close();
    return { facts, problems, external, dialogs };
  }

  it.skipIf(SKIP)(
    SKIP ? SKIP_NOTE : 'renders the report offline: title, every figure drawn with data, parameter table',
    async () => {
      const { facts, problems, external, dialogs } = await open('report');
      expect(problems).toEqual([]);
      expect(external).toEqual([]);
      expect(dialogs).toEqual([]);
      expect(facts.title).toBe('exoniche report: imatinib first line, 72 months');
      expect(facts.figures.map((f) => f.id)).toEqual(PANELS);
      for (const f of facts.figures) {
        expect(f.width, f.id).toBeGreaterThan(300);
        expect(f.height, f.id).toBeGreaterThan(50);
        expect(f.paths, f.id).toBeGreaterThan(0);
      }
      const bcr = facts.figures[0];
      const run = makeRun();
      expect(bcr.paths).toBeGreaterThanOrEqual(1 + run.monitoring.length + run.summary.milestones.length);
      expect(facts.parameterRows).toBe(run.parameters.length);
      expect(facts.images).toBe(0);
    },
    20_000,
  );

  it.skipIf(SKIP)(
    SKIP ? SKIP_NOTE : 'renders the comparison with both arms in every figure',
    async () => {
      const { facts, problems, external } = await open('comparison');
      expect(problems).toEqual([]);
      expect(external).toEqual([]);
      expect(facts.title).toBe('exoniche comparison: imatinib first line, 72 months vs nilotinib');
      expect(facts.figures.map((f) => f.id)).toEqual(PANELS);
      for (const f of facts.figures) expect(f.paths, f.id).toBeGreaterThan(1);
    },
    20_000,
  );

  it.skipIf(SKIP)(
    SKIP ? SKIP_NOTE : 'runs no injected markup from a malicious scenario',
    async () => {
      const { facts, problems, external, dialogs } = await open('malicious');
      expect(dialogs).toEqual([]);
      expect(external).toEqual([]);
      expect(problems).toEqual([]);
      expect(facts.images).toBe(0);
      expect(facts.scripts).toBe(PANELS.length + 2);
      expect(facts.title).toBe(`exoniche report: ${evil}`);
    },
    20_000,
  );
});
