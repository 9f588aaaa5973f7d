import { describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.js';

const MODEL = '../shared/sbml-test-suite/stochastic/00020/00020-sbml-l3v2.xml'; // immigration-death, X0 = 0

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
    expect(runCli([...args, '--seed', '12']).stdout).toBe(a.stdout);
    expect(runCli([...args, '--seed', '13']).stdout).not.toBe(a.stdout);
  });

  it('without --replicates writes one integer trajectory', () => {
    const r = runCli(['simulate', MODEL, '--t-end', '3', '--steps', '3', '--engine', 'ssa']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
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
});
