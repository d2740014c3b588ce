// Free text (people's names) to the X12 character set: the one place where a name written with letters
// outside ASCII (Łukasz Nguyễn) becomes what an 837 or 270 element may carry (Lukasz Nguyen). Records keep
// the name as written; only the X12 writers call this, so hashes, the database, statements and letters
// never see the transliterated text. Pure.

/** Letters that Unicode NFD does not decompose into a base letter and marks, plus look-alike punctuation. */
const TABLE: Readonly<Record<string, string>> = {
  'Ł': 'L', 'ł': 'l', 'Ø': 'O', 'ø': 'o', 'Đ': 'D', 'đ': 'd', 'Ð': 'D', 'ð': 'd',
  'Æ': 'AE', 'æ': 'ae', 'Œ': 'OE', 'œ': 'oe', 'Þ': 'TH', 'þ': 'th', 'ı': 'i', 'ẞ': 'SS',
  '\u2018': "'", '\u2019': "'", '\u02BC': "'", '\u201C': '"', '\u201D': '"',
  '\u2010': '-', '\u2011': '-', '\u2012': '-', '\u2013': '-', '\u2014': '-', '\u2015': '-',
};

/**
 * Characters the X12 writers use as delimiters (and that claims refuse in text): never produced here, even
 * where a decomposition would give one (≯ is > plus a combining mark).
 */
const RESERVED = new Set(['*', ':', '^', '~', '|', '>']);

const PRINTABLE_ASCII = /^[\x20-\x7E]*$/;
const WHITESPACE = /\s/u;

const isUpper = (c: string | undefined): boolean => c !== undefined && c !== c.toLowerCase() && c === c.toUpperCase();
const isLower = (c: string | undefined): boolean => c !== undefined && c !== c.toUpperCase() && c === c.toLowerCase();

/** ß as SS between capitals (STRAßE), ss elsewhere (Straße): names are often exported in capitals. */
function sharpS(chars: readonly string[], i: number): string {
  return isUpper(chars[i - 1]) && !isLower(chars[i + 1]) ? 'SS' : 'ss';
}

/**
 * The X12 (basic and extended, i.e. printable ASCII) spelling of `text`. Printable ASCII comes back
 * unchanged, so an ASCII name is written byte for byte as before (a delimiter in it is left for the
 * writer's own guard to refuse). Otherwise each character is taken from the table, or decomposed (NFD)
 * with its combining marks dropped; whitespace becomes a space; whatever is still outside the set is
 * dropped, not replaced by a space, because in a name it is almost always a mark inside a word (the
 * ʻokina of Kaʻahumanu, a modifier letter) where a space would split one name into two for the payer's
 * matching. Runs of spaces are collapsed and the ends trimmed. May return '' (a name in a script with no
 * Latin spelling): validation refuses such names before a writer sees them.
 */
export function toX12Text(text: string): string {
  if (PRINTABLE_ASCII.test(text)) return text;
  const chars = Array.from(text);
  let out = '';
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    const mapped = c === 'ß' ? sharpS(chars, i) : TABLE[c];
    if (mapped !== undefined) {
      out += mapped;
      continue;
    }
    for (const d of c.normalize('NFD')) {
      if (d >= ' ' && d <= '~') {
        if (!RESERVED.has(d)) out += d;
      } else if (WHITESPACE.test(d)) out += ' ';
      // Anything else (a combining mark, a letter of another script) is dropped.
    }
  }
  return out.replace(/ {2,}/g, ' ').trim();
}
