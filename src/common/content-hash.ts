// Content hashes for idempotency: a claim's hash decides "same claim again" versus "different content under
// the same key"; a crosswalk's hash pins the exact version that mapped a claim. Canonical JSON (keys sorted,
// no whitespace) so that key order in the export does not change the hash.
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
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;

export function sha256Hex(text: string): string {
  return oneShot ? oneShot('sha256', text, 'hex') : crypto.createHash('sha256').update(text).digest('hex');
}

export const contentHash = (value: unknown): string => sha256Hex(canonicalJson(value));
