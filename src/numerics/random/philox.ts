/**
 * Counter-based random bijections of Salmon, Moraes, Dror & Shaw (2011), "Parallel random numbers: as easy as
 * 1, 2, 3", SC'11, doi:10.1145/2063384.2063405: Philox4x32-10 (the generator behind every exoniche stream) and
 * Threefry4x32-20 (kept as an independently designed alternative and cross-check).
 *
 * Both map a 128-bit counter and a key to 128 output bits with no state: the i-th block of a stream is simply
 * f(counter = i, key). That is what makes streams splittable and skip-ahead O(1). Arithmetic is 32-bit unsigned
 * throughout; results are returned as uint32 values (0 .. 2^32-1) written into a caller-supplied array so the
 * hot path allocates nothing. Verified against Random123's published known-answer vectors
 * (github.com/DEShawResearch/random123, tests/kat_vectors), see test/numerics/random/philox.test.ts.
 */

/** Philox4x32 multipliers and Weyl key increments (Salmon et al. 2011, section 3.3 and Random123). */
export const PHILOX_M0 = 0xd2511f53;
export const PHILOX_M1 = 0xcd9e8d57;
export const PHILOX_W0 = 0x9e3779b9;
export const PHILOX_W1 = 0xbb67ae85;

/**
 * High 32 bits of the 64-bit product of two uint32 values, exactly, by 16-bit halves (schoolbook): every partial
 * sum below stays under 2^32, so the unsigned shifts are exact and no double rounding can occur.
 */
export function mulhi32(a: number, b: number): number {
  const al = a & 0xffff;
  const ah = a >>> 16;
  const bl = b & 0xffff;
  const bh = b >>> 16;
  const t = ah * bl + ((al * bl) >>> 16);
  const w1 = (t & 0xffff) + al * bh;
  return (ah * bh + (t >>> 16) + (w1 >>> 16)) >>> 0;
}

const M0_LO = PHILOX_M0 & 0xffff;
const M0_HI = PHILOX_M0 >>> 16;
const M1_LO = PHILOX_M1 & 0xffff;
const M1_HI = PHILOX_M1 >>> 16;

/**
 * Philox4x32 with `rounds` rounds (10 is the standard, crush-resistant choice) of counter (c0..c3) under key
 * (k0, k1); the four output words go to out[offset .. offset+3]. All inputs are taken modulo 2^32. The round is
 * Random123's philox4x32round: (hi0, lo0) = M0*x0, (hi1, lo1) = M1*x2, x' = (hi1^x1^k0, lo1, hi0^x3^k1, lo0), with
 * the key bumped by the Weyl constants (W0, W1) between rounds. Words are carried as int32 (cheap for V8) and
 * become uint32 when stored.
 */
export function philox4x32(
  c0: number,
  c1: number,
  c2: number,
  c3: number,
  k0: number,
  k1: number,
  out: Uint32Array,
  offset = 0,
  rounds = 10,
): void {
  let x0 = c0 | 0;
  let x1 = c1 | 0;
  let x2 = c2 | 0;
  let x3 = c3 | 0;
  k0 |= 0;
  k1 |= 0;
  for (let r = 0; r < rounds; r++) {
    // mulhi(x0, M0) and mulhi(x2, M1) by 16-bit halves (see mulhi32), inlined.
    let al = x0 & 0xffff;
    let ah = x0 >>> 16;
    let t = ah * M0_LO + ((al * M0_LO) >>> 16);
    let w = (t & 0xffff) + al * M0_HI;
    const hi0 = (ah * M0_HI + (t >>> 16) + (w >>> 16)) | 0;
    const lo0 = Math.imul(x0, PHILOX_M0);
    al = x2 & 0xffff;
    ah = x2 >>> 16;
    t = ah * M1_LO + ((al * M1_LO) >>> 16);
    w = (t & 0xffff) + al * M1_HI;
    const hi1 = (ah * M1_HI + (t >>> 16) + (w >>> 16)) | 0;
    const lo1 = Math.imul(x2, PHILOX_M1);
    x0 = hi1 ^ x1 ^ k0;
    x1 = lo1;
    x2 = hi0 ^ x3 ^ k1;
    x3 = lo0;
    k0 = (k0 + PHILOX_W0) | 0;
    k1 = (k1 + PHILOX_W1) | 0;
  }
  out[offset] = x0;
  out[offset + 1] = x1;
  out[offset + 2] = x2;
  out[offset + 3] = x3;
}

/**
 * Philox4x32-10 of the consecutive counters (block + i, c2, c3), i = 0 .. nBlocks-1, under (k0, k1), written to
 * out[4i .. 4i+3]; `block` is a non-negative integer below 2^53 whose low and high 32-bit halves are counter
 * words c0 and c1. This is the streams' refill: one call per batch of blocks keeps the round loop hot and the
 * counter arithmetic out of the per-word path. The same function of the inputs as philox4x32 (tested).
 */
