import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KnowledgeError, loadKnowledgeBase } from '../../src/knowledge/index.js';

const REFS = `references:
  - { id: src, authors: A B, year: 2020, title: A source }
`;

function kbDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'exoniche-kbschema-'));
  for (const [name, text] of Object.entries({ 'refs.yaml': REFS, ...files }))
    writeFileSync(join(dir, name), text);
  return dir;
}

function issuesOf(files: Record<string, string>): string[] {
  try {
    loadKnowledgeBase(kbDir(files));
  } catch (err) {
    if (err instanceof KnowledgeError) return err.message.split('\n');
    throw err;
  }
  return [];
}

const GOOD_MUTATIONS = `mutations:
  - { id: native, name: native BCR-ABL1, region: native }
  - { id: T315I, name: T315I, region: gatekeeper, residue: 315 }
sensitivities:
  - mutation: native
    drug: ponatinib
    ic50: { value: 0.5, units: nM, evidence: V2, refs: [src] }
    evidence: V2
    refs: [src]
  - mutation: T315I
    drug: imatinib
    ic50: { bound: '>', value: 6400, units: nM, evidence: R, refs: [src] }
    clinical: resistant
    evidence: V
    refs: [src]
`;

const GOOD_CHANNELS = `parameters:
  - { key: crosstalk.sign, name: sign, value: 0, units: '1', evidence: A, range: [-1, 1], refs: [src] }
channels:
  - id: a-to-b
    donor: cml-bulk
    recipient: endothelium
    cargo: [miR-126]
    effect: adhesion
    direction: down
    text: lowers adhesion
    experiments: [E5, VE-5]
    setting: [in-vitro]
    evidence: V
    refs: [src]
    readouts:
      - { target: VCAM1, direction: down, evidence: V, refs: [src] }
    quantities:
      exposureTime: { value: 24, units: h, evidence: V, refs: [src] }
conflicts:
  - id: c1
    question: up or down?
    positions:
      - { claim: down, channels: [a-to-b], evidence: V, refs: [src] }
      - { claim: up, evidence: R, refs: [src] }
    resolution: { kind: parameter, parameters: [crosstalk.sign], note: sweep it }
`;

describe('mutation and sensitivity schema', () => {
  it('accepts well-formed entries, keeps censored IC50s, and records where each pair is defined', () => {
    const kb = loadKnowledgeBase(kbDir({ 'm.yaml': GOOD_MUTATIONS }));
    expect(kb.mutations.map((m) => m.id)).toEqual(['native', 'T315I']);
    const t = kb.sensitivities.find((s) => s.mutation === 'T315I');
    expect(t?.ic50).toMatchObject({ bound: '>', value: 6400 });
    expect(kb.origin('sensitivities', 'T315I/imatinib')).toMatchObject({ line: 10, column: 5 });
  });

  it('rejects a malformed mutation id with its position', () => {
    const issues = issuesOf({ 'm.yaml': 'mutations:\n  - { id: t315i, name: T315I, region: gatekeeper }\n' });
    expect(issues[0]).toMatch(/m\.yaml:2:\d+: error: mutations\[0\]\.id: a protein change such as T315I/);
  });

  it('rejects an unknown region', () => {
    const issues = issuesOf({ 'm.yaml': 'mutations:\n  - id: T315I\n    name: T315I\n    region: hinge\n' });
    expect(issues[0]).toMatch(/m\.yaml:4:13: error: mutations\[0\]\.region: /);
  });

  it('requires IC50s in nM and folds dimensionless', () => {
    const issues = issuesOf({
      'm.yaml': `sensitivities:
  - mutation: T315I
    drug: ponatinib
    ic50: { value: 0.011, units: uM, evidence: V2, refs: [src] }
    fold: { value: 22, units: fold, evidence: C, refs: [src] }
    evidence: V2
    refs: [src]
`,
    });
    expect(issues.join('\n')).toMatch(
      /m\.yaml:4:\d+: error: sensitivities\[0\]\.ic50\.units: an IC50 is given in nM/,
    );
    expect(issues.join('\n')).toMatch(
      /m\.yaml:5:\d+: error: sensitivities\[0\]\.fold\.units: a fold change is dimensionless/,
    );
  });

  it('requires at least one of ic50, fold and clinical, and a known clinical category', () => {
    const empty = issuesOf({
      'm.yaml': 'sensitivities:\n  - { mutation: T315I, drug: imatinib, evidence: R, refs: [src] }\n',
    });
    expect(empty[0]).toMatch(
      /m\.yaml:2:\d+: error: sensitivities\[0\]\.clinical: give at least one of ic50, fold or clinical/,
    );
    const bad = issuesOf({
      'm.yaml':
        'sensitivities:\n  - { mutation: T315I, drug: imatinib, clinical: partial, evidence: R, refs: [src] }\n',
    });
    expect(bad[0]).toMatch(/m\.yaml:2:\d+: error: sensitivities\[0\]\.clinical: /);
  });

  it('rejects a fold on the native row and an assumed IC50 without a range', () => {
    const issues = issuesOf({
      'm.yaml': `sensitivities:
  - mutation: native
    drug: imatinib
    ic50: { value: 260, units: nM, evidence: A, refs: [src] }
    fold: { value: 1, units: '1', evidence: C, refs: [src] }
    evidence: R
    refs: [src]
`,
    }).join('\n');
    expect(issues).toMatch(/sensitivities\[0\]\.fold: the native row has no fold resistance/);
    expect(issues).toMatch(
      /sensitivities\[0\]\.ic50\.range: an assumed value \(evidence A\) needs a plausible range/,
    );
  });

  it('rejects duplicate mutation x drug pairs across files', () => {
    const issues = issuesOf({
      'a.yaml': GOOD_MUTATIONS,
      'b.yaml': GOOD_MUTATIONS.replace(/^mutations:[\s\S]*?sensitivities:/, 'sensitivities:'),
    });
    expect(issues.join('\n')).toMatch(
      /b\.yaml:\d+:\d+: error: sensitivities\[1\]: duplicate sensitivities id 'T315I\/imatinib'/,
    );
  });
});

