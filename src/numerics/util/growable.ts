/** An append-only Float64Array that doubles its capacity: amortised O(1) pushes, one copy at the end. */
export class GrowableFloat64 {
  private buf: Float64Array;
  private len = 0;

  constructor(capacity = 64) {
    this.buf = new Float64Array(Math.max(capacity, 1));
  }

  get length(): number {
    return this.len;
  }

  push(x: number): void {
    if (this.len === this.buf.length) this.grow(this.len + 1);
    this.buf[this.len++] = x;
  }

  /** Append `count` values of `src` starting at `offset`. */
  pushArray(src: ArrayLike<number>, offset = 0, count = src.length - offset): void {
    if (this.len + count > this.buf.length) this.grow(this.len + count);
    for (let i = 0; i < count; i++) this.buf[this.len + i] = src[offset + i];
    this.len += count;
  }

  set(i: number, x: number): void {
    if (i < 0 || i >= this.len) throw new RangeError(`index ${i} outside [0, ${this.len})`);
    this.buf[i] = x;
  }

  get(i: number): number {
    return this.buf[i];
  }

  /** A trimmed copy of the contents. */
  toArray(): Float64Array {
    return this.buf.slice(0, this.len);
  }

  private grow(min: number): void {
    let cap = this.buf.length * 2;
    while (cap < min) cap *= 2;
    const next = new Float64Array(cap);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }
}
