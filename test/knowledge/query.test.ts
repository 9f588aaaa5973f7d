import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type KnowledgeBase, loadKnowledgeBase } from '../../src/knowledge/index.js';
import {
  channelTable,
  closestNames,
  computedEvidence,
  conflictsFor,
  foldOf,
  formatCitation,
  listDrugs,
  listParameters,
  listReferences,
  mutationTable,
  QueryError,
  resolveCellType,
  search,
  sensitiveDrugs,
  show,
  weakestEvidence,
} from '../../src/knowledge/query.js';
import type { Drug } from '../../src/knowledge/schema/drug.js';

const real = loadKnowledgeBase();

/** A small synthetic base: two studies (a, b) with different native IC50s. */
function synthetic(): KnowledgeBase {
  const dir = mkdtempSync(join(tmpdir(), 'exoniche-kbquery-'));
  writeFileSync(
    join(dir, 'k.yaml'),
    `references:
  - { id: a, authors: A, year: 2001, title: Study a }
  - { id: b, authors: B, year: 2002, title: Study b }
  - { id: c, authors: C, year: 2003, title: Study c }
mutations:
  - { id: native, name: native, region: native }
  - { id: E255K, name: E255K, region: P-loop }
  - { id: T315I, name: T315I, region: gatekeeper }
  - { id: Y253H, name: Y253H, region: P-loop }
sensitivities:
  - mutation: native
    drug: imatinib
    ic50: { value: 10, units: nM, evidence: V, refs: [a] }
    otherIc50: [{ value: 20, units: nM, evidence: T, refs: [b] }]
    evidence: V
    refs: [a]
  - mutation: E255K
    drug: imatinib
    ic50: { value: 100, units: nM, evidence: V2, refs: [b] }
    evidence: V2
    refs: [b]
  - mutation: T315I
    drug: imatinib
    ic50: { bound: '>', value: 1000, units: nM, evidence: R, refs: [a] }
    clinical: resistant
    evidence: V
    refs: [a]
  - mutation: Y253H
    drug: imatinib
    ic50: { value: 50, units: nM, evidence: V, refs: [c] }
    evidence: V
    refs: [c]
  - mutation: Y253H
    drug: nilotinib
    fold: { value: 7, units: '1', evidence: V, refs: [c] }
    evidence: V
    refs: [c]
`,
  );
  return loadKnowledgeBase(dir);
}

describe('evidence of derived numbers', () => {
  it('is C from verified or transcribed inputs, otherwise the weakest input', () => {
    expect(computedEvidence('V', 'V2')).toBe('C');
    expect(computedEvidence('T', 'T')).toBe('C');
    expect(computedEvidence('V', 'R')).toBe('R');
    expect(computedEvidence('A', 'V')).toBe('A');
    expect(weakestEvidence('U', 'V')).toBe('U');
    expect(weakestEvidence('V2', 'T')).toBe('T');
  });
});

describe('fold resistance', () => {
  const kb = synthetic();
  const s = (m: string, d = 'imatinib') => kb.sensitivities.find((x) => x.mutation === m && x.drug === d)!;

  it('divides by the native IC50 of the same study, never across studies', () => {
    // E255K is from study b: 100 / 20 (b's native), not 100 / 10 (a's)
    expect(foldOf(kb, s('E255K'))).toEqual({ value: 5, evidence: 'C', refs: ['b'], derived: true });
  });

  it('keeps a censored IC50 censored, and the weakest evidence', () => {
    expect(foldOf(kb, s('T315I'))).toEqual({
      value: 100,
      bound: '>',
      evidence: 'R',
      refs: ['a'],
      derived: true,
    });
  });

  it('gives nothing without a same-study native value, and the reported fold when there is one', () => {
    expect(foldOf(kb, s('Y253H'))).toBeUndefined();
    expect(foldOf(kb, s('native'))).toBeUndefined();
    expect(foldOf(kb, s('Y253H', 'nilotinib'))).toMatchObject({ value: 7, evidence: 'V', derived: false });
  });
});

