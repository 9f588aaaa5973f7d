/**
 * Validation case V22 (cml-models.md §9, reference values of §3.2 computed there with deSolve): the Fassoni 2018
 * typical patient on standard dose (f = 1) from the start of therapy, BCR-ABL1 % = 100 Y/TY, on the catalogue
 * model `fassoni2018` with every value bound from the knowledge base, Rodas5P at rtol 1e-10.
 */
import { describe, expect, it } from 'vitest';
import { bcrAblSeries, toPercentIS } from '../../src/clinic/bcr-abl.js';
import { loadReferenceModel } from '../../src/knowledge/reference-models.js';
import { simulateModel } from '../../src/models/simulate.js';

const rel = (x: number, target: number) => Math.abs(x - target) / Math.abs(target);

describe('Fassoni 2018 typical patient (V22)', () => {
  const ref = loadReferenceModel('fassoni2018');
  const r = simulateModel(ref.model, {
    tEnd: 60,
    saveat: [0, 3, 6, 12, 24, 60],
    method: 'Rodas5P',
    rtol: 1e-10,
    atol: 1e-8,
  });
  const pct = r.column('bcr_abl_percent');

  it('integrates to 60 months and starts at 100 %', () => {
    expect(r.retcode).toBe('Success');
    expect(pct[0]).toBeCloseTo(100, 12);
  });

  it('V22: 5.05 % (3 mo), 0.33 % (6 mo), 0.061 % (12 mo), within 2 % relative', () => {
    expect(rel(pct[1], 5.05)).toBeLessThan(0.02);
    expect(rel(pct[2], 0.33)).toBeLessThan(0.02);
    expect(rel(pct[3], 0.061)).toBeLessThan(0.02);
  });

  it('continues with the §3.2 course: 0.033 % (24 mo), 0.0055 % (60 mo)', () => {
    expect(rel(pct[4], 0.033)).toBeLessThan(0.02);
    expect(rel(pct[5], 0.0055)).toBeLessThan(0.02);
  });

  it('has the eigenvalues -1.001 and -0.0499 per month of the linear system (slopes of §3.2)', () => {
    const p = Object.fromEntries(ref.bindings.map((b) => [b.id, b.value]));
    // d/dt [X, Y] = A [X, Y] with A = [[-pxy, pyx], [pxy, -pyx - (e_tki - py)]]
    const a = -p.pxy;
    const b = p.pyx;
    const c = p.pxy;
    const d = -p.pyx - (p.e_tki - p.py);
    const tr = a + d;
    const det = a * d - b * c;
    const l1 = (tr - Math.sqrt(tr * tr - 4 * det)) / 2;
    const l2 = (tr + Math.sqrt(tr * tr - 4 * det)) / 2;
    expect(l1).toBeCloseTo(-1.001, 3);
    expect(l2).toBeCloseTo(-0.0499, 4);
    // late slope of ln Y (months 24-60) equals the slow eigenvalue
    expect((Math.log(pct[5]) - Math.log(pct[4])) / 36).toBeCloseTo(l2, 3);
  });

  it('the model observable equals the relative read-out of src/clinic/bcr-abl.ts', () => {
    const ratio = bcrAblSeries(r, ref.info.readout, 'relative');
    for (let i = 0; i < ratio.length; i++) expect(toPercentIS(ratio[i])).toBeCloseTo(pct[i], 10);
  });
});
