/**
 * The dashboard's pure parts in Node: plot specs from a real run (BCR-ABL with the knowledge base's response lines
 * and the ELN markers), the SVG and CSV exports of the same spec, shareable-link encoding, YAML edits that keep
 * comments, the knowledge-base metadata the views read, the cohort and compare specs, and the channel-scale lift
 * of the engine (a scaled channel as a parameter: the same numbers as runScenario, nothing recompiled).
 */
import { XMLValidator } from 'fast-xml-parser';
import { beforeAll, describe, expect, it } from 'vitest';
import { webDataTexts } from '../../scripts/build-web.js';
import { EXPERIMENTS } from '../../src/experiments/registry.js';
import { loadKnowledgeBase } from '../../src/knowledge/load.js';
import { CHANNELS } from '../../src/niche/channels.js';
import { DEFAULT_SCENARIO } from '../../src/scenario/default.js';
import { parseScenario } from '../../src/scenario/load.js';
import { runScenario } from '../../src/scenario/run.js';
import { compareSpecs, incidenceSpec, stepAt } from '../../src/web/app/cohort-spec.js';
import { specToCsv } from '../../src/web/app/csv.js';
import { OKABE_ITO, resultSpecs, withGaps } from '../../src/web/app/plot-spec.js';
import { getIn, setIn } from '../../src/web/app/scenario-doc.js';
import { decodeScenarioHash, encodeScenarioHash } from '../../src/web/app/share.js';
import { linearTicks, logTicks, specToSvg } from '../../src/web/app/svg.js';
import { type Engine, liftOptionParameters, type PlotData, prepareEngine } from '../../src/web/engine.js';
import { type DashboardMeta, dashboardMeta } from '../../src/web/meta.js';

const kb = loadKnowledgeBase();

describe('dashboard metadata from the knowledge base', () => {
  const meta = dashboardMeta(kb);

  it('lists every knowledge-base channel with citations, marking the implemented ones', () => {
    expect(meta.channels.map((c) => c.id)).toEqual(kb.channels.map((c) => c.id));
    const implemented = meta.channels.filter((c) => c.implemented).map((c) => c.id);
    expect(implemented.sort()).toEqual(CHANNELS.map((c) => c.id).sort());
    const src = meta.channels.find((c) => c.id === 'cml-endothelium-src-angiogenesis')!;
    expect(src.refs.map((r) => r.id)).toEqual(['mineo2012']);
    expect(src.refs[0].citation).toContain('Angiogenesis');
    expect(src.refs[0].citation).toContain('doi:10.1007/s10456-011-9241-1');
    expect(src.experiments).toContain('E1');
    // Channels onto bulk CML cells act on LSCs in the model.
    expect(meta.channels.find((c) => c.id === 'bmsc-cml-quiescence')!.modelRecipient).toBe('lsc');
  });

  it('carries the response cut-offs and ELN 2020 milestones of clinical.yaml, and every experiment', () => {
    expect(meta.responseLines).toEqual([
      { id: 'MMR', percentIS: 0.1 },
      { id: 'MR4', percentIS: 0.01 },
      { id: 'MR4.5', percentIS: 0.0032 },
    ]);
    expect(meta.milestones).toEqual([
      { months: 3, optimal: 10, failure: 10 },
      { months: 6, optimal: 1, failure: 10 },
      { months: 12, optimal: 0.1, failure: 1 },
    ]);
    expect(meta.experiments.map((e) => e.id)).toEqual(EXPERIMENTS.map((e) => e.id));
    expect(meta.hoursPerMonth).toBeCloseTo(24 * 30.44, 12);
  });
});

