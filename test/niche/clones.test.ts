/**
 * Resistant clones arise at LSC division (Michor 2005's mutation probability u per division, lsc.ts): the initial
 * influx into a mutant clone is u times the division rate py of the cycling native LSCs, for every clone listed;
 * the immune compartment has Hähnel's form (its reduction is test/niche/reduction.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { loadKnowledgeBase } from '../../src/knowledge/load.js';
import { simulateModel } from '../../src/models/simulate.js';
import { buildNiche } from '../../src/niche/index.js';

const kb = loadKnowledgeBase();

describe('resistant clones', () => {
  it('arise at native LSC division with probability u: initial influx u py Y0 per clone', () => {
    const nm = buildNiche({ exosomes: false, clones: ['T315I', 'E255K'], tki: { kind: 'none' } }, kb);
    const dt = 1e-4;
    const r = simulateModel(nm.model, {
      method: 'rodas5p',
      rtol: 1e-10,
      atol: 1e-14,
      tEnd: dt,
      saveat: [0, dt],
    });
    const u = kb.parameter('michor2005.u').value;
    const py = kb.parameter('hahnel2020.py').value;
    const Y0 = kb.parameter('hahnel2020.patient01.Y0').value;
    for (const c of ['T315I', 'E255K']) {
      const influx = r.column(`Y_${c}`)[1] / dt;
      expect(Math.abs(influx / (u * py * Y0) - 1), c).toBeLessThan(1e-3);
      expect(r.column(`X_${c}`)[1]).toBeLessThan(r.column(`Y_${c}`)[1] * 1e-3); // mutants are born cycling
    }
    expect(nm.lsc.cycling).toEqual(['Y', 'Y_T315I', 'Y_E255K']);
    expect(nm.lsc.immune).toBe('Z');
  });
});
