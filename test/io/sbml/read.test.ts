import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSbml, readSbmlWithWarnings, SbmlError, writeSbml } from '../../../src/io/sbml/index.js';
import { pickModelFile } from '../../../src/io/sbml/suite.js';
import type { Model } from '../../../src/models/ir.js';
import { normalize, SUITE_ROOT, suiteAvailable } from './helpers.js';

const MATH = 'xmlns="http://www.w3.org/1998/Math/MathML"';
const doc = (level: number, version: number, body: string, extra = ''): string =>
  `<?xml version="1.0"?>\n<sbml xmlns="http://www.sbml.org/sbml/level${level}/version${version}${level === 3 ? '/core' : ''}" level="${level}" version="${version}"${extra}>\n<model id="m">\n${body}\n</model>\n</sbml>\n`;

const refusal = (xml: string): string => {
  try {
    readSbml(xml, 'model.xml');
  } catch (e) {
    expect(e).toBeInstanceOf(SbmlError);
    return (e as Error).message;
  }
  throw new Error('not refused');
};

describe('readSbml: Level 2 defaults', () => {
  const l2 = doc(
    2,
    4,
    `<listOfCompartments><compartment id="c"/></listOfCompartments>
<listOfSpecies><species id="S" compartment="c" initialConcentration="2"/></listOfSpecies>
<listOfParameters><parameter id="k" value="0.5"/></listOfParameters>
<listOfReactions><reaction id="R">
  <listOfReactants><speciesReference species="S"/></listOfReactants>
  <kineticLaw><math ${MATH}><apply><times/><ci>k2</ci><ci>S</ci></apply></math>
    <listOfParameters><parameter id="k2" value="3"/></listOfParameters></kineticLaw>
</reaction></listOfReactions>
<listOfEvents><event><trigger><math ${MATH}><true/></math></trigger>
  <listOfEventAssignments><eventAssignment variable="k"><math ${MATH}><cn>1</cn></math></eventAssignment></listOfEventAssignments>
</event></listOfEvents>`,
  );
  const m = readSbml(l2, 'l2.xml');
  it('compartments: 3 dimensions, constant; parameters constant', () => {
    expect(m.compartments[0]).toMatchObject({ id: 'c', spatialDimensions: 3, constant: true });
    expect(m.compartments[0].size).toBeUndefined();
    expect(m.parameters[0]).toMatchObject({ id: 'k', value: 0.5, constant: true });
  });
  it('species: hasOnlySubstanceUnits, boundaryCondition and constant false', () => {
    expect(m.species[0]).toMatchObject({
      initialConcentration: 2,
      hasOnlySubstanceUnits: false,
      boundaryCondition: false,
      constant: false,
    });
  });
  it('reactions: reversible, stoichiometry 1, kinetic-law parameters become local parameters', () => {
    const r = m.reactions[0];
    expect(r.reversible).toBe(true);
    expect(r.reactants).toEqual([{ species: 'S', stoichiometry: 1 }]);
    expect(r.localParameters).toMatchObject([{ id: 'k2', value: 3, constant: true }]);
  });
  it('events: generated id, L2 semantics (initialValue, persistent, useValuesFromTriggerTime all true)', () => {
    expect(m.events[0]).toMatchObject({
      id: 'event1',
      trigger: { initialValue: true, persistent: true },
      useValuesFromTriggerTime: true,
    });
  });
  it('predefined Level 2 units that are used get explicit definitions', () => {
    const x = readSbml(
      doc(
        2,
        3,
        `<listOfUnitDefinitions><unitDefinition id="time"><listOfUnits><unit kind="second" multiplier="60"/></listOfUnits></unitDefinition></listOfUnitDefinitions>
<listOfCompartments><compartment id="c" units="volume"/></listOfCompartments>
<listOfParameters><parameter id="k" value="1" units="time"/></listOfParameters>`,
      ),
    );
    expect(x.unitDefinitions.map((d) => [d.id, d.terms])).toEqual([
      ['time', [{ kind: 'second', exponent: 1, scale: 0, multiplier: 60 }]],
      ['volume', [{ kind: 'litre', exponent: 1, scale: 0, multiplier: 1 }]],
    ]);
  });
  it('stoichiometryMath becomes a species-reference id with an assignment rule', () => {
    const x = readSbml(
      doc(
        2,
        4,
        `<listOfCompartments><compartment id="c"/></listOfCompartments>
<listOfSpecies><species id="S" compartment="c" initialAmount="1"/></listOfSpecies>
<listOfReactions><reaction id="R"><listOfProducts><speciesReference species="S">
<stoichiometryMath><math ${MATH}><apply><plus/><cn>1</cn><csymbol definitionURL="http://www.sbml.org/sbml/symbols/time">t</csymbol></apply></math></stoichiometryMath>
</speciesReference></listOfProducts></reaction></listOfReactions>`,
      ),
    );
    expect(x.reactions[0].products[0]).toMatchObject({
      species: 'S',
      id: 'R_S_stoichiometry',
      constant: false,
    });
    expect(x.rules).toMatchObject([
      { kind: 'assignment', variable: 'R_S_stoichiometry', math: { kind: 'call', op: 'plus' } },
    ]);
  });
});

