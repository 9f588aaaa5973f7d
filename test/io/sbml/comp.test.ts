import { describe, expect, it } from 'vitest';
import { readSbml, SbmlError } from '../../../src/io/sbml/index.js';
import { simulateModel } from '../../../src/models/simulate.js';

const MATH = 'xmlns="http://www.w3.org/1998/Math/MathML"';
const COMP = 'xmlns:comp="http://www.sbml.org/sbml/level3/version1/comp/version1" comp:required="true"';
const doc = (model: string, defs: string): string =>
  `<?xml version="1.0"?>\n<sbml xmlns="http://www.sbml.org/sbml/level3/version2/core" level="3" version="2" ${COMP}>\n${model}\n<comp:listOfModelDefinitions>${defs}</comp:listOfModelDefinitions>\n</sbml>`;

/** A decay module: S in C decays with rate k*S; k is exported through a port. */
const DECAY = `<comp:modelDefinition id="decay">
  <listOfCompartments><compartment id="C" size="1" constant="true"/></listOfCompartments>
  <listOfSpecies><species id="S" compartment="C" initialAmount="10" hasOnlySubstanceUnits="true" boundaryCondition="false" constant="false"/></listOfSpecies>
  <listOfParameters><parameter id="k" value="1" constant="true"/><parameter metaid="junk_meta" id="junk" value="0" constant="false"/></listOfParameters>
  <listOfRules><assignmentRule metaid="junk_rule" variable="junk"><math ${MATH}><ci>S</ci></math></assignmentRule></listOfRules>
  <listOfReactions><reaction id="R" reversible="false"><listOfReactants><speciesReference species="S" stoichiometry="1" constant="true"/></listOfReactants>
    <kineticLaw><math ${MATH}><apply><times/><ci>k</ci><ci>S</ci></apply></math></kineticLaw></reaction></listOfReactions>
  <comp:listOfPorts><comp:port comp:id="k_port" comp:idRef="k"/></comp:listOfPorts>
</comp:modelDefinition>`;

describe('comp flattening', () => {
  it('instantiates submodels with prefixed ids, replacements, replacedBy, ports and deletions', () => {
    const xml = doc(
      `<model id="top">
  <listOfCompartments><compartment id="cell" size="1" constant="true">
    <comp:listOfReplacedElements><comp:replacedElement comp:submodelRef="a" comp:idRef="C"/><comp:replacedElement comp:submodelRef="b" comp:idRef="C"/></comp:listOfReplacedElements>
  </compartment></listOfCompartments>
  <listOfParameters><parameter id="kfast" value="2" constant="true">
    <comp:listOfReplacedElements><comp:replacedElement comp:submodelRef="a" comp:portRef="k_port"/></comp:listOfReplacedElements>
  </parameter>
  <parameter id="Sb" value="0" constant="false"><comp:replacedBy comp:submodelRef="b" comp:idRef="S"/></parameter></listOfParameters>
  <comp:listOfSubmodels>
    <comp:submodel comp:id="a" comp:modelRef="decay"/>
    <comp:submodel comp:id="b" comp:modelRef="decay"><comp:listOfDeletions><comp:deletion comp:metaIdRef="junk_rule"/><comp:deletion comp:idRef="junk"/></comp:listOfDeletions></comp:submodel>
  </comp:listOfSubmodels>
</model>`,
      DECAY,
    );
    const m = readSbml(xml, 'top.xml');
    expect(m.compartments.map((c) => c.id)).toEqual(['cell']);
    expect(m.species.map((s) => [s.id, s.compartment])).toEqual([
      ['a__S', 'cell'],
      ['Sb', 'cell'],
    ]);
    expect(m.parameters.map((p) => p.id)).toEqual(['kfast', 'a__junk', 'b__k']);
    expect(m.rules).toMatchObject([
      { kind: 'assignment', variable: 'a__junk', math: { kind: 'sym', name: 'a__S' } },
    ]);
    expect(m.reactions.map((r) => r.id)).toEqual(['a__R', 'b__R']);
    expect(m.reactions[0].kinetics).toMatchObject({
      kind: 'law',
      math: { args: [{ name: 'kfast' }, { name: 'a__S' }] },
    });
    expect(m.reactions[1].reactants[0].species).toBe('Sb');
    // a decays with kfast = 2, b with its own k = 1.
    const tc = simulateModel(m, { tEnd: 1, steps: 1, rtol: 1e-10, atol: 1e-12 });
    expect(tc.column('a__S')[1]).toBeCloseTo(10 * Math.exp(-2), 8);
    expect(tc.column('Sb')[1]).toBeCloseTo(10 * Math.exp(-1), 8);
  });

  it('applies time and extent conversion factors of a submodel', () => {
    const xml = doc(
      `<model id="top">
  <listOfParameters><parameter id="tc" value="2" constant="true"/><parameter id="xc" value="3" constant="true"/></listOfParameters>
  <comp:listOfSubmodels><comp:submodel comp:id="a" comp:modelRef="decay" comp:timeConversionFactor="tc" comp:extentConversionFactor="xc"/></comp:listOfSubmodels>
</model>`,
      DECAY,
    );
    const m = readSbml(xml);
    // rate = k*S * xc / tc = 1.5 S
    const tc = simulateModel(m, { tEnd: 1, steps: 1, rtol: 1e-10, atol: 1e-12 });
    expect(tc.column('a__S')[1]).toBeCloseTo(10 * Math.exp(-1.5), 8);
  });

  it('refuses unknown references and model-definition cycles with their line', () => {
    const bad = doc(
      `<model id="top"><comp:listOfSubmodels><comp:submodel comp:id="a" comp:modelRef="nothing"/></comp:listOfSubmodels></model>`,
      DECAY,
    );
    expect(() => readSbml(bad, 'bad.xml')).toThrow(SbmlError);
    expect(() => readSbml(bad, 'bad.xml')).toThrow(
      /^bad.xml:3: <comp:submodel> 'a': unknown model 'nothing'/,
    );
    const cyc = doc(
      `<model id="top"><comp:listOfSubmodels><comp:submodel comp:id="a" comp:modelRef="loop"/></comp:listOfSubmodels></model>`,
      `<comp:modelDefinition id="loop"><comp:listOfSubmodels><comp:submodel comp:id="b" comp:modelRef="loop"/></comp:listOfSubmodels></comp:modelDefinition>`,
    );
    expect(() => readSbml(cyc, 'cyc.xml')).toThrow(/model definitions form a cycle: loop -> loop/);
  });
});
