import { describe, expect, it } from 'vitest';
import { createProgress, PROGRESS_DELAY_MS, progressLine } from '../../src/cli/progress.js';

describe('progressLine', () => {
  it('draws the fraction done, the elapsed time and the time left within the width', () => {
    const line = progressLine(0.25, 2000, 80);
    // 40-column bar: 10 filled, the head, 29 blanks
    expect(line).toBe(`[${'='.repeat(10)}>${' '.repeat(29)}]  25%  2.0 s, about 6.0 s left`);
    expect(line.length).toBeLessThanOrEqual(80);
  });

  it('is full at 1, clamps out-of-range fractions and never exceeds the width', () => {
    expect(progressLine(1, 61_000, 80)).toBe(`[${'='.repeat(40)}] 100%  1 min 1 s`);
    expect(progressLine(1.7, 1000, 80)).toBe(progressLine(1, 1000, 80));
    expect(progressLine(-1, 1000, 80)).toContain('  0%');
    expect(progressLine(Number.NaN, 1000, 80)).toContain('  0%');
    for (const width of [10, 20, 35, 50]) {
      expect(progressLine(0.5, 3000, width, 'run').length).toBeLessThanOrEqual(width);
    }
    expect(progressLine(0.5, 3000, 20, 'run')).not.toContain('['); // too narrow for a bar
  });

  it('gives no time left before 2 % (the extrapolation would be noise)', () => {
    expect(progressLine(0.01, 1500, 80)).not.toContain('left');
  });
});

describe('createProgress', () => {
  function fakeStream(isTTY: boolean) {
    const writes: string[] = [];
    const stream = {
      isTTY,
      columns: 60,
      write: (s: string) => writes.push(s) > 0,
    } as unknown as NodeJS.WriteStream;
    return { stream, writes };
  }

  it('draws nothing before the delay, then throttled redraws, and clears at the end', () => {
    const { stream, writes } = fakeStream(true);
    let t = 0;
    const saved = process.env.CI;
    delete process.env.CI;
    try {
      const p = createProgress({ stream, now: () => t });
      t = PROGRESS_DELAY_MS - 1;
      p.update(0.1);
      expect(writes).toEqual([]);
      t = PROGRESS_DELAY_MS + 1;
      p.update(0.2);
      t += 10; // within the throttle interval
      p.update(0.3);
      expect(writes.length).toBe(1);
      expect(writes[0]).toContain(' 20%');
      t += 200;
      p.update(0.4);
      expect(writes.length).toBe(2);
      p.done();
      expect(writes[2]).toBe('\r\x1b[K');
    } finally {
      if (saved !== undefined) process.env.CI = saved;
    }
  });

  it('is silent when not a terminal or quiet', () => {
    for (const [isTTY, quiet] of [
      [false, false],
      [true, true],
    ]) {
      const { stream, writes } = fakeStream(isTTY);
      let t = 0;
      const p = createProgress({ stream, quiet, now: () => t });
      t = 5000;
      p.update(0.5);
      p.done();
      expect(writes).toEqual([]);
    }
  });
});
