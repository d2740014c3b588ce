// Test fixture only: turn a small X12 text written in a test into Segment records, so the pure readers can
// be tested before and apart from the project's tokenizer. Delimiters come from the ISA when there is one.
import type { Delimiters, Segment } from '../../src/x12/segment.ts';

export const STANDARD: Delimiters = { element: '*', component: ':', repetition: '^', segment: '~' };

export function segmentsOf(text: string, delimiters: Delimiters = STANDARD): Segment[] {
  let d = delimiters;
  if (text.startsWith('ISA') && text.length >= 106) {
    d = { element: text[3]!, repetition: text[82] === 'U' ? null : text[82]!, component: text[104]!, segment: text[105]! };
  }
  const out: Segment[] = [];
  let offset = 0;
  for (const raw of text.split(d.segment)) {
    const trimmed = raw.replace(/^[\r\n\t ]+/, '');
    const start = offset + (raw.length - trimmed.length);
    offset += raw.length + 1;
    if (trimmed === '') continue;
    const elements = trimmed.split(d.element);
    out.push({ tag: elements[0]!, elements, index: out.length, byteOffset: start, delimiters: d });
  }
  return out;
}

/** The segments from ST to SE of the n-th set (0-based). */
export function setOf(segments: Segment[], n = 0): Segment[] {
  const starts = segments.filter((s) => s.tag === 'ST');
  const st = starts[n];
  if (!st) throw new Error(`no set ${n}`);
  const end = segments.findIndex((s, i) => i > st.index && s.tag === 'SE');
  return segments.slice(st.index, end + 1);
}
