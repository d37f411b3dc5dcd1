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

/** What a cue is, as bit flags (see {@link cueBefore}). */
const anyCue = 1;
/** A cue that also starts ordinary phrases ("by May", "from Green to Red"): it admits only unambiguous names. */
const weakCue = 2;
/** "signed", or "by" after a verb that makes it strong: "approved by Mark". */
const signedCue = 4;
/** "by", which a verb before it makes a {@link signedCue}. */
const byCue = 8;

/** Words (lower-cased) that announce a name: "Dear Grant", "patient: Smith", `"name": "Rose"`. */
const cueWords: readonly string[] = [
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
];

/** Verbs that make "by" a strong cue: "signed by Mark" (but "by May" is a date). */
const byVerbs: readonly string[] = ['signed', 'written', 'approved', 'reviewed', 'prepared', 'sent'];

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
const surnameParticles: readonly string[] =
  'van von der den de da das do dos di du del della la le ter ten bin ibn'.split(' ');

/** Words that make a place of the name after them. */
const placePrefixes: readonly string[] =
  'San Santa Santo Sao St Ste Saint Los Las El La Le Del New Port Fort Mount Mt Lake Cape Glen Villa Isla Costa'.split(
    ' ',
  );

const months: ReadonlySet<string> = new Set(['April', 'May', 'June', 'August']);

/** What a word is to this detector, as bit flags: one map lookup answers every question asked of it. */
const honorificWord = 1;
const givenName = 2;
const surname = 4;
const wordLikeName = 8;
const monthName = 16;
const notNameWord = 32;

let wordKinds: WordTable | undefined;

/** The flags of every honorific, name, month and word that never continues a name, read through accents. */
function kindsOf(names: NameSets): WordTable {
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
  wordKinds = new WordTable(kinds, accentFolding);
  return wordKinds;
}

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

/** A character code folding, by code, for every code a {@link isLetter} letter can have; the rest stay as they are. */
type Folding = Uint16Array;

function identityFolding(): Folding {
  return Uint16Array.from({ length: 0x250 }, (_, code) => code);
}

const noFolding: Folding = identityFolding();

/**
 * Accents off: the lists are romanised (`Jurgen`, `Francois`, `Joao`), text often is not (`Jürgen`, `François`,
 * `João`).
 */
const accentFolding: Folding = identityFolding();
for (const [plain, marks] of Object.entries(accented)) {
  for (const mark of marks) {
    accentFolding[mark.charCodeAt(0)] = plain.charCodeAt(0);
    accentFolding[mark.toUpperCase().charCodeAt(0)] = plain.toUpperCase().charCodeAt(0);
  }
}

/** ASCII upper case to lower case, as the cues are compared. */
const lowerCaseFolding: Folding = identityFolding();
for (let code = 65; code <= 90; code++) lowerCaseFolding[code] = code + 32;

/**
 * Words, each with a number, looked up straight from a range of the text through a character folding: faster than
 * slicing each candidate out to look it up in a Map, which allocated and hashed a new string per lookup. Open
 * addressing on an FNV-1a hash of the folded codes; a word in the probed slot is confirmed code by code. The words
 * must be given folded already (ASCII, and lower case for the cues): a word its folding would change could never be
 * found, so the constructor refuses one.
 */
class WordTable {
  private readonly words: Array<string | undefined>;
  private readonly values: Int32Array;
  private readonly mask: number;

  constructor(
    entries: Iterable<readonly [string, number]>,
    private readonly folding: Folding,
  ) {
    const list = [...entries];
    let size = 16;
    while (size < list.length * 4) size *= 2;
    this.words = new Array<string | undefined>(size).fill(undefined);
    this.values = new Int32Array(size);
    this.mask = size - 1;
    for (const [word, value] of list) {
      for (let i = 0; i < word.length; i++) {
        const code = word.charCodeAt(i);
        if (this.fold(code) !== code) throw new Error(`WordTable: ${JSON.stringify(word)} is not folded`);
      }
      let slot = this.hash(word, 0, word.length) & this.mask;
      while (this.words[slot] !== undefined) slot = (slot + 1) & this.mask;
      this.words[slot] = word;
      this.values[slot] = value;
    }
  }

  /** The number of the word `text[start, end)` once folded; 0 when it is not in the table. */
  get(text: string, start: number, end: number): number {
    let slot = this.hash(text, start, end) & this.mask;
    for (let word = this.words[slot]; word !== undefined; word = this.words[slot]) {
      if (word.length === end - start && this.holds(word, text, start)) return this.values[slot]!;
      slot = (slot + 1) & this.mask;
    }
    return 0;
  }

