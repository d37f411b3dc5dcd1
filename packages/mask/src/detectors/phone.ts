import {
  type CountryCode,
  type E164Number,
  getCountryCallingCode,
  Metadata,
  PhoneNumber,
  parsePhoneNumberFromString,
} from 'libphonenumber-js/max';
import type { Span } from '../types.js';
import { cardIssuer } from './card.js';
import { isDigit, isWordChar } from './characters.js';
import { cueWindow, hasCueBefore } from './cues.js';
import { type IndexedDetector, indexedDetector } from './text-index.js';
import { luhn } from './validators.js';

/** The regions whose national formats the phone detector reads unless told otherwise. */
export const defaultPhoneRegions: readonly CountryCode[] = Object.freeze([
  'US',
  'GB',
  'DE',
  'FR',
  'IN',
  'BR',
  'AU',
  'CA',
]);

/**
 * PHONE: numbers libphonenumber-js (full metadata) says are valid — international (`+44 20 7946 0958`,
 * `0044 20 …`) from any region, national from `regions` (`(202) 456-1111`, `020 7946 0958`, `06 12 34 56 78`).
 *
 * libphonenumber is slow next to a regex pass, so it only sees tight candidates found by hand: chains of digit
 * groups joined by phone punctuation (` - . / ( )`) with 7–15 digits, not glued to words or to more numbers. And
 * it never parses text: the candidate's digits become an E.164 number per region (the trunk prefix stripped), which
 * it only validates — half the cost of its own parser. A candidate shaped like something else is refused first: a
 * date (`2024-01-31`, `31.01.1990`), an IPv4 or a version (`192.168.10.200`, `10.0.19045.2965`), an SSN
 * (`123-45-6789`), a year range (`1990-2000`), a card (Luhn and issuer), money (`$1 234 567`), an identifier
 * (`ORD-2024-000123`, digits inside hex ids, the tail of an IBAN). National numbers of a region whose trunk prefix
 * is 0 must start with it (`020 …` in GB, `030 …` in DE) — except India and Brazil, where numbers are usually
 * written without it, and then grouped as the region writes them (`98765 43210`). A bare digit run (`02079460958`)
 * counts only after a cue ("phone", "tel", "mobile", "call", …) in the same sentence, within 40 characters.
 *
 * Scores: valid and formatted 0.85, or 0.9 after a cue; valid bare run after a cue 0.8; possible but not valid,
 * formatted, after a cue 0.7.
 */
export function phoneDetector(regions: readonly CountryCode[] = defaultPhoneRegions): IndexedDetector {
  const plans = numberingPlans(regions);
  return indexedDetector('PHONE', ['pii', 'contact'], ({ text, digitRuns: runs }, spans) => {
    const chain: Chain = { text, runs, plans, verdicts: undefined };
    for (let k = 0; k < runs.length; ) {
      let last = k;
      let digits = runs[k + 1]! - runs[k]!;
      while (
        last + 2 < runs.length &&
        runs[last + 2]! - runs[last + 1]! <= 3 &&
        isPhoneGap(text, runs[last + 1]!, runs[last + 2]!)
      ) {
        last += 2;
        digits += runs[last + 1]! - runs[last]!;
      }
      if (digits >= 7) findInChain(chain, k, last, spans);
      k = last + 2;
    }
  });
}

/** What libphonenumber made of a candidate. */
interface Verdict {
  kind: 'valid' | 'possible' | 'no';
  /** Read as national without the region's trunk 0 (India, Brazil). */
  trunkOmitted?: boolean;
  number?: PhoneNumber;
  /** How the number is written, as group lengths (`3 4 4`, `44 20 4 4`): worked out when first asked for. */
  nationalGroups?: string;
  internationalGroups?: string;
}

/** One scan's text, its digit runs, the regions read, and what libphonenumber said of each number so far. */
interface Chain {
  text: string;
  runs: readonly number[];
  plans: readonly Plan[];
  /** A memo for this text only (numbers are personal data: none outlives the scan); repeats are validated once. */
  verdicts: Map<string, Verdict> | undefined;
}

function classify(chain: Chain, digits: string, international: boolean): Verdict {
  chain.verdicts ??= new Map();
  const key = `${international ? '+' : ''}${digits}`;
  let verdict = chain.verdicts.get(key);
  if (verdict === undefined) {
    verdict = international ? internationalVerdict(digits) : nationalVerdict(digits, chain.plans);
    chain.verdicts.set(key, verdict);
  }
  return verdict;
}

