import { describe, expect, it } from 'vitest';
import { philox4x32 } from '../../../src/numerics/random/philox.js';
import { standardNormal } from '../../../src/numerics/random/samplers/continuous.js';
import {
  createStreamFactory,
  fromPosition,
  RandomStream,
  type StreamState,
  streamFor,
} from '../../../src/numerics/random/stream.js';
import { chiSquareTest } from './stat-helpers.js';

/** Significance level of every goodness-of-fit test here; seeds are fixed, so the tests are deterministic. */
const ALPHA = 1e-3;

function words(s: RandomStream, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(s.nextUint32());
  return out;
}

describe('stream definition', () => {
  it('word w is word (w mod 4) of Philox4x32-10 at counter (w div 4, c2, c3) under the stream key', () => {
    const s = streamFor(2026, ['patient', 3], ['purpose', 'ssa']);
    const { k0, k1, c2, c3 } = s.key;
    const block = new Uint32Array(4);
    const got = words(s, 4 * 50);
    for (let b = 0; b < 50; b++) {
      philox4x32(b, 0, c2, c3, k0, k1, block);
      expect(got.slice(4 * b, 4 * b + 4)).toEqual(Array.from(block));
    }
  });

  it('positions beyond 2^34 words use the high block word: seek is O(1) and exact', () => {
    const s = streamFor(1, ['purpose', 'far']);
    const { k0, k1, c2, c3 } = s.key;
    const block = new Uint32Array(4);
    const blockIndex = 3 * 2 ** 32 + 12345; // counter (c0, c1) = (12345, 3)
    s.seek(blockIndex * 4 + 2);
    philox4x32(12345, 3, c2, c3, k0, k1, block);
    expect(s.nextUint32()).toBe(block[2]);
    expect(s.nextUint32()).toBe(block[3]);
    philox4x32(12346, 3, c2, c3, k0, k1, block);
    expect(s.nextUint32()).toBe(block[0]);
    expect(s.position).toBe(blockIndex * 4 + 5);
  });

  it('nextFloat64 and nextFloat64Open are the documented functions of two words', () => {
    const s = streamFor(9, ['purpose', 'floats']);
    for (let i = 0; i < 1000; i++) {
      const c = s.clone();
      const a = c.nextUint32();
      const b = c.nextUint32();
      expect(s.nextFloat64()).toBe(((a >>> 5) * 2 ** 26 + (b >>> 6)) / 2 ** 53);
      const c2 = s.clone();
      const a2 = c2.nextUint32();
      const b2 = c2.nextUint32();
      const u = s.nextFloat64Open();
      expect(u).toBe(((a2 >>> 6) * 2 ** 26 + (b2 >>> 6) + 0.5) / 2 ** 52);
      expect(u > 0 && u < 1).toBe(true);
    }
  });
});

