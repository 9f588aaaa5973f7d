/**
 * docs/experiments.md holds the generated per-experiment section (protocol, mapping, expected vs obtained), up to
 * date with the runs. Regenerate with `EXONICHE_WRITE_DOCS=1 npx vitest run test/experiments/doc.test.ts`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXPERIMENTS_DOC_BEGIN, EXPERIMENTS_DOC_END, experimentsDoc } from '../../src/experiments/doc.js';
import { runExperiment } from '../../src/experiments/evaluate.js';
import { EXPERIMENTS } from '../../src/experiments/registry.js';
import { loadKnowledgeBase } from '../../src/knowledge/load.js';

const DOC = resolve(import.meta.dirname, '../../docs/experiments.md');
const kb = loadKnowledgeBase();

describe('docs/experiments.md', () => {
  it('holds the generated experiments section, up to date', () => {
    const text = readFileSync(DOC, 'utf8');
    const a = text.indexOf(EXPERIMENTS_DOC_BEGIN);
    const b = text.indexOf(EXPERIMENTS_DOC_END);
    expect(a).toBeGreaterThanOrEqual(0);
    expect(b).toBeGreaterThan(a);
    const generated = experimentsDoc(EXPERIMENTS.map((e) => runExperiment(e, kb)));
    const current = text.slice(a, b + EXPERIMENTS_DOC_END.length);
    if (process.env.EXONICHE_WRITE_DOCS === '1' && current !== generated)
      writeFileSync(DOC, text.slice(0, a) + generated + text.slice(b + EXPERIMENTS_DOC_END.length));
    else expect(current).toBe(generated);
  });
  it('names every experiment and its citation key', () => {
    const text = readFileSync(DOC, 'utf8');
    for (const e of EXPERIMENTS) {
      expect(text).toContain(`### ${e.id}: `);
      expect(text).toContain(`\`${e.source.ref}\``);
    }
  });
});
