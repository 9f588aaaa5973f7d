/**
 * Keyed, counter-based random streams over Philox4x32-10 (Salmon et al. 2011).
 *
 * A stream is its 128-bit identity (Philox key k0,k1 and high counter words c2,c3; see keys.ts) plus a position:
 * the number of 32-bit words consumed. Word w of a stream is word (w mod 4) of Philox4x32-10 applied to the counter
 * (c0, c1, c2, c3) = (lo32(w div 4), hi32(w div 4), c2, c3) under key (k0, k1). Nothing else is state, so the same
 * seed and path give the same bits whatever the worker count, the sharding or the order in which streams are
 * created and interleaved; checkpointing is (key, position); skip-ahead is O(1). Blocks are generated in
 * batches (by the WebAssembly kernel of philox-wasm.ts when available) into a per-stream buffer, allocated at
 * most twice in a stream's life, so drawing allocates nothing.
 */
import {
  KeyHasher,
  type PathComponent,
  type PathSpec,
  type PathValue,
  pathComponents,
  type Seed,
  type StreamKey,
} from './keys.js';
import { philox4x32Blocks } from './philox.js';
import { createPhiloxKernel } from './philox-wasm.js';

/** What the samplers need: 32-bit words and 53-bit uniforms. RandomStream implements it. */
export interface UniformSource {
  /** A uniform integer in [0, 2^32). */
  nextUint32(): number;
  /** A uniform double in [0, 1) on the grid k * 2^-53 (two words). */
  nextFloat64(): number;
  /** A uniform double in the open interval (0, 1) on the grid (k + 1/2) * 2^-52 (two words): safe for log(). */
  nextFloat64Open(): number;
}

/** A serialisable checkpoint of a stream: restore with fromPosition(). */
export interface StreamState {
  readonly key: StreamKey;
  /** Words consumed so far (a non-negative safe integer). */
  readonly position: number;
}

const TWO32 = 4294967296;
const TWO_M53 = 1 / 9007199254740992;
const TWO_M52 = 1 / 4503599627370496;
const TWO26 = 67108864;
/** Positions are kept as exact doubles: at most 2^53 - 1 words (2^51 Philox blocks) per stream. */
const MAX_POSITION = Number.MAX_SAFE_INTEGER;

function checkPosition(p: number): void {
  if (!Number.isSafeInteger(p) || p < 0 || p > MAX_POSITION) {
    throw new RangeError(`stream position ${p} must be an integer in [0, 2^53)`);
  }
}

/** Most blocks generated per refill (words in the buffer / 4). */
const MAX_BATCH = 64;
/** Blocks generated 4 at a time into the small buffer before a stream moves to MAX_BATCH (see batch). */
const SMALL_BLOCKS = 128;
/** The WebAssembly Philox kernel (bit-identical to philox4x32Blocks, about 4x faster), when available. */
const KERNEL = createPhiloxKernel();

export class RandomStream implements UniformSource {
  private readonly k0: number;
  private readonly k1: number;
  private readonly c2: number;
  private readonly c3: number;
  /** Block index of the next refill. */
  private block = 0;
  /** Next unread word of buf. */
  private idx = 0;
  /** Words of buf that are valid (idx === len: empty). */
  private len = 0;
  /**
   * Blocks the next refill generates: 1, 2, then 4 until SMALL_BLOCKS blocks were generated, then MAX_BATCH.
   * Whole batches keep the generator hot (one call per 256 words instead of per 4); the ramp keeps a stream
   * that draws only a few words (one per agent, say) from paying for 64 blocks. The first phase fills a
   * 16-word buffer (V8 keeps typed arrays of up to 64 bytes on its heap, cheap to allocate and collect for the
   * many short-lived streams of an ensemble); only a stream that outlives it gets the 1 KiB buffer. Batching
   * changes only when words are computed, never which.
   */
  private batch = 1;
  /** Blocks generated since the last seek. */
  private generated = 0;
  private buf = new Uint32Array(16);

  constructor(key: StreamKey, position = 0) {
    this.k0 = key.k0 >>> 0;
    this.k1 = key.k1 >>> 0;
    this.c2 = key.c2 >>> 0;
    this.c3 = key.c3 >>> 0;
    this.seek(position);
  }

  get key(): StreamKey {
    return { k0: this.k0, k1: this.k1, c2: this.c2, c3: this.c3 };
  }

  /** Words consumed so far. */
  get position(): number {
    return this.block * 4 - this.len + this.idx;
  }

  /** Jump to an absolute word position (O(1): one Philox call at most). */
  seek(position: number): void {
    checkPosition(position);
    const r = position % 4;
    this.block = (position - r) / 4;
    this.idx = 0;
    this.len = 0;
    this.batch = 1;
    this.generated = 0;
    if (r !== 0) {
      this.refill();
      this.idx = r;
    }
  }