describe('determinism and independence of keyed streams', () => {
  it('the same seed and path give the same bits, whichever API form derives them', () => {
    const root = createStreamFactory(7);
    const ref = words(streamFor(7, ['patient', 17], ['purpose', 'ssa']), 64);
    expect(words(root.stream({ patient: 17, purpose: 'ssa' }), 64)).toEqual(ref);
    expect(words(root.stream({ purpose: 'ssa', patient: 17 }), 64)).toEqual(ref);
    expect(words(root.child({ patient: 17 }).stream({ purpose: 'ssa' }), 64)).toEqual(ref);
    expect(
      words(
        root
          .child([['patient', 17]])
          .child([])
          .stream([['purpose', 'ssa']]),
        64,
      ),
    ).toEqual(ref);
    expect(words(createStreamFactory(7n).stream({ patient: 17, purpose: 'ssa' }), 64)).toEqual(ref);
  });

  it('changing any part of the identity gives an unrelated stream', () => {
    const ref = words(streamFor(7, ['patient', 17], ['purpose', 'ssa']), 256);
    const variants = [
      streamFor(8, ['patient', 17], ['purpose', 'ssa']),
      streamFor(7, ['patient', 18], ['purpose', 'ssa']),
      streamFor(7, ['patient', 17], ['purpose', 'init']),
      streamFor(7, ['patient', 17], ['purpose', 'ssa '], ['x', 0]),
      streamFor(7, ['patient', '17'], ['purpose', 'ssa']),
      streamFor(7, ['purpose', 'ssa'], ['patient', 17]),
      streamFor(7, ['patient', 17]),
      streamFor(7, ['patient', 17], ['purpose', 'ssa'], ['replicate', 0]),
      streamFor(7, ['patient', -17], ['purpose', 'ssa']),
      streamFor(7 + 2 ** 32, ['patient', 17], ['purpose', 'ssa']),
    ];
    for (const v of variants) {
      const w = words(v, 256);
      let equal = 0;
      let ones = 0;
      for (let i = 0; i < w.length; i++) {
        if (w[i] === ref[i]) equal++;
        let x = (w[i] ^ ref[i]) >>> 0;
        while (x) {
          ones += x & 1;
          x >>>= 1;
        }
      }
      expect(equal).toBe(0);
      // 8192 XOR bits of independent streams: ~Binomial(8192, 1/2), sd ~45; 6 sd allows 4096 +- 271.
      expect(Math.abs(ones - 4096)).toBeLessThan(271);
    }
  });

  it('creation order and interleaving do not matter', () => {
    const root = createStreamFactory(123);
    const n = 40;
    const sequential = Array.from({ length: n }, (_, i) =>
      words(root.stream({ agent: i, purpose: 'move' }), 97),
    );
    const reversed = Array.from({ length: n }, (_, j) =>
      root.stream({ purpose: 'move', agent: n - 1 - j }),
    ).reverse();
    const got: number[][] = Array.from({ length: n }, () => []);
    // Round-robin with uneven chunk sizes.
    for (let round = 0; got.some((g) => g.length < 97); round++) {
      for (let i = 0; i < n; i++) {
        const take = Math.min(1 + ((round + i) % 5), 97 - got[i].length);
        for (let t = 0; t < take; t++) got[i].push(reversed[i].nextUint32());
      }
    }
    expect(got).toEqual(sequential);
  });

  it('results do not depend on how replicates are sharded over workers', () => {
    const reps = 60;
    const simulate = (seed: number, r: number): number => {
      const s = createStreamFactory(seed).stream({ replicate: r, purpose: 'noise' });
      let x = 0;
      for (let i = 0; i < 50; i++) x += standardNormal(s);
      return x;
    };
    const oneWorker = new Float64Array(reps);
    for (let r = 0; r < reps; r++) oneWorker[r] = simulate(5, r);
    for (const workers of [2, 3, 7]) {
      const out = new Float64Array(reps);
      // Worker w takes replicates w, w + workers, ...; workers run "in reverse order".
      for (let w = workers - 1; w >= 0; w--) for (let r = w; r < reps; r += workers) out[r] = simulate(5, r);
      expect(out).toEqual(oneWorker);
    }
  });
});

describe('checkpoint, restore, seek, skip', () => {
  it('state() / fromPosition() reproduce the continuation exactly, through JSON', () => {
    const s = streamFor(77, ['purpose', 'checkpoint']);
    for (let i = 0; i < 13; i++) s.nextUint32();
    standardNormal(s);
    const saved: StreamState = JSON.parse(JSON.stringify(s.state()));
    const cont = [s.nextFloat64(), standardNormal(s), s.nextUint32(), s.nextFloat64Open(), ...words(s, 50)];
    const r = fromPosition(saved);
    const again = [r.nextFloat64(), standardNormal(r), r.nextUint32(), r.nextFloat64Open(), ...words(r, 50)];
    expect(again).toEqual(cont);
    expect(r.position).toBe(s.position);
  });

  it('clone() is independent and continues identically', () => {
    const s = streamFor(78, ['purpose', 'clone']);
    s.nextUint32();
    const c = s.clone();
    const a = words(s, 30);
    expect(words(c, 30)).toEqual(a);
  });

  it('seek(p) and skip(n) equal consuming the words one by one', () => {
    const ref = words(streamFor(79, ['purpose', 'seek']), 1100);
    for (const p of [0, 1, 2, 3, 4, 5, 7, 8, 1000, 1003]) {
      const s = streamFor(79, ['purpose', 'seek']);
      s.seek(p);
      expect(s.position).toBe(p);
      expect(words(s, 20)).toEqual(ref.slice(p, p + 20));
      const t = streamFor(79, ['purpose', 'seek']);
      t.nextUint32();
      t.skip(p);
      expect(words(t, 20)).toEqual(ref.slice(p + 1, p + 21));
    }
    const s = new RandomStream(streamFor(79, ['purpose', 'seek']).key, 17);
    expect(words(s, 5)).toEqual(ref.slice(17, 22));
  });

  it('rejects invalid positions', () => {
    const s = streamFor(1);
    expect(() => s.seek(-1)).toThrow(RangeError);
    expect(() => s.seek(1.5)).toThrow(RangeError);
    expect(() => s.seek(2 ** 53)).toThrow(RangeError);
    expect(() => s.skip(-2)).toThrow(RangeError);
  });

  it('fill() writes the same values as repeated nextFloat64()', () => {
    const a = streamFor(80, ['purpose', 'fill']);
    const b = a.clone();
    const out = a.fill(new Float64Array(1001));
    for (let i = 0; i < out.length; i++) expect(out[i]).toBe(b.nextFloat64());
    const u = new Uint32Array(9);
    a.fillUint32(u, 2, 7);
    expect(Array.from(u.slice(0, 2))).toEqual([0, 0]);
    expect(Array.from(u.slice(2, 7))).toEqual(words(b, 5));
  });
});

