/**
 * Leukaemic progenitors and the cell line (docs/spatial.md "Leukaemic progenitors and the cell line"):
 *
 * - in vivo (`lineage`), cycling LSCs produce progenitor agents (type cml, the niche model's y1) at
 *   ay/(1 + (fa - 1) tkiE), progenitors are lost at d1 (1 - s + s/(1 + P)) and make y2 at by/(1 + (fb - 1) tkiE);
 *   y2 and y3 are domain-wide counts. In the well-mixed limit the mean y1 and the y2, y3 counts follow the compiled
 *   niche model (lineages on) within 3 standard errors, with and without imatinib;
 * - in vitro (`cmlCycle`), CML cells divide at py (1 + A) max(0, 1 - n/K) and die at e_tki tkiE/(1 + P): the mean
 *   count follows the ODE culture mapping (cycling LSC compartment, X = 0, lineages off).
 *
 * Both can fail (the ODE without the TKI fold reductions, or without the autocrine dose, is > 6 SE away), and both
 * keep checkpoint/restart and two threads bit-identical.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildSetUp, IN_VITRO, NO_NICHE_FEEDBACK } from '../../src/experiments/culture.js';
import { loadKnowledgeBase } from '../../src/knowledge/load.js';
import { simulateModel } from '../../src/models/simulate.js';
import type { NicheOptions } from '../../src/niche/index.js';
import { parseSpatialRun, SpatialConfigError } from '../../src/spatial/config.js';
import {
  domainVolume,
  effectiveQuantities,
  nicheLineageFor,
  nicheParametersFor,
  WELL_MIXED_CHANNELS,
} from '../../src/spatial/link.js';
import { type SpatialCheckpoint, SpatialNiche, type SpatialOptions } from '../../src/spatial/model.js';
import { createParallelSpatial } from '../../src/spatial/parallel.js';
import { drugAction, MIN_PER_MONTH, tkiEffect } from '../../src/spatial/params.js';
import { agentSnapshot, decodeAgents } from '../../src/spatial/snapshot.js';

const kb = loadKnowledgeBase();
const imatinib = drugAction(kb, 'imatinib');
const verbose = process.env.SPATIAL_VERBOSE !== undefined;

const stats = (xs: number[]) => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  const v = xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1);
  return { mean: m, se: Math.sqrt(v / xs.length) };
};

/** ODE read-outs at tEnd (months) of a set-up; parameters the model lacks are skipped (see `optional`). */
function ode(
  options: NicheOptions,
  params: Record<string, number>,
  initial: Record<string, number>,
  held: Record<string, number>,
  months: number,
  ids: readonly string[],
  optional: Record<string, number> = {},
): Record<string, number> {
  const model = buildSetUp(kb, { options, initial, held });
  const have = new Set(model.parameters.map((p) => p.id));
  const extra = Object.fromEntries(Object.entries(optional).filter(([k]) => have.has(k)));
  const r = simulateModel(model, {
    tEnd: months,
    saveat: [months],
    method: 'rodas5p',
    rtol: 1e-10,
    atol: 1e-8,
    params: { ...params, ...extra },
  });
  expect(r.retcode).toBe('Success');
  return Object.fromEntries(ids.map((id) => [id, r.column(id)[0]]));
}

// --- in vivo: progenitors as agents ---

const Y0 = 40;
const Y1_0 = 200;
const Y2_0 = 1e4;
const DAYS = 15;
// LINEAGE_REPS=64 for a longer check (replicates of both set-ups; docs/spatial.md gives both).
const REPS = Number(process.env.LINEAGE_REPS ?? 12);
const vivoNiche = { lineages: true, immune: false, channels: WELL_MIXED_CHANNELS } as const;

function vivoOptions(seed: number, drugNm: number, bmscConc: number): SpatialOptions {
  return {
    dims: 2,
    domain: { lo: [0, 0], hi: [1000, 1000] },
    voxel: 'single',
    seed,
    mechanics: false,
    // Every rate here is per day or slower and held over a step; 4-h steps keep the test short.
    dtDiffusion: 240,
    dtMechanics: 240,
    dtPhenotype: 240,
    niche: vivoNiche,
    lscCapacity: Y0,
    lineage: { y2: Y2_0 },
    // BMSC exosomes held (B4 protection P > 0 for LSCs and progenitors), as the ODE's E_bmsc below.
    held: { bmsc: bmscConc },
    ...(drugNm > 0 ? { drug: { name: 'imatinib', nM: drugNm } } : {}),
  };
}

