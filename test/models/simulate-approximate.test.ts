/**
 * simulateApproximate (tau-leaping, hybrid) at model level: model events with the exact engines' semantics.
 * Time events (with and without delay) against the analytic mean of immigration-death with boluses; state
 * events by the distribution of the trigger time against the exact direct method (two-sample KS, Welch z;
 * significance ~1e-3 at fixed seeds); the Michor 2005 reference model with its imatinib start event against
 * the ODE solution.
 */
import { describe, expect, it } from 'vitest';
import { loadReferenceModel } from '../../src/knowledge/reference-models.js';
import { simulateModel } from '../../src/models/simulate.js';
import { simulateApproximate } from '../../src/models/simulate-approximate.js';
import {
  prepareStochastic,
  type StochasticModel,
  simulateStochastic,
} from '../../src/models/simulate-stochastic.js';
import { parseModel } from '../../src/models/text/index.js';
import { meanVar, twoSampleKs, zMeans } from '../numerics/ssa/two-sample.js';

const michor = prepareStochastic(loadReferenceModel('michor2005').model);

/**
 * Immigration-death (k = 400, mu = 0.5) from 0 with a bolus of B1 = 1000 at t = 5 and one of B2 = 500
 * triggered at t = 8 with delay 1.5 (executed at 9.5, values from execution time). Mean: m' = k - mu m between boluses, m jumps by B at
 * each, so m(t) = k/mu + (m(s) - k/mu) e^{-mu (t - s)} from the last bolus time s.
 */
const dosed = prepareStochastic(
  parseModel(
    `model dosed
  compartment cell = 1
  substanceOnly species X in cell = 0
  k = 400
  mu = 0.5
  birth: => X; k
  death: X => ; mu*X
  bolus: at (time >= 5): X = X + 1000
  late: at (time >= 8), delay = 1.5, fromTrigger = false: X = X + 500
end`,
    'dosed.exm',
  ),
);
function dosedMean(t: number): number {
  const ss = 800;
  const decay = (m0: number, dt: number) => ss + (m0 - ss) * Math.exp(-0.5 * dt);
  let m = decay(0, Math.min(t, 5));
  if (t < 5) return m;
  m = decay(m + 1000, Math.min(t, 9.5) - 5);
  if (t < 9.5) return m;
  return decay(m + 500, t - 9.5);
}
const DOSE_SAVES = [0, 2, 4.5, 5, 6, 8, 9, 9.5, 10, 12];

/** Trigger time of `tS` (set by the event; -1 if it never fired) in replicates 0..n-1, one run each. */
function triggerTimes(
  prep: StochasticModel,
  engine: 'ssa' | 'tau' | 'hybrid',
  id: string,
  tEnd: number,
  n: number,
  seed: number,
  tau?: { epsilon: number },
): Float64Array {
  const out = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    const o = { tEnd, steps: 1, replicates: 1, firstReplicate: r, seed, ids: [id] };
    const res =
      engine === 'ssa'
        ? simulateStochastic(prep, o)
        : simulateApproximate(prep, { ...o, engine, ...(tau ? { tau } : {}) });
    out[r] = res.mean[1];
  }
  return out;
}

