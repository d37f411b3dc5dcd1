/**
 * PERSON: people's names in free text, found from a names list rather than a model.
 *
 * The candidates are the known names and honorifics themselves, where they are whole words: one regex pass over the
 * text (a trie of every name, see `knownWordPattern`) stops only there, and nothing else is read between them. A
 * name is reported when
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
  'owner',
  'requester',
  'assignee',
  'reporter',
  'author',
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
  Sat Sun Day Week Month Year Today Tomorrow Yesterday Report Meeting Review Summary Update Note Notes
  Enterprises Industries Technologies Technology Systems Solutions Labs Services Consulting International Global
  Logistics Media Foods Motors Pharma Software Networks Ventures Associates Trust Insurance Energy Airlines Gmbh
  GmbH AG SA PLC Plc LLP Corporation Incorporated Limited Brothers Bros`.split(/\s+/),
);

/** Lower-case words that start a surname: "Lena van der Berg", "Ana de la Cruz", "Ludwig von Mises". */
const surnameParticles: ReadonlySet<string> = new Set(
  'van von der den de da das do dos di du del della la le ter ten bin ibn'.split(' '),
);

/** Words that make a place of the name after them. */
const placePrefixes: ReadonlySet<string> = new Set(
  'San Santa Santo Sao St Ste Saint Los Las El La Le Del New Port Fort Mount Mt Lake Cape Glen Villa Isla Costa'.split(
    ' ',
  ),
);

const months: ReadonlySet<string> = new Set(['April', 'May', 'June', 'August']);

/** What a word is to this detector, as bit flags: one map lookup answers every question asked of it. */
const honorificWord = 1;
const givenName = 2;
const surname = 4;
const wordLikeName = 8;
const monthName = 16;
const notNameWord = 32;

let wordKinds: ReadonlyMap<string, number> | undefined;

/** The flags of every honorific, name, month and word that never continues a name. */
function kindsOf(names: NameSets): ReadonlyMap<string, number> {
  if (wordKinds !== undefined) return wordKinds;
  const kinds = new Map<string, number>();
  const mark = (words: Iterable<string>, kind: number) => {
    for (const word of words) kinds.set(word, (kinds.get(word) ?? 0) | kind);
  };
  mark(honorifics, honorificWord);
  mark(names.given, givenName);
  mark(names.surnames, surname);
  mark(names.wordLike, wordLikeName);
  mark(months, monthName);
  mark(notNameWords, notNameWord);
  wordKinds = kinds;
  return kinds;
}

/**
 * A word's flags, read through its accents: the lists are romanised (`Jurgen`, `Francois`, `Joao`), text often is
 * not (`Jürgen`, `François`, `João`). Only a word with a non-ASCII letter pays for the folding.
 */
function kindOf(kinds: ReadonlyMap<string, number>, word: string): number {
  const kind = kinds.get(word);
  if (kind !== undefined) return kind;
  return nonAscii.test(word) ? (kinds.get(foldAccents(word)) ?? 0) : 0;
}

const nonAscii = /[\u0080-\uffff]/;

/** The Latin-1 and Latin Extended-A letters with accents, by the ASCII letter they fold to. */
const accented: Readonly<Record<string, string>> = {
  a: 'àáâãäåāăą',
  c: 'çćč',
  e: 'èéêëēėęě',
  i: 'ìíîïīį',
  n: 'ñńň',
  o: 'òóôõöøōő',
  u: 'ùúûüūůű',
  y: 'ýÿ',
  s: 'śšş',
  z: 'źżž',
  l: 'ł',
  r: 'ř',
  g: 'ğ',
};

const foldTable: ReadonlyMap<string, string> = new Map(
  Object.entries(accented).flatMap(([plain, marks]) =>
    [...marks].flatMap((mark) => [
      [mark, plain],
      [mark.toUpperCase(), plain.toUpperCase()],
    ]),
  ),
);

function foldAccents(word: string): string {
  let out = '';
  for (const char of word) out += foldTable.get(char) ?? char;
  return out;
}

function is(kind: number, flag: number): boolean {
  return (kind & flag) !== 0;
}