describe('plots of a run', () => {
  let engine: Engine;
  let run: PlotData;
  let meta: DashboardMeta;

  beforeAll(() => {
    engine = prepareEngine(webDataTexts());
    run = engine.run();
    meta = dashboardMeta(engine.kb);
  }, 60_000);

  it('BCR-ABL on a log axis with units, the MR lines, ELN markers and therapy/phase strips', () => {
    const specs = resultSpecs(run, meta);
    expect(specs.map((s) => s.id)).toEqual(['bcr-abl', 'compartments', 'exosomes', 'cargo', 'niche', 'drug']);
    const bcr = specs[0];
    expect(bcr.yLog).toBe(true);
    expect(bcr.yLabel).toBe('BCR-ABL1 (% IS)');
    expect(bcr.xLabel).toContain('months');
    const model = run.series.find((s) => s.id === 'bcr_abl_is')!.values;
    expect(bcr.series[0].values).toBe(model);
    // Monitoring samples sit on the grid at their months.
    const samples = bcr.series[1];
    for (const m of run.monitoring.filter((x) => x.bcrAblIS !== undefined)) {
      const i = run.time.findIndex((t) => Math.abs(t - m.month) < 1e-9);
      expect(samples.values[i]).toBe(m.bcrAblIS);
    }
    expect(bcr.hLines.map((l) => l.value)).toEqual([0.1, 0.01, 0.0032]);
    expect(bcr.markers.map((m) => m.x)).toEqual([3, 6, 12]);
    expect(bcr.markers[2].y).toBe(run.summary.milestones[2].bcrAblIS);
    expect(bcr.bands.filter((b) => b.row === 0).length).toBe(run.therapy.length);
    for (const s of specs) {
      expect(s.yLabel).toMatch(/\(.+\)$/);
      for (const x of s.series) expect(OKABE_ITO as readonly string[]).toContain(x.color);
    }
    // Drug curve: hours -> months, with a gap between its dosing windows.
    const drug = specs[5];
    expect(drug.yLabel).toBe('concentration (ng/mL)');
    expect(drug.x[drug.x.length - 1]).toBeCloseTo(
      run.drug!.timeHours[run.drug!.timeHours.length - 1] / (24 * 30.44),
      9,
    );
    expect(drug.series[0].values.some((v) => Number.isNaN(v))).toBe(true);
  });

  it('exports the same spec as valid SVG and as CSV with every value', () => {
    const bcr = resultSpecs(run, meta)[0];
    const svg = specToSvg(bcr);
    expect(XMLValidator.validate(svg)).toBe(true);
    expect(svg).toContain('BCR-ABL1 (% IS)');
    expect(svg).toContain('MMR (0.1 %)');
    expect(svg).toContain('ELN 12 mo: optimal');
    const csv = specToCsv(bcr).trimEnd().split('\n');
    expect(csv.length).toBe(run.time.length + 1);
    // RFC 4180: only the field with a comma is quoted.
    expect(csv[0]).toBe(
      'time (months from diagnosis),"BCR-ABL1 (model, Hähnel convention) (% IS)",RT-qPCR samples (undetectable: at the detection limit) (% IS)',
    );
    const row = csv[1 + 48].split(',');
    expect(Number(row[0])).toBe(run.time[48]);
    expect(Number(row[1])).toBe(bcr.series[0].values[48]);
  });

  it('overlays two arms, on the union grid when their grids differ', () => {
    const specs = compareSpecs(run, run, ['bcr_abl_is', 'X', 'no_such_series']);
    expect(specs.map((s) => s.id)).toEqual(['compare-bcr_abl_is', 'compare-X']);
    expect(specs[0].yLabel).toBe('BCR-ABL1 (% IS)');
    expect(specs[0].yLog).toBe(true);
    expect(specs[0].series[1].values).toEqual(run.series.find((x) => x.id === 'bcr_abl_is')!.values);
    const short = engine.run('name: short\ndurationMonths: 12\noutputs:\n  stepMonths: 0.3\n');
    const [u] = compareSpecs(run, short, ['bcr_abl_is']);
    expect(u.x.length).toBeGreaterThan(run.time.length);
    // Arm B is NaN beyond its 12 months and equals its own values at its grid points.
    const i = Array.from(u.x).indexOf(short.time[5]);
    expect(u.series[1].values[i]).toBeCloseTo(short.series.find((x) => x.id === 'bcr_abl_is')!.values[5], 12);
    expect(Number.isNaN(u.series[1].values[u.x.length - 1])).toBe(true);
  }, 60_000);

  it('a scaled channel and hypoxia run as parameters: runScenario numbers, nothing compiled', () => {
    const text = setIn(DEFAULT_SCENARIO, ['niche', 'channels', 'bmsc-cml-tki-protection'], 2.5);
    const s = parseScenario(text, '<t>', kb);
    expect(liftOptionParameters(s)!.patient.parameters).toEqual({ ch_b4p: 2.5 });
    const viaEngine = engine.run(text);
    expect(viaEngine.timings.compiled).toBe(0);
    const ref = runScenario(s, { kb });
    const a = viaEngine.series.find((x) => x.id === 'bcr_abl_is')!.values;
    const b = ref.values[ref.series.findIndex((x) => x.id === 'bcr_abl_is')];
    for (let i = 0; i < b.length; i++)
      expect(Math.abs(a[i] - b[i])).toBeLessThanOrEqual(1e-9 * Math.abs(b[i]));
    expect(viaEngine.parameterHash).toBe(ref.parameterHash);
    // Hypoxia: 0.3 and 0.6 share the model of hypoxia > 0.
    const hyp = (h: number) => setIn(DEFAULT_SCENARIO, ['niche', 'hypoxia'], h);
    engine.run(hyp(0.3));
    const h6 = engine.run(hyp(0.6));
    expect(h6.timings.compiled).toBe(0);
    const hs = parseScenario(hyp(0.6), '<t>', kb);
    expect(liftOptionParameters(hs)!.niche.hypoxia).toBe(1);
    const href = runScenario(hs, { kb });
    const ha = h6.series.find((x) => x.id === 'vasc')!.values;
    const hb = href.values[href.series.findIndex((x) => x.id === 'vasc')];
    for (let i = 0; i < hb.length; i++)
      expect(Math.abs(ha[i] - hb[i])).toBeLessThanOrEqual(1e-9 * Math.abs(hb[i]));
    expect(h6.parameterHash).toBe(href.parameterHash);
    // Off is a structure change (the channel leaves the model), and changes the result.
    const off = engine.run(setIn(DEFAULT_SCENARIO, ['niche', 'channels', 'bmsc-cml-tki-protection'], false));
    const c = off.series.find((x) => x.id === 'bcr_abl_is')!.values;
    expect(c[c.length - 1]).not.toBe(run.series.find((x) => x.id === 'bcr_abl_is')!.values[c.length - 1]);
  }, 120_000);
});

