import { isDigit } from './characters.js';
import type { DigitRuns } from './text-index.js';

/**
 * Cue words: some values (a bare nine-digit run, a date) are only personal data when the text says so just before
 * them — "SSN 123456789", "born 31 Jan 1990". A cue is looked for in the `cueWindow` characters before a finding,
 * and only after the last digit there: in "DL# 472107336, synced 2023-01-22" the cue belongs to the first number,
 * not to the date.
 */

export const cueWindow = 40;

/**
 * What separates records scanned in one text (see `scanMany`): a cue in one record must never count for the next.
 * The NULs stop every pattern that reads through digits, spaces or punctuation, and the digit ends every cue
 * window: a cue is looked for only after the last digit before a value ({@link hasCueBefore},
 * {@link cueWindowStart}). A detector whose window does not stop at digits stops at this instead.
 */
export const recordBoundary = '\u00000\u0000';

/** True when `cue` (a non-global regex) matches between the last digit before `start` (40 at most) and `start`. */
export function hasCueBefore(text: string, start: number, cue: RegExp): boolean {
  let from = Math.max(0, start - cueWindow);
  for (let i = start - 1; i >= from; i--) {
    if (isDigit(text.charCodeAt(i))) {
      from = i + 1;
      break;
    }
  }
  return cue.test(text.slice(from, start));
}

/**
 * Where the window that {@link hasCueBefore} searches before a value at `start` begins, when the value's first
 * digits are digit run `k` (an even index into `runs`): `cueWindow` back, or after the run before, whichever is later.
 */
export function cueWindowStart(runs: DigitRuns, k: number, start: number): number {
  return Math.max(0, start - cueWindow, k > 0 ? runs[k - 1]! : 0);
}

/**
 * False when no character `i` in `[from, start)` passes `isCueLetter(text, i)`: give it a letter that every match of
 * the cue holds, checked with its neighbours so that it is rare in other text, and a false here means the cue
 * cannot match there. Nearly all values have no cue before them, and this look over a few characters costs far
 * less than a slice and a regex.
 */
export function hasCueLetter(
  text: string,
  from: number,
  start: number,
  isCueLetter: (text: string, i: number) => boolean,
): boolean {
  for (let i = start - 1; i >= from; i--) {
    if (isCueLetter(text, i)) return true;
  }
  return false;
}

/** {@link hasCueLetter} over the window before `start` that {@link hasCueBefore} searches, wherever it begins. */
export function mayHaveCueBefore(
  text: string,
  start: number,
  isCueLetter: (text: string, i: number) => boolean,
): boolean {
  const from = Math.max(0, start - cueWindow);
  for (let i = start - 1; i >= from; i--) {
    if (isDigit(text.charCodeAt(i))) return false;
    if (isCueLetter(text, i)) return true;
  }
  return false;
}

/** The code unit at `i` with bit 0x20 set, which folds ASCII letters (and `É`) to lower case. */
export function foldedAt(text: string, i: number): number {
  return text.charCodeAt(i) | 0x20;
}

/**
 * Where a value with a cue before it may start, as flat `[from, to)` pairs in order: in the `cueWindow` characters
 * after each match of `mark`, a global regex that matches (at most `markLength` long) inside every match of the cue,
 * on the whole text as on the window that {@link hasCueBefore} tests. One pass of a short regex over a text with no
 * cue in it then rules out every value at once, and elsewhere only the few values near a cue need a look.
 */
export function cueZones(text: string, mark: RegExp, markLength: number): number[] {
  const zones: number[] = [];
  mark.lastIndex = 0;
  while (mark.test(text)) {
    // A cue that holds a mark ending at `end` starts before it, so the value starts after the mark's first character
    // and fewer than `cueWindow` characters after the cue's.
    const end = mark.lastIndex;
    const from = end - markLength + 1;
    const to = end + cueWindow;
    if (zones.length > 0 && from <= zones[zones.length - 1]!) zones[zones.length - 1] = to;
    else zones.push(from, to);
  }
  return zones;
}

/**
 * The first digit run at or after run `k` (an even index into `runs`) that starts at `position` or later. It gallops
 * from `k`, so walking zones in order costs time linear in the runs skipped over, but only logarithmic in them.
 */
export function firstRunFrom(runs: DigitRuns, position: number, k: number): number {
  if (k >= runs.length || runs[k]! >= position) return k;
  // runs[low] starts before `position`; runs[high] (if there is one) does not.
  let low = k;
  let step = 2;
  let high = k + step;
  while (high < runs.length && runs[high]! < position) {
    low = high;
    step *= 2;
    high = low + step;
  }
  let first = low / 2 + 1;
  let last = Math.min(high, runs.length) / 2;
  while (first < last) {
    const middle = (first + last) >>> 1;
    if (runs[middle * 2]! < position) first = middle + 1;
    else last = middle;
  }
  return first * 2;
}
