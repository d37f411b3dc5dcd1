import { isAsciiLetter, isDigit, isWordChar } from './characters.js';
import { findCueValues, hasCueBefore } from './cues.js';
import { type DigitRuns, type IndexedDetector, indexedDetector } from './text-index.js';

/**
 * DATE_OF_BIRTH: a real calendar date with a plausible birth year (1900 to this year), only when a cue — dob,
 * d.o.b., date of birth, born, birthday, birth date, geboren, Geburtsdatum, né, née, date de naissance — appears
 * within 40 characters before it. The span is the date alone. Forms: ISO `1990-01-31` (also `/` and `.`), US
 * `01/31/1990` (also `-`), European `31.01.1990` (and `31/01/1990` when the US reading is not a date),
 * `31 Jan 1990`, `31st January 1990`, `31. Januar 1990`, `January 31, 1990`; English, German and French month
 * names. Score 0.85.
 */
export function dateOfBirthDetector(clock: () => number = Date.now): IndexedDetector {
  // This year, worked out again only when the clock passes the next 1 January (UTC): scans come by the million.
  let year = 0;
  let nextYearStarts = Number.NEGATIVE_INFINITY;
  const lastYear = () => {
    const now = clock();
    if (now >= nextYearStarts) {
      year = new Date(now).getUTCFullYear();
      nextYearStarts = Date.UTC(year + 1, 0, 1);
    }
    return year;
  };
  return indexedDetector('DATE_OF_BIRTH', ['pii'], (index, spans) => {
    const values = findCueValues(index).birthDate;
    if (values.length === 0) return;
    const { text, digitRuns: runs } = index;
    // In order, and none that starts inside the date found before it.
    let end = 0;
    for (const k of values) {
      if (runs[k]! < end) continue;
      const date = birthDateAt(text, runs, k, lastYear);
      if (date === undefined) continue;
      spans.push({ type: 'DATE_OF_BIRTH', start: date.start, end: date.end, score: 0.85 });
      end = date.end;
    }
  });
}

/**
 * The date whose first digits are run `k`, with a birth cue before it. Run `k` is where a date may start (see
 * {@link findCueValues}): every form has a four-digit year, in the run the date starts with (`1990-01-31`), the one
 * after it (`31 Jan 1990`) or the one after that (`31/01/1990`), and a cue letter before it (`assembly/cues.ts`).
 */
function birthDateAt(text: string, runs: DigitRuns, k: number, lastYear: () => number): DateSpan | undefined {
  const next = text.charCodeAt(runs[k + 1]!);
  if (next === 45 || next === 47 || next === 46) {
    // `1990-01-31` and the like or `31. Jan 1990`. Nearly all such dates are log timestamps with no cue, so the cue
    // comes before the parsing.
    if (!hasCueBefore(text, runs[k]!, birthCue)) return undefined;
    return numericDate(text, runs, k, lastYear) ?? dayMonthYear(text, runs, k, lastYear);
  }
  const date = dayMonthYear(text, runs, k, lastYear) ?? monthDayYear(text, runs, k, lastYear);
  return date !== undefined && hasCueBefore(text, date.start, birthCue) ? date : undefined;
}

const birthCue =
  /(?:^|[^\p{L}\p{N}])(?:dob|d\.o\.b|date of birth|born|birthday|birth ?date|geboren|geburtsdatum|geburtstag|n[ée]e|né|date de naissance)(?![\p{L}\p{N}])/iu;

interface DateSpan {
  start: number;
  end: number;
}

