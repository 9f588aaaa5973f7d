/**
 * The founder model of the blast-crisis route for deterministic engines (src/niche/blast.ts, blastFounders > 0):
 * F integrates u_bc div sum Y, founder lineage k starts with one cell when F crosses the cumulative threshold
 * bc_threshold_k and then grows logistically at r_bc (minus the TKI kill); below one cell it is extinct.
 *
 * 1. From the untreated steady state (Y constant, so F = a t with a = u_bc py Y*), the time to blast phase
 *    (marrow blasts >= 20 %) is the first passage t_F = c/a plus the logistic growth time from 1 cell to the B*
 *    that gives 20 % blasts: t = t_F + ln(B* (K - 1)/(K - B*))/r. Tolerance 0.02 months.
 * 2. Over 2000 unit-exponential thresholds from the keyed stream, the first-founder times T = F^-1(c) against the
 *    model's F from diagnosis (untreated, Y rising from 7.4e5 to 9.9e5) have the distribution 1 - exp(-F(t))
 *    (Kolmogorov-Smirnov sup distance below the 1 % critical value 1.63/sqrt(n)); the model's F equals the
 *    trapezoid integral of u_bc py Y (relative 1e-3), and full ODE runs found the lineage at F^-1(c).
 * 3. Under continuous imatinib (Hähnel patient 1, deep responder) F saturates: P(progression) <= 1 - exp(-F(20 y))
 *    which is below 1 % (0.50 %).
 * 1-3 switch the preclinical window off (T_bc_pre = 0: the count starts at diagnosis); 4 tests the window.
 * 4. Preclinical window: F(0) = T_bc_pre u_bc div sum Y(0), and a founder whose threshold c_k lies below F(0) starts
 *    at the log size r_bc T_bc_pre (F(0) - c_k)/F(0) (its age under a constant rate, times the untreated growth).
 * 5. Founder kinds: under a kill above r_bc, a TKI-sensitive founder (bc_kind_k >= phi_bc) dies and an insensitive
 *    one (bc_kind_k < phi_bc) grows at r_bc as if untreated.
 */
import { describe, expect, it } from 'vitest';
import { loadKnowledgeBase } from '../../src/knowledge/load.js';
import type { Model } from '../../src/models/ir.js';
import { simulateModel } from '../../src/models/simulate.js';
import {
  BC_KIND_DEFAULT,
  bcFounderDraws,
  bcKindId,
  bcThresholdId,
  drawBcFounders,
} from '../../src/niche/blast.js';
import { buildNiche, type NicheOptions, NicheOptionsError, phaseCourse } from '../../src/niche/index.js';
import { parseScenario } from '../../src/scenario/load.js';
import { BC_FOUNDERS_DETERMINISTIC, scenarioNicheOptions } from '../../src/scenario/run.js';

const kb = loadKnowledgeBase();
const u = kb.parameter('niche.bc.event_probability').value;
const r = kb.parameter('niche.bc.growth_rate').value;
const K = kb.parameter('niche.bc.capacity').value;
const YEAR = 12;

const withState = (model: Model, state: ReadonlyMap<string, number>): Model => ({
  ...model,
  species: model.species.map((s) => {
    const v = state.get(s.id);
    if (v === undefined) return s;
    const { initialConcentration: _c, ...rest } = s;
    return { ...rest, initialAmount: v };
  }),
  initialAssignments: model.initialAssignments.filter((a) => !state.has(a.symbol)),
});

const opts = (tki: NicheOptions['tki'], n = 1): NicheOptions => ({
  blastCrisis: true,
  blastFounders: n,
  exosomes: false,
  tki,
});
const noPre = { T_bc_pre: 0 };
const never = { bc_threshold_1: 1e12, ...noPre };
const pyOf = (nm: ReturnType<typeof buildNiche>) => nm.parameters.find((p) => p.id === 'py')?.value as number;

/** Linear interpolation of the first time column `v` reaches `level` (rising). */
const crossing = (t: Float64Array, v: Float64Array, level: number): number => {
  for (let i = 1; i < t.length; i++)
    if (v[i - 1] < level && v[i] >= level)
      return t[i - 1] + ((level - v[i - 1]) * (t[i] - t[i - 1])) / (v[i] - v[i - 1]);
  return Number.POSITIVE_INFINITY;
};

