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

// C0 control characters and DEL; FREE_TEXT_CONTROL spares tab and line breaks, which free text may hold.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001F\u007F]/;
// eslint-disable-next-line no-control-regex
const FREE_TEXT_CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

/**
 * Index of the first character a stored text field must not hold, or -1: what `unstorableAt` finds, and
 * any other C0 control character or DEL (an identifier with an ESC or a line break in it matches nothing
 * and breaks every report it is copied into). `freeText` allows tab and line breaks (a reason, a note).
 */
export function controlCharacterAt(text: string, opts: { freeText?: boolean } = {}): number {
  const control = (opts.freeText ? FREE_TEXT_CONTROL : CONTROL).exec(text)?.index ?? -1;
  const unstorable = unstorableAt(text);
  if (control === -1 || unstorable === -1) return Math.max(control, unstorable);
  return Math.min(control, unstorable);
}

/** What `unstorableAt` or `controlCharacterAt` found, for a message: `NUL (0x00)`, a lone surrogate, a control character. */
export function describeUnstorable(text: string, at: number): string {
  const code = text.charCodeAt(at);
  if (code === 0) return 'NUL (0x00)';
  const hex = code.toString(16).toUpperCase().padStart(4, '0');
  if (code >= 0xd800 && code <= 0xdfff) return `a lone UTF-16 surrogate (U+${hex}), text that is not valid UTF-8`;
  return `the control character U+${hex}`;
}

/**
 * The message for a field `controlCharacterAt` refused: `account holds NUL (0x00) at character 4: it cannot
 * be stored`. The value itself goes in `found`, where ClaimsError quotes it as an excerpt.
 */
export function controlCharacterMessage(field: string, text: string, at: number): string {
  const code = text.charCodeAt(at);
  const why = code === 0 || (code >= 0xd800 && code <= 0xdfff) ? 'it cannot be stored' : 'control characters are not accepted in it';
  return `${field} holds ${describeUnstorable(text, at)} at character ${at + 1}: ${why}`;
}

/** Text made storable without cutting it: NUL written `\u0000`, a lone surrogate U+FFFD (messages that quote input). */
export function storableText(text: string): string {
  return SUSPECT.test(text) ? storable(text) : text;
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