describe('svg ticks', () => {
  it('gives 1-2-5 linear ticks and decades', () => {
    expect(linearTicks(0, 72, 8)).toEqual([0, 10, 20, 30, 40, 50, 60, 70]);
    expect(linearTicks(0.9, 1.4, 5)).toEqual([0.9, 1, 1.1, 1.2, 1.3, 1.4]);
    expect(logTicks(0.001, 100)).toEqual([0.001, 0.01, 0.1, 1, 10, 100]);
  });

  it('breaks a curve at gaps far wider than its step', () => {
    const g = withGaps(Float64Array.from([0, 1, 2, 100, 101]), Float64Array.from([1, 2, 3, 4, 5]));
    expect(Array.from(g.x)).toEqual([0, 1, 2, 51, 100, 101]);
    expect(Number.isNaN(g.y[3])).toBe(true);
  });
});

describe('scenario edits and shareable links', () => {
  it('sets and deletes a value, keeping comments, pruning emptied maps', () => {
    const t = setIn(DEFAULT_SCENARIO, ['niche', 'channels', 'cml-bmsc-il8'], false);
    expect(t).toContain('# every channel as in the knowledge base');
    expect(getIn(t, ['niche', 'channels', 'cml-bmsc-il8'])).toBe(false);
    const back = setIn(t, ['niche', 'channels', 'cml-bmsc-il8'], undefined);
    expect(getIn(back, ['niche', 'channels'])).toBeUndefined();
    expect(getIn(back, ['niche', 'hypoxia'])).toBe(0);
    expect(() => setIn('a: [', ['a'], 1)).toThrow(/does not parse/);
  });

  it('round-trips the scenario through the URL hash, and rejects a damaged link', async () => {
    const hash = await encodeScenarioHash(DEFAULT_SCENARIO);
    expect(hash).toMatch(/^s=[A-Za-z0-9_-]+$/);
    expect(hash.length).toBeLessThan(DEFAULT_SCENARIO.length);
    expect(await decodeScenarioHash(`#${hash}`)).toBe(DEFAULT_SCENARIO);
    expect(await decodeScenarioHash('#other')).toBeUndefined();
    await expect(decodeScenarioHash('#s=AAAA')).rejects.toThrow(/does not hold a scenario/);
    await expect(decodeScenarioHash('#s=a+b')).rejects.toThrow(/not base64url/);
  });
});

describe('cohort curves', () => {
  it('steps right-continuously and puts endpoints on one grid in %', () => {
    expect(stepAt([1, 3], [0.2, 0.5], 0.5)).toBe(0);
    expect(stepAt([1, 3], [0.2, 0.5], 1)).toBe(0.2);
    expect(stepAt([1, 3], [0.2, 0.5], 2.9)).toBe(0.2);
    expect(stepAt([1, 3], [0.2, 0.5], 9)).toBe(0.5);
    const spec = incidenceSpec({
      n: 10,
      failed: 0,
      overall: {
        endpoints: [
          { id: 'mmr', label: 'MMR', events: 2, curve: { time: [3, 6], incidence: [0.1, 0.2] } },
          { id: 'mr4', label: 'MR4', events: 1, curve: { time: [12], incidence: [0.1] } },
        ],
      },
    });
    expect(Array.from(spec.x)).toEqual([0, 3, 6, 12]);
    expect(Array.from(spec.series[0].values)).toEqual([0, 10, 20, 20]);
    expect(Array.from(spec.series[1].values)).toEqual([0, 0, 0, 10]);
    expect(spec.yLabel).toBe('cumulative incidence (%)');
    // Drawn as steps (held until the next event time), not as ramps.
    expect(specToSvg(spec)).toMatch(/<path d="M[\d.]+ [\d.]+H[\d.]+V[\d.]+/);
  });
});
