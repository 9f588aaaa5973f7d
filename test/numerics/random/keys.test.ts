import { describe, expect, it } from 'vitest';
import { deriveStreamKey, type PathComponent, type StreamKey } from '../../../src/numerics/random/keys.js';
import { philox4x32 } from '../../../src/numerics/random/philox.js';
import { createStreamFactory } from '../../../src/numerics/random/stream.js';

/**
 * An independent re-implementation of the key construction exactly as docs/random.md specifies it (word
 * encoding with TextEncoder and BigInt, then the Davies-Meyer/Philox chain), so that the code and the published
 * specification cannot drift apart. It relies only on philox4x32, which is pinned by the known-answer tests.
 */
function referenceKey(seed: bigint, path: readonly PathComponent[]): StreamKey {
  const w: number[] = [0x65786f31, 1, 1, Number(seed & 0xffffffffn), Number(seed >> 32n)];
  const str = (s: string) => {
    const bytes = new TextEncoder().encode(s);
    w.push(bytes.length);
    for (let i = 0; i < bytes.length; i += 4) {
      let x = 0;
      for (let j = 0; j < 4 && i + j < bytes.length; j++) x += bytes[i + j] * 256 ** j;
      w.push(x);
    }
  };
  for (const [label, value] of path) {
    w.push(2);
    str(label);
    if (typeof value === 'string') {
      w.push(4);
      str(value);
    } else {
      const v = BigInt.asUintN(64, BigInt(value));
      w.push(3, Number(v & 0xffffffffn), Number(v >> 32n));
    }
  }
  const count = w.length;
  if (w.length % 2 === 1) w.push(0);
  w.push(count, 0x80000000);
  const h = [0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344];
  const t = new Uint32Array(4);
  for (let i = 0; i < w.length; i += 2) {
    philox4x32(h[0], h[1], h[2], h[3], w[i], w[i + 1], t);
    for (let j = 0; j < 4; j++) h[j] = (t[j] ^ h[j]) >>> 0;
  }
  return { k0: h[0], k1: h[1], c2: h[2], c3: h[3] };
}

describe('stream key derivation', () => {
  const cases: [bigint, PathComponent[]][] = [
    [0n, []],
    [7n, [['patient', 17]]],
    [
      7n,
      [
        ['patient', 17],
        ['purpose', 'ssa'],
      ],
    ],
    [
      2n ** 64n - 1n,
      [
        ['replicate', 3],
        ['agent', 2 ** 40 + 5],
        ['purpose', 'division'],
      ],
    ],
    [
      12345n,
      [
        ['offset', -1],
        ['purpose', 'x'],
      ],
    ],
    [
      1n,
      [
        ['label', 'héllo wörld ✓ 𝄞'],
        ['é', 0],
      ],
    ],
    [
      99n,
      [
        ['abc', 'defg'],
        ['abcd', 'efg'],
      ],
    ],
  ];
  it('matches the specification in docs/random.md (independent reference encoding)', () => {
    for (const [seed, path] of cases) {
      expect(deriveStreamKey(seed, path)).toEqual(referenceKey(seed, path));
      if (seed < 2n ** 53n) expect(deriveStreamKey(Number(seed), path)).toEqual(referenceKey(seed, path));
    }
  });

  it('the encoding is injective on look-alike paths', () => {
    const paths: PathComponent[][] = [
      [],
      [['a', 1]],
      [['a', '1']],
      [
        ['a', 1],
        ['b', 2],
      ],
      [
        ['b', 2],
        ['a', 1],
      ],
      [['ab', 1]],
      [['a', 'b']],
      [
        ['a', ''],
        ['b', 1],
      ],
      [['a', 0]],
      [['a', -0]],
      [['a', 2 ** 32]],
      [
        ['a', 1],
        ['a', 1],
      ],
    ];
    const keys = new Set<string>();
    for (const p of paths) keys.add(JSON.stringify(deriveStreamKey(1, p)));
    // ['a', 0] and ['a', -0] are the same integer, so one duplicate is expected.
    expect(keys.size).toBe(paths.length - 1);
  });

  it('no collisions among 100,000 sibling streams, and key bits are balanced', () => {
    const root = createStreamFactory(42).child({ purpose: 'ssa' });
    const seen = new Set<string>();
    let ones = 0;
    const n = 100_000;
    for (let i = 0; i < n; i++) {
      const k = root.key({ agent: i });
      seen.add(`${k.k0},${k.k1},${k.c2},${k.c3}`);
      for (const w of [k.k0, k.k1, k.c2, k.c3]) {
        let x = w;
        while (x) {
          ones += x & 1;
          x >>>= 1;
        }
      }
    }
    expect(seen.size).toBe(n);
    // 128 n bits ~ Binomial(128 n, 1/2): 6 sd tolerance.
    expect(Math.abs(ones - 64 * n)).toBeLessThan(6 * Math.sqrt(32 * n));
  });

  it('rejects seeds and values it cannot encode', () => {
    expect(() => deriveStreamKey(-1)).toThrow(RangeError);
    expect(() => deriveStreamKey(1.5)).toThrow(RangeError);
    expect(() => deriveStreamKey(2n ** 64n)).toThrow(RangeError);
    expect(() => deriveStreamKey(1, [['x', 0.5]])).toThrow(TypeError);
    expect(() => deriveStreamKey(1, [['x', Number.NaN]])).toThrow(TypeError);
    expect(() => deriveStreamKey(1, [['', 1]])).toThrow(TypeError);
  });
});
