import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSbml, readSbmlWithWarnings, writeSbml } from '../../../src/io/sbml/index.js';
import { pickModelFile } from '../../../src/io/sbml/suite.js';
import { loadKnowledgeBase } from '../../../src/knowledge/load.js';
import type { Model } from '../../../src/models/ir.js';
import { simulateModel } from '../../../src/models/simulate.js';
import { parseModel } from '../../../src/models/text/index.js';
import { buildNicheModel } from '../../../src/niche/index.js';
import { normalize, SUITE_ROOT, suiteAvailable } from './helpers.js';

const EXAMPLES = resolve(import.meta.dirname, '../../../models/examples');

describe('SBML round trip of the example models', () => {
  for (const f of readdirSync(EXAMPLES).filter((x) => x.endsWith('.exm'))) {
    it(`${f}: read(write(m)) equals m`, () => {
      const m = parseModel(readFileSync(join(EXAMPLES, f), 'utf8'), f);
      const xml = writeSbml(m);
      const back = readSbml(xml, `${f}.xml`);
      expect(normalize(back)).toEqual(normalize(m));
      // Deterministic: writing again gives the same bytes.
      expect(writeSbml(back)).toBe(xml);
    });
  }

  it('the SBML export simulates like the original (michaelis-menten, dosing)', () => {
    for (const f of ['michaelis-menten.exm', 'dosing.exm']) {
      const m = parseModel(readFileSync(join(EXAMPLES, f), 'utf8'), f);
      const back = readSbml(writeSbml(m));
      const a = simulateModel(m, { tEnd: 50, steps: 10, rtol: 1e-9, atol: 1e-12 });
      const b = simulateModel(back, { tEnd: 50, steps: 10, rtol: 1e-9, atol: 1e-12 });
      expect(b.ids).toEqual(a.ids);
      expect(Array.from(b.values)).toEqual(Array.from(a.values));
    }
  });
});

describe.skipIf(!suiteAvailable())('SBML round trip of the test-suite models', () => {
  it('read -> write -> read gives the same model for every readable case', () => {
    let n = 0;
    const mismatches: string[] = [];
    for (const id of readdirSync(SUITE_ROOT).filter((d) => /^\d{5}$/.test(d))) {
      const file = pickModelFile(join(SUITE_ROOT, id), id);
      if (!file) continue;
      let m: Model;
      try {
        m = readSbmlWithWarnings(readFileSync(join(SUITE_ROOT, id, file), 'utf8'), file).model;
      } catch {
        continue; // refusals are counted by the reader test
      }
      const xml = writeSbml(m);
      const back = readSbml(xml, 'out.xml');
      n++;
      try {
        expect(normalize(back)).toEqual(normalize(m));
        expect(writeSbml(back)).toBe(xml);
      } catch {
        mismatches.push(id);
      }
    }
    expect(mismatches).toEqual([]);
    expect(n).toBeGreaterThan(1500);
  }, 60_000);
});

describe("SBML export, import and simulation of exoniche's own models", () => {
  const dirs = [EXAMPLES, resolve(import.meta.dirname, '../../../models/reference')];
  const files = dirs.flatMap((d) =>
    readdirSync(d)
      .filter((x) => x.endsWith('.exm'))
      .map((x) => join(d, x)),
  );
  const opts = { tEnd: 365, steps: 20, rtol: 1e-9, atol: 1e-12 };
  const sameTrajectories = (m: Model, back: Model): void => {
    const a = simulateModel(m, opts);
    const b = simulateModel(back, opts);
    expect(a.retcode).toBe('Success');
    expect(b.ids).toEqual(a.ids);
    // Same model, same solver: identical up to round-off in the rewritten formulas.
    for (let i = 0; i < a.values.length; i++)
      expect(Math.abs(b.values[i] - a.values[i])).toBeLessThanOrEqual(1e-9 * Math.abs(a.values[i]) + 1e-12);
  };
  for (const f of files) {
    it(`${f.split('/').slice(-2).join('/')}: simulates the same after write -> read`, () => {
      const m = parseModel(readFileSync(f, 'utf8'), f);
      sameTrajectories(m, readSbml(writeSbml(m), 'out.xml'));
    });
  }
  it('the niche model (default options) simulates the same after write -> read', () => {
    const kb = loadKnowledgeBase();
    const m = buildNicheModel({}, kb);
    sameTrajectories(m, readSbml(writeSbml(m), 'niche.xml'));
  });
});
