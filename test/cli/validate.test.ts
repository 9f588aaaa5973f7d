import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli } from '../support/run-cli.js';

/** SBML Test Suite case 01400 uses delay(), which the simulators do not support: its P1 (line 14) needs it. */
const DELAY_SBML = join(REPO_ROOT, 'test/fixtures/sbml-test-suite/semantic/01400/01400-sbml-l3v2.xml');

// Each bad scenario with the line:column and field where the problem is.
const BAD = {
  'unknown-drug.yaml': {
    text: 'name: bad drug\ntherapy:\n  schedule:\n    - drug: imatinb\n      doseMg: 400\n',
    at: '4:13',
    expect: "therapy.schedule[0].drug: unknown drug 'imatinb' (did you mean 'imatinib'?)",
  },
  'negative-dose.yaml': {
    text: 'name: negative\ntherapy:\n  schedule:\n    - drug: imatinib\n      doseMg: -400\n',
    at: '5:15',
    expect: 'therapy.schedule[0].doseMg: a dose must be a positive number of mg',
  },
  'malformed.yaml': {
    text: 'name: bad\ntherapy:\n  schedule: [\n    - drug: imatinib\n',
    at: '4:5',
    expect: 'error: ',
  },
  'overlap.yaml': {
    text:
      'name: overlap\ntherapy:\n  schedule:\n    - drug: imatinib\n      doseMg: 400\n      stopMonth: 12\n' +
      '    - drug: nilotinib\n      doseMg: 300\n      intervalHours: 12\n      startMonth: 6\n',
    at: '10:19',
    expect: 'therapy.schedule[1].startMonth: schedule 1 (nilotinib from month 6) overlaps schedule 0',
  },
} as const;

const NO_STACK = /\n\s+at /;

function setup(): string {
  const dir = mkdtempSync(join(tmpdir(), 'exoniche-validate-'));
  for (const [name, c] of Object.entries(BAD)) writeFileSync(join(dir, name), c.text);
  writeFileSync(
    join(dir, 'good.yaml'),
    'name: good\ndurationMonths: 24\ntherapy:\n  schedule:\n    - drug: dasatinib\n      doseMg: 100\n',
  );
  writeFileSync(join(dir, 'delay.yaml'), `name: delay\nmodel:\n  file: ${DELAY_SBML}\ndurationMonths: 1\n`);
  return dir;
}

describe('exoniche validate', () => {
  const dir = setup();

  it('a valid scenario: exit 0 and "valid"', () => {
    const r = runCli(['validate', 'good.yaml'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe("good.yaml: valid scenario 'good' (niche model, ode engine, 24 months)\n");
    expect(r.stderr).toBe('');
  });

  it('unknown drug, negative dose, malformed YAML, overlapping schedule: file:line:col: field, exit 65', () => {
    const names = Object.keys(BAD);
    const r = runCli(['validate', ...names], dir);
    expect(r.code).toBe(65);
    expect(r.stdout).toBe('');
    expect(r.stderr).not.toMatch(NO_STACK);
    const lines = r.stderr.trimEnd().split('\n');
    for (const [name, c] of Object.entries(BAD)) {
      const line = lines.find((l) => l.startsWith(`${name}:${c.at}: error: `));
      expect(line, `${name}\n${r.stderr}`).toBeDefined();
      expect(line).toContain(c.expect);
    }
    expect(lines[lines.length - 1]).toMatch(/^exoniche: unknown-drug\.yaml, .*: \d+ errors$/);
  });

  it('--json: every diagnostic with file, line, column and field', () => {
    const r = runCli(['validate', 'negative-dose.yaml', '--json'], dir);
    expect(r.code).toBe(65);
    const json = JSON.parse(r.stdout);
    expect(json.valid).toBe(false);
    expect(json.files[0]).toMatchObject({ file: 'negative-dose.yaml', kind: 'scenario', valid: false });
    expect(json.files[0].issues[0]).toMatchObject({
      file: 'negative-dose.yaml',
      line: 5,
      column: 15,
      path: 'therapy.schedule[0].doseMg',
      severity: 'error',
    });
  });

  it('an SBML model using delay(): exit 65 naming the element and its line', () => {
    const rel = relative(dir, DELAY_SBML);
    const r = runCli(['validate', rel], dir);
    expect(r.code).toBe(65);
    expect(r.stderr).not.toMatch(NO_STACK);
    expect(r.stderr).toContain(`${rel}:14:1: error: not supported by the simulators: initial value of 'P1'`);
    expect(r.stderr).toContain("'delay'");
  });

  it('run refuses bad input with exit 65 and leaves no output folder (bad scenario, unsupported SBML)', () => {
    const a = runCli(['run', 'negative-dose.yaml', '--out', 'out-a'], dir);
    expect(a.code).toBe(65);
    expect(a.stderr).toContain('negative-dose.yaml:5:15: error: therapy.schedule[0].doseMg:');
    expect(a.stderr).not.toMatch(NO_STACK);
    const b = runCli(['run', 'delay.yaml', '--out', 'out-b'], dir);
    expect(b.code).toBe(65);
    expect(b.stderr).toMatch(/01400-sbml-l3v2\.xml:14:1: not supported by the simulators: .*'P1'.*'delay'/);
    expect(b.stderr).not.toMatch(NO_STACK);
    expect(existsSync(join(dir, 'out-a'))).toBe(false);
    expect(existsSync(join(dir, 'out-b'))).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('a missing file: exit 66', () => {
    const r = runCli(['validate', 'nope.yaml'], dir);
    expect(r.code).toBe(66);
    expect(r.stderr).toContain('nope.yaml: error: no such file');
  });
});
