import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { readParquet } from 'parquet-wasm';
import { describe, expect, it } from 'vitest';
import { sha256 } from '../../src/io/manifest.js';
import {
  type FolderFiles,
  RunFolderError,
  writeFolderAtomic,
  writeRunFolder,
} from '../../src/io/run-folder.js';
import type { ScenarioRun } from '../../src/scenario/run-result.js';

/** A small synthetic run: values chosen so that a transposed or shifted column would show. */
function syntheticRun(): ScenarioRun {
  const n = 13;
  const time = new Float64Array(n);
  const is = new Float64Array(n);
  const lsc = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    time[i] = i;
    is[i] = 100 * 0.5 ** i; // halves each month
    lsc[i] = 1e5 + i / 3; // needs full precision
  }
  lsc[4] = Number.NaN;
  return {
    name: 'synthetic',
    description: 'test run, "quoted", with commas',
    scenario: { name: 'synthetic', therapy: [{ drug: 'imatinib', doseMg: 400 }] },
    engine: 'ode',
    seed: '42',
    time,
    series: [
      { id: 'bcr_abl_is', label: 'BCR-ABL1 IS', units: '% IS', group: 'bcr-abl' },
      { id: 'lsc_q', label: 'quiescent LSC', units: 'cells', group: 'lsc' },
    ],
    values: [is, lsc],
    drug: {
      name: 'imatinib',
      timeHours: new Float64Array([0, 12, 24]),
      concentration: new Float64Array([0, 2500.5, 1100]),
      troughs: [{ hour: 24, concentration: 1100 }],
    },
    monitoring: [
      { month: 3, bcrAblIS: 12.5, undetectable: false, response: 'none' },
      { month: 12, undetectable: true, limitIS: 0.0032, response: 'MR4.5' },
    ],
    therapy: [
      {
        startMonth: 0,
        endMonth: 12,
        drug: 'imatinib',
        doseMg: 400,
        intervalHours: 24,
        reason: 'start, daily',
      },
    ],
    phases: [{ startMonth: 0, endMonth: 12, phase: 'chronic' }],
    summary: {
      milestones: [
        { month: 3, bcrAblIS: 12.5, category: 'warning' },
        { month: 6, bcrAblIS: 1.5625, category: 'warning' },
        { month: 12, bcrAblIS: 0.0244, category: 'optimal' },
      ],
      bestResponse: 'MR4.5',
      monthsToMMR: 10,
      phaseAtEnd: 'chronic',
    },
    parameters: [{ id: 'k', value: 0.5, units: '1/month', evidence: 'A' }],
    parameterHash: 'abc123',
    warnings: [],
    timings: { buildMs: 1.5, simulateMs: 20 },
  };
}

const SCENARIO_TEXT = 'name: synthetic\ntherapy:\n  - drug: imatinib\n    doseMg: 400\n';

function parseCsv(text: string): string[][] {
  // enough for these files: quoted fields may contain commas and doubled quotes
  return text
    .trimEnd()
    .split('\n')
    .map((line) => {
      const out: string[] = [];
      let cur = '';
      let quoted = false;
      for (let i = 0; i < line.length; i++) {
        const c = line[i];
        if (quoted) {
          if (c === '"' && line[i + 1] === '"') {
            cur += '"';
            i++;
          } else if (c === '"') quoted = false;
          else cur += c;
        } else if (c === '"') quoted = true;
        else if (c === ',') {
          out.push(cur);
          cur = '';
        } else cur += c;
      }
      out.push(cur);
      return out;
    });
}

function freshDir(): string {
  return mkdtempSync(join(tmpdir(), 'exoniche-runfolder-'));
}

