/**
 * PERSON: people's names in free text, found from a names list rather than a model.
 *
 * A capitalised word is a candidate only where it starts a word (one literal-class regex finds them; nothing else is
 * read between them). A name is reported when
 * - a known given name is followed by a known surname (0.85) or, when the given name is not also an everyday word
 *   ("May", "Will", "Grant"), by any capitalised word (0.7), optionally with a middle initial: "John Q. Smith";
 * - an honorific is followed by capitalised words: "Dr. Okafor", "Ms Jane Doe" (0.85; the honorific stays outside);
 * - a known name follows a cue such as "Dear", "patient", "name:", "signed by" (0.75).
 * A lone known name without a cue is not reported: too many are also words.
 */

import type { Detector, SensitivityLabel, Span } from '../types.js';
import { type NameSets, nameSets } from './names.js';

const labels: readonly SensitivityLabel[] = Object.freeze(['pii']);

const honorifics: ReadonlySet<string> = new Set(['Mr', 'Mrs', 'Ms', 'Mx', 'Miss', 'Dr', 'Prof']);

/** Words (lower-cased) that announce a name: "Dear Grant", "patient: Smith", `"name": "Rose"`. */
const cues: ReadonlySet<string> = new Set([
  'name',
  'firstname',
  'lastname',
  'fullname',
  'customer',
  'patient',
  'employee',
  'contact',
  'client',
  'signed',
  'dear',
  'hi',
  'hello',
  'attn',
  'regards',
  'sincerely',
  'from',
  'by',
]);

/** Verbs that make "by" a strong cue: "signed by Mark" (but "by May" is a date). */
const byCues: ReadonlySet<string> = new Set(['signed', 'written', 'approved', 'reviewed', 'prepared', 'sent']);

/** Cues that also start ordinary phrases ("by May", "from Green to Red"): they admit only unambiguous names. */
const weakCues: ReadonlySet<string> = new Set(['by', 'from']);

/** Capitalised words that never continue a name: function words, months, days, and parts of places and companies. */
const notNameWords: ReadonlySet<string> = new Set(
  `The A An And Or But Nor So Yet For Of In On At To By From With Without Into Onto Over Under About After Before
  Is Are Was Were Be Been Am Do Does Did Has Have Had Will Would Can Could May Might Must Shall Should
  I We You He She It They Me Us Him Her Them My Our Your His Its Their This That These Those There Here Who What
  When Where Why How Which If Then Than As Not No Yes All Any Some Each Every Both Please Thanks Thank Regards Dear
  Hi Hello Mr Mrs Ms Mx Miss Dr Prof Jr Sr Inc Ltd Llc LLC Corp Co Company Group Holdings Partners Bank Capital
  Street St Road Rd Avenue Ave Lane Drive Boulevard Blvd Way Place Square Court Suite Apt Unit Floor Building
  Park Center Centre University College School Institute Hospital Clinic Church Museum Library Hotel Airport
  Station River Lake Mountain Island Islands County City State Province Department Office Team Project Foundation
  January February March April June July August September October November December Jan Feb Mar Apr Jun Jul Aug
  Sep Sept Oct Nov Dec Monday Tuesday Wednesday Thursday Friday Saturday Sunday Mon Tue Tues Wed Thu Thur Thurs Fri
  Sat Sun Day Week Month Year Today Tomorrow Yesterday Report Meeting Review Summary Update Note Notes`.split(/\s+/),
);

/** Words that make a place of the name after them. */
const placePrefixes: ReadonlySet<string> = new Set(
  'San Santa Santo Sao St Ste Saint Los Las El La Le Del New Port Fort Mount Mt Lake Cape Glen Villa Isla Costa'.split(
    ' ',
  ),
);

const months: ReadonlySet<string> = new Set(['April', 'May', 'June', 'August']);

interface Word {
  start: number;
  end: number;
  text: string;
}

/**
 * The PERSON detector (labels `pii`).
 *
 * @example
 * const spans: Span[] = [];
 * personDetector().detect('Signed by Priya Sharma.', spans);
 * // spans: [{ type: 'PERSON', start: 10, end: 22, score: 0.85 }]
 */
