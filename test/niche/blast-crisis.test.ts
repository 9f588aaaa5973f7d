/**
 * The blast-crisis route (src/niche/blast.ts) and the blast/phase read-outs (src/niche/readouts.ts) against the
 * natural history of CML in the knowledge base (clinical.natural_history.*): untreated, chronic phase lasts a
 * median 4.2 years (range 3-6), and the blast percentage then rises through the accelerated to the blast phase;
 * under imatinib with a good response no progression; without the route the blasts stay those of chronic phase.
 */
import { describe, expect, it } from 'vitest';
import { loadKnowledgeBase } from '../../src/knowledge/load.js';
import { simulateModel } from '../../src/models/simulate.js';
import { simulateApproximate } from '../../src/models/simulate-approximate.js';
import { prepareStochastic } from '../../src/models/simulate-stochastic.js';
import {
  blastPercent,
  buildNiche,
  buildNicheModel,
  NicheOptionsError,
  nicheHybridPartition,
  phaseCourse,
} from '../../src/niche/index.js';

const kb = loadKnowledgeBase();
const cp = kb.parameter('clinical.natural_history.cp_median_years');
const [cpLow, cpHigh] = cp.range as [number, number];
const YEAR = 12;
const grid = (end: number, step: number) =>
  Array.from({ length: Math.round(end / step) + 1 }, (_, i) => i * step);
const ode = (
  options: Parameters<typeof buildNicheModel>[0],
  tEnd: number,
  params: Record<string, number> = {},
) =>
  simulateModel(buildNicheModel(options, kb), {
    method: 'rodas5p',
    rtol: 1e-8,
    atol: 1e-8,
    tEnd,
    saveat: grid(tEnd, 0.5),
    params,
  });