export function philox4x32Blocks(
  block: number,
  nBlocks: number,
  c2: number,
  c3: number,
  k0: number,
  k1: number,
  out: Uint32Array,
): void {
  let lo = block % 4294967296;
  let hi = (block - lo) / 4294967296;
  const d2 = c2 | 0;
  const d3 = c3 | 0;
  for (let i = 0; i < nBlocks; i++) {
    let x0 = lo | 0;
    let x1 = hi | 0;
    let x2 = d2;
    let x3 = d3;
    let q0 = k0 | 0;
    let q1 = k1 | 0;
    for (let r = 0; r < 10; r++) {
      let al = x0 & 0xffff;
      let ah = x0 >>> 16;
      let t = ah * M0_LO + ((al * M0_LO) >>> 16);
      let w = (t & 0xffff) + al * M0_HI;
      const hi0 = (ah * M0_HI + (t >>> 16) + (w >>> 16)) | 0;
      const lo0 = Math.imul(x0, PHILOX_M0);
      al = x2 & 0xffff;
      ah = x2 >>> 16;
      t = ah * M1_LO + ((al * M1_LO) >>> 16);
      w = (t & 0xffff) + al * M1_HI;
      const hi1 = (ah * M1_HI + (t >>> 16) + (w >>> 16)) | 0;
      const lo1 = Math.imul(x2, PHILOX_M1);
      x0 = hi1 ^ x1 ^ q0;
      x1 = lo1;
      x2 = hi0 ^ x3 ^ q1;
      x3 = lo0;
      q0 = (q0 + PHILOX_W0) | 0;
      q1 = (q1 + PHILOX_W1) | 0;
    }
    const o = 4 * i;
    out[o] = x0;
    out[o + 1] = x1;
    out[o + 2] = x2;
    out[o + 3] = x3;
    if (++lo === 4294967296) {
      lo = 0;
      hi++;
    }
  }
}

/** Threefry key-schedule parity constant (Skein's C240 truncated to 32 bits; Salmon et al. 2011, Random123). */
const SKEIN_KS_PARITY32 = 0x1bd11bda;

/** Threefry4x32 rotation constants R_32x4 (Salmon et al. 2011, Table 4 / Random123 threefry.h), by round mod 8. */
const R32X4: readonly (readonly [number, number])[] = [
  [10, 26],
  [11, 21],
  [13, 27],
  [23, 5],
  [6, 20],
  [17, 11],
  [25, 10],
  [18, 20],
];

/** Word i of the 5-word Threefry key schedule (a function rather than an array, so a call allocates nothing). */
function ksWord(i: number, a: number, b: number, c: number, d: number, e: number): number {
  return i === 0 ? a : i === 1 ? b : i === 2 ? c : i === 3 ? d : e;
}

function rotl32(x: number, n: number): number {
  return ((x << n) | (x >>> (32 - n))) >>> 0;
}

/**
 * Threefry4x32 (default 20 rounds): a Threefish-style ARX bijection of counter (c0..c3) under the 128-bit key
 * (k0..k3); output words go to out[offset .. offset+3]. Key injection every 4 rounds with the parity word
 * k4 = C ^ k0 ^ k1 ^ k2 ^ k3 and the injection count added to the last word (Salmon et al. 2011, section 3.1).
 */
export function threefry4x32(
  c0: number,
  c1: number,
  c2: number,
  c3: number,
  k0: number,
  k1: number,
  k2: number,
  k3: number,
  out: Uint32Array,
  offset = 0,
  rounds = 20,
): void {
  const ks0 = k0 >>> 0;
  const ks1 = k1 >>> 0;
  const ks2 = k2 >>> 0;
  const ks3 = k3 >>> 0;
  const ks4 = (SKEIN_KS_PARITY32 ^ ks0 ^ ks1 ^ ks2 ^ ks3) >>> 0;
  let x0 = ((c0 >>> 0) + ks0) >>> 0;
  let x1 = ((c1 >>> 0) + ks1) >>> 0;
  let x2 = ((c2 >>> 0) + ks2) >>> 0;
  let x3 = ((c3 >>> 0) + ks3) >>> 0;
  for (let r = 0; r < rounds; r++) {
    const rot = R32X4[r & 7];
    if ((r & 1) === 0) {
      x0 = (x0 + x1) >>> 0;
      x1 = (rotl32(x1, rot[0]) ^ x0) >>> 0;
      x2 = (x2 + x3) >>> 0;
      x3 = (rotl32(x3, rot[1]) ^ x2) >>> 0;
    } else {
      x0 = (x0 + x3) >>> 0;
      x3 = (rotl32(x3, rot[0]) ^ x0) >>> 0;
      x2 = (x2 + x1) >>> 0;
      x1 = (rotl32(x1, rot[1]) ^ x2) >>> 0;
    }
    if ((r & 3) === 3) {
      const s = (r + 1) >>> 2;
      x0 = (x0 + ksWord(s % 5, ks0, ks1, ks2, ks3, ks4)) >>> 0;
      x1 = (x1 + ksWord((s + 1) % 5, ks0, ks1, ks2, ks3, ks4)) >>> 0;
      x2 = (x2 + ksWord((s + 2) % 5, ks0, ks1, ks2, ks3, ks4)) >>> 0;
      x3 = (x3 + ksWord((s + 3) % 5, ks0, ks1, ks2, ks3, ks4) + s) >>> 0;
    }
  }
  out[offset] = x0;
  out[offset + 1] = x1;
  out[offset + 2] = x2;
  out[offset + 3] = x3;
}
