/**
 * Stream identities: (run seed, path of labelled coordinates) -> 128-bit stream key.
 *
 * The seed and path are written as an injective, self-delimiting sequence of 32-bit words (below) and hashed
 * with a Merkle-Damgard chain whose compression function is Davies-Meyer over Philox4x32-10:
 *     H <- Philox_{m}(H) XOR H        for each 64-bit message block m = (w[2j], w[2j+1]),
 * starting from H0 = the first four words of pi's fraction (0x243f6a88 0x85a308d3 0x13198a2e 0x03707344), padding
 * an odd tail with a zero word and closing with the strengthening block (word count, 0x80000000). The 128-bit
 * digest (H0, H1, H2, H3) becomes the stream's Philox key (k0, k1) = (H0, H1) and the high counter words
 * (c2, c3) = (H2, H3); the low counter words (c0, c1) are the stream's block index. Distinct (seed, path) pairs
 * thus give distinct word sequences, and their streams overlap only if two 128-bit digests collide (about
 * n^2 / 2^129 for n streams if Philox behaves as an ideal cipher; no cryptographic strength is claimed).
 *
 * Word encoding (all integers little-endian 32-bit words, strings as UTF-8 bytes packed 4 per word, low byte first,
 * zero-padded to a whole word):
 *     header   0x65786f31 ('exo1'), 1 (format version)
 *     seed     1, lo32(seed), hi32(seed)                       seed: integer in [0, 2^64)
 *     per path component:
 *       label  2, byteLength, bytes...
 *       value  3, lo32(v), hi32(v)  for an integer v (two's complement, |v| < 2^53)
 *           or 4, byteLength, bytes...  for a string value
 * Because every token is tagged and length-prefixed, the decoding is unique and derivation is incremental: a
 * child factory keeps the chaining state after its prefix, so deriving a stream costs O(length of its suffix).
 */
import { philox4x32 } from './philox.js';
import { createPhiloxKernel } from './philox-wasm.js';

/** Philox for the compression function: the WebAssembly kernel when available (same bits), else JavaScript. */
const KERNEL = createPhiloxKernel();
/** Output of the JavaScript fallback; compress() is synchronous, so one buffer serves every hasher. */
const SCRATCH = new Uint32Array(4);

/** A run seed: a non-negative integer below 2^64 (number or bigint; 5 and 5n are the same seed). */
export type Seed = number | bigint;
/** A coordinate value: a safe integer (patient, replicate, agent index) or a string (purpose name). */
export type PathValue = number | string;
/** One labelled coordinate of a stream's path, e.g. ['patient', 17] or ['purpose', 'ssa']. */
export type PathComponent = readonly [label: string, value: PathValue];
/** Labelled coordinates given as a record; keys are sorted (by UTF-16 code units), so literal order is irrelevant. */
export type PathRecord = Readonly<Record<string, PathValue>>;
/** Either form of a path segment. */
export type PathSpec = PathRecord | readonly PathComponent[];

/** The 128-bit identity of a stream: Philox key words and the two high counter words, each a uint32. */
export interface StreamKey {
  readonly k0: number;
  readonly k1: number;
  readonly c2: number;
  readonly c3: number;
}

const TAG_SEED = 1;
const TAG_LABEL = 2;
const TAG_INT = 3;
const TAG_STRING = 4;
const HEADER_MAGIC = 0x65786f31;
const FORMAT_VERSION = 1;
const TWO32 = 4294967296;

/** The Davies-Meyer/Philox Merkle-Damgard hash state (see the file comment). Immutable users clone it. */
export class KeyHasher {
  private h0 = 0x243f6a88;
  private h1 = 0x85a308d3;
  private h2 = 0x13198a2e;
  private h3 = 0x03707344;
  private pending = 0;
  private hasPending = false;
  private words = 0;
  private byteWord = 0;
  private byteCount = 0;

  clone(): KeyHasher {
    const c = new KeyHasher();
    c.h0 = this.h0;
    c.h1 = this.h1;
    c.h2 = this.h2;
    c.h3 = this.h3;
    c.pending = this.pending;
    c.hasPending = this.hasPending;
    c.words = this.words;
    return c;
  }

  word(w: number): void {
    this.words++;
    if (!this.hasPending) {
      this.pending = w >>> 0;
      this.hasPending = true;
      return;
    }
    this.hasPending = false;
    this.compress(this.pending, w >>> 0);
  }

  header(): void {
    this.word(HEADER_MAGIC);
    this.word(FORMAT_VERSION);
  }

