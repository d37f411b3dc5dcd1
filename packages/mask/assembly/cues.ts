// The cue-word detectors' walk over a text's digit runs (`src/detectors/cues.ts` is the host side): one pass for all
// four reads the runs as `[start, end)` pairs of i32 at `runs` (`runCount` integers) and the placed text, and writes
// only the values that may be personal data to `out`. A value counts only after a cue word, and every cue word holds
// a letter rare elsewhere (its cue letter, checked with its neighbours): a value with no cue letter in the window
// before it is ruled out here, so the host runs its cue regex on the few values left.
//
// Reads outside the text see 0 (not `shared/units`' 0x10000), which folds to 32 as the host's `NaN | 0x20` does and
// is no digit or letter.

import { isDigitUnit, isLetterUnit, isWordUnit, run } from './shared/units';

/** The cue window: how far before a value its cue may start (`cueWindow` in the host). */
const window = 40;

function unitAt(text: usize, length: i32, i: i32): u32 {
  return i >= 0 && i < length ? u32(load<u16>(text + (usize(i) << 1))) : 0;
}

/** The code unit at `i` with bit 0x20 set, which folds ASCII letters (and `É`) to lower case. */
function foldedAt(text: usize, length: i32, i: i32): u32 {
  return unitAt(text, length, i) | 0x20;
}

function emit(out: usize, count: i32, value: i32): void {
  store<i32>(out + (usize(count) << 2), value);
}

// The kinds of cue, which tag the values written (the host's `findCueValues` reads them so).
const ssnCue = 0;
const passportCue = 1;
const licenseCue = 2;
const birthCue = 3;

/** The first `s` of ssn, ss#, ss no, soc(ial) and soc. */
function isSsnCueLetter(text: usize, length: i32, i: i32): bool {
  if (foldedAt(text, length, i) !== 115) return false;
  const next = foldedAt(text, length, i + 1);
  const nextButOne = foldedAt(text, length, i + 2);
  return next === 115
    ? nextButOne === 110 || nextButOne === 35 || nextButOne === 32
    : next === 111 && nextButOne === 99;
}

/** The `p` of pas(sport), pas(seport), pas(aporte), reisepas(s). */
function isPassportCueLetter(text: usize, length: i32, i: i32): bool {
  return (
    foldedAt(text, length, i) === 112 && foldedAt(text, length, i + 1) === 97 && foldedAt(text, length, i + 2) === 115
  );
}

/** The `l` of lic(ence), lic(ense), d.l and dl. */
function isLicenseCueLetter(text: usize, length: i32, i: i32): bool {
  if (foldedAt(text, length, i) !== 108) return false;
  const before = foldedAt(text, length, i - 1);
  if (before === 100 || (before === 46 && foldedAt(text, length, i - 2) === 100)) return true;
  return foldedAt(text, length, i + 1) === 105 && foldedAt(text, length, i + 2) === 99;
}

/** The `b` of dob, d.o.b, bir(th), bor(n) and geb(oren), the `é` of né(e), the `n` of nee and nai(ssance). */
function isBirthCueLetter(text: usize, length: i32, i: i32): bool {
  const letter = foldedAt(text, length, i);
  if (letter === 98) {
    const next = foldedAt(text, length, i + 1);
    if ((next === 105 || next === 111) && foldedAt(text, length, i + 2) === 114) return true;
    const before = foldedAt(text, length, i - 1);
    const twoBefore = foldedAt(text, length, i - 2);
    return (
      (before === 111 && twoBefore === 100) ||
      (before === 46 && twoBefore === 111) ||
      (before === 101 && twoBefore === 103)
    );
  }
  if (letter === 0xe9) return foldedAt(text, length, i - 1) === 110;
  if (letter !== 110) return false;
  const next = foldedAt(text, length, i + 1);
  const nextButOne = foldedAt(text, length, i + 2);
  return (next === 101 && nextButOne === 101) || (next === 97 && nextButOne === 105);
}

