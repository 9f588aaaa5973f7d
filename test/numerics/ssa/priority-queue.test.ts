import { describe, expect, it } from 'vitest';
import { streamFor } from '../../../src/numerics/random/index.js';
import { IndexedMinHeap } from '../../../src/numerics/ssa/priority-queue.js';

describe('IndexedMinHeap', () => {
  it('keeps the minimum and the heap invariant under 20000 random re-keyings (incl. Infinity)', () => {
    const s = streamFor(1, ['purpose', 'test']);
    for (const m of [1, 2, 7, 100]) {
      const h = new IndexedMinHeap(m);
      const keys = Float64Array.from({ length: m }, () => s.nextFloat64());
      h.build(keys);
      for (let it = 0; it < 5000; it++) {
        const i = Math.floor(s.nextFloat64() * m);
        const u = s.nextFloat64();
        const k = u < 0.1 ? Number.POSITIVE_INFINITY : u;
        keys[i] = k;
        h.update(i, k);
        let best = 0;
        for (let j = 1; j < m; j++) if (keys[j] < keys[best]) best = j;
        expect(h.topKey()).toBe(keys[best]);
        expect(keys[h.top()]).toBe(keys[best]);
      }
      expect(h.check()).toBe(true);
    }
  });
});