describe('mutationTable', () => {
  it('filters by drug (case-insensitive) and orders rows by mutation then clinical drug order', () => {
    const rows = mutationTable(real, { drug: 'Dasatinib' });
    expect(rows.length).toBeGreaterThan(10);
    expect(new Set(rows.map((r) => r.drug))).toEqual(new Set(['dasatinib']));
    expect(rows[0].mutation).toBe('native');
    const t = mutationTable(real, { mutation: 't315i' });
    expect(t.map((r) => r.drug)).toEqual([
      'imatinib',
      'nilotinib',
      'dasatinib',
      'bosutinib',
      'ponatinib',
      'asciminib',
    ]);
    expect(t.find((r) => r.drug === 'ponatinib')?.fold?.value).toBeCloseTo(22, 12);
  });

  it('rejects unknown drugs and mutations with suggestions', () => {
    expect(() => mutationTable(real, { drug: 'dasatinb' })).toThrow(
      /unknown drug 'dasatinb' \(did you mean 'dasatinib'\?\)/,
    );
    expect(() => mutationTable(real, { mutation: 'T315L' })).toThrow(QueryError);
    try {
      mutationTable(real, { mutation: 'T351I' });
    } catch (err) {
      expect((err as QueryError).suggestions).toContain('T315I');
    }
  });

  it('lists the drugs a mutation is sensitive to (the switching rule)', () => {
    expect(sensitiveDrugs(real, 'T315I')).toEqual(['ponatinib', 'asciminib']);
    expect(sensitiveDrugs(real, 'V299L')).toEqual(['nilotinib', 'ponatinib']);
  });
});

describe('drugs', () => {
  it('lists defined drugs with native potency from the mutation table', () => {
    const kb = synthetic();
    expect(listDrugs(kb)).toEqual([]);
    const withDrugs: KnowledgeBase = {
      ...kb,
      drugs: [{ id: 'imatinib', name: 'Imatinib' } as unknown as Drug],
      origin: kb.origin,
    };
    const [row] = listDrugs(withDrugs);
    expect(row).toMatchObject({ id: 'imatinib', name: 'Imatinib', mutations: 3 });
    expect(row.nativeIc50?.value).toBe(10);
  });
});

