import { describe, expect, it } from 'vitest';
import { readSbml, writeSbml } from '../../../src/io/sbml/index.js';
import type { Model } from '../../../src/models/ir.js';
import { emptyModel } from '../../../src/models/ir.js';
import { normalize } from './helpers.js';

const sym = (name: string) => ({ kind: 'sym', name }) as const;
const num = (value: number) => ({ kind: 'num', value }) as const;

const model: Model = {
  ...emptyModel('full'),
  name: 'Everything <&> "quoted"',
  notes: 'Line one\n  indented line & <tag>\n\nafter a blank line',
  source: {
    kb: 'kb.model',
    citation: 'Doe J (2020) Title. J 1:2',
    evidence: 'V2',
    refs: ['https://doi.org/10.1/x', 'PMID:123'],
  },
  units: {
    substance: 'mole',
    time: 'second',
    volume: 'litre',
    area: 'metre2',
    length: 'metre',
    extent: 'mole',
  },
  conversionFactor: 'cf',
  unitDefinitions: [{ id: 'metre2', terms: [{ kind: 'metre', exponent: 2, scale: 0, multiplier: 1 }] }],
  functions: [
    {
      id: 'hill',
      args: ['x', 'n'],
      body: {
        kind: 'call',
        op: 'divide',
        args: [{ kind: 'call', op: 'power', args: [sym('x'), sym('n')] }, num(2)],
      },
    },
  ],
  compartments: [
    { id: 'c', spatialDimensions: 3, size: 1.5, constant: true, units: 'litre', sboTerm: 'SBO:0000290' },
  ],
  species: [
    {
      id: 'A',
      compartment: 'c',
      initialConcentration: 1e-3,
      hasOnlySubstanceUnits: false,
      boundaryCondition: false,
      constant: false,
      source: { evidence: 'A' },
    },
    {
      id: 'B',
      compartment: 'c',
      initialAmount: 0,
      hasOnlySubstanceUnits: true,
      boundaryCondition: true,
      constant: false,
      conversionFactor: 'cf',
      substanceUnits: 'mole',
    },
  ],
  parameters: [
    { id: 'cf', value: 2, constant: true },
    { id: 'k', value: 0.1, constant: true, source: { kb: 'kb.k', refs: ['https://doi.org/10.2/y'] } },
    { id: 'kr', value: Number.POSITIVE_INFINITY, constant: false, units: 'per_second' },
    { id: 'q', constant: false },
  ],
  initialAssignments: [{ symbol: 'q', math: { kind: 'apply', fn: 'hill', args: [num(2), num(3)] } }],
  rules: [
    { kind: 'rate', variable: 'kr', math: num(0) },
    { kind: 'algebraic', math: { kind: 'call', op: 'minus', args: [sym('q'), num(4)] } },
  ],
  reactions: [
    {
      id: 'R1',
      name: 'binding',
      reversible: true,
      reactants: [{ species: 'A', stoichiometry: 2, id: 'sA', constant: true }],
      products: [{ species: 'B', stoichiometry: 1 }],
      modifiers: ['A'],
      kinetics: {
        kind: 'massAction',
        forward: sym('k'),
        reverse: { kind: 'call', op: 'times', args: [sym('kl'), num(2)] },
      },
      localParameters: [{ id: 'kl', value: 3, constant: true, source: { refs: ['https://doi.org/10.3/z'] } }],
    },
    {
      id: 'R2',
      reversible: false,
      reactants: [],
      products: [{ species: 'A', stoichiometry: 1 }],
      modifiers: [],
      kinetics: { kind: 'massAction', forward: sym('k') },
      localParameters: [],
    },
    {
      id: 'R3',
      reversible: false,
      fast: true,
      compartment: 'c',
      reactants: [],
      products: [],
      modifiers: [],
      localParameters: [],
    },
  ],
  events: [
    {
      id: 'E',
      trigger: {
        math: {
          kind: 'call',
          op: 'and',
          args: [{ kind: 'call', op: 'geq', args: [{ kind: 'time' }, num(1)] }, num(1)],
        },
        initialValue: false,
        persistent: false,
      },
      delay: num(0.5),
      priority: sym('k'),
      useValuesFromTriggerTime: false,
      assignments: [{ variable: 'B', math: num(0) }],
    },
  ],
};

describe('writeSbml', () => {
  const xml = writeSbml(model);
  it('round-trips a model using every IR feature', () => {
    expect(normalize(readSbml(xml, 'full.xml'))).toEqual(normalize(model));
  });
  it('is deterministic and stable', () => {
    expect(writeSbml(model)).toBe(xml);
    expect(writeSbml(readSbml(xml))).toBe(xml);
  });
  it('writes L3V2 core with MIRIAM isDescribedBy and provenance notes', () => {
    expect(xml).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<sbml xmlns="http:\/\/www.sbml.org\/sbml\/level3\/version2\/core"/,
    );
    expect(xml).toContain('<bqmodel:isDescribedBy>');
    expect(xml).toContain('<rdf:li rdf:resource="https://doi.org/10.2/y"/>');
    expect(xml).toContain('<rdf:Description rdf:about="#meta_k">');
    expect(xml).toContain('<dd>Doe J (2020) Title. J 1:2</dd>');
    expect(xml).toContain('<dt>evidence</dt>');
  });
  it('writes mass action as an explicit kinetic law', () => {
    // k * A^2 - (kl * 2) * B
    const r1 = xml.slice(xml.indexOf('<reaction id="R1"'), xml.indexOf('<reaction id="R2"'));
    expect(r1.replace(/\s+/g, ' ')).toContain(
      '<apply> <minus/> <apply> <times/> <ci> k </ci> <apply> <power/> <ci> A </ci> <cn type="integer"> 2 </cn> </apply> </apply> <apply> <times/> <apply> <times/> <ci> kl </ci> <cn type="integer"> 2 </cn> </apply> <ci> B </ci> </apply> </apply>',
    );
    const back = readSbml(xml);
    expect((normalize(back) as Model).reactions[0].kinetics).toEqual(model.reactions[0].kinetics);
  });
  it('keeps notes text exactly (leading, trailing and repeated whitespace, markup characters)', () => {
    for (const notes of ['  leading', 'trailing\n', 'a  <b> & c', '\n\nx\n\n  y  '])
      expect(readSbml(writeSbml({ ...emptyModel('m'), notes })).notes).toBe(notes);
  });
});
