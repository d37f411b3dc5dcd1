// The cue-word detectors' walks over a text's digit runs (`src/detectors/cues.ts` is the host side): each pass reads
// the runs as `[start, end)` pairs of i32 at `runs` (`runCount` integers) and the placed text, and writes only the
// values that may be personal data to `out`. A value counts only after a cue word, and every cue word holds a
// letter rare elsewhere (its cue letter, checked with its neighbours): a value with no cue letter in the window
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

function isCueLetter(cue: i32, text: usize, length: i32, i: i32): bool {
  if (cue === ssnCue) return isSsnCueLetter(text, length, i);
  if (cue === passportCue) return isPassportCueLetter(text, length, i);
  if (cue === licenseCue) return isLicenseCueLetter(text, length, i);
  return isBirthCueLetter(text, length, i);
}

// One walk's look for cue letters: every character is checked at most once, however much the windows overlap.
let scanned = 0;
let lastCueLetter = -1;

function startWalk(): void {
  scanned = 0;
  lastCueLetter = -1;
}

/**
 * Whether a cue letter lies in `[max(0, to - window - slack, runs[k - 1]), to)`, the window before a value whose
 * first digits are run `k`, `slack` characters wider for values that may start before their first digits. The
 * windows of one walk must come in order (neither end ever moves back), as they do run after run.
 */
function cueLetterBefore(cue: i32, text: usize, length: i32, runs: usize, k: i32, to: i32, slack: i32): bool {
  let from = max(0, to - window - slack);
  if (k > 0) from = max(from, run(runs, k - 1));
  let i = max(scanned, from);
  for (; i < to && i < 2; i++) {
    if (isCueLetter(cue, text, length, i)) lastCueLetter = i;
  }
  // Eight at a time where the two units either side of each lane lie in the text.
  for (; i < to && i + 10 <= length; i += 8) {
    let lanes = cueLetterLanes(cue, text, i);
    if (to - i < 8) lanes &= (u32(1) << u32(to - i)) - 1;
    if (lanes !== 0) lastCueLetter = i + 31 - i32(clz(lanes));
  }
  for (; i < to; i++) {
    if (isCueLetter(cue, text, length, i)) lastCueLetter = i;
  }
  scanned = max(scanned, to);
  return lastCueLetter >= from;
}

function unitsIs(units: v128, code: i32): v128 {
  return i16x8.eq(units, i16x8.splat(i16(code)));
}

/**
 * {@link isCueLetter} of the eight code units from `i` as the bits of a mask, when units `i - 2` to `i + 9` lie in
 * the text: one vector for each neighbour a cue letter is checked with, each folded as {@link foldedAt} folds.
 */
function cueLetterLanes(cue: i32, text: usize, i: i32): u32 {
  const at = text + (usize(i) << 1);
  const fold = i16x8.splat(0x20);
  const twoBefore = v128.or(v128.load(at - 4), fold);
  const before = v128.or(v128.load(at - 2), fold);
  const letter = v128.or(v128.load(at), fold);
  const next = v128.or(v128.load(at + 2), fold);
  const nextButOne = v128.or(v128.load(at + 4), fold);
  let hits: v128;
  if (cue === ssnCue) {
    const ss = v128.and(
      unitsIs(next, 115),
      v128.or(v128.or(unitsIs(nextButOne, 110), unitsIs(nextButOne, 35)), unitsIs(nextButOne, 32)),
    );
    hits = v128.and(unitsIs(letter, 115), v128.or(ss, v128.and(unitsIs(next, 111), unitsIs(nextButOne, 99))));
  } else if (cue === passportCue) {
    hits = v128.and(v128.and(unitsIs(letter, 112), unitsIs(next, 97)), unitsIs(nextButOne, 115));
  } else if (cue === licenseCue) {
    const dl = v128.or(unitsIs(before, 100), v128.and(unitsIs(before, 46), unitsIs(twoBefore, 100)));
    hits = v128.and(unitsIs(letter, 108), v128.or(dl, v128.and(unitsIs(next, 105), unitsIs(nextButOne, 99))));
  } else {
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
    hits = v128.or(
      v128.or(v128.and(unitsIs(letter, 98), v128.or(bir, dob)), ne),
      v128.and(unitsIs(letter, 110), neeNai),
    );
  }
  return u32(i16x8.bitmask(hits));
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

/**
 * US_SSN's values: writes `k` (the even index of a value's first run) for a nine-digit run that stands alone with a
 * cue letter before it, and for `AAA-GG-SSSS` or `AAA GG SSSS` standing alone, `k + 1` when a cue letter is before
 * it. Returns how many it wrote; the host checks the cue and the SSA's rules.
 */
export function ssnValues(text: usize, length: i32, runs: usize, runCount: i32, out: usize): i32 {
  startWalk();
  let count = 0;
  for (let k = 0; k < runCount; k += 2) {
    const start = run(runs, k);
    const end = run(runs, k + 1);
    if (end - start === 9) {
      // A bare run has no separator: 0xffffffff is no code unit.
      if (
        ssnStandsAlone(text, length, start, end, 0xffffffff) &&
        cueLetterBefore(ssnCue, text, length, runs, k, start, 0)
      ) {
        emit(out, count++, k);
      }
      continue;
    }
    if (end - start !== 3 || k + 5 >= runCount) continue;
    // Three, two and four digits one character apart, told from the runs alone before reading the text.
    const groupStart = run(runs, k + 2);
    const serialStart = run(runs, k + 4);
    const serialEnd = run(runs, k + 5);
    if (groupStart !== end + 1 || run(runs, k + 3) !== groupStart + 2 || serialStart !== groupStart + 3) continue;
    if (serialEnd - serialStart !== 4) continue;
    const separator = unitAt(text, length, end);
    if ((separator !== 45 && separator !== 32) || unitAt(text, length, groupStart + 2) !== separator) continue;
    if (!ssnStandsAlone(text, length, start, serialEnd, separator)) continue;
    emit(out, count++, cueLetterBefore(ssnCue, text, length, runs, k, start, 0) ? k + 1 : k);
  }
  return count;
}

// The document number `readIdNumber` last read: where it starts and ends, its letters, digits and groups, and the
// index of its last run.
let idStart = 0;
let idEnd = 0;
let idLetters = 0;
let idDigits = 0;
let idGroups = 0;
let idLastRun = 0;

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
  idLastRun = last;
  return true;
}

