// Input text that reaches the database or a report. PostgreSQL cannot store a NUL in text (nor, in jsonb,
// a lone UTF-16 surrogate, which is what an export's "\ud800" becomes): such a value is bad input, found
// by the readers with `unstorableAt` and reported with its location, never an error from the database
// halfway through a night. And a report quotes input only as an excerpt: one 50 MB field copied into
// every rejection row, error and run record once filled a disk. `inputExcerpt` is the one rule for that.

/** Characters of a value a report quotes; a longer value is cut and its length given. */
export const EXCERPT_CHARS_MAX = 200;

// Any NUL or surrogate at all: the quick test, so the precise one below runs only on the rare suspect text.
// eslint-disable-next-line no-control-regex
const SUSPECT = /[\u0000\uD800-\uDFFF]/;
// eslint-disable-next-line no-control-regex
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// eslint-disable-next-line no-control-regex
const UNSTORABLE_ALL = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
/** What `inputExcerpt` makes of a long value, so that quoting an excerpt again leaves it as it is. */
const EXCERPT_SHAPE = /^"[\s\S]*\.\.\." \(\d+ characters\)$/;

/** Index of the first character the database cannot store as text (NUL, a lone surrogate), or -1. */
export function unstorableAt(text: string): number {
  if (!SUSPECT.test(text)) return -1;
  return UNSTORABLE.exec(text)?.index ?? -1;
}

/** What `unstorableAt` found, for a message: `NUL` or `a broken UTF-16 surrogate (U+D800)`. */
export function describeUnstorable(text: string, at: number): string {
  const code = text.charCodeAt(at);
  return code === 0 ? 'NUL (0x00)' : `a lone UTF-16 surrogate (U+${code.toString(16).toUpperCase()}), text that is not valid UTF-8`;
}

/**
 * A value as a report quotes it: up to EXCERPT_CHARS_MAX characters, a longer one cut as
 * `"abc..." (52428800 characters)`, with NUL written `\u0000` and a lone surrogate as U+FFFD so the
 * excerpt itself can always be stored. Quoting an excerpt again gives the same text.
 */
export function inputExcerpt(value: string): string {
  if (value.length <= EXCERPT_CHARS_MAX) return SUSPECT.test(value) ? storable(value) : value;
  if (value.length < EXCERPT_CHARS_MAX * 8 && EXCERPT_SHAPE.test(value) && !SUSPECT.test(value)) return value;
  return `"${storable(value.slice(0, EXCERPT_CHARS_MAX))}..." (${value.length} characters)`;
}

function storable(text: string): string {
  return text.replace(UNSTORABLE_ALL, (c) => (c === '\u0000' ? '\\u0000' : '\uFFFD'));
}
