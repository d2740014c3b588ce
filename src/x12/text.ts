// Byte and text helpers for the pure X12 core. Input bytes are scanned as latin1 (one char per byte), so a
// string index is a byte offset and delimiter searches run on native one-byte strings. Element text is
// re-decoded as UTF-8 only for the rare segment that holds non-ASCII bytes. No node:* imports here.

type Latin1Slice = (this: Uint8Array, start: number, end: number) => string;

/**
 * Node's native latin1 copy, when the runtime has one. It is taken from the global Buffer's prototype
 * (no node:* import) and works on any Uint8Array, so the scanner's joined chunks are as fast as Buffers.
 */
const nativeLatin1Slice = (globalThis as { Buffer?: { prototype: { latin1Slice?: Latin1Slice } } }).Buffer?.prototype.latin1Slice;

const SLICE = 8192;

/** Bytes to a string with one char per byte (ISO-8859-1), the fastest lossless view of X12 input. */
export function latin1(bytes: Uint8Array, start = 0, end = bytes.length): string {
  if (nativeLatin1Slice !== undefined) return nativeLatin1Slice.call(bytes, start, end);
  let out = '';
  for (let i = start; i < end; i += SLICE) {
    out += String.fromCharCode(...bytes.subarray(i, Math.min(end, i + SLICE)));
  }
  return out;
}

const NON_ASCII = /[\u0080-\u00ff]/;
const utf8Strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const utf8Encoder = new TextEncoder();

/** True when the latin1 text holds a byte of 0x80 or more. */
export function hasNonAscii(latin1Text: string): boolean {
  return NON_ASCII.test(latin1Text);
}

/**
 * Turn latin1 text (one char per byte) into the characters the sender meant: ASCII as is, valid UTF-8
 * decoded, anything else kept byte for byte (a latin1 reading) so nothing is lost.
 */
export function decodeSegmentText(latin1Text: string): string {
  if (!NON_ASCII.test(latin1Text)) return latin1Text;
  const bytes = new Uint8Array(latin1Text.length);
  for (let i = 0; i < latin1Text.length; i++) bytes[i] = latin1Text.charCodeAt(i);
  try {
    return utf8Strict.decode(bytes);
  } catch {
    return latin1Text;
  }
}

/** Text to UTF-8 bytes (what the writer's output is encoded as). */
export function encodeUtf8(text: string): Uint8Array {
  return utf8Encoder.encode(text);
}

/** Printable, length-capped rendering of found input for error messages (never a whole segment). */
export function excerpt(text: string, max = 24): string {
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  return JSON.stringify(cut);
}

const TAG = /^[A-Z][A-Z0-9]{1,2}$/;
const validTags = new Set<string>();

/** Whether `tag` is a segment identifier: 2 or 3 upper-case letters or digits, the first a letter (envelope.ts). */
export function validTag(tag: string): boolean {
  if (validTags.has(tag)) return true;
  if (!TAG.test(tag)) return false;
  // Valid tags are a small, closed set in practice; bound it anyway.
  if (validTags.size < 4096) validTags.add(tag);
  return true;
}
