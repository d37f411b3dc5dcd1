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
import { isDigit } from './characters.js';
import { cueWindow, cueWindowStart } from './cues.js';
import { coreFunction } from './scan-core.js';
import { type DigitRuns, type IndexedDetector, indexedDetector, type PlacedRuns } from './text-index.js';
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
 * it never parses text: the candidate's digits are checked against its metadata's patterns, compiled once per region
 * and calling code (libphonenumber builds every pattern anew on every call), to the same verdict its `isValid()`,
 * `isPossible()` and parser give. A candidate shaped like something else is refused first: a
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
  return indexedDetector('PHONE', ['pii', 'contact'], (index, spans) => {
    const { text, digitRuns: runs } = index;
    const chain: Chain = { text, runs, plans, nationalVerdicts: new Map(), internationalVerdicts: new Map() };
    const found = candidates(index.placedRuns);
    for (let c = 0; c < found.length; c += 5) {
      const first = found[c]!;
      const last = found[c + 1]!;
      const bits = found[c + 4]!;
      // The whole chain as one number; failing that, its tail, then its head.
      const span =
        phoneIn(chain, first, last, false, bits & 255) ??
        phoneIn(chain, found[c + 2]!, last, true, (bits >> 8) & 255) ??
        phoneIn(chain, first, found[c + 3]!, true, bits >> 16);
      if (span !== undefined) spans.push(span);
    }
  });
}

const phoneCandidates =
  coreFunction<(text: number, length: number, runs: number, count: number, out: number) => number>('phoneCandidates');

/**
 * The chains of digit groups joined by phone punctuation (` - . / ( )`) that may hold a phone number by their shape,
 * five integers each: first and last run index, the first run of the tail and the last of the head, and the bits of
 * the whole, the tail and the head (see `assembly/phone.ts`). The core walks every run and checks every shape, digit
 * count and cue (most runs, in ids, hashes and timestamps, end their chain at once; most chains are dates or glued to
 * more text; most bare runs have no cue) so that this side sees only the few candidates.
 */
function candidates({ placed, runsAt, runCount }: PlacedRuns): Int32Array {
  const { textAt, length, outAt, out } = placed;
  return out.slice(0, phoneCandidates(textAt, length, runsAt, runCount, outAt));
}

/** Bits of a candidate, as the core writes them. */
const fits = 1;
const opened = 2;
const afterPlus = 4;
/** Dialled from abroad: after `+` or `00`. */
const international = 8;
/** A phone cue is in the same sentence before it. */
const cued = 16;
/** The core could not tell whether a cue is (the text before it is not ASCII): `hasPhoneCue` reads it. */
const cueUnread = 32;

/** What libphonenumber made of a candidate. */
export interface Verdict {
  kind: 'valid' | 'possible' | 'no';
  /** Read as national without the region's trunk 0 (India, Brazil). */
  trunkOmitted?: boolean;
  /** The number, when valid. */
  readonly number?: PhoneNumber;
  /** How the number is written, as group lengths (`3 4 4`, `2 2 4 4`): worked out when first asked for. */
  nationalGroups?: readonly number[];
  internationalGroups?: readonly number[];
}

/** One scan's text, its digit runs, the regions read, and what libphonenumber said of each number so far. */
interface Chain {
  text: string;
  runs: DigitRuns;
  plans: readonly Plan[];
  /**
   * Memos for this text only (numbers are personal data: none outlives the scan), of national and of international
   * numbers by their digits: repeats are validated once.
   */
  nationalVerdicts: Map<string, Verdict>;
  internationalVerdicts: Map<string, Verdict>;
}

function classify(chain: Chain, digits: string, international: boolean): Verdict {
  const verdicts = international ? chain.internationalVerdicts : chain.nationalVerdicts;
  let verdict = verdicts.get(digits);
  if (verdict === undefined) {
    verdict = international ? internationalVerdict(digits) : nationalVerdict(digits, chain.plans);
    verdicts.set(digits, verdict);
  }
  return verdict;
}

