import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseModelWithDiagnostics } from '../../../src/models/text/index.js';

const EXAMPLES = resolve(import.meta.dirname, '../../../models/examples');
const sources = [
  ...readdirSync(EXAMPLES)
    .filter((f) => f.endsWith('.exm'))
    .map((f) => readFileSync(join(EXAMPLES, f), 'utf8')),
  readFileSync(resolve(import.meta.dirname, 'fixtures/kitchen-sink.exm'), 'utf8'),
];

describe('parser robustness', () => {
  it('never throws on damaged input: truncations, deletions, insertions (seeded fuzz)', () => {
    let seed = 99;
    const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const junk = [
      '(',
      ')',
      ';',
      ':',
      '->',
      '=>',
      '=',
      ':=',
      "'",
      '@source(',
      '"',
      ',',
      'end',
      'at',
      '$',
      '.',
      '^',
      '-',
      '\n',
      'model x',
    ];
    let runs = 0;
    for (const src of sources) {
      for (let i = 0; i < 120; i++) {
        let text = src;
        const pos = Math.floor(rnd() * text.length);
        const r = rnd();
        if (r < 0.3) text = text.slice(0, pos);
        else if (r < 0.6) text = text.slice(0, pos) + text.slice(pos + 1 + Math.floor(rnd() * 5));
        else text = text.slice(0, pos) + junk[Math.floor(rnd() * junk.length)] + text.slice(pos);
        const res = parseModelWithDiagnostics(text, 'fuzz.exm');
        for (const d of res.diagnostics) {
          expect(d.loc?.line ?? 1).toBeGreaterThanOrEqual(1);
          expect(typeof d.message).toBe('string');
        }
        runs++;
      }
    }
    expect(runs).toBe(sources.length * 120);
  });
});
