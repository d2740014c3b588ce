// An independent structure check for 837P (005010X222A1) and 837I (005010X223A2) interchanges, written
// from the guides' loop tables and sharing no code with the writer (no imports from src/). It is
// table-driven: every segment becomes a symbol (tag plus its qualifier), the loop structure is a grammar over
// those symbols, and per-symbol element rules check required elements, code values and sizes. Then the
// cross-segment rules: envelope counts and control numbers, HL parents, CLM02 = sum of line charges, HI
// qualifiers and counts, diagnosis pointers, REF*6R on every line, REF*F8 on 7/8, 9-digit billing ZIP (both
// guides), 2010BA address and demographics only for a patient who is the subscriber, ISA/GS field values.
// docs/decisions/0043-837-conformance.md lists what was checked against the guides.

export interface ValidationIssue {
  segment: number;
  tag: string;
  message: string;
}

interface Seg {
  tag: string;
  el: string[];
  index: number;
}

type Rule = [position: number, required: boolean, check: RegExp | string[] | null, min: number, max: number];

const ID = (min: number, max: number) => new RegExp(`^[A-Za-z0-9 ]{${min},${max}}$`);
const PAYER_SEQUENCE = ['P', 'S', 'T', 'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'U'];
const CLAIM_FILING = ['11', '12', '13', '14', '15', '16', '17', 'AM', 'BL', 'CH', 'CI', 'DS', 'FI', 'HM', 'LM', 'MA', 'MB', 'MC', 'OF', 'TV', 'VA', 'WC', 'ZZ'];
const ID_QUALIFIERS = ['01', '14', '20', '27', '28', '29', '30', '33', 'ZZ'];
/** Facility types (bill type's first two digits) of inpatient claims: the 837I then needs DTP*435. */
const INPATIENT_FACILITY = ['11', '12', '18', '21', '22', '41'];
const AN = /^[\x20-\x7E]+$/;
const DT8 = /^\d{8}$/;
const R = /^\d{1,16}(\.\d{1,2})?$/;
const QTY = /^\d{1,15}(\.\d{1,3})?$/;

/** Element rules per symbol (tag + qualifier). [position, required, codes or pattern, min length, max length]. */
const ELEMENTS: Record<string, Rule[]> = {
  BHT: [[1, true, ['0019'], 4, 4], [2, true, ['00', '18'], 2, 2], [3, true, AN, 1, 50], [4, true, DT8, 8, 8], [5, true, /^\d{4,8}$/, 4, 8], [6, true, ['CH', 'RP', '31'], 2, 2]],
  NM1_41: [[2, true, ['1', '2'], 1, 1], [3, true, AN, 1, 60], [8, true, ['46'], 2, 2], [9, true, AN, 2, 80]],
  // 1000A and 2010AA contacts: at least one communication number (PER03/PER04 required).
  PER: [[1, true, ['IC'], 2, 2], [2, false, AN, 1, 60], [3, true, ['TE', 'EM', 'FX'], 2, 2], [4, true, AN, 1, 256], [5, false, ['TE', 'EM', 'FX', 'EX'], 2, 2]],
  NM1_40: [[2, true, ['2'], 1, 1], [3, true, AN, 1, 60], [8, true, ['46'], 2, 2], [9, true, AN, 2, 80]],
  HL: [[1, true, /^\d+$/, 1, 12], [3, true, ['20', '22', '23'], 2, 2], [4, true, ['0', '1'], 1, 1]],
  PRV_BI: [[2, true, ['PXC'], 2, 3], [3, true, /^[0-9A-Z]{10}$/, 10, 10]],
  NM1_85: [[2, true, ['1', '2'], 1, 1], [3, true, AN, 1, 60], [8, true, ['XX'], 2, 2], [9, true, /^\d{10}$/, 10, 10]],
  NM1_77: [[2, true, ['2'], 1, 1], [3, true, AN, 1, 60], [8, false, ['XX'], 2, 2], [9, false, /^\d{10}$/, 10, 10]],
  // 2010AB: only NM101 and NM102 are used.
  NM1_87: [[2, true, ['1', '2'], 1, 1]],
  N3: [[1, true, AN, 1, 55], [2, false, AN, 1, 55]],
  N4: [[1, true, AN, 2, 30], [2, true, /^[A-Z]{2}$/, 2, 2], [3, true, /^\d{5}(\d{4})?$/, 3, 15]],
  REF_EI: [[2, true, /^\d{9}$/, 9, 9]],
  // 2000B: SBR02 is 18 or nothing (the patient is the subscriber, or a 2000C follows).
  SBR_B: [[1, true, PAYER_SEQUENCE, 1, 1], [2, false, ['18'], 2, 2], [3, false, AN, 1, 50], [4, false, AN, 1, 60], [9, true, CLAIM_FILING, 2, 2]],
  // 2320: SBR02 is the patient's relationship to the other subscriber, required.
  SBR_O: [[1, true, PAYER_SEQUENCE, 1, 1], [2, true, ['01', '18', '19', '20', '21', '39', '40', '53', 'G8'], 2, 2], [3, false, AN, 1, 50], [4, false, AN, 1, 60], [9, true, CLAIM_FILING, 2, 2]],
  NM1_IL: [[2, true, ['1', '2'], 1, 1], [3, true, AN, 1, 60], [4, false, AN, 1, 35], [8, true, ['MI', 'II'], 2, 2], [9, true, AN, 2, 80]],
  DMG: [[1, true, ['D8'], 2, 2], [2, true, DT8, 8, 8], [3, true, ['F', 'M', 'U'], 1, 1]],
  NM1_PR: [[2, true, ['2'], 1, 1], [3, true, AN, 1, 60], [8, true, ['PI', 'XV'], 2, 2], [9, true, AN, 2, 80]],
  PAT: [[1, true, ['01', '19', '20', '21', '39', '40', '53', 'G8'], 2, 2]],
  NM1_QC: [[2, true, ['1'], 1, 1], [3, true, AN, 1, 60], [4, false, AN, 1, 35]],
  CLM: [[1, true, AN, 1, 38], [2, true, R, 1, 18], [5, true, null, 1, 20], [7, true, ['A', 'B', 'C'], 1, 1], [8, true, ['N', 'W', 'Y'], 1, 1], [9, true, ['I', 'Y'], 1, 1], [10, false, ['P'], 1, 1]],
  REF_F8: [[2, true, AN, 1, 50]],
  HI: [[1, true, null, 1, 100]],
  NM1_82: [[2, true, ['1', '2'], 1, 1], [3, true, AN, 1, 60], [8, true, ['XX'], 2, 2], [9, true, /^\d{10}$/, 10, 10]],
  NM1_71: [[2, true, ['1'], 1, 1], [3, true, AN, 1, 60], [8, false, ['XX'], 2, 2], [9, false, /^\d{10}$/, 10, 10]],
  PRV_PE: [[2, true, ['PXC'], 3, 3], [3, true, /^[0-9A-Z]{10}$/, 10, 10]],
  PRV_AT: [[2, true, ['PXC'], 3, 3], [3, true, /^[0-9A-Z]{10}$/, 10, 10]],
  OI: [[3, true, ['N', 'W', 'Y'], 1, 1], [4, false, ['P'], 1, 1], [6, true, ['I', 'Y'], 1, 1]],
  AMT_D: [[2, true, R, 1, 18]],
  DTP_573: [[2, true, ['D8'], 2, 2], [3, true, DT8, 8, 8]],
  LX: [[1, true, /^\d{1,6}$/, 1, 6]],
  SV1: [[1, true, null, 1, 60], [2, true, R, 1, 18], [3, true, ['UN', 'MJ'], 2, 2], [4, true, QTY, 1, 15], [7, true, null, 1, 11]],
  SV2: [[1, true, /^\d{4}$/, 4, 4], [3, true, R, 1, 18], [4, true, ['UN', 'DA'], 2, 2], [5, true, QTY, 1, 15]],
  DTP_472: [[2, true, ['D8', 'RD8'], 2, 3], [3, true, /^\d{8}(-\d{8})?$/, 8, 17]],
  DTP_434: [[2, true, ['RD8'], 3, 3], [3, true, /^\d{8}-\d{8}$/, 17, 17]],
  DTP_435: [[2, true, ['D8', 'DT'], 2, 3], [3, true, /^\d{8,12}$/, 8, 12]],
  CL1: [[1, true, /^\d$/, 1, 1], [2, false, /^[0-9A-Z]$/, 1, 1], [3, true, /^\d{2}$/, 1, 2]],
  REF_6R: [[2, true, AN, 1, 50]],
};

/** Elements the 5010 guides mark Not Used in these segments: a value there is an error. */
const NOT_USED: Record<string, number[]> = {
  // 5010 dropped the patient's own id from 2010CA (a patient with an id of their own is a subscriber).
  NM1_QC: [8, 9],
  // 2010AB pay-to: the name and id come from 2010AA.
  NM1_87: [3, 4, 5, 6, 7, 8, 9],
  CLM: [3, 4],
  SBR_B: [6, 7, 8],
  SBR_O: [6, 7, 8],
  OI: [1, 2, 5],
};

/**
 * Symbol of a segment: the tag, plus the qualifier that tells its loop apart. `inClaim` (after a CLM, until the
 * next HL) tells the 2320 other-subscriber SBR from the 2000B subscriber's.
 */
function symbol(s: Seg, inClaim: boolean): string {
  switch (s.tag) {
    case 'NM1':
    case 'PRV':
    case 'REF':
    case 'DTP':
    case 'AMT':
      return `${s.tag}_${s.el[1] ?? ''}`;
    case 'HL':
      return `HL_${s.el[3] ?? ''}`;
    case 'SBR':
      return inClaim ? 'SBR_O' : 'SBR_B';
    default:
      return s.tag;
  }
}

/** Symbols of a set's segments, in order. */
function symbols(set: Seg[]): string[] {
  let inClaim = false;
  return set.map((s) => {
    if (s.tag === 'CLM') inClaim = true;
    if (s.tag === 'HL') inClaim = false;
    return symbol(s, inClaim);
  });
}

// Loop grammars (a subset of the guides: the loops and segments a billing office sends).
const HEADER = 'ST BHT NM1_41 PER{1,2} NM1_40 ';
// 2010AB pay-to address (situational) follows the billing provider: NM1*87 with NM102 only, N3, N4.
const L2000A = 'HL_20 (PRV_BI )?NM1_85 N3 N4 REF_EI (PER ){0,2}(NM1_87 N3 N4 )?';
const L2000B = 'HL_22 SBR_B (NM1_IL (N3 N4 )?(DMG )?)(NM1_PR (N3 N4 )?)';
const L2000C = 'HL_23 PAT NM1_QC N3 N4 DMG ';
const L2320 = '(SBR_O (AMT_D )?OI NM1_IL (N3 N4 )?NM1_PR (N3 N4 )?(DTP_573 )?)';
// 2310C (837P) / 2310E (837I) service facility location: NM1*77, N3, N4, after the claim's providers.
const P2300 = '(CLM (REF_F8 )?HI (NM1_82 (PRV_PE )?)?(NM1_77 N3 N4 )?' + L2320 + '{0,2}(LX SV1 DTP_472 REF_6R ){1,50})';
// 2300 DTPs in the guide's order: statement dates (434) before admission (435).
const I2300 = '(CLM DTP_434 (DTP_435 )?CL1 (REF_F8 )?HI (HI )*(NM1_71 (PRV_AT )?)?(NM1_77 N3 N4 )?' + L2320 + '{0,2}(LX SV2 (DTP_472 )?REF_6R ){1,999})';
const grammar = (c: string): RegExp =>
  new RegExp(`^${HEADER}(${L2000A}(${L2000B}(${c}+|(${L2000C}${c}+)+))+)+SE $`);
const GRAMMAR: Record<string, RegExp> = { '005010X222A1': grammar(P2300), '005010X223A2': grammar(I2300) };

export function validate837(text: string): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const add = (s: Seg | undefined, message: string): void => {
    issues.push({ segment: s?.index ?? -1, tag: s?.tag ?? '', message });
  };
  if (!text.startsWith('ISA') || text.length < 106) return [{ segment: 0, tag: 'ISA', message: 'does not start with a 106-character ISA' }];
  const elementSep = text[3]!;
  const componentSep = text[104]!;
  const segmentSep = text[105]!;
  const segs: Seg[] = text
    .split(segmentSep)
    .map((raw) => raw.replace(/^[\r\n]+/, ''))
    .filter((raw) => raw.length > 0)
    .map((raw, index) => {
      const el = raw.split(elementSep);
      return { tag: el[0]!, el, index };
    });
  const isa = segs[0]!;
  if (isa.el.length !== 17) add(isa, `ISA has ${isa.el.length - 1} elements, expected 16`);
  checkIsa(isa, text[104]!, add);
  const iea = segs[segs.length - 1]!;
  if (iea.tag !== 'IEA') return [...issues, { segment: iea.index, tag: iea.tag, message: 'last segment is not IEA' }];
  if (iea.el[2] !== isa.el[13]) add(iea, `IEA02 ${iea.el[2]} differs from ISA13 ${isa.el[13]}`);

  let groups = 0;
  let i = 1;
  while (i < segs.length - 1) {
    const gs = segs[i]!;
    if (gs.tag !== 'GS') {
      add(gs, 'expected GS');
      return issues;
    }
    groups++;
    if (gs.el[1] !== 'HC') add(gs, `GS01 ${gs.el[1]} is not HC`);
    const guide = gs.el[8] ?? '';
    if (!GRAMMAR[guide]) add(gs, `GS08 ${guide} is not 005010X222A1 or 005010X223A2`);
    if (!/^[\x20-\x7E]{2,15}$/.test(gs.el[2] ?? '') || !/^[\x20-\x7E]{2,15}$/.test(gs.el[3] ?? '')) add(gs, 'GS02/GS03 must be 2 to 15 characters');
    if (!/^\d{8}$/.test(gs.el[4] ?? '')) add(gs, `GS04 ${gs.el[4]} is not CCYYMMDD`);
    if (!/^\d{4}(\d{2}(\d{1,2})?)?$/.test(gs.el[5] ?? '')) add(gs, `GS05 ${gs.el[5]} is not HHMM[SS[dd]]`);
    if (!/^\d{1,9}$/.test(gs.el[6] ?? '')) add(gs, `GS06 ${gs.el[6]} is not 1 to 9 digits`);
    if (gs.el[7] !== 'X') add(gs, `GS07 ${gs.el[7]} is not X`);
    let sets = 0;
    i++;
    while (segs[i]?.tag === 'ST') {
      const start = i;
      while (i < segs.length && segs[i]!.tag !== 'SE') i++;
      const set = segs.slice(start, i + 1);
      sets++;
      checkSet(set, guide, componentSep, issues);
      i++;
    }
    const ge = segs[i];
    if (ge?.tag !== 'GE') {
      add(ge, 'expected GE');
      return issues;
    }
    if (ge.el[1] !== String(sets)) add(ge, `GE01 ${ge.el[1]} but the group has ${sets} sets`);
    if (ge.el[2] !== gs.el[6]) add(ge, `GE02 ${ge.el[2]} differs from GS06 ${gs.el[6]}`);
    i++;
  }
  if (iea.el[1] !== String(groups)) add(iea, `IEA01 ${iea.el[1]} but the interchange has ${groups} groups`);
  return issues;
}

