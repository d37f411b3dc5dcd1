import { isDigit } from './characters.js';

/**
 * Cue words: some values (a bare nine-digit run, a date) are only personal data when the text says so just before
 * them — "SSN 123456789", "born 31 Jan 1990". A cue is looked for in the `cueWindow` characters before a finding,
 * and only after the last digit there: in "DL# 472107336, synced 2023-01-22" the cue belongs to the first number,
 * not to the date.
 */

export const cueWindow = 40;

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
