// JSON text for run records, reports and summaries. Stages count cents as bigint, which JSON.stringify
// refuses; they are written as decimal strings, exact. Pure.

export function jsonText(value: unknown, indent?: number): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), indent);
}
