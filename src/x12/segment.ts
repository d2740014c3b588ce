// The segment contract: what the tokenizer yields and every transaction reader consumes.
// Lossless: element text is kept exactly as received; interpretation happens in later layers.

/** Delimiters of one interchange, read from its ISA. */
export interface Delimiters {
  /** ISA byte 4, usually `*`. */
  element: string;
  /** ISA16, usually `:` (or `>`). */
  component: string;
  /** ISA11 in 5010 (`^`); null when ISA11 is the 4010 standards identifier `U`. */
  repetition: string | null;
  /** The character after ISA16, usually `~`. */
  segment: string;
}

/**
 * One segment. `elements[0]` is the tag, so `elements[4]` is the fourth element (CLP04), as the guides
 * number them. Element text is raw: composites and repetitions are split on demand.
 */
export interface Segment {
  tag: string;
  elements: string[];
  /** 0-based index of the segment in the file (across interchanges). */
  index: number;
  /** Byte offset of the segment's first byte in the file. */
  byteOffset: number;
  delimiters: Delimiters;
  /**
   * Bytes between the previous segment's terminator and this segment's tag, exactly as received
   * (line breaks, indentation, a UTF-8 BOM as U+FEFF). Absent when there were none. Kept so a file can be
   * written back byte for byte.
   */
  leading?: string;
  /** Length in bytes of the segment text, terminator excluded. */
  byteLength?: number;
  /** The segment text as received (one char per byte, terminator excluded), when the tokenizer kept it. */
  readonly raw?: string;
  /** True when the input ended before this segment's terminator (the last segment of a cut-off file). */
  unterminated?: boolean;
}