/** Chains with more groups than this are tables of numbers, not a phone number with something glued on. */
const maxChainGroups = 8;

/**
 * The chain of digit groups `first..last` (run indices) as one number; failing that, the chain without what comes
 * before its first space or after its last (`on 2024-01-31 020 7946 0958`, `020 7946 0958 2024`).
 */
function findInChain(chain: Chain, first: number, last: number, spans: Span[]): void {
  const whole = phoneIn(chain, first, last, false);
  if (whole !== undefined) {
    spans.push(whole);
    return;
  }
  if (last === first || (last - first) / 2 + 1 > maxChainGroups) return;
  const { text, runs } = chain;
  // A chain glued to a word at either end is an identifier (`FR73 3000 3592 …`, `AT08 6112 643US`), and one of
  // even fours a card or parcel number: no part of it is a phone number.
  const start = runs[first]! - (text.charCodeAt(runs[first]! - 1) === 40 ? 1 : 0);
  if (isWordChar(text.charCodeAt(start - 1)) || isWordChar(text.charCodeAt(runs[last + 1]!))) return;
  let evenFours = last - first >= 4;
  let firstSpace = -1;
  let lastSpace = -1;
  for (let k = first; k <= last; k += 2) {
    if (runs[k + 1]! - runs[k]! !== 4) evenFours = false;
    if (k === last || !text.slice(runs[k + 1], runs[k + 2]).includes(' ')) continue;
    if (firstSpace === -1) firstSpace = k;
    lastSpace = k;
  }
  if (evenFours || firstSpace === -1) return;
  const tail = phoneIn(chain, firstSpace + 2, last, true);
  if (tail !== undefined) {
    spans.push(tail);
    return;
  }
  const head = phoneIn(chain, first, lastSpace, true);
  if (head !== undefined) spans.push(head);
}

/** The groups `a..b` of a chain as a phone number, if they are one; `part` when they are not the whole chain. */
function phoneIn(chain: Chain, a: number, b: number, part: boolean): Span | undefined {
  const { text, runs } = chain;
  let start = runs[a]!;
  const end = runs[b + 1]!;
  const opened = text.charCodeAt(start - 1) === 40;
  if (opened) start--;
  const plus = text.charCodeAt(start - 1) === 43;
  if (plus) start--;
  if (!freeBefore(text, start) || !freeAfter(text, end)) return undefined;
  const formatted = plus || opened || a !== b;
  // A bare run (a timestamp, an order number) is the common case in logs: settle it before building anything.
  if (!formatted && (end - start < 7 || end - start > 13 || !hasPhoneCue(text, start))) return undefined;

  if (shapedLikeSomethingElse(text, runs, a, b, plus)) return undefined;

  const lengths: number[] = [];
  let digits = '';
  for (let j = a; j <= b; j += 2) {
    const groupStart = runs[j]!;
    const groupEnd = runs[j + 1]!;
    // `+44 (0) 20 …`: the bracketed trunk prefix is not dialled from abroad.
    const trunkInBrackets =
      plus && j > a && groupEnd - groupStart === 1 && text.charCodeAt(groupStart) === 48 && text[groupEnd] === ')';
    if (!trunkInBrackets) digits += text.slice(groupStart, groupEnd);
    lengths.push(groupEnd - groupStart);
  }
  // `00 44 …` is how Europe dials `+44 …`.
  const international = plus || digits.startsWith('00');
  const significant = plus || !international ? digits : digits.slice(2);
  if (international ? significant.length < 8 || significant.length > 15 : digits.length < 7 || digits.length > 13) {
    return undefined;
  }
  if (digits.length >= 13 && cardIssuer(digits) !== undefined && luhn(digits)) return undefined;
  if (ibanShapedBefore.test(text.slice(Math.max(0, start - 40), start))) return undefined;

  if (!formatted && idWordBefore.test(text.slice(Math.max(0, start - 24), start))) return undefined;
  const verdict = classify(chain, significant, international);
  // Part of a longer chain, or a number read without its trunk 0, must also be grouped the way the number is
  // written (`020 7946 0958`, `98765 43210`): otherwise any ten digits inside a parcel number would do.
  if ((part || (verdict.trunkOmitted && lengths.length > 1)) && !groupedAsWritten(lengths, plus, verdict)) {
    return undefined;
  }
  if (verdict.kind === 'no') return undefined;
  // A bare run got here on its cue; a formatted number looks for one now.
  const cued = !formatted || hasPhoneCue(text, start);
  if (verdict.kind === 'possible' && !(formatted && cued)) return undefined;
  const score = verdict.kind === 'possible' ? 0.7 : !formatted ? 0.8 : cued ? 0.9 : 0.85;
  return { type: 'PHONE', start, end, score };
}

