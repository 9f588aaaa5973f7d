import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scenarioJsonSchema } from '../../src/scenario/schema.js';
import { runCli } from '../support/run-cli.js';

describe('exoniche schema', () => {
  it('prints the JSON Schema of scenario files; --out writes the same text', () => {
    const r = runCli(['schema']);
    expect(r.code, r.stderr).toBe(0);
    const schema = JSON.parse(r.stdout);
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.type).toBe('object');
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(['name', 'engine', 'durationMonths', 'seed', 'patient', 'niche', 'therapy']),
    );
    expect(schema).toEqual(JSON.parse(JSON.stringify(scenarioJsonSchema())));

    const file = join(mkdtempSync(join(tmpdir(), 'exoniche-schema-')), 'sub', 'scenario.schema.json');
    const w = runCli(['schema', '--out', file, '--quiet']);
    expect(w.code, w.stderr).toBe(0);
    expect(w.stdout).toBe('');
    expect(readFileSync(file, 'utf8')).toBe(r.stdout);
  });
});
