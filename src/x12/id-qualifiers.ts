// What an identification code qualifier (NM108 and the like) says its NM109 is, for messages: an id is
// named by its qualifier, never assumed to be an NPI (a 277CA may name the billing provider by tax id, FI).
const LABELS: Readonly<Record<string, string>> = {
  XX: 'NPI', FI: 'tax id (FI)', '24': 'EIN (24)', '34': 'SSN (34)', '46': 'ETIN (46)', PI: 'payer id (PI)', XV: 'CMS plan id (XV)',
  SV: 'service provider number (SV)', MI: 'member id (MI)', II: 'unique health identifier (II)',
};

/** `NPI` for XX, `tax id (FI)` for FI, ...; an unknown qualifier is shown as it is. */
export function idLabel(qualifier: string): string {
  return LABELS[qualifier] ?? (qualifier === '' ? 'id (no qualifier)' : `id (qualifier ${qualifier})`);
}