// The last cue letter of each kind that `findCueLetters` found in the window it scanned, or -1.
let lastSsnLetter = -1;
let lastPassportLetter = -1;
let lastLicenseLetter = -1;
let lastBirthLetter = -1;

function noteCueLetters(text: usize, length: i32, i: i32, cues: i32): void {
  if (cues & (1 << ssnCue) && isSsnCueLetter(text, length, i)) lastSsnLetter = i;
  if (cues & (1 << passportCue) && isPassportCueLetter(text, length, i)) lastPassportLetter = i;
  if (cues & (1 << licenseCue) && isLicenseCueLetter(text, length, i)) lastLicenseLetter = i;
  if (cues & (1 << birthCue) && isBirthCueLetter(text, length, i)) lastBirthLetter = i;
}

/** The last of the set lanes of `lanes` (the sixteen units from `i`), if any, else `last`. */
function lastLane(lanes: u32, i: i32, last: i32): i32 {
  return lanes !== 0 ? i + 31 - i32(clz(lanes)) : last;
}

/**
 * Finds the last cue letter in `[from, to)` of each kind in `cues` (bit `1 << ssnCue` and the others), all from the
 * same loads. Windows of a walk never overlap (each lies between two runs), so every character is read once.
 */
function findCueLetters(text: usize, length: i32, from: i32, to: i32, cues: i32): void {
  lastSsnLetter = -1;
  lastPassportLetter = -1;
  lastLicenseLetter = -1;
  lastBirthLetter = -1;
  let i = from;
  for (; i < to && i < 2; i++) noteCueLetters(text, length, i, cues);
  // Sixteen at a time where the two units either side of each lane lie in the text.
  for (; i < to && i + 18 <= length; i += 16) {
    const at = text + (usize(i) << 1);
    const letter = foldedBytes(at);
    const inWindow = to - i < 16 ? (u32(1) << u32(to - i)) - 1 : 0xffff;
    // Most windows hold none of the cue letters at all: no need to read their neighbours.
    let someCueLetter = i8x16.splat(0);
    if (cues & (1 << ssnCue)) someCueLetter = unitsIs(letter, 115);
    if (cues & (1 << passportCue)) someCueLetter = v128.or(someCueLetter, unitsIs(letter, 112));
    if (cues & (1 << licenseCue)) someCueLetter = v128.or(someCueLetter, unitsIs(letter, 108));
    if (cues & (1 << birthCue)) {
      const birthLetter = v128.or(v128.or(unitsIs(letter, 98), unitsIs(letter, 110)), unitsIs(letter, 0xe9));
      someCueLetter = v128.or(someCueLetter, birthLetter);
    }
    if ((u32(i8x16.bitmask(someCueLetter)) & inWindow) === 0) continue;
    const twoBefore = foldedBytes(at - 4);
    const before = foldedBytes(at - 2);
    const next = foldedBytes(at + 2);
    const nextButOne = foldedBytes(at + 4);
    if (cues & (1 << ssnCue)) {
      lastSsnLetter = lastLane(ssnLanes(letter, next, nextButOne) & inWindow, i, lastSsnLetter);
    }
    if (cues & (1 << passportCue)) {
      lastPassportLetter = lastLane(passportLanes(letter, next, nextButOne) & inWindow, i, lastPassportLetter);
    }
    if (cues & (1 << licenseCue)) {
      const lanes = licenseLanes(twoBefore, before, letter, next, nextButOne) & inWindow;
      lastLicenseLetter = lastLane(lanes, i, lastLicenseLetter);
    }
    if (cues & (1 << birthCue)) {
      const lanes = birthLanes(twoBefore, before, letter, next, nextButOne) & inWindow;
      lastBirthLetter = lastLane(lanes, i, lastBirthLetter);
    }
  }
  for (; i < to; i++) noteCueLetters(text, length, i, cues);
}

