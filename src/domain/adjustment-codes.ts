// Claim adjustment reason codes (CARC, X12 code source 139) by what a billing office does about them: one
// versioned table, in our own words, sorted by next action as DOMAIN.md's revenue-cycle section 3 sorts
// them. classifyAdjustment() reads a CAS group (CO, PR, OA, PI) and CARC (and the claim's RARCs where they
// change the answer) and says where the money belongs. Pure; the posting rules and the denial work queue
// read it (issue 19).
//
// A code not in the table is never a write-off: under CO or PI it is an unclassified denial that stays a
// receivable from the payer until someone decides (the safe default keeps the money visible).

/** Bumped with every change of the table; recorded with what was classified by it. */
export const ADJUSTMENT_TABLE_VERSION = '2026-12-08.1';

/** What the work queue suggests for a denial. */
export type DenialAction =
  /** Fix the claim (codes, modifiers, provider, coverage data) and send a corrected or new claim. */
  | 'correct_and_resubmit'
  /** Send records and argue the payer's decision. */
  | 'appeal'
  /** Nothing to recover (timely filing, benefit exhausted): write it off to denial write-off. */
  | 'write_off'
  /** The payer says it is not this patient's payer: find the right coverage, else self-pay. */
  | 'find_coverage'
  /** Not in the table: someone reads the remark and decides. */
  | 'review';

export type AdjustmentClass =
  /** The contract's discount (CO-45 and kin): written off at posting. */
  | 'contractual'
  /** Medicare's 2% payment reduction (CO-253): its own account. */
  | 'sequestration'
  /** The payer refused to pay: a receivable to work, not a write-off. */
  | 'denial'
  /** Exact duplicate (18): closes the duplicate; the original keeps its receivable. */
  | 'duplicate'
  /** The patient's share (PR): deductible, coinsurance, copay and the rest; the next payer first. */
  | 'patient_responsibility'
  /** A payer-initiated reduction without a contract behind it (PI): the provider's. */
  | 'payer_reduction'
  /** A later payer restating what an earlier payer decided (OA-23, OA-209): already posted with that payer. */
  | 'prior_payer'
  /** Adjudication pending (133): expect a reversal and a new decision. */
  | 'pending'
  | 'other';

export interface CarcEntry {
  /** Short reason text, our wording of the code's meaning. */
  text: string;
  /** The class under CO (and PI, when it is a denial code). */
  class: 'contractual' | 'sequestration' | 'denial' | 'duplicate' | 'patient_responsibility' | 'other';
  /** For denials: the suggested next action. */
  action?: DenialAction;
}

const contractual = (text: string): CarcEntry => ({ text, class: 'contractual' });
const denial = (action: DenialAction, text: string): CarcEntry => ({ text, class: 'denial', action });
const patient = (text: string): CarcEntry => ({ text, class: 'patient_responsibility' });