interface Word {
  start: number;
  end: number;
  text: string;
  /** Its {@link kindsOf} flags, 0 for any other word. */
  kind: number;
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
  return {
    type: 'PERSON',
    labels,
    detect(text: string, spans: Span[]): void {
      const names = nameSets();
      const known = knownWordPattern(names);
      const kinds = kindsOf(names);
      known.lastIndex = 0;
      for (let match = known.exec(text); match !== null; match = known.exec(text)) {
        const start = match.index;
        const word = { start, end: start + match[0].length, text: match[0], kind: kindOf(kinds, match[0]) };
        const found = nameAt(text, word, kinds);
        if (found === undefined) {
          // Another word may start inside this one, after a hyphen.
          known.lastIndex = start + 1;
          continue;
        }
        spans.push({ type: 'PERSON', start: found.start, end: found.end, score: found.score });
        known.lastIndex = found.end;
      }
      findAccented(text, spans, kinds);
    },
  };
}

/** Letters with an accent, found by a native pass: they are rare, so the pass costs little. */
const accentedLetters = /[\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f]/g;

/**
 * Names written with accents (`Jürgen Müller`, `François Lefèvre`), which the ASCII names regex cannot stop at:
 * from each accented letter, the capitalised word holding it is read through its accents. Names the first pass
 * already took (`Sarah François Thompson`) are not taken again.
 */
function findAccented(text: string, spans: Span[], kinds: ReadonlyMap<string, number>): void {
  // The first pass's names, in order of start: a moving pointer tells whether a word is already inside one.
  const taken: Span[] = spans.filter((span) => span.type === 'PERSON');
  let next = 0;
  accentedLetters.lastIndex = 0;
  while (accentedLetters.test(text)) {
    const at = accentedLetters.lastIndex - 1;
    // Always past this letter's word, whatever is read below: the pass must move forward.
    const resume = wordEndFrom(text, at);
    accentedLetters.lastIndex = resume;
    let start = at;
    while (start > 0 && start > at - longestWord && isWordLetter(text.charCodeAt(start - 1))) start--;
    const before = text.charCodeAt(start - 1);
    const word = isDigit(before) || before === 39 || before === 0x2019 ? undefined : titleWordAt(text, start, kinds);
    if (word === undefined || word.kind === 0 || word.end <= at) continue;
    while (next < taken.length && taken[next]!.end <= word.start) next++;
    if (next < taken.length && taken[next]!.start < word.end) continue;
    const found = nameAt(text, word, kinds);
    if (found === undefined) continue;
    spans.push({ type: 'PERSON', start: found.start, end: found.end, score: found.score });
    accentedLetters.lastIndex = Math.max(resume, found.end);
  }
}

/** Past the letters from `i`. */
function wordEndFrom(text: string, i: number): number {
  let end = i + 1;
  while (end < text.length && isWordLetter(text.charCodeAt(end))) end++;
  return end;
}

