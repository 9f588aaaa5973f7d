import { describe, expect, it } from 'vitest';
import { defaultClinicalDefinitions } from '../../src/clinic/definitions.js';
import {
  comparisonFigures,
  type Figure,
  renderSvg,
  responseThresholds,
  runFigures,
  thinIndices,
} from '../../src/report/figures.js';
import { makeRun } from './fixtures.js';
import { dataMarks, svgTexts } from './svg.js';

type Layer = {
  data?: { values?: Record<string, unknown>[] };
  layer?: Layer[];
  mark?: unknown;
  encoding?: Record<string, unknown>;
};

function layers(f: Figure): Layer[] {
  const out: Layer[] = [];
  const walk = (l: Layer) => {
    out.push(l);
    for (const c of l.layer ?? []) walk(c);
  };
  walk(f.spec as unknown as Layer);
  return out;
}

describe('responseThresholds', () => {
  it('reads MMR, MR4 and MR4.5 from the knowledge base (ELN 2020; Cross et al. 2015)', () => {
    const t = responseThresholds(defaultClinicalDefinitions());
    expect(t.map((x) => [x.id, x.percentIS])).toEqual([
      ['MMR', 0.1],
      ['MR4', 0.01],
      ['MR4.5', 0.0032],
    ]);
    expect(t[2].label).toBe('MR4.5 0.0032 % IS');
  });

  it('rejects an unknown level', () => {
    expect(() => responseThresholds(defaultClinicalDefinitions(), ['MR9' as never])).toThrow(/MR9/);
  });
});

describe('thinIndices', () => {
  it('keeps everything when short enough', () => {
    expect(thinIndices([3, 1, 2], 5)).toEqual([0, 1, 2]);
  });

  it('keeps at most max points, the ends, and every bucket extreme (the global min and max survive)', () => {
    const n = 10_000;
    const y = Float64Array.from({ length: n }, (_, i) => Math.sin(i / 7) * (1 + i / n));
    y[4321] = 50;
    y[8765] = -50;
    const idx = thinIndices(y, 200);
    expect(idx.length).toBeLessThanOrEqual(200);
    expect(idx.length).toBeGreaterThan(150);
    expect(idx[0]).toBe(0);
    expect(idx.at(-1)).toBe(n - 1);
    expect(idx).toContain(4321);
    expect(idx).toContain(8765);
    for (let i = 1; i < idx.length; i++) expect(idx[i]).toBeGreaterThan(idx[i - 1]);
  });
});