describe('writeRunFolder', () => {
  it('writes every file; CSV and Parquet hold the run values exactly', async () => {
    const root = freshDir();
    const dir = join(root, 'runs', 'synthetic');
    const run = syntheticRun();
    const out = await writeRunFolder(dir, run, {
      reportHtml: '<!doctype html><title>r</title>',
      scenarioText: SCENARIO_TEXT,
      manifest: { command: 'exoniche run s.yaml', scenarioFile: 's.yaml', timings: { reportMs: 3 } },
    });
    expect(out.dir).toBe(dir);
    expect(readdirSync(dir).sort()).toEqual(
      [
        'drug.csv',
        'manifest.json',
        'monitoring.csv',
        'report.html',
        'results.csv',
        'results.parquet',
        'scenario.yaml',
        'therapy.csv',
      ].sort(),
    );
    expect(readdirSync(join(root, 'runs'))).toEqual(['synthetic']); // no temporary sibling left

    const rows = parseCsv(readFileSync(join(dir, 'results.csv'), 'utf8'));
    expect(rows[0]).toEqual(['time', 'bcr_abl_is', 'lsc_q']);
    expect(rows.length).toBe(run.time.length + 1);
    for (let i = 0; i < run.time.length; i++) {
      expect(Number(rows[i + 1][0])).toBe(run.time[i]);
      expect(Number(rows[i + 1][1])).toBe(run.values[0][i]);
      if (i === 4) expect(rows[i + 1][2]).toBe('NaN');
      else expect(Number(rows[i + 1][2])).toBe(run.values[1][i]);
    }

    const mon = parseCsv(readFileSync(join(dir, 'monitoring.csv'), 'utf8'));
    expect(mon).toEqual([
      ['month', 'bcr_abl_is', 'undetectable', 'limit_is', 'response'],
      ['3', '12.5', 'false', '', 'none'],
      ['12', '', 'true', '0.0032', 'MR4.5'],
    ]);
    const th = parseCsv(readFileSync(join(dir, 'therapy.csv'), 'utf8'));
    expect(th[1]).toEqual(['0', '12', 'imatinib', '400', '24', 'start, daily']);
    expect(readFileSync(join(dir, 'drug.csv'), 'utf8')).toBe(
      'time_hours,concentration_ng_ml\n0,0\n12,2500.5\n24,1100\n',
    );
    expect(readFileSync(join(dir, 'scenario.yaml'), 'utf8')).toBe(SCENARIO_TEXT);

    const table = tableFromIPC(readParquet(readFileSync(join(dir, 'results.parquet'))).intoIPCStream());
    expect(table.schema.fields.map((f) => f.name)).toEqual(['time', 'bcr_abl_is', 'lsc_q']);
    expect(table.numRows).toBe(run.time.length);
    expect(Array.from(table.getChild('time')!.toArray() as Float64Array)).toEqual(Array.from(run.time));
    expect(Array.from(table.getChild('bcr_abl_is')!.toArray() as Float64Array)).toEqual(
      Array.from(run.values[0]),
    );
    const lsc = table.getChild('lsc_q')!.toArray() as Float64Array;
    expect(Number.isNaN(lsc[4])).toBe(true);
    expect(lsc[5]).toBe(run.values[1][5]);
    const series = JSON.parse(table.schema.metadata.get('exoniche')!).series;
    expect(series[2]).toEqual({ id: 'lsc_q', label: 'quiescent LSC', units: 'cells', group: 'lsc' });

    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    expect(manifest.tool).toBe('exoniche');
    expect(manifest.command).toBe('exoniche run s.yaml');
    expect(manifest.scenario.sha256).toBe(sha256(SCENARIO_TEXT));
    expect(manifest.scenario.file).toBe('s.yaml');
    expect(manifest.scenario.resolved).toEqual(run.scenario);
    expect(manifest.seed).toBe('42');
    expect(manifest.engine).toBe('ode');
    expect(manifest.parameterHash).toBe('abc123');
    expect(manifest.timings).toEqual({ buildMs: 1.5, simulateMs: 20, reportMs: 3 });
    expect(manifest.summary.bestResponse).toBe('MR4.5');
    expect(manifest.node).toBe(process.version);
    expect(Number.isNaN(Date.parse(manifest.createdAt))).toBe(false);
    expect(manifest.outputs).toContain('results.parquet');
  });

  it('refuses an existing folder without force and leaves it untouched; force replaces it', async () => {
    const root = freshDir();
    const dir = join(root, 'run');
    mkdirSync(dir);
    writeFileSync(join(dir, 'keep.txt'), 'old');
    const opts = { reportHtml: 'x', scenarioText: SCENARIO_TEXT, manifest: { command: 'exoniche run' } };
    await expect(writeRunFolder(dir, syntheticRun(), opts)).rejects.toMatchObject({ reason: 'exists' });
    expect(readdirSync(dir)).toEqual(['keep.txt']);
    expect(readdirSync(root)).toEqual(['run']);

    await writeRunFolder(dir, syntheticRun(), { ...opts, force: true });
    expect(readdirSync(dir)).toContain('results.parquet');
    expect(existsSync(join(dir, 'keep.txt'))).toBe(false);
    expect(readdirSync(root)).toEqual(['run']); // neither the temporary nor the old folder remains
  });

  it('a failure in the middle leaves no folder and no temporary', () => {
    const root = freshDir();
    const dir = join(root, 'run');
    const files: FolderFiles = new Map<string, string | Uint8Array>([
      ['a.csv', 'time\n0\n'],
      ['sub/b.csv', 'x\n'],
      ['c.csv', 42 as unknown as string], // writeFileSync refuses a number: fails after two files
    ]);
    let caught: unknown;
    try {
      writeFolderAtomic(dir, files);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(RunFolderError);
    expect((caught as RunFolderError).reason).toBe('write');
    expect(readdirSync(root)).toEqual([]);
  });

  it('a failure in the middle with force keeps the old folder as it was', () => {
    const root = freshDir();
    const dir = join(root, 'run');
    mkdirSync(dir);
    writeFileSync(join(dir, 'keep.txt'), 'old');
    const files: FolderFiles = new Map<string, string | Uint8Array>([
      ['a.csv', 'a\n'],
      ['b.csv', null as unknown as string],
    ]);
    expect(() => writeFolderAtomic(dir, files, { force: true })).toThrow(RunFolderError);
    expect(readdirSync(root)).toEqual(['run']);
    expect(readdirSync(dir)).toEqual(['keep.txt']);
  });

  it('an inconsistent run is refused before anything is written', async () => {
    const root = freshDir();
    const run = { ...syntheticRun(), values: [new Float64Array(3), new Float64Array(13)] };
    await expect(
      writeRunFolder(join(root, 'run'), run, {
        reportHtml: '',
        scenarioText: '',
        manifest: { command: 'x' },
      }),
    ).rejects.toThrow(/bcr_abl_is' has 3 values, time has 13/);
    expect(readdirSync(root)).toEqual([]);
  });
});
