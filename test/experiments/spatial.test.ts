/** The spatial virtual experiments: every expectation met, and tube formation equal to the ODE's VE-1 / VE-3. */
import { describe, expect, it } from 'vitest';
import { VE1, VE3 } from '../../src/experiments/endothelium.js';
import { judge } from '../../src/experiments/evaluate.js';
import { spatialExperiments, TUBE_FORMATION } from '../../src/experiments/spatial.js';
import { loadKnowledgeBase } from '../../src/knowledge/load.js';

const kb = loadKnowledgeBase();

describe('spatial experiments', () => {
  for (const e of spatialExperiments) {
    it(`${e.id}: every expectation is met`, () => {
      const r = e.run(kb);
      for (const x of e.expectations) {
        const v = r.measures[x.id];
        expect(typeof v, x.id).toBe('number');
        expect(judge(x.criterion, v), `${x.id} = ${v}`).toBe('pass');
      }
    });
  }

  it('with a uniform held dose, tube formation equals the ODE experiments (well-mixed culture)', () => {
    const s = TUBE_FORMATION.run(kb).measures;
    const ve1 = VE1.run(kb).measures;
    const ve3 = VE3.run(kb).measures;
    // Same channels, same KB values; the spatial read-out time is rounded to whole 6-min phenotype steps.
    expect(s.tube_fold as number).toBeCloseTo(ve1.tube_fold as number, 4);
    expect(s.tube_imatinib as number).toBeCloseTo(ve3.tube_imatinib as number, 4);
  });
});