/** `1990-01-31`, `01/31/1990`, `31.01.1990` starting at run `k`. */
function numericDate(text: string, runs: DigitRuns, k: number, lastYear: () => number): DateSpan | undefined {
  if (k + 5 >= runs.length) return undefined;
  const s0 = runs[k]!;
  const e0 = runs[k + 1]!;
  const s1 = runs[k + 2]!;
  const e1 = runs[k + 3]!;
  const s2 = runs[k + 4]!;
  const e2 = runs[k + 5]!;
  const separator = text.charCodeAt(e0);
  if (separator !== 45 && separator !== 47 && separator !== 46) return undefined;
  if (s1 !== e0 + 1 || s2 !== e1 + 1 || text.charCodeAt(e1) !== separator) return undefined;
  // An ISO timestamp's date counts: `dob: 1990-01-31T00:00:00Z`.
  const timestamp = e0 - s0 === 4 && text.charCodeAt(e2) === 84 && isDigit(text.charCodeAt(e2 + 1));
  if (!freeBefore(text, s0) || (!timestamp && !freeAfter(text, e2))) return undefined;
  const a = numberAt(text, s0, e0);
  const b = numberAt(text, s1, e1);
  const c = numberAt(text, s2, e2);
  const shortParts = e1 - s1 <= 2 && e1 - s1 >= 1;
  if (e0 - s0 === 4 && shortParts && e2 - s2 <= 2) {
    return isBirthDate(a, b, c, lastYear) ? { start: s0, end: e2 } : undefined;
  }
  if (e0 - s0 > 2 || !shortParts || e2 - s2 !== 4) return undefined;
  const usFirst = separator !== 46;
  const valid = usFirst
    ? isBirthDate(c, a, b, lastYear) || isBirthDate(c, b, a, lastYear)
    : isBirthDate(c, b, a, lastYear);
  return valid ? { start: s0, end: e2 } : undefined;
}

/** `31 Jan 1990`, `31st January, 1990`, `31. Januar 1990` starting at run `k`. */
function dayMonthYear(text: string, runs: DigitRuns, k: number, lastYear: () => number): DateSpan | undefined {
  const start = runs[k]!;
  const dayEnd = runs[k + 1]!;
  if (dayEnd - start > 2 || runs[k + 3]! - runs[k + 2]! !== 4 || isWordChar(text.charCodeAt(start - 1)))
    return undefined;
  let position = skipOrdinal(text, dayEnd);
  if (text.charCodeAt(position) === 46) position++;
  if (text.charCodeAt(position) !== 32) return undefined;
  position++;
  const month = readMonth(text, position);
  if (month === undefined) return undefined;
  position = month.end;
  if (text.charCodeAt(position) === 44) position++;
  if (text.charCodeAt(position) !== 32) return undefined;
  position++;
  const yearStart = runs[k + 2]!;
  const yearEnd = runs[k + 3]!;
  if (yearStart !== position || yearEnd - yearStart !== 4 || !standsAlone(text, start, yearEnd)) return undefined;
  const valid = isBirthDate(numberAt(text, yearStart, yearEnd), month.month, numberAt(text, start, dayEnd), lastYear);
  return valid ? { start, end: yearEnd } : undefined;
}

/** `January 31, 1990`, `Jan. 31st 1990` whose day is run `k`. */
function monthDayYear(text: string, runs: DigitRuns, k: number, lastYear: () => number): DateSpan | undefined {
  const dayStart = runs[k]!;
  const dayEnd = runs[k + 1]!;
  if (dayEnd - dayStart > 2 || runs[k + 3]! - runs[k + 2]! !== 4 || runs[k + 2]! - dayEnd > 5) return undefined;
  const beforeSpace = text.charCodeAt(dayStart - 2);
  if (text.charCodeAt(dayStart - 1) !== 32 || !(isLetter(beforeSpace) || beforeSpace === 46)) return undefined;
  // Back over the month name (at most "September." long) to where its word starts.
  let wordEnd = dayStart - 1;
  if (text.charCodeAt(wordEnd - 1) === 46) wordEnd--;
  let start = wordEnd;
  while (start > 0 && wordEnd - start < 10 && isLetter(text.charCodeAt(start - 1))) start--;
  if (start === wordEnd || isWordChar(text.charCodeAt(start - 1)) || isLetter(text.charCodeAt(start - 1)))
    return undefined;
  const month = readMonth(text, start);
  if (month === undefined || month.end !== dayStart - 1) return undefined;
  let position = skipOrdinal(text, dayEnd);
  if (text.charCodeAt(position) === 44) position++;
  if (text.charCodeAt(position) !== 32) return undefined;
  position++;
  const yearStart = runs[k + 2]!;
  const yearEnd = runs[k + 3]!;
  if (yearStart !== position || yearEnd - yearStart !== 4 || !standsAlone(text, dayStart, yearEnd)) return undefined;
  const valid = isBirthDate(
    numberAt(text, yearStart, yearEnd),
    month.month,
    numberAt(text, dayStart, dayEnd),
    lastYear,
  );
  return valid ? { start, end: yearEnd } : undefined;
}

