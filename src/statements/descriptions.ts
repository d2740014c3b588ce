// Plain-language descriptions of common procedure codes for statements (HFMA Patient Friendly Billing:
// patients should not have to decode CPT). Codes not listed fall back to a generic wording with the code.
const DESCRIPTIONS: Record<string, string> = {
  '99202': 'New patient office visit (short)',
  '99203': 'New patient office visit',
  '99204': 'New patient office visit (extended)',
  '99205': 'New patient office visit (complex)',
  '99211': 'Office visit, established patient (brief)',
  '99212': 'Office visit, established patient (short)',
  '99213': 'Office visit, established patient',
  '99214': 'Office visit, established patient (extended)',
  '99215': 'Office visit, established patient (complex)',
  '99381': 'Preventive visit, infant',
  '99395': 'Preventive visit, adult 18-39',
  '99396': 'Preventive visit, adult 40-64',
  '99397': 'Preventive visit, adult 65 and over',
  '36415': 'Blood draw',
  '80053': 'Blood test, comprehensive metabolic panel',
  '80061': 'Blood test, cholesterol panel',
  '81002': 'Urine test',
  '85025': 'Blood count (CBC)',
  '87880': 'Strep test',
  '90471': 'Vaccine administration',
  '90686': 'Flu vaccine',
  '93000': 'Heart tracing (EKG)',
  '71046': 'Chest X-ray, 2 views',
  '73610': 'Ankle X-ray, 3 views',
  '97110': 'Physical therapy, exercises',
  '97140': 'Physical therapy, manual therapy',
  '12001': 'Wound repair, simple',
  '17110': 'Wart removal',
  '20610': 'Joint injection, large joint',
  J1100: 'Injection, dexamethasone',
  G0439: 'Annual wellness visit',
};

export function describeProcedure(code: string): string {
  return DESCRIPTIONS[code] ?? `Medical service (code ${code})`;
}
