import { describe, expect, it } from 'vitest';
import { logDeclineRate } from '../../src/clinic/kinetics.js';

const DAY = 365.25 / 12;

describe('logDeclineRate', () => {
  it('recovers the rate of an exact exponential decline, in the window only', () => {
    const months = [0, 1, 2, 3, 6, 9, 12];
    // 0.05/day to month 3, then flat: the window [0, 3] sees only the first phase
    const values = months.map((m) => 100 * Math.exp(-0.05 * Math.min(m, 3) * DAY));
    expect(logDeclineRate(months, values, 0, 3)).toBeCloseTo(0.05, 12);
    expect(logDeclineRate(months, values, 4, 12)).toBeCloseTo(0, 12);
  });

  it('is the least-squares slope of ln(value) on days, sign flipped', () => {
    // ln values 0, -1, -3 at days 0, 1, 2 (in months): slope -1.5 per day
    const months = [0, 1 / DAY, 2 / DAY];
    expect(logDeclineRate(months, [1, Math.exp(-1), Math.exp(-3)], 0, 1)).toBeCloseTo(1.5, 12);
  });

  it('leaves out undetected values and needs two points', () => {
    expect(logDeclineRate([0, 1, 2], [10, 0, 1], 0, 2)).toBeCloseTo(Math.log(10) / (2 * DAY), 12);
    expect(logDeclineRate([0, 1], [10, 0], 0, 2)).toBeNaN();
    expect(logDeclineRate([1, 1], [10, 5], 0, 2)).toBeNaN();
  });
});
