import { hasCueBefore } from './cues.js';
import { readIdNumber } from './id-numbers.js';
import { type IndexedDetector, indexedDetector } from './text-index.js';

const passportCue = /\b(?:passport|passeport|reisepass|pasaporte)/i;

/**
 * US_PASSPORT: nine digits (`123456789`) or, for next-generation books, a letter and eight digits (`A12345678`),
 * only after a cue ("passport", "passport no.", "passport #") within 40 characters. Score 0.8.
 */
export function passportDetector(): IndexedDetector {
  return indexedDetector('US_PASSPORT', ['pii', 'government_id'], ({ text, digitRuns: runs }, spans) => {
    for (let k = 0; k < runs.length; k += 2) {
      const length = runs[k + 1]! - runs[k]!;
      if (length !== 8 && length !== 9) continue;
      const id = readIdNumber(text, runs, k, false);
      if (id === undefined || id.groups !== 1) continue;
      const shaped = (id.letters === 0 && id.digits === 9) || (id.letters === 1 && id.digits === 8);
      if (!shaped || !hasCueBefore(text, id.start, passportCue)) continue;
      spans.push({ type: 'US_PASSPORT', start: id.start, end: id.end, score: 0.8 });
    }
  });
}