function vivoRun(seed: number, drugNm: number, bmscConc: number, y1 = Y1_0) {
  const sim = new SpatialNiche(kb, vivoOptions(seed, drugNm, bmscConc));
  for (let i = 0; i < Y0; i++) sim.addCell({ type: 'lsc', x: 500, y: 500 });
  for (let i = 0; i < y1; i++) sim.addCell({ type: 'cml', x: 500, y: 500 });
  const start = nicheLineageFor(sim);
  sim.run(DAYS * 1440);
  return { sim, start };
}

function vivoOde(
  sim: SpatialNiche,
  start: { y1: number; y2: number; y3: number },
  drugNm: number,
  bmscConc: number,
  extra: Record<string, number> = {},
) {
  return ode(
    { ...vivoNiche, tki: { kind: 'parametric', drug: 'imatinib' } },
    {
      ...nicheParametersFor(sim, { bmsc: 0, lscCapacity: Y0, quiescent: 0, cycling: Y0 }),
      E_native: drugNm > 0 ? tkiEffect(imatinib, drugNm) * imatinib.eRef : 0,
      ...extra,
    },
    start,
    { E_bmsc: bmscConc * domainVolume(sim) },
    (DAYS * 1440) / MIN_PER_MONTH,
    ['X', 'Y', 'y1', 'y2', 'y3'],
  );
}

describe('leukaemic progenitors (lineage, in vivo)', () => {
  it('well mixed: mean y1 agents and the y2, y3 counts equal the ODE within 3 SE, untreated and on imatinib', () => {
    const t0 = performance.now();
    const sim0 = new SpatialNiche(kb, vivoOptions(1, 0, 0));
    const bmscConc = 2 * sim0.params.kmBmsc; // uptake 2/3
    for (const drugNm of [0, imatinib.referenceNm]) {
      const y1 = drugNm > 0 ? 2 * Y1_0 : Y1_0;
      const runs = Array.from({ length: REPS }, (_, r) => vivoRun(700 + r, drugNm, bmscConc, y1));
      const ref = vivoOde(runs[0].sim, runs[0].start, drugNm, bmscConc);
      const c = runs.map((r) => r.sim.counts());
      const got = {
        y1: stats(c.map((x) => x.cml)),
        y2: stats(c.map((x) => x.y2 ?? Number.NaN)),
        y3: stats(c.map((x) => x.y3 ?? Number.NaN)),
        Y: stats(c.map((x) => x.cycling)),
      };
      const noFa = vivoOde(runs[0].sim, runs[0].start, drugNm, bmscConc, { fa: 1 });
      const noFb = vivoOde(runs[0].sim, runs[0].start, drugNm, bmscConc, { fb: 1 });
      if (verbose) console.log({ drugNm, got, ref, noFa, noFb });
      for (const k of ['y1', 'y2', 'y3'] as const)
        expect(Math.abs(got[k].mean - ref[k]), k).toBeLessThan(3 * got[k].se);
      // Y is a whole number at its capacity (or near 0 on imatinib), so its SE may be 0: half a cell more.
      expect(Math.abs(got.Y.mean - ref.Y)).toBeLessThan(3 * got.Y.se + 0.5);
      const eq = effectiveQuantities(runs[0].sim);
      expect(eq.lineage?.y1).toBe(c[0].cml);
      expect(eq.lineage?.y2).toBe(c[0].y2);
      if (drugNm === 0) {
        // Progenitor protection is the B4 effect of their own uptake, as the cycling LSCs' (no retention here).
        expect(eq.lineage?.progenitorProtection).toBeGreaterThan(0.05);
        expect(eq.lineage?.progenitorProtection).toBeCloseTo(eq.effectiveProtection, 12);
      }
      if (drugNm > 0) {
        // The comparison can fail: without imatinib's fold reductions of ay and by the ODE is far away.
        expect(Math.abs(got.y1.mean - noFa.y1)).toBeGreaterThan(6 * got.y1.se);
        expect(Math.abs(got.y2.mean - noFb.y2)).toBeGreaterThan(6 * got.y2.se);
      }
    }
    if (verbose) console.log('in vivo', performance.now() - t0, 'ms');
  });

  it('off by default: cml cells neither divide nor die, no y2 in the counts', () => {
    const o = { ...vivoOptions(3, 0, 0), lineage: undefined };
    const sim = new SpatialNiche(kb, o);
    for (let i = 0; i < 5; i++) sim.addCell({ type: 'lsc', x: 500, y: 500 });
    for (let i = 0; i < 30; i++) sim.addCell({ type: 'cml', x: 500, y: 500 });
    sim.run(30 * 1440);
    expect(sim.counts().cml).toBe(30);
    expect(sim.counts().y2).toBeUndefined();
    expect(sim.lineage()).toBeUndefined();
    expect(effectiveQuantities(sim).lineage).toBeUndefined();
    expect(sim.checkpoint().lineageY2).toBeUndefined();
    expect(decodeAgents(agentSnapshot(sim)).lineage).toBeUndefined();
  });

  it('bad options are errors', () => {
    const base = vivoOptions(1, 0, 0);
    expect(() => new SpatialNiche(kb, { ...base, setting: 'in-vitro' })).toThrow(/lineage: .*in-vivo/);
    expect(() => new SpatialNiche(kb, { ...base, lineage: { y2: -1 } })).toThrow(/lineage.y2 -1/);
    expect(() => new SpatialNiche(kb, { ...base, lineage: undefined, cmlCycle: {} })).toThrow(
      /cmlCycle: .*in vitro/,
    );
    expect(
      () =>
        new SpatialNiche(kb, {
          ...base,
          lineage: undefined,
          setting: 'in-vitro',
          cmlCycle: { capacity: 0 },
        }),
    ).toThrow(/cmlCycle.capacity 0/);
  });
});

