import { describe, expect, it } from 'vitest';
import {
  clinicalDefinitions,
  defaultClinicalDefinitions,
  describeThreshold,
  meets,
  phaseDefinitions,
} from '../../src/clinic/definitions.js';
import * as clinic from '../../src/clinic/index.js';
import { loadKnowledgeBase } from '../../src/knowledge/load.js';
import { KnowledgeFile } from '../../src/knowledge/schema/file.js';
import { clinicalKb, defs } from './kb.js';

describe('clinical definitions in the knowledge base', () => {
  it('clinical.yaml and trials.yaml load, validate and resolve every reference', () => {
    const kb = clinicalKb();
    expect([...kb.definitions.keys()].sort()).toEqual([
      'eln2020-milestones',
      'eln2020-tfr',
      'molecular-response',
      'phase-eln2020',
      'phase-who2017',
      'phase-who2022',
    ]);
    expect(() => clinicalDefinitions(kb)).not.toThrow();
    expect(phaseDefinitions('eln2013', defs())).toBe(defs().phase.eln2020);
  });

  it('the whole shipped knowledge base loads, and the default definitions come from it', () => {
    const kb = loadKnowledgeBase();
    expect(kb.definitions.get('molecular-response')).toEqual(defs().molecularResponse);
    expect(defaultClinicalDefinitions().milestones).toEqual(defs().milestones);
    expect(defaultClinicalDefinitions()).toBe(defaultClinicalDefinitions());
  });

  it('trial figures: IRIS, DASISION and ENESTnd imatinib arms with evidence tags; no held-out arm', () => {
    const t = clinicalKb().trials;
    expect(new Set(t.map((x) => x.trial))).toEqual(new Set(['IRIS', 'DASISION', 'ENESTnd']));
    expect(t.every((x) => x.drug === 'imatinib')).toBe(true);
    const f = (id: string) => t.find((x) => x.id === id)!;
    expect([f('enestnd.imatinib.mmr-12m').value, f('enestnd.imatinib.mmr-12m').evidence]).toEqual([22, 'V']);
    expect(f('dasision.imatinib.bcr-abl-le10-3m').value).toBe(64);
    expect([f('iris.imatinib.mmr-12m').value, f('iris.imatinib.mmr-12m').evidence]).toEqual([39, 'R']);
    const annual = t.filter((x) => x.id.startsWith('iris.imatinib.ap-bc-annual-')).map((x) => x.value);
    expect(annual).toEqual([1.5, 2.8, 1.6, 0.9, 0.5, 0, 0.4]);
    expect(f('enestnd.imatinib.tfr-eligible-by-10y').value).toBe(29.7);
  });

  it('every threshold is tagged and referenced; assumptions are explicit', () => {
    const walk = (v: unknown, path: string, out: [string, Record<string, unknown>][]) => {
      if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${path}[${i}]`, out));
      else if (v && typeof v === 'object') {
        const o = v as Record<string, unknown>;
        if ('op' in o && 'value' in o) out.push([path, o]);
        for (const [k, x] of Object.entries(o)) walk(x, `${path}.${k}`, out);
      }
    };
    const all: [string, Record<string, unknown>][] = [];
    for (const [name, d] of clinicalKb().definitions) walk(d, name, all);
    expect(all.length).toBeGreaterThan(30);
    for (const [, t] of all) {
      expect(t.evidence).toMatch(/^(V|V2|T|C|R|A|U)$/);
      expect((t.refs as string[]).length).toBeGreaterThan(0);
    }
    const assumed = all.filter(([, t]) => t.evidence === 'A').map(([p]) => p);
    expect(assumed).toEqual(['eln2020-milestones.measurementToleranceMonths']);
    expect(clinicalKb().definitions.get('eln2020-milestones')).toMatchObject({
      measurementToleranceMonths: { evidence: 'A', range: [0, 1] },
    });
  });

  it('the schema rejects malformed definitions', () => {
    const bad = (definitions: unknown) => KnowledgeFile.safeParse({ definitions }).success;
    const t = { value: 1, units: '%', op: '<=', evidence: 'V', refs: ['x'] };
    const lvl = (id: string, v: number) => ({
      id,
      name: id,
      logReduction: 1,
      maxPercentIS: { ...t, value: v },
    });
    expect(
      bad({ m: { kind: 'molecular-response', title: 't', levels: [lvl('MR1', 10), lvl('MR2', 1)] } }),
    ).toBe(true);
    // Out of order, unknown kind, bad operator, missing refs.
    expect(
      bad({ m: { kind: 'molecular-response', title: 't', levels: [lvl('MR2', 1), lvl('MR1', 10)] } }),
    ).toBe(false);
    expect(bad({ m: { kind: 'nope', title: 't' } })).toBe(false);
    const assumed = { ...lvl('MR1', 10), maxPercentIS: { ...t, evidence: 'A' } };
    expect(bad({ m: { kind: 'molecular-response', title: 't', levels: [assumed] } })).toBe(false);
    const ranged = { ...lvl('MR1', 10), maxPercentIS: { ...t, value: 10, evidence: 'A', range: [5, 20] } };
    expect(bad({ m: { kind: 'molecular-response', title: 't', levels: [ranged] } })).toBe(true);
    expect(
      bad({
        m: {
          kind: 'molecular-response',
          title: 't',
          levels: [{ ...lvl('MR1', 10), maxPercentIS: { ...t, op: '=' } }],
        },
      }),
    ).toBe(false);
    expect(
      bad({
        m: {
          kind: 'molecular-response',
          title: 't',
          levels: [{ ...lvl('MR1', 10), maxPercentIS: { ...t, refs: [] } }],
        },
      }),
    ).toBe(false);
  });

  it('meets() implements each comparison exactly', () => {
    const th = (op: '<' | '<=' | '>' | '>=') => ({
      value: 2,
      units: '1',
      op,
      evidence: 'V' as const,
      refs: ['x'],
    });
    expect([1, 2, 3].map((x) => meets(x, th('<')))).toEqual([true, false, false]);
    expect([1, 2, 3].map((x) => meets(x, th('<=')))).toEqual([true, true, false]);
    expect([1, 2, 3].map((x) => meets(x, th('>')))).toEqual([false, false, true]);
    expect([1, 2, 3].map((x) => meets(x, th('>=')))).toEqual([false, true, true]);
    expect(meets(Number.NaN, th('<='))).toBe(false);
    expect(describeThreshold(th('<='))).toBe('≤ 2 1');
  });

  it('the clinic index exports every read-out', () => {
    for (const f of [
      'molecularResponse',
      'levelFromPercentIS',
      'classifyMilestone',
      'classifyAnyTime',
      'classifyPhase',
      'tfrEligibility',
      'tfrOutcome',
      'defaultClinicalDefinitions',
    ])
      expect(typeof (clinic as Record<string, unknown>)[f], f).toBe('function');
  });
});
