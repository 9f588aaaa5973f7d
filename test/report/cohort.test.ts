import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { MILESTONE_MONTHS, milestoneColumn, type PatientOutcome } from '../../src/cohort/outcome.js';
import { summarizeCohort } from '../../src/cohort/summary.js';
import { loadKnowledgeBase } from '../../src/knowledge/load.js';
import { cohortFigures, renderCohortReport } from '../../src/report/cohort.js';
import { dataMarks, figuresOf } from './svg.js';

const kb = loadKnowledgeBase();
const N = Number.NaN;

function row(i: number): PatientOutcome {
  const milestones: Record<string, number> = {};
  for (const m of MILESTONE_MONTHS) milestones[milestoneColumn(m)] = 10 ** (1 - (m / 12) * (1 + (i % 5) / 4));
  return {
    patient: i,
    stratum: i % 3 === 0 ? 'high <risk>' : 'low',
    status: i === 7 ? 'failed' : 'ok',
    message: i === 7 ? 'solver failed' : '',
    followUpMonths: i === 7 ? 30 : 120,
    cminNgPerMl: 600 + 40 * i,
    timeMMR: i % 4 === 3 ? N : 6 + 3 * (i % 8),
    timeMR4: i % 2 === 0 ? 24 + 3 * (i % 10) : N,
    timeMR45: i % 3 === 1 ? 36 + 3 * (i % 6) : N,
    timeProgression: i % 17 === 5 ? 18 : N,
    timeBlastCrisis: i % 34 === 5 ? 30 : N,
    timeTfrEligible: i % 2 === 0 ? 66 + 3 * (i % 4) : N,
    timeTfrStop: i % 4 === 0 ? 69 : N,
    timeTfrRelapse: i % 8 === 0 ? 73 : N,
    timeMutation: i % 13 === 2 ? 27 : N,
    mutantShareAtStop: N,
    mutantShare6mAfterStop: N,
    slopePhase1: 0.03 + 0.001 * (i % 30),
    slopePhase2: 0.004 + 0.0001 * (i % 30),
    slopePhase3: 0.001 - 0.0001 * (i % 15),
    milestones,
  };
}

const CREATED = '2026-11-27T08:00:00.000Z';

describe('renderCohortReport', () => {
  const summary = summarizeCohort(
    Array.from({ length: 60 }, (_, i) => row(i)),
    kb,
  );
  const meta = {
    name: 'imatinib <cohort>',
    seed: 42,
    patients: 60,
    createdAt: CREATED,
    extra: { engine: 'ode' },
  };
  let html: string;
  beforeAll(async () => {
    html = await renderCohortReport(summary, meta);
  });

  it('is one self-contained page with the curves as inline SVG', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).not.toMatch(/<script src=|<link /);
    const figs = figuresOf(html);
    expect(figs.map((f) => f.id)).toEqual(['molecular-response', 'progression', 'tfr', 'tfr-relapse-free']);
    for (const f of figs) {
      expect(f.svg).toMatch(/^<svg/);
      const marks = dataMarks(f.svg);
      expect(marks.area ?? 0).toBeGreaterThan(0);
      expect(marks.line ?? 0).toBeGreaterThan(0);
      expect(() => JSON.parse(f.specJson)).not.toThrow();
    }
    // Trial points beside the response curves: DASISION by 12/24/60 months, ENESTnd by 60/120 months.
    expect(dataMarks(figs[0].svg).symbol ?? 0).toBeGreaterThanOrEqual(5);
  });

  it('names the trials, their evidence and [R] figures as not targets', () => {
    for (const t of ['IRIS', 'DASISION', 'ENESTnd']) expect(html).toContain(t);
    expect(html).toMatch(/not a target/);
    expect(html).toContain('Kantarjian');
  });

  it('shows the failed-run count, the strata (escaped) and the milestone table', () => {
    expect(html).toMatch(/1 of 60 runs failed/);
    expect(html).toContain('high &lt;risk&gt;');
    expect(html).toContain('imatinib &lt;cohort&gt;');
    expect(html).not.toContain('<cohort>');
    expect(html).toMatch(/data-metric="by12-MMR"/);
    expect(html).toMatch(/data-metric="at3-le10"/);
  });

  it('embeds the summary as JSON and is byte-identical for the same input', async () => {
    const j = /<script type="application\/json" id="cohort-summary">([\s\S]*?)<\/script>/.exec(html)?.[1];
    expect(j).toBeDefined();
    expect(JSON.parse(j!).n).toBe(60);
    expect(await renderCohortReport(summary, meta)).toBe(html);
  });

  it('leaves out the relapse-free figure when nobody stopped', () => {
    const rows = Array.from({ length: 10 }, (_, i) => ({ ...row(i), timeTfrStop: N, timeTfrRelapse: N }));
    const ids = cohortFigures(summarizeCohort(rows, kb)).map((f) => f.id);
    expect(ids).not.toContain('tfr-relapse-free');
  });
});

const CHROMIUM = process.env.EXONICHE_CHROMIUM ?? '/usr/bin/chromium';
const HAVE = existsSync(CHROMIUM);

/** Runs in the page (a string: this file needs no DOM types). */
const FACTS = `(() => Array.from(document.querySelectorAll('figure.figure')).map((f) => {
  const r = f.querySelector('svg').getBoundingClientRect();
  return { id: f.getAttribute('data-figure'), width: r.width, height: r.height };
}))()`;

describe.runIf(HAVE)('cohort report in headless Chromium', () => {
  it('opens offline without errors and lays out every figure', async () => {
    const rows = Array.from({ length: 60 }, (_, i) => row(i));
    const html = await renderCohortReport(summarizeCohort(rows, kb), {
      name: '<script>alert(1)</script>',
      seed: 1,
      patients: 60,
      createdAt: CREATED,
    });
    const dir = mkdtempSync(join(tmpdir(), 'exoniche-cohort-report-'));
    const file = join(dir, 'cohort.html');
    writeFileSync(file, html);
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    try {
      const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
      const problems: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text());
      });
      page.on('pageerror', (e) => problems.push(e.message));
      page.on('dialog', (d) => {
        problems.push(`dialog: ${d.message()}`);
        void d.dismiss();
      });
      await page.route('**/*', (route) =>
        route.request().url().startsWith('file:') ? route.continue() : route.abort(),
      );
      await page.goto(pathToFileURL(file).href);
      const figs = (await page.evaluate(FACTS)) as { id: string; width: number; height: number }[];
      expect(figs.map((f) => f.id)).toEqual(['molecular-response', 'progression', 'tfr', 'tfr-relapse-free']);
      for (const f of figs) {
        expect(f.width).toBeGreaterThan(300);
        expect(f.height).toBeGreaterThan(200);
      }
      expect(await page.title()).toBe('exoniche cohort report: <script>alert(1)</script>');
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