/** A letter, or an apostrophe or hyphen, as words read backwards from an accented letter run through. */
function isWordLetter(c: number): boolean {
  return isLetter(c) || c === 39 || c === 0x2019 || c === 45;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Latin letters as {@link isLetter} reads them, for a regex class. */
const letterClass = 'A-Za-z\\u00c0-\\u00d6\\u00d8-\\u00f6\\u00f8-\\u024f';

let knownWords: RegExp | undefined;

/**
 * One regex for every name and honorific that can start a word here, as a whole word: not after a letter, digit or
 * apostrophe, and ending where {@link wordEnd} ends it (`O'Brien's` holds `O'Brien`; `Smithson`, `Smith-Jones`
 * hold no `Smith`). Written as a trie of alternations (`(?:A(?:dam(?:s)?|lice)|B…)`), which the regex engine runs
 * as one native pass that stops only at names — far cheaper than stopping at every capitalised word. Each try
 * reads at most a name's length and three characters after it, so the pass is linear.
 */
function knownWordPattern(names: NameSets): RegExp {
  if (knownWords !== undefined) return knownWords;
  // A candidate starts with a capital and a lower-case letter or apostrophe; a word that would not end where the
  // name does (`Ab's`, `Ab-`) can never be read as that name.
  const words = [...names.given, ...names.surnames, ...honorifics].filter(
    (word) => /^[A-Z][a-z'\u2019]/.test(word) && word.length < longestWord && wordEnd(`${word} `, 0) === word.length,
  );
  const notAfter = `(?<![${letterClass}0-9'\\u2019])`;
  const wordGoesOn = `(?![${letterClass}]|-[${letterClass}]|['\\u2019](?!s(?![${letterClass}]))[${letterClass}])`;
  knownWords = new RegExp(`${notAfter}${alternation(words)}${wordGoesOn}`, 'g');
  return knownWords;
}

interface TrieNode {
  children: Map<string, TrieNode>;
  isWord: boolean;
}

/** A regex source that matches exactly the given words, as nested alternations sharing their prefixes. */
function alternation(words: readonly string[]): string {
  const root: TrieNode = { children: new Map(), isWord: false };
  for (const word of words) {
    let node = root;
    for (const char of word) {
      let child = node.children.get(char);
      if (child === undefined) {
        child = { children: new Map(), isWord: false };
        node.children.set(char, child);
      }
      node = child;
    }
    node.isWord = true;
  }
  const source = (node: TrieNode): string => {
    const branches = [...node.children].map(
      ([char, child]) => char.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&') + source(child),
    );
    if (branches.length === 0) return '';
    if (branches.length === 1 && !node.isWord) return branches[0]!;
    return `(?:${branches.join('|')})${node.isWord ? '?' : ''}`;
  };
  return source(root);
}

function nameAt(
  text: string,
  word: Word,
  kinds: ReadonlyMap<string, number>,
): { start: number; end: number; score: number } | undefined {
  const { kind } = word;
  if (is(kind, honorificWord)) return afterHonorific(text, word.end, kinds);
  const wordy = is(kind, wordLikeName);
  if (is(kind, givenName)) {
    if (afterPlacePrefix(text, word.start)) return undefined; // San Francisco, St Helena, New Albany
    const next = followingName(text, word.end, kinds);
    if (next !== undefined) {
      const last = followingName(text, next.end, kinds);
      if (is(next.kind, surname) && !(wordy && is(next.kind, wordLikeName))) {
        // "Maria Garcia Lopez": a second surname.
        const end = last !== undefined && is(last.kind, surname) && !is(last.kind, wordLikeName) ? last.end : next.end;
        return { start: word.start, end, score: 0.85 };
      }
      if (is(next.kind, givenName) && last !== undefined) {
        // "Mary Ann Smith": a second given name, then the surname — or any capitalised word that is not an
        // everyday one ("Nancy Gabriela Novak").
        if (is(last.kind, surname)) return { start: word.start, end: last.end, score: 0.85 };
        if (!wordy && !is(last.kind, wordLikeName)) return { start: word.start, end: last.end, score: 0.7 };
      }
      if (!wordy) return { start: word.start, end: next.end, score: 0.7 };
    }
    const cue = cueBefore(text, word.start);
    if (cue === undefined || (weakCues.has(cue) && wordy)) return undefined;
    if ((weakCues.has(cue) || cue === 'signed') && is(kind, monthName)) return undefined;
    return { start: word.start, end: next?.end ?? word.end, score: 0.75 };
  }
  if (is(kind, surname)) {
    const cue = cueBefore(text, word.start);
    if (cue !== undefined) return weakCues.has(cue) && wordy ? undefined : { ...word, score: 0.75 };
    // "Owner: Larissa Nair": a given name not on the list, then a known surname, after a cue.
    const before = wordy ? undefined : titleWordBefore(text, word.start, kinds);
    if (before === undefined || is(before.kind, notNameWord)) return undefined;
    const outer = cueBefore(text, before.start);
    return outer === undefined || weakCues.has(outer) ? undefined : { start: before.start, end: word.end, score: 0.75 };
  }
  return undefined;
}

/** "Dr. Jane Okafor", "Mr O'Neil", "Prof. J. R. Tolkien": up to three capitalised words or initials. */
function afterHonorific(
  text: string,
  from: number,
  kinds: ReadonlyMap<string, number>,
): { start: number; end: number; score: number } | undefined {
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
    const word = titleWordAt(text, at, kinds);
    if (word === undefined || is(word.kind, notNameWord)) break;
    if (start === -1) start = at;
    end = word.end;
    i = word.end;
  }
  return end === -1 ? undefined : { start, end, score: 0.85 };
}

/** The capitalised word after one or two spaces (and an optional middle initial), if it can continue a name. */
function followingName(text: string, from: number, kinds: ReadonlyMap<string, number>): Word | undefined {
  let i = skipSpaces(text, from);
  if (i === from) return undefined;
  const initialEnd = initialAt(text, i);
  if (initialEnd !== -1) {
    const after = skipSpaces(text, initialEnd);
    if (after === initialEnd) return undefined;
    i = after;
  }
  const particles = particlesAt(text, i);
  const word = titleWordAt(text, particles, kinds);
  if (word === undefined || is(word.kind, notNameWord)) return undefined;
  // A surname with particles is one, whatever its last word: "van der Berg".
  return particles === i ? word : { start: i, end: word.end, text: text.slice(i, word.end), kind: surname };
}

/** Past up to two surname particles and their spaces at `i` ("van der ", "de la "); `i` when there are none. */
function particlesAt(text: string, i: number): number {
  let at = i;
  for (let count = 0; count < 2; count++) {
    let end = at;
    while (end < at + 5 && text.charCodeAt(end) >= 97 && text.charCodeAt(end) <= 122) end++;
    if (end === at || text.charCodeAt(end) !== 32 || !surnameParticles.has(text.slice(at, end))) break;
    at = end + 1;
  }
  return at;
}

/** The Title-case word ending one space before `start` ("Larissa" in "Larissa Nair"), if there is one. */
function titleWordBefore(text: string, start: number, kinds: ReadonlyMap<string, number>): Word | undefined {
  if (text.charCodeAt(start - 1) !== 32) return undefined;
  let i = start - 2;
  while (i >= start - longestWord && isLetter(text.charCodeAt(i))) i--;
  const word = titleWordAt(text, i + 1, kinds);
  return word !== undefined && word.end === start - 1 ? word : undefined;
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

/** Whether the word just before `start` (see {@link previousWord}) makes a place of a name after it. */
function afterPlacePrefix(text: string, start: number): boolean {
  if (text.charCodeAt(start - 1) !== 32) return false;
  let i = start - 2;
  while (i >= start - 12 && isLetter(text.charCodeAt(i))) i--;
  // Every prefix is capitalised: most words before a name are ruled out without building a string.
  return isUpper(text.charCodeAt(i + 1)) && placePrefixes.has(text.slice(i + 1, start - 1));
}

/** The word just before `start`, separated by one space ("" when there is none). */
function previousWord(text: string, start: number): string {
  if (text.charCodeAt(start - 1) !== 32) return '';
  let i = start - 2;
  while (i >= start - 12 && isLetter(text.charCodeAt(i))) i--;
  return text.slice(i + 1, start - 1);
}

/** A Title-case word at `i`: an upper-case letter, then lower-case letters (with O'Brien, Smith-Jones, McDonald). */
function titleWordAt(text: string, i: number, kinds: ReadonlyMap<string, number>): Word | undefined {
  if (!isUpper(text.charCodeAt(i))) return undefined;
  const second = text.charCodeAt(i + 1);
  if (!isLower(second) && second !== 39 && second !== 0x2019) return undefined;
  const end = wordEnd(text, i);
  if (end === -1) return undefined;
  const word = text.slice(i, end);
  return { start: i, end, text: word, kind: kindOf(kinds, word) };
}

/** Past this many characters a word is too long to be a name. */
const longestWord = 40;

/** The end of the word starting at `start`, stopping before a possessive "'s"; -1 when too long to be a name. */
function wordEnd(text: string, start: number): number {
  const limit = start + longestWord;
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