/**
 * The sixteen code units at `at`, each folded as {@link foldedAt} folds, as bytes: a folded unit above 0xff becomes
 * 0 or 0xff, which no cue letter nor neighbour is, so a byte compares equal to a code as its unit does.
 */
function foldedBytes(at: usize): v128 {
  const fold = i16x8.splat(0x20);
  return i8x16.narrow_i16x8_u(v128.or(v128.load(at), fold), v128.or(v128.load(at + 16), fold));
}

function unitsIs(units: v128, code: i32): v128 {
  return i8x16.eq(units, i8x16.splat(i8(code)));
}

// {@link isSsnCueLetter} and the others of sixteen code units as the bits of a mask, from one vector for each
// neighbour a cue letter is checked with (see {@link foldedBytes}).

function ssnLanes(letter: v128, next: v128, nextButOne: v128): u32 {
  const ss = v128.and(
    unitsIs(next, 115),
    v128.or(v128.or(unitsIs(nextButOne, 110), unitsIs(nextButOne, 35)), unitsIs(nextButOne, 32)),
  );
  const soc = v128.and(unitsIs(next, 111), unitsIs(nextButOne, 99));
  return u32(i8x16.bitmask(v128.and(unitsIs(letter, 115), v128.or(ss, soc))));
}

function passportLanes(letter: v128, next: v128, nextButOne: v128): u32 {
  return u32(i8x16.bitmask(v128.and(v128.and(unitsIs(letter, 112), unitsIs(next, 97)), unitsIs(nextButOne, 115))));
}

function licenseLanes(twoBefore: v128, before: v128, letter: v128, next: v128, nextButOne: v128): u32 {
  const dl = v128.or(unitsIs(before, 100), v128.and(unitsIs(before, 46), unitsIs(twoBefore, 100)));
  const lic = v128.and(unitsIs(next, 105), unitsIs(nextButOne, 99));
  return u32(i8x16.bitmask(v128.and(unitsIs(letter, 108), v128.or(dl, lic))));
}

function birthLanes(twoBefore: v128, before: v128, letter: v128, next: v128, nextButOne: v128): u32 {
  const bir = v128.and(v128.or(unitsIs(next, 105), unitsIs(next, 111)), unitsIs(nextButOne, 114));
  const dob = v128.or(
    v128.or(
      v128.and(unitsIs(before, 111), unitsIs(twoBefore, 100)),
      v128.and(unitsIs(before, 46), unitsIs(twoBefore, 111)),
    ),
    v128.and(unitsIs(before, 101), unitsIs(twoBefore, 103)),
  );
  const ne = v128.and(unitsIs(letter, 0xe9), unitsIs(before, 110));
  const neeNai = v128.or(
    v128.and(unitsIs(next, 101), unitsIs(nextButOne, 101)),
    v128.and(unitsIs(next, 97), unitsIs(nextButOne, 105)),
  );
  const hits = v128.or(
    v128.or(v128.and(unitsIs(letter, 98), v128.or(bir, dob)), ne),
    v128.and(unitsIs(letter, 110), neeNai),
  );
  return u32(i8x16.bitmask(hits));
}

/** Not glued to a word, nor to more numbers by `-`, `.` or `separator`. */
function ssnStandsAlone(text: usize, length: i32, start: i32, end: i32, separator: u32): bool {
  const before = unitAt(text, length, start - 1);
  const after = unitAt(text, length, end);
  if (isWordUnit(before) || isWordUnit(after)) return false;
  if ((before === 45 || before === 46 || before === separator) && isDigitUnit(unitAt(text, length, start - 2))) {
    return false;
  }
  return !((after === 45 || after === 46 || after === separator) && isDigitUnit(unitAt(text, length, end + 1)));
}

