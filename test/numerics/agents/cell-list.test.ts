import { describe, expect, it } from 'vitest';
import { AgentStore, CellList } from '../../../src/numerics/agents/index.js';
import { streamFor } from '../../../src/numerics/random/index.js';

function randomStore(dims: 2 | 3, n: number, L: number, seed: number): AgentStore {
  const rng = streamFor(seed, ['purpose', 'test-cell-list']);
  const s = new AgentStore({ dims });
  // 5% of the agents lie up to 10% of L outside the domain (they are clamped into the edge bins).
  for (let k = 0; k < n; k++)
    s.add({
      x: (1.2 * rng.nextFloat64() - 0.1) * L,
      y: (1.2 * rng.nextFloat64() - 0.1) * L,
      z: (1.2 * rng.nextFloat64() - 0.1) * L,
      radius: 1,
    });
  return s;
}

function pairsWithin(s: AgentStore, cut: number, list?: CellList): string[] {
  const out: string[] = [];
  const close = (i: number, j: number) => {
    const dx = s.x[i] - s.x[j];
    const dy = s.y[i] - s.y[j];
    const dz = s.z[i] - s.z[j];
    return dx * dx + dy * dy + dz * dz < cut * cut;
  };
  if (list) list.forEachCandidate((i, j) => close(i, j) && out.push(`${s.id[i]}-${s.id[j]}`));
  else
    for (let i = 0; i < s.count; i++)
      for (let j = 0; j < s.count; j++) if (i !== j && close(i, j)) out.push(`${s.id[i]}-${s.id[j]}`);
  return out.sort();
}

describe('CellList', () => {
  for (const dims of [2, 3] as const)
    for (const [n, L, cut] of [
      [400, 100, 7],
      [1500, 60, 9.5],
      [300, 50, 60],
    ] as const)
      it(`finds exactly the brute-force pairs (${dims}D, ${n} agents, L ${L}, cutoff ${cut})`, () => {
        for (let seed = 1; seed <= 3; seed++) {
          const s = randomStore(dims, n, L, seed + 10 * dims);
          const domain = { lo: Array(dims).fill(0), hi: Array(dims).fill(L) };
          const list = new CellList(dims, domain, cut);
          list.rebuild(s.x, s.y, s.z, s.id, s.count);
          const brute = pairsWithin(s, cut);
          expect(brute.length).toBeGreaterThan(n / 10);
          expect(pairsWithin(s, cut, list)).toEqual(brute);
          // order is a permutation and each bin is sorted by id
          expect(Array.from(list.order.subarray(0, n)).sort((a, b) => a - b)).toEqual([...Array(n).keys()]);
          for (let b = 0; b < list.binCount; b++)
            for (let k = list.binStart[b] + 1; k < list.binStart[b + 1]; k++)
              expect(s.id[list.order[k]]).toBeGreaterThan(s.id[list.order[k - 1]]);
        }
      });

  it('rejects bad geometry', () => {
    expect(() => new CellList(2, { lo: [0, 0], hi: [0, 1] }, 1)).toThrow(
      /axis 0: hi \(0\) must exceed lo \(0\)/,
    );
    expect(() => new CellList(3, { lo: [0, 0], hi: [1, 1] }, 1)).toThrow(/need 3 coordinates/);
    expect(() => new CellList(2, { lo: [0, 0], hi: [1, 1] }, 0)).toThrow(/binSize 0/);
  });
});
