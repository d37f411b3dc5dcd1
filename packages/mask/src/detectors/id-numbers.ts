import { isAsciiLetter, isDigit, isWordChar } from './characters.js';
import type { DigitRuns } from './text-index.js';

/**
 * A document number as the passport and licence detectors read it: up to two letters, then digits, whole or in
 * (when `grouped`) in groups split by one kind of single separator, `-` or space (`A1234567`, `W426-545-30-761-0`,
 * `123 456 789`).
 */
export interface IdNumber {
  start: number;
  end: number;
  /** Letters before the digits (0–2). */
  letters: number;
  digits: number;
  groups: number;
  /** The index of the last digit run it covers (even, into `digitRuns`). */
  lastRun: number;
}

/**
 * The document number whose first digits are run `k`, or undefined when it is glued to a word or to more numbers
 * (`ORD-2024-000123`, `v12345678`, `1.23456789`). At most five groups, so any input costs linear time.
 */
export function readIdNumber(text: string, runs: DigitRuns, k: number, grouped: boolean): IdNumber | undefined {
  const digitsStart = runs[k]!;
  let start = digitsStart;
  while (start > 0 && digitsStart - start < 3 && isAsciiLetter(text.charCodeAt(start - 1))) start--;
  const letters = digitsStart - start;
  if (letters > 2 || isWordChar(text.charCodeAt(start - 1))) return undefined;
  const before = text.charCodeAt(start - 1);
  if ((before === 45 || before === 46 || before === 47) && isWordChar(text.charCodeAt(start - 2))) return undefined;
  // The tail of a longer space-split run (`1 2 3 4 5 6 7`) is not a number of its own.
  if (grouped && before === 32 && isDigit(text.charCodeAt(start - 2))) return undefined;

  let digits = runs[k + 1]! - digitsStart;
  let last = k;
  const separator = text.charCodeAt(runs[k + 1]!);
  if (grouped && (separator === 45 || separator === 32)) {
    while (last + 2 < runs.length && last - k < 8) {
      const end = runs[last + 1]!;
      if (text.charCodeAt(end) !== separator || runs[last + 2] !== end + 1) break;
      last += 2;
      digits += runs[last + 1]! - runs[last]!;
    }
  }
  const end = runs[last + 1]!;
  const after = text.charCodeAt(end);
  if (isWordChar(after)) return undefined;
  if ((after === 45 || after === 46 || after === 47 || after === separator) && isDigit(text.charCodeAt(end + 1))) {
    return undefined;
  }
  return { start, end, letters, digits, groups: (last - k) / 2 + 1, lastRun: last };
}
