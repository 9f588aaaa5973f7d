/**
 * DSMTS (SBML Test Suite stochastic cases) through the SBML reader, 10,000 replicates each, with the suite's
 * rules (see dsmts.ts). `npm test` runs a representative subset that covers every feature the core cases use
 * (birth-death, immigration-death, dimerisation, batch immigration, local parameters, an assignment rule,
 * time- and state-triggered events) and costs a few seconds; `npm run dsmts` runs all core cases 00001-00039.
 *
 * What a correct simulator fails: under the null each Z is approximately standard normal, so a mean point
 * fails with probability q = P(|Z| >= 3) = 0.0027; the points of one case are correlated in time, so failures
 * come in small clusters, but the expected count is q times the points. We assert (a) per case and output at
 * most 3 mean failures (the suite's "2-3 should be checked"; at this seed dimerisation 003-01 under the
 * next-reaction method has Z = 3.82 and 3.13 at t = 2, 3 for P and, mirrored, P2 - chance: the same case at
 * 40,000 replicates and two other seeds under both engines gives max |Z| <= 2.1), and (b) over the subset a count below the binomial
 * upper bound at level 1e-3 (the count of a correct simulator exceeds it with probability < 1e-3 if points
 * were independent; clustering makes it a little more likely, so the seed is fixed and the outcome is
 * reported). For SDs, Y is approximately normal with variance 1 + kappa/2 (kappa the excess kurtosis of the
 * counts, estimated from the ensemble): |Y| >= 5 has probability ~1e-6 for near-normal counts but is common
 * for heavy-tailed ones (DSMTS 001-03 near extinction has kappa ~ 40, so sd(Y) ~ 4.6 and about 10% of its SD
 * points fail for a correct simulator; it is in `npm run dsmts`, not here). We assert SD failures per case
 * below the Poisson upper bound (level 1e-3) for the kurtosis-corrected expected count, and at least 1.
 */
import { describe, expect, it } from 'vitest';
import {
  binomialUpperBound,
  loadDsmtsCase,
  normalTwoSided,
  poissonUpperBound,
  runDsmtsCase,
} from './dsmts.js';

const SUBSET = [
  '00004', // birth-death from 10 (extinction common)
  '00011', // birth-death, concentration species in a compartment of size 2 (amounts reported)
  '00020', // immigration-death
  '00028', // immigration-death with a time event (t >= 25)
  '00029', // ... t >= 22.5 between save points
  '00030', // dimerisation 2P -> P2 with k1*P*(P-1)/2
  '00032', // dimerisation with a time event
  '00033', // dimerisation with a state event (P2 > 30)
  '00034', // dimerisation in P2 only
  '00038', // batch immigration (-> 10 X)
];
const N = 10000;

describe('DSMTS (10,000 replicates, subset; `npm run dsmts` for all core cases)', () => {
  it('fails no more points than a correct simulator would', { timeout: 120000 }, () => {
    let meanPoints = 0;
    let meanFailures = 0;
    let sdFailures = 0;
    const lines: string[] = [];
    for (const id of SUBSET) {
      const o = runDsmtsCase(loadDsmtsCase(id), { replicates: N, engine: id < '00030' ? 'ssa' : 'nrm' });
      meanPoints += o.meanPoints;
      meanFailures += o.meanFailures;
      sdFailures += o.sdFailures;
      lines.push(
        `${id}: mean ${o.meanFailures}/${o.meanPoints} (expected ${o.expectedMeanFailures.toFixed(2)}), sd ${o.sdFailures}/${o.sdPoints} (expected ${o.expectedSdFailures.toFixed(2)}), max|Z| ${o.maxZ.toFixed(2)}, max|Y| ${o.maxY.toFixed(2)} ${o.failures.join('; ')}`,
      );
      expect(o.meanPoints).toBeGreaterThan(40);
      // Per output variable (in dimerisation P + 2 P2 is conserved, so their failures come in pairs).
      const perOutput = new Map<string, number>();
      for (const f of o.failures)
        if (f.includes('-mean@')) perOutput.set(f.split('@')[0], (perOutput.get(f.split('@')[0]) ?? 0) + 1);
      for (const [out, count] of perOutput)
        expect(count, `${id} ${out}: ${o.failures.join('; ')}`).toBeLessThanOrEqual(3);
      expect(o.sdFailures, `${id}: ${o.failures.join('; ')}`).toBeLessThan(
        Math.max(2, poissonUpperBound(o.expectedSdFailures, 1e-3)),
      );
    }
    const q = normalTwoSided(3);
    const bound = binomialUpperBound(meanPoints, q, 1e-3);
    console.log(
      `${lines.join('\n')}\nDSMTS subset: ${meanFailures}/${meanPoints} mean points failed (expected ${(q * meanPoints).toFixed(1)}, bound ${bound}), ${sdFailures} SD points`,
    );
    expect(meanFailures).toBeLessThan(bound);
    expect(sdFailures).toBeLessThanOrEqual(2);
  });

  it('the binomial bound helper', () => {
    // P(Binomial(100, 0.01) >= k) <= 1e-3 first for k = 6 (P(X >= 5) = 3.4e-3, P(X >= 6) = 5.5e-4).
    expect(binomialUpperBound(100, 0.01, 1e-3)).toBe(6);
    expect(normalTwoSided(3)).toBeCloseTo(0.0026998, 6);
    // P(Poisson(5) >= 12) = 5.5e-3, P(Poisson(5) >= 13) = 2.0e-3, P(Poisson(5) >= 14) = 7.0e-4.
    expect(poissonUpperBound(5, 1e-3)).toBe(14);
  });
});
