/**
 * docs/niche-model.md lists every parameter of the model: its generated table must equal parameterTable(kb).
 * Regenerate with `EXONICHE_WRITE_DOCS=1 npx vitest run test/niche/doc.test.ts`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadKnowledgeBase } from '../../src/knowledge/load.js';
import { DOC_BEGIN, DOC_END, fullParameterUses, parameterTable } from '../../src/niche/doc.js';
import { CHANNELS } from '../../src/niche/index.js';

const DOC = resolve(import.meta.dirname, '../../docs/niche-model.md');
const kb = loadKnowledgeBase();

describe('docs/niche-model.md', () => {
  it('holds the generated parameter table, up to date', () => {
    const text = readFileSync(DOC, 'utf8');
    const a = text.indexOf(DOC_BEGIN);
    const b = text.indexOf(DOC_END);
    expect(a).toBeGreaterThanOrEqual(0);
    expect(b).toBeGreaterThan(a);
    const table = parameterTable(kb);
    const current = text.slice(a, b + DOC_END.length);
    if (process.env.EXONICHE_WRITE_DOCS === '1' && current !== table)
      writeFileSync(DOC, text.slice(0, a) + table + text.slice(b + DOC_END.length));
    else expect(current).toBe(table);
  });
  it('names every KB key, every channel id and every model symbol bound to the KB', () => {
    const text = readFileSync(DOC, 'utf8');
    for (const u of fullParameterUses(kb)) if (u.key) expect(text, u.key).toContain(`\`${u.key}\``);
    for (const c of CHANNELS) expect(text, c.id).toContain(c.id);
  });
});
