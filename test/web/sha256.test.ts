/**
 * The pure SHA-256 (src/scenario/sha256.ts) that replaced node:crypto on the scenario -> ScenarioRun path must give
 * node:crypto's digests: the FIPS 180-2 examples, the padding edge cases around one 64-byte block, multi-byte
 * UTF-8, and the parameter hash of a real run (manifests depend on it).
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashParameters } from '../../src/scenario/run.js';
import { sha256Hex } from '../../src/scenario/sha256.js';

const node = (s: string) => createHash('sha256').update(s).digest('hex');

describe('sha256Hex', () => {
  it('gives the FIPS 180-2 example digests', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('equals node:crypto at every length around the block and padding boundaries, and on UTF-8', () => {
    for (let n = 0; n <= 130; n++) {
      const s = 'x'.repeat(n);
      expect(sha256Hex(s), `length ${n}`).toBe(node(s));
    }
    for (const s of ['Hähnel', 'µg/mL ≥ 1', '😀'.repeat(40), 'a\u0000b'.repeat(100)])
      expect(sha256Hex(s)).toBe(node(s));
  });

  it('keeps the parameter hash of manifests: sha256 of the key-sorted {id: value} JSON', () => {
    const params = [
      { id: 'b', value: 0.1 },
      { id: 'a', value: 1e-300 },
      { id: 'c', value: -2.5 },
    ];
    expect(hashParameters(params)).toBe(node(JSON.stringify({ a: 1e-300, b: 0.1, c: -2.5 })));
  });
});
