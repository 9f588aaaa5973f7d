/**
 * The exact engines against analytic laws and against each other, at fixed seeds (deterministic tests).
 * Significance 1e-3 per test: a correct engine fails one of these with probability ~1e-3 for a new seed.
 */
import { describe, expect, it } from 'vitest';
import { createStreamFactory } from '../../../src/numerics/random/index.js';
import { DirectMethod } from '../../../src/numerics/ssa/direct.js';
import { NextReactionMethod } from '../../../src/numerics/ssa/next-reaction.js';
import { type JumpProblem, jumpProblem, type SsaEngine } from '../../../src/numerics/ssa/problem.js';
import { chiSquarePValue, chiSquareTest, lnGamma } from '../random/stat-helpers.js';

const ALPHA = 1e-3;

/** X_species(T) over N replicates (stream keyed by replicate, purpose 'ssa'). */
function sampleAt(engine: SsaEngine, T: number, N: number, seed: number, species = 0): Int32Array {
  const f = createStreamFactory(seed);
  const out = new Int32Array(N);
  for (let r = 0; r < N; r++) {
    engine.reset(0, f.stream({ replicate: r, purpose: 'ssa' }));
    while (engine.peek() <= T) engine.fire();
    out[r] = engine.x[species];
  }
  return out;
}

function histogram(xs: Int32Array, size: number): Float64Array {
  const h = new Float64Array(size);
  for (const x of xs) h[Math.min(x, size - 1)]++;
  return h;
}

function poissonProbs(mean: number, size: number): Float64Array {
  const p = new Float64Array(size);
  let s = 0;
  for (let k = 0; k < size - 1; k++) {
    p[k] = Math.exp(k * Math.log(mean) - mean - lnGamma(k + 1));
    s += p[k];
  }
  p[size - 1] = 1 - s; // tail cell
  return p;
}

/** Two-sample chi-square homogeneity test over integer values (cells with < 5 expected merged upward). */
function twoSample(a: Int32Array, b: Int32Array): { stat: number; df: number; p: number } {
  let max = 0;
  for (const x of a) max = Math.max(max, x);
  for (const x of b) max = Math.max(max, x);
  const ha = histogram(a, max + 1);
  const hb = histogram(b, max + 1);
  const na = a.length;
  const nb = b.length;
  const cellsA: number[] = [];
  const cellsB: number[] = [];
  let ca = 0;
  let cb = 0;
  for (let k = 0; k <= max; k++) {
    ca += ha[k];
    cb += hb[k];
    if (ca + cb >= 10) {
      cellsA.push(ca);
      cellsB.push(cb);
      ca = 0;
      cb = 0;
    }
  }
  if (ca + cb > 0) {
    cellsA[cellsA.length - 1] += ca;
    cellsB[cellsB.length - 1] += cb;
  }
  let stat = 0;
  for (let k = 0; k < cellsA.length; k++) {
    const tot = cellsA[k] + cellsB[k];
    const ea = (tot * na) / (na + nb);
    const eb = (tot * nb) / (na + nb);
    stat += (cellsA[k] - ea) ** 2 / ea + (cellsB[k] - eb) ** 2 / eb;
  }
  const df = cellsA.length - 1;
  return { stat, df, p: chiSquarePValue(stat, df) };
}

const immigrationDeath = (k: number, mu: number, x0 = 0): JumpProblem =>
  jumpProblem({
    x0: [x0],
    p: Float64Array.of(k, mu),
    propensities: [(_t, _x, p) => p[0], (_t, x, p) => p[1] * x[0]],
    changes: [[[0, 1]], [[0, -1]]],
    reads: [[], [0]],
  });

const birthDeath = (lambda: number, mu: number, x0: number): JumpProblem =>
  jumpProblem({
    x0: [x0],
    p: Float64Array.of(lambda, mu),
    propensities: [(_t, x, p) => p[0] * x[0], (_t, x, p) => p[1] * x[0]],
    changes: [[[0, 1]], [[0, -1]]],
    reads: [[0], [0]],
  });