/** `AAA-GG-SSSS` or `AAA GG SSSS` from run `k` (of three digits), standing alone. */
function isFormattedSsn(text: usize, length: i32, runs: usize, runCount: i32, k: i32): bool {
  if (k + 5 >= runCount) return false;
  // Three, two and four digits one character apart, told from the runs alone before reading the text.
  const end = run(runs, k + 1);
  const groupStart = run(runs, k + 2);
  const serialStart = run(runs, k + 4);
  const serialEnd = run(runs, k + 5);
  if (groupStart !== end + 1 || run(runs, k + 3) !== groupStart + 2 || serialStart !== groupStart + 3) return false;
  if (serialEnd - serialStart !== 4) return false;
  const separator = unitAt(text, length, end);
  if ((separator !== 45 && separator !== 32) || unitAt(text, length, groupStart + 2) !== separator) return false;
  return ssnStandsAlone(text, length, run(runs, k), serialEnd, separator);
}

// The document number `readIdNumber` last read: where it starts and ends, its letters, digits and groups.
let idStart = 0;
let idEnd = 0;
let idLetters = 0;
let idDigits = 0;
let idGroups = 0;

/**
 * Reads the document number whose first digits are run `k`: up to two letters, then digits, whole or in (when
 * `grouped`) up to five groups split by one kind of single separator, `-` or space (`A1234567`, `W426-545-30-761-0`,
 * `123 456 789`). False when it is glued to a word or to more numbers (`ORD-2024-000123`, `v12345678`, `1.23456789`).
 */
function readIdNumber(text: usize, length: i32, runs: usize, runCount: i32, k: i32, grouped: bool): bool {
  const digitsStart = run(runs, k);
  let start = digitsStart;
  while (start > 0 && digitsStart - start < 3 && isLetterUnit(unitAt(text, length, start - 1))) start--;
  const letters = digitsStart - start;
  if (letters > 2 || isWordUnit(unitAt(text, length, start - 1))) return false;
  const before = unitAt(text, length, start - 1);
  if ((before === 45 || before === 46 || before === 47) && isWordUnit(unitAt(text, length, start - 2))) return false;
  // The tail of a longer space-split run (`1 2 3 4 5 6 7`) is not a number of its own.
  if (grouped && before === 32 && isDigitUnit(unitAt(text, length, start - 2))) return false;

  let digits = run(runs, k + 1) - digitsStart;
  let last = k;
  const separator = unitAt(text, length, run(runs, k + 1));
  if (grouped && (separator === 45 || separator === 32)) {
    while (last + 2 < runCount && last - k < 8) {
      const end = run(runs, last + 1);
      if (unitAt(text, length, end) !== separator || run(runs, last + 2) !== end + 1) break;
      last += 2;
      digits += run(runs, last + 1) - run(runs, last);
    }
  }
  const end = run(runs, last + 1);
  const after = unitAt(text, length, end);
  if (isWordUnit(after)) return false;
  if (
    (after === 45 || after === 46 || after === 47 || after === separator) &&
    isDigitUnit(unitAt(text, length, end + 1))
  ) {
    return false;
  }
  idStart = start;
  idEnd = end;
  idLetters = letters;
  idDigits = digits;
  idGroups = (last - k) / 2 + 1;
  return true;
}

function isLicenseShaped(letters: i32, digits: i32, groups: i32): bool {
  if (groups > 1) return letters <= 1 && digits >= 7 && digits <= 13;
  if (letters === 0) return digits >= 7 && digits <= 12;
  if (letters === 1) return digits >= 6 && digits <= 13;
  return digits >= 5 && digits <= 8;
}

/**
 * Whether run `k` may start a date (`1990-01-31`, `31/01/1990`, `31. Jan 1990`, `31 Jan 1990`, `Jan 31, 1990`): a
 * four-digit year in it or one of the two runs after it, its runs close.
 */