  seed(seed: Seed): void {
    let lo: number;
    let hi: number;
    if (typeof seed === 'bigint') {
      if (seed < 0n || seed >= 1n << 64n) throw new RangeError(`seed ${seed} is outside [0, 2^64)`);
      lo = Number(seed & 0xffffffffn);
      hi = Number(seed >> 32n);
    } else {
      if (!Number.isSafeInteger(seed) || seed < 0) {
        throw new RangeError(`seed ${seed} must be a non-negative safe integer (or a bigint below 2^64)`);
      }
      lo = seed % TWO32;
      hi = Math.floor(seed / TWO32);
    }
    this.word(TAG_SEED);
    this.word(lo);
    this.word(hi);
  }

  component(label: string, value: PathValue): void {
    if (typeof label !== 'string' || label.length === 0)
      throw new TypeError('a path label must be a non-empty string');
    this.word(TAG_LABEL);
    this.string(label);
    if (typeof value === 'string') {
      this.word(TAG_STRING);
      this.string(value);
    } else if (typeof value === 'number' && Number.isSafeInteger(value)) {
      this.word(TAG_INT);
      this.word(((value % TWO32) + TWO32) % TWO32);
      this.word(Math.floor(value / TWO32) >>> 0);
    } else {
      throw new TypeError(
        `path value for '${label}' must be a safe integer or a string, got ${String(value)}`,
      );
    }
  }

  /** Finish a copy of the state: strengthening block, digest -> stream key. The hasher itself is unchanged. */
  digest(): StreamKey {
    return this.clone().finish();
  }

  /** digest() without the copy: closes this hasher itself (for a throw-away clone). */
  finish(): StreamKey {
    const words = this.words;
    if (this.hasPending) this.word(0);
    this.compress(words >>> 0, 0x80000000);
    return { k0: this.h0, k1: this.h1, c2: this.h2, c3: this.h3 };
  }

  private compress(m0: number, m1: number): void {
    let t: Uint32Array;
    if (KERNEL !== undefined) {
      KERNEL.blocks(this.h0, this.h1, 1, this.h2, this.h3, m0, m1);
      t = KERNEL.out;
    } else {
      t = SCRATCH;
      philox4x32(this.h0, this.h1, this.h2, this.h3, m0, m1, t, 0, 10);
    }
    this.h0 = (t[0] ^ this.h0) >>> 0;
    this.h1 = (t[1] ^ this.h1) >>> 0;
    this.h2 = (t[2] ^ this.h2) >>> 0;
    this.h3 = (t[3] ^ this.h3) >>> 0;
  }

  /** UTF-8 byte length, then the bytes packed 4 per word (low byte first), zero-padded. Lone surrogates: 3 bytes. */
  private string(s: string): void {
    let n = 0;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x80) n += 1;
      else if (c < 0x800) n += 2;
      else if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
        n += 4;
        i++;
      } else n += 3;
    }
    this.word(n);
    this.byteWord = 0;
    this.byteCount = 0;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x80) this.byte(c);
      else if (c < 0x800) {
        this.byte(0xc0 | (c >> 6));
        this.byte(0x80 | (c & 0x3f));
      } else if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
        const cp = 0x10000 + ((c - 0xd800) << 10) + (s.charCodeAt(i + 1) - 0xdc00);
        i++;
        this.byte(0xf0 | (cp >> 18));
        this.byte(0x80 | ((cp >> 12) & 0x3f));
        this.byte(0x80 | ((cp >> 6) & 0x3f));
        this.byte(0x80 | (cp & 0x3f));
      } else {
        this.byte(0xe0 | (c >> 12));
        this.byte(0x80 | ((c >> 6) & 0x3f));
        this.byte(0x80 | (c & 0x3f));
      }
    }
    if (this.byteCount > 0) this.word(this.byteWord);
  }

  private byte(b: number): void {
    this.byteWord |= b << (8 * this.byteCount);
    if (++this.byteCount === 4) {
      this.word(this.byteWord);
      this.byteWord = 0;
      this.byteCount = 0;
    }
  }
}

/** The components of a path segment in canonical order (records: keys sorted; arrays: as given). */
export function pathComponents(spec: PathSpec): readonly PathComponent[] {
  if (Array.isArray(spec)) return spec as readonly PathComponent[];
  const rec = spec as PathRecord;
  return Object.keys(rec)
    .sort()
    .map((k) => [k, rec[k]] as const);
}

/** The key of the stream at `path` under `seed` (see the file comment for the construction). */
export function deriveStreamKey(seed: Seed, path: readonly PathComponent[] = []): StreamKey {
  const h = new KeyHasher();
  h.header();
  h.seed(seed);
  for (const [label, value] of path) h.component(label, value);
  return h.finish();
}
