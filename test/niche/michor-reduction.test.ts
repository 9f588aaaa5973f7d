/**
 * The niche model reduces to Michor et al. 2005 (Nature 435:1267): with the exosome layer off (niche cells
 * static), no immune compartment and the Michor stem-cell core (`stemCore: 'michor'`: LSCs divide at ry and exit
 * at d0, untouched by imatinib; normal stem cells at their homeostatic set-point), the lineages are Michor's
 * equations and the trajectory equals models/reference/michor2005.exm run through simulateModel (days there,
 * months here; Michor's resistant z lineage is switched off in both, u = 0). It shows Michor's biphasic decline of the BCR-ABL ratio under imatinib: a first slope set by the
 * turnover of differentiated cells (d2 = 0.05/day) and a second by that of progenitors (d1 = 0.008/day)
 * (cml-models.md §2), and the rise after about a year from the untouched, slowly growing LSCs.
 */
import { describe, expect, it } from 'vitest';
import { loadKnowledgeBase } from '../../src/knowledge/load.js';
import { loadReferenceModel } from '../../src/knowledge/reference-models.js';
import { simulateModel } from '../../src/models/simulate.js';
import { buildNicheModel, NicheOptionsError } from '../../src/niche/index.js';
import { DAYS_PER_MONTH } from '../../src/therapy/rules.js';

const kb = loadKnowledgeBase();
const months = Array.from({ length: 25 }, (_, i) => i); // 0..24 months
const opts = { method: 'rodas5p', rtol: 1e-10, atol: 1e-6, maxSteps: 1e6 };
// Michor's resistant lineage (z, fed at ry u y0) has no counterpart in the Michor core (no clones): u = 0 in both.
const ref = simulateModel(loadReferenceModel('michor2005', { kb }).model, {
  ...opts,
  params: { u: 0 },
  tEnd: 24 * DAYS_PER_MONTH,
  saveat: months.map((m) => m * DAYS_PER_MONTH),
});
const niche = simulateModel(
  buildNicheModel({ stemCore: 'michor', exosomes: false, immune: false, tki: { kind: 'switch' } }, kb),
  { ...opts, params: { u_mut: 0 }, tEnd: 24, saveat: months },
);

/** Slope of ln(bcr_abl) per day between two day marks, on a fine grid of the niche model. */
function slopePerDay(d0: number, d1: number): number {
  const m = buildNicheModel(
    { stemCore: 'michor', exosomes: false, immune: false, tki: { kind: 'switch' } },
    kb,
  );
  const r = simulateModel(m, {
    ...opts,
    tEnd: d1 / DAYS_PER_MONTH,
    saveat: [d0 / DAYS_PER_MONTH, d1 / DAYS_PER_MONTH],
  });
  const b = r.column('bcr_abl');
  return Math.log(b[1] / b[0]) / (d1 - d0);
}

describe('niche model reduces to Michor 2005', () => {
  it('every compartment and the BCR-ABL ratio agree with models/reference/michor2005.exm (1e-6 relative)', () => {
    expect(ref.retcode).toBe('Success');
    expect(niche.retcode).toBe('Success');
    const pairs: [string, string][] = [
      ['x0', 'N'],
      ['x1', 'x1'],
      ['x2', 'x2'],
      ['x3', 'x3'],
      ['y0', 'Y'],
      ['y1', 'y1'],
      ['y2', 'y2'],
      ['y3', 'y3'],
      ['bcr_abl', 'bcr_abl'],
      ['leukaemic_fraction', 'leukaemic_fraction'],
    ];
    // Same equations in days and in months: the two runs differ by integration and dense-output error only.
    for (const [a, b] of pairs) {
      const u = ref.column(a);
      const v = niche.column(b);
      let worst = 0;
      for (let i = 0; i < u.length; i++)
        worst = Math.max(worst, Math.abs(u[i] - v[i]) / (1e-12 + 1e-6 * Math.abs(u[i])));
      expect(worst, a).toBeLessThanOrEqual(1);
    }
  });

  it('biphasic decline: slopes near -d2 (days 30-100) and -d1 (days 220-310), then the rise', () => {
    const d2 = kb.parameter('michor2005.d2').value;
    const d1 = kb.parameter('michor2005.d1').value;
    const s1 = slopePerDay(30, 100);
    const s2 = slopePerDay(220, 310);
    // Michor's slopes are the exit rates of differentiated cells (d2) and progenitors (d1); the ratio also carries
    // the slowly growing LSCs (ry - d0 = 0.005/day) and the tail of the first phase, so the measured slopes fall
    // short of d2 and d1: within 10 % and 25 %.
    expect(Math.abs(s1 / -d2 - 1)).toBeLessThan(0.1);
    expect(s2).toBeLessThan(0);
    expect(Math.abs(s2 / -d1 - 1)).toBeLessThan(0.25);
    // The two phases differ by the factor d2/d1 (about 6): a true biphasic decline, not one exponential.
    expect(s1 / s2).toBeGreaterThan(3);
    // Tang 2011's imatinib slopes (0.052 ± 0.018/day, 0.0057 ± 0.0038/day [V]): within one SD.
    expect(Math.abs(-s1 - 0.052)).toBeLessThan(0.018);
    expect(Math.abs(-s2 - 0.0057)).toBeLessThan(0.0038);
    console.info(`Michor slopes: ${s1.toFixed(4)}/day, ${s2.toFixed(4)}/day`);
    // Without a LSC kill the ratio rises again within 2 years (Michor 2005's literal equations).
    const b = niche.column('bcr_abl');
    expect(b[24]).toBeGreaterThan(Math.min(...b) * 1.5);
  });

  it('the Michor core refuses the exosome layer, the immune compartment and missing lineages', () => {
    expect(() => buildNicheModel({ stemCore: 'michor' }, kb)).toThrow(NicheOptionsError);
    expect(() => buildNicheModel({ stemCore: 'michor', exosomes: false, immune: true }, kb)).toThrow(
      /immune/,
    );
    expect(() => buildNicheModel({ stemCore: 'michor', exosomes: false, lineages: false }, kb)).toThrow(
      /lineages/,
    );
  });
});