describe('readSbml: Level 3', () => {
  const l3 = doc(
    3,
    2,
    `<listOfFunctionDefinitions><functionDefinition id="f"><math ${MATH}><lambda><bvar><ci>x</ci></bvar><apply><times/><cn>2</cn><ci>x</ci></apply></lambda></math></functionDefinition></listOfFunctionDefinitions>
<listOfUnitDefinitions><unitDefinition id="mM"><listOfUnits><unit kind="mole" exponent="1" scale="-3" multiplier="1"/><unit kind="litre" exponent="-1" scale="0" multiplier="1"/></listOfUnits></unitDefinition></listOfUnitDefinitions>
<listOfCompartments><compartment id="c" spatialDimensions="3" size="2" constant="true"/></listOfCompartments>
<listOfSpecies><species metaid="s1" id="S" name="Substrate" sboTerm="SBO:0000247" compartment="c" initialAmount="1" hasOnlySubstanceUnits="true" boundaryCondition="false" constant="false" conversionFactor="cf">
  <notes><body xmlns="http://www.w3.org/1999/xhtml"><p>First   line</p><p>second <b>bold</b> line</p></body></notes>
  <annotation><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:bqbiol="http://biomodels.net/biology-qualifiers/">
    <rdf:Description rdf:about="#s1"><bqbiol:is><rdf:Bag><rdf:li rdf:resource="http://identifiers.org/chebi/CHEBI:17234"/></rdf:Bag></bqbiol:is>
    <bqbiol:isDescribedBy><rdf:Bag><rdf:li rdf:resource="http://identifiers.org/pubmed/123"/></rdf:Bag></bqbiol:isDescribedBy></rdf:Description></rdf:RDF></annotation>
</species></listOfSpecies>
<listOfParameters><parameter id="cf" value="1" constant="true"/><parameter id="p" constant="false"/></listOfParameters>
<listOfInitialAssignments><initialAssignment symbol="p"><math ${MATH}><apply><ci>f</ci><cn>3</cn></apply></math></initialAssignment></listOfInitialAssignments>
<listOfRules><algebraicRule><math ${MATH}><apply><minus/><ci>p</ci><cn>6</cn></apply></math></algebraicRule></listOfRules>
<listOfReactions><reaction id="R" reversible="false"><listOfReactants><speciesReference id="sr" species="S" stoichiometry="2" constant="true"/></listOfReactants>
  <listOfModifiers><modifierSpeciesReference species="S"/></listOfModifiers>
  <kineticLaw><math ${MATH}><apply><times/><ci>k</ci><ci>S</ci></apply></math><listOfLocalParameters><localParameter id="k" value="0.1"/></listOfLocalParameters></kineticLaw></reaction></listOfReactions>
<listOfEvents><event id="E" useValuesFromTriggerTime="false"><trigger initialValue="false" persistent="false"><math ${MATH}><apply><gt/><csymbol definitionURL="http://www.sbml.org/sbml/symbols/time">time</csymbol><cn>1</cn></apply></math></trigger>
  <priority><math ${MATH}><cn>1</cn></math></priority><delay><math ${MATH}><cn>0.5</cn></math></delay>
  <listOfEventAssignments><eventAssignment variable="S"><math ${MATH}><cn>0</cn></math></eventAssignment></listOfEventAssignments></event></listOfEvents>`,
  );
  const m = readSbml(l3, 'l3.xml');
  it('reads every component', () => {
    expect(m.functions[0]).toMatchObject({ id: 'f', args: ['x'] });
    expect(m.unitDefinitions[0].terms).toEqual([
      { kind: 'mole', exponent: 1, scale: -3, multiplier: 1 },
      { kind: 'litre', exponent: -1, scale: 0, multiplier: 1 },
    ]);
    expect(m.species[0]).toMatchObject({
      name: 'Substrate',
      sboTerm: 'SBO:0000247',
      hasOnlySubstanceUnits: true,
      conversionFactor: 'cf',
    });
    expect(m.parameters[1]).toEqual({ id: 'p', constant: false, loc: expect.anything() });
    expect(m.initialAssignments[0]).toMatchObject({ symbol: 'p', math: { kind: 'apply', fn: 'f' } });
    expect(m.rules[0]).toMatchObject({ kind: 'algebraic' });
    expect(m.reactions[0]).toMatchObject({
      reversible: false,
      reactants: [{ id: 'sr', species: 'S', stoichiometry: 2, constant: true }],
      modifiers: ['S'],
      kinetics: { kind: 'law' },
      localParameters: [{ id: 'k', value: 0.1, constant: true }],
    });
    expect(m.events[0]).toMatchObject({
      id: 'E',
      useValuesFromTriggerTime: false,
      trigger: { initialValue: false, persistent: false, math: { kind: 'call', op: 'gt' } },
      priority: { kind: 'num', value: 1 },
      delay: { kind: 'num', value: 0.5 },
      assignments: [{ variable: 'S' }],
    });
  });
  it('notes become text lines; MIRIAM resources become provenance refs', () => {
    expect(m.species[0].notes).toBe('First line\nsecond bold line');
    expect(m.species[0].source).toEqual({
      refs: ['bqbiol:is http://identifiers.org/chebi/CHEBI:17234', 'http://identifiers.org/pubmed/123'],
    });
  });
  it('locations are line numbers in the file', () => {
    expect(m.species[0].loc).toEqual({ file: 'l3.xml', line: 7, column: 1 });
    expect(m.reactions[0].loc?.line).toBe(16);
  });
  it('round-trips through writeSbml', () => {
    expect(normalize(readSbml(writeSbml(m)))).toEqual(normalize(m));
  });
});