/**
 * A date (`2024-01-31`, `31.01.1990`), an IPv4 or a version (`192.168.10.200`, `10.0.19045.2965`), an SSN
 * (`123-45-6789`) or a year range (`1990-2000`): read from the groups' lengths and the characters between them.
 */
function shapedLikeSomethingElse(text: string, runs: readonly number[], a: number, b: number, plus: boolean): boolean {
  const groups = (b - a) / 2 + 1;
  const l0 = runs[a + 1]! - runs[a]!;
  const first = gapAfter(text, runs, a);
  if (groups >= 3 && (first === 45 || first === 47 || first === 46) && gapAfter(text, runs, a + 2) === first) {
    const l1 = runs[a + 3]! - runs[a + 2]!;
    const l2 = runs[a + 5]! - runs[a + 4]!;
    if (l0 === 4 && l1 <= 2 && l2 <= 2) return true;
    if (l0 <= 2 && l1 <= 2 && (l2 === 4 || (l2 === 2 && groups === 3))) return true;
  }
  let dotted = false;
  let shortGroups = true;
  let singleDigit = false;
  for (let j = a; j <= b; j += 2) {
    const length = runs[j + 1]! - runs[j]!;
    if (j < b && gapAfter(text, runs, j) === 46) dotted = true;
    if (length > 3) shortGroups = false;
    if (length === 1 && !(plus && j === a)) singleDigit = true;
  }
  if (dotted && ((groups === 4 && shortGroups) || singleDigit)) return true;
  if (groups === 3 && (first === 45 || first === 32) && gapAfter(text, runs, a + 2) === first) {
    if (l0 === 3 && runs[a + 3]! - runs[a + 2]! === 2 && runs[a + 5]! - runs[a + 4]! === 4) return true;
  }
  return groups === 2 && l0 === 4 && runs[b + 1]! - runs[b]! === 4 && isYear(text, runs[a]!) && isYear(text, runs[b]!);
}

/** The single character between run `j` and the next, or -1 when the gap is longer. */
function gapAfter(text: string, runs: readonly number[], j: number): number {
  return runs[j + 2]! - runs[j + 1]! === 1 ? text.charCodeAt(runs[j + 1]!) : -1;
}

/** Four digits from 1900 to 2099 at `at`. */
function isYear(text: string, at: number): boolean {
  const century = text.slice(at, at + 2);
  return century === '19' || century === '20';
}

/** `NL97 RABO ` before the digits: the rest of an IBAN in print form (one that failed its checksum). */
const ibanShapedBefore = /(?:^|[^A-Za-z0-9])[A-Z]{2}[0-9]{2}(?: [A-Z0-9]{4}){1,7} $/;

const phoneCue =
  /(?:^|[^\p{L}\p{N}])(?:phone|tel|telephone|mobile|cell|cellphone|fax|call|ph|mob|whatsapp|sms|telefon|handy|portable|t[ée]l[ée]phone|contact)(?![\p{L}\p{N}])/iu;

