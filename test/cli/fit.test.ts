import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { REPO_ROOT, runCli } from '../support/run-cli.js';

/** The CLI in this process (fast; stdout and stderr captured). */
async function inProcess(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
    stdout += String(chunk);
    return true;
  });
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: unknown) => {
    stderr += String(chunk);
    return true;
  });
  try {
    const code = await main(['node', 'exoniche', ...args]);
    return { code, stdout, stderr };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

const DECAY = join(REPO_ROOT, 'models/examples/decay.exm');
const dir = mkdtempSync(join(tmpdir(), 'exoniche-fit-'));

/** decay.exm: A(t) = 10 e^{-k t}; data from k = 0.3 (two subjects, the second with a censored point far below). */
const DATA = join(dir, 'decay.csv');
writeFileSync(
  DATA,
  [
    'subject,day,amount,censored',
    ...[0, 1, 2, 4, 6, 8].map((t) => `s1,${t},${10 * Math.exp(-0.3 * t)},0`),
    ...[0, 2, 4, 6].map((t) => `s2,${t},${10 * Math.exp(-0.3 * t)},0`),
    `s2,12,${10 * Math.exp(-0.3 * 12) * 100},1`,
  ].join('\n'),
);

describe('exoniche fit', () => {
  it('recovers the decay rate per subject (--json), with the censored point costing nothing', () => {
    const r = runCli([
      'fit',
      DECAY,
      '--data',
      DATA,
      '--observable',
      'A',
      '--param',
      'k=0.01:2',
      '--starts',
      '2',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.ok).toBe(true);
    expect(out.result.subjects.map((s: { id: string }) => s.id)).toEqual(['s1', 's2']);
    for (const s of out.result.subjects) expect(Math.abs(s.estimates.k - 0.3)).toBeLessThanOrEqual(1e-5);
    expect(out.result.subjects[1].censored).toBe(1);
    expect(out.result.parameters[0]).toEqual({ name: 'k', lo: 0.01, hi: 2, scale: 'log' });
    expect(out.inputs[0].sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('writes fit.json, residuals.csv, report.html and manifest.json with --out (pooled, sigma given)', async () => {
    const out = join(dir, 'run');
    const r = await inProcess([
      'fit',
      DECAY,
      '--data',
      DATA,
      '--observable',
      'A',
      '--param',
      'k=0.01:2:linear:0.5',
      '--pooled',
      '--sigma',
      '0.2',
      '--starts',
      '2',
      '--profile',
      '--out',
      out,
      '--quiet',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['fit.json', 'manifest.json', 'report.html', 'residuals.csv']);
    const fit = JSON.parse(readFileSync(join(out, 'fit.json'), 'utf8'));
    expect(fit.result.subjects).toHaveLength(1);
    expect(fit.result.subjects[0].estimates.k).toBeCloseTo(0.3, 5);
    expect(fit.result.subjects[0].profiles[0].verdict).toBe('identifiable');
    const csv = readFileSync(join(out, 'residuals.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('subject,time,observed,predicted,censored,residual_log10,contribution');
    expect(csv).toHaveLength(12);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.seed).toBe(1);
    expect(manifest.settings.sigma).toBe(0.2);
    expect(manifest.inputs.map((i: { path: string }) => i.path)).toEqual([DATA, DECAY]);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('id="fig-profiles-pooled"');
    // the folder exists now: refused without --force
    const again = await inProcess([
      'fit',
      DECAY,
      '--data',
      DATA,
      '--observable',
      'A',
      '--param',
      'k=0.01:2',
      '--out',
      out,
    ]);
    expect(again.code).toBe(73);
  });

  it('exit 64 for bad --param syntax and unknown parameter ids', async () => {
    const bad = await inProcess(['fit', DECAY, '--data', DATA, '--observable', 'A', '--param', 'k=0.01']);
    expect(bad.code).toBe(64);
    expect(bad.stderr).toMatch(/--param k: wrong number of fields/);
    const inverted = await inProcess([
      'fit',
      DECAY,
      '--data',
      DATA,
      '--observable',
      'A',
      '--param',
      'k=2:0.01',
    ]);
    expect(inverted.code).toBe(64);
    expect(inverted.stderr).toMatch(/lo < hi/);
    const unknown = await inProcess([
      'fit',
      DECAY,
      '--data',
      DATA,
      '--observable',
      'A',
      '--param',
      'kk=0.01:2',
    ]);
    expect(unknown.code).toBe(64);
    expect(unknown.stderr).toMatch(/unknown parameter 'kk'.*parameters: .*k/);
    const obs = await inProcess(['fit', DECAY, '--data', DATA, '--observable', 'B', '--param', 'k=0.01:2']);
    expect(obs.code).toBe(64);
    expect(obs.stderr).toMatch(/unknown observable 'B'/);
  });

  it('exit 66 for a missing data file, 65 with file:line:field for a malformed one', async () => {
    const missing = await inProcess(['fit', DECAY, '--data', join(dir, 'nope.csv'), '--param', 'k=0.01:2']);
    expect(missing.code).toBe(66);
    expect(missing.stderr).toMatch(/nope\.csv: no such file/);
    const badFile = join(dir, 'bad.csv');
    writeFileSync(badFile, 'subject,day,amount\ns1,0,10\ns1,1,-3\n');
    const bad = await inProcess([
      'fit',
      DECAY,
      '--data',
      badFile,
      '--observable',
      'A',
      '--param',
      'k=0.01:2',
    ]);
    expect(bad.code).toBe(65);
    expect(bad.stderr).toMatch(/bad\.csv:3: field 'amount': expected a positive number, got '-3'/);
    expect(existsSync(join(dir, 'run2'))).toBe(false);
  });
});
