import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { readParquet } from 'parquet-wasm';
import { describe, expect, it } from 'vitest';
import { defaultRunDir, uniqueDir } from '../../src/cli/commands/run.js';
import { sha256 } from '../../src/io/manifest.js';
import { DEFAULT_SCENARIO } from '../../src/scenario/default.js';
import { runCli } from '../support/run-cli.js';

const SHORT = `name: short imatinib
durationMonths: 24
therapy:
  schedule:
    - drug: imatinib
      doseMg: 400
`;

const RUN_FILES = [
  'drug.csv',
  'manifest.json',
  'monitoring.csv',
  'report.html',
  'results.csv',
  'results.parquet',
  'scenario.yaml',
  'therapy.csv',
];

const NO_STACK = /\n\s+at /;

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'exoniche-run-'));
}

describe('exoniche run', () => {
  it('with no argument runs the default scenario into runs/default-<stamp>/ and prints the summary', () => {
    const cwd = tmp();
    const r = runCli(['run'], cwd);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(NO_STACK);
    const runs = readdirSync(join(cwd, 'runs'));
    expect(runs.length).toBe(1);
    expect(runs[0]).toMatch(/^default-\d{8}-\d{6}$/);
    const dir = join(cwd, 'runs', runs[0]);
    expect(readdirSync(dir).sort()).toEqual(RUN_FILES);

    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html.length).toBeGreaterThan(10_000);
    expect(html).toMatch(/^<!doctype html>/i);
    expect(html).toContain('</html>');

    expect(readFileSync(join(dir, 'scenario.yaml'), 'utf8')).toBe(DEFAULT_SCENARIO);
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    expect(manifest.tool).toBe('exoniche');
    expect(manifest.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(manifest.command).toBe('exoniche run');
    expect(manifest.scenario.name).toBe('default');
    expect(manifest.scenario.sha256).toBe(sha256(DEFAULT_SCENARIO));
    expect(manifest.scenario.resolved.durationMonths).toBe(72);
    expect(manifest.seed).toBe('1');
    expect(manifest.engine).toBe('ode');
    expect(manifest.parameterHash).toMatch(/^[0-9a-f]{64}$/);
    expect(manifest.parameters.length).toBeGreaterThan(10);
    expect(manifest.timings.simulateMs).toBeGreaterThan(0);
    expect(manifest.timings.buildMs).toBeGreaterThan(0);
    expect(manifest.outputs).toEqual(RUN_FILES);

    // results.csv and results.parquet hold the same table: time over 72 months plus every series
    const lines = readFileSync(join(dir, 'results.csv'), 'utf8').trimEnd().split('\n');
    const header = lines[0].split(',');
    expect(header[0]).toBe('time');
    const table = tableFromIPC(readParquet(readFileSync(join(dir, 'results.parquet'))).intoIPCStream());
    expect(table.schema.fields.map((f) => f.name)).toEqual(header);
    expect(table.numRows).toBe(lines.length - 1);
    const last = lines[lines.length - 1].split(',').map(Number);
    expect(last[0]).toBe(72);
    const k = header.length - 1;
    expect((table.getChild(header[k])!.toArray() as Float64Array)[table.numRows - 1]).toBe(last[k]);

    // the summary on stdout: the three milestones with their ELN category as in the manifest, and the rest
    const out = r.stdout;
    for (const m of manifest.summary.milestones) {
      expect(out).toMatch(new RegExp(`month +${m.month}: +\\S+ %  ${m.category}`));
    }
    expect(out).toContain(`best molecular response: ${manifest.summary.bestResponse}`);
    expect(out).toMatch(/time to MMR: .*; time to MR4\.5: /);
    expect(out).toContain(`phase at the end: ${manifest.summary.phaseAtEnd}`);
    expect(out).toMatch(/^TFR: /m);
    expect(out).toContain(`wrote runs/${runs[0]}/`);
    expect(out).toContain(`report: runs/${runs[0]}/report.html`);
  });

  it('--json prints one JSON object and nothing else on stdout; --seed is recorded', () => {
    const dir = tmp();
    const scenario = join(dir, 'short.yaml');
    writeFileSync(scenario, SHORT);
    const out = join(dir, 'out');
    const r = runCli(['run', scenario, '--out', out, '--seed', '7', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout); // the whole of stdout is one object
    expect(json.ok).toBe(true);
    expect(json.out).toBe(out);
    expect(json.files).toEqual(RUN_FILES);
    expect(json.report).toBe(join(out, 'report.html'));
    expect(json.scenario).toMatchObject({ name: 'short imatinib', file: scenario, seed: '7', engine: 'ode' });
    expect(json.summary.milestones.map((m: { month: number }) => m.month)).toEqual([3, 6, 12]);
    expect(json.timings.totalMs).toBeGreaterThan(0);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.seed).toBe('7');
    expect(manifest.settings.seedOverride).toBe('7');
    expect(manifest.scenario.file).toBe(scenario);
    expect(manifest.scenario.sha256).toBe(sha256(SHORT));
    expect(manifest.summary).toEqual(json.summary);
  });

  it('an existing output folder is refused with exit 73 and left untouched; a bad option is exit 64', () => {
    const dir = tmp();
    const out = join(dir, 'out');
    mkdirSync(out);
    writeFileSync(join(out, 'mine.txt'), 'keep me');
    const r = runCli(['run', '--out', out, '--json']);
    expect(r.code).toBe(73);
    expect(JSON.parse(r.stdout)).toEqual({
      ok: false,
      exitCode: 73,
      error: `${out} already exists (use --force to replace it)`,
    });
    expect(r.stderr).toContain('already exists (use --force to replace it)');
    expect(r.stderr).not.toMatch(NO_STACK);
    expect(readdirSync(out)).toEqual(['mine.txt']);
    expect(readFileSync(join(out, 'mine.txt'), 'utf8')).toBe('keep me');
    expect(readdirSync(dir)).toEqual(['out']);

    const u = runCli(['run', '--engine', 'euler', '--out', join(dir, 'other')]);
    expect(u.code).toBe(64);
    expect(u.stderr).toContain("--engine: expected one of ode, hybrid, ssa, tau, got 'euler'");
    expect(existsSync(join(dir, 'other'))).toBe(false);
  });
});

