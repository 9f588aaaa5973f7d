import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/** Reproducibility rule (docs/random.md): every random number comes from a keyed stream, never the global PRNG. */
const ROOT = resolve(import.meta.dirname, '../../..');

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return name === 'node_modules' || name === 'out' ? [] : tsFiles(p);
    return p.endsWith('.ts') ? [p] : [];
  });
}

describe('no Math.random', () => {
  it('is called in no source, test or benchmark file', () => {
    const needle = ['Math', 'random('].join('.'); // built so that this file does not match itself
    const offenders = ['src', 'bench', 'bin', 'test']
      .flatMap((d) => {
        try {
          return tsFiles(join(ROOT, d));
        } catch {
          return [];
        }
      })
      .filter((f) => readFileSync(f, 'utf8').includes(needle))
      .map((f) => relative(ROOT, f));
    expect(offenders).toEqual([]);
  });
});
