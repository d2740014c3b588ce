// The money convention of the product's JSON (README, "Output"), as a check on a parsed document: an
// amount is integer cents as a JSON number in a field named ...Cents; no dollars beside it.

/** Where `doc` breaks the convention, as `$.path: what`; empty when it keeps it. */
export function moneyConventionProblems(doc: unknown, at = '$'): string[] {
  if (Array.isArray(doc)) return doc.flatMap((v, i) => moneyConventionProblems(v, `${at}[${i}]`));
  if (doc === null || typeof doc !== 'object') return [];
  const problems: string[] = [];
  for (const [key, value] of Object.entries(doc)) {
    const here = `${at}.${key}`;
    if (key.endsWith('Cents') && value !== null && !Number.isSafeInteger(value)) problems.push(`${here}: ${JSON.stringify(value)} is not integer cents`);
    if (/^amount$|Amount$|^payment$/.test(key)) problems.push(`${here}: an amount outside a ...Cents field`);
    problems.push(...moneyConventionProblems(value, here));
  }
  return problems;
}
