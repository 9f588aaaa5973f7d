/** The rules engine on constructed monitoring histories. */
import { describe, expect, it } from 'vitest';
import { loadKnowledgeBase } from '../../src/knowledge/index.js';
import {
  applyAction,
  decide,
  defaultRules,
  type MonitoringSample,
  type Plan,
  RuleSet,
  ruleContext,
} from '../../src/therapy/index.js';

const kb = loadKnowledgeBase();
const ctx = ruleContext(kb);
const rules = defaultRules();
const imatinib: Plan = [{ drug: 'imatinib', dose: 400, intervalHours: 24, start: 0 }];
const patient = { therapyStartDay: 0 };

describe('switch on ELN failure', () => {
  it('T315I: switches to a drug the table calls sensitive, at its T315I regimen', () => {
    const h: MonitoringSample[] = [
      { day: 90, percentIS: 8 },
      { day: 400, percentIS: 5, elnCategory: 'failure', mutation: 'T315I' },
    ];
    const a = decide(h, imatinib, patient, rules, ctx);
    expect(a.kind).toBe('switch');
    if (a.kind !== 'switch') return;
    expect(['ponatinib', 'asciminib']).toContain(a.to);
    expect(kb.sensitivities.find((s) => s.mutation === 'T315I' && s.drug === a.to)?.clinical).toBe(
      'sensitive',
    );
    // nilotinib and dasatinib were considered and rejected as resistant
    expect(a.considered.find((c) => c.drug === 'nilotinib')?.accepted).toBe(false);
    expect(a.considered.find((c) => c.drug === 'dasatinib')?.accepted).toBe(false);
    if (a.to === 'asciminib') expect([a.regimen, a.dose, a.intervalHours]).toEqual(['200bid', 200, 12]);
    const next = applyAction(imatinib, a);
    expect(next[0].stop).toBe(400);
    expect(next[1]).toMatchObject({ drug: a.to, start: 400 });
  });

  it('F317L / V299L avoid dasatinib; Y253H avoids nilotinib (V24 pattern)', () => {
    for (const [mutation, avoid] of [
      ['F317L', 'dasatinib'],
      ['V299L', 'dasatinib'],
      ['Y253H', 'nilotinib'],
    ] as const) {
      const a = decide(
        [{ day: 365, percentIS: 3, elnCategory: 'failure', mutation }],
        imatinib,
        patient,
        rules,
        ctx,
      );
      expect(a.kind).toBe('switch');
      if (a.kind === 'switch') expect(a.to).not.toBe(avoid);
    }
  });

  it('ELN category computed by src/clinic when not given: 12 months > 1 % IS is failure', () => {
    const a = decide(
      [
        { day: 3 * 30.44, percentIS: 9 },
        { day: 12 * 30.44, percentIS: 5 },
      ],
      imatinib,
      patient,
      rules,
      ctx,
    );
    expect(a.kind).toBe('switch');
    if (a.kind === 'switch') expect(a.to).toBe('nilotinib'); // first preference, native BCR-ABL1
  });

  it('the exposure criterion compares the model trough with the clone IC50', () => {
    const exposure = RuleSet.parse({
      switchOnFailure: { criterion: 'exposure', preference: ['dasatinib', 'ponatinib'] },
    });
    const a = decide(
      [{ day: 365, percentIS: 3, elnCategory: 'failure', mutation: 'T315I' }],
      imatinib,
      patient,
      exposure,
      ctx,
    );
    expect(a.kind).toBe('switch');
    if (a.kind !== 'switch') return;
    expect(a.to).toBe('ponatinib');
    expect(a.considered[0]).toMatchObject({ drug: 'dasatinib', accepted: false });
    expect(a.considered[0].why).toMatch(/IC50 >/);
  });

  it('no candidate -> no-option, with the reasons', () => {
    const narrow = RuleSet.parse({ switchOnFailure: { preference: ['nilotinib', 'dasatinib'] } });
    const a = decide(
      [{ day: 365, percentIS: 3, elnCategory: 'failure', mutation: 'T315I' }],
      imatinib,
      patient,
      narrow,
      ctx,
    );
    expect(a.kind).toBe('no-option');
  });

  it('warning or optimal: continue', () => {
    expect(
      decide([{ day: 365, percentIS: 0.5, elnCategory: 'warning' }], imatinib, patient, rules, ctx).kind,
    ).toBe('continue');
  });
});