const dimerisation = (): JumpProblem =>
  jumpProblem({
    x0: [100, 0],
    p: Float64Array.of(0.001, 0.01),
    propensities: [(_t, x, p) => (p[0] * x[0] * (x[0] - 1)) / 2, (_t, x, p) => p[1] * x[1]],
    changes: [
      [
        [0, -2],
        [1, 1],
      ],
      [
        [0, 2],
        [1, -1],
      ],
    ],
    reads: [[0], [1]],
  });

const engines = {
  'direct (sorting)': (p: JumpProblem) => new DirectMethod(p),
  'direct (fixed order)': (p: JumpProblem) => new DirectMethod(p, { sorting: false }),
  'next-reaction': (p: JumpProblem) => new NextReactionMethod(p),
};

describe.each(Object.entries(engines))('%s', (_name, make) => {
  it('immigration-death: X(T) ~ Poisson((k/mu)(1 - e^{-mu T})) (chi-square, N = 20000)', () => {
    const k = 5;
    const mu = 0.5;
    for (const T of [1.3, 12]) {
      const xs = sampleAt(make(immigrationDeath(k, mu)), T, 20000, 11);
      const mean = (k / mu) * (1 - Math.exp(-mu * T));
      const size = 30;
      const res = chiSquareTest(histogram(xs, size), poissonProbs(mean, size), xs.length);
      expect(res.p).toBeGreaterThan(ALPHA);
    }
  });

  it('linear birth-death from one cell: the geometric-with-atom law of Kendall (1948) (chi-square, N = 20000)', () => {
    const lambda = 1;
    const mu = 0.7;
    const T = 1.5;
    const e = Math.exp((lambda - mu) * T);
    const alpha = (mu * (e - 1)) / (lambda * e - mu); // P(X = 0)
    const beta = (lambda * (e - 1)) / (lambda * e - mu);
    const size = 40;
    const probs = new Float64Array(size);
    probs[0] = alpha;
    let s = alpha;
    for (let n = 1; n < size - 1; n++) {
      probs[n] = (1 - alpha) * (1 - beta) * beta ** (n - 1);
      s += probs[n];
    }
    probs[size - 1] = 1 - s;
    const xs = sampleAt(make(birthDeath(lambda, mu, 1)), T, 20000, 12);
    expect(chiSquareTest(histogram(xs, size), probs, xs.length).p).toBeGreaterThan(ALPHA);
  });
});

describe('direct vs next-reaction', () => {
  it('dimerisation P(5) and P2(5) have the same law (two-sample chi-square, 2 x 10000)', () => {
    const a = sampleAt(new DirectMethod(dimerisation()), 5, 10000, 21, 1);
    const b = sampleAt(new NextReactionMethod(dimerisation()), 5, 10000, 22, 1);
    const res = twoSample(a, b);
    expect(res.df).toBeGreaterThan(5);
    expect(res.p).toBeGreaterThan(ALPHA);
  });

  it('birth-death from 20 at T = 3: same law under both engines', () => {
    const a = sampleAt(new DirectMethod(birthDeath(0.5, 0.6, 20)), 3, 10000, 23);
    const b = sampleAt(new NextReactionMethod(birthDeath(0.5, 0.6, 20)), 3, 10000, 24);
    expect(twoSample(a, b).p).toBeGreaterThan(ALPHA);
  });

  it('runs to extinction without a horizon and stops cleanly (a0 re-summed after cancellation)', () => {
    for (const e of [
      new DirectMethod(birthDeath(0.3, 1, 50)),
      new NextReactionMethod(birthDeath(0.3, 1, 50)),
    ]) {
      for (let r = 0; r < 200; r++) {
        e.reset(0, createStreamFactory(40).stream({ replicate: r, purpose: 'ssa' }));
        while (e.peek() < Number.POSITIVE_INFINITY) e.fire();
        expect(e.x[0]).toBe(0);
        expect(() => e.fire()).toThrow(/no reaction can fire/);
      }
    }
  });

  it("a replicate's trajectory does not depend on the replicates the engine ran before", () => {
    const f = createStreamFactory(41);
    for (const make of Object.values(engines)) {
      const trace = (e: SsaEngine, rep: number): number[] => {
        e.reset(0, f.stream({ replicate: rep, purpose: 'ssa' }));
        const out: number[] = [];
        while (e.peek() <= 3) out.push(e.fire(), e.t);
        return out;
      };
      // Birth-death: both reactions can fire from the start, so a carried-over search order would matter.
      const used = make(birthDeath(1, 1, 20));
      for (let r = 0; r < 10; r++) {
        const a = trace(used, r);
        expect(a.length).toBeGreaterThan(20);
        expect(a).toEqual(trace(make(birthDeath(1, 1, 20)), r));
      }
    }
  });

  it('the same seed gives the same trajectory; different replicates differ', () => {
    const run = (rep: number) => {
      const e = new NextReactionMethod(birthDeath(1, 1, 10));
      e.reset(0, createStreamFactory(9).stream({ replicate: rep, purpose: 'ssa' }));
      const ts: number[] = [];
      for (let i = 0; i < 50 && e.peek() < Number.POSITIVE_INFINITY; i++) {
        ts.push(e.peek());
        e.fire();
      }
      return ts;
    };
    expect(run(3)).toEqual(run(3));
    expect(run(3)).not.toEqual(run(4));
  });
});

