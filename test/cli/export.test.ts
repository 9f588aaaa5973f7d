import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scenarioNicheOptions } from '../../src/cli/commands/export.js';
import { readSbml } from '../../src/io/sbml/index.js';
import { loadKnowledgeBase } from '../../src/knowledge/index.js';
import { buildNicheModel } from '../../src/niche/index.js';
import { DEFAULT_SCENARIO } from '../../src/scenario/default.js';
import { parseScenario } from '../../src/scenario/load.js';
import { runCli } from '../support/run-cli.js';

describe('exoniche export sbml', () => {
  it("writes the default scenario's niche model as SBML that reads back to the same model", () => {
    const dir = mkdtempSync(join(tmpdir(), 'exoniche-export-'));
    writeFileSync(join(dir, 'default.yaml'), DEFAULT_SCENARIO);
    const out = join(dir, 'niche.xml');
    const r = runCli(['export', 'sbml', join(dir, 'default.yaml'), '--out', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const info = JSON.parse(r.stdout);
    expect(info).toMatchObject({ ok: true, command: 'export sbml', out });
    expect(readdirSync(dir).sort()).toEqual(['default.yaml', 'niche.xml']); // written atomically, no temporary

    const xml = readFileSync(out, 'utf8');
    expect(xml).toContain('level="3" version="2"');
    const back = readSbml(xml, out);
    const kb = loadKnowledgeBase();
    const expected = buildNicheModel(
      scenarioNicheOptions(parseScenario(DEFAULT_SCENARIO, 'default', kb)),
      kb,
    );
    expect(info.model).toBe(expected.id);
    expect(info.species).toBe(expected.species.length);
    expect(back.species.map((s) => s.id)).toEqual(expected.species.map((s) => s.id));
    expect(back.reactions.map((x) => x.id)).toEqual(expected.reactions.map((x) => x.id));
    expect(back.events.length).toBe(expected.events.length);
    const value = (m: typeof back, id: string) => m.parameters.find((p) => p.id === id)?.value;
    for (const p of expected.parameters) expect(value(back, p.id), p.id).toBe(p.value);
  });

  it('a reference model by name to stdout; an unknown target is exit 66', () => {
    const r = runCli(['export', 'sbml', 'michor2005']);
    expect(r.code, r.stderr).toBe(0);
    const m = readSbml(r.stdout, 'stdout');
    expect(m.id).toBe('michor2005');
    const never = join(mkdtempSync(join(tmpdir(), 'exoniche-export-')), 'never.xml');
    const bad = runCli(['export', 'sbml', 'no-such-model.xml', '--out', never]);
    expect(bad.code).toBe(66);
    expect(bad.stderr).toContain('no-such-model.xml: no such file');
  });
});
