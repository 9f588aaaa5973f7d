import { describe, expect, it } from 'vitest';
import { classifyPhase, type PhaseFindings } from '../../src/clinic/phase.js';
import { above, below, defs } from './kb.js';

const blasts = (b: number, where: 'blood' | 'marrow' = 'blood'): PhaseFindings =>
  where === 'blood' ? { blood: { blastsPercent: b } } : { marrow: { blastsPercent: b } };
const phase = (f: PhaseFindings, s: 'who2017' | 'eln2020' | 'eln2013' | 'who2022') =>
  classifyPhase(f, s, defs());

describe('CML phase (V27: cml-models.md §4.7, exact thresholds, selectable scheme)', () => {
  it('WHO 2017: blasts 10-19 % → accelerated, ≥ 20 % → blast (boundaries at, above, below)', () => {
    expect(phase(blasts(9.99), 'who2017').phase).toBe('chronic');
    expect(phase(blasts(below(10)), 'who2017').phase).toBe('chronic');
    expect(phase(blasts(10), 'who2017').phase).toBe('accelerated');
    expect(phase(blasts(19), 'who2017').phase).toBe('accelerated');
    expect(phase(blasts(below(20)), 'who2017').phase).toBe('accelerated');
    expect(phase(blasts(20), 'who2017').phase).toBe('blast');
    expect(phase(blasts(20, 'marrow'), 'who2017').phase).toBe('blast');
    expect(phase(blasts(85), 'who2017').phase).toBe('blast');
  });

  it('ELN (2013 = 2020): blasts 15-29 % → accelerated, ≥ 30 % → blast; eln2013 is the same scheme', () => {
    for (const s of ['eln2020', 'eln2013'] as const) {
      expect(phase(blasts(below(15)), s).phase).toBe('chronic');
      expect(phase(blasts(14.99), s).phase).toBe('chronic');
      expect(phase(blasts(15), s).phase).toBe('accelerated');
      expect(phase(blasts(29), s).phase).toBe('accelerated');
      expect(phase(blasts(below(30)), s).phase).toBe('accelerated');
      expect(phase(blasts(30), s).phase).toBe('blast');
      expect(phase(blasts(12), s).phase).toBe('chronic'); // accelerated under WHO 2017
    }
  });

  it('basophils ≥ 20 % → accelerated under WHO 2017 and ELN; a high-risk chronic feature under WHO 2022', () => {
    for (const s of ['who2017', 'eln2020'] as const) {
      expect(phase({ blood: { basophilsPercent: below(20) } }, s).phase).toBe('chronic');
      expect(phase({ blood: { basophilsPercent: 19.99 } }, s).phase).toBe('chronic');
      expect(phase({ blood: { basophilsPercent: 20 } }, s).phase).toBe('accelerated');
      expect(phase({ blood: { basophilsPercent: 35 } }, s).phase).toBe('accelerated');
    }
    const w = phase({ blood: { basophilsPercent: 20 } }, 'who2022');
    expect([w.phase, w.highRisk]).toEqual(['chronic', true]);
    expect(phase({ blood: { basophilsPercent: 19.99 } }, 'who2022').highRisk).toBe(false);
  });

  it('WHO 2022 has no accelerated phase: blasts 10-19 % high-risk chronic, ≥ 20 % blast', () => {
    expect(defs().phase.who2022.hasAcceleratedPhase).toBe(false);
    expect(phase(blasts(9.99), 'who2022')).toMatchObject({ phase: 'chronic', highRisk: false });
    expect(phase(blasts(10), 'who2022')).toMatchObject({ phase: 'chronic', highRisk: true });
    expect(phase(blasts(19.99), 'who2022')).toMatchObject({ phase: 'chronic', highRisk: true });
    expect(phase(blasts(20), 'who2022')).toMatchObject({ phase: 'blast', highRisk: false });
    expect(phase({ flags: { increasedLymphoblasts: true } }, 'who2022').phase).toBe('blast');
    expect(phase({ flags: { acaInPhPositiveCells: true } }, 'who2022')).toMatchObject({
      phase: 'chronic',
      highRisk: true,
    });
  });

  it('every numeric criterion of every scheme switches exactly at its threshold', () => {
    const d = defs();
    for (const scheme of ['who2017', 'eln2020', 'who2022'] as const) {
      for (const c of d.phase[scheme].criteria) {
        if (!('measure' in c)) continue;
        const v = c.threshold.value;
        const finding = (x: number): PhaseFindings => {
          const q = c.qualifier ? { qualifiers: { [c.measure]: { [c.qualifier]: true } } } : {};
          switch (c.measure) {
            case 'blastsPercent':
              return { blood: { blastsPercent: x }, ...q };
            case 'basophilsPercent':
              return { blood: { basophilsPercent: x }, ...q };
            case 'blastsPlusPromyelocytesPercent':
              return { blood: { blastsPercent: 0, promyelocytesPercent: x }, ...q };
            case 'plateletsPerNanolitre':
              return { plateletsPerNanolitre: x, ...q };
            case 'wbcPerNanolitre':
              return { wbcPerNanolitre: x, ...q };
          }
        };
        const hit = (x: number) => phase(finding(x), scheme).met.some((m) => m.id === c.id);
        const inside = c.threshold.op === '>=' || c.threshold.op === '>' ? above(v) : below(v);
        const outside = c.threshold.op === '>=' || c.threshold.op === '>' ? below(v) : above(v);
        expect(hit(inside), `${scheme}/${c.id} inside`).toBe(true);
        expect(hit(outside), `${scheme}/${c.id} outside`).toBe(false);
        expect(hit(v), `${scheme}/${c.id} at`).toBe(c.threshold.op === '>=' || c.threshold.op === '<=');
      }
    }
  });

  it('platelets count only with the qualifier asserted (thrombocytopenia unrelated to therapy)', () => {
    expect(phase({ plateletsPerNanolitre: 50 }, 'who2017').phase).toBe('chronic');
    const q = { plateletsPerNanolitre: { unrelatedToTherapy: true } };
    expect(phase({ plateletsPerNanolitre: 99.99, qualifiers: q }, 'who2017').phase).toBe('accelerated');
    expect(phase({ plateletsPerNanolitre: 100, qualifiers: q }, 'who2017').phase).toBe('chronic');
    expect(phase({ plateletsPerNanolitre: 99.99, qualifiers: q }, 'eln2020').phase).toBe('accelerated');
    const hi = { plateletsPerNanolitre: { unresponsiveToTherapy: true } };
    expect(phase({ plateletsPerNanolitre: 1000, qualifiers: hi }, 'who2017').phase).toBe('chronic');
    expect(phase({ plateletsPerNanolitre: 1000.01, qualifiers: hi }, 'who2017').phase).toBe('accelerated');
    expect(phase({ plateletsPerNanolitre: 1500, qualifiers: hi }, 'eln2020').phase).toBe('chronic'); // not an ELN criterion
  });

  it('ELN blasts + promyelocytes ≥ 30 % with blasts < 30 %', () => {
    expect(phase({ marrow: { blastsPercent: 5, promyelocytesPercent: 25 } }, 'eln2020').phase).toBe(
      'accelerated',
    );
    expect(phase({ marrow: { blastsPercent: 5, promyelocytesPercent: 24.99 } }, 'eln2020').phase).toBe(
      'chronic',
    );
    expect(phase({ marrow: { blastsPercent: 30, promyelocytesPercent: 10 } }, 'eln2020').phase).toBe('blast');
    // Blood and marrow are separate compartments: 5 + 20 in blood, 8 + 20 in marrow → neither reaches 30 %.
    expect(
      phase(
        {
          blood: { blastsPercent: 5, promyelocytesPercent: 20 },
          marrow: { blastsPercent: 8, promyelocytesPercent: 20 },
        },
        'eln2020',
      ).phase,
    ).toBe('chronic');
  });

  it('flags: extramedullary blasts → blast everywhere; ACA → accelerated; reports unevaluated criteria', () => {
    for (const s of ['who2017', 'eln2020', 'who2022'] as const)
      expect(phase({ flags: { extramedullaryBlastProliferation: true } }, s).phase).toBe('blast');
    expect(phase({ flags: { newAcaOnTherapy: true } }, 'who2017').phase).toBe('accelerated');
    expect(phase({ flags: { acaMajorRouteOnTreatment: true } }, 'eln2020').phase).toBe('accelerated');
    expect(phase({ flags: { newAcaOnTherapy: true } }, 'eln2020').phase).toBe('chronic'); // not an ELN flag
    const r = phase(blasts(5), 'who2017');
    expect(r.phase).toBe('chronic');
    expect(r.notEvaluated).toContain('basophils');
    expect(r.notEvaluated).not.toContain('blasts-ap');
    const both = phase({ blood: { blastsPercent: 12, basophilsPercent: 25 } }, 'who2017');
    expect(both.met.map((m) => m.id).sort()).toEqual(['basophils', 'blasts-ap']);
  });
});