  private fold(code: number): number {
    return code < this.folding.length ? this.folding[code]! : code;
  }

  private hash(text: string, start: number, end: number): number {
    let hash = 0x811c9dc5;
    for (let i = start; i < end; i++) hash = Math.imul(hash ^ this.fold(text.charCodeAt(i)), 0x01000193);
    return (hash ^ (hash >>> 15)) >>> 0;
  }

  private holds(word: string, text: string, start: number): boolean {
    for (let i = 0; i < word.length; i++) {
      if (word.charCodeAt(i) !== this.fold(text.charCodeAt(start + i))) return false;
    }
    return true;
  }
}

/** A table of words that only need to be known, not told apart. */
function tableOf(words: Iterable<string>, folding: Folding): WordTable {
  return new WordTable(
    Array.from(words, (word) => [word, 1] as const),
    folding,
  );
}

const cueKinds = new WordTable(
  new Map(cueWords.map((word) => [word, anyCue]))
    .set('signed', anyCue | signedCue)
    .set('by', anyCue | weakCue | byCue)
    .set('from', anyCue | weakCue),
  lowerCaseFolding,
);
const byVerbTable = tableOf(byVerbs, lowerCaseFolding);
const particleTable = tableOf(surnameParticles, noFolding);
const placePrefixTable = tableOf(placePrefixes, noFolding);

function is(kind: number, flag: number): boolean {
  return (kind & flag) !== 0;
}

interface Word {
  start: number;
  end: number;
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
      const { pattern: known, apostropheNames } = knownWordPattern(names);
      const kinds = kindsOf(names);
      const first = spans.length;
      known.lastIndex = 0;
      // `test`, not `exec`: no match array or matched string to allocate. The name starts after the letters and
      // apostrophes before its end, as the pattern's look-behind puts none before it (but the `O'` of `O'Brien`).
      // When no name is read from a word, the search goes on from its end (`lastIndex`): no other name starts
      // inside it, as the look-behind refuses a letter before one.
      while (known.test(text)) {
        const end = known.lastIndex;
        let start = end - 1;
        while (start > 0 && isNameCharacter(text.charCodeAt(start - 1))) start--;
        // What the pattern leaves to this loop (see `knownWordPattern`): no name follows a digit, and a word matched
        // from after its `O'` is a name only if the whole of it is one (`O'Brien`, not `O'John`).
        if (isDigit(text.charCodeAt(start - 1))) continue;
        if (isApostrophe(text.charCodeAt(start + 1)) && apostropheNames.get(text, start, end) === 0) continue;
        const found = nameAt(text, { start, end, kind: kinds.get(text, start, end) }, kinds);
        if (found === undefined) continue;
        spans.push(found);
        known.lastIndex = found.end;
      }
      findAccented(text, spans, first, kinds);
    },
  };
}

/** Any character but a letter with an accent: all but U+00C0-U+024F, whose × and ÷ `findAccented` skips. */
const notAccented = '[^\\u00c0-\\u024f]';

/**
 * What comes before the next letter with an accent, skipped by one native pass: they are rare, so the pass is nearly
 * all of what finding them costs. Four characters a turn of its loop (`(?:xxxx)*x?x?x?`) and one range for a
 * class, it skips at 0.26 ms/MB, where a search for the letters (`/[\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f]/g`)
 * took 0.66 and a plain `[^…]*` 0.50.
 */
const beforeAccented = new RegExp(`(?:${notAccented.repeat(4)})*${`${notAccented}?`.repeat(3)}`, 'y');

/**
 * Names written with accents (`Jürgen Müller`, `François Lefèvre`), which the ASCII names regex cannot stop at:
 * from each accented letter, the capitalised word holding it is read through its accents. Names the first pass
 * already took (`Sarah François Thompson`: `spans` from index `first` on) are not taken again.
 */
