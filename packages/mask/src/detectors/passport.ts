import { findCueValues, hasCueBefore } from './cues.js';
import { type IndexedDetector, indexedDetector } from './text-index.js';

const passportCue = /\b(?:passport|passeport|reisepass|pasaporte)/i;

/**
 * US_PASSPORT: nine digits (`123456789`) or, for next-generation books, a letter and eight digits (`A12345678`),
 * only after a cue ("passport", "passport no.", "passport #") within 40 characters. Score 0.8.
 */
export function passportDetector(): IndexedDetector {
  return indexedDetector('US_PASSPORT', ['pii', 'government_id'], (index, spans) => {
    const values = findCueValues(index).passport;
    for (let i = 0; i < values.length; i += 2) {
      const start = values[i]!;
      if (hasCueBefore(index.text, start, passportCue)) {
        spans.push({ type: 'US_PASSPORT', start, end: values[i + 1]!, score: 0.8 });
      }
    }
  });
}