describe('channel and conflict schema', () => {
  it('accepts a well-formed channel and conflict', () => {
    const kb = loadKnowledgeBase(kbDir({ 'c.yaml': GOOD_CHANNELS }));
    expect(kb.channels[0]).toMatchObject({
      id: 'a-to-b',
      donor: 'cml-bulk',
      effect: 'adhesion',
      direction: 'down',
    });
    expect(kb.channels[0].quantities?.exposureTime.value).toBe(24);
    expect(kb.conflicts[0].resolution?.kind).toBe('parameter');
  });

  it('rejects unknown cell types, effect terms, directions and experiment ids with positions', () => {
    const bad = GOOD_CHANNELS.replace('donor: cml-bulk', 'donor: stroma')
      .replace('effect: adhesion', 'effect: growth')
      .replace('direction: down\n    text', 'direction: sideways\n    text')
      .replace('[E5, VE-5]', '[E5, X1]');
    const issues = issuesOf({ 'c.yaml': bad }).join('\n');
    expect(issues).toMatch(/c\.yaml:5:12: error: channels\[0\]\.donor: /);
    expect(issues).toMatch(/c\.yaml:8:13: error: channels\[0\]\.effect: /);
    expect(issues).toMatch(/c\.yaml:9:16: error: channels\[0\]\.direction: /);
    expect(issues).toMatch(
      /c\.yaml:11:23: error: channels\[0\]\.experiments\[1\]: an experiment id of biology\.md/,
    );
  });

  it('rejects unknown fields (strict objects) and a non-Quantity finding', () => {
    const issues = issuesOf({
      'c.yaml': GOOD_CHANNELS.replace(
        '    evidence: V\n    refs: [src]\n    readouts',
        '    evidence: V\n    strength: high\n    refs: [src]\n    readouts',
      ).replace('exposureTime: { value: 24, units: h,', 'exposureTime: { value: 24,'),
    }).join('\n');
    expect(issues).toMatch(/channels\[0\]: Unrecognized key: "strength"/);
    expect(issues).toMatch(/channels\[0\]\.quantities\.exposureTime\.units: /);
  });

  it('requires two positions and named parameters for a parameter resolution', () => {
    const one = GOOD_CHANNELS.replace('      - { claim: up, evidence: R, refs: [src] }\n', '').replace(
      'resolution: { kind: parameter, parameters: [crosstalk.sign], note: sweep it }',
      'resolution: { kind: parameter, note: sweep it }',
    );
    const issues = issuesOf({ 'c.yaml': one }).join('\n');
    expect(issues).toMatch(
      /c\.yaml:\d+:\d+: error: conflicts\[0\]\.positions: a conflict has at least two positions/,
    );
    expect(issues).toMatch(
      /conflicts\[0\]\.resolution\.parameters: a 'parameter' resolution names its parameters/,
    );
  });

  it('checks that readout and position references resolve', () => {
    const issues = issuesOf({
      'c.yaml': GOOD_CHANNELS.replace(
        '{ target: VCAM1, direction: down, evidence: V, refs: [src] }',
        '{ target: VCAM1, direction: down, evidence: V, refs: [srx] }',
      ),
    });
    expect(issues).toEqual([
      expect.stringMatching(
        /channels\[0\]\.readouts\[0\]\.refs\[0\]: unknown reference 'srx' \(did you mean 'src'\?\)/,
      ),
    ]);
  });
});
