import { describe, expect, it } from 'vitest';
import { loadReferenceModel } from '../../src/knowledge/reference-models.js';
import { simulateApproximate } from '../../src/models/simulate-approximate.js';
import { prepareStochastic } from '../../src/models/simulate-stochastic.js';

const michor = prepareStochastic(loadReferenceModel('michor2005').model);

describe('simulateApproximate', () => {
  it('refuses a model with events unless told to ignore them', () => {
    expect(() => simulateApproximate(michor, { engine: 'hybrid', tEnd: 10 })).toThrow(/event/);
  });

  it('hybrid Michor 2005: continuous y0 follows its ODE exactly; z0 appears by mutation', () => {
    const res = simulateApproximate(michor, {
      engine: 'hybrid',
      tEnd: 3650,
      steps: 10,
      replicates: 20,
      seed: 4,
      events: 'ignore',
      params: { imatinib: 1 },
      ids: ['y0', 'z0'],
      hybrid: {
        partition: {
          x0: 'continuous',
          y0: 'continuous',
          y1: 'continuous',
          y2: 'continuous',
          y3: 'continuous',
          x1: 'continuous',
          x2: 'continuous',
          x3: 'continuous',
          z1: 'continuous',
          z2: 'continuous',
          z3: 'continuous',
        },
        atol: 1e-3,
        rtol: 1e-8,
      },
    });
    // dy0/dt = (ry (1 - u) - d0) y0
    const rate = 0.008 * (1 - 4e-8) - 0.003;
    const y0 = res.column('y0');
    for (let i = 0; i < res.time.length; i++) {
      const exact = 2.5e5 * Math.exp(rate * res.time[i]);
      expect(Math.abs(y0[i] - exact)).toBeLessThanOrEqual(1e-6 * exact);
    }
    expect(res.column('y0', 'sd')[10]).toBeLessThan(1e-6 * y0[10]);
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
      events: 'ignore',
      params: { imatinib: 1 },
      ids: ['y0'],
    });
    const rate = 0.008 * (1 - 4e-8) - 0.003;
    const exact = 2.5e5 * Math.exp(rate * 100);
    const m = res.column('y0')[2];
    const sd = res.column('y0', 'sd')[2];
    expect(Math.abs(m - exact)).toBeLessThan(5 * (sd / Math.sqrt(20)) + 1e-3 * exact);
  });
});
