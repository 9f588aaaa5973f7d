import { describe, expect, it } from 'vitest';
import { DOSE_AMOUNT, DOSE_TIME } from './analytic.js';
import { ALL_PROBLEMS, ANALYTIC_PROBLEMS, getProblem, mixedError, STIFF_PROBLEMS } from './index.js';
import { POLLUTION_REACTIONS } from './pollution.js';
import type { TestProblem } from './types.js';

/** Small deterministic PRNG (mulberry32) so failures are reproducible. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random states on the problem's own scale: each component between 0.5x and 1.5x of a typical magnitude. */
function randomState(p: TestProblem, rand: () => number): Float64Array {
  const y = new Float64Array(p.n);
  for (let i = 0; i < p.n; i++) {
    const scale = Math.max(Math.abs(p.y0[i]), Math.abs(p.reference.y[i]), 1e-6);
    y[i] = scale * (0.5 + rand()) * (p.y0[i] < 0 || p.reference.y[i] < 0 ? -1 : 1);
  }
  return y;
}

/** Central-difference Jacobian with relative increment 1e-6. */
function centralJacobian(p: TestProblem, t: number, y: Float64Array): Float64Array {
  const n = p.n;
  const J = new Float64Array(n * n);
  const fp = new Float64Array(n);
  const fm = new Float64Array(n);
  const yp = Float64Array.from(y);
  for (let j = 0; j < n; j++) {
    const h = 1e-6 * Math.max(Math.abs(y[j]), 1e-8);
    yp[j] = y[j] + h;
    p.f(t, yp, fp);
    yp[j] = y[j] - h;
    p.f(t, yp, fm);
    yp[j] = y[j];
    for (let i = 0; i < n; i++) J[i * n + j] = (fp[i] - fm[i]) / (2 * h);
  }
  return J;
}

describe('test problem metadata', () => {
  for (const p of ALL_PROBLEMS) {
    it(`${p.name}: dimensions, reference and tolerances are consistent`, () => {
      expect(p.y0.length).toBe(p.n);
      expect(p.reference.y.length).toBe(p.n);
      expect(p.reference.atol.length).toBe(p.n);
      if (p.names) expect(p.names.length).toBe(p.n);
      expect(p.reference.t).toBe(p.tspan[1]);
      expect(p.atolPerRtol).toBeGreaterThan(0);
      expect(p.citation.length).toBeGreaterThan(10);
      const dy = new Float64Array(p.n);
      p.f(p.tspan[0], Float64Array.from(p.y0), dy);
      for (const v of dy) expect(Number.isFinite(v)).toBe(true);
      expect(mixedError(p, p.reference.y)).toBe(0);
    });
  }
  it('getProblem finds problems by key and rejects unknown ones', () => {
    expect(getProblem('HIRES').n).toBe(8);
    expect(() => getProblem('nope')).toThrow(/unknown test problem/);
  });
  it('mixedError is |err| / (atolPerRtol + |ref|), max over components', () => {
    const p = getProblem('orego');
    const y = [...p.reference.y];
    y[1] += 1e-3 * (p.atolPerRtol + Math.abs(p.reference.y[1]));
    expect(mixedError(p, y)).toBeCloseTo(1e-3, 12);
  });
});

describe('analytic Jacobians match central finite differences (1e-6 relative)', () => {
  for (const p of ALL_PROBLEMS) {
    it(p.name, () => {
      const rand = rng(12345 + p.n);
      const n = p.n;
      const J = new Float64Array(n * n);
      for (let trial = 0; trial < 5; trial++) {
        const y = randomState(p, rand);
        const t = p.tspan[0] + rand() * (p.tspan[1] - p.tspan[0]);
        J.fill(Number.NaN);
        p.jac(t, y, J);
        const Jfd = centralJacobian(p, t, y);
        const f0 = new Float64Array(n);
        p.f(t, y, f0);
        for (let i = 0; i < n; i++) {
          // Rounding noise of the central difference: about eps * (size of the terms of f_i) / h_j.
          let termScale = Math.abs(f0[i]);
          for (let j = 0; j < n; j++) termScale += Math.abs(J[i * n + j] * y[j]);
          for (let j = 0; j < n; j++) {
            const a = J[i * n + j];
            const d = Jfd[i * n + j];
            expect(Number.isFinite(a)).toBe(true);
            const h = 1e-6 * Math.max(Math.abs(y[j]), 1e-8);
            expect(Math.abs(a - d)).toBeLessThanOrEqual(
              1e-6 * Math.abs(a) + (100 * Number.EPSILON * termScale) / h,
            );
          }
        }
      }
    });
  }
});

