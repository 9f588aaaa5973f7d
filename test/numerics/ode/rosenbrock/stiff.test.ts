/**
 * Rodas4 and Rodas5P on standard stiff problems against published reference values (tolerances in the
 * assertions are relative errors per component unless stated).
 */
import { describe, expect, it } from 'vitest';
import { Rodas4, Rodas5P } from '../../../../src/numerics/ode/rosenbrock/index.js';
import { drive, makeStepper } from './drive.js';
import {
  HIRES_REF,
  heatSink,
  hires,
  ROBERTSON_T1E5,
  ROBERTSON_T40,
  robertson,
  VDP_MU1000_T2000,
  vanDerPol,
} from './problems.js';

const methods = [
  ['Rodas4', Rodas4],
  ['Rodas5P', Rodas5P],
] as const;

function maxRelErr(y: ArrayLike<number>, ref: readonly number[]): number {
  let m = 0;
  for (let i = 0; i < ref.length; i++) m = Math.max(m, Math.abs(y[i] - ref[i]) / Math.abs(ref[i]));
  return m;
}

describe.each(methods)('%s on stiff reference problems', (_name, method) => {
  it('Robertson to t = 1e5 at rtol 1e-10: mass conserved to 1e-12, y(40) and y(1e5) to 1e-6 relative', () => {
    const { stepper, stats } = makeStepper(method, robertson(1e5), { rtol: 1e-10, atol: 1e-14 });
    let worstMass = 0;
    const run = (tEnd: number) => {
      while (stepper.t !== tEnd) {
        expect(stepper.step(tEnd)).toBe('ok');
        const y = stepper.y;
        worstMass = Math.max(worstMass, Math.abs(y[0] + y[1] + y[2] - 1));
      }
    };
    run(40);
    expect(maxRelErr(stepper.y, ROBERTSON_T40)).toBeLessThan(1e-6);
    run(1e5);
    expect(maxRelErr(stepper.y, ROBERTSON_T1E5)).toBeLessThan(1e-6);
    expect(worstMass).toBeLessThan(1e-12);
    expect(stats.steps).toBeLessThan(20_000);
  });

  it('Van der Pol mu = 1000: y1 changes sign at the right times, y(2000) matches the Bari reference', () => {
    const { stepper } = makeStepper(method, vanDerPol(1000, 2000), { rtol: 1e-8, atol: 1e-8 });
    const crossings: number[] = [];
    const a = new Float64Array(2);
    const out = new Float64Array(2);
    while (stepper.t !== 2000) {
      expect(stepper.step(2000)).toBe('ok');
      stepper.interpolate(stepper.tPrev, a);
      if (a[0] * stepper.y[0] < 0) {
        // Locate y1 = 0 on the dense output by bisection.
        let lo = stepper.tPrev;
        let hi = stepper.t;
        for (let k = 0; k < 60; k++) {
          const mid = 0.5 * (lo + hi);
          stepper.interpolate(mid, out);
          if (out[0] * a[0] > 0) lo = mid;
          else hi = mid;
        }
        crossings.push(0.5 * (lo + hi));
      }
    }
    // Relaxation-oscillation asymptotics (Dorodnicyn 1947; e.g. Grasman, Asymptotic Methods for Relaxation
    // Oscillations, 1987): half period mu (3/2 - ln 2) + (3/2) a mu^(-1/3) + O(ln(mu) / mu), a = 2.338107
    // (first zero of Ai(-x)), = 807.204 for mu = 1000. From y1 = 2 (the top of the slow branch) the first
    // zero comes one half period later, up to the same O(ln(mu) / mu) terms.
    const half = 1000 * (1.5 - Math.LN2) + 1.5 * 2.338107 * 1000 ** (-1 / 3);
    expect(crossings.length).toBe(2);
    expect(Math.abs(crossings[0] - half)).toBeLessThan(0.2);
    expect(Math.abs(crossings[1] - crossings[0] - half)).toBeLessThan(0.05);
    expect(maxRelErr(stepper.y, VDP_MU1000_T2000)).toBeLessThan(1e-5);
  });

  it.each([
    ['analytic', true],
    ['finite-difference', false],
  ] as const)(
    'HIRES at t = 321.8122 with the %s Jacobian: Bari reference to 1e-5 at rtol 1e-8',
    (_label, withJac) => {
      const r = drive(method, hires(withJac), { rtol: 1e-8, atol: 1e-12 });
      expect(r.status).toBe('ok');
      expect(r.t).toBe(321.8122);
      expect(maxRelErr(r.y, HIRES_REF)).toBeLessThan(1e-5);
      // HIRES conserves y7 + y8 = 0.0057.
      expect(Math.abs(r.y[6] + r.y[7] - 0.0057)).toBeLessThan(1e-15);
    },
  );

  it('HIRES error decreases with the tolerance (tolerance proportionality)', () => {
    const errs = [1e-5, 1e-7, 1e-9].map((rtol) =>
      maxRelErr(drive(method, hires(), { rtol, atol: 1e-4 * rtol }).y, HIRES_REF),
    );
    expect(errs[1]).toBeLessThan(errs[0] / 10);
    expect(errs[2]).toBeLessThan(errs[1] / 10);
    for (const [i, rtol] of [1e-5, 1e-7, 1e-9].entries()) expect(errs[i]).toBeLessThan(100 * rtol);
  });
});

describe.each(methods)('%s with a banded Jacobian', (_name, method) => {
  it('gives the same solution with banded and dense linear algebra (heat equation with sink, n = 80)', () => {
    const dense = drive(method, heatSink(80, false), { rtol: 1e-8, atol: 1e-10 });
    const banded = drive(method, heatSink(80, true), { rtol: 1e-8, atol: 1e-10 });
    expect(dense.status).toBe('ok');
    expect(banded.status).toBe('ok');
    // Same step sequence up to rounding in the LU; solutions agree far below the tolerance.
    expect(Math.abs(banded.stats.steps - dense.stats.steps)).toBeLessThanOrEqual(1);
    let diff = 0;
    for (let i = 0; i < 80; i++) diff = Math.max(diff, Math.abs(banded.y[i] - dense.y[i]));
    expect(diff).toBeLessThan(1e-11);
    // Sanity: the solution decays roughly like e^{-pi^2 t} sin(pi x) (the sink only speeds that up).
    const mid = banded.y[39];
    expect(mid).toBeGreaterThan(0);
    expect(mid).toBeLessThan(Math.exp(-Math.PI * Math.PI * 0.5));
  });

  it('uses grouped finite differences for a banded problem without a Jacobian (kl + ku + 1 f per J, f(t, y) reused)', () => {
    const exact = drive(method, heatSink(80, true), { rtol: 1e-8, atol: 1e-10 });
    const fd = drive(method, heatSink(80, true, false), { rtol: 1e-8, atol: 1e-10 });
    expect(fd.status).toBe('ok');
    const s = method === Rodas4 ? 6 : 8;
    // per accepted step: f(t, y), df/dt, s - 1 stages, kl + ku + 1 = 3 for J (f(t, y) reused); per rejected step: s - 1 stages;
    // plus one f evaluation for the initial step size
    const expected = fd.stats.steps * (2 + (s - 1) + 3) + fd.stats.rejected * (s - 1) + 1;
    expect(fd.stats.fEvals).toBe(expected);
    let diff = 0;
    for (let i = 0; i < 80; i++) diff = Math.max(diff, Math.abs(fd.y[i] - exact.y[i]));
    expect(diff).toBeLessThan(1e-8);
  });
});
