/** data/knowledge/drugs.yaml: the six TKIs with their regimens and PK, and the drug schema's error messages. */
import { describe, expect, it } from 'vitest';
import { loadKnowledgeBase } from '../../src/knowledge/index.js';
import { checkConsistency } from '../../src/knowledge/query.js';
import { Drug } from '../../src/knowledge/schema/drug.js';
import { findDrug } from '../../src/therapy/index.js';

const kb = loadKnowledgeBase();

describe('the shipped drug data', () => {
  it('loads, is consistent, and defines exactly the six TKIs', () => {
    expect(checkConsistency(kb)).toEqual([]);
    expect(kb.drugs.map((d) => d.id)).toEqual([
      'imatinib',
      'nilotinib',
      'dasatinib',
      'bosutinib',
      'ponatinib',
      'asciminib',
    ]);
  });

  it('standard and alternative regimens (mg, h)', () => {
    const reg = (id: string) =>
      findDrug(kb, id).regimens.map((r) => [r.dose, r.intervalHours, r.standard === true]);
    expect(reg('imatinib')).toEqual(
      expect.arrayContaining([
        [400, 24, true],
        [600, 24, false],
        [400, 12, false],
      ]),
    );
    expect(reg('nilotinib')).toEqual(
      expect.arrayContaining([
        [300, 12, true],
        [400, 12, false],
      ]),
    );
    expect(reg('dasatinib')).toEqual(
      expect.arrayContaining([
        [100, 24, true],
        [140, 24, false],
      ]),
    );
    expect(reg('bosutinib')).toEqual(
      expect.arrayContaining([
        [400, 24, true],
        [500, 24, false],
      ]),
    );
    expect(reg('ponatinib')).toEqual(
      expect.arrayContaining([
        [45, 24, true],
        [15, 24, false],
      ]),
    );
    expect(reg('asciminib')).toEqual(
      expect.arrayContaining([
        [40, 12, true],
        [80, 24, false],
        [200, 12, false],
      ]),
    );
  });

  it('mechanism: asciminib is the only allosteric (STAMP) inhibitor', () => {
    expect(kb.drugs.filter((d) => d.mechanism === 'allosteric-STAMP').map((d) => d.id)).toEqual([
      'asciminib',
    ]);
  });

  it('every drug has tmax, half-life, protein binding and molecular weight with sources', () => {
    for (const d of kb.drugs) {
      for (const q of [d.pk.tmax, d.pk.halfLife, d.pk.proteinBinding, d.molecularWeight]) {
        expect(q.refs.length).toBeGreaterThan(0);
        for (const r of q.refs) expect(kb.references.has(r)).toBe(true);
      }
      expect(d.pk.cmaxSs ?? d.pk.aucTauSs).toBeDefined();
    }
  });

  it('imatinib label values (Peng 2005 [V]): t1/2 18 h, Cmax,ss 2.6 and Cmin,ss 1.2 µg/mL, 95 % bound', () => {
    const pk = findDrug(kb, 'imatinib').pk;
    expect([pk.halfLife.value, pk.cmaxSs?.value, pk.cminSs?.value, pk.proteinBinding.value]).toEqual([
      18, 2600, 1200, 0.95,
    ]);
    expect(pk.halfLife.evidence).toBe('V');
  });
});

describe('drug schema errors', () => {
  const good = findDrug(kb, 'imatinib');
  const paths = (x: unknown) => {
    const r = Drug.safeParse(x);
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };
  it('accepts the shipped entry', () => {
    expect(paths(good)).toEqual([]);
  });
  it('negative dose, wrong units, unknown reference regimen, two standard regimens', () => {
    expect(
      paths({ ...good, regimens: [{ ...good.regimens[0], dose: -400 }, ...good.regimens.slice(1)] })[0],
    ).toMatch(/^regimens\.0\.dose/);
    expect(paths({ ...good, pk: { ...good.pk, cmaxSs: { ...good.pk.cmaxSs, units: 'ug/mL' } } })).toEqual([
      "pk.cmaxSs.units: units must be 'ng/mL'",
    ]);
    expect(paths({ ...good, pk: { ...good.pk, steadyStateRegimen: '401qd' } })[0]).toMatch(
      /^pk\.steadyStateRegimen: unknown regimen '401qd'/,
    );
    expect(paths({ ...good, regimens: good.regimens.map((r) => ({ ...r, standard: true })) })).toContain(
      'regimens: exactly one regimen is `standard: true`',
    );
  });
});
