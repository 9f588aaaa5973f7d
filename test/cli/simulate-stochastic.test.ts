import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parameterHash, sha256 } from '../../src/io/manifest.js';
import { readSbml } from '../../src/io/sbml/index.js';
import { loadReferenceModel } from '../../src/knowledge/reference-models.js';
import { compileModel } from '../../src/models/compile/index.js';
import { simulateModel } from '../../src/models/simulate.js';
import { VERSION } from '../../src/version.js';
import { REPO_ROOT, runCli } from '../support/run-cli.js';

const MODEL = 'test/fixtures/sbml-test-suite/stochastic/00020/00020-sbml-l3v2.xml'; // immigration-death, X0 = 0

/** [issue 4] The run manifest a stochastic --out writes beside the output, as the ODE path does. */
function checkManifest(
  out: string,
  engine: string,
  replicates: number,
  seed: number,
  overrides: Record<string, number>,
): void {
  const mf = JSON.parse(readFileSync(out.replace(/\.(csv|json)$/, '.manifest.json'), 'utf8'));
  const input = join(REPO_ROOT, MODEL);
  expect(mf.tool).toBe('exoniche');
  expect(mf.version).toBe(VERSION);
  expect(mf.command).toContain(`--engine ${engine}`);
  expect(mf.inputs[0].sha256).toBe(sha256(readFileSync(input)));
  expect(mf.seed).toBe(seed);
  expect(mf.settings).toMatchObject({ engine, replicates, seed: String(seed) });
  expect(mf.parameters).toEqual(overrides);
  // the hash covers every parameter-vector entry with the overrides applied
  const c = compileModel(readSbml(readFileSync(input, 'utf8'), input));
  const eff: Record<string, number> = {};
  c.parameterIds.forEach((id, j) => {
    eff[id] = c.p0[j];
  });
  expect(mf.parameterHash).toBe(parameterHash({ ...eff, ...overrides }));
  expect(mf.outputs).toEqual([out]);
  expect(mf.result.reactions).toBeGreaterThan(0);
  expect(readdirSync(join(out, '..')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
}

describe('exoniche simulate --engine ssa|nrm', () => {
  it('with --replicates writes time,<id>-mean,<id>-sd and is reproducible by seed', () => {
    const args = [
      'simulate',
      MODEL,
      '--t-end',
      '4',
      '--steps',
      '4',
      '--engine',
      'nrm',
      '--replicates',
      '400',
    ];
    const a = runCli([...args, '--seed', '12']);
    expect(a.code, a.stderr).toBe(0);
    const lines = a.stdout.trim().split('\n');
    expect(lines[0]).toBe('time,X-mean,X-sd');
    expect(lines).toHaveLength(6);
    // Immigration-death (alpha = 1, mu = 0.1): mean 10(1 - e^{-0.1 t}), Poisson, so SD ~ sqrt(mean).
    const [t, m, sd] = lines[4].split(',').map(Number);
    const mu = 10 * (1 - Math.exp(-0.1 * t));
    expect(Math.abs(m - mu)).toBeLessThan(4 * Math.sqrt(mu / 400));
    expect(sd).toBeGreaterThan(0.8 * Math.sqrt(mu));
    expect(sd).toBeLessThan(1.2 * Math.sqrt(mu));
    // the same run written with --out: same table, and a manifest beside it
    const out = join(mkdtempSync(join(tmpdir(), 'exoniche-nrm-')), 'nrm.csv');
    expect(runCli([...args, '--seed', '12', '--out', out, '--quiet']).code).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(a.stdout);
    checkManifest(out, 'nrm', 400, 12, {});
    expect(runCli([...args, '--seed', '13']).stdout).not.toBe(a.stdout);
  });

  it('without --replicates writes one integer trajectory', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'exoniche-ssa-')), 'ssa.csv');
    const r = runCli([
      'simulate',
      MODEL,
      '--t-end',
      '3',
      '--steps',
      '3',
      '--engine',
      'ssa',
      '--seed',
      '5',
      '--param',
      'Alpha=20',
      '--out',
      out,
    ]);
    expect(r.code, r.stderr).toBe(0);
    checkManifest(out, 'ssa', 1, 5, { Alpha: 20 });
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('time,X');
    for (const l of lines.slice(1)) expect(Number.isInteger(Number(l.split(',')[1]))).toBe(true);
  });

  // [issue 4, approximate engines] tau and hybrid are wired in (docs/hybrid.md)
  it('--engine tau|hybrid: ensemble mean of immigration-death within sampling error; unknown engine is a usage error', () => {
    for (const engine of ['tau', 'hybrid']) {
      const r = runCli([
        'simulate',
        MODEL,
        '--t-end',
        '4',
        '--steps',
        '4',
        '--engine',
        engine,
        '--replicates',
        '400',
        '--seed',
        '3',
      ]);
      expect(r.code, r.stderr).toBe(0);
      const lines = r.stdout.trim().split('\n');
      expect(lines[0]).toBe('time,X-mean,X-sd');
      const [t, m] = lines[4].split(',').map(Number);
      const mu = 10 * (1 - Math.exp(-0.1 * t));
      expect(Math.abs(m - mu)).toBeLessThan(4 * Math.sqrt(mu / 400));
    }
    const e = runCli(['simulate', MODEL, '--t-end', '3', '--engine', 'foo']);
    expect(e.code).toBe(64);
  });

  it('michor2005 (imatinib start is an event) runs with --engine hybrid and --engine tau; manifests beside the outputs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'exoniche-michor-'));
    // y0 (leukaemic stem cells, 2.5e5, continuous in the hybrid) grows at ry (1 - u) - d0 whatever the
    // therapy; the deterministic solution is the reference for its ensemble mean.
    const ode = simulateModel(loadReferenceModel('michor2005').model, { tEnd: 365, steps: 4, rtol: 1e-10 });
    const y0 = ode.column('y0');
    for (const engine of ['hybrid', 'tau']) {
      const out = join(dir, `${engine}.json`);
      const r = runCli([
        'simulate',
        'michor2005',
        '--t-end',
        '365',
        '--steps',
        '4',
        '--engine',
        engine,
        '--replicates',
        '3',
        '--seed',
        '1',
        '--vars',
        'y0,z0',
        '--out',
        out,
      ]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(new RegExp(`3 replicate\\(s\\) with ${engine}`));
      const res = JSON.parse(readFileSync(out, 'utf8'));
      expect(res.time).toEqual([0, 91.25, 182.5, 273.75, 365]);
      const m = res.series['y0-mean'];
      // hybrid: the ODE itself (rtol 1e-6); tau: the leap's first-order drift at eps = 0.03 (~1%) dominates
      const tol = engine === 'hybrid' ? 1e-5 : 2e-2;
      for (let i = 0; i < 5; i++) expect(Math.abs(m[i] / y0[i] - 1)).toBeLessThan(tol);
      const mf = JSON.parse(readFileSync(join(dir, `${engine}.manifest.json`), 'utf8'));
      expect(mf.settings).toMatchObject({ engine, replicates: 3, referenceModel: 'michor2005' });
      expect(mf.result.events).toBe(3); // imatinib on at t = 0 in every replicate
      expect(mf.parameterHash).toMatch(/^[0-9a-f]{64}$/);
    }
  });
});
