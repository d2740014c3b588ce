// Content hashes for idempotency: a claim's hash decides "same claim again" versus "different content under
// the same key"; a crosswalk's hash pins the exact version that mapped a claim. Canonical JSON (keys sorted,
// no whitespace) so that key order in the export does not change the hash.
// node:crypto is the one node import in the core: hashing is pure, and a hand-written SHA-256 would be slower.
import { createHash } from 'node:crypto';

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    return typeof value === 'bigint' ? JSON.stringify(value.toString()) : JSON.stringify(value) ?? 'null';
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export const contentHash = (value: unknown): string => sha256Hex(canonicalJson(value));
