/**
 * Cross-check against SUNDIALS CVODE itself, when the comparator binary has been built (bench/cvode/build.sh;
 * skipped otherwise). Our BDF implements CVODE's algorithm, so work counters and accuracy must be close:
 * identical up to rounding for a while, then drifting apart as rounding differences change step decisions.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { hires, mixedError, pollution, rober, toOdeProblem, vdpol } from '../../../problems/index.js';
import { integrate } from './helpers.js';

const driver = fileURLToPath(new URL('../../../../bench/build/cvode-driver', import.meta.url));
const haveCvode = existsSync(driver);

describe.skipIf(!haveCvode)('BDF vs CVODE (same algorithm)', () => {
  for (const p of [hires, pollution, rober, vdpol]) {
    it(`${p.name}: step counts within 20 % and comparable accuracy at rtol 1e-6 and 1e-8`, () => {
      const out = execFileSync(driver, ['solve', p.name, String(p.atolPerRtol), '1', '1', '1e-6', '1e-8'])
        .toString()
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line));
      for (const cv of out) {
        const rtol = cv.rtol as number;
        const run = integrate(toOdeProblem(p), rtol, rtol * p.atolPerRtol);
        expect(run.status).toBe('ok');
        const ours = run.stats;
        expect(ours.steps / cv.steps, `steps, rtol ${rtol}`).toBeGreaterThan(0.8);
        expect(ours.steps / cv.steps, `steps, rtol ${rtol}`).toBeLessThan(1.2);
        expect(ours.jacEvals / cv.jevals, `jacobians, rtol ${rtol}`).toBeLessThan(1.3);
        expect(ours.luDecomps / cv.lu, `LU, rtol ${rtol}`).toBeLessThan(1.3);
        expect(ours.fEvals / cv.fevals, `f evaluations, rtol ${rtol}`).toBeLessThan(1.2);
        // accuracy against the published reference: within a factor 10 of CVODE's (or below 10 * rtol)
        const errOurs = mixedError(p, run.stepper.y);
        const errCvode = mixedError(p, cv.y);
        expect(errOurs, `error, rtol ${rtol}`).toBeLessThan(Math.max(10 * errCvode, 10 * rtol));
      }
    });
  }
});
