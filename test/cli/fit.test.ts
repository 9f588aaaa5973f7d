import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DECAY_EXM } from '../fitting/model-fit-fixture.js';
import { runCliInProcess } from '../support/cli.js';
import { REPO_ROOT, runCli } from '../support/run-cli.js';

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

/** `exoniche fit` of decay.exm's A against DATA (in this process) with further arguments. */
const DECAY_FIT = ['fit', DECAY, '--data', DATA, '--observable', 'A'];
const fitDecay = (...args: string[]) => runCliInProcess([...DECAY_FIT, ...args]);

describe('exoniche fit', () => {
  it('recovers the decay rate per subject (--json), with the censored point costing nothing', () => {
    const r = runCli([...DECAY_FIT, '--param', 'k=0.01:2', '--starts', '2', '--json']);
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
    const r = await fitDecay(
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
    );
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
    const again = await fitDecay('--param', 'k=0.01:2', '--out', out);
    expect(again.code).toBe(73);
  });

  it('exit 64 for bad --param syntax and unknown parameter ids', async () => {
    const bad = await fitDecay('--param', 'k=0.01');
    expect(bad.code).toBe(64);
    expect(bad.stderr).toMatch(/--param k: wrong number of fields/);
    const inverted = await fitDecay('--param', 'k=2:0.01');
    expect(inverted.code).toBe(64);
    expect(inverted.stderr).toMatch(/lo < hi/);
    const unknown = await fitDecay('--param', 'kk=0.01:2');
    expect(unknown.code).toBe(64);
    expect(unknown.stderr).toMatch(/unknown parameter 'kk'.*parameters: .*k/);
    const obs = await fitDecay('--observable', 'B', '--param', 'k=0.01:2');
    expect(obs.code).toBe(64);
    expect(obs.stderr).toMatch(/unknown observable 'B'/);
  });

  it('exit 66 for a missing data file, 65 with file:line:field for a malformed one', async () => {
    const missing = await runCliInProcess([
      'fit',
      DECAY,
      '--data',
      join(dir, 'nope.csv'),
      '--param',
      'k=0.01:2',
    ]);
    expect(missing.code).toBe(66);
    expect(missing.stderr).toMatch(/nope\.csv: no such file/);
    const badFile = join(dir, 'bad.csv');
    writeFileSync(badFile, 'subject,day,amount\ns1,0,10\ns1,1,-3\n');
    const bad = await runCliInProcess([
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

/** Decay with core-parameter names (e_tki, Y_init) for the population path; four subjects, rates around 0.4. */
const PDECAY = join(dir, 'pdecay.exm');
writeFileSync(
  PDECAY,
  `${DECAY_EXM}
`,
);
const PDATA = join(dir, 'pdata.csv');
{
  const ks = [0.3, 0.45, 0.38, 0.5];
  const wobble = [0.05, -0.04, 0.02, -0.06, 0.03];
  writeFileSync(
    PDATA,
    [
      'patient,month,value',
      ...ks.flatMap((k, i) =>
        [0.5, 1, 2, 4, 6].map(
          (t, j) => `p${i + 1},${t},${1000 * Math.exp(-k * t) * 10 ** wobble[(i + j) % 5]}`,
        ),
      ),
    ].join('\n'),
  );
}

/** `exoniche fit` of pdecay.exm's Y against PDATA, e_tki in [0.01, 5] (in this process), with further arguments. */
const fitPdecay = (...args: string[]) =>
  runCliInProcess(['fit', PDECAY, '--data', PDATA, '--observable', 'Y', '--param', 'e_tki=0.01:5', ...args]);

describe('exoniche fit --bayes', () => {
  it('prints per-subject posterior summaries, histograms and bands (--json) and writes draws.csv', async () => {
    const out = join(dir, 'bayes');
    const r = await fitDecay(
      '--param',
      'k=0.01:2',
      '--sigma',
      '0.05',
      '--bayes',
      '--chains',
      '2',
      '--warmup',
      '200',
      '--draws',
      '100',
      '--subjects',
      's1',
      '--json',
      '--out',
      out,
    );
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    const s = j.result.subjects[0];
    expect(j.result.chains).toBe(2);
    expect(j.result.draws).toBe(100);
    expect(s.id).toBe('s1');
    const p = s.parameters[0];
    expect(p.name).toBe('k');
    // noise-free data at k = 0.3: the posterior sits on it
    expect(p.q025).toBeLessThan(0.3);
    expect(p.q975).toBeGreaterThan(0.3);
    for (const key of ['mean', 'sd', 'rhat', 'essBulk', 'essTail'])
      expect(Number.isFinite(p[key])).toBe(true);
    expect(s.histograms[0].counts.reduce((a: number, b: number) => a + b, 0)).toBe(200);
    expect(s.bands.predictive.q975.length).toBe(s.bands.t.length);
    expect(Array.isArray(s.warnings)).toBe(true);
    expect(readdirSync(out).sort()).toEqual(['draws.csv', 'fit.json', 'manifest.json', 'report.html']);
    expect(readFileSync(join(out, 'draws.csv'), 'utf8').trim().split('\n')).toHaveLength(201);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('id="fig-band-s1"');
    expect(html).toContain('id="fig-hist-s1"');
  });

  it('exit 64 for conflicting or misplaced options', async () => {
    const both = await fitDecay('--param', 'k=0.01:2', '--bayes', '--population');
    expect(both.code).toBe(64);
    expect(both.stderr).toMatch(/--bayes and --population exclude each other/);
    const chains = await fitDecay('--param', 'k=0.01:2', '--chains', '2');
    expect(chains.code).toBe(64);
    expect(chains.stderr).toMatch(/--chains needs --bayes or --population/);
    const zero = await fitDecay('--param', 'k=0.01:2', '--bayes', '--draws', '0');
    expect(zero.code).toBe(64);
    expect(zero.stderr).toMatch(/--draws/);
    const profile = await fitDecay('--param', 'k=0.01:2', '--bayes', '--profile');
    expect(profile.code).toBe(64);
    expect(profile.stderr).toMatch(/--profile applies to maximum-likelihood fits/);
  });
});

describe('exoniche fit --population', () => {
  it('prints population estimates and the coreFit YAML, and writes core-fit.yaml', async () => {
    const out = join(dir, 'population');
    const r = await fitPdecay(
      '--fix',
      'Y_init=1000',
      '--population',
      '--burn-in',
      '40',
      '--averaging',
      '20',
      '--chains',
      '2',
      '--out',
      out,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/SAEM population fit of e_tki to 4 subjects/);
    expect(r.stdout).toMatch(/core: fitted/);
    expect(r.stdout).toMatch(/docs\/cohorts\.md/);
    expect(readdirSync(out).sort()).toEqual([
      'core-fit.yaml',
      'fit.json',
      'manifest.json',
      'report.html',
      'subjects.csv',
    ]);
    const fit = JSON.parse(readFileSync(join(out, 'fit.json'), 'utf8'));
    const pop = fit.result.parameters[0];
    expect(pop.value).toBeGreaterThan(0.3);
    expect(pop.value).toBeLessThan(0.5);
    expect(fit.result.trajectory.sigma).toHaveLength(60);
    const yaml = readFileSync(join(out, 'core-fit.yaml'), 'utf8');
    expect(yaml).toContain('names: ["e_tki"]');
    expect(yaml).toContain(`mean: [${fit.result.coreFit.mean[0]}]`);
    expect(readFileSync(join(out, 'subjects.csv'), 'utf8').split('\n')[0]).toMatch(
      /^subject,e_tki_mean,e_tki_sd_phi/,
    );
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('id="fig-saem-trajectories"');
  });

  it('exit 64 for one subject, --pooled and a bad --covariance', async () => {
    const one = await fitPdecay('--population', '--subjects', 'p1');
    expect(one.code).toBe(64);
    expect(one.stderr).toMatch(/at least 2 subjects/);
    const pooled = await fitPdecay('--population', '--pooled');
    expect(pooled.code).toBe(64);
    const cov = await fitPdecay('--population', '--covariance', 'banded');
    expect(cov.code).toBe(64);
    expect(cov.stderr).toMatch(/--covariance: expected diagonal or full, got 'banded'/);
    const burn = await fitPdecay('--burn-in', '5');
    expect(burn.code).toBe(64);
    expect(burn.stderr).toMatch(/--burn-in needs --population/);
  });
});
