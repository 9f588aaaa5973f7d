/**
 * The reference-model catalogue: every model loads with its values bound from the knowledge base, the binding
 * rejects missing keys, mismatches, unit conflicts and unsourced literature values, the Hähnel and Clapp patients
 * rebind, every model simulates with its default outputs, and every model survives an SBML round trip.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSbml, writeSbml } from '../../src/io/sbml/index.js';
import { loadKnowledgeBase } from '../../src/knowledge/load.js';
import {
  bindKnowledge,
  isReferenceModelName,
  loadReferenceModel,
  REFERENCE_MODELS,
  ReferenceModelError,
  referenceModelInfo,
  referenceModelNames,
  referenceModelPath,
} from '../../src/knowledge/reference-models.js';
import { simulateModel } from '../../src/models/simulate.js';
import { parseModel } from '../../src/models/text/index.js';

const ROOT = resolve(import.meta.dirname, '../..');
/** Only the model files of the knowledge base (they define every reference they cite), so that work in progress
 * elsewhere in data/knowledge cannot break these tests; the full base is checked by the last test. */
const kb = loadKnowledgeBase(join(ROOT, 'data/knowledge/models'));
const NAMES = ['michor2005', 'fassoni2018', 'hahnel2020', 'clapp2015', 'foo2009'];

describe('reference-model catalogue', () => {
  it('lists the five published models with their conventions', () => {
    expect(referenceModelNames()).toEqual(NAMES);
    for (const m of REFERENCE_MODELS) {
      expect(isReferenceModelName(m.name)).toBe(true);
      expect(m.readout.conventions).toContain(m.readout.defaultConvention);
      expect(m.refs.every((r) => kb.references.has(r))).toBe(true);
      expect(m.treatment.length).toBeGreaterThan(20);
    }
    expect(referenceModelInfo('hahnel2020').timeUnit).toBe('month');
    expect(referenceModelInfo('fassoni2018').timeUnit).toBe('month');
    expect(referenceModelInfo('michor2005').timeUnit).toBe('day');
    expect(() => referenceModelInfo('michor')).toThrow(/available: michor2005/);
    expect(isReferenceModelName('models/reference/michor2005.exm')).toBe(false);
  });

  for (const name of NAMES) {
    it(`${name}: binds every literature value from the knowledge base and simulates its default outputs`, () => {
      const ref = loadReferenceModel(name, { kb });
      expect(ref.model.id).toBe(name);
      // every kb-sourced element of the file is bound to the knowledge-base value
      const file = parseModel(readFileSync(referenceModelPath(name), 'utf8'));
      const sourced = [...file.parameters, ...file.species].filter((e) => e.source?.kb);
      expect(ref.bindings.map((b) => b.id).sort()).toEqual(sourced.map((e) => e.id).sort());
      for (const b of ref.bindings) {
        expect(kb.parameter(b.key).value).toBe(b.value);
        const p = ref.model.parameters.find((q) => q.id === b.id);
        const s = ref.model.species.find((q) => q.id === b.id);
        expect(p?.value ?? s?.initialAmount).toBe(b.value);
      }
      const r = simulateModel(ref.model, {
        tEnd: ref.info.defaultTEnd,
        steps: 20,
        method: 'Rodas5P',
        rtol: 1e-8,
        atol: 1e-8,
      });
      expect(r.retcode).toBe('Success');
      for (const id of ref.info.defaultOutputs) expect(r.ids).toContain(id);
      for (const id of ref.info.controls) expect(r.ids).toContain(id);
      const readout = r.column(r.ids.includes('bcr_abl_percent') ? 'bcr_abl_percent' : 'bcr_abl');
      expect(readout.every((v) => Number.isFinite(v) && v >= 0)).toBe(true);
    });
  }

  it('the treatment of each model is on by default and can be switched off', () => {
    // Michor: untreated leukaemic terminal cells keep growing; treated they fall
    const ref = loadReferenceModel('michor2005', { kb });
    const on = simulateModel(ref.model, {
      tEnd: 100,
      saveat: [0, 100],
      method: 'Rodas5P',
      rtol: 1e-8,
      params: { u: 0 },
    });
    const off = simulateModel(ref.model, {
      tEnd: 100,
      saveat: [0, 100],
      method: 'Rodas5P',
      rtol: 1e-8,
      params: { u: 0, t_imatinib_start: 1e12 },
    });
    expect(on.column('y3')[1]).toBeLessThan(0.1 * on.column('y3')[0]);
    expect(off.column('y3')[1]).toBeGreaterThan(off.column('y3')[0]);
    expect(on.column('imatinib')[1]).toBe(1);
    expect(off.column('imatinib')[1]).toBe(0);
  });
});