// --- in vitro: the cell line cycles ---

const N0 = 200;
const KC = 2000;
const VITRO_MONTHS = 1;
const VITRO_REPS = Number(process.env.LINEAGE_REPS ?? 16);

function vitroOptions(seed: number, dose: { cml: number; bmsc: number }, drugNm: number): SpatialOptions {
  return {
    dims: 2,
    domain: { lo: [0, 0], hi: [1000, 1000] },
    voxel: 'single',
    seed,
    mechanics: false,
    dtDiffusion: 240,
    dtMechanics: 240,
    dtPhenotype: 240,
    setting: 'in-vitro',
    lscCapacity: 100,
    cmlCycle: { capacity: KC },
    held: { cml: dose.cml, bmsc: dose.bmsc },
    ...(drugNm > 0 ? { drug: { name: 'imatinib', nM: drugNm } } : {}),
  };
}

function vitroOde(
  sim: SpatialNiche,
  dose: { cml: number; bmsc: number },
  drugNm: number,
  cmlDose = true,
  overrides: Record<string, number> = {},
) {
  // The culture mapping (src/experiments/leukaemia.ts): cycling LSC compartment seeded with the cells, X = 0,
  // lineages, immune compartment and niche feedbacks off, pools held at the dose (the same uptake fraction: pool /
  // Km = concentration / the in-vitro Km). The cell line has no quiescent exit (pyx = 0); the LSC turnover (Renew/Apop) acts in both.
  const km = (key: string) => kb.parameter(key).value;
  return ode(
    { ...IN_VITRO, feedbacks: NO_NICHE_FEEDBACK, tki: { kind: 'parametric', drug: 'imatinib' } },
    {
      X_init: 0,
      Y_init: N0,
      Ky: KC,
      pyx: 0,
      E_native: drugNm > 0 ? tkiEffect(imatinib, drugNm) * imatinib.eRef : 0,
    },
    {},
    {
      E_cml: cmlDose ? (dose.cml / sim.params.kmCml) * km('niche.uptake.km_cml') : 0,
      E_lsc: 0,
      E_bmsc: (dose.bmsc / sim.params.kmBmsc) * km('niche.uptake.km_bmsc'),
    },
    VITRO_MONTHS,
    ['LSC_tot'],
    overrides,
  ).LSC_tot;
}

