/**
 * The knowledge base shipped in data/knowledge: it loads, it is consistent across files, and it says what the
 * sources say (cml-models.md §5 for mutations, biology.md §2 for exosome channels).
 */
import { describe, expect, it } from 'vitest';
import { loadKnowledgeBase } from '../../src/knowledge/index.js';
import { checkConsistency, clinicalCategory, foldOf, TKI_IDS } from '../../src/knowledge/query.js';

const kb = loadKnowledgeBase();
const sens = (mutation: string, drug: string) => {
  const s = kb.sensitivities.find((x) => x.mutation === mutation && x.drug === drug);
  if (!s) throw new Error(`no sensitivity ${mutation}/${drug}`);
  return s;
};

describe('the shipped knowledge base', () => {
  it('loads without errors and is consistent across files', () => {
    expect(kb.files.length).toBeGreaterThanOrEqual(3);
    expect(checkConsistency(kb)).toEqual([]);
  });

  it('names only the six TKIs, each with a native row', () => {
    const drugs = new Set(kb.sensitivities.map((s) => s.drug));
    expect([...drugs].sort()).toEqual([...TKI_IDS].sort());
    for (const d of TKI_IDS)
      expect(kb.sensitivities.some((s) => s.mutation === 'native' && s.drug === d)).toBe(true);
  });

  it('covers the mutations of cml-models.md §5.1', () => {
    const ids = new Set(kb.mutations.map((m) => m.id));
    for (const m of [
      'native',
      'T315I',
      'V299L',
      'F317L',
      'Y253H',
      'E255K',
      'E255V',
      'F359V',
      'F359C',
      'F359I',
      'G250E',
      'M244V',
      'M351T',
      'H396R',
      'H396P',
      'Q252H',
      'A337V',
      'P465S',
    ]) {
      expect(ids.has(m), m).toBe(true);
    }
    expect(kb.mutations.find((m) => m.id === 'T315I')?.region).toBe('gatekeeper');
    expect(kb.mutations.filter((m) => m.region === 'P-loop').map((m) => m.id)).toEqual([
      'M244V',
      'G250E',
      'Q252H',
      'Y253H',
      'E255K',
      'E255V',
    ]);
  });
});

describe('mutation x TKI facts (cml-models.md §5)', () => {
  it('T315I: resistant to imatinib, nilotinib, dasatinib, bosutinib; sensitive to ponatinib and asciminib (200 mg BID)', () => {
    for (const d of ['imatinib', 'nilotinib', 'dasatinib', 'bosutinib'])
      expect(clinicalCategory(kb, 'T315I', d), d).toBe('resistant');
    expect(clinicalCategory(kb, 'T315I', 'ponatinib')).toBe('sensitive');
    expect(clinicalCategory(kb, 'T315I', 'asciminib')).toBe('sensitive');
    expect(sens('T315I', 'asciminib').note).toMatch(/200 mg BID/);
    // Verified-source tags for the categories §5.1 marks [V]
    expect(sens('T315I', 'nilotinib').evidence).toBe('V');
    expect(sens('T315I', 'dasatinib').evidence).toBe('V');
  });

  it('Branford 2009: P-loop and F359 mutants less sensitive to nilotinib, F317L and V299L to dasatinib [V]', () => {
    for (const m of ['Y253H', 'E255K', 'E255V', 'F359V', 'F359C']) {
      expect(sens(m, 'nilotinib')).toMatchObject({
        clinical: 'resistant',
        evidence: 'V',
        refs: ['branford2009'],
      });
    }
    for (const m of ['F317L', 'V299L', 'F317I', 'F317V', 'F317C', 'T315A']) {
      expect(sens(m, 'dasatinib')).toMatchObject({
        clinical: 'resistant',
        evidence: 'V',
        refs: ['branford2009'],
      });
    }
  });

  it('bosutinib label: not T315I, not V299L', () => {
    expect(sens('V299L', 'bosutinib')).toMatchObject({
      clinical: 'resistant',
      evidence: 'V',
      refs: ['bosutinib-label'],
    });
    expect(sens('T315I', 'bosutinib').refs).toEqual(['bosutinib-label']);
  });

  it('myristoyl-pocket mutants resist asciminib only', () => {
    for (const m of ['A337V', 'P465S']) {
      expect(clinicalCategory(kb, m, 'asciminib')).toBe('resistant');
      for (const d of ['imatinib', 'nilotinib', 'dasatinib', 'bosutinib', 'ponatinib'])
        expect(clinicalCategory(kb, m, d)).toBe('sensitive');
    }
  });

  it('native and T315I IC50s read in secondary copies (ponatinib 0.5 / 11 nM, asciminib 0.61 / 7.64 nM) are V2', () => {
    expect(sens('native', 'ponatinib').ic50).toMatchObject({ value: 0.5, units: 'nM', evidence: 'V2' });
    expect(sens('T315I', 'ponatinib').ic50).toMatchObject({ value: 11, units: 'nM', evidence: 'V2' });
    expect(sens('native', 'asciminib').ic50).toMatchObject({ value: 0.61, units: 'nM', evidence: 'V2' });
    expect(sens('T315I', 'asciminib').ic50).toMatchObject({ value: 7.64, units: 'nM', evidence: 'V2' });
    // no bosutinib IC50 was retrieved: its native value is an explicit assumption with a range
    expect(sens('native', 'bosutinib').ic50).toMatchObject({ evidence: 'A', range: [10, 40] });
  });

  it('derives fold resistance within one study: ponatinib T315I 11/0.5 = 22, asciminib 7.64/0.61', () => {
    const pon = foldOf(kb, sens('T315I', 'ponatinib'));
    expect(pon).toMatchObject({ evidence: 'C', derived: true });
    expect(pon?.value).toBeCloseTo(22, 12);
    expect(foldOf(kb, sens('T315I', 'asciminib'))?.value).toBeCloseTo(7.64 / 0.61, 12);
  });

  it("keeps recalled O'Hare 2005 values tagged R, censored values as lower bounds, and their folds R", () => {
    expect(sens('native', 'imatinib').ic50).toMatchObject({ value: 260, evidence: 'R', refs: ['ohare2005'] });
    expect(sens('T315I', 'imatinib').ic50).toMatchObject({ bound: '>', value: 6400, evidence: 'R' });
    const f = foldOf(kb, sens('E255K', 'imatinib'));
    expect(f).toMatchObject({ evidence: 'R', derived: true });
    expect(f?.value).toBeCloseTo(5200 / 260, 12);
    expect(foldOf(kb, sens('T315I', 'imatinib'))).toMatchObject({ bound: '>', evidence: 'R' });
    // ponatinib G250E has only a Redaelli 2012 value: its fold uses Redaelli's own native value (12.5 / 2.1), not 0.5
    expect(foldOf(kb, sens('G250E', 'ponatinib'))?.value).toBeCloseTo(12.5 / 2.1, 12);
  });

  it('every IC50 and fold carries nM / dimensionless units and at least one reference', () => {
    for (const s of kb.sensitivities) {
      for (const q of [s.ic50, ...(s.otherIc50 ?? [])]) if (q) expect(q.units).toBe('nM');
      if (s.fold) expect(s.fold.units).toBe('1');
      expect(s.refs.length).toBeGreaterThan(0);
    }
  });
});