function checkSet(set: Seg[], guide: string, componentSep: string, issues: ValidationIssue[]): void {
  const add = (s: Seg, message: string): void => {
    issues.push({ segment: s.index, tag: s.tag, message });
  };
  const st = set[0]!;
  const se = set[set.length - 1]!;
  const institutional = guide === '005010X223A2';
  if (st.el[1] !== '837') add(st, 'ST01 is not 837');
  if (st.el[3] !== guide) add(st, `ST03 ${st.el[3]} differs from GS08 ${guide}`);
  if (se.tag !== 'SE') return add(st, 'set has no SE');
  if (se.el[1] !== String(set.length)) add(se, `SE01 ${se.el[1]} but the set has ${set.length} segments`);
  if (se.el[2] !== st.el[2]) add(se, `SE02 ${se.el[2]} differs from ST02 ${st.el[2]}`);

  const syms = symbols(set);
  const grammarOf = GRAMMAR[guide];
  if (grammarOf && !grammarOf.test(syms.map((sym) => sym + ' ').join(''))) add(st, 'segments are not in the loop order of the guide');

  for (let k = 0; k < set.length; k++) {
    const s = set[k]!;
    const sym = syms[k]!;
    for (const pos of NOT_USED[sym] ?? NOT_USED[s.tag] ?? []) {
      if ((s.el[pos] ?? '') !== '') add(s, `${s.tag}${String(pos).padStart(2, '0')} is not used in 5010 (found ${s.el[pos]})`);
    }
    if (s.tag === 'NM1' && s.el[2] === '2' && (s.el[4] ?? '') !== '') add(s, 'NM104 (first name) with NM102 2 (an organisation)');
    const rules = ELEMENTS[sym] ?? ELEMENTS[s.tag];
    for (const [pos, required, check, min, max] of rules ?? []) {
      const v = s.el[pos] ?? '';
      const name = `${s.tag}${String(pos).padStart(2, '0')}`;
      if (v === '') {
        if (required) add(s, `${name} is required`);
        continue;
      }
      if (v.length < min || v.length > max) add(s, `${name} length ${v.length} outside ${min}..${max}`);
      if (Array.isArray(check) && !check.includes(v)) add(s, `${name} ${v} is not one of ${check.join(', ')}`);
      if (check instanceof RegExp && !check.test(v)) add(s, `${name} ${v} has the wrong format`);
    }
    if (s.tag === 'NM1' && ID(1, 80).test(s.el[1] ?? '') === false) add(s, 'NM101 missing');
  }

  // HL hierarchy: numbered 1.., parents exist and sit one level up, HL04 says whether children follow.
  const levels = new Map<string, string>();
  const hls = set.filter((s) => s.tag === 'HL');
  hls.forEach((hl, n) => {
    if (hl.el[1] !== String(n + 1)) add(hl, `HL01 ${hl.el[1]} out of sequence (expected ${n + 1})`);
    const level = hl.el[3] ?? '';
    const parentLevel = hl.el[2] ? levels.get(hl.el[2]) : undefined;
    if (level === '20' && hl.el[2]) add(hl, '2000A HL must not have a parent');
    if (level === '22' && parentLevel !== '20') add(hl, '2000B HL parent is not a 2000A');
    if (level === '23' && parentLevel !== '22') add(hl, '2000C HL parent is not a 2000B');
    levels.set(hl.el[1] ?? '', level);
    const next = hls[n + 1];
    const hasChild = next !== undefined && next.el[2] === hl.el[1];
    if ((hl.el[4] === '1') !== hasChild) add(hl, `HL04 ${hl.el[4]} but the HL ${hasChild ? 'has' : 'has no'} child`);
  });

  // SBR02 = 18 exactly when no 2000C follows the 2000B; 2010BA N3/N4/DMG only then (RFI 1496), DMG required
  // then; billing provider ZIP is 9 digits in both guides (2010AA N403).
  set.forEach((s, k) => {
    if (s.tag === 'HL' && s.el[3] === '22') {
      const sbr = set[k + 1]!;
      const patientIsSubscriber = s.el[4] === '0';
      if ((sbr.el[2] === '18') !== patientIsSubscriber) add(sbr, `SBR02 ${sbr.el[2] || '(empty)'} but HL04 is ${s.el[4]}`);
      let payerAt = k + 2;
      while (payerAt < set.length && !(set[payerAt]!.tag === 'NM1' && set[payerAt]!.el[1] === 'PR')) payerAt++;
      const subscriber = set.slice(k + 2, payerAt);
      const personal = subscriber.filter((x) => x.tag === 'N3' || x.tag === 'N4' || x.tag === 'DMG');
      if (!patientIsSubscriber && personal.length > 0) add(personal[0]!, `2010BA ${personal.map((x) => x.tag).join('/')} sent for a subscriber who is not the patient`);
      if (patientIsSubscriber && !subscriber.some((x) => x.tag === 'DMG')) add(sbr, '2010BA DMG is required when the patient is the subscriber');
    }
    if (s.tag === 'NM1' && s.el[1] === '85') {
      const n4 = set.slice(k + 1).find((x) => x.tag === 'N4');
      if (n4 && !/^\d{9}$/.test(n4.el[3] ?? '')) add(n4, `billing provider ZIP ${n4.el[3]} is not 9 digits`);
    }
  });

  // Claims: CLM02 = sum of line charges, HI qualifiers, pointers, LX numbering, REF*F8 for 7 and 8.
  let claims = 0;
  for (let k = 0; k < set.length; k++) {
    if (set[k]!.tag !== 'CLM') continue;
    claims++;
    const clm = set[k]!;
    let end = k + 1;
    while (end < set.length && !['CLM', 'HL', 'SE'].includes(set[end]!.tag)) end++;
    const body = set.slice(k + 1, end);
    const c05 = (clm.el[5] ?? '').split(componentSep);
    if (!/^\d{2}$/.test(c05[0] ?? '') || c05[1] !== (institutional ? 'A' : 'B') || !['1', '7', '8'].includes(c05[2] ?? '')) add(clm, `CLM05 ${clm.el[5]} is not POS:${institutional ? 'A' : 'B'}:1|7|8`);
    if (!institutional && clm.el[6] !== 'Y' && clm.el[6] !== 'N') add(clm, 'CLM06 is required in an 837P');
    if (institutional && (clm.el[6] ?? '') !== '') add(clm, 'CLM06 is not used in an 837I');
    if (institutional && (clm.el[10] ?? '') !== '') add(clm, 'CLM10 is not used in an 837I');
    if ((clm.el[1] ?? '').length > 20) add(clm, `CLM01 ${clm.el[1]} is longer than 20 characters (payers truncate)`);
    // OI04 and CLM10 carry one fact (the provider signed because the patient was not present): OI04 P alone
    // claims it for the other payer only.
    for (const oi of body.filter((x) => x.tag === 'OI')) {
      if ((oi.el[4] ?? '') !== '' && (institutional || clm.el[10] !== 'P')) add(oi, `OI04 ${oi.el[4]} (patient not present) ${institutional ? 'is not used in an 837I' : 'without CLM10 P'}`);
    }
    if (institutional && INPATIENT_FACILITY.includes(c05FacilityOf(clm, componentSep)) && !body.some((x) => x.tag === 'DTP' && x.el[1] === '435')) {
      add(clm, `inpatient facility type ${c05FacilityOf(clm, componentSep)} without the admission date (DTP*435)`);
    }
    if ((c05[2] === '7' || c05[2] === '8') !== body.some((s) => s.tag === 'REF' && s.el[1] === 'F8')) add(clm, 'REF*F8 is required exactly for frequency 7 and 8');

    // 2310C/2310E N403: the service facility's full nine-digit ZIP.
    const facility = body.findIndex((x) => x.tag === 'NM1' && x.el[1] === '77');
    if (facility !== -1 && body[facility + 2]?.tag === 'N4' && !/^\d{9}$/.test(body[facility + 2]!.el[3] ?? '')) add(body[facility + 2]!, 'the service facility ZIP is not 9 digits');
    const his = body.filter((s) => s.tag === 'HI');
    const codes = his.flatMap((h) => h.el.slice(1).map((c) => c.split(componentSep)));
    const diag = codes.filter((c) => ['ABK', 'ABF', 'BK', 'BF'].includes(c[0] ?? ''));
    if (codes[0]?.[0] !== 'ABK') add(his[0] ?? clm, 'the first HI code is not ABK (principal diagnosis)');
    const UB = ['BI', 'BH', 'BE', 'BG'];
    if (codes.slice(1).some((c) => !['ABF', 'ABJ', ...(institutional ? UB : [])].includes(c[0] ?? ''))) add(his[0] ?? clm, 'HI codes after the principal must be ABF (or ABJ admitting, BI/BH/BE/BG codes on an 837I)');
    // 837I HI segments: one qualifier each, in the guide's order (ABK, ABJ, ABF, BI, BH, BE, BG), each of
    // BI, BH, BE and BG in at most 2 segments; their composites in the guide's shape.
    if (institutional) {
      const ORDER = ['ABK', 'ABJ', 'ABF', 'BI', 'BH', 'BE', 'BG'];
      const kinds = his.map((h) => h.el.slice(1).map((c) => c.split(componentSep)[0] ?? ''));
      if (kinds.some((k) => new Set(k).size > 1)) add(his[0]!, 'an 837I HI segment mixes qualifiers');
      const rank = kinds.map((k) => ORDER.indexOf(k[0] ?? ''));
      if (rank.some((r, k) => k > 0 && r < rank[k - 1]!)) add(his[0]!, '837I HI segments are out of the guide order (ABK, ABJ, ABF, BI, BH, BE, BG)');
      for (const q of UB) if (kinds.filter((k) => k[0] === q).length > 2) add(his[0]!, `more than 2 HI segments of ${q} codes`);
      const SHAPE: Record<string, RegExp> = { BI: /^BI:[0-9A-Z]{2}:RD8:\d{8}-\d{8}$/, BH: /^BH:[0-9A-Z]{2}:D8:\d{8}$/, BE: /^BE:[0-9A-Z]{2}:::\d{1,16}(\.\d{1,2})?$/, BG: /^BG:[0-9A-Z]{2}$/ };
      for (const c of codes) {
        const shape = SHAPE[c[0] ?? ''];
        if (shape && !shape.test(c.join(':'))) add(his[0]!, `${c[0]} code ${c.join(componentSep)} is not in the guide's form`);
      }
    }
    if (his.some((h) => h.el.length - 1 > 12)) add(his[0]!, 'an HI segment holds more than 12 codes');
    if (!institutional && his.length !== 1) add(clm, 'an 837P claim has one HI segment of diagnoses');
    if (!institutional && codes.some((c) => c[0] === 'ABJ')) add(his[0]!, 'ABJ (admitting diagnosis) is 837I only');
    if (institutional && his.filter((h) => (h.el[1] ?? '').startsWith(`ABF${componentSep}`)).length > 2) add(his[0]!, 'more than 2 HI segments of other diagnoses (ABF) in an 837I');
    if (diag.some((c) => !/^[A-Z]\d[0-9A-Z]{1,5}$/.test(c[1] ?? ''))) add(his[0]!, 'an ICD-10 code is malformed (or has a dot)');
    // C022-9 present-on-admission: 837I ABK/ABF only, Y N U W or 1, components 3 to 8 empty.
    for (const c of codes) {
      if (c.length <= 2 || ['BI', 'BH', 'BE'].includes(c[0] ?? '')) continue;
      if (!institutional || !['ABK', 'ABF'].includes(c[0] ?? '')) add(his[0]!, `${c[0]} carries components after the code (present on admission is 837I ABK/ABF only)`);
      else if (c.length !== 9 || c.slice(2, 8).some((x) => x !== '') || !['Y', 'N', 'U', 'W', '1'].includes(c[8] ?? '')) add(his[0]!, `present-on-admission indicator ${c.slice(2).join(componentSep)} is not Y, N, U, W or 1 in component 9`);
    }

    let lineSum = 0n;
    let lx = 0;
    body.forEach((s, j) => {
      if (s.tag === 'LX') {
        lx++;
        if (s.el[1] !== String(lx)) add(s, `LX01 ${s.el[1]} out of sequence`);
        const lineEnd = body.findIndex((x, m) => m > j && x.tag === 'LX');
        const line = body.slice(j, lineEnd === -1 ? body.length : lineEnd);
        if (!line.some((x) => x.tag === 'REF' && x.el[1] === '6R')) add(s, 'service line without REF*6R');
      }
      if (s.tag === 'SV1' || s.tag === 'SV2') {
        const amount = s.el[s.tag === 'SV1' ? 2 : 3] ?? '0';
        lineSum += toCents(amount);
        const proc = (s.el[s.tag === 'SV1' ? 1 : 2] ?? '').split(componentSep);
        if (proc[0] !== 'HC' || !/^([0-9]{5}|[0-9]{4}[FT]|[A-Z][0-9]{4})$/.test(proc[1] ?? '')) add(s, `procedure ${proc.join(':')} is not HC:code`);
        if (proc.slice(2).some((m) => !/^[A-Z0-9]{2}$/.test(m)) || proc.length > 6) add(s, 'bad or too many modifiers');
        if (s.tag === 'SV1') {
          const pointers = (s.el[7] ?? '').split(componentSep);
          if (pointers.length > 4 || pointers.some((p) => !/^\d{1,2}$/.test(p) || Number(p) < 1 || Number(p) > diag.length)) add(s, `SV107 ${s.el[7]} does not point into the ${diag.length} diagnoses`);
        }
      }
    });
    if (lx === 0) add(clm, 'claim without service lines');
    if (toCents(clm.el[2] ?? '0') !== lineSum) add(clm, `CLM02 ${clm.el[2]} differs from the sum of the lines`);
  }
  if (claims > 5000) add(st, `${claims} claims in one set (at most 5000)`);
}

