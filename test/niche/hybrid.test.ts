/**
 * The niche model under the hybrid engine (simulateApproximate, engine 'hybrid'; src/niche/hybrid.ts): leukaemic
 * stem cells, mutant clones and blast-crisis cells are stochastic when few, everything abundant follows the ODE.
 *
 * 1. From diagnosis (exosome layer, a T315I clone, the blast-crisis route, immune compartment off; continuous
 *    imatinib) the
 *    ensemble mean of the LSC count matches the ODE trajectory within sampling error over the first 2 years.
 * 2. From a residual-disease state (50 quiescent, 10 cycling LSCs, LSC core) the LSCs are discrete: the ensemble
 *    means of X and Y match the ODE (the LSC dynamics are linear there up to the logistic factor, 1 - 1e-4, so the
 *    ODE is the mean) and the probability that the LSCs are extinct matches the multi-type branching-process
 *    value q_X(t)^X0 q_Y(t)^Y0, with q from the backward Kolmogorov equations
 *        q_X' = pxy (q_Y - q_X),  q_Y' = py (q_Y^2 - q_Y) + d (1 - q_Y) + pyx (q_X - q_Y),  q(0) = 0,
 *    d = e_tki + m Z (Z held at its initial value; it moves by < 20 % and m Z is < 0.1 % of d).
 * 3. With a raised mutation probability, some runs keep a resistant clone and some do not.
 * Tolerances: 4 standard errors (plus 1e-5 relative for the deterministic part: the hybrid integrates with its
 * own step sequence). A 1000-run check of 2. (seed 21) gave 0.209, 0.608, 0.862, 0.944 extinct at 72-144 months
 * against 0.206, 0.612, 0.858, 0.953.
 */
import { describe, expect, it } from 'vitest';
import { loadKnowledgeBase } from '../../src/knowledge/load.js';
import { simulateModel } from '../../src/models/simulate.js';
import { simulateApproximate } from '../../src/models/simulate-approximate.js';
import { prepareStochastic } from '../../src/models/simulate-stochastic.js';
import { buildNiche, nicheHybridPartition } from '../../src/niche/index.js';

const kb = loadKnowledgeBase();
const p1 = (s: string) => kb.parameter(`hahnel2020.patient01.${s}`).value;

