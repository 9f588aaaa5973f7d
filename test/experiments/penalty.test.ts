/**
 * The virtual-experiment penalty of the joint calibration (src/experiments/penalty.ts): constraints come from the
 * checks that pass at the reference KB, the penalty is 0 there and W h^2 for a violation h in ln units.
 */
import { describe, expect, it } from 'vitest';
import {
  DIRECTION_CAP,
  DIRECTION_KEEP,
  VE_PENALTY_WEIGHT,
  veConstraints,
  vePenalty,
} from '../../src/experiments/penalty.js';
import type { Experiment } from '../../src/experiments/types.js';
import { kbWithValues } from '../../src/fitting/niche.js';
import { loadKnowledgeBase } from '../../src/knowledge/load.js';

const kb = loadKnowledgeBase();
const KEY = 'niche.ch.src_angiogenesis.emax';

/** A synthetic experiment whose measures are closed forms of one KB value (no simulation). */
const FAKE: Experiment = {
  id: 'VE-X',
  title: 'synthetic',
  source: { study: 'E1', ref: 'mineo2012' },
  setting: 'in-vitro',
  protocol: '-',
  mapping: '-',
  expectations: [
    { id: 'up', statement: 'up', measure: '1 + e', criterion: { kind: 'increase' }, evidence: 'V' },
    {
      id: 'small',
      statement: 'tiny up',
      measure: '1 + e/1000',
      criterion: { kind: 'increase' },
      evidence: 'V',
    },
    {
      id: 'band',
      statement: 'fold 2',
      measure: '1 + e',
      criterion: { kind: 'band', target: 2, low: 1.5, high: 2.5 },
      evidence: 'V',
    },
    {
      id: 'series',
      statement: 'dose',
      measure: '[1, 1+e, 1+2e]',
      criterion: { kind: 'increasingSeries' },
      evidence: 'V',
    },
    { id: 'recalled', statement: 'R', measure: '1 + e', criterion: { kind: 'increase' }, evidence: 'R' },
    {
      id: 'failing',
      statement: 'fails now',
      measure: '1 + e',
      criterion: { kind: 'decrease' },
      evidence: 'V',
    },
  ],
  run(k) {
    const e = k.parameter(KEY).value;
    return {
      arms: [],
      measures: {
        up: 1 + e,
        small: 1 + e / 1000,
        band: 1 + e,
        series: [1, 1 + e, 1 + 2 * e],
        recalled: 1 + e,
        failing: 1 + e,
      },
    };
  },
};

describe('virtual-experiment constraints', () => {
  const e0 = kb.parameter(KEY).value;
  const cons = veConstraints([FAKE], kb);

  it('come from the counted checks that pass at the reference (not [R], not failing ones)', () => {
    expect(e0).toBe(1);
    expect(cons.map((c) => c.check).sort()).toEqual(['band', 'series', 'small', 'up']);
  });

  it('keep half of a direction effect in log units, capped at ln(1 + cap)', () => {
    const up = cons.find((c) => c.check === 'up');
    const small = cons.find((c) => c.check === 'small');
    expect(up?.lo).toBeCloseTo(Math.log1p(DIRECTION_CAP), 12);
    expect(small?.lo).toBeCloseTo(DIRECTION_KEEP * Math.log(1.001), 12);
    expect(cons.find((c) => c.check === 'band')?.hi).toBeCloseTo(Math.log(2.5), 12);
  });

  it('give 0 at the reference and W h^2 when an effect shrinks', () => {
    expect(vePenalty([FAKE], cons, kb).penalty).toBe(0);
    const e = 0.05;
    const r = vePenalty([FAKE], cons, kbWithValues(kb, { [KEY]: e }));
    const hUp = Math.log1p(DIRECTION_CAP) - Math.log(1 + e);
    const hSmall = DIRECTION_KEEP * Math.log(1.001) - Math.log(1 + e / 1000);
    const hBand = Math.log(1.5) - Math.log(1 + e);
    // series: smallest step (1+2e)/(1+e) against the smallest reference step 3/2 (capped)
    const hSeries = Math.log1p(DIRECTION_CAP) - Math.log((1 + 2 * e) / (1 + e));
    const expected = VE_PENALTY_WEIGHT * (hUp ** 2 + hSmall ** 2 + hBand ** 2 + hSeries ** 2);
    expect(r.penalty).toBeCloseTo(expected, 8);
    expect(r.terms.find((t) => t.check === 'band')?.violation).toBeCloseTo(hBand, 12);
  });

  it('a run that throws violates every constraint of its experiment', () => {
    const broken: Experiment = {
      ...FAKE,
      run() {
        throw new Error('solver failed');
      },
    };
    const r = vePenalty([broken], cons, kb);
    expect(r.terms.every((t) => t.violation === 30)).toBe(true);
    expect(r.penalty).toBe(VE_PENALTY_WEIGHT * 4 * 900);
  });
});

describe('kbWithValues', () => {
  it('replaces the named values and shares everything else', () => {
    const k = kbWithValues(kb, { 'niche.exo.clearance': 1234 });
    expect(k.parameter('niche.exo.clearance').value).toBe(1234);
    expect(k.parameter('niche.exo.clearance').units).toBe(kb.parameter('niche.exo.clearance').units);
    expect(k.parameters.get('niche.exo.clearance')?.value).toBe(1234);
    expect(kb.parameter('niche.exo.clearance').value).not.toBe(1234);
    expect(k.parameter('niche.release.cml')).toBe(kb.parameter('niche.release.cml'));
    expect(() => kbWithValues(kb, { 'niche.exo.clearance': Number.NaN })).toThrow(/finite/);
    expect(() => kbWithValues(kb, { 'niche.no.such': 1 })).toThrow(/unknown/);
  });
});
