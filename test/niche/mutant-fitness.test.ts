/**
 * Off-drug relative fitness of resistant clones (lsc.ts, V23): a multiplier f_c of the division rate py in the
 * clone's growth term, read from the knowledge base (`mutation_fitness.<id>`). f = 1 must leave the model
 * bit-identical to the model without the entry; f != 1 must change the clone's early growth exactly as the linear
 * two-compartment analysis predicts.
 */
import { describe, expect, it } from 'vitest';
import { buildSetUp } from '../../src/experiments/culture.js';
import type { KnowledgeBase } from '../../src/knowledge/load.js';
import { loadKnowledgeBase } from '../../src/knowledge/load.js';
import type { Parameter } from '../../src/knowledge/schema/common.js';
import { simulateModel } from '../../src/models/simulate.js';
import { buildNiche, buildNicheModel } from '../../src/niche/index.js';
import { mutantFitnessKey } from '../../src/niche/lsc.js';

const kb = loadKnowledgeBase();

/** The knowledge base with the fitness entry of `mutation` set to `value`, or removed (undefined). */
function withFitness(mutation: string, value: number | undefined): KnowledgeBase {
  const key = mutantFitnessKey(mutation);
  const params = new Map(kb.parameters);
  if (value === undefined) params.delete(key);
  else {
    const base = kb.parameters.get(key) as Parameter;
    params.set(key, { ...base, value, range: [Math.min(value, 0), Math.max(value, 10)] });
  }
  return {
    ...kb,
    parameters: params,
    parameter: (k: string) => {
      const p = params.get(k);
      if (!p) throw new Error(`no parameter ${k}`);
      return p;
    },
  };
}

describe('mutant off-drug fitness', () => {
  it('the knowledge base has a T315I entry, neutral (1) with an assumed range and no V23 reference', () => {
    const p = kb.parameter(mutantFitnessKey('T315I'));
    expect(p).toMatchObject({ value: 1, units: '1', evidence: 'A' });
    expect(p.range?.[0]).toBeLessThan(1);
    expect(p.range?.[1]).toBeGreaterThan(1);
    // Hanfstein 2011 is the V23 target: it must not be the source of the parameter
    expect(p.refs).not.toContain('hanfstein2011');
  });

  it('is written only for clones with a KB value: Grow_T315I carries fit_T315I, Grow_E255K and the native clone not', () => {
    const nm = buildNiche({ exosomes: false, clones: ['T315I', 'E255K'], tki: { kind: 'none' } }, kb);
    const rate = (id: string) => {
      const line = nm.text.split('\n').find((l) => l.trim().startsWith(`${id}:`));
      if (!line) throw new Error(`no reaction ${id}`);
      return line;
    };
    expect(rate('Grow_T315I')).toContain('fit_T315I');
    expect(rate('Grow_E255K')).not.toContain('fit_');
    expect(rate('Grow')).not.toContain('fit_');
    expect(nm.model.parameters.find((p) => p.id === 'fit_T315I')?.value).toBe(1);
  });

  it('f = 1 is bit-identical to the model without the entry (imatinib, T315I emerging, stop at month 48)', () => {
    const options = {
      patient: 3,
      clones: ['T315I'],
      tki: { kind: 'switch', drug: 'imatinib', stopAt: 48 },
    } as const;
    const times = [0, 12, 24, 36, 48, 50, 54, 60];
    const run = (k: KnowledgeBase) =>
      simulateModel(buildNicheModel(options, k), {
        method: 'rodas5p',
        rtol: 1e-8,
        atol: 1e-6,
        tEnd: 60,
        saveat: times,
      });
    const a = run(withFitness('T315I', 1));
    const b = run(withFitness('T315I', undefined));
    expect(a.retcode).toBe('Success');
    expect(b.retcode).toBe('Success');
    expect(Array.from(a.time)).toEqual(Array.from(b.time));
    for (const id of ['X', 'Y', 'X_T315I', 'Y_T315I', 'Z']) {
      const ca = Array.from(a.column(id));
      expect(ca, id).toEqual(Array.from(b.column(id)));
    }
    expect(a.stats.steps).toBe(b.stats.steps);
    expect(a.stats.fEvals).toBe(b.stats.fEvals);
  });

  it('early off-drug growth of a lone clone follows the leading eigenvalue of its X/Y system, for f = 1 and 0.6', () => {
    // native LSCs absent (no mutation influx), no immune, no exosomes, no lineages, no drug: for Y << Ky
    //   dY/dt = (f py - pyx) Y + pxy X,  dX/dt = pyx Y - pxy X
    const py = kb.parameter('hahnel2020.py').value;
    const pyx = kb.parameter('hahnel2020.patient01.pyx').value;
    const pxy = kb.parameter('hahnel2020.patient01.pxy').value;
    const Ky = kb.parameter('hahnel2020.Ky').value;
    const rates: number[] = [];
    for (const f of [1, 0.6]) {
      const a = f * py - pyx;
      const d = -pxy;
      const lambda = (a + d) / 2 + Math.sqrt(((a - d) / 2) ** 2 + pxy * pyx);
      const model = buildSetUp(withFitness('T315I', f), {
        options: {
          exosomes: false,
          immune: false,
          lineages: false,
          clones: ['T315I'],
          tki: { kind: 'none' },
        },
        initial: { X: 0, Y: 0, X_T315I: 0, Y_T315I: Ky * 1e-12 },
      });
      // long enough for the leading mode to dominate, short enough that the logistic factor stays ~1
      // (spectral gap ~ py: the second mode is down by e^-13 at month 8; growth to month 10 stays < 1e-4 Ky)
      const t1 = 8;
      const t2 = 10;
      const r = simulateModel(model, {
        method: 'rodas5p',
        rtol: 1e-10,
        atol: 1e-20,
        tEnd: t2,
        saveat: [t1, t2],
      });
      expect(r.retcode).toBe('Success');
      const y = r.column('Y_T315I');
      const x = r.column('X_T315I');
      expect((x[1] + y[1]) / Ky).toBeLessThan(1e-4);
      const observed = Math.log((x[1] + y[1]) / (x[0] + y[0])) / (t2 - t1);
      expect(Math.abs(observed - lambda), `f = ${f}: ${observed} vs ${lambda}`).toBeLessThanOrEqual(
        1e-4 * Math.abs(lambda) + 1e-6,
      );
      rates.push(observed);
    }
    expect(rates[1]).toBeLessThan(rates[0]);
  });
});