function findAccented(text: string, spans: Span[], first: number, kinds: WordTable): void {
  // The first pass's names, in order of start: a pointer moving forward over them (read in place, not filtered into
  // a copy) tells whether a word is already inside one. Spans before `first` are the caller's, of other texts or
  // detectors.
  const taken = spans.length;
  let next = first;
  let from = 0;
  for (;;) {
    beforeAccented.lastIndex = from;
    // The pattern matches (maybe nothing) anywhere up to the end: `test` fails only past it.
    const at = beforeAccented.test(text) ? beforeAccented.lastIndex : text.length;
    if (at >= text.length) break;
    if (!isLetter(text.charCodeAt(at))) {
      from = at + 1;
      continue;
    }
    // Always past this letter's word, whatever is read below: the pass must move forward.
    const resume = wordEndFrom(text, at);
    from = resume;
    let start = at;
    while (start > 0 && start > at - longestWord && isWordLetter(text.charCodeAt(start - 1))) start--;
    const before = text.charCodeAt(start - 1);
    const word = isDigit(before) || before === 39 || before === 0x2019 ? undefined : titleWordAt(text, start, kinds);
    if (word === undefined || word.kind === 0 || word.end <= at) continue;
    while (next < taken && spans[next]!.end <= word.start) next++;
    if (next < taken && spans[next]!.start < word.end) continue;
    const found = nameAt(text, word, kinds);
    if (found === undefined) continue;
    spans.push(found);
    from = Math.max(resume, found.end);
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

/** What the names of the lists are written with: ASCII letters and apostrophes (`O'Brien`). */
function isNameCharacter(c: number): boolean {
  return isAsciiLetter(c) || isApostrophe(c);
}

function isApostrophe(c: number): boolean {
  return c === 39 || c === 0x2019;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Latin letters as {@link isLetter} reads them, for a regex class. */
const letterClass = 'A-Za-z\\u00c0-\\u00d6\\u00d8-\\u00f6\\u00f8-\\u024f';

/** The names regex of {@link knownWordPattern}, and what `detect` checks its matches against. */
interface KnownWords {
  pattern: RegExp;
  /** The names with an apostrophe second (`O'Brien`), which the pattern finds from after it. */
  apostropheNames: WordTable;
}

let knownWords: KnownWords | undefined;

/**
 * One regex for every name and honorific that can start a word here, as a whole word: not after a letter, digit or
 * apostrophe, and ending where {@link wordEnd} ends it (`O'Brien's` holds `O'Brien`; `Smithson`, `Smith-Jones`
 * hold no `Smith`). Written as a trie of alternations (`(?:A(?:dam(?:s)?|lice)|B…)`), which the regex engine runs
 * as one native pass that stops only at names — far cheaper than stopping at every capitalised word. Each try
 * reads at most a name's length and three characters after it, so the pass is linear.
 *
 * Two things make the pass 7-11% faster (2.13 → 1.92 ms/MB on dense JSONL), both checked again in `detect`:
 * - V8 skips ahead to where the first two characters could start a name: with every name a capital then a
 *   lower-case letter, only a Title-case word. `O'Brien` would make it stop at every capital before an apostrophe,
 *   so such names are matched from after the apostrophe (`Brien`, when a lone `O'` comes before it) and `detect`
 *   takes the whole word back. Their ends then match on their own too (`Dear Brien`), which `detect` reads as the
 *   unknown words they are; so this is done only while every end is one, or a name itself (`Connor`), and starts
 *   like a name.
 * - The look-behind leaves out the digit 5: V8 tests a class of four ASCII ranges (`0-4`, `6-9`, `A-Z`, `a-z`)
 *   with one table lookup, but three ranges with three comparisons. Without the apostrophe, that class would have
 *   three.
 */
function knownWordPattern(names: NameSets): KnownWords {
  if (knownWords !== undefined) return knownWords;
  // A candidate starts with a capital and a lower-case letter or apostrophe; a word that would not end where the
  // name does (`Ab's`, `Ab-`) can never be read as that name.
  const words = [...names.given, ...names.surnames, ...honorifics].filter(
    (word) => /^[A-Z][a-z'\u2019]/.test(word) && word.length < longestWord && wordEnd(`${word} `, 0) === word.length,
  );
  const notNameBefore = `${letterClass}0-9'\\u2019`;
  const wordGoesOn = `(?![${letterClass}]|-[${letterClass}]|['\\u2019](?!s(?![${letterClass}]))[${letterClass}])`;
  const withApostrophe = words.filter((word) => isApostrophe(word.charCodeAt(1)));
  const whole = new Set(words.filter((word) => !isApostrophe(word.charCodeAt(1))));
  const ends = withApostrophe.map((word) => word.slice(2));
  const kinds = kindsOf(names);
  const split =
    ends.length > 0 &&
    ends.every((end) => /^[A-Z][a-z]/.test(end) && (whole.has(end) || kinds.get(end, 0, end.length) === 0));
  let source = `(?<![${notNameBefore}])${alternation(words)}${wordGoesOn}`;
  if (split) {
    // After an apostrophe only when a lone letter of these names comes before it: `(?<![…]|(?<!(?<![…])O)')`.
    const lettersBefore = new Map<string, Set<string>>();
    for (const word of withApostrophe) {
      const letters = lettersBefore.get(word[1]!) ?? new Set<string>();
      letters.add(word[0]!);
      lettersBefore.set(word[1]!, letters);
    }
    const others = ["'", '\u2019'].filter((apostrophe) => !lettersBefore.has(apostrophe));
    const afterLone = [...lettersBefore].map(
      ([apostrophe, letters]) =>
        `(?<!(?<![${notNameBefore}])[${[...letters].join('')}])${apostropheSource(apostrophe)}`,
    );
    const notBefore = `${letterClass}0-46-9${others.map(apostropheSource).join('')}`;
    source = `(?<![${notBefore}]|${afterLone.join('|')})${alternation([...whole, ...ends])}${wordGoesOn}`;
  }
  knownWords = { pattern: new RegExp(source, 'g'), apostropheNames: tableOf(withApostrophe, noFolding) };
  return knownWords;
}

function apostropheSource(apostrophe: string): string {
  return apostrophe === "'" ? "'" : '\\u2019';
}

interface TrieNode {
  children: Map<string, TrieNode>;
  isWord: boolean;
}

const regexSyntax = '\\^$.*+?()[]{}|/';

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
  // Written into one list of pieces joined at the end: concatenating each level's source made every level copy
  // the whole of the levels below it, and the garbage of that was most of the time this takes.
  const pieces: string[] = [];
  const write = (node: TrieNode): void => {
    if (node.children.size === 0) return;
    const group = node.children.size > 1 || node.isWord;
    if (group) pieces.push('(?:');
    let first = true;
    for (const [char, child] of node.children) {
      if (!first) pieces.push('|');
      first = false;
      pieces.push(regexSyntax.includes(char) ? `\\${char}` : char);
      write(child);
    }
    if (group) pieces.push(node.isWord ? ')?' : ')');
  };
  write(root);
  return pieces.join('');
}

function person(start: number, end: number, score: number): Span {
  return { type: 'PERSON', start, end, score };
}

function nameAt(text: string, word: Word, kinds: WordTable): Span | undefined {
  const { kind } = word;
  if (is(kind, honorificWord)) return afterHonorific(text, word.end, kinds);
  if (is(kind, givenName)) {
    const found = fromGivenName(text, word, kinds);
    // San Francisco, St Helena, New Albany. Asked last: most given names come to nothing before it matters.
    return found !== undefined && afterPlacePrefix(text, word.start) ? undefined : found;
  }
  if (is(kind, surname)) {
    const wordy = is(kind, wordLikeName);
    const cue = cueBefore(text, word.start);
    if (cue !== 0) return is(cue, weakCue) && wordy ? undefined : person(word.start, word.end, 0.75);
    // "Owner: Larissa Nair": a given name not on the list, then a known surname, after a cue.
    const before = wordy ? undefined : titleWordBefore(text, word.start, kinds);
    if (before === undefined || is(before.kind, notNameWord)) return undefined;
    const outer = cueBefore(text, before.start);
    return outer === 0 || is(outer, weakCue) ? undefined : person(before.start, word.end, 0.75);
  }
  return undefined;
}

/** The name a given name starts, or is after a cue; whether it is a place (`San Jose`) is not asked here. */
function fromGivenName(text: string, word: Word, kinds: WordTable): Span | undefined {
  const { kind } = word;
  const wordy = is(kind, wordLikeName);
  const next = followingName(text, word.end, kinds);
  if (next !== undefined) {
    // The word after `next` is read only where it can matter: most names have two words.
    if (is(next.kind, surname) && !(wordy && is(next.kind, wordLikeName))) {
      // "Maria Garcia Lopez": a second surname.
      const last = followingName(text, next.end, kinds);
      const end = last !== undefined && is(last.kind, surname) && !is(last.kind, wordLikeName) ? last.end : next.end;
      return person(word.start, end, 0.85);
    }
    const last = is(next.kind, givenName) ? followingName(text, next.end, kinds) : undefined;
    if (last !== undefined) {
      // "Mary Ann Smith": a second given name, then the surname — or any capitalised word that is not an
      // everyday one ("Nancy Gabriela Novak").
      if (is(last.kind, surname)) return person(word.start, last.end, 0.85);
      if (!wordy && !is(last.kind, wordLikeName)) return person(word.start, last.end, 0.7);
    }
    if (!wordy) return person(word.start, next.end, 0.7);
  }
  const cue = cueBefore(text, word.start);
  if (cue === 0 || (is(cue, weakCue) && wordy)) return undefined;
  if (is(cue, weakCue | signedCue) && is(kind, monthName)) return undefined;
  return person(word.start, next?.end ?? word.end, 0.75);
}

/** "Dr. Jane Okafor", "Mr O'Neil", "Prof. J. R. Tolkien": up to three capitalised words or initials. */
function afterHonorific(text: string, from: number, kinds: WordTable): Span | undefined {
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
  return end === -1 ? undefined : person(start, end, 0.85);
}

/** The capitalised word after one or two spaces (and an optional middle initial), if it can continue a name. */
function followingName(text: string, from: number, kinds: WordTable): Word | undefined {
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
  return particles === i ? word : { start: i, end: word.end, kind: surname };
}

/** Past up to two surname particles and their spaces at `i` ("van der ", "de la "); `i` when there are none. */
function particlesAt(text: string, i: number): number {
  let at = i;
  for (let count = 0; count < 2; count++) {
    let end = at;
    while (end < at + 5 && text.charCodeAt(end) >= 97 && text.charCodeAt(end) <= 122) end++;
    if (end === at || text.charCodeAt(end) !== 32 || particleTable.get(text, at, end) === 0) break;
    at = end + 1;
  }
  return at;
}

/** The Title-case word ending one space before `start` ("Larissa" in "Larissa Nair"), if there is one. */
function titleWordBefore(text: string, start: number, kinds: WordTable): Word | undefined {
  if (text.charCodeAt(start - 1) !== 32) return undefined;
  let i = start - 2;
  while (i >= start - longestWord && isLetter(text.charCodeAt(i))) i--;
  const word = titleWordAt(text, i + 1, kinds);
  return word !== undefined && word.end === start - 1 ? word : undefined;
}

/**
 * The cue word just before `start` ("Dear ", "name: ", `"name": "`), as {@link anyCue} flags; 0 when there is
 * none.
 */
function cueBefore(text: string, start: number): number {
  let i = start - 1;
  const stop = Math.max(0, start - 5);
  while (i >= stop && isCuePunctuation(text.charCodeAt(i))) i--;
  if (i === start - 1) return 0;
  const end = i + 1;
  const limit = Math.max(0, end - 12);
  while (i >= limit && isAsciiLetter(text.charCodeAt(i))) i--;
  if (isAsciiLetter(text.charCodeAt(i)) || i + 1 === end) return 0;
  const cue = cueKinds.get(text, i + 1, end);
  if (is(cue, byCue) && byVerbTable.get(text, previousWordStart(text, i + 1), i) !== 0) return anyCue | signedCue;
  return cue;
}

/** Whether the word just before `start` (see {@link previousWordStart}) makes a place of a name after it. */
function afterPlacePrefix(text: string, start: number): boolean {
  const from = previousWordStart(text, start);
  // Every prefix is capitalised: most words before a name are ruled out without hashing them.
  return isUpper(text.charCodeAt(from)) && placePrefixTable.get(text, from, start - 1) !== 0;
}

/**
 * Where the word just before `start`, separated by one space, starts: it runs to `start - 1`. When there is no
 * such space, `start - 1`, an empty word.
 */
function previousWordStart(text: string, start: number): number {
  if (text.charCodeAt(start - 1) !== 32) return start - 1;
  let i = start - 2;
  while (i >= start - 12 && isLetter(text.charCodeAt(i))) i--;
  return i + 1;
}

/** A Title-case word at `i`: an upper-case letter, then lower-case letters (with O'Brien, Smith-Jones, McDonald). */
function titleWordAt(text: string, i: number, kinds: WordTable): Word | undefined {
  if (!isUpper(text.charCodeAt(i))) return undefined;
  const second = text.charCodeAt(i + 1);
  if (!isLower(second) && second !== 39 && second !== 0x2019) return undefined;
  const end = wordEnd(text, i);
  if (end === -1) return undefined;
  return { start: i, end, kind: kinds.get(text, i, end) };
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
