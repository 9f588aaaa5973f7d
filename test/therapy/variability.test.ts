/** Log-normal inter-patient variability: the draws have the stated CV and median, reproducibly. */
import { describe, expect, it } from 'vitest';
import { loadKnowledgeBase } from '../../src/knowledge/index.js';
import {
  drugPk,
  individualParams,
  omegaFromCv,
  samplePatients,
  steadyState,
} from '../../src/therapy/index.js';

const kb = loadKnowledgeBase();

function cvOf(xs: number[]): { mean: number; cv: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1));
  return { mean, cv: sd / mean };
}

describe('log-normal variability', () => {
  it('omega^2 = ln(1 + CV^2), and eta = 0 gives the typical value', () => {
    expect(omegaFromCv(0.32) ** 2).toBeCloseTo(Math.log(1 + 0.32 ** 2), 14);
    const p = { model: 'one' as const, ka: 1, clF: 10, vF: 260 };
    expect(individualParams(p, { clF: 0.32, vF: 0.31 }, {})).toEqual(p);
    expect(individualParams(p, { clF: 0.32 }, { clF: 1 }).clF).toBeCloseTo(
      10 * Math.exp(omegaFromCv(0.32)),
      12,
    );
  });

  it('imatinib CL/F and V/F draws have the literature CVs (32 %, 31 %) within sampling error, fixed seed', () => {
    const pk = drugPk(kb, 'imatinib');
    expect(pk.cv).toEqual({ clF: 0.32, vF: 0.31 });
    const n = 4000;
    const ps = samplePatients(pk.params, pk.cv, 20261127, n, 'imatinib');
    const cl = cvOf(ps.map((p) => p.clF));
    const v = cvOf(ps.map((p) => p.vF));
    // standard error of a sample CV ~ CV sqrt((1 + 2 CV^2) / (2n)) ~ 0.004 here; allow 4 SE
    expect(Math.abs(cl.cv - 0.32)).toBeLessThan(0.02);
    expect(Math.abs(v.cv - 0.31)).toBeLessThan(0.02);
    // median is the typical value (log-mean 0 within 4 SE of omega/sqrt(n))
    const logMean = ps.reduce((a, p) => a + Math.log(p.clF / pk.params.clF), 0) / n;
    expect(Math.abs(logMean)).toBeLessThan((4 * omegaFromCv(0.32)) / Math.sqrt(n));
  });

  it('is reproducible and patient k does not depend on how many are drawn', () => {
    const pk = drugPk(kb, 'imatinib');
    const a = samplePatients(pk.params, pk.cv, 7, 10, 'imatinib');
    const b = samplePatients(pk.params, pk.cv, 7, 3, 'imatinib', 7);
    expect(b).toEqual(a.slice(7));
    expect(samplePatients(pk.params, pk.cv, 8, 1, 'imatinib')[0]).not.toEqual(a[0]);
  });

  it('V25 variability: CV of the steady-state trough across patients (IRIS day-29 CV 54 %; case tolerance 40-65 %)', () => {
    const pk = drugPk(kb, 'imatinib');
    const ps = samplePatients(pk.params, pk.cv, 11, 3000, 'imatinib');
    const cmins = ps.map((p) => steadyState(p, 400, 24).cmin);
    const { mean, cv } = cvOf(cmins);
    console.log(
      `imatinib 400 mg QD, 3000 virtual patients: Cmin,ss mean ${mean.toFixed(0)} ng/mL, CV ${(100 * cv).toFixed(1)} %`,
    );
    expect(Math.abs(mean / 1200 - 1)).toBeLessThanOrEqual(0.2);
    expect(cv).toBeGreaterThanOrEqual(0.4);
    expect(cv).toBeLessThanOrEqual(0.65);
  });
});