/**
 * The groups `a..b` of a chain as a phone number, if they are one; `part` when they are not the whole chain, `bits`
 * its bits from the core (0 when it is ruled out: by its shape or digit count, after the rest of an IBAN, and when a
 * bare run, after no cue or after a reference word).
 */
function phoneIn(chain: Chain, a: number, b: number, part: boolean, bits: number): Span | undefined {
  if ((bits & fits) === 0) return undefined;
  const { text, runs } = chain;
  const plus = (bits & afterPlus) !== 0;
  const start = runs[a]! - (bits & opened ? 1 : 0) - (plus ? 1 : 0);
  const end = runs[b + 1]!;
  const formatted = (bits & (opened | afterPlus)) !== 0 || a !== b;
  const cueRead = (bits & cueUnread) === 0;
  if (!formatted && !cueRead && !hasPhoneCue(text, runs, a, start)) return undefined;

  let digits = text.slice(runs[a]!, runs[a + 1]!);
  for (let j = a + 2; j <= b; j += 2) {
    if (!(plus && isTrunkInBrackets(text, runs, j))) digits += text.slice(runs[j]!, runs[j + 1]!);
  }
  // `00 44 …` is how Europe dials `+44 …`.
  const dialledAbroad = (bits & international) !== 0;
  const significant = plus || !dialledAbroad ? digits : digits.slice(2);
  if (digits.length >= 13 && cardIssuer(digits) !== undefined && luhn(digits)) return undefined;

  const verdict = classify(chain, significant, dialledAbroad);
  // Part of a longer chain, or a number read without its trunk 0, must also be grouped the way the number is
  // written (`020 7946 0958`, `98765 43210`): otherwise any ten digits inside a parcel number would do.
  if ((part || (verdict.trunkOmitted && a !== b)) && !groupedAsWritten(runs, a, b, plus, verdict)) {
    return undefined;
  }
  if (verdict.kind === 'no') return undefined;
  // A bare run got here on its cue.
  const afterCue = !formatted || (cueRead ? (bits & cued) !== 0 : hasPhoneCue(text, runs, a, start));
  if (verdict.kind === 'possible' && !(formatted && afterCue)) return undefined;
  const score = verdict.kind === 'possible' ? 0.7 : !formatted ? 0.8 : afterCue ? 0.9 : 0.85;
  return { type: 'PHONE', start, end, score };
}

/** `+44 (0) 20 …`: group `j` is a bracketed trunk prefix, which is not dialled from abroad. */
function isTrunkInBrackets(text: string, runs: DigitRuns, j: number): boolean {
  const groupStart = runs[j]!;
  return (
    runs[j + 1]! - groupStart === 1 && text.charCodeAt(groupStart) === 48 && text.charCodeAt(groupStart + 1) === 41
  );
}

/** The phone cues written in ASCII (lower case); `téléphone` too is one. */
const asciiPhoneCues = [
  'phone',
  'tel',
  'telephone',
  'mobile',
  'cell',
  'cellphone',
  'fax',
  'call',
  'ph',
  'mob',
  'whatsapp',
  'sms',
  'telefon',
  'handy',
  'portable',
  'contact',
];

const phoneCue = new RegExp(
  `(?:^|[^\\p{L}\\p{N}])(?:${asciiPhoneCues.join('|')}|t[ée]l[ée]phone)(?![\\p{L}\\p{N}])`,
  'iu',
);

/** `phoneCue` matches in `text[from, to)`. */
function hasPhoneCueIn(text: string, from: number, to: number): boolean {
  return phoneCue.test(text.slice(from, to));
}

const sentenceEnds = /[.!?;]\s|\n/g;

const abbreviatedCue = /(?:^|[^a-z])(?:tel|t[ée]l|ph|mob|fax|no)$/i;