describe('time-dependent propensities (direct method, integrated hazard)', () => {
  // Immigration at rate a(t) = 2 (1 + sin t), death at mu x: X(T) ~ Poisson(m(T)), m' = a - mu m, m(0) = 0.
  const mu = 0.8;
  const prob = jumpProblem({
    x0: [0],
    p: Float64Array.of(mu),
    propensities: [(t) => 2 * (1 + Math.sin(t)), (_t, x, p) => p[0] * x[0]],
    changes: [[[0, 1]], [[0, -1]]],
    reads: [[], [0]],
    timeDependent: [1, 0],
  });
  const mean = (T: number): number => {
    // m(T) = int_0^T a(s) e^{-mu (T - s)} ds in closed form.
    const c = (s: number) =>
      (2 * Math.exp(mu * s)) / mu + (2 * Math.exp(mu * s) * (mu * Math.sin(s) - Math.cos(s))) / (mu * mu + 1);
    return Math.exp(-mu * T) * (c(T) - c(0));
  };

  it('X(T) ~ Poisson(m(T)) at T = 2 and 7 (chi-square, N = 20000)', () => {
    for (const T of [2, 7]) {
      const xs = sampleAt(new DirectMethod(prob, { hazardStep: 0.5, horizon: 10 }), T, 20000, 31);
      const size = 20;
      expect(chiSquareTest(histogram(xs, size), poissonProbs(mean(T), size), xs.length).p).toBeGreaterThan(
        ALPHA,
      );
    }
  });

  it('pure time-dependent immigration a(t) = 3 t^2: N(2) ~ Poisson(8), with large quadrature steps', () => {
    const p2 = jumpProblem({
      x0: [0],
      propensities: [(t) => 3 * t * t],
      changes: [[[0, 1]]],
      reads: [[]],
      timeDependent: [1],
    });
    // A polynomial hazard of degree 2 is integrated exactly by 5-point Gauss-Legendre, whatever the step.
    const xs = sampleAt(new DirectMethod(p2, { hazardStep: 10, horizon: 5 }), 2, 20000, 32);
    const size = 25;
    expect(chiSquareTest(histogram(xs, size), poissonProbs(8, size), xs.length).p).toBeGreaterThan(ALPHA);
  });

  it('next-reaction refuses time-dependent propensities; negative propensities are errors', () => {
    expect(() => new NextReactionMethod(prob)).toThrow(/time-dependent/);
    const bad = jumpProblem({ x0: [0], propensities: [() => -1], changes: [[[0, 1]]], reads: [[]] });
    const e = new DirectMethod(bad);
    expect(() => e.reset(0, createStreamFactory(1).stream({ purpose: 'ssa' }))).toThrow(/propensity is -1/);
  });
});
