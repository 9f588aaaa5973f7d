/** Schedules as data: validation with field paths, and expansion into dose histories. */
import { describe, expect, it } from 'vitest';
import { loadKnowledgeBase } from '../../src/knowledge/index.js';
import { expandDoses, parsePlan, parseSchedule, ScheduleError } from '../../src/therapy/index.js';

const kb = loadKnowledgeBase();
const ids = kb.drugs.map((d) => d.id);
const base = { drug: 'imatinib', dose: 400, intervalHours: 24, start: 0 };

function issues(f: () => unknown): { path: string; message: string }[] {
  try {
    f();
  } catch (e) {
    if (e instanceof ScheduleError) return [...e.issues];
    throw e;
  }
  throw new Error('expected a ScheduleError');
}

describe('schedule validation', () => {
  it('accepts a well-formed schedule', () => {
    expect(parseSchedule({ ...base, stop: 30 }, ids).stop).toBe(30);
  });

  it('negative dose -> error at `dose`', () => {
    const i = issues(() => parseSchedule({ ...base, dose: -400 }, ids));
    expect(i).toEqual([{ path: 'dose', message: 'dose must be > 0 mg' }]);
  });

  it('negative dose inside a dose change -> error at `doseChanges[0].dose`', () => {
    const i = issues(() => parseSchedule({ ...base, doseChanges: [{ at: 10, dose: -1 }] }, ids));
    expect(i.map((x) => x.path)).toEqual(['doseChanges[0].dose']);
  });

  it('unknown drug -> error at `drug` with a suggestion', () => {
    const i = issues(() => parseSchedule({ ...base, drug: 'nilotnib' }, ids));
    expect(i).toHaveLength(1);
    expect(i[0].path).toBe('drug');
    expect(i[0].message).toMatch(/unknown drug 'nilotnib' \(did you mean 'nilotinib'/);
  });

  it('overlapping interruptions -> error naming both, at the later one', () => {
    const i = issues(() =>
      parseSchedule(
        {
          ...base,
          stop: 100,
          interruptions: [
            { from: 10, to: 20 },
            { from: 15, to: 25 },
          ],
        },
        ids,
      ),
    );
    expect(i).toHaveLength(1);
    expect(i[0].path).toBe('interruptions[1].from');
    expect(i[0].message).toMatch(/overlaps interruption 0/);
  });

  it('stop before start, reversed interruption, unordered dose changes', () => {
    expect(issues(() => parseSchedule({ ...base, start: 10, stop: 5 })).map((x) => x.path)).toEqual(['stop']);
    expect(
      issues(() => parseSchedule({ ...base, interruptions: [{ from: 9, to: 3 }] })).map((x) => x.path),
    ).toEqual(['interruptions[0].to']);
    expect(
      issues(() =>
        parseSchedule({
          ...base,
          doseChanges: [
            { at: 20, dose: 600 },
            { at: 10, dose: 300 },
          ],
        }),
      ).map((x) => x.path),
    ).toEqual(['doseChanges[1].at']);
  });

  it('a missed dose that is not a scheduled dose time -> error at `missed[i]`', () => {
    const i = issues(() => parseSchedule({ ...base, stop: 10, missed: [3, 4.5] }, ids));
    expect(i).toEqual([{ path: 'missed[1]', message: 'day 4.5 is not a scheduled dose time' }]);
  });

  it('a plan whose schedules overlap in time -> error at `[1].start`', () => {
    const i = issues(() =>
      parsePlan(
        [
          { ...base, stop: 100 },
          { drug: 'dasatinib', dose: 100, intervalHours: 24, start: 90 },
        ],
        ids,
      ),
    );
    expect(i.map((x) => x.path)).toEqual(['[1].start']);
    expect(i[0].message).toMatch(/overlaps schedule 0/);
    // an open-ended schedule followed by another also overlaps
    expect(issues(() => parsePlan([base, { ...base, start: 5 }])).map((x) => x.path)).toEqual(['[1].start']);
  });

  it('unknown keys are errors (typos do not pass silently)', () => {
    expect(issues(() => parseSchedule({ ...base, intervalHour: 24 })).map((x) => x.path)).toEqual(['']);
  });
});

describe('dose expansion', () => {
  it('regular, missed, interrupted and changed doses', () => {
    const s = parseSchedule({
      drug: 'imatinib',
      dose: 400,
      intervalHours: 24,
      start: 1,
      stop: 20,
      missed: [3],
      interruptions: [{ from: 5, to: 8 }],
      doseChanges: [{ at: 10.5, dose: 300, intervalHours: 12 }],
    });
    const d = expandDoses(s, 365);
    const days = Array.from(d.times, (h) => h / 24);
    expect(days.slice(0, 6)).toEqual([1, 2, 4, 8, 9, 10]);
    expect(days[6]).toBeCloseTo(10.5, 12);
    expect(days[7]).toBeCloseTo(11, 12);
    expect(days[days.length - 1]).toBeCloseTo(19.5, 12);
    expect(Array.from(d.amounts.slice(0, 6))).toEqual([400, 400, 400, 400, 400, 400]);
    expect(d.amounts[6]).toBe(300);
    expect(d.times.length).toBe(6 + 19);
  });

  it('an open schedule runs to the horizon; a year of daily dosing is 365 doses', () => {
    expect(expandDoses(parseSchedule(base), 365).times.length).toBe(365);
  });
});
