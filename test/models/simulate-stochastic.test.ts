import { describe, expect, it } from 'vitest';
import { compileModel } from '../../src/models/compile/compile.js';
import { compilePropensities } from '../../src/models/compile/propensities.js';
import { prepareStochastic, simulateStochastic } from '../../src/models/simulate-stochastic.js';
import { parseModel } from '../../src/models/text/index.js';
import { createStreamFactory } from '../../src/numerics/random/index.js';

const immigrationDeath = parseModel(
  `model imdeath
  compartment cell = 1
  substanceOnly species X in cell = 0
  k = 4
  mu = 0.5
  birth: => X; k
  death: X => ; mu*X
end`,
  'imdeath.exm',
);

describe('compilePropensities', () => {
  it('mass action uses falling factorials, k * x(x-1)...(x-s+1), so its large-count limit is the ODE rate; reversible mass action becomes two jump reactions', () => {
    const m = parseModel(
      `model ma
  compartment cell = 1
  substanceOnly species A in cell = 10
  substanceOnly species B in cell = 3
  substanceOnly species C in cell = 2
  k = 0.5
  kf = 2
  kr = 3
  dimer: 2 A => B; mass_action(k)
  trimer: 3 A + B => C; mass_action(k)
  bind: A + B -> C; mass_action(kf, kr)   # "->" is reversible
end`,
      'ma.exm',
    );
    const c = compileModel(m);
    const r = compilePropensities(m, c);
    expect(r.names).toEqual(['dimer', 'trimer', 'bind', 'bind(reverse)']);
    expect(Array.from(r.direction)).toEqual([1, 1, 1, -1]);
    const y = c.initialState(c.p0.slice());
    const a = r.propensities.map((f) => f(0, y, c.p0));
    expect(a[0]).toBeCloseTo(0.5 * 10 * 9, 12);
    expect(a[1]).toBeCloseTo(0.5 * 10 * 9 * 8 * 3, 12);
    expect(a[2]).toBeCloseTo(2 * 10 * 3, 12);
    expect(a[3]).toBeCloseTo(3 * 2, 12);
    // Reverse changes are the negated forward ones.
    const A = c.stateIds.indexOf('A');
    expect(r.changes[3].find(([i]) => i === A)![1]).toBe(1);
    expect(r.changes[2].find(([i]) => i === A)![1]).toBe(-1);
    expect(r.reads[0]).toEqual([A]);
    expect(Array.from(r.timeDependent)).toEqual([0, 0, 0, 0]);
  });

  it('a rate law is the propensity as written (DSMTS convention) and time in it is detected', () => {
    const m = parseModel(
      `model law
  compartment cell = 1
  substanceOnly species P in cell = 100
  k1 = 0.001
  d: 2 P => ; k1*P*(P-1)/2
  pulse: => P; 1 + sin(time)
end`,
      'law.exm',
    );
    const c = compileModel(m);
    const r = compilePropensities(m, c);
    const y = c.initialState(c.p0.slice());
    expect(r.propensities[0](0, y, c.p0)).toBeCloseTo((0.001 * 100 * 99) / 2, 12);
    expect(Array.from(r.timeDependent)).toEqual([0, 1]);
    expect(r.changes[0]).toEqual([[0, -2]]);
  });
});

