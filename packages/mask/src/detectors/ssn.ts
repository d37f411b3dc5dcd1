import { isDigit, isWordChar } from './characters.js';
import { cueWindowStart, foldedAt, hasCueBefore, hasCueLetter } from './cues.js';
import { type DigitRuns, type IndexedDetector, indexedDetector } from './text-index.js';
import { ssnValid } from './validators.js';

const ssnCue = /\b(?:ssn|ss#|ss no|social security|social sec|soc\.? sec)/i;

/**
 * US_SSN: `AAA-GG-SSSS` or `AAA GG SSSS` that the SSA could have issued ({@link ssnValid}), not inside a longer run
 * of numbers. A bare nine-digit run counts only after a cue ("SSN", "social security") within 40 characters.
 * Scores: formatted 0.85, formatted after a cue 0.95, bare after a cue 0.8.
 */
export function ssnDetector(): IndexedDetector {
  return indexedDetector('US_SSN', ['pii', 'government_id'], ({ text, digitRuns: runs }, spans) => {
    for (let k = 0; k < runs.length; k += 2) {
      const start = runs[k]!;
      const end = runs[k + 1]!;
      if (end - start === 9) {
        if (standsAlone(text, start, end, -1) && hasSsnCue(text, runs, k)) {
          const digits = text.slice(start, end);
          if (ssnValid(digits.slice(0, 3), digits.slice(3, 5), digits.slice(5))) {
            spans.push({ type: 'US_SSN', start, end, score: 0.8 });
          }
        }
        continue;
      }
      if (end - start !== 3 || k + 5 >= runs.length) continue;
      // Three, two and four digits one character apart, told from the runs alone before reading the text.
      const groupStart = runs[k + 2]!;
      const serialStart = runs[k + 4]!;
      const serialEnd = runs[k + 5]!;
      if (groupStart !== end + 1 || runs[k + 3] !== groupStart + 2 || serialStart !== groupStart + 3) continue;
      if (serialEnd - serialStart !== 4) continue;
      const separator = text.charCodeAt(end);
      if ((separator !== 45 && separator !== 32) || text.charCodeAt(groupStart + 2) !== separator) continue;
      if (!standsAlone(text, start, serialEnd, separator)) continue;
      if (
        !ssnValid(text.slice(start, end), text.slice(groupStart, groupStart + 2), text.slice(serialStart, serialEnd))
      ) {
        continue;
      }
      spans.push({ type: 'US_SSN', start, end: serialEnd, score: hasSsnCue(text, runs, k) ? 0.95 : 0.85 });
      k += 4;
    }
  });
}

/** Whether an SSN cue stands before the number whose first digits are run `k`; most numbers have none. */
function hasSsnCue(text: string, runs: DigitRuns, k: number): boolean {
  const start = runs[k]!;
  return hasCueLetter(text, cueWindowStart(runs, k, start), start, isSsnCueLetter) && hasCueBefore(text, start, ssnCue);
}

/** A letter every SSN cue holds, in any case: the first `s` of ssn, ss#, ss no, soc(ial) and soc. */
function isSsnCueLetter(text: string, i: number): boolean {
  if (foldedAt(text, i) !== 115) return false;
  const next = foldedAt(text, i + 1);
  const nextButOne = foldedAt(text, i + 2);
  return next === 115
    ? nextButOne === 110 || nextButOne === 35 || nextButOne === 32
    : next === 111 && nextButOne === 99;
}

/**
 * Not glued to a word or to more numbers: `A123-45-6789`, `1-123-45-6789`, `123-45-6789-0` and (for the spaced form)
 * `1 123 45 6789` are something else.
 */
function standsAlone(text: string, start: number, end: number, separator: number): boolean {
  const before = text.charCodeAt(start - 1);
  const after = text.charCodeAt(end);
  if (isWordChar(before) || isWordChar(after)) return false;
  if ((before === 45 || before === 46 || before === separator) && isDigit(text.charCodeAt(start - 2))) return false;
  if ((after === 45 || after === 46 || after === separator) && isDigit(text.charCodeAt(end + 1))) return false;
  return true;
}
