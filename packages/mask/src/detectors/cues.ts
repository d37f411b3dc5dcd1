import { isDigit } from './characters.js';
import { coreFunction } from './scan-core.js';
import type { DigitRuns, TextIndex } from './text-index.js';

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

/** A pass of the core over the placed text and its digit runs (`runCount` integers); returns how many it wrote. */
type ValuesPass = (text: number, length: number, runs: number, runCount: number, out: number) => number;

/**
 * A pass of the core (`assembly/cues.ts`) that walks a text's digit runs and keeps only the values that may follow a
 * cue: for each, a letter that every match of the detector's cue holds lies in the window before it. Nearly all
 * values have none, so the detector reads the text and tests its cue regex on the few it gets back.
 *
 * @example const ssnValues = cueValues('ssnValues'); ssnValues(index) // what the pass wrote, as integers
 */
export function cueValues(name: string): (index: TextIndex) => Int32Array {
  const pass = coreFunction<ValuesPass>(name);
  return (index) => {
    const { placed, runsAt, runCount } = index.placedRuns;
    if (runCount === 0) return index.digitRuns;
    return placed.out.slice(0, pass(placed.textAt, placed.length, runsAt, runCount, placed.outAt));
  };
}
