import { beforeAll, describe, expect, it } from 'vitest';
import { escapeHtml, jsonForScript, renderComparison, renderReport } from '../../src/report/html.js';
import type { ScenarioRun } from '../../src/scenario/run-result.js';
import { VERSION } from '../../src/version.js';
import { makeRun } from './fixtures.js';
import { dataMarks, figuresOf, svgTexts } from './svg.js';

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

describe('escapeHtml / jsonForScript', () => {
  it('escapes markup characters', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });

  it('JSON for a script element cannot close it and round-trips, typed arrays as arrays', () => {
    const v = { s: '</script><!-- \u2028', a: new Float64Array([1.5, 2]) };
    const j = jsonForScript(v);
    expect(j).not.toMatch(/<\/script/i);
    expect(j).not.toContain('<!--');
    expect(JSON.parse(j)).toEqual({ s: '</script><!-- \u2028', a: [1.5, 2] });
  });
});

describe('renderReport', () => {
  const run = makeRun();
  let html: string;
  let ms = 0;
  beforeAll(async () => {
    const t0 = performance.now();
    html = await renderReport(run, { createdAt: CREATED });
    ms = performance.now() - t0;
    console.log(`report: ${(Buffer.byteLength(html) / 1024).toFixed(1)} KB, rendered in ${ms.toFixed(0)} ms`);
  });

  it('is a complete HTML page with the header fields', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain(`<title>exoniche report: ${run.name}</title>`);
    for (const s of [
      CREATED,
      `exoniche ${VERSION}`,
      'engine ode',
      run.seed,
      run.parameterHash,
      run.description!,
    ])
      expect(html).toContain(s);
  });

  it('holds every panel as inline SVG with data marks, a caption and its vega-lite spec as JSON', () => {
    const figs = figuresOf(html);
    expect(figs.map((f) => f.id)).toEqual(PANELS);
    for (const f of figs) {
      const marks = dataMarks(f.svg);
      const drawn = (marks.line ?? 0) + (marks.symbol ?? 0) + (marks.area ?? 0) + (marks.rect ?? 0);
      expect(drawn, f.id).toBeGreaterThan(0);
      expect(f.caption.length, f.id).toBeGreaterThan(20);
      const spec = JSON.parse(f.specJson);
      expect(spec.$schema).toMatch(/vega-lite\/v6/);
      expect(JSON.stringify(spec)).toMatch(/"values":\[\{/); // the data travels with the spec
    }
    const bcr = figs[0];
    const texts = svgTexts(bcr.svg);
    for (const tick of ['0.001', '0.01', '0.1', '1', '10', '100']) expect(texts).toContain(tick);
    for (const label of ['MMR 0.1 % IS', 'MR4 0.01 % IS', 'MR4.5 0.0032 % IS'])
      expect(texts).toContain(label);
    expect(dataMarks(bcr.svg).symbol).toBe(run.monitoring.length + 3);
  });

  it('is self-contained: no external resources', () => {
    expect(html).not.toMatch(/<link\b/i);
    expect(html).not.toMatch(/<script[^>]*\bsrc=/i);
    expect(html).not.toMatch(/<img\b/i);
    expect(html).not.toMatch(/\b(src|href)\s*=\s*["']?(https?:)?\/\//i);
    expect(html).not.toMatch(/url\((["']?)(https?:)?\/\//i);
    expect(html).not.toMatch(/@import/);
  });

  it('has the summary, therapy, parameters, warnings and reproducibility footer', () => {
    for (const m of run.summary.milestones)
      expect(html).toContain(`<span class="cat cat-${m.category}">${m.category}</span>`);
    expect(html).toContain('<tr><th>best response</th><td><b>MR4.5</b></td></tr>');
    expect(html).toContain(`<tr><th>time to MMR</th><td>${run.summary.monthsToMMR} months</td></tr>`);
    expect(html).toContain('not attempted');
    const params = /<table class="parameters">[\s\S]*?<tbody>([\s\S]*?)<\/tbody>/.exec(html)![1];
    expect(params.match(/<tr>/g)).toHaveLength(run.parameters.length);
    expect(params).toContain('Michor et al. 2005, Nature 435:1267');
    const therapy = /<table class="therapy">[\s\S]*?<tbody>([\s\S]*?)<\/tbody>/.exec(html)![1];
    expect(therapy.match(/<tr>/g)).toHaveLength(run.therapy.length);
    expect(html).toContain(`<li>${run.warnings[0]}</li>`);
    expect(html).toMatch(/<footer>[\s\S]*Reproducibility/);
    const scenario = /<script type="application\/json" id="scenario">([\s\S]*?)<\/script>/.exec(html)![1];
    expect(JSON.parse(scenario)).toEqual(run.scenario);
  });

  it('is deterministic: identical for the same input and date; only the date differs otherwise', async () => {
    // A second render from a fresh fixture, with another date: equal once the date is put back.
    const later = await renderReport(makeRun(), { createdAt: '2030-01-01T00:00:00.000Z' });
    expect(later.replace('2030-01-01T00:00:00.000Z', CREATED)).toBe(html);
  });
});

describe('escaping of input text', () => {
  const evil = `<script>alert(1)</script><img src=x onerror=alert(2)>"'&`;
  const base = makeRun({
    name: evil,
    description: evil,
    parameterNote: evil,
    seriesLabelPrefix: evil,
    drugName: evil,
  });
  const run: ScenarioRun = {
    ...base,
    seed: evil,
    parameterHash: evil,
    warnings: [evil],
    scenario: { name: evil },
    summary: {
      ...base.summary,
      bestResponse: evil,
      milestones: base.summary.milestones.map((m) => ({ ...m, category: evil })),
    },
    monitoring: base.monitoring.map((m) => ({ ...m, response: evil })),
  };

  it('lets no markup from the scenario through (report and comparison)', async () => {
    for (const html of [
      await renderReport(run, { createdAt: CREATED }),
      await renderComparison(run, makeRun(), { createdAt: CREATED }),
    ]) {
      expect(html).not.toContain('<script>alert');
      expect(html).not.toMatch(/<img\b/i);
      // No attribute injected into a tag (quoted attribute values, where the text may sit escaped, set aside).
      expect(html.replace(/="[^"]*"/g, '=""')).not.toMatch(/<[^>]*\sonerror=/i);
      // Only our own script elements: one spec per figure, the scenario JSON and the print helper.
      const scripts = html.match(/<script\b/g) ?? [];
      expect(scripts).toHaveLength(figuresOf(html).length + 2);
      expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      for (const f of figuresOf(html)) expect(() => JSON.parse(f.specJson)).not.toThrow();
    }
  });
});

describe('renderComparison', () => {
  it('puts two arms side by side and overlays them in every panel', async () => {
    const a = makeRun();
    const b = makeRun({ name: 'nilotinib 300 mg bid', rateFactor: 1.5, drugName: 'nilotinib' });
    const html = await renderComparison(a, b, { createdAt: CREATED });
    console.log(`comparison: ${(Buffer.byteLength(html) / 1024).toFixed(1)} KB`);
    expect(html).toContain(`<title>exoniche comparison: ${a.name} vs ${b.name}</title>`);
    expect(html).toContain(`<h3>A: ${a.name}</h3>`);
    expect(html).toContain(`<h3>B: ${b.name}</h3>`);
    const figs = figuresOf(html);
    expect(figs.map((f) => f.id)).toEqual(PANELS);
    expect(dataMarks(figs[0].svg).line).toBe(2);
    expect(dataMarks(figs.find((f) => f.id === 'niche')!.svg).line).toBe(8);
    expect(figs[0].caption).toContain(`arm B: ${b.name}`);
    expect(svgTexts(figs[0].svg)).toEqual(expect.arrayContaining(['A', 'B']));
  });

  it('highlights parameters whose values differ', async () => {
    const a = makeRun();
    const b0 = makeRun({ name: 'B' });
    const b: ScenarioRun = {
      ...b0,
      parameters: b0.parameters.map((p) => (p.id === 'ka' ? { ...p, value: 0.9 } : p)),
    };
    const html = await renderComparison(a, b, { createdAt: CREATED });
    const diff = html.match(/<tr class="diff">.*?<\/tr>/g) ?? [];
    expect(diff).toHaveLength(1);
    expect(diff[0]).toContain('<code>ka</code>');
    expect(diff[0]).toContain('0.61');
    expect(diff[0]).toContain('0.9');
  });
});
