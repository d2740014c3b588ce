// Test-only: split X12 text into Segment records, reading the delimiters from the ISA (or `*`, `:`, `~`
// for a bare ST..SE). Deliberately simple and independent of src/x12 so reader tests do not depend on it.
import type { Delimiters, Segment } from '../../../src/x12/segment.ts';

export function segmentsOf(text: string): Segment[] {
  const body = text.replace(/^\uFEFF/, '');
  const start = body.indexOf('ISA');
  let d: Delimiters = { element: '*', component: ':', repetition: '^', segment: '~' };
  if (start >= 0 && body.length > start + 105) {
    const element = body[start + 3]!;
    const isa = body.slice(start).split(element);
    const isa16 = isa[16] ?? ':';
    d = { element, component: isa16[0]!, repetition: isa[11] === 'U' ? null : isa[11]!, segment: isa16[1] ?? '~' };
  }
  const out: Segment[] = [];
  let offset = 0;
  for (const raw of body.split(d.segment)) {
    const trimmed = raw.replace(/^[\s]+/, '');
    const lead = raw.length - trimmed.length;
    if (trimmed.trim() !== '') {
      const elements = trimmed.replace(/[\r\n]+$/, '').split(d.element);
      out.push({ tag: elements[0]!, elements, index: out.length, byteOffset: offset + lead, delimiters: d });
    }
    offset += raw.length + d.segment.length;
  }
  return out;
}

/** The ST..SE runs of a file, with their GS08 and ISA13/GS06. */
export function setsOf(text: string): { interchange: string; group: string; version: string; segments: Segment[] }[] {
  const sets: { interchange: string; group: string; version: string; segments: Segment[] }[] = [];
  let interchange = '';
  let group = '';
  let version = '';
  let current: Segment[] | null = null;
  for (const s of segmentsOf(text)) {
    if (s.tag === 'ISA') interchange = s.elements[13] ?? '';
    else if (s.tag === 'GS') { group = s.elements[6] ?? ''; version = s.elements[8] ?? ''; }
    else if (s.tag === 'ST') current = [s];
    else if (current) {
      current.push(s);
      if (s.tag === 'SE') { sets.push({ interchange, group, version, segments: current }); current = null; }
    }
  }
  return sets;
}