describe('runFigures', () => {
  const run = makeRun();
  const figs = runFigures(run);

  it('builds every panel of the fixture in report order', () => {
    expect(figs.map((f) => f.id)).toEqual([
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
    ]);
  });

  it('leaves out panels without data', () => {
    const bare = {
      ...makeRun(),
      drug: undefined,
      series: makeRun().series.slice(0, 1),
      values: makeRun().values.slice(0, 1),
    };
    expect(runFigures(bare).map((f) => f.id)).toEqual(['bcr-abl', 'timeline']);
  });

  it('BCR-ABL panel: log axis, threshold rules, undetectable samples at the limit, milestones by category', () => {
    const f = figs[0];
    const all = layers(f);
    const rules = all.find((l) => l.data?.values?.some((v) => v.label === 'MMR 0.1 % IS'));
    expect(rules?.data?.values?.map((v) => v.v)).toEqual([0.1, 0.01, 0.0032]);
    const y = (all.find((l) => (l.mark as { type?: string })?.type === 'line')?.encoding?.y ?? {}) as {
      scale?: { type?: string; domain?: number[] };
    };
    expect(y.scale?.type).toBe('log');
    const [lo, hi] = y.scale!.domain!;
    expect(lo).toBeLessThanOrEqual(0.0032);
    expect(hi).toBeGreaterThanOrEqual(100);
    const samples = all.find((l) => l.data?.values?.some((v) => v.kind !== undefined))!.data!.values!;
    expect(samples).toHaveLength(run.monitoring.length);
    const und = run.monitoring.filter((m) => m.undetectable);
    expect(und.length).toBeGreaterThan(0);
    for (const s of samples.filter((v) => v.kind === 'undetectable (at limit)')) expect(s.v).toBe(0.0032);
    const r6 = (x: number | undefined) => (x === undefined ? null : Number(x.toPrecision(6)));
    const ms = all.find((l) =>
      l.data?.values?.some((v) => v.category !== undefined && v.row === 0 && v.v !== 100),
    )!.data!.values!;
    expect(ms.map((m) => [m.t, m.v, m.category, m.text])).toEqual(
      run.summary.milestones.map((m) => [m.month, r6(m.bcrAblIS), m.category, `${m.month} m`]),
    );
    const colour = Object.fromEntries(ms.map((m) => [m.category, m.colour]));
    expect(Object.keys(colour).length).toBeGreaterThan(1); // the fixture has more than one category
    expect(new Set(Object.values(colour)).size).toBe(Object.keys(colour).length); // one colour per category
  });

  it('keeps the dosing profile small: a min/max envelope that spans trough to peak, troughs thinned', () => {
    const drug = figs.find((f) => f.id === 'drug')!;
    const all = layers(drug);
    const band = all.find((l) => l.data?.values?.[0]?.lo !== undefined)!.data!.values!;
    expect(band.length).toBeLessThanOrEqual(125);
    const c = run.drug!.concentration;
    let max = 0;
    for (const x of c) max = Math.max(max, x);
    const bandMax = Math.max(...band.map((b) => b.hi as number));
    expect(Math.abs(bandMax - max) / max).toBeLessThan(1e-5); // six significant digits
    expect(Math.min(...band.filter((b) => (b.t as number) < 50).map((b) => b.lo as number))).toBeCloseTo(
      run.drug!.troughs[0].concentration,
      0,
    );
    const troughs = all.find(
      (l) => l.data?.values?.[0]?.v !== undefined && l.data?.values?.[0]?.lo === undefined,
    )!.data!.values!;
    expect(troughs.length).toBeLessThanOrEqual(63);
    expect(troughs.length).toBeGreaterThan(30);
  });
});

describe('drug panel of a short profile', () => {
  it('draws the profile itself over days, with its troughs', async () => {
    const base = makeRun();
    const timeHours = Float64Array.from({ length: 97 }, (_, i) => i); // four days, hourly
    const concentration = timeHours.map((h) => 1000 + 500 * Math.cos((2 * Math.PI * h) / 24));
    const troughs = [12, 36, 60, 84].map((hour) => ({ hour, concentration: 500 }));
    const run = { ...base, drug: { name: 'imatinib', timeHours, concentration, troughs } };
    const f = runFigures(run).find((x) => x.id === 'drug')!;
    const all = layers(f);
    const line = all.find((l) => (l.mark as { type?: string })?.type === 'line')!;
    expect(line.data!.values).toHaveLength(97);
    expect((line.encoding!.x as { title: string }).title).toBe('days since start of therapy');
    expect(line.data!.values![24]).toEqual({ t: 1, v: 1500, arm: base.name });
    const marks = dataMarks(await renderSvg(f.spec));
    expect(marks.line).toBe(1);
    expect(marks.symbol).toBe(4);
    expect(marks.area).toBeUndefined();
  });
});

describe('drug panel of a profile recorded in windows', () => {
  it('breaks the envelope across the unsampled gap instead of bridging it', async () => {
    const base = makeRun();
    // Two windows of 14 days, 0.5-hour grid, at the start and at month 6 (≈ 1,350 points, more than maxPoints).
    const hours: number[] = [];
    for (const start of [0, 6 * 24 * 30.44]) for (let h = 0; h <= 14 * 24; h += 0.5) hours.push(start + h);
    const timeHours = Float64Array.from(hours);
    const concentration = timeHours.map((h) => 1000 + 500 * Math.cos((2 * Math.PI * h) / 24));
    const run = { ...base, drug: { name: 'imatinib', timeHours, concentration, troughs: [] } };
    const f = runFigures(run).find((x) => x.id === 'drug')!;
    const band = layers(f).find((l) => (l.mark as { type?: string })?.type === 'area')!.data!.values!;
    const gaps = band.filter((r) => r.lo === null);
    expect(gaps).toHaveLength(1);
    expect(gaps[0].t as number).toBeGreaterThan(14 / 30.44); // after the first window (months)
    expect(gaps[0].t as number).toBeLessThan(6);
    const filled = band.filter((r) => r.lo !== null);
    expect(Math.min(...filled.map((r) => r.lo as number))).toBeCloseTo(500, 0);
    expect(Math.max(...filled.map((r) => r.hi as number))).toBeCloseTo(1500, 0);
    expect(dataMarks(await renderSvg(f.spec)).area).toBe(1);
  });
});