/**
 * A phone cue in the same sentence: "the mobile app. Order PO 4570372294" has none, "Tel. 02079460958" has one.
 * Like `hasCueBefore`, the cue is looked for within `cueWindow` characters and after the last digit before `start`,
 * where the number's first digits are digit run `k`. The core reads the same (`cued`) unless it meets letters beyond
 * ASCII before a cue, which this reads with Unicode's (`cueUnread`).
 */
function hasPhoneCue(text: string, runs: DigitRuns, k: number, start: number): boolean {
  // The last digit before `start` ends the run before: read from the runs, not looked for in the text.
  const cueFrom = cueWindowStart(runs, k, start);
  // The shortest cue is two letters.
  if (start - cueFrom < 2 || !hasPhoneCueIn(text, cueFrom, start)) return false;
  if (!mayEndSentence(text, cueFrom, start)) return true;
  // The sentence starts after the last sentence end in the window that does not follow an abbreviation ("Tel.").
  // Only ends after the last digit can move it past the cue: the digit before `cueFrom` is no sentence end, so
  // looking for them in `cueText` finds the same ones as looking in the whole window.
  const windowStart = Math.max(0, start - cueWindow);
  const cueText = text.slice(cueFrom, start);
  let sentenceStart = cueFrom;
  sentenceEnds.lastIndex = 0;
  for (let end = sentenceEnds.exec(cueText); end !== null; end = sentenceEnds.exec(cueText)) {
    const at = cueFrom + end.index;
    if (!abbreviatedCue.test(text.slice(windowStart, at))) sentenceStart = at + 1;
  }
  return sentenceStart === cueFrom || hasPhoneCueIn(text, sentenceStart, start);
}

/** `text[from, to)` holds one of the characters `sentenceEnds` starts with: `. ! ? ;` or a line break. */
function mayEndSentence(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const code = text.charCodeAt(i);
    if (code === 46 || code === 33 || code === 63 || code === 59 || code === 10) return true;
  }
  return false;
}

/** Groups `a..b` have the lengths the number is written with. */
function groupedAsWritten(runs: DigitRuns, a: number, b: number, plus: boolean, verdict: Verdict): boolean {
  let written = plus ? verdict.internationalGroups : verdict.nationalGroups;
  if (written === undefined) {
    if (verdict instanceof ValidVerdict) written = verdict.writtenGroups(plus);
    else {
      // A number libphonenumber's parser built (rare): its own formatter groups it.
      const number = verdict.number;
      if (number === undefined) return false;
      written = groupLengths(plus ? number.formatInternational() : number.formatNational());
    }
    if (plus) verdict.internationalGroups = written;
    else verdict.nationalGroups = written;
  }
  if (written.length !== (b - a) / 2 + 1) return false;
  // The first group may carry a trunk prefix the formatter adds or drops (`98765` / `098765`).
  if (Math.abs(written[0]! - (runs[a + 1]! - runs[a]!)) > 1) return false;
  for (let i = 1; i < written.length; i++) {
    if (written[i] !== runs[a + 2 * i + 1]! - runs[a + 2 * i]!) return false;
  }
  return true;
}