function mayStartDate(text: usize, length: i32, runs: usize, runCount: i32, k: i32): bool {
  if (k + 3 >= runCount) return false;
  const digits = run(runs, k + 1) - run(runs, k);
  const nextDigits = run(runs, k + 3) - run(runs, k + 2);
  const thirdDigits = k + 5 < runCount ? run(runs, k + 5) - run(runs, k + 4) : 0;
  if (!(digits === 4 || (digits <= 2 && (nextDigits === 4 || thirdDigits === 4)))) return false;
  if (run(runs, k + 2) - run(runs, k + 1) > 16) return false;
  const next = unitAt(text, length, run(runs, k + 1));
  if (next === 45 || next === 47 || next === 46) {
    const threeRuns =
      thirdDigits !== 0 && run(runs, k + 2) === run(runs, k + 1) + 1 && run(runs, k + 4) === run(runs, k + 3) + 1;
    return threeRuns || (next === 46 && digits <= 2 && nextDigits === 4);
  }
  return digits !== 4 && nextDigits === 4;
}

/** Writes `value` (at most 2^29: the memory holds fewer code units) tagged with the kind of cue it needs. */
function emitValue(out: usize, count: i32, value: i32, cue: i32): void {
  emit(out, count, (value << 2) | cue);
}

/**
 * The kinds of value run `k` may start, told from the runs and the unit after it (bit `1 << ssnCue` and the others):
 * a nine-digit run or `AAA-GG-SSSS`'s runs, eight or nine digits, a licence's digits (5–13, or split by `-` or a
 * space) and a date's ({@link mayStartDate}). The walk tells four runs at a time so; this is for the last few.
 */
function kindsAt(text: usize, length: i32, runs: usize, runCount: i32, k: i32): i32 {
  const end = run(runs, k + 1);
  const digits = end - run(runs, k);
  let kinds = 0;
  if (digits === 9 || (digits === 3 && k + 5 < runCount)) kinds |= 1 << ssnCue;
  if (digits === 8 || digits === 9) kinds |= 1 << passportCue;
  let license = digits >= 5 && digits <= 13;
  if (!license && k + 2 < runCount && run(runs, k + 2) === end + 1) {
    const next = unitAt(text, length, end);
    license = next === 45 || next === 32;
  }
  if (license) kinds |= 1 << licenseCue;
  if (mayStartDate(text, length, runs, runCount, k)) kinds |= 1 << birthCue;
  return kinds;
}

/**
 * Writes the values run `k` starts (see {@link cueValues}) from `out + count` and returns the new count; `kinds` are
 * those it may start (see {@link kindsAt}).
 */
function valuesAt(
  text: usize,
  length: i32,
  runs: usize,
  runCount: i32,
  k: i32,
  kinds: i32,
  out: usize,
  count: i32,
): i32 {
  const start = run(runs, k);
  const runBefore = k > 0 ? run(runs, k - 1) : 0;
  const end = run(runs, k + 1);
  const digits = end - start;
  // Each kind's window: `window` back, wider for values that may start before their first digits, and never
  // before the end of the run before.
  const ssnFrom = max(start - window, runBefore);
  // The number starts at most two letters before its digits.
  const idFrom = max(start - window - 2, runBefore);
  // `Jan 31, 1990` starts at its month name, at most twelve characters (`September. `) before the day.
  const birthFrom = max(start - window - 12, runBefore);
  const formattedSsn = kinds & (1 << ssnCue) && digits === 3 && isFormattedSsn(text, length, runs, runCount, k);
  // Half the runs follow the one before by one character (`2024-01-31`, `10.0.0.1`), which is never a cue letter:
  // each is checked with a neighbour that would be a digit. Only a formatted SSN counts without one.
  if (start - birthFrom < 2) {
    if (formattedSsn) emitValue(out, count++, k, ssnCue);
    return count;
  }
  const bareSsn = kinds & (1 << ssnCue) && digits === 9 && ssnStandsAlone(text, length, start, end, 0xffffffff);
  const cues = (kinds & ~(1 << ssnCue)) | (i32(bareSsn || formattedSsn) << ssnCue);
  if (cues === 0) return count;

  findCueLetters(text, length, birthFrom, start, cues);
  if (formattedSsn) emitValue(out, count++, lastSsnLetter >= ssnFrom ? k + 1 : k, ssnCue);
  else if (bareSsn && lastSsnLetter >= ssnFrom) emitValue(out, count++, k, ssnCue);
  if (
    lastPassportLetter >= idFrom &&
    readIdNumber(text, length, runs, runCount, k, false) &&
    ((idLetters === 0 && idDigits === 9) || (idLetters === 1 && idDigits === 8))
  ) {
    emitValue(out, count++, idStart, passportCue);
    emit(out, count++, idEnd);
  }
  if (
    lastLicenseLetter >= idFrom &&
    readIdNumber(text, length, runs, runCount, k, true) &&
    isLicenseShaped(idLetters, idDigits, idGroups)
  ) {
    emitValue(out, count++, idStart, licenseCue);
    emit(out, count++, idEnd);
  }
  if (lastBirthLetter >= birthFrom) emitValue(out, count++, k, birthCue);
  return count;
}