describe('renderSvg', () => {
  const run = makeRun();
  const figs = runFigures(run);

  it('BCR-ABL SVG: one model line, a symbol per sample and milestone, decade ticks and threshold labels', async () => {
    const svg = await renderSvg(figs[0].spec);
    const marks = dataMarks(svg);
    expect(marks.line).toBe(1);
    expect(marks.symbol).toBe(run.monitoring.length + run.summary.milestones.length);
    expect(marks.rule).toBe(3 + 3); // MMR, MR4, MR4.5 and the three milestone months
    const texts = svgTexts(svg);
    for (const tick of ['0.001', '0.01', '0.1', '1', '10', '100']) expect(texts).toContain(tick);
    for (const label of ['MMR 0.1 % IS', 'MR4 0.01 % IS', 'MR4.5 0.0032 % IS'])
      expect(texts).toContain(label);
    for (const m of run.summary.milestones) expect(texts).toContain(`${m.month} m`);
    // Diamonds are filled with the category colour.
    for (const c of ['#d73027', '#e08214']) expect(svg).toMatch(new RegExp(`<path[^>]*fill="${c}"`));
  });

  it('compartments SVG: a line per series on a log axis with power-of-ten labels', async () => {
    const svg = await renderSvg(figs.find((f) => f.id === 'compartments')!.spec);
    expect(dataMarks(svg).line).toBe(run.series.filter((s) => s.group === 'compartments').length);
    expect(svgTexts(svg)).toContain('1e+12');
  });

  it('prefixes SVG ids so that several figures can share a page', async () => {
    const svg = await renderSvg(figs[0].spec, 'f0-');
    const ids = [...svg.matchAll(/\bid="([^"]+)"/g)].map((m) => m[1]);
    expect(ids.length).toBeGreaterThan(0);
    expect(ids).toEqual(ids.map((_, i) => `f0-${i + 1}`));
    expect(await renderSvg(figs[0].spec, 'f0-')).toBe(svg); // independent of vega's global id counter
    for (const m of svg.matchAll(/url\(#([^)]+)\)/g)) expect(ids).toContain(m[1]);
  });
});

describe('comparisonFigures', () => {
  it('overlays two arms: two model lines, both arms sampled, milestones labelled A and B', async () => {
    const a = makeRun();
    const b = makeRun({ name: 'nilotinib', rateFactor: 1.5, drugName: 'nilotinib' });
    const figs = comparisonFigures(a, b);
    const svg = await renderSvg(figs[0].spec);
    const marks = dataMarks(svg);
    expect(marks.line).toBe(2);
    expect(marks.symbol).toBe(a.monitoring.length + b.monitoring.length + 6);
    const texts = svgTexts(svg);
    for (const m of [3, 6, 12]) expect(texts).toEqual(expect.arrayContaining([`A ${m} m`, `B ${m} m`]));
    const comp = await renderSvg(figs.find((f) => f.id === 'compartments')!.spec);
    expect(dataMarks(comp).line).toBe(2 * a.series.filter((s) => s.group === 'compartments').length);
    const tl = await renderSvg(figs.find((f) => f.id === 'timeline')!.spec);
    expect(dataMarks(tl).rect).toBe(a.phases.length + a.therapy.length + b.phases.length + b.therapy.length);
    expect(svgTexts(tl)).toContain('nilotinib 400 mg q24h');
  });
});
