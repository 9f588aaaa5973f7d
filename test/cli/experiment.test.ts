/** `exoniche experiment list` and `exoniche experiment run NAME [--json] [--out FILE]`, spawned as a user would. */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.js';

describe('exoniche experiment', () => {
  it('list: every experiment with its study', () => {
    const r = runCli(['experiment', 'list']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    for (const id of ['VE-1', 'VE-3', 'VE-14', 'VE-15', 'VE-17'])
      expect(r.stdout).toMatch(new RegExp(`^${id} `, 'm'));
    expect(r.stdout).toContain('mineo2012');
  });

  it('list --json: ids, sources and expectations', () => {
    const r = runCli(['experiment', 'list', '--json']);
    expect(r.code).toBe(0);
    const list = JSON.parse(r.stdout) as { id: string; source: { ref: string }; expectations: unknown[] }[];
    expect(list.map((e) => e.id)).toContain('VE-11');
    expect(list.find((e) => e.id === 'VE-1')?.source.ref).toBe('mineo2012');
    expect(list.every((e) => e.expectations.length > 0)).toBe(true);
  });

  it('run VE-1: the tube-formation fold beside the expected 2x, as text', () => {
    const r = runCli(['experiment', 'run', 'VE-1']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('VE-1');
    expect(r.stdout).toMatch(/expected 2 \(1\.5 – 2\.5\), obtained 1\.\d+/);
    expect(r.stdout).toMatch(/^status: (pass|fail)/m);
  });

  it('run ve3 --json --out FILE: the same JSON result on stdout and in the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'exoniche-exp-'));
    const out = join(dir, 'sub', 've3.json');
    const r = runCli(['experiment', 'run', 've3', '--json', '--out', out]);
    expect(r.code).toBe(0);
    const res = JSON.parse(r.stdout);
    expect(res.id).toBe('VE-3');
    expect(res.arms.length).toBe(4);
    expect(res.checks.find((c: { id: string }) => c.id === 'tube_imatinib').obtained).toBeCloseTo(1, 9);
    expect(existsSync(out)).toBe(true);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(res);
  });

  it('an unknown name exits 64 and lists the valid ones', () => {
    const r = runCli(['experiment', 'run', 'VE-99']);
    expect(r.code).toBe(64);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/unknown experiment 'VE-99'; valid: VE-1, VE-2, .*VE-17/);
  });
});