describe('invariants of the stiff problems', () => {
  it('ROBER conserves y1 + y2 + y3', () => {
    const p = getProblem('rober');
    const dy = new Float64Array(3);
    p.f(0, Float64Array.from([0.3, 2e-5, 0.7]), dy);
    expect(Math.abs(dy[0] + dy[1] + dy[2])).toBeLessThan(1e-12);
  });
  it('HIRES conserves y7 + y8', () => {
    const p = getProblem('hires');
    const dy = new Float64Array(8);
    p.f(0, Float64Array.from([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]), dy);
    expect(dy[6] + dy[7]).toBe(0);
  });
  it('POLLU right-hand side agrees with the reaction list it was not derived from', () => {
    const p = getProblem('pollution');
    const k = [
      0.35, 26.6, 1.23e4, 8.6e-4, 8.2e-4, 1.5e4, 1.3e-4, 2.4e4, 1.65e4, 9e3, 0.022, 1.2e4, 1.88, 1.63e4,
      4.8e6, 3.5e-4, 0.0175, 1e8, 4.44e11, 1240, 2.1, 5.78, 0.0474, 1780, 3.12,
    ];
    expect(POLLUTION_REACTIONS.length).toBe(25);
    const rand = rng(7);
    const y = randomState(p, rand);
    const dy = new Float64Array(20);
    p.f(0, y, dy);
    const expected = new Float64Array(20);
    const scale = new Float64Array(20);
    POLLUTION_REACTIONS.forEach((rx, r) => {
      let rate = k[r];
      for (const s of rx.reactants) rate *= y[s];
      for (const [s, c] of rx.change) {
        expected[s] += c * rate;
        scale[s] += Math.abs(c * rate);
      }
    });
    for (let i = 0; i < 20; i++) expect(Math.abs(dy[i] - expected[i])).toBeLessThanOrEqual(1e-14 * scale[i]);
  });
  it('stiff problems are flagged stiff and carry Bari test-set references', () => {
    for (const p of STIFF_PROBLEMS) {
      expect(p.stiff).toBe(true);
      expect(p.reference.source).toMatch(/Bari/);
    }
  });
});

describe('closed-form solutions', () => {
  for (const p of ANALYTIC_PROBLEMS) {
    it(`${p.name}: exact(t0) = y0 and d/dt exact = f(t, exact)`, () => {
      const exact = p.exact!;
      const n = p.n;
      const y = new Float64Array(n);
      exact(p.tspan[0], y);
      for (let i = 0; i < n; i++) expect(y[i]).toBeCloseTo(p.y0[i], 15);
      const yp = new Float64Array(n);
      const ym = new Float64Array(n);
      const dy = new Float64Array(n);
      for (const frac of [0.013, 0.1, 0.37, 0.5, 0.77, 0.99]) {
        const t = p.tspan[0] + frac * (p.tspan[1] - p.tspan[0]);
        const h = 1e-5;
        if (p.tstops?.some((s) => Math.abs(s - t) < 2 * h)) continue;
        exact(t, y);
        exact(t + h, yp);
        exact(t - h, ym);
        p.f(t, y, dy);
        for (let i = 0; i < n; i++) {
          const d = (yp[i] - ym[i]) / (2 * h);
          expect(Math.abs(d - dy[i])).toBeLessThanOrEqual(1e-6 * (Math.abs(dy[i]) + 1e-3));
        }
      }
    });
  }
  it('dose: the closed form jumps by the dose amount at the dose time, and the event set adds it', () => {
    const p = getProblem('dose');
    const before = new Float64Array(1);
    const after = new Float64Array(1);
    p.exact!(DOSE_TIME - 1e-12, before);
    p.exact!(DOSE_TIME, after);
    expect(after[0] - before[0]).toBeCloseTo(DOSE_AMOUNT, 9);
    const ev = p.events!();
    const y = Float64Array.from([0.25]);
    let scheduled = Number.NaN;
    const ctx = { t: 0, y, terminate() {}, schedule: (tAt: number) => void (scheduled = tAt) };
    ev.start!(ctx);
    expect(scheduled).toBe(DOSE_TIME);
    ev.onTime!({ ...ctx, t: DOSE_TIME }, 0);
    expect(y[0]).toBe(0.25 + DOSE_AMOUNT);
  });
  it('linear2x2 closed form is the eigen-decomposition of A', () => {
    const p = getProblem('linear2x2');
    const y = new Float64Array(2);
    p.exact!(1, y);
    expect(y[0]).toBeCloseTo(2 * Math.exp(-1), 14);
    expect(y[1]).toBeCloseTo(-Math.exp(-1), 14);
  });
});