export function personDetector(): Detector {
  const capitalised = /[A-Z][a-z'\u2019]/g;
  return {
    type: 'PERSON',
    labels,
    detect(text: string, spans: Span[]): void {
      const names = nameSets();
      const filter = knownWordFilter(names);
      capitalised.lastIndex = 0;
      while (capitalised.test(text)) {
        const start = capitalised.lastIndex - 2;
        if (isWordChar(text.charCodeAt(start - 1))) continue;
        const end = wordEnd(text, start);
        // Most capitalised words are not names: the filter rules them out without building a string.
        if (end === -1 || !mayBeKnown(filter, wordHash(text, start, end))) continue;
        const found = nameAt(text, { start, end, text: text.slice(start, end) }, names);
        if (found === undefined) continue;
        spans.push({ type: 'PERSON', start: found.start, end: found.end, score: found.score });
        capitalised.lastIndex = found.end;
      }
    },
  };
}

let filterBits: Uint32Array | undefined;

/** A 64-kbit Bloom filter (two probes) over every name and honorific: ~0.3% of other words get through. */
function knownWordFilter(names: NameSets): Uint32Array {
  if (filterBits !== undefined) return filterBits;
  const bits = new Uint32Array(2048);
  for (const set of [names.given, names.surnames, honorifics]) {
    for (const word of set) {
      const hash = wordHash(word, 0, word.length);
      for (const bit of [hash & 0xffff, hash >>> 16]) bits[bit >>> 5] = (bits[bit >>> 5] ?? 0) | (1 << (bit & 31));
    }
  }
  filterBits = bits;
  return bits;
}

function mayBeKnown(bits: Uint32Array, hash: number): boolean {
  const low = hash & 0xffff;
  const high = hash >>> 16;
  return ((bits[low >>> 5] ?? 0) & (1 << (low & 31))) !== 0 && ((bits[high >>> 5] ?? 0) & (1 << (high & 31))) !== 0;
}

/** FNV-1a over `text[start, end)`. */
function wordHash(text: string, start: number, end: number): number {
  let hash = 0x811c9dc5;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

function nameAt(text: string, word: Word, names: NameSets): { start: number; end: number; score: number } | undefined {
  if (honorifics.has(word.text)) return afterHonorific(text, word.end);
  const { given, surnames, wordLike } = names;
  if (given.has(word.text)) {
    if (placePrefixes.has(previousWord(text, word.start))) return undefined; // San Francisco, St Helena, New Albany
    const next = followingName(text, word.end);
    if (next !== undefined) {
      const wordy = wordLike.has(word.text);
      if (surnames.has(next.text) && !(wordy && wordLike.has(next.text))) {
        return { start: word.start, end: next.end, score: 0.85 };
      }
      if (given.has(next.text)) {
        // "Mary Ann Smith": a second given name, then the surname.
        const last = followingName(text, next.end);
        if (last !== undefined && surnames.has(last.text)) return { start: word.start, end: last.end, score: 0.85 };
      }
      if (!wordy) return { start: word.start, end: next.end, score: 0.7 };
    }
    const cue = cueBefore(text, word.start);
    if (cue === undefined || (weakCues.has(cue) && wordLike.has(word.text))) return undefined;
    if ((weakCues.has(cue) || cue === 'signed') && months.has(word.text)) return undefined;
    return { start: word.start, end: next?.end ?? word.end, score: 0.75 };
  }
  if (surnames.has(word.text)) {
    const cue = cueBefore(text, word.start);
    if (cue === undefined || (weakCues.has(cue) && wordLike.has(word.text))) return undefined;
    return { start: word.start, end: word.end, score: 0.75 };
  }
  return undefined;
}

/** "Dr. Jane Okafor", "Mr O'Neil", "Prof. J. R. Tolkien": up to three capitalised words or initials. */
function afterHonorific(text: string, from: number): { start: number; end: number; score: number } | undefined {
  let i = text.charCodeAt(from) === 46 /* . */ ? from + 1 : from;
  let start = -1;
  let end = -1;
  for (let count = 0; count < 3; count++) {
    const at = skipSpaces(text, i);
    if (at === i) break;
    const initialEnd = initialAt(text, at);
    if (initialEnd !== -1) {
      if (start === -1) start = at;
      i = initialEnd;
      continue;
    }
    const word = titleWordAt(text, at);
    if (word === undefined || notNameWords.has(word.text)) break;
    if (start === -1) start = at;
    end = word.end;
    i = word.end;
  }
  return end === -1 ? undefined : { start, end, score: 0.85 };
}

/** The capitalised word after one or two spaces (and an optional middle initial), if it can continue a name. */
function followingName(text: string, from: number): Word | undefined {
  let i = skipSpaces(text, from);
  if (i === from) return undefined;
  const initialEnd = initialAt(text, i);
  if (initialEnd !== -1) {
    const after = skipSpaces(text, initialEnd);
    if (after === initialEnd) return undefined;
    i = after;
  }
  const word = titleWordAt(text, i);
  if (word === undefined || notNameWords.has(word.text)) return undefined;
  return word;
}

/** A lower-cased cue word just before `start` ("Dear ", "name: ", `"name": "`), if there is one. */
function cueBefore(text: string, start: number): string | undefined {
  let i = start - 1;
  const stop = Math.max(0, start - 5);
  while (i >= stop && isCuePunctuation(text.charCodeAt(i))) i--;
  if (i === start - 1) return undefined;
  const end = i + 1;
  const limit = Math.max(0, end - 12);
  while (i >= limit && isAsciiLetter(text.charCodeAt(i))) i--;
  if (isAsciiLetter(text.charCodeAt(i)) || i + 1 === end) return undefined;
  const word = text.slice(i + 1, end).toLowerCase();
  if (word === 'by' && byCues.has(previousWord(text, i + 1).toLowerCase())) return 'signed'; // "approved by Mark"
  return cues.has(word) ? word : undefined;
}

/** The word just before `start`, separated by one space ("" when there is none). */
function previousWord(text: string, start: number): string {
  if (text.charCodeAt(start - 1) !== 32) return '';
  let i = start - 2;
  while (i >= start - 12 && isLetter(text.charCodeAt(i))) i--;
  return text.slice(i + 1, start - 1);
}

/** A Title-case word at `i`: an upper-case letter, then lower-case letters (with O'Brien, Smith-Jones, McDonald). */
function titleWordAt(text: string, i: number): Word | undefined {
  if (!isUpper(text.charCodeAt(i))) return undefined;
  const second = text.charCodeAt(i + 1);
  if (!isLower(second) && second !== 39 && second !== 0x2019) return undefined;
  const end = wordEnd(text, i);
  return end === -1 ? undefined : { start: i, end, text: text.slice(i, end) };
}

/** The end of the word starting at `start`, stopping before a possessive "'s"; -1 when too long to be a name. */
function wordEnd(text: string, start: number): number {
  const limit = start + 40;
  let i = start + 1;
  while (i < limit) {
    const c = text.charCodeAt(i);
    if (isLetter(c)) {
      i++;
    } else if ((c === 39 || c === 0x2019 || c === 45) && isLetter(text.charCodeAt(i + 1))) {
      if (c !== 45 && text.charCodeAt(i + 1) === 115 /* s */ && !isLetter(text.charCodeAt(i + 2))) return i;
      i += 2;
    } else {
      return i;
    }
  }
  return isLetter(text.charCodeAt(i)) ? -1 : i;
}

/** "Q." followed by a space: returns the index after the period, or -1. */
function initialAt(text: string, i: number): number {
  return isUpper(text.charCodeAt(i)) && text.charCodeAt(i + 1) === 46 ? i + 2 : -1;
}

/** One or two spaces or tabs; returns `from` when there are none or more (a gap is not inside a name). */
function skipSpaces(text: string, from: number): number {
  let i = from;
  while (i < from + 2 && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i++;
  return text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9 ? from : i;
}

function isCuePunctuation(c: number): boolean {
  return c === 32 || c === 9 || c === 58 /* : */ || c === 34 /* " */ || c === 39 || c === 44 /* , */ || c === 61;
}

function isAsciiLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function isUpper(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 0xc0 && c <= 0xde && c !== 0xd7);
}

function isLower(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 0xdf && c <= 0xff && c !== 0xf7);
}

/** Latin letters, including Latin-1 and Latin Extended-A accented ones. */
function isLetter(c: number): boolean {
  return isAsciiLetter(c) || (c >= 0xc0 && c <= 0x24f && c !== 0xd7 && c !== 0xf7);
}

function isWordChar(c: number): boolean {
  return isLetter(c) || (c >= 48 && c <= 57) || c === 39 || c === 0x2019;
}