describe('binding rules', () => {
  const text = readFileSync(referenceModelPath('michor2005'), 'utf8');
  const controls = referenceModelInfo('michor2005').controls;
  const bind = (t: string) => bindKnowledge(parseModel(t), kb, { controls });

  it('a value in the model file that differs from the knowledge base is an error', () => {
    expect(() => bind(text.replace('d0 = 0.003 per_day', 'd0 = 0.004 per_day'))).toThrow(
      /d0: value 0.004 in the model file differs from the knowledge base michor2005.d0 = 0.003/,
    );
  });
  it('a missing knowledge-base key is an error', () => {
    expect(() => bind(text.replace('kb = "michor2005.d0"', 'kb = "michor2005.d0x"'))).toThrow(
      /knowledge-base key 'michor2005.d0x' not found/,
    );
  });
  it('a unit that differs from the knowledge base is an error', () => {
    // same dimension (so the model file itself is valid), different unit name from the knowledge base's
    expect(() => bind(text.replace('x0_star = 1e6 cells', 'x0_star = 1e6 item'))).toThrow(
      /x0_star: units 'item' in the model file, 'cells' in the knowledge base/,
    );
  });
  it('a literature value without a knowledge-base source is an error; controls are allowed', () => {
    expect(() => bind(text.replace(/d0 = 0\.003 per_day\s+@source\([^)]*\)/, 'd0 = 0.003 per_day'))).toThrow(
      /d0: value 0.003 has no knowledge-base source/,
    );
    expect(() =>
      bind(
        text.replace(
          'y0_init = 2.5e5 cells  @source(kb = "michor2005.y0_init", evidence = T)',
          'y0_init = 2.5e5 cells',
        ),
      ),
    ).toThrow(/y0_init: value 250000 has no knowledge-base source/);
    expect(() => bind(text.replace('species z0 in marrow = 0', 'species z0 in marrow = 5'))).toThrow(
      /z0: initial value 5 has no knowledge-base source/,
    );
    expect(() => bindKnowledge(parseModel(text), kb, { controls: [] })).toThrow(/t_imatinib_start/);
    // all problems are reported together
    try {
      bind(
        text
          .replace('d0 = 0.003 per_day', 'd0 = 0.004 per_day')
          .replace('kb = "michor2005.d1"', 'kb = "nope.d1"'),
      );
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ReferenceModelError);
      expect((err as ReferenceModelError).issues).toHaveLength(2);
    }
  });
});