describe('simulateStochastic', () => {
  it('immigration-death ensemble mean and SD match the Poisson law at every save point (both engines)', () => {
    const k = 4;
    const mu = 0.5;
    const N = 4000;
    for (const engine of ['ssa', 'nrm'] as const) {
      const res = simulateStochastic(immigrationDeath, {
        engine,
        tEnd: 10,
        steps: 10,
        replicates: N,
        seed: 3,
      });
      expect(res.ids).toContain('X');
      const mean = res.column('X');
      const sd = res.column('X', 'sd');
      expect(mean[0]).toBe(0);
      for (let i = 1; i < res.time.length; i++) {
        const m = (k / mu) * (1 - Math.exp(-mu * res.time[i]));
        // Poisson: variance m; SE of the mean sqrt(m/N); SE of S^2 ~ sqrt((2 m^2 + m)/N).
        expect(Math.abs(mean[i] - m)).toBeLessThan(4 * Math.sqrt(m / N));
        expect(Math.abs(sd[i] ** 2 - m)).toBeLessThan(4 * Math.sqrt((2 * m * m + m) / N));
      }
    }
  });

  it('replicates are keyed streams: an ensemble split in two slices gives the same statistics', () => {
    const prep = prepareStochastic(immigrationDeath);
    const opts = { tEnd: 5, steps: 5, seed: 77 } as const;
    const all = simulateStochastic(prep, { ...opts, replicates: 10 });
    const a = simulateStochastic(prep, { ...opts, replicates: 4 });
    const b = simulateStochastic(prep, { ...opts, replicates: 6, firstReplicate: 4 });
    const xa = a.column('X');
    const xb = b.column('X');
    const x = all.column('X');
    for (let i = 0; i < x.length; i++) expect((4 * xa[i] + 6 * xb[i]) / 10).toBeCloseTo(x[i], 12);
    const single = simulateStochastic(prep, { ...opts, replicates: 1, firstReplicate: 3 });
    expect(Array.from(single.column('X'))).toEqual(
      Array.from(simulateStochastic(prep, { ...opts, replicates: 1, firstReplicate: 3 }).column('X')),
    );
    expect(Number.isNaN(single.column('X', 'sd')[2])).toBe(true);
    expect(all.firings).toBe(a.firings + b.firings);
    // The documented key: replicate r uses the stream (seed, { replicate: r, purpose: 'ssa' }).
    const f = createStreamFactory(77);
    expect(f.child({ purpose: 'ssa' }).stream({ replicate: 3 }).key).toEqual(
      f.stream({ replicate: 3, purpose: 'ssa' }).key,
    );
  });

  it('time-triggered event fires exactly at its time and the save point there reports the post-event state', () => {
    const m = parseModel(
      `model reset
  compartment cell = 1
  substanceOnly species X in cell = 0
  k = 1
  mu = 0.1
  birth: => X; k
  death: X => ; mu*X
  E: at (time >= 25): X = 50
end`,
      'reset.exm',
    );
    for (const engine of ['ssa', 'nrm'] as const) {
      const res = simulateStochastic(m, { engine, tEnd: 30, steps: 30, replicates: 500, seed: 5 });
      expect(res.column('X')[25]).toBe(50);
      expect(res.column('X', 'sd')[25]).toBe(0);
      expect(res.column('X', 'sd')[24]).toBeGreaterThan(1);
      expect(res.eventCount).toBe(500);
    }
  });

  it('state-triggered event fires right after the reaction that makes it true', () => {
    const m = parseModel(
      `model cap
  compartment cell = 1
  substanceOnly species X in cell = 0
  k = 5
  birth: => X; k
  E: at (X > 7): X = 0
end`,
      'cap.exm',
    );
    for (const engine of ['ssa', 'nrm'] as const) {
      const res = simulateStochastic(m, {
        engine,
        tEnd: 20,
        steps: 200,
        replicates: 200,
        seed: 6,
        quantiles: [0.999],
      });
      // X never reaches 8 at any save point; the 99.9% quantile estimate stays <= 7.
      const q = res.quantiles[0].values;
      for (let i = 0; i < q.length; i++) expect(q[i]).toBeLessThanOrEqual(7);
      // Sawtooth of period ~8/k: about 20*5/8 = 12.5 resets per run.
      expect(res.eventCount / 200).toBeGreaterThan(10);
      expect(res.eventCount / 200).toBeLessThan(15);
    }
  });

  it('delayed events execute at trigger time + delay; parameters changed by events reset per replicate', () => {
    const m = parseModel(
      `model delayed
  compartment cell = 1
  substanceOnly species X in cell = 10
  var mu = 0.1
  death: X => ; mu*X
  E: at (time >= 2), delay = 1: X = 40, mu = 0
end`,
      'delayed.exm',
    );
    const res = simulateStochastic(m, { tEnd: 5, steps: 5, replicates: 300, seed: 8 });
    const x = res.column('X');
    expect(x[2]).toBeLessThan(10);
    expect(x[3]).toBe(40);
    expect(x[5]).toBe(40); // mu = 0 after the event: nothing happens any more
    expect(res.column('mu')[1]).toBeCloseTo(0.1, 15); // reset for every replicate
  });

  it('rejects rate rules, unknown engines and unknown outputs', () => {
    const logistic = parseModel(
      `model lg
  N = 100
  r = 0.5
  N' = r*N
end`,
      'lg.exm',
    );
    expect(() => simulateStochastic(logistic, { tEnd: 1 })).toThrow(/rate rule/);
    expect(() => simulateStochastic(immigrationDeath, { tEnd: 1, engine: 'tau' as 'ssa' })).toThrow(
      /unknown engine/,
    );
    expect(() => simulateStochastic(immigrationDeath, { tEnd: 1, ids: ['Y'] })).toThrow(/unknown output/);
  });
});