/** By CARC. */
export const CARC: Readonly<Record<string, CarcEntry>> = {
  // Patient responsibility (normally under PR).
  '1': patient('deductible'),
  '2': patient('coinsurance'),
  '3': patient('copayment'),
  '66': patient('blood deductible'),
  '100': patient('the payer paid the patient: collect from the patient'),
  '187': patient('paid from a consumer spending account (HSA, FSA)'),
  '227': patient('the patient did not give information the payer asked for'),
  // Contractual, posted as a discount.
  '45': contractual('charge exceeds the fee schedule or contracted amount'),
  '59': contractual('multiple or concurrent procedure rules'),
  '24': contractual('covered by a capitation or managed care plan'),
  '94': contractual('processed in excess of charges'),
  '104': contractual('managed care withholding'),
  '131': contractual('claim-specific negotiated discount'),
  '237': contractual('legislated or regulatory penalty'),
  '303': contractual('prior payer\'s patient responsibility not covered (QMB)'),
  '253': { text: 'sequestration: reduction of the federal payment', class: 'sequestration' },
  '18': { text: 'exact duplicate claim or service', class: 'duplicate' },
  // Denials to correct and resubmit.
  '4': denial('correct_and_resubmit', 'procedure code inconsistent with the modifier, or a modifier missing'),
  '5': denial('correct_and_resubmit', 'procedure code or bill type inconsistent with the place of service'),
  '6': denial('correct_and_resubmit', 'procedure or revenue code inconsistent with the patient\'s age'),
  '7': denial('correct_and_resubmit', 'procedure or revenue code inconsistent with the patient\'s sex'),
  '8': denial('correct_and_resubmit', 'procedure code inconsistent with the provider type or specialty'),
  '9': denial('correct_and_resubmit', 'diagnosis inconsistent with the patient\'s age'),
  '10': denial('correct_and_resubmit', 'diagnosis inconsistent with the patient\'s sex'),
  '11': denial('correct_and_resubmit', 'diagnosis inconsistent with the procedure'),
  '15': denial('correct_and_resubmit', 'authorization number missing, invalid or not for this service'),
  '16': denial('correct_and_resubmit', 'claim lacks information or has billing errors (the remarks say which)'),
  '22': denial('correct_and_resubmit', 'another payer may be primary (coordination of benefits)'),
  '31': denial('correct_and_resubmit', 'patient cannot be identified as the payer\'s insured'),
  '107': denial('correct_and_resubmit', 'the related or qualifying claim or service was not identified'),
  '109': denial('correct_and_resubmit', 'not covered by this payer: send to the correct payer'),
  '125': denial('correct_and_resubmit', 'submission or billing errors'),
  '129': denial('correct_and_resubmit', 'prior processing information appears incorrect'),
  '140': denial('correct_and_resubmit', 'patient or insured health identification number and name do not match'),
  '146': denial('correct_and_resubmit', 'diagnosis not valid for the date of service'),
  '181': denial('correct_and_resubmit', 'procedure code not valid for the date of service'),
  '182': denial('correct_and_resubmit', 'modifier not valid for the date of service'),
  '185': denial('correct_and_resubmit', 'rendering provider not eligible to perform the service billed'),
  '189': denial('correct_and_resubmit', 'not otherwise classified or unlisted code used where a specific one exists'),
  '206': denial('correct_and_resubmit', 'national provider identifier missing'),
  '207': denial('correct_and_resubmit', 'national provider identifier invalid'),
  '208': denial('correct_and_resubmit', 'national provider identifier not matched'),
  '226': denial('correct_and_resubmit', 'information requested from the billing provider not provided or insufficient'),
  '252': denial('correct_and_resubmit', 'an attachment or other documentation is required'),
  // Denials to appeal with records.
  '39': denial('appeal', 'services denied when authorization was requested'),
  '50': denial('appeal', 'not deemed a medical necessity by the payer'),
  '55': denial('appeal', 'procedure or treatment considered experimental by the payer'),
  '56': denial('appeal', 'procedure or treatment not deemed proven effective'),
  '58': denial('appeal', 'treatment deemed rendered in an inappropriate place of service'),
  '96': denial('appeal', 'non-covered charge'),
  '97': denial('appeal', 'included in the payment for another service already adjudicated (bundled)'),
  '151': denial('appeal', 'the information does not support this many or this frequency of services'),
  '167': denial('appeal', 'diagnosis not covered'),
  '170': denial('appeal', 'payment denied when performed or billed by this type of provider'),
  '197': denial('appeal', 'precertification, authorization or notification absent'),
  '198': denial('appeal', 'precertification, authorization or notification exceeded'),
  '204': denial('appeal', 'service not covered under the patient\'s current benefit plan'),
  '234': denial('appeal', 'procedure not paid separately'),
  '236': denial('appeal', 'procedure or modifier combination not compatible with another procedure or modifier on the same day'),
  '242': denial('appeal', 'services not provided by network or primary care providers'),
  // Denials to write off.
  '29': denial('write_off', 'the time limit for filing has expired'),
  '35': denial('write_off', 'lifetime benefit maximum reached'),
  '119': denial('write_off', 'benefit maximum for this time period or occurrence reached'),
  // Coverage denials: find the right payer.
  '26': denial('find_coverage', 'expenses incurred before coverage'),
  '27': denial('find_coverage', 'expenses incurred after coverage terminated'),
  '177': denial('find_coverage', 'patient has not met the required eligibility requirements'),
  '200': denial('find_coverage', 'expenses incurred during a lapse in coverage'),
};

/** Remark codes that change the next action: MA130 (unprocessable) means a new claim, not a replacement. */
export const NEW_CLAIM_REMARKS: ReadonlySet<string> = new Set(['MA130']);

/** Under OA: restatements of a prior payer's decision and pending adjudication. */
const OA_CLASSES: Readonly<Record<string, AdjustmentClass>> = { '23': 'prior_payer', '209': 'prior_payer', '133': 'pending', '18': 'duplicate' };

export interface Classification {
  class: AdjustmentClass;
  /** For a denial: what to do next. */
  action?: DenialAction;
  /** The code is in the table (else a warning: the safe default applies). */
  known: boolean;
  text: string;
  /** A denial whose remarks say the correction is a new claim, not a replacement (MA130). */
  newClaim?: boolean;
}

/**
 * Where an adjustment's money belongs, by group and CARC (RARCs of the claim or line where they matter).
 * CO: the table's class; a CO code not in it is an unclassified denial to review. PR: the patient's. OA:
 * prior payer, pending, duplicate, else other. PI: a payer reduction, or a denial when the code is one.
 */
export function classifyAdjustment(group: string, carc: string, remarks: readonly string[] = []): Classification {
  const entry = CARC[carc];
  const text = entry?.text ?? `reason code ${carc} (not in table ${ADJUSTMENT_TABLE_VERSION})`;
  const known = entry !== undefined;
  if (group === 'PR') return { class: 'patient_responsibility', known, text };
  if (group === 'OA') return { class: OA_CLASSES[carc] ?? 'other', known: known || carc in OA_CLASSES, text };
  if (group === 'PI' && entry?.class !== 'denial') return { class: 'payer_reduction', known, text };
  if (group !== 'CO' && group !== 'PI') return { class: 'other', known: false, text };
  if (entry === undefined) return { class: 'denial', action: 'review', known, text };
  if (entry.class === 'patient_responsibility' || entry.class === 'other') {
    // A patient-type code under CO is the provider's all the same (CO is never billed to the patient).
    return { class: 'denial', action: 'review', known, text };
  }
  if (entry.class !== 'denial') return { class: entry.class, known, text };
  const newClaim = entry.action === 'correct_and_resubmit' && remarks.some((r) => NEW_CLAIM_REMARKS.has(r));
  return { class: 'denial', action: entry.action!, known, text, ...(newClaim && { newClaim }) };
}