describe('the cell line cycles (cmlCycle, in vitro)', () => {
  it('well mixed: the mean cell count equals the ODE culture mapping within 3 SE', () => {
    const t0 = performance.now();
    // the in-vitro dose invitro.dose (10 ug/mL) as particles per um^3
    const c = (kb.parameter('invitro.dose').value * kb.parameter('invitro.particles_per_ug').value) / 1e12;
    const arms = [
      { dose: { cml: c, bmsc: 0 }, drugNm: 0 },
      // a low imatinib concentration (tkiE about 0.18), BMSC exosomes for protection
      { dose: { cml: c, bmsc: c }, drugNm: 20 },
    ];
    for (const { dose, drugNm } of arms) {
      const counts = Array.from({ length: VITRO_REPS }, (_, r) => {
        const sim = new SpatialNiche(kb, vitroOptions(900 + r, dose, drugNm));
        for (let i = 0; i < N0; i++) sim.addCell({ type: 'cml', x: 500, y: 500 });
        sim.run(VITRO_MONTHS * MIN_PER_MONTH);
        return sim.counts().cml;
      });
      const sim = new SpatialNiche(kb, vitroOptions(1, dose, drugNm));
      const got = stats(counts);
      const ref = vitroOde(sim, dose, drugNm);
      const noA = vitroOde(sim, dose, drugNm, false);
      if (verbose) console.log({ drugNm, got, ref, noA });
      expect(Math.abs(got.mean - ref)).toBeLessThan(3 * got.se);
      // The comparison can fail: without the autocrine dose (A = 0) the ODE is far away.
      if (drugNm === 0) expect(Math.abs(got.mean - noA)).toBeGreaterThan(6 * got.se);
    }
    if (verbose) console.log('in vitro', performance.now() - t0, 'ms');
  });

  it('survival: the turnover delta with A1 anti-apoptosis follows the ODE (Renew/Apop) within 3 SE', () => {
    // A strong turnover (20 x niche.lsc.apoptosis_rate) so that the survival signal S = emax_survival x H_A1 moves
    // the mean: net extra growth delta S/(1 + S) under the crowding factor, the niche model's Renew - Apop.
    const key = 'niche.lsc.apoptosis_rate';
    const fold = 20;
    const kb20 = {
      ...kb,
      parameter: (k: string) =>
        k === key ? { ...kb.parameter(k), value: fold * kb.parameter(k).value } : kb.parameter(k),
    };
    const c = (kb.parameter('invitro.dose').value * kb.parameter('invitro.particles_per_ug').value) / 1e12;
    const dose = { cml: c, bmsc: 0 };
    const counts = Array.from({ length: VITRO_REPS }, (_, r) => {
      const sim = new SpatialNiche(kb20, vitroOptions(700 + r, dose, 0));
      for (let i = 0; i < N0; i++) sim.addCell({ type: 'cml', x: 500, y: 500 });
      sim.run(VITRO_MONTHS * MIN_PER_MONTH);
      return sim.counts().cml;
    });
    const sim = new SpatialNiche(kb20, vitroOptions(1, dose, 0));
    const delta = fold * kb.parameter(key).value;
    const got = stats(counts);
    const ref = vitroOde(sim, dose, 0, true, { delta_lsc: delta });
    const noSurvival = vitroOde(sim, dose, 0, true, { delta_lsc: delta, emax_a1s: 0 });
    if (verbose) console.log({ got, ref, noSurvival });
    expect(Math.abs(got.mean - ref)).toBeLessThan(3 * got.se);
    // The comparison can fail: without the anti-apoptotic arm the turnover cancels and the ODE is far away.
    expect(Math.abs(got.mean - noSurvival)).toBeGreaterThan(6 * got.se);
  });

  it('the capacity defaults to lscCapacity and stops growth there', () => {
    const o = { ...vitroOptions(5, { cml: 0, bmsc: 0 }, 0), cmlCycle: {} };
    const sim = new SpatialNiche(kb, o);
    expect(sim.cmlCapacity).toBe(100);
    for (let i = 0; i < 100; i++) sim.addCell({ type: 'cml', x: 500, y: 500 });
    sim.run(MIN_PER_MONTH);
    expect(sim.counts().cml).toBe(100);
  });
});

