/**
 * PERSON: people's names in free text, found from a names list rather than a model.
 *
 * The candidates are the known names and honorifics themselves, where they are whole words: one pass of the compiled
 * core over the text (see `knownWords`) finds them, and nothing else is read between them. A name is reported when
 * - a known given name is followed by a known surname (0.85) or, when the given name is not also an everyday word
 *   ("May", "Will", "Grant"), by any capitalised word (0.7), optionally with a middle initial: "John Q. Smith";
 * - an honorific is followed by capitalised words: "Dr. Okafor", "Ms Jane Doe" (0.85; the honorific stays outside);
 * - a known name follows a cue such as "Dear", "patient", "name:", "signed by" (0.75).
 * A lone known name without a cue is not reported: too many are also words.
 */

import type { SensitivityLabel, Span } from '../types.js';
import { type NameSets, nameSets } from './names.js';
import { coreBytes, coreFunction, type Placed, reserve } from './scan-core.js';
import { type IndexedDetector, indexedDetector, type TextIndex } from './text-index.js';

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
export function personDetector(): IndexedDetector {
  return indexedDetector('PERSON', labels, (index: TextIndex, spans: Span[]): void => {
    const { text } = index;
    const names = nameSets();
    const kinds = kindsOf(names);
    // The table first: writing it, the first time, moves the text out of the core's memory.
    const table = knownWords(names);
    const first = spans.length;
    const found = findKnownNames(index.placed, table);
    // Names are read in order of start, each from past the last one read: as the core finds every name that stands
    // as a word, those that start inside one already read are skipped. When none is read from a word, the next
    // starts after it anyway, as no name starts after a letter.
    let from = 0;
    for (let k = 0; k < found.length; k += 2) {
      const matched = found[k]!;
      if (matched < from) continue;
      const end = found[k + 1]!;
      from = end;
      // A name read from after its `O'` starts at the `O`, and is one only if the whole word is (`O'Brien`, not
      // `O'John`).
      let start = matched;
      while (start > 0 && isNameCharacter(text.charCodeAt(start - 1))) start--;
      if (isApostrophe(text.charCodeAt(start + 1)) && table.apostropheNames.get(text, start, end) === 0) continue;
      const name = nameAt(text, { start, end, kind: kinds.get(text, start, end) }, kinds);
      if (name === undefined) continue;
      spans.push(name);
      from = name.end;
    }
    findAccented(text, accentedUnitsIn(index.placed), spans, first, kinds);
  });
}

/**
 * Names written with accents (`Jürgen Müller`, `François Lefèvre`), which the core's pass over ASCII names does not
 * stop at: from each accented letter (`accented`: where the units from U+00C0 to U+024F are, `×` and `÷` among
 * them), the capitalised word holding it is read through its accents. Names the first pass already took (`Sarah
 * François Thompson`: `spans` from index `first` on) are not taken again.
 */