describe('simulateApproximate with model events', () => {
  it('time events with and without delay land exactly: ensemble means follow the analytic law (tau, hybrid, and the exact SSA)', () => {
    for (const [engine, R] of [
      ['tau', 600],
      ['hybrid', 150],
      ['ssa', 300],
    ] as const) {
      const o = { tEnd: 12, saveat: DOSE_SAVES, replicates: R, seed: 11, ids: ['X'] };
      // tau at eps = 0.003: the leaps' Euler-like mean drift relaxes too fast by a relative error ~ eps (at
      // N = 4000, z = 17 at t = 4.5 and -26 at t = 9 for eps = 0.03; 4.9 and -8.7 for 0.01; 0.8 and -0.8 for
      // 0.003), which is the leap error, not the events'.
      const res =
        engine === 'ssa'
          ? simulateStochastic(dosed, o)
          : simulateApproximate(dosed, { ...o, engine, tau: { epsilon: 0.003 } });
      expect(res.eventCount).toBe(2 * R);
      const m = res.column('X');
      const sd = res.column('X', 'sd');
      for (let i = 0; i < DOSE_SAVES.length; i++) {
        const t = DOSE_SAVES[i];
        const mu = dosedMean(t);
        // the law is Poisson(immigrants) + binomial survivors of the boluses: variance <= mean
        const se = Math.sqrt(mu / R);
        expect(Math.abs(m[i] - mu), `${engine} t=${t}: ${m[i]} vs ${mu}`).toBeLessThan(4.5 * se + 1e-9);
        if (engine !== 'hybrid' && t > 0)
          expect(Math.abs(sd[i] ** 2 / mu - 1) < 0.25 || mu > 1000).toBe(true);
      }
      // At t = 5 and 9.5 the reported state is the post-event one (a bolus of 1000 / 500 is far outside the
      // noise): the events executed at those instants, not one step later.
      expect(m[3] - dosedMean(4.999)).toBeGreaterThan(900);
      expect(m[7] - dosedMean(9.499)).toBeGreaterThan(400);
    }
  }, 30_000);

  it('priorities and persistence as in the exact engines', () => {
    // A (priority 2) runs before B (priority 1, values at execution) at t = 3: a = 1, then a = 10 a + 2 = 12 (the other order
    // gives 1). C and D trigger at t = 4 with delay 1 on a window that closes at 4.5: the non-persistent C
    // is cancelled, the persistent D executes at 5.
    const m = prepareStochastic(
      parseModel(
        `model prio
  compartment cell = 1
  substanceOnly species X in cell = 500
  mu = 0.1
  var a = 0
  var b = 0
  var c = 0
  death: X => ; mu*X
  A: at (time >= 3), priority = 2: a = 1
  B: at (time >= 3), priority = 1, fromTrigger = false: a = a*10 + 2
  C: at (time >= 4 && time < 4.5), delay = 1, persistent = false: b = 1
  D: at (time >= 4 && time < 4.5), delay = 1, persistent = true: c = 1
end`,
        'prio.exm',
      ),
    );
    for (const engine of ['tau', 'hybrid', 'ssa'] as const) {
      const o = { tEnd: 6, saveat: [0, 3, 4.9, 5, 6], replicates: 5, seed: 1, ids: ['a', 'b', 'c'] };
      const res = engine === 'ssa' ? simulateStochastic(m, o) : simulateApproximate(m, { ...o, engine });
      expect(Array.from(res.column('a')), engine).toEqual([0, 12, 12, 12, 12]);
      expect(Array.from(res.column('b')), engine).toEqual([0, 0, 0, 0, 0]);
      expect(Array.from(res.column('c')), engine).toEqual([0, 0, 0, 1, 1]);
      expect(res.eventCount, engine).toBe(3 * 5);
    }
  });

  it("events: 'ignore' skips them", () => {
    const res = simulateApproximate(dosed, {
      engine: 'tau',
      tEnd: 12,
      saveat: DOSE_SAVES,
      replicates: 200,
      seed: 2,
      events: 'ignore',
    });
    expect(res.eventCount).toBe(0);
    const m = res.column('X');
    const last = 800 * (1 - Math.exp(-0.5 * 12));
    expect(Math.abs(m[m.length - 1] - last)).toBeLessThan(4.5 * Math.sqrt(last / 200));
  });

  it('tau: a state trigger crossed inside a leap is located at the firing that crosses it (exact law for constant rates)', () => {
    // Pure immigration at k = 1000 with the switch X >= 600 -> k = 0: the trigger time is Gamma(600, 1000)
    // (mean 0.6, SD 0.0245). With constant propensities one leap covers the whole interval, so only the
    // binomial bisection of the leap (refineLeap) can put the switch at the right time.
    const imm = prepareStochastic(
      parseModel(
        `model imm
  compartment cell = 1
  substanceOnly species X in cell = 0
  var k = 1000
  var tS = -1
  birth: => X; k
  S: at (X >= 600): k = 0, tS = time
end`,
        'imm.exm',
      ),
    );
    const N = 1000;
    const tau = triggerTimes(imm, 'tau', 'tS', 3, N, 21);
    const ssa = triggerTimes(imm, 'ssa', 'tS', 3, N, 22);
    const { mean, variance } = meanVar(tau);
    expect(Math.abs(mean - 0.6)).toBeLessThan((4 * Math.sqrt(600)) / 1000 / Math.sqrt(N));
    expect(Math.abs(variance / (600 / 1000 ** 2) - 1)).toBeLessThan(4 * Math.sqrt(2 / N));
    expect(twoSampleKs(tau, ssa).p).toBeGreaterThan(1e-3);
    // and the final state honours the switch: exactly 600 molecules, none after it
    const res = simulateApproximate(imm, {
      engine: 'tau',
      tEnd: 3,
      steps: 1,
      replicates: 50,
      seed: 1,
      ids: ['X'],
    });
    expect(res.column('X')[1]).toBe(600);
    expect(res.column('X', 'sd')[1]).toBe(0);
  });

  it('tau: threshold switch of birth-death, trigger-time distribution matches the exact engine', () => {
    // 0 -> X (k = 1000), X -> 0 (x), switch k = 0 when X >= 600 (crossing near t = 0.92, SD 0.063); leaps of
    // ~70 firings. eps = 0.01: at the default 0.03 the explicit leap's mean drift (Euler-like, rate 1 +
    // tau/2) brings the crossing forward by ~0.01, which N = 1000 would resolve; that is the leap's error,
    // not the event location's.
    const sw = prepareStochastic(
      parseModel(
        `model sw
  compartment cell = 1
  substanceOnly species X in cell = 0
  var k = 1000
  mu = 1
  var tS = -1
  birth: => X; k
  death: X => ; mu*X
  S: at (X >= 600): k = 0, tS = time
end`,
        'sw.exm',
      ),
    );
    const N = 1000;
    const tau = triggerTimes(sw, 'tau', 'tS', 3, N, 31, { epsilon: 0.01 });
    const ssa = triggerTimes(sw, 'ssa', 'tS', 3, N, 32);
    expect(Math.min(...tau)).toBeGreaterThan(0);
    expect(Math.abs(zMeans(tau, ssa))).toBeLessThan(3.5);
    expect(twoSampleKs(tau, ssa).p).toBeGreaterThan(1e-3);
  }, 20_000);

  it('hybrid: triggers crossed by a jump (discrete X) and by the continuous part (Y, root finding) match the exact engine', () => {
    // X: birth-death from 3 (discrete); it feeds Y (Y(0) = 400, continuous; its own noise is < 1% of its
    // variance, see test/numerics/hybrid). EX fires when a jump takes X to 5, EY when Y crosses 900.
    const feed = prepareStochastic(
      parseModel(
        `model feed
  compartment cell = 1
  substanceOnly species X in cell = 3
  substanceOnly species Y in cell = 400
  var tX = -1
  var tY = -1
  k1 = 1
  k2 = 1
  c = 200
  d = 0.5
  r1: => X; k1
  r2: X => ; k2*X
  r3: X => X + Y; c*X
  r4: Y => ; d*Y
  EX: at (X >= 5): tX = time
  EY: at (Y >= 900): tY = time
end`,
        'feed.exm',
      ),
    );
    const N = 400;
    for (const [id, seed] of [
      ['tX', 41],
      ['tY', 43],
    ] as const) {
      const hy = triggerTimes(feed, 'hybrid', id, 5, N, seed);
      const ex = triggerTimes(feed, 'ssa', id, 5, N, seed + 1);
      // a fair share fires within the horizon under both (not a vacuous comparison of -1 atoms)
      expect(hy.filter((v) => v >= 0).length).toBeGreaterThan(N / 10);
      expect(Math.abs(zMeans(hy, ex)), id).toBeLessThan(3.5);
      expect(twoSampleKs(hy, ex).p, id).toBeGreaterThan(1e-3);
    }
  }, 30_000);
});