// --- checkpoint / restart and two threads ---

function same(a: SpatialCheckpoint, b: SpatialCheckpoint): string[] {
  const bad: string[] = [];
  const eq = (name: string, x: ArrayLike<number>, y: ArrayLike<number>) => {
    if (x.length !== y.length) return bad.push(`${name}: length ${x.length} vs ${y.length}`);
    for (let i = 0; i < x.length; i++)
      if (!Object.is(x[i], y[i])) return bad.push(`${name}[${i}]: ${x[i]} vs ${y[i]}`);
    return 0;
  };
  for (const k of [
    'time',
    'phenotypeSteps',
    'mechanicsSteps',
    'nextId',
    'count',
    'lineageY2',
    'lineageY3',
  ] as const)
    if (!Object.is(a[k], b[k])) bad.push(`${k}: ${a[k]} vs ${b[k]}`);
  eq('f64', a.f64, b.f64);
  eq('i32', a.i32, b.i32);
  eq('u8', a.u8, b.u8);
  eq('fields', a.fields, b.fields);
  for (const k of Object.keys(a.perId)) eq(`perId.${k}`, a.perId[k], b.perId[k]);
  return bad;
}

const spaceOptions = (seed: number, vitro: boolean): SpatialOptions => ({
  dims: 2,
  domain: { lo: [0, 0], hi: [300, 300] },
  voxel: 20,
  seed,
  dtDiffusion: 0.5,
  dtMechanics: 0.5,
  dtPhenotype: 6,
  lscCapacity: 60,
  drug: { name: 'imatinib', nM: vitro ? 60 : 2, supply: 'boundary' },
  ...(vitro
    ? { setting: 'in-vitro' as const, cmlCycle: { capacity: 2000 } }
    : { lineage: { y2: 500, y3: 10 } }),
});

function populate(sim: SpatialNiche, vitro: boolean): void {
  for (let k = 0; k < 3; k++) sim.addCell({ type: 'bmsc', x: 60 + 90 * k, y: 200 });
  const n = vitro ? 200 : 40;
  for (let k = 0; k < n; k++)
    sim.addCell({ type: 'cml', x: 20 + 13 * (k % 20), y: 30 + 12 * Math.floor(k / 20) });
  if (!vitro) for (let k = 0; k < 30; k++) sim.addCell({ type: 'lsc', x: 20 + 9 * k, y: 260 });
}

describe('checkpoint and threads with progenitors and a cycling cell line', () => {
  for (const vitro of [false, true]) {
    it(`${vitro ? 'in vitro' : 'in vivo'}: run(2T) = run(T) + restore + run(T), and two threads = one, bit for bit`, async () => {
      const T = 300;
      const full = new SpatialNiche(kb, spaceOptions(7, vitro));
      populate(full, vitro);
      const c0 = full.checkpoint().nextId;
      full.run(2 * T);
      const half = new SpatialNiche(kb, spaceOptions(7, vitro));
      populate(half, vitro);
      half.run(T);
      const resumed = SpatialNiche.restore(kb, spaceOptions(7, vitro), structuredClone(half.checkpoint()));
      resumed.run(T);
      const a = full.checkpoint();
      expect(same(a, resumed.checkpoint())).toEqual([]);
      // cells were made (progenitors; divisions) and, in vitro, lost
      expect(a.nextId).toBeGreaterThan(c0);
      if (vitro) expect(a.count).toBeLessThan(a.nextId - 1);
      else {
        // the snapshot carries y2 and y3 exactly; its cml rows are the progenitors
        const snap = decodeAgents(agentSnapshot(full));
        expect(snap.lineage).toEqual({ y2: a.lineageY2, y3: a.lineageY3 });
        expect(snap.columns.type.filter((t) => t === 0).length).toBe(full.lineage()?.y1);
        expect(a.lineageY2).toBeGreaterThan(0);
        expect(a.lineageY2).not.toBe(500);
      }
      // a different seed differs
      const other = new SpatialNiche(kb, spaceOptions(8, vitro));
      populate(other, vitro);
      other.run(T);
      expect(same(half.checkpoint(), other.checkpoint()).length).toBeGreaterThan(0);
      // two threads (mechanics and fields split) = one
      const two = await createParallelSpatial(kb, spaceOptions(7, vitro), 2);
      try {
        populate(two.sim, vitro);
        two.sim.run(T);
        expect(same(half.checkpoint(), two.sim.checkpoint())).toEqual([]);
      } finally {
        await two.close();
      }
      // a lineage run's checkpoint restored without its y2 / y3 is an error
      if (!vitro) {
        const { lineageY2: _a, lineageY3: _b, ...bare } = a;
        expect(() => SpatialNiche.restore(kb, spaceOptions(7, vitro), bare)).toThrow(/lineage state/);
      }
    });
  }
});

