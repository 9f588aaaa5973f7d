import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli } from '../support/run-cli.js';

const DECAY = join(REPO_ROOT, 'models/examples/decay.exm');

function parseCsv(text: string): { header: string[]; rows: number[][] } {
  const lines = text.trim().split('\n');
  return { header: lines[0].split(','), rows: lines.slice(1).map((l) => l.split(',').map(Number)) };
}

describe('exoniche simulate', () => {
  it('writes time,<species> CSV to stdout with steps + 1 rows', () => {
    const r = runCli([
      'simulate',
      DECAY,
      '--t-end',
      '10',
      '--steps',
      '20',
      '--rtol',
      '1e-10',
      '--atol',
      '1e-12',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const { header, rows } = parseCsv(r.stdout);
    expect(header[0]).toBe('time');
    expect(rows.length).toBe(21);
    expect(rows[20][0]).toBe(10);
  });

  it('--param overrides a value and the result follows the analytic solution', () => {
    // decay.exm: A(t) = A0 exp(-k t) with A0 = 10; override k = 0.3
    const r = runCli([
      'simulate',
      DECAY,
      '--t-end',
      '5',
      '--steps',
      '5',
      '--rtol',
      '1e-10',
      '--atol',
      '1e-14',
      '--param',
      'k=0.3',
      '--vars',
      'A',
      '--format',
      'json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.retcode).toBe('Success');
    expect(out.time).toEqual([0, 1, 2, 3, 4, 5]);
    for (let i = 0; i < out.time.length; i++) {
      expect(Math.abs(out.series.A[i] - 10 * Math.exp(-0.3 * out.time[i]))).toBeLessThanOrEqual(1e-8 * 10);
    }
  });

  it('writes --out atomically with a manifest beside it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'exoniche-sim-'));
    const out = join(dir, 'run.csv');
    const r = runCli(['simulate', DECAY, '--t-end', '3', '--out', out]);
    expect(r.code).toBe(0);
    expect(existsSync(out)).toBe(true);
    const manifest = JSON.parse(readFileSync(join(dir, 'run.manifest.json'), 'utf8'));
    expect(manifest.tool).toBe('exoniche');
    expect(manifest.command).toMatch(/^exoniche simulate (?!simulate)/); // the command word once
    expect(manifest.inputs[0].sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(manifest.parameterHash).toMatch(/^[0-9a-f]{64}$/);
    expect(manifest.result.retcode).toBe('Success');
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('bad input: clear message, meaningful exit code, no stack trace', () => {
    const cases: [string[], number, RegExp][] = [
      [['simulate', DECAY], 64, /--t-end/],
      [['simulate', DECAY, '--t-end', 'ten'], 64, /--t-end: expected a finite number, got 'ten'/],
      [['simulate', DECAY, '--t-end', '1', '--rtol', '-1'], 64, /--rtol: expected a positive number/],
      [['simulate', DECAY, '--t-end', '1', '--solver', 'euler'], 64, /unknown method 'euler'/],
      [['simulate', DECAY, '--t-end', '1', '--param', 'nope=1'], 65, /nope/],
      [['simulate', DECAY, '--t-end', '1', '--param', 'k'], 64, /expected ID=VALUE/],
      [['simulate', join(REPO_ROOT, 'no-such.exm'), '--t-end', '1'], 66, /no such file/],
    ];
    for (const [args, code, message] of cases) {
      const r = runCli(args);
      expect(r.code, args.join(' ')).toBe(code);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    }
  });

  it('a model with a syntax error is reported with file, line and column', () => {
    const dir = mkdtempSync(join(tmpdir(), 'exoniche-bad-'));
    const bad = join(dir, 'bad.exm');
    writeFileSync(bad, 'model bad\n  A = 1\n  J1: A -> ; k*A*\nend\n');
    const r = runCli(['simulate', bad, '--t-end', '1']);
    expect(r.code).toBe(65);
    expect(r.stderr).toMatch(/bad\.exm:3:\d+: error:/);
  });
});