const c05FacilityOf = (clm: Seg, componentSep: string): string => (clm.el[5] ?? '').split(componentSep)[0] ?? '';

/** ISA by position: fixed widths and the 5010 code values (ISA11 is the repetition separator in 00501). */
function checkIsa(isa: Seg, componentSep: string, add: (s: Seg, message: string) => void): void {
  const el = (n: number): string => isa.el[n] ?? '';
  const widths: [number, number][] = [[1, 2], [2, 10], [3, 2], [4, 10], [5, 2], [6, 15], [7, 2], [8, 15], [9, 6], [10, 4], [11, 1], [12, 5], [13, 9], [14, 1], [15, 1], [16, 1]];
  for (const [n, width] of widths) if (el(n).length !== width) add(isa, `ISA${String(n).padStart(2, '0')} is ${el(n).length} characters, expected ${width}`);
  if (!['00', '03'].includes(el(1))) add(isa, `ISA01 ${el(1)} is not 00 or 03`);
  if (!['00', '01'].includes(el(3))) add(isa, `ISA03 ${el(3)} is not 00 or 01`);
  if (!ID_QUALIFIERS.includes(el(5))) add(isa, `ISA05 ${el(5)} is not an interchange id qualifier`);
  if (!ID_QUALIFIERS.includes(el(7))) add(isa, `ISA07 ${el(7)} is not an interchange id qualifier`);
  if (!/^\d{6}$/.test(el(9)) || !/^\d{4}$/.test(el(10))) add(isa, 'ISA09/ISA10 are not YYMMDD and HHMM');
  if (/[A-Za-z0-9 ]/.test(el(11)) || el(11) === componentSep) add(isa, `ISA11 ${el(11)} is not a repetition separator`);
  if (el(12) !== '00501') add(isa, `ISA12 ${el(12)} is not 00501`);
  if (!/^\d{9}$/.test(el(13))) add(isa, 'ISA13 is not 9 digits');
  if (!['0', '1'].includes(el(14))) add(isa, `ISA14 ${el(14)} is not 0 or 1`);
  if (!['P', 'T'].includes(el(15))) add(isa, `ISA15 ${el(15)} is not P or T`);
}

function toCents(text: string): bigint {
  const [whole = '0', frac = ''] = text.split('.');
  return BigInt(whole) * 100n + BigInt((frac + '00').slice(0, 2));
}
