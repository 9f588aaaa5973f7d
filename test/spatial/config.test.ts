import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadKnowledgeBase } from '../../src/knowledge/load.js';
import { initialCells, parseSpatialRun, SpatialConfigError } from '../../src/spatial/config.js';

const kb = loadKnowledgeBase();
const EXAMPLE = join(import.meta.dirname, '../../examples/spatial/homing.yaml');

const BASE = `seed: 5
domain:
  dims: 2
  size: [400, 200]
  voxel: 20
duration: { hours: 2 }
snapshotEvery: 1
lscCapacity: 100
cells:
  - { type: bmsc, x: 100, y: 100 }
`;

/** The diagnostics of a file expected to fail. */
function errors(text: string): { line: number; column: number; path: string; message: string }[] {
  try {
    parseSpatialRun(text, 'run.yaml', kb);
  } catch (e) {
    expect(e).toBeInstanceOf(SpatialConfigError);
    expect((e as Error).message).toMatch(/^run\.yaml:\d+:\d+: error: /);
    return [...(e as SpatialConfigError).diagnostics];
  }
  throw new Error('expected a SpatialConfigError');
}

describe('spatial run files', () => {
  it('the example gives the SVE-5 set-up: 6 endothelial cells, 30 quiescent LSCs in their box, 6 snapshots', () => {
    const c = parseSpatialRun(readFileSync(EXAMPLE, 'utf8'), EXAMPLE, kb);
    expect(c.options).toMatchObject({
      dims: 2,
      domain: { lo: [0, 0], hi: [800, 400] },
      voxel: 20,
      seed: 31,
      dtPhenotype: 6,
      lscCapacity: 1000,
      chemokines: { cxcl12: true },
    });
    expect(c.durationMin).toBe(720);
    expect(c.snapshotMin).toBe(120);
    expect(c.stepsPerSnapshot).toBe(20);
    expect(c.snapshots).toBe(6);
    expect(c.cells.filter((x) => x.type === 'endo').map((x) => x.y)).toEqual([150, 170, 190, 210, 230, 250]);
    const lsc = c.cells.filter((x) => x.type === 'lsc');
    expect(lsc.length).toBe(30);
    for (const x of lsc) {
      expect(x.quiescent).toBe(true);
      expect(x.x).toBeGreaterThanOrEqual(60);
      expect(x.x).toBeLessThan(200);
      expect(x.y).toBeGreaterThanOrEqual(40);
      expect(x.y).toBeLessThan(360);
    }
    // uniform in the box: the mean x of 30 draws lies within 3 standard errors (140 / sqrt(12 * 30) = 7.4 um) of 130
    const mx = lsc.reduce((s, x) => s + x.x, 0) / 30;
    expect(Math.abs(mx - 130)).toBeLessThan(3 * 7.4);
  });

  it('generators are keyed by the seed: the same seed gives the same cells, another seed others', () => {
    const gen = `${BASE}  - { type: lsc, count: 2000, region: { disc: { centre: [200, 100], radius: 50 } } }\n`;
    const a = parseSpatialRun(gen, 'a.yaml', kb);
    const b = parseSpatialRun(gen, 'b.yaml', kb);
    const c = parseSpatialRun(gen.replace('seed: 5', 'seed: 6'), 'c.yaml', kb);
    expect(a.cells).toEqual(b.cells);
    expect(a.cells).not.toEqual(c.cells);
    expect(a.cells.length).toBe(2001);
    const r = a.cells.slice(1).map((x) => Math.hypot(x.x - 200, x.y - 100));
    expect(Math.max(...r)).toBeLessThanOrEqual(50);
    // uniform over the disc: P(r < R / sqrt 2) = 1/2; 2000 draws, binomial SE 0.0112
    const inner = r.filter((v) => v < 50 / Math.SQRT2).length / 2000;
    expect(Math.abs(inner - 0.5)).toBeLessThan(3 * 0.0112);
    expect(initialCells(a.file)).toEqual(a.cells);
  });

  it('a disc reaching past the domain edge places its cells inside the domain', () => {
    const c = parseSpatialRun(
      `${BASE}  - { type: lsc, count: 100, region: { disc: { centre: [10, 10], radius: 60 } } }\n`,
      'x.yaml',
      kb,
    );
    for (const x of c.cells.slice(1)) {
      expect(x.x).toBeGreaterThanOrEqual(0);
      expect(x.y).toBeGreaterThanOrEqual(0);
    }
  });

  it('vessels, immune and drug options reach SpatialOptions', () => {
    const c = parseSpatialRun(
      `${BASE}vessels: true\nimmune: { scale: 0.5 }\ndrug: { name: imatinib, nM: 100 }\noxygen: { boundary: 38 }\n`,
      'x.yaml',
      kb,
    );
    expect(c.options.vessels).toEqual({});
    expect(c.options.immune).toEqual({ scale: 0.5 });
    expect(c.options.drug).toEqual({ name: 'imatinib', nM: 100 });
    expect(c.options.oxygen).toEqual({ boundary: 38 });
  });

  it('an unknown field is reported at its line with a suggestion', () => {
    const d = errors(BASE.replace('  voxel: 20', '  voxle: 20'));
    expect(d).toContainEqual(
      expect.objectContaining({
        line: 5,
        path: 'domain.voxle',
        message: expect.stringContaining("did you mean 'voxel'"),
      }),
    );
  });

  it('a value of the wrong type names its line and field', () => {
    const d = errors(BASE.replace('lscCapacity: 100', 'lscCapacity: lots'));
    expect(d).toEqual([expect.objectContaining({ line: 8, column: 14, path: 'lscCapacity' })]);
    expect(d[0].message).not.toMatch(/missing/);
  });

  it('a missing field is reported as missing', () => {
    const d = errors(BASE.replace('snapshotEvery: 1\n', ''));
    expect(d).toEqual([
      expect.objectContaining({ path: 'snapshotEvery', message: expect.stringMatching(/^missing field/) }),
    ]);
  });

  it('an unknown drug, a cell outside the domain and a bad snapshot interval are each reported at their line', () => {
    const d = errors(
      BASE.replace('snapshotEvery: 1', 'snapshotEvery: 0.05').replace('x: 100, y: 100', 'x: 500, y: 100') +
        'drug: { name: aspirin, nM: 1 }\n',
    );
    expect(d.map((x) => [x.line, x.path])).toEqual([
      [7, 'snapshotEvery'],
      [10, 'cells[0]'],
      [11, 'drug.name'],
    ]);
    expect(d[0].message).toContain('multiple of dtPhenotype 6 min');
    expect(d[1].message).toContain('outside the domain');
  });

  it('a generator with a bad region and a bad duration are explained', () => {
    const d = errors(
      `${BASE.replace('{ hours: 2 }', '{ weeks: 2 }')}  - { type: lsc, count: 3, region: { ring: 4 } }\n`,
    );
    expect(d.map((x) => [x.line, x.path])).toEqual([
      [6, 'duration'],
      [11, 'cells[1]'],
    ]);
    expect(d[0].message).toContain('hours');
  });

  it('YAML syntax errors give their line', () => {
    const d = errors('seed: 1\ndomain: [1,\n');
    expect(d[0].line).toBeGreaterThanOrEqual(2);
    expect(d[0].path).toBe('');
  });
});