function findAccented(text: string, accented: Int32Array, spans: Span[], first: number, kinds: WordTable): void {
  // The first pass's names, in order of start: a pointer moving forward over them (read in place, not filtered into
  // a copy) tells whether a word is already inside one. Spans before `first` are the caller's, of other texts or
  // detectors.
  const taken = spans.length;
  let next = first;
  let from = 0;
  for (let k = 0; k < accented.length; k++) {
    const at = accented[k]!;
    if (at < from || !isLetter(text.charCodeAt(at))) continue;
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

/** The core's table of the names it finds (see {@link knownWords}), and what `detect` checks its matches against. */
interface KnownWords {
  /** Where the table lies in the core's memory (see `assembly/person.ts`). */
  slots: number;
  mask: number;
  names: number;
  /** The longest name, in code units. */
  longest: number;
  /** For `'` and `’`: the capitals (bit 0 for `A`) that, alone before it, let a name start after it. */
  straightLetters: number;
  curlyLetters: number;
  /** The names with an apostrophe second (`O'Brien`), which the core finds from after it. */
  apostropheNames: WordTable;
}

let known: KnownWords | undefined;

/**
 * Every name and honorific that can start a word here, in a table the core's pass looks each capitalised word up in
 * (`assembly/person.ts`): found as a whole word, not after a letter, digit or apostrophe, and ending where
 * {@link wordEnd} ends it (`O'Brien's` holds `O'Brien`; `Smithson`, `Smith-Jones` hold no `Smith`). The pass sieves
 * the capitals that start a word sixteen code units a compare, and looks each up by the run of letters it starts,
 * read, hashed and compared sixteen at once. It took the place of one regex of every name as a trie of
 * alternations: a whole scan took 10.6 → 9.4 ms/MB of mixed JSONL text and 16.2 → 13.9 of dense, and the vector
 * lookup another 14.55 → 13.75 of dense.
 *
 * A name with an apostrophe second (`O'Brien`) is looked up from after it (`Brien`), when a lone `O'` comes before
 * it, and `detect` takes the whole word back; such ends then stand as names on their own too (`Dear Brien`), which
 * `detect` reads as the unknown words they are. That holds while every end is one, or a name itself (`Connor`), and
 * starts like a name; the table then holds only ASCII letters, all the core looks up. Lists for which it does not
 * hold are refused.
 */
function knownWords(names: NameSets): KnownWords {
  if (known !== undefined) return known;
  // A candidate starts with a capital and a lower-case letter or apostrophe; a word that would not end where the
  // name does (`Ab's`, `Ab-`) can never be read as that name.
  const words = [...names.given, ...names.surnames, ...honorifics].filter(
    (word) => /^[A-Z][a-z'\u2019]/.test(word) && word.length < longestWord && wordEnd(`${word} `, 0) === word.length,
  );
  const withApostrophe = words.filter((word) => isApostrophe(word.charCodeAt(1)));
  const whole = new Set(words.filter((word) => !isApostrophe(word.charCodeAt(1))));
  const ends = withApostrophe.map((word) => word.slice(2));
  const kinds = kindsOf(names);
  if (!ends.every((end) => /^[A-Z][a-z]/.test(end) && (whole.has(end) || kinds.get(end, 0, end.length) === 0))) {
    throw new Error('PERSON: a name with an apostrophe second ends in a word that is not a name or not Title-case');
  }
  // The capitals that, alone before an apostrophe, let a name start after it.
  const lettersBefore = (apostrophe: string) =>
    withApostrophe
      .filter((word) => word[1] === apostrophe)
      .reduce((letters, word) => letters | (1 << (word.charCodeAt(0) - 65)), 0);
  known = {
    ...nameTable([...new Set([...whole, ...ends])]),
    straightLetters: lettersBefore("'"),
    curlyLetters: lettersBefore('\u2019'),
    apostropheNames: tableOf(withApostrophe, noFolding),
  };
  return known;
}

/** What the core's hash multiplies a name's four 32-bit words by (see `hashOf` in `assembly/person.ts`). */
const namePrimes = [0x9e3779b1, 0x85ebca77, 0xc2b2ae3d, 0x27d4eb2f];

/**
 * Writes `names` into the core's memory as the open-addressed table `knownNames` reads: slots holding a name's
 * number plus one, by the hash of its 16 bytes, then the names, each its ASCII letters in 16 bytes padded with
 * zeros. Throws for a name the core cannot look up: anything but ASCII letters, a capital and a lower-case letter
 * first, fewer than 16.
 */
function nameTable(names: readonly string[]): Pick<KnownWords, 'slots' | 'mask' | 'names' | 'longest'> {
  let size = 16;
  while (size < names.length * 4) size *= 2;
  const slots = reserve(size * 4 + names.length * 16);
  const namesAt = slots + size * 4;
  const view = new DataView(coreBytes().buffer);
  names.forEach((name, n) => {
    if (!/^[A-Z][a-z][A-Za-z]{0,13}$/.test(name)) {
      throw new Error(`PERSON: the core cannot look up ${JSON.stringify(name)}`);
    }
    for (let i = 0; i < name.length; i++) view.setUint8(namesAt + n * 16 + i, name.charCodeAt(i));
    let hash = 0;
    for (let word = 0; word < 4; word++) {
      hash ^= Math.imul(view.getUint32(namesAt + n * 16 + word * 4, true), namePrimes[word]!);
    }
    hash = (hash ^ (hash >>> 15)) >>> 0;
    let slot = hash & (size - 1);
    while (view.getInt32(slots + slot * 4, true) !== 0) slot = (slot + 1) & (size - 1);
    view.setInt32(slots + slot * 4, n + 1, true);
  });
  return { slots, mask: size - 1, names: namesAt, longest: Math.max(...names.map((name) => name.length)) };
}

const knownNames =
  coreFunction<
    (
      text: number,
      length: number,
      slots: number,
      mask: number,
      names: number,
      longest: number,
      straightLetters: number,
      curlyLetters: number,
      out: number,
    ) => number
  >('knownNames');

/** Where a name of the lists stands as a word in the placed text: `[start, end)` pairs, in order of start. */
function findKnownNames({ textAt, length, outAt, out }: Placed, table: KnownWords): Int32Array {
  const count = knownNames(
    textAt,
    length,
    table.slots,
    table.mask,
    table.names,
    table.longest,
    table.straightLetters,
    table.curlyLetters,
    outAt,
  );
  return out.slice(0, count);
}

const accentedUnits = coreFunction<(text: number, length: number, out: number) => number>('accentedUnits');

/** Where the code units from U+00C0 to U+024F are in the placed text, in order. */
function accentedUnitsIn({ textAt, length, outAt, out }: Placed): Int32Array {
  return out.slice(0, accentedUnits(textAt, length, outAt));
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
