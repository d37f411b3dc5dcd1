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

/** What the cue-word detectors start from, as the core's walk (`assembly/cues.ts`) found them in one text. */
export interface CueValues {
  /** US_SSN: the even index of each value's first run, plus one when a cue letter stands before it. */
  readonly ssn: number[];
  /** US_PASSPORT: `[start, end)` of each value, flat. */
  readonly passport: number[];
  /** US_DRIVER_LICENSE: `[start, end)` of each numbered value, flat. */
  readonly license: number[];
  /** DATE_OF_BIRTH: the index of the run each value may start at. */
  readonly birthDate: number[];
}

const cueValuesIn =
  coreFunction<(text: number, length: number, runs: number, runCount: number, out: number) => number>('cueValues');

const valuesByIndex = new WeakMap<TextIndex, CueValues>();

/**
 * The values the cue-word detectors look at in a text: one walk of the core over its digit runs keeps, for all four
 * detectors at once, only those with a letter that every match of their detector's cue holds in the window before
 * them. Nearly all values have none, so each detector reads the text and tests its cue regex on the few it gets.
 * Found once per {@link TextIndex}, when the first of them asks.
 *
 * @example findCueValues(new TextIndex('SSN 123456789')).ssn // [0]
 */
export function findCueValues(index: TextIndex): CueValues {
  let values = valuesByIndex.get(index);
  if (values === undefined) {
    values = { ssn: [], passport: [], license: [], birthDate: [] };
    const { placed, runsAt, runCount } = index.placedRuns;
    const count = runCount === 0 ? 0 : cueValuesIn(placed.textAt, placed.length, runsAt, runCount, placed.outAt);
    const { out } = placed;
    // Each value's first integer is tagged with its detector; a passport or licence value is two integers.
    for (let i = 0; i < count; i++) {
      const value = out[i]! >> 2;
      const tag = out[i]! & 3;
      if (tag === 0) values.ssn.push(value);
      else if (tag === 1) values.passport.push(value, out[++i]!);
      else if (tag === 2) values.license.push(value, out[++i]!);
      else values.birthDate.push(value);
    }
    valuesByIndex.set(index, values);
  }
  return values;
}
