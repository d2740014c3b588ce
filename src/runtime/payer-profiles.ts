// Loading payer profiles from a folder of JSON files (one per payer). Every problem in every file is
// reported at once; two files claiming the same payerId are an error, not "last one wins".
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { ClaimsError } from '../common/errors.ts';
import { isMedicaidKind, NEVER_BILL_PATIENT_FOR_SILENCE, PayerProfile, type Crosswalk } from '../domain/payer-profile.ts';

export async function loadPayerProfiles(dir: string): Promise<Map<string, PayerProfile>> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.json')).sort();
  const profiles = new Map<string, PayerProfile>();
  const problems: string[] = [];
  for (const name of names) {
    const file = path.join(dir, name);
    let json: unknown;
    try {
      json = JSON.parse(await readFile(file, 'utf8'));
    } catch (err) {
      problems.push(`${name}: not JSON (${(err as Error).message})`);
      continue;
    }
    const parsed = parsePayerProfile(json);
    if (!parsed.ok) {
      problems.push(...parsed.problems.map((p) => `${name}: ${p}`));
      continue;
    }
    if (profiles.has(parsed.profile.payerId)) problems.push(`${name}: payerId ${parsed.profile.payerId} is already defined by another file`);
    else profiles.set(parsed.profile.payerId, parsed.profile);
  }
  if (problems.length > 0) {
    throw new ClaimsError({ code: 'PAYER_PROFILE_INVALID', message: `invalid payer profiles in ${dir}:\n  ${problems.join('\n  ')}`, location: { file: dir } });
  }
  return profiles;
}

export function parsePayerProfile(json: unknown): { ok: true; profile: PayerProfile } | { ok: false; problems: string[] } {
  const parsed = PayerProfile.safeParse(json);
  if (!parsed.success) return { ok: false, problems: parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`) };
  const problems: string[] = [];
  const checkCrosswalk = (crosswalk: Crosswalk, at: string): void => {
    crosswalk.rules.forEach((r, i) => {
      try {
        new RegExp(r.codePattern);
      } catch {
        problems.push(`${at}.rules.${i}.codePattern: not a regular expression`);
      }
    });
    crosswalk.entries.forEach((e, i) => {
      if (e.to !== undefined && e.to < e.from) problems.push(`${at}.entries.${i}.to: ends before it starts (${e.from} .. ${e.to})`);
    });
  };
  checkCrosswalk(parsed.data.crosswalk, 'crosswalk');
  const { kind, rules } = parsed.data;
  if (rules.unansweredToPatientAfterDays !== undefined && NEVER_BILL_PATIENT_FOR_SILENCE.has(kind)) {
    problems.push(`rules.unansweredToPatientAfterDays: a ${kind} payer's patients may not be billed because the payer has not answered`);
  }
  if (rules.medicaidCopayMax !== undefined && !isMedicaidKind(kind)) problems.push(`rules.medicaidCopayMax: only for a Medicaid payer (kind is ${kind})`);
  for (const [practiceId, own] of Object.entries(parsed.data.practices)) {
    if (own.crosswalk !== undefined) checkCrosswalk(own.crosswalk, `practices.${practiceId}.crosswalk`);
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, profile: parsed.data };
}

/** Practice ids a profile has overrides for that are not registered: a typo would silently bill at the payer's terms. */
export function unknownProfilePractices(profiles: Iterable<PayerProfile>, registered: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  for (const p of profiles) {
    for (const id of Object.keys(p.practices)) if (!registered.has(id)) problems.push(`payer ${p.payerId}: practices.${id} is not a registered practice`);
  }
  return problems;
}
