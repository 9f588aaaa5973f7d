/**
 * Test (4): every parameter of the niche model resolves in the knowledge base; assumed ones have ranges and a note
 * on what constrains them; every niche.* entry is used; every implemented channel exists in channels.yaml and every
 * channel of channels.yaml is implemented or deliberately left out. Also: no numeric literal in src/niche other
 * than structural constants.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadKnowledgeBase } from '../../src/knowledge/load.js';
import { FULL_OPTIONS, fullParameterUses } from '../../src/niche/doc.js';
import { buildNiche, CHANNELS } from '../../src/niche/index.js';
import { DAYS_PER_MONTH } from '../../src/therapy/rules.js';

const kb = loadKnowledgeBase();
const NOT_IMPLEMENTED = ['cml-bmsc-macrophage-k562', 'msc-cml-imatinib-sensitisation'];

describe('niche parameters in the knowledge base', () => {
  const uses = fullParameterUses(kb);
  it('the full model builds and every KB-bound parameter resolves with its value', () => {
    const bound = uses.filter((u) => u.key);
    expect(bound.length).toBeGreaterThan(60);
    for (const u of bound) {
      const p = kb.parameter(u.key as string);
      const scale = p.units === 'per_day' ? DAYS_PER_MONTH : 1;
      expect(u.value, u.key).toBeCloseTo(p.value * scale, 10);
    }
  });
  it('every model parameter is KB-bound, computed from the KB, an option or a per-patient draw', () => {
    const m = buildNiche(FULL_OPTIONS, kb).model;
    const known = new Set(uses.map((u) => u.id));
    const rules = new Set(m.rules.map((r) => (r.kind === 'algebraic' ? '' : r.variable)));
    for (const p of m.parameters) if (!rules.has(p.id)) expect(known.has(p.id), p.id).toBe(true);
    // Non-KB parameters: options, effects, and per-patient random draws (blast-crisis founder thresholds/kinds).
    for (const u of uses)
      if (!u.key) expect(u.role, u.id).toMatch(/option|effect|switch|regimen|relative|PD|drawn per patient/);
  });
  it('assumed (A) parameters have a range containing the value and a note', () => {
    for (const u of uses.filter((x) => x.key)) {
      const p = kb.parameter(u.key as string);
      if (p.evidence !== 'A') continue;
      expect(p.range, u.key).toBeDefined();
      expect(p.range?.[0]).toBeLessThanOrEqual(p.value);
      expect(p.range?.[1]).toBeGreaterThanOrEqual(p.value);
      expect(p.note, u.key).toBeTruthy();
    }
  });
  it('every niche.* parameter of the KB is used by the model', () => {
    const used = new Set(uses.map((u) => u.key));
    const niche = [...kb.parameters.keys()].filter((k) => k.startsWith('niche.'));
    expect(niche.length).toBeGreaterThan(40);
    expect(niche.filter((k) => !used.has(k))).toEqual([]);
  });
  it('channels: implemented ids exist; every KB channel is implemented or explicitly not', () => {
    const ids = new Set(kb.channels.map((c) => c.id));
    for (const c of CHANNELS) expect(ids.has(c.id), c.id).toBe(true);
    const impl = new Set<string>(CHANNELS.map((c) => c.id));
    expect([...ids].filter((id) => !impl.has(id)).sort()).toEqual([...NOT_IMPLEMENTED].sort());
  });
});

describe('no bare numbers in the model code', () => {
  it('src/niche (model code; doc.ts holds example options) has no numeric literals other than 0, 1, 2', () => {
    const dir = resolve(import.meta.dirname, '../../src/niche');
    const bad: string[] = [];
    for (const f of readdirSync(dir).filter((x) => x !== 'doc.ts')) {
      const text = readFileSync(join(dir, f), 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/\/\/.*$/gm, '')
        .replace(/'[^'\n]*'|"[^"\n]*"/g, "''");
      for (const m of text.matchAll(/(?<![\w.$])(\d+(?:\.\d+)?(?:e-?\d+)?)(?![\w])/g))
        if (!['0', '1', '2'].includes(m[1])) bad.push(`${f}: ${m[1]}`);
    }
    expect(bad).toEqual([]);
  });
});