describe('uniformity (10^6 draws, alpha = 1e-3)', () => {
  const N = 1_000_000;

  it('nextFloat64: chi-square over 1000 equal cells, and E[U^k] for k = 1..4', () => {
    const s = createStreamFactory(20261127).stream({ purpose: 'uniformity' });
    const counts = new Float64Array(1000);
    const sums = [0, 0, 0, 0];
    let min = 1;
    let max = 0;
    for (let i = 0; i < N; i++) {
      const u = s.nextFloat64();
      counts[Math.floor(u * 1000)]++;
      let p = u;
      for (let k = 0; k < 4; k++) {
        sums[k] += p;
        p *= u;
      }
      if (u < min) min = u;
      if (u > max) max = u;
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    const { p } = chiSquareTest(counts, new Float64Array(1000).fill(1 / 1000), N);
    expect(p).toBeGreaterThan(ALPHA);
    for (let k = 1; k <= 4; k++) {
      const mean = 1 / (k + 1);
      const sd = Math.sqrt(1 / (2 * k + 1) - mean * mean);
      const z = (sums[k - 1] / N - mean) / (sd / Math.sqrt(N));
      expect(Math.abs(z)).toBeLessThan(4.5);
    }
  });

  it('nextUint32: each byte lane uniform over 256 values; consecutive pairs uniform over 32 x 32 cells', () => {
    const s = createStreamFactory(20261127).stream({ purpose: 'bytes' });
    const lanes = [
      new Float64Array(256),
      new Float64Array(256),
      new Float64Array(256),
      new Float64Array(256),
    ];
    const pairs = new Float64Array(1024);
    for (let i = 0; i < N / 2; i++) {
      const a = s.nextUint32();
      const b = s.nextUint32();
      for (let l = 0; l < 4; l++) {
        lanes[l][(a >>> (8 * l)) & 255]++;
        lanes[l][(b >>> (8 * l)) & 255]++;
      }
      pairs[(a >>> 27) * 32 + (b >>> 27)]++;
    }
    for (const lane of lanes)
      expect(chiSquareTest(lane, new Float64Array(256).fill(1 / 256), N).p).toBeGreaterThan(ALPHA);
    expect(chiSquareTest(pairs, new Float64Array(1024).fill(1 / 1024), N / 2).p).toBeGreaterThan(ALPHA);
  });

  it('nextFloat64Open stays inside (0, 1) with mean 1/2', () => {
    const s = createStreamFactory(3).stream({ purpose: 'open' });
    let sum = 0;
    for (let i = 0; i < N; i++) {
      const u = s.nextFloat64Open();
      if (!(u > 0 && u < 1)) throw new Error(`open uniform ${u} out of range`);
      sum += u;
    }
    expect(Math.abs((sum / N - 0.5) / Math.sqrt(1 / 12 / N))).toBeLessThan(4.5);
  });
});
