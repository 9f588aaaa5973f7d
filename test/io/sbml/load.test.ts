import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModelFile } from '../../../src/io/load-model.js';

const MODEL = `<?xml version="1.0"?>
<sbml xmlns="http://www.sbml.org/sbml/level3/version2/core" level="3" version="2">
  <model id="ext">
    <listOfParameters><parameter id="k" value="4" constant="true"/></listOfParameters>
  </model>
</sbml>
`;
const TOP = `<?xml version="1.0"?>
<sbml xmlns="http://www.sbml.org/sbml/level3/version2/core" level="3" version="2"
      xmlns:comp="http://www.sbml.org/sbml/level3/version1/comp/version1" comp:required="true">
  <model id="top">
    <comp:listOfSubmodels><comp:submodel comp:id="a" comp:modelRef="E"/></comp:listOfSubmodels>
  </model>
  <comp:listOfExternalModelDefinitions>
    <comp:externalModelDefinition comp:id="E" comp:source="ext.xml" comp:modelRef="ext"/>
  </comp:listOfExternalModelDefinitions>
</sbml>
`;

describe('loadModelFile with SBML', () => {
  const dir = mkdtempSync(join(tmpdir(), 'exoniche-sbml-'));
  writeFileSync(join(dir, 'ext.xml'), MODEL);
  writeFileSync(join(dir, 'top.sbml'), TOP);

  it('reads .xml and .sbml files with readSbml', () => {
    expect(loadModelFile(join(dir, 'ext.xml')).parameters).toMatchObject([{ id: 'k', value: 4 }]);
  });
  it('resolves comp external model files relative to the including file', () => {
    const m = loadModelFile(join(dir, 'top.sbml'));
    expect(m.parameters).toMatchObject([{ id: 'a__k', value: 4 }]);
  });
  it('reports SBML errors with the file and line', () => {
    writeFileSync(
      join(dir, 'bad.xml'),
      MODEL.replace('<listOfParameters>', '<listOfWidgets/><listOfParameters>'),
    );
    expect(() => loadModelFile(join(dir, 'bad.xml'))).toThrow(
      `${join(dir, 'bad.xml')}:4: <listOfWidgets> in <model> is not supported`,
    );
  });
});
