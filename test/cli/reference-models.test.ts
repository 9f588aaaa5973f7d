/** `exoniche simulate NAME` (reference models from the catalogue, --patient, --param) and `exoniche models`. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.js';

function parseCsv(text: string): { header: string[]; rows: number[][] } {
  const lines = text.trim().split('\n');
  return { header: lines[0].split(','), rows: lines.slice(1).map((l) => l.split(',').map(Number)) };
}

describe('exoniche simulate NAME', () => {
  it('runs a reference model by name with its default outputs; --param overrides still work', () => {
    const r = runCli([
      'simulate',
      'fassoni2018',
      '--t-end',
      '12',
      '--steps',
      '4',
      '--rtol',
      '1e-10',
      '--atol',
      '1e-8',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const { header, rows } = parseCsv(r.stdout);
    expect(header).toEqual(['time', 'X', 'Y', 'bcr_abl_percent']);
    expect(rows[0][3]).toBeCloseTo(100, 10);
    expect(rows[1][3]).toBeCloseTo(5.05, 1); // V22 at 3 months
    const off = runCli(['simulate', 'fassoni2018', '--t-end', '12', '--steps', '4', '--param', 'f=0']);
    expect(off.code).toBe(0);
    expect(parseCsv(off.stdout).rows[4][3]).toBeGreaterThan(100); // untreated: net growth py - pyx
  });

  it('--patient K selects a Hähnel patient and records it in the manifest', () => {
    const dir = mkdtempSync(join(tmpdir(), 'exoniche-ref-'));
    const out = join(dir, 'p7.csv');
    const r = runCli([
      'simulate',
      'hahnel2020',
      '--patient',
      '7',
      '--t-end',
      '12',
      '--steps',
      '2',
      '--out',
      out,
      '--quiet',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const { header, rows } = parseCsv(readFileSync(out, 'utf8'));
    expect(header).toEqual(['time', 'X', 'Y', 'Z', 'bcr_abl_percent']);
    expect(rows[0][2]).toBe(11949); // patient 7's Y0
    const manifest = JSON.parse(readFileSync(join(dir, 'p7.manifest.json'), 'utf8'));
    expect(manifest.settings.patient).toBe(7);
    expect(manifest.settings.referenceModel).toBe('hahnel2020');
    expect(manifest.inputs[0].path).toMatch(/models\/reference\/hahnel2020\.exm$/);
  });

  it('rejects unknown names and patients out of range', () => {
    const a = runCli(['simulate', 'michor2006', '--t-end', '1']);
    expect(a.code).not.toBe(0);
    expect(a.stderr).toMatch(/not a reference model \(available: michor2005/);
    const b = runCli(['simulate', 'hahnel2020', '--patient', '22', '--t-end', '1']);
    expect(b.code).not.toBe(0);
    expect(b.stderr).toMatch(/1 to 21/);
  });
});

describe('exoniche models', () => {
  it('lists the catalogue (text and --json)', () => {
    const r = runCli(['models']);
    expect(r.code).toBe(0);
    for (const n of ['michor2005', 'fassoni2018', 'hahnel2020', 'clapp2015', 'foo2009'])
      expect(r.stdout).toContain(n);
    expect(r.stdout).toMatch(/patients: 1-21/);
    const j = runCli(['models', '--json']);
    const list = JSON.parse(j.stdout) as { name: string; timeUnit: string }[];
    expect(list.map((m) => m.name)).toEqual([
      'michor2005',
      'fassoni2018',
      'hahnel2020',
      'clapp2015',
      'foo2009',
    ]);
    expect(list.find((m) => m.name === 'hahnel2020')?.timeUnit).toBe('month');
  });
});
