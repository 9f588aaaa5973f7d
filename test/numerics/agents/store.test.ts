import { describe, expect, it } from 'vitest';
import { AgentStore, BYTES_PER_AGENT, F64_COLUMNS, I32_COLUMNS } from '../../../src/numerics/agents/index.js';

describe('AgentStore', () => {
  it('doubles its capacity, keeps values and documents the buffer layout', () => {
    const s = new AgentStore({ dims: 3, capacity: 2 });
    for (let k = 0; k < 9; k++)
      s.add({ x: k, y: -k, z: 2 * k, radius: 1 + k, type: k % 3, adhesion: 0.1 * k });
    expect(s.count).toBe(9);
    expect(s.capacity).toBe(16);
    expect(s.buffer.byteLength).toBe(16 * BYTES_PER_AGENT);
    for (let k = 0; k < 9; k++) {
      const i = s.indexOf(k);
      expect([s.x[i], s.y[i], s.z[i], s.radius[i], s.type[i], s.adhesion[i]]).toEqual([
        k,
        -k,
        2 * k,
        1 + k,
        k % 3,
        0.1 * k,
      ]);
    }
    // Column c of the Float64 block starts at 8 c C; the Int32 block follows all Float64 columns.
    const C = s.capacity;
    const f64 = new Float64Array(s.buffer);
    expect(f64[F64_COLUMNS.indexOf('radius') * C + 4]).toBe(5);
    const i32 = new Int32Array(s.buffer, 8 * F64_COLUMNS.length * C);
    expect(i32[I32_COLUMNS.indexOf('type') * C + 5]).toBe(2);
  });

  it('removes by swap-with-last in O(1) with stable ids', () => {
    const s = new AgentStore({ dims: 2 });
    for (let k = 0; k < 5; k++) s.add({ x: k, y: 0, radius: 1 });
    s.remove(1);
    expect(s.count).toBe(4);
    expect(s.indexOf(1)).toBe(-1);
    expect(s.indexOf(4)).toBe(1); // the last row moved into the hole
    expect(s.x[s.indexOf(4)]).toBe(4);
    expect(Array.from(s.id.subarray(0, 4))).toEqual([0, 4, 2, 3]);
    expect(s.add({ x: 9, y: 9, radius: 1 })).toBe(5); // ids are never reused
    s.kill(0);
    s.kill(3);
    expect(s.count).toBe(5);
    expect(s.compact()).toBe(2);
    expect(Array.from(s.id.subarray(0, s.count)).sort()).toEqual([2, 4, 5]);
    for (const id of [2, 4, 5]) expect(s.id[s.indexOf(id)]).toBe(id);
    expect(() => s.remove(1)).toThrow(/no agent with id 1/);
  });

  it('accepts explicit unused ids and rejects reused ones and bad input', () => {
    const s = new AgentStore({ dims: 2 });
    expect(s.add({ id: 10, x: 0, y: 0, radius: 1 })).toBe(10);
    expect(s.add({ id: 3, x: 0, y: 0, radius: 1 })).toBe(3);
    expect(s.add({ x: 0, y: 0, radius: 1 })).toBe(11);
    s.remove(3);
    expect(() => s.add({ id: 3, x: 0, y: 0, radius: 1 })).toThrow(/already in use or was removed/);
    expect(() => s.add({ id: 10, x: 0, y: 0, radius: 1 })).toThrow(/already in use/);
    expect(() => s.add({ x: Number.NaN, y: 0, radius: 1 })).toThrow(/agent x = NaN/);
    expect(() => s.add({ x: 0, y: 0, radius: 0 })).toThrow(/radius = 0/);
    expect(() => s.add({ x: 0, y: 0, radius: 1, adhesionReach: 0.5 })).toThrow(/adhesionReach = 0.5/);
  });

  it('permutes rows and keeps ids mapped', () => {
    const s = new AgentStore({ dims: 3 });
    for (let k = 0; k < 6; k++) s.add({ x: k, y: 10 * k, z: 100 * k, radius: 1 + k, speed: k });
    s.permute(Int32Array.of(3, 5, 0, 1, 4, 2));
    expect(Array.from(s.id.subarray(0, 6))).toEqual([3, 5, 0, 1, 4, 2]);
    for (let id = 0; id < 6; id++) {
      const i = s.indexOf(id);
      expect([s.x[i], s.y[i], s.z[i], s.radius[i], s.speed[i], s.alive[i]]).toEqual([
        id,
        10 * id,
        100 * id,
        1 + id,
        id,
        1,
      ]);
    }
  });

  it('can live in a SharedArrayBuffer', () => {
    const s = new AgentStore({ dims: 3, shared: true, capacity: 1 });
    s.add({ x: 1, y: 2, z: 3, radius: 4 });
    s.add({ x: 5, y: 6, z: 7, radius: 8 });
    expect(s.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(s.z[1]).toBe(7);
  });
});
