import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sha256 } from '../../src/io/manifest.js';
import { runCli } from '../support/run-cli.js';

const A =
  'name: imatinib arm\ndurationMonths: 18\ntherapy:\n  schedule:\n    - drug: imatinib\n      doseMg: 400\n';
const B =
  'name: nilotinib arm\ndurationMonths: 18\ntherapy:\n  schedule:\n    - drug: nilotinib\n      doseMg: 300\n      intervalHours: 12\n';

const ARM_FILES = [
  'drug.csv',
  'manifest.json',
  'monitoring.csv',
  'results.csv',
  'results.parquet',
  'scenario.yaml',
  'therapy.csv',
];

describe('exoniche compare', () => {
  it('runs both arms and writes their results and one report comparing them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'exoniche-compare-'));
    writeFileSync(join(dir, 'a.yaml'), A);
    writeFileSync(join(dir, 'b.yaml'), B);
    const r = runCli(['compare', 'a.yaml', 'b.yaml', '--out', 'cmp'], dir);
    expect(r.code, r.stderr).toBe(0);
    const out = join(dir, 'cmp');
    expect(readdirSync(out).sort()).toEqual(['a', 'b', 'manifest.json', 'report.html']);
    expect(readdirSync(join(out, 'a')).sort()).toEqual(ARM_FILES);
    expect(readdirSync(join(out, 'b')).sort()).toEqual(ARM_FILES);
    expect(readdirSync(dir).sort()).toEqual(['a.yaml', 'b.yaml', 'cmp']); // no temporary left

    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('imatinib arm');
    expect(html).toContain('nilotinib arm');

    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.command).toBe('exoniche compare a.yaml b.yaml --out cmp');
    expect(manifest.arms.map((x: { name: string }) => x.name)).toEqual(['imatinib arm', 'nilotinib arm']);
    expect(manifest.arms[0].sha256).toBe(sha256(A));
    expect(manifest.arms[1].sha256).toBe(sha256(B));
    expect(readFileSync(join(out, 'b', 'scenario.yaml'), 'utf8')).toBe(B);
    const armManifest = JSON.parse(readFileSync(join(out, 'b', 'manifest.json'), 'utf8'));
    expect(armManifest.summary).toEqual(manifest.arms[1].summary);
    const therapy = readFileSync(join(out, 'b', 'therapy.csv'), 'utf8').split('\n');
    expect(therapy[1]).toMatch(/^0,18,nilotinib,300,12,/);

    // the side-by-side table: a header with both names, one row per read-out, values as in the manifests
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/A: imatinib arm +B: nilotinib arm/);
    for (const [k, arm] of manifest.arms.entries()) {
      expect(lines.find((l) => l.startsWith('best response'))).toContain(arm.summary.bestResponse);
      const m12 = arm.summary.milestones.find((m: { month: number }) => m.month === 12);
      expect(lines.find((l) => l.startsWith('BCR-ABL1 IS month 12'))?.split(/ {2,}/)[k + 1]).toContain(
        m12.category,
      );
    }
    expect(r.stdout).toContain('wrote cmp/ (report.html, manifest.json, a/, b/)');
  });
});