/** The unit after the run ending at `end` (always in the text: another run follows). */
function unitAfter(text: usize, end: i32): i32 {
  return i32(load<u16>(text + (usize(end) << 1)));
}

/**
 * The cue-word detectors' values, from one walk over the runs: each value's first integer is `value << 2 | cue`
 * (`ssnCue`, `passportCue`, `licenseCue` or `birthCue`); the host sorts them out by that tag. Returns how many
 * integers it wrote: each run gives at most one value of each kind, and the kinds that write two integers hold five
 * digits or more, so they fit `out`.
 *
 * - US_SSN: `k` (the even index of a value's first run) for a nine-digit run that stands alone with a cue letter
 *   before it, and for `AAA-GG-SSSS` or `AAA GG SSSS` standing alone, `k + 1` when a cue letter is before it; the
 *   host checks the cue and the SSA's rules.
 * - US_PASSPORT: `[start, end)` of each nine-digit number or letter and eight digits that stands alone with a cue
 *   letter before it; the host checks the cue.
 * - US_DRIVER_LICENSE: `[start, end)` of each licence-shaped number (see `readIdNumber`) with a cue letter before
 *   it; the host checks the cue.
 * - DATE_OF_BIRTH: `k` for each run that may start a date ({@link mayStartDate}) with a cue letter before it; the
 *   host reads the date and checks the cue.
 *
 * A cue letter must lie between the value's first run and the run before it, so the later groups of a split number
 * (one separator after the run before) never have one: no kind needs to skip them.
 */
