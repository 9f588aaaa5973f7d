import { describe, expect, it } from 'vitest';
import { ROS2_TEST_METHOD } from '../../bench/ros2-test-method.js';
import {
  matchedRatios,
  median,
  runExoniche,
  timeAtError,
  type WorkPoint,
} from '../../bench/work-precision.js';
import { getProblem } from './index.js';

function point(error: number, wallMs: number, ok = true): WorkPoint {
  return {
    solver: 'X',
    method: 'm',
    problem: 'p',
    rtol: 1e-6,
    atol: 1e-12,
    ok,
    error,
    digits: -Math.log10(error),
    steps: 0,
    fevals: 0,
    jevals: 0,
    lu: 0,
    wallMs,
    repeats: 3,
    y: [],
  };
}

describe('work-precision harness', () => {
  it('median of odd and even samples', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('timeAtError interpolates log(time) linearly in log(error) and never extrapolates', () => {
    const pts = [point(1e-4, 1), point(1e-6, 4), point(1e-8, 16), point(1e-10, 1e9, false)];
    // Halfway between 1e-4 and 1e-6 in log scale: geometric mean of the times.
    expect(timeAtError(pts, 1e-5)).toBeCloseTo(2, 12);
    expect(timeAtError(pts, 1e-6)).toBeCloseTo(4, 12);
    expect(timeAtError(pts, 1e-7)).toBeCloseTo(8, 12);
    expect(timeAtError(pts, 1e-3)).toBeUndefined();
    expect(timeAtError(pts, 1e-9)).toBeUndefined(); // the failed point does not count
  });

  it('matchedRatios divides our time by the comparator time at our error', () => {
    const theirs = [point(1e-4, 1), point(1e-8, 100)];
    const [r] = matchedRatios([point(1e-6, 5)], theirs, 'C');
    expect(r.comparatorMs).toBeCloseTo(10, 10);
    expect(r.ratio).toBeCloseTo(0.5, 10);
  });

  it('runExoniche solves through solve() and scores against the closed form (ROS2 test method, order 2)', () => {
    const p = getProblem('linear2x2');
    const timing = { budgetMs: 0, minRepeats: 1 };
    const loose = runExoniche(p, ROS2_TEST_METHOD, 1e-4, timing);
    const tight = runExoniche(p, ROS2_TEST_METHOD, 1e-7, timing);
    expect(loose.ok).toBe(true);
    expect(tight.ok).toBe(true);
    expect(tight.y.length).toBe(2);
    expect(loose.steps).toBeGreaterThan(0);
    expect(loose.lu).toBeGreaterThan(0);
    // The error is measured and shrinks with the tolerance (tolerance proportionality, loosely).
    expect(loose.error).toBeLessThan(1e-1);
    expect(tight.error).toBeLessThan(loose.error / 10);
    expect(tight.digits).toBeCloseTo(-Math.log10(tight.error), 12);
  });
});
