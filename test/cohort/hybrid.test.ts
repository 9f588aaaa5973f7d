/**
 * The cohort runner with engine hybrid (stochastic LSCs through src/numerics/hybrid/split.ts, the rest ODE):
 * (a) patient k's row is a pure function of (program, k): the same bits in any order and from a fresh program;
 * (b) with thresholds that keep every population continuous it is the ODE path (same right-hand side, method,
 *     tolerances and time stops: identical rows, asserted to 1e-9 relative in the milestones);
 * (c) statistics: over 100 log-normal patients the time to MMR (reached while the LSCs are still thousands, hence
 *     continuous) is the ODE path's in at least 90 % of patients and the medians agree within one visit (3 months),
 *     and stochastic extinction only removes relapses after a TFR stop; and with the cohort's engine settings
 *     (HYBRID_SETTINGS) the probability that a residual LSC population (50 quiescent, 10 cycling cells, LSC core,
 *     imatinib) is extinct equals the two-type branching-process value within 4 standard errors (+0.005), as the
 *     exact engine does in test/niche/hybrid.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { HYBRID_SETTINGS, prepareCohort, simulatePatient } from '../../src/cohort/program.js';
import { COHORT_SCENARIOS } from '../../src/cohort/validation.js';
import { loadKnowledgeBase } from '../../src/knowledge/load.js';
import { compileModel } from '../../src/models/compile/compile.js';
import { compilePropensities } from '../../src/models/compile/propensities.js';
import { buildNiche, nicheHybridPartition } from '../../src/niche/index.js';
import { SplitHybridStepper } from '../../src/numerics/hybrid/split.js';
import { Rodas5P } from '../../src/numerics/ode/rosenbrock/index.js';
import { createStreamFactory } from '../../src/numerics/random/index.js';
import { jumpProblem } from '../../src/numerics/ssa/problem.js';
import { DEFAULT_SCENARIO } from '../../src/scenario/default.js';
import { parseScenario } from '../../src/scenario/load.js';

const kb = loadKnowledgeBase();
const p1 = (s: string) => kb.parameter(`hahnel2020.patient01.${s}`).value;
const HYBRID = DEFAULT_SCENARIO.replace('engine: ode', 'engine: hybrid');

describe('cohort runner, engine hybrid', () => {
  it('(a) deterministic per (program, k), independent of order and of the program instance', () => {
    const s = parseScenario(HYBRID, 'h.yaml', kb);
    const a = prepareCohort(s, kb, { patients: 6 });
    const fwd = [0, 1, 2, 3, 4, 5].map((k) => simulatePatient(a, k));
    const b = prepareCohort(s, kb, { patients: 50 });
    const rev = [5, 4, 3, 2, 1, 0].map((k) => simulatePatient(b, k)).reverse();
    expect(rev).toEqual(fwd);
    for (const o of fwd) expect(o.status, o.message).toBe('ok');
  });

  it('(b) every population continuous (low = high = 0): the ODE path, bit for bit', () => {
    const ode = prepareCohort(parseScenario(DEFAULT_SCENARIO, 'o.yaml', kb), kb, { patients: 4 });
    const cont = prepareCohort(parseScenario(HYBRID, 'h.yaml', kb), kb, {
      patients: 4,
      hybrid: { low: 0, high: 0 },
    });
    for (let k = 0; k < 4; k++) {
      const o = simulatePatient(ode, k);
      const h = simulatePatient(cont, k);
      for (const [m, v] of Object.entries(o.milestones))
        if (Number.isFinite(v))
          expect(Math.abs(h.milestones[m] - v), `patient ${k} ${m}`).toBeLessThanOrEqual(1e-9 * Math.abs(v));
      expect({ ...h, milestones: {} }).toEqual({ ...o, milestones: {} });
    }
  });

  it('(b) V23 columns on the hybrid path: as the ODE path when continuous, a share in [0, 1] when stochastic', () => {
    const c = COHORT_SCENARIOS.find(
      (x) => x.id === 'stop-resistant-clone',
    ) as (typeof COHORT_SCENARIOS)[number];
    const fixed = `${c.yaml}\ncohort:\n  core: fixed\n  pk: false\n`;
    const hyb = parseScenario(fixed.replace('engine: ode', 'engine: hybrid'), 'h.yaml', kb);
    const o = simulatePatient(prepareCohort(parseScenario(fixed, 'o.yaml', kb), kb, { patients: 1 }), 0);
    const cont = simulatePatient(prepareCohort(hyb, kb, { patients: 1, hybrid: { low: 0, high: 0 } }), 0);
    expect(o.mutantShareAtStop).toBeGreaterThan(0.5);
    expect(cont.mutantShareAtStop).toBe(o.mutantShareAtStop);
    expect(cont.mutantShare6mAfterStop).toBe(o.mutantShare6mAfterStop);
    // Stochastic: the clone starts below one cell and is discrete, so it may be lost (share 0); still read out.
    const h = simulatePatient(prepareCohort(hyb, kb, { patients: 1 }), 0);
    expect(h.status, h.message).toBe('ok');
    for (const v of [h.mutantShareAtStop, h.mutantShare6mAfterStop]) {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(1);
    }
  });

  it('(c) 100 patients: MMR times as the ODE path, relapses after a stop only fewer', () => {
    const N = 100;
    const ode = prepareCohort(parseScenario(DEFAULT_SCENARIO, 'o.yaml', kb), kb, { patients: N });
    const hyb = prepareCohort(parseScenario(HYBRID, 'h.yaml', kb), kb, { patients: N });
    const tO: number[] = [];
    const tH: number[] = [];
    let same = 0;
    let relapseO = 0;
    let relapseH = 0;
    let stopsH = 0;
    for (let k = 0; k < N; k++) {
      const o = simulatePatient(ode, k);
      const h = simulatePatient(hyb, k);
      tO.push(o.timeMMR);
      tH.push(h.timeMMR);
      if (Object.is(o.timeMMR, h.timeMMR)) same++;
      if (!Number.isNaN(o.timeTfrRelapse)) relapseO++;
      if (!Number.isNaN(h.timeTfrRelapse)) relapseH++;
      if (!Number.isNaN(h.timeTfrStop)) stopsH++;
    }
    // among the patients who reach MMR (under the calibrated law about half do within the 6 years)
    const reached = (xs: number[]) => xs.filter((x) => !Number.isNaN(x)).sort((x, y) => x - y);
    const median = (xs: number[]) => reached(xs)[Math.floor(reached(xs).length / 2)];
    expect(same).toBeGreaterThanOrEqual(0.9 * N);
    expect(reached(tO).length).toBeGreaterThan(0.2 * N);
    expect(Math.abs(reached(tH).length - reached(tO).length)).toBeLessThanOrEqual(0.1 * N);
    expect(Math.abs(median(tH) - median(tO))).toBeLessThanOrEqual(3);
    expect(stopsH).toBeGreaterThan(10); // the relapse comparison has cases
    expect(relapseH).toBeLessThanOrEqual(relapseO);
    console.info(
      `hybrid vs ODE, 100 patients: same MMR visit ${same}, MMR in ${reached(tH).length} vs ${reached(tO).length}, median ${median(tH)} vs ${median(tO)} months; ` +
        `TFR stops ${stopsH}, relapses ${relapseH} vs ${relapseO}`,
    );
  }, 30_000);

  it('(c) cohort engine settings: residual LSC extinction equals the branching-process value', () => {
    const nm = buildNiche({ exosomes: false, lineages: false, tki: { kind: 'switch' } }, kb);
    const compiled = compileModel(nm.model);
    const r = compilePropensities(nm.model, compiled);
    const p = compiled.p0.slice();
    const keep = new Uint8Array(p.length);
    const X0 = 50;
    const Y0 = 10;
    for (const [id, v] of [
      ['X_init', X0],
      ['Y_init', Y0],
    ] as const) {
      p[compiled.parameterIds.indexOf(id)] = v;
      keep[compiled.parameterIds.indexOf(id)] = 1;
    }
    const x0 = compiled.initialState(p, keep, 0);
    const problem = jumpProblem({
      x0,
      p,
      propensities: r.propensities,
      ...(r.propensityInto ? { propensityInto: r.propensityInto } : {}),
      changes: r.changes,
      reads: r.reads,
    });
    const part = nicheHybridPartition(nm);
    const h = new SplitHybridStepper({ problem, rhs: compiled.rhs, jacobian: compiled.jacobian, p }, x0, {
      method: Rodas5P,
      partition: compiled.stateIds.map((id) => part[id]),
      low: HYBRID_SETTINGS.low,
      high: HYBRID_SETTINGS.high,
      hJump: HYBRID_SETTINGS.hJump,
      discreteTolerances: HYBRID_SETTINGS.discrete,
    });
    const iX = compiled.stateIds.indexOf('X');
    const iY = compiled.stateIds.indexOf('Y');
    const saveat = [24, 48, 72, 96, 120, 144];
    const R = 300;
    const extinct = new Float64Array(saveat.length);
    const y = new Float64Array(x0.length);
    const f = createStreamFactory(31);
    for (let rep = 0; rep < R; rep++) {
      h.start(0, x0, f.stream({ replicate: rep, purpose: 'hybrid' }));
      saveat.forEach((T, i) => {
        while (h.t < T) expect(h.step(saveat[saveat.length - 1])).toBe('ok');
        h.interpolate(T, y);
        if (y[iX] + y[iY] < 0.5) extinct[i]++;
      });
    }
    const ref = branchingExtinction(saveat, X0, Y0);
    const got = Array.from(extinct, (e) => e / R);
    for (let i = 0; i < saveat.length; i++) {
      const se = Math.sqrt((ref[i] * (1 - ref[i])) / R);
      expect(Math.abs(got[i] - ref[i]), `t = ${saveat[i]}: ${got[i]} vs ${ref[i]}`).toBeLessThanOrEqual(
        4 * se + 0.005,
      );
    }
    expect(ref[0]).toBeLessThan(0.05);
    expect(ref[saveat.length - 1]).toBeGreaterThan(0.8);
    console.info(
      `split hybrid extinction by ${saveat.join(', ')} months: ${got.join(', ')}; branching ${ref.map((x) => x.toFixed(3)).join(', ')}`,
    );
  }, 30_000);
});

/** P(no LSC left at t), two-type linear branching process from X0 quiescent and Y0 cycling cells (as in niche). */
function branchingExtinction(times: readonly number[], X0: number, Y0: number): number[] {
  const pxy = p1('pxy');
  const pyx = p1('pyx');
  const py = kb.parameter('hahnel2020.py').value;
  const d = p1('e_tki') + kb.parameter('hahnel2020.m').value * p1('Z0');
  const f = (q: readonly [number, number]): [number, number] => [
    pxy * (q[1] - q[0]),
    py * (q[1] * q[1] - q[1]) + d * (1 - q[1]) + pyx * (q[0] - q[1]),
  ];
  let q: [number, number] = [0, 0];
  let t = 0;
  const h = 1e-3;
  const out: number[] = [];
  for (const T of times) {
    while (t < T - 1e-12) {
      const s = Math.min(h, T - t);
      const k1 = f(q);
      const k2 = f([q[0] + (s / 2) * k1[0], q[1] + (s / 2) * k1[1]]);
      const k3 = f([q[0] + (s / 2) * k2[0], q[1] + (s / 2) * k2[1]]);
      const k4 = f([q[0] + s * k3[0], q[1] + s * k3[1]]);
      q = [
        q[0] + (s / 6) * (k1[0] + 2 * k2[0] + 2 * k3[0] + k4[0]),
        q[1] + (s / 6) * (k1[1] + 2 * k2[1] + 2 * k3[1] + k4[1]),
      ];
      t += s;
    }
    out.push(q[0] ** X0 * q[1] ** Y0);
  }
  return out;
}