export function cueValues(text: usize, length: i32, runs: usize, runCount: i32, out: usize): i32 {
  let count = 0;
  let k = 0;
  // Four runs at a time where the two after them are in `runs` too, as `kindsAt` tells them one by one: a quarter
  // of the runs may start a value of some kind and have room for a cue letter before them, or are a formatted SSN.
  let ends = i32x4.splat(0);
  for (; k + 12 <= runCount; k += 8) {
    const at = runs + (usize(k) << 2);
    const first = v128.load(at);
    const second = v128.load(at + 16);
    const after = v128.load(at + 32);
    const starts = v128.shuffle<i32>(first, second, 0, 2, 4, 6);
    const endsThen = v128.shuffle<i32>(first, second, 1, 3, 5, 7);
    const endsBefore = v128.shuffle<i32>(ends, endsThen, 3, 4, 5, 6);
    ends = endsThen;
    const nextStarts = v128.shuffle<i32>(starts, after, 1, 2, 3, 4);
    const nextEnds = v128.shuffle<i32>(ends, after, 1, 2, 3, 5);
    const thirdStarts = v128.shuffle<i32>(starts, after, 2, 3, 4, 6);
    const thirdEnds = v128.shuffle<i32>(ends, after, 2, 3, 5, 7);
    let next = i32x4.splat(unitAfter(text, i32x4.extract_lane(ends, 0)));
    next = i32x4.replace_lane(next, 1, unitAfter(text, i32x4.extract_lane(ends, 1)));
    next = i32x4.replace_lane(next, 2, unitAfter(text, i32x4.extract_lane(ends, 2)));
    next = i32x4.replace_lane(next, 3, unitAfter(text, i32x4.extract_lane(ends, 3)));
    const digits = i32x4.sub(ends, starts);
    const nextDigits = i32x4.sub(nextEnds, nextStarts);
    const thirdDigits = i32x4.sub(thirdEnds, thirdStarts);
    const chained = i32x4.eq(nextStarts, i32x4.add(ends, i32x4.splat(1)));
    const nextChained = i32x4.eq(thirdStarts, i32x4.add(nextEnds, i32x4.splat(1)));
    const shortRun = i32x4.le_s(digits, i32x4.splat(2));
    const fourDigits = i32x4.eq(digits, i32x4.splat(4));
    const yearNext = i32x4.eq(nextDigits, i32x4.splat(4));
    const dash = i32x4.eq(next, i32x4.splat(45));
    const dot = i32x4.eq(next, i32x4.splat(46));
    const formattedSsn = v128.and(
      v128.and(v128.and(i32x4.eq(digits, i32x4.splat(3)), chained), i32x4.eq(nextDigits, i32x4.splat(2))),
      v128.and(i32x4.eq(thirdDigits, i32x4.splat(4)), nextChained),
    );
    const ssn = v128.or(i32x4.eq(digits, i32x4.splat(9)), formattedSsn);
    const passport = v128.or(i32x4.eq(digits, i32x4.splat(8)), i32x4.eq(digits, i32x4.splat(9)));
    const license = v128.or(
      i32x4.le_u(i32x4.sub(digits, i32x4.splat(5)), i32x4.splat(8)),
      v128.and(chained, v128.or(dash, i32x4.eq(next, i32x4.splat(32)))),
    );
    // `mayStartDate`: a year close by, then `-`, `/` or `.` and three runs (or a dot and a year), or a month name.
    const yearClose = v128.and(
      v128.or(fourDigits, v128.and(shortRun, v128.or(yearNext, i32x4.eq(thirdDigits, i32x4.splat(4))))),
      i32x4.le_s(i32x4.sub(nextStarts, ends), i32x4.splat(16)),
    );
    const numeric = v128.or(v128.or(dash, dot), i32x4.eq(next, i32x4.splat(47)));
    const birth = v128.and(
      yearClose,
      v128.bitselect(
        v128.or(v128.and(chained, nextChained), v128.and(v128.and(dot, shortRun), yearNext)),
        v128.andnot(yearNext, fourDigits),
        numeric,
      ),
    );
    const cueRoom = i32x4.ge_s(i32x4.sub(starts, endsBefore), i32x4.splat(2));
    const ssnLanes = u32(i32x4.bitmask(ssn));
    const passportLanes = u32(i32x4.bitmask(passport));
    const licenseLanes = u32(i32x4.bitmask(license));
    const birthLanes = u32(i32x4.bitmask(birth));
    let lanes =
      (u32(i32x4.bitmask(cueRoom)) & (ssnLanes | licenseLanes | birthLanes)) | u32(i32x4.bitmask(formattedSsn));
    while (lanes !== 0) {
      const lane = ctz(lanes);
      lanes &= lanes - 1;
      const kinds =
        (((ssnLanes >> lane) & 1) << ssnCue) |
        (((passportLanes >> lane) & 1) << passportCue) |
        (((licenseLanes >> lane) & 1) << licenseCue) |
        (((birthLanes >> lane) & 1) << birthCue);
      count = valuesAt(text, length, runs, runCount, k + i32(lane << 1), i32(kinds), out, count);
    }
  }
  for (; k < runCount; k += 2) {
    const kinds = kindsAt(text, length, runs, runCount, k);
    if (kinds !== 0) count = valuesAt(text, length, runs, runCount, k, kinds, out, count);
  }
  return count;
}
