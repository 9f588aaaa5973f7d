/**
 * Scenario files: the schema accepts the embedded default and every example; each kind of bad input gives a
 * diagnostic with the right file, line, column and field path (positions counted by hand from the texts below).
 */
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadKnowledgeBase } from '../../src/knowledge/load.js';
import { DEFAULT_SCENARIO } from '../../src/scenario/default.js';
import { loadScenarioFile, parseScenario, ScenarioError } from '../../src/scenario/load.js';
import { scenarioJsonSchema } from '../../src/scenario/schema.js';

const kb = loadKnowledgeBase();
const EXAMPLES = resolve(import.meta.dirname, '../../examples');

function diagnostics(text: string, file = 'bad.yaml') {
  try {
    parseScenario(text, file, kb);
  } catch (e) {
    expect(e).toBeInstanceOf(ScenarioError);
    return (e as ScenarioError).diagnostics;
  }
  throw new Error('expected a ScenarioError');
}

const plan = (entries: string) => `name: t\ntherapy:\n  schedule:\n${entries}`;

describe('scenario schema', () => {
  it('accepts the default scenario and fills in the defaults', () => {
    const s = parseScenario(DEFAULT_SCENARIO, 'default', kb);
    expect(s.engine).toBe('ode');
    expect(s.durationMonths).toBe(72);
    expect(s.therapy.schedule).toEqual([
      {
        drug: 'imatinib',
        doseMg: 400,
        intervalHours: 24,
        startMonth: 0,
        doseChanges: [],
        interruptions: [],
      },
    ]);
    expect(s.niche.exosomes).toBe(true);
    expect(s.therapy.tfr).toEqual({
      attempt: true,
      stopMonth: 'first-eligible',
      restartOnMmrLoss: true,
      monitorEveryMonths: 1,
    });
    expect(s.monitoring.everyMonths).toBe(3);
  });

  it('accepts every example', () => {
    const files = readdirSync(EXAMPLES).filter((f) => f.endsWith('.yaml'));
    expect(files.sort()).toEqual([
      'dose-reduction.yaml',
      'exosome-release-block.yaml',
      'switch-on-mutation.yaml',
      'tfr-attempt.yaml',
    ]);
    for (const f of files) expect(() => loadScenarioFile(join(EXAMPLES, f), kb), f).not.toThrow();
  });

  it('unknown drug: position of the value and close names suggested', () => {
    const d = diagnostics(plan('    - drug: imatinb\n      doseMg: 400\n'));
    expect(d).toHaveLength(1);
    expect(d[0]).toMatchObject({ file: 'bad.yaml', line: 4, column: 13, path: 'therapy.schedule[0].drug' });
    expect(d[0].message).toContain("unknown drug 'imatinb'");
    expect(d[0].message).toContain("'imatinib'");
  });

  it('negative dose', () => {
    const d = diagnostics(plan('    - drug: imatinib\n      doseMg: -400\n'));
    expect(d).toHaveLength(1);
    expect(d[0]).toMatchObject({ line: 5, column: 15, path: 'therapy.schedule[0].doseMg' });
    expect(d[0].message).toMatch(/positive number of mg/);
  });

  it('malformed YAML: a syntax error with its position, no field', () => {
    const d = diagnostics('name: t\ntherapy:\n  schedule: [\n    drug: x\n');
    expect(d.length).toBeGreaterThan(0);
    expect(d[0].path).toBe('');
    expect(d[0].line).toBeGreaterThanOrEqual(3);
    const dup = diagnostics('name: a\nname: b\n');
    expect(dup[0]).toMatchObject({ line: 2, column: 1 });
    expect(dup[0].message).toMatch(/unique/);
  });

  it('a schedule that overlaps itself', () => {
    const d = diagnostics(
      plan(
        '    - drug: imatinib\n      doseMg: 400\n      stopMonth: 24\n    - drug: nilotinib\n      doseMg: 300\n      intervalHours: 12\n      startMonth: 12\n',
      ),
    );
    expect(d).toHaveLength(1);
    expect(d[0]).toMatchObject({ line: 10, column: 19, path: 'therapy.schedule[1].startMonth' });
    expect(d[0].message).toMatch(/overlaps schedule 0/);
    const iv = diagnostics(
      plan(
        '    - drug: imatinib\n      doseMg: 400\n      interruptions:\n        - { fromMonth: 6, toMonth: 8 }\n        - { fromMonth: 7, toMonth: 9 }\n',
      ),
    );
    expect(iv[0]).toMatchObject({ line: 8, path: 'therapy.schedule[0].interruptions[1].fromMonth' });
  });

  it('unknown fields: at the key, with the closest valid name', () => {
    const d = diagnostics('name: t\nniche:\n  hypoxa: 0.5\nfoo: 1\n');
    expect(d).toHaveLength(2);
    expect(d[0]).toMatchObject({ line: 3, column: 3, path: 'niche.hypoxa' });
    expect(d[0].message).toContain("did you mean 'hypoxia'");
    expect(d[1]).toMatchObject({ line: 4, column: 1, path: 'foo' });
    expect(d[1].message).toContain('expected one of: name, description');
    const ch = diagnostics('name: t\nniche:\n  channels:\n    cml-bmsc-il9: false\n');
    expect(ch[0]).toMatchObject({ line: 4, column: 5, path: 'niche.channels.cml-bmsc-il9' });
    expect(ch[0].message).toContain("'cml-bmsc-il8'");
  });

  it('unknown mutation and a switch rule on a clone the patient does not carry', () => {
    const d = diagnostics('name: t\npatient:\n  mutations: [T315X]\n');
    expect(d[0]).toMatchObject({ line: 3, column: 15, path: 'patient.mutations[0]' });
    expect(d[0].message).toContain("'T315I'");
    const s = diagnostics(
      'name: t\ntherapy:\n  switchOnMutation:\n    mutation: T315I\n    to: asciminib\n    detectionShare: 0.2\n',
    );
    expect(s[0]).toMatchObject({ line: 4, path: 'therapy.switchOnMutation.mutation' });
  });

  it('several problems are reported together, in file order', () => {
    const d = diagnostics(plan('    - drug: imatinib\n      doseMg: -1\n      intervalHours: 0\n'));
    expect(d.map((x) => x.path)).toEqual(['therapy.schedule[0].doseMg', 'therapy.schedule[0].intervalHours']);
    expect(String(new ScenarioError(d).message)).toMatch(
      /^bad\.yaml:5:15: error: therapy\.schedule\[0\]\.doseMg: /,
    );
  });

  it('a missing file is a ScenarioError, not a stack trace', () => {
    const dir = mkdtempSync(join(tmpdir(), 'exo-scn-'));
    expect(() => loadScenarioFile(join(dir, 'none.yaml'), kb)).toThrow(/scenario file not found/);
  });

  it('exports a JSON Schema for editors', () => {
    const js = scenarioJsonSchema() as {
      properties: Record<string, { properties?: Record<string, unknown> }>;
      additionalProperties?: boolean;
    };
    expect(Object.keys(js.properties)).toEqual(
      expect.arrayContaining([
        'model',
        'engine',
        'durationMonths',
        'patient',
        'niche',
        'therapy',
        'monitoring',
      ]),
    );
    expect(js.additionalProperties).toBe(false);
    expect(JSON.parse(JSON.stringify(js))).toEqual(js);
    const engine = js.properties.engine as { enum?: string[] };
    expect(engine.enum).toEqual(['ode', 'hybrid', 'ssa', 'tau']);
  });
});
