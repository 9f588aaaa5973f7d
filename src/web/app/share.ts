/**
 * Shareable links: the scenario YAML in the URL hash, deflated (CompressionStream 'deflate-raw') and base64url
 * encoded, `#s=<data>`. Plain text is kept readable and short enough for typical URL limits: the default scenario
 * is under 1 kB deflated. Decoding bad input throws an Error that says what was wrong.
 */

const PREFIX = 's=';

function toBase64Url(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(s: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(s)) throw new Error('the link is not base64url');
  const b64 = s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (s.length % 4)) % 4);
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

async function pipe(bytes: Uint8Array, stream: CompressionStream | DecompressionStream): Promise<Uint8Array> {
  const body = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(stream);
  return new Uint8Array(await new Response(body).arrayBuffer());
}

/** `s=<deflated base64url YAML>` (without the '#'). */
export async function encodeScenarioHash(yaml: string): Promise<string> {
  const packed = await pipe(new TextEncoder().encode(yaml), new CompressionStream('deflate-raw'));
  return PREFIX + toBase64Url(packed);
}

/** The scenario YAML of a hash made by encodeScenarioHash (with or without '#'); undefined when it carries none. */
export async function decodeScenarioHash(hash: string): Promise<string | undefined> {
  const h = hash.replace(/^#/, '');
  if (!h.startsWith(PREFIX)) return undefined;
  try {
    const bytes = await pipe(fromBase64Url(h.slice(PREFIX.length)), new DecompressionStream('deflate-raw'));
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (e) {
    throw new Error(`the link does not hold a scenario (${e instanceof Error ? e.message : String(e)})`);
  }
}