/** `(020) 7946-0958` → `[3, 4, 4]`. */
function groupLengths(formatted: string): number[] {
  const lengths: number[] = [];
  let length = 0;
  for (let i = 0; i < formatted.length; i++) {
    if (isDigit(formatted.charCodeAt(i))) length++;
    else if (length > 0) {
      lengths.push(length);
      length = 0;
    }
  }
  if (length > 0) lengths.push(length);
  return lengths;
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
      valid: regionRules(region).valid,
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

/**
 * The parts of libphonenumber's metadata object read here (present at run time, not all in its published types).
 * Unpublished shapes can change in any release: package.json pins libphonenumber-js to an exact version, and the
 * tests compare the verdicts with libphonenumber's own for every calling code, so an upgrade that moves them fails
 * loudly.
 */
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
    // Of a possible length, so possible at least.
    const verdict: Verdict = plan.valid(national)
      ? new ValidVerdict(plan.callingCode, national, plan.region)
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
 * What libphonenumber makes of `digits` after a `+`, read from patterns compiled once per calling code: valid in the
 * code's main region (`isValid()` of `new PhoneNumber('+…')`), else what its parser (`parsePhoneNumberFromString`)
 * concludes, which also picks the region of a shared code (a Canadian number under +1) and reads a national prefix
 * off the number (`+44 020 …`); else possible or not in the main region. The tests check it agrees with
 * libphonenumber itself.
 */
export function internationalVerdict(digits: string): Verdict {
  const code = callingCodeOf(digits);
  if (code === undefined) return { kind: 'no' };
  const national = digits.slice(code.callingCode.length);
  if (code.main.valid(national)) return new ValidVerdict(code.callingCode, national, undefined);
  const verdict: Verdict = { kind: isPossibleLength(code.main, national) ? 'possible' : 'no' };
  const prefix = code.nationalPrefix?.exec(national);
  if (prefix != null) {
    // Rare in text, and intricate (the prefix is kept in some cases, a carrier code may be read with it): left to
    // the parser once the number, with or without the prefix, is valid in one of the code's regions.
    if (!validInCode(code, national) && !validInCode(code, withoutNationalPrefix(code, national, prefix))) {
      return verdict;
    }
    const number = parsePhoneNumberFromString(`+${digits}`);
    return number?.isValid() ? { kind: 'valid', number } : verdict;
  }
  // The parser reads the digits as they are, in the region it picks (the main one when it picks none).
  if (national.length < 2 || national.length > 17) return verdict;
  const region = regionOf(code, national);
  if (region === undefined || !regionRules(region).valid(national)) return verdict;
  return new ValidVerdict(code.callingCode, national, region);
}

/**
 * A valid verdict whose PhoneNumber is built only when asked for (the tests do; the detector needs only how the
 * number is grouped when formatted, read from compiled formats). A class: object literals with getters are slow.
 */
class ValidVerdict implements Verdict {
  readonly kind = 'valid';
  trunkOmitted?: boolean;
  nationalGroups?: readonly number[];
  internationalGroups?: readonly number[];
  readonly #callingCode: string;
  readonly #national: string;
  readonly #region: CountryCode | undefined;
  #number: PhoneNumber | undefined;

  /** `region`: the one libphonenumber names, if it names one (else the number is of the code's main region). */
  constructor(callingCode: string, national: string, region: CountryCode | undefined) {
    this.#callingCode = callingCode;
    this.#national = national;
    this.#region = region;
  }

  get number(): PhoneNumber {
    if (this.#number === undefined) {
      this.#number = new PhoneNumber(`+${this.#callingCode}${this.#national}` as E164Number);
      if (this.#region !== undefined) this.#number.country = this.#region;
    }
    return this.#number;
  }

  writtenGroups(international: boolean): number[] {
    return writtenGroups(this.#callingCode, this.#national, this.#region, international);
  }
}

/** How libphonenumber reads one region's national significant numbers, compiled once. */
interface RegionRules {
  /** `isValid()` for a number of this region. */
  valid: (national: string) => boolean;
  /** `getNumberType()` finds a type: how the parser tells the regions of a shared calling code apart. */
  typed: (national: string) => boolean;
  possibleLengths: readonly number[] | undefined;
  /** Numbers of this region start so, where its calling code is shared (`^(?:…)`). */
  leadingDigits: RegExp | undefined;
}

/** How libphonenumber reads the numbers after one calling code, compiled once. */
interface CallingCodeRules {
  callingCode: string;
  /** The region it validates in when it is not told which (the first of a shared code; a non-geographic plan). */
  main: RegionRules;
  /** The regions sharing the code, in libphonenumber's order; undefined for a non-geographic code. */
  regions: readonly CountryCode[] | undefined;
  /** The national prefix the parser reads off a number (`^(?:…)`), and what replaces it. */
  nationalPrefix: RegExp | undefined;
  nationalPrefixTransform: string | undefined;
}

/** The parts of libphonenumber's `Metadata` read for international numbers (present at run time, not typed). */
interface CallingCodeMetadata {
  hasCallingCode(callingCode: string): boolean | undefined;
  getCountryCodesForCallingCode(callingCode: string): CountryCode[] | undefined;
  selectNumberingPlan(countryOrCallingCode: string): void;
  numberingPlan?: {
    possibleLengths(): number[] | undefined;
    leadingDigits(): string | undefined;
    nationalPrefixForParsing(): string | undefined;
    nationalPrefixTransformRule(): string | undefined;
  };
}

/** Selected by hand, one plan at a time, to compile the rules below. */
const sharedMetadata = new Metadata();
const metadataAccess = sharedMetadata as unknown as CallingCodeMetadata;

/** Compiled rules by region code (or non-geographic calling code), filled as numbers need them: static data. */
const compiledRegions = new Map<string, RegionRules>();

/**
 * Compiled rules by the calling code's numeric value (`44` → index 44): calling codes never start with 0, so one
 * value is one code. `null` marks a prefix that is no calling code; `undefined` one not looked up yet.
 */
const compiledCallingCodes: Array<CallingCodeRules | null | undefined> = [];

/** The rules of `region` (a region code, or a non-geographic calling code such as `800`). */
function regionRules(region: string): RegionRules {
  let rules = compiledRegions.get(region);
  if (rules === undefined) {
    metadataAccess.selectNumberingPlan(region);
    const numbering = metadataAccess.numberingPlan!;
    const valid = compiledValidity(sharedMetadata);
    const leadingDigits = numbering.leadingDigits();
    rules = {
      valid,
      typed: (sharedMetadata as unknown as PlanMetadata).hasTypes() ? valid : () => false,
      possibleLengths: numbering.possibleLengths(),
      leadingDigits: leadingDigits ? new RegExp(`^(?:${leadingDigits})`) : undefined,
    };
    compiledRegions.set(region, rules);
  }
  return rules;
}

/**
 * The calling code `digits` start with and its rules, as `new PhoneNumber('+…')` reads it: the shortest prefix of
 * one to three digits that is a calling code, followed by at least one digit.
 */
function callingCodeOf(digits: string): CallingCodeRules | undefined {
  let value = 0;
  for (let length = 1; length <= 3 && length < digits.length; length++) {
    const digit = digits.charCodeAt(length - 1) - 48;
    if (length === 1 && digit === 0) return undefined;
    value = value * 10 + digit;
    let rules = compiledCallingCodes[value];
    if (rules === undefined) {
      rules = compileCallingCode(digits.slice(0, length));
      compiledCallingCodes[value] = rules;
    }
    if (rules !== null) return rules;
  }
  return undefined;
}

function compileCallingCode(callingCode: string): CallingCodeRules | null {
  if (!metadataAccess.hasCallingCode(callingCode)) return null;
  const regions = metadataAccess.getCountryCodesForCallingCode(callingCode);
  const main = regionRules(regions?.[0] ?? callingCode);
  metadataAccess.selectNumberingPlan(callingCode);
  const numbering = metadataAccess.numberingPlan!;
  const nationalPrefix = numbering.nationalPrefixForParsing();
  return {
    callingCode,
    main,
    regions,
    nationalPrefix: nationalPrefix ? new RegExp(`^(?:${nationalPrefix})`) : undefined,
    nationalPrefixTransform: numbering.nationalPrefixTransformRule(),
  };
}

/** `isPossible()`: the national number has one of the region's possible lengths. */
function isPossibleLength(region: RegionRules, national: string): boolean {
  return region.possibleLengths === undefined || region.possibleLengths.includes(national.length);
}

/** The national number without the prefix `prefix` matched (`extractNationalNumberFromPossiblyIncompleteNumber`). */
function withoutNationalPrefix(code: CallingCodeRules, national: string, prefix: RegExpExecArray): string {
  const groups = prefix.length - 1;
  if (code.nationalPrefixTransform && groups > 0 && prefix[groups]) {
    return national.replace(code.nationalPrefix!, code.nationalPrefixTransform);
  }
  return national.slice(prefix[0].length);
}

/** Valid in the code's main region or in any region sharing it. */
function validInCode(code: CallingCodeRules, national: string): boolean {
  return code.main.valid(national) || (code.regions ?? []).some((region) => regionRules(region).valid(national));
}

/** `getCountryByCallingCode`: the region of a shared calling code that a national number belongs to. */
function regionOf(code: CallingCodeRules, national: string): CountryCode | undefined {
  const regions = code.regions;
  if (regions === undefined) return undefined;
  if (regions.length === 1) return regions[0];
  for (const region of regions) {
    const rules = regionRules(region);
    if (rules.leadingDigits !== undefined) {
      if (rules.leadingDigits.test(national)) return region;
    } else if (rules.typed(national)) return region;
  }
  return undefined;
}

/** One of a numbering plan's formats (`Format` in libphonenumber), compiled. */
interface CompiledFormat {
  /** The last of its leading-digits patterns, anchored (`search(…) === 0` in libphonenumber). */
  leadingDigits: RegExp | undefined;
  /** Its pattern, matching the whole national number. */
  entire: RegExp;
  /** Its pattern as the formatter applies it (`national.replace(new RegExp(pattern), template)`). */
  pattern: RegExp;
  national: string;
  international: string;
}

/** Formats of numbering plans, by region code or calling code (as `formatNumber` selects them): static data. */
const compiledFormats = new Map<string, readonly CompiledFormat[]>();

/** The parts of libphonenumber's `Format` read here (present at run time, not typed). */
interface FormatMetadata {
  pattern(): string;
  format(): string;
  leadingDigitsPatterns(): string[];
  nationalPrefixFormattingRule(): string | undefined;
  internationalFormat(): string;
}

function formatsOf(plan: string): readonly CompiledFormat[] {
  let formats = compiledFormats.get(plan);
  if (formats === undefined) {
    metadataAccess.selectNumberingPlan(plan);
    const numbering = metadataAccess.numberingPlan as unknown as { formats(): FormatMetadata[] };
    formats = numbering.formats().map((format) => {
      const leading = format.leadingDigitsPatterns();
      const rule = format.nationalPrefixFormattingRule();
      return {
        leadingDigits: leading.length > 0 ? new RegExp(`^(?:${leading.at(-1)})`) : undefined,
        entire: new RegExp(`^(?:${format.pattern()})$`),
        pattern: new RegExp(format.pattern()),
        // As `formatNationalNumberUsingFormat` writes a national number: with its national prefix.
        national: rule ? format.format().replace(/(\$\d)/, rule) : format.format(),
        international: format.internationalFormat(),
      };
    });
    compiledFormats.set(plan, formats);
  }
  return formats;
}

/**
 * How libphonenumber's `formatNational()` or `formatInternational()` groups the digits of a number, as group lengths
 * (`(020) 7946 0958` → `[3, 4, 4]`, `+44 20 7946 0958` → `[2, 2, 4, 4]`), from formats compiled once: the first format whose
 * leading digits and pattern fit the national number. `region` as the number's `country` (unset: the calling code's
 * main region). The tests check it agrees with libphonenumber's formatter.
 */
export function writtenGroups(
  callingCode: string,
  national: string,
  region: CountryCode | undefined,
  international: boolean,
): number[] {
  const format = formatsOf(region ?? callingCode).find(
    ({ leadingDigits, entire }) =>
      (leadingDigits === undefined || leadingDigits.test(national)) && entire.test(national),
  );
  const groups = groupLengths(
    format === undefined
      ? national
      : national.replace(format.pattern, international ? format.international : format.national),
  );
  if (international) groups.unshift(callingCode.length);
  return groups;
}
