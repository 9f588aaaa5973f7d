import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { morrisIndices } from '../../src/fitting/gsa/morris.js';
import { sobolIndices } from '../../src/fitting/gsa/sobol.js';
import { ishigami, ishigamiIndices } from '../../src/fitting/gsa/test-functions.js';
import { sha256 } from '../../src/io/manifest.js';
import type { SensitivityRequest } from '../../src/sweep/jobs/sensitivity.js';
import { runStudyFolder } from '../../src/sweep/sensitivity-run.js';
import { SensitivitySpecError, type StudySpec, studyDesign } from '../../src/sweep/sensitivity-spec.js';
import { DECAY_EXM, ISHIGAMI_EXM, ISHIGAMI_FACTORS, plan, tmp, writeModel } from './sensitivity-fixture.js';

describe('sensitivity study of a model, through design -> shards -> pool -> merge -> indices', () => {
  it('Ishigami observable at t = 0, N = 2^15: the analytic indices within 0.02, and bit-identical to the estimator on the function', async () => {
    const dir = tmp();
    const file = writeModel(dir, 'ishigami.exm', ISHIGAMI_EXM);
    const req: SensitivityRequest = {
      target: 'model',
      method: { kind: 'sobol', samples: 2 ** 15, bootstrap: 100, confidence: 0.95 },
      factors: ISHIGAMI_FACTORS,
      outputs: ['f'],
      model: { format: 'exm' },
    };
    const m = await plan(file, req, { shards: 4 });
    const r = await runStudyFolder(join(dir, 'study'), m, { workers: 0, command: 'test' });
    expect(r.complete).toBe(true);
    const o = r.summary!.outputs[0]!;
    expect(o.used).toBe(2 ** 15);
    expect(o.dropped).toBe(0);
    const exact = ishigamiIndices();
    // n = 2^15 keeps every index within 0.02 of the exact value (test/fitting/gsa/sobol.test.ts, seeds 1-12)
    for (let i = 0; i < 3; i++) {
      expect(Math.abs(o.first![i]! - exact.first[i]!)).toBeLessThan(0.02);
      expect(Math.abs(o.total![i]! - exact.total[i]!)).toBeLessThan(0.02);
    }
    // the same design evaluated directly: identical bits (the pipeline adds nothing and loses nothing)
    const design = studyDesign(m.spec as unknown as StudySpec);
    const values = new Float64Array(design.rows);
    for (let k = 0; k < design.rows; k++) values[k] = ishigami(design.points.subarray(3 * k, 3 * k + 3));
    const direct = sobolIndices(design as never, values, { bootstrap: 100, seed: 1 });
    expect(o.first).toEqual(Array.from(direct.first));
    expect(o.total).toEqual(Array.from(direct.total));
    expect(o.firstCI!.flat()).toEqual(Array.from(direct.firstCI));
    // the folder: manifest.json written last, indices.json as summarised
    const manifest = JSON.parse(readFileSync(join(dir, 'study', 'manifest.json'), 'utf8'));
    expect(manifest.indicesSha256).toBe(sha256(readFileSync(join(dir, 'study', 'indices.json'))));
    expect(manifest.designPoints).toBe(2 ** 15 * 5);
    expect(readFileSync(join(dir, 'study', 'design.csv'), 'utf8').split('\n')[0]).toBe('row,x1,x2,x3');
    expect(readFileSync(join(dir, 'study', 'report.html'), 'utf8')).toContain('<svg');
    rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('Morris on a linear observable: mu = mu* = slope x range exactly, sigma = 0', async () => {
    const dir = tmp();
    const file = writeModel(dir, 'ishigami.exm', ISHIGAMI_EXM);
    const req: SensitivityRequest = {
      target: 'model',
      method: { kind: 'morris', trajectories: 8, levels: 4 },
      factors: [
        { name: 'x1', lo: -1, hi: 3 },
        { name: 'x2', lo: 0.5, hi: 50, scale: 'log' },
        { name: 'x3', lo: 0, hi: 1 },
      ],
      outputs: ['lin'],
      model: { format: 'exm' },
    };
    const r = await runStudyFolder(join(dir, 'm'), await plan(file, req, { shards: 2 }), {
      workers: 0,
      command: 'test',
    });
    const o = r.summary!.outputs[0]!;
    expect(o.method).toBe('morris');
    expect(o.used).toBe(8);
    // x1 linear on [-1, 3]: effect per unit range = 3 x 4 = 12; x3 has no effect
    expect(o.mu![0]).toBeCloseTo(12, 10);
    expect(o.muStar![0]).toBeCloseTo(12, 10);
    expect(o.sigma![0]).toBeLessThan(1e-9);
    expect(o.muStar![2]).toBe(0);
    // x2 is log-uniform: the effect depends on where the step is taken, so sigma > 0 and mu* = |mu|
    expect(o.mu![1]).toBeLessThan(0);
    expect(o.muStar![1]).toBeCloseTo(-o.mu![1]!, 12);
    expect(o.sigma![1]).toBeGreaterThan(0);
    rmSync(dir, { recursive: true, force: true });
  }, 20_000);

  it('missing values (sqrt of a negative) drop whole base rows, as documented; the rest equals the estimator on the complete rows', async () => {
    const dir = tmp();
    const file = writeModel(dir, 'ishigami.exm', ISHIGAMI_EXM);
    const req: SensitivityRequest = {
      target: 'model',
      method: { kind: 'sobol', samples: 256, bootstrap: 20, confidence: 0.95 },
      factors: [
        { name: 'x1', lo: -0.2, hi: 1 },
        { name: 'x2', lo: 0, hi: 1 },
      ],
      outputs: ['root'],
      model: { format: 'exm' },
    };
    const m = await plan(file, req, { shards: 3 });
    const r = await runStudyFolder(join(dir, 'nan'), m, { workers: 0, command: 'test' });
    const o = r.summary!.outputs[0]!;
    const design = studyDesign(m.spec as unknown as StudySpec);
    const n = 256;
    const f = (k: number) => Math.sqrt(design.points[2 * k]!) + design.points[2 * k + 1]!;
    const keep: number[] = [];
    let missing = 0;
    for (let k = 0; k < design.rows; k++) if (Number.isNaN(f(k))) missing++;
    for (let j = 0; j < n; j++) if ([0, 1, 2, 3].every((b) => !Number.isNaN(f(b * n + j)))) keep.push(j);
    expect(o.missingPoints).toBe(missing);
    expect(missing).toBeGreaterThan(0);
    expect(o.used).toBe(keep.length);
    expect(o.dropped).toBe(n - keep.length);
    const v = new Float64Array(4 * keep.length);
    for (let b = 0; b < 4; b++) keep.forEach((j, t) => (v[b * keep.length + t] = f(b * n + j)));
    const direct = sobolIndices(
      { ...(design as never as object), n: keep.length, rows: 4 * keep.length } as never,
      v,
      {
        bootstrap: 20,
        seed: 1,
      },
    );
    expect(o.first).toEqual(Array.from(direct.first));
    expect(o.total).toEqual(Array.from(direct.total));
    rmSync(dir, { recursive: true, force: true });
  }, 20_000);

  it('an observable at T > 0 is read after an ODE solve: S(T) = exp(-k T) at every design point; log10 outputs', async () => {
    const dir = tmp();
    const file = writeModel(dir, 'decay.exm', DECAY_EXM);
    const req: SensitivityRequest = {
      target: 'model',
      method: { kind: 'morris', trajectories: 4, levels: 6 },
      factors: [{ name: 'k', lo: 0.1, hi: 3 }],
      outputs: ['S', 'log10(S)'],
      time: 2,
      model: { format: 'exm' },
    };
    const m = await plan(file, req, { shards: 1 });
    const r = await runStudyFolder(join(dir, 'd'), m, { workers: 0, command: 'test' });
    expect(r.summary!.failedPoints).toBe(0);
    const { parquetToColumns } = await import('../../src/sweep/columns.js');
    const t = await parquetToColumns(readFileSync(join(dir, 'd', 'results.parquet')), m.outputSchema);
    const k = t.values[1] as Float64Array;
    const s = t.values[2] as Float64Array;
    for (let i = 0; i < t.rows; i++) {
      const exact = Math.exp(-k[i]! * 2);
      // solver tolerances (defaults rtol 1e-6, atol 1e-8 in simulateModel's solve): |err| <= 1e-7 + 1e-5 |y|
      expect(Math.abs(s[i]! - exact)).toBeLessThanOrEqual(1e-7 + 1e-5 * exact);
    }
    // Morris indices from the stored values agree with the estimator called directly
    const design = studyDesign(m.spec as unknown as StudySpec);
    const direct = morrisIndices(design as never, s);
    expect(r.summary!.outputs[0]!.muStar).toEqual(Array.from(direct.muStar));
    // log10(S(T)) = -k T / ln 10 is linear in k: every elementary effect is -T / ln 10 x (hi - lo)
    expect(m.outputSchema[3]!.name).toBe('out_log10_S');
    const ee = (-2 / Math.LN10) * 2.9;
    expect(Math.abs(r.summary!.outputs[1]!.mu![0]! - ee)).toBeLessThan(1e-4 * Math.abs(ee));
    expect(r.summary!.outputs[1]!.sigma![0]!).toBeLessThan(1e-4);
    rmSync(dir, { recursive: true, force: true });
  }, 20_000);

  it('unknown factors and observables, missing ranges and bad sizes are clear errors', async () => {
    const dir = tmp();
    const file = writeModel(dir, 'ishigami.exm', ISHIGAMI_EXM);
    const base: SensitivityRequest = {
      target: 'model',
      method: { kind: 'sobol', samples: 8, bootstrap: 0, confidence: 0.95 },
      factors: ISHIGAMI_FACTORS,
      outputs: ['f'],
      model: { format: 'exm' },
    };
    const fails = async (req: Partial<SensitivityRequest>, re: RegExp, kind: 'usage' | 'data') => {
      const err = await plan(file, { ...base, ...req }, {}).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SensitivitySpecError);
      expect((err as SensitivitySpecError).kind).toBe(kind);
      expect((err as Error).message).toMatch(re);
    };
    await fails(
      { factors: [{ name: 'x9', lo: 0, hi: 1 }] },
      /x9: not a parameter of ishigami.*did you mean 'x1'/,
      'data',
    );
    await fails(
      { factors: [{ name: 'x1' }] },
      /parameter 'x1' has no range in the knowledge base; give one/,
      'data',
    );
    await fails({ outputs: ['g'] }, /no observable 'g'/, 'data');
    await fails({ outputs: ['f@mean'] }, /aggregates .* scenario cohorts only/, 'usage');
    await fails({ factors: [] }, /at least one --factor/, 'usage');
    await fails(
      { method: { kind: 'morris', trajectories: 2, levels: 3 } },
      /levels must be an even integer/,
      'usage',
    );
    rmSync(dir, { recursive: true, force: true });
  }, 20_000);
});
