// Content hashes for idempotency: a claim's hash decides "same claim again" versus "different content under
// the same key"; a crosswalk's hash pins the exact version that mapped a claim. Canonical JSON (keys sorted,
// no whitespace) so that key order in the export does not change the hash. The product's sha256 helpers live
// here too (whole text or bytes, or fed in pieces; a file's in files.ts), so stored keys and checksums agree.
// node:crypto is the one node import in the core: hashing is pure, and a hand-written SHA-256 would be slower.
import * as crypto from 'node:crypto';

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'string') return JSON.stringify(value);
    return typeof value === 'bigint' ? `"${value.toString()}"` : JSON.stringify(value) ?? 'null';
  }
  // A hot path (every claim is hashed): plain loops and concatenation, no intermediate arrays.
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + canonicalJson(value[i]);
    return out + ']';
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).sort();
  let out = '{';
  let first = true;
  for (const k of keys) {
    const v = obj[k];
    if (v === undefined) continue;
    out += (first ? '' : ',') + JSON.stringify(k) + ':' + canonicalJson(v);
    first = false;
  }
  return out + '}';
}

// One-shot hashing (no Hash object per claim) where this Node has it (20.12+, 21.7+).
const oneShot = (crypto as { hash?: (algorithm: string, data: string | Uint8Array, encoding: 'hex') => string }).hash;

/** sha256 as 64 hex digits: text as UTF-8, bytes as they are. */
export function sha256Hex(data: string | Uint8Array): string {
  return oneShot ? oneShot('sha256', data, 'hex') : crypto.createHash('sha256').update(data).digest('hex');
}

/** sha256 over data given in pieces (a file's chunks, text built as it goes). */
export interface Sha256Hasher {
  /** Text as UTF-8, or latin1 (one byte per char: X12 as the tokenizer sees it); bytes as they are. */
  update(data: string | Uint8Array, encoding?: 'utf8' | 'latin1'): void;
  /** The digest of everything given, as sha256Hex of it all at once would give it. Once only. */
  hex(): string;
}

export function sha256Hasher(): Sha256Hasher {
  const hash = crypto.createHash('sha256');
  return {
    update: (data, encoding = 'utf8') => void (typeof data === 'string' ? hash.update(data, encoding) : hash.update(data)),
    hex: () => hash.digest('hex'),
  };
}

export const contentHash = (value: unknown): string => sha256Hex(canonicalJson(value));
