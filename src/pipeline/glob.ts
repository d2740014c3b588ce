// File-name patterns for inbox selection (`*.835`, `era_??.x12`): `*` any run of characters, `?` one,
// matched case-insensitively because payers name the same kind of file `.835`, `.ERA` or `.X12`.
// Names only, never paths: a stage picks files in one folder.

export function globToRegExp(pattern: string): RegExp {
  let out = '^';
  for (const ch of pattern) {
    if (ch === '*') out += '.*';
    else if (ch === '?') out += '.';
    else out += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(out + '$', 'i');
}

export function matchesAny(name: string, patterns: readonly string[] | undefined): boolean {
  if (patterns === undefined || patterns.length === 0) return true;
  return patterns.some((p) => globToRegExp(p).test(name));
}

/**
 * Names a drop folder holds that are not inputs: hidden files, uploads still in progress, our own reports,
 * and READMEs (sample and mailbox folders document themselves).
 */
export function isInputName(name: string): boolean {
  if (name.startsWith('.')) return false;
  if (/^readme(\.[a-z]+)?$/i.test(name)) return false;
  if (/\.(part|partial|tmp|filepart|crdownload)$/i.test(name)) return false;
  if (/\.error\.json$/i.test(name) || /\.sha256$/i.test(name)) return false;
  return true;
}