describe('stop for TFR after sustained deep response', () => {
  const deep = (fromDay: number, toDay: number, step = 90): MonitoringSample[] => {
    const out: MonitoringSample[] = [];
    for (let d = fromDay; d <= toDay; d += step) out.push({ day: d, percentIS: 0.005 });
    return out;
  };
  const early: MonitoringSample[] = [
    { day: 90, percentIS: 5 },
    { day: 180, percentIS: 0.8 },
    { day: 365, percentIS: 0.05 },
  ];

  it('MR4 for >= 2 years after >= 3 years of therapy: stop', () => {
    const h = [...early, ...deep(400, 1150, 50)]; // MR4 from day 400 to day 1150 (750 days)
    const a = decide(h, imatinib, patient, rules, ctx);
    expect(a.kind).toBe('stop-for-tfr');
    const last = h[h.length - 1].day;
    expect(last).toBeGreaterThanOrEqual(3 * 365.25);
    expect(applyAction(imatinib, a)[0].stop).toBe(last);
  });

  it('MR4 for just under 2 years: continue', () => {
    const h = [...early, ...deep(500, 500 + 2 * 365.25 - 1, 30)];
    expect(decide(h, imatinib, patient, rules, ctx).kind).toBe('continue');
  });

  it('sustained MR4 but under 3 years of therapy: continue', () => {
    const h = [{ day: 30, percentIS: 0.005 }, ...deep(60, 60 + 2 * 365.25 + 30, 30)];
    expect(h[h.length - 1].day).toBeLessThan(3 * 365.25);
    expect(decide(h, imatinib, patient, rules, ctx).kind).toBe('continue');
  });

  it('a single MMR-but-not-MR4 sample resets the clock', () => {
    const h = [...early, ...deep(400, 800), { day: 830, percentIS: 0.05 }, ...deep(860, 1300)];
    expect(decide(h, imatinib, patient, rules, ctx).kind).toBe('continue');
  });

  it('parameters are data: MR4.5 for 1 year', () => {
    const r = RuleSet.parse({ stopForTfr: { level: 'MR4.5', sustainedYears: 1 } });
    const h = [...early, ...deep(400, 1200)]; // 0.005 % is MR4 but not MR4.5 (<= 0.0032 %)
    expect(decide(h, imatinib, patient, r, ctx).kind).toBe('continue');
    const h2 = h.map((s) => (s.day >= 400 ? { ...s, percentIS: 0.002 } : s));
    expect(decide(h2, imatinib, patient, r, ctx).kind).toBe('stop-for-tfr');
  });
});

describe('restart on loss of MMR during TFR', () => {
  const stopped: Plan = [{ drug: 'nilotinib', dose: 300, intervalHours: 12, start: 0, stop: 1500 }];
  it('restarts the last drug at its last dose on the first sample above 0.1 % IS', () => {
    const a = decide(
      [
        { day: 1560, percentIS: 0.02 },
        { day: 1590, percentIS: 0.15 },
      ],
      stopped,
      { therapyStartDay: 0, tfrStartDay: 1500 },
      rules,
      ctx,
    );
    expect(a).toMatchObject({ kind: 'restart', day: 1590, drug: 'nilotinib', dose: 300, intervalHours: 12 });
    const next = applyAction(stopped, a);
    expect(next[1]).toMatchObject({ drug: 'nilotinib', start: 1590 });
  });

  it('MMR kept (0.1 % IS exactly is MMR): continue off drug', () => {
    const a = decide(
      [{ day: 1590, percentIS: 0.1 }],
      stopped,
      { therapyStartDay: 0, tfrStartDay: 1500 },
      rules,
      ctx,
    );
    expect(a.kind).toBe('continue');
  });

  it('restart delay is a parameter', () => {
    const r = RuleSet.parse({ restartOnMmrLoss: { delayDays: 28 } });
    const a = decide([{ day: 1590, percentIS: 0.3 }], stopped, { therapyStartDay: 0 }, r, ctx);
    expect(a).toMatchObject({ kind: 'restart', day: 1618 });
  });
});