describe('exoniche run: a failed simulation', () => {
  it('exits 1 with the solver message and writes no folder', () => {
    // x' = x^2 from x0 = 2 blows up at t = 1/x0 = 0.5: the solver must give up there
    const dir = tmp();
    writeFileSync(
      join(dir, 'blowup.exm'),
      'model blowup\n  compartment cell = 1\n  species x in cell = 2\n  J1: -> x; x*x\nend\n',
    );
    writeFileSync(join(dir, 'blowup.yaml'), 'name: blowup\nmodel:\n  file: blowup.exm\ndurationMonths: 2\n');
    const r = runCli(['run', 'blowup.yaml', '--out', 'out'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^exoniche: blowup\.yaml: simulation failed: ODE solver stopped at t = 0\.5/);
    expect(r.stderr).not.toMatch(NO_STACK);
    expect(readdirSync(dir).sort()).toEqual(['blowup.exm', 'blowup.yaml']);
  });
});

describe('defaultRunDir', () => {
  it('is runs/<name>-<yyyymmdd-hhmmss> in UTC with the name made safe for a path', () => {
    const t = new Date(Date.UTC(2026, 0, 2, 3, 4, 5));
    expect(defaultRunDir('default', t)).toBe(join('runs', 'default-20260102-030405'));
    expect(defaultRunDir('Nilotinib 300 mg / BID', t)).toBe(
      join('runs', 'Nilotinib-300-mg-BID-20260102-030405'),
    );
    expect(defaultRunDir('../..', t)).toBe(join('runs', 'scenario-20260102-030405'));
  });

  it('uniqueDir adds -2, -3, ... when the folder is taken (two runs in the same second)', () => {
    const dir = tmp();
    const base = join(dir, 'default-20260102-030405');
    expect(uniqueDir(base)).toBe(base);
    mkdirSync(base);
    mkdirSync(`${base}-2`);
    expect(uniqueDir(base)).toBe(`${base}-3`);
  });
});