describe('exosome crosstalk channels (biology.md §2)', () => {
  const channel = (id: string) => {
    const c = kb.channels.find((x) => x.id === id);
    if (!c) throw new Error(`no channel ${id}`);
    return c;
  };

  it('cover the cargo of the studies and the main donor -> recipient routes', () => {
    const cargo = new Set(kb.channels.flatMap((c) => c.cargo));
    for (const x of [
      'miR-92a',
      'miR-126',
      'miR-210',
      'miR-21',
      'miR-320',
      'miR-365',
      'miR-15a',
      'amphiregulin',
    ])
      expect(cargo.has(x), x).toBe(true);
    const routes = new Set(kb.channels.map((c) => `${c.donor}>${c.recipient}`));
    for (const r of [
      'cml-bulk>endothelium',
      'cml-bulk>bmsc',
      'bmsc>cml-bulk',
      'cml-bulk>cml-bulk',
      'resistant-cml>sensitive-cml',
      'cml-bulk>t-cell',
    ]) {
      expect(routes.has(r), r).toBe(true);
    }
  });

  it('keep the numbers biology.md gives: tube length x2 (Mineo 2012), 24 h exposure and 124 miRNAs (Taverna 2014), 2 uM imatinib (Hrdinova 2021)', () => {
    expect(channel('cml-endothelium-src-angiogenesis').quantities?.tubeLengthFold).toMatchObject({
      value: 2,
      units: '1',
      evidence: 'V',
      refs: ['mineo2012'],
    });
    expect(channel('cml-endothelium-mir126').quantities?.exposureTime).toMatchObject({
      value: 24,
      units: 'h',
      evidence: 'V',
    });
    expect(channel('cml-endothelium-mir126').quantities?.exosomalMirnaCount.value).toBe(124);
    expect(channel('resistant-cml-ifitm3-survival').quantities?.imatinibConcentration).toMatchObject({
      value: 2,
      units: 'uM',
    });
  });

  it('Mineo 2012: dasatinib blocks the endothelial response, imatinib barely does; both reduce release', () => {
    const mods = channel('cml-endothelium-src-angiogenesis').modulators ?? [];
    expect(mods.find((m) => m.agent === 'dasatinib' && m.actsOn === 'recipient')?.effect).toBe('blocks');
    expect(mods.find((m) => m.agent === 'imatinib' && m.actsOn === 'recipient')?.effect).toBe('minimal');
    expect(mods.filter((m) => m.actsOn === 'donor').map((m) => [m.agent, m.effect])).toEqual([
      ['imatinib', 'reduces'],
      ['dasatinib', 'reduces'],
    ]);
  });

  it('represent VCAM1 up versus down in endothelium as a conflict resolved by a parameter', () => {
    const c = kb.conflicts.find((x) => x.id === 'vcam1-endothelium');
    expect(c?.resolution).toMatchObject({ kind: 'parameter', parameters: ['crosstalk.vcam1_direction'] });
    const dirs = new Set(
      (c?.positions ?? [])
        .flatMap((p) => p.channels ?? [])
        .flatMap((id) => channel(id).readouts ?? [])
        .filter((r) => r.target === 'VCAM1')
        .map((r) => r.direction),
    );
    expect([...dirs].sort()).toEqual(['down', 'up']);
    const p = kb.parameter('crosstalk.vcam1_direction');
    expect(p).toMatchObject({ evidence: 'A', range: [-1, 1] });
  });

  it('represent MSC exosomes protective versus sensitising as a conflict resolved by an assumption', () => {
    const c = kb.conflicts.find((x) => x.id === 'msc-exosomes-tki');
    expect(c?.resolution?.kind).toBe('assumption');
    const effects = (c?.positions ?? [])
      .flatMap((p) => p.channels ?? [])
      .map((id) => `${channel(id).effect}:${channel(id).direction}`);
    expect(effects).toEqual(expect.arrayContaining(['quiescence:up', 'drug-resistance:up', 'apoptosis:up']));
    // the sensitising report is unverified and must say so
    expect(c?.positions.find((p) => p.channels?.includes('msc-cml-imatinib-sensitisation'))?.evidence).toBe(
      'R',
    );
  });
});
