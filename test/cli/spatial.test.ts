import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { decodeCheckpoint, encodeCheckpoint } from '../../src/cli/commands/spatial.js';
import { main } from '../../src/cli/main.js';
import { sha256 } from '../../src/io/manifest.js';
import { loadKnowledgeBase } from '../../src/knowledge/load.js';
import { CHANNELS } from '../../src/niche/channels.js';
import { SpatialNiche } from '../../src/spatial/model.js';
import { vesselNetwork } from '../../src/spatial/network.js';
import { spatialParameters } from '../../src/spatial/params.js';
import { decodeAgents, decodeFields } from '../../src/spatial/snapshot.js';
import { runCli } from '../support/run-cli.js';

const EXAMPLE = join(import.meta.dirname, '../../examples/spatial/homing.yaml');
/** The example's homing source (vessel centre, um). */
const VESSEL = [640, 200];

/** A short run (2 h, snapshots every 30 min) for the resume and thread checks. */
const SHORT = readFileSync(EXAMPLE, 'utf8')
  .replace('hours: 12', 'hours: 2')
  .replace('snapshotEvery: 2 #', 'snapshotEvery: 0.5 #');

const tmp = () => mkdtempSync(join(tmpdir(), 'exoniche-spatial-'));

let stderr = '';
beforeEach(() => {
  stderr = '';
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => {
    stderr += String(s);
    return true;
  });
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
});
afterEach(() => vi.restoreAllMocks());

const cli = (...args: string[]) => main(['node', 'exoniche', 'spatial', ...args]);

const lscDistance = (bytes: Uint8Array) => {
  const a = decodeAgents(bytes);
  const d: number[] = [];
  for (let i = 0; i < a.columns.id.length; i++)
    if (a.columns.type[i] === 1) d.push(Math.hypot(a.columns.x[i] - VESSEL[0], a.columns.y[i] - VESSEL[1]));
  return d.reduce((s, x) => s + x, 0) / d.length;
};