describe('niche model, hybrid engine', () => {
  describe('from diagnosis (exosome layer, T315I clone, blast-crisis route, no immune control; imatinib)', () => {
    // Immune compartment off: at the calibrated niche values (docs/calibration.md) patient 1's immune control keeps
    // the ODE's fractional T315I mass from growing, so without it the mean-field relapse below could not occur.
    const nm = buildNiche(
      { clones: ['T315I'], blastCrisis: true, immune: false, tki: { kind: 'switch' } },
      kb,
    );
    const saveat = [0, 1, 3, 6, 12, 24];
    const ode = simulateModel(nm.model, { method: 'rodas5p', rtol: 1e-10, atol: 1e-9, tEnd: 24, saveat });
    const R = 50;
    const res = simulateApproximate(prepareStochastic(nm.model), {
      engine: 'hybrid',
      tEnd: 24,
      saveat,
      seed: 11,
      replicates: R,
      ids: ['X', 'Y', 'X_T315I', 'Y_T315I'],
      hybrid: { partition: nicheHybridPartition(nm), method: 'rodas5p', rtol: 1e-8, atol: 1e-8 },
    });

    it('the mean native LSC count of 50 runs follows the ODE within sampling error (first 6 months)', () => {
      // Up to 6 months the ODE's mean-field mutant mass is below 5 cells, and its pull on the immune cells (and so
      // on the native LSCs) below 1e-4 relative; later it grows into a relapse (next test).
      for (const id of ['X', 'Y']) {
        const m = res.column(id);
        const sd = res.column(id, 'sd');
        const o = ode.column(id);
        for (let i = 0; i < 4; i++)
          expect(Math.abs(m[i] - o[i]), `${id} at ${saveat[i]}`).toBeLessThanOrEqual(
            (4 * sd[i]) / Math.sqrt(R) + 1e-4 * o[i],
          );
      }
      // The cycling LSCs fall by more than two orders of magnitude in the window (not a trivial comparison).
      expect(ode.column('Y')[3]).toBeLessThan(ode.column('Y')[0] * 1e-2);
    });

    it('the ODE relapses with T315I from a fraction of a mutant cell; most stochastic runs have no mutant', () => {
      // The ODE carries the expected mutant mass (about 0.02 mutations per patient, each growing unchecked without
      // immune control) and so relapses in every patient; in the hybrid runs a resistant clone exists only in the
      // few patients where a mutation happened.
      const oT = ode.column('Y_T315I');
      expect(oT[5]).toBeGreaterThan(1e5);
      const mT = res.column('Y_T315I');
      // The ensemble mean of a count that is 0 in most runs: at most a few runs out of 50 carry the clone.
      expect(mT[5]).toBeLessThan(oT[5] * 0.2);
    });
  });

  describe('from a residual-disease state (LSC core, discrete LSCs)', () => {
    const nm = buildNiche({ exosomes: false, lineages: false, tki: { kind: 'switch' } }, kb);
    const X0 = 50;
    const Y0 = 10;
    const params = { X_init: X0, Y_init: Y0 };
    const saveat = [0, 24, 48, 72, 96, 120, 144];
    const R = 300;
    const res = simulateApproximate(prepareStochastic(nm.model), {
      engine: 'hybrid',
      tEnd: saveat[saveat.length - 1],
      saveat,
      seed: 3,
      replicates: R,
      params,
      ids: ['X', 'Y', 'LSC_tot'],
      quantiles: [],
      hybrid: { partition: nicheHybridPartition(nm), method: 'tsit5' },
    });
    const ode = simulateModel(nm.model, {
      method: 'rodas5p',
      rtol: 1e-9,
      atol: 1e-12,
      tEnd: saveat[saveat.length - 1],
      saveat,
      params,
    });

    it('ensemble means of X and Y equal the ODE within 4 standard errors', () => {
      for (const id of ['X', 'Y']) {
        const m = res.column(id);
        const sd = res.column(id, 'sd');
        const o = ode.column(id);
        // Standard error from the sample SD, or Poisson-like sqrt(mean) when the count is rarely non-zero.
        for (let i = 1; i < saveat.length; i++)
          expect(Math.abs(m[i] - o[i]), `${id} at ${saveat[i]}`).toBeLessThanOrEqual(
            (4 * Math.max(sd[i], Math.sqrt(o[i]))) / Math.sqrt(R),
          );
      }
    });

    it('extinction probability equals the branching-process value within 4 standard errors', () => {
      // Extinct fraction per save time, replicate by replicate (a one-replicate run's mean is its trajectory).
      const prep = prepareStochastic(nm.model);
      const partition = nicheHybridPartition(nm);
      const extinct = new Float64Array(saveat.length);
      const n = 200;
      for (let r = 0; r < n; r++) {
        const one = simulateApproximate(prep, {
          engine: 'hybrid',
          tEnd: saveat[saveat.length - 1],
          saveat,
          seed: 5,
          firstReplicate: r,
          params,
          ids: ['LSC_tot'],
          hybrid: { partition, method: 'tsit5' },
        }).column('LSC_tot');
        for (let i = 0; i < saveat.length; i++) if (one[i] < 0.5) extinct[i]++;
      }
      const ref = branchingExtinction(saveat, X0, Y0);
      const got = Array.from(extinct, (e) => e / n);
      for (let i = 1; i < saveat.length; i++) {
        const se = Math.sqrt((ref[i] * (1 - ref[i])) / n);
        expect(Math.abs(got[i] - ref[i]), `t = ${saveat[i]}: ${got[i]} vs ${ref[i]}`).toBeLessThanOrEqual(
          4 * se + 0.005,
        );
      }
      // Extinction goes from rare to likely across the window: the comparison has power.
      expect(ref[1]).toBeLessThan(0.05);
      expect(ref[saveat.length - 1]).toBeGreaterThan(0.8);
      console.info(
        `extinction by ${saveat.join(', ')} months: hybrid ${got.join(', ')}; branching ${ref.map((x) => x.toFixed(3)).join(', ')}`,
      );
    });
  });

  it('with a raised mutation probability some runs keep a T315I clone and some do not', () => {
    const nm = buildNiche(
      { exosomes: false, lineages: false, clones: ['T315I'], tki: { kind: 'switch' } },
      kb,
    );
    const prep = prepareStochastic(nm.model);
    const partition = nicheHybridPartition(nm);
    const n = 40;
    let kept = 0;
    for (let r = 0; r < n; r++) {
      const one = simulateApproximate(prep, {
        engine: 'hybrid',
        tEnd: 36,
        saveat: [0, 36],
        seed: 9,
        firstReplicate: r,
        params: { u_mut: 5e-5 },
        ids: ['X_T315I', 'Y_T315I'],
        hybrid: { partition, method: 'tsit5' },
      });
      if (one.column('X_T315I')[1] + one.column('Y_T315I')[1] >= 1) kept++;
    }
    console.info(`runs with a T315I clone at 36 months (u = 5e-5): ${kept}/${n}`);
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(n);
  });
});

/** P(no LSC left at t) for a linear two-type branching process from X0 quiescent and Y0 cycling cells (RK4). */
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
