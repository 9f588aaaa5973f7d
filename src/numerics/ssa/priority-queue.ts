/**
 * Indexed binary min-heap over a fixed set of items 0..m-1 with Float64 keys (the "indexed priority queue" of
 * Gibson & Bruck 2000): O(1) minimum, O(log m) key update in either direction, positions tracked so an item
 * is found without search. Typed arrays only; nothing is allocated after construction.
 */
export class IndexedMinHeap {
  /** key[i]: the key of item i. Read freely; change only through update(). */
  readonly key: Float64Array;
  /** heap[h]: item at heap slot h. */
  private readonly heap: Int32Array;
  /** pos[i]: heap slot of item i. */
  private readonly pos: Int32Array;
  readonly size: number;

  constructor(size: number) {
    this.size = size;
    this.key = new Float64Array(size);
    this.heap = new Int32Array(size);
    this.pos = new Int32Array(size);
    for (let i = 0; i < size; i++) {
      this.heap[i] = i;
      this.pos[i] = i;
    }
  }

  /** Set every key from keys[0..size) and heapify in O(m) (Floyd). */
  build(keys: ArrayLike<number>): void {
    const n = this.size;
    for (let i = 0; i < n; i++) {
      this.key[i] = keys[i];
      this.heap[i] = i;
      this.pos[i] = i;
    }
    for (let h = (n >> 1) - 1; h >= 0; h--) this.down(h);
  }

  /** Item with the smallest key (size must be > 0). */
  top(): number {
    return this.heap[0];
  }

  topKey(): number {
    return this.key[this.heap[0]];
  }

  update(item: number, k: number): void {
    const old = this.key[item];
    this.key[item] = k;
    if (k < old) this.up(this.pos[item]);
    else if (k > old) this.down(this.pos[item]);
  }

  /** Heap invariant holds (for tests). */
  check(): boolean {
    for (let h = 1; h < this.size; h++)
      if (this.key[this.heap[(h - 1) >> 1]] > this.key[this.heap[h]]) return false;
    for (let i = 0; i < this.size; i++) if (this.heap[this.pos[i]] !== i) return false;
    return true;
  }

  private up(h: number): void {
    const heap = this.heap;
    const key = this.key;
    const pos = this.pos;
    const item = heap[h];
    const k = key[item];
    while (h > 0) {
      const parent = (h - 1) >> 1;
      const pi = heap[parent];
      if (key[pi] <= k) break;
      heap[h] = pi;
      pos[pi] = h;
      h = parent;
    }
    heap[h] = item;
    pos[item] = h;
  }

  private down(h: number): void {
    const heap = this.heap;
    const key = this.key;
    const pos = this.pos;
    const n = this.size;
    const item = heap[h];
    const k = key[item];
    for (;;) {
      let c = 2 * h + 1;
      if (c >= n) break;
      if (c + 1 < n && key[heap[c + 1]] < key[heap[c]]) c++;
      const ci = heap[c];
      if (key[ci] >= k) break;
      heap[h] = ci;
      pos[ci] = h;
      h = c;
    }
    heap[h] = item;
    pos[item] = h;
  }
}
