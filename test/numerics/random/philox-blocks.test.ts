import { describe, expect, it } from 'vitest';
import { philox4x32, philox4x32Blocks } from '../../../src/numerics/random/philox.js';
import {
  createPhiloxKernel,
  MAX_KERNEL_BLOCKS,
  philoxKernelBytes,
  wasmApi,
} from '../../../src/numerics/random/philox-wasm.js';
import { RandomStream, streamFor } from '../../../src/numerics/random/stream.js';

const TWO32 = 2 ** 32;

/** Reference: one philox4x32 call per block. */
function reference(block: number, n: number, c2: number, c3: number, k0: number, k1: number): number[] {
  const out: number[] = [];
  const b = new Uint32Array(4);
  for (let i = 0; i < n; i++) {
    const ctr = block + i;
    philox4x32(ctr % TWO32, Math.floor(ctr / TWO32), c2, c3, k0, k1, b);
    out.push(...b);
  }
  return out;
}

// Counter starts: zero, small, just below a 2^32 carry (the low word wraps inside the batch), high words set.
const STARTS = [0, 5, TWO32 - 3, 3 * TWO32 + 12345, 2 ** 51 - 70];
const KEYS: [number, number, number, number][] = [
  [0, 0, 0, 0],
  [0xdeadbeef, 7, 0x12345678, 0xfedcba98],
  [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff],
];

describe('batched Philox4x32-10', () => {
  it('philox4x32Blocks equals block-by-block philox4x32, across the low-word carry', () => {
    for (const start of STARTS)
      for (const [c2, c3, k0, k1] of KEYS) {
        const out = new Uint32Array(4 * 64);
        philox4x32Blocks(start, 64, c2, c3, k0, k1, out);
        expect(Array.from(out)).toEqual(reference(start, 64, c2, c3, k0, k1));
      }
  });

  it('the WebAssembly kernel validates and equals the JavaScript kernel', () => {
    expect(wasmApi()?.validate(philoxKernelBytes())).toBe(true);
    const k = createPhiloxKernel();
    expect(k).toBeDefined();
    if (!k) return;
    expect(k.views[7].length).toBe(28);
    for (const start of STARTS)
      for (const [c2, c3, k0, k1] of KEYS)
        for (const n of [1, 3, 64, MAX_KERNEL_BLOCKS]) {
          const lo = start % TWO32;
          k.blocks(lo, (start - lo) / TWO32, n, c2, c3, k0, k1);
          expect(Array.from(k.views[n])).toEqual(reference(start, n, c2, c3, k0, k1));
        }
  });

  it('the kernel reproduces the Random123 known answer for counter 0, key 0', () => {
    const k = createPhiloxKernel();
    if (!k) return;
    k.blocks(0, 0, 1, 0, 0, 0, 0);
    expect(Array.from(k.views[1])).toEqual([0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]);
  });
});

describe('stream batching is invisible', () => {
  it('mixed draws across refill boundaries equal the word-by-word definition', () => {
    const s = streamFor(5, ['purpose', 'batch']);
    const { k0, k1, c2, c3 } = s.key;
    const words = reference(0, 600, c2, c3, k0, k1);
    let w = 0;
    // A draw pattern that makes two-word draws straddle refills (odd offsets) many times.
    for (let i = 0; i < 700; i++) {
      const kind = i % 5;
      if (kind === 0 || kind === 3) {
        expect(s.nextUint32()).toBe(words[w]);
        w += 1;
      } else if (kind === 1) {
        expect(s.nextFloat64()).toBe(((words[w] >>> 5) * 2 ** 26 + (words[w + 1] >>> 6)) / 2 ** 53);
        w += 2;
      } else {
        expect(s.nextFloat64Open()).toBe(((words[w] >>> 6) * 2 ** 26 + (words[w + 1] >>> 6) + 0.5) / 2 ** 52);
        w += 2;
      }
      expect(s.position).toBe(w);
    }
  });

  it('seek, clone and state in the middle of a batch continue exactly', () => {
    const s = streamFor(6, ['purpose', 'seek']);
    const { k0, k1, c2, c3 } = s.key;
    const words = reference(0, 400, c2, c3, k0, k1);
    for (let i = 0; i < 1001; i++) s.nextUint32();
    const c = s.clone();
    const r = new RandomStream(s.key, s.position);
    for (let i = 0; i < 300; i++) {
      const v = s.nextUint32();
      expect(c.nextUint32()).toBe(v);
      expect(r.nextUint32()).toBe(v);
    }
    s.seek(3);
    expect(s.nextUint32()).toBe(words[3]);
    s.seek(777);
    for (let i = 777; i < 1600; i++) expect(s.nextUint32()).toBe(words[i]);
  });
});