/**
 * US_PASSPORT's values: writes `[start, end)` of each nine-digit number or letter and eight digits that stands alone
 * with a cue letter before it, and returns how many integers it wrote; the host checks the cue.
 */
export function passportValues(text: usize, length: i32, runs: usize, runCount: i32, out: usize): i32 {
  startWalk();
  let count = 0;
  for (let k = 0; k < runCount; k += 2) {
    const digits = run(runs, k + 1) - run(runs, k);
    if (digits !== 8 && digits !== 9) continue;
    if (!readIdNumber(text, length, runs, runCount, k, false)) continue;
    if (!((idLetters === 0 && idDigits === 9) || (idLetters === 1 && idDigits === 8))) continue;
    // The number starts at most two letters before its digits.
    if (!cueLetterBefore(passportCue, text, length, runs, k, run(runs, k), 2)) continue;
    emit(out, count++, idStart);
    emit(out, count++, idEnd);
  }
  return count;
}

function isLicenseShaped(letters: i32, digits: i32, groups: i32): bool {
  if (groups > 1) return letters <= 1 && digits >= 7 && digits <= 13;
  if (letters === 0) return digits >= 7 && digits <= 12;
  if (letters === 1) return digits >= 6 && digits <= 13;
  return digits >= 5 && digits <= 8;
}

/**
 * US_DRIVER_LICENSE's numbered values: writes `[start, end)` of each licence-shaped number (see `readIdNumber`) with a
 * cue letter before it, and returns how many integers it wrote; the host checks the cue.
 */
export function licenseValues(text: usize, length: i32, runs: usize, runCount: i32, out: usize): i32 {
  startWalk();
  let count = 0;
  for (let k = 0; k < runCount; k += 2) {
    // Cheap first: a single run must hold 5–13 digits to be any of the shapes, or be split by `-` or a space.
    const end = run(runs, k + 1);
    const digits = end - run(runs, k);
    if (digits < 5 || digits > 13) {
      if (k + 2 >= runCount || run(runs, k + 2) !== end + 1) continue;
      const next = unitAt(text, length, end);
      if (next !== 45 && next !== 32) continue;
    }
    if (!readIdNumber(text, length, runs, runCount, k, true)) continue;
    if (
      isLicenseShaped(idLetters, idDigits, idGroups) &&
      cueLetterBefore(licenseCue, text, length, runs, k, run(runs, k), 2)
    ) {
      emit(out, count++, idStart);
      emit(out, count++, idEnd);
    }
    // The later groups of a split number are never numbers of their own.
    k = idLastRun;
  }
  return count;
}

/**
 * DATE_OF_BIRTH's values: writes `k` for each run that may start a date (`1990-01-31`, `31/01/1990`, `31. Jan 1990`,
 * `31 Jan 1990`, `Jan 31, 1990`: a four-digit year in it, its runs close) with a cue letter before it, and returns
 * how many it wrote; the host reads the date and checks the cue.
 */
export function birthDateValues(text: usize, length: i32, runs: usize, runCount: i32, out: usize): i32 {
  startWalk();
  let count = 0;
  for (let k = 0; k + 3 < runCount; k += 2) {
    const digits = run(runs, k + 1) - run(runs, k);
    const nextDigits = run(runs, k + 3) - run(runs, k + 2);
    const thirdDigits = k + 5 < runCount ? run(runs, k + 5) - run(runs, k + 4) : 0;
    if (!(digits === 4 || (digits <= 2 && (nextDigits === 4 || thirdDigits === 4)))) continue;
    if (run(runs, k + 2) - run(runs, k + 1) > 16) continue;
    const next = unitAt(text, length, run(runs, k + 1));
    if (next === 45 || next === 47 || next === 46) {
      const threeRuns =
        thirdDigits !== 0 && run(runs, k + 2) === run(runs, k + 1) + 1 && run(runs, k + 4) === run(runs, k + 3) + 1;
      if (!threeRuns && !(next === 46 && digits <= 2 && nextDigits === 4)) continue;
    } else if (digits === 4 || nextDigits !== 4) {
      continue;
    }
    // `Jan 31, 1990` starts at its month name, at most twelve characters (`September. `) before the day.
    if (cueLetterBefore(birthCue, text, length, runs, k, run(runs, k), 12)) emit(out, count++, k);
  }
  return count;
}
