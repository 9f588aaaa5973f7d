/**
 * Philox4x32-10 batch kernel as a tiny WebAssembly module, assembled here from its instructions (no toolchain,
 * no binary blob). JavaScript has no 32x32 -> 64-bit multiply, so philox4x32Blocks builds each high word from
 * 16-bit partial products; WebAssembly's i64.mul gives it in one instruction, which makes a block several times
 * cheaper. Same function of the same inputs as philox4x32Blocks (Salmon et al. 2011; tested against it and the
 * Random123 known-answer vectors through the streams), so which kernel runs never changes a bit. If
 * WebAssembly is unavailable, createPhiloxKernel() returns undefined and the streams use the JavaScript kernel.
 *
 * Module: one exported memory of one page, and
 *   blocks(lo, hi, n, c2, c3, k0, k1): for i in [0, n), the block at counter (lo, hi) + i (64-bit increment)
 *   written as four little-endian uint32 at byte 16*i.
 * The 10 rounds are unrolled.
 */
import { PHILOX_M0, PHILOX_M1, PHILOX_W0, PHILOX_W1 } from './philox.js';

/** Most blocks one blocks() call may write (the output area is 16 * MAX_KERNEL_BLOCKS bytes at offset 0). */
export const MAX_KERNEL_BLOCKS = 256;

export interface PhiloxKernel {
  /** The kernel's output area: words 4i .. 4i+3 are block i of the last call. */
  readonly out: Uint32Array;
  /** views[n]: out's first 4n words (n <= MAX_KERNEL_BLOCKS), made once so a refill copies without allocating. */
  readonly views: readonly Uint32Array[];
  readonly blocks: (
    lo: number,
    hi: number,
    n: number,
    c2: number,
    c3: number,
    k0: number,
    k1: number,
  ) => void;
}