describe('exoniche spatial', () => {
  it('runs the example from the command line: snapshots, summary and manifest; the LSCs home to the vessel', () => {
    const out = join(tmp(), 'homing');
    const r = runCli(['spatial', EXAMPLE, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('7 snapshots');
    expect(existsSync(`${out}.partial`)).toBe(false);
    const snaps = readdirSync(join(out, 'snapshots')).sort();
    const times = ['0000000', '0000120', '0000240', '0000360', '0000480', '0000600', '0000720'];
    expect(snaps).toEqual([...times.map((t) => `agents-${t}.arrow`), ...times.map((t) => `fields-${t}.bin`)]);
    const first = readFileSync(join(out, 'snapshots', snaps[0]));
    const last = readFileSync(join(out, 'snapshots', snaps[6]));
    expect(decodeAgents(last).time).toBe(720);
    // chemotaxis up the CXCL12 gradient: the LSCs' mean distance to the vessel falls over 12 h (SVE-5's direction)
    expect(lscDistance(last)).toBeLessThan(lscDistance(first) - 10);
    const fields = decodeFields(readFileSync(join(out, 'snapshots', 'fields-0000720.bin')));
    expect(fields.header.fields.map((f) => f.name)).toContain('cxcl12');

    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.counts).toMatchObject({ lsc: 30, endo: 6, quiescent: 30, cycling: 0 });
    expect(summary.effective.time).toBe(720);
    expect(summary.effective.lsc.total).toBe(30);
    expect(summary.vessels).toBeUndefined();
    const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(m.tool).toBe('exoniche');
    expect(m.inputs).toEqual([{ path: EXAMPLE, sha256: sha256(readFileSync(EXAMPLE, 'utf8')) }]);
    expect(m.seed).toBe(31);
    expect(m.settings.optionsHash).toMatch(/^[0-9a-f]{64}$/);
    expect(m.parameters['domain.hi[0]']).toBe(800);
    expect(m.outputs).toContain('summary.json');
    expect(m.timings.simulateMs).toBeGreaterThan(0);
  });

  it('an interrupted run resumes from its checkpoint to the same bytes as an uninterrupted one, on 1 or 2 threads', async () => {
    const dir = tmp();
    const file = join(dir, 'short.yaml');
    writeFileSync(file, SHORT);
    expect(await cli(file, '--out', join(dir, 'whole'), '--quiet')).toBe(0);
    // cut on one thread, resumed on two; cut on two, resumed on one
    expect(await cli(file, '--out', join(dir, 'cut'), '--stop-after', '2', '--quiet')).toBe(0);
    expect(stderr).toContain('stopped after 2 snapshot(s) at t = 60 min');
    expect(existsSync(join(dir, 'cut'))).toBe(false);
    expect(readdirSync(join(dir, 'cut.partial', 'snapshots')).length).toBe(6);
    expect(await cli(file, '--out', join(dir, 'cut'), '--threads', '2', '--quiet')).toBe(0);
    expect(
      await cli(file, '--out', join(dir, 'cut2'), '--threads', '2', '--stop-after', '1', '--quiet'),
    ).toBe(0);
    expect(await cli(file, '--out', join(dir, 'cut2'), '--quiet')).toBe(0);
    expect(await cli(file, '--out', join(dir, 'two'), '--threads', '2', '--quiet')).toBe(0);
    const names = readdirSync(join(dir, 'whole', 'snapshots')).sort();
    expect(names.length).toBe(10);
    for (const n of names) {
      const a = readFileSync(join(dir, 'whole', 'snapshots', n));
      for (const run of ['cut', 'cut2', 'two'])
        expect(readFileSync(join(dir, run, 'snapshots', n)).equals(a), `${run}/${n}`).toBe(true);
    }
    for (const run of ['cut', 'cut2'])
      for (const f of ['checkpoint.bin', 'summary.json'])
        expect(
          readFileSync(join(dir, run, f)).equals(readFileSync(join(dir, 'whole', f))),
          `${run}/${f}`,
        ).toBe(true);
    const manifest = (run: string) => JSON.parse(readFileSync(join(dir, run, 'manifest.json'), 'utf8'));
    expect(manifest('cut').settings).toMatchObject({ resumedAtMin: 60, threads: 2 });
    expect(manifest('cut2').settings).toMatchObject({ resumedAtMin: 30, threads: 1 });
  });

  it('with vessels on, summary.json reads out the vessel network of the endothelial cells', async () => {
    const dir = tmp();
    const file = join(dir, 'vessels.yaml');
    writeFileSync(
      file,
      SHORT.replace('chemokines:', 'vessels: true\nchemokines:').replace('hours: 2', 'hours: 0.5'),
    );
    expect(await cli(file, '--out', join(dir, 'v'), '--quiet')).toBe(0);
    const s = JSON.parse(readFileSync(join(dir, 'v', 'summary.json'), 'utf8'));
    expect(s.vessels.cells).toBe(s.counts.endo);
    expect(s.vesselBaseline).toBe(6);
    // the read-out is of the final state: the same network from the last agents snapshot's endothelial cells
    const snaps = readdirSync(join(dir, 'v', 'snapshots')).filter((n) => n.startsWith('agents-'));
    const a = decodeAgents(readFileSync(join(dir, 'v', 'snapshots', snaps.sort().at(-1) as string))).columns;
    const rows = [...a.id.keys()].filter((i) => a.type[i] === 3);
    const pick = (c: Float64Array) => Float64Array.from(rows, (i) => c[i]);
    const reach = spatialParameters(loadKnowledgeBase(), CHANNELS, {
      patient: 1,
      setting: 'in-vivo',
    }).adhesionReach;
    expect(s.vessels).toEqual(
      vesselNetwork(rows.length, pick(a.x), pick(a.y), pick(a.z), pick(a.radius), reach),
    );
  });

  it('checkpoint.bin round-trips the complete state exactly', () => {
    const kb = loadKnowledgeBase();
    const sim = new SpatialNiche(kb, {
      dims: 2,
      domain: { lo: [0, 0], hi: [200, 200] },
      voxel: 20,
      seed: 3,
      lscCapacity: 100,
      vessels: {},
    });
    sim.addCell({ type: 'lsc', x: 50, y: 60 });
    sim.addCell({ type: 'endo', x: 100, y: 100 });
    sim.run(30);
    const cp = sim.checkpoint();
    const back = decodeCheckpoint(encodeCheckpoint(cp, { optionsHash: 'h', inputSha: 's', snapshot: 4 }));
    expect(back.meta).toEqual({ optionsHash: 'h', inputSha: 's', snapshot: 4 });
    expect(back.checkpoint).toEqual(cp);
  });

  it('bad input, bad options and an unwritable or existing folder give exit codes 65, 64 and 73', async () => {
    const dir = tmp();
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, SHORT.replace('lscCapacity: 1000', 'lscCapacity: -1'));
    expect(await cli(bad, '--out', join(dir, 'x'))).toBe(65);
    expect(stderr).toMatch(new RegExp(`${bad.replace(/[.]/g, '\\.')}:\\d+:\\d+: error: lscCapacity: `));
    expect(stderr).not.toMatch(/\n\s+at /);
    const file = join(dir, 'ok.yaml');
    writeFileSync(file, SHORT);
    expect(await cli(file, '--threads', '3')).toBe(64);
    expect(await cli(file, '--stop-after', '0')).toBe(64);
    expect(await cli(file, '--out', join(bad, 'sub'), '--quiet')).toBe(73);
    expect(await cli(file, '--out', dir)).toBe(73);
    expect(stderr).toContain('already exists');
  });
});