describe('blast-crisis route', () => {
  it('untreated (ODE, expected value): chronic -> accelerated -> blast phase, in order, by the clinical bound', () => {
    const r = ode({ blastCrisis: true, tki: { kind: 'none' } }, 10 * YEAR);
    expect(r.retcode).toBe('Success');
    const who17 = phaseCourse(r, 'who2017');
    const eln = phaseCourse(r, 'eln2020');
    const who22 = phaseCourse(r, 'who2022');
    const ap = who17.onset.accelerated as number;
    const bp = who17.onset.blast as number;
    // Chronic phase at diagnosis, then in order AP (10-19 % blasts) and BP (>= 20 %), never back.
    expect(who17.phase[0]).toBe('chronic');
    expect(ap).toBeGreaterThan(0);
    expect(bp).toBeGreaterThan(ap);
    const rank = { chronic: 0, accelerated: 1, blast: 2 } as const;
    for (let i = 1; i < who17.phase.length; i++)
      expect(rank[who17.phase[i]]).toBeGreaterThanOrEqual(rank[who17.phase[i - 1]]);
    // The expected-value ODE seeds fractions of a blast cell from t = 0, so it transforms before the median patient
    // (the hybrid runs below; the founder cohort, V16): within the clinical range's upper bound, after the growth of
    // the first whole expected cell (F = 1 at the diagnosis rate, then ln(B*)/r_bc, more than a year).
    expect(ap / YEAR).toBeGreaterThanOrEqual(1);
    expect(ap / YEAR).toBeLessThanOrEqual(cpHigh);
    // ELN 2020's higher thresholds (15 %, 30 %) come later; WHO 2022 has no accelerated phase.
    expect(eln.onset.accelerated as number).toBeGreaterThan(ap);
    expect(eln.onset.blast as number).toBeGreaterThan(bp);
    expect(who22.phase).not.toContain('accelerated');
    expect(who22.onset.blast).toBe(bp);
    // Blast crisis: blasts dominate the marrow and appear in the blood.
    const b = blastPercent(r);
    const last = b.time.length - 1;
    expect(b.marrow[last]).toBeGreaterThan(50);
    expect(b.blood[last]).toBeGreaterThan(20);
    expect(b.blood[last]).toBeLessThan(b.marrow[last]);
    console.info(
      `untreated ODE: AP at ${(ap / YEAR).toFixed(2)} y, BP at ${(bp / YEAR).toFixed(2)} y (WHO 2017)`,
    );
  });

  it('under continuous imatinib (good responder, Hähnel patient 1) the TKI-sensitive blasts never progress', () => {
    // The expected-value ODE form carries every route in every patient: with the BCR-ABL-independent share on
    // (phi_bc > 0) its mean-field insensitive blasts outgrow the TKI in every run (checked below), which is why
    // patients run the founder model (blast-founder.test.ts). The sensitive route alone (phi_bc = 0):
    const r = ode({ blastCrisis: true, tki: { kind: 'switch' } }, 20 * YEAR, { phi_bc: 0 });
    const b = blastPercent(r);
    // Chronic phase throughout: a transient rise to about 6 % in the first months (the leukaemic differentiated
    // cells clear at d2 faster than the progenitors at d1, and the marrow empties), then about 1 %.
    expect(Math.max(...b.marrow)).toBeLessThan(10);
    const after = b.marrow.filter((_, i) => b.time[i] >= YEAR);
    expect(Math.max(...after)).toBeLessThan(2);
    expect(Math.max(...b.blood)).toBeLessThan(1e-6);
    expect(phaseCourse(r, 'who2017').onset.accelerated).toBeUndefined();
    expect(phaseCourse(r, 'eln2020').onset.accelerated).toBeUndefined();
    const mean = ode({ blastCrisis: true, tki: { kind: 'switch' } }, 20 * YEAR);
    expect(phaseCourse(mean, 'who2017').onset.blast).toBeDefined();
    expect(Math.max(...mean.column('Bs'))).toBeLessThan(1);
  });

  it('without the route the blasts stay at chronic-phase levels (untreated, 20 years)', () => {
    const r = ode({ tki: { kind: 'none' } }, 20 * YEAR);
    const b = blastPercent(r);
    expect(Math.max(...b.marrow)).toBeLessThan(10);
    expect(Math.min(...b.marrow)).toBeGreaterThan(0);
    expect(Math.max(...b.blood)).toBe(0);
    expect(new Set(phaseCourse(r, 'who2017').phase)).toEqual(new Set(['chronic']));
  });

  it('untreated (hybrid, 40 runs): the median time to blast phase lies in the clinical range', () => {
    const nm = buildNiche({ blastCrisis: true, tki: { kind: 'none' }, exosomes: false }, kb);
    const prep = prepareStochastic(nm.model);
    const partition = nicheHybridPartition(nm);
    const saveat = grid(15 * YEAR, 1);
    const bp: number[] = [];
    for (let k = 0; k < 40; k++) {
      const one = simulateApproximate(prep, {
        engine: 'hybrid',
        tEnd: 15 * YEAR,
        saveat,
        seed: 2,
        firstReplicate: k,
        ids: ['blasts_marrow_percent', 'blasts_blood_percent'],
        hybrid: { partition, method: 'rodas5p', rtol: 1e-6 },
      });
      bp.push(phaseCourse(one, 'who2017').onset.blast ?? Number.POSITIVE_INFINITY);
    }
    bp.sort((a, b) => a - b);
    const median = (bp[19] + bp[20]) / 2 / YEAR;
    expect(median).toBeGreaterThanOrEqual(cpLow);
    expect(median).toBeLessThanOrEqual(cpHigh);
    // Stochastic waiting times spread the onsets over years (the ODE has a single onset).
    expect((bp[29] - bp[10]) / YEAR).toBeGreaterThan(0.5);
    console.info(
      `untreated hybrid: blast phase median ${median.toFixed(2)} y, quartiles ${(bp[10] / YEAR).toFixed(2)}-${(bp[29] / YEAR).toFixed(2)} y`,
    );
  });

  it('the route needs the lineages', () => {
    expect(() => buildNicheModel({ blastCrisis: true, lineages: false }, kb)).toThrow(NicheOptionsError);
  });
});