  /** Discard the next `count` words in O(1). */
  skip(count: number): void {
    if (!Number.isSafeInteger(count) || count < 0) throw new RangeError(`skip count ${count} must be >= 0`);
    this.seek(this.position + count);
  }

  /** An independent copy at the same position. */
  clone(): RandomStream {
    return new RandomStream(this.key, this.position);
  }

  /** A checkpoint (key and position); fromPosition(state) continues exactly where this stream is now. */
  state(): StreamState {
    return { key: this.key, position: this.position };
  }

  nextUint32(): number {
    if (this.idx === this.len) this.refill();
    return this.buf[this.idx++];
  }

  nextFloat64(): number {
    const i = this.idx;
    if (i + 2 > this.len) return this.nextFloat64Slow();
    this.idx = i + 2;
    return ((this.buf[i] >>> 5) * TWO26 + (this.buf[i + 1] >>> 6)) * TWO_M53;
  }

  nextFloat64Open(): number {
    const i = this.idx;
    if (i + 2 > this.len) return this.nextFloat64OpenSlow();
    this.idx = i + 2;
    return ((this.buf[i] >>> 6) * TWO26 + (this.buf[i + 1] >>> 6) + 0.5) * TWO_M52;
  }

  /** Fill out[start, end) with nextFloat64() values. */
  fill(out: Float64Array, start = 0, end = out.length): Float64Array {
    for (let i = start; i < end; i++) out[i] = this.nextFloat64();
    return out;
  }

  /** Fill out[start, end) with nextUint32() values. */
  fillUint32(out: Uint32Array, start = 0, end = out.length): Uint32Array {
    for (let i = start; i < end; i++) out[i] = this.nextUint32();
    return out;
  }

  private nextFloat64Slow(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * TWO26 + b) * TWO_M53;
  }

  private nextFloat64OpenSlow(): number {
    const a = this.nextUint32() >>> 6;
    const b = this.nextUint32() >>> 6;
    return (a * TWO26 + b + 0.5) * TWO_M52;
  }

  private refill(): void {
    const n = this.batch;
    const b = this.block;
    if (4 * n > this.buf.length) this.buf = new Uint32Array(4 * MAX_BATCH);
    if (KERNEL !== undefined) {
      const lo = b % TWO32;
      KERNEL.blocks(lo, (b - lo) / TWO32, n, this.c2, this.c3, this.k0, this.k1);
      this.buf.set(KERNEL.views[n]);
    } else philox4x32Blocks(b, n, this.c2, this.c3, this.k0, this.k1, this.buf);
    this.block = b + n;
    this.idx = 0;
    this.len = 4 * n;
    const g = this.generated + n;
    this.generated = g;
    this.batch = n < 4 ? 2 * n : g >= SMALL_BLOCKS ? MAX_BATCH : 4;
  }
}

/** Restore a stream from a checkpoint taken with state(). */
export function fromPosition(state: StreamState): RandomStream {
  return new RandomStream(state.key, state.position);
}

/**
 * Derives keyed streams from a run seed. A factory is a path prefix: child() extends it, stream() closes it.
 * `createStreamFactory(7).child({ patient: 17 }).stream({ purpose: 'ssa' })` is the same stream as
 * `streamFor(7, ['patient', 17], ['purpose', 'ssa'])` and as `createStreamFactory(7).stream({ patient: 17,
 * purpose: 'ssa' })` (record keys are sorted). Factories are immutable and cheap to share between workers.
 */
export class StreamFactory {
  private constructor(
    readonly seed: Seed,
    readonly path: readonly PathComponent[],
    private readonly hasher: KeyHasher,
  ) {}

  static create(seed: Seed): StreamFactory {
    const h = new KeyHasher();
    h.header();
    h.seed(seed);
    return new StreamFactory(seed, [], h);
  }

  /** The factory for this prefix extended by `spec`. */
  child(spec: PathSpec): StreamFactory {
    const comps = pathComponents(spec);
    const h = this.hasher.clone();
    for (const [label, value] of comps) h.component(label, value);
    return new StreamFactory(this.seed, [...this.path, ...comps], h);
  }

  /** The key of the stream at this prefix extended by `spec` (default: the prefix itself). */
  key(spec: PathSpec = []): StreamKey {
    const comps = pathComponents(spec);
    if (comps.length === 0) return this.hasher.digest();
    const h = this.hasher.clone();
    for (const [label, value] of comps) h.component(label, value);
    return h.finish();
  }

  /** A fresh stream (position 0) at this prefix extended by `spec`. */
  stream(spec: PathSpec = []): RandomStream {
    return new RandomStream(this.key(spec));
  }
}

/** The root factory of a run. */
export function createStreamFactory(seed: Seed): StreamFactory {
  return StreamFactory.create(seed);
}

/** The stream at (seed, path), e.g. streamFor(7, ['patient', 17], ['purpose', 'ssa']). */
export function streamFor(seed: Seed, ...path: (readonly [string, PathValue])[]): RandomStream {
  return createStreamFactory(seed).stream(path);
}
