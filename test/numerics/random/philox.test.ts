import { describe, expect, it } from 'vitest';
import { mulhi32, philox4x32, threefry4x32 } from '../../../src/numerics/random/philox.js';

/*
 * Known-answer vectors from Random123's tests/kat_vectors (github.com/DEShawResearch/random123; the same lines are
 * quoted at release v1.14.0 and on main). Columns: counter (4 words), key, expected output (4 words).
 */
const PHILOX4X32_10: [string, number[], number[], number[]][] = [
  ['all zero', [0, 0, 0, 0], [0, 0], [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]],
  [
    'all ones',
    [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff],
    [0xffffffff, 0xffffffff],
    [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd],
  ],
  [
    'pi digits',
    [0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344],
    [0xa4093822, 0x299f31d0],
    [0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1],
  ],
];
/* The 7-round lines of the same file, to pin the round count and key schedule independently of R = 10. */
const PHILOX4X32_7: [string, number[], number[], number[]][] = [
  ['all zero', [0, 0, 0, 0], [0, 0], [0x5f6fb709, 0x0d893f64, 0x4f121f81, 0x4f730a48]],
  [
    'all ones',
    [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff],
    [0xffffffff, 0xffffffff],
    [0x5207ddc2, 0x45165e59, 0x4d8ee751, 0x8c52f662],
  ],
  [
    'pi digits',
    [0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344],
    [0xa4093822, 0x299f31d0],
    [0x4dfccaba, 0x190a87f0, 0xc47362ba, 0xb6b5242a],
  ],
];
const THREEFRY4X32_20: [string, number[], number[], number[]][] = [
  ['all zero', [0, 0, 0, 0], [0, 0, 0, 0], [0x9c6ca96a, 0xe17eae66, 0xfc10ecd4, 0x5256a7d8]],
  [
    'all ones',
    [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff],
    [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff],
    [0x2a881696, 0x57012287, 0xf6c7446e, 0xa16a6732],
  ],
  [
    'pi digits',
    [0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344],
    [0xa4093822, 0x299f31d0, 0x082efa98, 0xec4e6c89],
    [0x59cd1dbb, 0xb8879579, 0x86b5d00c, 0xac8b6d84],
  ],
];

describe('Philox4x32 known answers (Random123 kat_vectors)', () => {
  for (const [name, c, k, want] of PHILOX4X32_10) {
    it(`philox4x32-10 ${name}`, () => {
      const out = new Uint32Array(4);
      philox4x32(c[0], c[1], c[2], c[3], k[0], k[1], out);
      expect(Array.from(out)).toEqual(want);
    });
  }
  for (const [name, c, k, want] of PHILOX4X32_7) {
    it(`philox4x32-7 ${name}`, () => {
      const out = new Uint32Array(4);
      philox4x32(c[0], c[1], c[2], c[3], k[0], k[1], out, 0, 7);
      expect(Array.from(out)).toEqual(want);
    });
  }
  it('writes at an offset and leaves the rest untouched', () => {
    const out = new Uint32Array(6).fill(7);
    philox4x32(0, 0, 0, 0, 0, 0, out, 2);
    expect(Array.from(out)).toEqual([7, 7, 0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]);
  });
});

describe('Threefry4x32-20 known answers (Random123 kat_vectors)', () => {
  for (const [name, c, k, want] of THREEFRY4X32_20) {
    it(name, () => {
      const out = new Uint32Array(4);
      threefry4x32(c[0], c[1], c[2], c[3], k[0], k[1], k[2], k[3], out);
      expect(Array.from(out)).toEqual(want);
    });
  }
});

describe('mulhi32', () => {
  it('equals the BigInt high word on edge and pseudo-random operands', () => {
    const edge = [
      0, 1, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff, 0xd2511f53, 0xcd9e8d57,
    ];
    const vals = [...edge];
    let x = 0x9e3779b9;
    for (let i = 0; i < 2000; i++) {
      x = (Math.imul(x, 1664525) + 1013904223) >>> 0; // operand generator only (LCG), not under test
      vals.push(x);
    }
    for (let i = 0; i < vals.length; i++) {
      const a = vals[i];
      const b = vals[(i * 7 + 3) % vals.length];
      const want = Number((BigInt(a) * BigInt(b)) >> 32n);
      expect(mulhi32(a, b)).toBe(want);
    }
    for (const a of edge)
      for (const b of edge) expect(mulhi32(a, b)).toBe(Number((BigInt(a) * BigInt(b)) >> 32n));
  });
});