describe('simulateApproximate: Michor 2005 with its imatinib start event', () => {
  it('hybrid: mean log BCR-ABL ratio tracks the ODE solution', () => {
    // Imatinib starts at day 100 (the model's time event; the state at the save point is post-event). Every
    // species but the resistant lineage is large and continuous and follows the same ODE as the
    // deterministic path (hybrid rtol 1e-8, ODE rtol 1e-10: integration error ~1e-8 in ln ratio); z0 starts
    // at 0 and is discrete, so the resistant lineage is stochastic (heavy-tailed: an early mutant dominates
    // its mean). ln R = ln((y3 + z3)/(y3 + z3 + 2 x3)) has d ln R / d z3 in (0, 1/y3), so
    //   |ln R(z3) - ln R(0)| <= z3/y3,
    // and the mean over replicates differs from the ODE by at most 1e-6 (integration, with margin) +
    // mean_r z3_r/y3 + z3_ODE/y3_ODE: a deterministic state tolerance, tight while the resistant share is
    // small (~2e-5 at day 200) and loose later, when the ratio is the resistant clone's (sampling).
    const saveat = [0, 50, 99, 100, 101, 150, 200, 250, 300, 365];
    const params = { t_imatinib_start: 100 };
    const ode = simulateModel(michor.model, {
      tEnd: 365,
      saveat,
      params,
      method: 'Rodas5P',
      rtol: 1e-10,
      atol: 1e-6,
    });
    const lnOde = Array.from(ode.column('bcr_abl'), Math.log);
    const shareOde = Array.from(saveat, (_, i) => ode.column('z3')[i] / ode.column('y3')[i]);
    const R = 30;
    const ln = saveat.map(() => new Float64Array(R));
    const share = new Float64Array(saveat.length);
    for (let r = 0; r < R; r++) {
      const res = simulateApproximate(michor, {
        engine: 'hybrid',
        tEnd: 365,
        saveat,
        params,
        replicates: 1,
        firstReplicate: r,
        seed: 5,
        ids: ['bcr_abl', 'y3', 'z3'],
        hybrid: { rtol: 1e-8, atol: 1e-3 },
      });
      expect(res.eventCount).toBe(1);
      for (let i = 0; i < saveat.length; i++) {
        ln[i][r] = Math.log(res.mean[i * 3]);
        share[i] += res.mean[i * 3 + 2] / res.mean[i * 3 + 1] / R;
      }
    }
    for (let i = 0; i < saveat.length; i++) {
      const tol = 1e-6 + share[i] + shareOde[i];
      expect(Math.abs(meanVar(ln[i]).mean - lnOde[i]), `t = ${saveat[i]}`).toBeLessThanOrEqual(tol);
    }
    // up to day 150 that is the integration tolerance alone
    for (let i = 0; i <= 5; i++) expect(share[i] + shareOde[i]).toBeLessThan(1e-6);
    // the start event matters: ln ratio falls by > 0.5 in the first 50 days of therapy and not before
    expect(lnOde[5] - lnOde[3]).toBeLessThan(-0.5);
    expect(Math.abs(lnOde[3] - lnOde[2])).toBeLessThan(0.05);
  }, 30_000);

  it('hybrid Michor 2005 over ten years: continuous y0 follows its ODE exactly; z0 appears by mutation', () => {
    const continuous = ['x0', 'y0', 'y1', 'y2', 'y3', 'x1', 'x2', 'x3', 'z1', 'z2', 'z3'];
    const res = simulateApproximate(michor, {
      engine: 'hybrid',
      tEnd: 3650,
      steps: 10,
      replicates: 20,
      seed: 4,
      ids: ['y0', 'z0', 'imatinib'],
      hybrid: {
        partition: Object.fromEntries(continuous.map((id) => [id, 'continuous' as const])),
        atol: 1e-3,
        rtol: 1e-8,
      },
    });
    expect(res.eventCount).toBe(20);
    expect(Array.from(res.column('imatinib'))).toEqual(new Array(11).fill(1)); // post-event at t = 0
    // dy0/dt = (ry (1 - u) - d0) y0
    const rate = 0.008 * (1 - 4e-8) - 0.003;
    const y0 = res.column('y0');
    for (let i = 0; i < res.time.length; i++) {
      const exact = 2.5e5 * Math.exp(rate * res.time[i]);
      expect(Math.abs(y0[i] - exact)).toBeLessThanOrEqual(1e-6 * exact);
    }
    // mutations arrive early (integrated hazard ~ 1e6 over ten years): z0 > 0 from year 1 in every run
    const z0 = res.column('z0');
    expect(z0[0]).toBe(0);
    expect(z0[10]).toBeGreaterThan(0);
    expect(res.firings).toBeGreaterThan(20 * 100);
  });

  it('tau engine runs the same model and gives the ODE mean of a linear species within noise', () => {
    const res = simulateApproximate(michor, {
      engine: 'tau',
      tEnd: 100,
      steps: 2,
      replicates: 20,
      seed: 4,
      ids: ['y0'],
    });
    expect(res.eventCount).toBe(20); // imatinib on at t = 0
    const rate = 0.008 * (1 - 4e-8) - 0.003;
    const exact = 2.5e5 * Math.exp(rate * 100);
    const m = res.column('y0')[2];
    const sd = res.column('y0', 'sd')[2];
    // the leap's first-order mean drift (Euler-like, leaps of ~6 days for y0 at eps = 0.03) allows 1%
    expect(Math.abs(m - exact)).toBeLessThan(5 * (sd / Math.sqrt(20)) + 1e-2 * exact);
  });
});
