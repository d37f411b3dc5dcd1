import { findCueValues, hasCueBefore } from './cues.js';
import { type IndexedDetector, indexedDetector } from './text-index.js';
import { ssnValid } from './validators.js';

const ssnCue = /\b(?:ssn|ss#|ss no|social security|social sec|soc\.? sec)/i;

/**
 * US_SSN: `AAA-GG-SSSS` or `AAA GG SSSS` that the SSA could have issued ({@link ssnValid}), not inside a longer run
 * of numbers. A bare nine-digit run counts only after a cue ("SSN", "social security") within 40 characters.
 * Scores: formatted 0.85, formatted after a cue 0.95, bare after a cue 0.8.
 */
export function ssnDetector(): IndexedDetector {
  return indexedDetector('US_SSN', ['pii', 'government_id'], (index, spans) => {
    const values = findCueValues(index).ssn;
    if (values.length === 0) return;
    const { text, digitRuns: runs } = index;
    for (const value of values) {
      // The index of the number's first run, and whether a cue letter stands before it.
      const k = value & ~1;
      const mayHaveCue = (value & 1) === 1;
      const start = runs[k]!;
      const end = runs[k + 1]!;
      if (end - start === 9) {
        const digits = text.slice(start, end);
        if (hasCueBefore(text, start, ssnCue) && ssnValid(digits.slice(0, 3), digits.slice(3, 5), digits.slice(5))) {
          spans.push({ type: 'US_SSN', start, end, score: 0.8 });
        }
        continue;
      }
      const groupStart = runs[k + 2]!;
      const serialStart = runs[k + 4]!;
      const serialEnd = runs[k + 5]!;
      if (
        !ssnValid(text.slice(start, end), text.slice(groupStart, groupStart + 2), text.slice(serialStart, serialEnd))
      ) {
        continue;
      }
      const cued = mayHaveCue && hasCueBefore(text, start, ssnCue);
      spans.push({ type: 'US_SSN', start, end: serialEnd, score: cued ? 0.95 : 0.85 });
    }
  });
}