/** A bare run right after one of these is a reference, whatever cue came before: "Contact: Ann. Order PO 4545518601". */
const idWordBefore =
  /(?:^|[^a-z])(?:po|order|invoice|inv|ref|reference|ticket|case|account|acct|id|tracking|batch|sku)[\s:#.-]*$/i;

const sentenceEnds = /[.!?;]\s|\n/g;

const abbreviatedCue = /(?:^|[^a-z])(?:tel|t[ée]l|ph|mob|fax|no)$/i;

/**
 * A phone cue in the same sentence: "the mobile app. Order PO 4570372294" has none, "Tel. 02079460958" has one.
 */
function hasPhoneCue(text: string, start: number): boolean {
  if (!hasCueBefore(text, start, phoneCue)) return false;
  const window = text.slice(Math.max(0, start - cueWindow), start);
  let from = 0;
  for (const sentenceEnd of window.matchAll(sentenceEnds)) {
    if (!abbreviatedCue.test(window.slice(0, sentenceEnd.index))) from = sentenceEnd.index + 1;
  }
  return hasCueBefore(window.slice(from), window.length - from, phoneCue);
}

function groupedAsWritten(lengths: readonly number[], plus: boolean, verdict: Verdict): boolean {
  const number = verdict.number;
  if (number === undefined) return false;
  if (plus) verdict.internationalGroups ??= groupLengths(number.formatInternational());
  else verdict.nationalGroups ??= groupLengths(number.formatNational());
  const written = (plus ? verdict.internationalGroups : verdict.nationalGroups)!;
  const expected = written.split(' ').map(Number);
  if (expected.length !== lengths.length) return false;
  // The first group may carry a trunk prefix the formatter adds or drops (`98765` / `098765`).
  if (Math.abs(expected[0]! - lengths[0]!) > 1) return false;
  return expected.every((length, i) => i === 0 || length === lengths[i]);
}

/** `(020) 7946-0958` → `3 4 4`. */
function groupLengths(formatted: string): string {
  return (formatted.match(/[0-9]+/g) ?? []).map((group) => group.length).join(' ');
}

const phoneGaps = new Set([' ', '-', '.', '/', ')', ') ', ' (', ')-', ' - ', ' / ']);

function isPhoneGap(text: string, end: number, nextStart: number): boolean {
  const length = nextStart - end;
  if (length === 1) {
    const code = text.charCodeAt(end);
    return code === 32 || code === 45 || code === 46 || code === 47 || code === 41;
  }
  return length <= 3 && phoneGaps.has(text.slice(end, nextStart));
}

/** Not glued to a word (`ORD-2024-…`, `v1.2…`), to more numbers (`12:30`, `1,234`), or to money (`$`, `€`, `#`). */
function freeBefore(text: string, start: number): boolean {
  const before = text.charCodeAt(start - 1);
  if (isWordChar(before)) return false;
  const previous = text.charCodeAt(start - 2);
  if ((before === 45 || before === 46 || before === 47) && isWordChar(previous)) return false;
  if ((before === 44 || before === 58) && isDigit(previous)) return false;
  // $ £ € ¥ #
  return before !== 36 && before !== 0xa3 && before !== 0x20ac && before !== 0xa5 && before !== 35;
}

function freeAfter(text: string, end: number): boolean {
  const after = text.charCodeAt(end);
  if (isWordChar(after) || after === 37) return false;
  const next = text.charCodeAt(end + 1);
  if ((after === 45 || after === 46 || after === 47) && isWordChar(next)) return false;
  return !((after === 44 || after === 58) && isDigit(next));
}

interface Plan {
  region: CountryCode;
  callingCode: string;
  trunkPrefix: string | undefined;
  /** National numbers are written without the trunk prefix too. */
  trunkOptional: boolean;
  /** Possible lengths of the national significant number. */
  lengths: ReadonlySet<number>;
  /** libphonenumber's `isValid` for a national significant number of this region, with its patterns compiled once. */
  valid: (national: string) => boolean;
}

/** India's and Brazil's numbers are mostly written without their trunk 0 (`98765 43210`, `(11) 98765-4321`). */
const writtenWithoutTrunkPrefix = new Set<string>(['IN', 'BR']);

function numberingPlans(regions: readonly CountryCode[]): Plan[] {
  const metadata = new Metadata();
  return [...new Set(regions)].map((region) => {
    metadata.selectNumberingPlan(region);
    const numbering = metadata.numberingPlan!;
    // `nationalPrefix` is in the metadata but not in the published types: read it defensively.
    const nationalPrefix = (numbering as { nationalPrefix?: unknown }).nationalPrefix;
    return {
      region,
      callingCode: getCountryCallingCode(region),
      trunkPrefix:
        typeof nationalPrefix === 'function' ? (nationalPrefix.call(numbering) as string | undefined) : undefined,
      trunkOptional: writtenWithoutTrunkPrefix.has(region),
      lengths: new Set(numbering.possibleLengths()),
      valid: compiledValidity(metadata),
    };
  });
}

/** The number types libphonenumber's `getNumberType` tries, fixed line first. */
const numberTypes = [
  'FIXED_LINE',
  'MOBILE',
  'PREMIUM_RATE',
  'TOLL_FREE',
  'SHARED_COST',
  'VOIP',
  'PERSONAL_NUMBER',
  'PAGER',
  'UAN',
  'VOICEMAIL',
] as const;

/** The parts of libphonenumber's metadata object read here (present at run time, not all in its published types). */
interface PlanMetadata {
  numberingPlan?: { nationalNumberPattern(): string };
  hasTypes(): boolean;
  type(name: string): { pattern(): string; possibleLengths(): number[] | undefined } | undefined;
}

/**
 * libphonenumber's `isValidNumber` for the region `metadata` has selected, with its regular expressions compiled
 * once: it builds a `new RegExp` for every pattern on every call (`matchesEntirely`), which was most of the phone
 * detector's time. Valid: the region's general national-number pattern matches and, where the region has number
 * types, one type's pattern does at one of its lengths. The tests check it agrees with `isValid()`.
 */
export function compiledValidity(metadata: Metadata): (national: string) => boolean {
  const plan = metadata as unknown as PlanMetadata;
  const general = new RegExp(`^(?:${plan.numberingPlan!.nationalNumberPattern()})$`);
  if (!plan.hasTypes()) return (national) => general.test(national);
  const types = numberTypes.flatMap((name) => {
    const type = plan.type(name);
    const pattern = type?.pattern();
    return pattern ? [{ pattern: new RegExp(`^(?:${pattern})$`), lengths: type?.possibleLengths() }] : [];
  });
  return (national) =>
    general.test(national) &&
    types.some(
      ({ pattern, lengths }) => (lengths === undefined || lengths.includes(national.length)) && pattern.test(national),
    );
}

/**
 * The first region that makes `digits` (as written nationally) a valid number — one that needs its trunk prefix
 * left out (India, Brazil) only when no other region does — else possible, else not.
 */
function nationalVerdict(digits: string, plans: readonly Plan[]): Verdict {
  let best: Verdict = { kind: 'no' };
  let withoutTrunk: Verdict | undefined;
  for (const plan of plans) {
    const trunk = plan.trunkPrefix;
    const withTrunk = trunk !== undefined && digits.startsWith(trunk);
    if (trunk === '0' && !withTrunk && !plan.trunkOptional) continue;
    // Numbers never start with 0 where the trunk prefix is something else (`1` across North America).
    if (digits[0] === '0' && trunk !== undefined && trunk !== '0') continue;
    const national = withTrunk ? digits.slice(trunk.length) : digits;
    if (!plan.lengths.has(national.length)) continue;
    // Of a possible length, so possible at least; a PhoneNumber is only built for a valid one.
    const verdict: Verdict = plan.valid(national)
      ? { kind: 'valid', number: regionNumber(plan, national) }
      : { kind: 'possible' };
    if (trunk === '0' && !withTrunk) {
      verdict.trunkOmitted = true;
      if (verdict.kind === 'valid') withoutTrunk ??= verdict;
    } else if (verdict.kind === 'valid') return verdict;
    if (verdict.kind === 'possible' && best.kind === 'no') best = verdict;
  }
  return withoutTrunk ?? best;
}

/**
 * `digits` after a `+`. Validated against the calling code's main region first; when that fails (a Canadian
 * number under +1), libphonenumber's parser works out which region of the code it belongs to.
 */
function internationalVerdict(digits: string): Verdict {
  const verdict = verdictFor(`+${digits}`);
  if (verdict.kind === 'valid') return verdict;
  const parsed = parsePhoneNumberFromString(`+${digits}`);
  if (parsed === undefined) return verdict;
  return parsed.isValid() ? { kind: 'valid', number: parsed } : verdict;
}

function regionNumber(plan: Plan, national: string): PhoneNumber {
  const number = new PhoneNumber(`+${plan.callingCode}${national}` as E164Number);
  number.country = plan.region;
  return number;
}

/**
 * Validates an international number in libphonenumber's main region for its calling code, without its text parser:
 * half the cost.
 */
function verdictFor(e164: string): Verdict {
  let number: PhoneNumber;
  try {
    number = new PhoneNumber(e164 as E164Number);
  } catch {
    return { kind: 'no' };
  }
  if (number.isValid()) return { kind: 'valid', number };
  return { kind: number.isPossible() ? 'possible' : 'no' };
}