// Opcodes (WebAssembly core specification 1.0, section 5.4).
const OP = {
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  i32Store: 0x36,
  i32Const: 0x41,
  i64Const: 0x42,
  i32Eqz: 0x45,
  i32GeU: 0x4f,
  i32Add: 0x6a,
  i32Xor: 0x73,
  i64Mul: 0x7e,
  i64ShrU: 0x88,
  i32WrapI64: 0xa7,
  i64ExtendI32U: 0xad,
} as const;
const I32 = 0x7f;
const I64 = 0x7e;
const VOID = 0x40;

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 of a 32-bit (or, for i64.const, a non-negative below 2^53) integer. */
function sleb(v: number): number[] {
  const out: number[] = [];
  let n = BigInt(v);
  for (;;) {
    const b = Number(n & 0x7fn);
    n >>= 7n;
    if ((n === 0n && (b & 0x40) === 0) || (n === -1n && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const name = (s: string): number[] => [...uleb(s.length), ...Array.from(s, (ch) => ch.charCodeAt(0))];

/** The module's bytes. */
export function philoxKernelBytes(): Uint8Array {
  // Parameters 0..6: lo, hi, n, c2, c3, k0, k1. Locals: 7..12 x0 x1 x2 x3 q0 q1, 13 i, 14 o (i32); 15 p0, 16 p1 (i64).
  const [LO, HI, N, C2, C3, K0, K1] = [0, 1, 2, 3, 4, 5, 6];
  const [X0, X1, X2, X3, Q0, Q1, I, O, P0, P1] = [7, 8, 9, 10, 11, 12, 13, 14, 15, 16];
  const get = (l: number) => [OP.localGet, l];
  const set = (l: number) => [OP.localSet, l];
  const c: number[] = [];
  c.push(...[OP.i32Const, 0], ...set(I), ...[OP.i32Const, 0], ...set(O));
  c.push(OP.block, VOID, OP.loop, VOID);
  // if (i >= n) break
  c.push(...get(I), ...get(N), OP.i32GeU, OP.brIf, 1);
  c.push(...get(LO), ...set(X0), ...get(HI), ...set(X1), ...get(C2), ...set(X2), ...get(C3), ...set(X3));
  c.push(...get(K0), ...set(Q0), ...get(K1), ...set(Q1));
  for (let r = 0; r < 10; r++) {
    // p0 = x0 * M0, p1 = x2 * M1 (64-bit)
    c.push(...get(X0), OP.i64ExtendI32U, OP.i64Const, ...sleb(PHILOX_M0), OP.i64Mul, ...set(P0));
    c.push(...get(X2), OP.i64ExtendI32U, OP.i64Const, ...sleb(PHILOX_M1), OP.i64Mul, ...set(P1));
    // x0 = hi(p1) ^ x1 ^ q0; x2 = hi(p0) ^ x3 ^ q1; x1 = lo(p1); x3 = lo(p0)
    c.push(
      ...get(P1),
      OP.i64Const,
      32,
      OP.i64ShrU,
      OP.i32WrapI64,
      ...get(X1),
      OP.i32Xor,
      ...get(Q0),
      OP.i32Xor,
    );
    c.push(...set(X0));
    c.push(
      ...get(P0),
      OP.i64Const,
      32,
      OP.i64ShrU,
      OP.i32WrapI64,
      ...get(X3),
      OP.i32Xor,
      ...get(Q1),
      OP.i32Xor,
    );
    c.push(...set(X2));
    c.push(...get(P1), OP.i32WrapI64, ...set(X1), ...get(P0), OP.i32WrapI64, ...set(X3));
    if (r < 9) {
      c.push(...get(Q0), OP.i32Const, ...sleb(PHILOX_W0 | 0), OP.i32Add, ...set(Q0));
      c.push(...get(Q1), OP.i32Const, ...sleb(PHILOX_W1 | 0), OP.i32Add, ...set(Q1));
    }
  }
  // store x0..x3 at o (align 2^2, offsets 0, 4, 8, 12)
  [X0, X1, X2, X3].forEach((x, w) => {
    c.push(...get(O), ...get(x), OP.i32Store, 2, ...uleb(4 * w));
  });
  c.push(...get(O), OP.i32Const, 16, OP.i32Add, ...set(O));
  // lo += 1; if (lo == 0) hi += 1
  c.push(...get(LO), OP.i32Const, 1, OP.i32Add, OP.localTee, LO, OP.i32Eqz, OP.if, VOID);
  c.push(...get(HI), OP.i32Const, 1, OP.i32Add, ...set(HI), OP.end);
  c.push(...get(I), OP.i32Const, 1, OP.i32Add, ...set(I));
  c.push(OP.br, 0, OP.end, OP.end, OP.end);
  const locals = vec([
    [8, I32],
    [2, I64],
  ]);
  const body = [...locals, ...c];
  const bytes = [
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vec([[0x60, ...vec([[I32], [I32], [I32], [I32], [I32], [I32], [I32]]), 0]])),
    ...section(3, vec([[0]])),
    ...section(5, vec([[0x00, 1]])),
    ...section(
      7,
      vec([
        [...name('blocks'), 0x00, 0],
        [...name('memory'), 0x02, 0],
      ]),
    ),
    ...section(10, vec([[...uleb(body.length), ...body]])),
  ];
  return Uint8Array.from(bytes);
}

/** The part of the WebAssembly JS API used here (the project's lib settings do not declare it). */
export interface WasmApi {
  readonly Module: new (bytes: Uint8Array) => object;
  readonly Instance: new (module: object, imports: object) => { readonly exports: Record<string, unknown> };
  validate(bytes: Uint8Array): boolean;
}

/** The global WebAssembly object, if this runtime has one. */
export const wasmApi = (): WasmApi | undefined => (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

let cached: PhiloxKernel | undefined | null = null;

/** The shared WebAssembly kernel (instantiated once, synchronously), or undefined without WebAssembly. */
export function createPhiloxKernel(): PhiloxKernel | undefined {
  if (cached !== null) return cached;
  cached = undefined;
  const wasm = wasmApi();
  if (wasm === undefined) return undefined;
  try {
    const instance = new wasm.Instance(new wasm.Module(philoxKernelBytes()), {});
    const memory = instance.exports.memory as { readonly buffer: ArrayBuffer };
    const out = new Uint32Array(memory.buffer, 0, 4 * MAX_KERNEL_BLOCKS);
    cached = {
      out,
      views: Array.from({ length: MAX_KERNEL_BLOCKS + 1 }, (_, n) => out.subarray(0, 4 * n)),
      blocks: instance.exports.blocks as PhiloxKernel['blocks'],
    };
  } catch {
    cached = undefined;
  }
  return cached;
}
