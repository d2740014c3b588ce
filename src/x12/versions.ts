// The implementation guides we read (DOMAIN.md, "Versions to read") and which GS01 each set belongs to.
// Anything not listed here is unsupported and reported as such, never guessed at.

export type GuideStatus = 'supported' | 'errata' | 'unsupported';

export interface Guide {
  /** GS08 / ST03 text, e.g. 005010X221A1. */
  version: string;
  /** ST01 the guide is for. */
  setId: string;
  /** Short name: 835, 837P, 837I, 270, 271, 999, 277CA. */
  name: string;
  status: GuideStatus;
}

const LIST: Guide[] = [
  { version: '005010X222A1', setId: '837', name: '837P', status: 'supported' },
  { version: '005010X222A2', setId: '837', name: '837P', status: 'errata' },
  { version: '005010X222A3', setId: '837', name: '837P', status: 'errata' },
  { version: '005010X223A2', setId: '837', name: '837I', status: 'supported' },
  { version: '005010X223A1', setId: '837', name: '837I', status: 'errata' },
  { version: '005010X223A3', setId: '837', name: '837I', status: 'errata' },
  { version: '005010X221A1', setId: '835', name: '835', status: 'supported' },
  { version: '005010X279A1', setId: '270', name: '270', status: 'supported' },
  { version: '005010X279A1', setId: '271', name: '271', status: 'supported' },
  { version: '005010X231A1', setId: '999', name: '999', status: 'supported' },
  // The 999 guide before its errata: what many payers and translators still put in GS08 (same segments).
  { version: '005010X231', setId: '999', name: '999', status: 'errata' },
  { version: '005010X214', setId: '277', name: '277CA', status: 'supported' },
];

/** The guide for a set id and version, or undefined when we do not read that combination. */
export function findGuide(setId: string, version: string): Guide | undefined {
  return LIST.find((g) => g.setId === setId && g.version === version);
}

/** Every version string we accept for a set id (for "expected" in error messages). */
export function versionsFor(setId: string): string[] {
  return LIST.filter((g) => g.setId === setId).map((g) => g.version);
}

/** Every GS08 we accept at all. */
export function isKnownVersion(version: string): boolean {
  return LIST.some((g) => g.version === version);
}

/** GS01 functional identifier code that must carry each ST01. */
export const FUNCTIONAL_ID: Readonly<Record<string, string>> = {
  '837': 'HC', '835': 'HP', '270': 'HS', '271': 'HB', '277': 'HN', '999': 'FA',
};

/** The one interchange control version (ISA12) we read. */
export const ISA_VERSION = '00501';