function skipOrdinal(text: string, position: number): number {
  const suffix = text.slice(position, position + 2).toLowerCase();
  if (
    (suffix === 'st' || suffix === 'nd' || suffix === 'rd' || suffix === 'th') &&
    !isWordChar(text.charCodeAt(position + 2))
  ) {
    return position + 2;
  }
  return position;
}

/** The month named at `start` (letters, then an optional abbreviation dot), if the word is one. */
function readMonth(text: string, start: number): { month: number; end: number } | undefined {
  let end = start;
  while (end - start < 10 && isLetter(text.charCodeAt(end))) end++;
  if (isLetter(text.charCodeAt(end))) return undefined;
  const month = monthNames.get(text.slice(start, end).toLowerCase());
  if (month === undefined) return undefined;
  if (text.charCodeAt(end) === 46) end++;
  return { month, end };
}

const monthNames = new Map<string, number>();
for (const [month, names] of [
  [1, 'jan january januar janvier'],
  [2, 'feb february februar février fevrier'],
  [3, 'mar march märz maerz mars'],
  [4, 'apr april avril'],
  [5, 'may mai'],
  [6, 'jun june juni juin'],
  [7, 'jul july juli juillet'],
  [8, 'aug august août aout'],
  [9, 'sep sept september septembre'],
  [10, 'oct october okt oktober octobre'],
  [11, 'nov november novembre'],
  [12, 'dec december dez dezember décembre decembre'],
] as const) {
  for (const name of names.split(' ')) monthNames.set(name, month);
}

/** ASCII letters and the accented ones month names use. */
function isLetter(code: number): boolean {
  return isAsciiLetter(code) || code === 0xe4 || code === 0xe9 || code === 0xfb || code === 0xc4 || code === 0xc9;
}

function standsAlone(text: string, start: number, end: number): boolean {
  return freeBefore(text, start) && freeAfter(text, end);
}

/** Not glued to a word, nor to more numbers by `-`, `/`, `.` or `:` (`12:1990-01-31`, `1.31.01.1990`). */
function freeBefore(text: string, start: number): boolean {
  const before = text.charCodeAt(start - 1);
  if (isWordChar(before)) return false;
  return !((before === 45 || before === 47 || before === 46 || before === 58) && isDigit(text.charCodeAt(start - 2)));
}

function freeAfter(text: string, end: number): boolean {
  const after = text.charCodeAt(end);
  if (isWordChar(after)) return false;
  return !((after === 45 || after === 47 || after === 46 || after === 58) && isDigit(text.charCodeAt(end + 1)));
}

/** The decimal number `text.slice(start, end)` (digits only), without slicing. */
function numberAt(text: string, start: number, end: number): number {
  let value = 0;
  for (let i = start; i < end; i++) value = value * 10 + (text.charCodeAt(i) - 48);
  return value;
}

function isBirthDate(year: number, month: number, day: number, lastYear: () => number): boolean {
  if (year < 1900 || month < 1 || month > 12 || day < 1 || year > lastYear()) return false;
  return day <= daysIn(year, month);
}

function daysIn(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}