describe('readSbml: refusals and warnings', () => {
  it('required packages are refused, optional ones skipped with a warning', () => {
    const spatial = doc(
      3,
      1,
      '',
      ' xmlns:spatial="http://www.sbml.org/sbml/level3/version1/spatial/version1" spatial:required="true"',
    );
    expect(refusal(spatial)).toBe(`model.xml:2: SBML package 'spatial' (required="true") is not supported`);
    const fbc = doc(
      3,
      1,
      '<fbc:listOfObjectives><fbc:objective fbc:id="o"/></fbc:listOfObjectives>',
      ' xmlns:fbc="http://www.sbml.org/sbml/level3/version1/fbc/version2" fbc:required="false"',
    );
    const { warnings } = readSbmlWithWarnings(fbc, 'f.xml');
    expect(warnings).toEqual([
      `f.xml:4: optional SBML package 'fbc' (required="false") is ignored (first element <fbc:listOfObjectives> in <model>)`,
    ]);
  });
  it('unknown core elements and unsupported features are refused with their line', () => {
    expect(refusal(doc(3, 2, '<listOfGadgets/>'))).toBe(
      'model.xml:4: <listOfGadgets> in <model> is not supported',
    );
    expect(
      refusal(
        doc(
          3,
          2,
          `<listOfRules>\n<assignmentRule variable="x"><math ${MATH}><apply><gcd/><ci>a</ci><ci>b</ci></apply></math></assignmentRule></listOfRules>`,
        ),
      ),
    ).toBe("model.xml:5: MathML operator <gcd> is not supported in assignmentRule for 'x'");
    expect(refusal(doc(1, 2, ''))).toMatch(/Level 1 is not supported/);
    expect(refusal('<sbml level="3" version="2"><model></sbml>')).toMatch(/^model.xml:1: XML syntax error/);
    expect(
      refusal(
        doc(
          3,
          2,
          '<listOfUnitDefinitions><unitDefinition id="u"><listOfUnits><unit kind="kelvin" exponent="1" scale="0" multiplier="1" offset="273.15"/></listOfUnits></unitDefinition></listOfUnitDefinitions>',
        ),
      ),
    ).toMatch(/<unit offset="273.15"> in unitDefinition 'u' is not supported/);
  });
  it('elements without their optional math are skipped with a warning', () => {
    const { model, warnings } = readSbmlWithWarnings(
      doc(
        3,
        2,
        '<listOfParameters><parameter id="x" constant="false"/></listOfParameters>\n<listOfRules><rateRule variable="x"/></listOfRules>',
      ),
      'n.xml',
    );
    expect(model.rules).toEqual([]);
    expect(warnings).toEqual(["n.xml:5: rateRule for 'x' has no <math> and is ignored"]);
  });
});

describe.skipIf(!suiteAvailable())('readSbml on the SBML Test Suite', () => {
  it('every case file parses or is refused with a named feature', () => {
    const refused = new Map<string, number>();
    let read = 0;
    let cases = 0;
    for (const id of readdirSync(SUITE_ROOT).filter((d) => /^\d{5}$/.test(d))) {
      const file = pickModelFile(join(SUITE_ROOT, id), id);
      if (!file) continue;
      cases++;
      try {
        const m: Model = readSbml(readFileSync(join(SUITE_ROOT, id, file), 'utf8'), file);
        expect(m.id).toBeTruthy();
        read++;
      } catch (e) {
        expect(e).toBeInstanceOf(SbmlError);
        const msg = (e as Error).message;
        const feature = /externalModelDefinition> '[^']+': cannot read/.test(msg)
          ? 'external model file'
          : msg;
        refused.set(feature, (refused.get(feature) ?? 0) + 1);
      }
    }
    expect(cases).toBe(1639);
    // Only comp models whose external model files the suite does not ship are refused by the reader.
    expect([...refused.keys()]).toEqual(['external model file']);
    expect(refused.get('external model file')).toBe(8);
    expect(read).toBe(cases - 8);
  }, 60_000);
});