describe('channelTable', () => {
  it('filters by recipient, with aliases such as HUVEC', () => {
    const endo = channelTable(real, { recipient: 'endothelium' });
    expect(endo.length).toBeGreaterThanOrEqual(5);
    expect(endo.every((c) => c.recipient === 'endothelium')).toBe(true);
    expect(channelTable(real, { recipient: 'HUVEC' }).map((c) => c.id)).toEqual(endo.map((c) => c.id));
    expect(resolveCellType('MSC')).toBe('bmsc');
  });

  it('filters by donor, cargo (substring, case-insensitive) and effect together', () => {
    expect(channelTable(real, { cargo: 'mir-126' }).map((c) => c.id)).toEqual(['cml-endothelium-mir126']);
    const fromBmsc = channelTable(real, { donor: 'bmsc', effect: 'drug-resistance' });
    expect(fromBmsc.map((c) => c.id)).toEqual(['bmsc-cml-tki-protection']);
    expect(channelTable(real, { donor: 'resistant-cml' }).every((c) => c.recipient === 'sensitive-cml')).toBe(
      true,
    );
  });

  it('rejects unknown cell types, cargo and effects with suggestions', () => {
    expect(() => channelTable(real, { donor: 'bmcs' })).toThrow(
      /unknown cell type 'bmcs' \(did you mean 'bmsc'/,
    );
    expect(() => channelTable(real, { cargo: 'miR-999' })).toThrow(/unknown cargo 'miR-999' \(did you mean /);
    expect(() => channelTable(real, { effect: 'angiogenisis' })).toThrow(/did you mean 'angiogenesis'/);
  });

  it('finds the conflicts that involve the selected channels', () => {
    const ids = channelTable(real, { recipient: 'endothelium' }).map((c) => c.id);
    expect(conflictsFor(real, ids).map((c) => c.id)).toEqual(['vcam1-endothelium']);
    expect(conflictsFor(real, ['bmsc-cml-quiescence']).map((c) => c.id)).toEqual(['msc-exosomes-tki']);
  });
});

describe('parameters and references', () => {
  it('lists parameters by prefix and suggests a namespace for a typo', () => {
    const rows = listParameters(real, 'exosome.');
    expect(rows.length).toBeGreaterThanOrEqual(5);
    expect(rows.every((p) => p.key.startsWith('exosome.'))).toBe(true);
    expect(rows.find((p) => p.key === 'exosome.plasma_half_life')).toMatchObject({
      value: 7,
      units: 'min',
      evidence: 'V',
    });
    expect(() => listParameters(real, 'exosom.')).toThrow(
      /unknown parameter prefix 'exosom\.' \(did you mean 'exosome'/,
    );
  });

  it('lists who cites a reference', () => {
    const [r] = listReferences(real, 'taverna2014');
    const cited = r.citedBy.map((c) => `${c.section}:${c.id}`);
    expect(cited).toEqual(
      expect.arrayContaining([
        'channels:cml-endothelium-mir126',
        'conflicts:vcam1-endothelium',
        'parameters:crosstalk.vcam1_direction',
      ]),
    );
    expect(r.origin?.file).toMatch(/channels\.yaml$/);
    expect(() => listReferences(real, 'taverna2041')).toThrow(/did you mean .*'taverna2014'/);
  });

  it('formats a citation with every field', () => {
    expect(
      formatCitation({
        id: 'x',
        authors: 'Taverna S, et al.',
        year: 2014,
        title: 'A title',
        journal: 'Mol Cancer',
        volume: '13',
        pages: '169',
        doi: '10.1/x',
        pmid: '25015105',
      }),
    ).toBe('Taverna S, et al. (2014). A title. Mol Cancer 13:169. doi:10.1/x PMID 25015105');
  });
});

describe('search and show', () => {
  it('search finds ids and text, every word must match, id matches first', () => {
    const hits = search(real, 'VCAM1');
    const ids = hits.map((h) => h.id);
    expect(ids).toEqual(
      expect.arrayContaining(['vcam1-endothelium', 'cml-endothelium-mir126', 'cml-endothelium-il8-vcam1']),
    );
    expect(hits[0].field).toBe('id');
    expect(search(real, 'miR-365 resistance').map((h) => h.id)).toContain('resistant-cml-mir365');
    expect(search(real, 'miR-365 zebrafish')).toEqual([]);
    expect(() => search(real, '   ')).toThrow(QueryError);
  });

  it('show gives the entry, its file:line and its resolved references', () => {
    const [p] = show(real, 'exosome.plasma_half_life');
    expect(p.section).toBe('parameters');
    expect(p.origin?.file).toMatch(/data\/knowledge\/channels\.yaml$/);
    expect(p.origin?.line).toBeGreaterThan(1);
    expect(p.references.map((r) => r.id)).toEqual(['sev-clearance-2019']);
    const [s] = show(real, 't315i/PONATINIB');
    expect(s.id).toBe('T315I/ponatinib');
    expect(s.fold?.value).toBeCloseTo(22, 12);
    expect(s.references.map((r) => r.id)).toEqual(['ohare2009', 'redaelli2012']);
    expect(show(real, 'mutations:T315I')[0].section).toBe('mutations');
    expect(() => show(real, 'vcam1-endotheliom')).toThrow(/did you mean 'vcam1-endothelium'/);
  });

  it('closestNames prefers near edits and shared prefixes', () => {
    expect(closestNames('imatinb', ['imatinib', 'nilotinib', 'dasatinib'])).toEqual(['imatinib']);
    expect(closestNames('zzzzzz', ['imatinib'])).toEqual([]);
  });
});