describe('patients', () => {
  // Classes from myelo/inst/doc/glauchePars20.R (an independent listing of the transcriber's classes)
  const CLASS: Record<string, number[]> = {
    A: [2, 3, 7, 9, 18, 19],
    B: [6, 12, 13, 14, 15, 16, 20, 21],
    C: [1, 4, 5, 8, 10, 11, 17],
  };

  it('Hähnel 2020: all 21 patients load with their own parameters and class', () => {
    for (let k = 1; k <= 21; k++) {
      const ref = loadReferenceModel('hahnel2020', { kb, patient: k });
      const tag = `hahnel2020.patient${String(k).padStart(2, '0')}`;
      const p = Object.fromEntries(ref.model.parameters.map((q) => [q.id, q.value]));
      for (const sym of ['pyx', 'pxy', 'e_tki', 'pz', 'Kz', 't_stop'])
        expect(p[sym]).toBe(kb.parameter(`${tag}.${sym}`).value);
      // initial values are the parameters X_init, Y_init, Z_init (knowledge-base keys X0, Y0, Z0)
      for (const sym of ['X0', 'Y0', 'Z0'])
        expect(p[`${sym[0]}_init`]).toBe(kb.parameter(`${tag}.${sym}`).value);
      const s = { X: p.X_init, Y: p.Y_init };
      expect(p.py).toBe(1.658);
      expect(ref.patient).toBe(k);
      expect(CLASS[ref.patientClass!]).toContain(k);
      // X0 is the transcriber's quasi-equilibrium pyx*Y0/pxy (3 significant digits)
      expect(Math.abs(s.X! / ((p.pyx! * s.Y!) / p.pxy!) - 1)).toBeLessThan(0.01);
    }
    expect([...kb.parameters.keys()].filter((key) => key.startsWith('hahnel2020.patient')).length).toBe(
      21 * 9,
    );
  });

  it('Clapp 2015: 12 patients with derived sz, eps, alpha', () => {
    for (let k = 1; k <= 12; k++) {
      const ref = loadReferenceModel('clapp2015', { kb, patient: k });
      const r = simulateModel(ref.model, { tEnd: 1, steps: 1, method: 'Rodas5P' });
      const v = (id: string) => r.column(id)[0];
      expect(v('sz')).toBeCloseTo(120 * v('dz'), 12);
      expect(v('eps')).toBeCloseTo(1 / (v('ymin') * v('ymax')), 20);
      expect(v('alpha') / ((v('ymin') + v('ymax')) * v('eps') * v('dz'))).toBeCloseTo(1, 12);
    }
  });

  it('rejects patients out of range and patients for models without them', () => {
    expect(() => loadReferenceModel('hahnel2020', { kb, patient: 22 })).toThrow(/1 to 21/);
    expect(() => loadReferenceModel('hahnel2020', { kb, patient: 0 })).toThrow(/1 to 21/);
    expect(() => loadReferenceModel('hahnel2020', { kb, patient: 1.5 })).toThrow(/integer/);
    expect(() => loadReferenceModel('michor2005', { kb, patient: 1 })).toThrow(/no patient-specific/);
    expect(loadReferenceModel('hahnel2020', { kb }).patient).toBe(1);
  });
});

describe('SBML export', () => {
  for (const name of NAMES) {
    it(`${name} round-trips through SBML with the same time course`, () => {
      const ref = loadReferenceModel(name, { kb, ...(name === 'hahnel2020' ? { patient: 6 } : {}) });
      const back = readSbml(writeSbml(ref.model), `${name}.xml`);
      const opts = {
        tEnd: ref.info.defaultTEnd,
        steps: 10,
        method: 'Rodas5P',
        rtol: 1e-9,
        atol: 1e-9,
      } as const;
      const a = simulateModel(ref.model, opts);
      const b = simulateModel(back, opts);
      for (const s of ref.model.species) {
        const x = a.column(s.id);
        const y = b.column(s.id);
        for (let i = 0; i < x.length; i++)
          expect(Math.abs(x[i] - y[i])).toBeLessThanOrEqual(1e-6 * Math.abs(x[i]) + 1e-6);
      }
    });
  }
});

describe('the shipped knowledge base', () => {
  it('loads without errors, including the model parameter files', () => {
    const full = loadKnowledgeBase();
    expect(full.parameter('michor2005.d0').value).toBe(0.003);
    expect(full.parameter('hahnel2020.patient21.e_tki').value).toBe(7.01);
  });
});
