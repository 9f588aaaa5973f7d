import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/** The import rules of docs/ARCHITECTURE.md: layer -> layers it may import. */
const DOMAIN = ['numerics', 'models', 'knowledge', 'clinic', 'therapy', 'niche', 'experiments', 'spatial'];
const ALLOWED: Record<string, readonly string[]> = {
  numerics: ['numerics'],
  models: ['numerics', 'models'],
  knowledge: ['numerics', 'models', 'knowledge'],
  clinic: ['numerics', 'models', 'knowledge', 'clinic'],
  therapy: ['numerics', 'models', 'knowledge', 'clinic', 'therapy'],
  niche: ['numerics', 'models', 'knowledge', 'clinic', 'therapy', 'niche'],
  // The spatial niche (issue #11): agents and fields with the niche model's rules; experiments may register its set-ups.
  spatial: ['numerics', 'models', 'knowledge', 'clinic', 'therapy', 'niche', 'spatial'],
  experiments: ['numerics', 'models', 'knowledge', 'clinic', 'therapy', 'niche', 'spatial', 'experiments'],
  fitting: ['numerics', 'models', 'knowledge', 'clinic', 'therapy', 'niche', 'fitting'],
  scenario: ['numerics', 'models', 'knowledge', 'clinic', 'therapy', 'niche', 'scenario'],
  cohort: ['numerics', 'models', 'knowledge', 'clinic', 'therapy', 'niche', 'scenario', 'cohort'],
  report: [...DOMAIN, 'fitting', 'scenario', 'cohort', 'report', 'version'],
  io: [...DOMAIN, 'fitting', 'scenario', 'cohort', 'report', 'io', 'version'],
  sweep: [...DOMAIN, 'fitting', 'scenario', 'cohort', 'report', 'io', 'sweep', 'version'],
  // The browser engine: everything pure; no io, sweep or cli (files, processes); scripts/build-web.ts rejects node:.
  web: [...DOMAIN, 'fitting', 'scenario', 'cohort', 'report', 'web', 'version'],
  // The local dashboard server (issue #10): HTTP over everything below cli, including io and sweep (cohort pools).
  server: [...DOMAIN, 'fitting', 'scenario', 'cohort', 'report', 'io', 'sweep', 'server', 'version'],
  cli: [...DOMAIN, 'fitting', 'scenario', 'cohort', 'report', 'io', 'sweep', 'server', 'cli', '.', 'version'],
  '.': [...DOMAIN, 'fitting', 'scenario', 'cohort', 'report', 'io', 'sweep', '.', 'version'],
  version: [],
};

const SRC = resolve(import.meta.dirname, '../src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : /\.tsx?$/.test(p) ? [p] : [];
  });
}

function layerOf(path: string): string {
  const rel = relative(SRC, path).split('/');
  // src/version.ts is a leaf (the package version, no imports): every layer above the domain may read it.
  if (rel.length === 1 && /^version\.(ts|js)$/.test(rel[0])) return 'version';
  return rel.length === 1 ? '.' : rel[0];
}

describe('architecture', () => {
  it('every source file imports only from the layers its own layer may use', () => {
    const violations: string[] = [];
    for (const file of files(SRC)) {
      const from = layerOf(file);
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/^\s*(?:import|export)[^'"]*from\s+'(\.[^']+)'/gm)) {
        const target = layerOf(resolve(dirname(file), m[1]));
        const allowed = ALLOWED[from] ?? [];
        if (!allowed.includes(target))
          violations.push(`${relative(SRC, file)} (${from}) imports ${m[1]} (${target})`);
      }
    }
    expect(violations).toEqual([]);
  });
});