describe('blast-crisis founder model (deterministic engines)', () => {
  it('untreated from steady state: time to blast phase = first passage c/a + logistic growth time', () => {
    const nm0 = buildNiche(opts({ kind: 'none' }), kb);
    expect(nm0.lsc.division).toBe('py'); // exosomes off: division = py
    const eq = simulateModel(nm0.model, {
      method: 'rodas5p',
      rtol: 1e-10,
      atol: 1e-6,
      tEnd: 2400,
      saveat: [2400],
      params: never,
    });
    const state = new Map(eq.stateIds.map((id, k) => [id, eq.solution.u[k]] as const));
    state.set('F_bc', 0);
    state.set('lB_1', 0);
    state.set('dB_1', 0);
    const model = withState(nm0.model, state);
    const c = 0.5;
    const Ystar = state.get('Y') as number;
    const a = u * pyOf(nm0) * Ystar;
    const tF = c / a;
    const P = (state.get('x1') as number) + (state.get('y1') as number);
    const D = (state.get('x2') as number) + (state.get('y2') as number);
    const Bstar = (0.2 * (P + D) - P) / 0.8; // 100 (P + B)/(P + D + B) = 20
    expect(Bstar).toBeGreaterThan(1e6);
    const tBP = tF + Math.log((Bstar * (K - 1)) / (K - Bstar)) / r;
    const saveat = Array.from({ length: 12001 }, (_, i) => i * 0.01);
    const res = simulateModel(model, {
      method: 'rodas5p',
      rtol: 1e-10,
      atol: 1e-10,
      tEnd: 120,
      saveat,
      params: { bc_threshold_1: c, ...noPre },
    });
    expect(res.retcode).toBe('Success');
    // The steady state holds (the blast read-out's denominators and F's rate are constant).
    const Y = res.column('Y');
    expect(Math.abs(Y[Y.length - 1] / Ystar - 1)).toBeLessThan(1e-6);
    const F = res.column('F_bc');
    expect(Math.abs(F[6000] - a * 60)).toBeLessThanOrEqual(1e-6 * a * 60);
    // B is exactly 0 before the founder, one cell at it.
    const B = res.column('B');
    const iF = Math.floor(tF / 0.01);
    expect(B[iF]).toBe(0);
    expect(B[iF + 1]).toBeGreaterThanOrEqual(1);
    expect(B[iF + 1]).toBeLessThan(Math.exp(r * 0.011));
    const tModel = crossing(res.time, res.column('blasts_marrow_percent'), 20);
    expect(Math.abs(tModel - tBP)).toBeLessThanOrEqual(0.02);
    expect(phaseCourse(res, 'who2017').onset.blast).toBeCloseTo(Math.ceil(tBP / 0.01) * 0.01, 6);
    console.info(
      `founder: t_F ${tF.toFixed(3)} mo, blast phase analytic ${tBP.toFixed(4)} vs ODE ${tModel.toFixed(4)} mo`,
    );
  });

  it('time to first founder over 2000 keyed thresholds follows 1 - exp(-F(t)) (untreated from diagnosis)', () => {
    const nm = buildNiche(opts({ kind: 'none' }), kb);
    const step = 0.01;
    const tEnd = 60;
    const grid = Array.from({ length: Math.round(tEnd / step) + 1 }, (_, i) => i * step);
    const res = simulateModel(nm.model, {
      method: 'rodas5p',
      rtol: 1e-10,
      atol: 1e-8,
      tEnd,
      saveat: grid,
      params: never,
    });
    const F = res.column('F_bc');
    const Y = res.column('Y');
    // F against the trapezoid integral of u_bc py Y on the same grid.
    const rate = u * pyOf(nm);
    let integral = 0;
    for (let i = 1; i < grid.length; i++) integral += ((Y[i - 1] + Y[i]) / 2) * step * rate;
    expect(Math.abs(F[F.length - 1] / integral - 1)).toBeLessThan(1e-3);
    expect(Y[Y.length - 1] / Y[0]).toBeGreaterThan(1.2); // Y(t) is not constant here
    // First-passage times of 2000 unit exponentials through the model's F.
    const n = 2000;
    const T = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const c = drawBcFounders(7, 'blast-founder-test', i, 1)[bcThresholdId(1)];
      T[i] = crossing(res.time, F, c);
    }
    T.sort();
    let dMax = 0;
    for (let j = 0; j < grid.length; j += 10) {
      const t = grid[j];
      let below = 0;
      while (below < n && T[below] <= t) below++;
      dMax = Math.max(dMax, Math.abs(below / n - (1 - Math.exp(-F[j]))));
    }
    expect(dMax).toBeLessThan(1.63 / Math.sqrt(n));
    // The full model founds the lineage where F crosses the threshold (three thresholds).
    expect(F[F.length - 1]).toBeGreaterThan(0.7);
    for (const c of [0.05, 0.3, 0.7]) {
      const one = simulateModel(nm.model, {
        method: 'rodas5p',
        rtol: 1e-10,
        atol: 1e-8,
        tEnd,
        saveat: grid,
        params: { bc_threshold_1: c, ...noPre },
      });
      const tFound = crossing(one.time, one.column('B'), 0.5);
      expect(Math.abs(tFound - crossing(res.time, F, c))).toBeLessThanOrEqual(2 * step);
    }
    console.info(
      `first founder: KS distance ${dMax.toFixed(4)} (n = ${n}, 1 % critical ${(1.63 / Math.sqrt(n)).toFixed(4)})`,
    );
  });

  it('under continuous imatinib a deep responder (Hähnel patient 1) accrues F < 0.01: P(progression) < 1 %', () => {
    const nm = buildNiche({ blastCrisis: true, blastFounders: 4, tki: { kind: 'switch' } }, kb);
    const saveat = Array.from({ length: 241 }, (_, i) => i);
    const res = simulateModel(nm.model, {
      method: 'rodas5p',
      rtol: 1e-8,
      atol: 1e-8,
      tEnd: 20 * YEAR,
      saveat,
      params: noPre,
    });
    expect(res.retcode).toBe('Success');
    const F = res.column('F_bc');
    const F10 = F[10 * YEAR];
    const F20 = F[20 * YEAR];
    expect(F20 - F10).toBeLessThan(0.01 * F20); // saturated: the cycling LSCs are down by > 4 logs
    const pProg = 1 - Math.exp(-F20);
    expect(pProg).toBeLessThan(0.01);
    expect(pProg).toBeGreaterThan(0.001);
    // At the default (median) thresholds no founder: chronic throughout, B exactly 0.
    expect(Math.max(...res.column('B'))).toBe(0);
    expect(phaseCourse(res, 'who2017').onset.accelerated).toBeUndefined();
    console.info(
      `imatinib patient 1: F(10 y) ${F10.toExponential(3)}, P(progression by 20 y) ${(100 * pProg).toFixed(2)} %`,
    );
  });

  it('a founder that meets a net kill is extinct: B stays 0 and the next founder needs the next threshold', () => {
    const nm = buildNiche({ blastCrisis: true, blastFounders: 2, tki: { kind: 'switch' } }, kb);
    const run = (params: Record<string, number>) =>
      simulateModel(nm.model, {
        method: 'rodas5p',
        rtol: 1e-8,
        atol: 1e-8,
        tEnd: 120,
        saveat: Array.from({ length: 121 }, (_, i) => i),
        params: {
          bc_threshold_1: 2e-4,
          bc_threshold_2: 4e-4,
          bc_kind_1: 0.99,
          bc_kind_2: 0.99,
          ...noPre,
          ...params,
        },
      });
    // KB values: patient 1's kill e_tki s_bc exceeds r_bc, so both founders (TKI-sensitive kinds; they arrive in the
    // first month, F > 4e-4) die at once: the latches are set and B never reaches one cell.
    const res = run({});
    expect(res.retcode).toBe('Success');
    expect(res.column('g_bc_1')[60]).toBeLessThan(0);
    expect(res.column('F_bc')[1]).toBeGreaterThan(4e-4);
    expect(res.column('dB_1')[120]).toBeGreaterThan(119);
    expect(res.column('dB_2')[120]).toBeGreaterThan(118);
    expect(Math.max(...res.column('B'))).toBeLessThanOrEqual(1);
    expect(Math.max(...res.column('blasts_blood_percent'))).toBeLessThan(1e-6);
    // Blasts 100 times less TKI-sensitive (s_bc = 0.01: net rate r_bc - 0.139 > 0) grow into blast crisis from the
    // same founders; the second founder joins the first lineage and neither is extinct.
    const grow = run({ s_bc: 0.01 });
    expect(grow.column('g_bc_1')[1]).toBeGreaterThan(0);
    expect(grow.column('dB_1')[120]).toBe(0);
    expect(phaseCourse(grow, 'who2017').onset.blast).toBeDefined();
  });

  it('draws, defaults and the option', () => {
    const d = drawBcFounders(3n, 'cohort-blast-crisis', 5, BC_FOUNDERS_DETERMINISTIC);
    const v = Array.from({ length: BC_FOUNDERS_DETERMINISTIC }, (_, k) => d[bcThresholdId(k + 1)]);
    expect(Object.keys(d)).toHaveLength(2 * BC_FOUNDERS_DETERMINISTIC);
    for (let k = 1; k < v.length; k++) expect(v[k]).toBeGreaterThan(v[k - 1]);
    for (let k = 1; k <= BC_FOUNDERS_DETERMINISTIC; k++) {
      expect(d[bcKindId(k)]).toBeGreaterThanOrEqual(0);
      expect(d[bcKindId(k)]).toBeLessThan(1);
    }
    // The thresholds are the stream's first numbers: adding kind draws left them as they were.
    expect(drawBcFounders(3n, 'cohort-blast-crisis', 5, 1)[bcThresholdId(1)]).toBe(v[0]);
    expect(drawBcFounders(3n, 'cohort-blast-crisis', 5, 4)).toEqual(d);
    expect(drawBcFounders(3n, 'cohort-blast-crisis', 6, 4)).not.toEqual(d);
    const nm = buildNiche({ blastCrisis: true, blastFounders: 2 }, kb);
    expect(nm.parameters.find((p) => p.id === 'bc_threshold_1')?.value).toBeCloseTo(Math.LN2, 15);
    expect(nm.parameters.find((p) => p.id === 'bc_threshold_2')?.value).toBeCloseTo(2 * Math.LN2, 15);
    expect(nm.parameters.find((p) => p.id === 'bc_kind_1')?.value).toBe(BC_KIND_DEFAULT);
    // Off by default (the hybrid engine's discrete B): B is a species, no F.
    const off = buildNiche({ blastCrisis: true }, kb);
    expect(off.model.species.map((s) => s.id)).toEqual(expect.arrayContaining(['Bs', 'Bi']));
    expect(off.model.species.map((s) => s.id)).not.toContain('F_bc');
    expect(off.options.blastFounders).toBe(0);
    expect(buildNiche({ blastFounders: 3 }, kb).options.blastFounders).toBe(0); // ignored without the route
    expect(() => buildNiche({ blastCrisis: true, blastFounders: 1.5 }, kb)).toThrow(NicheOptionsError);
    // The scenario runner (and the ODE cohort, which takes the same options) turns the founder model on for ODE runs
    // only; hybrid runs keep the discrete B.
    const scen = (engine: string) =>
      parseScenario(`name: t\nengine: ${engine}\nniche: { blastCrisis: true }\n`, 't.yaml', kb);
    expect(scenarioNicheOptions(scen('ode')).blastFounders).toBe(BC_FOUNDERS_DETERMINISTIC);
    expect(scenarioNicheOptions(scen('hybrid')).blastFounders).toBeUndefined();
  });

  it('preclinical window: F(0) = T u div sum Y(0), founders below F(0) start at the log size of their age', () => {
    const nm = buildNiche(opts({ kind: 'none' }, 3), kb);
    const T = kb.parameter('niche.bc.preclinical_months').value;
    expect(T).toBeGreaterThan(0);
    const res = simulateModel(nm.model, {
      method: 'rodas5p',
      rtol: 1e-10,
      atol: 1e-8,
      tEnd: 1,
      saveat: [0, 1],
      params: { bc_threshold_1: 0.1, bc_threshold_2: 0.2, bc_threshold_3: 1e9 },
    });
    expect(res.retcode).toBe('Success');
    const F0 = res.column('F_bc')[0];
    const lambda0 = u * pyOf(nm) * res.column('Y')[0];
    expect(Math.abs(F0 / (T * lambda0) - 1)).toBeLessThan(1e-12);
    expect(F0).toBeGreaterThan(0.2); // both founders lie in the window at the KB's T
    for (const [k, c] of [
      [1, 0.1],
      [2, 0.2],
    ] as const)
      expect(res.column(`lB_${k}`)[0]).toBeCloseTo((r * T * (F0 - c)) / F0, 10);
    expect(res.column('lB_3')[0]).toBe(0);
    expect(res.column('B_3')[0]).toBe(0);
    // B(0) is the two lineages' cells; a month later each has grown by exp(r) (far below K_bc).
    const b0 = Math.exp((r * T * (F0 - 0.1)) / F0) + Math.exp((r * T * (F0 - 0.2)) / F0);
    expect(Math.abs(res.column('B')[0] / b0 - 1)).toBeLessThan(1e-10);
    expect(Math.abs(res.column('B')[1] / (b0 * Math.exp(r)) - 1)).toBeLessThan(1e-6);
    // Without the window, the same thresholds are crossed only later: nothing at diagnosis.
    const none = simulateModel(nm.model, {
      method: 'rodas5p',
      tEnd: 0.01,
      saveat: [0],
      params: { bc_threshold_1: 0.1, ...noPre },
    });
    expect(none.column('F_bc')[0]).toBe(0);
    expect(none.column('B')[0]).toBe(0);
  });

  it('founder kinds: under a kill above r_bc a sensitive founder dies, an insensitive one grows at r_bc', () => {
    const nm = buildNiche({ blastCrisis: true, blastFounders: 1, tki: { kind: 'switch' } }, kb);
    const phi = kb.parameter('niche.bc.tki_insensitive_fraction').value;
    expect(phi).toBeGreaterThan(0);
    const run = (kind: number) =>
      simulateModel(nm.model, {
        method: 'rodas5p',
        rtol: 1e-8,
        atol: 1e-8,
        tEnd: 24,
        saveat: Array.from({ length: 25 }, (_, i) => i),
        params: { bc_threshold_1: 1e-3, bc_kind_1: kind, ...noPre },
      });
    const sensitive = run(Math.min(1 - 1e-9, phi + 1e-6));
    expect(sensitive.column('g_bc_1')[6]).toBeLessThan(0);
    expect(sensitive.column('dB_1')[24]).toBeGreaterThan(22);
    expect(Math.max(...sensitive.column('B'))).toBeLessThanOrEqual(1);
    const insensitive = run(phi / 2);
    const g = insensitive.column('g_bc_1');
    expect(Math.abs(g[6] / r - 1)).toBeLessThan(1e-3); // no kill, B far below K_bc
    expect(insensitive.column('dB_1')[24]).toBe(0);
    const l = insensitive.column('lB_1');
    expect(Math.abs((l[24] - l[12]) / (12 * r) - 1)).toBeLessThan(1e-3);
  });

  it('hybrid form: the preclinical founders start as floor(exp(r_bc age)) cells in Bs or Bi by their kind', () => {
    const nm = buildNiche(
      { blastCrisis: true, exosomes: false, tki: { kind: 'none' }, preclinicalFounders: 4 },
      kb,
    );
    expect(nm.options.blastFounders).toBe(0);
    expect(bcFounderDraws(nm.options)).toBe(4);
    expect(buildNiche({ blastCrisis: true }, kb).model.parameters.map((p) => p.id)).not.toContain(
      'bc_threshold_1',
    ); // default: no window in the discrete form
    const scen = (engine: string) =>
      parseScenario(`name: t\nengine: ${engine}\nniche: { blastCrisis: true }\n`, 't.yaml', kb);
    expect(scenarioNicheOptions(scen('hybrid')).preclinicalFounders).toBe(BC_FOUNDERS_DETERMINISTIC);
    expect(scenarioNicheOptions(scen('ode')).preclinicalFounders).toBeUndefined();
    const T = kb.parameter('niche.bc.preclinical_months').value;
    const phi = kb.parameter('niche.bc.tki_insensitive_fraction').value;
    const at0 = (params: Record<string, number>) =>
      simulateModel(nm.model, { method: 'rodas5p', tEnd: 1e-6, saveat: [0], params });
    const probe = at0({ bc_threshold_1: 1e9, bc_threshold_2: 1e9, bc_threshold_3: 1e9, bc_threshold_4: 1e9 });
    const F0 = T * u * pyOf(nm) * probe.column('Y')[0];
    expect(F0).toBeGreaterThan(0);
    expect(probe.column('Bs')[0]).toBe(0);
    expect(probe.column('Bi')[0]).toBe(0);
    // Founder 1 sensitive at 0.3 F0, founder 2 insensitive at 0.6 F0, 3 and 4 outside the window.
    const c1 = 0.3 * F0;
    const c2 = 0.6 * F0;
    const res = at0({
      bc_threshold_1: c1,
      bc_threshold_2: c2,
      bc_threshold_3: 2 * F0,
      bc_threshold_4: 3 * F0,
      bc_kind_1: Math.min(1 - 1e-9, phi + 1e-6),
      bc_kind_2: phi / 2,
    });
    const cells = (c: number) => Math.floor(Math.exp((r * T * (F0 - c)) / F0));
    expect(cells(c1)).toBeGreaterThan(cells(c2));
    expect(res.column('Bs')[0]).toBe(cells(c1));
    expect(res.column('Bi')[0]).toBe(cells(c2));
    expect(res.column('B')[0]).toBe(cells(c1) + cells(c2));
  });
});
