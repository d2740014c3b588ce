// A segment terminator that looks wrong. The terminator is the byte after ISA16; when an ISA is written
// with a line break there (ISA16 then a newline) while its segments really end with `~`, every segment
// after the ISA is read as one line: `~GS*...` is no segment tag (dozens of SEGMENT_OUTSIDE_GROUP), or
// `GS*...~` ends in the terminator (GS08 `005010X221A1~` is no guide). The first segment after the ISA
// says which: this names the character the segments end with, so the report can say so once. Pure.
import type { Delimiters, Segment } from './segment.ts';
import type { ProblemSpec } from './header-checks.ts';

const LINE_BREAKS = new Set(['\n', '\r']);
const TAG = /^[A-Z][A-Z0-9]{1,2}$/;
/** Segments that follow one another at the envelope level: what comes after a terminator there. */
const ENVELOPE_TAGS = ['GS', 'ST', 'SE', 'GE', 'IEA', 'TA1'];

/** How a delimiter is shown in a message: `'\n'`, `'~'`. */
export function showDelimiter(c: string): string {
  return `'${c.replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t')}'`;
}

/**
 * The character the segments seem to end with, when the ISA declares a line break as the terminator and
 * the first segment after it holds another terminator at its start, its end, or before an envelope tag;
 * else null (a file that really ends its segments with line breaks has none of these).
 */
export function suspectTerminator(first: Segment, declared: Delimiters): string | null {
  if (!LINE_BREAKS.has(declared.segment)) return null;
  const sep = declared.element;
  const text = first.elements.join(sep).replace(/[\s]+$/, '');
  const candidate = (c: string): boolean => c !== '' && !/[A-Za-z0-9\s]/.test(c) && c !== sep && c !== declared.component && c !== declared.repetition;
  const tagged = (rest: string): boolean => TAG.test(rest.trimStart().split(sep)[0] ?? '') && rest.includes(sep);
  const head = text.charAt(0);
  if (candidate(head) && tagged(text.slice(1))) return head;
  const tail = text.charAt(text.length - 1);
  if (candidate(tail) && tagged(text)) return tail;
  for (let i = 1; i < text.length; i++) {
    const c = text.charAt(i);
    if (!candidate(c)) continue;
    const rest = text.slice(i + 1).trimStart();
    if (ENVELOPE_TAGS.some((t) => rest.startsWith(t + sep))) return c;
  }
  return null;
}

/** The one error for an interchange whose first segment after the ISA shows a terminator that looks wrong, else null. */
export function terminatorProblem(first: Segment, declared: Delimiters): ProblemSpec | null {
  const seen = suspectTerminator(first, declared);
  if (seen === null) return null;
  const isa = showDelimiter(declared.segment);
  return {
    code: 'SEGMENT_TERMINATOR_SUSPECT',
    message: `the segment terminator looks wrong: ISA declares ${isa} but segments end with ${showDelimiter(seen)}; the interchange is not read (fix the character after ISA16)`,
    expected: `segments ending with ${isa}, as ISA declares`, found: `segments ending with ${showDelimiter(seen)}`, ack: { ta1: '024' },
  };
}
