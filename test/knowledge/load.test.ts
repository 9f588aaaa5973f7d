import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KnowledgeError, loadKnowledgeBase } from '../../src/knowledge/index.js';

function kbDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'exoniche-kb-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const REFS = `references:
  - id: michor2005
    authors: Michor F, Hughes TP, Iwasa Y, et al.
    year: 2005
    title: Dynamics of chronic myeloid leukaemia
    journal: Nature
    doi: 10.1038/nature03669
`;

function issuesOf(dir: string): string[] {
  try {
    loadKnowledgeBase(dir);
  } catch (err) {
    if (err instanceof KnowledgeError) return err.message.split('\n');
    throw err;
  }
  return [];
}

describe('loadKnowledgeBase', () => {
  it('merges files and resolves parameters by key', () => {
    const dir = kbDir({
      'refs.yaml': REFS,
      'michor.yaml': `parameters:
  - key: michor2005.d0
    name: stem-cell exit rate
    value: 0.003
    units: 1/day
    evidence: T
    refs: [michor2005]
`,
    });
    const kb = loadKnowledgeBase(dir);
    expect(kb.parameter('michor2005.d0').value).toBe(0.003);
    expect(kb.reference('michor2005').year).toBe(2005);
    expect(kb.origin('parameters', 'michor2005.d0')).toMatchObject({ line: 2, column: 5 });
    expect(() => kb.parameter('michor2005.d1')).toThrow(
      /unknown knowledge-base parameter 'michor2005.d1' \(did you mean 'michor2005.d0'\?\)/,
    );
  });

  it('reports a wrong field with file, line, column and path', () => {
    const dir = kbDir({
      'refs.yaml': REFS,
      'bad.yaml': `parameters:
  - key: michor2005.d0
    name: stem-cell exit rate
    value: fast
    units: 1/day
    evidence: T
    refs: [michor2005]
`,
    });
    const [line] = issuesOf(dir);
    expect(line).toMatch(/bad\.yaml:4:12: error: parameters\[0\]\.value: .*number/);
  });

  it('requires a range for assumed values, and the value inside it', () => {
    const dir = kbDir({
      'refs.yaml': REFS,
      'a.yaml': `parameters:
  - { key: niche.k1, name: k1, value: 2, units: 1/day, evidence: A, refs: [michor2005] }
  - { key: niche.k2, name: k2, value: 5, units: 1/day, evidence: A, refs: [michor2005], range: [0, 1] }
`,
    });
    const issues = issuesOf(dir);
    expect(issues.some((l) => /a\.yaml:2:\d+: error: parameters\[0\]\.range: an assumed value/.test(l))).toBe(
      true,
    );
    expect(
      issues.some((l) =>
        /a\.yaml:3:\d+: error: parameters\[1\]\.value: value must lie within its range/.test(l),
      ),
    ).toBe(true);
  });

  it('rejects duplicate ids across files, naming both places', () => {
    const dir = kbDir({ 'a.yaml': REFS, 'b.yaml': REFS });
    expect(issuesOf(dir)[0]).toMatch(
      /b\.yaml:2:\d+: error: references\[0\]: duplicate references id 'michor2005' \(first defined at .*a\.yaml:2:\d+\)/,
    );
  });

  it('rejects references that do not resolve', () => {
    const dir = kbDir({
      'refs.yaml': REFS,
      'c.yaml': `parameters:
  - { key: m.x, name: x, value: 1, units: '1', evidence: V, refs: [michor2006] }
`,
    });
    expect(issuesOf(dir)).toEqual([
      expect.stringMatching(
        /c\.yaml:2:\d+: error: parameters\[0\]\.refs\[0\]: unknown reference 'michor2006' \(did you mean 'michor2005'\?\)/,
      ),
    ]);
  });

  it('rejects unknown top-level sections', () => {
    const dir = kbDir({ 'd.yaml': 'parametrs: []\n' });
    expect(issuesOf(dir).join('\n')).toMatch(/d\.yaml:1:1: error: .*parametrs/);
  });

  it('reports malformed YAML with its position', () => {
    const dir = kbDir({ 'e.yaml': 'references:\n  - id: [unclosed\n' });
    expect(issuesOf(dir)[0]).toMatch(/e\.yaml:\d+:\d+: error:/);
  });
});