describe('allocation', () => {
  it('the progenitor and cell-line rules allocate nothing per step (child process with --expose-gc)', () => {
    const probe = join(dirname(fileURLToPath(import.meta.url)), 'lineage-alloc-probe.ts');
    const res = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', probe], { encoding: 'utf8' });
    expect(res.status, res.stderr).toBe(0);
    const r = JSON.parse(res.stdout) as Record<string, number>;
    expect(r.vivoSteps).toBe(900);
    // the rules ran: progenitors were lost, the cell line was killed
    expect(r.vivoLost).toBeGreaterThan(0);
    expect(r.vitroLost).toBeGreaterThan(0);
    // 900 steps x 400 cells: one boxed double per cell and step would be 5.8 MB; measured 10-60 kB (JIT warm-up)
    expect(r.vivoGrown).toBeLessThan(400_000);
    expect(r.vitroGrown).toBeLessThan(400_000);
  });
});

// --- run files ---

const RUN = `seed: 5
domain: { dims: 2, size: [400, 200], voxel: 20 }
duration: { hours: 2 }
snapshotEvery: 1
lscCapacity: 100
cells:
  - { type: lsc, x: 100, y: 100 }
`;

function runErrors(text: string): string[] {
  try {
    parseSpatialRun(text, 'run.yaml', kb);
  } catch (e) {
    expect(e).toBeInstanceOf(SpatialConfigError);
    return (e as SpatialConfigError).diagnostics.map((d) => `${d.line}:${d.column} ${d.path}: ${d.message}`);
  }
  throw new Error('expected a SpatialConfigError');
}

describe('run files', () => {
  it('accept lineage and cmlCycle; report misuse with line, column and field', () => {
    expect(parseSpatialRun(`${RUN}lineage: true\n`, 'run.yaml', kb).options.lineage).toEqual({});
    expect(parseSpatialRun(`${RUN}lineage: { y2: 1000 }\n`, 'run.yaml', kb).options.lineage).toEqual({
      y2: 1000,
    });
    expect(parseSpatialRun(RUN, 'run.yaml', kb).options.lineage).toBeUndefined();
    const vitro = `${RUN}setting: in-vitro\ncmlCycle: { capacity: 500 }\n`;
    expect(parseSpatialRun(vitro, 'run.yaml', kb).options.cmlCycle).toEqual({ capacity: 500 });
    expect(runErrors(`${RUN}cmlCycle: true\n`)).toEqual([
      "8:11 cmlCycle: the cell line cycles in vitro only: needs setting 'in-vitro', not 'in-vivo'",
    ]);
    expect(runErrors(`${RUN}setting: in-vitro\nlineage: true\n`)).toEqual([
      "9:10 lineage: leukaemic progenitors are an in-vivo rule: needs setting 'in-vivo', not 'in-vitro'",
    ]);
    const bad = runErrors(`${RUN}lineage: { y2: -3, y4: 1 }\n`);
    expect(bad.some((m) => m.startsWith('8:') && m.includes('lineage.y2'))).toBe(true);
    expect(bad.some((m) => m.includes("unknown field 'y4'"))).toBe(true);
    expect(runErrors(`${vitro.replace('500', '0')}`).join()).toMatch(/^9:\d+ cmlCycle.capacity: .*>0/);
  });
});
